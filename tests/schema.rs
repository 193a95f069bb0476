//! The JSON Schema of rule files (`rules/rulebook.schema.json`): generated
//! from the rulebook's Rust types, committed for editors, and kept current.
//! Every rule file of the built-in rulebook validates against it.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

const SCHEMA: &str = "rules/rulebook.schema.json";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Regenerates the schema and compares it with the committed file;
/// `UPDATE_SCHEMA=1` rewrites the file instead.
#[test]
fn the_committed_schema_is_current() {
    let generated = imrlint::rulebook::json_schema();
    let path = root().join(SCHEMA);
    if std::env::var_os("UPDATE_SCHEMA").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("write the schema");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{SCHEMA} is stale (the rulebook's types changed). Refresh it with\n    \
         cargo run -- schema > {SCHEMA}\nor\n    UPDATE_SCHEMA=1 cargo test --test schema"
    );
}

fn validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&imrlint::rulebook::json_schema()).expect("the schema is JSON");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::draft202012::options()
        .build(&schema)
        .expect("the schema compiles")
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("rules directory") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            // rules/context/ holds ConText triggers, not rule files.
            if p.file_name().is_some_and(|n| n != "context") {
                yaml_files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(p);
        }
    }
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn every_rule_file_validates_against_the_schema() {
    let v = validator();
    let mut files = Vec::new();
    yaml_files(&root().join("rules"), &mut files);
    files.sort();
    assert!(files.len() >= 12, "rule files found: {files:?}");
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("rule file");
        let doc: Value = serde_saphyr::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not YAML: {e}", f.display()));
        for e in errors(&v, &doc) {
            failures.push(format!("{}: {e}", f.display()));
        }
        assert!(
            text.starts_with("# yaml-language-server: $schema="),
            "{} names the schema for editors on its first line",
            f.display()
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The schema rejects what the loader's types reject: unknown keys, unknown
/// enum values, missing required keys, dates that are not ISO dates.
#[test]
fn the_schema_rejects_malformed_rule_files() {
    let v = validator();
    let boundary = json!({"date": "2016-07-29", "applies_to": "request", "source": "S", "verified": "commentary"});
    let guideline = |in_force: Value| {
        json!({"guidelines": [{"id": "g", "title": "G", "mtus": true, "names": ["G"],
            "source": "S", "in_force": in_force, "sections": [
                {"id": "s", "title": "S", "status": "recommended", "pages": [12, [3, 4]], "facts": []}]}]})
    };
    assert!(errors(&v, &guideline(json!({"from": boundary}))).is_empty());
    for (what, doc) in [
        ("unknown top-level key", json!({"rulez": []})),
        (
            "a date written as a bare string",
            guideline(json!({"from": "2016-07-29"})),
        ),
        (
            "an American date",
            guideline(
                json!({"from": {"date": "07/29/2016", "applies_to": "request", "source": "S", "verified": "commentary"}}),
            ),
        ),
        (
            "an unknown date kind",
            guideline(
                json!({"from": {"date": "2016-07-29", "applies_to": "decision", "source": "S", "verified": "commentary"}}),
            ),
        ),
        (
            "a rule with an unknown severity and no fixtures",
            json!({"rules": [{"code": "citation/x", "kind": "citation", "check": "c",
                "severity": "fatal", "message": "m", "help": "h"}]}),
        ),
        (
            "a misspelt key in a concept",
            json!({"concepts": [{"id": "c", "name": "C", "term": ["x"]}]}),
        ),
    ] {
        assert!(!errors(&v, &doc).is_empty(), "the schema accepts {what}");
    }
}
