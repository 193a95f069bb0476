//! The header table of 2016+ letters: case number, dates, priority.
//!
//! pdftotext's default mode prints all labels of a column block first and the
//! values after them; `-layout` mode prints label and value side by side, two
//! columns per line, and splits "Application / Received:" around the value.
//! Both reduce to one rule: each value goes to the earliest label still
//! waiting for a value of its type.

use std::sync::LazyLock;

use regex::Regex;

use crate::fold::Folded;
use crate::model::{Date, Dates};
use crate::span::Spanned;

#[derive(Debug, Default)]
pub(crate) struct Header {
    pub has_table: bool,
    pub case_number: Option<Spanned<String>>,
    pub dates: Dates,
    pub priority: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    CaseNumber,
    Assigned,
    Decision,
    Priority,
    Injury,
    UrDenial,
    Received,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueType {
    CaseNumber,
    Date,
    Priority,
}

impl Label {
    fn value_type(self) -> ValueType {
        match self {
            Label::CaseNumber => ValueType::CaseNumber,
            Label::Priority => ValueType::Priority,
            _ => ValueType::Date,
        }
    }
}

static TOKENS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?P<label>(?i:Case\ Number|Date\ Assigned|Decision\ Date|Priority|Date\ of\ Injury|UR\ Denial\ Date|Application\ Received)\s?:|(?i:\bApplication\b))
        |(?P<case>\b(?:CM|IMR\ ?)\d{2}-\d{4,8}\b)
        |(?P<date>\b\d{1,2}/\d{1,2}/\d{2,4}\b)
        |(?P<priority>\b(?:Standard|Expedited|Regular|Urgent)\b)",
    )
    .expect("header pattern")
});

/// The first match of [`TOKENS`] in ASCII text `b` at or after `from`, by
/// hand: the header is read from every letter, and on ASCII text (all real
/// headers) no Unicode case folding, digit or word boundary can come into
/// play, so the pattern reduces to the byte tests below. Other text goes to
/// the regex.
fn next_token(b: &[u8], from: usize) -> Option<(usize, usize)> {
    (from..b.len())
        .filter(|&p| MAY_START[b[p] as usize] && may_follow(b[p], b.get(p + 1).copied()))
        .find_map(|p| token_at(b, p).map(|e| (p, e)))
}

/// Whether a token can start with `first` then `second`, in any case: the
/// letters that start "c", "d", "p", "u" and "a" are common in prose, and
/// the second byte turns most of them away before [`token_at`] is tried.
/// Every token is at least two bytes long. (`| 0x20` lower-cases a letter
/// and makes no other byte equal to one; digits already have the bit.)
fn may_follow(first: u8, second: Option<u8>) -> bool {
    let Some(second) = second else {
        return false;
    };
    let s = second | 0x20;
    match first | 0x20 {
        // "Case Number", "CM"
        b'c' => s == b'a' || s == b'm',
        // "Date ...", "Decision Date"
        b'd' => s == b'a' || s == b'e',
        // "Priority", "UR Denial Date", "Urgent"
        b'p' | b'u' => s == b'r',
        // "Application"
        b'a' => s == b'p',
        // "IMR", "Standard", "Expedited", "Regular"
        b'i' => s == b'm',
        b's' => s == b't',
        b'e' => s == b'x',
        b'r' => s == b'e',
        // A date's first one or two digits, then '/'
        b'0'..=b'9' => second.is_ascii_digit() || second == b'/',
        _ => false,
    }
}

/// Bytes a token can start with: labels in either case, "CM" and "IMR",
/// digits, and the priorities.
static MAY_START: [bool; 256] = {
    let mut t = [false; 256];
    let starts = b"cCdDpPuUaAISER0123456789";
    let mut k = 0;
    while k < starts.len() {
        t[starts[k] as usize] = true;
        k += 1;
    }
    t
};

