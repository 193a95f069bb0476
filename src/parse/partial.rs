//! Partial-authorisation headers ("X was the original request. The Claims
//! Administrator authorized Y, leaving the original request IMR eligible.
//! The original request, Z, is"): the `ORIGINAL_REQUEST` and `PARTIAL_A` /
//! `PARTIAL_B` patterns of [`super::items`], matched by hand on plain text
//! ([`super::scan::plain`]) without line breaks.
//!
//! The capture search of a pattern with three lazy groups cost some 45,000
//! instructions a header; the matcher here walks the pattern's choices in
//! its order of preference (each lazy group shortest first, each `,?`
//! taking its comma first) and stops at the first way through, which is the
//! match the regex reports. On plain text `(?i)` folds ASCII letters only,
//! `.` is any character but a line break, and `\b` sees only ASCII word
//! characters. Other text goes to the regexes.

use std::ops::Range;

use super::scan::{ascii_word_at, lit};

/// The groups of a partial header, as byte ranges of the searched text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Partial {
    pub orig: Range<usize>,
    pub auth: Range<usize>,
    pub name: Range<usize>,
}

/// A partial wording: `^(?P<orig>.+?),?{first}(?P<auth>.+?),?{second},? (?P<name>.+?),?(?: is)?$`.
pub(crate) struct Wording {
    first: &'static str,
    second: &'static str,
}

/// `PARTIAL_A`, its literals in lower case.
pub(crate) const WORDING_A: Wording = Wording {
    first: " was the original request. the claims administrator authorized ",
    second: " leaving the original request imr eligible. the original request",
};

/// `PARTIAL_B`, its literals in lower case.
pub(crate) const WORDING_B: Wording = Wording {
    first: " was the original request. ",
    second: " was authorized by the claims administrator. the remaining imr eligible portion of the original request",
};

/// The phrase of `ORIGINAL_REQUEST`, `(?i)\bwas the original request\b`.
const ORIGINAL: &str = "was the original request";

/// The first `ORIGINAL_REQUEST` match in plain text `t`.
pub(crate) fn original_request(t: &[u8]) -> Option<Range<usize>> {
    memchr::memchr2_iter(b'w', b'W', t).find_map(|i| {
        let e = lit(t, i, ORIGINAL)?;
        let word_before = i > 0 && ascii_word_at(t, i - 1);
        (!word_before && !ascii_word_at(t, e)).then_some(i..e)
    })
}

/// The match of `w` on plain text `t` without line breaks.
pub(crate) fn partial(t: &[u8], w: &Wording) -> Option<Partial> {
    // `(?P<orig>.+?),?` then the first literal, then the rest.
    lazy_then(t, 0, w.first, |a| {
        let (auth, name) = lazy_then(t, a, w.second, |n| {
            // `,? ` and then the name.
            [true, false].into_iter().find_map(|comma| {
                let c = if comma { lit(t, n, ",")? } else { n };
                let s = lit(t, c, " ")?;
                Some(s..name_end(t, s)?)
            })
        })?;
        Some((auth, name))
    })
    .map(|(orig, (auth, name))| Partial { orig, auth, name })
}

/// `(.+?),?{literal}` from `start`, then `rest` where the literal ends: the
/// group and what `rest` gives for the first way through.
fn lazy_then<R>(
    t: &[u8],
    start: usize,
    literal: &str,
    mut rest: impl FnMut(usize) -> Option<R>,
) -> Option<(Range<usize>, R)> {
    // The group ends where the ASCII literal (or its comma) starts, so at a
    // character boundary, and holds a character when it ends past `start`.
    // Every way through holds the literal's first byte, a ',' or a ' '.
    let first = literal.as_bytes()[0];
    let mut from = start + 1;
    while let Some(k) = memchr::memchr2(b',', first, t.get(from..)?).map(|k| from + k) {
        for comma in [true, false] {
            let c = if comma {
                match lit(t, k, ",") {
                    Some(c) => c,
                    None => continue,
                }
            } else {
                k
            };
            if let Some(r) = lit(t, c, literal).and_then(&mut rest) {
                return Some((start..k, r));
            }
        }
        from = k + 1;
    }
    None
}

/// End of `(?P<name>.+?),?(?: is)?$` from `s`: the shortest name that
/// leaves "", ",", " is" or ", is" (any case) to the end.
fn name_end(t: &[u8], s: usize) -> Option<usize> {
    let n = t.len();
    if s >= n {
        return None;
    }
    [", is", " is", ","]
        .iter()
        .filter_map(|tail| {
            let e = n.checked_sub(tail.len())?;
            (e > s && lit(t, e, tail).is_some()).then_some(e)
        })
        .min()
        .or(Some(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    #[test]
    fn partials_match_the_regexes() {
        let a = Regex::new(
            r"(?i)^(?P<orig>.+?),? was the original request\. The Claims Administrator authorized (?P<auth>.+?),? leaving the original request IMR eligible\. The original request,? (?P<name>.+?),?(?: is)?$",
        )
        .unwrap();
        let b = Regex::new(
            r"(?i)^(?P<orig>.+?),? was the original request\. (?P<auth>.+?),? was authorized by the Claims Administrator\. The remaining IMR eligible portion of the original request,? (?P<name>.+?),?(?: is)?$",
        )
        .unwrap();
        let orig = Regex::new(r"(?i)\bwas the original request\b").unwrap();
        let fillers = [
            "Knee MRI",
            "x",
            ",",
            ", ",
            " ",
            " is",
            " IS",
            "–",
            "’",
            "was the original request.",
            " was the original request. ",
            " WAS THE ORIGINAL REQUEST. The Claims Administrator authorized ",
            " leaving the original request IMR eligible. The original request",
            " was authorized by the Claims Administrator. The remaining IMR eligible portion of the original request",
            "_",
            "1",
        ];
        let fill = crate::parse::generated::joins(&fillers, 3000, 4);
        let shapes = [
            (
                " was the original request. The Claims Administrator authorized ",
                " leaving the original request IMR eligible. The original request",
            ),
            (
                " was the original request. ",
                " was authorized by the Claims Administrator. The remaining IMR eligible portion of the original request",
            ),
        ];
        let seps = ["", ",", ", ", " "];
        let mut k = 0;
        let mut found = 0;
        for (i, x) in fill.iter().enumerate() {
            let y = &fill[(i * 7 + 3) % fill.len()];
            let z = &fill[(i * 13 + 5) % fill.len()];
            for (l1, l2) in shapes {
                k += 1;
                let s = format!(
                    "{x}{}{l1}{y}{}{l2}{}{z}",
                    seps[k % 4],
                    seps[(k / 4) % 4],
                    seps[(k / 16) % 4]
                );
                let strings = [
                    s.clone(),
                    s[..crate::span::floor_char_boundary(&s, s.len() / 2)].to_string(),
                    format!("{x}{y}{z}"),
                ];
                for s in strings.iter().filter(|s| crate::parse::scan::plain(s)) {
                    let t = s.as_bytes();
                    assert_eq!(
                        original_request(t),
                        orig.find(s).map(|m| m.range()),
                        "{s:?}"
                    );
                    for (re, w) in [(&a, &WORDING_A), (&b, &WORDING_B)] {
                        let want = re.captures(s).map(|c| Partial {
                            orig: c.name("orig").unwrap().range(),
                            auth: c.name("auth").unwrap().range(),
                            name: c.name("name").unwrap().range(),
                        });
                        found += usize::from(want.is_some());
                        assert_eq!(partial(t, w), want, "{s:?}");
                    }
                }
            }
        }
        assert!(found > 1000, "{found}");
    }
}
