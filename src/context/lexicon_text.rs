//! The built-in trigger lexicon read line by line, without the YAML library.
//!
//! `rules/context/triggers.yaml` is a thousand short lines of one plain
//! layout: keys at fixed indents, one phrase a line, a few flow lists.
//! Deserialising it through the YAML library was most of the cost of
//! compiling the lexicon, paid at every run that reads a concept in
//! context. [`read`] takes exactly that layout and gives up (`None`) on
//! anything else: a tab, a trailing comment, an escape, a plain scalar YAML
//! could read as other than a string. The caller then uses the library, so
//! an edit the reader does not know costs time, never a different lexicon;
//! a test holds the two readings of the built-in file equal.

use std::collections::HashMap;

use super::triggers::{Category, File, Kind, Lexicon, List};

/// The lexicon in `text`, if every line is of the plain layout.
pub(super) fn read(text: &str) -> Option<File> {
    let mut context = false;
    let mut window = None;
    let mut windows = HashMap::new();
    let mut lists: Vec<Fields> = Vec::new();
    // The section of the lexicon the lines under it belong to.
    #[derive(PartialEq)]
    enum In {
        Top,
        Windows,
        Lists,
        /// The block sequence of the last list's phrases.
        Phrases,
    }
    let mut section = In::Top;
    for line in text.lines() {
        let body = line.trim_start_matches(' ');
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if body.contains('\t') || body.ends_with(' ') {
            return None;
        }
        match line.len() - body.len() {
            0 if body == "context:" && !context => context = true,
            2 if context => {
                section = match body {
                    "windows:" if windows.is_empty() => In::Windows,
                    "lists:" if lists.is_empty() => In::Lists,
                    _ => {
                        let (key, value) = body.split_once(": ")?;
                        if key != "window" || window.is_some() {
                            return None;
                        }
                        window = Some(number(value)?);
                        In::Top
                    }
                }
            }
            4 if section == In::Windows => {
                let (key, value) = body.split_once(": ")?;
                if windows.insert(category(key)?, number(value)?).is_some() {
                    return None;
                }
            }
            4 if matches!(section, In::Lists | In::Phrases) => {
                let field = body.strip_prefix("- ")?;
                lists.push(Fields::default());
                section = lists.last_mut()?.set(field)?;
            }
            6 if matches!(section, In::Lists | In::Phrases) => {
                section = lists.last_mut()?.set(body)?;
            }
            8 if section == In::Phrases => {
                let phrase = scalar(body.strip_prefix("- ")?, false)?;
                lists.last_mut()?.phrases.as_mut()?.push(phrase);
            }
            _ => return None,
        }
    }
    /// One list's fields as read so far.
    #[derive(Default)]
    struct Fields {
        category: Option<Category>,
        kind: Option<Kind>,
        source: Option<String>,
        phrases: Option<Vec<String>>,
    }
    impl Fields {
        /// Reads `key: value`; the section the next lines are in.
        fn set(&mut self, field: &str) -> Option<In> {
            if field == "phrases:" && self.phrases.is_none() {
                self.phrases = Some(Vec::new());
                return Some(In::Phrases);
            }
            let (key, value) = field.split_once(": ")?;
            let fresh = match key {
                "category" => self.category.replace(category(value)?).is_none(),
                "kind" => self.kind.replace(kind(value)?).is_none(),
                "source" => self.source.replace(scalar(value, false)?).is_none(),
                "phrases" => self.phrases.replace(flow(value)?).is_none(),
                _ => false,
            };
            fresh.then_some(In::Lists)
        }
    }
    let lists = lists
        .into_iter()
        .map(|f| {
            // A block sequence with no entries is YAML's null, not an empty list.
            let phrases = f.phrases.filter(|p| !p.is_empty())?;
            Some(List {
                category: f.category?,
                kind: f.kind?,
                source: f.source?,
                phrases,
            })
        })
        .collect::<Option<Vec<List>>>()?;
    Some(File {
        context: Lexicon {
            window: window?,
            windows,
            lists,
        },
    })
}

