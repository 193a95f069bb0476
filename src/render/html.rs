//! `--format html`: one self-contained page (no network: inline CSS, inline
//! SVG charts, one small inline script that only sorts the findings table).
//!
//! The page streams like every sink: each letter's findings rows and, for a
//! letter with findings or a failure, its highlighted text are written as the
//! letter arrives; the summary, the charts and the cross-letter findings are
//! known only at the end, so they are written last and a flex column with
//! `order` shows them at the top. Memory stays flat: per letter given a
//! section the sink keeps its number (to link audit tables and cross-letter
//! findings to it), nothing else.
//!
//! Everything taken from a letter or from the run (paths, messages, letter
//! text, labels, help, specialty and service names, rule codes) goes through
//! [`escape`] — text and attribute values alike, every attribute is
//! double-quoted — and no id, href or class is ever built from it: ids and
//! links are made of numbers. The script is a constant and never reads
//! letter text as code; a Content-Security-Policy meta tag allows that one
//! script and that one stylesheet by their SHA-256 hashes, and nothing else
//! (no network, no other scripts or styles, images only as `data:`).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use crate::render::check::Checked;
use crate::render::sink::{End, Sink};
use crate::rulebook::Severity;
use crate::span::{floor_char_boundary, line_column};

/// The HTML sink. `audit` only names the page.
pub struct Html<W: Write> {
    out: W,
    audit: bool,
    started: bool,
    /// Letters given so far: `N` of the ids `letter-N…`.
    letters: usize,
    /// Letters parsed so far: the audit's letter index (it counts only those).
    parsed: usize,
    /// Findings rows written so far: their input order, for sorting back.
    rows: usize,
    /// Letters given a section.
    sections: usize,
    /// Audit letter index → section, for letters given one.
    by_parsed: HashMap<usize, usize>,
    /// Path → first section of that path (the audit tables name letters by path).
    by_path: HashMap<String, usize>,
    /// Section of each failed input, in input order (as the summary lists them).
    failures: Vec<usize>,
}

impl<W: Write> Html<W> {
    pub fn new(out: W, audit: bool) -> Html<W> {
        Html {
            out,
            audit,
            started: false,
            letters: 0,
            parsed: 0,
            rows: 0,
            sections: 0,
            by_parsed: HashMap::new(),
            by_path: HashMap::new(),
            failures: Vec::new(),
        }
    }

    fn start(&mut self) -> io::Result<()> {
        if self.started {
            return Ok(());
        }
        self.started = true;
        let command = if self.audit { "audit" } else { "check" };
        write!(
            self.out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n\
             <meta name=\"referrer\" content=\"no-referrer\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"color-scheme\" content=\"light dark\">\n\
             <meta name=\"generator\" content=\"imrlint {}\">\n\
             <title>imrlint {command} report</title>\n<style>{STYLE}</style>\n</head>\n\
             <body>\n<main id=\"report\" class=\"report\">\n",
            escape(&content_security_policy()),
            env!("CARGO_PKG_VERSION"),
        )
    }
}

/// Escapes text for HTML text and double-quoted attribute values: `& < > " '`
/// become references; control characters other than tab and line feed, which
/// HTML would drop or turn into line breaks, are shown as their Unicode
/// control pictures (`␌` for a form feed).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    push_escaped(&mut out, s);
    out
}

fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        push_escaped_char(out, c);
    }
}

fn push_escaped_char(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        '\t' | '\n' => out.push(c),
        '\u{0}'..='\u{1f}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}')),
        '\u{7f}' => out.push('\u{2421}'),
        '\u{80}'..='\u{9f}' => out.push('\u{fffd}'),
        c => out.push(c),
    }
}

/// What a highlighted span shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    /// A finding's primary span.
    Finding,
    /// A secondary label of a finding.
    Label,
    /// Where a letter failed to parse.
    Error,
}

impl MarkKind {
    fn class(self) -> &'static str {
        match self {
            MarkKind::Finding => "f",
            MarkKind::Label => "l",
            MarkKind::Error => "e",
        }
    }
}

/// A byte range of the letter to highlight. `id` must not come from the letter.
#[derive(Debug, Clone)]
pub struct Mark {
    pub start: usize,
    pub end: usize,
    pub kind: MarkKind,
    pub id: Option<String>,
    pub title: String,
}

/// The letter's text, escaped, with line anchors (`{line_id}{n}`, numbered by
/// CSS) and its marks. Overlapping and nested marks are flattened: the text is
/// cut at every mark's start and end, and each piece is wrapped in at most one
/// `<mark>`, whose title joins those of the marks covering it, so elements
/// never cross. A mark's id stands on its first piece (or on an empty anchor
/// just before it, when another mark starting there took the piece); an empty
/// mark is an empty `<mark>`. Offsets past the text are clamped and offsets
/// inside a character are moved to its start.
pub fn highlight(text: &str, marks: &[Mark], line_id: &str) -> String {
    let len = text.len();
    let mut spans: Vec<(usize, usize, &Mark)> = marks
        .iter()
        .map(|m| {
            let s = floor_char_boundary(text, m.start.min(len));
            let e = floor_char_boundary(text, m.end.min(len)).max(s);
            (s, e, m)
        })
        .collect();
    spans.sort_by_key(|&(s, e, _)| (s, std::cmp::Reverse(e)));
    let mut cuts: Vec<usize> = spans.iter().flat_map(|&(s, e, _)| [s, e]).collect();
    cuts.extend([0, len]);
    cuts.sort_unstable();
    cuts.dedup();

    let mut out = String::with_capacity(len + len / 4);
    let mut line = 1;
    push_line_anchor(&mut out, line_id, line);
    let mut next = 0; // next span (by start) not yet active
    let mut active: Vec<(usize, usize, &Mark)> = Vec::new();
    for (w, &a) in cuts.iter().enumerate() {
        active.retain(|&(_, e, _)| e > a);
        while next < spans.len() && spans[next].0 == a {
            let (s, e, m) = spans[next];
            if s == e {
                out.push_str("<mark class=\"pt ");
                out.push_str(m.kind.class());
                out.push('"');
                push_attr(&mut out, "id", m.id.as_deref());
                push_attr(&mut out, "title", Some(&m.title));
                out.push_str("></mark>");
            } else {
                active.push(spans[next]);
            }
            next += 1;
        }
        let Some(&b) = cuts.get(w + 1) else { break };
        if active.is_empty() {
            push_pre_text(&mut out, text, a, b, &mut line, line_id, None);
            continue;
        }
        let mut ids = active
            .iter()
            .filter(|&&(s, _, _)| s == a)
            .filter_map(|(_, _, m)| m.id.as_deref());
        let first = ids.next();
        for extra in ids {
            out.push_str("<span class=\"anchor\"");
            push_attr(&mut out, "id", Some(extra));
            out.push_str("></span>");
        }
        let kind = if active.iter().any(|(_, _, m)| m.kind == MarkKind::Finding) {
            MarkKind::Finding
        } else if active.iter().any(|(_, _, m)| m.kind == MarkKind::Error) {
            MarkKind::Error
        } else {
            MarkKind::Label
        };
        let mut open = String::from("<mark class=\"");
        open.push_str(kind.class());
        if active.len() > 1 {
            open.push_str(" n");
        }
        open.push('"');
        let title: Vec<&str> = active.iter().map(|(_, _, m)| m.title.as_str()).collect();
        push_attr(&mut open, "title", Some(&title.join("\n")));
        open.push('>');
        // The id only on the first piece; the mark is closed at each line end
        // and opened again on the next line, after its line number.
        out.push_str(&open[..open.len() - 1]);
        push_attr(&mut out, "id", first);
        out.push('>');
        push_pre_text(&mut out, text, a, b, &mut line, line_id, Some(&open));
    }
    out
}

