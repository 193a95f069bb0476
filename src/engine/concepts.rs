//! Clinical concepts found in a letter, each read in its context.
//!
//! A concept term ("stroke", "red flags", "prior trial of TENS") found in the
//! case summary or a rationale is assessed by the ConText reader of
//! [`crate::context`]: negated ("no evidence of a prior stroke"), possible
//! ("rule out HNP"), hypothetical ("if conservative care fails"), historical
//! ("history of a C6-C7 fusion"), or someone else's ("his mother had a
//! stroke"). Two readings are the engine's own: a case summary sentence
//! retelling the review history states a reason, not a finding, and a
//! rationale sentence restating a guideline says what the guideline asks,
//! not what the patient has.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex_automata::{Anchored, Input};
use regex_syntax::hir::Hir;

use crate::context::trie::Trie;
use crate::context::{self, Category, Experiencer, Negation, Temporality, Triggers};
use crate::fold::Folded;
use crate::model::{Item, Letter};
use crate::rulebook::Rulebook;
use crate::span::Span;

/// A mention's context in one word, for messages and the facts listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Assertion {
    Affirmed,
    Negated,
    Possible,
    Hypothetical,
    Historical,
    /// Said of someone other than the patient.
    OtherPerson,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Place {
    CaseSummary,
    Rationale,
    /// A rationale sentence that restates a guideline ("NMES is used ... following
    /// stroke"): it says what the guideline requires, not what the patient has.
    GuidelineStatement,
}

/// A context cue that reached a mention: the trigger words and the scope
/// they govern, both as spans of the letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MentionCue {
    pub category: Category,
    pub trigger: Span,
    pub scope: Span,
}

#[derive(Debug, Clone)]
pub struct Mention {
    pub concept: String,
    pub negation: Negation,
    pub temporality: Temporality,
    pub experiencer: Experiencer,
    pub place: Place,
    pub span: Span,
    /// Every cue whose scope covers the mention.
    pub cues: Vec<MentionCue>,
    /// The sentence it stands in.
    pub sentence: Span,
}

impl Mention {
    /// The strongest reading: another person's, then negated, possible,
    /// hypothetical, historical, else affirmed.
    pub fn assertion(&self) -> Assertion {
        match (self.experiencer, self.negation, self.temporality) {
            (Experiencer::Other, _, _) => Assertion::OtherPerson,
            (_, Negation::Negated, _) => Assertion::Negated,
            (_, Negation::Possible, _) => Assertion::Possible,
            (_, _, Temporality::Hypothetical) => Assertion::Hypothetical,
            (_, _, Temporality::Historical) => Assertion::Historical,
            _ => Assertion::Affirmed,
        }
    }

    /// True when the letter states the fact of this patient: not negated,
    /// hedged, hypothetical or someone else's. A historical fact holds ("a
    /// history of stroke" is a prior stroke; "a prior trial of TENS" is one).
    pub fn holds(&self) -> bool {
        matches!(
            self.assertion(),
            Assertion::Affirmed | Assertion::Historical
        )
    }

    /// The cue behind [`Mention::assertion`], for a diagnostic's label.
    pub fn cue(&self) -> Option<&MentionCue> {
        let category = match self.assertion() {
            Assertion::OtherPerson => Category::Other,
            Assertion::Negated => Category::Negated,
            Assertion::Possible => Category::Possible,
            Assertion::Hypothetical => Category::Hypothetical,
            Assertion::Historical => Category::Historical,
            Assertion::Affirmed => return None,
        };
        // The nearest such cue.
        self.cues
            .iter()
            .filter(|c| c.category == category)
            .min_by_key(|c| {
                c.trigger
                    .offset
                    .abs_diff(self.span.offset)
                    .min(c.trigger.end().abs_diff(self.span.offset))
            })
    }

    /// The mention with its deciding cue: what a diagnostic points at.
    pub fn claim(&self) -> Span {
        self.cue().map_or(self.span, |c| c.trigger.cover(self.span))
    }
}

#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub mentions: Vec<Mention>,
}

/// A case summary sentence that retells the review history: what
/// `(?i-u)\butilization review\b|\bUR\b|\bnon-?certif|\b(?:denied|modified|approved|authorized)\b`
/// matches.
static REVIEW_HISTORY: LazyLock<WordList> = LazyLock::new(|| {
    WordList::new(&[
        ("utilization review", true),
        ("ur", true),
        ("noncertif", false),
        ("non-certif", false),
        ("denied", true),
        ("modified", true),
        ("approved", true),
        ("authorized", true),
    ])
});

/// A rationale sentence that restates a guideline: what
/// `(?i-u)\b(?:guide-?lines?|MTUS|ODG|ACOEM|recommend\w*|is used|are used|indicated for|supported for|criteria)\b`
/// matches (`recommend\w*\b` holds wherever a word starts with "recommend").
static GUIDELINE_TALK: LazyLock<WordList> = LazyLock::new(|| {
    WordList::new(&[
        ("guideline", true),
        ("guidelines", true),
        ("guide-line", true),
        ("guide-lines", true),
        ("mtus", true),
        ("odg", true),
        ("acoem", true),
        ("recommend", false),
        ("is used", true),
        ("are used", true),
        ("indicated for", true),
        ("supported for", true),
        ("criteria", true),
    ])
});

