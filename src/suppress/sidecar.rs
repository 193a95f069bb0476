//! The `--suppressions` sidecar: suppressions for letters that cannot carry
//! an `imrlint: allow` line (PDFs), in TOML. No I/O: [`Sidecar::parse`] reads
//! text already read.
//!
//! ```toml
//! [[allow]]
//! case = "CM16-0247255"        # the letter's IMR Case Number (or: file = "letter.pdf")
//! item = 1                     # optional: only this item's findings; omitted: the whole letter
//! codes = ["citation/non-mtus-without-reason"]   # or: code = "citation"
//! reason = "ODG is cited for the home exercise kit, which the MTUS does not address"
//! ```
//!
//! A file imrlint cannot read as this (bad TOML, an unknown key, a value of
//! the wrong type, an entry without a case or codes) is an error naming the
//! file and line. An entry without a reason is read, and reported as a
//! `suppression/missing-reason` finding on the letter it applies to.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One `[[allow]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line where the entry starts (its `[[allow]]` header).
    pub line: usize,
    /// The case number it applies to, upper-cased.
    pub case: Option<String>,
    /// Or the file name (the last path component) it applies to.
    pub file: Option<String>,
    /// Only this item's findings; `None`: the whole letter.
    pub item: Option<usize>,
    pub codes: Vec<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sidecar {
    /// As named on the command line; findings and errors name it.
    pub name: String,
    pub entries: Vec<Entry>,
}

/// Why a sidecar cannot be used: the file, the place and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}:{line}:{column}: {message}")]
pub struct SidecarError {
    pub name: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// 1-based line and column of byte `offset` of `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    crate::span::line_column(text, offset)
}

/// The last path component of `path` (`/` or `\` separated).
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

impl Sidecar {
    pub fn parse(name: &str, text: &str) -> Result<Sidecar, SidecarError> {
        let err = |offset: usize, message: String| {
            let (line, column) = line_col(text, offset);
            SidecarError {
                name: name.to_string(),
                line,
                column,
                message,
            }
        };
        let doc = DeTable::parse(text).map_err(|e| {
            let at = e.span().map_or(0, |r| r.start);
            err(at, format!("not valid TOML: {}", e.message().trim()))
        })?;
        let mut entries = Vec::new();
        for (key, value) in doc.get_ref().iter() {
            if key.get_ref().as_ref() != "allow" {
                return Err(err(
                    key.span().start,
                    format!(
                        "unknown key '{}'; a suppressions file holds [[allow]] entries",
                        key.get_ref()
                    ),
                ));
            }
            let DeValue::Array(list) = value.get_ref() else {
                return Err(err(
                    value.span().start,
                    "'allow' must be a list of entries ([[allow]] tables)".into(),
                ));
            };
            for entry in list.iter() {
                entries.push(read_entry(text, entry, &err)?);
            }
        }
        // Entries in file order, whatever order the TOML map keeps.
        entries.sort_by_key(|e| e.line);
        Ok(Sidecar {
            name: name.to_string(),
            entries,
        })
    }

    /// The entries that apply to a letter with this case number, read from `path`.
    pub fn for_letter(&self, case: Option<&str>, path: &str) -> Vec<&Entry> {
        let case = case.map(|c| c.trim().to_ascii_uppercase());
        let file = file_name(path);
        self.entries
            .iter()
            .filter(|e| match (&e.case, &e.file) {
                (Some(c), _) => case.as_deref() == Some(c.as_str()),
                (None, Some(f)) => f == file,
                (None, None) => false,
            })
            .collect()
    }
}

