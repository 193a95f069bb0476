//! Golden-corpus cross-check: every shared real letter, in both pdftotext
//! modes, parses and agrees with `manifest.json` on item count, names,
//! decisions, partial flags and both guideline strings.
//!
//! The manifest was made by a regex script, so it is a cross-check, not truth.
//! Known, explained differences are listed in `EXPECTED_DIFFERENCES` and the
//! test fails if one disappears (so the list stays honest) or a new one appears.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use imrlint::model::{Decision, GuidelineLine, Letter};
use serde_json::Value;

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/dwc-imr-letters")
}

fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Differences that are the manifest's, not the parser's. Each entry is
/// (mode, case number, field).
const EXPECTED_DIFFERENCES: &[(&str, &str, &str)] = &[
    // The manifest was made from default-mode text, where pdftotext removed the
    // hyphen of a URL broken at a line end ("skilled-" / "nursing" became
    // "skillednursing"). In -layout mode the hyphen is kept, and imrlint joins the
    // two halves as "skilled-nursing", which is the URL as printed.
    ("layout", "CM16-0229336", "item 1 maximus guideline"),
    // In these partial-authorisation headers the sentence "X was the original
    // request." ends a line, and the manifest's regex stopped there: it has no
    // original request. imrlint reads the whole header (checked by eye against
    // the letters: e.g. CM17-0008633 lines 81-84, "Physical therapy right knee 3
    // times a week for 3 weeks was the original request.").
    ("text", "CM17-0006634", "item 8 original request"),
    ("text", "CM17-0008633", "item 3 original request"),
    ("text", "CM17-0009995", "item 1 original request"),
    ("text", "CM17-0011703", "item 5 original request"),
    ("layout", "CM17-0006634", "item 8 original request"),
    ("layout", "CM17-0008633", "item 3 original request"),
    ("layout", "CM17-0009995", "item 1 original request"),
    ("layout", "CM17-0011703", "item 5 original request"),
];

fn guideline(g: &Option<GuidelineLine>) -> String {
    g.as_ref().map_or(String::new(), |g| g.text.value.clone())
}

fn compare(mode: &str, case: &str, letter: &Letter, expected: &Value, diffs: &mut Vec<String>) {
    let items = expected["items"].as_array().expect("manifest items");
    if letter.case_number.as_ref().map(|c| c.value.as_str()) != Some(case) {
        diffs.push(format!(
            "{mode} {case} case number: {:?}",
            letter.case_number.as_ref().map(|c| &c.value)
        ));
    }
    if letter.items.len() != items.len() {
        diffs.push(format!(
            "{mode} {case} item count: got {}, manifest {}",
            letter.items.len(),
            items.len()
        ));
        return;
    }
    for (got, want) in letter.items.iter().zip(items) {
        let n = got.index;
        let want_str = |k: &str| want[k].as_str().unwrap_or_default().to_string();
        if fold(&got.name.value) != fold(&want_str("item")) {
            diffs.push(format!(
                "{mode} {case} item {n} name: {:?} vs {:?}",
                got.name.value,
                want_str("item")
            ));
        }
        let decision = match got.decision.value {
            Decision::Upheld => "Upheld",
            Decision::Overturned => "Overturned",
        };
        if decision != want_str("decision") {
            diffs.push(format!("{mode} {case} item {n} decision"));
        }
        if Some(got.partial) != want["partial_authorization"].as_bool() {
            diffs.push(format!("{mode} {case} item {n} partial"));
        }
        if got.partial
            && fold(
                &got.original_request
                    .as_ref()
                    .map_or(String::new(), |o| o.value.clone()),
            ) != fold(&want_str("original_request"))
        {
            diffs.push(format!("{mode} {case} item {n} original request"));
        }
        for (label, g, key) in [
            (
                "claims administrator",
                &got.claims_administrator,
                "claims_administrator_guideline",
            ),
            ("maximus", &got.maximus, "maximus_guideline"),
        ] {
            if fold(&guideline(g)) != fold(&want_str(key)) {
                diffs.push(format!("{mode} {case} item {n} {label} guideline"));
            }
        }
    }
}

