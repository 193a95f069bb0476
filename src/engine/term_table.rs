//! The concept terms' DFA copied into a plain transition table, so that the
//! built-in rulebook's automaton is built once, by `build.rs`, and not on
//! every run (building it was most of the start-up).
//!
//! The copy is the crate's leftmost-longest DFA state for state: the table is
//! read off [`DFA::next_state`] for every state reachable from the unanchored
//! start and every byte, so a walk over it passes the same states and finds
//! the same matches. Bytes whose columns agree in every state share a class.
//! The dead state is 0 and the match states come next, so one comparison
//! tells a walk whether a state needs a look.
//!
//! `build.rs` includes this file too: it uses only `std` and `aho-corasick`.

use std::collections::HashMap;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind};

/// A leftmost-longest DFA over byte classes; state ids are premultiplied by
/// the number of classes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The class of each byte.
    pub classes: [u8; 256],
    /// Number of classes (the length of a state's row).
    pub stride: u32,
    pub start: u32,
    /// Ids below this are special: 0 is dead, the others match.
    pub special: u32,
    pub trans: Vec<u32>,
    /// (phrase, its length) of each match state, by state number (0: dead).
    pub matches: Vec<(u32, u32)>,
}

/// The crate's DFA for `phrases`, as `Terms` builds it: leftmost-longest and
/// with no prefilter.
pub fn build_dfa<P: AsRef<[u8]>>(phrases: &[P]) -> Option<DFA> {
    DFA::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .prefilter(false)
        .build(phrases)
        .ok()
}

impl Table {
    /// The table of `dfa`; None when it has no unanchored start.
    pub fn of(dfa: &DFA) -> Option<Table> {
        let start = dfa.start_state(Anchored::No).ok()?;
        // Every state reachable from the start, with its 256 successors.
        let mut seen: HashMap<StateID, usize> = HashMap::new();
        let mut states: Vec<StateID> = vec![start];
        let mut rows: Vec<Vec<usize>> = Vec::new();
        seen.insert(start, 0);
        let mut k = 0;
        while k < states.len() {
            let sid = states[k];
            let mut row = Vec::with_capacity(256);
            for b in 0..=255u8 {
                let next = dfa.next_state(Anchored::No, sid, b);
                let n = *seen.entry(next).or_insert_with(|| {
                    states.push(next);
                    states.len() - 1
                });
                row.push(n);
            }
            rows.push(row);
            k += 1;
        }
        // Bytes alike in every state are one class.
        let mut classes = [0u8; 256];
        let mut columns: HashMap<Vec<usize>, u8> = HashMap::new();
        for b in 0..256 {
            let column: Vec<usize> = rows.iter().map(|r| r[b]).collect();
            let n = columns.len();
            let class = *columns.entry(column).or_insert_with(|| n as u8);
            classes[b] = class;
        }
        let stride = columns.len();
        // Numbering: dead 0 (kept even when unreachable), match states, the rest.
        let dead = states.iter().position(|&s| dfa.is_dead(s));
        let is_match = |s: StateID| dfa.is_special(s) && dfa.is_match(s);
        let mut number = vec![0usize; states.len()];
        let mut next = 1;
        for (i, &s) in states.iter().enumerate() {
            if is_match(s) {
                number[i] = next;
                next += 1;
            }
        }
        let special = next;
        for (i, &s) in states.iter().enumerate() {
            if !is_match(s) && Some(i) != dead {
                number[i] = next;
                next += 1;
            }
        }
        let id = |n: usize| u32::try_from(n * stride).ok();
        let mut trans = vec![0u32; next * stride];
        let mut matches = vec![(0, 0); special];
        for (i, &s) in states.iter().enumerate() {
            let row = number[i] * stride;
            for b in 0..256 {
                trans[row + usize::from(classes[b])] = id(number[rows[i][b]])?;
            }
            if is_match(s) {
                let p = dfa.match_pattern(s, 0);
                matches[number[i]] = (p.as_u32(), u32::try_from(dfa.pattern_len(p)).ok()?);
            }
        }
        Some(Table {
            classes,
            stride: u32::try_from(stride).ok()?,
            start: id(number[0])?,
            special: id(special)?,
            trans,
            matches,
        })
    }

