//! The rationale's own finding on the guideline criteria ("the patient does
//! not meet criteria for an MRI", "criteria have been met") against the
//! decision: a certification whose rationale finds the criteria unmet, or a
//! denial whose rationale finds them met, contradicts itself.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use regex_automata::meta::Regex;

use super::ItemContext;
use super::checks::{finding, label};
use crate::finding::Finding;
use crate::model::Decision;
use crate::rulebook::Rule;

// Over ASCII text the patterns are built with ASCII classes (`-u`): a Unicode
// `[^.;]{0,40}` is a far larger automaton to build and walk, and on ASCII text
// both read the same. A sentence with any other character ('ſ' matches `s`
// under Unicode case folding, `[^.;]{0,40}` counts characters, not bytes) gets
// the Unicode build, compiled only when first needed.
const UNMET_PATTERN: &str = r"\b(?:(?:does|do|did) not|fails? to|failed to|cannot|can not|doesn't|don't) (?:meet|satisfy|fulfill?)\b[^.;]{0,40}?\b(?:criteria|criterion|requirements|guide-?lines?|indications?)\b|\b(?:criteria|criterion|requirements|guide-?lines?|indications?)\b[^.;]{0,60}?\b(?:(?:has|have|is|are|was|were) not (?:been )?|(?:has|have)n't been |not (?:been )?)(?:met|satisfied|fulfilled)\b";
const MET_PATTERN: &str = r"\b(?:meets|met|satisf(?:ies|ied)|fulfill?s|fulfilled)\b[^.;]{0,30}?\b(?:criteria|requirements)\b|\b(?:criteria|requirements)\b[^.;]{0,60}?\b(?:(?:has|have|is|are|was|were) (?:been )?|being )(?:met|satisfied|fulfilled)\b";
/// A sentence that restates a condition, reports someone else's finding,
/// or weighs a finding against another is not the reviewer's verdict.
const NOT_A_VERDICT_PATTERN: &str = r"\b(?:if|when|unless|until|once|should|would|could|must|however|but|although|though|despite|nevertheless|exception|partially|some of|utilization review|UR|reviewer|claims administrator|denied|modified|non-?certified|previous(?:ly)?)\b";
/// A met-criteria sentence with a negation in it is not a finding that they are met.
const NEGATION_PATTERN: &str = r"\b(?:not|no|never|neither|nor|without)\b|n't\b";

/// The verb of every verdict, whole: each alternative of both patterns
/// holds one of these between word boundaries. A sentence without one
/// states no verdict, and most rationales have none: the regexes run only
/// on the few sentences that do.
const VERDICT_VERBS: &[&str] = &[
    "meet",
    "meets",
    "met",
    "satisfy",
    "satisfies",
    "satisfied",
    "fulfil",
    "fulfill",
    "fulfils",
    "fulfills",
    "fulfilled",
];

/// The verdict patterns, built with one set of flags.
struct Verdicts {
    unmet: Regex,
    met: Regex,
    not_a_verdict: Regex,
    negation: Regex,
}

impl Verdicts {
    fn build(unicode: bool) -> Self {
        use regex_automata::{meta, util::syntax};
        // Only match bounds are read, on a sentence or two per rationale: no
        // prefilter, capture or one-pass engines to build.
        let re = |p: &str| {
            meta::Builder::new()
                .syntax(
                    syntax::Config::new()
                        .case_insensitive(true)
                        .unicode(unicode)
                        .utf8(false),
                )
                .configure(
                    meta::Config::new()
                        .utf8_empty(false)
                        .auto_prefilter(false)
                        .which_captures(regex_automata::nfa::thompson::WhichCaptures::Implicit)
                        .onepass(false)
                        .backtrack(false),
                )
                .build(p)
                .expect("pattern")
        };
        Verdicts {
            unmet: re(UNMET_PATTERN),
            met: re(MET_PATTERN),
            not_a_verdict: re(NOT_A_VERDICT_PATTERN),
            negation: re(NEGATION_PATTERN),
        }
    }

    fn for_text(t: &[u8]) -> &'static Verdicts {
        static ASCII: LazyLock<Verdicts> = LazyLock::new(|| Verdicts::build(false));
        static UNICODE: LazyLock<Verdicts> = LazyLock::new(|| Verdicts::build(true));
        if t.is_ascii() { &ASCII } else { &UNICODE }
    }
}