fn read_entry(
    text: &str,
    entry: &Spanned<DeValue>,
    err: &dyn Fn(usize, String) -> SidecarError,
) -> Result<Entry, SidecarError> {
    let DeValue::Table(table) = entry.get_ref() else {
        return Err(err(
            entry.span().start,
            "each entry of 'allow' must be a table of case, item, codes and reason".into(),
        ));
    };
    // Where the entry starts: its `[[allow]]` header (the table's span), or its first key.
    let at = table
        .iter()
        .map(|(k, _)| k.span().start)
        .min()
        .unwrap_or(entry.span().start)
        .min(entry.span().start);
    let mut out = Entry {
        line: 0,
        case: None,
        file: None,
        item: None,
        codes: Vec::new(),
        reason: None,
    };
    let string = |v: &Spanned<DeValue>, what: &str| -> Result<String, SidecarError> {
        match v.get_ref() {
            DeValue::String(s) => Ok(s.to_string()),
            other => Err(err(
                v.span().start,
                format!("'{what}' must be a string, not {}", other.type_str()),
            )),
        }
    };
    let mut code_key = None;
    for (k, v) in table.iter() {
        match k.get_ref().as_ref() {
            "case" => out.case = Some(string(v, "case")?.trim().to_ascii_uppercase()),
            "file" => out.file = Some(string(v, "file")?),
            "item" => {
                let n = match v.get_ref() {
                    DeValue::Integer(i) => u64::from_str_radix(i.as_str(), i.radix()).ok(),
                    _ => None,
                };
                match n.and_then(|n| usize::try_from(n).ok()).filter(|&n| n > 0) {
                    Some(n) => out.item = Some(n),
                    None => {
                        return Err(err(
                            v.span().start,
                            "'item' must be an item number (1 for the first item)".into(),
                        ));
                    }
                }
            }
            "code" | "codes" => {
                if code_key.is_some() {
                    return Err(err(
                        k.span().start,
                        "give either 'code' or 'codes', not both".into(),
                    ));
                }
                code_key = Some(k.span().start);
                match v.get_ref() {
                    DeValue::Array(a) => {
                        for c in a.iter() {
                            out.codes.push(string(c, "codes")?.trim().to_string());
                        }
                    }
                    _ => out.codes.push(string(v, "code")?.trim().to_string()),
                }
                if out.codes.iter().any(String::is_empty) {
                    return Err(err(v.span().start, "an empty rule code".into()));
                }
            }
            "reason" => {
                let r = string(v, "reason")?;
                out.reason = (!r.trim().is_empty()).then(|| r.trim().to_string());
            }
            other => {
                return Err(err(
                    k.span().start,
                    format!(
                        "unknown key '{other}' in an [[allow]] entry; expected case (or file), item, codes (or code) and reason"
                    ),
                ));
            }
        }
    }
    if out.case.is_none() && out.file.is_none() {
        return Err(err(
            at,
            "the entry names no letter: give its 'case' (the IMR Case Number) or 'file'".into(),
        ));
    }
    if out.case.is_some() && out.file.is_some() {
        return Err(err(at, "give either 'case' or 'file', not both".into()));
    }
    if out.codes.is_empty() {
        return Err(err(
            code_key.unwrap_or(at),
            "the entry allows no rule: give 'codes' (a list) or 'code'".into(),
        ));
    }
    out.line = line_col(text, at).0;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_entries_in_file_order() {
        let text = "# PDFs\n[[allow]]\ncase = \"cm16-0247255\"\nitem = 1\ncodes = [\"citation\", \"criteria/x\"]\nreason = \"because\"\n\n[[allow]]\nfile = \"a.pdf\"\ncode = \"structure\"\n";
        let s = Sidecar::parse("s.toml", text).expect("valid");
        assert_eq!(s.entries.len(), 2);
        let a = &s.entries[0];
        assert_eq!(a.case.as_deref(), Some("CM16-0247255"));
        assert_eq!(a.item, Some(1));
        assert_eq!(a.codes, ["citation", "criteria/x"]);
        assert_eq!(a.reason.as_deref(), Some("because"));
        assert_eq!(s.entries[1].reason, None);
        assert_eq!(s.for_letter(Some("CM16-0247255"), "x/y.pdf").len(), 1);
        assert_eq!(s.for_letter(None, "dir/a.pdf").len(), 1);
        assert_eq!(s.for_letter(Some("CM00-0000000"), "b.pdf").len(), 0);
    }

    #[test]
    fn malformed_files_name_the_place() {
        for (text, line, words) in [
            ("[[allow]\ncase = 1", 1, "not valid TOML"),
            (
                "[[allow]]\ncase = \"C\"\ncodes = [\"x\"]\ncolour = \"red\"\n",
                4,
                "unknown key 'colour'",
            ),
            (
                "[[allow]]\ncase = \"C\"\nitem = 0\ncodes = [\"x\"]\n",
                3,
                "'item' must be",
            ),
            (
                "[[allow]]\nitem = 2\ncodes = [\"x\"]\n",
                1,
                "names no letter",
            ),
            (
                "[[allow]]\ncase = \"C\"\nreason = \"r\"\n",
                1,
                "allows no rule",
            ),
            (
                "[[allow]]\ncase = 7\ncodes = [\"x\"]\n",
                2,
                "'case' must be a string",
            ),
            ("allow = 3\n", 1, "must be a list"),
            ("[other]\n", 1, "unknown key 'other'"),
        ] {
            let e = Sidecar::parse("s.toml", text).expect_err(text);
            assert_eq!(e.line, line, "{text}: {e}");
            assert!(e.to_string().starts_with(&format!("s.toml:{line}:")), "{e}");
            assert!(e.message.contains(words), "{text}: {e}");
        }
    }
}
