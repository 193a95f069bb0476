//! The concept terms' automaton, walked here rather than by the crate's
//! iterator.
//!
//! Every case summary and rationale that a check reads is run through the
//! terms' DFA byte by byte. The crate's search resolves its automaton through
//! a trait object per match and indexes the haystack with a bounds check per
//! byte; the DFA is walked instead as a plain [`Table`] (`term_table`), with
//! the crate's leftmost-longest matches. The built-in rulebook's terms come
//! with that table already built by `build.rs`, used whenever the phrases are
//! exactly those it was built from; other phrases have theirs copied off the
//! crate's DFA at start-up.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::term_table::{self, Separators, Table};

/// The built-in rulebook's concept phrases, in `concepts::compile`'s order,
/// and the bytes of their table; None when `build.rs` could not make them.
static PREBUILT: Option<(&[&str], &[u8])> = include!(concat!(env!("OUT_DIR"), "/concept_terms.rs"));

/// Phrases found leftmost-longest, as `AhoCorasick::find_iter` finds them.
pub enum Terms {
    /// The table `build.rs` built for the built-in rulebook's phrases.
    Prebuilt(Box<Table>, Separators),
    /// Any other phrases' table, copied off the crate's DFA at start-up.
    Built(Box<Table>, Separators),
    /// A list with an empty phrase, whose empty matches the crate's
    /// iterator steps over in its own way: searched by the crate.
    Crate(AhoCorasick),
}

impl Terms {
    /// None when the phrases do not build (too many states).
    pub fn new<P: AsRef<[u8]>>(phrases: &[P]) -> Option<Terms> {
        if phrases.iter().any(|p| p.as_ref().is_empty()) {
            return AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .kind(Some(AhoCorasickKind::DFA))
                .build(phrases)
                .ok()
                .map(Terms::Crate);
        }
        let cuts = Separators::of(phrases);
        if let Some(table) = term_table::prebuilt(PREBUILT, phrases) {
            return Some(Terms::Prebuilt(Box::new(table), cuts));
        }
        let dfa = term_table::build_dfa(phrases, MatchKind::LeftmostLongest)?;
        Some(Terms::Built(Box::new(Table::of(&dfa)?), cuts))
    }

    /// Each match in `hay`, left to right, as (phrase index, start, end).
    pub fn for_each(&self, hay: &[u8], mut found: impl FnMut(usize, usize, usize)) {
        match self {
            Terms::Prebuilt(table, cuts) | Terms::Built(table, cuts) => {
                table.for_each_split(hay, cuts, found)
            }
            Terms::Crate(ac) => {
                for m in ac.find_iter(hay) {
                    found(m.pattern().as_usize(), m.start(), m.end());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (phrase, start, end) of each match.
    type Found = Vec<(usize, usize, usize)>;

    fn both(phrases: &[&str], hay: &str) -> (Found, Found) {
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(phrases)
            .expect("builds");
        let want = ac
            .find_iter(hay)
            .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
            .collect();
        let mut got = Vec::new();
        Terms::new(phrases)
            .expect("builds")
            .for_each(hay.as_bytes(), |p, s, e| got.push((p, s, e)));
        (got, want)
    }

    #[test]
    fn finds_what_the_crate_finds() {
        let phrases = [
            "pain",
            "pain relief",
            "relief",
            "ain relief",
            "x-ray",
            "x ray",
            "ray",
        ];
        for hay in [
            "spain relief",
            "pain relief; x-ray and x ray, xray",
            "painrelief pain reli",
            "",
            "é pain\u{17f} relief \u{212a}",
        ] {
            let (got, want) = both(&phrases, hay);
            assert_eq!(got, want, "{hay:?}");
        }
    }

    /// `build.rs` lists the built-in concept terms as `concepts::compile`
    /// does, so the run uses its table; and the table finds what the crate's
    /// DFA finds.
    #[test]
    fn the_built_in_terms_are_prebuilt() {
        let book = crate::rulebook::Rulebook::built_in();
        let concepts = crate::engine::concepts::compile(&book);
        let Some(Terms::Prebuilt(table, _)) = concepts.terms() else {
            panic!("the built-in terms use the prebuilt table");
        };
        let (phrases, _) = PREBUILT.expect("prebuilt");
        let dfa = term_table::build_dfa(phrases, MatchKind::LeftmostLongest).expect("builds");
        assert_eq!(Table::of(&dfa).as_ref(), Some(&**table));
        let hay = "the patient has failed conservative care, physical therapy and \
                   nsaids; x-ray and mri show radiculopathy. \u{17f}pain \u{212a}";
        let mut got = Vec::new();
        table.for_each(hay.as_bytes(), |p, s, e| got.push((p, s, e)));
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(phrases)
            .expect("builds");
        let want: Vec<_> = ac
            .find_iter(hay)
            .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
            .collect();
        assert!(!want.is_empty());
        assert_eq!(got, want);
    }

    #[test]
    fn leaves_an_empty_phrase_to_the_crate() {
        let phrases = ["a", ""];
        assert!(matches!(Terms::new(&phrases), Some(Terms::Crate(_))));
        let (got, want) = both(&phrases, "bab");
        assert_eq!(got, want);
    }

    proptest::proptest! {
        #[test]
        fn finds_what_the_crate_finds_on_word_soup(
            phrases in proptest::collection::vec("[abé -]{0,6}", 1..12),
            hay in "[abé \u{17f}-]{0,60}",
        ) {
            let phrases: Vec<&str> = phrases.iter().map(String::as_str).collect();
            let (got, want) = both(&phrases, &hay);
            proptest::prop_assert_eq!(got, want);
        }
    }
}
