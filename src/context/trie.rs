//! A byte trie of phrases, walked ASCII case-insensitively from one position.
//!
//! The trigger lexicon and the engine's short word lists are matched only
//! at word starts, and there every phrase that starts at that position is
//! wanted (the longest that ends on a word boundary wins). A walk down a
//! trie yields exactly those, and most walks die on the first or second
//! byte, where a general automaton search pays its set-up cost at every
//! word of the sentence.

/// No pattern ends at this node.
const NONE: u32 = u32::MAX;

/// Set in a `next` entry when a pattern ends at the child: a walk learns it
/// from the load that moves it, and reads the pattern's id only then.
const ENDS: u32 = 1 << 31;

/// A dense table over the bytes the patterns use: a step is two loads,
/// whatever the node's number of children.
pub struct Trie {
    /// Column of each byte (ASCII letters of both cases share one); 0 for a
    /// byte no pattern has.
    class: [u16; 256],
    /// Columns per row: one per byte class, the dead column 0, and last the
    /// id of the pattern that ends at the node (or [`NONE`]).
    stride: usize,
    /// `next[row + class]`, `row` a node's offset (its number times
    /// `stride`): the child's offset, [`ENDS`] set if a pattern ends there;
    /// 0 for none (the root, at offset 0, is no one's child). Nodes are
    /// numbered breadth first, so the rows most walks touch lie together.
    next: Vec<u32>,
    /// The first two steps from the root at once, by the two bytes'
    /// columns (`first * (stride - 1) + second`): the entry [`Trie::next`]
    /// holds after them, 0 for none, or [`ENDS`] alone (no node's entry)
    /// when a pattern ends after the first byte, which the walk then takes
    /// a step at a time. Most walks die within two bytes; this is one load
    /// for both.
    pairs: Vec<u32>,
}

impl Trie {
    /// The trie of `patterns`, ASCII letters lowercased; a pattern's id is its
    /// index, and of two equal patterns the first is kept. Empty patterns
    /// never match.
    pub fn new<P: AsRef<[u8]>>(patterns: &[P]) -> Trie {
        let mut class = [0u16; 256];
        let mut classes = 1;
        for p in patterns {
            for &b in p.as_ref() {
                let b = b.to_ascii_lowercase() as usize;
                if class[b] == 0 {
                    class[b] = classes as u16;
                    classes += 1;
                }
            }
        }
        // Built from the patterns in order, lowercased (the first of equal
        // ones first): each shares with the one before it a path from the
        // root, and its other nodes are new, each its parent's last child so
        // far, so children stand in byte order with no search and no map per
        // node (a child map per node was most of the cost of compiling the
        // trigger lexicon).
        let mut sorted: Vec<(Vec<u8>, u32)> = patterns
            .iter()
            .enumerate()
            .map(|(id, p)| (p.as_ref().to_ascii_lowercase(), id as u32))
            .collect();
        sorted.sort_unstable();
        let mut byte: Vec<u8> = vec![0];
        let mut first_child: Vec<u32> = vec![0];
        let mut last_child: Vec<u32> = vec![0];
        let mut sibling: Vec<u32> = vec![0];
        let mut pattern_at: Vec<u32> = vec![NONE];
        // The nodes of the last pattern's path, the root first.
        let mut path: Vec<usize> = vec![0];
        let mut last: &[u8] = &[];
        for (p, id) in &sorted {
            let shared = p.iter().zip(last).take_while(|(a, b)| a == b).count();
            path.truncate(shared + 1);
            let mut node = path[shared];
            for &b in &p[shared..] {
                let fresh = byte.len();
                byte.push(b);
                first_child.push(0);
                last_child.push(0);
                sibling.push(0);
                pattern_at.push(NONE);
                match last_child[node] {
                    0 => first_child[node] = fresh as u32,
                    prev => sibling[prev as usize] = fresh as u32,
                }
                last_child[node] = fresh as u32;
                node = fresh;
                path.push(node);
            }
            if node != 0 && pattern_at[node] == NONE {
                pattern_at[node] = *id;
            }
            last = p;
        }
        let children = |node: usize| {
            std::iter::successors(Some(first_child[node]).filter(|&c| c != 0), |&c| {
                Some(sibling[c as usize]).filter(|&s| s != 0)
            })
            .map(|c| c as usize)
        };
        for b in b'A'..=b'Z' {
            class[b as usize] = class[b.to_ascii_lowercase() as usize];
        }
        // Breadth-first numbering.
        let mut order = vec![0];
        let mut number = vec![0usize; byte.len()];
        let mut k = 0;
        while k < order.len() {
            for c in children(order[k]) {
                number[c] = order.len();
                order.push(c);
            }
            k += 1;
        }
        let stride = classes + 1;
        let cells = order.len() * stride;
        assert!(cells < ENDS as usize, "trie too large");
        let mut next = vec![0u32; cells];
        for (row, &old) in order.iter().enumerate() {
            let row = row * stride;
            next[row + stride - 1] = pattern_at[old];
            for c in children(old) {
                let ends = if pattern_at[c] == NONE { 0 } else { ENDS };
                next[row + class[byte[c] as usize] as usize] = (number[c] * stride) as u32 | ends;
            }
        }
        Trie::with_pairs(class, stride, next)
    }

