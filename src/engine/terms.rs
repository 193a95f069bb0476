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

use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::{AhoCorasick, AhoCorasickKind, Anchored, MatchKind};

/// Phrases found leftmost-longest, as `AhoCorasick::find_iter` finds them.
pub enum Terms {
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
        // No prefilter: it would make the start state special and ask for
        // the crate's own loop. Matches are the same with or without it.
        let dfa = DFA::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .prefilter(false)
            .build(phrases)
            .ok()?;
        dfa.start_state(Anchored::No).ok()?;
        Some(Terms::Walked(Box::new(dfa)))
    }

    /// Each match in `hay`, left to right, as (phrase index, start, end).
    pub fn for_each(&self, hay: &[u8], mut found: impl FnMut(usize, usize, usize)) {
        let dfa = match self {
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
