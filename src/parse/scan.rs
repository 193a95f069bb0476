//! Hand-written matchers for the fixed phrases of a letter (headings,
//! labels, decision words), in place of regex searches over the whole text.
//!
//! Each matcher gives exactly what the `(?i)` regex it replaces gives: ASCII
//! letters match in either case and, as Unicode simple case folding has it,
//! `ſ` (U+017F) matches s and the Kelvin sign (U+212A) matches k, the only
//! non-ASCII characters that fold to ASCII letters. `\s` is Unicode White_Space
//! ([`char::is_whitespace`]) and `\b` uses Unicode word characters, as in the
//! regex crate. Callers find candidates with a cheap byte search (a colon, a
//! line start, a rare letter) and check them here, so most of the text is
//! looked at once, not once per phrase.

const LONG_S: &[u8] = "ſ".as_bytes();
const KELVIN: &[u8] = "K".as_bytes();

/// One step of a phrase: a literal or an optional character (`x?`). Steps
/// are taken greedily, which is
/// what the regex does for every phrase built from them here: an optional
/// step is never followed by a step that could start with what it skipped.
#[derive(Clone, Copy)]
pub(crate) enum Step {
    Lit(&'static str),
    Opt(u8),
}

/// Length of the match of the ASCII byte `c` at `hay[i..]`, case-insensitively.
fn byte_at(hay: &[u8], i: usize, c: u8) -> Option<usize> {
    let b = *hay.get(i)?;
    if b.eq_ignore_ascii_case(&c) {
        return Some(1);
    }
    match c.to_ascii_lowercase() {
        b's' if hay[i..].starts_with(LONG_S) => Some(LONG_S.len()),
        b'k' if hay[i..].starts_with(KELVIN) => Some(KELVIN.len()),
        _ => None,
    }
}

/// End of `lit` matched case-insensitively at `at`.
///
/// Eight bytes at a time while the text is ASCII: there a byte matches the
/// literal's only by ASCII case, one for one, so a differing word ends the
/// match. A word holding a non-ASCII byte (perhaps an 'ſ' or a Kelvin sign
/// standing for a letter) and the last bytes go a character at a time.
pub(crate) fn ci_at(hay: &[u8], at: usize, lit: &str) -> Option<usize> {
    let lit = lit.as_bytes();
    let mut k = 0;
    while let (Some(h), Some(l)) = (word8(hay, at + k), word8(lit, k)) {
        if h & HIGH != 0 {
            break;
        }
        if lower8(h) != lower8(l) {
            return None;
        }
        k += 8;
    }
    let mut i = at + k;
    for &c in &lit[k..] {
        i += byte_at(hay, i, c)?;
    }
    Some(i)
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x80 * ONES;

/// The eight bytes of `b` from `at`, little-endian, when there are eight.
#[inline]
fn word8(b: &[u8], at: usize) -> Option<u64> {
    let w: [u8; 8] = b.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_le_bytes(w))
}

/// Each byte of `w` as `u8::to_ascii_lowercase` makes it: 0x20 added to
/// the bytes 'A'..='Z' (no carry crosses a byte: each sum stays below 0x100).
#[inline]
fn lower8(w: u64) -> u64 {
    let low7 = w & (0x7f * ONES);
    let from_a = low7 + u64::from(0x80 - b'A') * ONES;
    let past_z = low7 + u64::from(0x7f - b'Z') * ONES;
    let upper = from_a & !past_z & !w & HIGH;
    w | (upper >> 2)
}

/// Start of `lit` matched case-insensitively so that it ends at `end`.
/// Eight bytes at a time from the end while the text is ASCII, as [`ci_at`].
/// Inlined: the label search calls it at every colon, with fixed labels.
#[inline]
pub(crate) fn ci_before(hay: &[u8], end: usize, lit: &str) -> Option<usize> {
    let lit = lit.as_bytes();
    let mut rest = lit.len();
    while let (Some(at), Some(from)) = (end.checked_sub(lit.len() - rest + 8), rest.checked_sub(8))
    {
        let (Some(h), Some(l)) = (word8(hay, at), word8(lit, from)) else {
            break;
        };
        if h & HIGH != 0 {
            break;
        }
        if lower8(h) != lower8(l) {
            return None;
        }
        rest = from;
    }
    let mut i = end - (lit.len() - rest);
    for &c in lit[..rest].iter().rev() {
        let b = *hay.get(i.checked_sub(1)?)?;
        if b.eq_ignore_ascii_case(&c) {
            i -= 1;
            continue;
        }
        let wide = match c.to_ascii_lowercase() {
            b's' => LONG_S,
            b'k' => KELVIN,
            _ => return None,
        };
        if !hay[..i].ends_with(wide) {
            return None;
        }
        i -= wide.len();
    }
    Some(i)
}

/// End of `steps` matched at `at`.
pub(crate) fn steps_at(text: &str, at: usize, steps: &[Step]) -> Option<usize> {
    let hay = text.as_bytes();
    let mut i = at;
    for step in steps {
        match *step {
            Step::Lit(lit) => i = ci_at(hay, i, lit)?,
            Step::Opt(c) => i += byte_at(hay, i, c).unwrap_or(0),
        }
    }
    Some(i)
}

/// Offsets in `t`, in order, of the bytes that are one of `letters` (lower
/// case ASCII) in either case: where a hand matcher whose phrases start
/// with those letters has to look. Sixteen bytes are tested at a time;
/// lines of a letter hold one of two or three common letters every few
/// bytes, too often for a byte search to pay for each call.
pub(crate) fn letter_leads<const N: usize>(
    t: &[u8],
    letters: [u8; N],
) -> impl Iterator<Item = usize> + '_ {
    leads(t, move |block, _| letter_mask(block, &letters))
}

