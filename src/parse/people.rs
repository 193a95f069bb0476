//! The people in a letter: the expert reviewer's credentials and the
//! patient's age and sex, plus the case summary text.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::fold::Folded;
use crate::model::{Patient, Reviewer, Sex};
use crate::span::Spanned;

use super::scan::{ascii_space_at, ascii_word_at, lit};

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
    let (spec, licensure) = if super::scan::plain(text) {
        credential_labels(text.as_bytes())
    } else {
        (
            SPECIALTY.find(text).map(|m| m.range()),
            LICENSURE.find(text).map(|m| m.range()),
        )
    };
    if let Some(l) = licensure {
        let from = start + l.end;
        // The list ends at its line's end, or where the specialty label begins
        // when that follows on the same line; a specialty label printed first
        // does not bound it.
        let line_end = f.line_end_after(from + 1).min(end).max(from);
        let to = spec
            .as_ref()
            .map(|s| start + s.start)
            .filter(|&s| s > from)
            .map_or(line_end, |s| line_end.min(s));
        r.licensure = split_list(f, from, to, b';');
    }
    if let Some(s) = spec {
        // The specialty list may wrap onto further lines; it ends the section.
        r.specialties = split_list(f, start + s.end, end, b';');
    } else if let Some(c) = PROSE.captures(text) {
        for g in ["spec", "sub"] {
            if let Some(m) = c.name(g) {
                r.specialties
                    .extend(split_list(f, start + m.start(), start + m.end(), b','));
            }
        }
        if let Some(m) = c.name("lic") {
            r.licensure = split_list(f, start + m.start(), start + m.end(), b',');
        }
    }
    r
}

