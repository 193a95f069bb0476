//! Item blocks: `<item>: Upheld`, the two guideline lines and the rationale.
//!
//! The decision word is the anchor: `: Upheld` or `: Overturned` at the end
//! of a line (the name may hold colons of its own, so the last colon wins; the
//! word may have wrapped onto a line of its own). The header runs back from
//! there to the last line that ends a sentence, which is the end of the
//! previous rationale; partial-authorisation headers are several sentences
//! long, so the search goes on back until it holds "was the original request".

use std::sync::LazyLock;

use regex::Regex;

use super::ParseError;
use super::citation::parse_guideline_line;
use super::conclusion::find_conclusion;
use crate::fold::Folded;
use crate::model::{Conclusion, Decision, DecisionSource, Item, Layout};
use crate::span::Spanned;

static INTRO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)The Final Determination was based on decisions for the disputed items/services set forth below:?")
        .expect("intro pattern")
});
static DECISION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i):\s?(upheld|overturned)\b\.?").expect("decision pattern"));
pub(crate) static LABELS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(Claims Administrator guideline|MAXIMUS guideline|Decision rationale)\s?:")
        .expect("label pattern")
});
static PARTIAL_A: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?P<orig>.+?),? was the original request\. The Claims Administrator authorized (?P<auth>.+?),? leaving the original request IMR eligible\. The original request,? (?P<name>.+?),?(?: is)?$",
    )
    .expect("partial pattern")
});
static PARTIAL_B: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?P<orig>.+?),? was the original request\. (?P<auth>.+?),? was authorized by the Claims Administrator\. The remaining IMR eligible portion of the original request,? (?P<name>.+?),?(?: is)?$",
    )
    .expect("partial pattern")
});
static ORIGINAL_REQUEST: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bwas the original request\b").expect("pattern"));

struct Marker {
    colon: usize,
    word_start: usize,
    word_end: usize,
    end: usize,
    decision: Decision,
}

fn markers(f: &Folded, start: usize, end: usize) -> Vec<Marker> {
    let text = &f.as_str()[..end];
    DECISION
        .captures_iter(&text[start..])
        .filter_map(|c| {
            let m = c.get(0)?;
            let w = c.get(1)?;
            let (m_end, colon) = (start + m.end(), start + m.start());
            if !f.is_line_end(m_end) {
                return None;
            }
            let decision = if w.as_str().eq_ignore_ascii_case("upheld") {
                Decision::Upheld
            } else {
                Decision::Overturned
            };
            Some(Marker {
                colon,
                word_start: start + w.start(),
                word_end: start + w.end(),
                end: m_end,
                decision,
            })
        })
        .collect()
}

/// Where the header that ends at `colon` begins, searching no further back than `floor`.
fn header_start(f: &Folded, floor: usize, colon: usize) -> usize {
    let text = f.as_str();
    // The previous rationale holds at least the rest of its label's line.
    let floor_line = f
        .breaks_in(floor, colon)
        .next()
        .map_or(floor, |(p, _)| p + 1);
    let mut upper = colon;
    let mut start = floor_line;
    // Each pass moves back one sentence-ending line; partial headers span up to three.
    for _ in 0..4 {
        start = f
            .breaks_in(floor, upper)
            .rev()
            .find(|&(p, _)| ends_sentence(&text[floor..p]))
            .map_or(floor_line, |(p, _)| p + 1);
        let head = &text[start..colon];
        let continues_partial = !ORIGINAL_REQUEST.is_match(head)
            && ["original request", "authorized", "IMR eligible"]
                .iter()
                .any(|k| head.contains(k));
        if !continues_partial || start <= floor_line {
            break;
        }
        upper = start.saturating_sub(1);
    }
    start
}

/// A line that ends a sentence, or ends with a verdict whose full stop the
/// writer forgot ("... is not medically necessary"), closes the previous rationale.
fn ends_sentence(before: &str) -> bool {
    let t = before.trim_end_matches(['"', '\'', '”', '’', ')']);
    t.ends_with(['.', '!', '?'])
        || ["medically necessary", "certified", "non-certified"]
            .iter()
            .any(|v| {
                t.len()
                    .checked_sub(v.len())
                    .and_then(|i| t.get(i..))
                    .is_some_and(|end| end.eq_ignore_ascii_case(v))
            })
}

