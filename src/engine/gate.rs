//! Literal gates for rulebook patterns: words a match cannot do without.
//!
//! A `does_not_say` pattern such as
//! `\b(?:TENS|transcutaneous)\b[^.]{0,80}?\b(?:is|are)\s+...(?:treatment|therapy)`
//! can only match a text that holds one of its first words and one of its
//! last. One automaton over every pattern's words finds, in one pass over a
//! rationale, which patterns could match there; only those run their regex,
//! and a pattern no letter could match is never compiled. Most rationales
//! mention a drug or a modality a pattern starts with, so the first words
//! alone (the regex's own prefilter) rule out little: the last words are what
//! makes the gate worth its pass.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex_syntax::hir::Hir;
use regex_syntax::hir::literal::{ExtractKind, Extractor};

/// The gates of a list of patterns, by index in that list.
pub struct Gates {
    automaton: Option<AhoCorasick>,
    /// Literal ids a match must start with and end with; `None` where the
    /// pattern's words could not be told (it is then always run).
    gates: Vec<Option<Gate>>,
    literals: usize,
}

struct Gate {
    /// Sorted, so a hit's literal is looked up by bisection.
    first: Vec<usize>,
    last: Vec<usize>,
}

/// Which of the gates' literals a text holds, one bit each, and where each
/// occurrence starts.
pub struct Present {
    bits: Vec<u64>,
    /// (literal, start) of every occurrence, by start.
    hits: Vec<(usize, usize)>,
}

impl Present {
    fn has(&self, literal: usize) -> bool {
        self.bits[literal / 64] & (1 << (literal % 64)) != 0
    }
}

impl Gates {
    /// Gates for `patterns`, read as the rulebook reads them: case-insensitive,
    /// ASCII classes (see [`super::checks::rule_regex`]).
    pub fn new<'p>(patterns: impl IntoIterator<Item = &'p str>) -> Gates {
        Gates::with_parsed(patterns, |_| None)
    }

    /// As [`Gates::new`], taking each pattern's syntax tree from `parsed`
    /// where it has one (the rulebook's validation parsed them all already:
    /// see [`crate::rulebook::pattern`]) and parsing only the rest.
    pub fn with_parsed<'p, 'h>(
        patterns: impl IntoIterator<Item = &'p str>,
        parsed: impl Fn(&str) -> Option<&'h Hir>,
    ) -> Gates {
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut ids: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut id = |lit: Vec<u8>| {
            *ids.entry(lit).or_insert_with_key(|lit| {
                literals.push(lit.clone());
                literals.len() - 1
            })
        };
        let gates: Vec<Option<Gate>> = patterns
            .into_iter()
            .map(|p| {
                let read_here;
                let hir = match parsed(p) {
                    Some(hir) => hir,
                    None => {
                        read_here = read(p)?;
                        &read_here
                    }
                };
                // A first word keeps its place (it is where a match starts);
                // a last word may lose the whitespace before it.
                let first = necessary(hir, ExtractKind::Prefix)?;
                let last = necessary(hir, ExtractKind::Suffix)?;
                let mut first: Vec<usize> = first.into_iter().map(&mut id).collect();
                let mut last: Vec<usize> = last.into_iter().map(&mut id).collect();
                first.sort_unstable();
                last.sort_unstable();
                Some(Gate { first, last })
            })
            .collect();
        // The literals are lowercase and `scan` lowercases the text: the
        // matches of an ASCII-case-insensitive automaton, without its doubled
        // transitions and alphabet (a DFA that costs half again to build).
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&literals)
            .ok();
        Gates {
            // Without an automaton every gate must stay open.
            gates: if automaton.is_some() {
                gates
            } else {
                Vec::new()
            },
            automaton,
            literals: literals.len(),
        }
    }

    /// One pass over `text`: the literals it holds, in any ASCII case.
    pub fn scan(&self, text: &[u8]) -> Present {
        let mut bits = vec![0u64; self.literals.div_ceil(64)];
        let mut hits = Vec::new();
        if let Some(ac) = &self.automaton {
            // Lowercasing ASCII keeps every offset: hits stay places in `text`.
            for m in ac.find_overlapping_iter(&text.to_ascii_lowercase()) {
                let l = m.pattern().as_usize();
                bits[l / 64] |= 1 << (l % 64);
                hits.push((l, m.start()));
            }
        }
        // Overlapping matches are reported by end; candidates are wanted by start.
        hits.sort_unstable_by_key(|&(_, at)| at);
        Present { bits, hits }
    }

    /// Where in the scanned text a match of pattern `i` could start: the
    /// occurrences of its first words, left to right. `None` when the
    /// pattern has no gate and could start anywhere.
    pub fn starts<'a>(
        &'a self,
        present: &'a Present,
        i: usize,
    ) -> Option<impl Iterator<Item = usize> + 'a> {
        let g = self.gates.get(i)?.as_ref()?;
        let mut last = None;
        Some(present.hits.iter().filter_map(move |&(l, at)| {
            if g.first.binary_search(&l).is_err() || last == Some(at) {
                return None;
            }
            last = Some(at);
            Some(at)
        }))
    }

    /// Whether pattern `i` could match the text `present` was scanned from.
    pub fn open(&self, present: &Present, i: usize) -> bool {
        match self.gates.get(i) {
            Some(Some(g)) => {
                g.first.iter().any(|&l| present.has(l)) && g.last.iter().any(|&l| present.has(l))
            }
            _ => true,
        }
    }
}

