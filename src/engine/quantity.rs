//! How much an item asks for, read from its name: a count of visits or
//! sessions ("2 times a week for 6 weeks", "x12", "Eight (8) sessions") and a
//! duration ("30 day rental", "for 4 weeks", "three months"). Also reads
//! the numbers a rationale attributes to a guideline ("recommend 9-10 visits").
//!
//! Counts and durations are ranges: "1 to 2 times per week for 4 weeks" asks
//! for 4 to 8 visits. Checks compare the low end with a guideline's maximum,
//! so a request is beyond the guideline only when every reading of it is.

use std::sync::LazyLock;

use regex::{Captures, Regex};

/// Inclusive range of a quantity, with the byte range of the words it was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    pub low: u32,
    pub high: u32,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Request {
    /// Visits, sessions or treatments.
    pub count: Option<Amount>,
    /// Days (a week is 7, a month 30).
    pub days: Option<Amount>,
}

/// A number as letters write it: digits or a word up to thirty.
const NUM: &str = r"(?:\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|twenty[- ]four|thirty|once|twice)";
const VISITS: &str = r"(?:visits?|sessions?|treatments?|appointments?)";

fn num(word: &str) -> Option<u32> {
    let w = word.to_ascii_lowercase().replace(' ', "-");
    if let Ok(n) = w.parse() {
        return Some(n);
    }
    let words = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    if let Some(n) = words.iter().position(|x| *x == w) {
        return u32::try_from(n).ok();
    }
    match w.as_str() {
        "once" => Some(1),
        "twice" => Some(2),
        "twenty-four" => Some(24),
        "thirty" => Some(30),
        _ => None,
    }
}

/// Low and high of `N` or `N-M` / `N to M` captured as `lo` and `hi`.
fn range(c: &Captures, lo: &str, hi: &str) -> Option<(u32, u32)> {
    let a = num(c.name(lo)?.as_str())?;
    let b = c.name(hi).and_then(|m| num(m.as_str())).unwrap_or(a);
    Some((a.min(b), a.max(b)))
}

fn days_per(unit: &str) -> u32 {
    let u = unit.to_ascii_lowercase();
    if u.starts_with('w') {
        7
    } else if u.starts_with('m') {
        30
    } else {
        1
    }
}

static FREQ_DURATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b(?P<f>{NUM})(?:\s*(?:-|to)\s*(?P<f2>{NUM}))?\s*(?:x|times|{VISITS})?\s*(?:a|per|each|/|every)\s*(?:week|wk)\b,?\s*(?:for|x|times)?\s*(?P<d>{NUM})(?:\s*(?:-|to)\s*(?P<d2>{NUM}))?\s*(?P<u>weeks?|wks?|months?)\b"
    ))
    .expect("pattern")
});
static TIMES: LazyLock<Regex> = LazyLock::new(|| {
    // "2x6", "2 x 6", "1 times 6", "two times four visits"
    Regex::new(&format!(
        r"(?i)\b(?P<f>{NUM})\s*(?:x|times)\s*(?P<d>{NUM})\b(?:\s*(?:visits?|sessions?|treatments?))?"
    ))
    .expect("pattern")
});
static EXPLICIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b(?P<n>{NUM})(?:\s*(?:-|to)\s*(?P<n2>{NUM}))?\s*(?:\(\d{{1,3}}\)\s*)?(?:(?:additional|more|further|initial|post-?op(?:erative)?|physical therapy|chiropractic|acupuncture|therapy|PT|OT)\s+){{0,3}}{VISITS}\b"
    ))
    .expect("pattern")
});
static SINGLE: LazyLock<Regex> = LazyLock::new(|| {
    // "#12", "x12", "times 12", "(12)" at the end of a count phrase
    Regex::new(&format!(
        r"(?i)(?:#\s*|\bx\s*|\btimes\s+|\bquantity:?\s*)(?P<n>{NUM})\b"
    ))
    .expect("pattern")
});
static DURATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b(?P<n>{NUM})(?:\s*(?:-|to)\s*(?P<n2>{NUM}))?[\s-]*(?P<u>days?|weeks?|wks?|months?)\b"
    ))
    .expect("pattern")
});

fn amount(m: &regex::Match, low: u32, high: u32) -> Amount {
    Amount {
        low,
        high,
        start: m.start(),
        end: m.end(),
    }
}

/// What an item name asks for.
pub fn request(name: &str) -> Request {
    let mut r = Request::default();
    if let Some(c) = FREQ_DURATION.captures(name) {
        let m = c.get(0).expect("whole match");
        if let (Some((f, f2)), Some((d, d2))) = (range(&c, "f", "f2"), range(&c, "d", "d2")) {
            let per = days_per(&c["u"]);
            let weeks = |n: u32| if per == 30 { n * 4 } else { n };
            r.count = Some(amount(&m, f * weeks(d), f2 * weeks(d2)));
            r.days = Some(amount(&m, d * per, d2 * per));
            return r;
        }
    }
    r.count = TIMES
        .captures(name)
        .and_then(|c| {
            let m = c.get(0)?;
            let n = num(&c["f"])? * num(&c["d"])?;
            Some(amount(&m, n, n))
        })
        .or_else(|| {
            EXPLICIT.captures(name).and_then(|c| {
                let m = c.get(0)?;
                let (lo, hi) = range(&c, "n", "n2")?;
                Some(amount(&m, lo, hi))
            })
        })
        .or_else(|| {
            SINGLE.captures(name).and_then(|c| {
                let m = c.get(0)?;
                let n = num(&c["n"])?;
                Some(amount(&m, n, n))
            })
        });
    r.days = DURATION.captures(name).and_then(|c| {
        let m = c.get(0)?;
        let (lo, hi) = range(&c, "n", "n2")?;
        let per = days_per(&c["u"]);
        Some(amount(&m, lo * per, hi * per))
    });
    r
}

