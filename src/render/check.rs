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

/// The lines of a letter's spans, counted in one pass for all the spans of
/// its findings: [`line_column`] counted the newlines from the top of the
/// letter for each span, three or four times a finding.
pub struct Lines<'t> {
    text: &'t str,
    /// (offset, newlines before it) of each span start asked for, by offset.
    known: Vec<(usize, usize)>,
}

impl<'t> Lines<'t> {
    /// The lines of `spans` in `text`.
    pub fn of<'s>(text: &'t str, spans: impl IntoIterator<Item = &'s Span>) -> Lines<'t> {
        let mut offsets: Vec<usize> = spans.into_iter().map(|s| start(text, *s)).collect();
        offsets.sort_unstable();
        offsets.dedup();
        let bytes = text.as_bytes();
        let (mut at, mut newlines) = (0, 0);
        let known = offsets
            .into_iter()
            .map(|o| {
                newlines += count_newlines(&bytes[at..o]);
                at = o;
                (o, newlines)
            })
            .collect();
        Lines { text, known }
    }

    /// The lines of a finding's spans.
    pub fn of_finding(text: &'t str, f: &Finding) -> Lines<'t> {
        Lines::of(
            text,
            std::iter::once(&f.span).chain(f.labels.iter().map(|l| &l.span)),
        )
    }

    /// As [`json_span`] places `s`.
    pub fn span(&self, s: Span) -> JsonSpan {
        let offset = start(self.text, s);
        let Ok(k) = self.known.binary_search_by_key(&offset, |&(o, _)| o) else {
            // A span not asked for: counted from the top.
            return json_span(self.text, s);
        };
        let before = &self.text.as_bytes()[..offset];
        let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
        JsonSpan {
            offset: s.offset,
            length: s.length,
            line: self.known[k].1 + 1,
            column: self.text[line_start..offset].chars().count() + 1,
        }
    }
}

/// Where [`line_column`] reads a span as starting: at its offset, or the
/// character boundary before it, within the text.
fn start(text: &str, s: Span) -> usize {
    crate::span::floor_char_boundary(text, s.offset.min(text.len()))
}

/// The newlines in `bytes`, counted a block at a time into a byte-wide sum
/// (a block of 64 holds at most 64), which compiles to vector compares.
fn count_newlines(bytes: &[u8]) -> usize {
    let mut blocks = bytes.chunks_exact(64);
    let mut n: usize = 0;
    for block in &mut blocks {
        n += usize::from(block.iter().map(|&b| u8::from(b == b'\n')).sum::<u8>());
    }
    n + blocks.remainder().iter().filter(|&&b| b == b'\n').count()
}

#[derive(Serialize)]
pub struct JsonLabel<'a> {
    span: JsonSpan,
    message: &'a str,
}

#[derive(Serialize)]
pub struct JsonFinding<'a> {
    code: &'a str,
    kind: crate::rulebook::Kind,
    severity: Severity,
    item: Option<usize>,
    message: &'a str,
    span: JsonSpan,
    labels: Vec<JsonLabel<'a>>,
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
        count(&mut self.by_severity, f.severity.name());
        count(&mut self.by_kind, f.kind.name());
        count(&mut self.by_code, &f.code);
    }
}

/// One more of `key`; its name is copied only the first time it is counted.
fn count(tally: &mut std::collections::BTreeMap<String, usize>, key: &str) {
    match tally.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            tally.insert(key.to_string(), 1);
        }
    }
}

impl<'a> JsonFinding<'a> {
    /// `text` is the letter the finding's spans point into.
    pub fn of(f: &'a Finding, text: &str) -> JsonFinding<'a> {
        JsonFinding::at(f, &Lines::of_finding(text, f))
    }

    /// As [`JsonFinding::of`], with the lines of the letter already found.
    pub fn at(f: &'a Finding, lines: &Lines<'_>) -> JsonFinding<'a> {
        JsonFinding {
            code: &f.code,
            kind: f.kind,
            severity: f.severity,
            item: f.item,
            message: &f.message,
            span: lines.span(f.span),
            labels: f
                .labels
                .iter()
                .map(|l| JsonLabel {
                    span: lines.span(l.span),
                    message: &l.message,
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
        let lines = Lines::of(
            text,
            c.findings
                .iter()
                .flat_map(|f| std::iter::once(&f.span).chain(f.labels.iter().map(|l| &l.span))),
        );
        JsonFile {
            path: &c.outcome.path,
            error: JsonError::of(c),
            findings: c
                .findings
                .iter()
                .map(|f| JsonFinding::at(f, &lines))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Lines found once place a span as counting from the top does,
        /// offsets inside a character or past the end included.
        #[test]
        fn lines_place_spans_as_line_column_does(
            text in "[ab\n\r\u{17f}\u{212a}\u{e9}\u{2028}]{0,300}",
            offsets in proptest::collection::vec(0usize..700, 1..8),
        ) {
            let spans: Vec<Span> = offsets.iter().map(|&o| Span { offset: o, length: 3 }).collect();
            let lines = Lines::of(&text, &spans[..spans.len() - 1]);
            // The last span was not asked for: it is counted from the top.
            for &s in &spans {
                let (a, b) = (lines.span(s), json_span(&text, s));
                prop_assert_eq!(
                    (a.offset, a.length, a.line, a.column),
                    (b.offset, b.length, b.line, b.column)
                );
            }
        }
    }
}
