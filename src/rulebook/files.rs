//! Reading rule files: the embedded default rulebook or YAML files in directories.

use std::path::Path;

use super::RuleSource;

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// The rulebook compiled into the binary.
pub fn embedded() -> Vec<RuleSource> {
    EMBEDDED
        .iter()
        .map(|(name, text, _)| RuleSource {
            name: (*name).to_string(),
            text: (*text).to_string(),
        })
        .collect()
}

/// The JSON `build.rs` wrote of a built-in rule file, when `src` is one,
/// word for word: it reads as the YAML does, in a fraction of the time.
pub(super) fn prepared(src: &RuleSource) -> Option<&'static str> {
    EMBEDDED
        .iter()
        .find(|(name, text, _)| *name == src.name && *text == src.text)
        .and_then(|(_, _, json)| *json)
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

#[cfg(test)]
mod tests {
    use super::super::RuleFile;
    use super::*;

    /// Every built-in file has its JSON, and the JSON reads as the YAML does.
    #[test]
    fn the_prepared_files_read_as_the_yaml() {
        for (name, text, json) in EMBEDDED {
            let Some(json) = json else {
                panic!("{name} was not prepared");
            };
            let yaml: RuleFile = serde_saphyr::from_str(text).expect("the YAML reads");
            let prepared: RuleFile = serde_json::from_str(json).expect("the JSON reads");
            assert_eq!(format!("{yaml:?}"), format!("{prepared:?}"), "{name}");
        }
    }

    /// Only a built-in file word for word is read from its JSON.
    #[test]
    fn an_edited_file_is_read_as_yaml() {
        let mut sources = embedded();
        assert!(sources.iter().all(|s| prepared(s).is_some()));
        sources[0].text.push('\n');
        assert!(prepared(&sources[0]).is_none());
        sources[1].name.push('x');
        assert!(prepared(&sources[1]).is_none());
    }
}