/// Whether each byte is a word character to an ASCII `\b`.
static ASCII_WORD_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    t
};

/// Phrases that start a word, ASCII case-insensitively, with ASCII word
/// boundaries as a `(?i-u)\b...` regex has them: every sentence that holds
/// a concept is tested, and a walk at each word start costs far less than
/// a regex search over it.
struct WordList {
    trie: Trie,
    /// Whether each phrase must also end a word.
    whole: Vec<bool>,
}

impl WordList {
    /// Every phrase starts and, if `whole`, ends with an ASCII word character.
    fn new(phrases: &[(&str, bool)]) -> WordList {
        let words: Vec<&str> = phrases.iter().map(|&(p, _)| p).collect();
        WordList {
            trie: Trie::new(&words),
            whole: phrases.iter().map(|&(_, w)| w).collect(),
        }
    }

    fn is_match(&self, s: &str) -> bool {
        let b = s.as_bytes();
        let word = |c: u8| ASCII_WORD_BYTE[usize::from(c)];
        // Word starts sixteen bytes at a time: a byte-by-byte skip over
        // every word of the sentence was most of the cost.
        let mut word_before = false;
        for (k, block) in b.chunks(16).enumerate() {
            let (mut starts, last) = match block.try_into() {
                Ok(block) => crate::context::swar::word_starts16(block, word_before),
                Err(_) => {
                    // The rest, padded with spaces (which start no word).
                    let mut padded = [b' '; 16];
                    padded[..block.len()].copy_from_slice(block);
                    crate::context::swar::word_starts16(&padded, word_before)
                }
            };
            word_before = last;
            while starts != 0 {
                let at = 16 * k + starts.trailing_zeros() as usize;
                starts &= starts - 1;
                if self
                    .trie
                    .prefixes(b, at)
                    .any(|(end, p)| !self.whole[p] || !b.get(end).is_some_and(|&c| word(c)))
                {
                    return true;
                }
            }
        }
        false
    }
}

/// Every concept term compiled into one automaton, so a text is scanned
/// once whatever the number of concepts; concepts written as regexes are
/// kept apart.
pub struct ConceptMatcher {
    /// Holds the terms lowercased and is searched over a lowercased copy of
    /// the text (see [`ConceptMatcher::find_all`]).
    automaton: Option<super::terms::Terms>,
    /// The automaton's phrases, lowercased.
    #[cfg(test)]
    phrases: Vec<String>,
    /// Concept id of each automaton pattern.
    pattern_concept: Vec<String>,
    regexes: Vec<(String, ConceptRegex)>,
    /// Where each of `regexes` could start a match in the lowercased text.
    starts: super::starts::Starts,
    /// Per byte, the regex terms (bit `i`: `regexes[i]`) a match of which
    /// can start with it in the lowercased text; `None` past 64 terms.
    regex_first: Option<Box<[u64; 256]>>,
    /// Per regex term, the literals (sorted) one of which starts each of
    /// its matches in the lowercased text, when they are known.
    regex_literals: Vec<Option<Vec<Vec<u8>>>>,
    /// The regex terms (bit `i`: `regexes[i]`) that open with an ASCII
    /// `\b`: a match starts only at a word boundary.
    regex_boundary: u64,
}

enum ConceptRegex {
    /// Searched over the lowercased text: see [`lowercase_regex`].
    Lower(regex_automata::meta::Regex),
    /// A term `lowercase_regex` declines, searched over the text as written.
    AsWritten(regex::bytes::Regex),
}

