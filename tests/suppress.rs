//! Suppressions and baselines as a user runs them: `imrlint: allow` lines in
//! drafted letters (item and letter scope), their own findings (no reason,
//! unused, unknown code, malformed), the `--suppressions` sidecar for text
//! letters and PDFs, and `--baseline` / `--write-baseline` (stable when lines
//! move, fixed entries reported, the same on any thread count).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const NMES: &str = "fixtures/check/criteria/nmes-overturned-no-stroke.txt";
const NMES_CASE: &str = "CM15-0999209";
const NMES_CODE: &str = "criteria/nmes-without-stroke";
const AFTER_STROKE: &str = "fixtures/check/criteria/nmes-overturned-after-stroke.txt";
const TENS_ODG: &str = "fixtures/check/citation/tens-odg-only.txt";

/// A second item that draws the same finding as the first.
const SECOND_ITEM: &str = "NMES unit for home use: Overturned
Claims Administrator guideline: Decision based on MTUS Chronic Pain Treatment Guidelines
TENS.
MAXIMUS guideline: Decision based on MTUS Chronic Pain Treatment Guidelines
Neuromuscular electrical stimulation (NMES devices) Page(s): 121.
Decision rationale: The patient has chronic back pain and the device may reduce his medication use.
The request is medically necessary.
";

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn imrlint(args: &[&str]) -> Run {
    let out = Command::cargo_bin("imrlint")
        .expect("binary")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("utf8"),
        stderr: String::from_utf8(out.stderr).expect("utf8"),
    }
}

fn json(args: &[&str]) -> (Option<i32>, Value, String) {
    let mut all = vec!["check", "--format", "json", "-q"];
    all.extend_from_slice(args);
    let r = imrlint(&all);
    let v = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr));
    (r.code, v, r.stderr)
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("suppress-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p.to_str().expect("utf8 path").to_string()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).expect("fixture")
}

/// `(item, code)` of each finding of the first file.
fn findings(v: &Value) -> Vec<(Option<u64>, String)> {
    v["files"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| (f["item"].as_u64(), f["code"].as_str().unwrap().to_string()))
        .collect()
}

fn codes(v: &Value) -> Vec<String> {
    findings(v).into_iter().map(|(_, c)| c).collect()
}

/// The NMES letter with a second item that draws the same finding; `summary`
/// and `first` / `second` are lines added to the case summary and after
/// each item's decision line.
fn two_items(summary: &str, first: &str, second: &str) -> String {
    let base = read(NMES);
    let mut out = String::new();
    for line in base.lines() {
        out.push_str(line);
        out.push('\n');
        if line.starts_with("uses ibuprofen") && !summary.is_empty() {
            out.push_str(summary);
            out.push('\n');
        }
        if line == "Muscle stimulator: Overturned" && !first.is_empty() {
            out.push_str(first);
            out.push('\n');
        }
    }
    let mut second_item = String::new();
    for line in SECOND_ITEM.lines() {
        second_item.push_str(line);
        second_item.push('\n');
        if line.ends_with(": Overturned") && !second.is_empty() {
            second_item.push_str(second);
            second_item.push('\n');
        }
    }
    out + &second_item
}

