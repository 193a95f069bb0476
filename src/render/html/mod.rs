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
use crate::span::line_column;

mod assets;
mod chart;
mod text;

pub use assets::{SCRIPT, STYLE, content_security_policy};
use chart::{Bar, Layout, UPHOLD_ROWS, kind_class, push_bar_chart};
pub use text::{Mark, MarkKind, escape, highlight};
use text::{push_escaped, push_path};

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
