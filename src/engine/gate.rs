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

use aho_corasick::automaton::Automaton;
use aho_corasick::nfa::contiguous::NFA;
use aho_corasick::{Anchored, MatchKind};
use regex_syntax::hir::Hir;
use regex_syntax::hir::literal::{ExtractKind, Extractor};

/// The gates of a list of patterns, by index in that list.
pub struct Gates {
    automaton: Option<Walk>,
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

/// Which of the gates' literals each sentence of a text holds, one bit
/// each, and where each occurrence starts: read from one pass over the text.
pub struct Scanned {
    /// `words` bits per sentence, sentence after sentence.
    bits: Vec<u64>,
    words: usize,
    /// (literal, start in its sentence) of every occurrence, sentence after
    /// sentence and by start within one.
    hits: Vec<(usize, usize)>,
    /// Each sentence's part of `hits`.
    ranges: Vec<(usize, usize)>,
}

impl Scanned {
    /// The literals sentence `i` holds; none for a sentence that was not scanned.
    pub fn sentence(&self, i: usize) -> Present<'_> {
        let bits = self
            .bits
            .get(i * self.words..(i + 1) * self.words)
            .unwrap_or(&[]);
        let hits = self
            .ranges
            .get(i)
            .and_then(|&(a, b)| self.hits.get(a..b))
            .unwrap_or(&[]);
        Present { bits, hits }
    }
}

/// Which of the gates' literals one sentence holds, and where each
/// occurrence starts in it.
pub struct Present<'a> {
    bits: &'a [u64],
    /// (literal, start) of every occurrence, by start.
    hits: &'a [(usize, usize)],
}

impl Present<'_> {
    fn has(&self, literal: usize) -> bool {
        self.bits
            .get(literal / 64)
            .is_some_and(|w| w & (1 << (literal % 64)) != 0)
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
        // The literals are lowercase and the walk folds the text's case: the
        // matches of an ASCII-case-insensitive automaton, without its doubled
        // transitions and alphabet. Its states are read once into a table
        // walked by hand (see `Walk`), so the library's own DFA, which costs
        // three times as much to build, would buy nothing; nor would a prefilter.
        let automaton = NFA::builder()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(&literals)
            .ok()
            .filter(|nfa| nfa.start_state(Anchored::No).is_ok())
            .and_then(|nfa| {
                // Only a first word's place is read (see `Gates::starts`);
                // a last word need only be present.
                let mut placed = vec![false; literals.len()];
                for g in gates.iter().flatten() {
                    for &l in &g.first {
                        placed[l] = true;
                    }
                }
                Walk::of(&nfa, &literals, &placed)
            });
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
    pub fn scan(&self, text: &[u8]) -> Scanned {
        self.scan_sentences(text, &[(0, text.len())])
    }

    /// The literals each of `sentences` (byte ranges of `text`) holds, in
    /// any ASCII case: what scanning each sentence alone finds, and it is
    /// what is done, each sentence walked into one bitset and one list of
    /// hits for all. The walk folds case as it reads, so a sentence needs no
    /// lowercased copy; a pass over the whole text first, its occurrences
    /// then sorted out to the sentences, paid for a list twice as long.
    pub fn scan_sentences(&self, text: &[u8], sentences: &[(usize, usize)]) -> Scanned {
        let words = self.literals.div_ceil(64);
        let mut bits = vec![0u64; words * sentences.len()];
        let mut ranges = Vec::with_capacity(sentences.len());
        // A rationale holds about one literal every dozen bytes: room for
        // them all at once, not a dozen regrowths.
        let mut hits = Vec::with_capacity(text.len() / 8);
        for (i, &(s, e)) in sentences.iter().enumerate() {
            let from = hits.len();
            if let (Some(walk), Some(sentence)) = (&self.automaton, text.get(s..e.min(text.len())))
            {
                walk.occurrences(sentence, &mut hits, &mut bits[i * words..(i + 1) * words]);
            }
            ranges.push((from, hits.len()));
        }
        Scanned {
            bits,
            words,
            hits,
            ranges,
        }
    }

    /// Where in the scanned text a match of pattern `i` could start: the
    /// occurrences of its first words, left to right. `None` when the
    /// pattern has no gate and could start anywhere.
    pub fn starts<'a>(
        &'a self,
        present: &'a Present<'a>,
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
    pub fn open(&self, present: &Present<'_>, i: usize) -> bool {
        match self.gates.get(i) {
            Some(Some(g)) => {
                g.first.iter().any(|&l| present.has(l)) && g.last.iter().any(|&l| present.has(l))
            }
            _ => true,
        }
    }
}

