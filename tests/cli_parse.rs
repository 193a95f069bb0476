//! `imrlint parse` as a user runs it: the JSON contract, several files with
//! failures among them, standard input, directories, exit codes.

use assert_cmd::Command;
use serde_json::Value;

fn imrlint() -> Command {
    Command::cargo_bin("imrlint").expect("binary")
}

const TRAPS: &str = "fixtures/parse/final-determination-2016/traps.txt";

#[test]
fn one_file_prints_one_json_object_with_the_contract_fields() {
    let out = imrlint()
        .args(["parse", "--format", "json", TRAPS])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["path"], TRAPS);
    assert!(v["error"].is_null());
    let letter = &v["letter"];
    assert_eq!(letter["layout"], "final-determination-2016");
    assert_eq!(letter["case_number"], "CM16-0999001");
    let items = letter["items"].as_array().expect("items");
    assert_eq!(items.len(), 4);
    let text = std::fs::read_to_string(TRAPS).expect("fixture");
    for (i, item) in items.iter().enumerate() {
        assert_eq!(item["index"], i + 1);
        for key in [
            "name",
            "decision",
            "partial",
            "citations",
            "conclusion",
            "span",
        ] {
            assert!(item.get(key).is_some(), "item has {key}");
        }
        let (off, len) = (
            item["span"]["offset"].as_u64().unwrap() as usize,
            item["span"]["length"].as_u64().unwrap() as usize,
        );
        assert!(off + len <= text.len());
        let name_off = item["name_span"]["offset"].as_u64().unwrap() as usize;
        assert!(
            off <= name_off && name_off < off + len,
            "name inside the item"
        );
    }
    assert_eq!(items[0]["name"], "NCV bilateral lower extremities QTY: 2");
    assert_eq!(items[0]["decision"], "upheld");
    assert_eq!(items[2]["partial"], true);
    assert_eq!(items[3]["decision"], "overturned");
    assert_eq!(items[3]["conclusion"], "medically_necessary");
}

#[test]
fn several_files_print_one_line_each_and_failures_do_not_stop_the_batch() {
    let out = imrlint()
        .args([
            "parse",
            "--format",
            "json",
            "fixtures/parse/errors/not-a-letter.txt",
            "no/such/letter.txt",
            TRAPS,
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .expect("utf8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is a JSON object"))
        .collect();
    assert_eq!(lines.len(), 3, "every input is accounted for");
    assert_eq!(lines[0]["error"]["code"], "unknown-layout");
    assert!(lines[0]["letter"].is_null());
    assert_eq!(lines[1]["error"]["code"], "not-found");
    assert!(
        lines[1]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no/such/letter.txt")
    );
    assert!(lines[2]["error"].is_null());
    assert_eq!(lines[2]["letter"]["items"].as_array().unwrap().len(), 4);
}

#[test]
fn reads_standard_input() {
    let text = std::fs::read(TRAPS).expect("fixture");
    let out = imrlint()
        .args(["parse", "--format", "json", "-"])
        .write_stdin(text)
        .output()
        .expect("runs");
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["path"], "-");
    assert_eq!(v["letter"]["items"].as_array().unwrap().len(), 4);
}

#[test]
fn walks_directories_and_counts_failures() {
    let out = imrlint()
        .args(["parse", "fixtures/parse"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "the errors/ fixtures fail");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let total = walk_count("fixtures/parse");
    assert!(
        stderr.contains(&format!("{total} inputs, {} parsed, 4 failed", total - 4)),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("notice-2013 letter"));
    assert!(stdout.contains("medical-professional-review letter"));
}

fn walk_count(dir: &str) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk_count(p.to_str().unwrap())
            } else {
                1
            }
        })
        .sum()
}

#[test]
fn binary_input_is_a_clear_error() {
    let out = imrlint()
        .args(["parse", "--format", "json", "-"])
        .write_stdin(vec![0u8, 1, 2, 3, 0xff])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["error"]["code"], "binary");
}

#[test]
fn text_format_shows_a_diagnostic_for_a_letter_without_items() {
    let out = imrlint()
        .env("NO_COLOR", "1")
        .args(["parse", "fixtures/parse/errors/no-items.txt"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("parse/no-items"), "{stderr}");
    assert!(
        stderr.contains("set forth below"),
        "the report quotes the letter: {stderr}"
    );
}

#[test]
fn pdf_letters_parse_and_damaged_pdfs_are_clear_errors() {
    let out = imrlint()
        .args([
            "parse",
            "--format",
            "json",
            "../shared/data/dwc-imr-letters/pdf/CM16-0248698.pdf",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["letter"]["items"].as_array().unwrap().len(), 21);

    let out = imrlint()
        .args(["parse", "--format", "json", "-"])
        .write_stdin(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ntrailer garbage".to_vec())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["error"]["code"], "pdf-malformed");
}
