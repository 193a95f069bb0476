//! The `check`, `rules` and `explain` commands: wire reading, parsing, the
//! rulebook, the engine and the renderers together, and choose exit codes.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::cli::{CheckFormat, MinSeverity, RuleArgs};
use crate::engine::Engine;
use crate::render::check::{Checked, Summary, write_concise, write_human, write_json};
use crate::render::diagnostic::{Style, render};
use crate::render::parse::Outcome;
use crate::rulebook::{Rule, Rulebook, Severity, files};
use crate::source;

/// Loads the rulebook the options ask for; on failure prints every problem and returns None.
fn load_rulebook(args: &RuleArgs) -> Option<Rulebook> {
    let mut sources = match &args.rules {
        Some(dir) => match files::read_dir(dir) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error[rulebook/io]: {e}");
                return None;
            }
        },
        None => files::embedded(),
    };
    for dir in &args.extend_rules {
        match files::read_dir(dir) {
            Ok(s) => sources.extend(s),
            Err(e) => {
                eprintln!("error[rulebook/io]: {e}");
                return None;
            }
        }
    }
    match Rulebook::from_sources(sources) {
        Ok(b) => Some(b),
        Err(reports) => {
            let style = Style::stderr();
            for r in &reports {
                eprint!("{}", render(r, style));
            }
            eprintln!(
                "imrlint: the rulebook has {} error{}; nothing was checked",
                reports.len(),
                if reports.len() == 1 { "" } else { "s" }
            );
            None
        }
    }
}

/// True when `pattern` (a code, a code prefix or a kind) names `rule`.
pub fn names_rule(pattern: &str, rule: &Rule) -> bool {
    let p = pattern.trim();
    !p.is_empty()
        && (rule.code == p
            || rule.code.starts_with(p)
            || rule.kind.name() == p.trim_end_matches('/'))
}

fn threshold(m: MinSeverity) -> Severity {
    match m {
        MinSeverity::Info => Severity::Info,
        MinSeverity::Warning => Severity::Warning,
        MinSeverity::Error => Severity::Error,
    }
}

pub fn check(
    paths: &[PathBuf],
    format: CheckFormat,
    select: &[String],
    ignore: &[String],
    min: MinSeverity,
    args: &RuleArgs,
) -> ExitCode {
    let Some(book) = load_rulebook(args) else {
        return ExitCode::from(2);
    };
    let engine = Engine::new(&book);
    let selected = |r: &Rule| {
        (select.is_empty() || select.iter().any(|p| names_rule(p, r)))
            && !ignore.iter().any(|p| names_rule(p, r))
    };
    let min = threshold(min);
    let inputs = source::expand(paths);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let style = Style::for_stream(std::io::IsTerminal::is_terminal(&std::io::stdout()));
    let mut summary = Summary::default();
    let mut all = Vec::new();
    for input in &inputs {
        let outcome = Outcome::run(input);
        let findings = match (&outcome.result, &outcome.source) {
            (Ok(letter), Some(src)) => engine
                .evaluate(letter, &src.text, &selected)
                .into_iter()
                .filter(|f| f.severity >= min)
                .collect(),
            _ => Vec::new(),
        };
        let checked = Checked { outcome, findings };
        summary.add(&checked);
        let written = match format {
            CheckFormat::Human => {
                if let Some(report) = crate::render::parse::failure_report(&checked.outcome) {
                    let _ = out.flush();
                    eprint!("{report}");
                }
                write_human(&mut out, &checked, style)
            }
            CheckFormat::Concise => write_concise(&mut out, &checked),
            CheckFormat::Json => Ok(()),
        };
        if written.is_err() {
            return ExitCode::from(2);
        }
        if format == CheckFormat::Json {
            all.push(checked);
        }
    }
    if format == CheckFormat::Json && write_json(&mut out, &all, &summary).is_err() {
        return ExitCode::from(2);
    }
    let _ = out.flush();
    if format != CheckFormat::Json {
        eprintln!(
            "imrlint: {} file{} given, {} checked, {} failed; {} finding{}",
            summary.files,
            if summary.files == 1 { "" } else { "s" },
            summary.checked,
            summary.failed,
            summary.findings,
            if summary.findings == 1 { "" } else { "s" }
        );
    }
    if summary.failed > 0 {
        ExitCode::from(2)
    } else if summary.findings > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

pub fn rules(args: &RuleArgs) -> ExitCode {
    let Some(book) = load_rulebook(args) else {
        return ExitCode::from(2);
    };
    let mut rules: Vec<&Rule> = book.rules.iter().map(|(_, r)| r).collect();
    rules.sort_by(|a, b| a.code.cmp(&b.code));
    for r in rules {
        println!("{:<48} {:<8} {}", r.code, r.severity.name(), r.message);
    }
    ExitCode::SUCCESS
}

pub fn explain(code: &str, args: &RuleArgs) -> ExitCode {
    let Some(book) = load_rulebook(args) else {
        return ExitCode::from(2);
    };
    let Some(rule) = book.rule(code) else {
        eprintln!("error: no rule '{code}'; `imrlint rules` lists them");
        return ExitCode::from(2);
    };
    let mut o = String::new();
    let sev = rule.severity.name();
    o.push_str(&format!(
        "{}  ({}, {sev})\n\n{}\n\n{}\n",
        rule.code,
        rule.kind.name(),
        rule.message,
        rule.help
    ));
    if !rule.sections.is_empty() {
        o.push_str("\nApplies to:\n");
        for s in &rule.sections {
            if let Some((g, sec)) = book.section(s) {
                o.push_str(&format!("  - {} — {} ({s})\n", g.title, sec.title));
            }
        }
    }
    if !rule.facts.is_empty() {
        o.push_str("\nGuideline facts it rests on:\n");
        for f in &rule.facts {
            if let Some(fact) = book.fact(f) {
                o.push_str(&format!(
                    "  - {}\n    source: {}; verification: {}\n",
                    fact.text,
                    fact.source,
                    fact.verified.describe()
                ));
            }
        }
    }
    o.push_str(&format!(
        "\nCheck: {}\nExamples that trigger it: {}\nExamples that must not: {}\n",
        rule.check,
        rule.fixtures.triggers.join(", "),
        rule.fixtures.passes.join(", ")
    ));
    print!("{o}");
    ExitCode::SUCCESS
}
