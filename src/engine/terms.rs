//! The concept terms' automaton, walked here rather than by the crate's
//! iterator.
//!
//! Every case summary and rationale that a check reads is run through the
//! terms' DFA byte by byte. The crate's search resolves its automaton through
//! a trait object per match and indexes the haystack with a bounds check per
//! byte; walked over a slice here, a byte costs a class lookup and a
//! transition. The matches are the crate's leftmost-longest ones: each search
//! starts in the unanchored start state where the previous match ended, keeps
//! the last match state it passed through, and stops at the dead state.
//!
//! The built-in rulebook's terms come with their DFA already built, as a
//! [`Table`] that `build.rs` copied off the crate's DFA: used whenever the
//! phrases are exactly those it was built from.

use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::{AhoCorasick, AhoCorasickKind, Anchored, MatchKind};

use super::term_table::{self, Table};

/// The built-in rulebook's concept phrases, in `concepts::compile`'s order,
/// and the bytes of their table; None when `build.rs` could not make them.
static PREBUILT: Option<(&[&str], &[u8])> = include!(concat!(env!("OUT_DIR"), "/concept_terms.rs"));

/// Phrases found leftmost-longest, as `AhoCorasick::find_iter` finds them.
pub enum Terms {
    /// The phrases `build.rs` built the table of.
    Prebuilt(Box<Table>),
    Walked(Box<DFA>),
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
        if let Some(table) = term_table::prebuilt(PREBUILT, phrases) {
            return Some(Terms::Prebuilt(Box::new(table)));
        }
        // No prefilter: it would make the start state special and ask for
        // the crate's own loop. Matches are the same with or without it.
        let dfa = term_table::build_dfa(phrases, MatchKind::LeftmostLongest)?;
        dfa.start_state(Anchored::No).ok()?;
        Some(Terms::Walked(Box::new(dfa)))
    }

    /// Each match in `hay`, left to right, as (phrase index, start, end).
    pub fn for_each(&self, hay: &[u8], mut found: impl FnMut(usize, usize, usize)) {
        let dfa = match self {
            Terms::Prebuilt(table) => return table.for_each(hay, found),
            Terms::Walked(dfa) => dfa,
            Terms::Crate(ac) => {
                for m in ac.find_iter(hay) {
                    found(m.pattern().as_usize(), m.start(), m.end());
                }
                return;
            }
        };
        let Ok(start) = dfa.start_state(Anchored::No) else {
            return;
        };
        let mut at = 0;
        while at < hay.len() {
            let mut sid = start;
            // (phrase, end) of the last match state passed.
            let mut last = None;
            let mut i = at;
            while let Some(&b) = hay.get(i) {
                sid = dfa.next_state(Anchored::No, sid, b);
                i += 1;
                if dfa.is_special(sid) {
                    if dfa.is_dead(sid) {
                        break;
                    }
                    if dfa.is_match(sid) {
                        last = Some((dfa.match_pattern(sid, 0), i));
                    }
                }
            }
            let Some((p, end)) = last else { return };
            // Phrases are never empty: the next search starts past this one.
            found(p.as_usize(), end - dfa.pattern_len(p), end);
            at = end;
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
        let Ok(book) = crate::rulebook::Rulebook::from_sources(crate::rulebook::files::embedded())
        else {
            panic!("the built-in rulebook loads");
        };
        let concepts = crate::engine::concepts::compile(&book);
        let Some(Terms::Prebuilt(table)) = concepts.terms() else {
            panic!("the built-in terms use the prebuilt table");
        };
        let (phrases, _) = PREBUILT.expect("prebuilt");
        let dfa = term_table::build_dfa(phrases, MatchKind::LeftmostLongest).expect("builds");
        assert_eq!(Table::of(&dfa).as_ref(), Some(&**table));
        let hay = "the patient has failed conservative care, physical therapy and \
                   nsaids; x-ray and mri show radiculopathy. \u{17f}pain \u{212a}";
        let mut got = Vec::new();
        table.for_each(hay.as_bytes(), |p, s, e| got.push((p, s, e)));
        let mut want = Vec::new();
        Terms::Walked(Box::new(dfa)).for_each(hay.as_bytes(), |p, s, e| want.push((p, s, e)));
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
