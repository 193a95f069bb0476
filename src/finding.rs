//! Findings: what the engine reports. Plain data; renderers only render.

use serde::Serialize;

use crate::rulebook::{Kind, Severity};
use crate::span::Span;

/// A secondary span with what it shows ("the decision", "the citation").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable rule code, `<kind>/<slug>`.
    pub code: String,
    pub kind: Kind,
    pub severity: Severity,
    /// 1-based item index; `None` for letter-level findings.
    pub item: Option<usize>,
    pub message: String,
    pub span: Span,
    pub labels: Vec<Label>,
    /// What the guideline says, with its source.
    pub help: String,
    /// The rule's code (same as `code`; kept for consumers that key on `rule`).
    pub rule: String,
}
