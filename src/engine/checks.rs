//! The engine's checks. A rule in the rulebook names one of these (`check:`)
//! and gives it its data: which sections, which facts, what message. Each
//! check reads the item context and pushes findings; none does I/O.

use regex_automata::{Anchored, Input};

use super::ItemContext;
use super::concepts::Assertion;
use super::gate::Gate;
use crate::finding::{Finding, Label};
use crate::model::{Basis, Conclusion, Decision, DecisionSource};
use crate::rulebook::{Rule, Rulebook, Section};
use crate::span::Span;

pub const KNOWN_CHECKS: &[&str] = &[
    "decision-vs-conclusion",
    "missing-guideline-line",
    "missing-rationale",
    "no-evidence-no-basis",
    "section-covers-service",
    "guideline-covers-body-part",
    "page-covers-service",
    "non-mtus-without-reason",
    "not-said",
    "requires-concept",
    "denial-contradicted-by-summary",
    "certified-beyond-limit",
    "limit-misstated",
    "rationale-criteria-vs-decision",
    "edition-in-force",
    // Runs across letters, in a batch audit (`crate::audit`), not per item.
    "cross-letter-decisions",
    // Run on a letter's suppressions after the item checks (`super::suppress`).
    "suppression-malformed",
    "suppression-missing-reason",
    "suppression-unknown-code",
    "suppression-unused",
];

/// A check: reads an item context and pushes its findings.
pub type Check = fn(&Rule, &ItemContext, &mut Vec<Finding>);

/// The item check a rule's `check:` names; `None` for the checks that run
/// elsewhere, and for a name validation would have refused. Looked up once
/// per rule and run, not once per rule and item.
pub fn check_named(name: &str) -> Option<Check> {
    let check: Check = match name {
        "decision-vs-conclusion" => decision_vs_conclusion,
        "missing-guideline-line" => missing_guideline_line,
        "missing-rationale" => missing_rationale,
        "no-evidence-no-basis" => no_evidence_no_basis,
        "section-covers-service" => section_covers_service,
        "guideline-covers-body-part" => guideline_covers_body_part,
        "page-covers-service" => page_covers_service,
        "non-mtus-without-reason" => non_mtus_without_reason,
        "not-said" => not_said,
        "requires-concept" => requires_concept,
        "denial-contradicted-by-summary" => super::denial::denial_contradicted,
        "certified-beyond-limit" => super::limits::beyond_limit,
        "limit-misstated" => super::limits::limit_misstated,
        "rationale-criteria-vs-decision" => super::stated_criteria::check,
        "edition-in-force" => super::edition::check,
        // Run across letters (`crate::audit`) or on the letter's suppressions (`super::suppress`).
        "cross-letter-decisions"
        | "suppression-malformed"
        | "suppression-missing-reason"
        | "suppression-unknown-code"
        | "suppression-unused" => return None,
        // Validation rejects unknown checks; a rulebook built without validation simply skips them.
        _ => return None,
    };
    Some(check)
}

/// Runs `rule`'s check on one item.
pub fn run(rule: &Rule, ctx: &ItemContext, out: &mut Vec<Finding>) {
    if let Some(check) = check_named(&rule.check) {
        check(rule, ctx, out);
    }
}

pub(super) fn finding(
    rule: &Rule,
    ctx: &ItemContext,
    message: String,
    span: Span,
    labels: Vec<Label>,
    help: Option<String>,
) -> Finding {
    Finding {
        code: rule.code.clone(),
        kind: rule.kind,
        severity: rule.severity,
        item: Some(ctx.item.index),
        message,
        span,
        labels,
        help: help.map_or_else(|| rule.help.clone(), |h| format!("{h}\n{}", rule.help)),
        rule: rule.code.clone(),
    }
}

pub(super) fn label(span: Span, message: impl Into<String>) -> Label {
    Label {
        span,
        message: message.into(),
    }
}

fn decision_word(d: Decision) -> &'static str {
    match d {
        Decision::Upheld => "Upheld",
        Decision::Overturned => "Overturned",
    }
}

fn conclusion_words(c: Conclusion) -> &'static str {
    match c {
        Conclusion::MedicallyNecessary => "medically necessary",
        Conclusion::NotMedicallyNecessary => "not medically necessary",
        Conclusion::Certified => "certified",
        Conclusion::NonCertified => "non-certified",
        Conclusion::Unclear => "unclear",
    }
}

fn decision_vs_conclusion(rule: &Rule, ctx: &ItemContext, out: &mut Vec<Finding>) {
    let item = ctx.item;
    // A decision read off the rationale's verdict cannot contradict it.
    if item.decision_source != DecisionSource::Stated {
        return;
    }
    let (Some(implied), Some(span)) = (item.conclusion.implied_decision(), item.conclusion_span)
    else {
        return;
    };
    if implied == item.decision.value {
        return;
    }
    let d = decision_word(item.decision.value);
    out.push(finding(
        rule,
        ctx,
        format!(
            "'{}' is {d}, but its rationale concludes it is {}",
            item.name.value,
            conclusion_words(item.conclusion)
        ),
        span,
        vec![
            label(
                span,
                format!(
                    "the rationale concludes: {}",
                    conclusion_words(item.conclusion)
                ),
            ),
            label(item.decision.span, format!("the decision: {d}")),
        ],
        None,
    ));
}

fn missing_guideline_line(rule: &Rule, ctx: &ItemContext, out: &mut Vec<Finding>) {
    if ctx.item.maximus.is_some() {
        return;
    }
    out.push(finding(
        rule,
        ctx,
        format!("'{}' has no MAXIMUS guideline line: the letter does not say what the decision rests on", ctx.item.name.value),
        ctx.item.header,
        vec![label(ctx.item.header, "this item")],
        None,
    ));
}

