//! Where a windowed regex concept term could match: the words its matches
//! start with.
//!
//! Searched unanchored over a whole case summary, a term such as
//! `\b(?:MRI|CT|imaging|...)\b[^.]{0,120}\b(?:nerve root|...)` drives its
//! lazy DFA through a state for every set of 120-byte windows open at once:
//! building those states was most of what the regex terms cost. Every match
//! starts with one of a few literals ("mri", "ct", "imaging"); a prefilter
//! finds them, and the term runs anchored only there, where its DFA holds a
//! single window.
//!
//! Anchored at a position, a leftmost-first regex finds the match an
//! unanchored search finds when its leftmost match starts there; every match
//! starts at a candidate, so trying the candidates left to right, each past
//! the previous match's end, finds what `find_iter` finds.
//!
//! Any term, windowed or not, is also ruled out of a region that lacks every
//! literal of some part it cannot match without ("relief", "morphine").

use regex_automata::util::prefilter::Prefilter;
use regex_automata::{MatchKind, Span};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Hir, HirKind, Look};

/// The start literals of a list of regex terms, by index in that list.
pub struct Starts {
    /// Per term, its gate; `None` for a term searched as before.
    gates: Vec<Option<Gate>>,
    /// Per term, indexes in `sets` of the literal sets it cannot match
    /// without (see [`needs`]).
    needs: Vec<Vec<usize>>,
    /// Each distinct literal set once: terms share them ("year", "old",
    /// "relief"), and a region is searched for each once.
    sets: Vec<Need>,
    /// Per set, the other sets holding all its literals: where one of them
    /// is absent, so is it, unsearched.
    supersets: Vec<Vec<usize>>,
}

/// A literal set, present in a haystack when one of its searches finds a
/// literal.
struct Need {
    /// One search for the whole set when it is fast; else one per literal
    /// ("%" and "percent"; "mg" and "milligram"), each a memchr or memmem.
    searches: Vec<Prefilter>,
}

impl Need {
    /// About what a search for this set of `literals` costs: a literal
    /// searched alone (memchr, memmem) costs one, many searched together
    /// (Teddy) several.
    fn cost(&self, literals: &[Vec<u8>]) -> usize {
        match self.searches.as_slice() {
            [_] if literals.len() > 1 => 4,
            searches => searches.len(),
        }
    }

    fn present(&self, hay: &[u8]) -> bool {
        self.searches
            .iter()
            .any(|p| p.find(hay, Span::from(0..hay.len())).is_some())
    }
}

/// Which literal sets a haystack holds, learnt as terms ask.
pub struct Present {
    /// Per set: unknown, absent or present.
    known: Vec<Option<bool>>,
}

struct Gate {
    /// Finds the next place one of the term's start literals occurs.
    literals: Prefilter,
    /// The term opens with an ASCII `\b`: a candidate that is no word
    /// boundary cannot start a match, and is not worth a search.
    word_boundary: bool,
}

