//! The two older layouts, known from their headings only:
//! the MEDICAL PROFESSIONAL REVIEW letter and the 2013 Notice of Independent
//! Medical Review Determination.
//!
//! No full sample of either is at hand, so these readers take only what the
//! known headings and sentences make certain, and fail with a clear error
//! naming what is missing rather than guess a decision.

use std::sync::LazyLock;

use regex::Regex;

use super::ParseError;
use super::citation::parse_guideline_line;
use super::conclusion::find_conclusion;
use super::header::parse_date;
use super::people::{case_summary, read_patient, read_reviewer};
use crate::fold::Folded;
use crate::model::{
    Conclusion, Date, Dates, Decision, DecisionSource, Item, Layout, Letter, Section,
};
use crate::span::{Span, Spanned};

/// Headings of the MEDICAL PROFESSIONAL REVIEW letter. Two of them break
/// across lines in extracted text; folding makes any whitespace one space.
static MPR_HEADINGS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("issue-at-dispute", r"(?i)ISSUES? AT DISPUTE\s?:"),
        ("case-summary", r"(?i)CASE SUMMARY\s?:"),
        ("documents-reviewed", r"(?i)DOCUMENTS REVIEWED FOR DETERMINATION\s?:"),
        (
            "guidelines",
            r"(?i)MEDICAL TREATMENT GUIDELINE\(?S?\)? RELIED UPON BY PROFESSIONAL REVIEWER AND WHY\s?:",
        ),
        (
            "rationale",
            r"(?i)RATIONALE FOR WHY THE REQUESTED TREATMENT\s?/\s?SERVICE (?:IS\s?/\s?WAS|IS|WAS) (?:NOT )?MEDICALLY NECESSARY\s?:",
        ),
        ("qualifications", r"(?i)MEDICAL REVIEWER QUALIFICATIONS\s?:"),
    ]
    .into_iter()
    .map(|(n, p)| (n, Regex::new(p).expect("heading pattern")))
    .collect()
});

static STATED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)[:\-–]\s?(upheld|overturned)\b").expect("pattern"));
static NUMBERED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|\s)(?:\d{1,2}[.)]|[•\-])\s").expect("pattern"));

struct Found {
    name: &'static str,
    start: usize,
    end: usize,
}

