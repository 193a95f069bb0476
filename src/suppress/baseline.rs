//! Baselines: the findings a project has accepted for now, recorded by what
//! they flag rather than where, so that only new findings are reported and
//! the baseline only shrinks. No I/O: the file's text is parsed and produced here.
//!
//! A finding's fingerprint is FNV-1a (64 bits, hex) of four fields, each
//! whitespace-folded: the letter (its IMR Case Number, or the file name when
//! it has none), the rule code, the item's name (lower-cased; empty for
//! letter-level findings) and the words the finding flags (its span, with
//! `imrlint:` directive lines blanked). No line number or offset enters it,
//! so lines inserted above a finding, or a letter moved to another folder,
//! leave it unchanged; editing the flagged words or the item name makes it new.
//! Identical fingerprints (the same words flagged twice) are counted.
//!
//! ```json
//! {"version": 1, "fingerprint": "...", "findings": [
//!   {"fingerprint": "3f0c...", "letter": "CM16-0999001", "code": "criteria/nmes-without-stroke",
//!    "item": "Muscle stimulator (NMES) for home use", "count": 1, "message": "..."}]}
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::model::Letter;

/// The baseline format this imrlint writes and reads.
pub const VERSION: u32 = 1;

const FINGERPRINT: &str = "fnv1a-64 of the letter (case number or file name), rule code, item name (lower-cased) and flagged words, each whitespace-folded";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineFile {
    pub version: u32,
    /// How fingerprints are made, for people reading the file.
    #[serde(default)]
    pub fingerprint: String,
    pub findings: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub fingerprint: String,
    /// The letter's case number, or its file name.
    pub letter: String,
    pub code: String,
    /// The item's name; absent for letter-level findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// How many findings share the fingerprint.
    #[serde(default = "one")]
    pub count: usize,
    /// The finding's message when recorded (not matched; for people reading the file).
    #[serde(default)]
    pub message: String,
}

fn one() -> usize {
    1
}

/// Why a baseline file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}:{line}:{column}: {message}")]
pub struct BaselineError {
    pub name: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl BaselineFile {
    pub fn parse(name: &str, text: &str) -> Result<BaselineFile, BaselineError> {
        let err = |e: serde_json::Error, what: &str| BaselineError {
            name: name.to_string(),
            line: e.line(),
            column: e.column(),
            message: format!("{what}: {e}"),
        };
        #[derive(Deserialize)]
        struct Versioned {
            version: u32,
        }
        let v: Versioned =
            serde_json::from_str(text).map_err(|e| err(e, "not an imrlint baseline"))?;
        if v.version != VERSION {
            return Err(BaselineError {
                name: name.to_string(),
                line: 1,
                column: 1,
                message: format!(
                    "baseline version {} is not one this imrlint reads (version {VERSION}); write it again with --write-baseline",
                    v.version
                ),
            });
        }
        serde_json::from_str(text).map_err(|e| err(e, "not an imrlint baseline"))
    }

    /// The file's text: pretty JSON, entries sorted, ending with a newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// The letter part of a fingerprint: the case number, or the file name.
pub fn letter_key(letter: &Letter, path: &str) -> String {
    match &letter.case_number {
        Some(c) if !c.value.trim().is_empty() => c.value.trim().to_ascii_uppercase(),
        _ => super::sidecar::file_name(path).to_string(),
    }
}

fn folded(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A finding's fingerprint (see the module documentation).
pub fn fingerprint(letter: &str, code: &str, item: Option<&str>, flagged: &str) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut h = OFFSET;
    let item = item.map(|i| folded(i).to_lowercase()).unwrap_or_default();
    for field in [folded(letter), folded(code), item, folded(flagged)] {
        // Length-prefixed, so no two field lists hash the same bytes.
        for b in (field.len() as u64)
            .to_le_bytes()
            .iter()
            .chain(field.as_bytes())
        {
            h ^= u64::from(*b);
            h = h.wrapping_mul(PRIME);
        }
    }
    format!("{h:016x}")
}

/// Matches a run's findings against a baseline, in input order.
pub struct Matcher<'a> {
    file: &'a BaselineFile,
    remaining: HashMap<&'a str, usize>,
    seen: HashSet<String>,
}

impl<'a> Matcher<'a> {
    pub fn new(file: &'a BaselineFile) -> Matcher<'a> {
        let mut remaining = HashMap::new();
        for e in &file.findings {
            *remaining.entry(e.fingerprint.as_str()).or_default() += e.count;
        }
        Matcher {
            file,
            remaining,
            seen: HashSet::new(),
        }
    }

    /// The letter was checked: its entries that no finding takes are fixed.
    pub fn seen(&mut self, letter: &str) {
        if !self.seen.contains(letter) {
            self.seen.insert(letter.to_string());
        }
    }

    /// Whether the baseline holds this finding (and counts it off).
    pub fn take(&mut self, fingerprint: &str) -> bool {
        match self.remaining.get_mut(fingerprint) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }

    /// Entries of letters checked in this run that no finding took, with how
    /// many of their findings are gone; `in_scope` says whether the run could
    /// have reported the entry's code at all (selection, severity, audit).
    pub fn fixed(&self, in_scope: impl Fn(&Entry) -> bool) -> Vec<(&'a Entry, usize)> {
        let mut left = self.remaining.clone();
        let mut out = Vec::new();
        for e in &self.file.findings {
            if !self.seen.contains(&e.letter) || !in_scope(e) {
                continue;
            }
            let Some(n) = left.get_mut(e.fingerprint.as_str()) else {
                continue;
            };
            let gone = (*n).min(e.count);
            *n -= gone;
            if gone > 0 {
                out.push((e, gone));
            }
        }
        out
    }
}

/// Records a run's findings as a baseline.
#[derive(Default)]
pub struct Recorder {
    entries: BTreeMap<(String, String, String), Entry>,
}

impl Recorder {
    pub fn add(
        &mut self,
        fingerprint: String,
        letter: &str,
        code: &str,
        item: Option<&str>,
        message: &str,
    ) {
        let key = (letter.to_string(), code.to_string(), fingerprint.clone());
        self.entries
            .entry(key)
            .and_modify(|e| e.count += 1)
            .or_insert_with(|| Entry {
                fingerprint,
                letter: letter.to_string(),
                code: code.to_string(),
                item: item.map(folded),
                count: 1,
                message: message.to_string(),
            });
    }

