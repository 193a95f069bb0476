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

// The patterns read bytes with ASCII classes (`-u`): they run over every
// rationale, and a Unicode `[^.;]{0,40}` is a far larger automaton to build and walk.
const UNMET_PATTERN: &str = r"(?i-u)\b(?:(?:does|do|did) not|fails? to|failed to|cannot|can not|doesn't|don't) (?:meet|satisfy|fulfill?)\b[^.;]{0,40}?\b(?:criteria|criterion|requirements|guide-?lines?|indications?)\b|\b(?:criteria|criterion|requirements|guide-?lines?|indications?)\b[^.;]{0,60}?\b(?:(?:has|have|is|are|was|were) not (?:been )?|(?:has|have)n't been |not (?:been )?)(?:met|satisfied|fulfilled)\b";
const MET_PATTERN: &str = r"(?i-u)\b(?:meets|met|satisf(?:ies|ied)|fulfill?s|fulfilled)\b[^.;]{0,30}?\b(?:criteria|requirements)\b|\b(?:criteria|requirements)\b[^.;]{0,60}?\b(?:(?:has|have|is|are|was|were) (?:been )?|being )(?:met|satisfied|fulfilled)\b";
static UNMET: LazyLock<Regex> = LazyLock::new(|| Regex::new(UNMET_PATTERN).expect("pattern"));
static MET: LazyLock<Regex> = LazyLock::new(|| Regex::new(MET_PATTERN).expect("pattern"));
/// Either verdict: one walk over a rationale instead of two.
static ANY_VERDICT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("{UNMET_PATTERN}|{MET_PATTERN}")).expect("pattern"));
/// A sentence that restates a condition, reports someone else's finding,
/// or weighs a finding against another is not the reviewer's verdict.
static NOT_A_VERDICT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i-u)\b(?:if|when|unless|until|once|should|would|could|must|however|but|although|though|despite|nevertheless|exception|partially|some of|utilization review|UR|reviewer|claims administrator|denied|modified|non-?certified|previous(?:ly)?)\b")
        .expect("pattern")
});
/// A met-criteria sentence with a negation in it is not a finding that they are met.
static NEGATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i-u)\b(?:not|no|never|neither|nor|without)\b|n't\b").expect("pattern")
});

/// `rationale-criteria-vs-decision`.
pub fn check(rule: &Rule, ctx: &ItemContext, out: &mut Vec<Finding>) {
    let Some(rationale) = &ctx.rationale else {
        return;
    };
    let folded = &rationale.folded;
    let t = folded.as_str();
    let mut unmet = None;
    let mut met = None;
    // Most rationales state no verdict on the criteria: one search rules them out.
    if !ANY_VERDICT.is_match(t.as_bytes()) {
        return;
    }
    for &(s, e) in &rationale.sentences {
        let sentence = &t.as_bytes()[s..e];
        let verdict = UNMET
            .find(sentence)
            .map(|m| (true, m))
            .or_else(|| MET.find(sentence).map(|m| (false, m)));
        let Some((is_unmet, m)) = verdict else {
            continue;
        };
        // Only a sentence holding the phrase needs a copy without it.
        let not_a_verdict = if memchr::memmem::find(sentence, b"but not limited to").is_some() {
            NOT_A_VERDICT.is_match(t[s..e].replace("but not limited to", "").as_bytes())
        } else {
            NOT_A_VERDICT.is_match(sentence)
        };
        if not_a_verdict {
            continue;
        }
        if is_unmet {
            unmet.get_or_insert((s + m.start(), s + m.end()));
        } else if !NEGATION.is_match(sentence) {
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
        for s in [
            "The patient does not meet criteria for a shoulder MRI.",
            "Criteria for imaging as defined above per the ACOEM have not been met.",
            "Guidelines have not been met.",
            "The requirements for treatment have not been met.",
        ] {
            assert!(
                UNMET.is_match(s.as_bytes()) && !NOT_A_VERDICT.is_match(s.as_bytes()),
                "{s}"
            );
        }
        for s in [
            "MRI of shoulder meets criteria for recommendation.",
            "The guideline criteria have been met.",
        ] {
            assert!(
                MET.is_match(s.as_bytes())
                    && !NEGATION.is_match(s.as_bytes())
                    && !NOT_A_VERDICT.is_match(s.as_bytes()),
                "{s}"
            );
        }
        for s in [
            "If the criteria are met, an MRI may be considered.",
            "The UR reviewer found the criteria were not met.",
            "Although criteria are not met, an exception is warranted.",
        ] {
            assert!(NOT_A_VERDICT.is_match(s.as_bytes()), "{s}");
        }
    }
}