fn missing_rationale(rule: &Rule, ctx: &ItemContext, out: &mut Vec<Finding>) {
    // Only "none" and "at least eight" tell anything: the words past the
    // eighth need not be counted (a rationale runs to hundreds).
    let words = ctx
        .item
        .rationale
        .as_ref()
        .map_or(0, |r| count_words(&r.value, 8));
    if words >= 8 {
        return;
    }
    let span = ctx
        .item
        .rationale
        .as_ref()
        .map_or(ctx.item.header, |r| r.span);
    let what = if words == 0 {
        "no decision rationale"
    } else {
        "a decision rationale too short to give reasons"
    };
    out.push(finding(
        rule,
        ctx,
        format!("'{}' has {what}", ctx.item.name.value),
        span,
        vec![label(span, "rationale")],
        None,
    ));
}

/// How many words `s` has, counted no further than `most`: what
/// `s.split_whitespace().take(most).count()` gives, with an ASCII byte read
/// as a byte and only a non-ASCII one decoded.
fn count_words(s: &str, most: usize) -> usize {
    let b = s.as_bytes();
    let (mut n, mut in_word, mut i) = (0, false, 0);
    while i < b.len() && n < most {
        let (space, len) = match b[i] {
            // `char::is_whitespace` on ASCII: the vertical tab too, which
            // `u8::is_ascii_whitespace` leaves out.
            c if c.is_ascii() => (matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'), 1),
            _ => match s[i..].chars().next() {
                Some(c) => (c.is_whitespace(), c.len_utf8()),
                None => break,
            },
        };
        if space {
            in_word = false;
        } else if !in_word {
            in_word = true;
            n += 1;
        }
        i += len;
    }
    n
}

static CITES_SOMETHING: ByText<RuleRegex> = ByText::new(|unicode| {
    lean_regex(
        r"(?i)\b(?:guide-?lines?|MTUS|ODG|ACOEM|evidence|literature|stud(?:y|ies)|criteria|recommend\w*|ancillary|associated|because|since|as the)\b",
        unicode,
        false,
    )
});

fn no_evidence_no_basis(rule: &Rule, ctx: &ItemContext, out: &mut Vec<Finding>) {
    let Some(m) = &ctx.item.maximus else { return };
    if m.basis != Basis::NoEvidence {
        return;
    }
    if ctx
        .item
        .rationale
        .as_ref()
        .is_some_and(|r| CITES_SOMETHING.get(r.value.as_bytes()).is_match(&r.value))
    {
        return;
    }
    let span = m.no_evidence.unwrap_or(m.text.span);
    out.push(finding(
        rule,
        ctx,
        format!(
            "'{}' cites no medical evidence and the rationale gives no other basis",
            ctx.item.name.value
        ),
        span,
        vec![label(span, "no evidence cited")],
        None,
    ));
}

/// Service-specific sections: a section that governs some service. General
/// sections ("Summary", "Introduction") govern none and are never a mismatch.
fn governs_any(book: &Rulebook, reference: &str) -> Vec<String> {
    book.services
        .iter()
        .filter(|(_, s)| s.governed_by.iter().any(|g| g == reference))
        .map(|(_, s)| s.name.clone())
        .collect()
}

fn section_covers_service(rule: &Rule, ctx: &ItemContext, out: &mut Vec<Finding>) {
    let Some(service) = ctx.services.first() else {
        return;
    };
    let refs = ctx.cited.section_refs();
    if refs.is_empty()
        || refs
            .iter()
            .any(|r| ctx.services.iter().any(|s| s.governed_by.contains(r)))
    {
        return;
    }
    for r in &ctx.cited.mtus {
        let Some(g) = r.guideline else { continue };
        // A chapter for another body part is one finding (chapter-not-for-body-part),
        // not two: its sections are wrong because its chapter is.
        if service
            .body_part
            .as_deref()
            .is_some_and(|p| !covers_body_part(g, p))
        {
            continue;
        }
        for (s, span) in &r.sections {
            let reference = format!("{}/{}", g.id, s.id);
            let others = governs_any(ctx.book, &reference);
            if others.is_empty() {
                continue;
            }
            let name_span = ctx.item.name.span;
            out.push(finding(
                rule,
                ctx,
                format!("'{}' ({}) is decided under the section '{}', which governs {}, not this service", ctx.item.name.value, service.name, s.title, others.join(", ")),
                *span,
                vec![label(*span, format!("cites {} ({})", s.title, g.title)), label(name_span, format!("the request: {}", service.name))],
                Some(format!("{} is governed by: {}", service.name, governing_titles(ctx.book, &service.governed_by))),
            ));
            return;
        }
    }
}

fn governing_titles(book: &Rulebook, refs: &[String]) -> String {
    refs.iter()
        .filter_map(|r| {
            book.section(r)
                .map(|(g, s)| format!("{} — {}", g.title, s.title))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn covers_body_part(g: &crate::rulebook::Guideline, part: &str) -> bool {
    g.body_parts.is_empty() || g.body_parts.iter().any(|b| b == part || b == "any")
}

fn guideline_covers_body_part(rule: &Rule, ctx: &ItemContext, out: &mut Vec<Finding>) {
    let Some(service) = ctx.services.first() else {
        return;
    };
    let Some(part) = service.body_part.as_deref() else {
        return;
    };
    let cited: Vec<_> = ctx
        .cited
        .mtus
        .iter()
        .filter_map(|r| r.guideline.map(|g| (g, r)))
        .collect();
    if cited.is_empty() {
        return;
    }

    if cited.iter().any(|(g, _)| covers_body_part(g, part)) {
        return;
    }
    let (g, r) = cited[0];
    out.push(finding(
        rule,
        ctx,
        format!(
            "'{}' concerns the {part}, but the cited {} covers {}",
            ctx.item.name.value,
            g.title,
            g.body_parts.join(", ")
        ),
        r.guideline_span,
        vec![
            label(
                r.guideline_span,
                format!("{} ({})", g.title, g.body_parts.join(", ")),
            ),
            label(ctx.item.name.span, format!("the request: {part}")),
        ],
        Some(format!(
            "{} is governed by: {}",
            service.name,
            governing_titles(ctx.book, &service.governed_by)
        )),
    ));
}

fn page_covers_service(rule: &Rule, ctx: &ItemContext, out: &mut Vec<Finding>) {
    if ctx.services.is_empty() {
        return;
    }
    for r in &ctx.cited.mtus {
        let Some(g) = r.guideline else { continue };
        for ((first, last), span) in &r.pages {
            let overlapping: Vec<&Section> = g
                .sections
                .iter()
                .filter(|s| {
                    s.pages.iter().any(|p| {
                        let (a, b) = p.bounds();
                        a <= *last && *first <= b
                    })
                })
                .collect();
            if overlapping.is_empty() {
                continue;
            }
            let governs = overlapping.iter().any(|s| {
                let reference = format!("{}/{}", g.id, s.id);
                ctx.services
                    .iter()
                    .any(|svc| svc.governed_by.contains(&reference))
            });
            if governs {
                continue;
            }
            let titles: Vec<&str> = overlapping.iter().map(|s| s.title.as_str()).collect();
            let page = if first == last {
                format!("page {first}")
            } else {
                format!("pages {first}-{last}")
            };
            out.push(finding(
                rule,
                ctx,
                format!(
                    "{page} of {} is {}, not a section that governs '{}'",
                    g.title,
                    titles.join(", "),
                    ctx.item.name.value
                ),
                *span,
                vec![
                    label(*span, format!("{page}: {}", titles.join(", "))),
                    label(ctx.item.name.span, "the request"),
                ],
                Some(format!(
                    "{} is governed by: {}",
                    ctx.services[0].name,
                    governing_titles(ctx.book, &ctx.services[0].governed_by)
                )),
            ));
        }
    }
}

static GIVES_REASON: ByText<RuleRegex> = ByText::new(|unicode| {
    lean_regex(
        r"(?i)\b(?:do(?:es)?|did|are|is)\s?n[o']t\s+(?:specifically\s+|directly\s+)?(?:address|discuss|mention|cover|apply)|\bnot\s+(?:specifically\s+)?addressed\b|\bsilent\b|\boutside\s+(?:of\s+)?the\s+MTUS\b|\bpresumption\b|\bno\s+(?:specific\s+)?(?:MTUS\s+)?(?:guidance|recommendations?)\b|\bnot\s+applicable\b",
        unicode,
        false,
    )
});

fn non_mtus_without_reason(rule: &Rule, ctx: &ItemContext, out: &mut Vec<Finding>) {
    let Some(m) = &ctx.item.maximus else { return };
    if m.basis != Basis::NonMtus {
        return;
    }
    let Some(service) = ctx.services.iter().find(|s| {
        s.governed_by
            .iter()
            .any(|r| ctx.engine.section(r).is_some_and(|(g, _)| g.mtus))
    }) else {
        return;
    };
    if ctx
        .item
        .rationale
        .as_ref()
        .is_some_and(|r| GIVES_REASON.get(r.value.as_bytes()).is_match(&r.value))
    {
        return;
    }
    let mtus: Vec<String> = service
        .governed_by
        .iter()
        .filter(|r| ctx.engine.section(r).is_some_and(|(g, _)| g.mtus))
        .cloned()
        .collect();
    out.push(finding(
        rule,
        ctx,
        format!("'{}' is decided on a Non-MTUS source only, though the MTUS addresses {}, and the rationale gives no reason", ctx.item.name.value, service.name),
        m.text.span,
        vec![label(m.text.span, "Non-MTUS citation only")],
        Some(format!("MTUS sections for {}: {}", service.name, governing_titles(ctx.book, &mtus))),
    ));
}

/// A pattern built two ways, each on first use: with ASCII classes for ASCII
/// text, and with the Unicode ones for any other. On ASCII text both read the
/// same (no ASCII character folds to a non-ASCII one or is a Unicode `\w`,
/// `\d` or `\s` the ASCII classes leave out), and the ASCII build costs a
/// fraction of the Unicode one; a text with 'ſ', a Kelvin sign or a
/// non-ASCII letter next to a word keeps the exact Unicode reading.
pub(super) struct ByText<R> {
    build: fn(bool) -> R,
    ascii: std::sync::OnceLock<R>,
    unicode: std::sync::OnceLock<R>,
}

impl<R> ByText<R> {
    /// `build(unicode)` compiles the pattern with Unicode classes or without.
    pub(super) const fn new(build: fn(bool) -> R) -> Self {
        ByText {
            build,
            ascii: std::sync::OnceLock::new(),
            unicode: std::sync::OnceLock::new(),
        }
    }

    /// The build that reads `text` as the Unicode pattern does.
    pub(super) fn get(&self, text: &[u8]) -> &R {
        if text.is_ascii() {
            self.ascii.get_or_init(|| (self.build)(false))
        } else {
            self.unicode.get_or_init(|| (self.build)(true))
        }
    }

    /// The ASCII and the Unicode build, fresh: for tests comparing them.
    #[cfg(test)]
    pub(super) fn builds(&self) -> (R, R) {
        ((self.build)(false), (self.build)(true))
    }
}

/// Asserts that `r`'s two builds find the same matches in ASCII joins of
/// `pieces` (each with whitespace, punctuation and word characters added).
#[cfg(test)]
pub(super) fn assert_ascii_builds_agree(r: &ByText<RuleRegex>, pieces: &[&str]) {
    let (a, u) = r.builds();
    let mut all = pieces.to_vec();
    all.extend([
        " ", "\t", "\x0c", "\n", ".", "_", "1", "x", "K", "s", "'", "-",
    ]);
    for t in crate::parse::generated::joins(&all, 4_000, 12) {
        let found = |re: &RuleRegex| {
            re.find_iter(t.as_str())
                .map(|m| m.range())
                .collect::<Vec<_>>()
        };
        assert_eq!(found(&a), found(&u), "{t:?}");
        assert!(std::ptr::eq(r.get(t.as_bytes()), r.get(b"ascii")));
    }
}

/// `pattern` (case-insensitive) built for [`ByText`], with the capture
/// groups when `groups` is set. Built lean: these run on an item name or a
/// sentence at a time, where a prefilter or a one-pass DFA saves less than it
/// costs to build (a one-pass DFA for a pattern with thirty number words cost
/// a dozen million instructions, once per run).
pub(super) fn lean_regex(pattern: &str, unicode: bool, groups: bool) -> RuleRegex {
    use regex_automata::nfa::thompson::WhichCaptures;
    use regex_automata::{meta, util::syntax};
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
                .which_captures(if groups {
                    WhichCaptures::All
                } else {
                    WhichCaptures::Implicit
                })
                .onepass(false),
        )
        .build(pattern)
        .expect("pattern")
}

/// A `does_not_say` pattern compiled, with the section it belongs to.
pub struct NotSaidMatcher<'a> {
    pub section_ref: String,
    pub section: &'a Section,
    pub id: String,
    /// The pattern compiled, shared by every section with the same pattern
    /// (editions of a guideline repeat most of theirs): compiled once, and
    /// its lazy DFAs' states, learnt in one section's letters, serve all.
    compiled: std::sync::Arc<Compiled<'a>>,
}

/// A `does_not_say` pattern's automata, each built on first use.
pub(super) struct Compiled<'a> {
    pattern: &'a str,
    /// Compiled on first use: a letter cites a few sections, and compiling
    /// every pattern up front was most of a one-letter run's time.
    regex: std::sync::OnceLock<Option<RuleRegex>>,
    /// The forward half alone, for the searches anchored at a gate's first
    /// words; also compiled on first use.
    forward: std::sync::OnceLock<Option<Forward>>,
    /// The words a match needs (see [`super::gate`]), read on first use.
    gate: std::sync::OnceLock<Option<Gate>>,
    /// The pattern's tail (see [`tail_after_gap`]) alone, searched for
    /// anywhere, on first use; `None` where the pattern has no such tail.
    tail: std::sync::OnceLock<Option<Forward>>,
}

impl<'a> NotSaidMatcher<'a> {
    /// The pattern, for tests.
    #[cfg(test)]
    pub(super) fn pattern(&self) -> &'a str {
        self.compiled.pattern
    }
}

