//! Flat denials: a rationale's negation at most two words from a finding
//! ("no red flags", "no documentation of radicular complaints"), which a
//! case summary that documents the finding contradicts.
//!
//! The denial check runs on every upheld item, and reading all of a
//! rationale's mentions in context is most of what a letter costs. Few
//! rationales can hold a flat denial of a concept the case summary holds,
//! so [`may_hold`] asks first, from the rationale's negation triggers
//! alone: the words within two of each, looked up as terms, and the regex
//! terms whose start literals occur there. It answers no only where the
//! full reading finds no such denial; where it answers yes, the rationale is
//! read whole, as before, so the check finds what it always found.

use std::sync::LazyLock;

use super::ItemContext;
use super::checks::{self, RuleRegex, lean_regex};
use super::concepts::{self, Assertion, ConceptMatcher, Mention, Place, Region};
use crate::context::triggers::Hit;
use crate::context::{Category, Kind, Triggers};
use crate::finding::Finding;
use crate::model::Decision;
use crate::rulebook::Rule;

/// The check: an upheld item whose rationale denies flatly a finding the
/// case summary documents.
pub(super) fn denial_contradicted(rule: &Rule, ctx: &ItemContext, out: &mut Vec<Finding>) {
    if ctx.item.decision.value != Decision::Upheld || !ctx.may_deny_flatly() {
        return;
    }
    // Mentions placed in the rationale come from its scan alone, and those
    // placed in the case summary from the summary's: each is read only here.
    let denied = ctx.rationale_facts().mentions.iter().filter(|m| {
        m.place == Place::Rationale
            && m.assertion() == Assertion::Negated
            && flat_denial(ctx.text, m)
    });
    for d in denied {
        let Some(present) = ctx
            .summary_facts()
            .holding(&d.concept, Some(Place::CaseSummary))
        else {
            continue;
        };
        let name = ctx
            .book
            .concept(&d.concept)
            .map_or(d.concept.as_str(), |c| c.name.as_str());
        let claim = d.claim();
        out.push(checks::finding(
            rule,
            ctx,
            format!(
                "the rationale denies {name} for '{}', but the case summary documents it",
                ctx.item.name.value
            ),
            claim,
            vec![
                checks::label(claim, format!("the rationale: no {name}")),
                checks::label(present.sentence, format!("the case summary: {name}")),
            ],
            None,
        ));
        return;
    }
}

/// A rationale's flat denial of a finding: the negation stands at most two
/// words from it, with no qualifier between. "No red flags" and "no
/// documentation of radicular complaints" deny the finding; "lack of
/// significant objective findings of radiculopathy" or "lack of imaging
/// studies demonstrating radiculopathy" judge its degree or its proof, which
/// a case summary naming it does not contradict.
pub fn flat_denial(text: &str, m: &Mention) -> bool {
    // ASCII words and boundaries on any text, as it always read.
    static QUALIFIER: LazyLock<RuleRegex> = LazyLock::new(|| {
        lean_regex(
            r"(?i-u)\b(?:significant|objective|clinical|sufficient|adequate|recent|new|further|previous|prior|current)\b",
            false,
            false,
        )
    });
    let Some(cue) = m.cue() else { return false };
    let (trigger, finding) = (cue.trigger, m.span);
    let between = if trigger.end() <= finding.offset {
        &text[trigger.end()..finding.offset]
    } else if finding.end() <= trigger.offset {
        &text[finding.end()..trigger.offset]
    } else {
        ""
    };
    between.split_whitespace().count() <= 2 && !QUALIFIER.is_match(between)
}

