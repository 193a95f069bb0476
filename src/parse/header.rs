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

/// Reads a US date (M/D/YY or MM/DD/YYYY). Two-digit years are 20YY below 50,
/// 19YY otherwise: IMR began in 2013, injuries reach back decades.
pub(crate) fn parse_date(s: &str) -> Option<Date> {
    // `^(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})$` by hand, ASCII digits only:
    // other Unicode digits would not parse as numbers anyway.
    let mut parts = s.split(['/', '-']);
    let (m, d, y) = (parts.next()?, parts.next()?, parts.next()?);
    let digits =
        |p: &str, lens: &[usize]| lens.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || !(digits(m, &[1, 2]) && digits(d, &[1, 2]) && digits(y, &[2, 4])) {
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

/// Reads the header table from folded offsets `[0, end)`.
pub(crate) fn read_header(f: &Folded, end: usize) -> Header {
    let text = &f.as_str()[..end];
    let mut header = Header::default();
    let mut pending: Vec<Label> = Vec::new();
    // Each alternative of TOKENS is one whole group, and the texts they match
    // tell them apart (labels hold no '/' and never start "CM" or "IMR"), so a
    // plain find does the work of the slower capture search.
    for m in TOKENS.find_iter(text) {
        let value = m.as_str();
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
            let l = value.to_ascii_lowercase();
            let label = if l.starts_with("case") {
                header.has_table = true;
                Label::CaseNumber
            } else if l.starts_with("date assigned") {
                Label::Assigned
            } else if l.starts_with("decision") {
                Label::Decision
            } else if l.starts_with("priority") {
                Label::Priority
            } else if l.starts_with("date of") {
                Label::Injury
            } else if l.starts_with("ur") {
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
        let span = f.span(m.start(), m.end());
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
    fn two_digit_years_and_bad_dates() {
        assert_eq!(parse_date("8/24/11").unwrap().to_string(), "2011-08-24");
        assert_eq!(parse_date("1/14/94").unwrap().to_string(), "1994-01-14");
        assert!(parse_date("13/01/2016").is_none());
    }
}
