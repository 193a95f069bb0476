//! Streaming output of `check` and `audit`. A sink is given each checked
//! letter in input order as soon as it is ready, then the end of the run
//! (summary, audit tables, cross-letter findings); it keeps nothing it does
//! not need, so output of a large batch starts at once and memory stays flat.

use std::io::{self, Write};

use serde::Serialize;

use crate::audit::{Inconsistency, Tables};
use crate::render::check::{
    Checked, JsonError, JsonFile, JsonFinding, JsonSpan, Summary, write_concise, write_human,
};
use crate::render::diagnostic::Style;
use crate::span::line_column;

/// What is known once every letter has run.
pub struct End<'a> {
    pub summary: &'a Summary,
    /// Present for `audit`.
    pub tables: Option<&'a Tables>,
    pub inconsistencies: &'a [Inconsistency],
    /// `--statistics`: per-code counts after the findings.
    pub statistics: bool,
}

pub trait Sink {
    fn file(&mut self, c: &Checked) -> io::Result<()>;
    fn finish(&mut self, end: &End) -> io::Result<()>;
}

/// The summary line on standard error, for formats read by people.
pub fn summary_line(s: &Summary) -> String {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let mut line = format!(
        "imrlint: {} file{} given, {} checked, {} failed; {} finding{}",
        s.files,
        plural(s.files),
        s.checked,
        s.failed,
        s.findings,
        plural(s.findings)
    );
    let mut held = Vec::new();
    if s.suppressed > 0 {
        held.push(format!("{} suppressed", s.suppressed));
    }
    if let Some(n) = s.baselined.filter(|&n| n > 0) {
        held.push(format!("{n} in the baseline"));
    }
    if let Some(n) = s.baseline_fixed.filter(|&n| n > 0) {
        held.push(format!("{n} baselined no longer found"));
    }
    if !held.is_empty() {
        line.push_str(&format!(" ({})", held.join(", ")));
    }
    for f in &s.failures {
        line.push_str(&format!(
            "\n  failed: {} [{}] {}",
            f.path, f.code, f.message
        ));
    }
    line
}

/// Per-code counts and the audit tables, as plain text.
pub fn write_tables(out: &mut dyn Write, end: &End) -> io::Result<()> {
    if end.statistics || end.tables.is_some() {
        writeln!(out, "\nFindings by code:")?;
        for (code, n) in &end.summary.by_code {
            writeln!(out, "{n:>8}  {code}")?;
        }
        if end.summary.by_code.is_empty() {
            writeln!(out, "       0")?;
        }
    }
    let Some(t) = end.tables else { return Ok(()) };
    writeln!(out, "\nFindings by kind:")?;
    for (kind, n) in &end.summary.by_kind {
        writeln!(out, "{n:>8}  {kind}")?;
    }
    writeln!(
        out,
        "\nItems by service and cited section:\n{:>6} {:>6} {:>6} {:>7}  service / section",
        "items", "upheld", "overt.", "upheld%"
    )?;
    for r in &t.by_service {
        let d = &r.decisions;
        writeln!(
            out,
            "{:>6} {:>6} {:>6} {:>6.1}%  {} / {}",
            d.items,
            d.upheld,
            d.overturned,
            d.uphold_rate * 100.0,
            r.service,
            r.section
        )?;
    }
    writeln!(
        out,
        "\nReviewer specialty:\n{:>7} {:>6} {:>7} {:>8}  specialty",
        "letters", "items", "upheld%", "findings"
    )?;
    for r in &t.by_specialty {
        writeln!(
            out,
            "{:>7} {:>6} {:>6.1}% {:>8}  {}",
            r.letters,
            r.decisions.items,
            r.decisions.uphold_rate * 100.0,
            r.findings,
            r.specialty
        )?;
    }
    writeln!(out, "\nLetters with most findings:")?;
    for r in &t.most_findings {
        writeln!(out, "{:>8}  {}", r.findings, r.path)?;
    }
    Ok(())
}

/// The end of a people-facing run: cross-letter findings as concise lines,
/// the tables, and the summary line on standard error.
fn finish_text(out: &mut dyn Write, end: &End) -> io::Result<()> {
    for i in end.inconsistencies {
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            i.path,
            i.line,
            i.column,
            i.finding.severity.name(),
            i.finding.code,
            i.finding.message
        )?;
    }
    write_tables(out, end)?;
    out.flush()?;
    eprintln!("{}", summary_line(end.summary));
    Ok(())
}

pub struct Human<W: Write> {
    pub out: W,
    pub style: Style,
}

impl<W: Write> Sink for Human<W> {
    fn file(&mut self, c: &Checked) -> io::Result<()> {
        if let Some(report) = crate::render::parse::failure_report(&c.outcome) {
            self.out.flush()?;
            eprint!("{report}");
        }
        write_human(&mut self.out, c, self.style)
    }
    fn finish(&mut self, end: &End) -> io::Result<()> {
        finish_text(&mut self.out, end)
    }
}

pub struct Concise<W: Write> {
    pub out: W,
}

impl<W: Write> Sink for Concise<W> {
    fn file(&mut self, c: &Checked) -> io::Result<()> {
        write_concise(&mut self.out, c)
    }
    fn finish(&mut self, end: &End) -> io::Result<()> {
        finish_text(&mut self.out, end)
    }
}

/// A cross-letter finding in JSON: the finding contract plus its letter and the others.
#[derive(Serialize)]
struct JsonInconsistency<'a> {
    path: &'a str,
    #[serde(flatten)]
    finding: JsonFinding<'a>,
    others: &'a [crate::audit::Other],
}

