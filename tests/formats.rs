//! `--format sarif` and `--format junit` as a user runs them: the SARIF log
//! is validated against the official SARIF 2.1.0 JSON schema
//! (tests/data/sarif-2.1.0.schema.json, see tests/data/README.md), and the
//! JUnit XML is parsed and its structure checked.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{Value, json};

const UPHELD_BUT_NECESSARY: &str = "fixtures/check/conclusion/upheld-but-necessary.txt";
const CLEAN: &str = "fixtures/check/clean.txt";
const MISSING: &str = "fixtures/check/no-such-letter.txt";
const SAME_FACTS: &str = "fixtures/check/inconsistency/same-facts/";

fn imrlint() -> Command {
    let mut c = Command::cargo_bin("imrlint").expect("binary");
    c.env("NO_COLOR", "1");
    c
}

/// Runs imrlint from `dir` (the package root when `None`): exit code and standard output.
fn run_in(dir: Option<&Path>, args: &[&str]) -> (Option<i32>, String) {
    let mut c = imrlint();
    if let Some(d) = dir {
        c.current_dir(d);
    }
    let out = c.args(args).output().expect("runs");
    (
        out.status.code(),
        String::from_utf8(out.stdout).expect("utf8"),
    )
}

fn run(args: &[&str]) -> (Option<i32>, String) {
    run_in(None, args)
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("formats-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

// ---------------------------------------------------------------- SARIF

/// The `language` pattern of the official schema (of `run` and of
/// `toolComponent`) has a stray `]`. ECMA-262 (Annex B) reads a lone `]` as
/// itself, but the `jsonschema` crate checks patterns strictly against the
/// draft-07 meta-schema (`format: regex`) and refuses the schema. The file
/// is kept as published; here the `]` is escaped, which means the same.
const LANGUAGE_PATTERN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
const LANGUAGE_PATTERN_ESCAPED: &str = r"^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\]?$";

fn escape_language_pattern(v: &mut Value) -> usize {
    match v {
        Value::Object(m) => {
            let mut n = 0;
            for (k, x) in m.iter_mut() {
                if k == "pattern" && *x == LANGUAGE_PATTERN {
                    *x = json!(LANGUAGE_PATTERN_ESCAPED);
                    n += 1;
                } else {
                    n += escape_language_pattern(x);
                }
            }
            n
        }
        Value::Array(a) => a.iter_mut().map(escape_language_pattern).sum(),
        _ => 0,
    }
}

fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string("tests/data/sarif-2.1.0.schema.json").expect("schema");
    let mut schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    assert_eq!(
        schema["$schema"], "http://json-schema.org/draft-07/schema#",
        "the SARIF schema is draft-07"
    );
    assert_eq!(
        schema["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    );
    assert_eq!(escape_language_pattern(&mut schema), 2);
    jsonschema::draft7::options()
        // Formats (`uri`, `uri-reference`, ...) are assertions, not annotations.
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

/// Parses a SARIF log and asserts it is valid against the schema.
fn valid_sarif(v: &jsonschema::Validator, out: &str) -> Value {
    let log: Value = serde_json::from_str(out).expect("SARIF output is JSON");
    let errors: Vec<String> = v
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF output is not valid SARIF 2.1.0:\n{}\n{out}",
        errors.join("\n")
    );
    log
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).expect("hex"));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf8")
}

#[test]
fn sarif_check_output_is_valid_sarif_2_1_0() {
    let v = sarif_validator();
    let (code, out) = run(&[
        "check",
        "--format",
        "sarif",
        UPHELD_BUT_NECESSARY,
        CLEAN,
        MISSING,
    ]);
    assert_eq!(code, Some(2), "a failed input exits 2");
    let log = valid_sarif(&v, &out);
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(
        log["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let runs = log["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let run0 = &runs[0];
    let driver = &run0["tool"]["driver"];
    assert_eq!(driver["name"], "imrlint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().expect("rules");
    assert!(rules.len() > 5, "the rulebook's rules are described");

    // The same findings as the JSON contract, at the same places.
    let (_, json_out) = run(&["check", "--format", "json", UPHELD_BUT_NECESSARY, CLEAN]);
    let json: Value = serde_json::from_str(&json_out).expect("JSON");
    let expected: Vec<&Value> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["findings"].as_array().unwrap())
        .collect();
    let results = run0["results"].as_array().expect("results");
    assert!(!results.is_empty());
    assert_eq!(results.len(), expected.len());
    for (r, f) in results.iter().zip(&expected) {
        assert_eq!(r["ruleId"], f["code"]);
        assert_eq!(r["message"]["text"], f["message"]);
        let level = match f["severity"].as_str().unwrap() {
            "info" => "note",
            s => s,
        };
        assert_eq!(r["level"], level);
        let i = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[i]["id"], f["code"], "ruleIndex points at the rule");
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], UPHELD_BUT_NECESSARY);
        let region = &loc["region"];
        assert_eq!(region["startLine"], f["span"]["line"]);
        assert_eq!(region["startColumn"], f["span"]["column"]);
        // The fixture is ASCII: code points are bytes.
        assert_eq!(region["charOffset"], f["span"]["offset"]);
        assert_eq!(region["charLength"], f["span"]["length"]);
        let labelled = f["labels"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["message"] != "")
            .count();
        assert_eq!(
            r["relatedLocations"].as_array().map_or(0, Vec::len),
            labelled
        );
    }
    let first = &results[0];
    assert_eq!(first["ruleId"], "conclusion/decision-contradicts-rationale");
    assert_eq!(first["level"], "error");
    let region = &first["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        json!([
            region["startLine"],
            region["startColumn"],
            region["endLine"],
            region["endColumn"]
        ]),
        json!([17, 85, 18, 23]),
        "the span runs to the next line; endColumn is just after it"
    );
    let decision = first["relatedLocations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["message"]["text"] == "the decision: Upheld")
        .expect("the decision's label");
    let region = &decision["physicalLocation"]["region"];
    assert_eq!(
        json!([
            region["startLine"],
            region["startColumn"],
            region["endLine"],
            region["endColumn"]
        ]),
        json!([11, 21, 11, 27]),
        "'Upheld' is six columns"
    );

    // The input that could not be read: a notification, not a result.
    let inv = &run0["invocations"].as_array().expect("invocations")[0];
    assert_eq!(inv["executionSuccessful"], false);
    let notes = inv["toolExecutionNotifications"].as_array().expect("notes");
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["level"], "error");
    assert_eq!(notes[0]["descriptor"]["id"], "not-found");
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        MISSING
    );
    assert!(
        notes[0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains(MISSING)
    );
}

