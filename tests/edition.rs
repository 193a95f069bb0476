//! Guideline editions and the dates they were in force: the rulebook's
//! `in_force` data, the resolver's choice of edition for a citation without a
//! year, the window of dates a letter allows for its request, and validation.

use std::path::Path;

use imrlint::engine::edition::CaseWindow;
use imrlint::engine::resolve::{self, Index};
use imrlint::model::{Date, Letter};
use imrlint::rulebook::{RuleSource, Rulebook, files};

fn book() -> Rulebook {
    Rulebook::from_sources(files::embedded()).expect("the built-in rulebook validates")
}

fn letter(fixture: &str) -> Letter {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(fixture);
    let text = std::fs::read_to_string(&path).expect("fixture");
    imrlint::parse::parse(&text).expect("fixture parses")
}

fn date(s: &str) -> Date {
    Date::parse_iso(s).expect("ISO date")
}

/// The guideline the first item's MAXIMUS line resolves to.
fn resolved(book: &Rulebook, fixture: &str) -> String {
    let l = letter(fixture);
    let index = Index::new(book);
    let when = resolve::letter_date(&l).map(|d| d.value);
    let cited = resolve::cited(l.items[0].maximus.as_ref(), &index, when);
    cited.mtus[0].guideline.expect("resolves").id.clone()
}

#[test]
fn a_citation_without_a_year_resolves_to_the_edition_in_force() {
    let book = book();
    // "Chronic Pain Medical Treatment Guidelines", UR denial 2017-01-19.
    assert_eq!(
        resolved(&book, "check/citation/chronic-pain-no-year-2017.txt"),
        "cpmtg-2016"
    );
    // "Chronic Pain Treatment Guidelines Page(s): 121", assigned 2015-01-03.
    assert_eq!(
        resolved(&book, "check/citation/nmes-cited-page-121.txt"),
        "cpmtg-2009"
    );
    // No date at all: the earliest edition, as before editions had dates.
    assert_eq!(
        resolved(&book, "check/seeds/002_3504339caa810b6b.txt"),
        "cpmtg-2009"
    );
    // A year always wins over the date.
    assert_eq!(
        resolved(&book, "check/citation/cpmtg-2009-cited-2017.txt"),
        "cpmtg-2009"
    );
}

#[test]
fn the_letter_date_is_the_ur_denial_date() {
    let l = letter("check/citation/cpmtg-2009-cited-2017.txt");
    assert_eq!(
        resolve::letter_date(&l).map(|d| d.value),
        Some(date("2017-01-19"))
    );
    // Without one, the earliest later date printed (here: assigned).
    let l = letter("check/citation/tens-under-tens.txt");
    assert_eq!(
        resolve::letter_date(&l).map(|d| d.value),
        Some(date("2017-01-03"))
    );
}

#[test]
fn editions_of_a_guideline_adjoin_and_do_not_overlap() {
    let book = book();
    let g = |id: &str| book.guideline(id).expect(id);
    let bounds = |id: &str| {
        let f = g(id).in_force.as_ref().expect("in_force");
        (
            f.from.parsed().expect("from"),
            f.until.as_ref().and_then(|u| u.parsed()),
        )
    };
    assert_eq!(
        bounds("cpmtg-2009"),
        (date("2009-07-18"), Some(date("2016-07-29")))
    );
    assert_eq!(
        bounds("cpmtg-2016"),
        (date("2016-07-29"), Some(date("2017-12-01")))
    );
    assert_eq!(bounds("opioids-2016"), bounds("cpmtg-2016"));
    assert_eq!(
        bounds("acoem-low-back"),
        (date("2007-06-15"), Some(date("2017-12-01")))
    );
    assert_eq!(
        bounds("acoem-low-back-disorders"),
        (date("2017-12-01"), None)
    );
    // Any two MTUS guidelines sharing a name are editions of one another: their times
    // in force must not overlap, or a citation without a year would be ambiguous.
    let norm = |s: &str| resolve::normalize(s);
    let dated: Vec<_> = book
        .guidelines
        .iter()
        .map(|(_, g)| g)
        .filter(|g| g.mtus && g.in_force.is_some())
        .collect();
    for (i, a) in dated.iter().enumerate() {
        for b in &dated[i + 1..] {
            if !a
                .names
                .iter()
                .any(|n| b.names.iter().any(|m| norm(n) == norm(m)))
            {
                continue;
            }
            let (fa, ua) = bounds(&a.id);
            let (fb, ub) = bounds(&b.id);
            let overlap = ua.is_none_or(|u| fb < u) && ub.is_none_or(|u| fa < u);
            assert!(!overlap, "{} and {} are both in force at once", a.id, b.id);
        }
    }
    // Every boundary names its source and how it was verified.
    for g in &dated {
        let f = g.in_force.as_ref().expect("in_force");
        for b in std::iter::once(&f.from).chain(&f.until) {
            assert!(
                !b.source.trim().is_empty(),
                "{}: boundary without a source",
                g.id
            );
        }
    }
}