/// Offsets in `t`, in order, where one of `pairs` (two lower-case ASCII
/// letters) starts, in any case: for phrases whose first letter is too
/// common to try at each, their first two.
pub(crate) fn pair_leads<const N: usize>(
    t: &[u8],
    pairs: [[u8; 2]; N],
) -> impl Iterator<Item = usize> + '_ {
    leads(t, move |block, next| {
        pairs.iter().fold(0, |m, &[a, b]| {
            m | (letter_mask(block, &[a]) & letter_mask(next, &[b]))
        })
    })
}

/// Offsets in `t`, in order, of the ASCII digits, found as
/// [`letter_leads`] finds letters.
pub(crate) fn digit_leads(t: &[u8]) -> impl Iterator<Item = usize> + '_ {
    leads(t, |block, _| digit_mask(block))
}

/// Offsets in `t` of the bytes whose bits `mask_of` sets, sixteen bytes at
/// a time; `mask_of` is given the sixteen bytes from an offset and the
/// sixteen from the next one, zero past the end of `t` (no mask flags a
/// zero byte).
fn leads<'a>(
    t: &'a [u8],
    mask_of: impl Fn(&[u8; 16], &[u8; 16]) -> u32 + 'a,
) -> impl Iterator<Item = usize> + 'a {
    let mut base = 0;
    let mut mask = 0u32;
    std::iter::from_fn(move || {
        while mask == 0 {
            if base >= t.len() {
                return None;
            }
            mask = match (t.get(base..base + 16), t.get(base + 1..base + 17)) {
                (Some(block), Some(next)) => match (block.try_into(), next.try_into()) {
                    (Ok(block), Ok(next)) => mask_of(block, next),
                    _ => 0,
                },
                _ => {
                    let mut block = [0u8; 17];
                    let n = (t.len() - base).min(17);
                    block[..n].copy_from_slice(&t[base..base + n]);
                    let (mut now, mut next) = ([0u8; 16], [0u8; 16]);
                    now.copy_from_slice(&block[..16]);
                    next.copy_from_slice(&block[1..]);
                    mask_of(&now, &next)
                }
            };
            if mask == 0 {
                base += 16;
            }
        }
        let i = base + mask.trailing_zeros() as usize;
        mask &= mask - 1;
        if mask == 0 {
            base += 16;
        }
        Some(i)
    })
}

/// Bit `k` set when byte `k` of `block` is an ASCII digit: taking '0' off
/// leaves the digits, and only them, at most 9.
#[cfg(target_arch = "x86_64")]
fn digit_mask(block: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
        _mm_setzero_si128, _mm_sub_epi8, _mm_subs_epu8,
    };
    // SAFETY: SSE2 is part of the x86-64 base target, so every x86-64 CPU
    // runs these instructions; the load reads exactly the sixteen bytes of
    // `block`, and `_mm_loadu_si128` needs no alignment.
    unsafe {
        let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
        let off = _mm_sub_epi8(v, _mm_set1_epi8(b'0'.cast_signed()));
        let digit = _mm_cmpeq_epi8(_mm_subs_epu8(off, _mm_set1_epi8(9)), _mm_setzero_si128());
        _mm_movemask_epi8(digit).cast_unsigned()
    }
}

/// [`digit_mask`] on other targets, a byte at a time.
#[cfg(not(target_arch = "x86_64"))]
fn digit_mask(block: &[u8; 16]) -> u32 {
    block
        .iter()
        .enumerate()
        .fold(0, |m, (k, &b)| m | u32::from(b.is_ascii_digit()) << k)
}

