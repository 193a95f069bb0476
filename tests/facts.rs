//! `imrlint facts`: the concept mentions the checks see, by section, with
//! the cue that decided each one's assertion; spans slice the letter.

use assert_cmd::Command;
use serde_json::Value;

const LETTER: &str = "fixtures/check/mutated/CM17-0005246-denial-contradicted.txt";

fn facts_json(path: &str) -> Value {
    let out = Command::cargo_bin("imrlint")
        .expect("binary")
        .args(["facts", "--format", "json", path])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

fn find<'a>(section: &'a Value, concept: &str) -> Vec<&'a Value> {
    section["facts"]
        .as_array()
        .expect("facts")
        .iter()
        .filter(|f| f["concept"] == concept)
        .collect()
}

#[test]
fn facts_carry_assertions_cues_and_exact_spans() {
    let doc = facts_json(LETTER);
    let text = std::fs::read(LETTER).expect("letter");
    let sections = doc["sections"].as_array().expect("sections");
    assert_eq!(sections[0]["section"], "case-summary");
    assert_eq!(sections[1]["section"], "rationale");
    assert_eq!(sections[1]["item"], 1);

    // The mutation added "radiating pain" to the case summary; the rationale denies it.
    let summary = find(&sections[0], "radiculopathy");
    assert_eq!(summary.len(), 1, "{summary:?}");
    assert_eq!(summary[0]["assertion"], "affirmed");
    assert_eq!(summary[0]["span"]["text"], "radiating pain");
    let denied = find(&sections[1], "radiculopathy");
    assert!(!denied.is_empty());
    for f in &denied {
        assert_eq!(f["assertion"], "negated", "{f}");
        assert_eq!(f["negation"], "Negated");
        let deciding: Vec<&Value> = f["cues"]
            .as_array()
            .expect("cues")
            .iter()
            .filter(|c| c["decides"] == true)
            .collect();
        assert_eq!(deciding.len(), 1, "{f}");
        assert_eq!(deciding[0]["category"], "negated");
        assert_eq!(deciding[0]["trigger"]["text"], "no");
    }

    // Every span (fact, cue, scope, sentence) slices the letter's bytes.
    let mut checked = 0;
    let mut check = |s: &Value| {
        let (o, n) = (
            s["offset"].as_u64().unwrap() as usize,
            s["length"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            std::str::from_utf8(&text[o..o + n]).expect("utf-8"),
            s["text"].as_str().expect("text")
        );
        checked += 1;
    };
    for s in sections {
        for f in s["facts"].as_array().unwrap() {
            check(&f["span"]);
            check(&f["sentence"]);
            for c in f["cues"].as_array().unwrap() {
                check(&c["trigger"]);
                check(&c["scope"]);
            }
        }
    }
    assert!(checked > 20, "{checked}");
}

#[test]
fn text_listing_names_the_cue() {
    let out = Command::cargo_bin("imrlint")
        .expect("binary")
        .args(["facts", LETTER])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).expect("utf-8");
    assert!(s.contains("case summary"), "{s}");
    assert!(s.contains("item 1 rationale: MRI"), "{s}");
    assert!(
        s.lines().any(|l| l.contains("negated")
            && l.contains("radiculopathy")
            && l.contains("<- \"no\"")),
        "{s}"
    );
}

#[test]
fn a_missing_file_is_named_and_the_others_still_listed() {
    let out = Command::cargo_bin("imrlint")
        .expect("binary")
        .args(["facts", "no-such-letter.txt", LETTER])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no-such-letter.txt"), "{err}");
    assert!(err.contains("not-found"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("radiculopathy"));
}
