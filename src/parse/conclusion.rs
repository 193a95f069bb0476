//! What a rationale concludes: medically necessary or not, certified or not.
//!
//! The conclusion is the last verdict phrase of the rationale; earlier ones
//! often quote the request or the UR decision. A phrase counts as negated when
//! a negation word stands in the few words before it within its clause
//! ("is not medically necessary", "cannot be considered medically
//! necessary"), or, for "medical necessity", in the few words after it
//! ("medical necessity has not been established").

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::fold::Folded;
use crate::model::Conclusion;
use crate::span::Span;

use super::scan::lit;

static VERDICT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        (?P<unnecessary>\bmedically\s?unnecessary\b|\bnot\s?medically\s+necessary\b)
        |(?P<necessary>\bmedically\s+necessary\b|\bmedically\s+indicated\b)
        |(?P<necessity>\bmedical\s+necessity\b)
        |(?P<noncert>\bnon-?\s?certif(?:ied|y)\b|\bnot\s+certified\b|\bnoncertified\b)
        |(?P<cert>\b(?:is|are|be|was|were|been)\s+certified\b)",
    )
    .expect("verdict pattern")
});

static NEGATION: LazyLock<Regex> = LazyLock::new(|| {
    // Only words that negate a verdict: "without" and "lack" qualify the request
    // ("MRI without contrast is medically necessary"), not the verdict.
    Regex::new(r"(?i)\b(?:not|no|cannot|can't|never|neither|nor|unable)\b|n't\b")
        .expect("negation pattern")
});

static ESTABLISHED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^[^.;]{0,80}?\b(?:(?:is|are|was|were|has|have|had)\s+)?(?:(?P<neg>not|never)\s+)?(?:been\s+)?(?:established|substantiated|supported|demonstrated|met|documented)\b")
        .expect("pattern")
});

static A_NECESSITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:is|are|was|were|be|remains?)\s+(?:(?P<neg>not)\s+)?(?:a\s+)?$")
        .expect("pattern")
});

/// Finds the conclusion of the rationale in folded range `[start, end)`.
pub fn find_conclusion(f: &Folded, start: usize, end: usize) -> (Conclusion, Option<Span>) {
    let text = &f.as_str()[start..end];
    let mut last = None;
    // Only the last verdict counts, so search from the end, one run of whole
    // sentences at a time. No verdict phrase holds a '.', so no match crosses
    // one, and a '.' before a run looks to `\b` like the start of the text:
    // each run yields exactly the matches a search of the whole text finds
    // there. Every verdict phrase holds "medical" or "certif" (no other
    // Unicode case forms exist), so a run starts at the sentence holding the
    // last of those words, and the text after it holds no verdict.
    let mut hi = text.len();
    // Start of the run the last verdict was found in.
    let mut run_start = 0;
    while last.is_none() {
        let Some(word) = last_verdict_word(&text.as_bytes()[..hi]) else {
            break;
        };
        let lo = memchr::memrchr(b'.', &text.as_bytes()[..word]).map_or(0, |i| i + 1);
        run_start = lo;
        let run = &text[lo..hi];
        let found = if super::scan::plain(run) {
            verdicts(run.as_bytes())
        } else {
            VERDICT
                .captures_iter(run)
                .filter_map(|c| {
                    let kind = if c.name("unnecessary").is_some() {
                        Kind::Unnecessary
                    } else if c.name("necessary").is_some() {
                        Kind::Necessary
                    } else if c.name("necessity").is_some() {
                        Kind::Necessity
                    } else if c.name("noncert").is_some() {
                        Kind::Noncert
                    } else {
                        Kind::Cert
                    };
                    Some((c.get(0)?.range(), kind))
                })
                .collect()
        };
        for (m, kind) in found {
            let (m_start, m_end) = (lo + m.start, lo + m.end);
            let verdict = if kind == Kind::Unnecessary {
                Some(Conclusion::NotMedicallyNecessary)
            } else if kind == Kind::Necessary {
                Some(if negated_before(text, m_start) {
                    Conclusion::NotMedicallyNecessary
                } else {
                    Conclusion::MedicallyNecessary
                })
            } else if kind == Kind::Necessity {
                established(&text[m_end..])
                    // "is (not) a medical necessity"
                    .or_else(|| a_necessity(&text[..m_start]))
                    .map(|neg| {
                        if neg || negated_before(text, m_start) {
                            Conclusion::NotMedicallyNecessary
                        } else {
                            Conclusion::MedicallyNecessary
                        }
                    })
            } else if kind == Kind::Noncert || negated_before(text, m_start) {
                Some(Conclusion::NonCertified)
            } else {
                Some(Conclusion::Certified)
            };
            if let Some(v) = verdict {
                last = Some((v, m_start, m_end));
            }
        }
        hi = lo;
    }
    match last {
        Some((v, s, e)) => {
            // Point at the whole clause that carries the verdict.
            let clause_start = clause_start(text.as_bytes(), run_start, s);
            (v, Some(f.span(start + clause_start, start + e)))
        }
        None => (Conclusion::Unclear, None),
    }
}

