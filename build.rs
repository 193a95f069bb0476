//! Embeds the default rulebook (`rules/**/*.yaml`) into the binary, so that
//! `imrlint check` works with no files beside it.

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
    let mut files = Vec::new();
    yaml_files(&rules, &mut files);
    files.sort();
    let mut code = String::from(
        "/// The default rulebook: (path under rules/, text).\npub static EMBEDDED: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f
            .strip_prefix(&root)
            .expect("under root")
            .to_string_lossy()
            .replace('\\', "/");
        let _ = writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            f.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("out dir")).join("embedded_rules.rs");
    std::fs::write(out, code).expect("write embedded_rules.rs");
}