impl Compiled<'_> {
    /// The compiled pattern; `None` only for a pattern validation refused.
    pub fn regex(&self) -> Option<&RuleRegex> {
        self.regex
            .get_or_init(|| rule_regex(self.pattern).ok())
            .as_ref()
    }

    /// The pattern's forward lazy DFA; `None` where it could not be built.
    fn forward(&self) -> Option<&Forward> {
        self.forward
            .get_or_init(|| Forward::build(self.pattern))
            .as_ref()
    }

    /// The pattern's gate; `None` where it has none and every sentence is
    /// searched whole.
    fn gate(&self, book: &Rulebook) -> Option<&Gate> {
        self.gate
            .get_or_init(|| Gate::of(self.pattern, book.parsed_pattern(self.pattern)))
            .as_ref()
    }

    /// Whether a match may start at or after `at` in `sentence`: false
    /// only when the pattern's tail (see [`tail_after_gap`]) occurs nowhere
    /// in `sentence[at..]`, which every such match holds. A match is rare;
    /// the anchored search that finds none walks the pattern's gap, a state
    /// of the automaton per byte and most of them out of the processor's
    /// caches, where the tail's search stays in a few states.
    fn may_match_from(&self, sentence: &[u8], at: usize) -> bool {
        let tail = self
            .tail
            .get_or_init(|| tail_after_gap(self.pattern).and_then(Forward::build));
        tail.as_ref()
            .is_none_or(|t| t.occurs(sentence, at).unwrap_or(true))
    }

    /// The leftmost match starting at `at` in `sentence`, as [`RuleRegex`]
    /// finds it anchored there.
    fn match_at(&self, sentence: &[u8], at: usize) -> Option<(usize, usize)> {
        let anchored = || {
            self.regex()?
                .search(&Input::new(sentence).range(at..).anchored(Anchored::Yes))
                .map(|m| (m.start(), m.end()))
        };
        match self.forward().map(|f| f.end_at(sentence, at)) {
            Some(Ok(end)) => end.map(|end| (at, end)),
            // No DFA, or one that could not tell: the whole regex.
            Some(Err(_)) | None => anchored(),
        }
    }
}

