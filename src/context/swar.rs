//! Byte classes of eight ASCII bytes at once, in a `u64` read
//! little-endian: each result holds the high bit of each byte that has the
//! property; and of sixteen, one bit a byte ([`starts16`]). The trigger
//! search and the scope windows read every byte of a sentence; a table
//! lookup a byte costs several times as much.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Bytes `>= lo`; every byte of `x` below 0x80, so no sum carries
/// into the next byte.
#[inline(always)]
fn at_least(x: u64, lo: u8) -> u64 {
    x.wrapping_add(ONES * u64::from(0x80 - lo)) & HIGH
}

/// Bytes equal to `b`.
#[inline(always)]
fn equal(x: u64, b: u8) -> u64 {
    let t = x ^ (ONES * u64::from(b));
    !(t.wrapping_add(ONES * 0x7f) | t) & HIGH
}

/// Word characters (ASCII letters, digits, `_`), as
/// [`super::triggers::ASCII_WORD`] has them.
#[inline(always)]
pub fn words(x: u64) -> u64 {
    let digits = at_least(x, b'0') & !at_least(x, b'9' + 1);
    // Setting bit 5 maps 'A'..='Z' onto 'a'..='z' and nothing else there.
    let lower = x | (ONES * 0x20);
    let letters = at_least(lower, b'a') & !at_least(lower, b'z' + 1);
    digits | letters | equal(x, b'_')
}

/// Whether the eight bytes `x` are all ASCII (the rest needs it).
#[inline(always)]
pub fn is_ascii(x: u64) -> bool {
    x & HIGH == 0
}

/// The first byte of each word in the eight ASCII bytes `x`
/// (`word_before`: the byte before `x` is a word character), and whether the
/// last byte is a word character.
#[inline(always)]
pub fn word_starts(x: u64, word_before: bool) -> (u64, bool) {
    let words = words(x);
    let after_word = (words << 8) | (u64::from(word_before) << 7);
    (words & !after_word, words >> 63 != 0)
}

/// Where a phrase may start in the eight ASCII bytes `x`: bytes that are
/// neither a space nor a word character after a word character
/// (`word_before`: the byte before `x` is one); and whether the last
/// byte is a word character.
#[inline(always)]
pub fn starts(x: u64, word_before: bool) -> (u64, bool) {
    let words = words(x);
    let after_word = (words << 8) | (u64::from(word_before) << 7);
    let starts = !equal(x, b' ') & !(words & after_word) & HIGH;
    (starts, words >> 63 != 0)
}

/// One bit a byte (bit `k` for byte `k`) from the high bits of `x`.
#[inline(always)]
fn high_bits(x: u64) -> u32 {
    // Each byte's bit moved by the multiply into the top byte, in order.
    ((((x >> 7) & ONES).wrapping_mul(0x0102_0408_1020_4080)) >> 56) as u32
}

/// [`starts`] of sixteen ASCII bytes, one bit a byte (bit `k` for byte
/// `k`). On x86-64 a handful of vector compares and two byte masks, several
/// times fewer instructions than two eight-byte tests.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn starts16(block: &[u8; 16], word_before: bool) -> (u32, bool) {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of the x86-64 base target, so every x86-64 CPU
    // runs these instructions; the load reads exactly the sixteen bytes of
    // `block`, and `_mm_loadu_si128` needs no alignment.
    let (words, spaces) = unsafe {
        let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
        let space = _mm_cmpeq_epi8(v, _mm_set1_epi8(b' '.cast_signed()));
        (word_bytes(v), _mm_movemask_epi8(space).cast_unsigned())
    };
    let after_word = (words << 1) | u32::from(word_before);
    (!spaces & !(words & after_word) & 0xffff, words >> 15 != 0)
}

/// The word characters of sixteen bytes, one bit a byte (bit `k` for byte
/// `k`), if all are ASCII.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn words16(block: &[u8; 16]) -> Option<u32> {
    use std::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_movemask_epi8};
    // SAFETY: as in `starts16`.
    let (words, high) = unsafe {
        let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
        // The high bit of each byte: set on every byte of a non-ASCII character.
        (word_bytes(v), _mm_movemask_epi8(v))
    };
    (high == 0).then_some(words)
}