/// Bit `k` set when byte `k` of `block` is one of `letters` in either case.
/// On x86-64 one vector compare a letter; OR-ing 0x20 in makes the
/// upper-case letter equal to the lower-case one, and no other byte.
#[cfg(target_arch = "x86_64")]
fn letter_mask<const N: usize>(block: &[u8; 16], letters: &[u8; N]) -> u32 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_setzero_si128,
    };
    // SAFETY: SSE2 is part of the x86-64 base target, so every x86-64 CPU
    // runs these instructions; the load reads exactly the sixteen bytes of
    // `block`, and `_mm_loadu_si128` needs no alignment.
    unsafe {
        let v = _mm_or_si128(
            _mm_loadu_si128(block.as_ptr().cast::<__m128i>()),
            _mm_set1_epi8(0x20),
        );
        let mut hit = _mm_setzero_si128();
        for &l in letters {
            hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, _mm_set1_epi8(l.cast_signed())));
        }
        _mm_movemask_epi8(hit).cast_unsigned()
    }
}

/// [`letter_mask`] on other targets, a byte at a time.
#[cfg(not(target_arch = "x86_64"))]
fn letter_mask<const N: usize>(block: &[u8; 16], letters: &[u8; N]) -> u32 {
    block.iter().enumerate().fold(0, |m, (k, &b)| {
        m | u32::from(letters.contains(&(b | 0x20))) << k
    })
}

/// End of `s` (lower case) at `i` of `t`, in any ASCII case: the hand
/// matchers' literal.
pub(crate) fn lit(t: &[u8], i: usize, s: &str) -> Option<usize> {
    let e = i.checked_add(s.len())?;
    t.get(i..e)?.eq_ignore_ascii_case(s.as_bytes()).then_some(e)
}

/// Whether byte `i` of `t` is an ASCII `\s` (White_Space, with the vertical tab).
pub(crate) fn ascii_space_at(t: &[u8], i: usize) -> bool {
    t.get(i)
        .is_some_and(|&b| b.is_ascii_whitespace() || b == 0x0b)
}