#[test]
fn item_scoped_and_letter_scoped_suppressions() {
    let dir = scratch("scope");
    let allow = format!("imrlint: allow {NMES_CODE} -- the stroke is in the neurology report");

    let plain = write(&dir, "plain.txt", &two_items("", "", ""));
    let (code, v, _) = json(&[&plain]);
    assert_eq!(code, Some(1));
    assert_eq!(
        findings(&v),
        [(Some(1), NMES_CODE.into()), (Some(2), NMES_CODE.into())]
    );
    assert_eq!(v["summary"]["suppressed"], 0);

    // Written after item 2's decision line: item 2 only.
    let item = write(&dir, "item.txt", &two_items("", "", &allow));
    let (code, v, stderr) = json(&[&item]);
    assert_eq!(code, Some(1));
    assert_eq!(findings(&v), [(Some(1), NMES_CODE.into())]);
    assert_eq!(v["summary"]["suppressed"], 1);
    assert_eq!(v["summary"]["findings"], 1);
    let human = imrlint(&["check", &item]);
    assert!(
        human.stderr.contains("1 finding (1 suppressed)"),
        "{}",
        human.stderr
    );
    assert!(stderr.is_empty(), "{stderr}");

    // Hidden in a Markdown comment after item 1's decision line: item 1 only.
    let comment = format!("<!-- {allow} -->");
    let item1 = write(&dir, "item1.txt", &two_items("", &comment, ""));
    let (_, v, _) = json(&[&item1]);
    assert_eq!(findings(&v), [(Some(2), NMES_CODE.into())]);

    // Above the first item (in the case summary): the whole letter.
    let letter = write(&dir, "letter.txt", &two_items(&allow, "", ""));
    let (code, v, _) = json(&[&letter]);
    assert_eq!(code, Some(0), "everything suppressed exits 0");
    assert_eq!(findings(&v), []);
    assert_eq!(v["summary"]["suppressed"], 2);

    // `allow-letter` inside item 1: the whole letter too.
    let allow_letter = allow.replace("allow ", "allow-letter ");
    let wide = write(&dir, "wide.txt", &two_items("", &allow_letter, ""));
    let (_, v, _) = json(&[&wide]);
    assert_eq!(findings(&v), []);
    assert_eq!(v["summary"]["suppressed"], 2);

    // A kind allows the rule too.
    let kind = write(
        &dir,
        "kind.txt",
        &two_items(
            "",
            "imrlint: allow criteria -- stroke documented elsewhere",
            "",
        ),
    );
    let (_, v, _) = json(&[&kind]);
    assert_eq!(findings(&v), [(Some(2), NMES_CODE.into())]);
}

/// Directive lines are no part of the letter: the items, names and
/// rationales parse as without them, and the directives carry their spans.
#[test]
fn directives_do_not_change_how_the_letter_reads() {
    let dir = scratch("parse");
    let plain = write(&dir, "plain.txt", &two_items("", "", ""));
    let reason = "the stroke is in the neurology report. Not medically necessary";
    let with = write(
        &dir,
        "with.txt",
        &two_items(
            &format!("imrlint: allow-letter citation -- {reason}"),
            &format!("imrlint: allow {NMES_CODE} -- {reason}"),
            &format!("imrlint: allow {NMES_CODE}, structure -- {reason}"),
        ),
    );
    let parse = |p: &str| -> Value {
        let r = imrlint(&["parse", "--format", "json", p]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        serde_json::from_str(&r.stdout).expect("json")
    };
    let (a, b) = (parse(&plain), parse(&with));
    assert!(
        a["letter"].get("directives").is_none(),
        "no directives: the contract as before"
    );
    let values = |v: &Value| -> Vec<Value> {
        v["letter"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                serde_json::json!([
                    i["name"],
                    i["decision"],
                    i["rationale"]["value"],
                    i["conclusion"]
                ])
            })
            .collect()
    };
    assert_eq!(values(&a), values(&b));
    assert_eq!(
        a["letter"]["case_summary"]["value"],
        b["letter"]["case_summary"]["value"]
    );
    let d = b["letter"]["directives"].as_array().expect("directives");
    assert_eq!(d.len(), 3);
    assert_eq!(
        d.iter().map(|d| d["item"].clone()).collect::<Vec<_>>(),
        [Value::Null, 1.into(), 2.into()]
    );
    let text = read(&with);
    let slice = |s: &Value| {
        let o = s["offset"].as_u64().unwrap() as usize;
        text[o..o + s["length"].as_u64().unwrap() as usize].to_string()
    };
    assert_eq!(slice(&d[2]["codes"][1]["span"]), "structure");
    assert_eq!(slice(&d[1]["reason"]["span"]), reason);
    assert!(slice(&d[0]["span"]).starts_with("imrlint: allow-letter citation"));

    // The checks read the letter as before: both NMES findings are allowed; the
    // letter-wide `citation` and item 2's `structure` allow nothing.
    let (_, v, _) = json(&[&with]);
    assert_eq!(
        findings(&v),
        [
            (None, "suppression/unused".into()),
            (Some(2), "suppression/unused".into())
        ]
    );
    assert_eq!(v["summary"]["suppressed"], 2);
}

