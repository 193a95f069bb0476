//! Whitespace-folded view of a letter, with a map back to original offsets.
//!
//! Extracted letters break lines, pages and even words wherever the PDF did:
//! "leaving the original\n\n\x0crequest IMR eligible", "skilled-\nnursing",
//! labels padded into columns, a blank line after every line. Matching runs on
//! a folded copy where every whitespace run is one space, Markdown emphasis
//! (`**`) and heading marks (`#`) of drafted letters are dropped, and a
//! hyphen that ends a line joins the next word. Each folded byte remembers the
//! original byte it came from, so any match maps back to an exact [`Span`].

use crate::span::{Span, floor_char_boundary};

/// What a folded space stood for in the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Break {
    /// Not a space, or spaces and tabs within one line.
    None,
    /// The whitespace held one line break.
    Line,
    /// A blank line or a page break (form feed).
    Paragraph,
}

#[derive(Debug, Clone)]
pub struct Folded {
    text: String,
    /// Where folded bytes come from: `(folded start, original start)` of each
    /// stretch copied one to one, sorted. Folded byte `i` is original byte
    /// `o + (i - f)` for the last `(f, o)` with `f <= i`. A stretch, not a
    /// byte, per entry: most bytes are copied in long runs, and a folded
    /// space that stands for the first byte of its whitespace run continues
    /// the stretch before it.
    stretches: Vec<(u32, u32)>,
    /// Breaks, sorted by folded offset: only folded spaces that held a line break.
    breaks: Vec<(u32, Break)>,
    original_len: usize,
}

impl Folded {
    /// Folds `original[range]`; offsets in the result still refer to `original`.
    pub fn new(original: &str) -> Folded {
        Self::range(original, 0, original.len())
    }

    pub fn range(original: &str, start: usize, end: usize) -> Folded {
        Self::fold::<true>(original, start, end)
    }

