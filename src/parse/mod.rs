//! Letter parser: text in, [`Letter`] out. No I/O.
//!
//! The parser folds the text once (see [`crate::fold`]), finds the section
//! headings, decides the layout from them, and hands each region to the
//! reader for that part: header table, credentials, case summary, item
//! blocks, guideline lines, conclusions. A letter whose layout cannot be told,
//! or that holds no decision, is an error naming what is missing; parts that
//! are merely absent (a guideline line, a rationale) stay `None` so the rule
//! engine can report them.

mod citation;
mod conclusion;
pub mod directives;
pub(crate) mod header;
mod heads;
mod items;
mod marks;
mod older;
mod partial;
mod people;
pub(crate) mod scan;

use std::sync::LazyLock;

use regex::Regex;

use crate::fold::Folded;
use crate::model::{Layout, Letter, Section};
use crate::span::Span;
use scan::Step;

pub use citation::parse_guideline_line;
pub use conclusion::find_conclusion;

/// Strings for the tests that hold a hand matcher to the regex it replaces.
#[cfg(test)]
pub(crate) mod generated {
    /// `n` joins of 1 to `most` of `pieces`, by a fixed pseudo-random walk
    /// (xorshift), so that every run tests the same strings.
    pub(crate) fn joins(pieces: &[&str], n: usize, most: u64) -> Vec<String> {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        (0..n)
            .map(|_| {
                let count = next() % most + 1;
                (0..count)
                    .map(|_| pieces[(next() >> 33) as usize % pieces.len()])
                    .collect()
            })
            .collect()
    }
}

/// Why a text is not a letter imrlint can read. Codes are a JSON contract.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the letter is empty (no text to read)")]
    Empty,
    #[error(
        "not a recognised IMR letter: none of the known section headings was found \
         (expected e.g. 'IMR ISSUES, DECISIONS AND RATIONALES', 'ISSUE AT DISPUTE:' or \
         'Notice of Independent Medical Review Determination')"
    )]
    UnknownLayout,
    #[error("{layout} letter without any item decision: {expected}")]
    NoItems {
        layout: &'static str,
        expected: &'static str,
        /// Where the items were looked for.
        region: Span,
    },
    #[error("{layout} letter: no decision found for '{item}': {expected}")]
    MissingDecision {
        layout: &'static str,
        item: String,
        expected: &'static str,
        span: Span,
    },
}

impl ParseError {
    pub fn code(&self) -> &'static str {
        match self {
            ParseError::Empty => "empty",
            ParseError::UnknownLayout => "unknown-layout",
            ParseError::NoItems { .. } => "no-items",
            ParseError::MissingDecision { .. } => "missing-decision",
        }
    }

    /// What the span of [`ParseError::span`] shows.
    pub fn label(&self) -> &'static str {
        match self {
            ParseError::NoItems { .. } => "no '<item>: Upheld|Overturned' line from here on",
            ParseError::MissingDecision { .. } => "this item has no decision",
            _ => "",
        }
    }

    pub fn span(&self) -> Option<Span> {
        match self {
            ParseError::NoItems { region, .. } => Some(*region),
            ParseError::MissingDecision { span, .. } => Some(*span),
            _ => None,
        }
    }
}

/// A heading found in the folded text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Heading {
    pub kind: HeadingKind,
    /// Folded offsets of the heading words.
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeadingKind {
    HowMade,
    DocumentsReviewed,
    CaseSummary,
    Issues,
    Decisions,
}

impl HeadingKind {
    fn name(self) -> &'static str {
        match self {
            HeadingKind::HowMade => "how-the-determination-was-made",
            HeadingKind::DocumentsReviewed => "documents-reviewed",
            HeadingKind::CaseSummary => "clinical-case-summary",
            HeadingKind::Issues | HeadingKind::Decisions => "decisions-and-rationales",
        }
    }
}

