//! Suppressions and baselines: findings a writer or a project has accepted.
//!
//! Three ways, applied in this order to each letter's findings:
//! 1. `imrlint: allow CODE -- reason` lines in a drafted letter (read by
//!    [`crate::parse::directives`], applied by [`crate::engine::suppress`]);
//! 2. a `--suppressions FILE` sidecar keyed by case number, for letters that
//!    cannot carry a line (PDFs): [`sidecar`], applied the same way;
//! 3. a `--baseline FILE` of fingerprints ([`baseline`]), matched in the batch
//!    ([`crate::batch`]) after the letter's findings are known.
//!
//! The parsing here is pure; the few functions that read and write the files
//! are at the end, and only `check` and `audit` call them.

pub mod baseline;
pub mod sidecar;

use std::path::{Path, PathBuf};

use crate::rulebook::{Kind, Rule};

/// `--suppressions`, `--baseline` and `--write-baseline` (`check`, `audit`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SuppressArgs {
    /// Suppressions for letters that cannot carry an `imrlint: allow` line (PDFs): a TOML file of [[allow]] entries keyed by case number.
    #[arg(long, value_name = "FILE")]
    pub suppressions: Option<PathBuf>,
    /// Report only findings not recorded in this baseline (written by --write-baseline); recorded findings that are gone are listed as fixed.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the findings of this run in FILE as the baseline, and report none of them.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

/// True when `pattern` (a code, a code prefix or a kind, as `--select` and
/// `--ignore` take) names `rule`.
pub fn names_rule(pattern: &str, rule: &Rule) -> bool {
    names(pattern, &rule.code, rule.kind)
}

/// [`names_rule`] for a finding's (or a rule's) code and kind.
pub fn names(pattern: &str, code: &str, kind: Kind) -> bool {
    let p = pattern.trim();
    !p.is_empty() && (code == p || code.starts_with(p) || kind.name() == p.trim_end_matches('/'))
}

fn read(path: &Path, what: &str) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the {what} {}: {e}", path.display()))
}

/// Reads and parses a `--suppressions` file; the error is one line naming the file.
pub fn read_sidecar(path: &Path) -> Result<sidecar::Sidecar, String> {
    let text = read(path, "suppressions file")?;
    sidecar::Sidecar::parse(&path.display().to_string(), &text).map_err(|e| e.to_string())
}

/// Reads and parses a `--baseline` file; the error is one line naming the file.
pub fn read_baseline(path: &Path) -> Result<baseline::BaselineFile, String> {
    let text = read(path, "baseline")?;
    baseline::BaselineFile::parse(&path.display().to_string(), &text).map_err(|e| e.to_string())
}

/// Writes a baseline: to a temporary file beside it, then renamed over it,
/// so a failed write never leaves half a baseline.
pub fn write_baseline(path: &Path, file: &baseline::BaselineFile) -> Result<(), String> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, file.to_json())
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("cannot write the baseline {}: {e}", path.display())
        })
}

/// The sidecar and baseline the options name, read and parsed.
#[derive(Default)]
pub struct Loaded {
    pub sidecar: Option<sidecar::Sidecar>,
    pub baseline: Option<baseline::BaselineFile>,
}

impl SuppressArgs {
    /// Reads the files the options name; the error names the file (and the line).
    pub fn load(&self) -> Result<Loaded, String> {
        Ok(Loaded {
            sidecar: self.suppressions.as_deref().map(read_sidecar).transpose()?,
            baseline: self.baseline.as_deref().map(read_baseline).transpose()?,
        })
    }

    /// After the run: a note per fixed baseline entry, and the new baseline
    /// written. False when it could not be written.
    pub fn finish(&self, out: crate::batch::RunOutput) -> bool {
        if let Some(path) = &self.baseline
            && !out.fixed.is_empty()
        {
            let name = path.display();
            for (e, n) in &out.fixed {
                let item = e
                    .item
                    .as_ref()
                    .map_or(String::new(), |i| format!(" in '{i}'"));
                let times = if *n > 1 {
                    format!(" ({n} findings)")
                } else {
                    String::new()
                };
                eprintln!(
                    "note: {name}: fixed: {} [{}]{item}{times} is no longer found: {}",
                    e.letter, e.code, e.message
                );
            }
            let total: usize = out.fixed.iter().map(|(_, n)| n).sum();
            let target = self.write_baseline.as_ref().unwrap_or(path).display();
            eprintln!(
                "help: {total} baselined finding{} no longer found; rewrite the baseline so it only shrinks: --write-baseline {target}",
                if total == 1 { " is" } else { "s are" }
            );
        }
        let (Some(path), Some(file)) = (&self.write_baseline, out.recorded) else {
            return true;
        };
        let findings: usize = file.findings.iter().map(|e| e.count).sum();
        let letters: std::collections::BTreeSet<&str> =
            file.findings.iter().map(|e| e.letter.as_str()).collect();
        match write_baseline(path, &file) {
            Ok(()) => {
                eprintln!(
                    "imrlint: wrote the baseline {}: {findings} finding{} in {} letter{}",
                    path.display(),
                    if findings == 1 { "" } else { "s" },
                    letters.len(),
                    if letters.len() == 1 { "" } else { "s" }
                );
                true
            }
            Err(e) => {
                eprintln!("error[baseline/io]: {e}");
                false
            }
        }
    }
}
