//! The small patterns of a guideline line (the "Decision based on" marks,
//! "did not cite any evidence", the Section(s)/Page(s) labels, page numbers
//! and "Forearm, Wrist, & Hand" serial names), matched by hand on ASCII text.
//!
//! Each guideline line used to run five regex searches and a capture search
//! per page number; these matchers walk the same alternatives in the same
//! order of preference. They are only called on ASCII text, or text whose
//! other characters are inert ([`super::scan::plain`]), where `(?i)`, `\s`,
//! `\d` and `\b` mean their ASCII forms (no 'ſ', Kelvin sign, Unicode
//! digits or spaces to mind); [`super::citation`] keeps the regexes for the
//! rest. The tests there check each matcher against its regex.

use std::ops::Range;

use super::scan::{ascii_space_at, ascii_word_at, letter_leads, lit, pair_leads};

/// `s?` at `i`: past `s` when it is there.
fn opt(t: &[u8], i: usize, s: &str) -> usize {
    lit(t, i, s).unwrap_or(i)
}

/// `BASED_ON` matches, left to right, as `find_iter` finds them. Every
/// match starts with "de", "ba" or "re" in either case, so only those
/// pairs are tried.
pub(crate) fn based_on(t: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    for i in pair_leads(t, [*b"de", *b"ba", *b"re"]) {
        if i < from {
            continue;
        }
        if let Some(e) = based_at(t, i) {
            out.push(i..e);
            from = e;
        }
    }
    out
}

/// The `BASED_ON` match starting at `i`: the Non-MTUS mark, then the MTUS
/// marks; each starts with its own letter, so at most one can match.
fn based_at(t: &[u8], i: usize) -> Option<usize> {
    match t[i].to_ascii_lowercase() {
        b'd' => {
            let e = lit(t, i, "decision based on ")?;
            non_mtus_tail(t, e).or_else(|| mtus_tail(t, e))
        }
        b'b' => {
            let e = lit(t, i, "based ")?;
            let e = lit(t, e, "its").or_else(|| lit(t, e, "their"))?;
            mtus_tail(t, lit(t, e, " decision on ")?)
        }
        b'r' => {
            let e = lit(t, i, "relied ")?;
            let e = lit(t, opt(t, e, "up"), "on ")?;
            let e = opt(t, e, "the ");
            // `(?:(?:CA |California )?MTUS\b:?)?`: all of it or none.
            Some(mtus_word(t, e).map_or(e, |m| opt(t, m, ":")))
        }
        _ => None,
    }
}

/// `Non-?MTUS(?: Citations?)?:?`
fn non_mtus_tail(t: &[u8], e: usize) -> Option<usize> {
    let e = lit(t, opt(t, lit(t, e, "non")?, "-"), "mtus")?;
    let e = lit(t, e, " citation").map_or(e, |c| opt(t, c, "s"));
    Some(opt(t, e, ":"))
}

/// `(?:the )?(?:CA |California )?MTUS\b(?: Guidelines?\b(?: for)?)?:?`
fn mtus_tail(t: &[u8], e: usize) -> Option<usize> {
    let mut e = mtus_word(t, opt(t, e, "the "))?;
    if let Some(g) = lit(t, e, " guideline") {
        let g = if lit(t, g, "s").is_some() { g + 1 } else { g };
        if !ascii_word_at(t, g) {
            e = opt(t, g, " for");
        }
    }
    Some(opt(t, e, ":"))
}

/// `(?:CA |California )?MTUS\b`: "CA " and "California " differ at their
/// third letter, and neither starts "MTUS", so the first that matches wins.
fn mtus_word(t: &[u8], e: usize) -> Option<usize> {
    let e = lit(t, e, "ca ")
        .or_else(|| lit(t, e, "california "))
        .unwrap_or(e);
    lit(t, e, "mtus").filter(|&m| !ascii_word_at(t, m))
}

/// The first `NO_EVIDENCE` match.
pub(crate) fn no_evidence(t: &[u8]) -> Option<Range<usize>> {
    pair_leads(t, [*b"di"]).find_map(|i| Some(i..no_evidence_at(t, i)?))
}

/// `did not cite any (?:medical )?evidence(?: for (?:its|their|the) decision)?\.?`
fn no_evidence_at(t: &[u8], i: usize) -> Option<usize> {
    let e = lit(t, i, "did not cite any ")?;
    let e = lit(t, opt(t, e, "medical "), "evidence")?;
    let e = lit(t, e, " for ")
        .and_then(|f| {
            ["its", "their", "the"]
                .iter()
                .find_map(|w| lit(t, lit(t, f, w)?, " decision"))
        })
        .unwrap_or(e);
    Some(opt(t, e, "."))
}

