//! Resolving a guideline line's citations to rulebook guidelines and sections.
//!
//! A citation names a guideline ("Chronic Pain Medical Treatment 2016") and
//! possibly sections and pages. The guideline resolves by name and year (or
//! ACOEM chapter); each section by title or alias, ignoring case and
//! punctuation. A section list split in the wrong place by the parser is
//! re-joined here: adjacent pieces are tried together.
//!
//! A citation without a year ("Chronic Pain Treatment Guidelines") names
//! every edition; it resolves to the edition in force on the letter's date
//! (see [`letter_date`]), or the earliest when the letter gives no date or no
//! edition was in force on it.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::model::{Date, GuidelineLine, Letter, MtusCitation};
use crate::rulebook::{Guideline, Rulebook, Section};
use crate::span::{Span, Spanned};

/// One citation as resolved.
#[derive(Debug, Default)]
pub struct Resolved<'a> {
    pub guideline: Option<&'a Guideline>,
    pub sections: Vec<(&'a Section, Span)>,
    /// Sections named that the rulebook does not know, with their spans.
    pub unknown_sections: Vec<Span>,
    pub pages: Vec<((u32, u32), Span)>,
    pub span: Span,
    pub guideline_span: Span,
    /// The year the citation carries, when it carries one.
    pub year_span: Option<Span>,
}

#[derive(Debug, Default)]
pub struct Cited<'a> {
    pub mtus: Vec<Resolved<'a>>,
}

impl Cited<'_> {
    /// `<guideline>/<section>` references of every resolved section.
    pub fn section_refs(&self) -> Vec<String> {
        self.mtus
            .iter()
            .flat_map(|r| {
                r.sections
                    .iter()
                    .filter_map(move |(s, _)| r.guideline.map(|g| section_ref(&g.id, &s.id)))
            })
            .collect()
    }
}

/// `<guideline>/<section>`, built without the formatting machinery: it is
/// built for every cited section several times an item.
fn section_ref(guideline: &str, section: &str) -> String {
    let mut r = String::with_capacity(guideline.len() + 1 + section.len());
    r.push_str(guideline);
    r.push('/');
    r.push_str(section);
    r
}

/// Lower-cased letters and digits, words split at whitespace and joined by
/// one space; other characters are dropped without splitting a word.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    normalize_into(&mut out, s, &mut false);
    out
}

/// Appends `s` normalized to `out` in one pass, with no intermediate strings:
/// this runs for every section name of every citation. `gap` says whether
/// whitespace came since the last word character; it carries across calls
/// so pieces joined by a separator normalize as the joined text would.
fn normalize_into(out: &mut String, s: &str, gap: &mut bool) {
    // Citations are ASCII: a byte is a character, and its tests are the
    // ASCII ones `char`'s give on ASCII (whitespace: tab to carriage
    // return, and space), without decoding.
    if s.is_ascii() {
        out.reserve(s.len());
        for &b in s.as_bytes() {
            match ASCII_CLASS[usize::from(b)] {
                DROP => {}
                GAP => *gap = true,
                lower => {
                    if *gap && !out.is_empty() {
                        out.push(' ');
                    }
                    *gap = false;
                    out.push(char::from(lower));
                }
            }
        }
        return;
    }
    for c in s.chars() {
        if c.is_alphanumeric() {
            if *gap && !out.is_empty() {
                out.push(' ');
            }
            *gap = false;
            out.push(c.to_ascii_lowercase());
        } else if c.is_whitespace() {
            *gap = true;
        }
    }
}

/// What [`normalize_into`] makes of an ASCII byte: a letter or digit is its
/// lowercase, whitespace a gap, anything else is dropped.
const DROP: u8 = 0;
const GAP: u8 = 1;
const ASCII_CLASS: [u8; 128] = {
    let mut t = [DROP; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = c.to_ascii_lowercase();
        } else if matches!(c, b'\t'..=b'\r' | b' ') {
            t[b] = GAP;
        }
        b += 1;
    }
    t
};

/// Appends `piece` normalized alone to `words`; where it lies there.
fn normalize_piece(words: &mut String, piece: &str) -> (usize, usize) {
    let start = words.len();
    normalize_into(words, piece, &mut false);
    // Whitespace before its first word reads as a gap after the words
    // already in the buffer: the space it put there is not the piece's.
    let start = if words[start..].starts_with(' ') {
        start + 1
    } else {
        start
    };
    (start, words.len())
}

