//! Phrase automata copied into plain transition tables, so that the
//! built-in rulebook's are built once, by `build.rs`, and not on every run
//! (building them was most of the start-up): the concept terms'
//! leftmost-longest DFA ([`Table::for_each`]) and the service names' DFA for
//! overlapping matches ([`Table::for_each_overlapping_in`]).
//!
//! A table is the crate's DFA state for state: it is read off
//! [`DFA::next_state`] for every state reachable from the unanchored start
//! and every byte, so a walk over it passes the same states and finds the
//! same matches, in the same order. Bytes whose columns agree in every state
//! share a class. The dead state is 0 and the match states come next, so one
//! comparison tells a walk whether a state needs a look.
//!
//! A long text is walked as up to four pieces side by side
//! ([`Table::for_each_split`]), cut at bytes no phrase holds: each step
//! waits on the transition it reads, and four walks wait on four at once.
//! A letter's item names are read against the service names' table side by
//! side in the same way ([`Table::for_each_overlapping_in`]).
//!
//! `build.rs` includes this file too: it uses only `std` and `aho-corasick`.

use std::collections::HashMap;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind};

/// A DFA over byte classes; state ids are premultiplied by the number of classes.
///
/// The fields are private because the walk trusts them: every id (the start
/// and each transition) is the start of a whole row of `trans`, which
/// [`Table::of`] makes so and [`Table::from_bytes`] checks, so the walk reads
/// transitions with no bounds check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The class of each byte; each is below `stride`.
    classes: [u8; 256],
    /// Number of classes (the length of a state's row).
    stride: u32,
    start: u32,
    /// Ids below this are special: 0 is dead, the others match.
    special: u32,
    trans: Vec<u32>,
    /// (phrase, its length) of every match of every match state, in the
    /// crate's order.
    matches: Vec<(u32, u32)>,
    /// Where each state's matches begin in `matches`, by state number (0:
    /// dead, with none), and where the last one's end.
    first: Vec<u32>,
}

/// The crate's DFA for `phrases`, with no prefilter: leftmost-longest as
/// `Terms` builds it, or standard for overlapping matches.
pub fn build_dfa<P: AsRef<[u8]>>(phrases: &[P], kind: MatchKind) -> Option<DFA> {
    DFA::builder()
        .match_kind(kind)
        .prefilter(false)
        .build(phrases)
        .ok()
}

/// The prebuilt table of `built`, when `phrases` are the ones it was built
/// from; `built` is what `build.rs` wrote: (phrases, table bytes).
pub fn prebuilt<P: AsRef<[u8]>>(built: Option<(&[&str], &[u8])>, phrases: &[P]) -> Option<Table> {
    let (built_from, bytes) = built?;
    let same = built_from.len() == phrases.len()
        && built_from
            .iter()
            .zip(phrases)
            .all(|(a, b)| a.as_bytes() == b.as_ref());
    if same { Table::from_bytes(bytes) } else { None }
}