/// The heading phrases, as the regexes `(?i)HOW THE IMR FINAL DETERMINATION
/// WAS MADE`, `(?i)DOCUMENTS REVIEWED`, `(?i)CLINICAL CASE SUMMARY`,
/// `(?i)IMR ISSUES,? DECISIONS,? AND RATIONALES` and
/// `(?i)IMR DECISION\(?S?\)? AND RATIONALE\(?S?\)?` would match them.
const HEADINGS: &[(HeadingKind, &[Step])] = &[
    (
        HeadingKind::HowMade,
        &[Step::Lit("HOW THE IMR FINAL DETERMINATION WAS MADE")],
    ),
    (
        HeadingKind::DocumentsReviewed,
        &[Step::Lit("DOCUMENTS REVIEWED")],
    ),
    (
        HeadingKind::CaseSummary,
        &[Step::Lit("CLINICAL CASE SUMMARY")],
    ),
    (
        HeadingKind::Issues,
        &[
            Step::Lit("IMR ISSUES"),
            Step::Opt(b','),
            Step::Lit(" DECISIONS"),
            Step::Opt(b','),
            Step::Lit(" AND RATIONALES"),
        ],
    ),
    (
        HeadingKind::Decisions,
        &[
            Step::Lit("IMR DECISION"),
            Step::Opt(b'('),
            Step::Opt(b'S'),
            Step::Opt(b')'),
            Step::Lit(" AND RATIONALE"),
            Step::Opt(b'('),
            Step::Opt(b'S'),
            Step::Opt(b')'),
        ],
    ),
];

/// For each byte, the headings (bit k for `HEADINGS[k]`) whose phrase starts
/// with it in either case.
const HEADING_LEADS: [u8; 256] = {
    assert!(HEADINGS.len() <= 8);
    let mut t = [0u8; 256];
    let mut k = 0;
    while k < HEADINGS.len() {
        if let Some(Step::Lit(lead)) = HEADINGS[k].1.first() {
            let b = lead.as_bytes()[0];
            t[b.to_ascii_lowercase() as usize] |= 1 << k;
            t[b.to_ascii_uppercase() as usize] |= 1 << k;
        }
        k += 1;
    }
    t
};

static MEDICAL_PROFESSIONAL_REVIEW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\bISSUE AT DISPUTE:|MEDICAL PROFESSIONAL REVIEW|RELIED UPON BY PROFESSIONAL REVIEWER",
    )
    .expect("pattern")
});
static NOTICE_2013: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)Notice of Independent Medical Review Determination|\d\)\s*MAXIMUS Federal Services,? Inc\.? has determined")
        .expect("pattern")
});

/// Finds the headings that stand alone on their line (an optional colon may
/// follow), in document order, first occurrence of each kind.
///
/// A heading starts a line, so only line starts are tried, and only against
/// the headings whose first letter they hold. No heading phrase can overlap
/// another match of itself, so the first match at a line start is the one a
/// search of the whole text would reach first.
pub(crate) fn find_headings(f: &Folded) -> Vec<Heading> {
    let text = f.as_str();
    let bytes = text.as_bytes();
    let mut found: Vec<Heading> = Vec::new();
    // Headings found so far, bit k for `HEADINGS[k]` (their kinds differ).
    let mut seen = 0u8;
    // Tries the line at `start` against the headings not yet found whose
    // first letter it holds; true once every heading is found.
    let mut try_line = |start: usize, candidates: u8| {
        let mut candidates = candidates & !seen;
        while candidates != 0 {
            let k = candidates.trailing_zeros() as usize;
            candidates &= candidates - 1;
            let (kind, steps) = &HEADINGS[k];
            let Some(mut end) = scan::steps_at(text, start, steps) else {
                continue;
            };
            if text[end..].starts_with(':') {
                end += 1;
            }
            if f.is_line_end(end) {
                seen |= 1 << k;
                found.push(Heading {
                    kind: *kind,
                    start,
                    end,
                });
            }
        }
        found.len() == HEADINGS.len()
    };
    let lead = |start: usize| {
        bytes
            .get(start)
            .map_or(0, |&b| HEADING_LEADS[usize::from(b)])
    };
    // Most lines start with no heading's first letter: one table look.
    if !try_line(0, lead(0)) {
        for (p, _) in f.breaks_in(0, f.len()) {
            let candidates = lead(p + 1);
            if candidates != 0 && try_line(p + 1, candidates) {
                break;
            }
        }
    }
    found
}

/// Parses one letter. `text` is the whole letter as read; every span in the
/// result slices `text`.
///
/// `imrlint:` directive lines are found first and blanked out (spaces, same
/// length, so every span still slices `text`): the letter is read as if they
/// were not there, and each directive is then placed in the item it stands in.
pub fn parse(text: &str) -> Result<Letter, ParseError> {
    let mut found = directives::find(text);
    let masked = directives::mask(text, &found);
    let mut letter = parse_letter(&masked)?;
    directives::place(&mut found, &letter.items);
    letter.directives = found;
    Ok(letter)
}