/// Into `key`, the pieces of a section list (`pieces`, ranges of `words`,
/// each normalized alone) as [`normalize`] reads them joined by ", ": the
/// separator is whitespace once normalized, so it is each piece's words
/// joined by one space, an empty piece adding none.
fn join_normalized(key: &mut String, words: &str, pieces: &[(usize, usize)]) {
    key.clear();
    for &(a, b) in pieces {
        if a == b {
            continue;
        }
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(&words[a..b]);
    }
}

/// The index's hash: a multiply and a rotate per eight bytes (FxHash's).
/// Its keys are the rulebook's names, and every citation of every letter
/// looks one up: SipHash's guard against keys chosen to collide costs four
/// times as much and guards nothing here, as letters add no keys.
#[derive(Default, Clone, Copy)]
struct NameHasher(u64);

impl NameHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            self.add(u64::from_le_bytes(b));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b) ^ (rest.len() as u64) << 59);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type Names = BuildHasherDefault<NameHasher>;

/// The rulebook's guideline and section names, normalized once per run
/// rather than for every citation of every letter.
pub struct Index<'a> {
    /// MTUS guidelines by normalized name, in rulebook order.
    guidelines: HashMap<String, Vec<&'a Guideline>, Names>,
    /// Sections by guideline id and normalized title or alias; the first wins.
    sections: HashMap<(&'a str, String), &'a Section, Names>,
    /// The length of the longest key in `sections`.
    longest_section: usize,
}

impl<'a> Index<'a> {
    pub fn new(book: &'a Rulebook) -> Index<'a> {
        let mut guidelines: HashMap<String, Vec<&Guideline>, Names> = HashMap::default();
        let mut sections: HashMap<_, _, Names> = HashMap::default();
        for (_, g) in &book.guidelines {
            if g.mtus {
                for n in &g.names {
                    let list = guidelines.entry(normalize(n)).or_default();
                    if !list.iter().any(|&x| std::ptr::eq(x, g)) {
                        list.push(g);
                    }
                }
            }
            for s in &g.sections {
                for n in std::iter::once(&s.title).chain(&s.names) {
                    sections.entry((g.id.as_str(), normalize(n))).or_insert(s);
                }
            }
        }
        let longest_section = sections.keys().map(|(_, k)| k.len()).max().unwrap_or(0);
        Index {
            guidelines,
            sections,
            longest_section,
        }
    }
}

/// The date that decides which edition of a guideline applied to a letter's
/// requests: the UR denial date. The editions are keyed on the date of the
/// treatment request (or of the service), which letters do not print; the UR
/// decision is made on the request within days of it, and is the decision
/// the IMR reviews. Without one, the earliest of the later dates printed
/// (application received, assigned, decided) stands in.
pub fn letter_date(letter: &Letter) -> Option<Spanned<Date>> {
    let d = &letter.dates;
    d.ur_denial.clone().or_else(|| {
        [&d.application_received, &d.assigned, &d.decision]
            .into_iter()
            .flatten()
            .min_by_key(|x| x.value)
            .cloned()
    })
}

fn find_guideline<'a>(
    c: &MtusCitation,
    index: &Index<'a>,
    date: Option<Date>,
) -> Option<&'a Guideline> {
    let name = normalize(&c.guideline.value);
    let year = c.year.as_ref().map(|y| y.value);
    let candidates: &[&Guideline] = index.guidelines.get(&name).map_or(&[], Vec::as_slice);
    // The year picks the edition; without one, an ACOEM chapter or the only candidate.
    candidates
        .iter()
        .find(|g| year.is_some_and(|y| g.years.contains(&y)))
        .or_else(|| {
            candidates.iter().find(|g| {
                c.acoem_chapter
                    .as_ref()
                    .is_some_and(|ch| g.acoem_chapter == Some(ch.value))
            })
        })
        .or_else(|| {
            if year.is_some() {
                return None;
            }
            let in_force = |g: &&&Guideline| {
                date.is_some_and(|d| g.in_force.as_ref().is_some_and(|f| f.contains(d)))
            };
            candidates.iter().find(in_force).or_else(|| {
                candidates
                    .iter()
                    .min_by_key(|g| g.years.first().copied().unwrap_or(0))
            })
        })
        .copied()
}