/// A decimal number of a few digits.
fn number(s: &str) -> Option<usize> {
    if s.is_empty() || s.len() > 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn category(s: &str) -> Option<Category> {
    Some(match s {
        "negated" => Category::Negated,
        "possible" => Category::Possible,
        "hypothetical" => Category::Hypothetical,
        "historical" => Category::Historical,
        "other" => Category::Other,
        "all" => Category::All,
        _ => return None,
    })
}

fn kind(s: &str) -> Option<Kind> {
    Some(match s {
        "pre" => Kind::Pre,
        "post" => Kind::Post,
        "pseudo" => Kind::Pseudo,
        "terminate" => Kind::Terminate,
        _ => return None,
    })
}

/// A string scalar: double-quoted with no escape or quote inside, or plain
/// and plainly a string (it starts with a letter, or `-` and a letter; holds
/// no `: ` or ` #`, and in a flow list none of `[]{},`; and is none of
/// YAML's words for true, false or null).
fn scalar(s: &str, in_flow: bool) -> Option<String> {
    if let Some(inner) = s.strip_prefix('"') {
        let inner = inner.strip_suffix('"')?;
        return (!inner.contains(['"', '\\'])).then(|| inner.to_string());
    }
    let starts_as_a_word = s
        .strip_prefix('-')
        .unwrap_or(s)
        .starts_with(|c: char| c.is_ascii_alphabetic());
    let marked = s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.contains(['"', '\'', '\\'])
        || (in_flow && s.contains(['[', ']', '{', '}', ',']));
    let yaml_word = matches!(
        s.to_ascii_lowercase().as_str(),
        "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
    );
    let plain = starts_as_a_word && !marked && !yaml_word;
    plain.then(|| s.to_string())
}

/// A flow sequence of scalars on one line: `[";", who]`.
fn flow(s: &str) -> Option<Vec<String>> {
    let mut rest = s.strip_prefix('[')?.strip_suffix(']')?;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (item, after) = if let Some(quoted) = rest.strip_prefix('"') {
            let close = quoted.find('"')? + 2;
            rest.split_at(close)
        } else {
            rest.split_at(rest.find(',').unwrap_or(rest.len()))
        };
        out.push(scalar(item, true)?);
        rest = match after.strip_prefix(", ") {
            Some(next) if !next.is_empty() => next,
            Some(_) => return None,
            None if after.is_empty() => after,
            None => return None,
        };
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::triggers::BUILTIN;

    #[test]
    fn reads_the_builtin_lexicon_as_the_yaml_library_does() {
        let Some(plain) = read(BUILTIN) else {
            panic!("the built-in lexicon is of the plain layout");
        };
        let Ok(yaml) = serde_saphyr::from_str::<File>(BUILTIN) else {
            panic!("the built-in lexicon is valid YAML");
        };
        assert_eq!(plain, yaml);
        assert!(
            plain
                .context
                .lists
                .iter()
                .map(|l| l.phrases.len())
                .sum::<usize>()
                > 900
        );
    }

    #[test]
    fn gives_up_on_what_it_does_not_know() {
        let ok = "context:\n  window: 10\n  lists:\n    - category: negated\n      kind: pre\n      source: x\n      phrases:\n        - no evidence\n";
        assert!(read(ok).is_some());
        for (from, to) in [
            ("- no evidence", "- no"),
            ("- no evidence", "- \"a\\\"b\""),
            ("- no evidence", "- 'quoted'"),
            ("- no evidence", "- a # comment"),
            ("- no evidence", "- 10"),
            ("- no evidence", "- -5"),
            ("- no evidence", "- - a"),
            ("- no evidence", "- a: b"),
            ("kind: pre", "kind: sideways"),
            ("kind: pre", "kind: pre\n      kind: post"),
            ("window: 10", "window: ten"),
            ("source: x", "source: x\n      extra: y"),
            (
                "      phrases:\n        - no evidence\n",
                "      phrases:\n",
            ),
            ("  window", "\twindow"),
        ] {
            let bad = ok.replace(from, to);
            assert!(read(&bad).is_none(), "{bad:?}");
        }
        assert_eq!(
            flow("[\";\", who, \"a, b\"]"),
            Some(vec![";".to_string(), "who".to_string(), "a, b".to_string()])
        );
        assert_eq!(flow("[a,b]"), None);
        assert_eq!(flow("[a, ]"), None);
    }
}
