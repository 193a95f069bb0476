//! The configuration file, `imrlint.toml`, as a user meets it: discovery
//! from the working directory upward, `--config` and `--isolated`,
//! precedence (command line > file > defaults), `[severity]` overrides
//! reaching findings, exit codes and `imrlint lsp`, errors that name the file
//! and line, `imrlint config`, and paths relative to the file.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{Value, json};
use tempfile::TempDir;

/// Triggers only `citation/non-mtus-without-reason`, a warning in the rulebook.
const TENS_ODG: &str = "fixtures/check/citation/tens-odg-only.txt";
const NON_MTUS: &str = "citation/non-mtus-without-reason";

fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(rel)
        .display()
        .to_string()
}

fn imrlint(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("imrlint").expect("binary");
    c.env("NO_COLOR", "1").current_dir(dir);
    c
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let out = imrlint(dir).args(args).output().expect("runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("utf8"),
        stderr: String::from_utf8(out.stderr).expect("utf8"),
    }
}

/// A temporary directory holding `imrlint.toml` with `config`, and `a/b` below it.
fn project(config: &str) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("imrlint.toml"), config).expect("write config");
    let sub = dir.path().join("a").join("b");
    std::fs::create_dir_all(&sub).expect("subdirectories");
    (dir, sub)
}

/// `check --format json` of the TENS letter: (exit code, the findings' (code, severity)).
fn severities(dir: &Path, extra: &[&str]) -> (Option<i32>, Vec<(String, String)>) {
    let letter = fixture(TENS_ODG);
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(&letter);
    let r = run(dir, &args);
    let v: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| {
        panic!("JSON ({e}): {}\nstderr: {}", r.stdout, r.stderr);
    });
    let found = v["files"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (r.code, found)
}

const PROMOTE: &str = "[severity]\n\"citation/non-mtus-without-reason\" = \"error\"\n";

#[test]
fn the_rulebook_severity_without_a_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let (code, found) = severities(dir.path(), &[]);
    assert_eq!(code, Some(1));
    assert_eq!(found, vec![(NON_MTUS.to_string(), "warning".to_string())]);
}

