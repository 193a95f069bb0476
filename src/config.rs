//! The configuration file, `imrlint.toml`: its keys, how its values are
//! checked, and how they combine with the command line.
//!
//! Precedence: command-line flags > the configuration file > built-in
//! defaults, key by key (a flag given replaces the file's value of its key
//! wholesale). Every resolved value remembers where it came from
//! ([`Origin`]), which `imrlint config` prints.
//!
//! This module does no I/O: the command layer ([`crate::config_cmd`]) finds
//! and reads the file and hands its text to [`ConfigFile::parse`]. The
//! `[severity]` table is applied to a loaded rulebook by
//! [`Settings::apply_severity`], so that findings carry the overridden
//! severity without the engine or the renderers knowing about configuration.

use std::fmt;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use miette::NamedSource;
use toml::de::{DeTable, DeValue};

use crate::cli::{CheckFormat, FilterArgs, MinSeverity, RuleArgs};
use crate::render::diagnostic::Report;
use crate::rulebook::{Rulebook, Severity};
use crate::span::Span;

/// The name of the file looked for from the current directory upward.
pub const FILE_NAME: &str = "imrlint.toml";

/// The keys of the file: a closed set.
pub const KEYS: [&str; 7] = [
    "select",
    "ignore",
    "min-severity",
    "format",
    "rules",
    "extend-rules",
    "severity",
];

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Default,
    /// A line of the configuration file (`path` as found or given).
    File {
        path: String,
        line: usize,
    },
    CommandLine,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::File { path, line } => write!(f, "{path}:{line}"),
            Origin::CommandLine => f.write_str("command line"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

/// A value of the `[severity]` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Info,
    /// The rule does not run.
    Off,
}

impl Level {
    pub const NAMES: [&str; 4] = ["error", "warning", "info", "off"];

    pub fn name(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
            Level::Off => "off",
        }
    }

    /// The severity findings get; `None` for `off`.
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Error => Some(Severity::Error),
            Level::Warning => Some(Severity::Warning),
            Level::Info => Some(Severity::Info),
            Level::Off => None,
        }
    }

    fn from_name(s: &str) -> Option<Level> {
        match s {
            "error" => Some(Level::Error),
            "warning" => Some(Level::Warning),
            "info" => Some(Level::Info),
            "off" => Some(Level::Off),
            _ => None,
        }
    }
}

/// One entry of the `[severity]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeverityOverride {
    pub code: String,
    pub level: Level,
    pub origin: Origin,
    /// The code's key in the file, for an "unknown code" diagnostic.
    span: Span,
}

/// The configuration file's text and the name it is shown by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSource {
    pub path: String,
    pub text: String,
}

/// A parsed and checked configuration file. Paths are resolved against the
/// file's directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigFile {
    pub source: Option<FileSource>,
    pub select: Option<Setting<Vec<String>>>,
    pub ignore: Option<Setting<Vec<String>>>,
    pub min_severity: Option<Setting<MinSeverity>>,
    pub format: Option<Setting<CheckFormat>>,
    pub rules: Option<Setting<PathBuf>>,
    pub extend_rules: Option<Setting<Vec<PathBuf>>>,
    pub severity: Vec<SeverityOverride>,
}

/// Reads values of one file and collects every problem with them.
struct Reader<'a> {
    path: &'a str,
    text: &'a str,
    errors: Vec<Report>,
}

type Item<'i> = toml::Spanned<DeValue<'i>>;

impl Reader<'_> {
    fn origin(&self, span: &std::ops::Range<usize>) -> Origin {
        Origin::File {
            path: self.path.to_string(),
            line: line_col(self.text, span.start).0,
        }
    }

    fn report(
        &mut self,
        code: &str,
        span: std::ops::Range<usize>,
        message: String,
        help: Option<String>,
    ) {
        self.errors
            .push(report(self.path, self.text, code, span, message, help));
    }

    fn bad_value(&mut self, key: &str, value: &Item, expected: &str, help: Option<String>) {
        let found = describe(value.get_ref());
        self.report(
            "config/bad-value",
            value.span(),
            format!("bad value for `{key}`: expected {expected}, found {found}"),
            help,
        );
    }

    fn string_list(&mut self, key: &str, value: &Item) -> Option<Vec<String>> {
        let expected = "a list of strings";
        let example = format!("for example `{key} = [\"citation\", \"conclusion/\"]`");
        let Some(items) = value.get_ref().as_array() else {
            self.bad_value(key, value, expected, Some(example));
            return None;
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref().as_str() {
                Some(s) => out.push(s.to_string()),
                None => {
                    self.bad_value(key, item, "a string", Some(example.clone()));
                    return None;
                }
            }
        }
        Some(out)
    }

    fn one_of<T: Copy>(&mut self, key: &str, value: &Item, choices: &[(&str, T)]) -> Option<T> {
        let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
        let expected = format!("one of {}", names.join(", "));
        let Some(s) = value.get_ref().as_str() else {
            self.bad_value(key, value, &expected, None);
            return None;
        };
        if let Some((_, v)) = choices.iter().find(|(n, _)| *n == s) {
            return Some(*v);
        }
        let help = did_you_mean(s, names.iter().copied());
        self.bad_value(key, value, &expected, help);
        None
    }

    fn path(&mut self, key: &str, value: &Item, dir: &Path) -> Option<PathBuf> {
        match value.get_ref().as_str() {
            Some(s) if !s.is_empty() => Some(dir.join(s)),
            _ => {
                self.bad_value(
                    key,
                    value,
                    "a directory path (relative to the configuration file)",
                    None,
                );
                None
            }
        }
    }
}

