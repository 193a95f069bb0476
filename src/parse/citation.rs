//! Guideline lines: which MTUS guideline, edition, sections and pages, which
//! Non-MTUS source, or no evidence at all.
//!
//! Shapes seen in real letters:
//! - `Decision based on MTUS Low Back Complaints 2004, Section(s): Special Studies.`
//! - `... MTUS Forearm, Wrist, and Hand Complaints 2004, Section(s): X, and Postsurgical
//!   Treatment 2009, Section(s): Y` (several guidelines, joined by ", and")
//! - `Decision based on MTUS ACOEM Chapter 12 Low Back Complaints Page(s): 301, 340.`
//! - `Decision based on MTUS Chronic Pain Treatment Guidelines TENS.` (section, no label)
//! - `... outside of the MTUS Guidelines. Decision based on Non-MTUS Citation <free text>`
//! - `The Expert Reviewer did not cite any medical evidence for its decision.`
//!
//! Section names hold commas ("NSAIDs, GI symptoms & cardiovascular risk") and
//! lists of them are comma-separated too, so a list splits only before a
//! capitalised word outside parentheses; the engine matches sections against
//! the rulebook by name and can re-read the whole `sections` text.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::heads::{self, Head};
use super::marks;
use super::scan;
use crate::fold::Folded;
use crate::model::{Basis, GuidelineLine, MtusCitation, PageRange};
use crate::span::Spanned;

static NO_EVIDENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)did not cite any (?:medical )?evidence(?: for (?:its|their|the) decision)?\.?")
        .expect("pattern")
});
/// Start of an MTUS or Non-MTUS citation. Non-MTUS first: it contains "MTUS".
static BASED_ON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        (?P<non>Decision\ based\ on\ Non-?MTUS(?:\ Citations?)?:?)
        |(?P<mtus>(?:Decision\ based\ on|based\ (?:its|their)\ decision\ on)\ (?:the\ )?(?:CA\ |California\ )?MTUS\b(?:\ Guidelines?\b(?:\ for)?)?:?
          |relied\ (?:up)?on\ (?:the\ )?(?:(?:CA\ |California\ )?MTUS\b:?)?)",
    )
    .expect("pattern")
});
/// An MTUS guideline name: the names adopted into the MTUS, then any
/// capitalised phrase ending in Complaints/Disorders/Treatment/Conditions.
/// Only non-ASCII text is searched with it; [`heads`] matches the same on
/// ASCII text without a regex.
static GUIDELINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?:(?i:ACOEM)\s+)?
        (?:(?i:Chapter|Ch\.?)\s*(?P<chapter>\d{1,2})[,:]?\s+)?
        (?P<name>
          (?i:Chronic\ Pain\ Medical\ Treatment|Chronic\ Pain\ Treatment|Chronic\ Pain
             |Opioids?\ Treatment|Acupuncture\ (?:Medical\ )?Treatment|Post-?surgical\ Treatment
             |Low\ Back\ Complaints|Neck\ and\ Upper\ Back\ Complaints|Shoulder\ Complaints
             |Knee\ Complaints|Elbow\ (?:Complaints|Disorders)|Forearm,\ Wrist,?\ (?:and|&)\ Hand\ Complaints
             |Hand,\ Wrist,?\ and\ Forearm\ Disorders|Ankle\ and\ Foot\ Complaints
             |General\ Approaches|Stress[-\ ]Related\ Conditions|Eye\ Complaints)
          |[A-Z][A-Za-z'/-]*(?:\ (?:and\ |&\ )?[A-Z][A-Za-z'/-]*){0,5}\ (?:Complaints|Disorders|Treatment|Conditions)
        )
        (?:\s+(?i:Guidelines?)\b)?
        (?:,?\s+\(?(?P<year>(?:19|20)\d{2})\b\)?)?
        (?:\s+(?i:Guidelines?)\b)?",
    )
    .expect("guideline pattern")
});
static SECTIONS_LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)Sections?(?:\(s\))?\s?:").expect("pattern"));
static PAGES_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:\bPages?(?:\(s\))?\s?:|\bpages?\s|\bpp?\.\s?)").expect("pattern")
});
/// What [`marks::serial`] matches by hand; kept to test it against.
#[cfg(test)]
static SERIAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[A-Z][a-z]+, [A-Z][a-z]+,? (?:&|and) [A-Z][a-z]+\b").expect("pattern")
});
static PAGE_RANGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{1,4})(?:\s?[-–]\s?(\d{1,4}))?").expect("pattern"));

