//! The concept terms, found as whole words.
//!
//! A term is a mention only as a whole word: "pain", not the "pain" of
//! "Spain" or "painful". What is found, left to right: at each place no
//! letter or digit precedes, the longest phrase that ends a word; after a
//! match, on from its end (see [`Terms::for_each`]).
//!
//! Every case summary and rationale a check reads goes through the terms,
//! so they are found in two steps. The terms' leftmost-longest DFA is walked
//! over the whole text as a plain [`Table`] (`term_table`), up to four
//! pieces side by side. Where its match is a whole word, it is the match
//! wanted; where it is not ("back pain" in "xback pain", or "epidural
//! injection" in "epidural injections"), it may hide one that is ("pain",
//! "injections"), so the text is read from there by the definition, with a
//! trie of the phrases, until the DFA's matches are in step again. The
//! built-in rulebook's table is built by `build.rs`, used whenever the
//! phrases are exactly those it was built from; other phrases have theirs
//! copied off the crate's DFA at start-up.

use aho_corasick::MatchKind;

use super::term_table::{self, Separators, Table};

/// The built-in rulebook's concept phrases, in `concepts::compile`'s order,
/// and the bytes of their table; None when `build.rs` could not make them.
static PREBUILT: Option<(&[&str], &[u8])> = include!(concat!(env!("OUT_DIR"), "/concept_terms.rs"));

/// Phrases found as whole words (see the module's header).
pub struct Terms {
    /// The phrases' leftmost-longest DFA.
    table: Table,
    cuts: Separators,
    /// Whether `table` is the one `build.rs` built.
    #[cfg(test)]
    prebuilt: bool,
    trie: Trie,
    /// The length in bytes of the longest phrase.
    longest: usize,
}

impl Terms {
    /// None when a phrase is empty (no word is) or the phrases do not build
    /// (too many states).
    pub fn new<P: AsRef<[u8]>>(phrases: &[P]) -> Option<Terms> {
        if phrases.iter().any(|p| p.as_ref().is_empty()) {
            return None;
        }
        let built = term_table::prebuilt(PREBUILT, phrases);
        #[cfg(test)]
        let prebuilt = built.is_some();
        let table = match built {
            Some(table) => table,
            None => {
                let dfa = term_table::build_dfa(phrases, MatchKind::LeftmostLongest)?;
                Table::of(&dfa)?
            }
        };
        Some(Terms {
            table,
            cuts: Separators::of(phrases),
            #[cfg(test)]
            prebuilt,
            trie: Trie::new(phrases)?,
            longest: phrases.iter().map(|p| p.as_ref().len()).max().unwrap_or(0),
        })
    }

    /// Whether the DFA is the one `build.rs` built for the built-in rulebook.
    #[cfg(test)]
    pub(crate) fn is_prebuilt(&self) -> bool {
        self.prebuilt
    }

    /// The longest phrase at `s` in `lower` after which `t` has no letter or
    /// digit: (phrase index, end). Where [`Terms::for_each`] reads from
    /// `s`, this is its match there.
    pub fn longest_at(&self, t: &str, lower: &[u8], s: usize) -> Option<(usize, usize)> {
        self.trie.longest_at(t, lower, s)
    }

    /// The length in bytes of the longest phrase.
    pub fn longest(&self) -> usize {
        self.longest
    }

    /// (phrase index, start, end) of every phrase in `lower` that is a whole
    /// word of `t`, by start: at each character boundary after no letter or
    /// digit, the longest phrase there after which no letter or digit
    /// follows; after a match, on from its end. `lower` is `t` with ASCII
    /// letters lowercased (the same bytes at the same offsets but for case),
    /// which is what the phrases are matched against; words are read off `t`.
    pub fn for_each(&self, t: &str, lower: &[u8], mut found: impl FnMut(usize, usize, usize)) {
        debug_assert_eq!(t.len(), lower.len());
        let mut dfa: Vec<(usize, usize, usize)> = Vec::new();
        self.table
            .for_each_split(lower, &self.cuts, |p, s, e| dfa.push((p, s, e)));
        // Why the DFA's whole-word matches are the ones wanted: read from
        // where it starts afresh, the definition finds nothing before the
        // DFA's next match, which starts at the first place any phrase does;
        // if that match is a whole word, the longest phrase there is, and
        // both go on from its end.
        let mut k = 0;
        while k < dfa.len() {
            let (p, s, e) = dfa[k];
            if super::service::whole_word(t, s, e) {
                found(p, s, e);
                k += 1;
                continue;
            }
            // Read by the definition from `s`, until at or past `e` the
            // reading is at a place no DFA match spans: the DFA, started
            // afresh there, would find the matches it found from `k` on.
            let mut at = s;
            let mut after_word = t[..s]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric);
            loop {
                if at >= e {
                    while dfa.get(k).is_some_and(|&(_, s, e)| s < at && e <= at) {
                        k += 1;
                    }
                    if dfa.get(k).is_none_or(|&(_, s, _)| s >= at) {
                        break;
                    }
                }
                if !after_word && let Some((p, e)) = self.trie.longest_at(t, lower, at) {
                    found(p, at, e);
                    // `e` ends a phrase that began at a character, so it is
                    // a character boundary, after the phrase's last character.
                    after_word = t[..e]
                        .chars()
                        .next_back()
                        .is_some_and(char::is_alphanumeric);
                    at = e;
                    continue;
                }
                let (word, len) = char_at(t, lower, at);
                after_word = word;
                at += len;
            }
        }
    }
}

