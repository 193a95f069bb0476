//! Literal gates for rulebook patterns: words a match cannot do without.
//!
//! A `does_not_say` pattern such as
//! `\b(?:TENS|transcutaneous)\b[^.]{0,80}?\b(?:is|are)\s+...(?:treatment|therapy)`
//! can only match a sentence that holds one of its first words and one of
//! its last, and a match starts where one of its first words does. Most
//! rationales mention a drug or a modality a pattern starts with, so the
//! first words alone (the regex's own prefilter) rule out little: the last
//! words are what makes the gate worth its search.
//!
//! An item is held to the two or three patterns of the sections it cites,
//! out of a hundred, so each pattern's gate is built on first use and
//! searches only that pattern's words: a packed (SIMD) search of the
//! lowercased rationale for each of the two lists. One automaton over every
//! pattern's words, walked a byte at a time over each rationale, cost four
//! times as much a letter, and its build was a tenth of a run's start-up.

use aho_corasick::packed;
use aho_corasick::{AhoCorasick, AhoCorasickKind, Input, MatchKind};
use regex_syntax::hir::Hir;
use regex_syntax::hir::literal::{ExtractKind, Extractor};

/// One pattern's gate: the words every match of it starts with, and those
/// it ends with, read as the rulebook reads patterns (case-insensitive).
pub struct Gate {
    first: Literals,
    last: Literals,
}

impl Gate {
    /// The gate of `pattern`, whose syntax tree `parsed` gives when the
    /// rulebook's validation parsed it already (see
    /// [`crate::rulebook::pattern`]); `None` where its words cannot be told
    /// and every sentence must be searched.
    pub fn of(pattern: &str, parsed: Option<&Hir>) -> Option<Gate> {
        let read_here;
        let hir = match parsed {
            Some(hir) => hir,
            None => {
                read_here = read(pattern)?;
                &read_here
            }
        };
        // A first word keeps its place (it is where a match starts); a last
        // word may lose the whitespace before it.
        let first = necessary(hir, ExtractKind::Prefix)?;
        let last = necessary(hir, ExtractKind::Suffix)?;
        Some(Gate {
            first: Literals::new(&first)?,
            last: Literals::new(&last)?,
        })
    }

    /// Where the leftmost of the pattern's first words that lies whole in
    /// `lower[from..end]` starts. `lower` is the text in ASCII lowercase,
    /// as the words are: a search of it is a search of the text in any
    /// ASCII case.
    pub fn next_start(&self, lower: &[u8], from: usize, end: usize) -> Option<usize> {
        self.first.find(lower, from, end)
    }

    /// Whether `lower[from..end]` holds one of the pattern's last words whole.
    pub fn closes(&self, lower: &[u8], from: usize, end: usize) -> bool {
        self.last.find(lower, from, end).is_some()
    }

    /// The gate read over `lower` a sentence at a time (see [`Opening`]).
    pub fn opening(&self) -> Opening<'_> {
        Opening {
            gate: self,
            first: Ahead::default(),
            last: Ahead::default(),
        }
    }
}

/// A gate read over the sentences of one text. A rationale's sentences
/// mostly lack the pattern's words: a search past the end of a sentence
/// finds the next word wherever it is, and answers for every sentence
/// before it, where a search per sentence paid its start-up each time.
pub struct Opening<'g> {
    gate: &'g Gate,
    first: Ahead,
    last: Ahead,
}

impl Opening<'_> {
    /// Where the leftmost first word lying whole in `lower[start..end]`
    /// starts, if the range also holds a last word whole: what
    /// [`Gate::next_start`] and [`Gate::closes`] tell of the range. Ranges
    /// asked in text order cost one search per word or so; any order reads
    /// the same.
    pub fn at(&mut self, lower: &[u8], start: usize, end: usize) -> Option<usize> {
        let first = self.first.within(&self.gate.first, lower, start, end)?;
        self.last.within(&self.gate.last, lower, start, end)?;
        Some(first)
    }

    /// Whether a last word lies whole in `lower[start..end]`: a match
    /// starting at `start` and ending by `end` ends with one. Asked of the
    /// candidates of a sentence left to right, it mostly needs no search.
    pub fn closes(&mut self, lower: &[u8], start: usize, end: usize) -> bool {
        self.last
            .within(&self.gate.last, lower, start, end)
            .is_some()
    }
}

/// The leftmost word of a list at or after a place of a text, searched to
/// the text's end.
#[derive(Default)]
struct Ahead {
    /// Where the search began.
    from: usize,
    /// The (start, end) it found, if any: no word starts in `from..start`,
    /// nor anywhere past `from` if none.
    found: Option<(usize, usize)>,
    /// Whether a search has run.
    known: bool,
}

impl Ahead {
    /// The start of the leftmost word of `words` lying whole in `hay[start..end]`.
    fn within(&mut self, words: &Literals, hay: &[u8], start: usize, end: usize) -> Option<usize> {
        if !self.known || start < self.from || self.found.is_some_and(|(s, _)| s < start) {
            self.from = start;
            self.found = words.find_match(hay, start, hay.len());
            self.known = true;
        }
        // No word starts in `start..at`: the one at `at`, or a shorter one
        // there, or one after it, is the leftmost in the range.
        let (at, to) = self.found?;
        if at >= end {
            None
        } else if to <= end {
            Some(at)
        } else {
            words.find(hay, at, end)
        }
    }
}

