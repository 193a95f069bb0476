//! Item blocks: `<item>: Upheld`, the two guideline lines and the rationale.
//!
//! The decision word is the anchor: `: Upheld` or `: Overturned` at the end
//! of a line (the name may hold colons of its own, so the last colon wins; the
//! word may have wrapped onto a line of its own). The header runs back from
//! there to the last line that ends a sentence, which is the end of the
//! previous rationale; partial-authorisation headers are several sentences
//! long, so the search goes on back until it holds "was the original request".

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::ParseError;
use super::citation::parse_guideline_line;
use super::conclusion::find_conclusion;
use super::partial::{self, Partial};
use super::scan::{self, Step};
use crate::fold::Folded;
use crate::model::{Conclusion, Decision, DecisionSource, Item, Layout};
use crate::span::Spanned;

/// The sentence that opens the item list, as `(?i)The Final Determination was
/// based on decisions for the disputed items/services set forth below:?`.
const INTRO: &[Step] = &[
    Step::Lit(
        "The Final Determination was based on decisions for the disputed items/services set forth below",
    ),
    Step::Opt(b':'),
];
/// The item labels, as `(?i)\b(Claims Administrator guideline|MAXIMUS
/// guideline|Decision rationale)\s?:`. Callers tell them apart by their
/// first letter.
pub(crate) const LABELS: [&str; 3] = [
    "Claims Administrator guideline",
    "MAXIMUS guideline",
    "Decision rationale",
];
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

/// The decision markers in folded `[start, end)`: `(?i):\s?(upheld|overturned)\b\.?`
/// ending a line. Every marker starts with a colon, so only colons are tried.
fn markers(f: &Folded, start: usize, end: usize) -> Vec<Marker> {
    let text = &f.as_str()[..end];
    let hay = text.as_bytes();
    let mut out = Vec::new();
    for colon in memchr::memchr_iter(b':', &hay[start..]).map(|i| start + i) {
        let word_start = colon + 1 + scan::ws_len_at(text, colon + 1);
        let (word_end, decision) = if let Some(e) = scan::ci_at(hay, word_start, "upheld") {
            (e, Decision::Upheld)
        } else if let Some(e) = scan::ci_at(hay, word_start, "overturned") {
            (e, Decision::Overturned)
        } else {
            continue;
        };
        if scan::word_at(text, word_end) {
            continue;
        }
        let m_end = word_end + usize::from(hay.get(word_end) == Some(&b'.'));
        if !f.is_line_end(m_end) {
            continue;
        }
        out.push(Marker {
            colon,
            word_start,
            word_end,
            end: m_end,
            decision,
        });
    }
    out
}

/// The item labels (see [`LABELS`]) in folded `[start, end)`, as folded
/// `(start, end)` pairs in order. Every label ends with a colon, so only
/// colons are tried, each against the labels that could end just before it.
fn find_labels(f: &Folded, start: usize, end: usize) -> Vec<(usize, usize)> {
    let text = &f.as_str()[..end];
    let hay = text.as_bytes();
    let mut out = Vec::new();
    for colon in memchr::memchr_iter(b':', &hay[start..]).map(|i| start + i) {
        // A label ends in a letter, so a whitespace character before the
        // colon can only be the optional `\s?`.
        let label_end = colon - scan::ws_len_before(text, colon);
        let found = LABELS
            .iter()
            .find_map(|l| scan::ci_before(hay, label_end, l))
            .filter(|&s| s >= start && !scan::word_before(text, s));
        if let Some(s) = found {
            out.push((s, colon + 1));
        }
    }
    out
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
        let continues_partial = original_request(head).is_none()
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
    let floor = intro_end(f, start, end).unwrap_or(start);
    let found = markers(f, floor, end);
    // Every label a search of an item's text would find, found once: labels
    // never overlap, and none starts where a search starts (a marker ends
    // its line, so a space follows it).
    let all_labels = find_labels(f, floor, end);
    let labels_in = |a: usize, b: usize| {
        let lo = all_labels.partition_point(|l| l.0 < a);
        all_labels[lo..]
            .iter()
            .take_while(move |l| l.1 <= b)
            .copied()
    };
    // A decision marker only opens an item when some item label follows it
    // before the next marker: a quoted "...: Upheld" inside a rationale does not.
    let mut kept: Vec<&Marker> = Vec::new();
    for (i, m) in found.iter().enumerate() {
        let next = found.get(i + 1).map_or(end, |n| n.colon);
        let has_label = labels_in(m.end, next).next().is_some();
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
        let found: Vec<(usize, usize)> = labels_in(m.end, next).collect();
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

/// Folded end of the sentence that opens the item list (see [`INTRO`]), the
/// first in `[start, end)`. Candidates are found by the "F" of "Final", a
/// fixed four bytes in.
fn intro_end(f: &Folded, start: usize, end: usize) -> Option<usize> {
    let text = &f.as_str()[..end];
    let from = start + 4;
    if from > end {
        return None;
    }
    memchr::memchr2_iter(b'F', b'f', &text.as_bytes()[from..])
        .find_map(|i| scan::steps_at(text, from + i - 4, INTRO))
}

/// The first `ORIGINAL_REQUEST` match in `text`.
fn original_request(text: &str) -> Option<Range<usize>> {
    if scan::plain(text) {
        partial::original_request(text.as_bytes())
    } else {
        ORIGINAL_REQUEST.find(text).map(|m| m.range())
    }
}

/// The groups of `PARTIAL_A`, else of `PARTIAL_B`, in a header.
fn partial_groups(text: &str) -> Option<Partial> {
    if scan::plain(text) && !text.contains('\n') {
        let t = text.as_bytes();
        return partial::partial(t, &partial::WORDING_A)
            .or_else(|| partial::partial(t, &partial::WORDING_B));
    }
    let c = PARTIAL_A
        .captures(text)
        .or_else(|| PARTIAL_B.captures(text))?;
    Some(Partial {
        orig: c.name("orig")?.range(),
        auth: c.name("auth")?.range(),
        name: c.name("name")?.range(),
    })
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
    let sub = |x: Range<usize>| {
        let (s, e) = f.trim(hs + x.start, hs + x.end);
        Some(Spanned::new(f.slice(s, e).to_string(), f.span(s, e)))
    };
    // Both partial wordings hold "was the original request": most headers
    // fail this one cheap search and skip the two capture searches.
    let original = self::original_request(header_text);
    if let Some(c) = original.as_ref().and_then(|_| partial_groups(header_text)) {
        partial = true;
        original_request = sub(c.orig);
        authorized = sub(c.auth);
        if let Some(n) = sub(c.name) {
            name = n;
        }
    } else if let Some(m) = original {
        // An unfamiliar partial wording: keep what is sure, the original request.
        partial = true;
        let (s, e) = f.trim(hs, hs + m.start);
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