/// A case-insensitive `(?i-u)` term as a case-sensitive regex over the
/// ASCII-lowercased text: literals lowercased, classes case-folded less
/// `A-Z`. A byte matches a folded class exactly when its lowercase does, and
/// word boundaries do not move, so the matches are those of the term over
/// the text as written. The prefilter's literals are then one spelling, not
/// every case variant, which is most of the compile. None for a term with
/// inline flags (`(?-i)` would be read wrong), non-ASCII literals or
/// Unicode classes, whose folding is not ASCII's.
fn lowercase_regex(book: &Rulebook, term: &str) -> Option<(regex_automata::meta::Regex, Hir)> {
    use regex_automata::meta;
    use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, HirKind};

    fn lower(h: &Hir) -> Option<Hir> {
        Some(match h.kind() {
            HirKind::Empty => Hir::empty(),
            HirKind::Literal(l) => {
                if !l.0.is_ascii() {
                    return None;
                }
                Hir::literal(l.0.to_ascii_lowercase())
            }
            HirKind::Class(Class::Bytes(c)) => {
                let mut c = c.clone();
                c.case_fold_simple();
                c.difference(&ClassBytes::new([ClassBytesRange::new(b'A', b'Z')]));
                Hir::class(Class::Bytes(c))
            }
            HirKind::Class(Class::Unicode(_)) => return None,
            HirKind::Look(l) => Hir::look(*l),
            HirKind::Repetition(r) => {
                let mut r = r.clone();
                r.sub = Box::new(lower(&r.sub)?);
                Hir::repetition(r)
            }
            HirKind::Capture(c) => {
                let mut c = c.clone();
                c.sub = Box::new(lower(&c.sub)?);
                Hir::capture(c)
            }
            HirKind::Concat(v) => Hir::concat(v.iter().map(lower).collect::<Option<_>>()?),
            HirKind::Alternation(v) => {
                Hir::alternation(v.iter().map(lower).collect::<Option<_>>()?)
            }
        })
    }

    if term.split("(?").skip(1).any(|rest| !rest.starts_with(':')) {
        return None;
    }
    let hir = match book.parsed_pattern(term) {
        Some(h) => h.clone(),
        None => crate::rulebook::pattern::read(term).ok()?,
    };
    let hir = lower(&hir)?;
    // As `rule_regex_with_cache` configures the regex crate: bytes (an empty
    // match may split a UTF-8 sequence) and a 2 MiB lazy DFA cache. No full
    // DFA: built for each term at every run, it was 6 M instructions of the
    // start-up, and the lazy DFA, whose states persist between searches,
    // reads the letters for as many.
    meta::Builder::new()
        .configure(
            meta::Config::new()
                .utf8_empty(false)
                .hybrid_cache_capacity(2 * 1024 * 1024)
                .dfa(false),
        )
        .build_from_hir(&hir)
        .ok()
        .map(|r| (r, hir))
}

pub fn compile(book: &Rulebook) -> ConceptMatcher {
    let mut patterns: Vec<String> = Vec::new();
    let mut pattern_concept = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut regexes = Vec::new();
    let mut regex_hirs = Vec::new();
    for (_, c) in &book.concepts {
        for t in &c.terms {
            if c.regex {
                // Bytes and ASCII classes, as for `does_not_say` patterns: a
                // Unicode `[^.]{0,120}` is a large automaton scanned over every letter.
                if let Some((r, hir)) = lowercase_regex(book, t) {
                    regexes.push((c.id.clone(), ConceptRegex::Lower(r)));
                    regex_hirs.push(Some(hir));
                } else if let Ok(r) = super::checks::rule_regex_with_cache(t, 2 * 1024 * 1024) {
                    regexes.push((c.id.clone(), ConceptRegex::AsWritten(r)));
                    regex_hirs.push(None);
                }
                continue;
            }
            // Letters write "x-ray", "x ray" and "X-Ray" alike.
            // Lowercased, as in the service matcher: an ASCII-case-insensitive
            // automaton doubles the transitions it builds on every run. Terms
            // equal but for case were one trie path there, reported as the
            // first of them, so the first is kept.
            for v in super::service::variants(t) {
                let key = v.to_ascii_lowercase();
                // An empty term is no word.
                if !key.is_empty() && seen.insert(key.clone()) {
                    patterns.push(key);
                    pattern_concept.push(c.id.clone());
                }
            }
        }
    }
    // A DFA: built once per run, it is searched over every case summary and
    // rationale, where the default (a contiguous NFA for this many terms)
    // follows failure links byte by byte.
    let automaton = super::terms::Terms::new(&patterns);
    let regex_literals: Vec<Option<Vec<Vec<u8>>>> = regex_hirs
        .iter()
        .map(|h| h.as_ref().and_then(super::starts::first_literals))
        .collect();
    ConceptMatcher {
        automaton,
        #[cfg(test)]
        phrases: patterns,
        pattern_concept,
        // Only the lowercased terms: their matches are over the text the
        // candidates are found in.
        starts: super::starts::Starts::new(regex_hirs.iter().map(Option::as_ref)),
        regex_first: first_bytes(&regex_literals),
        regex_literals,
        regex_boundary: regex_hirs
            .iter()
            .take(64)
            .enumerate()
            .filter(|(_, h)| {
                h.as_ref()
                    .is_some_and(super::starts::opens_with_word_boundary)
            })
            .fold(0, |m, (i, _)| m | 1 << i),
        regexes,
    }
}

/// [`ConceptMatcher::regex_first`] of the regex terms' start literals
/// (`None`: any byte may start the term).
fn first_bytes(literals: &[Option<Vec<Vec<u8>>>]) -> Option<Box<[u64; 256]>> {
    if literals.len() > 64 {
        return None;
    }
    let mut table = Box::new([0u64; 256]);
    for (i, literals) in literals.iter().enumerate() {
        let bit = 1u64 << i;
        match literals {
            Some(literals) => {
                for l in literals {
                    table[usize::from(l[0])] |= bit;
                }
            }
            None => table.iter_mut().for_each(|m| *m |= bit),
        }
    }
    Some(table)
}