/// The literals' automaton as a flat table walked a byte at a time: its
/// states renumbered so that those holding matches come last (one compare
/// tells a match), each premultiplied by a power-of-two stride, and its byte
/// classes mapping each byte and its ASCII lowercase alike (the literals are
/// lowercase, so no byte need be lowercased as it is read).
struct Walk {
    /// Class of each byte: bytes the automaton cannot tell apart (after
    /// ASCII lowercasing) share one.
    classes: [u16; 256],
    /// `next[state + class]`, states premultiplied by `1 << shift`.
    next: Vec<u32>,
    shift: u32,
    start: u32,
    /// The first state holding matches; every later one holds some.
    first_match: u32,
    /// Each match state's part of `matches`, in the order of the states.
    ends: Vec<(u32, u32)>,
    /// (literal, length, whether its place is kept) of the literals ending
    /// at a match state, in the automaton's order.
    matches: Vec<(u32, u32, bool)>,
}

impl Walk {
    /// The table of `nfa`, the automaton of `literals`, read through its
    /// public transitions; `None` if it would not fit 32-bit state numbers.
    /// The places of the literals `placed` marks are kept as hits; the others
    /// are only marked present.
    fn of(nfa: &NFA, literals: &[Vec<u8>], placed: &[bool]) -> Option<Walk> {
        let start = nfa.start_state(Anchored::No).ok()?;
        // Each byte a literal holds is a class of its own; every other byte
        // leads from every state where the automaton's unknown bytes lead
        // (no state goes on through it), so one of them stands for all. A
        // byte reads as its ASCII lowercase, as the literals are written.
        let mut held = [false; 256];
        for &b in literals.iter().flatten() {
            held[b as usize] = true;
        }
        let mut reps: Vec<u8> = (0..=255u8).filter(|&b| held[b as usize]).collect();
        if let Some(other) = (0..=255u8).find(|&b| !held[b as usize]) {
            reps.push(other);
        }
        let mut classes = [0u16; 256];
        for b in 0..=255u8 {
            let f = b.to_ascii_lowercase();
            classes[b as usize] = if held[f as usize] {
                reps.iter().position(|&r| r == f)? as u16
            } else {
                (reps.len() - 1) as u16
            };
        }
        // Each state's transitions on the representative bytes, as
        // indices into `order`.
        let (order, rows) =
            trie_rows(nfa, start, &reps).or_else(|| closure_rows(nfa, start, &reps))?;
        let stride = reps.len().next_power_of_two();
        let shift = stride.trailing_zeros();
        // Match states last, each group in the order found.
        let mut number = vec![0u32; order.len()];
        let plain: Vec<usize> = (0..order.len())
            .filter(|&i| !nfa.is_match(order[i]))
            .collect();
        let matching: Vec<usize> = (0..order.len())
            .filter(|&i| nfa.is_match(order[i]))
            .collect();
        for (n, &i) in plain.iter().chain(&matching).enumerate() {
            number[i] = u32::try_from(n.checked_mul(stride)?).ok()?;
        }
        u32::try_from(order.len().checked_mul(stride)?).ok()?;
        let mut next = vec![0u32; order.len() * stride];
        for (i, targets) in rows.chunks_exact(reps.len()).enumerate() {
            let row = number[i] as usize;
            for (c, &t) in targets.iter().enumerate() {
                next[row + c] = number[t];
            }
        }
        let mut ends = Vec::with_capacity(matching.len());
        let mut matches = Vec::new();
        for &i in &matching {
            let s = order[i];
            let from = matches.len() as u32;
            for k in 0..nfa.match_len(s) {
                let literal = nfa.match_pattern(s, k);
                matches.push((
                    literal.as_u32(),
                    nfa.pattern_len(literal) as u32,
                    placed.get(literal.as_usize()).copied().unwrap_or(true),
                ));
            }
            ends.push((from, matches.len() as u32));
        }
        Some(Walk {
            classes,
            next,
            shift,
            start: number[0],
            first_match: (plain.len() * stride) as u32,
            ends,
            matches,
        })
    }

