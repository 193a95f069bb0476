//! miette rendering shared by every human-facing report: one [`Report`] type
//! (code, message, labelled spans into a named source, help) and the choice
//! of graphical or narratable output.

use std::fmt;
use std::io::IsTerminal;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource,
    NarratableReportHandler, Severity, SourceCode,
};

use crate::span::Span;

/// A diagnostic over one letter (or rule file).
#[derive(Debug)]
pub struct Report {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub source: NamedSource<String>,
    /// (span, label); the first is the primary one.
    pub labels: Vec<(Span, String)>,
    pub help: Option<String>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().enumerate().map(
            |(i, (span, label))| {
                let label = (!label.is_empty()).then(|| label.clone());
                if i == 0 {
                    LabeledSpan::new_primary_with_span(label, *span)
                } else {
                    LabeledSpan::new_with_span(label, *span)
                }
            },
        )))
    }
}

/// How reports are drawn: graphical with colour on a terminal, graphical
/// without colour when `NO_COLOR` is set, narratable text otherwise (pipes,
/// CI logs, screen readers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Graphical { color: bool },
    Narratable,
}

impl Style {
    pub fn for_stream(is_terminal: bool) -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        match (is_terminal, no_color) {
            (true, false) => Style::Graphical { color: true },
            (true, true) => Style::Graphical { color: false },
            (false, _) => Style::Narratable,
        }
    }

    pub fn stderr() -> Style {
        Style::for_stream(std::io::stderr().is_terminal())
    }
}

pub fn render(report: &Report, style: Style) -> String {
    let mut out = String::new();
    let result = match style {
        Style::Graphical { color } => {
            let theme = if color {
                GraphicalTheme::unicode()
            } else {
                GraphicalTheme::unicode_nocolor()
            };
            GraphicalReportHandler::new_themed(theme).render_report(&mut out, report)
        }
        Style::Narratable => NarratableReportHandler::new().render_report(&mut out, report),
    };
    if result.is_err() {
        // Rendering only fails on a span outside the source; fall back to the message.
        out = format!(
            "{}[{}]: {}\n",
            severity_word(report.severity),
            report.code,
            report.message
        );
    }
    out
}

pub fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Advice => "info",
    }
}

/// Narrows a span to its first line, so a label on a large region stays readable.
pub fn first_line(text: &str, span: Span) -> Span {
    let Some(s) = span.slice(text) else {
        return span;
    };
    let s = s.trim_start();
    let start = span.offset + (span.length - s.len());
    let len = s.find(['\n', '\r', '\x0c']).unwrap_or(s.len());
    Span::new(start, start + len)
}
