//! `imrlint:` directive lines of drafted letters. No I/O.
//!
//! ```text
//! imrlint: allow CODE[, CODE...] -- REASON          the item it stands in (or the letter, above the first item)
//! imrlint: allow-letter CODE[, CODE...] -- REASON   the whole letter, wherever it stands
//! <!-- imrlint: allow CODE -- REASON -->            the same, hidden in a rendered Markdown draft
//! ```
//!
//! A directive is a line of its own: `imrlint:` (lower case) first on the
//! line, after optional blanks and an optional `<!--`. A CODE is what
//! `--ignore` takes (a code, a code prefix or a kind); codes are separated by
//! commas or blanks; the reason follows `--` (or an em dash). An `imrlint:`
//! line imrlint cannot read is kept, with its `error`, so it can be reported
//! rather than silently ignored.
//!
//! Scope: a directive written after an item's decision line, up to the next
//! item's header, belongs to that item (the model's item span runs from the
//! header to the end of the rationale, so a line after the rationale still
//! belongs to it); above the first item (header, case summary) it belongs to
//! the letter, as does every `allow-letter`.

use std::borrow::Cow;
use std::sync::LazyLock;

use crate::model::{Directive, Item};
use crate::span::{Span, Spanned};

const MARK: &str = "imrlint:";
/// The searcher for [`MARK`], built once: building one costs more than
/// searching a letter with it.
static MARK_FINDER: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(MARK));

/// Every directive line of `text`, in order, not yet placed in an item.
pub fn find(text: &str) -> Vec<Directive> {
    let mut out: Vec<Directive> = Vec::new();
    // One vectorised substring search: letters without the mark cost nothing more.
    for at in MARK_FINDER.find_iter(text.as_bytes()) {
        if out.last().is_some_and(|d| at < d.line.end()) {
            continue;
        }
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let before = text[line_start..at].trim_matches([' ', '\t', '\u{feff}']);
        let comment = before == "<!--";
        if !(before.is_empty() || comment) {
            continue;
        }
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let mut body = text[at..line_end].trim_end();
        if comment {
            body = body.strip_suffix("-->").unwrap_or(body).trim_end();
        }
        out.push(read(
            text,
            at,
            at + body.len(),
            Span::new(line_start, line_end),
        ));
    }
    out
}

/// The directive in `text[at..end]` (which starts with the mark).
fn read(text: &str, at: usize, end: usize, line: Span) -> Directive {
    let rest_start = at + MARK.len();
    let rest = &text[rest_start..end];
    // The reason starts after the first `--` (or em dash).
    let sep = [
        rest.find("--").map(|i| (i, 2)),
        rest.find('—').map(|i| (i, '—'.len_utf8())),
    ]
    .into_iter()
    .flatten()
    .min();
    let (head_end, reason) = match sep {
        Some((i, len)) => {
            let r = trimmed(text, rest_start + i + len, end);
            (rest_start + i, (!r.value.is_empty()).then_some(r))
        }
        None => (end, None),
    };
    let verb = first_word(text, rest_start, head_end);
    let codes = words(text, verb.span.end(), head_end);
    let error = match verb.value.as_str() {
        "allow" | "allow-letter" if codes.is_empty() => Some(format!(
            "'{}' names no rule code (write 'imrlint: {} CODE -- reason')",
            verb.value, verb.value
        )),
        "allow" | "allow-letter" => None,
        "" => Some("no directive after 'imrlint:'; expected 'allow' or 'allow-letter'".into()),
        other => Some(format!(
            "unknown directive '{other}'; expected 'allow' or 'allow-letter'"
        )),
    };
    Directive {
        verb,
        item: None,
        codes,
        reason,
        error,
        span: Span::new(at, end),
        line,
    }
}

fn trimmed(text: &str, start: usize, end: usize) -> Spanned<String> {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start().len();
    let t = s.trim();
    Spanned::new(
        t.to_string(),
        Span::new(start + lead, start + lead + t.len()),
    )
}

fn first_word(text: &str, start: usize, end: usize) -> Spanned<String> {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start().len();
    let w = s[lead..]
        .split(char::is_whitespace)
        .next()
        .unwrap_or_default();
    let a = start + lead;
    Spanned::new(w.to_string(), Span::new(a, a + w.len()))
}