/// Start of the clause that holds offset `s`: after the last '.', ';', '!'
/// or '?' before it. `run_start` starts the text or follows a '.', so the
/// clause starts no earlier; the marks are ASCII, so bytes tell them.
fn clause_start(t: &[u8], run_start: usize, s: usize) -> usize {
    t[run_start..s]
        .iter()
        .rposition(|&b| matches!(b, b'.' | b';' | b'!' | b'?'))
        .map_or(run_start, |i| run_start + i + 1)
}

/// Which group of `VERDICT` matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Unnecessary,
    Necessary,
    Necessity,
    Noncert,
    Cert,
}

/// `VERDICT` matches on ASCII text, left to right, as `captures_iter` finds
/// them: each alternative is tried in the pattern's order at every word
/// start. A `\s+` or `\s?` is always followed by a letter here, so taking
/// all the whitespace is the only way on, and no backtracking is needed.
fn verdicts(t: &[u8]) -> Vec<(Range<usize>, Kind)> {
    let mut out = Vec::new();
    let mut from = 0;
    // Every alternative starts with one of these pairs ("medically", "not",
    // "non", "is", "are", "be", "was", "were"): only they are tried.
    let leads =
        super::scan::pair_leads(t, [*b"me", *b"no", *b"is", *b"ar", *b"be", *b"wa", *b"we"]);
    for i in leads {
        if i < from || (i > 0 && is_word(t[i - 1])) {
            continue;
        }
        if let Some((e, kind)) = verdict_at(t, i) {
            out.push((i..e, kind));
            from = e;
        }
    }
    out
}

fn verdict_at(t: &[u8], i: usize) -> Option<(usize, Kind)> {
    // `\b` after the last letter of a phrase.
    let end = |e: Option<usize>| e.filter(|&e| !t.get(e).is_some_and(|&b| is_word(b)));
    // `\s?` when `min` is 0, `\s+` when it is 1.
    let spaces = |e: usize, min: usize| {
        let n = t[e..]
            .iter()
            .take(if min == 0 { 1 } else { usize::MAX })
            .take_while(|&&b| b.is_ascii_whitespace() || b == 0x0b)
            .count();
        (n >= min).then_some(e + n)
    };
    let lit = |e: Option<usize>, s: &str| {
        let e = e?;
        let w = t.get(e..e + s.len())?;
        w.eq_ignore_ascii_case(s.as_bytes()).then_some(e + s.len())
    };
    let then = |e: Option<usize>, min: usize, s: &str| lit(spaces(e?, min), s);
    let medically = lit(Some(i), "medically");
    let not = lit(Some(i), "not");
    if let Some(e) = end(then(medically, 0, "unnecessary"))
        .or_else(|| end(then(then(not, 0, "medically"), 1, "necessary")))
    {
        return Some((e, Kind::Unnecessary));
    }
    if let Some(e) =
        end(then(medically, 1, "necessary")).or_else(|| end(then(medically, 1, "indicated")))
    {
        return Some((e, Kind::Necessary));
    }
    if let Some(e) = end(then(lit(Some(i), "medical"), 1, "necessity")) {
        return Some((e, Kind::Necessity));
    }
    let noncert = lit(Some(i), "non").and_then(|e| {
        let e = lit(Some(e), "-").unwrap_or(e);
        let c = then(Some(e), 0, "certif");
        end(lit(c, "ied")).or_else(|| end(lit(c, "y")))
    });
    if let Some(e) = noncert
        .or_else(|| end(then(not, 1, "certified")))
        .or_else(|| end(lit(Some(i), "noncertified")))
    {
        return Some((e, Kind::Noncert));
    }
    ["is", "are", "be", "was", "were", "been"]
        .iter()
        .find_map(|w| end(then(lit(Some(i), w), 1, "certified")))
        .map(|e| (e, Kind::Cert))
}