/// The ASCII word characters (letters, digits, `_`) of sixteen bytes, one
/// bit a byte: what [`starts16`] and [`words16`] share.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
#[inline]
fn word_bytes(v: std::arch::x86_64::__m128i) -> u32 {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_movemask_epi8,
        _mm_or_si128, _mm_set1_epi8,
    };
    let within = |v: __m128i, lo: u8, hi: u8| {
        // ASCII bytes are non-negative as signed bytes.
        _mm_and_si128(
            _mm_cmpgt_epi8(v, _mm_set1_epi8((lo - 1).cast_signed())),
            _mm_cmplt_epi8(v, _mm_set1_epi8((hi + 1).cast_signed())),
        )
    };
    let digits = within(v, b'0', b'9');
    // Setting bit 5 maps 'A'..='Z' onto 'a'..='z' and nothing else there.
    let letters = within(_mm_or_si128(v, _mm_set1_epi8(0x20)), b'a', b'z');
    let under = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'_'.cast_signed()));
    _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(digits, letters), under)).cast_unsigned()
}

/// The first byte of each ASCII word (letters, digits, `_`; every other
/// byte, non-ASCII ones too, is not a word character) in sixteen bytes of
/// any text, one bit a byte (`word_before`: the byte before the block is a
/// word character); and whether the last byte is a word character. What a
/// `(?-u)\b` word start is.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn word_starts16(block: &[u8; 16], word_before: bool) -> (u32, bool) {
    use std::arch::x86_64::{__m128i, _mm_loadu_si128};
    // SAFETY: as in `starts16`.
    let words = unsafe { word_bytes(_mm_loadu_si128(block.as_ptr().cast::<__m128i>())) };
    (
        words & !((words << 1) | u32::from(word_before)),
        words >> 15 != 0,
    )
}

/// [`word_starts16`] on other targets.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
pub fn word_starts16(block: &[u8; 16], word_before: bool) -> (u32, bool) {
    word_starts16_by_byte(block, word_before)
}

/// [`word_starts16`] a byte at a time.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn word_starts16_by_byte(block: &[u8; 16], mut word_before: bool) -> (u32, bool) {
    let mut starts = 0;
    for (k, &b) in block.iter().enumerate() {
        let word = super::triggers::ASCII_WORD[b as usize];
        if word && !word_before {
            starts |= 1 << k;
        }
        word_before = word;
    }
    (starts, word_before)
}

/// [`words16`] on other targets, from two eight-byte tests.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
pub fn words16(block: &[u8; 16]) -> Option<u32> {
    words16_by_halves(block)
}

/// [`words16`] from two eight-byte tests.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn words16_by_halves(block: &[u8; 16]) -> Option<u32> {
    let half = |k: usize| u64::from_le_bytes(block[k..k + 8].try_into().expect("eight bytes"));
    let (low, high) = (half(0), half(8));
    (is_ascii(low) && is_ascii(high)).then(|| high_bits(words(low)) | high_bits(words(high)) << 8)
}

/// [`starts16`] on other targets, from two eight-byte tests.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
pub fn starts16(block: &[u8; 16], word_before: bool) -> (u32, bool) {
    starts16_by_halves(block, word_before)
}

