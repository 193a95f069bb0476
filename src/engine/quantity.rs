//! How much an item asks for, read from its name: a count of visits or
//! sessions ("2 times a week for 6 weeks", "x12", "Eight (8) sessions") and a
//! duration ("30 day rental", "for 4 weeks", "three months"). Also reads
//! the numbers a rationale attributes to a guideline ("recommend 9-10 visits").
//!
//! Counts and durations are ranges: "1 to 2 times per week for 4 weeks" asks
//! for 4 to 8 visits. Checks compare the low end with a guideline's maximum,
//! so a request is beyond the guideline only when every reading of it is.

use regex_automata::util::captures::Captures;

use super::checks::{ByText, RuleRegex, lean_regex};

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

/// A match of a pattern with named groups, read off the text it was found in.
struct Groups<'h> {
    text: &'h str,
    caps: Captures,
}

impl<'h> Groups<'h> {
    /// The leftmost match of `re` in `text`.
    fn first(re: &RuleRegex, text: &'h str) -> Option<Groups<'h>> {
        let mut caps = re.create_captures();
        re.captures(text, &mut caps);
        caps.is_match().then_some(Groups { text, caps })
    }

    /// Every match of `re` in `text`, left to right.
    fn all(re: &'h RuleRegex, text: &'h str) -> impl Iterator<Item = Groups<'h>> + 'h {
        re.captures_iter(text)
            .map(move |caps| Groups { text, caps })
    }

    /// Group `name`'s words. A match of the ASCII build on ASCII text, or of
    /// the Unicode one on any text, starts and ends at characters.
    fn get(&self, name: &str) -> Option<&'h str> {
        self.text.get(self.caps.get_group_by_name(name)?.range())
    }

    /// Where the whole match lies.
    fn whole(&self) -> Option<(usize, usize)> {
        self.caps.get_match().map(|m| (m.start(), m.end()))
    }

    /// Low and high of `N` or `N-M` / `N to M` captured as `lo` and `hi`.
    fn range(&self, lo: &str, hi: &str) -> Option<(u32, u32)> {
        range_of(self.get(lo)?, self.get(hi))
    }
}

