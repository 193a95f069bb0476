//! Letter text in HTML: escaping, and highlighting spans without letting
//! elements cross (overlapping marks are flattened, marks stop at line ends).

use std::fmt::Write as _;

use crate::span::floor_char_boundary;

/// Escapes text for HTML text and double-quoted attribute values: `& < > " '`
/// become references; control characters other than tab and line feed, which
/// HTML would drop or turn into line breaks, are shown as their Unicode
/// control pictures (`␌` for a form feed).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    push_escaped(&mut out, s);
    out
}

pub(super) fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        push_escaped_char(out, c);
    }
}

pub(super) fn push_escaped_char(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        '\t' | '\n' => out.push(c),
        '\u{0}'..='\u{1f}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}')),
        '\u{7f}' => out.push('\u{2421}'),
        '\u{80}'..='\u{9f}' => out.push('\u{fffd}'),
        c => out.push(c),
    }
}

/// What a highlighted span shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    /// A finding's primary span.
    Finding,
    /// A secondary label of a finding.
    Label,
    /// Where a letter failed to parse.
    Error,
}

impl MarkKind {
    fn class(self) -> &'static str {
        match self {
            MarkKind::Finding => "f",
            MarkKind::Label => "l",
            MarkKind::Error => "e",
        }
    }
}

/// A byte range of the letter to highlight. `id` must not come from the letter.
#[derive(Debug, Clone)]
pub struct Mark {
    pub start: usize,
    pub end: usize,
    pub kind: MarkKind,
    pub id: Option<String>,
    pub title: String,
}

/// The letter's text, escaped, with line anchors (`{line_id}{n}`, numbered by
/// CSS) and its marks. Overlapping and nested marks are flattened: the text is
/// cut at every mark's start and end, and each piece is wrapped in at most one
/// `<mark>`, whose title joins those of the marks covering it, so elements
/// never cross. A mark's id stands on its first piece (or on an empty anchor
/// just before it, when another mark starting there took the piece); an empty
/// mark is an empty `<mark>`. Offsets past the text are clamped and offsets
/// inside a character are moved to its start.
pub fn highlight(text: &str, marks: &[Mark], line_id: &str) -> String {
    let len = text.len();
    let mut spans: Vec<(usize, usize, &Mark)> = marks
        .iter()
        .map(|m| {
            let s = floor_char_boundary(text, m.start.min(len));
            let e = floor_char_boundary(text, m.end.min(len)).max(s);
            (s, e, m)
        })
        .collect();
    spans.sort_by_key(|&(s, e, _)| (s, std::cmp::Reverse(e)));
    let mut cuts: Vec<usize> = spans.iter().flat_map(|&(s, e, _)| [s, e]).collect();
    cuts.extend([0, len]);
    cuts.sort_unstable();
    cuts.dedup();

    let mut out = String::with_capacity(len + len / 4);
    let mut line = 1;
    push_line_anchor(&mut out, line_id, line);
    let mut next = 0; // next span (by start) not yet active
    let mut active: Vec<(usize, usize, &Mark)> = Vec::new();
    for (w, &a) in cuts.iter().enumerate() {
        active.retain(|&(_, e, _)| e > a);
        while next < spans.len() && spans[next].0 == a {
            let (s, e, m) = spans[next];
            if s == e {
                out.push_str("<mark class=\"pt ");
                out.push_str(m.kind.class());
                out.push('"');
                push_attr(&mut out, "id", m.id.as_deref());
                push_attr(&mut out, "title", Some(&m.title));
                out.push_str("></mark>");
            } else {
                active.push(spans[next]);
            }
            next += 1;
        }
        let Some(&b) = cuts.get(w + 1) else { break };
        if active.is_empty() {
            push_pre_text(&mut out, text, a, b, &mut line, line_id, None);
            continue;
        }
        let mut ids = active
            .iter()
            .filter(|&&(s, _, _)| s == a)
            .filter_map(|(_, _, m)| m.id.as_deref());
        let first = ids.next();
        for extra in ids {
            out.push_str("<span class=\"anchor\"");
            push_attr(&mut out, "id", Some(extra));
            out.push_str("></span>");
        }
        let kind = if active.iter().any(|(_, _, m)| m.kind == MarkKind::Finding) {
            MarkKind::Finding
        } else if active.iter().any(|(_, _, m)| m.kind == MarkKind::Error) {
            MarkKind::Error
        } else {
            MarkKind::Label
        };
        let mut open = String::from("<mark class=\"");
        open.push_str(kind.class());
        if active.len() > 1 {
            open.push_str(" n");
        }
        open.push('"');
        let title: Vec<&str> = active.iter().map(|(_, _, m)| m.title.as_str()).collect();
        push_attr(&mut open, "title", Some(&title.join("\n")));
        open.push('>');
        // The id only on the first piece; the mark is closed at each line end
        // and opened again on the next line, after its line number.
        out.push_str(&open[..open.len() - 1]);
        push_attr(&mut out, "id", first);
        out.push('>');
        push_pre_text(&mut out, text, a, b, &mut line, line_id, Some(&open));
    }
    out
}

