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

#[derive(Serialize)]
struct JsonSpan {
    offset: usize,
    length: usize,
    line: usize,
    column: usize,
}

fn json_span(text: &str, s: Span) -> JsonSpan {
    let (line, column) = line_column(text, s.offset);
    JsonSpan {
        offset: s.offset,
        length: s.length,
        line,
        column,
    }
}

#[derive(Serialize)]
struct JsonLabel {
    span: JsonSpan,
    message: String,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
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
struct JsonError {
    code: &'static str,
    message: String,
}

#[derive(Serialize)]
struct JsonFile<'a> {
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
    pub by_severity: std::collections::BTreeMap<String, usize>,
    pub by_kind: std::collections::BTreeMap<String, usize>,
    pub by_code: std::collections::BTreeMap<String, usize>,
}

impl Summary {
    pub fn add(&mut self, c: &Checked) {
        self.files += 1;
        if c.outcome.failed() {
            self.failed += 1;
        } else {
            self.checked += 1;
        }
        for f in &c.findings {
            self.findings += 1;
            *self
                .by_severity
                .entry(f.severity.name().to_string())
                .or_default() += 1;
            *self.by_kind.entry(f.kind.name().to_string()).or_default() += 1;
            *self.by_code.entry(f.code.clone()).or_default() += 1;
        }
    }
}

pub fn write_json(out: &mut impl Write, checked: &[Checked], summary: &Summary) -> io::Result<()> {
    let files: Vec<JsonFile> = checked
        .iter()
        .map(|c| {
            let text = c.outcome.source.as_ref().map_or("", |s| s.text.as_str());
            JsonFile {
                path: &c.outcome.path,
                error: c.outcome.result.as_ref().err().map(|e| JsonError {
                    code: e.code(),
                    message: e.message(),
                }),
                findings: c
                    .findings
                    .iter()
                    .map(|f| JsonFinding {
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
                    })
                    .collect(),
            }
        })
        .collect();
    serde_json::to_writer_pretty(
        &mut *out,
        &serde_json::json!({ "files": files, "summary": summary }),
    )?;
    writeln!(out)
}
