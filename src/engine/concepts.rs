//! Clinical concepts found in a letter, each with its assertion.
//!
//! This is a deliberately small negation reader: a concept term is negated
//! when a negation cue ("no", "without", "no evidence of", "denies") stands
//! earlier in its clause, or a post-cue ("was ruled out", "is negative")
//! follows it; it is possible when an uncertainty cue ("rule out", "if",
//! "possible") precedes it. The ConText module of the clinical-context issue
//! replaces it with trigger data, scopes and temporality.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;

use crate::fold::Folded;
use crate::model::{Item, Letter};
use crate::rulebook::Rulebook;
use crate::span::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assertion {
    Affirmed,
    Negated,
    Possible,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    CaseSummary,
    Rationale,
    /// A rationale sentence that restates a guideline ("NMES is used ... following
    /// stroke"): it says what the guideline requires, not what the patient has.
    GuidelineStatement,
}

#[derive(Debug, Clone)]
pub struct Mention {
    pub concept: String,
    pub assertion: Assertion,
    pub place: Place,
    pub span: Span,
    /// The cue that negated or hedged it.
    pub cue: Option<Span>,
    /// The sentence it stands in.
    pub sentence: Span,
}

#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub mentions: Vec<Mention>,
}

// ASCII word boundaries and case folding (`-u`): cue words are English, and
// these run once per concept mention, where Unicode `\b` would keep the lazy
// DFA from running on any sentence with a non-ASCII character.
static NEG_PRE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i-u)\b(?:no|not|without|denie[sd]|deny|negative for|absence of|absent|free of|lack(?:s|ing)? of|nor|neither|never|none|unremarkable for|fail(?:s|ed)? to (?:show|demonstrate|document)|no (?:evidence|indication|documentation|mention|sign|signs|history) of)\b")
        .expect("pattern")
});
static NEG_POST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^[^.;]{0,40}?\b(?:(?:was|were|is|are|has been|have been) (?:ruled out|negative|absent|not (?:present|documented|found|noted)))\b").expect("pattern")
});
static POSSIBLE_PRE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i-u)\b(?:rule out|r/o|possible|possibly|suspected|suspicion of|questionable|may|might|could|if|whether|unless|consider|concern for|evaluate for)\b").expect("pattern")
});
static REVIEW_HISTORY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i-u)\butilization review\b|\bUR\b|\bnon-?certif|\b(?:denied|modified|approved|authorized)\b")
        .expect("pattern")
});
static GUIDELINE_TALK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i-u)\b(?:guide-?lines?|MTUS|ODG|ACOEM|recommend\w*|is used|are used|indicated for|criteria)\b")
        .expect("pattern")
});
static CLAUSE_BREAK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i-u)[;:]|,\s(?:but|however|although|though|yet)\b|\b(?:but|however|although|though|which|who)\b").expect("pattern")
});

/// Every concept term compiled into one automaton, so a text is scanned
/// once whatever the number of concepts; concepts written as regexes are
/// kept apart.
pub struct ConceptMatcher {
    automaton: Option<AhoCorasick>,
    /// Concept id of each automaton pattern.
    pattern_concept: Vec<String>,
    regexes: Vec<(String, regex::bytes::Regex)>,
}

pub fn compile(book: &Rulebook) -> ConceptMatcher {
    let mut patterns = Vec::new();
    let mut pattern_concept = Vec::new();
    let mut regexes = Vec::new();
    for (_, c) in &book.concepts {
        for t in &c.terms {
            if c.regex {
                // Bytes and ASCII classes, as for `does_not_say` patterns: a
                // Unicode `[^.]{0,120}` is a large automaton scanned over every letter.
                if let Ok(r) = super::checks::rule_regex_with_cache(t, 2 * 1024 * 1024) {
                    regexes.push((c.id.clone(), r));
                }
                continue;
            }
            // Letters write "x-ray", "x ray" and "X-Ray" alike.
            for v in super::service::variants(t) {
                patterns.push(v);
                pattern_concept.push(c.id.clone());
            }
        }
    }
    let automaton = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(&patterns)
        .ok();
    ConceptMatcher {
        automaton,
        pattern_concept,
        regexes,
    }
}