fn find_all(f: &Folded, table: &[(&'static str, Regex)]) -> Vec<Found> {
    let mut out: Vec<Found> = table
        .iter()
        .filter_map(|(name, re)| {
            re.find_iter(f.as_str())
                .find(|m| f.is_line_start(m.start()))
                .map(|m| Found {
                    name,
                    start: m.start(),
                    end: m.end(),
                })
        })
        .collect();
    out.sort_by_key(|h| h.start);
    out
}

fn body(found: &[Found], name: &str, len: usize) -> Option<(usize, usize)> {
    let i = found.iter().position(|h| h.name == name)?;
    Some((found[i].end, found.get(i + 1).map_or(len, |n| n.start)))
}

fn spanned(f: &Folded, s: usize, e: usize) -> Option<Spanned<String>> {
    let (s, e) = f.trim(s, e);
    (s < e).then(|| Spanned::new(f.slice(s, e).to_string(), f.span(s, e)))
}

fn to_sections(f: &Folded, found: &[Found]) -> Vec<Section> {
    found
        .iter()
        .enumerate()
        .map(|(i, h)| Section {
            name: h.name.to_string(),
            heading: f.span(h.start, h.end),
            body: f.span(h.end, found.get(i + 1).map_or(f.len(), |n| n.start)),
        })
        .collect()
}

/// Layout 4: one ISSUE AT DISPUTE section (possibly a numbered list of
/// issues) sharing one guideline section and one rationale.
pub(crate) fn medical_professional_review(f: &Folded) -> Result<Letter, ParseError> {
    let layout = Layout::MedicalProfessionalReview;
    let found = find_all(f, &MPR_HEADINGS);
    let Some((is, ie)) = body(&found, "issue-at-dispute", f.len()) else {
        return Err(ParseError::NoItems {
            layout: layout.name(),
            expected: "an 'ISSUE AT DISPUTE:' section naming the disputed treatment",
            region: f.span(0, f.len()),
        });
    };
    let guideline = body(&found, "guidelines", f.len()).map(|(s, e)| {
        let (s, e) = f.trim(s, e);
        parse_guideline_line(f, s, e)
    });
    let rationale_range = body(&found, "rationale", f.len()).map(|(s, e)| f.trim(s, e));
    let rationale = rationale_range.and_then(|(s, e)| spanned(f, s, e));
    let (conclusion, conclusion_span) = match rationale_range {
        Some((s, e)) => find_conclusion(f, s, e),
        None => (Conclusion::Unclear, None),
    };
    let mut items = Vec::new();
    for (k, (s, e)) in issue_entries(f, is, ie).into_iter().enumerate() {
        let text = &f.as_str()[s..e];
        // A stated decision wins; otherwise the rationale's own verdict is the
        // determination, as the letter gives no other.
        let (name_end, decision, decision_span, source) = match STATED.captures(text) {
            Some(c) => {
                let (Some(m), Some(w)) = (c.get(0), c.get(1)) else {
                    continue;
                };
                let d = if w.as_str().eq_ignore_ascii_case("upheld") {
                    Decision::Upheld
                } else {
                    Decision::Overturned
                };
                (
                    s + m.start(),
                    d,
                    f.span(s + w.start(), s + w.end()),
                    DecisionSource::Stated,
                )
            }
            None => match (conclusion.implied_decision(), conclusion_span) {
                (Some(d), Some(span)) => (e, d, span, DecisionSource::Determination),
                _ => {
                    return Err(ParseError::MissingDecision {
                        layout: layout.name(),
                        item: f.slice(s, e).to_string(),
                        expected: "'<item>: Upheld|Overturned' under ISSUE AT DISPUTE, or a rationale that concludes 'is (not) medically necessary'",
                        span: f.span(s, e),
                    });
                }
            },
        };
        let Some(name) = spanned(f, s, name_end) else {
            continue;
        };
        items.push(Item {
            index: k + 1,
            header: f.span(s, e),
            name,
            original_request: None,
            authorized: None,
            partial: false,
            decision: Spanned::new(decision, decision_span),
            decision_source: source,
            claims_administrator: None,
            maximus: guideline.clone(),
            rationale: rationale.clone(),
            conclusion,
            conclusion_span,
            span: f.span(s, rationale_range.map_or(e, |r| r.1.max(e))),
        });
    }
    if items.is_empty() {
        return Err(ParseError::NoItems {
            layout: layout.name(),
            expected: "a treatment named under 'ISSUE AT DISPUTE:'",
            region: f.span(is, ie),
        });
    }
    let reviewer = body(&found, "qualifications", f.len())
        .map(|(s, e)| read_reviewer(f, s, e))
        .unwrap_or_default();
    let summary = body(&found, "case-summary", f.len());
    Ok(letter_without_header(
        f,
        layout,
        Dates::default(),
        reviewer,
        summary,
        &found,
        items,
    ))
}

/// Splits an ISSUE AT DISPUTE body into entries: numbered or bulleted lines,
/// else the whole body as one entry.
fn issue_entries(f: &Folded, s: usize, e: usize) -> Vec<(usize, usize)> {
    let (s, e) = f.trim(s, e);
    let text = &f.as_str()[s..e];
    let marks: Vec<_> = NUMBERED
        .find_iter(text)
        .filter(|m| {
            let at = s + m.start() + usize::from(m.as_str().starts_with(' '));
            f.is_line_start(at)
        })
        .collect();
    if marks.len() < 2 {
        return if s < e { vec![(s, e)] } else { Vec::new() };
    }
    marks
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let next = marks.get(i + 1).map_or(e, |n| s + n.start());
            f.trim(s + m.end(), next)
        })
        .collect()
}

