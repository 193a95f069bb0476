//! CI integrations: the pre-commit hooks (`.pre-commit-hooks.yaml`) and the
//! example GitHub Actions workflow (`docs/github-actions.yml`). What can run
//! here runs: the hooks' entry command, on the files their pattern selects,
//! and the workflow's imrlint command, whose SARIF the upload step sends.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(root().join(path)).expect(path);
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{path} is not YAML: {e}"))
}

fn imrlint() -> Command {
    let mut c = Command::cargo_bin("imrlint").expect("binary");
    c.current_dir(root()).env("NO_COLOR", "1");
    c
}

fn hooks() -> Vec<Value> {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_array().expect("a list of hooks").clone();
    assert!(!hooks.is_empty());
    hooks
}

/// The command a hook runs: the program and its arguments.
fn entry(hook: &Value) -> (String, Vec<String>) {
    let entry = hook["entry"].as_str().expect("entry");
    let mut words = entry.split_whitespace().map(String::from);
    let program = words.next().expect("a program");
    (program, words.collect())
}

#[test]
fn every_hook_is_well_formed() {
    for h in hooks() {
        for key in ["id", "name", "entry", "language", "files"] {
            assert!(h[key].is_string(), "hook {h} has `{key}`");
        }
        assert!(
            ["rust", "system"].contains(&h["language"].as_str().unwrap()),
            "{h}"
        );
        let (program, args) = entry(&h);
        assert_eq!(program, "imrlint");
        assert_eq!(args, ["check"]);
        // pre-commit's `files` is a Python regex; this one means the same in Rust.
        let files = regex::Regex::new(h["files"].as_str().unwrap()).expect("files pattern");
        for letter in [
            "letters/CM17-0001064.txt",
            "drafts/letter.md",
            "scans/CM16-1.pdf",
        ] {
            assert!(files.is_match(letter), "{letter}");
        }
        for other in ["src/main.rs", "letters/CM17.docx", "notes.txt.bak"] {
            assert!(!files.is_match(other), "{other}");
        }
    }
}

#[test]
fn the_hook_entry_runs() {
    for h in hooks() {
        let (_, args) = entry(&h);
        imrlint()
            .args(&args)
            .arg("--help")
            .assert()
            .success()
            .stdout(predicates::str::contains("Usage: imrlint check"));
        // pre-commit appends the staged files: a clean letter passes, a letter with
        // a finding fails the commit, and so does a file that is not a letter.
        imrlint()
            .args(&args)
            .arg("fixtures/check/clean.txt")
            .assert()
            .code(0);
        imrlint()
            .args(&args)
            .args([
                "fixtures/check/clean.txt",
                "fixtures/check/citation/cpmtg-2009-cited-2017.txt",
            ])
            .assert()
            .code(1);
        imrlint()
            .args(&args)
            .arg("rules/README.md")
            .assert()
            .code(2);
    }
}

#[test]
fn the_github_workflow_uploads_the_sarif_imrlint_writes() {
    let wf = yaml("docs/github-actions.yml");
    assert_eq!(wf["permissions"]["security-events"], "write");
    let steps = wf["jobs"]["letters"]["steps"].as_array().expect("steps");
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("an upload-sarif step");
    assert_eq!(
        upload["if"], "always()",
        "findings are uploaded even when the check fails"
    );
    let sarif_file = upload["with"]["sarif_file"].as_str().expect("sarif_file");
    // The imrlint command of the check step, run here on fixtures instead of `letters/`.
    let line = steps
        .iter()
        .filter_map(|s| s["run"].as_str())
        .flat_map(str::lines)
        .map(str::trim)
        .find(|l| l.starts_with("imrlint check"))
        .expect("a step runs imrlint check");
    let (command, target) = line.split_once(" > ").expect("output redirected");
    assert_eq!(target, sarif_file);
    let args: Vec<&str> = command.split_whitespace().skip(1).collect();
    assert!(args.contains(&"letters/"));
    let args: Vec<&str> = args
        .iter()
        .map(|a| {
            if *a == "letters/" {
                "fixtures/check/citation/"
            } else {
                a
            }
        })
        .collect();
    let out = imrlint().args(&args).output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "findings on the citation fixtures"
    );
    let log: Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "citation/edition-not-in-force"),
        "the SARIF log carries the findings"
    );
    assert!(Path::new(&root().join("docs/github-actions.yml")).exists());
}