#[test]
fn discovered_from_a_subdirectory_and_the_severity_override_reaches_findings() {
    let (_dir, sub) = project(PROMOTE);
    let (code, found) = severities(&sub, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(found, vec![(NON_MTUS.to_string(), "error".to_string())]);

    // Exit code: at --min-severity error the warning does not count, the promoted error does.
    let empty = tempfile::tempdir().unwrap();
    let letter = fixture(TENS_ODG);
    let args = [
        "check",
        "--min-severity",
        "error",
        "--format",
        "concise",
        &letter,
    ];
    assert_eq!(run(empty.path(), &args).code, Some(0));
    let promoted = run(&sub, &args);
    assert_eq!(promoted.code, Some(1));
    assert!(
        promoted.stdout.contains(&format!("error[{NON_MTUS}]")),
        "{}",
        promoted.stdout
    );

    // Every format sees it: SARIF gives the result level and the rule's default level.
    let sarif = run(&sub, &["check", "--format", "sarif", &letter]);
    let v: Value = serde_json::from_str(&sarif.stdout).expect("SARIF is JSON");
    let runs = &v["runs"][0];
    assert_eq!(runs["results"][0]["level"], "error");
    let rule = runs["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == NON_MTUS)
        .expect("the rule is listed");
    assert_eq!(rule["defaultConfiguration"]["level"], "error");
}

#[test]
fn the_nearest_file_wins() {
    // The parent's file is invalid: reading it would exit 2.
    let (dir, sub) = project("not-a-key = 1\n");
    std::fs::write(sub.join("imrlint.toml"), "min-severity = \"error\"\n").unwrap();
    let (code, found) = severities(&sub, &[]);
    assert_eq!((code, found), (Some(0), vec![]));
    // From the parent directory, the parent's file applies.
    let r = run(dir.path(), &["check", &fixture(TENS_ODG)]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("unknown key `not-a-key`"), "{}", r.stderr);
}

#[test]
fn config_flag_and_isolated() {
    let (dir, sub) = project("bad-key = true\n");
    let team = dir.path().join("team.toml");
    std::fs::write(&team, PROMOTE).unwrap();
    let team = team.display().to_string();
    // --config replaces discovery (the discovered file is invalid).
    let (code, found) = severities(&sub, &["--config", &team]);
    assert_eq!(code, Some(1));
    assert_eq!(found[0].1, "error");
    // --isolated and --no-config ignore every file.
    for flag in ["--isolated", "--no-config"] {
        let (code, found) = severities(&sub, &[flag]);
        assert_eq!(code, Some(1), "{flag}");
        assert_eq!(found[0].1, "warning", "{flag}");
    }
    // A --config file that does not exist is an error.
    let r = run(
        &sub,
        &["check", "--config", "missing.toml", &fixture(TENS_ODG)],
    );
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("missing.toml"), "{}", r.stderr);
}

#[test]
fn the_command_line_overrides_the_file() {
    let (_dir, sub) =
        project("min-severity = \"error\"\nformat = \"concise\"\nselect = [\"structure\"]\n");
    let letter = fixture(TENS_ODG);
    // From the file: only structure rules, only errors, concise output.
    let r = run(&sub, &["check", &letter]);
    assert_eq!(r.code, Some(0), "{}", r.stdout);
    assert_eq!(r.stdout, "");
    // Each flag replaces its key.
    let r = run(
        &sub,
        &[
            "check",
            "--select",
            "citation",
            "--min-severity",
            "warning",
            &letter,
        ],
    );
    assert_eq!(r.code, Some(1));
    assert!(
        r.stdout
            .starts_with(&format!("{letter}:17:20: warning[{NON_MTUS}]")),
        "concise from the file: {}",
        r.stdout
    );
    let (code, found) = severities(&sub, &["--select=", "--min-severity", "info"]);
    assert_eq!(code, Some(1), "`--select=` selects every rule again");
    assert_eq!(found.len(), 1);
}

#[test]
fn off_removes_the_rule() {
    let (_dir, sub) = project("[severity]\n\"citation/non-mtus-without-reason\" = \"off\"\n");
    assert_eq!(severities(&sub, &[]), (Some(0), vec![]));
    let r = run(&sub, &["check", "--format", "sarif", &fixture(TENS_ODG)]);
    assert!(!r.stdout.contains(NON_MTUS), "not listed among SARIF rules");
}

/// A configuration that must be refused: exit 2, nothing checked, and stderr naming the file, line and problem.
fn refused(config: &str, expect: &[&str]) {
    let (dir, sub) = project(config);
    let r = run(&sub, &["check", "--format", "json", &fixture(TENS_ODG)]);
    assert_eq!(r.code, Some(2), "stderr: {}", r.stderr);
    assert_eq!(r.stdout, "", "nothing was checked");
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    let file = dir.path().join("imrlint.toml").display().to_string();
    for e in expect {
        let e = e.replace("FILE", &file);
        assert!(r.stderr.contains(&e), "expected {e:?} in:\n{}", r.stderr);
    }
}

#[test]
fn unknown_keys_codes_and_bad_values_exit_2_naming_file_and_line() {
    refused(
        "# settings\nselct = [\"citation\"]\n",
        &["FILE:2:1: unknown key `selct`", "did you mean `select`?"],
    );
    refused(
        "select = []\n\n[severity]\n\"citation/non-mtus-without-reasons\" = \"error\"\n",
        &[
            "FILE:4:1: unknown rule code `citation/non-mtus-without-reasons` in [severity]",
            "did you mean `citation/non-mtus-without-reason`?",
        ],
    );
    refused(
        "min-severity = \"fatal\"\n",
        &["FILE:1:16: bad value for `min-severity`: expected one of info, warning, error"],
    );
    refused(
        "[severity]\n\"citation/non-mtus-without-reason\" = \"eror\"\n",
        &[
            "FILE:2:",
            "expected one of error, warning, info, off",
            "did you mean `error`?",
        ],
    );
    refused(
        "select = \"citation\"\n",
        &["FILE:1:10: bad value for `select`: expected a list of strings"],
    );
    refused("format = \"xml\"\n", &["FILE:1:10: bad value for `format`"]);
    refused(
        "select = [\"a\"\nignore = []\n",
        &["FILE:2:1: invalid TOML"],
    );
    refused("[lint]\nselect = []\n", &["FILE:1:2: unknown key `lint`"]);
}

#[test]
fn config_shows_values_and_origins() {
    let (dir, sub) = project(
        "# team\nselect = [\"citation\", \"conclusion/\"]\nmin-severity = \"warning\"\n\n[severity]\n\"citation/non-mtus-without-reason\" = \"error\"\n",
    );
    let file = dir.path().join("imrlint.toml").display().to_string();
    let r = run(&sub, &["config", "--ignore", "criteria"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], format!("configuration file: {file}"));
    let row = |key: &str| {
        let line = lines
            .iter()
            .find(|l| l.starts_with(key))
            .unwrap_or_else(|| panic!("a row for {key}:\n{}", r.stdout));
        line.split("  ")
            .filter(|c| !c.is_empty())
            .map(str::trim)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        row("select "),
        vec!["select", "citation, conclusion/", &format!("{file}:2")]
    );
    assert_eq!(row("ignore "), vec!["ignore", "criteria", "command line"]);
    assert_eq!(
        row("min-severity "),
        vec!["min-severity", "warning", &format!("{file}:3")]
    );
    assert_eq!(row("format "), vec!["format", "human", "default"]);
    assert_eq!(row("rules "), vec!["rules", "built-in", "default"]);
    assert_eq!(
        row("severity.\""),
        vec![
            &format!("severity.\"{NON_MTUS}\""),
            "error",
            "warning",
            &format!("{file}:6")
        ]
    );

    let r = run(
        &sub,
        &["config", "--format", "json", "--min-severity", "error"],
    );
    let v: Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(v["file"], json!(file));
    assert_eq!(
        v["settings"]["select"],
        json!({"value": ["citation", "conclusion/"], "source": "file", "file": file, "line": 2,
               "origin": format!("{file}:2")})
    );
    assert_eq!(
        v["settings"]["min-severity"],
        json!({"value": "error", "source": "command-line", "origin": "command line"})
    );
    assert_eq!(
        v["settings"]["format"],
        json!({"value": "human", "source": "default", "origin": "default"})
    );
    assert_eq!(v["severity"][0]["code"], NON_MTUS);
    assert_eq!(v["severity"][0]["value"], "error");
    assert_eq!(v["severity"][0]["rulebook"], "warning");
    assert_eq!(v["severity"][0]["line"], 6);

    let r = run(&sub, &["config", "--isolated"]);
    assert!(
        r.stdout
            .starts_with("configuration file: none (--isolated)"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains(&file));

    // `imrlint config` refuses what `check` refuses.
    std::fs::write(dir.path().join("imrlint.toml"), "min-severity = 3\n").unwrap();
    assert_eq!(run(&sub, &["config"]).code, Some(2));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

#[test]
fn rule_paths_are_relative_to_the_configuration_file() {
    let (dir, sub) = project("rules = \"book\"\nextend-rules = [\"team\"]\n");
    // A copy of the rulebook in which the TENS rule is info.
    let book = dir.path().join("book");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"), &book);
    let citation = book.join("checks").join("citation.yaml");
    let text = std::fs::read_to_string(&citation).unwrap();
    let at = text.find(&format!("code: {NON_MTUS}")).expect("the rule");
    let (head, tail) = text.split_at(at);
    let tail = tail.replacen("severity: warning", "severity: info", 1);
    std::fs::write(&citation, format!("{head}{tail}")).unwrap();
    let team = dir.path().join("team");
    std::fs::create_dir_all(&team).unwrap();
    std::fs::write(team.join("team.yaml"), "rules: []\n").unwrap();

    // Run from a/b: the paths resolve against the file's directory, not the working directory.
    let (code, found) = severities(&sub, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(found, vec![(NON_MTUS.to_string(), "info".to_string())]);
    let r = run(&sub, &["config", "--format", "json"]);
    let v: Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(
        v["settings"]["rules"]["value"],
        json!(book.display().to_string())
    );
    assert_eq!(
        v["settings"]["extend-rules"]["value"],
        json!([team.display().to_string()])
    );

    // A missing directory: exit 2, and the message says which line set it.
    std::fs::write(dir.path().join("imrlint.toml"), "\nrules = \"nowhere\"\n").unwrap();
    let r = run(&sub, &["check", &fixture(TENS_ODG)]);
    assert_eq!(r.code, Some(2));
    let file = dir.path().join("imrlint.toml").display().to_string();
    assert!(
        r.stderr.contains(&format!("`rules` is set at {file}:2")),
        "{}",
        r.stderr
    );
}

/// Frames LSP messages with `Content-Length` headers.
fn frames(messages: &[Value]) -> String {
    messages
        .iter()
        .map(|m| {
            let body = m.to_string();
            format!("Content-Length: {}\r\n\r\n{body}", body.len())
        })
        .collect()
}

#[test]
fn lsp_reads_the_configuration_of_its_working_directory() {
    let (_dir, sub) = project(PROMOTE);
    let text = std::fs::read_to_string(fixture(TENS_ODG)).unwrap();
    let uri = "file:///letters/tens.txt";
    let input = frames(&[
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
        json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "plaintext", "version": 1, "text": text}}}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}),
        json!({"jsonrpc": "2.0", "method": "exit"}),
    ]);
    let severity_of = |dir: &Path| {
        let out = imrlint(dir)
            .arg("lsp")
            .write_stdin(input.clone())
            .timeout(std::time::Duration::from_secs(30))
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0));
        let stdout = String::from_utf8(out.stdout).unwrap();
        let published = stdout
            .split("Content-Length: ")
            .filter_map(|f| f.split_once("\r\n\r\n"))
            .map(|(_, body)| serde_json::from_str::<Value>(body).expect("JSON"))
            .find(|m| m["method"] == "textDocument/publishDiagnostics")
            .expect("diagnostics published");
        let d = &published["params"]["diagnostics"][0];
        assert_eq!(d["code"], NON_MTUS);
        d["severity"].as_i64()
    };
    assert_eq!(severity_of(&sub), Some(1), "error, from the configuration");
    assert_eq!(
        severity_of(tempfile::tempdir().unwrap().path()),
        Some(2),
        "warning without one"
    );
}

/// `rules` and `explain` show the rulebook `check` would use: the
/// configuration's severities, unless `--isolated`.
#[test]
fn rules_and_explain_show_the_configured_severities() {
    let (_dir, sub) = project(
        "[severity]\n\"citation/non-mtus-without-reason\" = \"error\"\n\"criteria/nmes-without-stroke\" = \"off\"\n",
    );
    let line = |args: &[&str]| {
        let r = run(&sub, args);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        r.stdout
    };
    let listed = line(&["rules"]);
    let row = listed
        .lines()
        .find(|l| l.starts_with(NON_MTUS))
        .expect("listed");
    assert!(row.contains(" error "), "{row}");
    assert!(
        !listed.contains("criteria/nmes-without-stroke"),
        "an `off` rule is not listed"
    );
    let isolated = line(&["rules", "--isolated"]);
    let row = isolated
        .lines()
        .find(|l| l.starts_with(NON_MTUS))
        .expect("listed");
    assert!(row.contains(" warning "), "{row}");
    assert!(isolated.contains("criteria/nmes-without-stroke"));
    assert!(
        line(&["explain", NON_MTUS])
            .lines()
            .next()
            .unwrap()
            .contains("(citation, error)")
    );
}
