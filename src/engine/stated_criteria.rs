//! The rationale's own finding on the guideline criteria ("the patient does
//! not meet criteria for an MRI", "criteria have been met") against the
//! decision: a certification whose rationale finds the criteria unmet, or a
//! denial whose rationale finds them met, contradicts itself.

use std::sync::LazyLock;

use regex::bytes::Regex;

use super::ItemContext;
use super::checks::{finding, label};
use crate::finding::Finding;
use crate::model::Decision;
use crate::rulebook::Rule;

// The patterns run over every rationale. Over ASCII text they are built with
// ASCII classes (`-u`): a Unicode `[^.;]{0,40}` is a far larger automaton to build
// and walk, and on ASCII text both read the same. A rationale with any other
// character ('ſ' matches `s` under Unicode case folding, `[^.;]{0,40}` counts
// characters, not bytes) gets the Unicode build, compiled only when first needed.
const UNMET_PATTERN: &str = r"\b(?:(?:does|do|did) not|fails? to|failed to|cannot|can not|doesn't|don't) (?:meet|satisfy|fulfill?)\b[^.;]{0,40}?\b(?:criteria|criterion|requirements|guide-?lines?|indications?)\b|\b(?:criteria|criterion|requirements|guide-?lines?|indications?)\b[^.;]{0,60}?\b(?:(?:has|have|is|are|was|were) not (?:been )?|(?:has|have)n't been |not (?:been )?)(?:met|satisfied|fulfilled)\b";
const MET_PATTERN: &str = r"\b(?:meets|met|satisf(?:ies|ied)|fulfill?s|fulfilled)\b[^.;]{0,30}?\b(?:criteria|requirements)\b|\b(?:criteria|requirements)\b[^.;]{0,60}?\b(?:(?:has|have|is|are|was|were) (?:been )?|being )(?:met|satisfied|fulfilled)\b";
/// A sentence that restates a condition, reports someone else's finding,
/// or weighs a finding against another is not the reviewer's verdict.
const NOT_A_VERDICT_PATTERN: &str = r"\b(?:if|when|unless|until|once|should|would|could|must|however|but|although|though|despite|nevertheless|exception|partially|some of|utilization review|UR|reviewer|claims administrator|denied|modified|non-?certified|previous(?:ly)?)\b";
/// A met-criteria sentence with a negation in it is not a finding that they are met.
const NEGATION_PATTERN: &str = r"\b(?:not|no|never|neither|nor|without)\b|n't\b";

/// The verdict patterns, built with one set of flags.
struct Verdicts {
    unmet: Regex,
    met: Regex,
    /// Either verdict: one walk over a rationale instead of two.
    any: Regex,
    not_a_verdict: Regex,
    negation: Regex,
}

impl Verdicts {
    fn build(flags: &str) -> Self {
        let re = |p: &str| Regex::new(&format!("{flags}{p}")).expect("pattern");
        Verdicts {
            unmet: re(UNMET_PATTERN),
            met: re(MET_PATTERN),
            any: re(&format!("{UNMET_PATTERN}|{MET_PATTERN}")),
            not_a_verdict: re(NOT_A_VERDICT_PATTERN),
            negation: re(NEGATION_PATTERN),
        }
    }

    fn for_text(t: &str) -> &'static Verdicts {
        static ASCII: LazyLock<Verdicts> = LazyLock::new(|| Verdicts::build("(?i-u)"));
        static UNICODE: LazyLock<Verdicts> = LazyLock::new(|| Verdicts::build("(?i)"));
        if t.is_ascii() { &ASCII } else { &UNICODE }
    }
}

/// `rationale-criteria-vs-decision`.
pub fn check(rule: &Rule, ctx: &ItemContext, out: &mut Vec<Finding>) {
    let Some(rationale) = &ctx.rationale else {
        return;
    };
    let folded = &rationale.folded;
    let t = folded.as_str();
    let mut unmet = None;
    let mut met = None;
    let v = Verdicts::for_text(t);
    // Most rationales state no verdict on the criteria: one search rules them out.
    if !v.any.is_match(t.as_bytes()) {
        return;
    }
    for &(s, e) in &rationale.sentences {
        let sentence = &t.as_bytes()[s..e];
        let verdict = v
            .unmet
            .find(sentence)
            .map(|m| (true, m))
            .or_else(|| v.met.find(sentence).map(|m| (false, m)));
        let Some((is_unmet, m)) = verdict else {
            continue;
        };
        // Only a sentence holding the phrase needs a copy without it.
        let not_a_verdict = if memchr::memmem::find(sentence, b"but not limited to").is_some() {
            v.not_a_verdict
                .is_match(t[s..e].replace("but not limited to", "").as_bytes())
        } else {
            v.not_a_verdict.is_match(sentence)
        };
        if not_a_verdict {
            continue;
        }
        if is_unmet {
            unmet.get_or_insert((s + m.start(), s + m.end()));
        } else if !v.negation.is_match(sentence) {
            met.get_or_insert((s + m.start(), s + m.end()));
        }
    }
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
        for flags in ["(?i-u)", "(?i)"] {
            verdicts_with(&Verdicts::build(flags));
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
        assert!(Verdicts::for_text(t).unmet.is_match(t.as_bytes()));
        let window = format!("The patient does not meet {} criteria.", "é".repeat(35));
        assert!(
            Verdicts::for_text(&window)
                .unmet
                .is_match(window.as_bytes())
        );
        assert!(!Verdicts::build("(?i-u)").unmet.is_match(window.as_bytes()));
    }
}