    /// Every occurrence of every literal in `text` in any ASCII case,
    /// overlapping ones too, set in `bits`; those of the literals whose
    /// places are kept also appended to `hits` as (literal, start), by start.
    fn occurrences(&self, text: &[u8], hits: &mut Vec<(usize, usize)>, bits: &mut [u64]) {
        let from = hits.len();
        // Every state the walk enters holds the literals ending there, so a
        // byte costs two lookups and a compare; the library's overlapping
        // iterator paid a call and its state bookkeeping for each of the
        // thousands of hits.
        let mut sid = self.start;
        let mut end = 0;
        while end < text.len() {
            let (read, next) = self.to_match(&text[end..], sid);
            end += read;
            sid = next;
            if sid < self.first_match {
                break;
            }
            let (a, b) = self.ends[((sid - self.first_match) >> self.shift) as usize];
            for &(literal, len, placed) in &self.matches[a as usize..b as usize] {
                let (literal, start) = (literal as usize, end - len as usize);
                bits[literal / 64] |= 1 << (literal % 64);
                if !placed {
                    continue;
                }
                // Overlapping matches are reported by end; candidates are
                // wanted by start. A hit is out of place only past the few
                // earlier ones ending within it: insertion, not a full sort.
                let mut i = hits.len();
                hits.push((literal, start));
                while i > from && hits[i - 1].1 > start {
                    hits.swap(i - 1, i);
                    i -= 1;
                }
            }
        }
    }

    /// The walk from state `sid` over `text` up to the first byte that
    /// enters a match state: the bytes read and the state reached (not a
    /// match state only if `text` ran out first). Apart from the handling
    /// of matches, the walk keeps its few values in registers: inlined, the
    /// loop spilled them and paid a dozen more instructions a byte.
    /// Four bytes a round, so the end of the text is tested once for four.
    #[inline(never)]
    fn to_match(&self, text: &[u8], mut sid: u32) -> (usize, u32) {
        let (rounds, rest) = text.as_chunks::<4>();
        for (r, round) in rounds.iter().enumerate() {
            for (k, &b) in round.iter().enumerate() {
                sid = self.next[sid as usize + self.classes[b as usize] as usize];
                if sid >= self.first_match {
                    return (r * 4 + k + 1, sid);
                }
            }
        }
        let done = rounds.len() * 4;
        for (k, &b) in rest.iter().enumerate() {
            sid = self.next[sid as usize + self.classes[b as usize] as usize];
            if sid >= self.first_match {
                return (done + k + 1, sid);
            }
        }
        (text.len(), sid)
    }
}

/// The states of `nfa` reached from `start`, breadth first, and the index
/// in that order of each one's next state on each of `reps`, row by row.
type Rows = (Vec<aho_corasick::automaton::StateID>, Vec<usize>);

/// [`Rows`] read off the trie: a state's transition on a byte is its child
/// on it or, without one, its failure state's transition, which is
/// shallower and so already known; a child's failure state is its parent's
/// failure state's transition on the same byte. One lookup of a state's
/// own children per byte, where the automaton's transition walks the
/// failure chain, and was asked twice. `None` where the automaton is not
/// the trie this reads (every state but the start the child of one state).
fn trie_rows(nfa: &NFA, start: aho_corasick::automaton::StateID, reps: &[u8]) -> Option<Rows> {
    use aho_corasick::automaton::StateID;
    let mut order: Vec<StateID> = vec![start];
    let mut seen: Vec<bool> = vec![false; start.as_usize() + 1];
    seen[start.as_usize()] = true;
    let mut fail: Vec<usize> = vec![0];
    let mut rows: Vec<usize> = Vec::new();
    let mut k = 0;
    while k < order.len() {
        let (s, f) = (order[k], fail[k]);
        for (c, &b) in reps.iter().enumerate() {
            let t = nfa.next_state(Anchored::Yes, s, b);
            let target = if t == s && k == 0 {
                0
            } else if nfa.is_dead(t) {
                if k == 0 {
                    return None;
                }
                rows[f * reps.len() + c]
            } else {
                let t = t.as_usize();
                if t >= seen.len() {
                    seen.resize(t + 1, false);
                }
                if seen[t] {
                    return None;
                }
                seen[t] = true;
                fail.push(if k == 0 { 0 } else { rows[f * reps.len() + c] });
                order.push(StateID::new(t).ok()?);
                order.len() - 1
            };
            rows.push(target);
        }
        k += 1;
    }
    Some((order, rows))
}

