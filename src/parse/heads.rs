//! Guideline heads of an MTUS citation ("ACOEM Chapter 12 Low Back
//! Complaints 2004 Guidelines"): the `GUIDELINE` pattern of
//! [`super::citation`], matched by hand on ASCII text.
//!
//! The regex costs a lazy-DFA build per process and a capture search per
//! head; this matcher walks the same alternatives in the same order of
//! preference, so on ASCII text (where `(?i)`, `\s`, `\d` and `\b` all mean
//! their ASCII forms) it finds the same heads with the same groups.
//! Other text goes to the regex, but for the inert dashes, quotes and signs
//! of [`super::scan::plain`].

use std::ops::Range;

/// One head: the whole match and its groups, as offsets into the searched text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Head {
    pub whole: Range<usize>,
    pub chapter: Option<Range<usize>>,
    pub name: Range<usize>,
    pub year: Option<Range<usize>>,
}

/// The named guidelines (lower case, matched in any case), tried in this
/// order before any capitalised phrase.
const KNOWN: &[&[Piece]] = &[
    &[Piece::Lit("chronic pain medical treatment")],
    &[Piece::Lit("chronic pain treatment")],
    &[Piece::Lit("chronic pain")],
    &[
        Piece::Lit("opioid"),
        Piece::Opt("s"),
        Piece::Lit(" treatment"),
    ],
    &[
        Piece::Lit("acupuncture "),
        Piece::Opt("medical "),
        Piece::Lit("treatment"),
    ],
    &[
        Piece::Lit("post"),
        Piece::Opt("-"),
        Piece::Lit("surgical treatment"),
    ],
    &[Piece::Lit("low back complaints")],
    &[Piece::Lit("neck and upper back complaints")],
    &[Piece::Lit("shoulder complaints")],
    &[Piece::Lit("knee complaints")],
    &[
        Piece::Lit("elbow "),
        Piece::Alt(&["complaints", "disorders"]),
    ],
    &[
        Piece::Lit("forearm, wrist"),
        Piece::Opt(","),
        Piece::Lit(" "),
        Piece::Alt(&["and", "&"]),
        Piece::Lit(" hand complaints"),
    ],
    &[
        Piece::Lit("hand, wrist"),
        Piece::Opt(","),
        Piece::Lit(" and forearm disorders"),
    ],
    &[Piece::Lit("ankle and foot complaints")],
    &[Piece::Lit("general approaches")],
    &[
        Piece::Lit("stress"),
        Piece::Alt(&["-", " "]),
        Piece::Lit("related conditions"),
    ],
    &[Piece::Lit("eye complaints")],
];