/// Parses the guideline line in folded range `[start, end)`.
pub fn parse_guideline_line(f: &Folded, start: usize, end: usize) -> GuidelineLine {
    let text = &f.as_str()[start..end];
    let ascii = scan::plain(text);
    let no_evidence = if ascii {
        marks::no_evidence(text.as_bytes())
    } else {
        NO_EVIDENCE.find(text).map(|m| m.range())
    }
    .map(|m| f.span(start + m.start, start + m.end));
    // A plain find is enough: only the Non-MTUS mark holds "non" (in any case).
    let marks: Vec<_> = if ascii {
        marks::based_on(text.as_bytes())
    } else {
        BASED_ON.find_iter(text).map(|m| m.range()).collect()
    };
    let mut mtus = Vec::new();
    let mut non_mtus = Vec::new();
    for (k, whole) in marks.iter().enumerate() {
        let body_start = start + whole.end;
        let body_end = marks.get(k + 1).map_or(end, |n| start + n.start);
        let non = text.as_bytes()[whole.clone()]
            .windows(3)
            .any(|w| w.eq_ignore_ascii_case(b"non"));
        if non {
            let (s, e) = f.trim(body_start, body_end);
            if s < e {
                non_mtus.push(Spanned::new(f.slice(s, e).to_string(), f.span(s, e)));
            }
        } else if mtus.is_empty() {
            // Most lines carry one MTUS mark: take its list as it is.
            mtus = mtus_citations(f, body_start, body_end, ascii);
        } else {
            mtus.extend(mtus_citations(f, body_start, body_end, ascii));
        }
    }
    let basis = match (mtus.is_empty(), non_mtus.is_empty(), no_evidence.is_some()) {
        (false, false, _) => Basis::MtusAndNonMtus,
        (false, true, _) => Basis::Mtus,
        (true, false, _) => Basis::NonMtus,
        (true, true, true) => Basis::NoEvidence,
        (true, true, false) => Basis::Unrecognized,
    };
    GuidelineLine {
        text: Spanned::new(f.slice(start, end).to_string(), f.span(start, end)),
        basis,
        mtus,
        non_mtus,
        no_evidence,
    }
}

/// The MTUS citations in folded range `[start, end)` (after "Decision based on MTUS").
/// `plain_line`: the whole guideline line is [`scan::plain`], and so is every part of it.
fn mtus_citations(f: &Folded, start: usize, end: usize, plain_line: bool) -> Vec<MtusCitation> {
    let text = &f.as_str()[start..end];
    // A capitalised phrase inside a section list ("Section(s): Physical Medicine
    // Treatment") is not a second guideline: after the first, a guideline must
    // carry a year or be joined on by "and".
    let found = if plain_line || scan::plain(text) {
        heads::heads(text.as_bytes())
    } else {
        GUIDELINE
            .captures_iter(text)
            .filter_map(|c| {
                Some(Head {
                    whole: c.get(0)?.range(),
                    chapter: c.name("chapter").map(|m| m.range()),
                    name: c.name("name")?.range(),
                    year: c.name("year").map(|m| m.range()),
                })
            })
            .collect()
    };
    let heads: Vec<Head> = found
        .into_iter()
        .enumerate()
        .filter(|(k, h)| {
            let before = text[..h.whole.start].trim_end_matches([' ', ',']);
            *k == 0 || h.year.is_some() || before.ends_with("and") || before.is_empty()
        })
        .map(|(_, h)| h)
        .collect();
    let mut out = Vec::with_capacity(heads.len());
    for (k, h) in heads.iter().enumerate() {
        let tail_end = heads.get(k + 1).map_or(end, |n| start + n.whole.start);
        let head_start = start + h.whole.start;
        let head_end = start + h.whole.end;
        let spanned = |s: usize, e: usize| {
            let (s, e) = f.trim(start + s, start + e);
            Spanned::new(f.slice(s, e).to_string(), f.span(s, e))
        };
        let guideline = spanned(h.name.start, h.name.end);
        let year = h.year.clone().and_then(|y| {
            let v: u16 = text[y.clone()].parse().ok()?;
            Some(Spanned::new(v, f.span(start + y.start, start + y.end)))
        });
        let acoem_chapter = h.chapter.clone().and_then(|ch| {
            let v: u8 = text[ch.clone()].parse().ok()?;
            Some(Spanned::new(v, f.span(start + ch.start, start + ch.end)))
        });
        let (sections, pages, used_end) = read_tail(f, head_end, tail_end, plain_line);
        out.push(MtusCitation {
            guideline,
            year,
            acoem_chapter,
            sections,
            pages,
            span: f.span(head_start, used_end),
        });
    }
    out
}

