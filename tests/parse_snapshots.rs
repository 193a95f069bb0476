//! Snapshot tests of the parsed model: one snapshot per fixture letter in
//! `fixtures/parse/` (every layout, drafts, CRLF, error cases), plus the seeds
//! and three real letters with known traps. Review changes with `cargo insta review`.

use std::path::{Path, PathBuf};

use serde_json::json;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.expect("dir entry").path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn parsed(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match imrlint::parse::parse(&text) {
        Ok(letter) => json!({ "letter": letter, "error": null }),
        Err(e) => {
            json!({ "letter": null, "error": { "code": e.code(), "message": e.to_string(), "span": e.span() } })
        }
    }
}

fn snapshot_name(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .expect("under base")
        .to_string_lossy()
        .replace(['/', '\\'], "__")
}

#[test]
fn fixture_letters() {
    let base = root().join("fixtures/parse");
    let all = files(&base);
    assert!(all.len() >= 10, "fixtures/parse holds the layout fixtures");
    for path in all {
        insta::assert_json_snapshot!(snapshot_name(&path, &base), parsed(&path));
    }
}

#[test]
fn seeds_and_real_letters() {
    let shared = root().join("../shared");
    let mut paths = files(&shared.join("seeds"));
    for case in ["CM16-0229336", "CM16-0248698", "CM16-0247255"] {
        paths.push(shared.join(format!("data/dwc-imr-letters/text/{case}.txt")));
        paths.push(shared.join(format!("data/dwc-imr-letters/layout/{case}.txt")));
    }
    for path in paths {
        insta::assert_json_snapshot!(snapshot_name(&path, &shared), parsed(&path));
    }
}

/// The same letter with LF and CRLF line ends parses to the same model,
/// apart from offsets.
#[test]
fn crlf_and_lf_agree() {
    let lf =
        std::fs::read_to_string(root().join("fixtures/parse/final-determination-2016/traps.txt"))
            .expect("fixture");
    let crlf = lf.replace('\n', "\r\n");
    let a = imrlint::parse::parse(&lf).expect("LF parses");
    let b = imrlint::parse::parse(&crlf).expect("CRLF parses");
    assert_eq!(a.items.len(), b.items.len());
    for (x, y) in a.items.iter().zip(&b.items) {
        assert_eq!(x.name.value, y.name.value);
        assert_eq!(x.decision.value, y.decision.value);
        assert_eq!(
            x.rationale.as_ref().map(|r| &r.value),
            y.rationale.as_ref().map(|r| &r.value)
        );
        assert_eq!(
            y.name.span.slice(&crlf).map(|s| s.replace("\r\n", "\n")),
            x.name.span.slice(&lf).map(str::to_string)
        );
    }
}