impl Table {
    /// The table of `dfa`; None when it has no unanchored start or its start
    /// matches (an empty phrase).
    pub fn of(dfa: &DFA) -> Option<Table> {
        let start = dfa.start_state(Anchored::No).ok()?;
        let is_match = |s: StateID| dfa.is_special(s) && dfa.is_match(s);
        if is_match(start) {
            return None;
        }
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
        let mut number = vec![0usize; states.len()];
        let mut matching = vec![None; states.len() + 1];
        let mut next = 1;
        for (i, &s) in states.iter().enumerate() {
            if is_match(s) {
                number[i] = next;
                matching[next] = Some(s);
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
        for (i, row) in rows.iter().enumerate() {
            let base = number[i] * stride;
            for b in 0..256 {
                trans[base + usize::from(classes[b])] = id(number[row[b]])?;
            }
        }
        let mut matches = Vec::new();
        let mut first = Vec::with_capacity(special + 1);
        for s in &matching[..special] {
            first.push(u32::try_from(matches.len()).ok()?);
            if let Some(s) = *s {
                for k in 0..dfa.match_len(s) {
                    let p = dfa.match_pattern(s, k);
                    matches.push((p.as_u32(), u32::try_from(dfa.pattern_len(p)).ok()?));
                }
            }
        }
        first.push(u32::try_from(matches.len()).ok()?);
        Some(Table {
            classes,
            stride: u32::try_from(stride).ok()?,
            start: id(number[0])?,
            special: id(special)?,
            trans,
            matches,
            first,
        })
    }

    /// The matches of match state `sid`.
    fn matches_of(&self, sid: u32) -> &[(u32, u32)] {
        let k = (sid / self.stride) as usize;
        &self.matches[self.first[k] as usize..self.first[k + 1] as usize]
    }

    /// Each leftmost-longest match in `hay`, left to right, as (phrase index,
    /// start, end): a search starts in the start state where the previous
    /// match ended, keeps the last match state it passed and stops at the
    /// dead state. For a table of a leftmost-longest DFA.
    pub fn for_each(&self, hay: &[u8], found: impl FnMut(usize, usize, usize)) {
        Walk::new(self, hay).finish(self, found);
    }

    /// [`Table::for_each`], with `hay` cut in up to four pieces at bytes no
    /// phrase holds and the pieces walked in one loop. A byte no phrase
    /// holds leaves the walk in its start state, with no match pending: the
    /// matches of the pieces are the matches of the whole. The walk waits on
    /// each transition it reads before it can read the next; four walks side
    /// by side wait for four at a time.
    pub fn for_each_split(
        &self,
        hay: &[u8],
        cuts: &Separators,
        mut found: impl FnMut(usize, usize, usize),
    ) {
        let mut bounds = [0; PIECES + 1];
        let pieces = cuts.cut(hay, &mut bounds);
        if pieces < 2 {
            return self.for_each(hay, found);
        }
        // (where the piece starts, its walk), for the pieces still walked.
        let mut walks: Vec<(usize, Walk)> = bounds
            .windows(2)
            .take(pieces)
            .map(|w| (w[0], Walk::new(self, &hay[w[0]..w[1]])))
            .collect();
        // (where the piece starts, a match in the whole), by piece and then
        // as found.
        let mut matches: Vec<(usize, (usize, usize, usize))> = Vec::new();
        loop {
            match walks.as_mut_slice() {
                [(_, a), (_, b), (_, c), (_, d)] => {
                    self.run_side_by_side([&mut a.cur, &mut b.cur, &mut c.cur, &mut d.cur]);
                }
                [(_, a), (_, b), ..] => self.run_side_by_side([&mut a.cur, &mut b.cur]),
                [(_, a)] => a.cur.run(self),
                [] => break,
            }
            for (at, w) in &mut walks {
                if let Some((p, s, e)) = w.settle(self) {
                    matches.push((*at, (p, s + *at, e + *at)));
                }
            }
            walks.retain(|(_, w)| w.live);
        }
        matches.sort_by_key(|&(at, _)| at);
        for (_, (p, s, e)) in matches {
            found(p, s, e);
        }
    }

    /// The walks' states moved on together, a byte of each at a time, until
    /// any reaches a special state or any's end.
    #[inline(always)]
    fn run_side_by_side<const N: usize>(&self, walks: [&mut Cursor; N]) {
        let special = self.special as usize;
        let step = |sid: usize, b: u8| self.step(sid, b);
        let n = walks.iter().map(|w| w.hay.len() - w.i).min().unwrap_or(0);
        let hays: [&[u8]; N] = std::array::from_fn(|j| &walks[j].hay[walks[j].i..][..n]);
        let mut sids: [usize; N] = std::array::from_fn(|j| walks[j].sid as usize);
        let mut k = 0;
        while k < n {
            for j in 0..N {
                sids[j] = step(sids[j], hays[j][k]);
            }
            k += 1;
            if sids.iter().any(|&sid| sid < special) {
                break;
            }
        }
        for (w, sid) in walks.into_iter().zip(sids) {
            (w.sid, w.i) = (sid as u32, w.i + k);
        }
    }

    /// Every match in each of `hays`, overlapping, as `find_overlapping_iter`
    /// gives them (by end, and at one end in the state's order), as (hay,
    /// phrase index, start, end): each hay's matches in its own order, the
    /// hays' interleaved, up to four hays walked side by side. For a table of
    /// a standard DFA. A few short texts read
    /// against a large table wait on a transition out of the processor's
    /// caches at almost every byte; side by side they wait for several at once.
    pub fn for_each_overlapping_in(
        &self,
        hays: &[&[u8]],
        mut found: impl FnMut(usize, usize, usize, usize),
    ) {
        // (which hay, its walk), for the hays still walked.
        let mut walks: Vec<(usize, Cursor)> = hays
            .iter()
            .enumerate()
            .filter(|(_, h)| !h.is_empty())
            .map(|(k, &hay)| {
                let cur = Cursor {
                    hay,
                    sid: self.start,
                    i: 0,
                };
                (k, cur)
            })
            .collect();
        loop {
            let moved = match walks.as_mut_slice() {
                [(_, a), (_, b), (_, c), (_, d), ..] => {
                    self.run_side_by_side([a, b, c, d]);
                    4
                }
                [(_, a), (_, b), ..] => {
                    self.run_side_by_side([a, b]);
                    2
                }
                [(_, a)] => {
                    a.run(self);
                    1
                }
                [] => break,
            };
            for (k, w) in &mut walks[..moved] {
                if w.sid < self.special && w.sid != 0 {
                    for &(p, len) in self.matches_of(w.sid) {
                        found(*k, p as usize, w.i - len as usize, w.i);
                    }
                }
            }
            walks.retain(|(_, w)| w.i < w.hay.len() && w.sid != 0);
        }
    }

    /// The transition from state `sid` (an id read from this table, or its
    /// start) on byte `b`, read with no bounds check.
    #[inline(always)]
    fn step(&self, sid: usize, b: u8) -> usize {
        let at = sid + usize::from(self.classes[usize::from(b)]);
        debug_assert!(at < self.trans.len());
        // SAFETY: `sid` is the start or was read from `trans`, so it begins a
        // whole row (see `Table`), and a class is below the row's length
        // `stride`.
        unsafe { *self.trans.get_unchecked(at) as usize }
    }

    /// From state `sid` at `hay[i]`, the first special state reached and
    /// where, or the state at the end of `hay`. Only the state and the
    /// position change from byte to byte: kept apart from the bookkeeping
    /// of matches, the loop holds them in registers. Eight bytes a turn, each
    /// a class lookup, one unchecked transition and one comparison (the
    /// block's loop unrolled): the bounds check and the loop's own test per
    /// byte were a third of the walk.
    #[inline(always)]
    fn run(&self, sid: u32, hay: &[u8], i: usize) -> (u32, usize) {
        let special = self.special as usize;
        let step = |sid: usize, b: u8| self.step(sid, b);
        let Some(rest) = hay.get(i..) else {
            return (sid, i);
        };
        let mut sid = sid as usize;
        let (blocks, tail) = rest.as_chunks::<8>();
        let mut at = i;
        for block in blocks {
            for (k, &b) in block.iter().enumerate() {
                sid = step(sid, b);
                if sid < special {
                    return (sid as u32, at + k + 1);
                }
            }
            at += 8;
        }
        for &b in tail {
            sid = step(sid, b);
            at += 1;
            if sid < special {
                break;
            }
        }
        (sid as u32, at)
    }

    /// The table as bytes, for `build.rs` to write and [`Table::from_bytes`]
    /// to read: little-endian u32s (stride, start, special, and the lengths
    /// of transitions, matches and firsts, then those), then the classes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut put = |v: u32| out.extend_from_slice(&v.to_le_bytes());
        put(self.stride);
        put(self.start);
        put(self.special);
        put(self.trans.len() as u32);
        put(self.matches.len() as u32);
        put(self.first.len() as u32);
        for &t in &self.trans {
            put(t);
        }
        for &(p, l) in &self.matches {
            put(p);
            put(l);
        }
        for &f in &self.first {
            put(f);
        }
        out.extend_from_slice(&self.classes);
        out
    }

    /// Whether no id in `ids` is past `last_row`. With ids and `last_row`
    /// below 2^31, the top bit of `last_row - id` is set just when the id is
    /// past it: ORed over the ids (and the ids themselves, for their top
    /// bit) rather than compared, the loop has no branch and runs on SSE2
    /// vectors; the tables are a million ids, read at every start.
    fn within(ids: &[u32], last_row: usize) -> bool {
        let Ok(last_row) = u32::try_from(last_row) else {
            return false;
        };
        let worst = ids
            .iter()
            .fold(last_row, |acc, &t| acc | t | last_row.wrapping_sub(t));
        worst >> 31 == 0
    }

    /// The table [`Table::to_bytes`] wrote; None when the lengths disagree
    /// or an id does not begin a whole row. The ids are not checked to be
    /// multiples of the stride: a wrong one would only find wrong matches,
    /// and `build.rs` writes what [`Table::of`] made.
    pub fn from_bytes(bytes: &[u8]) -> Option<Table> {
        let (head, rest) = bytes.split_first_chunk::<24>()?;
        let (words, _) = head.as_chunks::<4>();
        let [stride, start, special, n_trans, n_matches, n_first]: [u32; 6] =
            std::array::from_fn(|k| u32::from_le_bytes(words[k]));
        let (n_trans, n_matches, n_first) =
            (n_trans as usize, n_matches as usize, n_first as usize);
        let (trans, rest) = rest.split_at_checked(4 * n_trans)?;
        let (matches, rest) = rest.split_at_checked(8 * n_matches)?;
        let (first, classes) = rest.split_at_checked(4 * n_first)?;
        let classes: [u8; 256] = classes.try_into().ok()?;
        // Arrays, not slices, of four bytes: the decoding is a copy.
        let words = |b: &[u8]| -> Vec<u32> {
            b.as_chunks::<4>()
                .0
                .iter()
                .map(|&w| u32::from_le_bytes(w))
                .collect()
        };
        let (trans, first) = (words(trans), words(first));
        let matches: Vec<(u32, u32)> = words(matches)
            .chunks_exact(2)
            .map(|w| (w[0], w[1]))
            .collect();
        // The start of the last row: no id may be past it.
        let last_row = n_trans.wrapping_sub(stride as usize);
        let fits = stride > 0
            && n_trans >= stride as usize
            && n_trans % stride as usize == 0
            && first.len() == (special / stride) as usize + 1
            && first.is_sorted()
            && first.last().is_some_and(|&f| f as usize == matches.len())
            && (start as usize) <= last_row
            && Table::within(&trans, last_row)
            && classes.iter().all(|&c| u32::from(c) < stride);
        fits.then_some(Table {
            classes,
            stride,
            start,
            special,
            trans,
            matches,
            first,
        })
    }
}

/// The bytes no phrase holds, where [`Table::for_each_split`] may cut a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Separators([bool; 256]);

impl Separators {
    pub fn of<P: AsRef<[u8]>>(phrases: &[P]) -> Separators {
        let mut free = [true; 256];
        for &b in phrases.iter().flat_map(|p| p.as_ref()) {
            free[usize::from(b)] = false;
        }
        Separators(free)
    }

