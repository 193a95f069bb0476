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

/// A dense table over the bytes the patterns use: a step is two loads,
/// whatever the node's number of children.
pub struct Trie {
    /// Column of each byte (ASCII letters of both cases share one); 0 for a
    /// byte no pattern has.
    class: [u16; 256],
    /// Columns per row: one per byte class, and the dead column 0.
    stride: usize,
    /// `next[node * stride + class]`: the child, 0 for none (the root, node
    /// 0, is no one's child). Nodes are numbered breadth first, so the rows
    /// most walks touch lie together.
    next: Vec<u32>,
    /// The pattern that ends at each node, or [`NONE`].
    pattern: Vec<u32>,
}

impl Trie {
    /// The trie of `patterns`, ASCII letters lowercased; a pattern's id is its
    /// index, and of two equal patterns the first is kept. Empty patterns
    /// never match.
    pub fn new<P: AsRef<[u8]>>(patterns: &[P]) -> Trie {
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
        let mut number = vec![0u32; children.len()];
        let mut k = 0;
        while k < order.len() {
            for &c in children[order[k]].values() {
                number[c] = order.len() as u32;
                order.push(c);
            }
            k += 1;
        }
        let stride = classes;
        let mut next = vec![0u32; order.len() * stride];
        let mut pattern = vec![NONE; order.len()];
        for (row, &old) in order.iter().enumerate() {
            pattern[row] = pattern_at[old];
            for (&b, &c) in &children[old] {
                next[row * stride + class[b as usize] as usize] = number[c];
            }
        }
        Trie {
            class,
            stride,
            next,
            pattern,
        }
    }

    #[inline]
    fn child(&self, node: u32, byte: u8) -> Option<u32> {
        let class = self.class[byte as usize] as usize;
        let next = self.next[node as usize * self.stride + class];
        (next != 0).then_some(next)
    }

    /// Every pattern that `text` holds starting at byte `at`, shortest first,
    /// as (end, pattern id).
    pub fn prefixes<'a>(&'a self, text: &'a [u8], at: usize) -> Prefixes<'a> {
        Prefixes {
            trie: self,
            text,
            at,
            node: 0,
        }
    }
}

/// See [`Trie::prefixes`].
pub struct Prefixes<'a> {
    trie: &'a Trie,
    text: &'a [u8],
    at: usize,
    node: u32,
}

impl Iterator for Prefixes<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        while let Some(&b) = self.text.get(self.at) {
            self.node = self.trie.child(self.node, b)?;
            self.at += 1;
            let p = self.trie.pattern[self.node as usize];
            if p != NONE {
                return Some((self.at, p as usize));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn non_ascii_bytes_match_exactly() {
        let t = Trie::new(&["café", "É"]);
        assert_eq!(t.prefixes("CAFé".as_bytes(), 0).count(), 1);
        assert_eq!(t.prefixes("CAFÉ".as_bytes(), 0).count(), 0);
        assert_eq!(t.prefixes("é".as_bytes(), 0).count(), 0);
    }
}