fn json_inconsistency(i: &Inconsistency) -> JsonInconsistency<'_> {
    let mut finding = JsonFinding::of(&i.finding, "");
    // The letter's text is gone by now; the audit kept the line and column.
    finding.set_position(JsonSpan {
        offset: i.finding.span.offset,
        length: i.finding.span.length,
        line: i.line,
        column: i.column,
    });
    JsonInconsistency {
        path: &i.path,
        finding,
        others: &i.others,
    }
}

/// The JSON contract, written as it goes: `{"files": [...], "summary": {...}}`,
/// plus `"inconsistencies"` and `"audit"` tables for `audit`.
pub struct Json<W: Write> {
    pub out: W,
    pub started: bool,
}

impl<W: Write> Sink for Json<W> {
    fn file(&mut self, c: &Checked) -> io::Result<()> {
        self.out.write_all(if self.started {
            b",\n"
        } else {
            b"{\"files\": [\n"
        })?;
        self.started = true;
        serde_json::to_writer(&mut self.out, &JsonFile::of(c))?;
        Ok(())
    }
    fn finish(&mut self, end: &End) -> io::Result<()> {
        self.out.write_all(if self.started {
            b"\n],\n"
        } else {
            b"{\"files\": [],\n"
        })?;
        self.out.write_all(b"\"summary\": ")?;
        serde_json::to_writer(&mut self.out, end.summary)?;
        if let Some(t) = end.tables {
            let inc: Vec<JsonInconsistency> =
                end.inconsistencies.iter().map(json_inconsistency).collect();
            self.out.write_all(b",\n\"inconsistencies\": ")?;
            serde_json::to_writer(&mut self.out, &inc)?;
            self.out.write_all(b",\n\"audit\": ")?;
            serde_json::to_writer(&mut self.out, t)?;
        }
        self.out.write_all(b"\n}\n")?;
        self.out.flush()
    }
}

/// One JSON object per line: `{"type": "finding", "path", ...finding}`,
/// `{"type": "error", "path", "error"}`, and a last `{"type": "summary", ...}`.
pub struct JsonLines<W: Write> {
    pub out: W,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Line<'a> {
    Finding {
        path: &'a str,
        #[serde(flatten)]
        finding: JsonFinding<'a>,
    },
    Inconsistency {
        #[serde(flatten)]
        finding: JsonInconsistency<'a>,
    },
    Error {
        path: &'a str,
        error: JsonError,
    },
    Summary {
        #[serde(flatten)]
        summary: &'a Summary,
    },
}

impl<W: Write> JsonLines<W> {
    fn line(&mut self, l: &Line) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, l)?;
        self.out.write_all(b"\n")
    }
}

impl<W: Write> Sink for JsonLines<W> {
    fn file(&mut self, c: &Checked) -> io::Result<()> {
        if let Some(error) = JsonError::of(c) {
            return self.line(&Line::Error {
                path: &c.outcome.path,
                error,
            });
        }
        let text = c.outcome.source.as_ref().map_or("", |s| s.text.as_str());
        for f in &c.findings {
            self.line(&Line::Finding {
                path: &c.outcome.path,
                finding: JsonFinding::of(f, text),
            })?;
        }
        Ok(())
    }
    fn finish(&mut self, end: &End) -> io::Result<()> {
        for i in end.inconsistencies {
            self.line(&Line::Inconsistency {
                finding: json_inconsistency(i),
            })?;
        }
        self.line(&Line::Summary {
            summary: end.summary,
        })?;
        self.out.flush()
    }
}

/// GitHub Actions workflow commands: `::error file=...,line=...::message`.
pub struct Github<W: Write> {
    pub out: W,
}

/// Escapes a workflow-command message (`%`, CR, LF) or property (also `:` and `,`).
fn gh_escape(s: &str, property: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

fn gh_level(s: crate::rulebook::Severity) -> &'static str {
    match s {
        crate::rulebook::Severity::Error => "error",
        crate::rulebook::Severity::Warning => "warning",
        crate::rulebook::Severity::Info => "notice",
    }
}

impl<W: Write> Sink for Github<W> {
    fn file(&mut self, c: &Checked) -> io::Result<()> {
        let path = gh_escape(&c.outcome.path, true);
        if let Err(e) = &c.outcome.result {
            return writeln!(
                self.out,
                "::error file={path},title={}::{}",
                gh_escape(e.code(), true),
                gh_escape(&e.message(), false)
            );
        }
        let text = c.outcome.source.as_ref().map_or("", |s| s.text.as_str());
        for f in &c.findings {
            let (line, col) = line_column(text, f.span.offset);
            let (end_line, end_col) = line_column(text, f.span.end());
            writeln!(
                self.out,
                "::{} file={path},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}",
                gh_level(f.severity),
                gh_escape(&f.code, true),
                gh_escape(&f.message, false)
            )?;
        }
        Ok(())
    }
    fn finish(&mut self, end: &End) -> io::Result<()> {
        for i in end.inconsistencies {
            writeln!(
                self.out,
                "::{} file={},line={},col={},title={}::{}",
                gh_level(i.finding.severity),
                gh_escape(&i.path, true),
                i.line,
                i.column,
                gh_escape(&i.finding.code, true),
                gh_escape(&i.finding.message, false)
            )?;
        }
        self.out.flush()?;
        eprintln!("{}", summary_line(end.summary));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_are_escaped() {
        assert_eq!(gh_escape("a%b\nc", false), "a%25b%0Ac");
        assert_eq!(gh_escape("dir,x:y", true), "dir%2Cx%3Ay");
    }
}
