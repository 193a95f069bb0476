//! Every rule of the built-in rulebook fires on the fixtures that must
//! trigger it and stays silent on those that must not. One generic test, so
//! a rule added to `rules/` is tested by adding its fixtures.

use std::path::Path;

use imrlint::batch::Batch;
use imrlint::engine::Engine;
use imrlint::render::check::Checked;
use imrlint::render::sink::{End, Sink};
use imrlint::rulebook::{Rulebook, files};

fn book() -> Rulebook {
    Rulebook::from_sources(files::embedded()).unwrap_or_else(|errors| {
        let messages: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
        panic!(
            "the built-in rulebook does not validate:\n{}",
            messages.join("\n")
        )
    })
}

/// Counts the code's findings across the letters of a fixture directory, run as a batch audit.
struct Count<'a> {
    code: &'a str,
    n: usize,
}

impl Sink for Count<'_> {
    fn file(&mut self, c: &Checked) -> std::io::Result<()> {
        self.n += c.findings.iter().filter(|f| f.code == self.code).count();
        Ok(())
    }
    fn finish(&mut self, end: &End) -> std::io::Result<()> {
        self.n += end
            .inconsistencies
            .iter()
            .filter(|i| i.finding.code == self.code)
            .count();
        Ok(())
    }
}

fn findings_of(engine: &Engine, code: &str, fixture: &str) -> usize {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(fixture);
    if fixture.ends_with('/') {
        let inputs = imrlint::source::expand(&[path]);
        assert!(
            inputs.len() > 1,
            "fixture directory {fixture} holds several letters"
        );
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("pool");
        let selected = |r: &imrlint::rulebook::Rule| r.code == code;
        let batch = Batch {
            engine,
            selected: &selected,
            min: imrlint::rulebook::Severity::Info,
            audit: true,
            statistics: false,
        };
        let mut count = Count { code, n: 0 };
        let summary = batch
            .run(&mut inputs.into_iter(), &pool, &mut count, &|| {})
            .expect("runs");
        assert_eq!(summary.failed, 0, "{fixture}: every letter parses");
        return count.n;
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {fixture}: {e}"));
    let letter = imrlint::parse::parse(&text)
        .unwrap_or_else(|e| panic!("fixture {fixture} does not parse: {e}"));
    engine
        .evaluate(&letter, &text, &|r| r.code == code)
        .iter()
        .filter(|f| f.code == code)
        .count()
}

#[test]
fn every_rule_triggers_on_its_fixtures_and_only_there() {
    let book = book();
    let engine = Engine::new(&book);
    assert!(!book.rules.is_empty());
    let mut failures = Vec::new();
    for (_, rule) in &book.rules {
        for f in &rule.fixtures.triggers {
            if findings_of(&engine, &rule.code, f) == 0 {
                failures.push(format!("{} does not fire on {f}", rule.code));
            }
        }
        for f in &rule.fixtures.passes {
            let n = findings_of(&engine, &rule.code, f);
            if n > 0 {
                failures.push(format!(
                    "{} fires {n} time(s) on {f}, which must pass",
                    rule.code
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_broken_rule_file_is_reported_with_its_location() {
    let bad = files::embedded()
        .into_iter()
        .chain(std::iter::once(imrlint::rulebook::RuleSource {
            name: "extra.yaml".into(),
            text: "rules:\n  - code: citation/x\n    kind: citation\n    check: no-such-check\n    severity: error\n    message: m\n    help: h\n    colour: red\n    fixtures: {triggers: [a], passes: [b]}\n".into(),
        }))
        .collect();
    let errors = Rulebook::from_sources(bad).expect_err("unknown field rejected");
    assert!(
        errors
            .iter()
            .any(|e| e.message.starts_with("extra.yaml") && e.message.contains("colour")),
        "{:?}",
        errors.iter().map(|e| &e.message).collect::<Vec<_>>()
    );
    assert!(
        errors.iter().all(|e| !e.labels.is_empty()),
        "every error points into the YAML"
    );
}

#[test]
fn validation_catches_dangling_references_duplicates_and_unknown_checks() {
    let extra = imrlint::rulebook::RuleSource {
        name: "extra.yaml".into(),
        text: "rules:\n  - code: structure/missing-rationale\n    kind: structure\n    check: nonexistent\n    severity: error\n    message: m\n    help: h\n    sections: [nowhere/none]\n    fixtures: {triggers: [a], passes: [b]}\n".into(),
    };
    let errors = Rulebook::from_sources(files::embedded().into_iter().chain([extra]).collect())
        .expect_err("invalid");
    let codes: Vec<&str> = errors.iter().map(|e| e.code.as_str()).collect();
    for want in [
        "rulebook/duplicate-id",
        "rulebook/unknown-check",
        "rulebook/dangling-section",
    ] {
        assert!(codes.contains(&want), "{want} missing from {codes:?}");
    }
}

/// The three seed letters draw no finding from the built-in rulebook; their
/// mutated copies (flipped decision, wrong section, dropped guideline line,
/// false claim, NMES certified without stroke) each draw the finding of the
/// rule whose trigger fixtures list them.
#[test]
fn seeds_are_clean() {
    let book = book();
    let engine = Engine::new(&book);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/check/seeds");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures/check/seeds") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("seed");
        let letter = imrlint::parse::parse(&text).expect("seed parses");
        let findings = engine.evaluate(&letter, &text, &|_| true);
        assert!(
            findings.is_empty(),
            "{}: {:?}",
            path.display(),
            findings.iter().map(|f| &f.message).collect::<Vec<_>>()
        );
        n += 1;
    }
    assert_eq!(n, 3);
}

/// A mutated copy of a real shared letter (`check/mutated/<case>-<edit>.txt`)
/// draws its rule's finding only because of the edit: the unmutated letter in
/// `../shared/data/dwc-imr-letters/text/<case>.txt` draws none of that rule.
#[test]
fn mutated_real_letters_are_clean_before_the_edit() {
    let book = book();
    let engine = Engine::new(&book);
    let letters = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/dwc-imr-letters/text");
    let mut pairs = 0;
    let mut failures = Vec::new();
    for (_, rule) in &book.rules {
        for f in &rule.fixtures.triggers {
            let Some(name) = f.strip_prefix("check/mutated/") else {
                continue;
            };
            if !name.starts_with("CM") {
                continue;
            }
            let case = &name[..12];
            let original = letters.join(format!("{case}.txt"));
            let text = std::fs::read_to_string(&original)
                .unwrap_or_else(|e| panic!("{}: {e}", original.display()));
            let letter = imrlint::parse::parse(&text).expect("real letter parses");
            let n = engine
                .evaluate(&letter, &text, &|r| r.code == rule.code)
                .len();
            if n > 0 {
                failures.push(format!(
                    "{} fires {n} time(s) on the original {case}",
                    rule.code
                ));
            }
            pairs += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        pairs >= 10,
        "only {pairs} mutated real letters listed as triggers"
    );
}

/// Limits and patterns are validated too: a limit's `when` concept must
/// exist, and a `does_not_say` pattern may not be anchored (it is searched in
/// the whole rationale before each sentence).
#[test]
fn validation_catches_dangling_limit_concepts_and_anchored_patterns() {
    let extra = imrlint::rulebook::RuleSource {
        name: "extra.yaml".into(),
        text: "guidelines:\n  - id: test-guideline\n    title: T\n    mtus: true\n    names: [Test Guideline]\n    source: test\n    sections:\n      - id: s\n        title: S\n        status: recommended\n        facts:\n          - {id: f, text: t, source: test, verified: unverified}\n        limits:\n          - {id: l, unit: visits, max: 6, when: no-such-concept, fact: f}\n        does_not_say:\n          - {id: n, claim: c, pattern: '^TENS is recommended', fact: f}\n".into(),
    };
    let errors = Rulebook::from_sources(files::embedded().into_iter().chain([extra]).collect())
        .expect_err("invalid");
    let codes: Vec<&str> = errors.iter().map(|e| e.code.as_str()).collect();
    assert!(codes.contains(&"rulebook/dangling-concept"), "{codes:?}");
    assert!(codes.contains(&"rulebook/anchored-pattern"), "{codes:?}");
}

/// `--rules rules/` loads the same rulebook as the built-in one: the
/// clinical-context triggers under `rules/context/` are not rule files.
#[test]
fn the_rules_folder_loads_as_the_built_in_rulebook() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let from_dir = Rulebook::from_sources(files::read_dir(&dir).expect("rules/")).expect("valid");
    let built_in = book();
    assert_eq!(from_dir.rules.len(), built_in.rules.len());
    assert_eq!(from_dir.guidelines.len(), built_in.guidelines.len());
}

/// Validation only parses patterns; the engine compiles them when a letter
/// needs them, and would skip one that failed. Every built-in pattern must
/// therefore compile, within the automaton's size limit too.
#[test]
fn every_built_in_pattern_compiles() {
    let book = book();
    let mut n = 0;
    for (_, g) in &book.guidelines {
        for s in &g.sections {
            for d in &s.does_not_say {
                imrlint::engine::checks::rule_regex(&d.pattern)
                    .unwrap_or_else(|e| panic!("{}/{} {}: {e}", g.id, s.id, d.id));
                n += 1;
            }
        }
    }
    for (_, c) in &book.concepts {
        for t in c.terms.iter().filter(|_| c.regex) {
            imrlint::engine::checks::rule_regex(t).unwrap_or_else(|e| panic!("{}: {e}", c.id));
            n += 1;
        }
    }
    assert!(
        n > 50,
        "only {n} patterns: the rulebook did not load its guidelines"
    );
}

#[test]
fn validation_reports_a_pattern_that_does_not_parse() {
    let extra = imrlint::rulebook::RuleSource {
        name: "extra.yaml".into(),
        text: "guidelines:\n  - id: test-guideline\n    title: T\n    mtus: true\n    names: [Test Guideline]\n    source: test\n    sections:\n      - id: s\n        title: S\n        status: recommended\n        facts:\n          - {id: f, text: t, source: test, verified: unverified}\n        does_not_say:\n          - {id: n, claim: c, pattern: 'TENS (is recommended', fact: f}\n".into(),
    };
    let errors = Rulebook::from_sources(files::embedded().into_iter().chain([extra]).collect())
        .expect_err("invalid");
    let bad: Vec<_> = errors
        .iter()
        .filter(|e| e.code == "rulebook/bad-regex")
        .collect();
    assert_eq!(bad.len(), 1, "{errors:?}");
    assert!(
        bad[0].message.contains("pattern of 'n' does not compile"),
        "{}",
        bad[0].message
    );
    assert!(
        bad[0].message.contains("unclosed group"),
        "{}",
        bad[0].message
    );
}