static NOTICE_DECISION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?P<n>\d{1,2})\)\s?MAXIMUS Federal Services,? Inc\.? has determined (?:that )?the request for (?P<name>.+?) (?P<verdict>is (?P<not>not\s?)?medically necessary(?: and appropriate)?)\.",
    )
    .expect("pattern")
});
static NOTICE_REGARDING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?P<n>\d{1,2})\)\s?Regarding the request for (?P<name>[^:]+?):")
        .expect("pattern")
});
static NOTICE_LABELS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?P<g>Medical Treatment Guidelines?(?:\(s\))? (?:Relied Upon|Used) by the Expert Reviewer\s?:)|(?P<r>Rationale for the Decision\s?:)",
    )
    .expect("pattern")
});
static NOTICE_HEADINGS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        (
            "decision-and-rationale",
            r"(?i)INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE",
        ),
        (
            "qualifications",
            r"(?i)Medical Qualifications of the Expert Reviewer\s?:",
        ),
        ("case-summary", r"(?i)Case Summary\s?:"),
    ]
    .into_iter()
    .map(|(n, p)| (n, Regex::new(p).expect("heading pattern")))
    .collect()
});
static NOTICE_DATES: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        (
            "decision",
            r"(?i)Determination\s+Dated\s?:\s?(\d{1,2}/\d{1,2}/\d{2,4})",
        ),
        (
            "received",
            r"(?i)Independent Medical Review was filed on (\d{1,2}/\d{1,2}/\d{2,4})",
        ),
        (
            "ur",
            r"(?i)Utilization Review (?:Denial|determination) dated (\d{1,2}/\d{1,2}/\d{2,4})",
        ),
        (
            "assigned",
            r"(?i)Notice of Assignment[^.]{0,80}? on (\d{1,2}/\d{1,2}/\d{2,4})",
        ),
    ]
    .into_iter()
    .map(|(n, p)| (n, Regex::new(p).expect("date pattern")))
    .collect()
});

/// One numbered determination: where it starts, the item name, the verdict
/// words, and whether the verdict is "not medically necessary".
type Determination = (usize, std::ops::Range<usize>, std::ops::Range<usize>, bool);

/// Layout 5: numbered determinations, each "MAXIMUS ... has determined the
/// request for X is (not) medically necessary", printed twice (notice and
/// decision section); per-item guideline and rationale blocks when present.
pub(crate) fn notice_2013(f: &Folded) -> Result<Letter, ParseError> {
    let layout = Layout::Notice2013;
    let text = f.as_str();
    let found = find_all(f, &NOTICE_HEADINGS);
    // Document order; the decision section repeats the list, so a number seen
    // before is skipped.
    let mut seen: Vec<(usize, Determination)> = Vec::new();
    for c in NOTICE_DECISION.captures_iter(text) {
        let (Some(n), Some(name), Some(verdict)) = (c.name("n"), c.name("name"), c.name("verdict"))
        else {
            continue;
        };
        let Ok(n) = n.as_str().parse::<usize>() else {
            continue;
        };
        if seen.iter().any(|(k, _)| *k == n) {
            continue;
        }
        seen.push((
            n,
            (
                c.get(0).map_or(0, |m| m.start()),
                name.range(),
                verdict.range(),
                c.name("not").is_some(),
            ),
        ));
    }
    if seen.is_empty() {
        return Err(ParseError::NoItems {
            layout: layout.name(),
            expected: "numbered determinations '1) MAXIMUS Federal Services, Inc. has determined the request for <item> is (not) medically necessary'",
            region: f.span(0, f.len()),
        });
    }
    let blocks = regarding_blocks(f);
    let mut items = Vec::new();
    for (k, (n, (start, name, verdict, not))) in seen.into_iter().enumerate() {
        let name_text = &text[name.clone()];
        let article = ["a ", "an ", "the "]
            .iter()
            .find(|a| {
                name_text.len() > a.len()
                    && name_text
                        .get(..a.len())
                        .is_some_and(|p| p.eq_ignore_ascii_case(a))
            })
            .map_or(0, |a| a.len());
        let Some(name_s) = spanned(f, name.start + article, name.end) else {
            continue;
        };
        let decision = if not {
            Decision::Upheld
        } else {
            Decision::Overturned
        };
        let block = blocks.iter().find(|b| b.n == n);
        let rationale = block
            .and_then(|b| b.rationale)
            .and_then(|(s, e)| spanned(f, s, e));
        let (conclusion, conclusion_span) = match block.and_then(|b| b.rationale) {
            Some((s, e)) => find_conclusion(f, s, e),
            None => (Conclusion::Unclear, None),
        };
        items.push(Item {
            index: k + 1,
            header: f.span(start, verdict.end),
            name: name_s,
            original_request: None,
            authorized: None,
            partial: false,
            decision: Spanned::new(decision, f.span(verdict.start, verdict.end)),
            decision_source: DecisionSource::Determination,
            claims_administrator: None,
            maximus: block
                .and_then(|b| b.guideline)
                .map(|(s, e)| parse_guideline_line(f, s, e)),
            rationale,
            conclusion,
            conclusion_span,
            // The item's block; its name and decision stand apart, in the determination
            // list that `header` spans.
            span: block.map_or(f.span(start, verdict.end), |b| b.span),
        });
    }
    let reviewer = body(&found, "qualifications", f.len())
        .map(|(s, e)| read_reviewer(f, s, e))
        .unwrap_or_default();
    let summary = body(&found, "case-summary", f.len()).map(|(s, e)| {
        // The summary ends where the per-item blocks begin.
        let e = blocks.first().map_or(e, |b| b.start.max(s).min(e));
        (s, e)
    });
    Ok(letter_without_header(
        f,
        layout,
        notice_dates(f),
        reviewer,
        summary,
        &found,
        items,
    ))
}