/// Whether a word character (as ASCII `\w` reads it) ends at byte `b`: a
/// verb next to one is part of a longer word. Any byte of a non-ASCII
/// character is taken as a boundary, which only lets more sentences through.
fn word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// For each of `sentences` (ranges of `t`), whether it may state a verdict:
/// it holds a verdict verb whole, or a long s ('ſ'), which the Unicode
/// patterns read as an `s`. No other non-ASCII character folds to a letter
/// of the verbs (see the test `only_long_s_folds_into_the_verbs`).
fn may_state_a_verdict(t: &[u8], lower: &[u8], sentences: &[(usize, usize)]) -> Vec<bool> {
    // The verbs' stems, searched in a lowercased copy by a packed (SIMD)
    // searcher: an ASCII-case-insensitive automaton walks the text a byte
    // at a time, at three times the cost. Leftmost matches miss no verb: one
    // that starts inside an earlier stem follows a letter, so is not whole.
    static STEMS: LazyLock<AhoCorasick> = LazyLock::new(|| {
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(["meet", "met", "satisf", "fulfil", "ſ"])
            .expect("stems")
    });
    let mut may = vec![false; sentences.len()];
    for m in STEMS.find_iter(lower) {
        let a = m.start();
        let Some(k) = sentences.partition_point(|&(s, _)| s <= a).checked_sub(1) else {
            continue;
        };
        let (s, e) = sentences[k];
        if m.end() > e {
            continue;
        }
        if lower[a] >= 0x80 {
            // 'ſ': any word of the sentence may be a verb.
            may[k] = true;
            continue;
        }
        if a > s && word_byte(t[a - 1]) {
            continue;
        }
        let end = lower[a..e]
            .iter()
            .position(|&c| !word_byte(c))
            .map_or(e, |i| a + i);
        // A non-ASCII character after the stem may be part of the word
        // (Unicode `\w`): the sentence is left to the regexes.
        may[k] |= (end < e && lower[end] >= 0x80)
            || VERDICT_VERBS.iter().any(|v| v.as_bytes() == &lower[a..end]);
    }
    may
}

/// Where a verdict was found, as a byte range of the rationale.
type Found = Option<(usize, usize)>;

/// The first sentence finding the criteria unmet and the first finding them
/// met, as byte ranges of `t`, which `lower` is in ASCII lowercase.
/// `sentences` are sorted and disjoint.
fn verdicts(t: &str, lower: &[u8], sentences: &[(usize, usize)]) -> (Found, Found) {
    let mut unmet = None;
    let mut met = None;
    let may = may_state_a_verdict(t.as_bytes(), lower, sentences);
    for (&(s, e), _) in sentences.iter().zip(&may).filter(|(_, may)| **may) {
        let sentence = &t.as_bytes()[s..e];
        let v = Verdicts::for_text(sentence);
        read_sentence(v, t, (s, e), &mut unmet, &mut met);
    }
    (unmet, met)
}

/// One sentence's verdict, if it states one, recorded as the first of its kind.
fn read_sentence(
    v: &Verdicts,
    t: &str,
    (s, e): (usize, usize),
    unmet: &mut Found,
    met: &mut Found,
) {
    let sentence = &t.as_bytes()[s..e];
    let verdict = v
        .unmet
        .find(sentence)
        .map(|m| (true, m))
        .or_else(|| v.met.find(sentence).map(|m| (false, m)));
    let Some((is_unmet, m)) = verdict else {
        return;
    };
    // Only a sentence holding the phrase needs a copy without it.
    let not_a_verdict = if memchr::memmem::find(sentence, b"but not limited to").is_some() {
        v.not_a_verdict
            .is_match(t[s..e].replace("but not limited to", "").as_bytes())
    } else {
        v.not_a_verdict.is_match(sentence)
    };
    if not_a_verdict {
        return;
    }
    if is_unmet {
        unmet.get_or_insert((s + m.start(), s + m.end()));
    } else if !v.negation.is_match(sentence) {
        met.get_or_insert((s + m.start(), s + m.end()));
    }
}