/// [`Rows`] from the automaton's own transitions.
fn closure_rows(nfa: &NFA, start: aho_corasick::automaton::StateID, reps: &[u8]) -> Option<Rows> {
    use aho_corasick::automaton::StateID;
    // The automaton's state ids are small numbers: a list indexed by
    // them tells where each was first reached.
    const UNSEEN: usize = usize::MAX;
    let mut order: Vec<StateID> = vec![start];
    let mut seen: Vec<usize> = vec![UNSEEN; start.as_usize() + 1];
    seen[start.as_usize()] = 0;
    let mut k = 0;
    while k < order.len() {
        let s = order[k];
        k += 1;
        for &b in reps {
            let t = nfa.next_state(Anchored::No, s, b).as_usize();
            if t >= seen.len() {
                seen.resize(t + 1, UNSEEN);
            }
            if seen[t] == UNSEEN {
                seen[t] = order.len();
                order.push(StateID::new(t).ok()?);
            }
        }
    }
    let rows = order
        .iter()
        .flat_map(|&s| {
            reps.iter()
                .map(move |&b| nfa.next_state(Anchored::No, s, b).as_usize())
        })
        .map(|t| seen[t])
        .collect();
    Some((order, rows))
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
        let open = |t: &str| g.open(&g.scan(t.as_bytes()).sentence(0), 0);
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
            assert!(g.open(&g.scan(t.as_bytes()).sentence(0), 0), "{t}");
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
            let scanned = g.scan(h);
            let p = scanned.sentence(0);
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
    fn one_pass_finds_what_a_pass_per_sentence_finds() {
        let patterns = [
            TENS,
            r"\b(?:is|are)\s+(?:not\s+)?recommended\b[^.]{0,40}?\btherapy",
            r"\bups?\b[^.]{0,20}?\bto\b",
        ];
        let g = Gates::new(patterns);
        let pieces = [
            "TENS ",
            "tens",
            "is ",
            "are",
            " recommended ",
            "as sole ",
            "THERAPY",
            ". ",
            ".",
            "transcutaneous",
            "up",
            "ups ",
            "to",
            "ſ",
            "\u{212a}",
            "é",
            " ",
            "sole",
            "Therapy.",
        ];
        for text in crate::parse::generated::joins(&pieces, 3000, 14) {
            let t = text.as_bytes();
            let sentences = crate::engine::concepts::sentences(&text);
            // Sentences that overlap, touch or sit out of order read the same too.
            let mut odd = sentences.clone();
            odd.reverse();
            if t.len() > 4 {
                odd.push((1, t.len() - 1));
                odd.push((2, 2));
            }
            for ranges in [&sentences, &odd] {
                let whole = g.scan_sentences(t, ranges);
                for (k, &(s, e)) in ranges.iter().enumerate() {
                    let alone = g.scan(&t[s..e]);
                    let (a, b) = (whole.sentence(k), alone.sentence(0));
                    assert_eq!(a.bits, b.bits, "{text:?} {s}..{e}");
                    let starts = |p: &Present<'_>| {
                        (0..patterns.len())
                            .map(|i| g.starts(p, i).map(|it| it.collect::<Vec<_>>()))
                            .collect::<Vec<_>>()
                    };
                    assert_eq!(starts(&a), starts(&b), "{text:?} {s}..{e}");
                }
            }
        }
    }

    #[test]
    fn the_walk_finds_what_the_library_finds_in_lowercased_text() {
        use aho_corasick::AhoCorasick;
        let literals: Vec<Vec<u8>> = [
            "is",
            "tens",
            "recommended",
            "therapy",
            "up",
            "ups",
            "to",
            "café",
            "naïve",
            "ſ",
            "a",
            "ab",
            "bab",
            "é",
            "\u{ff}x",
            "k",
        ]
        .iter()
        .map(|l| l.as_bytes().to_vec())
        .collect();
        let nfa = NFA::builder()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(&literals)
            .expect("nfa");
        // Some literals only marked present, their places not kept.
        let placed: Vec<bool> = (0..literals.len()).map(|i| i % 3 != 1).collect();
        let walk = Walk::of(&nfa, &literals, &placed).expect("walk");
        let library = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&literals)
            .expect("library");
        let pieces = [
            "TENS ",
            "Is",
            "ARE",
            " recommended ",
            "THERAPY",
            ". ",
            "up",
            "UPS ",
            "tO",
            "ſ",
            "\u{212a}",
            "É",
            "CAFÉ",
            "café",
            "naïve",
            "bAb",
            "a",
            "\u{ff}X",
            "\u{0}",
            "İ",
            "K",
        ];
        for text in crate::parse::generated::joins(&pieces, 3000, 12) {
            let t = text.as_bytes();
            let mut want: Vec<(usize, usize)> = library
                .find_overlapping_iter(&t.to_ascii_lowercase())
                .map(|m| (m.pattern().as_usize(), m.start()))
                .collect();
            let mut want_bits = [0u64; 1];
            for &(l, _) in &want {
                want_bits[0] |= 1 << l;
            }
            want.retain(|&(l, _)| placed[l]);
            // Hits already in the list stay where they are.
            let mut got = vec![(99, 99)];
            let mut bits = [0u64; 1];
            walk.occurrences(t, &mut got, &mut bits);
            assert_eq!(got.remove(0), (99, 99));
            assert!(got.windows(2).all(|w| w[0].1 <= w[1].1), "{text:?}");
            assert_eq!(bits, want_bits, "{text:?}");
            want.sort_unstable();
            got.sort_unstable();
            assert_eq!(got, want, "{text:?}");
        }
    }

    /// The table read off the trie is the automaton's own transitions.
    #[test]
    fn the_trie_rows_are_the_automatons_transitions() {
        let book = crate::rulebook::Rulebook::from_sources(crate::rulebook::files::embedded())
            .expect("rulebook");
        let mut literals: Vec<Vec<u8>> = Vec::new();
        for m in crate::engine::checks::compile_not_said(&book) {
            let hir = read(m.pattern).expect("pattern");
            for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
                literals.extend(necessary(&hir, kind).into_iter().flatten());
            }
        }
        literals.extend(["a", "ab", "bab", "b", "\u{ff}x", "é"].map(|l| l.as_bytes().to_vec()));
        literals.sort();
        literals.dedup();
        let nfa = NFA::builder()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(&literals)
            .expect("nfa");
        let start = nfa.start_state(Anchored::No).expect("start");
        let mut reps: Vec<u8> = literals.iter().flatten().copied().collect();
        reps.sort_unstable();
        reps.dedup();
        reps.push(b'#');
        let (trie_order, trie) = trie_rows(&nfa, start, &reps).expect("a trie");
        let (closure_order, closure) = closure_rows(&nfa, start, &reps).expect("rows");
        assert_eq!(trie_order.len(), closure_order.len());
        let r = reps.len();
        for (i, &s) in trie_order.iter().enumerate() {
            let j = closure_order
                .iter()
                .position(|&x| x == s)
                .expect("same states");
            for c in 0..r {
                assert_eq!(
                    trie_order[trie[i * r + c]],
                    closure_order[closure[j * r + c]]
                );
            }
        }
    }

    #[test]
    fn unknown_words_leave_the_gate_open() {
        let g = Gates::new([r"[a-z]+ly", r"\d+ visits"]);
        let scanned = g.scan(b"nothing here");
        let p = scanned.sentence(0);
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
