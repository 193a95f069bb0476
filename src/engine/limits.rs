//! Checks against a section's limits (visits, sessions, trial lengths):
//! a certification for more than the guideline allows, and a rationale that
//! quotes the guideline's limit wrongly.

use super::ItemContext;
use super::checks::{ByText, RuleRegex, finding, label, lean_regex};
use super::quantity::{self, Amount};
use crate::finding::Finding;
use crate::fold::Folded;
use crate::model::Decision;
use crate::rulebook::{Limit, Rule, Section};

/// What a limit counts, as the quantity reader measures it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measure {
    Count,
    Days,
}

/// The measure of a limit unit and its size in that measure (a week is 7 days).
fn measure(unit: &str) -> Option<(Measure, u32)> {
    match unit {
        "visits" | "sessions" => Some((Measure::Count, 1)),
        "days" => Some((Measure::Days, 1)),
        "weeks" => Some((Measure::Days, 7)),
        "months" => Some((Measure::Days, 30)),
        _ => None,
    }
}

fn unit_word(m: Measure) -> &'static str {
    match m {
        Measure::Count => "visits",
        Measure::Days => "days",
    }
}

/// Whether a limit caps this item: not tied to a situation the letter does
/// not show, and not lifted by one it does.
fn applies(l: &Limit, ctx: &ItemContext) -> bool {
    !l.conditional
        && l.when
            .as_ref()
            .is_none_or(|c| ctx.concepts().affirmed(c).is_some())
        && l.unless
            .as_ref()
            .is_none_or(|c| ctx.concepts().affirmed(c).is_none())
}

/// Sections relevant to the item within the guidelines its MTUS citations
/// resolve to (see [`super::checks::cited_relevant_sections`]), and that
/// `rule` names if it names any. ODG is left out: its sections are not
/// resolved from a citation, and its limits differ by body part, so a knee
/// request would be measured against the shoulder's.
fn sections_of<'c, 'a>(ctx: &'c ItemContext<'a>, rule: &Rule) -> Vec<(&'c str, &'a Section)> {
    ctx.cited_relevant_sections()
        .iter()
        .filter(|(r, _)| rule.sections.is_empty() || rule.sections.contains(r))
        .filter_map(|(r, s)| Some((r.as_str(), (*s)?)))
        .collect()
}

fn fact_help(section: &Section, l: &Limit) -> Option<String> {
    section.facts.iter().find(|f| f.id == l.fact).map(|f| {
        format!(
            "{}: {} (source: {}, {})",
            section.title,
            f.text,
            f.source,
            f.verified.describe()
        )
    })
}

fn describe(a: Amount, m: Measure) -> String {
    let unit = unit_word(m);
    if a.low == a.high {
        format!("{} {unit}", a.low)
    } else {
        format!("{} to {} {unit}", a.low, a.high)
    }
}

/// `certified-beyond-limit`: an overturned (certified) item asks for more
/// visits or a longer time than every limit that applies to it.
pub fn beyond_limit(rule: &Rule, ctx: &ItemContext, out: &mut Vec<Finding>) {
    if ctx.item.decision.value != Decision::Overturned {
        return;
    }
    let sections = sections_of(ctx, rule);
    // Most items fall under no section with a limit: no need to read the request.
    if sections.iter().all(|(_, s)| s.limits.is_empty()) {
        return;
    }
    let name = &ctx.item.name;
    let folded = Folded::range(ctx.text, name.span.offset, name.span.end());
    let request = quantity::request(folded.as_str());
    for (m, asked) in [
        (Measure::Count, request.count),
        (Measure::Days, request.days),
    ] {
        let Some(asked) = asked else { continue };
        // The largest limit that applies in any relevant section is the cap:
        // the request is beyond the guideline only if it is beyond all of them.
        let cap = sections
            .iter()
            .flat_map(|(_, s)| s.limits.iter().map(move |l| (s, l)))
            .filter(|(_, l)| applies(l, ctx))
            .filter_map(|(s, l)| {
                let (lm, size) = measure(&l.unit)?;
                (lm == m).then_some((l.max * size, *s, l))
            })
            .reduce(|a, b| if b.0 > a.0 { b } else { a });
        let Some((max, section, limit)) = cap else {
            continue;
        };
        if asked.low <= max {
            continue;
        }
        let span = folded.span(asked.start, asked.end);
        let per = limit
            .per
            .as_ref()
            .map(|p| format!(" over {p}"))
            .unwrap_or_default();
        let when = limit
            .applies_to
            .as_ref()
            .map(|a| format!(" ({a})"))
            .unwrap_or_default();
        out.push(finding(
            rule,
            ctx,
            format!(
                "'{}' is overturned (certified) for {}, more than {} allows: {} {}{per}{when}",
                name.value,
                describe(asked, m),
                section.title,
                limit.max,
                limit.unit,
            ),
            span,
            vec![
                label(span, format!("asks for {}", describe(asked, m))),
                label(ctx.item.decision.span, "certified here"),
            ],
            fact_help(section, limit),
        ));
    }
}

/// A sentence that names an MTUS guideline quotes it.
static NAMES_MTUS: ByText<RuleRegex> = ByText::new(|unicode| {
    lean_regex(
        r"(?i)\b(?:MTUS|ACOEM|CPMTG|Chronic Pain (?:Medical )?Treatment|Postsurgical (?:Treatment )?Guidelines?|Acupuncture Medical Treatment)\b",
        unicode,
        false,
    )
});
/// "The guidelines" quotes whatever the letter cites: the MTUS only if it cites nothing else.
static NAMES_GUIDELINES: ByText<RuleRegex> =
    ByText::new(|unicode| lean_regex(r"(?i)\bguide-?lines?\b", unicode, false));