fn push_attr(out: &mut String, name: &str, value: Option<&str>) {
    if let Some(v) = value {
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        push_escaped(out, v);
        out.push('"');
    }
}

fn push_line_anchor(out: &mut String, line_id: &str, line: usize) {
    out.push_str("<span class=\"ln\" id=\"");
    push_escaped(out, line_id);
    let _ = write!(out, "{line}\" data-n=\"{line}\"></span>");
}

/// `text[a..b]`, escaped, with a line anchor after each line feed (none
/// after the text's last one). A carriage return before a line feed is
/// dropped (HTML would make it a second break). Inside a mark (`open`, its
/// opening tag), the mark is closed before each line feed and opened again
/// after the next line's anchor, so line numbers are never highlighted.
fn push_pre_text(
    out: &mut String,
    text: &str,
    a: usize,
    b: usize,
    line: &mut usize,
    id: &str,
    open: Option<&str>,
) {
    let mut closed = false;
    for (i, c) in text[a..b].char_indices() {
        if closed && let Some(open) = open {
            out.push_str(open);
            closed = false;
        }
        match c {
            '\n' => {
                if open.is_some() {
                    out.push_str("</mark>");
                    closed = true;
                }
                out.push('\n');
                if a + i + 1 < text.len() {
                    *line += 1;
                    push_line_anchor(out, id, *line);
                }
            }
            '\r' if text.as_bytes().get(a + i + 1) == Some(&b'\n') => {}
            c => push_escaped_char(out, c),
        }
    }
    if open.is_some() && !closed {
        out.push_str("</mark>");
    }
}

/// A path, escaped, with a line-break opportunity after each separator.
fn push_path(out: &mut String, path: &str) {
    for (i, part) in path.split_inclusive(['/', '\\']).enumerate() {
        if i > 0 {
            out.push_str("<wbr>");
        }
        push_escaped(out, part);
    }
}

fn severity_rank(s: Severity) -> u8 {
    match s {
        Severity::Info => 1,
        Severity::Warning => 2,
        Severity::Error => 3,
    }
}

/// One row of the findings table.
struct Row<'a> {
    href: String,
    path: &'a str,
    item: Option<usize>,
    line: usize,
    column: usize,
    severity: Severity,
    code: &'a str,
    message: &'a str,
}