/// Lowercased literals every match of `pattern` starts (or ends) with, or
/// `None` when there is no short finite list of them (a class or a repeat
/// at that end, or a literal too short to tell anything).
fn necessary(hir: &Hir, kind: ExtractKind) -> Option<Vec<Vec<u8>>> {
    let prefix = matches!(kind, ExtractKind::Prefix);
    let seq = Extractor::new().kind(kind).extract(hir);
    let mut out: Vec<Vec<u8>> = Vec::new();
    for l in seq.literals()? {
        // Any part of a literal a match must hold is one it must hold too:
        // the whitespace a `\s+` puts at the inner edge (in six variants) tells nothing.
        let word = if prefix {
            l.as_bytes().trim_ascii_end()
        } else {
            l.as_bytes().trim_ascii_start()
        };
        if word.len() < 2 {
            return None;
        }
        out.push(word.to_ascii_lowercase());
    }
    if out.is_empty() {
        return None;
    }
    out.sort();
    out.dedup();
    Some(out)
}

/// `pattern` read case-sensitively, so that literals are not multiplied into
/// every case variant; the automaton matches them case-insensitively, which
/// only widens the gate.
fn read(pattern: &str) -> Option<Hir> {
    crate::rulebook::pattern::read(pattern).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TENS: &str = r"\b(?:TENS|transcutaneous)\b[^.]{0,80}?\b(?:is|are)\s+recommended\s+(?:as\s+)?(?:stand[- ]?alone|sole)\s+(?:treatment|therapy)";

    #[test]
    fn a_gate_needs_first_and_last_words() {
        let g = Gates::new([TENS]);
        let open = |t: &str| g.open(&g.scan(t.as_bytes()), 0);
        assert!(open("tens is recommended as sole THERAPY"));
        assert!(!open("TENS unit for the low back, a trial was done"));
        assert!(!open("physical therapy is recommended"));
    }

    #[test]
    fn an_open_gate_is_never_wrong() {
        // Whatever the gate says, a text the regex matches must pass it.
        let r = crate::engine::checks::rule_regex(TENS).expect("pattern");
        let g = Gates::new([TENS]);
        for t in [
            "The TENS is recommended as sole treatment.",
            "transcutaneous stimulation are recommended standalone therapy",
            "Tens, used at home, is recommended as stand-alone THERAPY",
        ] {
            assert!(r.is_match(t.as_bytes()), "{t}");
            assert!(g.open(&g.scan(t.as_bytes()), 0), "{t}");
        }
    }

    #[test]
    fn anchored_at_the_first_words_is_the_leftmost_match() {
        use regex_automata::{Anchored, Input};
        let r = crate::engine::checks::rule_regex(TENS).expect("pattern");
        let g = Gates::new([TENS]);
        for t in [
            "TENS was tried; the TENS is recommended as sole treatment",
            "Transcutaneous TENS units are recommended as sole therapy for pain",
            "a TENS trial, then tens, is recommended as standalone therapy",
            "TENS is not recommended",
            "attends the tens unit clinic",
        ] {
            let h = t.as_bytes();
            let p = g.scan(h);
            let anchored = g
                .starts(&p, 0)
                .expect("gated")
                .find_map(|at| r.search(&Input::new(h).range(at..).anchored(Anchored::Yes)));
            assert_eq!(
                anchored.map(|m| m.range()),
                r.find(h).map(|m| m.range()),
                "{t}"
            );
        }
    }

    #[test]
    fn unknown_words_leave_the_gate_open() {
        let g = Gates::new([r"[a-z]+ly", r"\d+ visits"]);
        let p = g.scan(b"nothing here");
        assert!(g.open(&p, 0), "no literal prefix: always run");
        assert!(g.open(&p, 1), "a class prefix: always run");
        assert!(g.open(&p, 7), "out of range: always run");
    }
}

#[cfg(test)]
mod rulebook {
    use regex_syntax::hir::literal::ExtractKind;

    /// The gate pays for its pass only if nearly every pattern has one.
    #[test]
    fn the_rulebook_patterns_are_gated() {
        let Ok(book) = crate::rulebook::Rulebook::from_sources(crate::rulebook::files::embedded())
        else {
            panic!("the built-in rulebook loads");
        };
        let patterns = crate::engine::checks::compile_not_said(&book);
        let ungated: Vec<&str> = patterns
            .iter()
            .map(|m| m.pattern)
            .filter(|p| {
                super::read(p).is_none_or(|h| {
                    super::necessary(&h, ExtractKind::Prefix).is_none()
                        || super::necessary(&h, ExtractKind::Suffix).is_none()
                })
            })
            .collect();
        assert!(
            ungated.len() * 10 <= patterns.len(),
            "{} of {} patterns have no gate: {ungated:#?}",
            ungated.len(),
            patterns.len()
        );
    }
}