impl ConceptMatcher {
    /// The terms' automaton and its phrases (lowercased), for `terms`' test
    /// of the built-in rulebook's.
    #[cfg(test)]
    pub(crate) fn terms(&self) -> Option<&super::terms::Terms> {
        self.automaton.as_ref()
    }

    #[cfg(test)]
    pub(crate) fn phrases(&self) -> &[String] {
        &self.phrases
    }

    /// (concept, start, end) of every whole-word term in `t`.
    fn find_all(&self, t: &str) -> Vec<(&str, usize, usize)> {
        // One lowercased copy per thread, reused: a fresh one per case
        // summary and rationale was an allocation per region.
        thread_local! {
            static LOWER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        LOWER.with(|cell| match cell.try_borrow_mut() {
            Ok(mut buf) => self.find_all_in(t, &mut buf),
            // Never reentered; a fresh buffer if it ever is.
            Err(_) => self.find_all_in(t, &mut Vec::new()),
        })
    }

    /// The automaton's whole-word matches in `lower` (`t` lowercased),
    /// added to `out`. A function of its own, never inlined: compiled into
    /// [`ConceptMatcher::find_all_in`], the automaton's walk took some 8%
    /// more instructions.
    #[inline(never)]
    fn whole_word_terms<'s>(
        &'s self,
        terms: &super::terms::Terms,
        t: &str,
        lower: &[u8],
        out: &mut Vec<(&'s str, usize, usize)>,
    ) {
        terms.for_each(t, lower, |p, s, e| {
            out.push((self.pattern_concept[p].as_str(), s, e));
        });
    }

    /// (start, term, end) of every match in `t` of the regex terms `keep`
    /// accepts (by index), by start and term: the terms' `find_iter`
    /// matches appended in turn, so sorted. `lower` is `t` lowercased.
    /// Gated terms are found together, not term after term.
    fn regex_matches(
        &self,
        t: &str,
        lower: &[u8],
        keep: impl Fn(usize) -> bool,
        found: &mut Vec<(usize, usize, usize)>,
    ) {
        let mut present = self.starts.present();
        self.starts.find(
            lower,
            &mut present,
            &keep,
            |i, at| match &self.regexes[i].1 {
                ConceptRegex::Lower(r) => r
                    .search(&Input::new(lower).range(at..).anchored(Anchored::Yes))
                    .map(|m| m.end()),
                ConceptRegex::AsWritten(_) => None,
            },
            |i, s, e| found.push((s, i, e)),
        );
        for (i, (_, r)) in self.regexes.iter().enumerate() {
            if !keep(i) || self.starts.gated(i) || self.starts.ruled_out_in(i, lower, &mut present)
            {
                continue;
            }
            match r {
                ConceptRegex::Lower(r) => {
                    found.extend(r.find_iter(lower).map(|m| (m.start(), i, m.end())));
                }
                ConceptRegex::AsWritten(r) => {
                    found.extend(r.find_iter(t.as_bytes()).map(|m| (m.start(), i, m.end())));
                }
            }
        }
        // A term's matches never share a start: (start, term) orders them all.
        found.sort_unstable_by_key(|&(s, i, _)| (s, i));
    }

    /// (term, start, end) of the matches in `t` (`lower` is `t` lowercased)
    /// of the regex terms `keep` accepts (by index), by start.
    pub(super) fn regex_hits(
        &self,
        t: &str,
        lower: &[u8],
        keep: impl Fn(usize) -> bool,
    ) -> Vec<(usize, usize, usize)> {
        let mut found = Vec::new();
        self.regex_matches(t, lower, keep, &mut found);
        found.into_iter().map(|(s, i, e)| (i, s, e)).collect()
    }

    /// The concept of regex term `i`.
    pub(super) fn regex_concept(&self, i: usize) -> &str {
        &self.regexes[i].0
    }

    /// The regex terms (bit `i`: term `i`) a match of which in `lower` may
    /// start at one of `places`: every term when there are more than 64.
    pub(super) fn regexes_starting(&self, lower: &[u8], places: std::ops::Range<usize>) -> u64 {
        let Some(first) = &self.regex_first else {
            return u64::MAX;
        };
        let word = |i: usize| super::starts::is_word_byte(lower[i]);
        let mut found = 0u64;
        for s in places {
            let b = lower[s];
            let boundary = s.checked_sub(1).is_some_and(word) != word(s);
            let mut terms = first[usize::from(b)] & !found;
            if !boundary {
                terms &= !self.regex_boundary;
            }
            while terms != 0 {
                let i = terms.trailing_zeros() as usize;
                terms &= terms - 1;
                let starts = self.regex_literals[i].as_ref().is_none_or(|literals| {
                    // The literals that start with this byte, sorted together.
                    let from = literals.partition_point(|l| l[0] < b);
                    let to = literals.partition_point(|l| l[0] <= b);
                    literals[from..to].iter().any(|l| lower[s..].starts_with(l))
                });
                if starts {
                    found |= 1 << i;
                }
            }
        }
        found
    }

    /// The concept and end of the longest whole-word term at `s` in `t`
    /// (`lower` lowercased): the term the scan finds at `s` when it reads
    /// from there (see [`super::terms`]).
    pub(super) fn term_at(&self, t: &str, lower: &[u8], s: usize) -> Option<(&str, usize)> {
        let (p, e) = self.automaton.as_ref()?.longest_at(t, lower, s)?;
        Some((self.pattern_concept[p].as_str(), e))
    }

    /// The length in bytes of the longest term.
    pub(super) fn longest_term(&self) -> usize {
        self.automaton
            .as_ref()
            .map_or(0, super::terms::Terms::longest)
    }

    fn find_all_in<'s>(&'s self, t: &str, buf: &mut Vec<u8>) -> Vec<(&'s str, usize, usize)> {
        let mut out = Vec::new();
        // Lowercasing ASCII keeps every byte offset, so matches and word
        // boundaries read the same in `t`.
        buf.clear();
        buf.extend_from_slice(t.as_bytes());
        buf.make_ascii_lowercase();
        let lower: &[u8] = buf;
        if let Some(terms) = &self.automaton {
            self.whole_word_terms(terms, t, lower, &mut out);
        }
        let mut found = Vec::new();
        self.regex_matches(t, lower, |_| true, &mut found);
        out.extend(
            found
                .into_iter()
                .map(|(s, i, e)| (self.regexes[i].0.as_str(), s, e)),
        );
        out.sort_by_key(|&(_, s, _)| s);
        out
    }
}

