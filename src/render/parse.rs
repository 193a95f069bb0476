//! Output of `imrlint parse`: the JSON contract and a human-readable listing.

use std::io::{self, Write};

use serde::Serialize;

use crate::model::{Basis, GuidelineLine, Letter};
use crate::parse::{self, ParseError};
use crate::render::diagnostic::{Report, Style, first_line, render};
use crate::source::{self, Input, ReadError, Source};
use crate::span::line_column;

/// One input's result: the source read (when it could be) and the letter or the error.
pub struct Outcome {
    pub path: String,
    pub source: Option<Source>,
    pub result: Result<Letter, Failure>,
}

pub enum Failure {
    Read(ReadError),
    Parse(ParseError),
}

impl Failure {
    pub fn code(&self) -> &'static str {
        match self {
            Failure::Read(e) => e.code(),
            Failure::Parse(e) => e.code(),
        }
    }
    pub fn message(&self) -> String {
        match self {
            Failure::Read(e) => e.to_string(),
            Failure::Parse(e) => e.to_string(),
        }
    }
}

impl Outcome {
    pub fn run(input: &Input) -> Outcome {
        let path = input.display();
        match source::read(input) {
            Err(e) => Outcome {
                path,
                source: None,
                result: Err(Failure::Read(e)),
            },
            Ok(src) => Outcome::parsed(src),
        }
    }

    /// Parses a source already in memory (an editor's buffer: `imrlint lsp`).
    pub fn parsed(src: Source) -> Outcome {
        let result = parse::parse(&src.text).map_err(Failure::Parse);
        Outcome {
            path: src.path.clone(),
            source: Some(src),
            result,
        }
    }

    pub fn failed(&self) -> bool {
        self.result.is_err()
    }
}

#[derive(Serialize)]
struct JsonError<'a> {
    code: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    span: Option<crate::span::Span>,
}

#[derive(Serialize)]
struct JsonOutcome<'a> {
    path: &'a str,
    letter: Option<&'a Letter>,
    error: Option<JsonError<'a>>,
}

pub fn write_json(out: &mut impl Write, o: &Outcome, pretty: bool) -> io::Result<()> {
    let (letter, error) = match &o.result {
        Ok(l) => (Some(l), None),
        Err(f) => (
            None,
            Some(JsonError {
                code: f.code(),
                message: f.message(),
                span: match f {
                    Failure::Parse(p) => p.span(),
                    Failure::Read(_) => None,
                },
            }),
        ),
    };
    let v = JsonOutcome {
        path: &o.path,
        letter,
        error,
    };
    if pretty {
        serde_json::to_writer_pretty(&mut *out, &v)?;
    } else {
        serde_json::to_writer(&mut *out, &v)?;
    }
    writeln!(out)
}

/// The failure as a miette report over the letter, when it has a place to point at.
pub fn failure_report(o: &Outcome) -> Option<String> {
    let Err(f) = &o.result else { return None };
    let (Failure::Parse(p), Some(src)) = (f, &o.source) else {
        return Some(format!("error[{}]: {}\n", f.code(), f.message()));
    };
    let labels = match p.span() {
        Some(span) => vec![(first_line(&src.text, span), p.label().to_string())],
        None => Vec::new(),
    };
    let report = Report {
        code: format!("parse/{}", p.code()),
        severity: miette::Severity::Error,
        message: format!("{}: {}", o.path, p),
        source: miette::NamedSource::new(o.path.clone(), src.text.clone()),
        labels,
        help: Some("imrlint reads the layouts listed in its README; check the headings and item lines of this letter".into()),
    };
    Some(render(&report, Style::stderr()))
}

