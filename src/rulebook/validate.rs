//! Rulebook validation: what serde cannot see. Duplicate ids, references
//! that lead nowhere, regexes that do not compile, checks the engine does
//! not know, error-severity rules resting on unverified facts, and rules that
//! can never fire (no service is governed by their sections).

use std::collections::{HashMap, HashSet};

use regex_syntax::hir::Hir;

use super::{Rulebook, Severity};
use crate::engine::checks::KNOWN_CHECKS;
use crate::render::diagnostic::Report;

/// Also keeps, in `parsed`, the syntax tree of every valid `does_not_say`
/// pattern and regex concept term.
pub(super) fn validate(book: &Rulebook, parsed: &mut HashMap<String, Hir>) -> Vec<Report> {
    let mut errors = Vec::new();
    let dup =
        |seen: &mut HashSet<String>, id: &str, origin, what: &str, errors: &mut Vec<Report>| {
            if !seen.insert(id.to_string()) {
                errors.push(book.report_at(
                    origin,
                    id,
                    "rulebook/duplicate-id",
                    format!("duplicate {what} id '{id}'"),
                    None,
                ));
            }
        };
    let (mut g_ids, mut s_ids, mut c_ids, mut r_ids) = (
        HashSet::new(),
        HashSet::new(),
        HashSet::new(),
        HashSet::new(),
    );
    for (o, g) in &book.guidelines {
        dup(&mut g_ids, &g.id, *o, "guideline", &mut errors);
        if let Some(f) = &g.in_force {
            for b in std::iter::once(&f.from).chain(&f.until) {
                if b.parsed().is_none() {
                    errors.push(book.report_at(
                        *o,
                        &b.date,
                        "rulebook/bad-date",
                        format!(
                            "in_force of guideline '{}' has '{}', which is not a date",
                            g.id, b.date
                        ),
                        Some("write dates as YYYY-MM-DD, quoted".into()),
                    ));
                }
            }
            if let (Some(from), Some(until)) =
                (f.from.parsed(), f.until.as_ref().and_then(|u| u.parsed()))
                && from >= until
            {
                errors.push(book.report_at(
                    *o,
                    &f.from.date,
                    "rulebook/bad-in-force",
                    format!(
                        "in_force of guideline '{}' ends ({until}) before it begins ({from})",
                        g.id
                    ),
                    None,
                ));
            }
        }
        let mut sec_ids = HashSet::new();
        for s in &g.sections {
            dup(
                &mut sec_ids,
                &s.id,
                *o,
                &format!("section (in guideline '{}')", g.id),
                &mut errors,
            );
            let facts: HashSet<&str> = s.facts.iter().map(|f| f.id.as_str()).collect();
            let mut fact_ids = HashSet::new();
            for f in &s.facts {
                dup(
                    &mut fact_ids,
                    &f.id,
                    *o,
                    &format!("fact (in section '{}/{}')", g.id, s.id),
                    &mut errors,
                );
            }
            let refs = s
                .criteria
                .iter()
                .map(|c| (&c.id, &c.fact))
                .chain(s.limits.iter().map(|l| (&l.id, &l.fact)))
                .chain(s.does_not_say.iter().map(|n| (&n.id, &n.fact)));
            for (id, fact) in refs {
                if !facts.contains(fact.as_str()) {
                    errors.push(book.report_at(
                        *o,
                        fact,
                        "rulebook/dangling-fact",
                        format!("'{id}' in section '{}/{}' rests on fact '{fact}', which the section does not define", g.id, s.id),
                        Some(format!("facts of this section: {}", join(facts.iter()))),
                    ));
                }
            }
            let named = s
                .criteria
                .iter()
                .flat_map(|c| {
                    std::iter::once(&c.concept)
                        .chain(&c.alternatives)
                        .map(move |k| ("criterion", &c.id, k))
                })
                .chain(s.limits.iter().flat_map(|l| {
                    l.when
                        .iter()
                        .chain(&l.unless)
                        .map(move |k| ("limit", &l.id, k))
                }));
            for (what, id, concept) in named {
                if book.concept(concept).is_none() {
                    errors.push(book.report_at(
                        *o,
                        concept,
                        "rulebook/dangling-concept",
                        format!(
                            "{what} '{id}' names concept '{concept}', which no concepts file defines"
                        ),
                        None,
                    ));
                }
            }
            for n in &s.does_not_say {
                if anchored(&n.pattern) {
                    errors.push(book.report_at(
                        *o,
                        &n.pattern,
                        "rulebook/anchored-pattern",
                        format!("pattern of '{}' uses `^` or `$`", n.id),
                        Some("patterns are matched against a whole rationale first and then each sentence; an anchor would make the two disagree".into()),
                    ));
                }
                match super::pattern::read(&n.pattern) {
                    Ok(hir) => {
                        parsed.insert(n.pattern.clone(), hir);
                    }
                    Err(e) => errors.push(book.report_at(
                        *o,
                        &n.pattern,
                        "rulebook/bad-regex",
                        format!(
                            "pattern of '{}' does not compile: {}",
                            n.id,
                            regex_message(&e)
                        ),
                        None,
                    )),
                }
            }
        }
    }
    for (o, s) in &book.services {
        dup(&mut s_ids, &s.id, *o, "service", &mut errors);
        for r in &s.governed_by {
            if book.section(r).is_none() {
                errors.push(book.report_at(*o, r, "rulebook/dangling-section", format!("service '{}' is governed by '{r}', which is not a `<guideline>/<section>` of the rulebook", s.id), None));
            }
        }
    }
    for (o, c) in &book.concepts {
        dup(&mut c_ids, &c.id, *o, "concept", &mut errors);
        if c.regex {
            for t in &c.terms {
                match super::pattern::read(t) {
                    // Kept too: the concept matcher compiles the term from it.
                    Ok(hir) => {
                        parsed.insert(t.clone(), hir);
                    }
                    Err(e) => errors.push(book.report_at(
                        *o,
                        t,
                        "rulebook/bad-regex",
                        format!(
                            "term of concept '{}' does not compile: {}",
                            c.id,
                            regex_message(&e)
                        ),
                        None,
                    )),
                }
            }
        }
    }
    let governed: HashSet<&str> = book
        .services
        .iter()
        .flat_map(|(_, s)| s.governed_by.iter().map(String::as_str))
        .collect();
    for (o, r) in &book.rules {
        dup(&mut r_ids, &r.code, *o, "rule", &mut errors);
        if !r.code.starts_with(&format!("{}/", r.kind.name())) {
            errors.push(book.report_at(
                *o,
                &r.code,
                "rulebook/bad-code",
                format!(
                    "rule code '{}' must start with its kind '{}/'",
                    r.code,
                    r.kind.name()
                ),
                None,
            ));
        }
        if !KNOWN_CHECKS.contains(&r.check.as_str()) {
            errors.push(book.report_at(
                *o,
                &r.check,
                "rulebook/unknown-check",
                format!(
                    "rule '{}' names check '{}', which the engine does not have",
                    r.code, r.check
                ),
                Some(format!("known checks: {}", KNOWN_CHECKS.join(", "))),
            ));
        }
        for s in &r.sections {
            if book.section(s).is_none() {
                errors.push(book.report_at(
                    *o,
                    s,
                    "rulebook/dangling-section",
                    format!(
                        "rule '{}' applies to '{s}', which is not a section of the rulebook",
                        r.code
                    ),
                    None,
                ));
            } else if !governed.contains(s.as_str()) {
                errors.push(
                    book.report_at(
                        *o,
                        s,
                        "rulebook/unreachable",
                        format!(
                            "rule '{}' can never fire: no service is governed by '{s}'",
                            r.code
                        ),
                        Some(
                            "add the section to a service's governed_by, or drop it from the rule"
                                .into(),
                        ),
                    ),
                );
            }
        }
        if r.check == "edition-in-force" && r.severity == Severity::Error {
            let unverified = book.guidelines.iter().find_map(|(_, g)| {
                let f = g.in_force.as_ref()?;
                std::iter::once(&f.from)
                    .chain(&f.until)
                    .find(|b| !b.verified.is_verified())
                    .map(|b| (g, b))
            });
            if let Some((g, b)) = unverified {
                errors.push(book.report_at(
                    *o,
                    &r.code,
                    "rulebook/unverified-error",
                    format!(
                        "rule '{}' is an error but the in_force date {} of guideline '{}' is unverified",
                        r.code, b.date, g.id
                    ),
                    Some("a rule whose facts are not verified must be a warning".into()),
                ));
            }
        }
        for f in &r.facts {
            match book.fact(f) {
                None => errors.push(book.report_at(
                    *o,
                    f,
                    "rulebook/dangling-fact",
                    format!(
                        "rule '{}' rests on fact '{f}', which the rulebook does not define",
                        r.code
                    ),
                    Some("facts are referenced as <guideline>/<section>#<fact>".into()),
                )),
                Some(fact) if !fact.verified.is_verified() && r.severity == Severity::Error => {
                    errors.push(book.report_at(
                        *o,
                        &r.code,
                        "rulebook/unverified-error",
                        format!(
                            "rule '{}' is an error but rests on the unverified fact '{f}'",
                            r.code
                        ),
                        Some("a rule whose facts are not verified must be a warning".into()),
                    ))
                }
                Some(_) => {}
            }
        }
        if r.fixtures.triggers.is_empty() || r.fixtures.passes.is_empty() {
            errors.push(book.report_at(
                *o,
                &r.code,
                "rulebook/missing-fixture",
                format!(
                    "rule '{}' needs a fixture that triggers it and one that must not",
                    r.code
                ),
                None,
            ));
        }
    }
    errors
}

fn join<'a>(it: impl Iterator<Item = &'a &'a str>) -> String {
    let mut v: Vec<&str> = it.copied().collect();
    v.sort_unstable();
    v.join(", ")
}

/// Whether a pattern holds a `^` or `$` anchor (a `^` opening a class is not one).
fn anchored(pattern: &str) -> bool {
    let b = pattern.as_bytes();
    (0..b.len()).any(|i| {
        let escaped = i > 0 && b[i - 1] == b'\\';
        !escaped && (b[i] == b'$' || (b[i] == b'^' && (i == 0 || b[i - 1] != b'[')))
    })
}

/// The regex crate's error ends with its one-line reason, after a picture of the pattern.
fn regex_message(s: &str) -> &str {
    s.lines().last().unwrap_or(s)
}