/// Reads ", Section(s): A, B" and "Page(s): 1, 2-3" after a guideline head,
/// up to `end` or the ", and <next guideline>" joint. Returns the folded end used.
fn read_tail(
    f: &Folded,
    start: usize,
    end: usize,
    plain_line: bool,
) -> (Vec<Spanned<String>>, Vec<Spanned<PageRange>>, usize) {
    let text = &f.as_str()[start..end];
    let body = strip_joint(text);
    let ascii = plain_line || scan::plain(body);
    let mut sections = Vec::new();
    let mut pages = Vec::new();
    // "pages" without a colon is prose unless a number follows.
    let number_after = |m: &Range<usize>| {
        body[m.end..]
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit())
    };
    let pages_at = if ascii {
        marks::pages_labels(body.as_bytes()).find(number_after)
    } else {
        PAGES_LABEL
            .find_iter(body)
            .map(|m| m.range())
            .find(number_after)
    };
    let sections_text_end = pages_at.as_ref().map_or(body.len(), |m| m.start);
    let sec = if ascii {
        marks::sections_label(&body.as_bytes()[..sections_text_end])
    } else {
        SECTIONS_LABEL
            .find(&body[..sections_text_end])
            .map(|m| m.range())
    };
    let (sec_start, explicit) = match sec {
        Some(m) => (m.end, true),
        None => (0, false),
    };
    let sec_body = body[sec_start..sections_text_end].trim_start_matches([',', ' ', ';', ':']);
    let sec_offset = sections_text_end - body[sec_start..sections_text_end].len()
        + (body[sec_start..sections_text_end].len() - sec_body.len());
    let sec_body = sec_body.trim_end_matches([' ', '.', ',', ';']);
    if explicit || !sec_body.is_empty() {
        let pieces = split_sections(sec_body);
        sections.reserve_exact(pieces.len());
        for (s, e) in pieces {
            let (a, b) = f.trim(start + sec_offset + s, start + sec_offset + e);
            if a < b {
                sections.push(Spanned::new(f.slice(a, b).to_string(), f.span(a, b)));
            }
        }
    }
    if let Some(p) = pages_at {
        let list = &body[p.end..];
        let found: Vec<marks::Pages> = if ascii {
            marks::page_ranges(list.as_bytes())
        } else {
            PAGE_RANGE
                .captures_iter(list)
                .filter_map(|m| {
                    Some(marks::Pages {
                        whole: m.get(0)?.range(),
                        first: m.get(1)?.range(),
                        last: m.get(2).map(|l| l.range()),
                    })
                })
                .collect()
        };
        for m in found {
            let Ok(first_n) = list[m.first].parse::<u32>() else {
                continue;
            };
            let last_n = m
                .last
                .and_then(|l| list[l].parse::<u32>().ok())
                .unwrap_or(first_n);
            let s = start + p.end + m.whole.start;
            let e = start + p.end + m.whole.end;
            pages.push(Spanned::new(
                PageRange {
                    first: first_n,
                    last: last_n.max(first_n),
                },
                f.span(s, e),
            ));
        }
    }
    (
        sections,
        pages,
        start + body.trim_end_matches([' ', '.', ',']).len(),
    )
}

/// Cuts the ", and" (or " and") that joins this citation to the next guideline.
fn strip_joint(text: &str) -> &str {
    let t = text.trim_end();
    for joint in [", and", " and", ",", ";"] {
        if let Some(s) = t.strip_suffix(joint) {
            return s;
        }
    }
    t
}

