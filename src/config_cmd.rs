//! Configuration in the command layer: finding and reading `imrlint.toml`
//! (the only I/O configuration does), resolving it with the command line,
//! loading the rulebook with the `[severity]` overrides applied, and the
//! `imrlint config` command.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::{Value, json};

use crate::cli::{CheckFormat, ConfigArgs, FilterArgs, MinSeverity, ParseFormat, RuleArgs};
use crate::commands::load_rulebook;
use crate::config::{ConfigFile, FILE_NAME, Origin, Setting, Settings};
use crate::render::diagnostic::{Report, Style, render};
use crate::rulebook::Rulebook;

/// The first `imrlint.toml` in `start` or a directory above it, up to the
/// filesystem root.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|p| p.is_file())
}

/// The configuration file the options name: `--config FILE`, nothing with
/// `--isolated`, else the one discovered from the working directory.
fn file_path(args: &ConfigArgs) -> Option<PathBuf> {
    if args.isolated {
        return None;
    }
    if let Some(p) = &args.config {
        return Some(p.clone());
    }
    discover(&std::env::current_dir().ok()?)
}

/// Reads and parses the configuration file, if one applies.
fn read(args: &ConfigArgs) -> Result<Option<ConfigFile>, Vec<Report>> {
    let Some(path) = file_path(args) else {
        return Ok(None);
    };
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(&path).map_err(|e| {
        vec![Report {
            code: "config/io".to_string(),
            severity: miette::Severity::Error,
            message: format!("cannot read configuration file {shown}: {e}"),
            source: miette::NamedSource::new(shown.clone(), String::new()),
            labels: Vec::new(),
            help: None,
        }]
    })?;
    let dir = path.parent().unwrap_or(Path::new(""));
    ConfigFile::parse(&shown, dir, &text).map(Some)
}

fn print_errors(reports: &[Report], what: &str) {
    let style = Style::stderr();
    for r in reports {
        eprint!("{}", render(r, style));
    }
    eprintln!(
        "imrlint: the configuration has {} error{}; {what}",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" }
    );
}

/// The settings in effect for a command; on a bad configuration file prints
/// every problem and returns None (exit 2).
pub fn settings(
    config: &ConfigArgs,
    filter: &FilterArgs,
    rules: &RuleArgs,
    format: Option<CheckFormat>,
) -> Option<Settings> {
    match read(config) {
        Ok(file) => Some(Settings::resolve(file, filter, rules, format)),
        Err(reports) => {
            print_errors(&reports, "nothing was checked");
            None
        }
    }
}

/// Loads the rulebook the settings name and applies their `[severity]`
/// table; on failure prints every problem and returns None (exit 2).
pub fn rulebook(settings: &Settings) -> Option<Rulebook> {
    let mut book = load(settings)?;
    match settings.apply_severity(&mut book) {
        Ok(()) => Some(book),
        Err(reports) => {
            print_errors(&reports, "nothing was checked");
            None
        }
    }
}

/// The rulebook without overrides; a failure names the configuration line
/// the rule directories came from.
fn load(settings: &Settings) -> Option<Rulebook> {
    let book = load_rulebook(&settings.rule_args());
    if book.is_none() {
        for (key, origin) in [
            ("rules", &settings.rules.origin),
            ("extend-rules", &settings.extend_rules.origin),
        ] {
            if let Origin::File { .. } = origin {
                eprintln!("imrlint: `{key}` is set at {origin}");
            }
        }
    }
    book
}

/// `imrlint config`: each setting, its value and its origin.
pub fn config(
    args: &ConfigArgs,
    filter: &FilterArgs,
    rules: &RuleArgs,
    format: ParseFormat,
) -> ExitCode {
    let Some(settings) = settings(args, filter, rules, None) else {
        return ExitCode::from(2);
    };
    let Some(mut book) = load(&settings) else {
        return ExitCode::from(2);
    };
    // The rulebook's own severity of each overridden code, before the override.
    let base: Vec<Option<&'static str>> = settings
        .severity
        .iter()
        .map(|o| book.rule(&o.code).map(|r| r.severity.name()))
        .collect();
    if let Err(reports) = settings.apply_severity(&mut book) {
        print_errors(&reports, "see above");
        return ExitCode::from(2);
    }
    let file = match &settings.file {
        Some(f) => f.path.clone(),
        None if args.isolated => "none (--isolated)".to_string(),
        None => format!(
            "none (no {FILE_NAME} in {} or above)",
            std::env::current_dir()
                .map(|d| d.display().to_string())
                .unwrap_or_else(|_| "the current directory".to_string())
        ),
    };
    let out = match format {
        ParseFormat::Text => text(&settings, &file, &base),
        ParseFormat::Json => {
            let v = as_json(&settings, &base);
            format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
        }
    };
    print!("{out}");
    ExitCode::SUCCESS
}