    /// [`Folded::range`]; `LINES_IN_RUNS`: a lone line break between two
    /// kept characters is folded inside a run (the fast path), else by the
    /// general whitespace step (kept to test the fast path against).
    fn fold<const LINES_IN_RUNS: bool>(original: &str, start: usize, end: usize) -> Folded {
        let start = floor_char_boundary(original, start.min(original.len()));
        let end = floor_char_boundary(original, end.min(original.len())).max(start);
        // Sized from the letters: about one line break every 70 bytes, and a
        // new stretch only where more than one byte folds away; growing these
        // from empty cost a dozen reallocations a letter.
        let mut f = Folded {
            text: String::with_capacity(end - start),
            stretches: Vec::with_capacity((end - start) / 256 + 4),
            breaks: Vec::with_capacity((end - start) / 48 + 2),
            original_len: original.len(),
        };
        let bytes = original.as_bytes();
        let mut i = start;
        // Pending whitespace run: (original start, newlines seen, page break seen).
        let mut pending: Option<(usize, u32, bool)> = None;
        // A range that starts mid-text starts a line only if the original does there,
        // so folding a value's own span gives back the value.
        let mut at_line_start = original[..start].rsplit('\n').next().is_none_or(|tail| {
            tail.bytes()
                .all(|b| matches!(b, b' ' | b'\t' | b'\r' | 0x0c))
        });
        while i < end {
            let b = bytes[i];
            // Whitespace and decoration are all ASCII, so byte tests are exact here.
            let ws = matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0c | 0x0b);
            // No-break space (C2 A0) and byte-order mark (EF BB BF) count as spaces.
            let wide = if b == 0xc2 && bytes.get(i + 1) == Some(&0xa0) && i + 1 < end {
                2
            } else if b == 0xef && bytes.get(i + 1..i + 3) == Some(&[0xbb, 0xbf]) && i + 2 < end {
                3
            } else {
                1
            };
            if ws || wide > 1 {
                let p = pending.get_or_insert((i, 0, false));
                if b == b'\n' {
                    p.1 += 1;
                    at_line_start = true;
                } else if b == 0x0c {
                    p.2 = true;
                    at_line_start = true;
                }
                i += wide;
                continue;
            }
            if b == b'*' && bytes.get(i + 1) == Some(&b'*') && i + 1 < end {
                pending.get_or_insert((i, 0, false));
                i += 2;
                continue;
            }
            if b == b'#' && at_line_start {
                let mut j = i;
                while j < end && bytes[j] == b'#' {
                    j += 1;
                }
                // Judge by the original, not the range: "#" ending a range is decoration
                // only if the original has a space or nothing after it.
                if j - i <= 6
                    && (j == bytes.len() || matches!(bytes[j], b' ' | b'\t' | b'\r' | b'\n'))
                {
                    pending.get_or_insert((i, 0, false));
                    i = j;
                    continue;
                }
            }
            at_line_start = false;
            if let Some((ws_start, newlines, page)) = pending.take() {
                let kind = if page || newlines >= 2 {
                    Break::Paragraph
                } else if newlines == 1 || bytes[ws_start..i].contains(&b'\r') {
                    Break::Line
                } else {
                    Break::None
                };
                let hyphen_join = kind == Break::Line
                    && f.text.ends_with('-')
                    && f.text[..f.text.len() - 1]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_alphanumeric())
                    && (b as char).is_ascii_alphanumeric();
                if !f.text.is_empty() && !hyphen_join {
                    if kind != Break::None {
                        f.breaks.push((f.text.len() as u32, kind));
                    }
                    f.map_next(ws_start);
                    f.text.push(' ');
                }
            }
            // `i` is always a char boundary (we step whole characters), and `end` was floored.
            let mut ch_end = (i + utf8_len(b)).min(end);
            // Fast path: the bytes that follow need no handling of their own
            // (no whitespace, `*` or wide space can start among them, and `#`
            // is plain mid-line), so copy the whole run at once. A single
            // space between two such bytes folds to itself and joins the run.
            // A run stops only at an ASCII byte or a lead byte, hence at a
            // char boundary. Sixteen bytes at a time up to the first byte that
            // needs a look, that byte (and a space's successor) one at a
            // time, then sixteen at a time again: a flagged byte is most often
            // a lone space or a non-ASCII letter that the run takes in.
            let mut after_space;
            // Line breaks the run folds to spaces: its own breaks, from here on.
            let run_breaks = f.breaks.len();
            'run: loop {
                // Whether the byte before the block is a space, as bit 0:
                // on entry it is not (the byte before is one taken that is
                // not a space).
                let mut space_before = 0;
                // Thirty-two bytes a step while they last (a line of a
                // letter is a few such steps, and each step's test and
                // jump cost as much as a block's masks), then sixteen.
                'blocks: {
                    while ch_end + 32 <= end {
                        let Ok(block) = <&[u8; 32]>::try_from(&bytes[ch_end..ch_end + 32]) else {
                            break;
                        };
                        let (stop, spaces) = stop_mask32(block, space_before);
                        if stop != 0 {
                            ch_end += stop.trailing_zeros() as usize;
                            break 'blocks;
                        }
                        space_before = spaces >> 31;
                        ch_end += 32;
                    }
                    while ch_end + 16 <= end {
                        let Ok(block) = <&[u8; 16]>::try_from(&bytes[ch_end..ch_end + 16]) else {
                            break;
                        };
                        let (stop, spaces) = stop_mask(block, space_before);
                        if stop != 0 {
                            ch_end += stop.trailing_zeros() as usize;
                            break 'blocks;
                        }
                        space_before = spaces >> 15;
                        ch_end += 16;
                    }
                }
                // The block loop may stop right after a space it took in (at
                // the second of two spaces, or at a byte that follows one),
                // which the loop below then leaves out.
                after_space = bytes[ch_end - 1] == b' ';
                loop {
                    if ch_end >= end {
                        break 'run;
                    }
                    let class = CLASS[bytes[ch_end] as usize];
                    if class == OTHER
                        && LINES_IN_RUNS
                        && bytes[ch_end] == b'\n'
                        && lone_line_break(bytes, ch_end, end, after_space)
                    {
                        // A line break a byte of its own between two kept
                        // characters, neither a hyphen that joins the next
                        // word nor a heading mark after it: it folds to a
                        // space in place, one to one, so the run goes on
                        // (most line breaks of a letter; each was a trip
                        // through the whitespace step and a copy of its own).
                        f.breaks
                            .push(((f.text.len() + ch_end - i) as u32, Break::Line));
                        ch_end += 1;
                        continue 'run;
                    }
                    if class == OTHER || (class == SPACE && after_space) {
                        break 'run;
                    }
                    after_space = class == SPACE;
                    ch_end += 1;
                    // Back to whole blocks once the last byte taken is not a
                    // space: the block test does not look behind its block.
                    if !after_space {
                        continue 'run;
                    }
                }
            }
            // A space that ends the run is followed by whitespace, a marker or
            // the end: it starts a whitespace run of its own.
            if after_space {
                ch_end -= 1;
            }
            f.map_next(i);
            f.text.push_str(&original[i..ch_end]);
            if f.breaks.len() > run_breaks {
                // SAFETY: each byte changed is a `\n` just copied from the
                // original; one ASCII byte for another leaves the text UTF-8.
                let text = unsafe { f.text.as_mut_vec() };
                for &(at, _) in &f.breaks[run_breaks..] {
                    text[at as usize] = b' ';
                }
            }
            i = ch_end;
        }
        f
    }

    /// Records that the next folded byte comes from original offset `o`.
    fn map_next(&mut self, o: usize) {
        let (f, o) = (self.text.len() as u32, o as u32);
        if let Some(&(lf, lo)) = self.stretches.last()
            && lo.wrapping_add(f.wrapping_sub(lf)) == o
        {
            return;
        }
        self.stretches.push((f, o));
    }

    /// Original offset of folded byte `i`, which must be below `len()`.
    fn map(&self, i: usize) -> usize {
        let k = self.stretches.partition_point(|&(f, _)| f as usize <= i);
        let (f, o) = self.stretches[k - 1];
        o as usize + (i - f as usize)
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Original offset of folded byte `i` (the end of the original text for `i == len`).
    pub fn original_offset(&self, i: usize) -> usize {
        if i < self.text.len() {
            self.map(i)
        } else if self.text.is_empty() {
            self.original_len
        } else {
            self.map(self.text.len() - 1) + 1
        }
    }

    /// The original span of folded range `[start, end)`, trimmed of folded spaces.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let (start, end) = self.trim(start, end);
        if start >= end {
            let o = self.original_offset(start);
            return Span::new(o, o);
        }
        // One search for both ends when they lie in one stretch, as most
        // spans (a word, a sentence's part of a line) do.
        let k = self
            .stretches
            .partition_point(|&(f, _)| f as usize <= start);
        let (f, o) = self.stretches[k - 1];
        let last = end - 1;
        let last = if self
            .stretches
            .get(k)
            .is_none_or(|&(next, _)| last < next as usize)
        {
            o as usize + (last - f as usize)
        } else {
            self.map(last)
        };
        Span::new(o as usize + (start - f as usize), last + 1)
    }

    /// Narrows `[start, end)` so it neither starts nor ends with a space.
    pub fn trim(&self, mut start: usize, mut end: usize) -> (usize, usize) {
        let b = self.text.as_bytes();
        end = end.min(b.len());
        let given = start.min(end);
        while start < end && b[start] == b' ' {
            start += 1;
        }
        // An all-space range stays where it was given, so that an empty field
        // ("Claims Administrator guideline:" with nothing after it) is placed
        // after its label, not at the start of whatever follows.
        if start == end {
            return (given, given);
        }
        while end > start && b[end - 1] == b' ' {
            end -= 1;
        }
        (start, end)
    }

    /// Folded text of `[start, end)`, trimmed.
    pub fn slice(&self, start: usize, end: usize) -> &str {
        let (s, e) = self.trim(start, end);
        &self.text[s..e]
    }

    /// What the folded space at `i` stood for.
    pub fn break_at(&self, i: usize) -> Break {
        match self.breaks.binary_search_by_key(&(i as u32), |&(p, _)| p) {
            Ok(k) => self.breaks[k].1,
            Err(_) => Break::None,
        }
    }

    /// True when folded offset `i` begins a line of the original.
    pub fn is_line_start(&self, i: usize) -> bool {
        i == 0 || (i <= self.text.len() && self.break_at(i - 1) != Break::None)
    }

    /// True when folded offset `i` (exclusive end) ends a line of the original.
    pub fn is_line_end(&self, i: usize) -> bool {
        i >= self.text.len() || (self.text.as_bytes()[i] == b' ' && self.break_at(i) != Break::None)
    }

    /// Folded offsets of the line breaks in `[start, end)`, in order.
    pub fn breaks_in(
        &self,
        start: usize,
        end: usize,
    ) -> impl DoubleEndedIterator<Item = (usize, Break)> + '_ {
        let lo = self.breaks.partition_point(|&(p, _)| (p as usize) < start);
        let hi = self.breaks.partition_point(|&(p, _)| (p as usize) < end);
        self.breaks[lo..hi].iter().map(|&(p, k)| (p as usize, k))
    }

    /// Folded offset of the start of the line holding folded offset `i`.
    pub fn line_start_before(&self, i: usize) -> usize {
        self.breaks_in(0, i).next_back().map_or(0, |(p, _)| p + 1)
    }

    /// Folded offset of the end of the line holding folded offset `i`.
    pub fn line_end_after(&self, i: usize) -> usize {
        self.breaks_in(i, self.text.len())
            .next()
            .map_or(self.text.len(), |(p, _)| p)
    }
}