type CacheFn = Box<
    dyn Fn() -> regex_automata::hybrid::dfa::Cache
        + Send
        + Sync
        + std::panic::UnwindSafe
        + std::panic::RefUnwindSafe,
>;

/// A `does_not_say` pattern's forward lazy DFA. An anchored search knows
/// where its match starts: only the end is to be found, which the forward
/// DFA alone does. Built without the reverse automaton, capture states and
/// fallback engines a [`RuleRegex`] holds, it costs half as much to compile,
/// and the patterns a batch of letters reaches are compiled once per run.
struct Forward {
    dfa: regex_automata::hybrid::dfa::DFA,
    caches: regex_automata::util::pool::Pool<regex_automata::hybrid::dfa::Cache, CacheFn>,
}

impl Forward {
    /// Read as [`rule_regex`] reads the pattern.
    fn build(pattern: &str) -> Option<Forward> {
        use regex_automata::nfa::thompson::{self, WhichCaptures};
        use regex_automata::{hybrid::dfa::DFA, util::syntax};
        let dfa = DFA::builder()
            .syntax(
                syntax::Config::new()
                    .case_insensitive(true)
                    .unicode(false)
                    .utf8(false),
            )
            .thompson(
                thompson::Config::new()
                    .utf8(false)
                    .which_captures(WhichCaptures::None),
            )
            .configure(DFA::config().cache_capacity(256 * 1024))
            .build(pattern)
            .ok()?;
        let owned = dfa.clone();
        let make: CacheFn = Box::new(move || owned.create_cache());
        Some(Forward {
            dfa,
            caches: regex_automata::util::pool::Pool::new(make),
        })
    }

