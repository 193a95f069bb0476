//! `--format sarif`: a SARIF 2.1.0 log (one run) for code-scanning tools and
//! SARIF viewers, written as letters are checked.
//!
//! The log is streamed: the header (tool, rules) and `"results": [` go out
//! with the first letter, each finding as a result as soon as its letter is
//! done, and the end of the run closes the results and writes the one
//! invocation. Inputs that could not be read or parsed are not results but
//! tool execution notifications of that invocation (they are few, so they
//! are kept until the end), which then says `executionSuccessful: false`.
//!
//! Findings a suppression allows are results too, each with a SARIF
//! `suppressions` entry (`inSource` for an `imrlint: allow` line, `external`
//! for a `--suppressions` sidecar entry; status `accepted`, the reason as
//! its justification), so code-scanning tools show them as dismissed rather
//! than lose them. Findings held by a baseline are only counted.
//!
//! Regions: lines and columns are 1-based and count Unicode code points
//! (`columnKind: unicodeCodePoints`), like the other formats; `charOffset`
//! and `charLength` count code points too, `endColumn` is the column just
//! after the span. Cross-letter findings of `audit` point at their item's
//! decision by line and column (the letter's text is gone by then), with a
//! related location for each letter they disagree with.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

use serde_json::{Map, Value, json};

use crate::audit::Inconsistency;
use crate::engine::suppress::Allowance;
use crate::finding::Finding;
use crate::render::check::Checked;
use crate::render::sink::{End, Sink};
use crate::rulebook::{Kind, Rule, Severity};
use crate::span::{Span, floor_char_boundary, line_column};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The package's repository or homepage, when Cargo.toml names one.
fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE")]
        .into_iter()
        .find(|u| !u.is_empty())
}

/// What the log says of a rule (a `reportingDescriptor`).
#[derive(Debug, Clone)]
pub struct RuleInfo {
    pub code: String,
    pub kind: Kind,
    pub severity: Severity,
    pub message: String,
    pub help: String,
}

impl RuleInfo {
    pub fn of(r: &Rule) -> RuleInfo {
        RuleInfo {
            code: r.code.clone(),
            kind: r.kind,
            severity: r.severity,
            message: r.message.clone(),
            help: r.help.clone(),
        }
    }
}

pub struct Sarif<W: Write> {
    out: W,
    /// Sorted by code; a result's `ruleIndex` is its place here.
    rules: Vec<RuleInfo>,
    index: HashMap<String, usize>,
    started: bool,
    results: usize,
    notifications: Vec<Value>,
}

impl<W: Write> Sarif<W> {
    /// `rules`: the rules that may report (the selected ones), in any order.
    pub fn new(out: W, mut rules: Vec<RuleInfo>) -> Sarif<W> {
        rules.sort_by(|a, b| a.code.cmp(&b.code));
        rules.dedup_by(|a, b| a.code == b.code);
        let index = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.code.clone(), i))
            .collect();
        Sarif {
            out,
            rules,
            index,
            started: false,
            results: 0,
            notifications: Vec::new(),
        }
    }

    fn start(&mut self) -> io::Result<()> {
        if self.started {
            return Ok(());
        }
        self.started = true;
        let rules: Vec<Value> = self.rules.iter().map(descriptor).collect();
        let mut driver = json!({
            "name": "imrlint",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "rules": rules,
        });
        if let Some(uri) = information_uri() {
            driver["informationUri"] = uri.into();
        }
        let tool = json!({ "driver": driver });
        write!(
            self.out,
            "{{\n\"$schema\": {},\n\"version\": \"2.1.0\",\n\"runs\": [{{\n\"tool\": ",
            Value::from(SCHEMA)
        )?;
        serde_json::to_writer(&mut self.out, &tool)?;
        self.out
            .write_all(b",\n\"columnKind\": \"unicodeCodePoints\",\n\"results\": [")?;
        Ok(())
    }

    fn result(&mut self, r: &Value) -> io::Result<()> {
        self.out
            .write_all(if self.results == 0 { b"\n" } else { b",\n" })?;
        self.results += 1;
        serde_json::to_writer(&mut self.out, r)?;
        Ok(())
    }

    /// `ruleIndex` and, when the finding's help is its own, that help.
    fn rule_fields(&self, f: &Finding, result: &mut Map<String, Value>) {
        let rule = self.index.get(&f.code).copied();
        if let Some(i) = rule {
            result.insert("ruleIndex".into(), i.into());
        }
        let mut props = Map::new();
        props.insert("kind".into(), f.kind.name().into());
        if let Some(item) = f.item {
            props.insert("item".into(), item.into());
        }
        if !f.help.is_empty() && rule.is_none_or(|i| self.rules[i].help != f.help) {
            props.insert("help".into(), f.help.clone().into());
        }
        result.insert("properties".into(), Value::Object(props));
    }

    fn finding(&self, path: &str, text: &str, f: &Finding) -> Value {
        let uri = path_uri(path);
        let mut r = result_at(f, &uri, region(text, f.span));
        let related: Vec<Value> = f
            .labels
            .iter()
            .filter(|l| !l.message.is_empty())
            .enumerate()
            .map(|(id, l)| {
                json!({
                    "id": id,
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": region(text, l.span),
                    },
                    "message": { "text": l.message },
                })
            })
            .collect();
        if !related.is_empty() {
            r.insert("relatedLocations".into(), related.into());
        }
        self.rule_fields(f, &mut r);
        Value::Object(r)
    }

    fn inconsistency(&self, i: &Inconsistency) -> Value {
        let f = &i.finding;
        let mut r = result_at(
            f,
            &path_uri(&i.path),
            json!({ "startLine": i.line, "startColumn": i.column }),
        );
        let related: Vec<Value> = i
            .others
            .iter()
            .enumerate()
            .map(|(id, o)| {
                json!({
                    "id": id,
                    "physicalLocation": { "artifactLocation": { "uri": path_uri(&o.path) } },
                    "message": { "text": format!("item {}: {}", o.item, decision_word(o.decision)) },
                })
            })
            .collect();
        if !related.is_empty() {
            r.insert("relatedLocations".into(), related.into());
        }
        self.rule_fields(f, &mut r);
        Value::Object(r)
    }
}

