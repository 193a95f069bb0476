//! `check` and `audit` on batches: the same output for any thread count,
//! every input accounted for, streaming formats, sampling and tables.

use assert_cmd::Command;
use serde_json::Value;

fn imrlint() -> Command {
    let mut c = Command::cargo_bin("imrlint").expect("binary");
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

const LETTERS: &str = "../shared/data/dwc-imr-letters/text";

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = imrlint().args(args).output().expect("runs");
    (
        out.status.code(),
        String::from_utf8(out.stdout).expect("utf8"),
        String::from_utf8(out.stderr).expect("utf8"),
    )
}

#[test]
fn output_is_the_same_for_any_thread_count() {
    for format in ["json", "concise", "jsonl", "github"] {
        let (_, one, _) = run(&["audit", "--format", format, "--threads", "1", LETTERS]);
        let (_, two, _) = run(&["audit", "--format", format, "--threads", "2", LETTERS]);
        let (_, four, _) = run(&["audit", "--format", format, "--threads", "4", LETTERS]);
        assert!(!one.is_empty());
        assert_eq!(one, two, "{format}: 1 vs 2 threads");
        assert_eq!(one, four, "{format}: 1 vs 4 threads");
    }
}

#[test]
fn every_input_is_accounted_for_and_one_bad_file_hides_nothing() {
    let dir = std::env::temp_dir().join(format!("imrlint-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("a-empty.txt"), "").expect("write");
    std::fs::write(dir.join("b-binary.txt"), [0u8, 159, 146, 150, 0, 1]).expect("write");
    std::fs::copy(
        "fixtures/check/conclusion/upheld-but-necessary.txt",
        dir.join("c-letter.txt"),
    )
    .expect("copy");
    std::fs::write(dir.join("d-not-a-letter.txt"), "Dear Sir,\nThank you.\n").expect("write");
    let d = dir.to_string_lossy().to_string();
    let (code, out, _) = run(&["check", "--format", "json", &d, "no/such/file.txt"]);
    assert_eq!(code, Some(2), "a file could not be used");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    let s = &v["summary"];
    assert_eq!(s["files"], 5);
    assert_eq!(s["checked"], 1);
    assert_eq!(s["failed"], 4);
    let failures = s["failures"].as_array().expect("failures");
    assert_eq!(failures.len(), 4);
    for f in failures {
        assert!(f["path"].is_string() && f["code"].is_string() && f["message"].is_string());
    }
    assert!(failures.iter().any(|f| f["path"] == "no/such/file.txt"));
    // The letter among the bad files is still checked and its finding reported.
    let files = v["files"].as_array().expect("files");
    assert_eq!(files.len(), 5);
    let letter = files
        .iter()
        .find(|f| {
            f["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("c-letter.txt"))
        })
        .expect("letter");
    assert_eq!(letter["findings"].as_array().map(Vec::len), Some(1));
    // People-facing formats list the failures with their reasons on stderr.
    let (_, _, err) = run(&["check", "--format", "concise", &d]);
    assert!(err.contains("4 files given, 1 checked, 3 failed"), "{err}");
    assert_eq!(err.matches("failed: ").count(), 3, "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn jsonl_streams_one_object_per_line_and_ends_with_the_summary() {
    let (code, out, _) = run(&["check", "--format", "jsonl", LETTERS]);
    assert_eq!(code, Some(1));
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("line is JSON"))
        .collect();
    let last = lines.last().expect("lines");
    assert_eq!(last["type"], "summary");
    let findings = lines.iter().filter(|l| l["type"] == "finding").count();
    assert_eq!(last["findings"].as_u64(), Some(findings as u64));
    for l in lines.iter().filter(|l| l["type"] == "finding") {
        for key in [
            "path", "code", "kind", "severity", "item", "message", "span", "labels", "help", "rule",
        ] {
            assert!(l.get(key).is_some(), "finding line has {key}");
        }
    }
}

#[test]
fn samples_are_reproducible() {
    let pick = |seed: &str| {
        let (_, out, _) = run(&[
            "check", "--format", "json", "--sample", "10", "--seed", seed, LETTERS,
        ]);
        let v: Value = serde_json::from_str(&out).expect("JSON");
        assert_eq!(v["summary"]["files"], 10);
        v["files"]
            .as_array()
            .expect("files")
            .iter()
            .map(|f| f["path"].as_str().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(pick("3"), pick("3"));
    assert_ne!(pick("3"), pick("4"));
}

#[test]
fn audit_reports_inconsistency_and_tables() {
    let (code, out, _) = run(&[
        "audit",
        "--format",
        "json",
        "fixtures/check/inconsistency/same-facts",
    ]);
    assert_eq!(code, Some(1));
    let v: Value = serde_json::from_str(&out).expect("JSON");
    let inc = v["inconsistencies"].as_array().expect("inconsistencies");
    assert_eq!(inc.len(), 1);
    assert_eq!(inc[0]["kind"], "inconsistency");
    assert!(
        inc[0]["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("c.txt"))
    );
    assert_eq!(inc[0]["others"].as_array().map(Vec::len), Some(2));
    let rows = v["audit"]["by_service"].as_array().expect("by_service");
    let knee = rows
        .iter()
        .find(|r| r["service"] == "MRI of the knee")
        .expect("knee row");
    assert_eq!(
        (
            knee["items"].as_u64(),
            knee["upheld"].as_u64(),
            knee["overturned"].as_u64()
        ),
        (Some(3), Some(1), Some(2))
    );
    assert_eq!(v["summary"]["by_kind"]["inconsistency"], 1);
    // `check` compares no letters with each other.
    let (_, out, _) = run(&[
        "check",
        "--format",
        "json",
        "fixtures/check/inconsistency/same-facts",
    ]);
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert!(v.get("inconsistencies").is_none());
}

#[test]
fn statistics_print_counts_per_code() {
    let (_, out, _) = run(&["check", "--format", "concise", "--statistics", LETTERS]);
    assert!(out.contains("Findings by code:"));
    assert!(
        out.lines().any(|l| l
            .trim_start()
            .starts_with("3  citation/chapter-not-for-body-part")),
        "{out}"
    );
}
