//! Byte offsets into a letter ↔ LSP positions.
//!
//! Findings carry byte spans; the protocol counts a zero-based line and, by
//! default, the UTF-16 code units before the position on that line (the
//! server advertises `positionEncoding: "utf-16"`, the one every client
//! supports). Lines end at `\n`, `\r\n` or a lone `\r`, as the
//! specification says; form feeds and other characters are ordinary
//! characters. A letter has few lines, so an index of line starts is built
//! per version of a document.

use lsp_types::{Position, Range};

use crate::span::Span;

/// The byte offset where each line starts.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    starts.push(i + 2);
                    i += 1;
                }
                b'\r' => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex { starts }
    }

    /// Where the text of `line` ends, before its terminator.
    fn content_end(&self, text: &str, line: usize) -> usize {
        match self.starts.get(line + 1) {
            Some(&next) if text[..next].ends_with("\r\n") => next - 2,
            Some(&next) => next - 1,
            None => text.len(),
        }
    }

    /// The position of a byte offset. An offset past the end is the end; one
    /// inside a character is that character's start.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = crate::span::floor_char_boundary(text, offset.min(text.len()));
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let character: usize = text[start..offset].chars().map(char::len_utf16).sum();
        Position::new(line as u32, character as u32)
    }

    /// The range a span covers.
    pub fn range(&self, text: &str, span: Span) -> Range {
        Range::new(
            self.position(text, span.offset),
            self.position(text, span.end()),
        )
    }

    /// The byte offset of a position, as a client's edit names it. As the
    /// specification asks, a character past the end of its line is the end of
    /// the line, and a line past the end of the text is the end of the text;
    /// a position inside a surrogate pair falls back to the character's start.
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        let line = pos.line as usize;
        let Some(&start) = self.starts.get(line) else {
            return text.len();
        };
        let end = self.content_end(text, line);
        let want = pos.character as usize;
        let mut units = 0;
        for (i, c) in text[start..end].char_indices() {
            if units + c.len_utf16() > want {
                return start + i;
            }
            units += c.len_utf16();
        }
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    /// Byte offset of the `n`th occurrence of `needle`.
    fn at(text: &str, needle: &str) -> usize {
        text.find(needle).expect("needle")
    }

    #[test]
    fn ascii_and_line_ends() {
        let text = "ab\ncd\r\nef\rgh\n";
        let ix = LineIndex::new(text);
        assert_eq!(ix.position(text, 0), pos(0, 0));
        assert_eq!(ix.position(text, at(text, "cd")), pos(1, 0));
        assert_eq!(ix.position(text, at(text, "d")), pos(1, 1));
        assert_eq!(
            ix.position(text, at(text, "ef")),
            pos(2, 0),
            "CRLF is one line end"
        );
        assert_eq!(
            ix.position(text, at(text, "gh")),
            pos(3, 0),
            "a lone CR ends a line"
        );
        assert_eq!(ix.position(text, text.len()), pos(4, 0));
        assert_eq!(ix.position(text, text.len() + 10), pos(4, 0), "clamped");
        // The end of a line before its CRLF.
        assert_eq!(ix.position(text, at(text, "\r\n")), pos(1, 2));
    }

    #[test]
    fn non_ascii_counts_utf16_units() {
        // é: 2 bytes, 1 unit; —: 3 bytes, 1 unit; 😀: 4 bytes, 2 units.
        let text = "Señor\r\ncafé — 😀 Overturned\r\nend";
        let ix = LineIndex::new(text);
        let o = at(text, "Overturned");
        assert_eq!(ix.position(text, o), pos(1, 10));
        let span = Span::new(o, o + "Overturned".len());
        let r = ix.range(text, span);
        assert_eq!(r, Range::new(pos(1, 10), pos(1, 20)));
        assert_eq!(ix.offset(text, r.start), span.offset);
        assert_eq!(ix.offset(text, r.end), span.end());
        // An offset inside a character is that character's start.
        let smile = at(text, "😀");
        assert_eq!(ix.position(text, smile + 2), pos(1, 7));
        assert_eq!(ix.position(text, at(text, "end")), pos(2, 0));
    }

    #[test]
    fn offsets_round_trip_and_clamp() {
        let text = "a😀b\r\nñ\rz";
        let ix = LineIndex::new(text);
        for (o, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let p = ix.position(text, o);
            // Offsets between CR and LF have no position of their own.
            if !(o > 0 && text[..o].ends_with('\r') && text[o..].starts_with('\n')) {
                assert_eq!(ix.offset(text, p), o, "offset {o} via {p:?}");
            }
        }
        assert_eq!(
            ix.offset(text, pos(0, 2)),
            at(text, "😀"),
            "inside a surrogate pair"
        );
        assert_eq!(
            ix.offset(text, pos(0, 99)),
            at(text, "\r\n"),
            "past the line's end"
        );
        assert_eq!(ix.offset(text, pos(1, 5)), at(text, "\rz"));
        assert_eq!(ix.offset(text, pos(9, 0)), text.len(), "past the last line");
    }
}