#[test]
fn a_suppression_without_a_reason_is_a_finding() {
    let (code, v, _) = json(&["fixtures/check/suppression/missing-reason.txt"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        findings(&v),
        [(Some(1), "suppression/missing-reason".into())]
    );
    let f = &v["files"][0]["findings"][0];
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["kind"], "suppression");
    assert!(f["help"].as_str().unwrap().contains("after `--`"));
    // It still suppresses what it names.
    assert_eq!(v["summary"]["suppressed"], 1);
    let text = read("fixtures/check/suppression/missing-reason.txt");
    let o = f["span"]["offset"].as_u64().unwrap() as usize;
    assert!(text[o..].starts_with("imrlint: allow criteria/nmes-without-stroke\n"));
}

#[test]
fn a_suppression_that_suppresses_nothing_is_a_finding() {
    let (_, v, _) = json(&["fixtures/check/suppression/unused.txt"]);
    assert_eq!(findings(&v), [(Some(1), "suppression/unused".into())]);
    let f = &v["files"][0]["findings"][0];
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .starts_with("'citation' suppresses nothing")
    );
    // A suppression in another item than its finding is unused, and the finding stays.
    let dir = scratch("unused");
    let stroke_item = SECOND_ITEM.replace(
        "Decision rationale: The patient has chronic back pain and",
        "Decision rationale: The patient is in rehabilitation following a stroke and",
    );
    let wrong_item = write(
        &dir,
        "wrong.txt",
        &(read(NMES)
            + &stroke_item.replace(
                ": Overturned\n",
                &format!(": Overturned\nimrlint: allow {NMES_CODE} -- stroke documented\n"),
            )),
    );
    let (_, v, _) = json(&[&wrong_item]);
    assert_eq!(
        findings(&v),
        [
            (Some(1), NMES_CODE.into()),
            (Some(2), "suppression/unused".into())
        ]
    );

    // Whether a suppression is used does not depend on what is selected or shown.
    let allowed = "fixtures/check/suppression/allowed.txt";
    for args in [
        vec!["--select", "suppression", allowed],
        vec!["--ignore", "criteria", allowed],
        vec!["--min-severity", "error", allowed],
    ] {
        let (code, v, _) = json(&args);
        assert_eq!(code, Some(0), "{args:?}: {v}");
        assert_eq!(codes(&v), Vec::<String>::new(), "{args:?}");
    }
    // Suppressed counts what would have been reported.
    let (_, v, _) = json(&["--select", "criteria", allowed]);
    assert_eq!(v["summary"]["suppressed"], 1);
    let (_, v, _) = json(&["--select", "citation", allowed]);
    assert_eq!(v["summary"]["suppressed"], 0);
    // And `--ignore suppression` turns the suppressions' own findings off.
    let (code, _, _) = json(&[
        "--ignore",
        "suppression",
        "fixtures/check/suppression/unused.txt",
    ]);
    assert_eq!(code, Some(0));
}

const TENS_CODE: &str = "citation/non-mtus-without-reason";

#[test]
fn an_unknown_code_is_a_finding_and_malformed_lines_are_reported() {
    let (_, v, _) = json(&["fixtures/check/suppression/unknown-code.txt"]);
    assert_eq!(findings(&v), [(Some(1), "suppression/unknown-code".into())]);
    let f = &v["files"][0]["findings"][0];
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("'criteria/nmes-no-stroke' names no rule")
    );
    // The known code next to it still applies.
    assert_eq!(v["summary"]["suppressed"], 1);

    let (_, v, _) = json(&["fixtures/check/suppression/malformed.txt"]);
    assert_eq!(
        findings(&v),
        [
            (Some(1), NMES_CODE.into()),
            (Some(1), "suppression/malformed".into())
        ]
    );

    // Suppression findings cannot be allowed in the letter.
    let dir = scratch("unknown");
    let p = write(
        &dir,
        "self.txt",
        &(read(NMES) + "imrlint: allow suppression/unused -- quiet\n"),
    );
    let (_, v, _) = json(&[&p]);
    let f = &v["files"][0]["findings"];
    assert!(
        f.as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "suppression/unknown-code"
                && f["message"]
                    .as_str()
                    .unwrap()
                    .contains("only suppression rules")),
        "{f}"
    );
}

