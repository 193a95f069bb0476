//! The documents the client has open: their text as the client last sent
//! it, kept up to date from full or incremental changes.

use lsp_types::{TextDocumentContentChangeEvent, Uri};

use crate::lsp::position::LineIndex;

#[derive(Debug, Clone)]
pub struct Document {
    pub uri: Uri,
    pub version: i32,
    pub text: String,
}

impl Document {
    /// Applies a `didChange`'s changes in order: each names a range of the
    /// text as the previous change left it, or (no range) replaces it all.
    pub fn apply(&mut self, version: i32, changes: Vec<TextDocumentContentChangeEvent>) {
        for change in changes {
            match change.range {
                None => self.text = change.text,
                Some(range) => {
                    let index = LineIndex::new(&self.text);
                    let start = index.offset(&self.text, range.start);
                    let end = index.offset(&self.text, range.end).max(start);
                    self.text.replace_range(start..end, &change.text);
                }
            }
        }
        self.version = version;
    }
}

/// Letter files: what `imrlint check` reads as text when it walks a directory.
const LETTER_EXTENSIONS: &[&str] = &["txt", "text", "md", "markdown"];

/// Whether a document is a letter to check: a `.txt` or `.md` file (and
/// their longer spellings), or an unsaved buffer (no extension) the client
/// calls plain text or Markdown. Other files a client sends are left alone.
pub fn is_letter(uri: &Uri, language_id: &str) -> bool {
    let s = uri.as_str();
    let s = s.split(['?', '#']).next().unwrap_or(s);
    let name = s.rsplit('/').next().unwrap_or(s);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => {
            LETTER_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
        }
        _ => matches!(language_id, "plaintext" | "markdown"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    fn change(
        range: Option<((u32, u32), (u32, u32))>,
        text: &str,
    ) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range
                .map(|((a, b), (c, d))| Range::new(Position::new(a, b), Position::new(c, d))),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn incremental_changes_apply_in_order() {
        let mut d = Document {
            uri: "file:///a.txt".parse().unwrap(),
            version: 1,
            text: "Señor 😀 Upheld\r\nline two\r\n".into(),
        };
        d.apply(
            2,
            vec![
                // "Upheld" → "Overturned" (😀 is two UTF-16 units).
                change(Some(((0, 9), (0, 15))), "Overturned"),
                // Join the lines, then type at the end.
                change(Some(((0, 19), (1, 0))), " "),
                change(Some(((0, 28), (0, 28))), "!"),
            ],
        );
        assert_eq!(d.text, "Señor 😀 Overturned line two!\r\n");
        assert_eq!(d.version, 2);
        d.apply(
            3,
            vec![change(None, "new"), change(Some(((0, 3), (0, 3))), " text")],
        );
        assert_eq!(d.text, "new text");
    }

    #[test]
    fn letters_by_extension_or_language() {
        let is = |u: &str, l: &str| is_letter(&u.parse().unwrap(), l);
        assert!(is("file:///home/me/CM16-0229336.txt", "plaintext"));
        assert!(is("file:///c%3A/drafts/letter.MD", "markdown"));
        assert!(is("untitled:Untitled-1", "plaintext"));
        assert!(!is("untitled:Untitled-1", "rust"));
        assert!(!is("file:///src/main.rs", "rust"));
        assert!(!is("file:///letters/letter.pdf", "plaintext"));
    }
}