#[test]
fn real_letters_agree_with_manifest_in_both_modes() {
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(shared().join("manifest.json"))
            .expect("read ../shared/data/dwc-imr-letters/manifest.json"),
    )
    .expect("manifest is JSON");
    let letters = manifest.as_array().expect("manifest is a list");
    assert!(
        letters.len() >= 131,
        "expected the 131 shared letters, found {}",
        letters.len()
    );
    let mut diffs = Vec::new();
    let mut parsed = 0;
    let mut items = 0;
    for mode in ["text", "layout"] {
        for expected in letters {
            let case = expected["case_number"].as_str().expect("case number");
            let path = shared().join(mode).join(format!("{case}.txt"));
            let text = std::fs::read_to_string(&path).expect("letter text");
            match imrlint::parse::parse(&text) {
                Ok(letter) => {
                    parsed += 1;
                    items += letter.items.len();
                    compare(mode, case, &letter, expected, &mut diffs);
                }
                Err(e) => diffs.push(format!("{mode} {case}: parse error {e}")),
            }
        }
    }
    assert_eq!(parsed, 2 * letters.len());
    assert_eq!(items, 2 * 296, "the shared letters hold 296 decisions");
    let expected: BTreeSet<String> = EXPECTED_DIFFERENCES
        .iter()
        .map(|(mode, case, field)| format!("{mode} {case} {field}"))
        .collect();
    let got: BTreeSet<String> = diffs.iter().cloned().collect();
    let new: Vec<_> = got.difference(&expected).collect();
    let gone: Vec<_> = expected.difference(&got).collect();
    assert!(
        new.is_empty(),
        "new differences from the manifest:\n{new:#?}"
    );
    assert!(
        gone.is_empty(),
        "documented differences no longer occur (update EXPECTED_DIFFERENCES):\n{gone:#?}"
    );
}

#[test]
fn seeds_parse_as_the_older_layout() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("../shared/seeds") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("seed text");
        let letter =
            imrlint::parse::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            letter.layout.name(),
            "final-determination-2013",
            "{}",
            path.display()
        );
        for item in &letter.items {
            assert_eq!(item.decision.value, Decision::Upheld, "{}", path.display());
            let m = item.maximus.as_ref().expect("MAXIMUS guideline line");
            assert!(!m.mtus.is_empty(), "{}: MTUS citation", path.display());
            assert!(
                m.mtus.iter().any(|c| !c.pages.is_empty()),
                "{}: Page(s) citation",
                path.display()
            );
        }
        seen += 1;
    }
    assert_eq!(seen, 3);
}

/// The three real PDFs, read in-process, give the same letter model as
/// pdftotext's default-mode text of them.
#[test]
fn pdfs_parse_like_their_text() {
    for case in ["CM16-0229336", "CM16-0247255", "CM16-0248698"] {
        let pdf = std::fs::read(shared().join(format!("pdf/{case}.pdf"))).expect("pdf");
        let src = imrlint::source::from_bytes(format!("{case}.pdf"), &pdf).expect("PDF reads");
        assert_eq!(src.kind, imrlint::source::SourceKind::Pdf);
        let from_pdf = imrlint::parse::parse(&src.text).expect("PDF letter parses");
        let text =
            std::fs::read_to_string(shared().join(format!("text/{case}.txt"))).expect("text");
        let from_text = imrlint::parse::parse(&text).expect("text letter parses");
        assert_eq!(from_pdf.items.len(), from_text.items.len(), "{case}");
        assert_eq!(
            serde_json::to_value(&from_pdf).expect("json"),
            serde_json::to_value(&from_text).expect("json"),
            "{case}: PDF and text models differ"
        );
    }
}