impl Starts {
    /// Gates for terms read from these syntax trees; `None` for a term
    /// that is not searched as a byte regex over the text it is given here.
    /// Only terms that count a window are gated: for the others the
    /// unanchored DFA is cheap, and a prefilter call and an anchored search
    /// at each of the many places a number or a short word starts cost more.
    pub fn new<'h>(terms: impl IntoIterator<Item = Option<&'h Hir>>) -> Starts {
        let terms: Vec<Option<&Hir>> = terms.into_iter().collect();
        let mut keys: Vec<Vec<Vec<u8>>> = Vec::new();
        let mut sets = Vec::new();
        let needs = terms
            .iter()
            .map(|hir| {
                let Some(hir) = hir else { return Vec::new() };
                let mut term: Vec<(usize, usize)> = needs(hir)
                    .into_iter()
                    .map(|(key, need)| {
                        let cost = need.cost(&key);
                        let k = keys.iter().position(|k| *k == key).unwrap_or_else(|| {
                            keys.push(key);
                            sets.push(need);
                            sets.len() - 1
                        });
                        (cost, k)
                    })
                    .collect();
                // Any absent set rules the term out: the cheap ones are
                // searched first, and a region seldom needs the others.
                term.sort_by_key(|&(cost, _)| cost);
                term.into_iter().map(|(_, k)| k).collect()
            })
            .collect();
        let gates = terms
            .into_iter()
            .map(|hir| {
                let h = hir.filter(|h| counts_a_window(h))?;
                Some(Gate {
                    literals: Prefilter::new(MatchKind::LeftmostFirst, &first_literals(h)?)?,
                    word_boundary: opens_with_word_boundary(h),
                })
            })
            .collect();
        let supersets = keys
            .iter()
            .enumerate()
            .map(|(i, small)| {
                (0..keys.len())
                    .filter(|&j| j != i && small.iter().all(|l| keys[j].contains(l)))
                    .collect()
            })
            .collect();
        Starts {
            gates,
            needs,
            sets,
            supersets,
        }
    }

    /// Whether `hay` lacks all of some set of literals every match of term
    /// `i` holds: the term cannot match there, and is not searched. Most
    /// regions name no percentage or no dose, and a literal search for "%"
    /// costs far less than the term's own search from every number.
    pub fn ruled_out(&self, i: usize, hay: &[u8]) -> bool {
        self.ruled_out_in(i, hay, &mut self.present())
    }

    /// Nothing known yet of a haystack's literal sets.
    pub fn present(&self) -> Present {
        Present {
            known: vec![None; self.sets.len()],
        }
    }

    /// As [`Starts::ruled_out`], each set searched for in `hay` at most
    /// once for all the terms asked about with the same `present`.
    pub fn ruled_out_in(&self, i: usize, hay: &[u8], present: &mut Present) -> bool {
        self.needs.get(i).is_some_and(|sets| {
            sets.iter().any(|&k| {
                if let Some(known) = present.known[k] {
                    return !known;
                }
                let found = !self.supersets[k]
                    .iter()
                    .any(|&j| present.known[j] == Some(false))
                    && self.sets[k].present(hay);
                present.known[k] = Some(found);
                !found
            })
        })
    }

    /// Whether term `i` is searched only at its candidates.
    pub fn gated(&self, i: usize) -> bool {
        self.gates.get(i).is_some_and(Option::is_some)
    }

    /// The matches of every gated term `keep` accepts in `hay`:
    /// `matches(term, at)` searches the term anchored at `at` and gives its
    /// match's end; each match is passed to `found(term, start, end)`, a
    /// term's matches left to right: what `find_iter` finds.
    pub fn find(
        &self,
        hay: &[u8],
        present: &mut Present,
        keep: impl Fn(usize) -> bool,
        mut matches: impl FnMut(usize, usize) -> Option<usize>,
        mut found: impl FnMut(usize, usize, usize),
    ) {
        let word = |i: usize| hay.get(i).is_some_and(|&c| is_word_byte(c));
        for (t, g) in self.gates.iter().enumerate() {
            let Some(g) = g else { continue };
            if !keep(t) || self.ruled_out_in(t, hay, present) {
                continue;
            }
            let mut from = 0;
            // The prefilter reports the leftmost place from `from` where a
            // literal starts, so no candidate is skipped.
            while let Some(lit) = g.literals.find(hay, Span::from(from..hay.len())) {
                let at = lit.start;
                from = at + 1;
                if g.word_boundary && at.checked_sub(1).is_some_and(word) == word(at) {
                    continue;
                }
                if let Some(end) = matches(t, at) {
                    found(t, at, end);
                    // Never empty (it holds a start literal): the next
                    // match starts at its end or later.
                    from = end.max(from);
                }
            }
        }
    }
}

/// The literals every match of `hir` starts with, or `None` when they are
/// not a finite list of non-empty strings.
pub(super) fn first_literals(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(hir);
    let mut out: Vec<Vec<u8>> = Vec::new();
    for l in seq.literals()? {
        if l.as_bytes().is_empty() {
            return None;
        }
        out.push(l.as_bytes().to_vec());
    }
    if out.is_empty() {
        return None;
    }
    out.sort();
    out.dedup();
    Some(out)
}

/// Literal sets a match of `hir` cannot do without: for each part of its
/// top-level sequence that cannot match empty and starts with one of a
/// finite list of literals, that list (sorted, as a key to share it by) and
/// its search. Sets of whitespace (a `\s+`) are left out: every region holds
/// them.
fn needs(hir: &Hir) -> Vec<(Vec<Vec<u8>>, Need)> {
    let parts = match hir.kind() {
        HirKind::Concat(v) => v.as_slice(),
        HirKind::Capture(c) => return needs(&c.sub),
        _ => std::slice::from_ref(hir),
    };
    parts
        .iter()
        .rev()
        .filter_map(|part| {
            let seq = Extractor::new().kind(ExtractKind::Prefix).extract(part);
            let literals = seq.literals()?;
            let spaces = literals
                .iter()
                .any(|l| l.as_bytes().first().is_some_and(u8::is_ascii_whitespace));
            // An empty literal: a part that may match nothing.
            if spaces || literals.iter().any(|l| l.as_bytes().is_empty()) {
                return None;
            }
            let mut key: Vec<Vec<u8>> = literals.iter().map(|l| l.as_bytes().to_vec()).collect();
            key.sort();
            key.dedup();
            Some((key.clone(), need(key)?))
        })
        .collect()
}

