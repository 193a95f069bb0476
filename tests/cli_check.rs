//! `imrlint check`, `rules` and `explain` as a user runs them: output
//! formats (snapshots), selection, thresholds and exit codes.

use assert_cmd::Command;
use serde_json::Value;

fn imrlint() -> Command {
    let mut c = Command::cargo_bin("imrlint").expect("binary");
    c.env("NO_COLOR", "1");
    c
}

const UPHELD_BUT_NECESSARY: &str = "fixtures/check/conclusion/upheld-but-necessary.txt";
const CLEAN: &str = "fixtures/check/clean.txt";

fn stdout(args: &[&str]) -> (Option<i32>, String) {
    let out = imrlint().args(args).output().expect("runs");
    (
        out.status.code(),
        String::from_utf8(out.stdout).expect("utf8"),
    )
}

#[test]
fn json_output_follows_the_contract() {
    let (code, out) = stdout(&[
        "check",
        "--format",
        "json",
        "--select",
        "conclusion",
        UPHELD_BUT_NECESSARY,
        CLEAN,
    ]);
    assert_eq!(code, Some(1), "findings exit 1");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    insta::assert_json_snapshot!("check_json_conclusion", v);
    let f = &v["files"][0]["findings"][0];
    for key in [
        "code", "kind", "severity", "item", "message", "span", "labels", "help", "rule",
    ] {
        assert!(f.get(key).is_some(), "finding has {key}");
    }
    for key in ["offset", "length", "line", "column"] {
        assert!(f["span"].get(key).is_some(), "span has {key}");
    }
    assert_eq!(v["summary"]["files"], 2);
    assert_eq!(v["summary"]["findings"], 1);
}

#[test]
fn human_and_concise_output() {
    let (_, human) = stdout(&["check", "--select", "conclusion", UPHELD_BUT_NECESSARY]);
    insta::assert_snapshot!("check_human_conclusion", human);
    let (_, concise) = stdout(&[
        "check",
        "--format",
        "concise",
        "--select",
        "conclusion",
        UPHELD_BUT_NECESSARY,
    ]);
    assert_eq!(
        concise.trim(),
        "fixtures/check/conclusion/upheld-but-necessary.txt:17:85: error[conclusion/decision-contradicts-rationale] 'Naproxen 550mg #60' is Upheld, but its rationale concludes it is medically necessary"
    );
}

#[test]
fn exit_codes_selection_and_thresholds() {
    assert_eq!(stdout(&["check", CLEAN]).0, Some(0), "no findings exit 0");
    assert_eq!(
        stdout(&["check", "--ignore", "conclusion/", UPHELD_BUT_NECESSARY]).0,
        Some(0),
        "ignored by prefix"
    );
    assert_eq!(
        stdout(&[
            "check",
            "--ignore",
            "conclusion/decision-contradicts-rationale",
            UPHELD_BUT_NECESSARY
        ])
        .0,
        Some(0),
        "ignored by code"
    );
    assert_eq!(
        stdout(&["check", "--select", "structure", UPHELD_BUT_NECESSARY]).0,
        Some(0),
        "selected by kind"
    );
    // structure/no-evidence-no-basis is a warning: --min-severity error hides it.
    let no_evidence = "fixtures/check/structure/no-evidence.txt";
    assert_eq!(
        stdout(&["check", "--select", "structure", no_evidence]).0,
        Some(1)
    );
    assert_eq!(
        stdout(&[
            "check",
            "--select",
            "structure",
            "--min-severity",
            "error",
            no_evidence
        ])
        .0,
        Some(0)
    );
    assert_eq!(
        stdout(&["check", "no/such/file.txt", CLEAN]).0,
        Some(2),
        "an unreadable file exits 2"
    );
}