    /// The trie of a finished table, with its [`Trie::pairs`].
    fn with_pairs(class: [u16; 256], stride: usize, next: Vec<u32>) -> Trie {
        let columns = stride - 1;
        let mut pairs = vec![0u32; columns * columns];
        for first in 0..columns {
            let n = next[first];
            let row = (n & !ENDS) as usize;
            for second in 0..columns {
                pairs[first * columns + second] = match n {
                    0 => 0,
                    n if n & ENDS != 0 => ENDS,
                    _ => next[row + second],
                };
            }
        }
        Trie {
            class,
            stride,
            next,
            pairs,
        }
    }

    /// The step from the node at offset `row` by `byte`: the child's entry
    /// (see [`Trie::next`]), 0 for none.
    #[inline(always)]
    fn step(&self, row: usize, byte: u8) -> u32 {
        self.next[row + self.class[byte as usize] as usize]
    }

    /// The id of the pattern that ends at the node at offset `row`.
    #[inline(always)]
    fn pattern(&self, row: usize) -> usize {
        self.next[row + self.stride - 1] as usize
    }

    /// Every pattern that `text` holds starting at byte `at`, shortest first,
    /// as (end, pattern id).
    pub fn prefixes<'a>(&'a self, text: &'a [u8], at: usize) -> Prefixes<'a> {
        Prefixes {
            trie: self,
            text,
            at,
            row: 0,
        }
    }

    /// The last of [`Trie::prefixes`] that `accept(end, pattern id)` keeps:
    /// the longest, when the caller's test is on where a pattern ends. One
    /// walk, no iterator state: the trigger lexicon calls it at every word.
    #[inline]
    pub fn longest(
        &self,
        text: &[u8],
        at: usize,
        mut accept: impl FnMut(usize, usize) -> bool,
    ) -> Option<(usize, usize)> {
        let (class, next) = (&self.class, &self.next[..]);
        let mut row = 0;
        // The longest kept so far; a pattern ends after `at`, so never at 0.
        let (mut best, mut best_pattern) = (0, 0);
        let mut end = at;
        // The first two bytes in one step, unless a pattern ends after the
        // first (then the walk takes them one at a time).
        if let (Some(&first), Some(&second)) = (text.get(at), text.get(at + 1)) {
            let columns = self.stride - 1;
            let n = self.pairs
                [class[first as usize] as usize * columns + class[second as usize] as usize];
            if n == 0 {
                return None;
            }
            if n != ENDS {
                row = (n & !ENDS) as usize;
                end = at + 2;
                if n & ENDS != 0 {
                    let p = self.pattern(row);
                    if accept(end, p) {
                        (best, best_pattern) = (end, p);
                    }
                }
            }
        }
        while let Some(&b) = text.get(end) {
            let n = next[row + class[b as usize] as usize];
            end += 1;
            // Most steps reach a node where no pattern ends: one test.
            if (n as i32) > 0 {
                row = n as usize;
                continue;
            }
            if n == 0 {
                break;
            }
            row = (n & !ENDS) as usize;
            let p = self.pattern(row);
            if accept(end, p) {
                (best, best_pattern) = (end, p);
            }
        }
        (best != 0).then_some((best, best_pattern))
    }
}

/// See [`Trie::prefixes`].
pub struct Prefixes<'a> {
    trie: &'a Trie,
    text: &'a [u8],
    at: usize,
    row: usize,
}