/// A piece of a named guideline, matched case-insensitively. No optional
/// piece or alternative here can start what follows it, so the first
/// choice that matches is the only one that can.
#[derive(Clone, Copy)]
enum Piece {
    Lit(&'static str),
    Opt(&'static str),
    Alt(&'static [&'static str]),
}

/// The words that end a capitalised phrase, case-sensitive.
const PHRASE_ENDS: [&str; 4] = [" Complaints", " Disorders", " Treatment", " Conditions"];

/// Every head in `t` (ASCII), left to right, as `captures_iter` finds them.
pub(crate) fn heads(t: &[u8]) -> Vec<Head> {
    let mut out = Vec::new();
    // A head's name holds an anchor word that starts no earlier than the
    // head: past the last anchor, the section list that follows the heads
    // (most of the text) need not be tried byte by byte.
    let Some(last) = last_anchor(t) else {
        return out;
    };
    let mut p = 0;
    while p <= last {
        match head_at(t, p) {
            Some(h) => {
                p = h.whole.end;
                out.push(h);
            }
            None => p += 1,
        }
    }
    out
}

/// Words of which every guideline name holds one, in any case: each named
/// guideline ("chronic pain" by its "pain") and each phrase ending
/// (" Complaints", ...). None holds another, so no two occurrences nest.
#[cfg(test)]
const ANCHORS: [&str; 6] = [
    "treatment",
    "complaints",
    "disorders",
    "conditions",
    "approaches",
    "pain",
];

/// Start of the last anchor word in `t`, in any ASCII case. Found from the
/// back by its last two letters ("nt", "ts", "rs", "ns", "es", "in"): as no
/// anchor holds another, the one that ends last also starts last.
fn last_anchor(t: &[u8]) -> Option<usize> {
    let mut e = t.len();
    while e >= 4 {
        let anchor = match [t[e - 2] | 0x20, t[e - 1] | 0x20] {
            [b'n', b't'] => "treatment",
            [b't', b's'] => "complaints",
            [b'r', b's'] => "disorders",
            [b'n', b's'] => "conditions",
            [b'e', b's'] => "approaches",
            [b'i', b'n'] => "pain",
            _ => {
                e -= 1;
                continue;
            }
        };
        if let Some(s) = e.checked_sub(anchor.len())
            && lit(t, s, anchor).is_some()
        {
            return Some(s);
        }
        e -= 1;
    }
    None
}

/// The head starting at `p`, choosing as the regex does: with the "ACOEM"
/// prefix before without, with the chapter before without.
fn head_at(t: &[u8], p: usize) -> Option<Head> {
    // Every alternative starts with a capital or, in any case, with the
    // first two letters of "ACOEM", "Chapter" ("Ch") or a named guideline.
    // Most positions of a line are inside lower-case words: two bytes turn
    // them away before any literal is tried.
    let seconds = SECONDS[usize::from(t[p])];
    if seconds != ANY {
        if seconds == 0 {
            return None;
        }
        let second = t.get(p + 1).map_or(0, u8::to_ascii_lowercase);
        if !second.is_ascii_lowercase() || seconds >> (second - b'a') & 1 == 0 {
            return None;
        }
    }
    let acoem = lit(t, p, "acoem").and_then(|e| spaces(t, e, 1));
    for q in [acoem, Some(p)].into_iter().flatten() {
        for chapter in [chapter_at(t, q).map(Some), Some(None)]
            .into_iter()
            .flatten()
        {
            let r = chapter.as_ref().map_or(q, |c| c.1);
            let Some(name_end) = name_at(t, r) else {
                continue;
            };
            let (year, end) = suffix(t, name_end);
            return Some(Head {
                whole: p..end,
                chapter: chapter.map(|c| c.0),
                name: r..name_end,
                year,
            });
        }
    }
    None
}

/// The first two letters, in lower case, of the words a head may start
/// with when it does not start with a capital: "ACOEM", "Chapter" ("Ch")
/// and the named guidelines.
const LEADS: [&[u8; 2]; 15] = [
    b"ac", b"an", b"ch", b"op", b"po", b"lo", b"ne", b"sh", b"st", b"kn", b"el", b"ey", b"fo",
    b"ha", b"ge",
];

/// [`SECONDS`] of a byte that may start a head whatever follows it.
const ANY: u32 = u32::MAX;

/// For each byte, the second letters (bit k for `b'a' + k`, in lower case)
/// that let a head start with it: [`ANY`] for a capital, the seconds of
/// [`LEADS`] for a lower-case first letter, none for the rest.
const SECONDS: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut b = b'A';
    while b <= b'Z' {
        t[b as usize] = ANY;
        b += 1;
    }
    let mut k = 0;
    while k < LEADS.len() {
        let [first, second] = *LEADS[k];
        t[first as usize] |= 1 << (second - b'a');
        k += 1;
    }
    t
};

/// `(?i:Chapter|Ch\.?)\s*(\d{1,2})[,:]?\s+`: the digits and where the name starts.
fn chapter_at(t: &[u8], q: usize) -> Option<(Range<usize>, usize)> {
    let after = lit(t, q, "chapter").or_else(|| {
        let e = lit(t, q, "ch")?;
        Some(e + usize::from(t.get(e) == Some(&b'.')))
    })?;
    let d = spaces(t, after, 0)?;
    let mut e = d;
    while e < t.len() && e - d < 2 && t[e].is_ascii_digit() {
        e += 1;
    }
    if e == d {
        return None;
    }
    let sep = e + usize::from(matches!(t.get(e), Some(b',' | b':')));
    Some((d..e, spaces(t, sep, 1)?))
}

