//! Output of `imrlint check`: miette reports, the JSON contract, concise lines.

use std::io::{self, Write};

use serde::Serialize;

use crate::finding::Finding;
use crate::render::diagnostic::{Report, Style, render};
use crate::render::parse::Outcome;
use crate::rulebook::Severity;
use crate::span::{Span, line_column};

/// One input's check result.
pub struct Checked {
    pub outcome: Outcome,
    pub findings: Vec<Finding>,
    /// Findings at or above the threshold that a suppression allows.
    pub suppressed: Vec<crate::engine::suppress::Suppressed>,
}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

pub fn write_human(out: &mut impl Write, c: &Checked, style: Style) -> io::Result<()> {
    let Some(src) = &c.outcome.source else {
        return Ok(());
    };
    for f in &c.findings {
        let mut labels = vec![(f.span, String::new())];
        labels.extend(
            f.labels
                .iter()
                .filter(|l| l.span != f.span)
                .map(|l| (l.span, l.message.clone())),
        );
        if let Some(first) = f.labels.iter().find(|l| l.span == f.span) {
            labels[0].1 = first.message.clone();
        }
        let item = f.item.map_or(String::new(), |i| format!(" (item {i})"));
        let report = Report {
            code: f.code.clone(),
            severity: miette_severity(f.severity),
            message: format!("{}{item}: {}", c.outcome.path, f.message),
            source: miette::NamedSource::new(c.outcome.path.clone(), src.text.clone()),
            labels,
            help: (!f.help.is_empty()).then(|| f.help.clone()),
        };
        out.write_all(render(&report, style).as_bytes())?;
        writeln!(out)?;
    }
    Ok(())
}

pub fn write_concise(out: &mut impl Write, c: &Checked) -> io::Result<()> {
    let text = c.outcome.source.as_ref().map_or("", |s| s.text.as_str());
    if let Err(e) = &c.outcome.result {
        return writeln!(
            out,
            "{}:1:1: error[{}] {}",
            c.outcome.path,
            e.code(),
            e.message()
        );
    }
    for f in &c.findings {
        let (line, col) = line_column(text, f.span.offset);
        writeln!(
            out,
            "{}:{line}:{col}: {}[{}] {}",
            c.outcome.path,
            f.severity.name(),
            f.code,
            f.message
        )?;
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct JsonSpan {
    pub offset: usize,
    pub length: usize,
    pub line: usize,
    pub column: usize,
}

pub fn json_span(text: &str, s: Span) -> JsonSpan {
    let (line, column) = line_column(text, s.offset);
    JsonSpan {
        offset: s.offset,
        length: s.length,
        line,
        column,
    }
}

#[derive(Serialize)]
pub struct JsonLabel {
    span: JsonSpan,
    message: String,
}

#[derive(Serialize)]
pub struct JsonFinding<'a> {
    code: &'a str,
    kind: crate::rulebook::Kind,
    severity: Severity,
    item: Option<usize>,
    message: &'a str,
    span: JsonSpan,
    labels: Vec<JsonLabel>,
    help: &'a str,
    rule: &'a str,
}

#[derive(Serialize)]
pub struct JsonError {
    code: &'static str,
    message: String,
}

#[derive(Serialize)]
pub struct JsonFile<'a> {
    path: &'a str,
    error: Option<JsonError>,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize, Default)]
pub struct Summary {
    pub files: usize,
    pub checked: usize,
    pub failed: usize,
    pub findings: usize,
    /// Findings an `imrlint: allow` line or a `--suppressions` entry allowed (not in `findings`).
    pub suppressed: usize,
    /// Findings the `--baseline` held, or `--write-baseline` recorded (not in `findings`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baselined: Option<usize>,
    /// `--baseline` findings no longer found: rewrite the baseline so it shrinks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_fixed: Option<usize>,
    pub by_severity: std::collections::BTreeMap<String, usize>,
    pub by_kind: std::collections::BTreeMap<String, usize>,
    pub by_code: std::collections::BTreeMap<String, usize>,
    /// Every input that could not be used, with the reason.
    pub failures: Vec<FailureRow>,
}

#[derive(Serialize, Debug, Clone)]
pub struct FailureRow {
    pub path: String,
    pub code: &'static str,
    pub message: String,
}

impl Summary {
    pub fn add(&mut self, c: &Checked) {
        self.files += 1;
        if let Err(e) = &c.outcome.result {
            self.failed += 1;
            self.failures.push(FailureRow {
                path: c.outcome.path.clone(),
                code: e.code(),
                message: e.message(),
            });
        } else {
            self.checked += 1;
        }
        for f in &c.findings {
            self.add_finding(f);
        }
    }

    pub fn add_finding(&mut self, f: &Finding) {
        self.findings += 1;
        *self
            .by_severity
            .entry(f.severity.name().to_string())
            .or_default() += 1;
        *self.by_kind.entry(f.kind.name().to_string()).or_default() += 1;
        *self.by_code.entry(f.code.clone()).or_default() += 1;
    }
}

impl<'a> JsonFinding<'a> {
    /// `text` is the letter the finding's spans point into.
    pub fn of(f: &'a Finding, text: &str) -> JsonFinding<'a> {
        JsonFinding {
            code: &f.code,
            kind: f.kind,
            severity: f.severity,
            item: f.item,
            message: &f.message,
            span: json_span(text, f.span),
            labels: f
                .labels
                .iter()
                .map(|l| JsonLabel {
                    span: json_span(text, l.span),
                    message: l.message.clone(),
                })
                .collect(),
            help: &f.help,
            rule: &f.rule,
        }
    }
}

impl JsonFinding<'_> {
    /// Places the finding (and its labels) where the caller knows it stands,
    /// for findings whose letter text is no longer at hand.
    pub fn set_position(&mut self, span: JsonSpan) {
        for l in &mut self.labels {
            l.span = span;
        }
        self.span = span;
    }
}

impl JsonError {
    pub fn of(c: &Checked) -> Option<JsonError> {
        c.outcome.result.as_ref().err().map(|e| JsonError {
            code: e.code(),
            message: e.message(),
        })
    }
}

impl<'a> JsonFile<'a> {
    pub fn of(c: &'a Checked) -> JsonFile<'a> {
        let text = c.outcome.source.as_ref().map_or("", |s| s.text.as_str());
        JsonFile {
            path: &c.outcome.path,
            error: JsonError::of(c),
            findings: c
                .findings
                .iter()
                .map(|f| JsonFinding::of(f, text))
                .collect(),
        }
    }
}