/// Whether the `\n` at `at` (inside a run, `after_space`: the byte before
/// it is a space) folds as a lone line break between two kept characters:
/// the byte before it is neither a space nor a hyphen (which may join the
/// next word), and the byte after it, within `end`, is one a run takes that
/// is not `#` (which may start a heading mark).
#[inline(always)]
fn lone_line_break(bytes: &[u8], at: usize, end: usize, after_space: bool) -> bool {
    !after_space
        && at + 1 < end
        && bytes[at - 1] != b'-'
        && CLASS[bytes[at + 1] as usize] == PLAIN
        && bytes[at + 1] != b'#'
}

/// Byte classes for the fast path of [`Folded::range`]: bytes that fold to
/// themselves when they follow a kept character on the same line ([`PLAIN`]:
/// all but whitespace, `*` and the lead bytes of the wide spaces), the
/// space, and the rest.
const PLAIN: u8 = 0;
const SPACE: u8 = 1;
const OTHER: u8 = 2;
static CLASS: [u8; 256] = {
    let mut t = [PLAIN; 256];
    let special = [b'\t', b'\r', b'\n', 0x0c, 0x0b, b'*', 0xc2, 0xef];
    let mut k = 0;
    while k < special.len() {
        t[special[k] as usize] = OTHER;
        k += 1;
    }
    t[b' ' as usize] = SPACE;
    t
};