/// End of the guideline name at `r`: a named guideline, else a capitalised
/// phrase of up to six words ending in Complaints, Disorders, Treatment or
/// Conditions.
fn name_at(t: &[u8], r: usize) -> Option<usize> {
    let first = t.get(r)?.to_ascii_lowercase();
    let mut known = if first.is_ascii_lowercase() {
        KNOWN_BY_LETTER[usize::from(first - b'a')]
    } else {
        0
    };
    while known != 0 {
        let k = known.trailing_zeros() as usize;
        if let Some(e) = pieces_at(t, r, KNOWN[k]) {
            return Some(e);
        }
        known &= known - 1;
    }
    phrase_at(t, r)
}

/// For each letter a-z, the [`KNOWN`] names that start with it, as bits in
/// their order: the names tried at a letter are only those.
const KNOWN_BY_LETTER: [u32; 26] = {
    let mut table = [0u32; 26];
    let mut k = 0;
    while k < KNOWN.len() {
        if let Piece::Lit(s) = KNOWN[k][0] {
            table[(s.as_bytes()[0] - b'a') as usize] |= 1 << k;
        }
        k += 1;
    }
    table
};

fn pieces_at(t: &[u8], mut i: usize, pieces: &[Piece]) -> Option<usize> {
    for piece in pieces {
        i = match *piece {
            Piece::Lit(s) => lit(t, i, s)?,
            Piece::Opt(s) => lit(t, i, s).unwrap_or(i),
            Piece::Alt(alts) => alts.iter().find_map(|s| lit(t, i, s))?,
        };
    }
    Some(i)
}

/// `[A-Z][A-Za-z'/-]*(?: (?:and |& )?[A-Z][A-Za-z'/-]*){0,5} (?:Complaints|Disorders|Treatment|Conditions)`:
/// as many words as the pattern takes, then back one word at a time until
/// an ending word follows.
fn phrase_at(t: &[u8], r: usize) -> Option<usize> {
    let mut ends = [0usize; 6];
    ends[0] = word(t, r)?;
    let mut n = 1;
    while n < 6 {
        let Some(next) = t
            .get(ends[n - 1])
            .filter(|&&b| b == b' ')
            .map(|_| ends[n - 1] + 1)
        else {
            break;
        };
        let start = if t[next..].starts_with(b"and ") && word(t, next + 4).is_some() {
            next + 4
        } else if t[next..].starts_with(b"& ") && word(t, next + 2).is_some() {
            next + 2
        } else {
            next
        };
        let Some(e) = word(t, start) else { break };
        ends[n] = e;
        n += 1;
    }
    ends[..n].iter().rev().find_map(|&e| {
        // Most words are followed by no ending word: two bytes tell.
        if t.get(e) != Some(&b' ') || !matches!(t.get(e + 1), Some(b'C' | b'D' | b'T')) {
            return None;
        }
        PHRASE_ENDS
            .iter()
            .find(|w| t[e..].starts_with(w.as_bytes()))
            .map(|w| e + w.len())
    })
}

/// `[A-Z][A-Za-z'/-]*` at `i`: its end.
fn word(t: &[u8], i: usize) -> Option<usize> {
    if !t.get(i)?.is_ascii_uppercase() {
        return None;
    }
    let mut e = i + 1;
    while e < t.len() && (t[e].is_ascii_alphabetic() || matches!(t[e], b'\'' | b'/' | b'-')) {
        e += 1;
    }
    Some(e)
}