/// Whether the rationale `region` of `text` may hold a flat denial (as
/// [`flat_denial`] judges it) of a concept `held` accepts. `lower` is the
/// region's folded text, ASCII-lowercased. `held` is asked only about a
/// mention denied flatly, so that the case summary it reads is read only
/// then, as it was when the rationale was read whole first.
///
/// False only when reading the whole rationale ([`concepts::Facts`]) finds
/// no such mention, placed in the rationale and negated. Its deciding cue
/// is a negation pre- or post-trigger of its sentence, disjoint from it and
/// at most two words off in `text`. Where the reading finds a term, it is
/// the longest whole-word term there; a regex term's match is among the
/// regex's matches in the whole rationale, and one after a pre-trigger
/// starts with one of the regex's start literals. Each mention so placed
/// is read in context here as the reading reads it.
pub fn may_hold(
    text: &str,
    region: &Region,
    lower: &[u8],
    concepts: &ConceptMatcher,
    held: impl Fn(&str) -> bool,
) -> bool {
    let folded = &region.folded;
    let t = folded.as_str();
    let triggers = Triggers::builtin();
    let longest = concepts.longest_term();
    // Whether the reading's mention of `concept` at `s..e` of the sentence
    // `s0..s1` (its triggers `hits`) is a flat denial of a held concept.
    let denies = |(s0, s1): (usize, usize), hits: &[Hit], concept: &str, s: usize, e: usize| {
        let m = concepts::mention(
            folded,
            (s0, s1),
            triggers,
            hits,
            concept,
            (s, e),
            Place::Rationale,
        );
        m.assertion() == Assertion::Negated && flat_denial(text, &m) && held(concept)
    };
    // The regex terms that may have a match a negation denies flatly.
    let mut regexes = 0u64;
    let sentences = &region.sentences;
    for &(s0, s1) in sentences {
        // A mention in a sentence restating a guideline is placed there.
        if concepts::guideline_talk(&t[s0..s1]) {
            continue;
        }
        let hits = triggers.find(&t[s0..s1]);
        for h in &hits {
            let opens =
                |kind| h.has(Category::Negated, kind) && !h.has(Category::Negated, Kind::Pseudo);
            let (pre, post) = (opens(Kind::Pre), opens(Kind::Post));
            if !pre && !post {
                continue;
            }
            let (ts, te) = (s0 + h.span.start, s0 + h.span.end);
            let trigger = folded.span(ts, te);
            let term_denied = |s: usize| {
                starts_word(t, s)
                    && concepts
                        .term_at(t, lower, s)
                        .is_some_and(|(c, e)| e <= s1 && denies((s0, s1), &hits, c, s, e))
            };
            if pre {
                // A finding more than two words on starts past `bound`, and
                // so at `end` or later.
                let bound = nth_word_start(text, trigger.end(), 2);
                let end = first_folded(folded, te, s1, |o| o > bound);
                regexes |= concepts.regexes_starting(lower, te..end);
                if (te..end).any(|s| t.is_char_boundary(s) && term_denied(s)) {
                    return true;
                }
            }
            if post {
                // A regex match may start anywhere before.
                regexes = u64::MAX;
                // A finding more than two words back ends before `bound`:
                // its last byte is before `last`, and it starts no more
                // than the longest term before that.
                let bound = nth_word_end_back(text, trigger.offset, 2);
                let last = first_folded(folded, s0, ts, |o| o + 1 >= bound);
                let from = (last + 1).saturating_sub(longest).max(s0);
                if (from..ts).any(|s| t.is_char_boundary(s) && term_denied(s)) {
                    return true;
                }
            }
        }
    }
    if regexes == 0 {
        return false;
    }
    let keep = |i: usize| i >= 64 || regexes & (1 << i) != 0;
    concepts
        .regex_hits(t, lower, keep)
        .into_iter()
        .any(|(i, s, e)| {
            // The sentence that holds the match, as the reading finds it.
            let k = sentences.partition_point(|&(a, _)| a <= s);
            k.checked_sub(1)
                .map(|k| sentences[k])
                .filter(|&(s0, s1)| e <= s1 && !concepts::guideline_talk(&t[s0..s1]))
                .is_some_and(|(s0, s1)| {
                    let hits = triggers.find(&t[s0..s1]);
                    denies((s0, s1), &hits, concepts.regex_concept(i), s, e)
                })
        })
}