/// End of the token of [`TOKENS`] starting at `p`, trying its alternatives
/// in order as the regex does.
fn token_at(b: &[u8], p: usize) -> Option<usize> {
    const LABELS: [&[u8]; 7] = [
        b"case number",
        b"date assigned",
        b"decision date",
        b"priority",
        b"date of injury",
        b"ur denial date",
        b"application received",
    ];
    let word = |i: usize| {
        b.get(i)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_')
    };
    // `\b` before a word character at `i` / after one ending before `i`.
    let starts_word = |i: usize| i == 0 || !word(i - 1);
    let ends_word = |i: usize| !word(i);
    let at_ci = |i: usize, lit: &[u8]| {
        b.get(i..i + lit.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(lit))
    };
    let digits = |i: usize| {
        b.get(i..)
            .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
    };
    // Labels: no name is a prefix of another, so at most one is here.
    let lead = b[p].to_ascii_lowercase();
    for label in LABELS {
        if label[0] == lead && at_ci(p, label) {
            let e = p + label.len();
            // `\s?:`; ASCII whitespace, tried with the space first.
            if b.get(e)
                .is_some_and(|&c| matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
                && b.get(e + 1) == Some(&b':')
            {
                return Some(e + 2);
            }
            if b.get(e) == Some(&b':') {
                return Some(e + 1);
            }
        }
    }
    if at_ci(p, b"application") && starts_word(p) && ends_word(p + 11) {
        return Some(p + 11);
    }
    // Case number: `\b(?:CM|IMR ?)\d{2}-\d{4,8}\b`. A digit run the
    // pattern stops inside of has no `\b` there, so whole runs must fit.
    if starts_word(p) {
        let q = if b[p..].starts_with(b"CM") {
            Some(p + 2)
        } else if b[p..].starts_with(b"IMR") {
            Some(if b.get(p + 3) == Some(&b' ') {
                p + 4
            } else {
                p + 3
            })
        } else {
            None
        };
        if let Some(q) = q
            && digits(q) >= 2
            && b.get(q + 2) == Some(&b'-')
        {
            let n = digits(q + 3);
            if (4..=8).contains(&n) && ends_word(q + 3 + n) {
                return Some(q + 3 + n);
            }
        }
        // The two-digit run must be exactly two: a third digit is no '-'.
    }
    // Date: `\b\d{1,2}/\d{1,2}/\d{2,4}\b`.
    if starts_word(p) {
        let m = digits(p);
        if (1..=2).contains(&m) && b.get(p + m) == Some(&b'/') {
            let d = digits(p + m + 1);
            let q = p + m + 1 + d;
            if (1..=2).contains(&d) && b.get(q) == Some(&b'/') {
                let y = digits(q + 1);
                if (2..=4).contains(&y) && ends_word(q + 1 + y) {
                    return Some(q + 1 + y);
                }
            }
        }
    }
    // Priority: `\b(?:Standard|Expedited|Regular|Urgent)\b`.
    if starts_word(p) {
        for name in [&b"Standard"[..], b"Expedited", b"Regular", b"Urgent"] {
            if b[p..].starts_with(name) && ends_word(p + name.len()) {
                return Some(p + name.len());
            }
        }
    }
    None
}

/// Reads a US date (M/D/YY or MM/DD/YYYY). Two-digit years are 20YY below 50,
/// 19YY otherwise: IMR began in 2013, injuries reach back decades.
pub(crate) fn parse_date(s: &str) -> Option<Date> {
    // `^(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})$` by hand, ASCII digits only:
    // other Unicode digits would not parse as numbers anyway. Read by
    // bytes: no byte of a multi-byte character is a digit, '/' or '-'.
    let b = s.as_bytes();
    let mut i = 0;
    // The digit run at `i` when its length is one of `lens`, as a number;
    // then past the separator or end that must follow it.
    let mut field = |lens: [usize; 2], last: bool| {
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let len = i - start;
        if !lens.contains(&len) {
            return None;
        }
        let n = b[start..i]
            .iter()
            .fold(0u16, |n, &c| n * 10 + u16::from(c - b'0'));
        let follows = if last {
            i == b.len()
        } else {
            matches!(b.get(i), Some(b'/' | b'-'))
        };
        i += 1;
        follows.then_some((n, len))
    };
    let (month, _) = field([1, 2], false)?;
    let (day, _) = field([1, 2], false)?;
    let (mut year, year_len) = field([2, 4], true)?;
    if year_len == 2 {
        year += if year < 50 { 2000 } else { 1900 };
    }
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(Date {
        year,
        month: month as u8,
        day: day as u8,
    })
}

/// Reads the header table from folded offsets `[0, end)`.
pub(crate) fn read_header(f: &Folded, end: usize) -> Header {
    let text = &f.as_str()[..end];
    let mut header = Header::default();
    let mut pending: Vec<Label> = Vec::new();
    // Each alternative of TOKENS is one whole group, and the texts they match
    // tell them apart (labels hold no '/' and never start "CM" or "IMR"), so a
    // plain find does the work of the slower capture search.
    let ascii = text.is_ascii();
    let mut at = 0;
    while at <= text.len() {
        let found = if ascii {
            next_token(text.as_bytes(), at)
        } else {
            TOKENS.find_at(text, at).map(|m| (m.start(), m.end()))
        };
        let Some((m_start, m_end)) = found else {
            break;
        };
        // Every token is at least one byte long, so this moves on.
        at = m_end.max(m_start + 1);
        let value = &text[m_start..m_end];
        let ty = if matches!(value, "Standard" | "Expedited" | "Regular" | "Urgent") {
            Some(ValueType::Priority)
        } else if value.starts_with("CM") || value.starts_with("IMR") {
            Some(ValueType::CaseNumber)
        } else if value.contains('/') {
            Some(ValueType::Date)
        } else {
            None
        };
        let Some(ty) = ty else {
            // The label's opening words, in any ASCII case, without a
            // lower-cased copy of the label.
            let starts = |p: &str| {
                value
                    .as_bytes()
                    .get(..p.len())
                    .is_some_and(|v| v.eq_ignore_ascii_case(p.as_bytes()))
            };
            let label = if starts("case") {
                header.has_table = true;
                Label::CaseNumber
            } else if starts("date assigned") {
                Label::Assigned
            } else if starts("decision") {
                Label::Decision
            } else if starts("priority") {
                Label::Priority
            } else if starts("date of") {
                Label::Injury
            } else if starts("ur") {
                Label::UrDenial
            } else {
                Label::Received
            };
            pending.push(label);
            continue;
        };
        let Some(pos) = pending.iter().position(|l| l.value_type() == ty) else {
            continue;
        };
        let label = pending.remove(pos);
        let span = f.span(m_start, m_end);
        match label {
            Label::CaseNumber => header.case_number = Some(Spanned::new(value.to_string(), span)),
            Label::Priority => header.priority = Some(Spanned::new(value.to_string(), span)),
            date_label => {
                let Some(date) = parse_date(value) else {
                    continue;
                };
                let slot = match date_label {
                    Label::Assigned => &mut header.dates.assigned,
                    Label::Decision => &mut header.dates.decision,
                    Label::Injury => &mut header.dates.injury,
                    Label::UrDenial => &mut header.dates.ur_denial,
                    _ => &mut header.dates.application_received,
                };
                *slot = Some(Spanned::new(date, span));
            }
        }
    }
    header
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The former reading, by string split and number parse.
    fn parse_date_reference(s: &str) -> Option<Date> {
        let mut parts = s.split(['/', '-']);
        let (m, d, y) = (parts.next()?, parts.next()?, parts.next()?);
        let digits = |p: &str, lens: &[usize]| {
            lens.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
        };
        if parts.next().is_some()
            || !(digits(m, &[1, 2]) && digits(d, &[1, 2]) && digits(y, &[2, 4]))
        {
            return None;
        }
        let month: u8 = m.parse().ok()?;
        let day: u8 = d.parse().ok()?;
        let mut year: u16 = y.parse().ok()?;
        if y.len() == 2 {
            year += if year < 50 { 2000 } else { 1900 };
        }
        ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(Date { year, month, day })
    }

    proptest::proptest! {
        #[test]
        fn dates_read_as_before(s in "[0-9/\\-\u{e9}\u{663}x]{0,12}") {
            proptest::prop_assert_eq!(parse_date(&s), parse_date_reference(&s));
        }

        #[test]
        fn date_shapes_read_as_before(
            s in "[0-9]{0,3}[/\\-x][0-9\u{663}]{0,3}[/\\-][0-9]{0,5}[/x]?",
        ) {
            proptest::prop_assert_eq!(parse_date(&s), parse_date_reference(&s));
        }
    }

    fn read(src: &str) -> Header {
        let f = Folded::new(src);
        read_header(&f, f.len())
    }

    #[test]
    fn default_mode_blocks() {
        let src = "Case Number:\nDate Assigned:\nDecision Date:\nPriority:\n\nCM16-0229336\n12/05/2016\n12/30/2016\nStandard\n\nDate of Injury:\nUR Denial Date:\nApplication\nReceived:\n\n10/20/2016\n10/28/2016\n11/28/2016\n";
        let h = read(src);
        assert!(h.has_table);
        assert_eq!(h.case_number.unwrap().value, "CM16-0229336");
        assert_eq!(h.dates.assigned.unwrap().value.to_string(), "2016-12-05");
        assert_eq!(h.dates.decision.unwrap().value.to_string(), "2016-12-30");
        assert_eq!(h.dates.injury.unwrap().value.to_string(), "2016-10-20");
        assert_eq!(h.dates.ur_denial.unwrap().value.to_string(), "2016-10-28");
        assert_eq!(
            h.dates.application_received.unwrap().value.to_string(),
            "2016-11-28"
        );
        assert_eq!(h.priority.unwrap().value, "Standard");
    }

    #[test]
    fn layout_mode_columns() {
        let src = "Case Number:          CM16-0229336\nDate Assigned:        12/05/2016                      Date of Injury:      10/20/2016\nDecision Date:        12/30/2016                      UR Denial Date:      10/28/2016\nPriority:             Standard                        Application          11/28/2016\n                                                      Received:\n";
        let h = read(src);
        assert_eq!(h.dates.assigned.unwrap().value.to_string(), "2016-12-05");
        assert_eq!(h.dates.injury.unwrap().value.to_string(), "2016-10-20");
        assert_eq!(h.dates.decision.unwrap().value.to_string(), "2016-12-30");
        assert_eq!(h.dates.ur_denial.unwrap().value.to_string(), "2016-10-28");
        assert_eq!(
            h.dates.application_received.unwrap().value.to_string(),
            "2016-11-28"
        );
    }

    #[test]
    fn hand_tokens_match_the_regex() {
        // Fragments around every edge of the pattern, glued at random.
        let parts = [
            "Case Number",
            "CASE NUMBER",
            "case  number",
            ":",
            " :",
            "\t:",
            " ",
            "\n",
            "_",
            "x",
            "9",
            "CM16-0229336",
            "CM16-022",
            "CM16-022933612",
            "CM1-0001",
            "IMR 16-1234",
            "IMR16-12345",
            "IMR  16-1234",
            "CM",
            "IMR",
            "12/05/2016",
            "1/2/16",
            "123/4/56",
            "1/22/33333",
            "/",
            "-",
            "Standard",
            "standard",
            "Expedited",
            "Regular",
            "Urgent",
            "UR Denial Date",
            "ur denial date",
            "Application",
            "application received",
            "Application Received",
            "Applications",
            "Priority",
            "Date Assigned",
            "Date of Injury",
            "Decision Date",
            "Date",
            "00",
            "0",
            "Urgently",
            "dStandard",
        ];
        let texts = crate::parse::generated::joins(&parts, 20_000, 8);
        for text in std::iter::once(String::new()).chain(texts) {
            let want: Vec<(usize, usize)> = TOKENS
                .find_iter(&text)
                .map(|m| (m.start(), m.end()))
                .collect();
            let mut got = Vec::new();
            let mut at = 0;
            while let Some((s, e)) = next_token(text.as_bytes(), at) {
                got.push((s, e));
                at = e;
            }
            assert_eq!(got, want, "{text:?}");
        }
    }

    #[test]
    fn two_digit_years_and_bad_dates() {
        assert_eq!(parse_date("8/24/11").unwrap().to_string(), "2011-08-24");
        assert_eq!(parse_date("1/14/94").unwrap().to_string(), "1994-01-14");
        assert!(parse_date("13/01/2016").is_none());
    }
}