/// Low and high of the words `lo` and, if given, `hi`.
fn range_of(lo: &str, hi: Option<&str>) -> Option<(u32, u32)> {
    let a = num(lo)?;
    let b = hi.and_then(num).unwrap_or(a);
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

static FREQ_DURATION: ByText<RuleRegex> = ByText::new(|unicode| {
    lean_regex(
        &format!(
            r"(?i)\b(?P<f>{NUM})(?:\s*(?:-|to)\s*(?P<f2>{NUM}))?\s*(?:x|times|{VISITS})?\s*(?:a|per|each|/|every)\s*(?:week|wk)\b,?\s*(?:for|x|times)?\s*(?P<d>{NUM})(?:\s*(?:-|to)\s*(?P<d2>{NUM}))?\s*(?P<u>weeks?|wks?|months?)\b"
        ),
        unicode,
        true,
    )
});
static TIMES: ByText<RuleRegex> = ByText::new(|unicode| {
    // "2x6", "2 x 6", "1 times 6", "two times four visits"
    lean_regex(
        &format!(
            r"(?i)\b(?P<f>{NUM})\s*(?:x|times)\s*(?P<d>{NUM})\b(?:\s*(?:visits?|sessions?|treatments?))?"
        ),
        unicode,
        true,
    )
});
static EXPLICIT: ByText<RuleRegex> = ByText::new(|unicode| {
    lean_regex(
        &format!(
            r"(?i)\b(?P<n>{NUM})(?:\s*(?:-|to)\s*(?P<n2>{NUM}))?\s*(?:\(\d{{1,3}}\)\s*)?(?:(?:additional|more|further|initial|post-?op(?:erative)?|physical therapy|chiropractic|acupuncture|therapy|PT|OT)\s+){{0,3}}{VISITS}\b"
        ),
        unicode,
        true,
    )
});
static SINGLE: ByText<RuleRegex> = ByText::new(|unicode| {
    // "#12", "x12", "times 12", "(12)" at the end of a count phrase
    lean_regex(
        &format!(r"(?i)(?:#\s*|\bx\s*|\btimes\s+|\bquantity:?\s*)(?P<n>{NUM})\b"),
        unicode,
        true,
    )
});
static DURATION: ByText<RuleRegex> = ByText::new(|unicode| {
    lean_regex(
        &format!(
            r"(?i)\b(?P<n>{NUM})(?:\s*(?:-|to)\s*(?P<n2>{NUM}))?[\s-]*(?P<u>days?|weeks?|wks?|months?)\b"
        ),
        unicode,
        true,
    )
});

fn amount((start, end): (usize, usize), low: u32, high: u32) -> Amount {
    Amount {
        low,
        high,
        start,
        end,
    }
}

/// What an item name asks for.
pub fn request(name: &str) -> Request {
    let mut r = Request::default();
    let h = name.as_bytes();
    if let Some(c) = Groups::first(FREQ_DURATION.get(h), name) {
        let m = c.whole().expect("whole match");
        if let (Some((f, f2)), Some((d, d2))) = (c.range("f", "f2"), c.range("d", "d2")) {
            let per = days_per(c.get("u").expect("unit"));
            let weeks = |n: u32| if per == 30 { n * 4 } else { n };
            r.count = Some(amount(m, f * weeks(d), f2 * weeks(d2)));
            r.days = Some(amount(m, d * per, d2 * per));
            return r;
        }
    }
    r.count = Groups::first(TIMES.get(h), name)
        .and_then(|c| {
            let n = num(c.get("f")?)? * num(c.get("d")?)?;
            Some(amount(c.whole()?, n, n))
        })
        .or_else(|| {
            Groups::first(EXPLICIT.get(h), name).and_then(|c| {
                let (lo, hi) = c.range("n", "n2")?;
                Some(amount(c.whole()?, lo, hi))
            })
        })
        .or_else(|| {
            Groups::first(SINGLE.get(h), name).and_then(|c| {
                let n = num(c.get("n")?)?;
                Some(amount(c.whole()?, n, n))
            })
        });
    r.days = Groups::first(DURATION.get(h), name).and_then(|c| {
        let (lo, hi) = c.range("n", "n2")?;
        let per = days_per(c.get("u")?);
        Some(amount(c.whole()?, lo * per, hi * per))
    });
    r
}

/// A count a rationale sentence attributes to a guideline: "the guidelines
/// recommend up to 10 visits", "MTUS allows 9-10 visits over 8 weeks".
static CLAIM: ByText<RuleRegex> = ByText::new(|unicode| {
    lean_regex(
        &format!(
            r"(?i)\b(?:recommend(?:s|ed)?|allow(?:s|ed)?|support(?:s|ed)?|indicated?|permit(?:s|ted)?|endorse(?:s|d)?|limit(?:s|ed)?)\b[^.;:]{{0,60}}?{}",
            claim_count()
        ),
        unicode,
        true,
    )
});

/// The end of [`CLAIM`], after its verb and the words between: the count
/// and what it counts ("up to 10 visits").
fn claim_count() -> String {
    format!(
        r"\b(?:(?:up to|a maximum of|maximum of|a total of|no more than)\s+)?(?P<n>{NUM})(?:\s*(?:-|to)\s*(?P<n2>{NUM}))?\s*(?:\(\d{{1,3}}\)\s*)?(?:(?:physical therapy|chiropractic|acupuncture|therapy|PT)\s+)?{VISITS}\b"
    )
}

/// [`claim_count`] alone. Every match of [`CLAIM`] ends with one of its
/// matches; a sentence with a claim's verb ("recommended", in most of a
/// rationale's) seldom holds one. Searched for first, it spares those
/// sentences [`CLAIM`]'s search, whose sixty-byte window walks a state of
/// the lazy DFA per byte, most of them out of the processor's caches.
static CLAIM_COUNT: ByText<RuleRegex> =
    ByText::new(|unicode| lean_regex(&format!("(?i){}", claim_count()), unicode, false));

/// Whether `text` may attribute a count to a guideline: one walk without
/// captures that rules out most sentences before [`claimed_counts`] reads
/// them. A text that is not ASCII is left to [`claimed_counts`], so that
/// only a sentence outside ASCII pays for the Unicode build. A count a
/// sentence claims is one the whole text claims (sentences end at spaces,
/// where a word boundary reads the same), so a `false` for a whole
/// rationale never hid one either.
pub fn may_claim_a_count(text: &str) -> bool {
    !text.is_ascii() || CLAIM.get(text.as_bytes()).is_match(text)
}

/// [`may_claim_a_count`] for each of `sentences` (ranges of `text`), most
/// of them ruled out by a vector search for the claim's verbs in `lower`,
/// the text in ASCII lowercase, rather than by the regex's walk a byte at a
/// time: every match of the ASCII build holds one of them.
pub fn may_claim_counts(text: &str, lower: &[u8], sentences: &[(usize, usize)]) -> Vec<bool> {
    sentences
        .iter()
        .map(|&(s, e)| {
            let sentence = &text[s..e];
            !sentence.is_ascii()
                || (CLAIM_VERBS.is_match(&lower[s..e])
                    && CLAIM_COUNT.get(sentence.as_bytes()).is_match(sentence)
                    && may_claim_a_count(sentence))
        })
        .collect()
}

/// The stems of [`CLAIM`]'s verbs, lowercase.
static CLAIM_VERBS: std::sync::LazyLock<aho_corasick::AhoCorasick> =
    std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build([
                "recommend",
                "allow",
                "support",
                "indicate",
                "permit",
                "endorse",
                "limit",
            ])
            .expect("verbs")
    });