/// Splits a section list into ranges: at ", " or "; " outside brackets, when
/// the next word is capitalised (not an acronym like "GI") or numbered ("3.3").
fn split_sections(list: &str) -> Vec<(usize, usize)> {
    let b = list.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut from = 0;
    let mut i = 0;
    // Only brackets and separators matter: the bytes between them are
    // passed over by a table look each.
    while let Some(k) = b[i..].iter().position(|&c| SECTION_MARKS[usize::from(c)]) {
        i += k;
        match b[i] {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth -= 1,
            b',' | b';' if depth <= 0 && b.get(i + 1) == Some(&b' ') => {
                // "Forearm, Wrist, & Hand" is one name: a serial list of single words.
                if marks::serial(&list[from..]).is_some_and(|e| i < from + e) {
                    i += 1;
                    continue;
                }
                let next = &list[i + 2..];
                let next = next.strip_prefix("and ").unwrap_or(next);
                if starts_new_section(next) || b[i] == b';' {
                    out.push((from, i));
                    from = i + 2;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if from < b.len() {
        out.push((from, b.len()));
    }
    out
}

/// The bytes [`split_sections`] stops at: brackets and separators.
static SECTION_MARKS: [bool; 256] = {
    let mut t = [false; 256];
    let marks = *b"([)],;";
    let mut k = 0;
    while k < marks.len() {
        t[marks[k] as usize] = true;
        k += 1;
    }
    t
};

/// A capitalised word ("Proton"), a numbered section ("3.3") or a term of
/// three or more capitals ("NSAIDs", "TENS") starts a section; a two-letter
/// acronym ("GI symptoms") or a lower-case word continues the current one.
fn starts_new_section(s: &str) -> bool {
    let word: &str = s.split([' ', '(', ',']).next().unwrap_or("");
    let mut cs = word.chars();
    match (cs.next(), cs.next()) {
        (Some(a), Some(b)) if a.is_ascii_uppercase() && b.is_lowercase() => true,
        (Some(a), _) if a.is_ascii_digit() => true,
        (Some(a), Some(_)) if a.is_ascii_uppercase() => {
            word.chars().filter(|c| c.is_ascii_uppercase()).count() >= 3
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `split_sections` as it was, every byte matched in turn.
    fn split_sections_bytewise(list: &str) -> Vec<(usize, usize)> {
        let b = list.as_bytes();
        let mut out = Vec::new();
        let mut depth = 0i32;
        let mut from = 0;
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'(' | b'[' => depth += 1,
                b')' | b']' => depth -= 1,
                b',' | b';' if depth <= 0 && b.get(i + 1) == Some(&b' ') => {
                    if marks::serial(&list[from..]).is_some_and(|e| i < from + e) {
                        i += 1;
                        continue;
                    }
                    let next = &list[i + 2..];
                    let next = next.strip_prefix("and ").unwrap_or(next);
                    if starts_new_section(next) || b[i] == b';' {
                        out.push((from, i));
                        from = i + 2;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        if from < b.len() {
            out.push((from, b.len()));
        }
        out
    }

    #[test]
    fn section_split_skips_to_the_marks_as_the_byte_walk_does() {
        let pieces = [
            "Opioids",
            ", ",
            "; ",
            ",",
            ";",
            "(",
            ")",
            "[",
            "]",
            "and ",
            "GI symptoms",
            "NSAIDs",
            "3.3",
            "Forearm",
            "Wrist",
            "& ",
            "Hand",
            " ",
            "\u{e9}",
            "\u{2013}",
            "x",
        ];
        for s in crate::parse::generated::joins(&pieces, 20000, 10) {
            assert_eq!(split_sections(&s), split_sections_bytewise(&s), "{s:?}");
        }
    }

    fn line(src: &str) -> GuidelineLine {
        let f = Folded::new(src);
        parse_guideline_line(&f, 0, f.len())
    }

    /// The hand-written head matcher finds what the GUIDELINE regex finds.
    #[test]
    fn heads_match_the_regex() {
        let pieces = [
            "ACOEM ",
            "acoem  ",
            "Chapter 12 ",
            "Ch. 7, ",
            "ch 3: ",
            "Chapter1 ",
            "Low Back Complaints",
            "chronic pain medical treatment",
            "Chronic Pain",
            "Opioids Treatment",
            "Post-surgical Treatment",
            "Forearm, Wrist & Hand Complaints",
            "Hand, Wrist, and Forearm Disorders",
            "Stress-Related Conditions",
            "Physical Medicine Treatment",
            "Official Disability and Other Guidelines Disorders",
            "A B C D E F G Complaints",
            "Knee Complaints Treatment",
            " 2004",
            ", 2009",
            " (2016)",
            " 20161",
            " Guidelines",
            " guideline",
            " Guidelinesx",
            ", and ",
            ", Section(s): ",
            " and ",
            "Treatments",
            "Elbow Disorders",
            "–",
            "®",
            " ’",
            "x",
            "_",
            " Eye Complaints",
            "General Approaches ",
            "& ",
            "and Hand Complaints",
            // Every named guideline in lower case: each is let in by its
            // first two letters alone.
            "low back complaints",
            "neck and upper back complaints",
            "shoulder complaints",
            "knee complaints",
            "elbow complaints",
            "forearm, wrist and hand complaints",
            "hand, wrist and forearm disorders",
            "ankle and foot complaints",
            "general approaches",
            "stress related conditions",
            "eye complaints",
            "opioid treatment",
            "acupuncture medical treatment",
            "postsurgical treatment",
            "chapter 4 ",
            "kNEE complaints",
        ];
        for s in crate::parse::generated::joins(&pieces, 20000, 7) {
            let want: Vec<Head> = GUIDELINE
                .captures_iter(&s)
                .map(|c| Head {
                    whole: c.get(0).unwrap().range(),
                    chapter: c.name("chapter").map(|m| m.range()),
                    name: c.name("name").unwrap().range(),
                    year: c.name("year").map(|m| m.range()),
                })
                .collect();
            assert_eq!(heads::heads(s.as_bytes()), want, "{s:?}");
        }
    }

    /// The hand matchers of [`marks`] find what their regexes find.
    #[test]
    fn marks_match_the_regexes() {
        let pieces = [
            "Decision based on ",
            "decision BASED on ",
            "Non",
            "non-",
            "MTUS",
            "mtus",
            " Citation",
            " citations",
            "s",
            ":",
            " ",
            "the ",
            "CA ",
            "California ",
            " Guidelines",
            " guideline",
            " for",
            "x",
            "based its decision on ",
            "based their decision on ",
            "relied ",
            "upon ",
            "on ",
            "up",
            "did not cite any ",
            "medical ",
            "evidence",
            " for its decision",
            " for the decision",
            " for their",
            " decision",
            ".",
            "Section",
            "sections",
            "(s)",
            "\t",
            "\n",
            "\u{b}",
            "Page",
            "pages",
            "p",
            "pp.",
            "P.",
            "1",
            "23",
            "456",
            "-",
            " - ",
            "7890",
            ", ",
            "Forearm",
            "Wrist",
            " and ",
            " & ",
            "Hand",
            "_",
            "–",
            " – ",
            "’",
            "®",
        ];
        for s in crate::parse::generated::joins(&pieces, 20000, 8) {
            let t = s.as_bytes();
            let want: Vec<_> = BASED_ON.find_iter(&s).map(|m| m.range()).collect();
            assert_eq!(marks::based_on(t), want, "{s:?}");
            let want = NO_EVIDENCE.find(&s).map(|m| m.range());
            assert_eq!(marks::no_evidence(t), want, "{s:?}");
            let want = SECTIONS_LABEL.find(&s).map(|m| m.range());
            assert_eq!(marks::sections_label(t), want, "{s:?}");
            let want: Vec<_> = PAGES_LABEL.find_iter(&s).map(|m| m.range()).collect();
            assert_eq!(marks::pages_labels(t).collect::<Vec<_>>(), want, "{s:?}");
            let want: Vec<_> = PAGE_RANGE
                .captures_iter(&s)
                .map(|c| {
                    (
                        c[0].len(),
                        c.get(0).unwrap().range(),
                        c.get(1).unwrap().range(),
                        c.get(2).map(|m| m.range()),
                    )
                })
                .collect();
            let got: Vec<_> = marks::page_ranges(t)
                .into_iter()
                .map(|p| (p.whole.len(), p.whole, p.first, p.last))
                .collect();
            assert_eq!(got, want, "{s:?}");
        }
        // SERIAL on any text, its `\b` Unicode-aware.
        let pieces = [
            "Forearm", "Wrist", "Hand", ", ", ",", " ", "& ", "and ", "And ", "é", "x", "A", "_",
            "1",
        ];
        for s in crate::parse::generated::joins(&pieces, 20000, 8) {
            let want = SERIAL.find(&s).map(|m| m.end());
            assert_eq!(marks::serial(&s), want, "{s:?}");
        }
    }

    fn names(l: &GuidelineLine) -> Vec<(String, Option<u16>, Vec<String>)> {
        l.mtus
            .iter()
            .map(|c| {
                (
                    c.guideline.value.clone(),
                    c.year.as_ref().map(|y| y.value),
                    c.sections.iter().map(|s| s.value.clone()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn several_guidelines_with_commas_in_names() {
        let l = line(
            "Decision based on MTUS Forearm, Wrist, and Hand Complaints 2004, Section(s): Work-Relatedness, and Postsurgical Treatment 2009, Section(s):\nForearm, Wrist, & Hand, and Chronic Pain Medical Treatment 2016, Section(s): Physical\nmedicine treatment. Decision based on Non-MTUS Citation Official Disability Guidelines, Forearm.",
        );
        assert_eq!(l.basis, Basis::MtusAndNonMtus);
        assert_eq!(
            names(&l),
            vec![
                (
                    "Forearm, Wrist, and Hand Complaints".into(),
                    Some(2004),
                    vec!["Work-Relatedness".into()]
                ),
                (
                    "Postsurgical Treatment".into(),
                    Some(2009),
                    vec!["Forearm, Wrist, & Hand".into()]
                ),
                (
                    "Chronic Pain Medical Treatment".into(),
                    Some(2016),
                    vec!["Physical medicine treatment".into()]
                ),
            ]
        );
        assert_eq!(
            l.non_mtus[0].value,
            "Official Disability Guidelines, Forearm."
        );
    }

    #[test]
    fn section_lists_split_only_before_capitals() {
        let l = line(
            "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): NSAIDs, GI symptoms & cardiovascular risk, Proton Pump Inhibitors (PPIs).",
        );
        assert_eq!(
            names(&l)[0].2,
            vec![
                "NSAIDs, GI symptoms & cardiovascular risk".to_string(),
                "Proton Pump Inhibitors (PPIs)".into()
            ]
        );
        let l = line(
            "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Naproxen (Naprosyn, EC-Naprosyn, Anaprox DS [otc], Naprelan), NSAIDs (non-steroidal anti-inflammatory drugs).",
        );
        assert_eq!(names(&l)[0].2.len(), 2);
    }

    #[test]
    fn seed_shapes_with_pages() {
        let l = line(
            "Decision based on MTUS ACOEM Chapter 12 Low Back Complaints\nPage(s): 301, 340.  Decision based on Non-MTUS Citation Official Disability Guidelines",
        );
        let c = &l.mtus[0];
        assert_eq!(c.guideline.value, "Low Back Complaints");
        assert_eq!(c.acoem_chapter.as_ref().unwrap().value, 12);
        let pages: Vec<_> = c
            .pages
            .iter()
            .map(|p| (p.value.first, p.value.last))
            .collect();
        assert_eq!(pages, vec![(301, 301), (340, 340)]);
        let l = line(
            "Decision based on MTUS Chronic Pain Treatment Guidelines\nNeuromuscular electrical stimulation (NMES devices) Page(s): 121.",
        );
        assert_eq!(
            names(&l),
            vec![(
                "Chronic Pain Treatment".into(),
                None,
                vec!["Neuromuscular electrical stimulation (NMES devices)".into()]
            )]
        );
        assert_eq!(
            l.mtus[0].pages[0].value,
            PageRange {
                first: 121,
                last: 121
            }
        );
        let l = line("Decision based on MTUS Chronic Pain Treatment Guidelines TENS.");
        assert_eq!(names(&l)[0].2, vec!["TENS".to_string()]);
    }

    #[test]
    fn no_evidence_and_non_mtus_only() {
        let l =
            line("The Claims Administrator did not cite any medical evidence\nfor its decision.");
        assert_eq!(l.basis, Basis::NoEvidence);
        let l = line(
            "The Expert Reviewer based their decision on recommendation(s) outside\nof the MTUS Guidelines. Decision based on Non-MTUS Citation\nhttp://www.example.org/acute-inpatient-rehabilitation-versus-skilled-\nnursing-facility.",
        );
        assert_eq!(l.basis, Basis::NonMtus);
        assert_eq!(
            l.non_mtus[0].value,
            "http://www.example.org/acute-inpatient-rehabilitation-versus-skilled-nursing-facility."
        );
    }
}