fn push_row(out: &mut String, index: usize, r: &Row) {
    let sev = r.severity.name();
    let _ = write!(
        out,
        "<a class=\"frow {sev}\" href=\"{}\" data-i=\"{index}\" data-item=\"{}\" data-line=\"{}\" data-col=\"{}\" data-sev=\"{}\">",
        escape(&r.href),
        r.item.unwrap_or(0),
        r.line,
        r.column,
        severity_rank(r.severity)
    );
    out.push_str("<span class=\"c-path\">");
    push_path(out, r.path);
    out.push_str("</span><span class=\"c-item\">");
    match r.item {
        Some(i) => {
            let _ = write!(out, "{i}");
        }
        None => out.push('\u{2014}'),
    }
    let _ = write!(
        out,
        "</span><span class=\"c-pos\">{}:{}</span><span class=\"c-sev\"><span class=\"badge {sev}\">{sev}</span></span><span class=\"c-code\">",
        r.line, r.column
    );
    push_escaped(out, r.code);
    out.push_str("</span><span class=\"c-msg\">");
    push_escaped(out, r.message);
    out.push_str("</span></a>\n");
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl<W: Write> Sink for Html<W> {
    fn file(&mut self, c: &Checked) -> io::Result<()> {
        self.start()?;
        let n = self.letters;
        self.letters += 1;
        let parsed = match (&c.outcome.result, &c.outcome.source) {
            (Ok(_), Some(_)) => {
                self.parsed += 1;
                Some(self.parsed - 1)
            }
            _ => None,
        };
        let failure = c.outcome.result.as_ref().err();
        if c.findings.is_empty() && failure.is_none() {
            return Ok(());
        }
        self.sections += 1;
        if let Some(p) = parsed {
            self.by_parsed.insert(p, n);
        }
        self.by_path.entry(c.outcome.path.clone()).or_insert(n);
        if failure.is_some() {
            self.failures.push(n);
        }
        let path = c.outcome.path.as_str();
        let text = c.outcome.source.as_ref().map(|s| s.text.as_str());
        let mut s = String::new();

        // The findings table's rows.
        for (m, f) in c.findings.iter().enumerate() {
            let (line, column) = line_column(text.unwrap_or(""), f.span.offset);
            push_row(
                &mut s,
                self.rows,
                &Row {
                    href: format!("#letter-{n}-finding-{m}"),
                    path,
                    item: f.item,
                    line,
                    column,
                    severity: f.severity,
                    code: &f.code,
                    message: &f.message,
                },
            );
            self.rows += 1;
        }

        // The letter's section.
        let _ = write!(
            s,
            "<section class=\"letter\" id=\"letter-{n}\" aria-labelledby=\"letter-{n}-h\">\n<h3 id=\"letter-{n}-h\"><span class=\"path\">"
        );
        push_path(&mut s, path);
        s.push_str("</span><span class=\"meta\">");
        match failure {
            Some(_) => s.push_str("could not be checked"),
            None => s.push_str(&plural(c.findings.len(), "finding", "findings")),
        }
        s.push_str("</span></h3>\n");
        let mut marks = Vec::new();
        if let Some(e) = failure {
            s.push_str("<p class=\"failure\"><span class=\"badge error\">failed</span> <code>");
            push_escaped(&mut s, e.code());
            s.push_str("</code> ");
            push_escaped(&mut s, &e.message());
            s.push_str("</p>\n");
            if let crate::render::parse::Failure::Parse(p) = e
                && let Some(span) = p.span()
            {
                if text.is_some() {
                    let _ = writeln!(
                        s,
                        "<p class=\"failure-link\"><a href=\"#letter-{n}-error\">Show where in the text</a></p>"
                    );
                }
                marks.push(Mark {
                    start: span.offset,
                    end: span.offset.saturating_add(span.length),
                    kind: MarkKind::Error,
                    id: Some(format!("letter-{n}-error")),
                    title: format!("{}: {}", e.code(), p.label()),
                });
            }
        }
        if !c.findings.is_empty() {
            s.push_str("<ol class=\"notes\">\n");
        }
        for (m, f) in c.findings.iter().enumerate() {
            let (line, column) = line_column(text.unwrap_or(""), f.span.offset);
            let sev = f.severity.name();
            let _ = write!(
                s,
                "<li class=\"{sev}\"><a class=\"pos\" href=\"#letter-{n}-finding-{m}\">{line}:{column}</a> <span class=\"badge {sev}\">{sev}</span> <code>"
            );
            push_escaped(&mut s, &f.code);
            s.push_str("</code>");
            if let Some(i) = f.item {
                let _ = write!(s, " <span class=\"item\">item {i}</span>");
            }
            s.push_str("<div class=\"msg\">");
            push_escaped(&mut s, &f.message);
            s.push_str("</div>");
            if !f.help.is_empty() {
                s.push_str("<details><summary>What the guideline says</summary><p class=\"help\">");
                push_escaped(&mut s, &f.help);
                s.push_str("</p></details>");
            }
            s.push_str("</li>\n");

            let primary = f.labels.iter().find(|l| l.span == f.span);
            let mut title = format!("{sev} [{}] {}", f.code, f.message);
            if let Some(l) = primary.filter(|l| !l.message.is_empty()) {
                title.push_str("\n\u{2192} ");
                title.push_str(&l.message);
            }
            marks.push(Mark {
                start: f.span.offset,
                end: f.span.end(),
                kind: MarkKind::Finding,
                id: Some(format!("letter-{n}-finding-{m}")),
                title,
            });
            for l in f.labels.iter().filter(|l| l.span != f.span) {
                marks.push(Mark {
                    start: l.span.offset,
                    end: l.span.end(),
                    kind: MarkKind::Label,
                    id: None,
                    title: format!("{} ({})", l.message, f.code),
                });
            }
        }
        if !c.findings.is_empty() {
            s.push_str("</ol>\n");
        }
        if let Some(text) = text {
            s.push_str("<pre class=\"text\">");
            s.push_str(&highlight(text, &marks, &format!("letter-{n}-line-")));
            s.push_str("</pre>\n");
        }
        s.push_str("</section>\n");
        self.out.write_all(s.as_bytes())
    }

    fn finish(&mut self, end: &End) -> io::Result<()> {
        self.start()?;
        let mut s = String::new();
        let sm = end.summary;
        let command = if self.audit { "audit" } else { "check" };

        // Summary.
        let _ = write!(
            s,
            "<header class=\"top\">\n<h1>imrlint {command} report</h1>\n<p class=\"sub\">{}, {} checked, {} failed; {}</p>\n<div class=\"cards\">\n",
            plural(sm.files, "file given", "files given"),
            sm.checked,
            sm.failed,
            plural(sm.findings, "finding", "findings")
        );
        let card = |s: &mut String, class: &str, n: usize, label: &str| {
            let _ = writeln!(
                s,
                "<div class=\"card {class}\"><span class=\"num\">{n}</span><span class=\"lbl\">{label}</span></div>"
            );
        };
        card(&mut s, "", sm.files, "files given");
        card(&mut s, "", sm.checked, "checked");
        card(
            &mut s,
            if sm.failed > 0 { "bad" } else { "" },
            sm.failed,
            "failed",
        );
        card(&mut s, "", sm.findings, "findings");
        for sev in [Severity::Error, Severity::Warning, Severity::Info] {
            let k = sm.by_severity.get(sev.name()).copied().unwrap_or(0);
            let label = match sev {
                Severity::Error => "errors",
                Severity::Warning => "warnings",
                Severity::Info => "info",
            };
            card(&mut s, sev.name(), k, label);
        }
        s.push_str("</div>\n");
        if !sm.failures.is_empty() {
            s.push_str(
                "<div class=\"panel failures\">\n<h2>Inputs that could not be checked</h2>\n<ul>\n",
            );
            for (k, f) in sm.failures.iter().enumerate() {
                s.push_str("<li>");
                match self.failures.get(k) {
                    Some(n) => {
                        let _ = write!(s, "<a class=\"path\" href=\"#letter-{n}\">");
                        push_path(&mut s, &f.path);
                        s.push_str("</a>");
                    }
                    None => {
                        s.push_str("<span class=\"path\">");
                        push_path(&mut s, &f.path);
                        s.push_str("</span>");
                    }
                }
                s.push_str(" <code>");
                push_escaped(&mut s, f.code);
                s.push_str("</code> <span class=\"why\">");
                push_escaped(&mut s, &f.message);
                s.push_str("</span></li>\n");
            }
            s.push_str("</ul>\n</div>\n");
        }
        s.push_str("</header>\n");

        // Charts.
        s.push_str("<section class=\"charts\" aria-label=\"Charts\">\n");
        if let Some(t) = end.tables {
            self.push_audit_charts(&mut s, t);
        }
        let mut kinds: Vec<(&String, &usize)> = sm.by_kind.iter().collect();
        kinds.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let mut codes: Vec<(&String, &usize)> = sm.by_code.iter().collect();
        codes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (title, rows, id) in [
            ("Findings by kind", &kinds, "chart-kind"),
            ("Findings by code", &codes, "chart-code"),
        ] {
            let _ = write!(s, "<div class=\"panel\">\n<h2 id=\"{id}\">{title}</h2>\n");
            if rows.is_empty() {
                s.push_str("<p class=\"empty\">No findings.</p>\n");
            } else {
                let max = rows.iter().map(|r| *r.1).max().unwrap_or(1).max(1);
                let bars: Vec<Bar> = rows
                    .iter()
                    .map(|(name, k)| Bar {
                        label: name,
                        tooltip: format!("{name}: {k}"),
                        value: **k as f64 / max as f64,
                        split: None,
                        text: k.to_string(),
                        class: kind_class(name),
                    })
                    .collect();
                push_bar_chart(&mut s, id, &bars, Layout::Stacked);
            }
            s.push_str("</div>\n");
        }
        if end.tables.is_none() {
            s.push_str("<p class=\"note\">Uphold rates by service, reviewer specialties and cross-letter findings are in <code>imrlint audit --format html</code>.</p>\n");
        }
        s.push_str("</section>\n");

        // Cross-letter findings: rows, and a section for them to link to (their
        // letters' text is gone by now).
        let mut rows = String::new();
        if !end.inconsistencies.is_empty() {
            s.push_str("<section class=\"panel cross\" id=\"cross-letter\">\n<h2>Cross-letter findings</h2>\n<p class=\"sub\">Items of the same service under the same section, with the same documented criteria, decided otherwise than the majority.</p>\n");
            for (k, i) in end.inconsistencies.iter().enumerate() {
                push_row(
                    &mut rows,
                    self.rows,
                    &Row {
                        href: format!("#inconsistency-{k}"),
                        path: &i.path,
                        item: i.finding.item,
                        line: i.line,
                        column: i.column,
                        severity: i.finding.severity,
                        code: &i.finding.code,
                        message: &i.finding.message,
                    },
                );
                self.rows += 1;
                let sev = i.finding.severity.name();
                let _ = write!(
                    s,
                    "<div class=\"xentry\" id=\"inconsistency-{k}\">\n<p><span class=\"badge {sev}\">{sev}</span> <code>"
                );
                push_escaped(&mut s, &i.finding.code);
                s.push_str("</code> ");
                let place = format!("{}:{}:{}", i.path, i.line, i.column);
                match self.by_parsed.get(&i.letter) {
                    Some(n) => {
                        let _ =
                            write!(s, "<a class=\"path\" href=\"#letter-{n}-line-{}\">", i.line);
                        push_path(&mut s, &place);
                        s.push_str("</a>");
                    }
                    None => {
                        s.push_str("<span class=\"path\">");
                        push_path(&mut s, &place);
                        s.push_str("</span>");
                    }
                }
                if let Some(item) = i.finding.item {
                    let _ = write!(s, " <span class=\"item\">item {item}</span>");
                }
                s.push_str("</p>\n<div class=\"msg\">");
                push_escaped(&mut s, &i.finding.message);
                s.push_str("</div>\n");
                if !i.others.is_empty() {
                    s.push_str("<ul class=\"others\">\n");
                    for o in &i.others {
                        s.push_str("<li>");
                        self.push_path_link(&mut s, &o.path);
                        let d = match o.decision {
                            crate::model::Decision::Upheld => "upheld",
                            crate::model::Decision::Overturned => "overturned",
                        };
                        let _ = writeln!(s, " item {}: {d}</li>", o.item);
                    }
                    s.push_str("</ul>\n");
                }
                if !i.finding.help.is_empty() {
                    s.push_str("<details><summary>Key facts compared</summary><p class=\"help\">");
                    push_escaped(&mut s, &i.finding.help);
                    s.push_str("</p></details>\n");
                }
                s.push_str("</div>\n");
            }
            s.push_str("</section>\n");
        }

        // The findings table's head (its rows are already written).
        let _ = write!(
            s,
            "<div class=\"fhead{}\" id=\"findings\">\n<h2>Findings <span class=\"count\">{}</span></h2>\n",
            if self.rows == 0 { " none" } else { "" },
            self.rows
        );
        if self.rows == 0 {
            s.push_str("<p class=\"empty\">No findings.</p>\n");
        } else {
            s.push_str("<p class=\"hint\">Select a heading to sort; select a row to see the finding in its letter.</p>\n<div class=\"cols\">");
            for (key, label) in [
                ("path", "Letter"),
                ("item", "Item"),
                ("pos", "Line:col"),
                ("sev", "Severity"),
                ("code", "Code"),
                ("msg", "Message"),
            ] {
                let _ = write!(
                    s,
                    "<button type=\"button\" data-key=\"{key}\" title=\"Sort by {label}\">{label}</button>"
                );
            }
            s.push_str("</div>\n");
        }
        s.push_str("</div>\n");
        s.push_str(&rows);
        if self.sections > 0 {
            let _ = writeln!(
                s,
                "<h2 class=\"letters-h\">Letters with findings or failures <span class=\"count\">{}</span></h2>",
                self.sections
            );
        }
        let _ = write!(
            s,
            "<footer class=\"foot\">imrlint {} \u{b7} a self-contained page: nothing is loaded from the network.</footer>\n</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
            env!("CARGO_PKG_VERSION")
        );
        self.out.write_all(s.as_bytes())?;
        self.out.flush()?;
        eprintln!("{}", crate::render::sink::summary_line(end.summary));
        Ok(())
    }
}

impl<W: Write> Html<W> {
    /// A letter's path, linked to its section when it has one.
    fn push_path_link(&self, s: &mut String, path: &str) {
        match self.by_path.get(path) {
            Some(n) => {
                let _ = write!(s, "<a class=\"path\" href=\"#letter-{n}\">");
                push_path(s, path);
                s.push_str("</a>");
            }
            None => {
                s.push_str("<span class=\"path\">");
                push_path(s, path);
                s.push_str("</span>");
            }
        }
    }

    fn push_audit_charts(&self, s: &mut String, t: &crate::audit::Tables) {
        s.push_str("<div class=\"panel wide\">\n<h2 id=\"chart-uphold\">Uphold rate by service and cited section</h2>\n");
        if t.by_service.is_empty() {
            s.push_str("<p class=\"empty\">No items were decided.</p>\n");
        } else {
            let mut rows: Vec<&crate::audit::ServiceRow> = t.by_service.iter().collect();
            rows.sort_by(|a, b| {
                b.decisions
                    .items
                    .cmp(&a.decisions.items)
                    .then_with(|| a.service.cmp(&b.service))
                    .then_with(|| a.section.cmp(&b.section))
            });
            let shown = rows.len().min(UPHOLD_ROWS);
            s.push_str("<p class=\"legend\"><span class=\"sw up\"></span>upheld (denial stands) <span class=\"sw over\"></span>overturned</p>\n");
            let labels: Vec<String> = rows[..shown]
                .iter()
                .map(|r| format!("{} \u{2014} {}", r.service, r.section))
                .collect();
            let bars: Vec<Bar> = rows[..shown]
                .iter()
                .zip(&labels)
                .map(|(r, label)| {
                    let d = &r.decisions;
                    Bar {
                        label,
                        tooltip: format!(
                            "{label}: {} of {} upheld, {} overturned",
                            d.upheld, d.items, d.overturned
                        ),
                        value: 1.0,
                        split: Some(d.uphold_rate),
                        text: format!(
                            "{:.0}% upheld \u{b7} {} of {}",
                            d.uphold_rate * 100.0,
                            d.upheld,
                            d.items
                        ),
                        class: "",
                    }
                })
                .collect();
            push_bar_chart(s, "chart-uphold", &bars, Layout::Inline);
            if rows.len() > shown {
                let _ = writeln!(
                    s,
                    "<p class=\"note\">The {shown} groups with most items are drawn; the table below lists all {}.</p>",
                    rows.len()
                );
            }
            s.push_str("<details><summary>All groups as a table</summary>\n<table class=\"grid\">\n<thead><tr><th>Service</th><th>Section</th><th class=\"r\">Items</th><th class=\"r\">Upheld</th><th class=\"r\">Overturned</th><th class=\"r\">Upheld %</th></tr></thead>\n<tbody>\n");
            for r in &rows {
                let d = &r.decisions;
                s.push_str("<tr><td>");
                push_escaped(s, &r.service);
                s.push_str("</td><td>");
                push_escaped(s, &r.section);
                let _ = writeln!(
                    s,
                    "</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{:.1}</td></tr>",
                    d.items,
                    d.upheld,
                    d.overturned,
                    d.uphold_rate * 100.0
                );
            }
            s.push_str("</tbody>\n</table>\n</details>\n");
        }
        s.push_str("</div>\n");

        s.push_str("<div class=\"panel\">\n<h2>Reviewer specialty</h2>\n");
        if t.by_specialty.is_empty() {
            s.push_str("<p class=\"empty\">No letters were checked.</p>\n");
        } else {
            s.push_str("<table class=\"grid\">\n<thead><tr><th>Specialty</th><th class=\"r\">Letters</th><th class=\"r\">Items</th><th class=\"r\">Upheld %</th><th class=\"r\">Findings</th></tr></thead>\n<tbody>\n");
            for r in &t.by_specialty {
                s.push_str("<tr><td>");
                push_escaped(s, &r.specialty);
                let _ = writeln!(
                    s,
                    "</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{:.1}</td><td class=\"r\">{}</td></tr>",
                    r.letters,
                    r.decisions.items,
                    r.decisions.uphold_rate * 100.0,
                    r.findings
                );
            }
            s.push_str("</tbody>\n</table>\n");
        }
        s.push_str("</div>\n");

        s.push_str("<div class=\"panel\">\n<h2>Letters with most findings</h2>\n");
        if t.most_findings.is_empty() {
            s.push_str("<p class=\"empty\">No letter has a finding.</p>\n");
        } else {
            s.push_str("<table class=\"grid\">\n<thead><tr><th>Letter</th><th class=\"r\">Findings</th></tr></thead>\n<tbody>\n");
            for r in &t.most_findings {
                s.push_str("<tr><td>");
                self.push_path_link(s, &r.path);
                let _ = writeln!(s, "</td><td class=\"r\">{}</td></tr>", r.findings);
            }
            s.push_str("</tbody>\n</table>\n");
        }
        s.push_str("</div>\n");
    }
}

/// Service groups drawn in the uphold-rate chart (all are in its table).
const UPHOLD_ROWS: usize = 20;

/// One bar of a horizontal bar chart.
struct Bar<'a> {
    label: &'a str,
    tooltip: String,
    /// Length, 0 to 1 of the full width.
    value: f64,
    /// A share of the bar drawn in the first colour, the rest in the second.
    split: Option<f64>,
    text: String,
    class: &'static str,
}