impl ConceptMatcher {
    /// (concept, start, end) of every whole-word term in `t`.
    fn find_all(&self, t: &str) -> Vec<(&str, usize, usize)> {
        let mut out = Vec::new();
        if let Some(ac) = &self.automaton {
            for m in ac.find_iter(t) {
                if super::service::whole_word(t, m.start(), m.end()) {
                    out.push((
                        self.pattern_concept[m.pattern().as_usize()].as_str(),
                        m.start(),
                        m.end(),
                    ));
                }
            }
        }
        for (id, r) in &self.regexes {
            for m in r.find_iter(t.as_bytes()) {
                out.push((id.as_str(), m.start(), m.end()));
            }
        }
        out.sort_by_key(|&(_, s, _)| s);
        out
    }
}

impl Facts {
    pub fn for_letter(letter: &Letter, text: &str, concepts: &ConceptMatcher) -> Facts {
        let mut f = Facts::default();
        if let Some(s) = &letter.case_summary {
            f.scan(text, s.span, Place::CaseSummary, concepts);
        }
        f
    }

    pub fn with_rationale(&self, item: &Item, text: &str, concepts: &ConceptMatcher) -> Facts {
        let mut f = self.clone();
        if let Some(r) = &item.rationale {
            f.scan(text, r.span, Place::Rationale, concepts);
        }
        f
    }

    fn scan(&mut self, text: &str, span: Span, place: Place, concepts: &ConceptMatcher) {
        let folded = Folded::range(text, span.offset, span.end());
        let t = folded.as_str();
        let hits = concepts.find_all(t);
        if hits.is_empty() {
            return;
        }
        let sentences = sentences(t);
        // Cues are found once per sentence that holds a concept, then each
        // mention looks up its own window among them.
        let mut cues: Option<(usize, SentenceCues)> = None;
        for (concept, ms, me) in hits {
            let Some(&(s_start, s_end)) = sentences.iter().find(|&&(a, b)| a <= ms && me <= b)
            else {
                continue;
            };
            let sentence = &t[s_start..s_end];
            if cues.as_ref().is_none_or(|(at, _)| *at != s_start) {
                cues = Some((s_start, SentenceCues::of(sentence, place)));
            }
            let Some((_, c)) = &cues else { continue };
            // A case summary sentence that reports the review history ("UR denied
            // the request due to no evidence of red flags") states a decision's
            // reasons, not a clinical finding.
            if c.review_history {
                continue;
            }
            let (assertion, cue) = c.assertion(sentence, ms - s_start, me - s_start);
            let place = if c.guideline_talk {
                Place::GuidelineStatement
            } else {
                place
            };
            self.mentions.push(Mention {
                concept: concept.to_string(),
                assertion,
                place,
                span: folded.span(ms, me),
                cue: cue.map(|(a, b)| folded.span(s_start + a, s_start + b)),
                sentence: folded.span(s_start, s_end),
            });
        }
    }

    pub fn find(
        &self,
        concept: &str,
        place: Option<Place>,
        assertion: Assertion,
    ) -> Option<&Mention> {
        self.mentions.iter().find(|m| {
            m.concept == concept && m.assertion == assertion && place.is_none_or(|p| m.place == p)
        })
    }

    /// An affirmed mention that is a fact of the case (not a guideline restated).
    pub fn affirmed(&self, concept: &str) -> Option<&Mention> {
        self.mentions.iter().find(|m| {
            m.concept == concept
                && m.assertion == Assertion::Affirmed
                && m.place != Place::GuidelineStatement
        })
    }
}