#[test]
fn a_broken_rulebook_exits_2_with_a_diagnostic() {
    let dir = std::env::temp_dir().join(format!("imrlint-bad-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    std::fs::write(dir.join("bad.yaml"), "rules:\n  - code: structure/x\n    kind: structure\n    check: missing-rationale\n    severity: loud\n").expect("write");
    let out = imrlint()
        .args(["check", "--rules", dir.to_str().expect("utf8"), CLEAN])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.yaml"), "{stderr}");
    assert!(stderr.contains("rulebook/yaml"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn rules_and_explain() {
    let (code, list) = stdout(&["rules"]);
    assert_eq!(code, Some(0));
    assert!(list.contains("conclusion/decision-contradicts-rationale"));
    let (code, text) = stdout(&["explain", "conclusion/decision-contradicts-rationale"]);
    assert_eq!(code, Some(0));
    assert!(
        text.contains("Examples that trigger it: check/conclusion/upheld-but-necessary.txt"),
        "{text}"
    );
    assert_eq!(stdout(&["explain", "no/such-rule"]).0, Some(2));
}

/// `rules --phrases` and `--patterns` list the rulebook's vocabulary, each
/// entry once, from the rule files (the batch benchmark feeds them to rg).
#[test]
fn rules_lists_the_phrases_and_patterns_the_rulebook_matches() {
    let (code, phrases) = stdout(&["rules", "--phrases"]);
    assert_eq!(code, Some(0));
    let phrases: Vec<&str> = phrases.lines().collect();
    // A concept term, a service name, a service synonym.
    for p in ["cauda equina", "MRI of the lumbar spine", "lumbar MRI"] {
        assert!(phrases.contains(&p), "{p} missing");
    }
    let unique: std::collections::HashSet<&str> = phrases.iter().copied().collect();
    assert_eq!(unique.len(), phrases.len(), "a phrase listed twice");

    let (code, patterns) = stdout(&["rules", "--patterns"]);
    assert_eq!(code, Some(0));
    let patterns: Vec<&str> = patterns.lines().collect();
    // The phrases come first, escaped; then the regexes, each a valid regex.
    assert!(patterns.len() > phrases.len());
    for (p, e) in phrases.iter().zip(&patterns) {
        assert_eq!(*e, regex::escape(p));
    }
    let regexes = &patterns[phrases.len()..];
    assert!(
        regexes.iter().any(|r| r.contains("years?[- ]old")),
        "regex concept term"
    );
    assert!(
        regexes.iter().any(|r| r.contains("NMES|neuromuscular")),
        "does_not_say"
    );
    for r in regexes {
        regex::Regex::new(r).unwrap_or_else(|e| panic!("{r}: {e}"));
    }
    assert_eq!(stdout(&["rules", "--phrases", "--patterns"]).0, Some(2));
}

/// The limit checks point at the quantity words: the request in the item
/// name, the number the rationale attributes to the guideline.
#[test]
fn limit_findings_point_at_the_numbers() {
    let beyond = "fixtures/check/criteria/pt-certified-beyond-limit.txt";
    let (code, human) = stdout(&[
        "check",
        "--select",
        "criteria/certified-beyond-limit",
        beyond,
    ]);
    assert_eq!(code, Some(1));
    insta::assert_snapshot!("check_human_beyond_limit", human);
    let misquoted = "fixtures/check/misstatement/pt-limit-misquoted.txt";
    let (_, out) = stdout(&[
        "check",
        "--format",
        "json",
        "--select",
        "misstatement/limit-misquoted",
        misquoted,
    ]);
    let v: Value = serde_json::from_str(&out).expect("JSON");
    let f = &v["files"][0]["findings"][0];
    let text = std::fs::read_to_string(misquoted).expect("fixture");
    let (o, l) = (
        f["span"]["offset"].as_u64().expect("offset") as usize,
        f["span"]["length"].as_u64().expect("length") as usize,
    );
    assert_eq!(&text[o..o + l], "6 visits");
    insta::assert_json_snapshot!("check_json_limit_misquoted", v);
}