impl ConfigFile {
    /// Parses and checks a configuration file's text. `path` is how the file
    /// is named in origins and diagnostics; `dir` is the directory relative
    /// paths in it are resolved against. Every problem is reported, each as a
    /// diagnostic naming the file and line.
    pub fn parse(path: &str, dir: &Path, text: &str) -> Result<ConfigFile, Vec<Report>> {
        let table = match DeTable::parse(text) {
            Ok(t) => t.into_inner(),
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let (line, col) = line_col(text, span.start);
                let message = format!(
                    "{path}:{line}:{col}: invalid TOML: {}",
                    e.message().trim_end()
                );
                return Err(vec![Report {
                    code: "config/toml".to_string(),
                    severity: miette::Severity::Error,
                    message,
                    source: NamedSource::new(path, text.to_string()),
                    labels: vec![(clamp(text, span), String::new())],
                    help: None,
                }]);
            }
        };
        let mut r = Reader {
            path,
            text,
            errors: Vec::new(),
        };
        let mut file = ConfigFile {
            source: Some(FileSource {
                path: path.to_string(),
                text: text.to_string(),
            }),
            ..ConfigFile::default()
        };
        for (key, value) in in_file_order(&table) {
            let origin = r.origin(&key.span());
            let name = key.get_ref().as_ref();
            match name {
                "select" => file.select = r.string_list(name, value).map(|v| at(v, &origin)),
                "ignore" => file.ignore = r.string_list(name, value).map(|v| at(v, &origin)),
                "min-severity" => {
                    let choices = [
                        ("info", MinSeverity::Info),
                        ("warning", MinSeverity::Warning),
                        ("error", MinSeverity::Error),
                    ];
                    file.min_severity = r.one_of(name, value, &choices).map(|v| at(v, &origin));
                }
                "format" => {
                    let names: Vec<(String, CheckFormat)> = CheckFormat::value_variants()
                        .iter()
                        .filter_map(|f| Some((f.to_possible_value()?.get_name().to_string(), *f)))
                        .collect();
                    let choices: Vec<(&str, CheckFormat)> =
                        names.iter().map(|(n, f)| (n.as_str(), *f)).collect();
                    file.format = r.one_of(name, value, &choices).map(|v| at(v, &origin));
                }
                "rules" => file.rules = r.path(name, value, dir).map(|v| at(v, &origin)),
                "extend-rules" => {
                    file.extend_rules = r.string_list(name, value).and_then(|dirs| {
                        let mut out = Vec::new();
                        for d in dirs {
                            if d.is_empty() {
                                r.bad_value(name, value, "a list of directory paths", None);
                                return None;
                            }
                            out.push(dir.join(d));
                        }
                        Some(at(out, &origin))
                    });
                }
                "severity" => {
                    let Some(codes) = value.get_ref().as_table() else {
                        r.bad_value(
                            name,
                            value,
                            "a table of rule codes",
                            Some(
                                "for example:\n[severity]\n\"citation/non-mtus-without-reason\" = \"error\""
                                    .to_string(),
                            ),
                        );
                        continue;
                    };
                    for (code, level) in in_file_order(codes) {
                        let key = format!("severity.\"{}\"", code.get_ref());
                        let choices = Level::NAMES.map(|n| (n, n));
                        let Some(level) =
                            r.one_of(&key, level, &choices).and_then(Level::from_name)
                        else {
                            continue;
                        };
                        file.severity.push(SeverityOverride {
                            code: code.get_ref().to_string(),
                            level,
                            origin: r.origin(&code.span()),
                            span: clamp(text, code.span()),
                        });
                    }
                }
                _ => {
                    let help = did_you_mean(name, KEYS).map_or_else(
                        || format!("the keys are {}", KEYS.join(", ")),
                        |h| format!("{h} The keys are {}.", KEYS.join(", ")),
                    );
                    r.report(
                        "config/unknown-key",
                        key.span(),
                        format!("unknown key `{name}`"),
                        Some(help),
                    );
                }
            }
        }
        if r.errors.is_empty() {
            Ok(file)
        } else {
            Err(r.errors)
        }
    }
}

