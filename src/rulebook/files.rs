//! Reading rule files: the embedded default rulebook or YAML files in directories.

use std::path::Path;

use super::RuleSource;

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// The rulebook compiled into the binary.
pub fn embedded() -> Vec<RuleSource> {
    EMBEDDED
        .iter()
        .map(|(name, text)| RuleSource {
            name: (*name).to_string(),
            text: (*text).to_string(),
        })
        .collect()
}

/// Every `.yaml`/`.yml` file under `dir`, recursively, in sorted order.
pub fn read_dir(dir: &Path) -> Result<Vec<RuleSource>, String> {
    let mut paths = Vec::new();
    walk(dir, &mut paths)
        .map_err(|e| format!("cannot read rules directory {}: {e}", dir.display()))?;
    // `context/` holds the clinical-context triggers (read by `crate::context`),
    // not rule files: `--rules rules/` must load the same rulebook as the built-in one.
    paths.retain(|p| !p.strip_prefix(dir).is_ok_and(|r| r.starts_with("context")));
    paths.sort();
    if paths.is_empty() {
        return Err(format!(
            "rules directory {} holds no .yaml files",
            dir.display()
        ));
    }
    paths
        .into_iter()
        .map(|p| {
            std::fs::read_to_string(&p)
                .map(|text| RuleSource {
                    name: p.display().to_string(),
                    text,
                })
                .map_err(|e| format!("cannot read rule file {}: {e}", p.display()))
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(p);
        }
    }
    Ok(())
}