/// The search for a literal set, if a fast one exists: the set's own
/// prefilter, or for a set of a few literals one memchr or memmem each
/// ("%" with "percent" is no fast set, but each is a fast search). A slow
/// prefilter (many short literals: every two-digit number) costs about
/// what the term's own search does.
fn need(literals: Vec<Vec<u8>>) -> Option<Need> {
    if let Some(p) = Prefilter::new(MatchKind::LeftmostFirst, &literals).filter(Prefilter::is_fast)
    {
        return Some(Need { searches: vec![p] });
    }
    // A literal that starts with another is found where that one is.
    let mut shortest: Vec<&Vec<u8>> = Vec::new();
    for l in &literals {
        if !literals.iter().any(|o| o != l && l.starts_with(o)) {
            shortest.push(l);
        }
    }
    if shortest.len() > 3 {
        return None;
    }
    let searches = shortest
        .into_iter()
        .map(|l| Prefilter::new(MatchKind::LeftmostFirst, &[l]).filter(Prefilter::is_fast))
        .collect::<Option<Vec<_>>>()?;
    Some(Need { searches })
}

/// Whether `hir` counts a window (`[^.]{0,120}`): unanchored, its lazy DFA
/// needs a state for every set of windows open at once, where anchored it
/// holds one.
fn counts_a_window(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Repetition(r) => r.max.is_some_and(|m| m >= WINDOW) || counts_a_window(&r.sub),
        HirKind::Capture(c) => counts_a_window(&c.sub),
        HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().any(counts_a_window),
        _ => false,
    }
}

/// The least count of a repeat that makes a window.
const WINDOW: u32 = 16;

/// Whether every match of `hir` must start at an ASCII word boundary.
pub(super) fn opens_with_word_boundary(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Look(Look::WordAscii) => true,
        HirKind::Concat(v) => v.first().is_some_and(opens_with_word_boundary),
        HirKind::Capture(c) => opens_with_word_boundary(&c.sub),
        HirKind::Alternation(v) => v.iter().all(opens_with_word_boundary),
        _ => false,
    }
}