/// A `\w` byte.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Start of the last "medical" or "certif", in any ASCII case, in `b`.
/// Both words hold a 'c' ("certif" at its start, "medical" four bytes in),
/// the only bytes looked at closely; going back from the last 'c', a word
/// found can only be bettered by one at a later byte than the 'c' at hand.
fn last_verdict_word(b: &[u8]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for p in memchr::memrchr2_iter(b'c', b'C', b) {
        if best.is_some_and(|x| x >= p) {
            break;
        }
        if b.get(p..p + 6)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"certif"))
        {
            return Some(p);
        }
        let m = p.wrapping_sub(4);
        if p >= 4
            && b.get(m..m + 7)
                .is_some_and(|w| w.eq_ignore_ascii_case(b"medical"))
        {
            best = best.max(Some(m));
        }
    }
    best
}

/// [`last_verdict_word`] as it was, one byte at a time; kept to test it against.
#[cfg(test)]
fn last_verdict_word_bytewise(b: &[u8]) -> Option<usize> {
    (0..b.len()).rev().find(|&i| {
        let w = &b[i..];
        (w.len() >= 7 && w[..7].eq_ignore_ascii_case(b"medical"))
            || (w.len() >= 6 && w[..6].eq_ignore_ascii_case(b"certif"))
    })
}

/// True when a negation word stands within the five words before `at`, in the same clause.
fn negated_before(text: &str, at: usize) -> bool {
    let clause_start = text[..at]
        .rfind(['.', ';', ':', '!', '?', ','])
        .map_or(0, |i| i + 1);
    let window = &text[clause_start..at];
    let words = &window[last_words_start(window, 5)..];
    if super::scan::plain(words) {
        negation(words.as_bytes())
    } else {
        NEGATION.is_match(words)
    }
}

/// Whether `ESTABLISHED` matches, and with its `neg` group.
fn established(text: &str) -> Option<bool> {
    if super::scan::plain(text) {
        established_plain(text.as_bytes())
    } else {
        ESTABLISHED.captures(text).map(|e| e.name("neg").is_some())
    }
}

/// Whether `A_NECESSITY` matches, and with its `neg` group.
fn a_necessity(text: &str) -> Option<bool> {
    if super::scan::plain(text) {
        a_necessity_plain(text)
    } else {
        A_NECESSITY.captures(text).map(|a| a.name("neg").is_some())
    }
}

/// `\s+` at `e` on plain text: all of the run, which is the only way on
/// here (every pattern goes on with a letter or ends).
fn spaces(t: &[u8], e: usize) -> Option<usize> {
    let n = t[e.min(t.len())..]
        .iter()
        .take_while(|&&b| b.is_ascii_whitespace() || b == 0x0b)
        .count();
    (n > 0).then_some(e + n)
}

/// A `\b` before the letter at `i`: no word byte before it.
fn word_starts(t: &[u8], i: usize) -> bool {
    t.get(i).is_some_and(u8::is_ascii_alphabetic) && !(i > 0 && is_word(t[i - 1]))
}

/// One of `words` at `i`, ending a word (`(?:a|b|...)\b`): its end.
fn word_of(t: &[u8], i: usize, words: &[&str]) -> Option<usize> {
    words
        .iter()
        .find_map(|w| lit(t, i, w).filter(|&e| !t.get(e).is_some_and(|&b| is_word(b))))
}

/// `NEGATION` on plain text: `(?i)\b(?:not|no|cannot|can't|never|neither|nor|unable)\b|n't\b`.
fn negation(t: &[u8]) -> bool {
    const WORDS: [&str; 8] = [
        "not", "no", "cannot", "can't", "never", "neither", "nor", "unable",
    ];
    (0..t.len()).any(|i| {
        word_of(t, i, &["n't"]).is_some() || (word_starts(t, i) && word_of(t, i, &WORDS).is_some())
    })
}

/// `ESTABLISHED` on plain text: `^[^.;]{0,80}?\b(?:(?:is|are|was|were|has|have|had)\s+)?(?:(?P<neg>not|never)\s+)?(?:been\s+)?(?:established|...)\b`,
/// each optional part taken first, at the first place that matches within
/// 80 characters and before any '.' or ';'.
fn established_plain(t: &[u8]) -> Option<bool> {
    const VERBS: [&str; 7] = ["is", "are", "was", "were", "has", "have", "had"];
    const ENDS: [&str; 6] = [
        "established",
        "substantiated",
        "supported",
        "demonstrated",
        "met",
        "documented",
    ];
    let at = |p: usize| -> Option<bool> {
        if !word_starts(t, p) {
            return None;
        }
        let verb = VERBS.iter().find_map(|v| spaces(t, lit(t, p, v)?));
        for q in [verb, Some(p)].into_iter().flatten() {
            let not = ["not", "never"]
                .iter()
                .find_map(|w| spaces(t, lit(t, q, w)?));
            for (neg, r) in [(true, not), (false, Some(q))] {
                let Some(r) = r else { continue };
                let been = lit(t, r, "been").and_then(|e| spaces(t, e));
                for r in [been, Some(r)].into_iter().flatten() {
                    if word_of(t, r, &ENDS).is_some() {
                        return Some(neg);
                    }
                }
            }
        }
        None
    };
    let mut p = 0;
    for taken in 0..=80 {
        if let Some(neg) = at(p) {
            return Some(neg);
        }
        if taken == 80 || p >= t.len() || matches!(t[p], b'.' | b';') {
            return None;
        }
        p += utf8_len(t[p]);
    }
    None
}

