//! Embeds the default rulebook (`rules/**/*.yaml`) into the binary, so that
//! `imrlint check` works with no files beside it.
//!
//! Each file is also read here, as the run would read it, and embedded a
//! second time prepared: as JSON, which loads in a fraction of the YAML's
//! time (`rulebook::files`); the DFA tables of its concept terms
//! (`engine::terms`) and service names (`engine::service`); and the code that
//! builds its regexes' syntax trees (`rulebook::pattern`). A file that does
//! not read is embedded as YAML only, so the run reports it as it would any
//! rule file.

// The rule file types and the terms' table, shared with the crate. The
// schema's one reference into the crate, `model::Date`, is not needed here.
#[allow(dead_code)]
mod model {
    #[derive(Clone, Copy, PartialEq, PartialOrd)]
    pub struct Date;
    impl Date {
        pub fn parse_iso(_: &str) -> Option<Date> {
            None
        }
    }
}
#[path = "src/rulebook/hir_code.rs"]
mod hir_code;
#[allow(dead_code)]
#[path = "src/rulebook/schema.rs"]
mod schema;
#[allow(dead_code)]
#[path = "src/engine/term_table.rs"]
mod term_table;

use aho_corasick::MatchKind;

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            // rules/context/ holds the clinical-context triggers, not rule
            // files: src/context/ embeds them itself.
            if p.file_name().is_some_and(|n| n == "context") && dir.ends_with("rules") {
                continue;
            }
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(p);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("manifest dir"));
    let rules = root.join("rules");
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=src/rulebook/schema.rs");
    println!("cargo:rerun-if-changed=src/engine/term_table.rs");
    println!("cargo:rerun-if-changed=src/rulebook/hir_code.rs");
    let mut files = Vec::new();
    yaml_files(&rules, &mut files);
    files.sort();
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("out dir"));
    let mut code = String::from(
        "/// The default rulebook: (path under rules/, text, the text read and written as JSON).\npub static EMBEDDED: &[(&str, &str, Option<&str>)] = &[\n",
    );
    // Every file read, or None once one does not.
    let mut read: Option<Vec<schema::RuleFile>> = Some(Vec::new());
    for (n, f) in files.iter().enumerate() {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f
            .strip_prefix(&root)
            .expect("under root")
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(f).expect("read a rule file");
        let prepared = match serde_saphyr::from_str::<schema::RuleFile>(&text) {
            Ok(file) => {
                let json = out_dir.join(format!("rules-{n}.json"));
                let written = serde_json::to_string(&file).expect("a rule file serialises");
                std::fs::write(&json, written).expect("write a prepared rule file");
                if let Some(r) = &mut read {
                    r.push(file);
                }
                format!("Some(include_str!({:?}))", json.display().to_string())
            }
            Err(_) => {
                read = None;
                "None".to_string()
            }
        };
        let _ = writeln!(
            code,
            "    ({rel:?}, include_str!({:?}), {prepared}),",
            f.display().to_string()
        );
    }
    code.push_str("];\n");
    std::fs::write(out_dir.join("embedded_rules.rs"), code).expect("write embedded_rules.rs");
    let files = read.as_deref().unwrap_or_default();
    let concept_terms = concept_phrases(files);
    let service_phrases = service_phrases(files);
    let (lml, standard) = (MatchKind::LeftmostLongest, MatchKind::Standard);
    let prebuilt = read.is_some();
    prebuild(prebuilt, &concept_terms, lml, &out_dir, "concept_terms");
    prebuild(
        prebuilt,
        &service_phrases,
        standard,
        &out_dir,
        "service_phrases",
    );
    write_patterns(files, &out_dir);
}

/// Writes `built_in_patterns.rs`: `fn built_in(pattern) -> Option<Hir>`,
/// with the code that builds the tree of each `does_not_say` pattern and
/// regex concept term that parses (as `rulebook::pattern::parse` parses it)
/// and whose tree the code gives back equal.
fn write_patterns(files: &[schema::RuleFile], out_dir: &Path) {
    let not_said = files
        .iter()
        .flat_map(|f| &f.guidelines)
        .flat_map(|g| &g.sections)
        .flat_map(|s| &s.does_not_say)
        .map(|n| &n.pattern);
    let terms = files
        .iter()
        .flat_map(|f| &f.concepts)
        .filter(|c| c.regex)
        .flat_map(|c| &c.terms);
    let mut code = String::from(
        "#[allow(clippy::all)]\npub(crate) fn built_in(pattern: &str) -> Option<Hir> {\n    use regex_syntax::hir::*;\n    Some(match pattern {\n",
    );
    let mut seen = std::collections::HashSet::new();
    for p in not_said.chain(terms) {
        let parsed = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(p);
        let Ok(hir) = parsed else { continue };
        if seen.insert(p) && hir_code::rebuild(&hir) == hir {
            let _ = writeln!(code, "        {p:?} => {},", hir_code::code(&hir));
        }
    }
    code.push_str("        _ => return None,\n    })\n}\n");
    std::fs::write(out_dir.join("built_in_patterns.rs"), code).expect("write built_in_patterns.rs");
}

/// A phrase's spellings, lowercased, as `engine::service::variants` gives
/// them and its callers lowercase them: as written, hyphens as spaces,
/// spaces as hyphens.
fn spellings(phrase: &str) -> Vec<String> {
    let t = phrase.trim();
    let mut v = vec![t.to_string(), t.replace('-', " "), t.replace(' ', "-")];
    v.sort();
    v.dedup();
    v.iter().map(|s| s.to_ascii_lowercase()).collect()
}

/// Each phrase once, in first-seen order.
fn once(phrases: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    phrases.filter(|p| seen.insert(p.clone())).collect()
}

/// The concept terms as `engine::concepts::compile` lists them: each plain
/// term's spellings, but for an empty one.
fn concept_phrases(files: &[schema::RuleFile]) -> Vec<String> {
    let terms = files
        .iter()
        .flat_map(|f| &f.concepts)
        .filter(|c| !c.regex)
        .flat_map(|c| &c.terms);
    once(terms.flat_map(|t| spellings(t)).filter(|s| !s.is_empty()))
}

/// The service phrases as `engine::service::compile` lists them: for each
/// service, the spellings of its synonyms and name, then of its `not_if`.
fn service_phrases(files: &[schema::RuleFile]) -> Vec<String> {
    let phrases = files.iter().flat_map(|f| &f.services).flat_map(|s| {
        s.synonyms
            .iter()
            .chain(std::iter::once(&s.name))
            .chain(&s.not_if)
    });
    once(phrases.flat_map(|p| spellings(p)))
}

/// Writes `<name>.rs`, the expression `Some((phrases, table bytes))` (the
/// bytes in `<name>.bin`), or `None` when the rule files did not all read or
/// the phrases make no table. The run uses a table only for exactly the
/// phrases it was built from.
fn prebuild(read: bool, phrases: &[String], kind: MatchKind, out_dir: &Path, name: &str) {
    let table = read
        .then(|| term_table::build_dfa(phrases, kind))
        .flatten()
        .and_then(|dfa| term_table::Table::of(&dfa));
    let code = match table {
        Some(table) => {
            let bin = out_dir.join(format!("{name}.bin"));
            std::fs::write(&bin, table.to_bytes()).expect("write a table");
            format!(
                "Some((&{phrases:?}, include_bytes!({:?})))\n",
                bin.display().to_string()
            )
        }
        None => "None\n".to_string(),
    };
    std::fs::write(out_dir.join(format!("{name}.rs")), code).expect("write a table's phrases");
}