/// Reads every item block in folded range `[start, end)`.
pub(crate) fn read_items(
    f: &Folded,
    start: usize,
    end: usize,
    layout: Layout,
) -> Result<Vec<Item>, ParseError> {
    let floor = INTRO
        .find(&f.as_str()[start..end])
        .map_or(start, |m| start + m.end());
    let found = markers(f, floor, end);
    // A decision marker only opens an item when some item label follows it
    // before the next marker: a quoted "...: Upheld" inside a rationale does not.
    let mut kept: Vec<&Marker> = Vec::new();
    for (i, m) in found.iter().enumerate() {
        let next = found.get(i + 1).map_or(end, |n| n.colon);
        let has_label = LABELS.is_match(&f.as_str()[m.end..next]);
        if has_label || i + 1 == found.len() {
            kept.push(m);
        }
    }
    if kept.is_empty() {
        return Err(ParseError::NoItems {
            layout: layout.name(),
            expected: "lines ending '<item>: Upheld' or '<item>: Overturned'",
            region: f.span(start, end),
        });
    }
    // Headers first: each header's floor is the previous item's last label.
    let mut starts = Vec::with_capacity(kept.len());
    let mut labels = Vec::with_capacity(kept.len());
    let mut prev_floor = floor;
    for (i, m) in kept.iter().enumerate() {
        let h = header_start(f, prev_floor, m.colon);
        starts.push(h);
        let next = kept.get(i + 1).map_or(end, |n| n.colon);
        let found: Vec<(usize, usize)> = LABELS
            .find_iter(&f.as_str()[m.end..next])
            .map(|l| (m.end + l.start(), m.end + l.end()))
            .collect();
        prev_floor = found.last().map_or(m.end, |l| l.1);
        labels.push(found);
    }
    let mut items = Vec::with_capacity(kept.len());
    for (i, m) in kept.iter().enumerate() {
        let block_end = starts.get(i + 1).copied().unwrap_or(end);
        items.push(read_block(f, i + 1, starts[i], m, block_end, &labels[i]));
    }
    Ok(items)
}

/// `labels`: the item labels from `m` up to the next item's decision.
fn read_block(
    f: &Folded,
    index: usize,
    start: usize,
    m: &Marker,
    end: usize,
    labels: &[(usize, usize)],
) -> Item {
    let text = f.as_str();
    let header_text = f.slice(start, m.colon);
    let (hs, he) = f.trim(start, m.colon);
    let mut name = Spanned::new(header_text.to_string(), f.span(hs, he));
    let mut original_request = None;
    let mut authorized = None;
    let mut partial = false;
    let sub = |c: &regex::Captures, g: &str| {
        c.name(g).map(|x| {
            let (s, e) = f.trim(hs + x.start(), hs + x.end());
            Spanned::new(f.slice(s, e).to_string(), f.span(s, e))
        })
    };
    // Both partial wordings hold "was the original request": most headers
    // fail this one cheap search and skip the two capture searches.
    let original = ORIGINAL_REQUEST.find(header_text);
    if let Some(c) = original.and_then(|_| {
        PARTIAL_A
            .captures(header_text)
            .or_else(|| PARTIAL_B.captures(header_text))
    }) {
        partial = true;
        original_request = sub(&c, "orig");
        authorized = sub(&c, "auth");
        if let Some(n) = sub(&c, "name") {
            name = n;
        }
    } else if let Some(m) = original {
        // An unfamiliar partial wording: keep what is sure, the original request.
        partial = true;
        let (s, e) = f.trim(hs, hs + m.start());
        original_request = Some(Spanned::new(f.slice(s, e).to_string(), f.span(s, e)));
    }
    let mut claims_administrator = None;
    let mut maximus = None;
    let mut rationale = None;
    let mut rationale_range = None;
    // The labels a search of this block would find: those that end in it (a
    // label cannot hold another, so the block's end cuts off no shorter one).
    // The label group starts where the match does, so its first letter tells
    // which label it is.
    let labels: Vec<_> = labels.iter().filter(|l| l.1 <= end).collect();
    for (k, &&(label_start, label_end)) in labels.iter().enumerate() {
        let body_end = labels.get(k + 1).map_or(end, |n| n.0);
        let (s, e) = f.trim(label_end, body_end);
        let which = text.as_bytes()[label_start].to_ascii_lowercase();
        match which {
            b'c' if claims_administrator.is_none() => {
                claims_administrator = Some(parse_guideline_line(f, s, e))
            }
            b'm' if maximus.is_none() => maximus = Some(parse_guideline_line(f, s, e)),
            b'd' if rationale.is_none() && s < e => {
                rationale = Some(Spanned::new(f.slice(s, e).to_string(), f.span(s, e)));
                rationale_range = Some((s, e));
            }
            _ => {}
        }
    }
    let (conclusion, conclusion_span) = match rationale_range {
        Some((s, e)) => find_conclusion(f, s, e),
        None => (Conclusion::Unclear, None),
    };
    Item {
        index,
        header: f.span(start, m.end),
        name,
        original_request,
        authorized,
        partial,
        decision: Spanned::new(m.decision, f.span(m.word_start, m.word_end)),
        decision_source: DecisionSource::Stated,
        claims_administrator,
        maximus,
        rationale,
        conclusion,
        conclusion_span,
        span: f.span(start, end),
    }
}