    /// Where to cut `hay` into pieces: just past the first separator from
    /// each quarter (or half, for a shorter text) on, written in `bounds`
    /// from 0 to the text's length; the number of pieces. A text too short
    /// to be worth two walks, or with no separator, is one piece.
    fn cut(&self, hay: &[u8], bounds: &mut [usize; PIECES + 1]) -> usize {
        const SHORTEST_PIECE: usize = 64;
        let want = (hay.len() / SHORTEST_PIECE).clamp(1, PIECES);
        let mut pieces = 1;
        for j in 1..want {
            let from = (hay.len() * j / want).max(bounds[pieces - 1]);
            let Some(q) = hay[from..].iter().position(|&b| self.0[usize::from(b)]) else {
                break;
            };
            if from + q + 1 >= hay.len() {
                break;
            }
            bounds[pieces] = from + q + 1;
            pieces += 1;
        }
        bounds[pieces] = hay.len();
        pieces
    }
}

/// The most pieces [`Table::for_each_split`] walks side by side.
const PIECES: usize = 4;

/// A leftmost-longest walk as [`Table::for_each`] goes, held as data so
/// that two can go in one loop: the search's start is where the last match
/// ended, and it keeps the last match state it passed.
struct Walk<'h> {
    cur: Cursor<'h>,
    /// The last match state passed and where (0: none).
    last: u32,
    end: usize,
    /// Whether matches may be left: false once a search ends with none.
    live: bool,
}