/// The first `SECTIONS_LABEL` match: `Sections?(?:\(s\))?\s?:`.
pub(crate) fn sections_label(t: &[u8]) -> Option<Range<usize>> {
    pair_leads(t, [*b"se"]).find_map(|i| {
        let e = opt(t, opt(t, lit(t, i, "section")?, "s"), "(s)");
        let e = e + usize::from(ascii_space_at(t, e));
        Some(i..lit(t, e, ":")?)
    })
}

/// `PAGES_LABEL` matches, left to right, as `find_iter` finds them:
/// `\bPages?(?:\(s\))?\s?:|\bpages?\s|\bpp?\.\s?`.
pub(crate) fn pages_labels(t: &[u8]) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut from = 0;
    letter_leads(t, [b'p']).filter_map(move |at| {
        if at < from || (at > 0 && ascii_word_at(t, at - 1)) {
            return None;
        }
        let e = pages_at(t, at)?;
        from = e;
        Some(at..e)
    })
}

fn pages_at(t: &[u8], i: usize) -> Option<usize> {
    if let Some(p) = lit(t, i, "page") {
        let p = opt(t, p, "s");
        let e = opt(t, p, "(s)");
        let c = e + usize::from(ascii_space_at(t, e));
        if let Some(c) = lit(t, c, ":") {
            return Some(c);
        }
        // Backing off the "s" would leave "s" where `\s` is wanted.
        if ascii_space_at(t, p) {
            return Some(p + 1);
        }
    }
    let e = lit(t, opt(t, i + 1, "p"), ".")?;
    Some(e + usize::from(ascii_space_at(t, e)))
}

/// One `PAGE_RANGE` match: the whole, the first number and the last.
pub(crate) struct Pages {
    pub whole: Range<usize>,
    pub first: Range<usize>,
    pub last: Option<Range<usize>>,
}

/// The other dash of `PAGE_RANGE`, which the regex takes in on any text.
const EN_DASH: &str = "–";

/// `PAGE_RANGE` captures, left to right: `(\d{1,4})(?:\s?[-–]\s?(\d{1,4}))?`.
pub(crate) fn page_ranges(t: &[u8]) -> Vec<Pages> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let Some(first) = digits(t, i) else {
            i += 1;
            continue;
        };
        let mut d = first.end;
        d += usize::from(ascii_space_at(t, d));
        let dash = lit(t, d, "-").or_else(|| lit(t, d, EN_DASH));
        let last = dash.and_then(|d| digits(t, d + usize::from(ascii_space_at(t, d))));
        let end = last.as_ref().map_or(first.end, |l| l.end);
        out.push(Pages {
            whole: i..end,
            first,
            last,
        });
        i = end;
    }
    out
}

/// `\d{1,4}` at `i`.
fn digits(t: &[u8], i: usize) -> Option<Range<usize>> {
    let n = t
        .get(i..)?
        .iter()
        .take(4)
        .take_while(|b| b.is_ascii_digit())
        .count();
    (n > 0).then_some(i..i + n)
}

/// End of `SERIAL` at the start of `s`, any text:
/// `^[A-Z][a-z]+, [A-Z][a-z]+,? (?:&|and) [A-Z][a-z]+\b`. Each `[a-z]+`
/// runs to the end of its letters, and the last must end a word, as
/// Unicode `\b` has it (a shorter run would leave a letter after it).
pub(crate) fn serial(s: &str) -> Option<usize> {
    let t = s.as_bytes();
    let e = lit(t, capital_word(t, 0)?, ", ")?;
    let e = capital_word(t, e)?;
    let e = lit(t, opt(t, e, ","), " ")?;
    let e = if t.get(e) == Some(&b'&') {
        e + 1
    } else {
        t.get(e..e + 3).filter(|w| *w == b"and").map(|_| e + 3)?
    };
    let e = t.get(e).filter(|&&b| b == b' ').map(|_| e + 1)?;
    let e = capital_word(t, e)?;
    (!super::scan::word_at(s, e)).then_some(e)
}

/// `[A-Z][a-z]+` at `i`.
fn capital_word(t: &[u8], i: usize) -> Option<usize> {
    if !t.get(i)?.is_ascii_uppercase() {
        return None;
    }
    let n = t[i + 1..]
        .iter()
        .take_while(|b| b.is_ascii_lowercase())
        .count();
    (n > 0).then_some(i + 1 + n)
}