/// `(?:\s+(?i:Guidelines?)\b)?(?:,?\s+\(?((?:19|20)\d{2})\b\)?)?(?:\s+(?i:Guidelines?)\b)?`
/// after the name: the year and the end of the head.
fn suffix(t: &[u8], mut e: usize) -> (Option<Range<usize>>, usize) {
    e = guidelines(t, e).unwrap_or(e);
    let mut year = None;
    let comma = e + usize::from(t.get(e) == Some(&b','));
    if let Some(s) = spaces(t, comma, 1) {
        let y = s + usize::from(t.get(s) == Some(&b'('));
        let digits = t.get(y..y + 4).filter(|d| {
            (d.starts_with(b"19") || d.starts_with(b"20")) && d.iter().all(u8::is_ascii_digit)
        });
        if digits.is_some() && !t.get(y + 4).is_some_and(|&b| is_word(b)) {
            year = Some(y..y + 4);
            e = y + 4 + usize::from(t.get(y + 4) == Some(&b')'));
        }
    }
    e = guidelines(t, e).unwrap_or(e);
    (year, e)
}

/// `\s+(?i:Guidelines?)\b` at `i`: its end.
fn guidelines(t: &[u8], i: usize) -> Option<usize> {
    let g = lit(t, spaces(t, i, 1)?, "guideline")?;
    [g + 1, g]
        .into_iter()
        .filter(|&e| e == g || t.get(g).is_some_and(|b| b.eq_ignore_ascii_case(&b's')))
        .find(|&e| !t.get(e).is_some_and(|&b| is_word(b)))
}

/// End of `s` (lower case) at `i`, in any ASCII case. A plain loop: most
/// calls fail at the first byte.
fn lit(t: &[u8], i: usize, s: &str) -> Option<usize> {
    let e = i.checked_add(s.len())?;
    let w = t.get(i..e)?;
    for (a, b) in w.iter().zip(s.as_bytes()) {
        if a.to_ascii_lowercase() != *b {
            return None;
        }
    }
    Some(e)
}

/// End of a run of at least `min` ASCII whitespace bytes at `i` (`\s*` or `\s+`).
fn spaces(t: &[u8], i: usize, min: usize) -> Option<usize> {
    let n = t
        .get(i..)?
        .iter()
        .take_while(|b| b.is_ascii_whitespace() || **b == 0x0b)
        .count();
    (n >= min).then_some(i + n)
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every way a named guideline or a phrase can be spelt holds an anchor.
    #[test]
    fn every_name_holds_an_anchor() {
        fn spellings(pieces: &[Piece]) -> Vec<String> {
            let Some((first, rest)) = pieces.split_first() else {
                return vec![String::new()];
            };
            let heads: Vec<&str> = match *first {
                Piece::Lit(s) => vec![s],
                Piece::Opt(s) => vec![s, ""],
                Piece::Alt(alts) => alts.to_vec(),
            };
            let tails = spellings(rest);
            heads
                .iter()
                .flat_map(|h| tails.iter().map(move |t| format!("{h}{t}")))
                .collect()
        }
        let names = KNOWN
            .iter()
            .flat_map(|k| spellings(k))
            .chain(PHRASE_ENDS.iter().map(|e| e.to_lowercase()));
        for name in names {
            assert!(ANCHORS.iter().any(|a| name.contains(a)), "{name}");
        }
        for a in ANCHORS {
            for b in ANCHORS {
                assert!(a == b || !a.contains(b), "{a} holds {b}");
            }
        }
    }

    proptest::proptest! {
        /// The search from the back finds the last start a plain search finds.
        #[test]
        fn last_anchor_is_the_last_start(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "Treatment", "treatmen", "COMPLAINTS", "disorders", "Conditions",
                "approaches", "PAIN", "pai", "in", "nt", "s", " ", "x", "\u{2013}", "\u{17f}",
            ]), 0..12),
        ) {
            let text = parts.concat();
            let t = text.as_bytes();
            let want = (0..t.len())
                .rev()
                .find(|&s| ANCHORS.iter().any(|a| lit(t, s, a).is_some()));
            proptest::prop_assert_eq!(last_anchor(t), want);
        }
    }
}