fn at<T>(value: T, origin: &Origin) -> Setting<T> {
    Setting {
        value,
        origin: origin.clone(),
    }
}

/// A table's entries in the order they appear in the file.
fn in_file_order<'t, 'i>(
    table: &'t DeTable<'i>,
) -> Vec<(&'t toml::Spanned<std::borrow::Cow<'i, str>>, &'t Item<'i>)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

/// The configuration in effect: every setting, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The configuration file, when one applies.
    pub file: Option<FileSource>,
    pub select: Setting<Vec<String>>,
    pub ignore: Setting<Vec<String>>,
    pub min_severity: Setting<MinSeverity>,
    pub format: Setting<CheckFormat>,
    /// `None`: the built-in rulebook.
    pub rules: Setting<Option<PathBuf>>,
    pub extend_rules: Setting<Vec<PathBuf>>,
    pub severity: Vec<SeverityOverride>,
}

fn pick<T>(cli: Option<T>, file: Option<Setting<T>>, default: T) -> Setting<T> {
    match (cli, file) {
        (Some(value), _) => Setting {
            value,
            origin: Origin::CommandLine,
        },
        (None, Some(s)) => s,
        (None, None) => Setting {
            value: default,
            origin: Origin::Default,
        },
    }
}

/// Code patterns as given, without empty ones (`--select=` selects every rule).
fn patterns(v: &Option<Vec<String>>) -> Option<Vec<String>> {
    v.as_ref().map(|v| {
        v.iter()
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect()
    })
}

impl Settings {
    /// Combines the command line (`format` is `None` where the command has
    /// no such flag) with a configuration file (`None`: no file applies).
    pub fn resolve(
        file: Option<ConfigFile>,
        filter: &FilterArgs,
        rules: &RuleArgs,
        format: Option<CheckFormat>,
    ) -> Settings {
        let file = file.unwrap_or_default();
        Settings {
            select: pick(patterns(&filter.select), file.select, Vec::new()),
            ignore: pick(patterns(&filter.ignore), file.ignore, Vec::new()),
            min_severity: pick(filter.min_severity, file.min_severity, MinSeverity::Info),
            format: pick(format, file.format, CheckFormat::Human),
            rules: pick(
                rules.rules.clone().map(Some),
                file.rules.map(|s| Setting {
                    value: Some(s.value),
                    origin: s.origin,
                }),
                None,
            ),
            extend_rules: pick(
                (!rules.extend_rules.is_empty()).then(|| rules.extend_rules.clone()),
                file.extend_rules,
                Vec::new(),
            ),
            severity: file.severity,
            file: file.source,
        }
    }

    /// The rulebook options in effect.
    pub fn rule_args(&self) -> RuleArgs {
        RuleArgs {
            rules: self.rules.value.clone(),
            extend_rules: self.extend_rules.value.clone(),
        }
    }