/// The older layouts have no header table: no case number or priority.
fn letter_without_header(
    f: &Folded,
    layout: Layout,
    dates: Dates,
    reviewer: crate::model::Reviewer,
    summary: Option<(usize, usize)>,
    found: &[Found],
    items: Vec<Item>,
) -> Letter {
    Letter {
        layout,
        case_number: None,
        dates,
        priority: None,
        reviewer,
        patient: summary
            .map(|(s, e)| read_patient(f, s, e))
            .unwrap_or_default(),
        case_summary: summary.and_then(|(s, e)| case_summary(f, s, e)),
        sections: to_sections(f, found),
        items,
        directives: Vec::new(),
    }
}

struct Block {
    n: usize,
    start: usize,
    span: Span,
    guideline: Option<(usize, usize)>,
    rationale: Option<(usize, usize)>,
}

fn regarding_blocks(f: &Folded) -> Vec<Block> {
    let text = f.as_str();
    let heads: Vec<_> = NOTICE_REGARDING.captures_iter(text).collect();
    let mut out = Vec::new();
    for (i, c) in heads.iter().enumerate() {
        let (Some(whole), Some(n)) = (c.get(0), c.name("n")) else {
            continue;
        };
        let Ok(n) = n.as_str().parse() else { continue };
        let end = heads
            .get(i + 1)
            .and_then(|h| h.get(0))
            .map_or(text.len(), |h| h.start());
        let labels: Vec<_> = NOTICE_LABELS
            .captures_iter(&text[whole.end()..end])
            .collect();
        let mut block = Block {
            n,
            start: whole.start(),
            span: f.span(whole.start(), end),
            guideline: None,
            rationale: None,
        };
        for (k, l) in labels.iter().enumerate() {
            let Some(m) = l.get(0) else { continue };
            let s = whole.end() + m.end();
            let e = labels
                .get(k + 1)
                .and_then(|x| x.get(0))
                .map_or(end, |x| whole.end() + x.start());
            let range = Some(f.trim(s, e));
            if l.name("g").is_some() {
                block.guideline = block.guideline.or(range);
            } else {
                block.rationale = block.rationale.or(range);
            }
        }
        out.push(block);
    }
    out
}

fn notice_dates(f: &Folded) -> Dates {
    let mut d = Dates::default();
    for (name, re) in NOTICE_DATES.iter() {
        let Some(m) = re.captures(f.as_str()).and_then(|c| c.get(1)) else {
            continue;
        };
        let Some(date): Option<Date> = parse_date(m.as_str()) else {
            continue;
        };
        let v = Some(Spanned::new(date, f.span(m.start(), m.end())));
        match *name {
            "decision" => d.decision = v,
            "received" => d.application_received = v,
            "ur" => d.ur_denial = v,
            _ => d.assigned = v,
        }
    }
    d
}
