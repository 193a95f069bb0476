//! The trigger lexicon: `rules/context/triggers.yaml` parsed and compiled
//! into one Aho-Corasick automaton (leftmost-longest, ASCII
//! case-insensitive), matched on whole words over whitespace-normalised text.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind};
use serde::Deserialize;

/// The built-in lexicon's text.
pub const BUILTIN: &str = include_str!("../../rules/context/triggers.yaml");

/// What a trigger says about the target it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Negated,
    Possible,
    Hypothetical,
    Historical,
    /// Experiencer: someone other than the patient.
    Other,
    /// Terminations only: ends the scope of every category.
    All,
}

/// How a phrase acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Scope runs forward from the trigger.
    Pre,
    /// Scope runs backward from the trigger.
    Post,
    /// Looks like a trigger, is not one.
    Pseudo,
    /// Ends a scope.
    Terminate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    context: Lexicon,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Lexicon {
    window: usize,
    #[serde(default)]
    windows: HashMap<Category, usize>,
    lists: Vec<List>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct List {
    category: Category,
    kind: Kind,
    #[allow(dead_code)]
    source: String,
    phrases: Vec<String>,
}

/// A phrase found in a sentence: its byte range in the original text and
/// every (category, kind) role the phrase plays.
#[derive(Debug, Clone)]
pub struct Hit {
    pub span: Range<usize>,
    pub roles: Vec<(Category, Kind)>,
}

impl Hit {
    pub fn has(&self, category: Category, kind: Kind) -> bool {
        self.roles.contains(&(category, kind))
    }
}

/// The compiled lexicon.
pub struct Triggers {
    automaton: AhoCorasick,
    roles: Vec<Vec<(Category, Kind)>>,
    /// A scope runs at most this many words from its trigger...
    pub window: usize,
    /// ...or this many, for these categories.
    pub windows: HashMap<Category, usize>,
}

impl Triggers {
    /// The window of a category's scopes, in words.
    pub fn window_of(&self, category: Category) -> usize {
        self.windows.get(&category).copied().unwrap_or(self.window)
    }
}

impl std::fmt::Debug for Triggers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Triggers")
            .field("phrases", &self.roles.len())
            .field("window", &self.window)
            .finish()
    }
}

/// Lowercase-free normal form of a phrase: runs of whitespace become one space.
fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(crate) fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl Triggers {
    /// Parses and compiles a lexicon in the `triggers.yaml` format.
    pub fn from_yaml(text: &str) -> Result<Triggers, String> {
        let file: File = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut phrases: Vec<String> = Vec::new();
        let mut roles: Vec<Vec<(Category, Kind)>> = Vec::new();
        for list in &file.context.lists {
            if list.category == Category::All && list.kind != Kind::Terminate {
                return Err("`category: all` is only for terminations".into());
            }
            for p in &list.phrases {
                let p = squeeze(p).to_ascii_lowercase();
                if p.is_empty() {
                    return Err("empty trigger phrase".into());
                }
                let i = *index.entry(p.clone()).or_insert_with(|| {
                    phrases.push(p);
                    roles.push(Vec::new());
                    roles.len() - 1
                });
                if !roles[i].contains(&(list.category, list.kind)) {
                    roles[i].push((list.category, list.kind));
                }
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            .ascii_case_insensitive(true)
            .build(&phrases)
            .map_err(|e| e.to_string())?;
        Ok(Triggers {
            automaton,
            roles,
            window: file.context.window,
            windows: file.context.windows,
        })
    }

    /// The built-in lexicon, compiled on first use.
    pub fn builtin() -> &'static Triggers {
        static BUILT: OnceLock<Triggers> = OnceLock::new();
        BUILT.get_or_init(|| {
            // The embedded file is checked by the tests; it cannot fail at run time.
            Triggers::from_yaml(BUILTIN).expect("rules/context/triggers.yaml is valid")
        })
    }

    /// Every trigger phrase in `text`, left to right, not overlapping: at each
    /// word start, the longest phrase that ends on a word boundary.
    pub fn find(&self, text: &str) -> Vec<Hit> {
        let (norm, map) = normalise(text);
        let bytes = norm.as_bytes();
        let char_before = |i: usize| norm[..i].chars().next_back();
        let char_at = |i: usize| norm[i..].chars().next();
        let mut hits = Vec::new();
        let mut i = 0;
        while i < norm.len() {
            let cur = char_at(i).unwrap_or(' ');
            let starts_word = !(is_word(cur) && char_before(i).is_some_and(is_word));
            let mut advanced = false;
            if starts_word && cur != ' ' {
                let mut end = norm.len();
                while let Ok(Some(m)) = self
                    .automaton
                    .try_find(Input::new(bytes).range(i..end).anchored(Anchored::Yes))
                {
                    let last = char_before(m.end()).unwrap_or(' ');
                    let next = char_at(m.end());
                    if is_word(last) && next.is_some_and(is_word) {
                        // Ends inside a word: try the longest shorter phrase.
                        end = m.end() - 1;
                        while !norm.is_char_boundary(end) {
                            end -= 1;
                        }
                        if end <= i {
                            break;
                        }
                        continue;
                    }
                    hits.push(Hit {
                        span: map[m.start()]..map[m.end() - 1] + last.len_utf8(),
                        roles: self.roles[m.pattern().as_usize()].clone(),
                    });
                    i = m.end();
                    advanced = true;
                    break;
                }
            }
            if !advanced {
                i += cur.len_utf8();
            }
        }
        hits
    }
}

/// `text` with each run of whitespace as one space, and for each byte of it
/// the byte offset in `text` it came from.
fn normalise(text: &str) -> (String, Vec<usize>) {
    let mut norm = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len());
    let mut in_space = false;
    for (at, c) in text.char_indices() {
        if c.is_whitespace() {
            if !in_space {
                norm.push(' ');
                map.push(at);
            }
            in_space = true;
        } else {
            in_space = false;
            norm.push(c);
            map.extend(at..at + c.len_utf8());
        }
    }
    (norm, map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_lexicon_compiles() {
        let t = Triggers::from_yaml(BUILTIN).expect("valid");
        assert!(t.window > 0);
    }

    #[test]
    fn whole_words_longest_first() {
        let t = Triggers::builtin();
        let s = "Patient denies   chest pain; nothing north of  no evidence of it.";
        let found: Vec<&str> = t.find(s).iter().map(|h| &s[h.span.clone()]).collect();
        assert!(found.contains(&"denies"));
        assert!(found.contains(&"no evidence of"), "{found:?}");
        assert!(
            !found
                .iter()
                .any(|f| f.eq_ignore_ascii_case("no") || *f == "not"),
            "{found:?}"
        );
    }
}