    /// Applies the `[severity]` table to a loaded rulebook: a rule's severity
    /// is replaced, or the rule removed (`off`). A code the rulebook does not
    /// have is an error naming the file and line.
    pub fn apply_severity(&self, book: &mut Rulebook) -> Result<(), Vec<Report>> {
        let mut errors = Vec::new();
        for o in &self.severity {
            match book.rules.iter_mut().find(|(_, r)| r.code == o.code) {
                Some((_, rule)) => {
                    if let Some(s) = o.level.severity() {
                        rule.severity = s;
                    }
                }
                None => {
                    let Some(file) = &self.file else { continue };
                    let help =
                        did_you_mean(&o.code, book.rules.iter().map(|(_, r)| r.code.as_str()))
                            .unwrap_or_else(|| "`imrlint rules` lists the codes".to_string());
                    errors.push(report(
                        &file.path,
                        &file.text,
                        "config/unknown-code",
                        o.span.offset..o.span.end(),
                        format!("unknown rule code `{}` in [severity]", o.code),
                        Some(help),
                    ));
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        book.rules.retain(|(_, r)| {
            !self
                .severity
                .iter()
                .any(|o| o.level == Level::Off && o.code == r.code)
        });
        Ok(())
    }
}

/// A diagnostic over the configuration file whose message starts with `path:line:column:`.
fn report(
    path: &str,
    text: &str,
    code: &str,
    span: std::ops::Range<usize>,
    message: String,
    help: Option<String>,
) -> Report {
    let (line, col) = line_col(text, span.start);
    Report {
        code: code.to_string(),
        severity: miette::Severity::Error,
        message: format!("{path}:{line}:{col}: {message}"),
        source: NamedSource::new(path, text.to_string()),
        labels: vec![(clamp(text, span), String::new())],
        help,
    }
}

fn clamp(text: &str, span: std::ops::Range<usize>) -> Span {
    let start = span.start.min(text.len());
    Span::new(start, span.end.clamp(start, text.len()))
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

fn describe(v: &DeValue) -> String {
    match v {
        DeValue::String(s) => format!("\"{s}\""),
        DeValue::Integer(i) => format!("the integer {i}"),
        DeValue::Float(f) => format!("the number {f}"),
        DeValue::Boolean(b) => format!("`{b}`"),
        DeValue::Datetime(d) => format!("the date {d}"),
        DeValue::Array(_) => "a list".to_string(),
        DeValue::Table(_) => "a table".to_string(),
    }
}

/// "did you mean `x`?" when a candidate is close to `word`.
fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let folded = word.to_lowercase().replace('_', "-");
    candidates
        .into_iter()
        .map(|c| (edit_distance(&folded, c), c))
        .filter(|(d, c)| *d <= (c.chars().count() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ConfigFile, Vec<Report>> {
        ConfigFile::parse("dir/imrlint.toml", Path::new("dir"), text)
    }

    #[test]
    fn reads_every_key_with_its_line() {
        let f = parse(
            "# team settings\nselect = [\"citation\"]\nignore = []\nmin-severity = \"warning\"\nformat = \"concise\"\nrules = \"book\"\nextend-rules = [\"a\", \"../b\"]\n\n[severity]\n\"citation/x\" = \"error\"\n\"structure/y\" = \"off\"\n",
        )
        .expect("valid");
        let at = |line| Origin::File {
            path: "dir/imrlint.toml".into(),
            line,
        };
        assert_eq!(f.select.as_ref().unwrap().value, vec!["citation"]);
        assert_eq!(f.select.unwrap().origin, at(2));
        assert_eq!(f.min_severity.unwrap().value, MinSeverity::Warning);
        assert_eq!(f.format.unwrap().value, CheckFormat::Concise);
        assert_eq!(f.rules.unwrap().value, Path::new("dir").join("book"));
        assert_eq!(
            f.extend_rules.unwrap().value,
            vec![Path::new("dir/a"), Path::new("dir/../b")]
        );
        let sev: Vec<_> = f
            .severity
            .iter()
            .map(|o| (o.code.as_str(), o.level, o.origin.clone()))
            .collect();
        assert_eq!(
            sev,
            vec![
                ("citation/x", Level::Error, at(10)),
                ("structure/y", Level::Off, at(11))
            ]
        );
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_line() {
        let errors = parse("select = []\nmin_severity = \"error\"\nformat = \"jsn\"\n[severity]\n\"a/b\" = \"fatal\"\n")
            .expect_err("invalid");
        let messages: Vec<_> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].starts_with("dir/imrlint.toml:2:1: unknown key `min_severity`"));
        assert_eq!(
            errors[0]
                .help
                .as_deref()
                .map(|h| h.starts_with("did you mean `min-severity`?")),
            Some(true)
        );
        assert!(messages[1].starts_with("dir/imrlint.toml:3:10: bad value for `format`"));
        assert_eq!(errors[1].help.as_deref(), Some("did you mean `json`?"));
        assert!(messages[2].starts_with("dir/imrlint.toml:5:9: bad value for `severity.\"a/b\"`"));
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let errors = parse("select = [\"a\"\n\nignore = 3 3\n").expect_err("invalid");
        assert!(
            errors[0].message.starts_with("dir/imrlint.toml:"),
            "{}",
            errors[0].message
        );
        assert_eq!(errors[0].code, "config/toml");
    }

    #[test]
    fn command_line_beats_file_beats_default() {
        let file = parse("select = [\"citation\"]\nmin-severity = \"error\"\n").unwrap();
        let filter = FilterArgs {
            select: None,
            ignore: None,
            min_severity: Some(MinSeverity::Warning),
        };
        let rules = RuleArgs {
            rules: None,
            extend_rules: Vec::new(),
        };
        let s = Settings::resolve(Some(file), &filter, &rules, None);
        assert_eq!(s.select.value, vec!["citation"]);
        assert!(matches!(s.select.origin, Origin::File { line: 1, .. }));
        assert_eq!(s.min_severity.value, MinSeverity::Warning);
        assert_eq!(s.min_severity.origin, Origin::CommandLine);
        assert_eq!(s.format.origin, Origin::Default);
        assert_eq!(s.rules.value, None);
    }

    #[test]
    fn suggestions_are_close_words_only() {
        assert_eq!(
            did_you_mean("selct", KEYS).as_deref(),
            Some("did you mean `select`?")
        );
        assert_eq!(
            did_you_mean("extend_rules", KEYS).as_deref(),
            Some("did you mean `extend-rules`?")
        );
        assert_eq!(did_you_mean("colour", KEYS), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