/// A list of lowercase words and its search.
enum Literals {
    /// Teddy: a few instructions for sixteen bytes.
    Packed(packed::Searcher),
    /// For lists no packed searcher takes (too many words, or no SIMD).
    Automaton(AhoCorasick),
}

impl Literals {
    fn new(words: &[Vec<u8>]) -> Option<Literals> {
        let packed = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostFirst)
            .builder()
            .extend(words)
            .build();
        match packed {
            Some(p) => Some(Literals::Packed(p)),
            None => Literals::automaton(words),
        }
    }

    fn automaton(words: &[Vec<u8>]) -> Option<Literals> {
        AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .match_kind(MatchKind::LeftmostFirst)
            .build(words)
            .ok()
            .map(Literals::Automaton)
    }

    /// The start of the leftmost word lying whole in `hay[from..end]`. Both
    /// searches read no byte past `end`, so a word running past it is none.
    fn find(&self, hay: &[u8], from: usize, end: usize) -> Option<usize> {
        self.find_match(hay, from, end).map(|(s, _)| s)
    }

    /// The start and end of the word [`Literals::find`] finds (of those
    /// starting there, the first listed).
    fn find_match(&self, hay: &[u8], from: usize, end: usize) -> Option<(usize, usize)> {
        let span = aho_corasick::Span { start: from, end };
        let m = match self {
            Literals::Packed(p) => p.find_in(hay, span),
            Literals::Automaton(a) => a.find(Input::new(hay).span(span)),
        }?;
        Some((m.start(), m.end()))
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
    use regex_automata::{Anchored, Input};

    const TENS: &str = r"\b(?:TENS|transcutaneous)\b[^.]{0,80}?\b(?:is|are)\s+recommended\s+(?:as\s+)?(?:stand[- ]?alone|sole)\s+(?:treatment|therapy)";

    /// Whether `g` lets the whole of `t` through.
    fn open(g: &Gate, t: &str) -> bool {
        let lower = t.to_ascii_lowercase();
        let l = lower.as_bytes();
        g.next_start(l, 0, l.len()).is_some() && g.closes(l, 0, l.len())
    }

    /// The leftmost match in `t` of `r`, searched anchored only where `g`
    /// places the pattern's first words, and only if `g` is open.
    fn gated_find(
        g: &Gate,
        r: &super::super::checks::RuleRegex,
        t: &str,
    ) -> Option<(usize, usize)> {
        let lower = t.to_ascii_lowercase();
        let (h, l) = (t.as_bytes(), lower.as_bytes());
        if !g.closes(l, 0, l.len()) {
            return None;
        }
        let mut at = g.next_start(l, 0, l.len());
        while let Some(a) = at {
            if let Some(m) = r.search(&Input::new(h).range(a..).anchored(Anchored::Yes)) {
                return Some((m.start(), m.end()));
            }
            at = g.next_start(l, a + 1, l.len());
        }
        None
    }

    #[test]
    fn a_gate_needs_first_and_last_words() {
        let g = Gate::of(TENS, None).expect("gated");
        assert!(open(&g, "tens is recommended as sole THERAPY"));
        assert!(!open(&g, "TENS unit for the low back, a trial was done"));
        assert!(!open(&g, "physical therapy is recommended"));
    }

    #[test]
    fn anchored_at_the_first_words_is_the_leftmost_match() {
        let r = crate::engine::checks::rule_regex(TENS).expect("pattern");
        let g = Gate::of(TENS, None).expect("gated");
        for t in [
            "TENS was tried; the TENS is recommended as sole treatment",
            "Transcutaneous TENS units are recommended as sole therapy for pain",
            "a TENS trial, then tens, is recommended as standalone therapy",
            "TENS is not recommended",
            "attends the tens unit clinic",
        ] {
            assert_eq!(
                gated_find(&g, &r, t),
                r.find(t.as_bytes()).map(|m| (m.start(), m.end())),
                "{t}"
            );
        }
    }

    /// For every rulebook pattern and a few shaped like them, on generated
    /// sentences with non-ASCII letters, 'ſ' and the Kelvin sign: the gated,
    /// anchored search finds the regex's leftmost match, or none with it.
    #[test]
    fn a_gated_search_finds_the_regexs_leftmost_match() {
        let book = crate::rulebook::Rulebook::built_in();
        let matchers = crate::engine::checks::compile_not_said(&book);
        let shaped = [
            TENS,
            r"\b(?:is|are)\s+(?:not\s+)?recommended\b[^.]{0,40}?\btherapy",
            r"\bopioids?\b[^.]{0,30}?\b(?:always|only)\b",
            r"\bups?\b[^.]{0,20}?\bto\b",
        ];
        let pieces = [
            "TENS ",
            "tens",
            "Transcutaneous ",
            "is ",
            "are",
            " recommended ",
            "as sole ",
            "stand-alone ",
            "THERAPY",
            "treatment",
            ". ",
            "opioids ",
            "Norco ",
            "only ",
            "should be ",
            "stopped ",
            "abruptly",
            "ultrasound ",
            "up",
            "ups ",
            "to",
            "ſ",
            "\u{212a}",
            "é",
            " ",
            "the ",
            "12 ",
            "sessions ",
            "initial ",
            "first-line ",
        ];
        let texts = crate::parse::generated::joins(&pieces, 400, 16);
        let mut gated = 0;
        let mut matched = 0;
        for pattern in matchers.iter().map(|m| m.pattern()).chain(shaped) {
            let r = crate::engine::checks::rule_regex(pattern).expect("pattern");
            let parsed = book.parsed_pattern(pattern);
            let Some(g) = Gate::of(pattern, parsed) else {
                continue;
            };
            gated += 1;
            for t in &texts {
                let want = r.find(t.as_bytes()).map(|m| (m.start(), m.end()));
                matched += usize::from(want.is_some());
                assert_eq!(gated_find(&g, &r, t), want, "{pattern} {t:?}");
            }
        }
        assert!(gated > 0 && matched > 0, "{gated} gated, {matched} matched");
    }

    /// Both searches of a word list find the leftmost word lying whole in
    /// the range, as a test at every place does.
    #[test]
    fn the_word_searches_find_the_leftmost_whole_word() {
        let words: Vec<Vec<u8>> = [
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
            "ab",
            "bab",
            "é",
            "\u{ff}x",
        ]
        .iter()
        .map(|w| w.as_bytes().to_vec())
        .collect();
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
            "                ",
        ];
        let searches = [Literals::new(&words), Literals::automaton(&words)];
        assert!(searches.iter().all(Option::is_some));
        for text in crate::parse::generated::joins(&pieces, 1500, 24) {
            let lower = text.to_ascii_lowercase();
            let l = lower.as_bytes();
            let n = l.len();
            for (from, end) in [(0, n), (n / 3, n), (0, n * 2 / 3), (n / 4, n / 2), (n, n)] {
                let want = (from..end).find(|&p| words.iter().any(|w| l[p..end].starts_with(w)));
                for s in searches.iter().flatten() {
                    assert_eq!(s.find(l, from, end), want, "{text:?} {from}..{end}");
                }
            }
        }
    }

    /// Read a range after another, over sentences in text order, out of
    /// order, touching and overlapping, the gate tells what it tells of each
    /// range alone.
    #[test]
    fn an_opening_reads_each_range_as_the_gate_does() {
        let g = Gate::of(TENS, None).expect("gated");
        let pieces = [
            "TENS ",
            "tens",
            "Transcutaneous ",
            "transcutaneou",
            "is ",
            "are",
            " recommended ",
            "as sole ",
            "stand-alone ",
            "THERAPY",
            "therap",
            "treatment",
            ". ",
            ".",
            "ſ",
            "\u{212a}",
            "é",
            " ",
            "Sole ",
        ];
        for text in crate::parse::generated::joins(&pieces, 3000, 24) {
            let lower = text.to_ascii_lowercase();
            let l = lower.as_bytes();
            let sentences = crate::engine::concepts::sentences(&text);
            let mut odd = sentences.clone();
            odd.reverse();
            let n = l.len();
            odd.extend([
                (0, n),
                (n / 3, n),
                (n / 4, n / 2),
                (n / 2, n / 2),
                (n / 5, n / 3),
            ]);
            odd.extend(
                sentences
                    .iter()
                    .map(|&(s, e)| (s, e.saturating_sub(3).max(s))),
            );
            odd.extend(sentences.iter().map(|&(s, e)| (s.saturating_sub(2), e)));
            for ranges in [&sentences, &odd] {
                let mut opening = g.opening();
                for &(s, e) in ranges {
                    let alone = g.next_start(l, s, e).filter(|_| g.closes(l, s, e));
                    assert_eq!(opening.at(l, s, e), alone, "{text:?} {s}..{e}");
                    // The candidates of an open sentence, as the check reads them.
                    let mut at = alone;
                    while let Some(a) = at {
                        assert_eq!(
                            opening.closes(l, a, e),
                            g.closes(l, a, e),
                            "{text:?} {a}..{e}"
                        );
                        at = g.next_start(l, a + 1, e);
                    }
                }
            }
        }
    }

    #[test]
    fn unknown_words_leave_the_gate_open() {
        assert!(Gate::of(r"[a-z]+ly", None).is_none(), "no literal prefix");
        assert!(Gate::of(r"\d+ visits", None).is_none(), "a class prefix");
        assert!(Gate::of(r"(", None).is_none(), "no pattern");
    }
}

#[cfg(test)]
mod rulebook {
    use regex_syntax::hir::literal::ExtractKind;

    /// The gate pays for its pass only if nearly every pattern has one.
    #[test]
    fn the_rulebook_patterns_are_gated() {
        let book = crate::rulebook::Rulebook::built_in();
        let patterns = crate::engine::checks::compile_not_said(&book);
        let ungated: Vec<&str> = patterns
            .iter()
            .map(|m| m.pattern())
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