fn list(v: &[String], empty: &str) -> String {
    if v.is_empty() {
        empty.to_string()
    } else {
        v.join(", ")
    }
}

fn paths(v: &[PathBuf]) -> Vec<String> {
    v.iter().map(|p| p.display().to_string()).collect()
}

fn severity_name(m: MinSeverity) -> &'static str {
    crate::commands::threshold(m).name()
}

fn format_name(f: CheckFormat) -> String {
    clap::ValueEnum::to_possible_value(&f)
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

/// (key, value shown, origin) of every setting, in the file's key order.
fn rows(s: &Settings) -> Vec<(&'static str, String, &Origin)> {
    vec![
        (
            "select",
            list(&s.select.value, "all rules"),
            &s.select.origin,
        ),
        ("ignore", list(&s.ignore.value, "none"), &s.ignore.origin),
        (
            "min-severity",
            severity_name(s.min_severity.value).to_string(),
            &s.min_severity.origin,
        ),
        ("format", format_name(s.format.value), &s.format.origin),
        (
            "rules",
            s.rules
                .value
                .as_ref()
                .map_or_else(|| "built-in".to_string(), |p| p.display().to_string()),
            &s.rules.origin,
        ),
        (
            "extend-rules",
            list(&paths(&s.extend_rules.value), "none"),
            &s.extend_rules.origin,
        ),
    ]
}

fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<&str>, out: &mut String| {
        let last = cells.len() - 1;
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i == last {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}  "));
            }
        }
        out.push('\n');
    };
    line(header.to_vec(), &mut out);
    for row in rows {
        line(row.iter().map(String::as_str).collect(), &mut out);
    }
    out
}

fn text(s: &Settings, file: &str, base: &[Option<&str>]) -> String {
    let mut out = format!("configuration file: {file}\n\n");
    let settings: Vec<Vec<String>> = rows(s)
        .into_iter()
        .map(|(k, v, o)| vec![k.to_string(), v, o.to_string()])
        .collect();
    out.push_str(&table(&["setting", "value", "from"], &settings));
    out.push('\n');
    if s.severity.is_empty() {
        out.push_str("severity: the rulebook's (no [severity] overrides)\n");
    } else {
        let overrides: Vec<Vec<String>> = s
            .severity
            .iter()
            .zip(base)
            .map(|(o, b)| {
                vec![
                    format!("severity.\"{}\"", o.code),
                    o.level.name().to_string(),
                    b.unwrap_or("?").to_string(),
                    o.origin.to_string(),
                ]
            })
            .collect();
        out.push_str(&table(
            &["rule", "severity", "rulebook", "from"],
            &overrides,
        ));
    }
    out
}

fn origin_json(o: &Origin) -> Value {
    match o {
        Origin::Default => json!({"source": "default", "origin": "default"}),
        Origin::CommandLine => json!({"source": "command-line", "origin": "command line"}),
        Origin::File { path, line } => json!({
            "source": "file", "origin": o.to_string(), "file": path, "line": line
        }),
    }
}

fn entry<T>(s: &Setting<T>, value: Value) -> Value {
    let mut v = origin_json(&s.origin);
    v["value"] = value;
    v
}

fn as_json(s: &Settings, base: &[Option<&str>]) -> Value {
    let severity: Vec<Value> = s
        .severity
        .iter()
        .zip(base)
        .map(|(o, b)| {
            let mut v = origin_json(&o.origin);
            v["code"] = json!(o.code);
            v["value"] = json!(o.level.name());
            v["rulebook"] = json!(b);
            v
        })
        .collect();
    json!({
        "file": s.file.as_ref().map(|f| f.path.clone()),
        "settings": {
            "select": entry(&s.select, json!(s.select.value)),
            "ignore": entry(&s.ignore, json!(s.ignore.value)),
            "min-severity": entry(&s.min_severity, json!(severity_name(s.min_severity.value))),
            "format": entry(&s.format, json!(format_name(s.format.value))),
            "rules": entry(&s.rules, json!(s.rules.value.as_ref().map(|p| p.display().to_string()))),
            "extend-rules": entry(&s.extend_rules, json!(paths(&s.extend_rules.value))),
        },
        "severity": severity,
    })
}
