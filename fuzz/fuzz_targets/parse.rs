//! Fuzz target: arbitrary bytes → `source::from_bytes` → `parse::parse`.
//!
//! Checks that neither panics (nor overflows, loops or aborts), and that every
//! span of a parsed letter lies within the text and on char boundaries. The
//! deeper value checks (folded slice == value) are in `tests/properties.rs`.
#![no_main]

use imrlint::model::{GuidelineLine, Letter};
use imrlint::span::Span;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = imrlint::source::from_bytes("fuzz".into(), data) else {
        return;
    };
    let text = src.text.as_str();
    match imrlint::parse::parse(text) {
        Ok(letter) => check_letter(text, &letter),
        Err(e) => {
            if let Some(span) = e.span() {
                check(text, span, "error span");
            }
        }
    }
});

fn check(text: &str, span: Span, what: &str) {
    let (s, e) = (span.offset, span.end());
    assert!(
        e <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(e),
        "{what}: span {s}..{e} does not fit the text ({} bytes) on char boundaries",
        text.len()
    );
}

fn check_line(text: &str, g: &GuidelineLine) {
    check(text, g.text.span, "guideline line");
    if let Some(s) = g.no_evidence {
        check(text, s, "no_evidence");
    }
    for c in &g.mtus {
        check(text, c.span, "mtus citation");
        check(text, c.guideline.span, "mtus guideline");
        for s in &c.sections {
            check(text, s.span, "mtus section");
        }
        for p in &c.pages {
            check(text, p.span, "mtus pages");
        }
        if let Some(y) = &c.year {
            check(text, y.span, "mtus year");
        }
        if let Some(ch) = &c.acoem_chapter {
            check(text, ch.span, "acoem chapter");
        }
    }
    for n in &g.non_mtus {
        check(text, n.span, "non-mtus");
    }
}

fn check_letter(text: &str, l: &Letter) {
    let d = &l.dates;
    for (v, what) in [
        (&l.case_number, "case number"),
        (&l.priority, "priority"),
        (&l.case_summary, "case summary"),
    ] {
        if let Some(v) = v {
            check(text, v.span, what);
        }
    }
    for v in [
        &d.assigned,
        &d.decision,
        &d.injury,
        &d.ur_denial,
        &d.application_received,
    ]
    .into_iter()
    .flatten()
    {
        check(text, v.span, "date");
    }
    for v in l.reviewer.licensure.iter().chain(&l.reviewer.specialties) {
        check(text, v.span, "reviewer");
    }
    if let Some(a) = &l.patient.age {
        check(text, a.span, "age");
    }
    if let Some(s) = &l.patient.sex {
        check(text, s.span, "sex");
    }
    for s in &l.sections {
        check(text, s.heading, "section heading");
        check(text, s.body, "section body");
    }
    for it in &l.items {
        check(text, it.span, "item");
        check(text, it.header, "item header");
        check(text, it.name.span, "item name");
        check(text, it.decision.span, "item decision");
        for v in [&it.original_request, &it.authorized, &it.rationale]
            .into_iter()
            .flatten()
        {
            check(text, v.span, "item text");
        }
        if let Some(c) = it.conclusion_span {
            check(text, c, "conclusion");
        }
        for g in [&it.claims_administrator, &it.maximus].into_iter().flatten() {
            check_line(text, g);
        }
    }
}