    /// Whether a match lies anywhere in `sentence[from..]`; it stops at the
    /// first match state it passes.
    fn occurs(&self, sentence: &[u8], from: usize) -> Result<bool, regex_automata::MatchError> {
        let mut cache = self.caches.get();
        let input = Input::new(sentence).range(from..).earliest(true);
        Ok(self.dfa.try_search_fwd(&mut cache, &input)?.is_some())
    }

    /// Where the leftmost-first match starting at `at` ends, if there is one.
    fn end_at(
        &self,
        sentence: &[u8],
        at: usize,
    ) -> Result<Option<usize>, regex_automata::MatchError> {
        let mut cache = self.caches.get();
        let input = Input::new(sentence).range(at..).anchored(Anchored::Yes);
        Ok(self
            .dfa
            .try_search_fwd(&mut cache, &input)?
            .map(|m| m.offset()))
    }
}

/// The text of what follows a pattern's first gap, where the pattern is a
/// sequence of parts one of which is a gap: a class repeated up to 16 times
/// or more, such as the `[^.]{0,80}?` between a subject and what is claimed
/// of it, or any byte but a few repeated without bound (`[^.]*`). Every
/// match of the pattern holds a match of the tail, which is the claim
/// itself: rare, where the subject is common. `None` where there is no such
/// gap, nothing follows it, or the sequence sets flags, which would read the
/// tail otherwise than alone.
fn tail_after_gap(pattern: &str) -> Option<&str> {
    use regex_syntax::ast::{Ast, RepetitionKind, RepetitionRange, parse::Parser};
    let ast = Parser::new().parse(pattern).ok()?;
    let Ast::Concat(concat) = &ast else {
        return None;
    };
    if concat.asts.iter().any(|a| matches!(a, Ast::Flags(_))) {
        return None;
    }
    let is_class = |a: &Ast| {
        matches!(
            a,
            Ast::ClassBracketed(_) | Ast::ClassPerl(_) | Ast::ClassUnicode(_) | Ast::Dot(_)
        )
    };
    // `\s+` and `\w+` are not gaps: they stop at the next word or space.
    let is_wide = |a: &Ast| match a {
        Ast::Dot(_) => true,
        Ast::ClassBracketed(c) => c.negated,
        _ => false,
    };
    let is_gap = |a: &Ast| match a {
        Ast::Repetition(r) => match r.op.kind {
            RepetitionKind::ZeroOrMore | RepetitionKind::OneOrMore => is_wide(&r.ast),
            RepetitionKind::ZeroOrOne => false,
            RepetitionKind::Range(
                RepetitionRange::Exactly(n)
                | RepetitionRange::AtLeast(n)
                | RepetitionRange::Bounded(_, n),
            ) => n >= 16 && is_class(&r.ast),
        },
        _ => false,
    };
    let gap = concat.asts.iter().position(is_gap)?;
    let rest = concat.asts.get(gap + 1..)?;
    let (first, last) = (rest.first()?, rest.last()?);
    pattern.get(first.span().start.offset..last.span().end.offset)
}

/// A compiled `does_not_say` pattern.
pub type RuleRegex = regex_automata::meta::Regex;

/// Compiles a `does_not_say` pattern. Byte matching with ASCII classes and
/// word boundaries: a pattern like `[^.]{0,80}` over Unicode compiles to
/// eighty copies of a UTF-8 automaton, which across a hundred patterns cost
/// most of the engine's memory; letters are English, and the few non-ASCII
/// characters only count as more than one byte in such a bound.
///
/// The pattern runs only on sentences its [`super::gate`] lets through, a
/// hundred bytes or so: it needs no prefilter of its own, and building one
/// (with the reverse-inner-literal analysis) cost more than every search.
/// Only the match bounds are kept, so no capture engines are built either.
pub fn rule_regex(pattern: &str) -> Result<RuleRegex, Box<regex_automata::meta::BuildError>> {
    use regex_automata::{meta, util::syntax};
    meta::Builder::new()
        .syntax(
            syntax::Config::new()
                .case_insensitive(true)
                .unicode(false)
                .utf8(false),
        )
        .configure(
            meta::Config::new()
                .utf8_empty(false)
                .auto_prefilter(false)
                .which_captures(regex_automata::nfa::thompson::WhichCaptures::Implicit)
                .onepass(false)
                .backtrack(false)
                .hybrid_cache_capacity(256 * 1024),
        )
        .build(pattern)
        .map_err(Box::new)
}