fn parse_letter(text: &str) -> Result<Letter, ParseError> {
    let f = Folded::new(text);
    if f.is_empty() {
        return Err(ParseError::Empty);
    }
    let headings = find_headings(&f);
    let has = |k: HeadingKind| headings.iter().any(|h| h.kind == k);
    let items_heading = headings
        .iter()
        .find(|h| matches!(h.kind, HeadingKind::Issues | HeadingKind::Decisions));

    if let Some(ih) = items_heading {
        let header = header::read_header(&f, headings.first().map_or(0, |h| h.start));
        let layout = if ih.kind == HeadingKind::Decisions || has(HeadingKind::DocumentsReviewed) {
            Layout::DocumentsReviewed
        } else if header.has_table {
            Layout::FinalDetermination2016
        } else {
            Layout::FinalDetermination2013
        };
        let sections = sections(&f, &headings);
        let region_end = f.len();
        let items = items::read_items(&f, ih.end, region_end, layout)?;
        let how = body_of(&headings, HeadingKind::HowMade, f.len());
        let reviewer = how
            .map(|(s, e)| people::read_reviewer(&f, s, e))
            .unwrap_or_default();
        let (case_summary, patient) = match body_of(&headings, HeadingKind::CaseSummary, f.len()) {
            Some((s, e)) => {
                let summary = people::case_summary(&f, s, e);
                let patient = people::read_patient(&f, s, e);
                (summary, patient)
            }
            None => (None, Default::default()),
        };
        return Ok(Letter {
            layout,
            case_number: header.case_number,
            dates: header.dates,
            priority: header.priority,
            reviewer,
            patient,
            case_summary,
            sections,
            items,
            directives: Vec::new(),
        });
    }
    if MEDICAL_PROFESSIONAL_REVIEW.is_match(f.as_str()) {
        return older::medical_professional_review(&f);
    }
    if NOTICE_2013.is_match(f.as_str()) {
        return older::notice_2013(&f);
    }
    Err(ParseError::UnknownLayout)
}

/// Folded body range of the first heading of `kind`: up to the next heading.
fn body_of(headings: &[Heading], kind: HeadingKind, len: usize) -> Option<(usize, usize)> {
    let i = headings.iter().position(|h| h.kind == kind)?;
    let end = headings.get(i + 1).map_or(len, |h| h.start);
    Some((headings[i].end, end))
}

fn sections(f: &Folded, headings: &[Heading]) -> Vec<Section> {
    headings
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let end = headings.get(i + 1).map_or(f.len(), |n| n.start);
            Section {
                name: h.kind.name().to_string(),
                heading: f.span(h.start, h.end),
                body: f.span(h.end, end),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The former search, every heading tried at every line start.
    fn find_headings_reference(f: &Folded) -> Vec<Heading> {
        let text = f.as_str();
        let mut found: Vec<Heading> = Vec::new();
        let line_starts = std::iter::once(0).chain(f.breaks_in(0, f.len()).map(|(p, _)| p + 1));
        for start in line_starts {
            let Some(&first) = text.as_bytes().get(start) else {
                continue;
            };
            for (kind, steps) in HEADINGS {
                let Some(Step::Lit(lead)) = steps.first() else {
                    continue;
                };
                if !lead.as_bytes()[0].eq_ignore_ascii_case(&first)
                    || found.iter().any(|h| h.kind == *kind)
                {
                    continue;
                }
                let Some(mut end) = scan::steps_at(text, start, steps) else {
                    continue;
                };
                if text[end..].starts_with(':') {
                    end += 1;
                }
                if f.is_line_end(end) {
                    found.push(Heading {
                        kind: *kind,
                        start,
                        end,
                    });
                }
            }
            if found.len() == HEADINGS.len() {
                break;
            }
        }
        found
    }

    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("HOW THE IMR FINAL DETERMINATION WAS MADE".to_string()),
            Just("Documents Reviewed:".to_string()),
            Just("clinical case summary".to_string()),
            Just("IMR ISSUES, DECISIONS, AND RATIONALES".to_string()),
            Just("IMR Decision(s) and Rationale(s)".to_string()),
            Just("IMR DECISION AND RATIONALE x".to_string()),
            Just("\u{17f}ummary \u{212a} \u{e9}".to_string()),
            "[a-zA-Z0-9 :,()\u{a0}\u{e9}\u{17f}]{0,20}",
        ]
    }

    proptest! {
        #[test]
        fn heading_table_finds_what_every_heading_tried_finds(
            lines in proptest::collection::vec(line(), 0..12),
            seps in proptest::collection::vec(prop_oneof![Just("\n"), Just("\n\n"), Just(" "), Just("\x0c")], 12),
        ) {
            let mut text = String::new();
            for (l, s) in lines.iter().zip(&seps) {
                text.push_str(l);
                text.push_str(s);
            }
            let f = Folded::new(&text);
            prop_assert_eq!(find_headings(&f), find_headings_reference(&f));
        }
    }
}