/// A part of the letter (the case summary, a rationale) folded once, with
/// its sentences: what the concept scan and every check of a rationale read,
/// so that none of them folds or splits it again.
pub struct Region {
    pub folded: Folded,
    /// Sentence ranges in `folded` (see [`sentences`]).
    pub sentences: Vec<(usize, usize)>,
}

impl Region {
    pub fn of(text: &str, span: Span) -> Region {
        let folded = Folded::range(text, span.offset, span.end());
        let sentences = sentences(folded.as_str());
        Region { folded, sentences }
    }
}

impl Facts {
    pub fn for_letter(letter: &Letter, text: &str, concepts: &ConceptMatcher) -> Facts {
        let mut f = Facts::default();
        if let Some(s) = &letter.case_summary {
            let summary = Region::of(text, s.span);
            f.scan(&summary, Place::CaseSummary, concepts);
        }
        f
    }

    /// These facts and those of an item's rationale, already read as a [`Region`].
    pub fn with_rationale(&self, rationale: Option<&Region>, concepts: &ConceptMatcher) -> Facts {
        let mut f = self.clone();
        if let Some(r) = rationale {
            f.scan(r, Place::Rationale, concepts);
        }
        f
    }

    /// The mentions of one item's rationale alone.
    pub fn of_rationale(item: &Item, text: &str, concepts: &ConceptMatcher) -> Facts {
        let rationale = item.rationale.as_ref().map(|r| Region::of(text, r.span));
        Facts::default().with_rationale(rationale.as_ref(), concepts)
    }

    fn scan(&mut self, region: &Region, place: Place, concepts: &ConceptMatcher) {
        let folded = &region.folded;
        let t = folded.as_str();
        let hits = concepts.find_all(t);
        if hits.is_empty() {
            return;
        }
        let sentences = &region.sentences;
        let triggers = Triggers::builtin();
        // Triggers are found once per sentence that holds a concept.
        let mut current: Option<(usize, Reading)> = None;
        for (concept, ms, me) in hits {
            // Sentences are sorted and disjoint: only the last that starts at
            // or before the hit can hold it.
            let k = sentences.partition_point(|&(a, _)| a <= ms);
            let Some(&(s_start, s_end)) = k
                .checked_sub(1)
                .and_then(|k| sentences.get(k))
                .filter(|&&(_, b)| me <= b)
            else {
                continue;
            };
            let sentence = &t[s_start..s_end];
            if current.as_ref().is_none_or(|(at, _)| *at != s_start) {
                current = Some((s_start, Reading::of(triggers, sentence, place)));
            }
            let Some((_, r)) = &current else { continue };
            // A case summary sentence that reports the review history ("UR denied
            // the request due to no evidence of red flags") states a decision's
            // reasons, not a clinical finding.
            if r.review_history {
                continue;
            }
            let place = if r.guideline_talk {
                Place::GuidelineStatement
            } else {
                place
            };
            self.mentions.push(mention(
                folded,
                (s_start, s_end),
                triggers,
                &r.triggers,
                concept,
                (ms, me),
                place,
            ));
        }
    }

    /// The first mention of `concept` (in `place`, if given) read as `assertion`.
    pub fn find(
        &self,
        concept: &str,
        place: Option<Place>,
        assertion: Assertion,
    ) -> Option<&Mention> {
        self.mentions.iter().find(|m| {
            m.concept == concept && m.assertion() == assertion && place.is_none_or(|p| m.place == p)
        })
    }