/// Sentence ranges of a folded text: split after . ! ? followed by a space and a capital or digit.
pub(crate) fn sentences(t: &str) -> Vec<(usize, usize)> {
    let b = t.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..b.len() {
        if matches!(b[i], b'.' | b'!' | b'?')
            && b.get(i + 1) == Some(&b' ')
            && b.get(i + 2)
                .is_some_and(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && !abbreviation(&t[start..i])
        {
            out.push((start, i + 1));
            start = i + 2;
        }
    }
    if start < t.len() {
        out.push((start, t.len()));
    }
    out
}

fn abbreviation(before: &str) -> bool {
    let last = before.rsplit(' ').next().unwrap_or("");
    matches!(
        last,
        "Dr" | "Mr" | "Mrs" | "Ms" | "vs" | "e.g" | "i.e" | "No" | "approx"
    ) || last.len() == 1
}

/// The cues of one sentence, found once.
struct SentenceCues {
    review_history: bool,
    guideline_talk: bool,
    clause_breaks: Vec<usize>,
    negations: Vec<(usize, usize)>,
    hedges: Vec<(usize, usize)>,
}

impl SentenceCues {
    fn of(sentence: &str, place: Place) -> SentenceCues {
        let spans = |r: &Regex| {
            r.find_iter(sentence)
                .map(|m| (m.start(), m.end()))
                .collect()
        };
        SentenceCues {
            review_history: place == Place::CaseSummary && REVIEW_HISTORY.is_match(sentence),
            guideline_talk: place == Place::Rationale && GUIDELINE_TALK.is_match(sentence),
            clause_breaks: CLAUSE_BREAK.find_iter(sentence).map(|m| m.end()).collect(),
            negations: spans(&NEG_PRE),
            hedges: spans(&POSSIBLE_PRE),
        }
    }

    /// The assertion of the mention at `start..end`: the last negation cue
    /// (else hedge) in its window - the same clause, at most six words before
    /// it - or a negating phrase right after it.
    fn assertion(
        &self,
        sentence: &str,
        start: usize,
        end: usize,
    ) -> (Assertion, Option<(usize, usize)>) {
        let clause_start = self
            .clause_breaks
            .iter()
            .rev()
            .find(|&&b| b <= start)
            .copied()
            .unwrap_or(0);
        // NegEx's window: a cue reaches at most six words forward.
        let words: Vec<usize> = sentence[clause_start..start]
            .match_indices(' ')
            .map(|(i, _)| clause_start + i + 1)
            .collect();
        let window = words
            .len()
            .checked_sub(7)
            .map_or(clause_start, |k| words[k]);
        let last_in = |cues: &[(usize, usize)]| {
            cues.iter()
                .rev()
                .find(|&&(a, b)| a >= window && b <= start)
                .copied()
        };
        if let Some(c) = last_in(&self.negations) {
            return (Assertion::Negated, Some(c));
        }
        if let Some(m) = NEG_POST.find(&sentence[end..]) {
            return (Assertion::Negated, Some((end + m.start(), end + m.end())));
        }
        if let Some(c) = last_in(&self.hedges) {
            return (Assertion::Possible, Some(c));
        }
        (Assertion::Affirmed, None)
    }
}

#[cfg(test)]
fn assertion(sentence: &str, start: usize, end: usize) -> (Assertion, Option<(usize, usize)>) {
    SentenceCues::of(sentence, Place::CaseSummary).assertion(sentence, start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_of(sentence: &str, term: &str) -> Assertion {
        let i = sentence.find(term).expect("term");
        assertion(sentence, i, i + term.len()).0
    }

    #[test]
    fn negation_and_hedges() {
        assert_eq!(
            assert_of("There is no indication of a prior stroke.", "stroke"),
            Assertion::Negated
        );
        assert_eq!(
            assert_of("He had a stroke in 2010.", "stroke"),
            Assertion::Affirmed
        );
        assert_eq!(
            assert_of("MRI to rule out herniated nucleus pulposus.", "herniated"),
            Assertion::Possible
        );
        assert_eq!(
            assert_of(
                "No red flags, but radiculopathy is present.",
                "radiculopathy"
            ),
            Assertion::Affirmed
        );
        assert_eq!(
            assert_of("Fracture was ruled out on x-ray.", "Fracture"),
            Assertion::Negated
        );
    }
}