/// The section of `g` under the normalized title in `key`; the key is lent to
/// the lookup and handed back, so one buffer serves every attempt.
fn find_section<'a>(g: &'a Guideline, key: &mut String, index: &Index<'a>) -> Option<&'a Section> {
    let probe = (g.id.as_str(), std::mem::take(key));
    let found = index.sections.get(&probe).copied();
    *key = probe.1;
    found
}

/// Resolves the citations of a guideline line; `date` (the letter's, see
/// [`letter_date`]) picks the edition of a citation that gives no year.
pub fn cited<'a>(line: Option<&GuidelineLine>, index: &Index<'a>, date: Option<Date>) -> Cited<'a> {
    let Some(line) = line else {
        return Cited::default();
    };
    let mut out = Cited::default();
    for c in &line.mtus {
        let guideline = find_guideline(c, index, date);
        let mut r = Resolved {
            guideline,
            span: c.span,
            guideline_span: c.guideline.span,
            year_span: c.year.as_ref().map(|y| y.span),
            ..Default::default()
        };
        if let Some(g) = guideline {
            // Each piece is normalized once, not once for every run of
            // pieces it is part of (a list of n pieces has n² / 2 runs).
            let mut words = String::new();
            let pieces: Vec<(usize, usize)> = c
                .sections
                .iter()
                .map(|piece| normalize_piece(&mut words, &piece.value))
                .collect();
            let mut key = String::new();
            let mut i = 0;
            while i < c.sections.len() {
                // Try the longest run of adjacent pieces first.
                let mut matched = None;
                for j in (i..c.sections.len()).rev() {
                    join_normalized(&mut key, &words, &pieces[i..=j]);
                    // No title is that long: no need to hash it.
                    if key.len() > index.longest_section {
                        continue;
                    }
                    if let Some(s) = find_section(g, &mut key, index) {
                        matched = Some((j, s));
                        break;
                    }
                }
                match matched {
                    Some((j, s)) => {
                        r.sections
                            .push((s, c.sections[i].span.cover(c.sections[j].span)));
                        i = j + 1;
                    }
                    None => {
                        r.unknown_sections.push(c.sections[i].span);
                        i += 1;
                    }
                }
            }
        }
        r.pages = c
            .pages
            .iter()
            .map(|p| ((p.value.first, p.value.last), p.span))
            .collect();
        out.mtus.push(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The former three-pass form, kept as the reference.
    fn normalize_reference(s: &str) -> String {
        s.chars()
            .filter_map(|c| {
                if c.is_alphanumeric() {
                    Some(c.to_ascii_lowercase())
                } else if c.is_whitespace() {
                    Some(' ')
                } else {
                    None
                }
            })
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    const PIECE: &str = "[ a-zA-Z0-9,.\\-/()\t\n\u{a0}\u{2003}\u{17f}\u{212a}\u{e9}\u{660}]{0,24}";

    proptest! {
        #[test]
        fn normalize_matches_reference(s in PIECE) {
            prop_assert_eq!(normalize(&s), normalize_reference(&s));
        }

        /// Every ASCII byte, the vertical tab and the controls too, reads
        /// as `char`'s tests read it.
        #[test]
        fn ascii_normalizes_as_the_reference(s in "[\\x00-\\x7f]{0,24}") {
            prop_assert_eq!(normalize(&s), normalize_reference(&s));
        }

        #[test]
        fn pieces_normalize_as_joined(pieces in proptest::collection::vec(PIECE, 1..4)) {
            let mut key = String::from("stale");
            key.clear();
            let mut gap = false;
            for (k, p) in pieces.iter().enumerate() {
                gap |= k > 0;
                normalize_into(&mut key, p, &mut gap);
            }
            prop_assert_eq!(key, normalize_reference(&pieces.join(", ")));
        }

        #[test]
        fn pieces_normalized_alone_join_as_joined(
            pieces in proptest::collection::vec(PIECE, 1..5),
        ) {
            let mut words = String::from("stale words");
            let ranges: Vec<(usize, usize)> =
                pieces.iter().map(|p| normalize_piece(&mut words, p)).collect();
            let mut key = String::from("stale");
            for i in 0..pieces.len() {
                for j in i..pieces.len() {
                    join_normalized(&mut key, &words, &ranges[i..=j]);
                    prop_assert_eq!(&key, &normalize_reference(&pieces[i..=j].join(", ")));
                }
            }
        }
    }
}