/// A count a rationale sentence attributes to a guideline: "the guidelines
/// recommend up to 10 visits", "MTUS allows 9-10 visits over 8 weeks".
static CLAIM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b(?:recommend(?:s|ed)?|allow(?:s|ed)?|support(?:s|ed)?|indicated?|permit(?:s|ted)?|endorse(?:s|d)?|limit(?:s|ed)?)\b[^.;:]{{0,60}}?\b(?:(?:up to|a maximum of|maximum of|a total of|no more than)\s+)?(?P<n>{NUM})(?:\s*(?:-|to)\s*(?P<n2>{NUM}))?\s*(?:\(\d{{1,3}}\)\s*)?(?:(?:physical therapy|chiropractic|acupuncture|therapy|PT)\s+)?{VISITS}\b"
    ))
    .expect("pattern")
});

/// Whether `text` attributes any count to a guideline: one walk that rules
/// out most rationales before they are read sentence by sentence.
pub fn claims_a_count(text: &str) -> bool {
    CLAIM.is_match(text)
}

/// Counts a sentence attributes to a guideline, with their byte ranges in `sentence`.
pub fn claimed_counts(sentence: &str) -> Vec<Amount> {
    CLAIM
        .captures_iter(sentence)
        .filter_map(|c| {
            let n = c.name("n")?;
            let (lo, hi) = range(&c, "n", "n2")?;
            Some(Amount {
                low: lo,
                high: hi,
                start: n.start(),
                end: c.get(0)?.end(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(name: &str) -> Option<(u32, u32)> {
        request(name).count.map(|a| (a.low, a.high))
    }
    fn days(name: &str) -> Option<(u32, u32)> {
        request(name).days.map(|a| (a.low, a.high))
    }

    #[test]
    fn counts_from_real_item_names() {
        assert_eq!(
            count("Physical therapy 3 times a week for 4 weeks for the lumbar spine"),
            Some((12, 12))
        );
        assert_eq!(
            count("Physical therapy 2-3 times a week for 6 weeks"),
            Some((12, 18))
        );
        assert_eq!(
            count("Initial acupuncture, 1 to 2 times per week for 4 weeks, for the neck"),
            Some((4, 8))
        );
        assert_eq!(
            count("Additional physical therapy two times four visits (8) for the lumbar"),
            Some((8, 8))
        );
        assert_eq!(
            count("Associated surgical service: Physical therapy, times 12"),
            Some((12, 12))
        );
        assert_eq!(
            count("Acupuncture therapy sessions lumbar spine #6"),
            Some((6, 6))
        );
        assert_eq!(count("Eight (8) physical therapy sessions"), Some((8, 8)));
        assert_eq!(
            count("Chiropractic treatment for the lumbar spine, 12 visits"),
            Some((12, 12))
        );
        assert_eq!(
            count("Physical therapy 1 times 6 for the head"),
            Some((6, 6))
        );
        assert_eq!(
            count("5 sessions of chiropractic physiotherapy for the left elbow"),
            Some((5, 5))
        );
        assert_eq!(
            count("Wound care nurse, 1-2 visits to evaluate right hip incision"),
            Some((1, 2))
        );
        assert_eq!(count("Physical therapy 2x6 lumbar spine"), Some((12, 12)));
        assert_eq!(count("MRI of the right knee"), None);
    }

    #[test]
    fn durations_from_real_item_names() {
        assert_eq!(
            days("Associated surgical service: Cold compression therapy 30 day rental"),
            Some((30, 30))
        );
        assert_eq!(days("Three months coverage of Viagra 50mg"), Some((90, 90)));
        assert_eq!(days("TENS unit rental for 2-3 months"), Some((60, 90)));
        assert_eq!(
            days("Physical therapy 2 times a week for 6 weeks"),
            Some((42, 42))
        );
        assert_eq!(
            days("Acute inpatient rehabilitation 7-10 days"),
            Some((7, 10))
        );
        assert_eq!(days("Norco 10/325mg #60"), None);
    }

    #[test]
    fn counts_a_rationale_attributes_to_a_guideline() {
        let c = |s: &str| {
            claimed_counts(s)
                .iter()
                .map(|a| (a.low, a.high))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            c("The Guidelines recommend 9-10 visits over 8 weeks of therapy."),
            vec![(9, 10)]
        );
        assert_eq!(
            c("the guidelines also recommend up to 10 visits of chiropractic treatment"),
            vec![(10, 10)]
        );
        assert_eq!(
            c("The guidelines recommend 3 to 6 treatments to produce functional improvement"),
            vec![(3, 6)]
        );
        assert_eq!(
            c("Guidelines allow for 16 visits of PT for the patient's diagnosis"),
            vec![(16, 16)]
        );
        assert_eq!(c("The patient has completed 12 visits of therapy"), vec![]);
    }
}