impl<W: Write> Sink for Sarif<W> {
    fn file(&mut self, c: &Checked) -> io::Result<()> {
        self.start()?;
        if let Err(e) = &c.outcome.result {
            self.notifications.push(json!({
                "level": "error",
                "message": { "text": e.message() },
                "descriptor": { "id": e.code() },
                "locations": [{ "physicalLocation": {
                    "artifactLocation": { "uri": path_uri(&c.outcome.path) },
                }}],
            }));
            return Ok(());
        }
        let text = c.outcome.source.as_ref().map_or("", |s| s.text.as_str());
        for f in &c.findings {
            let r = self.finding(&c.outcome.path, text, f);
            self.result(&r)?;
        }
        for s in &c.suppressed {
            let mut r = self.finding(&c.outcome.path, text, &s.finding);
            r["suppressions"] = json!([suppression(&c.outcome.path, text, &s.by)]);
            self.result(&r)?;
        }
        Ok(())
    }

    fn finish(&mut self, end: &End) -> io::Result<()> {
        self.start()?;
        for i in end.inconsistencies {
            let r = self.inconsistency(i);
            self.result(&r)?;
        }
        let mut invocation = Map::new();
        invocation.insert(
            "executionSuccessful".into(),
            self.notifications.is_empty().into(),
        );
        if !self.notifications.is_empty() {
            invocation.insert(
                "toolExecutionNotifications".into(),
                std::mem::take(&mut self.notifications).into(),
            );
        }
        // How many findings were suppressed (results above, marked so) or held by the
        // baseline (not results), and how many baseline entries are fixed, when either
        // was in play.
        let s = end.summary;
        let mut held = Map::new();
        held.insert("suppressed".into(), s.suppressed.into());
        if let Some(n) = s.baselined {
            held.insert("baselined".into(), n.into());
        }
        if let Some(n) = s.baseline_fixed {
            held.insert("baselineFixed".into(), n.into());
        }
        if s.suppressed > 0 || s.baselined.is_some() {
            invocation.insert("properties".into(), Value::Object(held));
        }
        self.out.write_all(if self.results == 0 {
            b"],\n\"invocations\": ["
        } else {
            b"\n],\n\"invocations\": ["
        })?;
        serde_json::to_writer(&mut self.out, &Value::Object(invocation))?;
        self.out.write_all(b"]\n}]\n}\n")?;
        self.out.flush()
    }
}

