//! Byte spans into the original letter text.
//!
//! Every field of the letter model carries a [`Span`] so that a diagnostic can
//! point at the exact words of the letter, whatever whitespace or page breaks
//! the extractor left between them.

use serde::Serialize;

/// A half-open byte range `[offset, offset + length)` into the original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
pub struct Span {
    pub offset: usize,
    pub length: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end);
        Span {
            offset: start,
            length: end.saturating_sub(start),
        }
    }

    pub fn end(&self) -> usize {
        self.offset + self.length
    }

    /// The text this span names. `None` when the span does not fit `text`,
    /// which only happens when a span is applied to the wrong source.
    pub fn slice<'a>(&self, text: &'a str) -> Option<&'a str> {
        text.get(self.offset..self.end())
    }

    /// The smallest span covering both.
    pub fn cover(&self, other: Span) -> Span {
        Span::new(self.offset.min(other.offset), self.end().max(other.end()))
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.offset, s.length).into()
    }
}

/// A value read from the letter, with the span of the words it was read from.
///
/// `value` is the whitespace-folded text (or a typed reading of it); `span`
/// slices the original, unfolded text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// 1-based line and column (in characters) of a byte offset, for concise
/// output and JSON consumers that do not count bytes.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    // A newline byte is always the character: counted and found as bytes,
    // by vector code, not one character search per line.
    let line = memchr::memchr_iter(b'\n', before.as_bytes()).count() + 1;
    let line_start = memchr::memrchr(b'\n', before.as_bytes()).map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

pub(crate) fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The former reading, by character search.
    fn line_column_reference(text: &str, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    proptest::proptest! {
        #[test]
        fn line_column_counts_as_the_character_search_did(
            text in "[a\n\r\u{e9}\u{2028}\u{85} ]{0,200}",
            offset in 0usize..220,
        ) {
            proptest::prop_assert_eq!(
                line_column(&text, offset),
                line_column_reference(&text, offset)
            );
        }
    }
}