/// Compiles a regex concept term, read as [`rule_regex`] reads a pattern
/// (bytes, ASCII classes), but with the regex's own prefilter: a concept term
/// runs over whole case summaries and rationales, not gated sentences. The
/// lazy-DFA cache each thread keeps is bounded to `cache` bytes, large enough
/// that it is not thrown away and rebuilt (or the search fall back to the
/// slow PikeVM) on every text.
pub fn rule_regex_with_cache(
    pattern: &str,
    cache: usize,
) -> Result<regex::bytes::Regex, regex::Error> {
    regex::bytes::RegexBuilder::new(pattern)
        .case_insensitive(true)
        .unicode(false)
        .dfa_size_limit(cache)
        .build()
}

pub fn compile_not_said(book: &Rulebook) -> Vec<NotSaidMatcher<'_>> {
    let mut out = Vec::new();
    let mut compiled: std::collections::HashMap<&str, std::sync::Arc<Compiled>> =
        std::collections::HashMap::new();
    for (_, g) in &book.guidelines {
        for s in &g.sections {
            for n in &s.does_not_say {
                let pattern = n.pattern.as_str();
                let shared = compiled.entry(pattern).or_insert_with(|| {
                    std::sync::Arc::new(Compiled {
                        pattern,
                        regex: std::sync::OnceLock::new(),
                        forward: std::sync::OnceLock::new(),
                        gate: std::sync::OnceLock::new(),
                        tail: std::sync::OnceLock::new(),
                    })
                });
                out.push(NotSaidMatcher {
                    section_ref: format!("{}/{}", g.id, s.id),
                    section: s,
                    id: n.id.clone(),
                    compiled: std::sync::Arc::clone(shared),
                });
            }
        }
    }
    out
}

/// Sections an item is decided under or governed by, sorted.
pub(super) fn relevant_sections(ctx: &ItemContext) -> Vec<String> {
    let mut refs = ctx.cited.section_refs();
    // Services of one item share most of their sections: a section already
    // held is not cloned again (the sort and dedup below give the same set).
    refs.reserve(ctx.services.iter().map(|s| s.governed_by.len()).sum());
    for g in ctx.services.iter().flat_map(|s| &s.governed_by) {
        if !refs.contains(g) {
            refs.push(g.clone());
        }
    }
    refs.sort_unstable();
    refs.dedup();
    refs
}

/// Of [`relevant_sections`], those in a guideline the item's MTUS citations
/// resolve to, each with its rulebook section where the rulebook has it. A
/// misstatement or a limit is about a guideline the letter relies on: a
/// rationale quoting ODG is not misquoting the MTUS section ODG contradicts.
pub(super) fn cited_relevant_sections<'a>(
    ctx: &ItemContext<'a>,
) -> Vec<(String, Option<&'a Section>)> {
    let cited: Vec<&str> = ctx
        .cited
        .mtus
        .iter()
        .filter_map(|r| r.guideline.map(|g| g.id.as_str()))
        .collect();
    if cited.is_empty() {
        return Vec::new();
    }
    ctx.relevant_sections()
        .iter()
        .filter(|r| r.split_once('/').is_some_and(|(g, _)| cited.contains(&g)))
        .map(|r| (r.clone(), ctx.engine.section(r).map(|(_, s)| s)))
        .collect()
}

fn not_said(rule: &Rule, ctx: &ItemContext, out: &mut Vec<Finding>) {
    let Some(rationale) = &ctx.rationale else {
        return;
    };
    // A misstatement is about a guideline the letter relies on: sections it
    // cites, or sections of a cited guideline that govern the service (see
    // [`cited_relevant_sections`]). Their patterns are tried in rulebook
    // order, as findings at one place keep the order they are found in.
    let mut patterns: Vec<usize> = ctx
        .cited_relevant_sections()
        .iter()
        .filter(|(r, _)| rule.sections.is_empty() || rule.sections.contains(r))
        .flat_map(|(r, _)| ctx.engine.not_said_of(r))
        .collect();
    if patterns.is_empty() {
        return;
    }
    patterns.sort_unstable();
    let folded = &rationale.folded;
    let t = folded.as_str();
    let sentences = &rationale.sentences;
    // The gates are read per sentence, as the patterns are: a pattern's first
    // and last words in two sentences do not make a match.
    for m in patterns.into_iter().map(|i| &ctx.engine.not_said[i]) {
        let Some(not) = m.section.does_not_say.iter().find(|n| n.id == m.id) else {
            continue;
        };
        let c = &m.compiled;
        let gate = c.gate(ctx.book);
        let lower = match gate {
            Some(_) => ctx.rationale_lower().unwrap_or_default(),
            None => &[],
        };
        let mut opening = gate.map(Gate::opening);
        for &(s, e) in sentences {
            // Where a match could start: past a sentence without the
            // pattern's first or last words, nowhere.
            let first = match &mut opening {
                Some(o) => match o.at(lower, s, e) {
                    Some(at) => Some(at),
                    None => continue,
                },
                None => None,
            };
            if c.forward().is_none() && c.regex().is_none() {
                break;
            }
            let sentence = &t.as_bytes()[s..e];
            // A match starts where one of the pattern's first words does: an
            // anchored search from each of those is the leftmost match, and
            // walks a few dozen bytes where a search for it walks the sentence.
            let hit = match (gate, first, &mut opening) {
                (Some(g), Some(mut at), Some(o)) => loop {
                    // A match ends with a last word: none after a candidate,
                    // no match from it or a later one.
                    if !o.closes(lower, at, e) || !c.may_match_from(sentence, at - s) {
                        break None;
                    }
                    if let Some(hit) = c.match_at(sentence, at - s) {
                        break Some(hit);
                    }
                    match g.next_start(lower, at + 1, e) {
                        Some(next) => at = next,
                        None => break None,
                    }
                },
                _ => c
                    .regex()
                    .and_then(|r| r.find(sentence))
                    .map(|h| (h.start(), h.end())),
            };
            let Some(hit) = hit else {
                continue;
            };
            let span = folded.span(s + hit.0, s + hit.1);
            let fact = m.section.facts.iter().find(|f| f.id == not.fact);
            out.push(finding(
                rule,
                ctx,
                format!(
                    "the rationale attributes to {} a statement it does not make: {}",
                    m.section.title, not.claim
                ),
                span,
                vec![label(span, "not what the guideline says")],
                fact.map(|f| {
                    format!(
                        "{} says: {} (source: {}, {})",
                        m.section.title,
                        f.text,
                        f.source,
                        f.verified.describe()
                    )
                }),
            ));
            break;
        }
    }
}