    /// A mention stating the fact of the patient (see [`Mention::holds`]),
    /// in `place` if given.
    pub fn holding(&self, concept: &str, place: Option<Place>) -> Option<&Mention> {
        self.mentions
            .iter()
            .find(|m| m.concept == concept && m.holds() && place.is_none_or(|p| m.place == p))
    }

    /// A mention that holds and is a fact of the case (not a guideline restated).
    pub fn affirmed(&self, concept: &str) -> Option<&Mention> {
        self.mentions
            .iter()
            .find(|m| m.concept == concept && m.holds() && m.place != Place::GuidelineStatement)
    }
}

/// Sentence ranges of a folded text: split after . ! ? followed by a space and a capital or digit.
pub(crate) fn sentences(t: &str) -> Vec<(usize, usize)> {
    let b = t.as_bytes();
    // About one sentence in a hundred bytes: few regions regrow.
    let mut out = Vec::with_capacity(t.len() / 64 + 1);
    let mut start = 0;
    // Stops are a byte in a hundred or so: one vector search over the
    // region finds them all, where a search from each stop paid its set-up
    // at every one (and a byte-at-a-time or eight-byte test was several
    // times the instructions a byte).
    for at in memchr::memchr3_iter(b'.', b'!', b'?', b) {
        if b.get(at + 1) == Some(&b' ')
            && b.get(at + 2)
                .is_some_and(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && !abbreviation(&b[start..at])
        {
            out.push((start, at + 1));
            start = at + 2;
        }
    }
    if start < t.len() {
        out.push((start, t.len()));
    }
    out
}

/// Whether the last word of `before` (after its last space) is an
/// abbreviation or a single character, whose stop ends no sentence. Bytes,
/// not a `rsplit`: a letter has a stop followed by a capital every few dozen
/// bytes, and the splitter's set-up cost more than the walk back.
fn abbreviation(before: &[u8]) -> bool {
    let last = before
        .iter()
        .rposition(|&c| c == b' ')
        .map_or(before, |i| &before[i + 1..]);
    matches!(
        last,
        b"Dr" | b"Mr" | b"Mrs" | b"Ms" | b"vs" | b"e.g" | b"i.e" | b"No" | b"approx"
    ) || last.len() == 1
}

/// What is read once per sentence that holds a concept.
struct Reading {
    review_history: bool,
    guideline_talk: bool,
    triggers: Vec<context::triggers::Hit>,
}

/// The mention of `concept` at `ms..me` of `folded`, in the sentence
/// `s_start..s_end` whose triggers are `hits`, read in context.
pub(super) fn mention(
    folded: &Folded,
    (s_start, s_end): (usize, usize),
    triggers: &Triggers,
    hits: &[context::triggers::Hit],
    concept: &str,
    (ms, me): (usize, usize),
    place: Place,
) -> Mention {
    let sentence = &folded.as_str()[s_start..s_end];
    let a = context::assess_among(triggers, sentence, hits, ms - s_start..me - s_start);
    let at =
        |range: std::ops::Range<usize>| folded.span(s_start + range.start, s_start + range.end);
    Mention {
        concept: concept.to_string(),
        negation: a.negation,
        temporality: a.temporality,
        experiencer: a.experiencer,
        place,
        span: folded.span(ms, me),
        cues: a
            .cues
            .into_iter()
            .map(|c| MentionCue {
                category: c.category,
                trigger: at(c.trigger),
                scope: at(c.scope),
            })
            .collect(),
        sentence: folded.span(s_start, s_end),
    }
}

/// Whether a rationale sentence restates a guideline: its mentions are
/// [`Place::GuidelineStatement`].
pub(super) fn guideline_talk(sentence: &str) -> bool {
    GUIDELINE_TALK.is_match(sentence)
}

impl Reading {
    fn of(triggers: &Triggers, sentence: &str, place: Place) -> Reading {
        let review_history = place == Place::CaseSummary && REVIEW_HISTORY.is_match(sentence);
        Reading {
            review_history,
            guideline_talk: place == Place::Rationale && GUIDELINE_TALK.is_match(sentence),
            // No mention of a review-history sentence is read in context.
            triggers: if review_history {
                Vec::new()
            } else {
                triggers.find(sentence)
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(sentence: &str, term: &str) -> Assertion {
        let i = sentence.find(term).expect("term");
        let a = context::assess(sentence, i..i + term.len());
        Mention {
            concept: String::new(),
            negation: a.negation,
            temporality: a.temporality,
            experiencer: a.experiencer,
            place: Place::CaseSummary,
            span: Span::new(i, i + term.len()),
            cues: Vec::new(),
            sentence: Span::new(0, sentence.len()),
        }
        .assertion()
    }

    #[test]
    fn letters_sentences_read_in_context() {
        use Assertion::*;
        let cases = [
            (
                "There is no indication of a prior stroke.",
                "stroke",
                Negated,
            ),
            ("He had a stroke in 2010.", "stroke", Affirmed),
            (
                "MRI to rule out herniated nucleus pulposus.",
                "herniated",
                Possible,
            ),
            (
                "No red flags, but radiculopathy is present.",
                "radiculopathy",
                Affirmed,
            ),
            ("Fracture was ruled out on x-ray.", "Fracture", Negated),
            (
                "There is no evidence of any red flag conditions.",
                "red flag",
                Negated,
            ),
            ("She has a history of a C6-C7 fusion.", "fusion", Historical),
            (
                "Surgery is planned if conservative care fails.",
                "conservative care",
                Hypothetical,
            ),
            ("His mother had a stroke.", "stroke", OtherPerson),
            (
                "It is used when medication is not tolerated; it may be used as an adjunct to physical rehabilitation.",
                "physical rehabilitation",
                Possible,
            ),
            (
                "Imaging is for patients who do not respond to treatment and who would consider surgery.",
                "consider surgery",
                Affirmed,
            ),
            (
                "Radiographs are not recommended during the first 6 weeks of activity limitation.",
                "activity limitation",
                Affirmed,
            ),
            (
                "Studies clarify the anatomy prior to an invasive procedure.",
                "invasive procedure",
                Affirmed,
            ),
            (
                "Patient has completed a trial of physical therapy with no improvement and has persistent pain despite conservative care.",
                "despite conservative",
                Affirmed,
            ),
        ];
        for (sentence, term, want) in cases {
            assert_eq!(read(sentence, term), want, "{term} in {sentence:?}");
        }
    }

    /// The regexes the word lists stand for.
    fn word_list_regexes() -> [(&'static WordList, regex::Regex); 2] {
        [
            (
                &REVIEW_HISTORY,
                regex::Regex::new(r"(?i-u)\butilization review\b|\bUR\b|\bnon-?certif|\b(?:denied|modified|approved|authorized)\b").expect("pattern"),
            ),
            (
                &GUIDELINE_TALK,
                regex::Regex::new(r"(?i-u)\b(?:guide-?lines?|MTUS|ODG|ACOEM|recommend\w*|is used|are used|indicated for|supported for|criteria)\b").expect("pattern"),
            ),
        ]
    }

    #[test]
    fn word_lists_match_as_their_regexes() {
        for s in [
            "UR denied the request.",
            "The request was not medically necessary per the utilization review.",
            "Noncertified; non-certification; nonCERTIFIED.",
            "ur-denied; _UR; URx; éUR; URé; sur; denied_",
            "Guide-lines, guidelines; GUIDELINEs; guidelinesx; MTUS/ODG-ACOEM.",
            "recommendations are recommended; Recommend_x; xrecommend",
            "It is used; are usedx; indicated for; supported for; criteriaé",
            "utilization  review; utilization reviewed",
            "",
        ] {
            for (list, re) in word_list_regexes() {
                assert_eq!(list.is_match(s), re.is_match(s), "{s:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn word_lists_match_as_their_regexes_on_word_soup(
            parts in proptest::collection::vec((0usize..24, 0usize..10), 0..12)
        ) {
            let words = [
                "ur", "UR", "utilization", "review", "non", "certif", "noncertified",
                "denied", "Modified", "approved", "authorized", "guide", "lines",
                "guideline", "MTUS", "odg", "acoem", "recommend", "is", "are", "used",
                "indicated", "for", "criteria",
            ];
            let glue = [" ", "", "-", "_", "é", ".", "x", "s", "\u{17f}", "\u{212a}"];
            let mut s = String::new();
            for (w, g) in parts {
                s.push_str(words[w]);
                s.push_str(glue[g]);
            }
            for (list, re) in word_list_regexes() {
                proptest::prop_assert_eq!(list.is_match(&s), re.is_match(&s), "{:?}", s);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn abbreviations_read_by_byte_as_by_rsplit(s in "[DrMsNoe.gi \u{e9}\u{17f}x]{0,12}") {
            let last = s.rsplit(' ').next().unwrap_or("");
            let want = matches!(
                last,
                "Dr" | "Mr" | "Mrs" | "Ms" | "vs" | "e.g" | "i.e" | "No" | "approx"
            ) || last.len() == 1;
            proptest::prop_assert_eq!(abbreviation(s.as_bytes()), want, "{:?}", s);
        }
    }

    /// Sentences as the rule says, one byte at a time.
    fn sentences_by_byte(t: &str) -> Vec<(usize, usize)> {
        let b = t.as_bytes();
        let (mut out, mut start) = (Vec::new(), 0);
        for at in 0..b.len() {
            if matches!(b[at], b'.' | b'!' | b'?')
                && b.get(at + 1) == Some(&b' ')
                && b.get(at + 2)
                    .is_some_and(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && at >= start
                && !abbreviation(&b[start..at])
            {
                out.push((start, at + 1));
                start = at + 2;
            }
        }
        if start < t.len() {
            out.push((start, t.len()));
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn sentences_split_as_the_byte_walk_does(s in "[a. !?é\u{2e80}A1rDMs\u{17f}]{0,80}") {
            proptest::prop_assert_eq!(sentences(&s), sentences_by_byte(&s), "{:?}", s);
        }
    }

    #[test]
    fn historical_facts_hold_and_hypothetical_ones_do_not() {
        let m = |negation, temporality, experiencer| Mention {
            concept: String::new(),
            negation,
            temporality,
            experiencer,
            place: Place::CaseSummary,
            span: Span::new(0, 1),
            cues: Vec::new(),
            sentence: Span::new(0, 1),
        };
        use Experiencer::*;
        use Negation::*;
        use Temporality::*;
        assert!(m(Affirmed, Recent, Patient).holds());
        assert!(m(Affirmed, Historical, Patient).holds());
        assert!(!m(Affirmed, Hypothetical, Patient).holds());
        assert!(!m(Negated, Historical, Patient).holds());
        assert!(!m(Possible, Recent, Patient).holds());
        assert!(!m(Affirmed, Recent, Other).holds());
    }

    static MATCHER: LazyLock<ConceptMatcher> = LazyLock::new(|| {
        let book = crate::rulebook::Rulebook::built_in();
        compile(&book)
    });

    /// The regex terms' matches as each term's `find_iter` finds them, in
    /// the order `find_all` reports them.
    fn regex_terms_plain<'m>(m: &'m ConceptMatcher, t: &str) -> Vec<(&'m str, usize, usize)> {
        let lower = t.to_ascii_lowercase();
        let mut out = Vec::new();
        for (id, r) in &m.regexes {
            match r {
                ConceptRegex::Lower(r) => out.extend(
                    r.find_iter(lower.as_bytes())
                        .map(|x| (id.as_str(), x.start(), x.end())),
                ),
                ConceptRegex::AsWritten(r) => out.extend(
                    r.find_iter(t.as_bytes())
                        .map(|x| (id.as_str(), x.start(), x.end())),
                ),
            }
        }
        out.sort_by_key(|&(_, s, _)| s);
        out
    }

    fn regex_terms_found<'m>(m: &'m ConceptMatcher, t: &str) -> Vec<(&'m str, usize, usize)> {
        m.find_all(t)
            .into_iter()
            .filter(|&(c, _, _)| m.regexes.iter().any(|(id, _)| id == c))
            .collect()
    }

    #[test]
    fn the_windowed_terms_are_gated() {
        let m = &*MATCHER;
        let gated = (0..m.regexes.len()).filter(|&i| m.starts.gated(i)).count();
        assert!(gated >= 3, "{gated} gated regex terms");
    }

    proptest::proptest! {
        #[test]
        fn gated_regex_terms_find_what_find_iter_finds(
            parts in proptest::collection::vec((0usize..36, 0usize..9), 0..40)
        ) {
            let words = [
                "MRI", "CT", "imaging", "EMG", "electrodiagnostic", "nerve root", "herniated",
                "foraminal", "compression", "on", "by", "the", "pain", "from", "8/10", "to",
                "3/10", "72-year-old", "aged", "67", "120", "mg", "per day", "morphine", "60%",
                "percent", "relief", "at least", "50", "over", "65", "radiculopathy", "nerve",
                "conduction", "fifty", "improvement",
            ];
            let glue = [" ", "", "-", ". ", "\u{17f}", "\u{212a}", "\u{e9}", ", ", "x"];
            let mut s = String::new();
            for (w, g) in parts {
                s.push_str(words[w]);
                s.push_str(glue[g]);
            }
            let m = &*MATCHER;
            proptest::prop_assert_eq!(regex_terms_found(m, &s), regex_terms_plain(m, &s), "{:?}", s);
        }
    }

    /// Every built-in regex term takes the lowercased path and finds what the
    /// case-insensitive regex finds in the text as written.
    #[test]
    fn lowercased_regexes_match_as_written() {
        let book = crate::rulebook::Rulebook::built_in();
        let text = "MRI of the L-spine showed a HERNIATED disc at L5. EMG confirmed \
                    Radiculopathy. Foraminal narrowing on MRI. A 72-Year-Old man, Aged 67, \
                    over 65, takes 120 MG per day of Morphine; 60% Pain Relief, at least \
                    fifty percent improvement. Pain went from 8/10 to 3/10. \u{e9} CT: \
                    nerve root Compression.";
        let lower = text.to_ascii_lowercase();
        let mut n = 0;
        for (_, c) in &book.concepts {
            for t in c.terms.iter().filter(|_| c.regex) {
                let Some((fast, _)) = super::lowercase_regex(&book, t) else {
                    panic!("{t} is not lowercased");
                };
                let Ok(slow) = crate::engine::checks::rule_regex_with_cache(t, 1 << 21) else {
                    panic!("{t} compiles");
                };
                let a: Vec<_> = fast
                    .find_iter(lower.as_bytes())
                    .map(|m| m.range())
                    .collect();
                let b: Vec<_> = slow.find_iter(text.as_bytes()).map(|m| m.range()).collect();
                assert_eq!(a, b, "{t}");
                n += a.len();
            }
        }
        assert!(n > 5, "the sample exercises the terms");
    }
}