#[test]
fn the_suppression_rules_are_listed_and_explained() {
    let r = imrlint(&["rules"]);
    for code in [
        "suppression/missing-reason",
        "suppression/unused",
        "suppression/unknown-code",
        "suppression/malformed",
    ] {
        assert!(r.stdout.contains(code), "{code} in `imrlint rules`");
        let e = imrlint(&["explain", code]);
        assert_eq!(e.code, Some(0));
        assert!(e.stdout.contains("(suppression, warning)"), "{}", e.stdout);
        assert!(e.stdout.contains("check/suppression/"), "{}", e.stdout);
    }
}

// ------------------------------------------------------------ sidecar

#[test]
fn a_sidecar_suppresses_by_case_number_and_item() {
    let dir = scratch("sidecar");
    let sidecar = write(
        &dir,
        "suppressions.toml",
        &format!(
            "# letters that cannot carry comments\n\
             [[allow]]\ncase = \"{NMES_CASE}\"\nitem = 1\ncodes = [\"{NMES_CODE}\"]\nreason = \"the stroke is in the neurology report\"\n\n\
             [[allow]]\ncase = \"CM99-0000001\"\ncode = \"citation\"\nreason = \"a letter not in this run: not reported\"\n"
        ),
    );
    let (code, v, _) = json(&["--suppressions", &sidecar, NMES, TENS_ODG]);
    assert_eq!(code, Some(1));
    assert_eq!(findings(&v), []);
    assert_eq!(v["files"][1]["findings"][0]["code"], TENS_CODE);
    assert_eq!(v["summary"]["suppressed"], 1);
    assert_eq!(v["summary"]["findings"], 1);

    // No reason, the wrong item, a code of no rule: findings on the letter naming the entry's line.
    let bad = write(
        &dir,
        "bad.toml",
        &format!(
            "[[allow]]\ncase = \"{NMES_CASE}\"\ncodes = [\"{NMES_CODE}\"]\n\n\
             [[allow]]\ncase = \"{NMES_CASE}\"\nitem = 2\ncodes = [\"criteria\"]\nreason = \"r\"\n\n\
             [[allow]]\ncase = \"{NMES_CASE}\"\ncodes = [\"criteria/typo\"]\nreason = \"r\"\n"
        ),
    );
    let (_, v, _) = json(&["--suppressions", &bad, NMES]);
    let f = v["files"][0]["findings"].as_array().unwrap();
    let messages: Vec<(&str, &str)> = f
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["message"].as_str().unwrap()))
        .collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(messages.contains(&(
        "suppression/missing-reason",
        &*format!("{bad}:1: the suppression of {NMES_CODE} gives no reason")
    )));
    assert!(messages.contains(&(
        "suppression/unused",
        &*format!("{bad}:5: 'criteria' suppresses nothing: the letter has no item 2")
    )));
    assert!(
        messages
            .iter()
            .any(|(c, m)| *c == "suppression/unknown-code" && m.starts_with(&format!("{bad}:11: "))),
        "{messages:?}"
    );
    // They point at the case number the entries are keyed by.
    let text = read(NMES);
    let o = f[0]["span"]["offset"].as_u64().unwrap() as usize;
    assert!(text[o..].starts_with(NMES_CASE));
}