/// [`starts16`] from two eight-byte tests.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn starts16_by_halves(block: &[u8; 16], word_before: bool) -> (u32, bool) {
    let half = |k: usize| u64::from_le_bytes(block[k..k + 8].try_into().expect("eight bytes"));
    let (low, between) = starts(half(0), word_before);
    let (high, last) = starts(half(8), between);
    (high_bits(low) | high_bits(high) << 8, last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::triggers::ASCII_WORD;

    /// Bytes of `bytes` that are not a space (if `spaces_start`, else that
    /// are word characters) and not a word character after another.
    fn by_byte(bytes: &[u8], mut word_before: bool, spaces_start: bool) -> Vec<usize> {
        let mut out = Vec::new();
        for (i, &b) in bytes.iter().enumerate() {
            let word = ASCII_WORD[b as usize];
            let may = if spaces_start { b != b' ' } else { word };
            if may && !(word && word_before) {
                out.push(i);
            }
            word_before = word;
        }
        out
    }

    /// At most eight bytes, padded with spaces (which start nothing).
    fn padded(rest: &[u8]) -> u64 {
        let mut last = [b' '; 8];
        last[..rest.len()].copy_from_slice(rest);
        u64::from_le_bytes(last)
    }

    fn mask(at: &[usize]) -> u64 {
        at.iter().map(|i| 0x80 << (8 * i)).sum()
    }

    #[test]
    fn every_ascii_byte_classed_as_the_table_has_it() {
        for b in 0..128u8 {
            for at in 0..8 {
                let mut chunk = [b'x'; 8];
                chunk[at] = b;
                let words = words(u64::from_le_bytes(chunk));
                assert_eq!(
                    words >> (8 * at + 7) & 1 == 1,
                    ASCII_WORD[b as usize],
                    "{b}"
                );
            }
        }
        assert!(is_ascii(u64::from_le_bytes(*b"\0abc\x7f ~_")));
        assert!(!is_ascii(u64::from_le_bytes(*b"abc\x80defg")));
    }

    #[test]
    fn high_bits_one_bit_a_byte() {
        for k in 0..8 {
            assert_eq!(high_bits(0x80 << (8 * k)), 1 << k);
            assert_eq!(high_bits(!(0x80 << (8 * k)) & HIGH), 0xff & !(1 << k));
        }
        assert_eq!(high_bits(HIGH), 0xff);
    }

    proptest::proptest! {
        #[test]
        fn sixteen_byte_starts_agree_with_the_byte_walk(
            bytes in proptest::collection::vec(
                proptest::sample::select(b" _aZ09;:-.'\t\0\x7f@[`{/AzGq".to_vec()),
                16,
            ),
            before in proptest::bool::ANY,
        ) {
            let block: [u8; 16] = bytes.as_slice().try_into().unwrap();
            let by_byte: u32 = by_byte(&block, before, true).iter().map(|k| 1 << k).sum();
            let last = ASCII_WORD[block[15] as usize];
            proptest::prop_assert_eq!(starts16(&block, before), (by_byte, last));
            proptest::prop_assert_eq!(starts16_by_halves(&block, before), (by_byte, last));
        }

        #[test]
        fn sixteen_byte_word_starts_agree_with_the_byte_walk(
            bytes in proptest::collection::vec(
                proptest::sample::select(b" _aZ09;:-.'\t\0\x7f@[`{/AzGq\x80\xc3\xa9\xff".to_vec()),
                16,
            ),
            before in proptest::bool::ANY,
        ) {
            let block: [u8; 16] = bytes.as_slice().try_into().unwrap();
            let by_byte: u32 = by_byte(&block, before, false).iter().map(|k| 1 << k).sum();
            let last = ASCII_WORD[block[15] as usize];
            proptest::prop_assert_eq!(word_starts16(&block, before), (by_byte, last));
            proptest::prop_assert_eq!(word_starts16_by_byte(&block, before), (by_byte, last));
        }

        #[test]
        fn sixteen_byte_words_agree_with_the_table(
            bytes in proptest::collection::vec(
                proptest::sample::select(b" _aZ09;:-.'\t\0\x7f@[`{/AzGq\x80\xc3\xa9\xff".to_vec()),
                16,
            ),
        ) {
            let block: [u8; 16] = bytes.as_slice().try_into().unwrap();
            let by_byte = block.is_ascii().then(|| {
                (0..16).filter(|&k| ASCII_WORD[block[k] as usize]).map(|k| 1 << k).sum()
            });
            proptest::prop_assert_eq!(words16(&block), by_byte);
            proptest::prop_assert_eq!(words16_by_halves(&block), by_byte);
        }

        #[test]
        fn eight_byte_starts_agree_with_the_byte_walk(
            bytes in proptest::collection::vec(
                proptest::sample::select(b" _aZ09;:-.'\t\0\x7f@[`{/".to_vec()),
                0..40,
            ),
        ) {
            let mut got = Vec::new();
            let mut before = false;
            for (k, chunk) in bytes.chunks(8).enumerate() {
                let base = 8 * k;
                let (mut starts, last) = starts(padded(chunk), before);
                before = last;
                while starts != 0 {
                    got.push(base + (starts.trailing_zeros() / 8) as usize);
                    starts &= starts - 1;
                }
            }
            proptest::prop_assert_eq!(got, by_byte(&bytes, false, true));
            for chunk in bytes.chunks_exact(8) {
                let x = u64::from_le_bytes(chunk.try_into().unwrap());
                let last = ASCII_WORD[chunk[7] as usize];
                for before in [false, true] {
                    let (phrases, phrases_last) = starts(x, before);
                    proptest::prop_assert_eq!(phrases, mask(&by_byte(chunk, before, true)));
                    let (words, words_last) = word_starts(x, before);
                    proptest::prop_assert_eq!(words, mask(&by_byte(chunk, before, false)));
                    proptest::prop_assert_eq!((phrases_last, words_last), (last, last));
                }
            }
        }
    }
}