fn push_attr(out: &mut String, name: &str, value: Option<&str>) {
    if let Some(v) = value {
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        push_escaped(out, v);
        out.push('"');
    }
}

fn push_line_anchor(out: &mut String, line_id: &str, line: usize) {
    out.push_str("<span class=\"ln\" id=\"");
    push_escaped(out, line_id);
    let _ = write!(out, "{line}\" data-n=\"{line}\"></span>");
}

/// `text[a..b]`, escaped, with a line anchor after each line feed (none
/// after the text's last one). A carriage return before a line feed is
/// dropped (HTML would make it a second break). Inside a mark (`open`, its
/// opening tag), the mark is closed before each line feed and opened again
/// after the next line's anchor, so line numbers are never highlighted.
fn push_pre_text(
    out: &mut String,
    text: &str,
    a: usize,
    b: usize,
    line: &mut usize,
    id: &str,
    open: Option<&str>,
) {
    let mut closed = false;
    for (i, c) in text[a..b].char_indices() {
        if closed && let Some(open) = open {
            out.push_str(open);
            closed = false;
        }
        match c {
            '\n' => {
                if open.is_some() {
                    out.push_str("</mark>");
                    closed = true;
                }
                out.push('\n');
                if a + i + 1 < text.len() {
                    *line += 1;
                    push_line_anchor(out, id, *line);
                }
            }
            '\r' if text.as_bytes().get(a + i + 1) == Some(&b'\n') => {}
            c => push_escaped_char(out, c),
        }
    }
    if open.is_some() && !closed {
        out.push_str("</mark>");
    }
}

/// A path, escaped, with a line-break opportunity after each separator.
pub(super) fn push_path(out: &mut String, path: &str) {
    for (i, part) in path.split_inclusive(['/', '\\']).enumerate() {
        if i > 0 {
            out.push_str("<wbr>");
        }
        push_escaped(out, part);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_controls() {
        assert_eq!(
            escape("<a href=\"x\">'&amp;'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(
            escape("a\u{c}b\u{0}\u{7f}\u{85}"),
            "a\u{240c}b\u{2400}\u{2421}\u{fffd}"
        );
        assert_eq!(escape("tab\there\nnaïve 日本"), "tab\there\nnaïve 日本");
    }

    fn mark(start: usize, end: usize, kind: MarkKind, id: Option<&str>) -> Mark {
        Mark {
            start,
            end,
            kind,
            id: id.map(str::to_string),
            title: format!("<{start}-{end}>"),
        }
    }

    #[test]
    fn overlapping_marks_are_flattened_and_ids_kept() {
        let text = "ab<cd>ef\ngh";
        let html = highlight(
            text,
            &[
                mark(1, 5, MarkKind::Finding, Some("f0")),
                mark(3, 10, MarkKind::Label, None),
                mark(1, 3, MarkKind::Finding, Some("f1")),
                mark(4, 4, MarkKind::Label, Some("p")),
                mark(50, 60, MarkKind::Error, Some("e")),
            ],
            "l-",
        );
        assert_eq!(
            html.matches("<mark").count(),
            html.matches("</mark>").count()
        );
        for id in ["f0", "f1", "p", "e", "l-1", "l-2"] {
            assert_eq!(
                html.matches(&format!("id=\"{id}\"")).count(),
                1,
                "{id}: {html}"
            );
        }
        assert!(html.contains("&lt;"), "{html}");
        assert!(
            html.contains("title=\"&lt;1-5&gt;\n&lt;3-10&gt;\""),
            "{html}"
        );
        assert!(!html.contains("<cd>"));
    }

    #[test]
    fn a_mark_over_lines_leaves_the_line_numbers_out() {
        let html = highlight("ab\ncd\n", &[mark(1, 4, MarkKind::Finding, Some("m"))], "l");
        assert_eq!(
            html,
            "<span class=\"ln\" id=\"l1\" data-n=\"1\"></span>a\
             <mark class=\"f\" title=\"&lt;1-4&gt;\" id=\"m\">b</mark>\n\
             <span class=\"ln\" id=\"l2\" data-n=\"2\"></span>\
             <mark class=\"f\" title=\"&lt;1-4&gt;\">c</mark>d\n"
        );
    }

    #[test]
    fn offsets_inside_a_character_are_moved_to_its_start() {
        let text = "é日x";
        let html = highlight(text, &[mark(1, 4, MarkKind::Finding, Some("m"))], "l");
        assert!(
            html.contains("<mark class=\"f\" title=\"&lt;1-4&gt;\" id=\"m\">é</mark>日x"),
            "{html}"
        );
    }
}