/// The first folded offset in `from..to` whose original offset `past`
/// accepts (`to` when none does); `past` must hold from some offset on, as
/// folded offsets map to original ones in order.
fn first_folded(
    folded: &crate::fold::Folded,
    from: usize,
    to: usize,
    past: impl Fn(usize) -> bool,
) -> usize {
    let (mut lo, mut hi) = (from, to);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if past(folded.original_offset(mid)) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// Whether a term can start at `s` (a character boundary): no letter or
/// digit before it.
fn starts_word(t: &str, s: usize) -> bool {
    !t[..s]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
}

/// The offset of the start of the `(n + 1)`-th whitespace-separated word
/// of `text` from `from` (the length of `text` when there is none): the
/// text from `from` up to an offset has at most `n` words exactly when the
/// offset is at most this.
fn nth_word_start(text: &str, from: usize, n: usize) -> usize {
    let mut words = 0;
    let mut in_word = false;
    for (k, c) in text[from..].char_indices() {
        if c.is_whitespace() {
            in_word = false;
        } else if !in_word {
            if words == n {
                return from + k;
            }
            words += 1;
            in_word = true;
        }
    }
    text.len()
}

/// The end offset of the `(n + 1)`-th whitespace-separated word of `text`
/// back from `to` (0 when there is none): the text from an offset up to
/// `to` has at most `n` words exactly when the offset is at least this.
fn nth_word_end_back(text: &str, to: usize, n: usize) -> usize {
    let mut words = 0;
    let mut in_word = false;
    for (k, c) in text[..to].char_indices().rev() {
        if c.is_whitespace() {
            in_word = false;
        } else if !in_word {
            if words == n {
                return k + c.len_utf8();
            }
            words += 1;
            in_word = true;
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rulebook::Rulebook;
    use crate::span::Span;

    /// Pieces of rationale-like text: negation triggers (pre, post and
    /// pseudo), qualifiers, concept terms, regex terms' matches, fillers,
    /// and what folding joins or drops.
    const PIECES: &[&str] = &[
        "no ",
        "No ",
        "not ",
        "without ",
        "denies ",
        "lack of ",
        "no evidence of ",
        "negative for ",
        "was ruled out",
        "unlikely",
        " free",
        " is negative",
        "no increase ",
        "not recommended ",
        "significant ",
        "objective ",
        "documentation of ",
        "evidence ",
        "of ",
        "the ",
        "and ",
        "red flags",
        "radiculopathy",
        "radicular ",
        "stroke",
        "back pain",
        "pain ",
        "epidural injection",
        "epidural injections",
        "numbness",
        "functional improvement",
        "prior ",
        "trial ",
        "TENS",
        "52-year-old ",
        "age 70 ",
        "60% pain relief",
        "60 percent ",
        "MRI ",
        "showed ",
        "nerve root compression",
        "over 65",
        "120 mg morphine",
        ", ",
        ". ",
        ".  The ",
        "; ",
        "**",
        "-\n",
        "\n\n",
        "\u{a0}",
        " ",
        "x",
        "é",
        "MTUS ",
        "guidelines ",
        "recommend ",
        "patient ",
        "has ",
        "had ",
    ];

    /// What the full reading finds: the rationale's flat denials of a held
    /// concept, as the check reads them.
    fn read_whole(text: &str, concepts: &ConceptMatcher, held: &dyn Fn(&str) -> bool) -> bool {
        let region = Region::of(text, Span::new(0, text.len()));
        concepts::Facts::default()
            .with_rationale(Some(&region), concepts)
            .mentions
            .iter()
            .any(|m| {
                m.place == Place::Rationale
                    && m.assertion() == Assertion::Negated
                    && flat_denial(text, m)
                    && held(&m.concept)
            })
    }

    fn gate(text: &str, concepts: &ConceptMatcher, held: &dyn Fn(&str) -> bool) -> bool {
        let region = Region::of(text, Span::new(0, text.len()));
        let lower = region.folded.as_str().to_ascii_lowercase();
        may_hold(text, &region, lower.as_bytes(), concepts, held)
    }

    /// The gate never says no where the whole reading finds a denial, on
    /// generated rationales and several sets of held concepts; and it says
    /// no to most of those without one.
    #[test]
    fn says_no_only_where_the_whole_reading_finds_nothing() {
        let book = Rulebook::built_in();
        let concepts = concepts::compile(&book);
        let texts = crate::parse::generated::joins(PIECES, 6000, 24);
        let (mut denials, mut answered_no, mut without) = (0, 0, 0);
        for (k, text) in texts.iter().enumerate() {
            // Every concept, none, and one in three by the text's number.
            let salt = k % 3;
            let some = |c: &str| (c.len() + salt).is_multiple_of(3);
            let every = |_: &str| true;
            for held in [&every as &dyn Fn(&str) -> bool, &some] {
                let whole = read_whole(text, &concepts, held);
                let gated = gate(text, &concepts, held);
                assert!(!whole || gated, "the gate misses a denial in {text:?}");
                denials += usize::from(whole);
                if !whole {
                    without += 1;
                    answered_no += usize::from(!gated);
                }
            }
            assert!(!gate(text, &concepts, &|_| false), "nothing held: {text:?}");
        }
        assert!(denials > 500, "only {denials} denials generated");
        assert!(
            answered_no * 2 > without,
            "the gate said no to {answered_no} of {without} texts without a denial"
        );
    }

    #[test]
    fn finds_a_flat_denial_of_a_held_concept_only() {
        let book = Rulebook::built_in();
        let concepts = concepts::compile(&book);
        let red_flags = |c: &str| c == "red-flags";
        for (text, held, expected) in [
            ("The records show no red flags.", true, true),
            ("The records show no red flags.", false, false),
            ("There is no documentation of red flags.", true, true),
            ("There is a lack of objective red flags.", true, false),
            ("Red flags are ruled out.", true, true),
            ("The patient has red flags.", true, false),
        ] {
            let none = |_: &str| false;
            let held: &dyn Fn(&str) -> bool = if held { &red_flags } else { &none };
            assert_eq!(read_whole(text, &concepts, held), expected, "{text}");
            assert_eq!(gate(text, &concepts, held), expected, "{text}");
        }
    }

    #[test]
    fn word_bounds_count_as_split_whitespace_does() {
        let texts = [
            "no  red\u{a0}flags, x",
            "  a b c d ",
            "a",
            "",
            "é ß\tü\n\nq",
            "lack of evidence of radiculopathy",
        ];
        for text in texts {
            for from in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                for n in 0..4 {
                    let b = nth_word_start(text, from, n);
                    for to in (from..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                        let words = text[from..to].split_whitespace().count();
                        assert_eq!(words <= n, to <= b, "{text:?} {from}..{to} n={n}");
                    }
                    let b = nth_word_end_back(text, from, n);
                    for at in (0..=from).filter(|&i| text.is_char_boundary(i)) {
                        let words = text[at..from].split_whitespace().count();
                        assert_eq!(words <= n, at >= b, "{text:?} {at}..{from} n={n}");
                    }
                }
            }
        }
    }
}