static NAMES_OTHER: ByText<RuleRegex> = ByText::new(|unicode| {
    lean_regex(
        r"(?i)\bODG\b|Official Disability|\bAAOS\b|\bNICE\b|UpToDate|Medscape|\bFDA\b",
        unicode,
        false,
    )
});
/// A count followed by a rate is a frequency ("up to 3 visits per week"), not a total.
static RATE_AFTER: ByText<RuleRegex> = ByText::new(|unicode| {
    lean_regex(
        r"(?i)^\s*(?:per|a|each|every|/)\s*(?:week|wk|day|month)",
        unicode,
        false,
    )
});

/// `limit-misstated`: a rationale sentence attributes to the cited guideline
/// a number of visits that none of its limits for the item gives.
pub fn limit_misstated(rule: &Rule, ctx: &ItemContext, out: &mut Vec<Finding>) {
    let Some(rationale) = &ctx.rationale else {
        return;
    };
    let sections = sections_of(ctx, rule);
    let cites_other = ctx
        .item
        .maximus
        .as_ref()
        .is_some_and(|m| !m.non_mtus.is_empty());
    let limits: Vec<(&Section, &Limit)> = sections
        .iter()
        .flat_map(|(_, s)| s.limits.iter().map(move |l| (*s, l)))
        .filter(|(_, l)| measure(&l.unit).is_some_and(|(m, _)| m == Measure::Count))
        .collect();
    // Without a count limit in the cited sections there is nothing to misquote.
    if limits.is_empty() {
        return;
    }
    let folded = &rationale.folded;
    let t = folded.as_str();
    // Most sentences claim no count: a search rules them out before the
    // three that tell whom a claim quotes, and before the capture search
    // that reads the claims (it finds none where this finds none; a sentence
    // outside ASCII is left to it, which alone pays for the Unicode build).
    // A pass over the whole rationale first paid twice for every rationale
    // that claims one.
    let lower = ctx.rationale_lower().unwrap_or_default();
    let may_claim = quantity::may_claim_counts(t, lower, &rationale.sentences);
    for (&(s, e), _) in rationale
        .sentences
        .iter()
        .zip(may_claim)
        .filter(|(_, may)| *may)
    {
        let sentence = &t[s..e];
        let h = sentence.as_bytes();
        let quotes_mtus = (NAMES_MTUS.get(h).is_match(sentence)
            || (!cites_other && NAMES_GUIDELINES.get(h).is_match(sentence)))
            && !NAMES_OTHER.get(h).is_match(sentence);
        if !quotes_mtus {
            continue;
        }
        for claim in quantity::claimed_counts(sentence) {
            let after = &sentence[claim.end..];
            if RATE_AFTER.get(after.as_bytes()).is_match(after) {
                continue;
            }
            // Any limit of the sections, conditional or not, is something the guideline says.
            let said = limits.iter().any(|(_, l)| {
                let (lo, hi) = l.range();
                lo <= claim.low && claim.high <= hi
            });
            if said {
                continue;
            }
            let span = folded.span(s + claim.start, s + claim.end);
            let (section, _) = limits[0];
            let what: Vec<String> = limits
                .iter()
                .map(|(_, l)| {
                    let (lo, hi) = l.range();
                    let n = if lo == hi {
                        hi.to_string()
                    } else {
                        format!("{lo}-{hi}")
                    };
                    let per = l
                        .per
                        .as_ref()
                        .map(|p| format!(" over {p}"))
                        .unwrap_or_default();
                    let when = l
                        .applies_to
                        .as_ref()
                        .map(|a| format!(" ({a})"))
                        .unwrap_or_default();
                    format!("{n} {}{per}{when}", l.unit)
                })
                .collect();
            out.push(finding(
                rule,
                ctx,
                format!(
                    "the rationale attributes to {} a limit of {}, which it does not give",
                    section.title,
                    describe(claim, Measure::Count)
                ),
                span,
                vec![label(span, "not a limit the cited guideline gives")],
                Some(format!(
                    "limits the rulebook records for {}: {}",
                    section.title,
                    what.join("; ")
                ))
                .map(|h| match fact_help(section, limits[0].1) {
                    Some(f) => format!("{h}\n{f}"),
                    None => h,
                }),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::checks::assert_ascii_builds_agree;

    #[test]
    fn guideline_names_read_ascii_alike() {
        assert_ascii_builds_agree(
            &NAMES_MTUS,
            &[
                "MTUS",
                "ACOEM",
                "Chronic Pain ",
                "Medical ",
                "Treatment",
                "Guidelines",
                "Postsurgical ",
            ],
        );
        assert_ascii_builds_agree(
            &NAMES_GUIDELINES,
            &["guide", "lines", "guideline", "GUIDELINES"],
        );
        assert_ascii_builds_agree(
            &NAMES_OTHER,
            &["ODG", "Official Disability", "NICE", "FDA", "UpToDate"],
        );
        assert_ascii_builds_agree(
            &RATE_AFTER,
            &["per", "a", "each", "/", "week", "wk", "day", "month"],
        );
    }
}