/// A criterion is met when the letter affirms its concept or one of its alternatives.
pub fn criterion_met(ctx: &ItemContext, c: &crate::rulebook::Criterion) -> bool {
    std::iter::once(&c.concept)
        .chain(&c.alternatives)
        .any(|id| ctx.concepts().affirmed(id).is_some())
}

fn requires_concept(rule: &Rule, ctx: &ItemContext, out: &mut Vec<Finding>) {
    if ctx.item.decision.value != Decision::Overturned {
        return;
    }
    // A rule naming sections holds every item those sections govern or the
    // letter cites to them; a rule naming none holds an item to the criteria
    // of the sections its letter cites, the ones the reviewer relied on.
    let cited = ctx.cited.section_refs();
    let relevant = ctx.relevant_sections();
    let sections: Vec<&String> = if rule.sections.is_empty() {
        // Sections a more specific requires-concept rule holds are left to it.
        let specific: Vec<&String> = ctx
            .book
            .rules
            .iter()
            .filter(|(_, r)| r.check == rule.check && r.code != rule.code)
            .flat_map(|(_, r)| &r.sections)
            .collect();
        cited.iter().filter(|r| !specific.contains(r)).collect()
    } else {
        rule.sections
            .iter()
            .filter(|r| relevant.contains(r))
            .collect()
    };
    for reference in sections {
        let Some((_, section)) = ctx.engine.section(reference) else {
            continue;
        };
        for c in &section.criteria {
            if criterion_met(ctx, c) {
                continue;
            }
            let denied = std::iter::once(&c.concept)
                .chain(&c.alternatives)
                .find_map(|id| ctx.concepts().find(id, None, Assertion::Negated));
            let mut labels = vec![label(ctx.item.decision.span, "certified here")];
            if let Some(d) = denied {
                labels.push(label(d.claim(), "the letter says it is absent"));
            }
            let fact = section.facts.iter().find(|f| f.id == c.fact);
            out.push(finding(
                rule,
                ctx,
                format!(
                    "'{}' is overturned (certified), but the letter does not document what {} asks for: {}",
                    ctx.item.name.value,
                    section.title,
                    c.text.trim_end_matches('.')
                ),
                ctx.item.decision.span,
                labels,
                fact.map(|f| format!("{}: {} (source: {}, {})", section.title, f.text, f.source, f.verified.describe())),
            ));
        }
    }
}

#[cfg(test)]
mod by_text {
    use super::*;

    /// The forward DFA ends an anchored match where the whole regex does, for
    /// every rulebook pattern, from every start in generated sentences.
    #[test]
    fn forward_dfa_ends_where_the_regex_does() {
        let book = crate::rulebook::Rulebook::built_in();
        let pieces = [
            "TENS ",
            "is ",
            "are ",
            "not ",
            "recommended ",
            "as ",
            "a ",
            "sole ",
            "stand-alone ",
            "therapy",
            "treatment",
            " for ",
            "the ",
            "MRI ",
            "opioids ",
            "only ",
            "always ",
            "required",
            ". ",
            ", ",
            " ",
            "ſ",
            "\u{212a}",
            "é",
            "_",
            "1",
            "x",
            "\x0c",
        ];
        let texts = crate::parse::generated::joins(&pieces, 150, 14);
        let mut matched = 0;
        let book_patterns = compile_not_said(&book);
        // Patterns shaped like the rulebook's, which these sentences match.
        let shaped = [
            r"\b(?:TENS|transcutaneous)\b[^.]{0,80}?\b(?:is|are)\s+recommended\s+(?:as\s+)?(?:stand[- ]?alone|sole)\s+(?:treatment|therapy)",
            r"\b(?:is|are)\s+(?:not\s+)?recommended\b[^.]{0,40}?\btherapy",
            r"\bopioids?\b[^.]{0,30}?\b(?:always|only)\b",
        ];
        let patterns = book_patterns.iter().map(|m| m.pattern()).chain(shaped);
        for pattern in patterns {
            let (Ok(regex), Some(forward)) = (rule_regex(pattern), Forward::build(pattern)) else {
                panic!("{pattern} compiles");
            };
            for t in &texts {
                let h = t.as_bytes();
                for at in 0..=h.len() {
                    let whole = regex
                        .search(&Input::new(h).range(at..).anchored(Anchored::Yes))
                        .map(|m| m.end());
                    assert_eq!(
                        forward.end_at(h, at).ok(),
                        Some(whole),
                        "{pattern} {t:?} {at}"
                    );
                    matched += usize::from(whole.is_some());
                }
            }
        }
        assert!(matched > 0, "the sentences match some pattern");
    }