#[test]
fn the_request_window_follows_injury_ur_date_and_dates_of_service() {
    let window = |fixture: &str| {
        let l = letter(fixture);
        CaseWindow::of(&l, &l.items[0])
    };
    // Prospective, injury long before: within the 14 days before the UR denial.
    let w = window("check/citation/cpmtg-2009-old-injury.txt");
    assert_eq!(w.request.earliest, Some(date("2017-01-05")));
    assert_eq!(w.request.latest, Some(date("2017-01-19")));
    assert_eq!(
        w.service.latest, None,
        "a prospective service is still to come"
    );
    // Retrospective with a date of service: the request follows the service, and
    // may be older than 14 days.
    let w = window("check/citation/cpmtg-2009-retrospective.txt");
    assert_eq!(w.retrospective, Some(Some(date("2016-07-01"))));
    assert_eq!(w.request.earliest, Some(date("2016-07-01")));
    assert_eq!(w.service.earliest, Some(date("2016-07-01")));
    assert_eq!(w.service.latest, Some(date("2016-07-01")));
    // No UR denial date: a later date bounds the request, and no 14-day rule applies.
    let w = window("check/citation/tens-under-tens.txt");
    assert!(!w.ur_date);
    assert_eq!(w.request.earliest, None);
    assert_eq!(w.request.latest, Some(date("2017-01-03")));
}

fn with_extra(name: &str, text: &str) -> Vec<String> {
    let sources = files::embedded()
        .into_iter()
        .chain(std::iter::once(RuleSource {
            name: name.into(),
            text: text.into(),
        }))
        .collect();
    match Rulebook::from_sources(sources) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .iter()
            .map(|e| format!("{} {}", e.code, e.message))
            .collect(),
    }
}

#[test]
fn validation_checks_in_force_dates() {
    let g = |from: &str, until: &str| {
        format!(
            "guidelines:\n  - id: g-x\n    title: X\n    mtus: true\n    names: [X guideline]\n    source: S\n    in_force:\n      from: {{date: \"{from}\", applies_to: request, source: S, verified: commentary}}\n      until: {{date: \"{until}\", applies_to: service, source: S, verified: unverified}}\n"
        )
    };
    assert_eq!(
        with_extra("x.yaml", &g("2009-07-18", "2016-07-29")),
        Vec::<String>::new()
    );
    let bad = with_extra("x.yaml", &g("2016-02-30", "2017-12-01"));
    assert!(
        bad.iter()
            .any(|e| e.starts_with("rulebook/bad-date x.yaml") && e.contains("2016-02-30")),
        "{bad:?}"
    );
    let bad = with_extra("x.yaml", &g("2017-12-01", "2016-07-29"));
    assert!(
        bad.iter()
            .any(|e| e.starts_with("rulebook/bad-in-force x.yaml")),
        "{bad:?}"
    );
    // An error-severity edition rule cannot rest on an unverified date.
    let rule = "rules:\n  - code: citation/edition-error\n    kind: citation\n    check: edition-in-force\n    severity: error\n    message: m\n    help: h\n    fixtures: {triggers: [a], passes: [b]}\n";
    let bad = with_extra(
        "x.yaml",
        &format!("{}{rule}", g("2009-07-18", "2016-07-29")),
    );
    assert!(
        bad.iter()
            .any(|e| e.starts_with("rulebook/unverified-error x.yaml")
                && e.contains("citation/edition-error")),
        "{bad:?}"
    );
}