/// The high bit of each byte of `word` (eight bytes, little-endian) that
/// the byte loop of the fast path has to look at, the bytes before the first
/// one it takes as they come; and the high bit of each space. Conservative:
/// it flags every control, non-ASCII and `*` byte, and a space that follows
/// another space (`space_before`: the high bit of byte 0 if the byte before
/// the word is a space). A space that ends a word is not flagged: most words
/// of a letter end in one, and a stop at each cost a trip through the byte
/// loop; the next word flags what follows it if that needs a look.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn stop_bytes(word: u64, space_before: u64) -> (u64, u64) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // The high bit of each byte equal to `v`; bytes never carry into each other.
    let equal = |v: u8| {
        let x = word ^ (ONES * u64::from(v));
        !(((x & LOW7) + LOW7) | x | LOW7)
    };
    let spaces = equal(b' ');
    // The high bit of each byte below 0x20 or above 0x7f.
    let unusual = (!((word & LOW7) + ONES * 0x60) | word) & HIGH;
    let stop = unusual | equal(b'*') | (spaces & ((spaces << 8) | space_before));
    (stop, spaces)
}

/// One bit a byte of `block` (bit `k` for byte `k`): the bytes
/// [`stop_bytes`] flags, and the spaces; `space_before` is 1 when the byte
/// before the block is a space. On x86-64 three vector compares and two byte
/// masks, some six times fewer instructions than two eight-byte tests (the
/// compiler does not find this on its own).
#[cfg(target_arch = "x86_64")]
fn stop_mask(block: &[u8; 16], space_before: u32) -> (u32, u32) {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of the x86-64 base target, so every x86-64 CPU
    // runs these instructions; the load reads exactly the sixteen bytes of
    // `block`, and `_mm_loadu_si128` needs no alignment.
    let (unusual, spaces) = unsafe {
        let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
        // Below 0x20 or above 0x7f: as a signed byte, below 0x20.
        let unusual = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
        let star = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'*'.cast_signed()));
        let space = _mm_cmpeq_epi8(v, _mm_set1_epi8(b' '.cast_signed()));
        (
            _mm_movemask_epi8(_mm_or_si128(unusual, star)).cast_unsigned(),
            _mm_movemask_epi8(space).cast_unsigned(),
        )
    };
    (unusual | (spaces & ((spaces << 1) | space_before)), spaces)
}

