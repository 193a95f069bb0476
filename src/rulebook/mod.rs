//! The rulebook: what each guideline section says, the services it governs,
//! and the checks built on them, loaded from YAML and validated.
//!
//! Loading is the pipeline's third stage (read source → parse → **load
//! rulebook** → evaluate → render). The default rulebook is embedded in the
//! binary; `--rules DIR` replaces it and `--extend-rules DIR` adds to it.
//! Reading files is in [`files`]; [`Rulebook::from_sources`] does no I/O.

pub mod files;
// Used by build.rs, which includes it, and by its tests.
#[cfg(test)]
mod hir_code;
pub mod pattern;
pub mod schema;
mod validate;

use std::collections::HashMap;

use miette::NamedSource;
use regex_syntax::hir::Hir;

pub use schema::*;

use crate::render::diagnostic::Report;
use crate::span::Span;

/// One rule file's text, with the name diagnostics show.
#[derive(Debug, Clone)]
pub struct RuleSource {
    pub name: String,
    pub text: String,
}

/// Where a rulebook entry was defined, for diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    pub file: usize,
}

#[derive(Debug, Default)]
pub struct Rulebook {
    pub sources: Vec<RuleSource>,
    pub guidelines: Vec<(Origin, Guideline)>,
    pub services: Vec<(Origin, Service)>,
    pub concepts: Vec<(Origin, Concept)>,
    pub rules: Vec<(Origin, Rule)>,
    guideline_index: HashMap<String, usize>,
    service_index: HashMap<String, usize>,
    concept_index: HashMap<String, usize>,
    /// Every valid `does_not_say` pattern and regex concept term as
    /// validation parsed it (see [`pattern`]).
    parsed: HashMap<String, Hir>,
}

impl Rulebook {
    /// Parses and validates rule files. Every problem is reported, each as a
    /// miette diagnostic pointing into its YAML file.
    pub fn from_sources(sources: Vec<RuleSource>) -> Result<Rulebook, Vec<Report>> {
        let mut book = Rulebook::default();
        let mut errors = Vec::new();
        for (i, src) in sources.iter().enumerate() {
            let origin = Origin { file: i };
            match read_rule_file(src) {
                Ok(file) => {
                    book.guidelines
                        .extend(file.guidelines.into_iter().map(|g| (origin, g)));
                    book.services
                        .extend(file.services.into_iter().map(|s| (origin, s)));
                    book.concepts
                        .extend(file.concepts.into_iter().map(|c| (origin, c)));
                    book.rules
                        .extend(file.rules.into_iter().map(|r| (origin, r)));
                }
                Err(e) => errors.push(yaml_error(src, &e)),
            }
        }
        book.sources = sources;
        book.reindex();
        let mut parsed = HashMap::new();
        errors.extend(validate::validate(&book, &mut parsed));
        book.parsed = parsed;
        if errors.is_empty() {
            Ok(book)
        } else {
            Err(errors)
        }
    }

    fn reindex(&mut self) {
        self.guideline_index = index(self.guidelines.iter().map(|(_, g)| g.id.as_str()));
        self.service_index = index(self.services.iter().map(|(_, s)| s.id.as_str()));
        self.concept_index = index(self.concepts.iter().map(|(_, c)| c.id.as_str()));
    }

    pub fn guideline(&self, id: &str) -> Option<&Guideline> {
        self.guideline_index.get(id).map(|&i| &self.guidelines[i].1)
    }

    pub fn service(&self, id: &str) -> Option<&Service> {
        self.service_index.get(id).map(|&i| &self.services[i].1)
    }

    pub fn concept(&self, id: &str) -> Option<&Concept> {
        self.concept_index.get(id).map(|&i| &self.concepts[i].1)
    }

    /// A section by its `<guideline>/<section>` reference.
    pub fn section(&self, reference: &str) -> Option<(&Guideline, &Section)> {
        let (g, s) = reference.split_once('/')?;
        let guideline = self.guideline(g)?;
        let section = guideline.sections.iter().find(|x| x.id == s)?;
        Some((guideline, section))
    }

    /// A fact by its `<guideline>/<section>#<fact>` reference.
    pub fn fact(&self, reference: &str) -> Option<&Fact> {
        let (section, fact) = reference.split_once('#')?;
        let (_, s) = self.section(section)?;
        s.facts.iter().find(|f| f.id == fact)
    }

    /// A `does_not_say` pattern's or regex concept term's syntax tree, as
    /// [`pattern::read`] gives it.
    /// The built-in rulebook, for tests, which cannot go on without it.
    #[cfg(test)]
    pub(crate) fn built_in() -> Rulebook {
        match Rulebook::from_sources(files::embedded()) {
            Ok(book) => book,
            Err(e) => panic!("the built-in rulebook loads: {e:?}"),
        }
    }