    /// A pattern's tail is what follows its first gap, read in the
    /// pattern's own text; spaces and words repeated are no gaps.
    #[test]
    fn the_tail_follows_the_first_gap() {
        let cases = [
            (
                r"\bTENS\b[^.]{0,80}?\b(?:is|are)\s+sole",
                Some(r"\b(?:is|are)\s+sole"),
            ),
            (
                r"\bx\b[^.]{0,60}\by\b[^.]{0,40}z",
                Some(r"\by\b[^.]{0,40}z"),
            ),
            (r"a.*b", Some("b")),
            (r"a[^,]+b", Some("b")),
            (r"\ba\s+b\w+\s*c", None),
            (r"a[a-z]{2,8}b", None),
            (r"a\w{0,20}b", Some("b")),
            (r"a[^.]{0,80}", None),
            (r"(?i)a[^.]{0,80}b", None),
            (r"a[^.]{0,80}b|c", None),
            (r"(?:a[^.]{0,80}b)", None),
        ];
        for (pattern, tail) in cases {
            assert_eq!(tail_after_gap(pattern), tail, "{pattern}");
        }
    }

    /// Wherever a pattern matches, its tail is found from the match's start
    /// on: the tail's search may rule a start out only where the anchored
    /// search finds nothing. Every rulebook pattern, from every start in
    /// generated sentences.
    #[test]
    fn a_tail_is_found_wherever_its_pattern_matches() {
        let book = crate::rulebook::Rulebook::built_in();
        let pieces = [
            "TENS ",
            "is ",
            "are ",
            "not ",
            "recommended ",
            "as ",
            "a ",
            "sole ",
            "first-line ",
            "therapy",
            " for ",
            "long-term ",
            "use",
            "neck",
            "MRI ",
            "routinely",
            "\n",
            ". ",
            ", ",
            " ",
            "\u{212a}",
            "é",
            "_",
            "1",
            "x",
        ];
        let generated = crate::parse::generated::joins(&pieces, 150, 14);
        let claims = [
            "TENS is recommended as sole therapy",
            "MRI of the knee is recommended routinely. MRI is recommended routinely",
            "TENS, as the guideline says, is recommended for the neck",
            "TENS is recommended for neck pain, and TENS is not recommended for the neck",
        ];
        // Claims alone, and after and before generated text.
        let mut texts: Vec<String> = claims.iter().map(|c| c.to_string()).collect();
        for (g, c) in generated.iter().zip(claims.iter().cycle()) {
            texts.push(format!("{g}{c}"));
            texts.push(format!("{c}{g}"));
        }
        texts.extend(generated);
        let book_patterns = compile_not_said(&book);
        let shaped = [
            r"\b(?:TENS|transcutaneous)\b[^.]{0,80}?\b(?:is|are)\s+recommended\s+(?:as\s+)?(?:stand[- ]?alone|sole)\s+(?:treatment|therapy)",
            r"\bMRI\b[^.]{0,80}?\b(?:is|are)\s+(?:recommended)\s+routinely",
            r"\bTENS\b[^.]{0,60}\b(?:is|are)\s+(?:recommended)\s+for\s+(?:the\s+)?neck",
        ];
        let patterns: Vec<&str> = book_patterns
            .iter()
            .map(|m| m.pattern())
            .chain(shaped)
            .collect();
        let (mut with_tail, mut matched) = (0, 0);
        for pattern in &patterns {
            let Some(tail) = tail_after_gap(pattern) else {
                continue;
            };
            with_tail += 1;
            let (Ok(regex), Some(tail)) = (rule_regex(pattern), Forward::build(tail)) else {
                panic!("{pattern} and its tail compile");
            };
            for t in &texts {
                let h = t.as_bytes();
                for at in 0..=h.len() {
                    let whole = regex
                        .search(&Input::new(h).range(at..).anchored(Anchored::Yes))
                        .is_some();
                    if whole {
                        matched += 1;
                        assert_eq!(tail.occurs(h, at).ok(), Some(true), "{pattern} {t:?} {at}");
                    }
                }
            }
        }
        assert!(with_tail * 2 > patterns.len(), "most patterns have a tail");
        assert!(matched > 0, "the sentences match some pattern");
    }

    /// The word count reads words as `split_whitespace` does, on text with
    /// every kind of ASCII and Unicode space.
    #[test]
    fn words_count_as_split_whitespace_counts_them() {
        let pieces = [
            "word",
            "x",
            " ",
            "  ",
            "\t",
            "\n",
            "\x0b",
            "\x0c",
            "\r",
            "\u{a0}",
            "\u{85}",
            "\u{2003}",
            "\u{3000}",
            "\u{200b}",
            "é",
            "ſ",
            "\u{212a}",
            "\u{1f600}",
            "-",
            ".",
        ];
        for t in crate::parse::generated::joins(&pieces, 5000, 20) {
            for most in [0, 1, 3, 8, 100] {
                assert_eq!(
                    count_words(&t, most),
                    t.split_whitespace().take(most).count(),
                    "{t:?} {most}"
                );
            }
        }
    }

    #[test]
    fn reasons_and_citations_read_ascii_alike() {
        assert_ascii_builds_agree(
            &CITES_SOMETHING,
            &[
                "guideline",
                "Guide-lines",
                "MTUS",
                "studies",
                "recommended",
                "as the",
                "since",
            ],
        );
        assert_ascii_builds_agree(
            &GIVES_REASON,
            &[
                "does",
                "not",
                "n't",
                "is",
                "specifically",
                "address",
                "the",
                "MTUS",
                "outside of",
                "no",
                "guidance",
                "silent",
                "applicable",
            ],
        );
    }
}