    /// Each match in `hay`, left to right, as (phrase index, start, end): a
    /// search starts in the start state where the previous match ended,
    /// keeps the last match state it passed and stops at the dead state.
    pub fn for_each(&self, hay: &[u8], mut found: impl FnMut(usize, usize, usize)) {
        let mut at = 0;
        while at < hay.len() {
            let mut sid = self.start;
            // (match state, end) of the last match state passed.
            let mut last = None;
            let mut i = at;
            while let Some(&b) = hay.get(i) {
                sid = self.trans[sid as usize + usize::from(self.classes[usize::from(b)])];
                i += 1;
                if sid < self.special {
                    if sid == 0 {
                        break;
                    }
                    last = Some((sid, i));
                }
            }
            let Some((sid, end)) = last else { return };
            let (p, len) = self.matches[(sid / self.stride) as usize];
            // Phrases are never empty: the next search starts past this one.
            found(p as usize, end - len as usize, end);
            at = end;
        }
    }

    /// The table as bytes, for `build.rs` to write and [`Table::from_bytes`]
    /// to read: little-endian u32s (stride, start, special, transitions,
    /// matches), the classes, then the rows and the matches.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut put = |v: u32| out.extend_from_slice(&v.to_le_bytes());
        put(self.stride);
        put(self.start);
        put(self.special);
        put(self.trans.len() as u32);
        put(self.matches.len() as u32);
        for &t in &self.trans {
            put(t);
        }
        for &(p, l) in &self.matches {
            put(p);
            put(l);
        }
        out.extend_from_slice(&self.classes);
        out
    }

    /// The table [`Table::to_bytes`] wrote; None when the lengths disagree.
    /// The rows are not checked state by state: a wrong id would only make
    /// the walk's indexing panic, and `build.rs` writes what [`Table::of`] made.
    pub fn from_bytes(bytes: &[u8]) -> Option<Table> {
        let word = |i: usize| {
            let w = bytes.get(4 * i..4 * i + 4)?;
            Some(u32::from_le_bytes(w.try_into().ok()?))
        };
        let (stride, start, special) = (word(0)?, word(1)?, word(2)?);
        let (n_trans, n_matches) = (word(3)? as usize, word(4)? as usize);
        let rows = bytes.get(20..20 + 4 * n_trans)?;
        let pairs = bytes.get(20 + 4 * n_trans..20 + 4 * n_trans + 8 * n_matches)?;
        let classes: [u8; 256] = bytes
            .get(20 + 4 * n_trans + 8 * n_matches..)?
            .try_into()
            .ok()?;
        // A plain loop over fixed-size chunks: the decoding is vectorised,
        // about a tenth of an instruction a byte.
        let mut trans = vec![0u32; n_trans];
        for (t, w) in trans.iter_mut().zip(rows.chunks_exact(4)) {
            *t = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        }
        let matches: Vec<(u32, u32)> = pairs
            .chunks_exact(8)
            .map(|w| {
                (
                    u32::from_le_bytes([w[0], w[1], w[2], w[3]]),
                    u32::from_le_bytes([w[4], w[5], w[6], w[7]]),
                )
            })
            .collect();
        let fits = stride > 0
            && n_trans % stride as usize == 0
            && matches.len() == (special / stride) as usize
            && (start as usize) < n_trans
            && classes.iter().all(|&c| u32::from(c) < stride);
        fits.then_some(Table {
            classes,
            stride,
            start,
            special,
            trans,
            matches,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (phrase, start, end) of each match.
    type Found = Vec<(usize, usize, usize)>;

    fn both(phrases: &[&str], hay: &str) -> (Found, Found) {
        let ac = aho_corasick::AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(phrases)
            .expect("builds");
        let want = ac
            .find_iter(hay)
            .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
            .collect();
        let table = Table::of(&build_dfa(phrases).expect("builds")).expect("a start");
        assert_eq!(Table::from_bytes(&table.to_bytes()).as_ref(), Some(&table));
        let mut got = Vec::new();
        table.for_each(hay.as_bytes(), |p, s, e| got.push((p, s, e)));
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
            "é",
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
    fn reads_only_what_it_wrote() {
        let table = Table::of(&build_dfa(&["ab", "b"]).expect("builds")).expect("a start");
        let bytes = table.to_bytes();
        assert!(Table::from_bytes(&bytes[..bytes.len() - 1]).is_none());
        assert!(Table::from_bytes(&[]).is_none());
    }

    proptest::proptest! {
        #[test]
        fn finds_what_the_crate_finds_on_word_soup(
            phrases in proptest::collection::vec("[abé -]{1,6}", 1..12),
            hay in "[abé \u{17f}-]{0,60}",
        ) {
            let phrases: Vec<&str> = phrases.iter().map(String::as_str).collect();
            let (got, want) = both(&phrases, &hay);
            proptest::prop_assert_eq!(got, want);
        }
    }
}