/// The kind of a rule code (`<kind>/<slug>`) or kind name, as a CSS class.
fn kind_class(code: &str) -> &'static str {
    match code.split('/').next().unwrap_or("") {
        "conclusion" => "k-conclusion",
        "citation" => "k-citation",
        "misstatement" => "k-misstatement",
        "criteria" => "k-criteria",
        "structure" => "k-structure",
        "inconsistency" => "k-inconsistency",
        _ => "",
    }
}

/// How a bar chart is laid out.
#[derive(Clone, Copy)]
enum Layout {
    /// Each label on its own line, the bar below it: for half-width panels.
    Stacked,
    /// Label, bar and value on one line: for a full-width panel.
    Inline,
}

/// A horizontal bar chart as inline SVG. Labels longer than fit are cut
/// (the tooltip has them whole).
fn push_bar_chart(s: &mut String, labelled_by: &str, bars: &[Bar], layout: Layout) {
    // (width, label chars, bar x, bar length, row height, label y, bar y)
    let (width, chars, bar_x, bar, row, label_y, bar_y) = match layout {
        Layout::Stacked => (640.0, 84, 0.0, 470.0, 40.0, 14.0, 20.0),
        Layout::Inline => (1140.0, 62, 450.0, 500.0, 26.0, 16.0, 6.0),
    };
    let height = row * bars.len() as f64 + 4.0;
    let _ = writeln!(
        s,
        "<svg class=\"chart\" role=\"img\" aria-labelledby=\"{labelled_by}\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\">"
    );
    for (i, b) in bars.iter().enumerate() {
        let y = row * i as f64;
        s.push_str("<g><title>");
        push_escaped(s, &b.tooltip);
        let _ = write!(
            s,
            "</title><text class=\"lab\" x=\"0\" y=\"{}\">",
            y + label_y
        );
        if b.label.chars().count() > chars {
            let cut: String = b.label.chars().take(chars - 1).collect();
            push_escaped(s, &cut);
            s.push('\u{2026}');
        } else {
            push_escaped(s, b.label);
        }
        s.push_str("</text>");
        let w = (b.value.clamp(0.0, 1.0) * bar).max(2.0);
        let by = y + bar_y;
        match b.split {
            Some(share) => {
                let up = share.clamp(0.0, 1.0) * w;
                let _ = write!(
                    s,
                    "<rect class=\"bar over\" x=\"{bar_x}\" y=\"{by}\" width=\"{w:.1}\" height=\"13\" rx=\"2\"/><rect class=\"bar up\" x=\"{bar_x}\" y=\"{by}\" width=\"{up:.1}\" height=\"13\" rx=\"2\"/>"
                );
            }
            None => {
                let _ = write!(
                    s,
                    "<rect class=\"bar {}\" x=\"{bar_x}\" y=\"{by}\" width=\"{w:.1}\" height=\"13\" rx=\"2\"/>",
                    b.class
                );
            }
        }
        let _ = write!(
            s,
            "<text class=\"val\" x=\"{:.1}\" y=\"{}\">",
            bar_x + w + 8.0,
            by + 11.0
        );
        push_escaped(s, &b.text);
        s.push_str("</text></g>\n");
    }
    s.push_str("</svg>\n");
}