#[test]
fn a_malformed_sidecar_is_an_error_naming_the_file_and_line() {
    let dir = scratch("sidecar-bad");
    for (text, place, words) in [
        (
            "[[allow]]\ncase = \"C\"\ncodes = [\"x\"]\nwhy = \"r\"\n",
            ":4:",
            "unknown key 'why'",
        ),
        ("[[allow]\n", ":1:", "not valid TOML"),
        (
            "[[allow]]\ncase = \"C\"\nitem = \"two\"\ncodes = [\"x\"]\n",
            ":3:",
            "'item' must be",
        ),
    ] {
        let p = write(&dir, "s.toml", text);
        let r = imrlint(&["check", "--suppressions", &p, NMES]);
        assert_eq!(r.code, Some(2), "{text}");
        assert!(r.stdout.is_empty(), "nothing is checked");
        assert!(
            r.stderr.contains(&format!("{p}{place}")) && r.stderr.contains(words),
            "{text}: {}",
            r.stderr
        );
    }
    let r = imrlint(&["check", "--suppressions", "no/such/file.toml", NMES]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("no/such/file.toml"), "{}", r.stderr);
}

/// A one-page PDF drawing each line of `text` (Helvetica, 13 pt apart).
fn pdf_of(text: &str) -> Vec<u8> {
    use lopdf::{Document, Object, Stream, dictionary};
    let mut content = String::from("BT /F1 9 Tf 40 760 Td 11 TL\n");
    for line in text.lines() {
        let escaped = line
            .replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)");
        content.push_str(&format!("({escaped}) Tj T*\n"));
    }
    content.push_str("ET");
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![Object::Reference(page)], "Count" => 1,
            "Resources" => resources,
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("pdf");
    bytes
}

#[test]
fn a_sidecar_suppresses_a_finding_in_a_pdf() {
    let dir = scratch("pdf");
    let pdf = dir.join("nmes.pdf");
    std::fs::write(&pdf, pdf_of(&read(NMES))).expect("pdf");
    let pdf = pdf.to_str().unwrap();
    let (code, v, _) = json(&[pdf]);
    assert_eq!(code, Some(1), "the PDF draws the finding: {v}");
    assert_eq!(codes(&v), [NMES_CODE]);

    let sidecar = write(
        &dir,
        "s.toml",
        &format!(
            "[[allow]]\ncase = \"{NMES_CASE}\"\ncodes = [\"{NMES_CODE}\"]\nreason = \"stroke in the attached records\"\n"
        ),
    );
    let (code, v, _) = json(&["--suppressions", &sidecar, pdf]);
    assert_eq!(code, Some(0));
    assert_eq!(codes(&v), Vec::<String>::new());
    assert_eq!(v["summary"]["suppressed"], 1);
    // Keyed by file name instead (letters without a case number).
    let by_file = write(
        &dir,
        "f.toml",
        "[[allow]]\nfile = \"nmes.pdf\"\ncode = \"criteria\"\nreason = \"r\"\n",
    );
    let (_, v, _) = json(&["--suppressions", &by_file, pdf]);
    assert_eq!(v["summary"]["suppressed"], 1);
}

// ------------------------------------------------------------ baseline