/// Whether byte `i` of `t` is an ASCII `\w`.
pub(crate) fn ascii_word_at(t: &[u8], i: usize) -> bool {
    t.get(i)
        .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Byte length of the whitespace character at `i`, or 0.
pub(crate) fn ws_len_at(text: &str, i: usize) -> usize {
    text.get(i..)
        .and_then(|t| t.chars().next())
        .filter(|c| c.is_whitespace())
        .map_or(0, char::len_utf8)
}

/// Byte length of the whitespace character that ends at `i`, or 0.
pub(crate) fn ws_len_before(text: &str, i: usize) -> usize {
    text.get(..i)
        .and_then(|t| t.chars().next_back())
        .filter(|c| c.is_whitespace())
        .map_or(0, char::len_utf8)
}

/// Non-ASCII characters of real letters (dashes, curly quotes, marks and
/// signs) that no `(?i)` literal, `\s`, `\d` or `\w` takes in: a pattern
/// with only those (and ASCII classes) matches the same around them as
/// around any ASCII punctuation, so an ASCII hand matcher that sees their
/// bytes as "other" finds what the regex finds. The test below holds each
/// to that; the en dash has its own place in page ranges.
const INERT: [char; 16] = [
    '–', '—', '‘', '’', '“', '”', '®', '©', '™', '°', '×', '•', '§', '…', '±', '¶',
];

/// True when `text` is ASCII but for [`INERT`] characters, so that the
/// ASCII hand matchers of the guideline line and the verdicts may read it.
pub(crate) fn plain(text: &str) -> bool {
    // Letters hold a curly quote or a dash every few lines: the ASCII runs
    // between them are passed over eight bytes at a time, and only the
    // other characters are decoded.
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(k) = first_non_ascii(&b[i..]) {
        i += k;
        // `i` is a char boundary: the byte before it is ASCII or ends a
        // character taken whole below.
        let Some(c) = text[i..].chars().next() else {
            return true;
        };
        if !INERT.contains(&c) {
            return false;
        }
        i += c.len_utf8();
    }
    true
}

/// Offset of the first byte of `b` that is not ASCII.
fn first_non_ascii(b: &[u8]) -> Option<usize> {
    let word = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[at..at + 8]);
        u64::from_le_bytes(w) & HIGH
    };
    let mut at = ascii_blocks(b);
    // Sixteen bytes a step while all are ASCII.
    while at + 16 <= b.len() && word(at) | word(at + 8) == 0 {
        at += 16;
    }
    while at + 8 <= b.len() {
        let high = word(at);
        if high != 0 {
            return Some(at + high.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    b[at..].iter().position(|&c| !c.is_ascii()).map(|k| at + k)
}

/// Bytes at the start of `b` that are ASCII, in whole blocks of 64: the
/// case summary and the rationales are read as plain text or not, and are
/// most of a letter. On x86-64 a block is four vector loads, OR-ed.
#[cfg(target_arch = "x86_64")]
fn ascii_blocks(b: &[u8]) -> usize {
    use std::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128};
    let mut at = 0;
    while let Some(block) = b.get(at..at + 64) {
        // SAFETY: SSE2 is part of the x86-64 base target, so every x86-64
        // CPU runs these instructions; the loads read the sixteen bytes at
        // offsets 0, 16, 32 and 48 of the 64 of `block`, and
        // `_mm_loadu_si128` needs no alignment.
        let high = unsafe {
            let p = block.as_ptr().cast::<__m128i>();
            let v = _mm_or_si128(
                _mm_or_si128(_mm_loadu_si128(p), _mm_loadu_si128(p.add(1))),
                _mm_or_si128(_mm_loadu_si128(p.add(2)), _mm_loadu_si128(p.add(3))),
            );
            _mm_movemask_epi8(v)
        };
        if high != 0 {
            break;
        }
        at += 64;
    }
    at
}

/// [`ascii_blocks`] on other targets: the word loop does it all.
#[cfg(not(target_arch = "x86_64"))]
fn ascii_blocks(_: &[u8]) -> usize {
    0
}

/// A word character as regex's Unicode `\w` (and so `\b`) has it.
pub(crate) fn is_word(c: char) -> bool {
    regex_syntax::try_is_word_character(c).unwrap_or_else(|_| c.is_alphanumeric() || c == '_')
}

/// True when a word character ends at `i` of `text`.
pub(crate) fn word_before(text: &str, i: usize) -> bool {
    text.get(..i)
        .and_then(|t| t.chars().next_back())
        .is_some_and(is_word)
}

/// True when a word character starts at `i` of `text`.
pub(crate) fn word_at(text: &str, i: usize) -> bool {
    text.get(i..)
        .and_then(|t| t.chars().next())
        .is_some_and(is_word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    /// No inert character is a word, space or digit character, or folds to
    /// an ASCII letter, as the regex crate sees it.
    #[test]
    fn inert_characters_are_taken_in_by_no_class() {
        let classes = [r"\w", r"\s", r"\d", r"(?i)[a-z]", r"\b"];
        for c in INERT {
            let s = c.to_string();
            for class in classes {
                let re = regex::Regex::new(class).unwrap();
                assert!(!re.is_match(&s), "{c:?} {class}");
            }
            assert!(plain(&s) && plain(&format!("a{c}b")));
        }
        assert!(
            !plain("\u{17f}")
                && !plain("\u{212a}")
                && !plain("é")
                && !plain("\u{a0}")
                && !plain("٣")
        );
    }

    #[test]
    fn folds_case_as_regex_does() {
        let re = regex::Regex::new(r"(?i)^desk").unwrap();
        for hay in ["DESK", "deſk", "desK", "DEsK", "des", "dexk", "de\u{17f}"] {
            let ours = ci_at(hay.as_bytes(), 0, "desk");
            assert_eq!(ours, re.find(hay).map(|m| m.end()), "{hay}");
            let back = ci_before(hay.as_bytes(), hay.len(), "desk");
            assert_eq!(back.is_some(), ours == Some(hay.len()), "{hay}");
        }
    }

    proptest::proptest! {
        /// The word-at-a-time test says what the character test said.
        #[test]
        fn plain_reads_as_the_character_test(
            parts in proptest::collection::vec(proptest::prop_oneof![
                "[a-z .]{0,20}",
                "[a-z .]{60,140}",
                proptest::sample::select(INERT.to_vec()).prop_map(String::from),
                proptest::sample::select(vec!['é', 'ſ', '\u{212a}', '\u{a0}', '٣', '😀'])
                    .prop_map(String::from),
            ], 0..12),
        ) {
            let text = parts.concat();
            let want = text.is_ascii()
                || text.chars().all(|c| c.is_ascii() || INERT.contains(&c));
            proptest::prop_assert_eq!(plain(&text), want);
            let b = text.as_bytes();
            proptest::prop_assert_eq!(first_non_ascii(b), b.iter().position(|c| !c.is_ascii()));
        }

        /// The leads are the bytes a plain filter keeps, whatever the length.
        #[test]
        fn letter_leads_are_the_letters_in_either_case(
            t in proptest::collection::vec(proptest::prop_oneof![
                proptest::sample::select((0u8..=0xff).collect::<Vec<_>>()),
                proptest::sample::select(b"sStTcCeEaAdDbBrRpP09".to_vec()),
            ], 0..80),
        ) {
            let want: Vec<usize> = (0..t.len())
                .filter(|&i| matches!(t[i], b'd' | b'D' | b'b' | b'B' | b'r' | b'R'))
                .collect();
            let got: Vec<usize> = letter_leads(&t, [b'd', b'b', b'r']).collect();
            proptest::prop_assert_eq!(got, want);
            let want: Vec<usize> = (0..t.len()).filter(|&i| t[i] | 0x20 == b'p').collect();
            proptest::prop_assert_eq!(letter_leads(&t, [b'p']).collect::<Vec<_>>(), want);
            let want: Vec<usize> = (0..t.len())
                .filter(|&i| {
                    let pair = [t[i], t.get(i + 1).copied().unwrap_or(0)];
                    [b"st", b"ce", b"aa"].iter().any(|p| pair.eq_ignore_ascii_case(*p))
                })
                .collect();
            let got: Vec<usize> = pair_leads(&t, [*b"st", *b"ce", *b"aa"]).collect();
            proptest::prop_assert_eq!(got, want);
            let want: Vec<usize> = (0..t.len()).filter(|&i| t[i].is_ascii_digit()).collect();
            proptest::prop_assert_eq!(digit_leads(&t).collect::<Vec<_>>(), want);
        }
    }

    proptest::proptest! {
        /// The word-at-a-time lower case is the byte-at-a-time one on every
        /// byte value, and `ci_at` finds what a character walk finds.
        #[test]
        fn word_compares_agree_with_byte_compares(
            a in proptest::collection::vec(proptest::prop_oneof![
                proptest::sample::select((0u8..=0xff).collect::<Vec<_>>()),
                proptest::sample::select(b"aAzZ@[`{sSkK ".to_vec()),
            ], 0..40),
            lit in proptest::sample::select(vec![
                "desk", "SESSIONS AND DECISIONS", "the final determination was based",
                "upheld", "k", "",
            ]),
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "S", "e", "\u{17f}", "\u{212a}", "K", "ion", "IONS AND ", "DECI", "the final ",
                "determination ", "was based", "\u{e9}", " ",
            ]), 0..10),
        ) {
            for x in a.chunks_exact(8) {
                let x = <[u8; 8]>::try_from(x).expect("eight bytes");
                let want: Vec<u8> = x.iter().map(u8::to_ascii_lowercase).collect();
                let got = lower8(u64::from_le_bytes(x)).to_le_bytes().to_vec();
                proptest::prop_assert_eq!(got, want);
            }
            let hay = pieces.concat();
            for at in 0..=hay.len() {
                let mut i = Some(at);
                for &c in lit.as_bytes() {
                    i = i.and_then(|i| Some(i + byte_at(hay.as_bytes(), i, c)?));
                }
                proptest::prop_assert_eq!(ci_at(hay.as_bytes(), at, lit), i);
                let mut j = Some(at);
                for &c in lit.as_bytes().iter().rev() {
                    j = j.and_then(|j| ci_before_bytewise(hay.as_bytes(), j, c));
                }
                proptest::prop_assert_eq!(ci_before(hay.as_bytes(), at, lit), j);
            }
        }
    }

    /// Where the match of the byte `c` ending at `i` starts, as
    /// [`ci_before`] did it a character at a time.
    fn ci_before_bytewise(hay: &[u8], i: usize, c: u8) -> Option<usize> {
        let b = *hay.get(i.checked_sub(1)?)?;
        if b.eq_ignore_ascii_case(&c) {
            return Some(i - 1);
        }
        let wide = match c.to_ascii_lowercase() {
            b's' => LONG_S,
            b'k' => KELVIN,
            _ => return None,
        };
        hay[..i].ends_with(wide).then(|| i - wide.len())
    }

    #[test]
    fn optional_steps_are_greedy() {
        let steps = [
            Step::Lit("a"),
            Step::Opt(b'('),
            Step::Opt(b's'),
            Step::Opt(b')'),
            Step::Lit(":"),
        ];
        assert_eq!(steps_at("A(S):", 0, &steps), Some(5));
        assert_eq!(steps_at("A(\u{17f}):", 0, &steps), Some(6));
        assert_eq!(steps_at("as:", 0, &steps), Some(3));
        assert_eq!(steps_at("ab:", 0, &steps), None);
    }
}