/// `rationale-criteria-vs-decision`.
pub fn check(rule: &Rule, ctx: &ItemContext, out: &mut Vec<Finding>) {
    let Some(rationale) = &ctx.rationale else {
        return;
    };
    let folded = &rationale.folded;
    let lower = ctx.rationale_lower().unwrap_or_default();
    let (unmet, met) = verdicts(folded.as_str(), lower, &rationale.sentences);
    // A rationale that finds both is weighing parts of the request; no verdict to hold it to.
    let (words, finds) = match (ctx.item.decision.value, unmet, met) {
        (Decision::Overturned, Some(w), None) => (w, "unmet"),
        (Decision::Upheld, None, Some(w)) => (w, "met"),
        _ => return,
    };
    let span = folded.span(words.0, words.1);
    let decision = match ctx.item.decision.value {
        Decision::Overturned => "overturned (certified)",
        Decision::Upheld => "upheld (denied)",
    };
    out.push(finding(
        rule,
        ctx,
        format!(
            "'{}' is {decision}, but its rationale finds the guideline criteria {finds}",
            ctx.item.name.value
        ),
        span,
        vec![
            label(span, format!("the rationale: criteria {finds}")),
            label(ctx.item.decision.span, format!("the decision: {decision}")),
        ],
        None,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_on_the_criteria() {
        for unicode in [false, true] {
            verdicts_with(&Verdicts::build(unicode));
        }
    }

    fn verdicts_with(v: &Verdicts) {
        for s in [
            "The patient does not meet criteria for a shoulder MRI.",
            "Criteria for imaging as defined above per the ACOEM have not been met.",
            "Guidelines have not been met.",
            "The requirements for treatment have not been met.",
        ] {
            assert!(
                v.unmet.is_match(s.as_bytes()) && !v.not_a_verdict.is_match(s.as_bytes()),
                "{s}"
            );
        }
        for s in [
            "MRI of shoulder meets criteria for recommendation.",
            "The guideline criteria have been met.",
        ] {
            assert!(
                v.met.is_match(s.as_bytes())
                    && !v.negation.is_match(s.as_bytes())
                    && !v.not_a_verdict.is_match(s.as_bytes()),
                "{s}"
            );
        }
        for s in [
            "If the criteria are met, an MRI may be considered.",
            "The UR reviewer found the criteria were not met.",
            "Although criteria are not met, an exception is warranted.",
        ] {
            assert!(v.not_a_verdict.is_match(s.as_bytes()), "{s}");
        }
    }

    /// Text with a character outside ASCII reads as the Unicode patterns read it:
    /// 'ſ' (long s) folds to 's', and a window counts characters.
    #[test]
    fn non_ascii_text_reads_with_unicode_rules() {
        let t = "The patient doeſ not meet criteria for a shoulder MRI.";
        assert!(
            Verdicts::for_text(t.as_bytes())
                .unmet
                .is_match(t.as_bytes())
        );
        let window = format!("The patient does not meet {} criteria.", "é".repeat(35));
        assert!(
            Verdicts::for_text(window.as_bytes())
                .unmet
                .is_match(window.as_bytes())
        );
        assert!(!Verdicts::build(false).unmet.is_match(window.as_bytes()));
        let t = "Criteria have been ſatiſfied. The patient doeſ not fulfil the criteria.";
        let s = crate::engine::concepts::sentences(t);
        assert_eq!(
            verdicts(t, t.to_ascii_lowercase().as_bytes(), &s),
            plain(t, &s)
        );
        assert!(plain(t, &s).0.is_some() && plain(t, &s).1.is_some());
    }

    /// The gate may skip a sentence only because no character in it could
    /// read as a letter of a verb: under Unicode case folding the only
    /// non-ASCII characters equal to ASCII letters are 'ſ' (s) and the
    /// Kelvin sign (k), and no verb has a k.
    #[test]
    fn only_long_s_folds_into_the_verbs() {
        let letters: String = VERDICT_VERBS.concat();
        let class = regex::Regex::new(&format!("(?i)^[{letters}]$")).expect("class");
        let folded: Vec<char> = (0x80..=0x10_FFFF_u32)
            .filter_map(char::from_u32)
            .filter(|c| class.is_match(&c.to_string()))
            .collect();
        assert_eq!(folded, vec!['ſ']);
        assert!(!letters.contains('k'));
    }

    /// The verdicts as they were read before the gate: the Unicode patterns
    /// on any text that is not ASCII, every sentence after one search of the
    /// whole text for either verdict.
    fn plain(t: &str, sentences: &[(usize, usize)]) -> (Found, Found) {
        let v = Verdicts::for_text(t.as_bytes());
        let (mut unmet, mut met) = (None, None);
        let any = v.unmet.is_match(t.as_bytes()) || v.met.is_match(t.as_bytes());
        if any {
            for &r in sentences {
                read_sentence(v, t, r, &mut unmet, &mut met);
            }
        }
        (unmet, met)
    }

    #[test]
    fn the_gate_reads_what_the_plain_search_reads() {
        let pieces = [
            "The patient ",
            "does not ",
            "meet",
            "met",
            "meets",
            "ſatisfied",
            "satisfy",
            "fulfil",
            "Fulfilled",
            "MEET",
            " criteria",
            " requirements",
            " have been ",
            " have not been ",
            "are ",
            "not ",
            "if ",
            "but not limited to ",
            "some",
            "times",
            "é",
            "ſ",
            "\u{212a}",
            "_",
            "x",
            "1",
            ". ",
            ".",
            "; ",
            " ",
            ". The ",
            ". 2 ",
        ];
        for text in crate::parse::generated::joins(&pieces, 20_000, 16) {
            let s = crate::engine::concepts::sentences(&text);
            assert_eq!(
                verdicts(&text, text.to_ascii_lowercase().as_bytes(), &s),
                plain(&text, &s),
                "{text:?}"
            );
        }
    }

    /// The gate leans on the sentences' edges: each starts at the text's start
    /// or after a space and ends at its end or before one, so a verdict
    /// inside a sentence is a verdict in the whole text.
    #[test]
    fn sentences_are_bounded_by_spaces() {
        let pieces = [
            "a", "A", ". ", "! ", "?", ".", " ", "1", "Dr. ", "é", "e.g. ",
        ];
        for text in crate::parse::generated::joins(&pieces, 5_000, 20) {
            let b = text.as_bytes();
            for (s, e) in crate::engine::concepts::sentences(&text) {
                assert!(s == 0 || b[s - 1] == b' ', "{text:?}");
                assert!(e == b.len() || b[e] == b' ', "{text:?}");
            }
        }
    }
}