/// A result's rule, level, message and one location.
/// A SARIF `suppression` object: where the allowance was written and why.
fn suppression(path: &str, text: &str, by: &Allowance) -> Value {
    let mut s = Map::new();
    let location = match (&by.line, &by.sidecar) {
        (Some(line), _) => {
            s.insert("kind".into(), "inSource".into());
            json!({ "physicalLocation": {
                "artifactLocation": { "uri": path_uri(path) },
                "region": region(text, *line),
            }})
        }
        (None, Some((file, line))) => {
            s.insert("kind".into(), "external".into());
            json!({ "physicalLocation": {
                "artifactLocation": { "uri": path_uri(file) },
                "region": { "startLine": line },
            }})
        }
        (None, None) => {
            s.insert("kind".into(), "external".into());
            Value::Null
        }
    };
    s.insert("status".into(), "accepted".into());
    if let Some(reason) = &by.reason {
        s.insert("justification".into(), reason.clone().into());
    }
    if !location.is_null() {
        s.insert("location".into(), location);
    }
    Value::Object(s)
}

fn result_at(f: &Finding, uri: &str, region: Value) -> Map<String, Value> {
    let mut r = Map::new();
    r.insert("ruleId".into(), f.code.clone().into());
    r.insert("level".into(), level(f.severity).into());
    r.insert("message".into(), json!({ "text": f.message }));
    r.insert(
        "locations".into(),
        json!([{ "physicalLocation": {
            "artifactLocation": { "uri": uri },
            "region": region,
        }}]),
    );
    r
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn decision_word(d: crate::model::Decision) -> &'static str {
    match d {
        crate::model::Decision::Upheld => "upheld",
        crate::model::Decision::Overturned => "overturned",
    }
}

fn descriptor(r: &RuleInfo) -> Value {
    json!({
        "id": r.code,
        "shortDescription": { "text": r.message },
        "help": { "text": r.help },
        "defaultConfiguration": { "level": level(r.severity) },
        "properties": { "kind": r.kind.name(), "tags": [r.kind.name()] },
    })
}

/// Code points before byte `i` of `text`.
fn char_index(text: &str, i: usize) -> usize {
    text[..floor_char_boundary(text, i.min(text.len()))]
        .chars()
        .count()
}

/// The SARIF region of `span` in `text`: start and end (exclusive) line and
/// column, character offset and length.
fn region(text: &str, span: Span) -> Value {
    let (start_line, start_column) = line_column(text, span.offset);
    let (end_line, end_column) = line_column(text, span.end());
    let start = char_index(text, span.offset);
    let end = char_index(text, span.end()).max(start);
    json!({
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
        "charOffset": start,
        "charLength": end - start,
    })
}

/// A path as a SARIF `artifactLocation.uri`: a relative path stays a
/// relative reference (percent-encoded where a URI needs it, so that `a:b`
/// or `x#1` is not read as a scheme or a fragment); an absolute path becomes
/// a `file://` URI.
pub fn path_uri(path: &str) -> String {
    let absolute = Path::new(path).is_absolute();
    let p = if cfg!(windows) {
        path.replace('\\', "/")
    } else {
        path.to_string()
    };
    let mut out = String::with_capacity(p.len() + 8);
    if absolute {
        out.push_str("file:");
        if !p.starts_with("//") {
            out.push_str("//");
            if !p.starts_with('/') {
                out.push('/');
            }
        }
    }
    for b in p.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(char::from(b));
            }
            b':' if absolute => out.push(':'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            path_uri("fixtures/check/clean.txt"),
            "fixtures/check/clean.txt"
        );
        assert_eq!(path_uri("a b#1?.txt"), "a%20b%231%3F.txt");
        assert_eq!(path_uri("c:d.txt"), "c%3Ad.txt");
        assert_eq!(path_uri("lettre é.txt"), "lettre%20%C3%A9.txt");
        assert_eq!(path_uri("100%.txt"), "100%25.txt");
        if cfg!(unix) {
            assert_eq!(path_uri("/tmp/a b.txt"), "file:///tmp/a%20b.txt");
        }
    }

    #[test]
    fn regions_count_code_points_and_end_after_the_span() {
        let text = "ab\né x\n";
        // "x": byte 6 (é is two bytes), code point 5, line 2 column 3.
        let r = region(text, Span::new(6, 7));
        assert_eq!(
            r,
            json!({"startLine": 2, "startColumn": 3, "endLine": 2, "endColumn": 4, "charOffset": 5, "charLength": 1})
        );
        let r = region(text, Span::new(0, 3));
        assert_eq!(r["endLine"], 2);
        assert_eq!(r["endColumn"], 1);
        assert_eq!(r["charLength"], 3);
    }
}
