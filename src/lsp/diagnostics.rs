//! Findings (and letters that fail to parse) as LSP diagnostics: the
//! renderer of `imrlint lsp`. It only converts what the engine reported.
//!
//! A finding becomes one diagnostic over its primary span, with its severity
//! (error 1, warning 2, info 3), its rule code, `source: "imrlint"` and its
//! message. Its labelled spans (the rationale's words, the citation) and its
//! help (what the cited guideline says and why the rule exists, as
//! `imrlint explain` prints it) go into `relatedInformation` when the client
//! supports it, else they are appended to the message. `data` carries the
//! item, the kind and the help for clients that want them.

use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Position, Range, Uri,
};
use serde_json::json;

use crate::finding::Finding;
use crate::lsp::position::LineIndex;
use crate::render::check::Checked;
use crate::render::diagnostic::first_line;
use crate::render::parse::Failure;
use crate::rulebook::Severity;

/// What the client can show.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// The client shows `relatedInformation`.
    pub related_information: bool,
}

pub const SOURCE: &str = "imrlint";

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// The diagnostics of one checked letter: one per finding, or one at the top
/// when it could not be parsed.
pub fn of_checked(uri: &Uri, c: &Checked, opts: Options) -> Vec<Diagnostic> {
    let text = c.outcome.source.as_ref().map_or("", |s| s.text.as_str());
    let index = LineIndex::new(text);
    match &c.outcome.result {
        Err(failure) => vec![of_failure(uri, text, &index, failure, opts)],
        Ok(_) => c
            .findings
            .iter()
            .map(|f| of_finding(uri, text, &index, f, opts))
            .collect(),
    }
}

fn related(uri: &Uri, range: Range, message: String) -> DiagnosticRelatedInformation {
    DiagnosticRelatedInformation {
        location: Location {
            uri: uri.clone(),
            range,
        },
        message,
    }
}

fn of_finding(uri: &Uri, text: &str, index: &LineIndex, f: &Finding, opts: Options) -> Diagnostic {
    let range = index.range(text, f.span);
    let labels: Vec<(Range, &str)> = f
        .labels
        .iter()
        .map(|l| (index.range(text, l.span), l.message.as_str()))
        .collect();
    let mut message = f.message.clone();
    let related_information = if opts.related_information {
        let mut r: Vec<_> = labels
            .iter()
            .map(|(range, m)| related(uri, *range, (*m).to_string()))
            .collect();
        if !f.help.is_empty() {
            r.push(related(uri, range, format!("help: {}", f.help)));
        }
        (!r.is_empty()).then_some(r)
    } else {
        for (range, m) in &labels {
            message.push_str(&format!(
                "\n{m} (line {}, column {})",
                range.start.line + 1,
                range.start.character + 1
            ));
        }
        if !f.help.is_empty() {
            message.push_str(&format!("\nhelp: {}", f.help));
        }
        None
    };
    Diagnostic {
        range,
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.code.clone())),
        code_description: None,
        source: Some(SOURCE.to_string()),
        message,
        related_information,
        tags: None,
        data: Some(json!({"item": f.item, "kind": f.kind, "help": f.help})),
    }
}

/// A letter that could not be parsed: one error on its first line, naming the
/// problem, and where the parser looked when it knows.
fn of_failure(
    uri: &Uri,
    text: &str,
    index: &LineIndex,
    failure: &Failure,
    opts: Options,
) -> Diagnostic {
    let first_line_end = text.find(['\n', '\r']).unwrap_or(text.len());
    let top = Range::new(Position::new(0, 0), index.position(text, first_line_end));
    let code = match failure {
        Failure::Parse(e) => format!("parse/{}", e.code()),
        Failure::Read(e) => e.code().to_string(),
    };
    let mut message = failure.message();
    let mut related_information = None;
    if let Failure::Parse(e) = failure
        && let Some(span) = e.span()
    {
        let range = index.range(text, first_line(text, span));
        if opts.related_information {
            related_information = Some(vec![related(uri, range, e.label().to_string())]);
        } else {
            message.push_str(&format!("\n{} (line {})", e.label(), range.start.line + 1));
        }
    }
    Diagnostic {
        range: top,
        severity: Some(DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String(code)),
        code_description: None,
        source: Some(SOURCE.to_string()),
        message,
        related_information,
        tags: None,
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Label;
    use crate::render::parse::Outcome;
    use crate::rulebook::Kind;
    use crate::source::{Source, SourceKind};
    use crate::span::Span;

    fn checked(text: &str, findings: Vec<Finding>) -> Checked {
        Checked {
            outcome: Outcome::parsed(Source {
                path: "letter.txt".into(),
                kind: SourceKind::Text,
                text: text.into(),
            }),
            findings,
            suppressed: Vec::new(),
        }
    }

    fn uri() -> Uri {
        "file:///letters/letter.txt".parse().unwrap()
    }

    #[test]
    fn a_letter_that_does_not_parse_gives_one_error_at_the_top() {
        let c = checked("Dear Sir,\r\nnothing here\r\n", Vec::new());
        let d = of_checked(&uri(), &c, Options::default());
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].range,
            Range::new(Position::new(0, 0), Position::new(0, 9))
        );
        assert_eq!(d[0].severity, Some(DiagnosticSeverity::ERROR));
        assert_eq!(
            d[0].code,
            Some(NumberOrString::String("parse/unknown-layout".into()))
        );
        assert!(d[0].message.contains("not a recognised IMR letter"));
        let empty = of_checked(&uri(), &checked("", Vec::new()), Options::default());
        assert_eq!(empty[0].range, Range::default());
    }

    #[test]
    fn labels_and_help_go_to_related_information_or_the_message() {
        let text = "Façade: line one\nsecond Overturned";
        let o = text.find("Overturned").unwrap();
        let f = Finding {
            code: "conclusion/x".into(),
            kind: Kind::Conclusion,
            severity: Severity::Info,
            item: Some(1),
            message: "the message".into(),
            span: Span::new(o, o + 10),
            labels: vec![Label {
                span: Span::new(8, 12),
                message: "the line".into(),
            }],
            help: "what the guideline says".into(),
            rule: "conclusion/x".into(),
        };
        // The finding is made by hand: the letter itself does not parse, but
        // only findings of parsed letters are rendered, so render directly.
        let index = LineIndex::new(text);
        let opts = Options {
            related_information: true,
        };
        let d = of_finding(&uri(), text, &index, &f, opts);
        assert_eq!(d.severity, Some(DiagnosticSeverity::INFORMATION));
        assert_eq!(d.message, "the message");
        assert_eq!(
            d.range,
            Range::new(Position::new(1, 7), Position::new(1, 17))
        );
        let r = d.related_information.unwrap();
        assert_eq!(
            r[0].location.range,
            Range::new(Position::new(0, 7), Position::new(0, 11))
        );
        assert_eq!(r[0].message, "the line");
        assert_eq!(r[1].message, "help: what the guideline says");
        let plain = of_finding(&uri(), text, &index, &f, Options::default());
        assert!(plain.related_information.is_none());
        assert_eq!(
            plain.message,
            "the message\nthe line (line 1, column 8)\nhelp: what the guideline says"
        );
    }
}