#[test]
fn a_baseline_holds_recorded_findings_and_reports_new_ones() {
    let dir = scratch("baseline");
    let baseline = dir.join("baseline.json");
    let b = baseline.to_str().unwrap();
    let r = imrlint(&["check", "-q", "--write-baseline", b, NMES, TENS_ODG]);
    assert_eq!(
        r.code,
        Some(0),
        "writing a baseline reports none of its findings: {}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains(&format!("wrote the baseline {b}: 2 findings in 2 letters")),
        "{}",
        r.stderr
    );
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    assert_eq!(file["version"], 1);
    let entries = file["findings"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    // Sorted by letter, then code.
    assert_eq!(entries[0]["letter"], NMES_CASE);
    assert_eq!(entries[0]["item"], "Muscle stimulator");
    assert_eq!(entries[0]["fingerprint"].as_str().unwrap().len(), 16);
    assert_eq!(entries[1]["letter"], "CM17-0999207");
    assert_eq!(entries[1]["code"], TENS_CODE);

    // The same letters: nothing new. A letter not in the baseline: its findings are new.
    let (code, v, stderr) = json(&[
        "--baseline",
        b,
        NMES,
        TENS_ODG,
        "fixtures/check/structure/no-rationale.txt",
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(v["summary"]["findings"], 1);
    assert_eq!(v["summary"]["baselined"], 2);
    assert_eq!(v["summary"]["baseline_fixed"], 0);
    assert_eq!(
        v["files"][2]["findings"][0]["code"],
        "structure/missing-rationale"
    );
    assert!(stderr.is_empty(), "{stderr}");
    let (code, _, _) = json(&["--baseline", b, NMES, TENS_ODG]);
    assert_eq!(code, Some(0));

    // JSON Lines, SARIF and the human summary carry the counts too.
    let r = imrlint(&["check", "-q", "--format", "jsonl", "--baseline", b, NMES]);
    let last: Value = serde_json::from_str(r.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(
        (last["type"].as_str(), last["baselined"].as_u64()),
        (Some("summary"), Some(1))
    );
    let r = imrlint(&["check", "-q", "--format", "sarif", "--baseline", b, NMES]);
    let log: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        log["runs"][0]["invocations"][0]["properties"]["baselined"],
        1
    );
    let r = imrlint(&["check", "-q", "--baseline", b, NMES]);
    assert!(
        r.stderr.contains("0 findings (1 in the baseline)"),
        "{}",
        r.stderr
    );

    // A broken baseline is an error naming the file and line.
    let broken = write(&dir, "broken.json", "{\"version\": 1,\n\"findings\": [\n");
    let r = imrlint(&["check", "--baseline", &broken, NMES]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains(&format!("{broken}:3:")), "{}", r.stderr);
    let old = write(&dir, "old.json", "{\"version\": 7, \"findings\": []}");
    let r = imrlint(&["check", "--baseline", &old, NMES]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("baseline version 7"), "{}", r.stderr);
}

#[test]
fn a_baselined_finding_stays_baselined_when_lines_move() {
    let dir = scratch("baseline-moves");
    let letter = write(&dir, "letter.txt", &read(NMES));
    let b = dir.join("b.json");
    let b = b.to_str().unwrap();
    assert_eq!(
        imrlint(&["check", "-q", "--write-baseline", b, &letter]).code,
        Some(0)
    );

    // Lines inserted above the finding, blank lines, re-wrapped whitespace in the
    // flagged words, a directive line, another folder: the same finding.
    let moved = read(NMES)
        .replace(
            "HOW THE IMR FINAL DETERMINATION WAS MADE\n",
            "\n\nHOW THE IMR FINAL DETERMINATION WAS MADE\n\nThe reviewer was assigned on time.\n",
        )
        .replace(
            "uses ibuprofen and a home exercise program.",
            "uses ibuprofen\nand a home exercise program. He works as a warehouse clerk.\n",
        )
        .replace("Muscle stimulator: Overturned\n", "Muscle   stimulator: Overturned\nimrlint: allow-letter structure/no-evidence-no-basis, citation/page -- kept for the test\n");
    let other = dir.join("elsewhere");
    std::fs::create_dir_all(&other).unwrap();
    let moved_path = write(&other, "letter.txt", &moved);
    let (_, before, _) = json(&[&letter]);
    let (_, after, _) = json(&["--ignore", "suppression", &moved_path]);
    let line = |v: &Value| {
        v["files"][0]["findings"][0]["span"]["line"]
            .as_u64()
            .unwrap()
    };
    assert_ne!(line(&before), line(&after), "the finding moved");
    let (code, v, stderr) = json(&["--ignore", "suppression", "--baseline", b, &moved_path]);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["summary"]["baselined"], 1);
    assert_eq!(v["summary"]["baseline_fixed"], 0);
    assert!(stderr.is_empty(), "{stderr}");

    // Changing the flagged words makes it a new finding (and the old one fixed).
    let edited = write(
        &dir,
        "edited.txt",
        &read(NMES).replace(
            "Muscle stimulator: Overturned",
            "Muscle stimulator unit: Overturned",
        ),
    );
    let (code, v, _) = json(&["--baseline", b, &edited]);
    assert_eq!(code, Some(1));
    assert_eq!(v["summary"]["baseline_fixed"], 1);
}

#[test]
fn fixed_baseline_entries_are_reported_so_the_baseline_shrinks() {
    let dir = scratch("baseline-fixed");
    let letter = write(&dir, "letter.txt", &read(NMES));
    let b = dir.join("b.json");
    let b = b.to_str().unwrap();
    assert_eq!(
        imrlint(&["check", "-q", "--write-baseline", b, &letter, TENS_ODG]).code,
        Some(0)
    );

    // The writer fixes the letter: the stroke is now documented.
    let fixed = read(AFTER_STROKE).replace("CM15-0999210", NMES_CASE);
    std::fs::write(&letter, fixed).unwrap();
    let (code, v, stderr) = json(&["--baseline", b, &letter]);
    assert_eq!(code, Some(0));
    assert_eq!(v["summary"]["baseline_fixed"], 1, "{v}");
    assert_eq!(v["summary"]["baselined"], 0);
    assert!(
        stderr.contains(&format!(
            "note: {b}: fixed: {NMES_CASE} [{NMES_CODE}] in 'Muscle stimulator' is no longer found"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("--write-baseline {b}")),
        "a hint to rewrite it: {stderr}"
    );
    // The TENS letter was not checked in this run: its entry is not fixed.
    assert!(!stderr.contains("CM17-0999207"), "{stderr}");
    // Nor is an entry whose rule this run did not select.
    let (_, v, _) = json(&["--select", "citation", "--baseline", b, &letter]);
    assert_eq!(v["summary"]["baseline_fixed"], 0);

    // Rewriting the baseline drops the entry.
    let r = imrlint(&[
        "check",
        "-q",
        "--baseline",
        b,
        "--write-baseline",
        b,
        &letter,
        TENS_ODG,
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let file: Value = serde_json::from_str(&std::fs::read_to_string(b).unwrap()).unwrap();
    assert_eq!(file["findings"].as_array().unwrap().len(), 1);
    let (_, v, stderr) = json(&["--baseline", b, &letter, TENS_ODG]);
    assert_eq!(v["summary"]["baseline_fixed"], 0);
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn audit_baselines_cross_letter_findings_and_output_is_the_same_on_any_thread_count() {
    let dir = scratch("threads");
    let b = dir.join("b.json");
    let b = b.to_str().unwrap();
    let same = "fixtures/check/inconsistency/same-facts/";
    let r = imrlint(&["audit", "-q", "--format", "json", same]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["inconsistencies"].as_array().unwrap().len(), 1);
    let r = imrlint(&[
        "audit",
        "-q",
        "--format",
        "json",
        "--write-baseline",
        b,
        same,
    ]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["inconsistencies"], serde_json::json!([]));
    let r = imrlint(&["audit", "-q", "--format", "json", "--baseline", b, same]);
    assert_eq!(r.code, Some(0), "{}", r.stdout);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["inconsistencies"], serde_json::json!([]));
    assert_eq!(v["summary"]["baseline_fixed"], 0);

    // Suppressions, a sidecar and a baseline over many letters, on 1, 2 and 4 threads.
    let sidecar = write(
        &dir,
        "s.toml",
        &format!("[[allow]]\ncase = \"CM17-0999207\"\ncode = \"{TENS_CODE}\"\nreason = \"r\"\n"),
    );
    let half = dir.join("half.json");
    let half = half.to_str().unwrap();
    imrlint(&[
        "check",
        "-q",
        "--write-baseline",
        half,
        "fixtures/check/criteria",
    ]);
    for format in ["json", "jsonl", "sarif", "junit", "concise"] {
        let args = |t: &'static str| {
            vec![
                "audit",
                "-q",
                "--threads",
                t,
                "--format",
                format,
                "--suppressions",
                &sidecar,
                "--baseline",
                half,
                "fixtures/check",
            ]
        };
        let one = imrlint(&args("1"));
        assert_eq!(one, imrlint(&args("2")), "{format} on 2 threads");
        assert_eq!(one, imrlint(&args("4")), "{format} on 4 threads");
    }
}

impl PartialEq for Run {
    fn eq(&self, other: &Run) -> bool {
        (self.code, &self.stdout, &self.stderr) == (other.code, &other.stdout, &other.stderr)
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "exit {:?}\n{}\n{}", self.code, self.stdout, self.stderr)
    }
}
