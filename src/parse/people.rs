//! The people in a letter: the expert reviewer's credentials and the
//! patient's age and sex, plus the case summary text.

use std::sync::LazyLock;

use regex::Regex;

use crate::fold::Folded;
use crate::model::{Patient, Reviewer, Sex};
use crate::span::Spanned;

static LICENSURE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)State\(?s?\)? of Licensure\s?:").expect("pattern"));
static SPECIALTY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)Certification\(?s?\)?\s?/\s?Specialt(?:y|ies)\s?:").expect("pattern")
});
/// Credentials in prose (2013-2015 letters): "is Board Certified in X, has a
/// subspecialty in Y, and is licensed to practice in California."
static PROSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)Board Certified in (?P<spec>[^.]+?)(?:,? (?:and )?has a subspecialty in (?P<sub>[^.]+?))?,? and is licensed to practice in (?P<lic>[^.]+?)\.",
    )
    .expect("pattern")
});
static AGE_SEX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?P<age>\d{1,3})[- ]?(?:years?|yrs?|y/o)(?:[- ]old)?\b(?:\s+(?P<sex>male|female|man|woman|gentleman|lady|boy|girl)\b)?",
    )
    .expect("pattern")
});
static SUMMARY_INTRO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:The expert reviewer developed the following clinical case summary based on a review of the case file, including all medical records:|Disclaimer: The following case summary was taken directly from [^.]*\.)\s?")
        .expect("pattern")
});

pub(crate) fn read_reviewer(f: &Folded, start: usize, end: usize) -> Reviewer {
    let text = &f.as_str()[start..end];
    let mut r = Reviewer::default();
    let spec = SPECIALTY.find(text);
    if let Some(l) = LICENSURE.find(text) {
        let from = start + l.end();
        // The list ends at its line's end, or where the specialty label begins
        // when that follows on the same line; a specialty label printed first
        // does not bound it.
        let line_end = f.line_end_after(from + 1).min(end).max(from);
        let to = spec
            .map(|s| start + s.start())
            .filter(|&s| s > from)
            .map_or(line_end, |s| line_end.min(s));
        r.licensure = split_list(f, from, to, &[',', ';']);
    }
    if let Some(s) = spec {
        // The specialty list may wrap onto further lines; it ends the section.
        r.specialties = split_list(f, start + s.end(), end, &[',', ';']);
    } else if let Some(c) = PROSE.captures(text) {
        for g in ["spec", "sub"] {
            if let Some(m) = c.name(g) {
                r.specialties
                    .extend(split_list(f, start + m.start(), start + m.end(), &[',']));
            }
        }
        if let Some(m) = c.name("lic") {
            r.licensure = split_list(f, start + m.start(), start + m.end(), &[',']);
        }
    }
    r
}

/// Splits folded `[start, end)` at any of `seps` (and at " and " in prose lists).
fn split_list(f: &Folded, start: usize, end: usize, seps: &[char]) -> Vec<Spanned<String>> {
    let text = &f.as_str()[start..end];
    let mut out = Vec::new();
    let mut from = 0;
    let mut push = |a: usize, b: usize| {
        let (s, e) = f.trim(start + a, start + b);
        let (s, e) = trim_and(f, s, e);
        if s < e {
            out.push(Spanned::new(f.slice(s, e).to_string(), f.span(s, e)));
        }
    };
    for (i, c) in text.char_indices() {
        if seps.contains(&c) {
            push(from, i);
            from = i + c.len_utf8();
        }
    }
    push(from, text.len());
    out
}

fn trim_and(f: &Folded, s: usize, e: usize) -> (usize, usize) {
    let t = &f.as_str()[s..e];
    let s = if t.starts_with("and ") { s + 4 } else { s };
    let t = &f.as_str()[s..e];
    let e = e - (t.len() - t.trim_end_matches('.').len());
    (s, e)
}

pub(crate) fn read_patient(f: &Folded, start: usize, end: usize) -> Patient {
    let text = &f.as_str()[start..end];
    let mut p = Patient::default();
    if let Some(c) = AGE_SEX.captures(text) {
        if let Some(a) = c.name("age")
            && let Ok(age) = a.as_str().parse::<u16>()
            && (14..=110).contains(&age)
        {
            p.age = Some(Spanned::new(
                age,
                f.span(start + a.start(), start + a.end()),
            ));
        }
        if let Some(s) = c.name("sex") {
            let sex = match s.as_str().to_ascii_lowercase().as_str() {
                "male" | "man" | "gentleman" | "boy" => Sex::Male,
                _ => Sex::Female,
            };
            p.sex = Some(Spanned::new(
                sex,
                f.span(start + s.start(), start + s.end()),
            ));
        }
    }
    p
}

/// The case summary without its fixed opening sentence.
pub(crate) fn case_summary(f: &Folded, start: usize, end: usize) -> Option<Spanned<String>> {
    let (s, e) = f.trim(start, end);
    let text = &f.as_str()[s..e];
    let intro_end = if super::scan::plain(text) {
        summary_intro(text.as_bytes())
    } else {
        SUMMARY_INTRO.find(text).map(|m| m.end())
    };
    let s = intro_end.map_or(s, |m| s + m);
    let (s, e) = f.trim(s, e);
    (s < e).then(|| Spanned::new(f.slice(s, e).to_string(), f.span(s, e)))
}

/// The opening sentences of `SUMMARY_INTRO`, in lower case.
const SUMMARY_OPENINGS: [&str; 2] = [
    "the expert reviewer developed the following clinical case summary based on a review of the case file, including all medical records:",
    "disclaimer: the following case summary was taken directly from ",
];

/// End of `SUMMARY_INTRO` at the start of plain text ([`super::scan::plain`]),
/// by hand: either opening in any case (the second runs on to its first
/// '.'), then one whitespace byte if there is one.
fn summary_intro(t: &[u8]) -> Option<usize> {
    let lit = |i: usize, s: &str| {
        let e = i.checked_add(s.len())?;
        t.get(i..e)?.eq_ignore_ascii_case(s.as_bytes()).then_some(e)
    };
    let e = lit(0, SUMMARY_OPENINGS[0]).or_else(|| {
        let from = lit(0, SUMMARY_OPENINGS[1])?;
        memchr::memchr(b'.', &t[from..]).map(|k| from + k + 1)
    })?;
    let space = t
        .get(e)
        .is_some_and(|&b| b.is_ascii_whitespace() || b == 0x0b);
    Some(e + usize::from(space))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-read opening ends where `SUMMARY_INTRO` ends.
    #[test]
    fn summary_intro_matches_the_regex() {
        let pieces = [
            "The expert reviewer developed the following clinical case summary based on a review of the case file, including all medical records:",
            "THE EXPERT REVIEWER developed the following clinical case summary based on a review of the case file, including all medical records",
            "Disclaimer: The following case summary was taken directly from ",
            "disclaimer: the following case summary was taken directly from",
            "the UR report",
            ".",
            " ",
            "\t",
            "\n",
            "x",
            "–",
            "’",
            ":",
        ];
        let mut found = 0;
        for s in crate::parse::generated::joins(&pieces, 20000, 6) {
            let want = SUMMARY_INTRO.find(&s).map(|m| m.end());
            found += usize::from(want.is_some());
            assert_eq!(summary_intro(s.as_bytes()), want, "{s:?}");
        }
        assert!(found > 1000, "{found}");
    }
}