#[test]
fn sarif_without_findings_is_valid_and_successful() {
    let v = sarif_validator();
    let (code, out) = run(&["check", "--format", "sarif", CLEAN]);
    assert_eq!(code, Some(0));
    let log = valid_sarif(&v, &out);
    assert_eq!(log["runs"][0]["results"], json!([]));
    assert_eq!(
        log["runs"][0]["invocations"],
        json!([{ "executionSuccessful": true }])
    );

    // No input at all (an empty directory): still one whole log.
    let empty = scratch("sarif-empty");
    let (code, out) = run(&["check", "--format", "sarif", empty.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    let log = valid_sarif(&v, &out);
    assert_eq!(log["runs"][0]["results"], json!([]));
}

/// A finding a suppression allows is a result marked suppressed, with the
/// suppression's place and reason: code scanning shows it dismissed, not lost.
#[test]
fn sarif_marks_suppressed_findings_with_their_suppression() {
    let v = sarif_validator();
    let allowed = "fixtures/check/suppression/allowed.txt";
    let (code, out) = run(&["check", "--format", "sarif", allowed]);
    assert_eq!(code, Some(0), "a suppressed finding does not fail the run");
    let log = valid_sarif(&v, &out);
    let results = log["runs"][0]["results"].as_array().expect("results");
    let marked: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(marked.len(), 1, "{out}");
    assert_eq!(marked[0]["ruleId"], "criteria/nmes-without-stroke");
    let s = &marked[0]["suppressions"][0];
    assert_eq!(s["kind"], "inSource");
    assert_eq!(s["status"], "accepted");
    assert_eq!(
        s["justification"],
        "the stroke of 2015 is in the neurology report the summary does not quote"
    );
    // The location is the `imrlint: allow` line itself.
    let text = std::fs::read_to_string(allowed).expect("fixture");
    let line = s["location"]["physicalLocation"]["region"]["startLine"]
        .as_u64()
        .expect("line") as usize;
    assert!(
        text.lines()
            .nth(line - 1)
            .is_some_and(|l| l.starts_with("imrlint: allow")),
        "line {line}"
    );
    assert_eq!(
        log["runs"][0]["invocations"][0]["properties"]["suppressed"],
        1
    );

    // A sidecar entry is an external suppression pointing at the sidecar's line.
    let sidecar = "fixtures/check/suppression/suppressions.toml";
    let nmes = "fixtures/check/criteria/nmes-overturned-no-stroke.txt";
    let (code, out) = run(&[
        "check",
        "--format",
        "sarif",
        "--suppressions",
        sidecar,
        nmes,
    ]);
    assert_eq!(code, Some(0));
    let log = valid_sarif(&v, &out);
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 1, "{out}");
    let s = &results[0]["suppressions"][0];
    assert_eq!(s["kind"], "external");
    let place = &s["location"]["physicalLocation"];
    assert_eq!(place["artifactLocation"]["uri"], sidecar);
    assert_eq!(place["region"]["startLine"], 4);

    // Without the sidecar the same finding is an ordinary, unsuppressed result.
    let (code, out) = run(&["check", "--format", "sarif", nmes]);
    assert_eq!(code, Some(1));
    let log = valid_sarif(&v, &out);
    assert!(log["runs"][0]["results"][0].get("suppressions").is_none());
}

#[test]
fn sarif_audit_reports_inconsistencies_with_the_other_letters() {
    let v = sarif_validator();
    let (code, out) = run(&["audit", "--format", "sarif", SAME_FACTS]);
    assert_eq!(code, Some(1), "an inconsistency is a finding");
    let log = valid_sarif(&v, &out);
    let results = log["runs"][0]["results"].as_array().expect("results");
    let inc: Vec<&Value> = results
        .iter()
        .filter(|r| r["ruleId"] == "inconsistency/same-facts-different-decision")
        .collect();
    assert_eq!(inc.len(), 1, "{out}");
    let r = inc[0];
    assert_eq!(r["level"], "note", "info is a note");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], format!("{SAME_FACTS}c.txt"));
    assert_eq!(loc["region"]["startLine"], 12);
    assert_eq!(loc["region"]["startColumn"], 23);
    let related: Vec<(String, String)> = r["relatedLocations"]
        .as_array()
        .expect("relatedLocations")
        .iter()
        .map(|l| {
            (
                l["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                l["message"]["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        related,
        vec![
            (
                format!("{SAME_FACTS}a.txt"),
                "item 1: overturned".to_string()
            ),
            (
                format!("{SAME_FACTS}b.txt"),
                "item 1: overturned".to_string()
            ),
        ]
    );
    assert!(
        r["properties"]["help"]
            .as_str()
            .unwrap()
            .starts_with("Key facts compared:"),
        "the finding's own help, which differs from the rule's"
    );
}

#[test]
fn sarif_schema_rejects_broken_logs() {
    let v = sarif_validator();
    let (_, out) = run(&["check", "--format", "sarif", UPHELD_BUT_NECESSARY]);
    let good = valid_sarif(&v, &out);
    type Break = fn(&mut Value);
    let breaks: [(&str, Break); 7] = [
        ("no version", |l| {
            l.as_object_mut().unwrap().remove("version");
        }),
        ("another version", |l| l["version"] = json!("2.0.0")),
        ("unknown level", |l| {
            l["runs"][0]["results"][0]["level"] = json!("fatal");
        }),
        ("line 0", |l| {
            l["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
                json!(0);
        }),
        ("a message without text", |l| {
            l["runs"][0]["results"][0]["message"] = json!({});
        }),
        ("an unescaped URI", |l| {
            l["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
                json!("a b\\c");
        }),
        ("an unknown property", |l| {
            l["runs"][0]["results"][0]["severity"] = json!("error");
        }),
    ];
    for (what, f) in breaks {
        let mut bad = good.clone();
        f(&mut bad);
        assert!(!v.is_valid(&bad), "the schema must reject {what}");
    }
}

#[cfg(unix)]
#[test]
fn sarif_uris_are_escaped_and_text_round_trips() {
    let v = sarif_validator();
    let dir = scratch("sarif-odd");
    std::fs::create_dir_all(dir.join("odd")).unwrap();
    let name = "odd/a&b <c> \"d\" 'e' #1%.txt";
    std::fs::copy(UPHELD_BUT_NECESSARY, dir.join(name)).unwrap();
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::write(dir.join("rules/org.yaml"), ORG_RULES).unwrap();
    let (code, out) = run_in(
        Some(&dir),
        &[
            "check",
            "--format",
            "sarif",
            "--extend-rules",
            "rules",
            "--select",
            "conclusion/org-copy",
            name,
        ],
    );
    assert_eq!(code, Some(1));
    let log = valid_sarif(&v, &out);
    let r = &log["runs"][0]["results"][0];
    assert_eq!(r["level"], "warning");
    let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert!(!uri.contains(' ') && !uri.contains('#'), "{uri}");
    assert_eq!(percent_decode(uri), name);
    let rule =
        &log["runs"][0]["tool"]["driver"]["rules"][r["ruleIndex"].as_u64().unwrap() as usize];
    assert_eq!(rule["id"], "conclusion/org-copy");
    assert_eq!(rule["help"]["text"], ORG_HELP);

    // An absolute path is a file URI.
    let abs = dir.join(name);
    let (_, out) = run(&["check", "--format", "sarif", abs.to_str().unwrap()]);
    let log = valid_sarif(&v, &out);
    let uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"]
        .as_str()
        .unwrap();
    assert!(uri.starts_with("file:///"), "{uri}");
    assert_eq!(
        percent_decode(&uri["file://".len()..]),
        abs.to_str().unwrap()
    );
}

// ---------------------------------------------------------------- JUnit

/// A rule of an organisation's own, whose help holds markup, quotes and
/// characters XML 1.0 does not allow (U+0001, ESC), and a CR LF.
const ORG_RULES: &str = r#"rules:
  - code: conclusion/org-copy
    kind: conclusion
    check: decision-vs-conclusion
    severity: warning
    message: Decision and rationale disagree.
    help: "Org help: <b>tags</b> & \"quotes\" 'too' ]]> end.\x01\x1b Done\r\nEnd."
    fixtures:
      triggers: [check/conclusion/upheld-but-necessary.txt]
      passes: [check/clean.txt]
"#;
const ORG_HELP: &str = "Org help: <b>tags</b> & \"quotes\" 'too' ]]> end.\u{1}\u{1b} Done\r\nEnd.";

fn attr<'a>(n: roxmltree::Node<'a, '_>, name: &str) -> &'a str {
    n.attribute(name)
        .unwrap_or_else(|| panic!("<{}> has {name}", n.tag_name().name()))
}

fn count(n: roxmltree::Node, name: &str) -> usize {
    n.descendants().filter(|d| d.has_tag_name(name)).count()
}

/// Parses the JUnit output; checks each suite's counts against its test cases.
fn junit_suites(doc: &roxmltree::Document) -> Vec<(String, usize, usize, usize)> {
    let root = doc.root_element();
    assert!(root.has_tag_name("testsuites"));
    assert_eq!(attr(root, "name"), "imrlint");
    root.children()
        .filter(|n| n.is_element())
        .map(|s| {
            assert!(s.has_tag_name("testsuite"));
            let n = |a: &str| attr(s, a).parse::<usize>().expect("a count");
            let (tests, failures, errors) = (n("tests"), n("failures"), n("errors"));
            assert_eq!(
                tests,
                count(s, "testcase"),
                "tests of {:?}",
                attr(s, "name")
            );
            assert_eq!(failures, count(s, "failure"));
            assert_eq!(errors, count(s, "error"));
            (attr(s, "name").to_string(), tests, failures, errors)
        })
        .collect()
}

#[test]
fn junit_check_output_has_a_suite_per_letter() {
    let (code, out) = run(&[
        "check",
        "--format",
        "junit",
        UPHELD_BUT_NECESSARY,
        CLEAN,
        MISSING,
    ]);
    assert_eq!(code, Some(2));
    assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    let doc = roxmltree::Document::parse(&out).expect("well-formed XML");
    let suites = junit_suites(&doc);
    let (_, json_out) = run(&["check", "--format", "json", UPHELD_BUT_NECESSARY]);
    let json: Value = serde_json::from_str(&json_out).expect("JSON");
    let findings = json["files"][0]["findings"].as_array().unwrap();
    assert_eq!(
        suites,
        vec![
            (
                UPHELD_BUT_NECESSARY.to_string(),
                findings.len(),
                findings.len(),
                0
            ),
            (CLEAN.to_string(), 1, 0, 0),
            (MISSING.to_string(), 1, 0, 1),
        ]
    );
    assert!(
        !doc.descendants()
            .any(|n| n.has_tag_name("testsuite") && attr(n, "name") == "inconsistency"),
        "check has no cross-letter suite"
    );

    let cases: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let first = cases[0];
    assert_eq!(attr(first, "classname"), UPHELD_BUT_NECESSARY);
    assert_eq!(
        attr(first, "name"),
        "item 1: conclusion/decision-contradicts-rationale"
    );
    assert_eq!(attr(first, "line"), "17");
    let failure = first
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("failure");
    assert_eq!(
        attr(failure, "type"),
        "conclusion/decision-contradicts-rationale"
    );
    assert_eq!(attr(failure, "message"), findings[0]["message"]);
    let details = failure.text().expect("details");
    assert!(
        details.contains(&format!("{UPHELD_BUT_NECESSARY}:17:85:")),
        "{details}"
    );
    assert!(details.contains("11:21: the decision: Upheld"), "{details}");
    assert!(details.ends_with(findings[0]["help"].as_str().unwrap()));

    let clean = cases[cases.len() - 2];
    assert_eq!(attr(clean, "name"), "letter");
    assert_eq!(
        clean.children().filter(|n| n.is_element()).count(),
        0,
        "passes"
    );

    let missing = cases[cases.len() - 1];
    let error = missing
        .children()
        .find(|n| n.has_tag_name("error"))
        .expect("error");
    assert_eq!(attr(error, "type"), "not-found");
    assert!(attr(error, "message").contains(MISSING));
}

#[test]
fn junit_audit_has_an_inconsistency_suite() {
    let (code, out) = run(&["audit", "--format", "junit", SAME_FACTS]);
    assert_eq!(code, Some(1));
    let doc = roxmltree::Document::parse(&out).expect("well-formed XML");
    let suites = junit_suites(&doc);
    assert_eq!(suites.len(), 4, "three letters and the cross-letter suite");
    assert_eq!(suites[3], ("inconsistency".to_string(), 1, 1, 0));
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite") && attr(*n, "name") == "inconsistency")
        .unwrap();
    let case = suite
        .children()
        .find(|n| n.has_tag_name("testcase"))
        .unwrap();
    assert_eq!(attr(case, "classname"), format!("{SAME_FACTS}c.txt"));
    assert_eq!(
        attr(case, "name"),
        "item 1: inconsistency/same-facts-different-decision"
    );
    assert_eq!(attr(case, "line"), "12");
    let details = case
        .children()
        .find(|n| n.has_tag_name("failure"))
        .and_then(|f| f.text())
        .unwrap();
    assert!(
        details.contains(&format!("{SAME_FACTS}c.txt:12:23:")),
        "{details}"
    );
    assert!(details.contains(&format!("{SAME_FACTS}a.txt item 1: overturned")));
    assert!(details.contains(&format!("{SAME_FACTS}b.txt item 1: overturned")));

    // An audit whose letters agree still says so.
    let (_, out) = run(&["audit", "--format", "junit", CLEAN]);
    let doc = roxmltree::Document::parse(&out).expect("well-formed XML");
    assert_eq!(
        junit_suites(&doc),
        vec![
            (CLEAN.to_string(), 1, 0, 0),
            ("inconsistency".to_string(), 1, 0, 0)
        ]
    );

    // No input at all: an empty, well-formed report.
    let empty = scratch("junit-empty");
    let (code, out) = run(&["check", "--format", "junit", empty.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    let doc = roxmltree::Document::parse(&out).expect("well-formed XML");
    assert!(junit_suites(&doc).is_empty());
}

#[cfg(unix)]
#[test]
fn junit_escapes_markup_and_drops_characters_xml_forbids() {
    let dir = scratch("junit-odd");
    std::fs::create_dir_all(dir.join("odd")).unwrap();
    let name = "odd/a&b <c> \"d\" 'e' #1.txt";
    std::fs::copy(UPHELD_BUT_NECESSARY, dir.join(name)).unwrap();
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::write(dir.join("rules/org.yaml"), ORG_RULES).unwrap();
    let (code, out) = run_in(
        Some(&dir),
        &[
            "check",
            "--format",
            "junit",
            "--extend-rules",
            "rules",
            "--select",
            "conclusion/org-copy",
            name,
        ],
    );
    assert_eq!(code, Some(1));
    assert!(!out.contains(name), "the path is escaped");
    assert!(out.contains("a&amp;b &lt;c&gt;"), "{out}");
    assert!(!out.contains('\u{1}') && !out.contains('\u{1b}'));
    let doc = roxmltree::Document::parse(&out).expect("well-formed XML");
    assert_eq!(junit_suites(&doc), vec![(name.to_string(), 1, 1, 0)]);
    let case = doc
        .descendants()
        .find(|n| n.has_tag_name("testcase"))
        .unwrap();
    assert_eq!(
        attr(case, "classname"),
        name,
        "the path reads back as it is"
    );
    assert_eq!(attr(case, "file"), name);
    let failure = case.children().find(|n| n.has_tag_name("failure")).unwrap();
    assert_eq!(attr(failure, "type"), "conclusion/org-copy");
    assert!(attr(failure, "message").starts_with("'Naproxen 550mg #60'"));
    let details = failure.text().unwrap();
    assert!(details.starts_with(&format!("warning[conclusion/org-copy] {name}:17:85:")));
    // Markup, quotes, `]]>` and CR LF read back as written; U+0001 and ESC are left out.
    assert!(
        details.ends_with(&ORG_HELP.replace(['\u{1}', '\u{1b}'], "")),
        "{details:?}"
    );
}