impl<'h> Walk<'h> {
    fn new(t: &Table, hay: &'h [u8]) -> Walk<'h> {
        Walk {
            cur: Cursor {
                hay,
                sid: t.start,
                i: 0,
            },
            last: 0,
            end: 0,
            live: !hay.is_empty(),
        }
    }

    /// After a move: where the state is a match, it is kept; where the
    /// search is over (the dead state, or the text's end), its match is
    /// given and the next search starts past it. A walk still in an
    /// ordinary state inside its text is left as it is.
    fn settle(&mut self, t: &Table) -> Option<(usize, usize, usize)> {
        if !self.live {
            return None;
        }
        let at_end = self.cur.i == self.cur.hay.len();
        if self.cur.sid < t.special && self.cur.sid != 0 {
            (self.last, self.end) = (self.cur.sid, self.cur.i);
            if !at_end {
                return None;
            }
        } else if !at_end && self.cur.sid != 0 {
            return None;
        }
        // A leftmost-longest match state holds one phrase.
        let Some(&(p, len)) = (self.last != 0)
            .then(|| t.matches_of(self.last).first())
            .flatten()
        else {
            self.live = false;
            return None;
        };
        let found = (p as usize, self.end - len as usize, self.end);
        (self.cur.sid, self.cur.i, self.last) = (t.start, self.end, 0);
        self.live = self.cur.i < self.cur.hay.len();
        Some(found)
    }

    /// The rest of the walk, alone.
    fn finish(&mut self, t: &Table, mut found: impl FnMut(usize, usize, usize)) {
        while self.live {
            self.cur.run(t);
            if let Some((p, s, e)) = self.settle(t) {
                found(p, s, e);
            }
        }
    }
}

/// Where a walk is: its text, its state and its place in the text.
struct Cursor<'h> {
    hay: &'h [u8],
    sid: u32,
    i: usize,
}

