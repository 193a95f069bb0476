//! The trigger lexicon: `rules/context/triggers.yaml` parsed and compiled
//! into one trie ([`super::trie`], ASCII case-insensitive), walked at each
//! word start of whitespace-normalised text for the longest whole-word phrase.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use serde::Deserialize;

use super::swar;
use super::trie::Trie;

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

impl Category {
    /// Every category, in declaration order: `c as usize` is `c`'s place,
    /// which is how the window table is indexed.
    pub const EVERY: [Category; 6] = [
        Category::Negated,
        Category::Possible,
        Category::Hypothetical,
        Category::Historical,
        Category::Other,
        Category::All,
    ];
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

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct File {
    pub(super) context: Lexicon,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Lexicon {
    pub(super) window: usize,
    #[serde(default)]
    pub(super) windows: HashMap<Category, usize>,
    pub(super) lists: Vec<List>,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct List {
    pub(super) category: Category,
    pub(super) kind: Kind,
    #[allow(dead_code)]
    pub(super) source: String,
    pub(super) phrases: Vec<String>,
}

/// The (category, kind) roles a phrase plays, as a set: hits are made for
/// every trigger of every sentence read, so they carry no allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Roles(u32);

impl Roles {
    fn bit(category: Category, kind: Kind) -> u32 {
        1 << (category as u32 * 4 + kind as u32)
    }

    pub fn contains(self, category: Category, kind: Kind) -> bool {
        self.0 & Roles::bit(category, kind) != 0
    }

    pub fn insert(&mut self, category: Category, kind: Kind) {
        self.0 |= Roles::bit(category, kind);
    }

    /// The roles of this kind, whatever their category.
    pub fn of_kind(self, kind: Kind) -> Roles {
        // One bit per category, four apart.
        Roles(self.0 & (0x11_1111 << kind as u32))
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The roles of either set.
    pub fn union(self, other: Roles) -> Roles {
        Roles(self.0 | other.0)
    }

    /// Whether any role is a pre- or post-trigger of `category`: only those
    /// open a scope.
    pub fn opens_scope(self, category: Category) -> bool {
        self.0 & (Roles::bit(category, Kind::Pre) | Roles::bit(category, Kind::Post)) != 0
    }
}

/// A phrase found in a sentence: its byte range in the original text and
/// every (category, kind) role the phrase plays.
#[derive(Debug, Clone)]
pub struct Hit {
    pub span: Range<usize>,
    pub roles: Roles,
}

impl Hit {
    pub fn has(&self, category: Category, kind: Kind) -> bool {
        self.roles.contains(category, kind)
    }
}

/// What a match of a phrase needs: its roles, and of its last character
/// (the same whatever the case of the text's ASCII letters) whether it is a
/// word character and its length.
#[derive(Debug, Clone, Copy)]
struct Phrase {
    roles: Roles,
    ends_word: bool,
    last_len: u8,
}

/// The compiled lexicon.
pub struct Triggers {
    trie: Trie,
    /// By phrase id.
    phrases: Vec<Phrase>,
    /// A scope runs at most this many words from its trigger...
    pub window: usize,
    /// ...or this many, for these categories.
    pub windows: HashMap<Category, usize>,
    /// [`Triggers::window_of`] each category, by its discriminant: read for
    /// every trigger of every target.
    window_by_category: [usize; 6],
}

impl Triggers {
    /// The window of a category's scopes, in words.
    pub fn window_of(&self, category: Category) -> usize {
        self.window_by_category[category as usize]
    }
}

impl std::fmt::Debug for Triggers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Triggers")
            .field("phrases", &self.phrases.len())
            .field("window", &self.window)
            .finish()
    }
}

/// Lowercase-free normal form of a phrase: runs of whitespace become one space.
fn squeeze(s: &str) -> String {
    // Most phrases are in that form already: copied, not split and joined.
    let normal = !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s.contains("  ")
        && !s.contains(|c: char| c.is_whitespace() && c != ' ');
    if normal {
        return s.to_string();
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(crate) fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// [`is_word`] of each ASCII character, by byte; false for every other byte
/// (a non-ASCII character is told by decoding it).
pub(super) static ASCII_WORD: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    t
};

/// The character that starts at byte `i` of `s` (a char boundary), and its length.
#[inline]
fn char_at(s: &str, i: usize) -> Option<(char, usize)> {
    match s.as_bytes().get(i) {
        Some(&b) if b.is_ascii() => Some((b as char, 1)),
        Some(_) => s[i..].chars().next().map(|c| (c, c.len_utf8())),
        None => None,
    }
}

impl Triggers {
    /// Parses and compiles a lexicon in the `triggers.yaml` format.
    pub fn from_yaml(text: &str) -> Result<Triggers, String> {
        Triggers::compile(serde_saphyr::from_str(text).map_err(|e| e.to_string())?)
    }

    /// Compiles a lexicon as read from its file.
    fn compile(file: File) -> Result<Triggers, String> {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut phrases: Vec<String> = Vec::new();
        let mut roles: Vec<Roles> = Vec::new();
        for list in &file.context.lists {
            if list.category == Category::All && list.kind != Kind::Terminate {
                return Err("`category: all` is only for terminations".into());
            }
            for p in &list.phrases {
                let mut p = squeeze(p);
                p.make_ascii_lowercase();
                if p.is_empty() {
                    return Err("empty trigger phrase".into());
                }
                let i = *index.entry(p.clone()).or_insert_with(|| {
                    phrases.push(p);
                    roles.push(Roles::default());
                    roles.len() - 1
                });
                roles[i].insert(list.category, list.kind);
            }
        }
        let last = |p: &String| p.chars().next_back().unwrap_or(' ');
        let lexicon = file.context;
        let window_by_category =
            Category::EVERY.map(|c| lexicon.windows.get(&c).copied().unwrap_or(lexicon.window));
        Ok(Triggers {
            trie: Trie::new(&phrases),
            phrases: phrases
                .iter()
                .zip(roles)
                .map(|(p, roles)| Phrase {
                    roles,
                    ends_word: is_word(last(p)),
                    last_len: last(p).len_utf8() as u8,
                })
                .collect(),
            window: lexicon.window,
            windows: lexicon.windows,
            window_by_category,
        })
    }

    /// The built-in lexicon, compiled on first use.
    pub fn builtin() -> &'static Triggers {
        static BUILT: OnceLock<Triggers> = OnceLock::new();
        BUILT.get_or_init(|| {
            // The embedded file is checked by the tests; it cannot fail at run
            // time. Its plain layout is read without the YAML library, which
            // took most of the build; a layout the plain reader does not
            // know goes to the library.
            let file = super::lexicon_text::read(BUILTIN).map_or_else(
                || serde_saphyr::from_str(BUILTIN).map_err(|e| e.to_string()),
                Ok,
            );
            file.and_then(Triggers::compile)
                .expect("rules/context/triggers.yaml is valid")
        })
    }

    /// Every trigger phrase in `text`, left to right, not overlapping: at each
    /// word start, the longest phrase that ends on a word boundary.
    pub fn find(&self, text: &str) -> Vec<Hit> {
        // Folded letter text is already in normal form: no copy to make.
        // One fold over the bytes, which the compiler tests many at a time.
        let ascii = text.as_bytes().iter().fold(0, |any, &b| any | b) < 0x80;
        if is_normal(text, ascii) {
            self.find_normal(text, ascii, |i| i)
        } else {
            let (norm, map) = normalise(text);
            self.find_normal(&norm, ascii, |i| map[i])
        }
    }

    /// [`Triggers::find`] on whitespace-normalised text, `original(i)` the
    /// offset in the caller's text of byte `i`.
    /// `ascii`: whether it is ASCII (as normalising keeps it).
    fn find_normal(&self, norm: &str, ascii: bool, original: impl Fn(usize) -> usize) -> Vec<Hit> {
        if ascii {
            return self.find_ascii(norm.as_bytes(), original);
        }
        let bytes = norm.as_bytes();
        // Whether the character at `end` (a char boundary) is a word character.
        let word_at = |end: usize| match bytes.get(end) {
            Some(&c) if c.is_ascii() => ASCII_WORD[c as usize],
            Some(_) => char_at(norm, end).is_some_and(|(c, _)| is_word(c)),
            None => false,
        };
        let mut hits = Vec::new();
        let mut i = 0;
        // Whether the character before `i` is a word character.
        let mut after_word = false;
        while let Some(&b) = bytes.get(i) {
            let (in_word, len) = if b.is_ascii() {
                (ASCII_WORD[b as usize], 1)
            } else {
                char_at(norm, i).map_or((false, 1), |(c, len)| (is_word(c), len))
            };
            // No phrase starts inside a word, nor at a space.
            if (in_word && after_word) || b == b' ' {
                after_word = in_word;
                i += len;
                continue;
            }
            if let Some((end, hit, ends_word)) = self.hit_at(bytes, i, word_at, &original) {
                hits.push(hit);
                i = end;
                after_word = ends_word;
                continue;
            }
            after_word = in_word;
            i += len;
            if in_word {
                // The rest of the word starts no phrase: skip its ASCII run.
                while bytes.get(i).is_some_and(|&c| ASCII_WORD[c as usize]) {
                    i += 1;
                }
            }
        }
        hits
    }
}

impl Triggers {
    /// The trigger starting at byte `at`: of every phrase there, shortest
    /// first, the last that ends on a word boundary (`word_at(end)`: whether
    /// a word character follows; whether a phrase ends in one is known from
    /// the phrase itself). Its end, its hit, and whether it ends a word.
    #[inline(always)]
    fn hit_at(
        &self,
        bytes: &[u8],
        at: usize,
        word_at: impl Fn(usize) -> bool,
        original: &impl Fn(usize) -> usize,
    ) -> Option<(usize, Hit, bool)> {
        let (end, p) = self.trie.longest(bytes, at, |end, p| {
            !(self.phrases[p].ends_word && word_at(end))
        })?;
        let phrase = self.phrases[p];
        let hit = Hit {
            span: original(at)..original(end - 1) + phrase.last_len as usize,
            roles: phrase.roles,
        };
        Some((end, hit, phrase.ends_word))
    }

    /// [`Triggers::find_normal`] on ASCII text. A phrase may start at each
    /// byte that is neither a space nor a word character after another (the
    /// character before a position is all the byte-by-byte walk remembers,
    /// even after a hit), so those starts are found sixteen bytes at a time
    /// and the trie is walked from each that no earlier hit covers.
    fn find_ascii(&self, bytes: &[u8], original: impl Fn(usize) -> usize) -> Vec<Hit> {
        let mut hits = Vec::new();
        // No phrase starts before this: the end of the last hit.
        let mut from = 0;
        let mut word_before = false;
        let mut base = 0;
        // Plain loops, not an iterator of starts: the walk's state then
        // stays in registers.
        for block in bytes.chunks(16) {
            let (mut starts, last) = match block.try_into() {
                Ok(block) => swar::starts16(block, word_before),
                Err(_) => {
                    // The rest, padded with spaces (which start nothing).
                    let mut padded = [b' '; 16];
                    padded[..block.len()].copy_from_slice(block);
                    swar::starts16(&padded, word_before)
                }
            };
            word_before = last;
            while starts != 0 {
                let at = base + starts.trailing_zeros() as usize;
                starts &= starts - 1;
                if at < from {
                    continue;
                }
                let word_at = |end: usize| bytes.get(end).is_some_and(|&c| ASCII_WORD[c as usize]);
                if let Some((end, hit, _)) = self.hit_at(bytes, at, word_at, &original) {
                    hits.push(hit);
                    from = end;
                }
            }
            base += 16;
        }
        hits
    }
}

/// Whether [`normalise`] would give `text` back unchanged: no whitespace but
/// single spaces. `ascii`: whether `text` is ASCII.
fn is_normal(text: &str, ascii: bool) -> bool {
    let b = text.as_bytes();
    if ascii {
        // Folds without early exit, so the compiler tests many bytes at once.
        let controls = b.iter().fold(false, |any, &c| {
            any | (c.wrapping_sub(b'\t') <= b'\r' - b'\t')
        });
        let doubled = b
            .iter()
            .zip(b.iter().skip(1))
            .fold(false, |any, (&x, &y)| any | ((x == b' ') & (y == b' ')));
        return !controls && !doubled;
    }
    let mut after_space = false;
    for c in text.chars() {
        if c == ' ' {
            if after_space {
                return false;
            }
            after_space = true;
        } else if c.is_whitespace() {
            return false;
        } else {
            after_space = false;
        }
    }
    true
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
        for (i, c) in Category::EVERY.into_iter().enumerate() {
            assert_eq!(c as usize, i, "{c:?}");
            let window = t.windows.get(&c).copied().unwrap_or(t.window);
            assert_eq!(t.window_of(c), window, "{c:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn squeezed_as_split_and_joined(s in "[a \t\n\u{a0}\u{2003}é]{0,12}") {
            proptest::prop_assert_eq!(
                squeeze(&s),
                s.split_whitespace().collect::<Vec<_>>().join(" ")
            );
        }
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

    /// The lexicon's phrases, ids as in [`Triggers::from_yaml`].
    fn phrases() -> Vec<String> {
        let file: File = serde_saphyr::from_str(BUILTIN).expect("valid");
        let mut out: Vec<String> = Vec::new();
        for list in &file.context.lists {
            for p in &list.phrases {
                let p = squeeze(p).to_ascii_lowercase();
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
        out
    }

    /// The first implementation of [`Triggers::find`]: an anchored
    /// leftmost-longest automaton search at every word start, retried shorter
    /// while the match ends inside a word. The trie walk must agree with it.
    fn reference(t: &Triggers, phrases: &[String], text: &str) -> Vec<(Range<usize>, Roles)> {
        use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind};
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            .ascii_case_insensitive(true)
            .build(phrases)
            .expect("builds");
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
                while let Ok(Some(m)) =
                    automaton.try_find(Input::new(bytes).range(i..end).anchored(Anchored::Yes))
                {
                    let last = char_before(m.end()).unwrap_or(' ');
                    let next = char_at(m.end());
                    if is_word(last) && next.is_some_and(is_word) {
                        end = m.end() - 1;
                        while !norm.is_char_boundary(end) {
                            end -= 1;
                        }
                        if end <= i {
                            break;
                        }
                        continue;
                    }
                    hits.push((
                        map[m.start()]..map[m.end() - 1] + last.len_utf8(),
                        t.phrases[m.pattern().as_usize()].roles,
                    ));
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

    fn same_as_reference(t: &Triggers, phrases: &[String], text: &str) {
        let got: Vec<(Range<usize>, Roles)> = t
            .find(text)
            .into_iter()
            .map(|h| (h.span, h.roles))
            .collect();
        assert_eq!(got, reference(t, phrases, text), "{text:?}");
    }

    #[test]
    fn agrees_with_the_automaton_search() {
        let t = Triggers::builtin();
        let phrases = phrases();
        for s in [
            "Patient denies   chest pain; nothing north of  no evidence of it.",
            "No evidence of stroke, no\tevidence\u{a0}of fracture;nothing.",
            "noevidence of; not only... but  however, history of x-ray; (no) [denies]",
            "Ruled out?  Ruled  out! is ruled out. no\u{2003} evidence of: é no é_no",
            " leading and trailing \n",
            "\u{a0}\u{a0}no\u{85}evidence",
            "",
            "   ",
        ] {
            same_as_reference(t, &phrases, s);
        }
    }

    /// Trigger phrases (every third upper-cased) or filler words, each
    /// followed by a piece of glue, searched both ways.
    fn phrase_soup(parts: &[(usize, usize)], glue: &[&str], fillers: [&str; 5]) {
        let phrases = phrases();
        let mut s = String::new();
        for &(p, g) in parts {
            match phrases.get(p) {
                Some(p) if p.len() % 3 == 0 => s.push_str(&p.to_ascii_uppercase()),
                Some(p) => s.push_str(p),
                None => s.push_str(fillers[p % 5]),
            }
            s.push_str(glue[g]);
        }
        same_as_reference(Triggers::builtin(), &phrases, &s);
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_automaton_search_on_ascii_phrase_soup(
            parts in proptest::collection::vec((0usize..2000, 0usize..11), 0..24)
        ) {
            let glue = [" ", "  ", "", "\n", ",", ". ", "x", "_", "-", "'", ";"];
            phrase_soup(&parts, &glue, ["word", "No", "pain", "R", "7"]);
        }

        #[test]
        fn agrees_with_the_automaton_search_on_phrase_soup(
            parts in proptest::collection::vec((0usize..2000, 0usize..12), 0..24)
        ) {
            let glue = [" ", "  ", "", "\n", ",", ". ", "é", "x", "_", "\u{a0}", "-", "\u{2003}"];
            phrase_soup(&parts, &glue, ["word", "No", "pain", "Ré", "7"]);
        }
    }
}