impl Iterator for Prefixes<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        while let Some(&b) = self.text.get(self.at) {
            let n = self.trie.step(self.row, b);
            if n == 0 {
                return None;
            }
            self.row = (n & !ENDS) as usize;
            self.at += 1;
            if n & ENDS != 0 {
                return Some((self.at, self.trie.pattern(self.row)));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Trie {
        /// The first construction, with a child map per node.
        fn with_child_maps<P: AsRef<[u8]>>(patterns: &[P]) -> Trie {
            use std::collections::BTreeMap;
            // Built with a child map per node, then laid out as a table.
            let mut children: Vec<BTreeMap<u8, usize>> = vec![BTreeMap::new()];
            let mut pattern_at: Vec<u32> = vec![NONE];
            let mut class = [0u16; 256];
            let mut classes = 1;
            for (id, p) in patterns.iter().enumerate() {
                let mut node = 0;
                for &b in p.as_ref() {
                    let b = b.to_ascii_lowercase();
                    if class[b as usize] == 0 {
                        class[b as usize] = classes as u16;
                        classes += 1;
                    }
                    let fresh = children.len();
                    node = *children[node].entry(b).or_insert(fresh);
                    if node == fresh {
                        children.push(BTreeMap::new());
                        pattern_at.push(NONE);
                    }
                }
                if node != 0 && pattern_at[node] == NONE {
                    pattern_at[node] = id as u32;
                }
            }
            for b in b'A'..=b'Z' {
                class[b as usize] = class[b.to_ascii_lowercase() as usize];
            }
            // Breadth-first numbering.
            let mut order = vec![0];
            let mut number = vec![0usize; children.len()];
            let mut k = 0;
            while k < order.len() {
                for &c in children[order[k]].values() {
                    number[c] = order.len();
                    order.push(c);
                }
                k += 1;
            }
            let stride = classes + 1;
            let cells = order.len() * stride;
            assert!(cells < ENDS as usize, "trie too large");
            let mut next = vec![0u32; cells];
            for (row, &old) in order.iter().enumerate() {
                let row = row * stride;
                next[row + stride - 1] = pattern_at[old];
                for (&b, &c) in &children[old] {
                    let ends = if pattern_at[c] == NONE { 0 } else { ENDS };
                    next[row + class[b as usize] as usize] = (number[c] * stride) as u32 | ends;
                }
            }
            Trie::with_pairs(class, stride, next)
        }
    }

    fn same_table(a: &Trie, b: &Trie) -> bool {
        a.class == b.class && a.stride == b.stride && a.next == b.next
    }

    #[test]
    fn built_in_place_as_with_child_maps() {
        let lexicon = crate::context::triggers::BUILTIN
            .lines()
            .filter_map(|l| l.trim().strip_prefix("- "))
            .collect::<Vec<_>>();
        assert!(same_table(
            &Trie::new(&lexicon),
            &Trie::with_child_maps(&lexicon)
        ));
    }

    proptest::proptest! {
        #[test]
        fn built_in_place_as_with_child_maps_on_any_patterns(
            patterns in proptest::collection::vec("[aAbB é;\u{17f}]{0,5}", 0..12),
        ) {
            proptest::prop_assert!(same_table(&Trie::new(&patterns), &Trie::with_child_maps(&patterns)));
        }
    }

    #[test]
    fn every_prefix_case_insensitively() {
        let t = Trie::new(&["no", "no evidence", "not", "NO EVIDENCE OF", "", "no"]);
        let s = b"No Evidence of it";
        let found: Vec<(usize, usize)> = t.prefixes(s, 0).collect();
        assert_eq!(found, vec![(2, 0), (11, 1), (14, 3)]);
        assert_eq!(t.prefixes(s, 1).count(), 0);
        assert_eq!(t.prefixes(b"no", 0).collect::<Vec<_>>(), vec![(2, 0)]);
        assert_eq!(t.prefixes(b"", 0).count(), 0);
        assert_eq!(t.prefixes(b"no", 5).count(), 0);
    }

    proptest::proptest! {
        #[test]
        fn longest_is_the_last_prefix_kept(
            text in "[nNoO t;é]{0,12}",
            at in 0usize..14,
            odd in proptest::bool::ANY,
        ) {
            let t = Trie::new(&["no", "no t", "not", "o", ";", "é", "no to", "t;"]);
            let keep = |end: usize, p: usize| (end + p) % 2 == usize::from(odd);
            let b = text.as_bytes();
            proptest::prop_assert_eq!(
                t.longest(b, at, keep),
                t.prefixes(b, at).filter(|&(end, p)| keep(end, p)).last()
            );
        }
    }

    proptest::proptest! {
        /// The two-byte first step walks as single steps do, whatever the
        /// patterns (one byte long, sharing first bytes, non-ASCII).
        #[test]
        fn longest_with_pairs_is_the_last_prefix_kept_on_any_patterns(
            patterns in proptest::collection::vec("[aAbB é;\u{17f}]{1,4}", 1..10),
            text in "[aAbB é;\u{17f}\u{212a}]{0,10}",
            at in 0usize..12,
            odd in proptest::bool::ANY,
        ) {
            let t = Trie::new(&patterns);
            let keep = |end: usize, p: usize| (end + p) % 2 == usize::from(odd);
            let b = text.as_bytes();
            proptest::prop_assert_eq!(
                t.longest(b, at, keep),
                t.prefixes(b, at).filter(|&(end, p)| keep(end, p)).last()
            );
            proptest::prop_assert_eq!(
                t.longest(b, at, |_, _| true),
                t.prefixes(b, at).last()
            );
        }
    }

    #[test]
    fn non_ascii_bytes_match_exactly() {
        let t = Trie::new(&["café", "É"]);
        assert_eq!(t.prefixes("CAFé".as_bytes(), 0).count(), 1);
        assert_eq!(t.prefixes("CAFÉ".as_bytes(), 0).count(), 0);
        assert_eq!(t.prefixes("é".as_bytes(), 0).count(), 0);
    }
}
