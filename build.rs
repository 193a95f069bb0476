//! Embeds the default rulebook (`rules/**/*.yaml`) into the binary, so that
//! `imrlint check` works with no files beside it.
//!
//! Each file is also read here, as the run would read it, and embedded a
//! second time prepared: as JSON, which loads in a fraction of the YAML's
//! time (`rulebook::files`), and its concept terms as their DFA's table
//! (`engine::terms`). A file that does not read is embedded as YAML only, so
//! the run reports it as it would any rule file.

// The rule file types and the terms' table, shared with the crate. The
// schema's one reference into the crate, `model::Date`, is not needed here.
#[allow(dead_code)]
mod model {
    #[derive(Clone, Copy, PartialEq, PartialOrd)]
    pub struct Date;
    impl Date {
        pub fn parse_iso(_: &str) -> Option<Date> {
            None
        }
    }
}
#[allow(dead_code)]
#[path = "src/rulebook/schema.rs"]
mod schema;
#[allow(dead_code)]
#[path = "src/engine/term_table.rs"]
mod term_table;

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            // rules/context/ holds the clinical-context triggers, not rule
            // files: src/context/ embeds them itself.
            if p.file_name().is_some_and(|n| n == "context") && dir.ends_with("rules") {
                continue;
            }
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(p);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("manifest dir"));
    let rules = root.join("rules");
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=src/rulebook/schema.rs");
    println!("cargo:rerun-if-changed=src/engine/term_table.rs");
    let mut files = Vec::new();
    yaml_files(&rules, &mut files);
    files.sort();
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("out dir"));
    let mut code = String::from(
        "/// The default rulebook: (path under rules/, text, the text read and written as JSON).\npub static EMBEDDED: &[(&str, &str, Option<&str>)] = &[\n",
    );
    // Every file read, or None once one does not.
    let mut read: Option<Vec<schema::RuleFile>> = Some(Vec::new());
    for (n, f) in files.iter().enumerate() {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f
            .strip_prefix(&root)
            .expect("under root")
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(f).expect("read a rule file");
        let prepared = match serde_saphyr::from_str::<schema::RuleFile>(&text) {
            Ok(file) => {
                let json = out_dir.join(format!("rules-{n}.json"));
                let written = serde_json::to_string(&file).expect("a rule file serialises");
                std::fs::write(&json, written).expect("write a prepared rule file");
                if let Some(r) = &mut read {
                    r.push(file);
                }
                format!("Some(include_str!({:?}))", json.display().to_string())
            }
            Err(_) => {
                read = None;
                "None".to_string()
            }
        };
        let _ = writeln!(
            code,
            "    ({rel:?}, include_str!({:?}), {prepared}),",
            f.display().to_string()
        );
    }
    code.push_str("];\n");
    std::fs::write(out_dir.join("embedded_rules.rs"), code).expect("write embedded_rules.rs");
    prebuild_terms(read.as_deref(), &out_dir);
}

/// The table of the rulebook's concept terms, and the phrases it was built
/// from, as `engine::concepts::compile` lists them: each plain term in its
/// spellings (as written, hyphens as spaces, spaces as hyphens), lowercased,
/// each once. The run uses the table only for exactly these phrases.
fn prebuild_terms(files: Option<&[schema::RuleFile]>, out_dir: &Path) {
    let mut phrases: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for c in files.unwrap_or_default().iter().flat_map(|f| &f.concepts) {
        for t in c.terms.iter().filter(|_| !c.regex) {
            let t = t.trim();
            let mut v = vec![t.to_string(), t.replace('-', " "), t.replace(' ', "-")];
            v.sort();
            v.dedup();
            for key in v.iter().map(|s| s.to_ascii_lowercase()) {
                if seen.insert(key.clone()) {
                    phrases.push(key);
                }
            }
        }
    }
    let table = (files.is_some() && !phrases.iter().any(String::is_empty))
        .then(|| term_table::build_dfa(&phrases))
        .flatten()
        .and_then(|dfa| term_table::Table::of(&dfa));
    let code = match table {
        Some(table) => {
            let bin = out_dir.join("terms.bin");
            std::fs::write(&bin, table.to_bytes()).expect("write terms.bin");
            format!(
                "static PREBUILT: Option<(&[&str], &[u8])> = Some((&{phrases:?}, include_bytes!({:?})));\n",
                bin.display().to_string()
            )
        }
        None => "static PREBUILT: Option<(&[&str], &[u8])> = None;\n".to_string(),
    };
    std::fs::write(out_dir.join("terms_prebuilt.rs"), code).expect("write terms_prebuilt.rs");
}
