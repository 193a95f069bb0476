//! Editions in force: was the guideline edition a letter cites the one that
//! applied to the request it decides?
//!
//! The MTUS changed on dates keyed on the case: the 2016 Chronic Pain and
//! Opioids guidelines apply to treatment requests made on or after July 29,
//! 2016; the ACOEM update to services rendered on or after December 1, 2017
//! (each boundary in the rulebook says which, with its source). A letter
//! prints neither date, but it bounds them:
//!
//! - the request follows the injury (`Date of Injury`);
//! - the UR decision follows the request (`UR Denial Date`), and a timely
//!   prospective decision comes no more than 14 days after the physician's
//!   recommendation (Labor Code 4610), so the request lies within the 14
//!   days before it;
//! - a retrospective request (the item names a date of service or says
//!   "retrospective") follows its service, and may be older than 14 days;
//! - a prospective service follows the request, with no later bound.
//!
//! An edition is reported only when the citation names it by its year and
//! every date the window allows lies outside its time in force.

use std::sync::LazyLock;

use regex::Regex;

use super::ItemContext;
use super::checks::{finding, label};
use super::resolve::{letter_date, normalize};
use crate::finding::{Finding, Label};
use crate::model::{Date, Item, Letter};
use crate::rulebook::{Boundary, DateOf, Guideline, Rule};

/// Days a timely prospective UR decision may follow the treatment recommendation.
pub const UR_DAYS: u32 = 14;

/// The dates between which something lies, as far as the letter tells (`None`: unbounded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Window {
    pub earliest: Option<Date>,
    pub latest: Option<Date>,
}

/// What the letter tells about when an item was requested and rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseWindow {
    pub request: Window,
    pub service: Window,
    /// The item is a retrospective request, with its date of service when the name gives one.
    pub retrospective: Option<Option<Date>>,
    /// Whether `request.latest` is the UR denial date (not a later stand-in).
    pub ur_date: bool,
}

static RETRO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bretro(?:spective(?:ly)?)?\b|\bDOS\b|\bdates? of service\b").expect("pattern")
});

static DOS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:DOS|dates? of service)\b\s*:?\s*(\d{1,2}[/-]\d{1,2}[/-](?:\d{4}|\d{2}))\b",
    )
    .expect("pattern")
});

fn max(a: Option<Date>, b: Option<Date>) -> Option<Date> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

impl CaseWindow {
    pub fn of(letter: &Letter, item: &Item) -> CaseWindow {
        let latest = letter_date(letter).map(|d| d.value);
        let ur_date = letter.dates.ur_denial.is_some();
        let injury = letter.dates.injury.as_ref().map(|d| d.value);
        let names = std::iter::once(&item.name.value)
            .chain(item.original_request.as_ref().map(|r| &r.value));
        let mut retrospective = None;
        for n in names {
            if RETRO.is_match(n) {
                let dos = DOS
                    .captures(n)
                    .and_then(|c| crate::parse::header::parse_date(&c[1]));
                retrospective = Some(retrospective.flatten().or(dos));
            }
        }
        match retrospective {
            // A retrospective request follows its service.
            Some(dos) => CaseWindow {
                request: Window {
                    earliest: max(injury, dos),
                    latest,
                },
                service: Window {
                    earliest: dos.or(injury),
                    latest: dos.or(latest),
                },
                retrospective,
                ur_date,
            },
            None => {
                let ur_bound = latest.filter(|_| ur_date).map(|d| d.days_before(UR_DAYS));
                let earliest = max(injury, ur_bound);
                CaseWindow {
                    request: Window { earliest, latest },
                    service: Window {
                        earliest,
                        latest: None,
                    },
                    retrospective,
                    ur_date,
                }
            }
        }
    }

    fn window(&self, of: DateOf) -> Window {
        match of {
            DateOf::Request => self.request,
            DateOf::Service => self.service,
        }
    }
}

/// Why an edition did not apply to an item.
#[derive(Debug, Clone, Copy)]
pub enum OutOfForce<'a> {
    /// Every date the window allows is before the edition took effect.
    NotYet(&'a Boundary),
    /// Every date the window allows is on or after the edition stopped applying.
    NoLonger(&'a Boundary),
}

/// Whether `g` was certainly not in force for the item the window describes.
pub fn out_of_force<'a>(g: &'a Guideline, w: &CaseWindow) -> Option<OutOfForce<'a>> {
    let f = g.in_force.as_ref()?;
    if let (Some(from), Some(latest)) = (f.from.parsed(), w.window(f.from.applies_to).latest)
        && latest < from
    {
        return Some(OutOfForce::NotYet(&f.from));
    }
    let until = f.until.as_ref()?;
    match (until.parsed(), w.window(until.applies_to).earliest) {
        (Some(u), Some(earliest)) if earliest >= u => Some(OutOfForce::NoLonger(until)),
        _ => None,
    }
}

fn of_words(of: DateOf) -> &'static str {
    match of {
        DateOf::Request => "treatment requests made",
        DateOf::Service => "services rendered",
    }
}

fn what(of: DateOf) -> &'static str {
    match of {
        DateOf::Request => "the request was made",
        DateOf::Service => "the service was rendered",
    }
}