    pub fn parsed_pattern(&self, pattern: &str) -> Option<&Hir> {
        self.parsed.get(pattern)
    }

    pub fn rule(&self, code: &str) -> Option<&Rule> {
        self.rules.iter().map(|(_, r)| r).find(|r| r.code == code)
    }

    /// The fixed phrases the rulebook looks for in letters: plain concept terms,
    /// then service names and synonyms, in rulebook order, each once.
    pub fn phrases(&self) -> Vec<&str> {
        let concepts = self
            .concepts
            .iter()
            .filter(|(_, c)| !c.regex)
            .flat_map(|(_, c)| c.terms.iter());
        let services = self
            .services
            .iter()
            .flat_map(|(_, s)| std::iter::once(&s.name).chain(&s.synonyms));
        unique(concepts.chain(services))
    }

    /// The regexes the rulebook matches letters with: regex concept terms, then
    /// every section's `does_not_say` patterns, each once.
    pub fn patterns(&self) -> Vec<&str> {
        let concepts = self
            .concepts
            .iter()
            .filter(|(_, c)| c.regex)
            .flat_map(|(_, c)| c.terms.iter());
        let not_said = self
            .guidelines
            .iter()
            .flat_map(|(_, g)| &g.sections)
            .flat_map(|s| s.does_not_say.iter().map(|n| &n.pattern));
        unique(concepts.chain(not_said))
    }

    /// A diagnostic over a rule file, pointing at the first `key: value` (or bare value) found.
    pub(crate) fn report_at(
        &self,
        origin: Origin,
        needle: &str,
        code: &str,
        message: String,
        help: Option<String>,
    ) -> Report {
        let src = &self.sources[origin.file];
        let labels = find_value(&src.text, needle)
            .map(|span| vec![(span, String::new())])
            .unwrap_or_default();
        Report {
            code: code.to_string(),
            severity: miette::Severity::Error,
            message: format!("{}: {message}", src.name),
            source: NamedSource::new(src.name.clone(), src.text.clone()),
            labels,
            help,
        }
    }
}

/// The JSON Schema (draft 2020-12) of a rule file, generated from the types
/// of [`schema`]: what `imrlint schema` prints and `rules/rulebook.schema.json`
/// holds (editors validate and complete rule files with it). Checks serde
/// cannot express (references, regexes, dates in order) are left to validation.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(RuleFile);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serialises");
    text.push('\n');
    text
}

fn index<'a>(ids: impl Iterator<Item = &'a str>) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for (i, id) in ids.enumerate() {
        m.entry(id.to_string()).or_insert(i);
    }
    m
}

/// Byte span of `needle` in a YAML text, preferring an occurrence as a value.
fn find_value(text: &str, needle: &str) -> Option<Span> {
    if needle.is_empty() {
        return None;
    }
    let mut first = None;
    for (i, _) in text.match_indices(needle) {
        let before = text[..i].trim_end_matches([' ', '"', '\'']);
        if before.ends_with(':')
            || before.ends_with('-')
            || before.ends_with('[')
            || before.ends_with(',')
        {
            return Some(Span::new(i, i + needle.len()));
        }
        first.get_or_insert(Span::new(i, i + needle.len()));
    }
    first
}

/// A rule file's YAML read into its types; a built-in file from its JSON
/// (see [`files::prepared`]), which `build.rs` wrote from the same YAML read
/// the same way.
fn read_rule_file(src: &RuleSource) -> Result<RuleFile, serde_saphyr::Error> {
    if let Some(json) = files::prepared(src)
        && let Ok(file) = serde_json::from_str(json)
    {
        return Ok(file);
    }
    serde_saphyr::from_str(&src.text)
}

fn yaml_error(src: &RuleSource, e: &serde_saphyr::Error) -> Report {
    let span = e.location().and_then(|loc| {
        let line = loc.line() as usize;
        let col = loc.column() as usize;
        let start = src
            .text
            .split_inclusive('\n')
            .take(line.saturating_sub(1))
            .map(str::len)
            .sum::<usize>();
        let offset = start + col.saturating_sub(1);
        (offset <= src.text.len()).then(|| Span::new(offset, (offset + 1).min(src.text.len())))
    });
    Report {
        code: "rulebook/yaml".to_string(),
        severity: miette::Severity::Error,
        message: format!("{}: {}", src.name, first_line(&e.to_string())),
        source: NamedSource::new(src.name.clone(), src.text.clone()),
        labels: span.map(|s| vec![(s, String::new())]).unwrap_or_default(),
        help: None,
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// Each string once, in first-seen order.
fn unique<'a>(items: impl Iterator<Item = &'a String>) -> Vec<&'a str> {
    let mut seen = std::collections::HashSet::new();
    items
        .map(String::as_str)
        .filter(|s| seen.insert(*s))
        .collect()
}