/// The phrases' trie, for reading a stretch of text by the definition.
/// Nodes are numbered in the order made, the root 0; a node's children
/// are a list (first child, then each's next sibling), since the trie is
/// read only where the DFA's match is no whole word, and lists are quick
/// to build at every start.
struct Trie {
    /// The byte leading to each node.
    byte: Vec<u8>,
    /// Each node's first child and next sibling; 0 for none.
    first_child: Vec<u32>,
    next_sibling: Vec<u32>,
    /// The first phrase (lowest index) that ends at each node, if any.
    ends: Vec<Option<u32>>,
    /// The root's child by each byte (0: none): the root has a child for
    /// most letters, and a place is looked up as a word starts.
    root: [u32; 256],
}

impl Trie {
    /// None when the trie would not fit 32-bit node numbers.
    fn new<P: AsRef<[u8]>>(phrases: &[P]) -> Option<Trie> {
        let bytes: usize = phrases.iter().map(|p| p.as_ref().len()).sum();
        let mut trie = Trie {
            byte: Vec::with_capacity(bytes + 1),
            first_child: Vec::with_capacity(bytes + 1),
            next_sibling: Vec::with_capacity(bytes + 1),
            ends: Vec::with_capacity(bytes + 1),
            root: [0; 256],
        };
        trie.push(0);
        for (k, p) in phrases.iter().enumerate() {
            let mut node = 0;
            for &b in p.as_ref() {
                node = match trie.child(node, b) {
                    Some(child) => child,
                    None => {
                        let child = trie.push(b)?;
                        trie.next_sibling[child] = trie.first_child[node];
                        trie.first_child[node] = u32::try_from(child).ok()?;
                        child
                    }
                };
            }
            trie.ends[node].get_or_insert(u32::try_from(k).ok()?);
        }
        let mut c = trie.first_child[0];
        while c != 0 {
            trie.root[usize::from(trie.byte[c as usize])] = c;
            c = trie.next_sibling[c as usize];
        }
        Some(trie)
    }

    /// A new node, reached by `b`.
    fn push(&mut self, b: u8) -> Option<usize> {
        u32::try_from(self.byte.len()).ok()?;
        self.byte.push(b);
        self.first_child.push(0);
        self.next_sibling.push(0);
        self.ends.push(None);
        Some(self.byte.len() - 1)
    }

    fn child(&self, node: usize, b: u8) -> Option<usize> {
        let mut c = self.first_child[node] as usize;
        while c != 0 {
            if self.byte[c] == b {
                return Some(c);
            }
            c = self.next_sibling[c] as usize;
        }
        None
    }

    /// The longest phrase at `s` in `lower` after which `t` has no letter or
    /// digit: (phrase index, end).
    fn longest_at(&self, t: &str, lower: &[u8], s: usize) -> Option<(usize, usize)> {
        let mut node = 0;
        let mut best = None;
        for (j, &b) in lower.iter().enumerate().skip(s) {
            let child = if node == 0 {
                Some(self.root[usize::from(b)] as usize).filter(|&c| c != 0)
            } else {
                self.child(node, b)
            };
            let Some(child) = child else {
                break;
            };
            node = child;
            if let Some(p) = self.ends[node]
                && !char_at_is_word(t, j + 1)
            {
                best = Some((p as usize, j + 1));
            }
        }
        best
    }
}

/// Whether the character at `i` (a character boundary) is a letter or
/// digit, and its length in bytes.
fn char_at(t: &str, lower: &[u8], i: usize) -> (bool, usize) {
    let b = lower[i];
    if b < 0x80 {
        (b.is_ascii_alphanumeric(), 1)
    } else {
        let c = t[i..].chars().next().unwrap_or(' ');
        (c.is_alphanumeric(), c.len_utf8())
    }
}