/// Counts a sentence attributes to a guideline, with their byte ranges in `sentence`.
pub fn claimed_counts(sentence: &str) -> Vec<Amount> {
    Groups::all(CLAIM.get(sentence.as_bytes()), sentence)
        .filter_map(|c| {
            let (lo, hi) = c.range("n", "n2")?;
            Some(Amount {
                low: lo,
                high: hi,
                start: c.caps.get_group_by_name("n")?.start,
                end: c.whole()?.1,
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

    /// Generated item names and rationale sentences, ASCII and not.
    fn texts(non_ascii: bool) -> Vec<String> {
        let mut pieces = vec![
            "Physical therapy ",
            "2",
            "12",
            "three",
            "twenty four",
            " times",
            " x",
            "x",
            "#",
            " a week",
            " per wk",
            " for ",
            "6",
            " weeks",
            " months",
            " day",
            "-",
            " to ",
            " visits",
            " sessions",
            "(8)",
            " additional ",
            "PT ",
            "quantity: ",
            "The MTUS ",
            "recommends ",
            "allow ",
            "up to ",
            "guidelines ",
            "; ",
            ". ",
            " ",
            "\t",
            "\x0c",
            "_",
            "K",
            "s",
            "S",
        ];
        if non_ascii {
            pieces.extend(["ſ", "\u{212a}", "é", "\u{a0}", "\u{85}", "٣", "ſeſſions"]);
        }
        crate::parse::generated::joins(&pieces, 6_000, 12)
    }

    /// On ASCII text the ASCII build finds what the Unicode build finds.
    #[test]
    fn ascii_builds_read_ascii_as_unicode_does() {
        for r in [
            &FREQ_DURATION,
            &TIMES,
            &EXPLICIT,
            &SINGLE,
            &DURATION,
            &CLAIM,
        ] {
            let (a, u) = r.builds();
            for t in texts(false) {
                let caps = |re: &RuleRegex| {
                    re.captures_iter(t.as_str())
                        .map(|c| {
                            (0..c.group_len())
                                .map(|g| c.get_group(g).map(|m| m.range()))
                                .collect::<Vec<_>>()
                        })
                        .collect::<Vec<_>>()
                };
                assert_eq!(caps(&a), caps(&u), "{t:?}");
            }
        }
    }

    /// The lean builds read as the `regex` crate's default build did.
    #[test]
    fn lean_builds_read_as_the_default_build() {
        let plain = |p: &str, unicode: bool| {
            regex::bytes::RegexBuilder::new(p)
                .case_insensitive(true)
                .unicode(unicode)
                .build()
                .expect("pattern")
        };
        let pattern = format!(
            r"(?i)\b(?P<f>{NUM})(?:\s*(?:-|to)\s*(?P<f2>{NUM}))?\s*(?:x|times|{VISITS})?\s*(?:a|per|each|/|every)\s*(?:week|wk)\b,?\s*(?:for|x|times)?\s*(?P<d>{NUM})(?:\s*(?:-|to)\s*(?P<d2>{NUM}))?\s*(?P<u>weeks?|wks?|months?)\b"
        );
        for unicode in [false, true] {
            let (old, new) = (
                plain(&pattern, unicode),
                lean_regex(&pattern, unicode, true),
            );
            for t in texts(unicode) {
                let a: Vec<_> = old
                    .captures_iter(t.as_bytes())
                    .map(|c| c.iter().map(|m| m.map(|m| m.range())).collect::<Vec<_>>())
                    .collect();
                let b: Vec<_> = new
                    .captures_iter(t.as_bytes())
                    .map(|c| {
                        (0..c.group_len())
                            .map(|g| c.get_group(g).map(|m| m.range()))
                            .collect::<Vec<_>>()
                    })
                    .collect();
                assert_eq!(a, b, "{t:?}");
            }
        }
    }

    /// The verbs' search rules out only ASCII text the ASCII build finds
    /// nothing in, whatever the case of its letters.
    #[test]
    fn the_verbs_rule_out_only_what_the_claim_rules_out() {
        let (ascii, _) = CLAIM.builds();
        let pieces = [
            "RECOMMENDS ",
            "Allowed ",
            "sUpport ",
            "INDICATE ",
            "permitted ",
            "Endorsed ",
            "limits ",
            "recommen",
            "d ",
            "12 ",
            "TEN ",
            "visits",
            " PT ",
            ". ",
            "up to ",
            "\u{17f}upport ",
            "é",
        ];
        for t in crate::parse::generated::joins(&pieces, 3000, 8) {
            let sentences = crate::engine::concepts::sentences(&t);
            let got = may_claim_counts(&t, t.to_ascii_lowercase().as_bytes(), &sentences);
            for (k, &(s, e)) in sentences.iter().enumerate() {
                let sentence = &t[s..e];
                let want = !sentence.is_ascii() || ascii.is_match(sentence);
                assert_eq!(got[k], want, "{t:?} {s}..{e}");
                assert_eq!(may_claim_a_count(sentence), want, "{t:?} {s}..{e}");
            }
        }
    }

    /// A count a sentence claims is one the whole text claims, with the
    /// Unicode pattern the text was read with before: ruling a text out
    /// only when it is ASCII and the ASCII build finds nothing hides none.
    #[test]
    fn a_sentence_claim_is_a_text_claim() {
        let (_, unicode) = CLAIM.builds();
        for t in texts(true).into_iter().chain(texts(false)) {
            let whole = unicode.is_match(t.as_str());
            assert_eq!(may_claim_a_count(&t), whole || !t.is_ascii(), "{t:?}");
            for (s, e) in crate::engine::concepts::sentences(&t) {
                assert!(whole || claimed_counts(&t[s..e]).is_empty(), "{t:?}");
            }
        }
    }
}