/// The page's one script: sorts the findings rows by a column. The rows are
/// flex items among the letters' sections, placed by `order`, so moving a row
/// to the end of the container keeps it among the rows: appending them in a
/// new order sorts them. It reads numbers and cell text, never runs them.
pub const SCRIPT: &str = r#"(function () {
  'use strict';
  document.documentElement.setAttribute('data-script', 'ok');
  var root = document.getElementById('report');
  if (!root) return;
  var rows = Array.prototype.slice.call(root.querySelectorAll('a.frow'));
  var buttons = Array.prototype.slice.call(root.querySelectorAll('.cols button[data-key]'));
  function num(r, k) { return Number(r.getAttribute('data-' + k)) || 0; }
  function cell(r, i) { return r.children[i] ? r.children[i].textContent : ''; }
  var keys = {
    path: function (r) { return cell(r, 0); },
    item: function (r) { return num(r, 'item'); },
    pos: function (r) { return num(r, 'line') * 1e7 + num(r, 'col'); },
    sev: function (r) { return num(r, 'sev'); },
    code: function (r) { return cell(r, 4); },
    msg: function (r) { return cell(r, 5); }
  };
  var current = null, dir = 0;
  function sort(key) {
    var first = key === 'sev' ? -1 : 1;
    if (key !== current) { current = key; dir = first; }
    else if (dir === first) { dir = -first; }
    else { current = null; dir = 0; }
    var order = rows.map(function (r) { return { r: r, k: current ? keys[current](r) : 0, i: num(r, 'i') }; });
    order.sort(function (a, b) {
      var c = 0;
      if (dir !== 0) {
        c = typeof a.k === 'number' ? a.k - b.k : a.k.localeCompare(b.k, undefined, { numeric: true });
      }
      return c * dir || a.i - b.i;
    });
    order.forEach(function (o) { root.appendChild(o.r); });
    buttons.forEach(function (b) {
      if (current && b.getAttribute('data-key') === current) {
        b.setAttribute('data-dir', dir > 0 ? 'asc' : 'desc');
      } else {
        b.removeAttribute('data-dir');
      }
    });
  }
  buttons.forEach(function (b) {
    b.addEventListener('click', function () { sort(b.getAttribute('data-key')); });
  });
})();"#;