/// Words of `text[start..end]` split at commas and blanks.
fn words(text: &str, start: usize, end: usize) -> Vec<Spanned<String>> {
    let mut out = Vec::new();
    let mut word_start = None;
    for (i, c) in text[start..end].char_indices() {
        let gap = c == ',' || c.is_whitespace();
        match (gap, word_start) {
            (true, Some(s)) => {
                out.push(Spanned::new(
                    text[start + s..start + i].to_string(),
                    Span::new(start + s, start + i),
                ));
                word_start = None;
            }
            (false, None) => word_start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = word_start {
        out.push(Spanned::new(
            text[start + s..end].to_string(),
            Span::new(start + s, end),
        ));
    }
    out
}

/// `text` with every directive line blanked out (spaces, same byte length).
pub fn mask<'a>(text: &'a str, directives: &[Directive]) -> Cow<'a, str> {
    if directives.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for d in directives {
        out.push_str(&text[at..d.line.offset]);
        out.extend(std::iter::repeat_n(' ', d.line.length));
        at = d.line.end();
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// Places each directive: the item whose block holds it, the item it follows
/// when it stands after a block, or the letter (`None`) above the first item
/// and for `allow-letter`.
pub fn place(directives: &mut [Directive], items: &[Item]) {
    for d in directives {
        d.item = if d.verb.value == "allow-letter" {
            None
        } else {
            let at = d.span.offset;
            items
                .iter()
                .find(|i| i.span.offset <= at && at < i.span.end())
                .or_else(|| items.iter().rev().find(|i| i.span.offset <= at))
                .map(|i| i.index)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Directive {
        let text = format!("before\n{line}\nafter\n");
        let mut d = find(&text);
        assert_eq!(d.len(), 1, "{line}");
        let d = d.remove(0);
        assert_eq!(d.line.slice(&text), Some(line));
        for c in &d.codes {
            assert_eq!(c.span.slice(&text), Some(c.value.as_str()));
        }
        if let Some(r) = &d.reason {
            assert_eq!(r.span.slice(&text), Some(r.value.as_str()));
        }
        d
    }

    fn codes(d: &Directive) -> Vec<&str> {
        d.codes.iter().map(|c| c.value.as_str()).collect()
    }

    #[test]
    fn reads_codes_and_reason() {
        let d = one(
            "imrlint: allow criteria/nmes-without-stroke, citation -- stroke in the attached note",
        );
        assert_eq!(d.verb.value, "allow");
        assert_eq!(codes(&d), ["criteria/nmes-without-stroke", "citation"]);
        assert_eq!(d.reason.unwrap().value, "stroke in the attached note");
        assert_eq!(d.error, None);
        let d = one(
            "  <!-- imrlint: allow-letter structure/missing-rationale — drafted in two parts -->  ",
        );
        assert_eq!(d.verb.value, "allow-letter");
        assert_eq!(codes(&d), ["structure/missing-rationale"]);
        assert_eq!(d.reason.unwrap().value, "drafted in two parts");
    }

    #[test]
    fn missing_reason_and_malformed_lines() {
        let d = one("imrlint: allow criteria/x");
        assert_eq!(d.reason, None);
        assert_eq!(d.error, None);
        assert_eq!(one("imrlint: allow criteria/x --   ").reason, None);
        assert!(
            one("imrlint: alow criteria/x -- r")
                .error
                .unwrap()
                .contains("unknown directive 'alow'")
        );
        assert!(
            one("imrlint: allow -- r")
                .error
                .unwrap()
                .contains("names no rule code")
        );
        assert!(one("imrlint:").error.is_some());
        assert!(one("imrlint:allow-- r").error.is_some());
    }

    #[test]
    fn only_whole_lines_are_directives() {
        assert!(find("the note says imrlint: allow x -- y\n").is_empty());
        assert!(find("IMRLINT: allow x -- y\n").is_empty());
        let text = "a\r\nimrlint: allow x -- y\r\nb";
        let d = find(text);
        assert_eq!(d.len(), 1);
        let masked = mask(text, &d);
        assert_eq!(masked.len(), text.len());
        assert!(!masked.contains("imrlint"));
        assert!(masked.starts_with("a\r\n") && masked.ends_with("\nb"));
    }

    #[test]
    fn masking_keeps_multibyte_text_whole() {
        let text = "é\nimrlint: allow x — ünïcode reason ✓\nñ";
        let d = find(text);
        let masked = mask(text, &d);
        assert_eq!(masked.len(), text.len());
        assert!(masked.starts_with("é\n") && masked.ends_with("\nñ"));
    }
}