/// Splits folded `[start, end)` at commas and at `also` (a ';', or the comma
/// again), and at " and " in prose lists. The separators are ASCII, so a
/// byte search finds them and no character is decoded.
fn split_list(f: &Folded, start: usize, end: usize, also: u8) -> Vec<Spanned<String>> {
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
    for i in memchr::memchr2_iter(b',', also, text.as_bytes()) {
        push(from, i);
        from = i + 1;
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
    let found = if super::scan::plain(text) {
        age_sex(text.as_bytes())
    } else {
        AGE_SEX.captures(text).and_then(|c| {
            Some(AgeSex {
                age: c.name("age")?.range(),
                sex: c.name("sex").map(|m| m.range()),
            })
        })
    };
    if let Some(AgeSex { age: a, sex }) = found {
        if let Ok(age) = text[a.clone()].parse::<u16>()
            && (14..=110).contains(&age)
        {
            p.age = Some(Spanned::new(age, f.span(start + a.start, start + a.end)));
        }
        if let Some(s) = sex {
            let sex = match text[s.clone()].to_ascii_lowercase().as_str() {
                "male" | "man" | "gentleman" | "boy" => Sex::Male,
                _ => Sex::Female,
            };
            p.sex = Some(Spanned::new(sex, f.span(start + s.start, start + s.end)));
        }
    }
    p
}

// Hand matchers for plain text ([`super::scan::plain`]): ASCII but for
// inert characters, where `(?i)`, `\s`, `\d` and `\b` mean their ASCII
// forms. They are tried at the bytes a match must start with, and walk
// the pattern's choices in its order; the tests hold each to its regex.

/// Past the byte `c` at `i` when it is there (`c?`).
fn opt(t: &[u8], i: usize, c: u8) -> usize {
    i + usize::from(t.get(i) == Some(&c))
}

/// `\(?s?\)?` at `i`, `s` in either case.
fn plural(t: &[u8], i: usize) -> usize {
    let i = opt(t, i, b'(');
    let i = i + usize::from(t.get(i).is_some_and(|&b| b | 0x20 == b's'));
    opt(t, i, b')')
}

/// `\s?:` at `i`: a whitespace byte is taken only when the colon follows it.
fn colon(t: &[u8], i: usize) -> Option<usize> {
    let i = i + usize::from(ascii_space_at(t, i));
    (t.get(i) == Some(&b':')).then_some(i + 1)
}

/// The first `SPECIALTY` match and the first `LICENSURE` match, found in
/// one pass over the leads of both.
fn credential_labels(t: &[u8]) -> (Option<Range<usize>>, Option<Range<usize>>) {
    let (mut spec, mut lic) = (None, None);
    for i in super::scan::pair_leads(t, [*b"st", *b"ce"]) {
        if t[i] | 0x20 == b's' {
            if lic.is_none() {
                lic = licensure_at(t, i);
            }
        } else if spec.is_none() {
            spec = specialty_at(t, i);
        }
        if spec.is_some() && lic.is_some() {
            break;
        }
    }
    (spec, lic)
}

/// The `LICENSURE` match at `i`: `State\(?s?\)? of Licensure\s?:`. No
/// optional byte can start what follows it, so taking each when it is
/// there is the only way to match.
fn licensure_at(t: &[u8], i: usize) -> Option<Range<usize>> {
    let e = lit(t, i, "state")?;
    let e = plural(t, e);
    let e = lit(t, e, " of licensure")?;
    Some(i..colon(t, e)?)
}

/// The `SPECIALTY` match at `i`: `Certification\(?s?\)?\s?/\s?Specialt(?:y|ies)\s?:`.
fn specialty_at(t: &[u8], i: usize) -> Option<Range<usize>> {
    let e = lit(t, i, "certification")?;
    let e = plural(t, e);
    let e = e + usize::from(ascii_space_at(t, e));
    let e = lit(t, e, "/")?;
    let e = e + usize::from(ascii_space_at(t, e));
    let e = lit(t, e, "specialt")?;
    let e = lit(t, e, "y").or_else(|| lit(t, e, "ies"))?;
    Some(i..colon(t, e)?)
}

/// The groups of an `AGE_SEX` match.
struct AgeSex {
    age: Range<usize>,
    sex: Option<Range<usize>>,
}

/// The first `AGE_SEX` match: `\b(\d{1,3})[- ]?(?:years?|yrs?|y/o)(?:[- ]old)?\b`
/// and, when they follow, `\s+` and a sex word ending a word. A digit run
/// is taken whole: the pattern stopping inside it would leave a digit
/// where none of what follows can start, and no `\b` starts inside it.
fn age_sex(t: &[u8]) -> Option<AgeSex> {
    let mut from = 0;
    for p in super::scan::digit_leads(t) {
        if p < from {
            continue;
        }
        let mut q = p;
        while t.get(q).is_some_and(u8::is_ascii_digit) {
            q += 1;
        }
        from = q;
        if q - p > 3 || (p > 0 && ascii_word_at(t, p - 1)) {
            continue;
        }
        let Some(end) = age_unit(t, q) else {
            continue;
        };
        let mut s = end;
        while ascii_space_at(t, s) {
            s += 1;
        }
        let sex = (s > end)
            .then(|| {
                [
                    "male",
                    "female",
                    "man",
                    "woman",
                    "gentleman",
                    "lady",
                    "boy",
                    "girl",
                ]
                .iter()
                .find_map(|w| lit(t, s, w).filter(|&e| !ascii_word_at(t, e)))
            })
            .flatten()
            .map(|e| s..e);
        return Some(AgeSex { age: p..q, sex });
    }
    None
}

/// End of `[- ]?(?:years?|yrs?|y/o)(?:[- ]old)?\b` at `q`, the choices
/// tried in the pattern's order.
fn age_unit(t: &[u8], q: usize) -> Option<usize> {
    let q = q + usize::from(matches!(t.get(q), Some(b'-' | b' ')));
    ["years", "year", "yrs", "yr", "y/o"].iter().find_map(|u| {
        let e = lit(t, q, u)?;
        let old = matches!(t.get(e), Some(b'-' | b' '))
            .then(|| lit(t, e + 1, "old"))
            .flatten();
        [old, Some(e)]
            .into_iter()
            .flatten()
            .find(|&e| !ascii_word_at(t, e))
    })
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

    /// `split_list` as it was: characters decoded, each tested against the separators.
    fn split_list_by_chars(
        f: &Folded,
        start: usize,
        end: usize,
        seps: &[char],
    ) -> Vec<Spanned<String>> {
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

    proptest::proptest! {
        #[test]
        fn byte_split_is_the_character_split(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "Internal Medicine", ",", ";", " ", "and ", ".", "\u{e9}", "\u{2019}",
                "\n", "\u{ff0c}", "\u{37e}",
            ]), 0..16),
        ) {
            let text = parts.concat();
            let f = Folded::new(&text);
            let n = f.len();
            proptest::prop_assert_eq!(split_list(&f, 0, n, b';'), split_list_by_chars(&f, 0, n, &[',', ';']));
            proptest::prop_assert_eq!(split_list(&f, 0, n, b','), split_list_by_chars(&f, 0, n, &[',']));
        }
    }

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

    /// The hand-read labels start and end where the regexes do.
    #[test]
    fn labels_match_the_regexes() {
        let pieces = [
            "State",
            "STATE",
            "state",
            "(",
            "s",
            "S",
            ")",
            " of Licensure",
            " OF licensure",
            "Certification",
            "certification",
            "/",
            "Specialt",
            "y",
            "ies",
            "IES",
            " ",
            "\t",
            "State(s) of Licensure",
            "STATES of licensure",
            "Certification(s)/Specialty",
            "certification / SPECIALTIES",
            "\n",
            ":",
            "x",
            "–",
            "’",
            "Board",
            ",",
        ];
        let mut found = 0;
        for s in crate::parse::generated::joins(&pieces, 40000, 8) {
            let (spec, lic) = credential_labels(s.as_bytes());
            let want = LICENSURE.find(&s).map(|m| m.range());
            found += usize::from(want.is_some());
            assert_eq!(lic, want, "{s:?}");
            let want = SPECIALTY.find(&s).map(|m| m.range());
            found += usize::from(want.is_some());
            assert_eq!(spec, want, "{s:?}");
        }
        assert!(found > 500, "{found}");
    }

    /// The hand-read age and sex are the groups the regex captures.
    #[test]
    fn age_and_sex_match_the_regex() {
        let pieces = [
            "1",
            "45",
            "123",
            "9",
            "0",
            "-",
            " ",
            "  ",
            "\t",
            "\n",
            "year",
            "YEAR",
            "s",
            "yr",
            "Yrs",
            "y/o",
            "Y/O",
            "old",
            "-old",
            " old",
            "male",
            "Female",
            "man",
            "woman",
            "gentleman",
            "lady",
            "boy",
            "girl",
            "x",
            "_",
            "a",
            "–",
            "’",
            ".",
            "/",
            " 45-year-old",
            " 62 YEAR OLD",
            " 7 yrs",
            " 33 y/o",
            " 51-years-old ",
            " male",
            " female",
            " woman",
        ];
        let mut found = 0;
        for s in crate::parse::generated::joins(&pieces, 40000, 8) {
            let want = AGE_SEX.captures(&s).map(|c| {
                (
                    c.name("age").unwrap().range(),
                    c.name("sex").map(|m| m.range()),
                )
            });
            found += usize::from(want.is_some());
            let got = age_sex(s.as_bytes()).map(|a| (a.age, a.sex));
            assert_eq!(got, want, "{s:?}");
        }
        assert!(found > 1000, "{found}");
    }
}