/// `A_NECESSITY` on plain text: `\b(?:is|are|was|were|be|remains?)\s+(?:(?P<neg>not)\s+)?(?:a\s+)?$`.
fn a_necessity_plain(text: &str) -> Option<bool> {
    const VERBS: [&str; 7] = ["is", "are", "was", "were", "be", "remains", "remain"];
    // A match is at most three words (the verb, "not", "a") and the spaces
    // after them, up to the end: it starts within the last three words.
    let t = text.as_bytes();
    let from = last_words_start(text, 3);
    (from..t.len())
        .filter(|&i| word_starts(t, i))
        .find_map(|i| {
            VERBS.iter().find_map(|v| {
                let q = spaces(t, lit(t, i, v)?)?;
                let not = lit(t, q, "not").and_then(|e| spaces(t, e));
                [(true, not), (false, Some(q))]
                    .into_iter()
                    .find_map(|(neg, r)| {
                        let r = r?;
                        let a = lit(t, r, "a").and_then(|e| spaces(t, e));
                        [a, Some(r)]
                            .into_iter()
                            .flatten()
                            .any(|e| e == t.len())
                            .then_some(neg)
                    })
            })
        })
}

/// Byte length of the character that starts with `first`.
fn utf8_len(first: u8) -> usize {
    match first {
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => 1,
    }
}