/// [`stop_mask`] of thirty-two bytes, as two blocks of sixteen.
#[inline(always)]
fn stop_mask32(block: &[u8; 32], space_before: u32) -> (u32, u32) {
    let (low, high) = block.split_at(16);
    let low: &[u8; 16] = low.try_into().expect("sixteen bytes");
    let high: &[u8; 16] = high.try_into().expect("sixteen bytes");
    let (stop_low, spaces_low) = stop_mask(low, space_before);
    let (stop_high, spaces_high) = stop_mask(high, spaces_low >> 15);
    (stop_low | stop_high << 16, spaces_low | spaces_high << 16)
}

/// [`stop_mask`] on other targets, from two eight-byte tests.
#[cfg(not(target_arch = "x86_64"))]
fn stop_mask(block: &[u8; 16], space_before: u32) -> (u32, u32) {
    let half = |k: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&block[k..k + 8]);
        u64::from_le_bytes(b)
    };
    let (s0, p0) = stop_bytes(half(0), u64::from(space_before) << 7);
    let (s1, p1) = stop_bytes(half(8), p0 >> 56);
    (
        high_bits(s0) | high_bits(s1) << 8,
        high_bits(p0) | high_bits(p1) << 8,
    )
}

/// The high bit of each byte of `x`, as bit `k` for byte `k`.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn high_bits(x: u64) -> u32 {
    (0..8).fold(0u32, |m, k| m | (((x >> (8 * k + 7)) & 1) as u32) << k)
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_runs_and_maps_back() {
        let src = "Case  Number:\r\n\r\n\x0cCM16-0229336 ";
        let f = Folded::new(src);
        assert_eq!(f.as_str(), "Case Number: CM16-0229336");
        let i = f.as_str().find("CM16").unwrap();
        let span = f.span(i, f.len());
        assert_eq!(span.slice(src), Some("CM16-0229336"));
        assert_eq!(f.break_at(i - 1), Break::Paragraph);
        assert!(f.is_line_start(i));
        assert!(!f.is_line_start(5));
    }

    #[test]
    fn joins_hyphen_at_line_end_and_drops_markdown() {
        let src = "## **Muscle stimulator:** Upheld\nskilled-\nnursing care";
        let f = Folded::new(src);
        assert_eq!(f.as_str(), "Muscle stimulator: Upheld skilled-nursing care");
        let i = f.as_str().find("skilled").unwrap();
        let span = f.span(i, i + "skilled-nursing".len());
        assert_eq!(span.slice(src), Some("skilled-\nnursing"));
    }

    #[test]
    fn keeps_multibyte_characters_whole() {
        let src = "café –\n“quoted”";
        let f = Folded::new(src);
        assert_eq!(f.as_str(), "café – “quoted”");
        let i = f.as_str().find('“').unwrap();
        assert_eq!(f.span(i, f.len()).slice(src), Some("“quoted”"));
    }

    proptest::proptest! {
        /// The word test flags what it says it does.
        #[test]
        fn stop_bytes_flags_doubled_spaces_and_unusual_bytes(
            w in proptest::array::uniform8(proptest::sample::select(
                vec![b'a', b' ', b'*', b'\n', b'\t', 0x01, 0x1f, 0x7f, 0x80, 0xc2, 0xef, 0xff]
            )),
            before: bool,
        ) {
            let mut want = 0u64;
            let mut spaces = 0u64;
            for k in 0..8 {
                let prev = if k == 0 { before } else { w[k - 1] == b' ' };
                if w[k] < 0x20 || w[k] > 0x7f || w[k] == b'*' || (w[k] == b' ' && prev) {
                    want |= 0x80 << (8 * k);
                }
                if w[k] == b' ' {
                    spaces |= 0x80 << (8 * k);
                }
            }
            let got = stop_bytes(u64::from_le_bytes(w), u64::from(before) << 7);
            proptest::prop_assert_eq!(got, (want, spaces));
        }

        /// The sixteen-byte mask flags what the eight-byte test flags.
        #[test]
        fn stop_mask_flags_as_stop_bytes_does(
            w in proptest::array::uniform16(proptest::sample::select(
                vec![b'a', b' ', b'*', b'\n', b'\t', 0x01, 0x1f, 0x20, 0x7e, 0x7f, 0x80, 0xc2, 0xef, 0xff]
            )),
            before: bool,
        ) {
            let (stop, spaces) = stop_mask(&w, u32::from(before));
            let lo = u64::from_le_bytes(w[..8].try_into().unwrap());
            let hi = u64::from_le_bytes(w[8..].try_into().unwrap());
            let (s0, p0) = stop_bytes(lo, u64::from(before) << 7);
            let (s1, p1) = stop_bytes(hi, p0 >> 56);
            proptest::prop_assert_eq!(stop, high_bits(s0) | high_bits(s1) << 8);
            proptest::prop_assert_eq!(spaces, high_bits(p0) | high_bits(p1) << 8);
        }

        /// The thirty-two-byte mask is the two sixteen-byte masks, the
        /// second told whether the first ends in a space.
        #[test]
        fn stop_mask32_is_two_stop_masks(
            w in proptest::collection::vec(proptest::sample::select(
                vec![b'a', b' ', b'*', b'\n', 0x01, 0x7f, 0x80, 0xc2, 0xef, 0xff]
            ), 32),
            before: bool,
        ) {
            let block: [u8; 32] = w.as_slice().try_into().unwrap();
            let mut want = (0u32, 0u32);
            let mut space_before = u32::from(before);
            for (k, &b) in block.iter().enumerate() {
                let stop = u32::from(matches!(b, 0..=0x1f | 0x80..=0xff | b'*'))
                    | u32::from(b == b' ') & space_before;
                space_before = u32::from(b == b' ');
                want.0 |= stop << k;
                want.1 |= space_before << k;
            }
            proptest::prop_assert_eq!(stop_mask32(&block, u32::from(before)), want);
        }

        /// Folding a range agrees with folding byte by byte, whatever the
        /// mix of words, spaces and markers.
        #[test]
        fn fast_path_folds_as_the_bytes_do(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "word", "ab", " ", "  ", "\n", "\r\n", "\n\n", "\x0c", "\t", "**", "# ", "-\n",
                "\u{a0}", "\u{feff}", "é", "“", "\u{1}", "x y z ", "eightchr", " a b c d ",
            ]), 0..40),
        ) {
            let s: String = parts.concat();
            let f = Folded::new(&s);
            proptest::prop_assert_eq!(f.as_str(), reference_fold(&s));
        }
    }

    proptest::proptest! {
        /// Lone line breaks folded inside runs give what the whitespace
        /// step gives them: text, offsets and breaks, from any start.
        #[test]
        fn line_breaks_in_runs_fold_as_the_whitespace_step_does(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "word", "a", " ", "\n", "\n\n", "\r\n", "-", "-\n", "#", "# ", "\n#",
                "**", "\x0c", "\u{a0}", "é", "\u{17f}", "\u{212a}", "x y", ".", "\t",
            ]), 0..40),
            start in 0usize..12,
            cut in 0usize..12,
        ) {
            let s: String = parts.concat();
            let end = s.len().saturating_sub(cut);
            let fast = Folded::fold::<true>(&s, start, end);
            let slow = Folded::fold::<false>(&s, start, end);
            proptest::prop_assert_eq!(fast.as_str(), slow.as_str());
            proptest::prop_assert_eq!(&fast.stretches, &slow.stretches);
            proptest::prop_assert_eq!(&fast.breaks, &slow.breaks);
            proptest::prop_assert_eq!(fast.original_len, slow.original_len);
        }
    }

    proptest::proptest! {
        /// A span found with one search where its ends share a stretch is
        /// the span each end's own search gives.
        #[test]
        fn spans_map_as_each_end_does(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "word", "a", " ", "  ", "\n", "\n\n", "-\n", "**", "# ", "\u{a0}", "é",
            ]), 0..16),
        ) {
            let s: String = parts.concat();
            let f = Folded::new(&s);
            for start in 0..=f.len() {
                for end in start..=f.len() {
                    let (a, b) = f.trim(start, end);
                    let want = if a >= b {
                        let o = f.original_offset(a);
                        Span::new(o, o)
                    } else {
                        Span::new(f.map(a), f.map(b - 1) + 1)
                    };
                    proptest::prop_assert_eq!(f.span(start, end), want);
                }
            }
        }
    }

    /// Folded text as the rules say, one byte at a time.
    fn reference_fold(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = String::new();
        let (mut i, mut pending, mut newlines, mut line_start) = (0, false, 0, true);
        let mut cr = false;
        while i < b.len() {
            let c = b[i];
            let wide = if s[i..].starts_with('\u{a0}') {
                2
            } else if s[i..].starts_with('\u{feff}') {
                3
            } else {
                0
            };
            if matches!(c, b' ' | b'\t' | b'\r' | b'\n' | 0x0c | 0x0b) || wide > 0 {
                if c == b'\n' || c == 0x0c {
                    line_start = true;
                    // A page break is a paragraph, as two line breaks are.
                    newlines += if c == 0x0c { 2 } else { 1 };
                }
                cr |= c == b'\r';
                pending = true;
                i += wide.max(1);
                continue;
            }
            if c == b'*' && b.get(i + 1) == Some(&b'*') {
                pending = true;
                i += 2;
                continue;
            }
            if c == b'#' && line_start {
                let j = i + b[i..].iter().take_while(|&&x| x == b'#').count();
                if j - i <= 6 && (j == b.len() || matches!(b[j], b' ' | b'\t' | b'\r' | b'\n')) {
                    pending = true;
                    i = j;
                    continue;
                }
            }
            line_start = false;
            if pending {
                let join = (newlines == 1 || (newlines == 0 && cr))
                    && out.ends_with('-')
                    && out[..out.len() - 1]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_alphanumeric())
                    && c.is_ascii_alphanumeric();
                if !out.is_empty() && !join {
                    out.push(' ');
                }
                pending = false;
                newlines = 0;
                cr = false;
            }
            let n = s[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&s[i..i + n]);
            i += n;
        }
        out
    }

    #[test]
    fn every_folded_byte_maps_to_its_own_or_a_whitespace_byte() {
        // Each folded byte names the original byte it was copied from; a
        // folded space names the first byte of the run it stands for.
        let src = "## **Head:**  a\r\nb\n\n\x0cc\u{a0}d\u{feff}e skilled-\nnursing\tx  y\n# z ** w";
        for start in 0..src.len() {
            let f = Folded::range(src, start, src.len());
            let (t, o) = (f.as_str().as_bytes(), src.as_bytes());
            for (i, &c) in t.iter().enumerate() {
                let at = f.original_offset(i);
                if c == b' ' {
                    assert!(matches!(
                        o[at],
                        b' ' | b'\t' | b'\r' | b'\n' | 0x0c | b'*' | b'#' | 0xc2 | 0xef
                    ));
                } else {
                    assert_eq!(o[at], c, "folded byte {i} of {:?}", f.as_str());
                }
            }
            let last = t
                .len()
                .checked_sub(1)
                .map_or(src.len(), |l| f.original_offset(l) + 1);
            assert_eq!(f.original_offset(t.len()), last);
        }
    }
}