/// The page's one stylesheet.
pub const STYLE: &str = r#"
:root{--bg:#f4f5f8;--fg:#1d2230;--muted:#5d6677;--card:#fff;--line:#dde1e8;--soft:#eef1f6;--accent:#2f5bd3;--accent-soft:#e9effd;--error:#c0392b;--warning:#b7700c;--info:#2471a3;--mark:#ffe68c;--mark-n:#ffc46b;--mark-l:#d7e4ff;--mark-e:#ffc9c4;--up:#2f5bd3;--over:#cdd7f0;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono","DejaVu Sans Mono",monospace}
@media (prefers-color-scheme:dark){:root{--bg:#14171d;--fg:#e2e5eb;--muted:#9aa3b3;--card:#1c2028;--line:#30363f;--soft:#232833;--accent:#7d9bff;--accent-soft:#243050;--error:#ff7b72;--warning:#e3a43a;--info:#6cb6ff;--mark:#675515;--mark-n:#8a5b12;--mark-l:#22385e;--mark-e:#6e2a2a;--up:#7d9bff;--over:#34405e}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,sans-serif}
a{color:var(--accent)}
.report{display:flex;flex-direction:column;max-width:1280px;margin:0 auto;padding:28px 28px 56px}
.top{order:0}.charts{order:1}.fhead{order:3}.frow{order:4}.cross{order:6}.letters-h{order:7}.letter{order:8}.foot{order:9}
h1{font-size:1.65rem;margin:0 0 2px;letter-spacing:-.01em}
h2{font-size:1.05rem;margin:0 0 10px}
.count{display:inline-block;min-width:1.6em;padding:0 .45em;border-radius:999px;background:var(--soft);color:var(--muted);font-size:.8rem;text-align:center;vertical-align:2px}
.sub{color:var(--muted);margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:0 0 20px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:10px 16px;min-width:116px}
.card .num{display:block;font-size:1.55rem;font-weight:650;font-variant-numeric:tabular-nums;line-height:1.2}
.card .lbl{color:var(--muted);font-size:.82rem}
.card.error .num,.card.bad .num{color:var(--error)}.card.warning .num{color:var(--warning)}.card.info .num{color:var(--info)}
.panel{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px;margin:0 0 20px;min-width:0}
.failures ul{margin:0;padding-left:1.2em}.failures li{margin:4px 0}.failures .why{color:var(--muted)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:0 20px;align-items:start}
.charts .wide{grid-column:1/-1}
.charts .note{grid-column:1/-1;color:var(--muted);margin:-6px 0 20px}
.chart{display:block;width:100%;max-width:640px;height:auto}
.wide .chart{max-width:1140px}
svg text{fill:var(--fg);font-size:12.5px;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif}
svg text.val{fill:var(--muted);font-variant-numeric:tabular-nums}
.bar{fill:var(--accent)}.bar.up{fill:var(--up)}.bar.over{fill:var(--over)}
.bar.k-conclusion{fill:#c0392b}.bar.k-citation{fill:#2f5bd3}.bar.k-misstatement{fill:#8e44ad}.bar.k-criteria{fill:#b7700c}.bar.k-structure{fill:#16817a}.bar.k-inconsistency{fill:#d35400}
g:hover .bar{opacity:.85}
.legend{color:var(--muted);font-size:.85rem;margin:-4px 0 10px}
.sw{display:inline-block;width:11px;height:11px;border-radius:2px;margin:0 5px -1px 0}.sw.up{background:var(--up)}.sw.over{background:var(--over);margin-left:12px}
.empty,.note{color:var(--muted)}
.panel .note{margin:10px 0 0}
table.grid{border-collapse:collapse;width:100%;font-size:.9rem}
table.grid th,table.grid td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top;overflow-wrap:anywhere}
table.grid th{color:var(--muted);font-weight:600;font-size:.78rem;text-transform:uppercase;letter-spacing:.03em}
table.grid .r{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
details{margin-top:8px}
summary{cursor:pointer;color:var(--accent)}
code,.path{font-family:var(--mono);font-size:12.5px}
code{background:var(--soft);padding:1px 5px;border-radius:4px;overflow-wrap:anywhere}
.path{overflow-wrap:anywhere;unicode-bidi:isolate}
.badge{display:inline-block;padding:0 8px;border-radius:999px;font-size:.72rem;font-weight:650;line-height:1.65;color:#fff;background:var(--muted);text-transform:uppercase;letter-spacing:.03em}
.badge.error{background:var(--error)}.badge.warning{background:var(--warning)}.badge.info{background:var(--info)}
@media (prefers-color-scheme:dark){.badge{color:#111}}
.fhead{background:var(--card);border:1px solid var(--line);border-radius:10px 10px 0 0;padding:16px 0 0;margin-top:4px}
.fhead.none{border-radius:10px;padding-bottom:6px;margin-bottom:20px}
.fhead h2,.fhead .hint,.fhead .empty{padding:0 18px}
.fhead .hint{color:var(--muted);font-size:.85rem;margin:-6px 0 10px}
.cols,.frow{display:grid;grid-template-columns:minmax(9rem,1.5fr) 3rem 4.8rem 5.6rem minmax(9rem,1.45fr) minmax(12rem,3.2fr);gap:0 14px;padding:8px 18px;align-items:baseline}
.cols{border-top:1px solid var(--line);background:var(--soft);padding-top:7px;padding-bottom:7px}
.cols button{all:unset;cursor:pointer;color:var(--muted);font-weight:650;font-size:.74rem;text-transform:uppercase;letter-spacing:.04em}
.cols button:hover{color:var(--fg)}
.cols button:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
.cols button[data-dir=asc]::after{content:" \25B2"}.cols button[data-dir=desc]::after{content:" \25BC"}
.cols button[data-dir]{color:var(--accent)}
.frow{background:var(--card);border:1px solid var(--line);border-top:none;color:inherit;text-decoration:none}
.frow:hover,.frow:focus-visible{background:var(--accent-soft);outline:none}
.report>a.frow:last-of-type{border-radius:0 0 10px 10px;margin-bottom:24px}
.frow>span{min-width:0;overflow-wrap:anywhere;unicode-bidi:isolate}
.c-path{font-family:var(--mono);font-size:12px;color:var(--muted)}
.c-item,.c-pos{font-variant-numeric:tabular-nums;color:var(--muted)}
.c-code{font-family:var(--mono);font-size:12px}
.xentry{border-top:1px solid var(--line);padding:10px 0}
.xentry p{margin:0 0 4px}
.others{margin:6px 0 0;padding-left:1.2em;color:var(--muted)}
.help{white-space:pre-wrap;margin:6px 0 0;color:var(--muted)}
.letters-h{margin:8px 0 12px}
.letter{background:var(--card);border:1px solid var(--line);border-radius:10px;margin:0 0 20px;overflow:hidden;scroll-margin-top:12px}
.letter>h3{display:flex;justify-content:space-between;gap:16px;margin:0;padding:11px 18px;border-bottom:1px solid var(--line);background:var(--soft);font-size:.95rem}
.letter>h3 .meta{color:var(--muted);font-weight:500;white-space:nowrap;font-size:.85rem}
.failure{margin:0;padding:10px 18px;border-bottom:1px solid var(--line)}
.failure-link{margin:0;padding:4px 18px 10px;border-bottom:1px solid var(--line)}
.notes{list-style:none;margin:0;padding:4px 18px;border-bottom:1px solid var(--line)}
.notes li{padding:8px 0;border-bottom:1px dashed var(--line)}
.notes li:last-child{border-bottom:none}
.notes .pos{font-family:var(--mono);font-size:12px;margin-right:4px}
.notes .item{color:var(--muted);font-size:.85rem}
.notes .msg{margin-top:3px}
pre.text{margin:0;padding:12px 18px 14px 0;overflow-x:auto;font:12.5px/1.6 var(--mono);tab-size:4;white-space:pre}
.ln::before{content:attr(data-n);display:inline-block;width:3.6em;padding-right:.9em;margin-right:1em;text-align:right;color:var(--muted);background:var(--card);border-right:1px solid var(--line);user-select:none;-webkit-user-select:none}
mark{color:inherit;background:var(--mark);border-radius:2px;box-shadow:0 1px 0 rgba(0,0,0,.18)}
mark.n{background:var(--mark-n)}mark.l{background:var(--mark-l)}mark.e{background:var(--mark-e)}
mark.pt{display:inline-block;width:0;height:1.25em;vertical-align:-.25em;border-left:2px solid var(--error);box-shadow:none;background:none}
mark[id],.anchor{scroll-margin-top:35vh}
mark:target,.anchor:target+mark{outline:2px solid var(--accent);outline-offset:2px}
.foot{color:var(--muted);font-size:.82rem;margin-top:8px}
@media (max-width:760px){.report{padding:16px 12px 40px}.cols{display:none}.frow{grid-template-columns:1fr 1fr;gap:2px 10px}.frow .c-msg,.frow .c-path{grid-column:1/-1}.charts{grid-template-columns:1fr}}
@media print{.cols button::after{content:none}details{display:block}}
"#;

/// The page's Content-Security-Policy: nothing from the network, only the
/// page's own script and stylesheet (by hash), images only inline.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; script-src 'sha256-{}'; style-src 'sha256-{}'; img-src data:; base-uri 'none'; form-action 'none'",
        base64(&sha256(SCRIPT.as_bytes())),
        base64(&sha256(STYLE.as_bytes()))
    )
}

/// SHA-256 (FIPS 180-4), for the policy's hashes.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&(data.len() as u64).wrapping_mul(8).to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let mut v = h;
        for (k, wi) in K.iter().zip(w) {
            let [a, b, c, d, e, f, g, hh] = v;
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(*k)
                .wrapping_add(wi);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            v = [t1.wrapping_add(t2), a, b, c, d.wrapping_add(t1), e, f, g];
        }
        for (x, y) in h.iter_mut().zip(v) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (chunk, x) in out.chunks_exact_mut(4).zip(h) {
        chunk.copy_from_slice(&x.to_be_bytes());
    }
    out
}

/// Standard base64 with padding.
pub fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(A[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn sha256_matches_the_standard_vectors() {
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        let million = vec![b'a'; 1_000_000];
        assert_eq!(
            hex(&sha256(&million)),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
    }

    #[test]
    fn base64_pads() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foob"), "Zm9vYg==");
    }

    #[test]
    fn the_policy_names_the_page_s_own_script_and_style() {
        let csp = content_security_policy();
        assert!(csp.starts_with("default-src 'none';"));
        assert!(csp.contains(&format!("'sha256-{}'", base64(&sha256(SCRIPT.as_bytes())))));
        assert!(csp.contains(&format!("'sha256-{}'", base64(&sha256(STYLE.as_bytes())))));
        assert!(!csp.contains("unsafe"));
        // The constants must not be able to end their own elements early.
        assert!(!SCRIPT.contains("</"));
        assert!(!STYLE.contains("</"));
    }

    #[test]
    fn escapes_markup_quotes_and_controls() {
        assert_eq!(
            escape("<a href=\"x\">'&amp;'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(
            escape("a\u{c}b\u{0}\u{7f}\u{85}"),
            "a\u{240c}b\u{2400}\u{2421}\u{fffd}"
        );
        assert_eq!(escape("tab\there\nnaïve 日本"), "tab\there\nnaïve 日本");
    }

    fn mark(start: usize, end: usize, kind: MarkKind, id: Option<&str>) -> Mark {
        Mark {
            start,
            end,
            kind,
            id: id.map(str::to_string),
            title: format!("<{start}-{end}>"),
        }
    }

    #[test]
    fn overlapping_marks_are_flattened_and_ids_kept() {
        let text = "ab<cd>ef\ngh";
        let html = highlight(
            text,
            &[
                mark(1, 5, MarkKind::Finding, Some("f0")),
                mark(3, 10, MarkKind::Label, None),
                mark(1, 3, MarkKind::Finding, Some("f1")),
                mark(4, 4, MarkKind::Label, Some("p")),
                mark(50, 60, MarkKind::Error, Some("e")),
            ],
            "l-",
        );
        assert_eq!(
            html.matches("<mark").count(),
            html.matches("</mark>").count()
        );
        for id in ["f0", "f1", "p", "e", "l-1", "l-2"] {
            assert_eq!(
                html.matches(&format!("id=\"{id}\"")).count(),
                1,
                "{id}: {html}"
            );
        }
        assert!(html.contains("&lt;"), "{html}");
        assert!(
            html.contains("title=\"&lt;1-5&gt;\n&lt;3-10&gt;\""),
            "{html}"
        );
        assert!(!html.contains("<cd>"));
    }

    #[test]
    fn a_mark_over_lines_leaves_the_line_numbers_out() {
        let html = highlight("ab\ncd\n", &[mark(1, 4, MarkKind::Finding, Some("m"))], "l");
        assert_eq!(
            html,
            "<span class=\"ln\" id=\"l1\" data-n=\"1\"></span>a\
             <mark class=\"f\" title=\"&lt;1-4&gt;\" id=\"m\">b</mark>\n\
             <span class=\"ln\" id=\"l2\" data-n=\"2\"></span>\
             <mark class=\"f\" title=\"&lt;1-4&gt;\">c</mark>d\n"
        );
    }

    #[test]
    fn offsets_inside_a_character_are_moved_to_its_start() {
        let text = "é日x";
        let html = highlight(text, &[mark(1, 4, MarkKind::Finding, Some("m"))], "l");
        assert!(
            html.contains("<mark class=\"f\" title=\"&lt;1-4&gt;\" id=\"m\">é</mark>日x"),
            "{html}"
        );
    }
}