/// Where the last `n` whitespace-separated words of `s` start (0 when it
/// holds fewer). Searching from there finds what a search of those words
/// joined by single spaces finds: no negation holds whitespace, and
/// whitespace is no word character to `\b`, however wide or long the run.
fn last_words_start(s: &str, n: usize) -> usize {
    if n == 0 {
        return s.len();
    }
    let mut seen = 0;
    let mut in_word = false;
    for (i, c) in s.char_indices().rev() {
        if c.is_whitespace() {
            if in_word && seen == n {
                return i + c.len_utf8();
            }
            in_word = false;
        } else if !in_word {
            in_word = true;
            seen += 1;
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conclude(s: &str) -> Conclusion {
        let f = Folded::new(s);
        find_conclusion(&f, 0, f.len()).0
    }

    proptest::proptest! {
        /// The byte search from the run's start finds the clause the former
        /// character search over the whole text found.
        #[test]
        fn clause_start_is_the_character_search(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "a", " ", ".", ";", "!", "?", ",", "\u{e9}", "\u{2019}", "\u{17f}", "not",
            ]), 0..30),
            pick in 0usize..64,
        ) {
            let text = parts.concat();
            let t = text.as_bytes();
            let bounds: Vec<usize> = (0..=t.len()).filter(|&i| text.is_char_boundary(i)).collect();
            let s = bounds[pick % bounds.len()];
            let runs: Vec<usize> = (0..=s)
                .filter(|&i| i == 0 || t[i - 1] == b'.')
                .collect();
            let want = text[..s].rfind(['.', ';', '!', '?']).map_or(0, |i| i + 1);
            for run_start in runs {
                proptest::prop_assert_eq!(clause_start(t, run_start, s), want);
            }
        }
    }

    #[test]
    fn last_words_start_matches_split_whitespace() {
        for s in [
            "",
            " ",
            "a",
            " a b ",
            "one two  three\u{2003}four five six ",
            "x\ty",
        ] {
            for n in 0..8 {
                let words: Vec<&str> = s.split_whitespace().collect();
                let tail = words[words.len().saturating_sub(n)..].join(" ");
                let got: Vec<&str> = s[last_words_start(s, n)..].split_whitespace().collect();
                assert_eq!(got.join(" "), tail, "{s:?} {n}");
            }
        }
    }

    /// The hand matcher finds what `VERDICT` finds, with the same group.
    #[test]
    fn verdicts_match_the_regex() {
        let pieces = [
            "medically",
            "MEDICAL",
            "medical",
            "ly",
            " ",
            "  ",
            "\t",
            "\u{b}",
            "unnecessary",
            "necessary",
            "indicated",
            "necessity",
            "not",
            "NON",
            "non",
            "-",
            "certif",
            "ied",
            "y",
            "certified",
            "noncertified",
            "is ",
            "are",
            "be",
            "been",
            "was",
            "were",
            "x",
            "_",
            "1",
            ".",
            "s",
            "e",
            "–",
            "’",
            "®",
        ];
        for s in crate::parse::generated::joins(&pieces, 30000, 8) {
            let want: Vec<_> = VERDICT
                .captures_iter(&s)
                .map(|c| {
                    let kind = ["unnecessary", "necessary", "necessity", "noncert"]
                        .iter()
                        .zip([
                            Kind::Unnecessary,
                            Kind::Necessary,
                            Kind::Necessity,
                            Kind::Noncert,
                        ])
                        .find(|(n, _)| c.name(n).is_some())
                        .map_or(Kind::Cert, |(_, k)| k);
                    (c.get(0).unwrap().range(), kind)
                })
                .collect();
            assert_eq!(super::verdicts(s.as_bytes()), want, "{s:?}");
        }
    }

    /// The negation, "established" and "a necessity" matchers agree with
    /// their regexes on plain text.
    #[test]
    fn clause_matchers_match_the_regexes() {
        let pieces = [
            "not",
            "NO",
            "no",
            "cannot",
            "can't",
            "never",
            "neither",
            "nor",
            "unable",
            "n't",
            "don't",
            "is",
            "are",
            "was",
            "were",
            "has",
            "have",
            "had",
            "be",
            "been",
            "remain",
            "remains",
            "a",
            "established",
            "substantiated",
            "supported",
            "demonstrated",
            "met",
            "documented",
            "metric",
            " ",
            "  ",
            "\t",
            ".",
            ";",
            ",",
            "x",
            "_",
            "1",
            "–",
            "’",
            "word ",
            "longer words here ",
        ];
        let mut found = [0; 3];
        for s in crate::parse::generated::joins(&pieces, 40000, 12) {
            let t = s.as_bytes();
            let want = NEGATION.is_match(&s);
            found[0] += usize::from(want);
            assert_eq!(negation(t), want, "{s:?}");
            let want = ESTABLISHED.captures(&s).map(|c| c.name("neg").is_some());
            found[1] += usize::from(want.is_some());
            assert_eq!(established_plain(t), want, "{s:?}");
            let want = A_NECESSITY.captures(&s).map(|c| c.name("neg").is_some());
            found[2] += usize::from(want.is_some());
            assert_eq!(a_necessity_plain(&s), want, "{s:?}");
        }
        assert!(found.iter().all(|&n| n > 100), "{found:?}");
    }

    /// The 'c'-led search finds the word the byte-by-byte one finds.
    #[test]
    fn last_verdict_word_matches_bytewise() {
        let pieces = [
            "medical", "MEDICAL", "medica", "certif", "CERTIF", "certi", "c", "C", "edical", "me",
            " ", "x", "é", "ſ", "–",
        ];
        for s in crate::parse::generated::joins(&pieces, 30000, 8) {
            let b = s.as_bytes();
            for hi in [b.len(), b.len().saturating_sub(1), b.len() / 2] {
                let want = last_verdict_word_bytewise(&b[..hi]);
                assert_eq!(last_verdict_word(&b[..hi]), want, "{s:?} {hi}");
            }
        }
    }

    #[test]
    fn verdicts() {
        use Conclusion::*;
        assert_eq!(
            conclude("Therefore, the request is not medically necessary."),
            NotMedicallyNecessary
        );
        assert_eq!(
            conclude("The request is medically necessary."),
            MedicallyNecessary
        );
        assert_eq!(
            conclude("is notmedically necessary and appropriate."),
            NotMedicallyNecessary
        );
        assert_eq!(
            conclude("The request cannot be considered medically necessary."),
            NotMedicallyNecessary
        );
        assert_eq!(
            conclude("As such, medical necessity has not been established."),
            NotMedicallyNecessary
        );
        assert_eq!(
            conclude("Medical necessity is established for this request."),
            MedicallyNecessary
        );
        assert_eq!(
            conclude("A MRI of the Elbow is not a medical necessity to the patient at this time."),
            NotMedicallyNecessary
        );
        assert_eq!(
            conclude("The request is a medical necessity for this worker."),
            MedicallyNecessary
        );
        assert_eq!(conclude("The request is noncertified."), NonCertified);
        assert_eq!(conclude("The request is certified."), Certified);
        assert_eq!(conclude("Guidelines recommend up to 10 visits."), Unclear);
        assert_eq!(
            conclude(
                "The UR found it not medically necessary. On review, the request is medically necessary."
            ),
            MedicallyNecessary
        );
    }
}