impl Cursor<'_> {
    /// Moves on alone, as [`Table::run`] goes.
    fn run(&mut self, t: &Table) {
        (self.sid, self.i) = t.run(self.sid, self.hay, self.i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasick, AhoCorasickKind};

    /// (phrase, start, end) of each match.
    type Found = Vec<(usize, usize, usize)>;

    fn table(phrases: &[&str], kind: MatchKind) -> Table {
        let table = Table::of(&build_dfa(phrases, kind).expect("builds")).expect("a start");
        assert_eq!(Table::from_bytes(&table.to_bytes()).as_ref(), Some(&table));
        table
    }

    /// Leftmost-longest: the table's matches and the crate's.
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
        table(phrases, MatchKind::LeftmostLongest)
            .for_each(hay.as_bytes(), |p, s, e| got.push((p, s, e)));
        (got, want)
    }

    /// Leftmost-longest, walked in two halves where the hay is long enough
    /// and has a byte no phrase holds: the table's matches and the crate's.
    fn split(phrases: &[&str], hay: &str) -> (Found, Found) {
        let (_, want) = both(phrases, hay);
        let mut got = Vec::new();
        table(phrases, MatchKind::LeftmostLongest).for_each_split(
            hay.as_bytes(),
            &Separators::of(phrases),
            |p, s, e| got.push((p, s, e)),
        );
        (got, want)
    }

    /// Overlapping: the table's matches and those of the crate's automaton
    /// as the service matcher builds it.
    fn overlapping(phrases: &[&str], hay: &str) -> (Found, Found) {
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .prefilter(false)
            .build(phrases)
            .expect("builds");
        let want = ac
            .find_overlapping_iter(hay)
            .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
            .collect();
        let mut got = Vec::new();
        table(phrases, MatchKind::Standard)
            .for_each_overlapping_in(&[hay.as_bytes()], |_, p, s, e| got.push((p, s, e)));
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
            "relief",
            "x ray",
        ] {
            let (got, want) = both(&phrases, hay);
            assert_eq!(got, want, "{hay:?}");
            let (got, want) = overlapping(&phrases, hay);
            assert_eq!(got, want, "{hay:?}");
        }
    }

    /// Cuts fall just past a byte no phrase holds, from each quarter of a
    /// long text on (each half of a shorter one); short texts and texts of
    /// phrase bytes only are not cut.
    #[test]
    fn cuts_past_bytes_no_phrase_holds() {
        let seps = Separators::of(&["ab", "b c"]);
        let cut = |hay: &str| {
            let mut bounds = [0; PIECES + 1];
            let n = seps.cut(hay.as_bytes(), &mut bounds);
            bounds[..=n].to_vec()
        };
        assert_eq!(cut("ab, ab"), [0, 6]);
        assert_eq!(cut(&"ab c".repeat(100)), [0, 400]);
        let hay = format!("{},{}", "ab".repeat(40), "ab".repeat(40));
        assert_eq!(cut(&hay), [0, 81, 161]);
        let hay = "ab,".repeat(100);
        assert_eq!(cut(&hay), [0, 78, 153, 228, 300]);
        let hay = format!("{}x", "abc".repeat(60));
        assert_eq!(cut(&hay), [0, 181]);
        // Matches on both sides of each cut, and ones ending at a cut.
        let phrases = ["pain", "pain relief", "relief", "back pain"];
        let hay = format!(
            "{} back pain, {}",
            "relief ".repeat(40),
            " pain relief".repeat(30)
        );
        let (got, want) = split(&phrases, &hay);
        assert!(want.len() > 60);
        assert_eq!(got, want);
    }

    #[test]
    fn reads_only_what_it_wrote() {
        let bytes = table(&["ab", "b"], MatchKind::LeftmostLongest).to_bytes();
        assert!(Table::from_bytes(&bytes[..bytes.len() - 1]).is_none());
        assert!(Table::from_bytes(&[]).is_none());
        // An id past the last row would have the walk read past the table.
        let mut bad = table(&["ab", "b"], MatchKind::LeftmostLongest);
        let n = bad.trans.len() as u32;
        bad.trans[0] = n - bad.stride + 1;
        assert!(Table::from_bytes(&bad.to_bytes()).is_none());
        bad.trans[0] = n - bad.stride;
        assert!(Table::from_bytes(&bad.to_bytes()).is_some());
        let mut bad = table(&["ab", "b"], MatchKind::LeftmostLongest);
        bad.start = n;
        assert!(Table::from_bytes(&bad.to_bytes()).is_none());
    }

    #[test]
    fn an_empty_phrase_has_no_table() {
        for kind in [MatchKind::LeftmostLongest, MatchKind::Standard] {
            let dfa = build_dfa(&["a", ""], kind).expect("builds");
            assert!(Table::of(&dfa).is_none());
        }
    }

    #[test]
    fn uses_a_prebuilt_table_only_for_its_phrases() {
        let bytes = table(&["ab", "b"], MatchKind::Standard).to_bytes();
        let built: Option<(&[&str], &[u8])> = Some((&["ab", "b"], &bytes));
        assert!(prebuilt(built, &["ab", "b"]).is_some());
        assert!(prebuilt(built, &["ab"]).is_none());
        assert!(prebuilt(built, &["ab", "c"]).is_none());
        assert!(prebuilt(None, &["ab", "b"]).is_none());
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
            let (got, want) = overlapping(&phrases, &hay);
            proptest::prop_assert_eq!(got, want);
        }

        /// Long hays with few matches: the walk's blocks of eight bytes, the
        /// tail after them, and matches at every offset in a block.
        #[test]
        fn finds_what_the_crate_finds_in_long_runs(
            phrases in proptest::collection::vec("[abcé]{2,9}", 1..6),
            hay in "[abcdé \u{17f}\u{212a}]{0,300}",
        ) {
            let phrases: Vec<&str> = phrases.iter().map(String::as_str).collect();
            let (got, want) = both(&phrases, &hay);
            proptest::prop_assert_eq!(got, want);
            let (got, want) = overlapping(&phrases, &hay);
            proptest::prop_assert_eq!(got, want);
        }

        /// Long hays cut in pieces: matches next to a cut, at either end, in
        /// pieces of unequal length, and hays with no byte to cut at.
        #[test]
        fn finds_what_the_crate_finds_when_cut(
            phrases in proptest::collection::vec("[abé -]{1,6}", 1..12),
            hay in "[abé \u{17f},-]{100,400}",
            plain in "[ab -]{120,300}",
        ) {
            let phrases: Vec<&str> = phrases.iter().map(String::as_str).collect();
            for hay in [&hay, &plain] {
                let (got, want) = split(&phrases, hay);
                proptest::prop_assert_eq!(got, want);
            }
        }

        /// Several hays walked side by side: each hay's overlapping
        /// matches, as a walk of it alone finds them, in its order.
        #[test]
        fn finds_in_several_hays_what_each_walk_finds(
            phrases in proptest::collection::vec("[abé -]{1,6}", 1..12),
            hays in proptest::collection::vec("[abé \u{17f}-]{0,40}", 0..9),
        ) {
            let phrases: Vec<&str> = phrases.iter().map(String::as_str).collect();
            let t = table(&phrases, MatchKind::Standard);
            let bytes: Vec<&[u8]> = hays.iter().map(|h| h.as_bytes()).collect();
            let mut got: Vec<Found> = vec![Vec::new(); hays.len()];
            t.for_each_overlapping_in(&bytes, |k, p, s, e| got[k].push((p, s, e)));
            for (k, hay) in hays.iter().enumerate() {
                let (_, want) = overlapping(&phrases, hay);
                proptest::prop_assert_eq!(&got[k], &want);
            }
        }

        /// The branch-free check of a table's ids is the plain comparison.
        #[test]
        fn checks_ids_as_comparing_them_would(
            ids in proptest::collection::vec(proptest::prelude::any::<u32>(), 0..40),
            small in proptest::collection::vec(0u32..100, 0..40),
            last_row in proptest::prop_oneof![0usize..120, proptest::strategy::Strategy::prop_map(proptest::prelude::any::<u32>(), |n| n as usize)],
        ) {
            for ids in [&ids, &small] {
                let want = last_row < 1 << 31 && ids.iter().all(|&t| t as usize <= last_row);
                proptest::prop_assert_eq!(Table::within(ids, last_row), want);
            }
        }
    }
}