/// Whether a letter or digit starts at `i`; false at the end.
fn char_at_is_word(t: &str, i: usize) -> bool {
    t.get(i..)
        .and_then(|rest| rest.chars().next())
        .is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (phrase, start, end) of each match.
    type Found = Vec<(usize, usize, usize)>;

    fn found(phrases: &[&str], t: &str) -> Found {
        let lower = t.as_bytes().to_ascii_lowercase();
        let mut got = Vec::new();
        Terms::new(phrases)
            .expect("builds")
            .for_each(t, &lower, |p, s, e| got.push((p, s, e)));
        got
    }

    /// The definition, the slow way: at each character boundary after no
    /// letter or digit, the longest phrase (the first listed among equals)
    /// that the lowercased text holds there and after which no letter or
    /// digit follows; after a match, on from its end.
    fn by_definition(phrases: &[&str], t: &str) -> Found {
        let lower = t.as_bytes().to_ascii_lowercase();
        let word_before = |i: usize| {
            t[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
        };
        let word_after = |i: usize| t[i..].chars().next().is_some_and(char::is_alphanumeric);
        let mut out = Vec::new();
        let mut i = 0;
        while i < t.len() {
            if t.is_char_boundary(i) && !word_before(i) {
                let best = phrases
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| {
                        lower[i..].starts_with(p.as_bytes())
                            && t.is_char_boundary(i + p.len())
                            && !word_after(i + p.len())
                    })
                    .max_by_key(|&(k, p)| (p.len(), std::cmp::Reverse(k)));
                if let Some((k, p)) = best {
                    out.push((k, i, i + p.len()));
                    i += p.len();
                    continue;
                }
            }
            i += 1;
        }
        out
    }

    #[test]
    fn finds_whole_words_longest_first() {
        let phrases = [
            "pain",
            "pain relief",
            "relief",
            "ain relief",
            "x-ray",
            "x ray",
            "ray",
        ];
        let t = "Spain relief; Pain Relief, x-ray and x ray, xray, painful";
        let want = vec![(2, 6, 12), (1, 14, 25), (4, 27, 32), (5, 37, 42)];
        assert_eq!(found(&phrases, t), want);
        assert_eq!(by_definition(&phrases, t), want);
    }

    /// What the DFA's matches filtered for whole words lost: a phrase hidden
    /// by a longer one that is not a whole word, or by one that starts
    /// inside a word.
    #[test]
    fn a_phrase_that_is_no_whole_word_hides_nothing() {
        let phrases = [
            "lumbar",
            "lumbar s",
            "back pain",
            "pain",
            "epidural injection",
            "injections",
        ];
        assert_eq!(found(&phrases, "lumbar sx"), vec![(0, 0, 6)]);
        assert_eq!(found(&phrases, "xback pain"), vec![(3, 6, 10)]);
        assert_eq!(found(&phrases, "low back pain"), vec![(2, 4, 13)]);
        assert_eq!(
            found(&phrases, "epidural injections, lumbar s"),
            vec![(5, 9, 19), (1, 21, 29)]
        );
    }

    #[test]
    fn reads_words_beyond_ascii() {
        let phrases = ["pain", "é", "\u{212a}"];
        // ſ and é are letters: "painſ" and "épain" are single words.
        assert_eq!(
            found(&phrases, "painſ épain pain é"),
            vec![(0, 14, 18), (1, 19, 21)]
        );
        // The Kelvin sign is a letter, and ASCII lowercasing leaves it be.
        assert_eq!(found(&phrases, "\u{212a}"), vec![(2, 0, 3)]);
        assert_eq!(found(&phrases, "k"), vec![]);
    }

    #[test]
    fn the_first_of_equal_phrases_wins_and_an_empty_one_builds_nothing() {
        assert_eq!(
            found(&["ray", "ray"], "ray  ray"),
            vec![(0, 0, 3), (0, 5, 8)]
        );
        assert!(Terms::new(&["a", ""]).is_none());
    }

    /// `build.rs` lists the built-in concept terms as `concepts::compile`
    /// does, so the run uses its table; and the terms are found as defined
    /// on text like a rationale's.
    #[test]
    fn the_built_in_terms_are_prebuilt_and_match_as_defined() {
        let book = crate::rulebook::Rulebook::built_in();
        let concepts = crate::engine::concepts::compile(&book);
        assert!(concepts.terms().is_some_and(Terms::is_prebuilt));
        let phrases: Vec<&str> = concepts.phrases().iter().map(String::as_str).collect();
        let t = "The patient has failed conservative care, physical therapy and \
                 NSAIDs; x-ray and MRI show radiculopathy. \u{17f}pain \u{212a} \
                 no red flags, low back pain; epidural injections, a TENS unit trial.";
        let want = by_definition(&phrases, t);
        assert!(want.len() >= 5, "{want:?}");
        assert_eq!(found(&phrases, t), want);
    }

    proptest::proptest! {
        #[test]
        fn finds_what_the_definition_finds(
            phrases in proptest::collection::vec("[abé -]{1,6}", 1..12),
            t in "[abAé \u{17f}\u{212a}1-]{0,60}",
        ) {
            let phrases: Vec<&str> = phrases.iter().map(String::as_str).collect();
            proptest::prop_assert_eq!(found(&phrases, &t), by_definition(&phrases, &t));
        }

        /// Texts long enough to be walked as several pieces.
        #[test]
        fn finds_what_the_definition_finds_in_long_texts(
            phrases in proptest::collection::vec("[ab -]{1,5}", 1..10),
            t in "[abAé .\u{212a}-]{100,400}",
        ) {
            let phrases: Vec<&str> = phrases.iter().map(String::as_str).collect();
            proptest::prop_assert_eq!(found(&phrases, &t), by_definition(&phrases, &t));
        }
    }
}