/// Editions of the same guideline (sharing a name) in force on `date`.
fn in_force_instead<'a>(ctx: &ItemContext<'a>, g: &Guideline, date: Date) -> Vec<&'a Guideline> {
    let names: Vec<String> = g.names.iter().map(|n| normalize(n)).collect();
    ctx.book
        .guidelines
        .iter()
        .map(|(_, x)| x)
        .filter(|x| x.id != g.id && x.names.iter().any(|n| names.contains(&normalize(n))))
        .filter(|x| x.in_force.as_ref().is_some_and(|f| f.contains(date)))
        .collect()
}

pub fn check(rule: &Rule, ctx: &ItemContext, out: &mut Vec<Finding>) {
    let w = CaseWindow::of(ctx.letter, ctx.item);
    for r in &ctx.cited.mtus {
        // A citation without a year names no edition: the resolver already
        // took the one in force, and if none was, the rulebook lacks it.
        let (Some(g), Some(year)) = (r.guideline, r.year_span) else {
            continue;
        };
        let Some(oof) = out_of_force(g, &w) else {
            continue;
        };
        let (b, window) = match oof {
            OutOfForce::NotYet(b) | OutOfForce::NoLonger(b) => (b, w.window(b.applies_to)),
        };
        let span = r.guideline_span.cover(year);
        let (state, bound, known) = match oof {
            OutOfForce::NotYet(_) => (
                "did not yet apply",
                format!(
                    "it applies to {} on or after {}",
                    of_words(b.applies_to),
                    b.date
                ),
                format!(
                    "{} by {}",
                    what(b.applies_to),
                    window.latest.expect("bounded")
                ),
            ),
            OutOfForce::NoLonger(_) => (
                "no longer applied",
                format!("it applied to {} before {}", of_words(b.applies_to), b.date),
                format!(
                    "{} on or after {}",
                    what(b.applies_to),
                    window.earliest.expect("bounded")
                ),
            ),
        };
        let message = format!(
            "'{}' is decided under the {}, which {state}: {bound}, and {known}",
            ctx.item.name.value, g.title
        );
        let mut labels: Vec<Label> = vec![label(span, format!("this edition {state}"))];
        let dates = &ctx.letter.dates;
        if let Some(d) = &dates.injury
            && matches!(oof, OutOfForce::NoLonger(_))
            && window.earliest == Some(d.value)
        {
            labels.push(label(
                d.span,
                format!("injured {}: the request came later", d.value),
            ));
        }
        if let Some(d) = &dates.ur_denial {
            let note = match (oof, w.retrospective) {
                (OutOfForce::NotYet(_), _) => "the request was made by then",
                (OutOfForce::NoLonger(_), None) => {
                    "a timely UR decision comes within 14 days of the recommendation"
                }
                (OutOfForce::NoLonger(_), Some(_)) => "the UR decision",
            };
            labels.push(label(d.span, format!("UR denial {}: {note}", d.value)));
        } else if let Some(d) = letter_date(ctx.letter) {
            labels.push(label(
                d.span,
                format!("{}: the request was made by then", d.value),
            ));
        }
        if let (Some(Some(dos)), DateOf::Service) = (w.retrospective, b.applies_to) {
            labels.push(label(ctx.item.name.span, format!("date of service {dos}")));
        }
        let pivot = match oof {
            OutOfForce::NotYet(_) => window.latest,
            OutOfForce::NoLonger(_) => window.earliest,
        };
        let instead: Vec<String> = pivot
            .map(|d| in_force_instead(ctx, g, d))
            .unwrap_or_default()
            .iter()
            .map(|x| x.title.clone())
            .collect();
        let mut help = format!(
            "{} {} {} on or after {} (source: {}; {}).",
            g.title,
            match oof {
                OutOfForce::NotYet(_) => "took effect for",
                OutOfForce::NoLonger(_) => "stopped applying to",
            },
            of_words(b.applies_to),
            b.date,
            b.source,
            b.verified.describe(),
        );
        if !instead.is_empty() {
            help.push_str(&format!(" In force instead: {}.", instead.join("; ")));
        }
        labels.sort_by_key(|l| l.span.offset);
        out.push(finding(rule, ctx, message, span, labels, Some(help)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: u16, m: u8, day: u8) -> Date {
        Date {
            year: y,
            month: m,
            day,
        }
    }

    #[test]
    fn fourteen_days_before_crosses_months_and_years() {
        assert_eq!(d(2017, 1, 10).days_before(14), d(2016, 12, 27));
        assert_eq!(d(2016, 3, 1).days_before(1), d(2016, 2, 29));
        assert_eq!(d(2017, 3, 1).days_before(1), d(2017, 2, 28));
    }

    #[test]
    fn iso_dates_are_calendar_dates() {
        assert_eq!(Date::parse_iso("2016-02-29"), Some(d(2016, 2, 29)));
        for bad in [
            "2017-02-29",
            "2016-7-29",
            "07/29/2016",
            "2016-13-01",
            "2016-00-10",
            "",
        ] {
            assert_eq!(Date::parse_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_of_service_are_read_from_item_names() {
        for (name, dos) in [
            (
                "Retrospective CT scan of the cervical spine (DOS 11/18/16)",
                Some(d(2016, 11, 18)),
            ),
            ("E-stim DOS: 12-29-2016", Some(d(2016, 12, 29))),
            ("Retrospective request for a muscle stimulator", None),
        ] {
            assert!(RETRO.is_match(name), "{name}");
            let got = DOS
                .captures(name)
                .and_then(|c| crate::parse::header::parse_date(&c[1]));
            assert_eq!(got, dos, "{name}");
        }
        assert!(!RETRO.is_match("Dosage of gabapentin"));
    }
}