pub fn write_text(out: &mut impl Write, o: &Outcome) -> io::Result<()> {
    let Ok(letter) = &o.result else { return Ok(()) };
    let text = o.source.as_ref().map_or("", |s| s.text.as_str());
    writeln!(
        out,
        "{}: {} letter, case {}, {} item{}",
        o.path,
        letter.layout.name(),
        letter
            .case_number
            .as_ref()
            .map_or("(none)", |c| c.value.as_str()),
        letter.items.len(),
        if letter.items.len() == 1 { "" } else { "s" }
    )?;
    let d = &letter.dates;
    let dates: Vec<String> = [
        ("assigned", &d.assigned),
        ("decided", &d.decision),
        ("injury", &d.injury),
        ("UR denial", &d.ur_denial),
        ("received", &d.application_received),
    ]
    .iter()
    .filter_map(|(n, v)| v.as_ref().map(|v| format!("{n} {}", v.value)))
    .collect();
    if !dates.is_empty() {
        writeln!(out, "  dates: {}", dates.join(", "))?;
    }
    let r = &letter.reviewer;
    if !r.specialties.is_empty() || !r.licensure.is_empty() {
        let join = |v: &[crate::span::Spanned<String>]| {
            v.iter()
                .map(|s| s.value.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(
            out,
            "  reviewer: {} (licensed: {})",
            join(&r.specialties),
            join(&r.licensure)
        )?;
    }
    if let Some(age) = &letter.patient.age {
        let sex = letter.patient.sex.as_ref().map_or("", |s| match s.value {
            crate::model::Sex::Male => ", male",
            crate::model::Sex::Female => ", female",
        });
        writeln!(out, "  patient: {} years{}", age.value, sex)?;
    }
    for item in &letter.items {
        let (line, _) = line_column(text, item.span.offset);
        writeln!(
            out,
            "  {}. {}: {}{} (line {line})",
            item.index,
            item.name.value,
            match item.decision.value {
                crate::model::Decision::Upheld => "Upheld",
                crate::model::Decision::Overturned => "Overturned",
            },
            if item.partial { ", partial" } else { "" },
        )?;
        if let Some(o) = &item.original_request {
            writeln!(out, "       original request: {}", o.value)?;
        }
        if let Some(a) = &item.authorized {
            writeln!(out, "       authorized: {}", a.value)?;
        }
        for (label, g) in [
            ("claims administrator", &item.claims_administrator),
            ("MAXIMUS", &item.maximus),
        ] {
            match g {
                Some(g) => writeln!(out, "       {label}: {}", describe(g))?,
                None => writeln!(out, "       {label}: (no guideline line)")?,
            }
        }
        writeln!(
            out,
            "       conclusion: {}",
            serde_json::to_value(item.conclusion)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
                .replace('_', " ")
        )?;
    }
    for d in &letter.directives {
        let (line, _) = line_column(text, d.span.offset);
        let scope = d
            .item
            .map_or("the letter".to_string(), |i| format!("item {i}"));
        let codes: Vec<&str> = d.codes.iter().map(|c| c.value.as_str()).collect();
        match &d.error {
            Some(e) => writeln!(out, "  directive (line {line}): not applied: {e}")?,
            None => writeln!(
                out,
                "  directive (line {line}): allow {} in {scope} -- {}",
                codes.join(", "),
                d.reason
                    .as_ref()
                    .map_or("(no reason)", |r| r.value.as_str())
            )?,
        }
    }
    Ok(())
}

fn describe(g: &GuidelineLine) -> String {
    let mut parts = Vec::new();
    for c in &g.mtus {
        let mut s = format!("MTUS {}", c.guideline.value);
        if let Some(ch) = &c.acoem_chapter {
            s = format!("MTUS ACOEM ch. {} {}", ch.value, c.guideline.value);
        }
        if let Some(y) = &c.year {
            s.push_str(&format!(" {}", y.value));
        }
        if !c.sections.is_empty() {
            let secs: Vec<_> = c.sections.iter().map(|s| s.value.as_str()).collect();
            s.push_str(&format!(" [{}]", secs.join("; ")));
        }
        if !c.pages.is_empty() {
            let pages: Vec<String> = c
                .pages
                .iter()
                .map(|p| {
                    if p.value.first == p.value.last {
                        p.value.first.to_string()
                    } else {
                        format!("{}-{}", p.value.first, p.value.last)
                    }
                })
                .collect();
            s.push_str(&format!(" p. {}", pages.join(", ")));
        }
        parts.push(s);
    }
    for n in &g.non_mtus {
        parts.push(format!("non-MTUS: {}", n.value));
    }
    match g.basis {
        Basis::NoEvidence => "no evidence cited".to_string(),
        Basis::Unrecognized => format!("(unrecognised) {}", g.text.value),
        _ => parts.join(" + "),
    }
}