/// A word byte as an ASCII `\b` sees it.
pub(super) fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_automata::meta;

    fn build(pattern: &str) -> (meta::Regex, Hir) {
        let hir = crate::rulebook::pattern::read(pattern).expect("pattern");
        let re = meta::Builder::new()
            .configure(meta::Config::new().utf8_empty(false))
            .build_from_hir(&hir)
            .expect("regex");
        (re, hir)
    }

    const PATTERNS: [&str; 11] = [
        r"\b(?:mri|ct|imaging|emg|electromyograph\w*|nerve conduction)\b[^.]{0,20}\b(?:nerve root|foraminal|herniat\w+|compress\w*)",
        r"\b(?:4[1-9]|[5-9]\d|1[01]\d)[- ]years?[^.]{0,20}old\b",
        r"\bage(?:d)?\s*(?:of\s*)?(?:6[6-9]|[7-9]\d|1[01]\d)\b",
        r"\b(?:at\s+least|more\s+than|over)[^.]{0,30}(?:50|fifty)\s?(?:%|percent)",
        r"(?:ab|b|abc)c?[^.]{0,16}",
        r"\b(?:8[1-9]|[1-9]\d{2,3})[^.]{0,20}mg",
        r"\b%\d[a-z]{0,16}",
        r"(?:ab|b)c{0,17}",
        r"\b[a-z]+ly[^.]{0,20}",
        r"\b(?:[3-9]\d|100)\s?(?:%|percent)\s*(?:pain\s+)?(?:relief|reduction|improvement)",
        r"\b(?:over|older\s+than)\s+65\b",
    ];

    fn gated_matches(patterns: &[&str], hay: &[u8]) -> Vec<Vec<(usize, usize)>> {
        use regex_automata::{Anchored, Input};
        let built: Vec<_> = patterns.iter().map(|p| build(p)).collect();
        let starts = Starts::new(built.iter().map(|(_, h)| Some(h)));
        let mut out = vec![Vec::new(); patterns.len()];
        // One record of the literal sets for every term, as the concept
        // scan keeps it.
        let mut present = starts.present();
        starts.find(
            hay,
            &mut present,
            |_| true,
            |t, at| {
                built[t]
                    .0
                    .search(&Input::new(hay).range(at..).anchored(Anchored::Yes))
                    .map(|m| m.end())
            },
            |t, s, e| out[t].push((s, e)),
        );
        for (t, (re, _)) in built.iter().enumerate() {
            if !starts.gated(t) && !starts.ruled_out_in(t, hay, &mut present) {
                out[t].extend(re.find_iter(hay).map(|m| (m.start(), m.end())));
            }
        }
        out
    }

    fn plain_matches(patterns: &[&str], hay: &[u8]) -> Vec<Vec<(usize, usize)>> {
        patterns
            .iter()
            .map(|p| {
                build(p)
                    .0
                    .find_iter(hay)
                    .map(|m| (m.start(), m.end()))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn terms_with_start_words_are_gated() {
        let built: Vec<_> = PATTERNS.iter().map(|p| build(p)).collect();
        let starts = Starts::new(built.iter().map(|(_, h)| Some(h)));
        let gated: Vec<bool> = (0..PATTERNS.len()).map(|i| starts.gated(i)).collect();
        assert_eq!(
            gated,
            [
                true, true, false, true, true, true, true, true, false, false, false
            ]
        );
    }

    #[test]
    fn a_term_is_ruled_out_without_a_literal_it_needs() {
        let built: Vec<_> = PATTERNS.iter().map(|p| build(p)).collect();
        let starts = Starts::new(built.iter().map(|(_, h)| Some(h)));
        let relief = 9;
        assert!(starts.ruled_out(relief, b"60% pain, over 65"));
        assert!(!starts.ruled_out(relief, b"60% pain relief"));
        // "%" or "percent" is no fast set, but each is a fast search.
        assert!(starts.ruled_out(relief, b"60 pain relief"));
        assert!(!starts.ruled_out(relief, b"60 percent pain relief"));
        // Sets are searched once per haystack, whichever term asks.
        let mut present = starts.present();
        let hay = b"over 50 percent";
        let asked: Vec<bool> = (0..PATTERNS.len())
            .map(|t| starts.ruled_out_in(t, hay, &mut present))
            .collect();
        let alone: Vec<bool> = (0..PATTERNS.len())
            .map(|t| starts.ruled_out(t, hay))
            .collect();
        assert_eq!(asked, alone);
    }

    #[test]
    fn a_set_is_absent_where_a_set_holding_its_literals_is() {
        let patterns = [
            r"\b(?:mri|ct)\b[^.]{0,20}\b(?:root|disc|herniat\w*)",
            r"\b(?:root|disc)\b[^.]{0,20}\bon\s+mri",
        ];
        let built: Vec<_> = patterns.iter().map(|p| build(p)).collect();
        let starts = Starts::new(built.iter().map(|(_, h)| Some(h)));
        // "root" and "disc" within "root", "disc" and "herniat"; "mri" within "mri" and "ct".
        assert_eq!(starts.supersets.iter().filter(|s| !s.is_empty()).count(), 2);
        for hay in [
            &b"mri showed a disc on mri"[..],
            b"mri showed nothing",
            b"herniated",
        ] {
            let mut present = starts.present();
            let asked: Vec<bool> = (0..2)
                .map(|t| starts.ruled_out_in(t, hay, &mut present))
                .collect();
            let alone: Vec<bool> = (0..2).map(|t| starts.ruled_out(t, hay)).collect();
            assert_eq!(asked, alone, "{:?}", String::from_utf8_lossy(hay));
        }
    }

    #[test]
    fn gated_terms_find_what_find_iter_finds() {
        for hay in [
            "mri of the spine: herniated disc. ct showed nerve root compression, emg too",
            "a 72-year-old, aged 67, age of 70; 41 years old; 119-years-old man",
            "at least 50% relief, more than fifty percent, over 50 percent",
            "abcbcabc abcc bc",
            "ctmri mri mri ct mri herniation",
            "taking 120 mg, 85mg, 9 mg, 1200 mg; 5%3 and 50%5 %5 b",
            "60% pain relief; 45 percent improvement; over 65, older than  65",
            "",
        ] {
            assert_eq!(
                gated_matches(&PATTERNS, hay.as_bytes()),
                plain_matches(&PATTERNS, hay.as_bytes()),
                "{hay:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn gated_terms_find_what_find_iter_finds_in_word_soup(
            parts in proptest::collection::vec((0usize..35, 0usize..10), 0..16)
        ) {
            let words = [
                "mri", "ct", "imaging", "emg", "electromyography", "nerve", "conduction",
                "root", "foraminal", "herniated", "compression", "41", "72", "119", "5",
                "year", "years", "old", "age", "aged", "of", "at", "least", "over", "50", "abc",
                "mg", "%", "percent", "relief", "improvement", "pain", "65", "older", "than",
            ];
            let glue = [" ", "", "-", "_", "é", ".", "ſ", "\u{212a}", "%", "b"];
            let mut s = String::new();
            for (w, g) in parts {
                s.push_str(words[w]);
                s.push_str(glue[g]);
            }
            proptest::prop_assert_eq!(
                gated_matches(&PATTERNS, s.as_bytes()),
                plain_matches(&PATTERNS, s.as_bytes()),
                "{:?}", s
            );
        }
    }
}