    pub fn findings(&self) -> usize {
        self.entries.values().map(|e| e.count).sum()
    }

    /// The baseline, entries sorted by letter, code and fingerprint (stable diffs).
    pub fn finish(self) -> BaselineFile {
        BaselineFile {
            version: VERSION,
            fingerprint: FINGERPRINT.to_string(),
            findings: self.entries.into_values().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_ignore_whitespace_and_item_case_only() {
        let a = fingerprint("CM1", "c/x", Some("NMES  unit"), "no\n  stroke");
        assert_eq!(a, fingerprint("CM1", "c/x", Some("nmes unit"), "no stroke"));
        assert_ne!(a, fingerprint("CM1", "c/x", Some("nmes unit"), "No stroke"));
        assert_ne!(a, fingerprint("CM2", "c/x", Some("nmes unit"), "no stroke"));
        assert_ne!(a, fingerprint("CM1", "c/y", Some("nmes unit"), "no stroke"));
        assert_ne!(
            fingerprint("ab", "c", None, ""),
            fingerprint("a", "bc", None, "")
        );
        assert_eq!(a.len(), 16);
    }

    #[test]
    fn matcher_counts_and_reports_fixed_entries_of_seen_letters() {
        let mut r = Recorder::default();
        r.add("f1".into(), "L1", "c/x", Some("i"), "m");
        r.add("f1".into(), "L1", "c/x", Some("i"), "m");
        r.add("f2".into(), "L2", "c/y", None, "m");
        let file = r.finish();
        assert_eq!(file.findings.len(), 2);
        let text = file.to_json();
        assert_eq!(BaselineFile::parse("b.json", &text).unwrap(), file);
        let mut m = Matcher::new(&file);
        m.seen("L1");
        assert!(m.take("f1"));
        assert!(!m.take("f3"));
        let fixed = m.fixed(|_| true);
        assert_eq!(fixed.len(), 1, "L2 was not checked");
        assert_eq!((fixed[0].0.fingerprint.as_str(), fixed[0].1), ("f1", 1));
    }

    #[test]
    fn bad_files_are_errors_with_a_place() {
        let e = BaselineFile::parse("b.json", "{\"version\": 1,\n \"findings\": [}").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        let e = BaselineFile::parse("b.json", "{\"version\": 9, \"findings\": []}").unwrap_err();
        assert!(e.message.contains("version 9"), "{e}");
        let e = BaselineFile::parse("b.json", "[]").unwrap_err();
        assert!(e.to_string().starts_with("b.json:1:"), "{e}");
    }
}
