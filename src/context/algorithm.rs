//! The ConText algorithm over one sentence: find the triggers; a pre-trigger's
//! scope runs forward, a post-trigger's backward, each to the sentence's edge,
//! the first termination of its category, or the window, whichever is
//! nearest; pseudo-triggers start no scope; a target takes the category of
//! every trigger whose scope reaches it.

use std::ops::Range;

use serde::Serialize;

use super::swar;
use super::triggers::{ASCII_WORD, Category, Hit, Kind, Roles, Triggers, is_word};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Negation {
    Affirmed,
    Negated,
    Possible,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Temporality {
    Recent,
    Historical,
    Hypothetical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Experiencer {
    Patient,
    Other,
}

/// A trigger that reached the target: its category, direction, and the byte
/// ranges of the cue and of its scope in the sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    pub category: Category,
    pub kind: Kind,
    pub trigger: Range<usize>,
    pub scope: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub negation: Negation,
    pub temporality: Temporality,
    pub experiencer: Experiencer,
    pub cues: Vec<Cue>,
}

const CATEGORIES: [Category; 5] = [
    Category::Negated,
    Category::Possible,
    Category::Hypothetical,
    Category::Historical,
    Category::Other,
];

/// Assesses `target` (a byte range of `sentence`) with the built-in triggers.
pub fn assess(sentence: &str, target: Range<usize>) -> Assessment {
    assess_with(Triggers::builtin(), sentence, target)
}

/// Assesses `target` with the given triggers.
pub fn assess_with(triggers: &Triggers, sentence: &str, target: Range<usize>) -> Assessment {
    assess_among(triggers, sentence, &triggers.find(sentence), target)
}

/// As [`assess_with`], given the sentence's triggers (`triggers.find(sentence)`):
/// a sentence naming several targets is searched once.
pub fn assess_among(
    triggers: &Triggers,
    sentence: &str,
    all: &[Hit],
    target: Range<usize>,
) -> Assessment {
    assess_hits::<true>(triggers, sentence, all, target)
}

/// [`assess_among`]; `SKIP`: a category no hit opens a scope of is passed
/// over whole, and a hit that opens none of a category's at once (most
/// sentences hold a few triggers of one or two categories, and each was
/// tested for every category); without it (kept to test against) every
/// hit is read for every category.
fn assess_hits<const SKIP: bool>(
    triggers: &Triggers,
    sentence: &str,
    all: &[Hit],
    target: Range<usize>,
) -> Assessment {
    // The roles each hit plays for this target (none: it is no cue about
    // it): the target's own words are not cues about it, but a target that
    // opens with a termination ("despite conservative care") starts a
    // clause, so scopes from before it stop there. Read afresh for each
    // category rather than collected: a sentence holds few triggers.
    let roles = |h: &Hit| {
        if h.span.end <= target.start || h.span.start >= target.end {
            h.roles
        } else if h.span.start == target.start {
            h.roles.of_kind(Kind::Terminate)
        } else {
            Roles::default()
        }
    };
    let mut cues = Vec::new();
    // Only a pre- or post-trigger pushes a cue, so passing over what opens
    // no scope of the category changes nothing.
    let played = if SKIP {
        all.iter()
            .fold(Roles::default(), |acc, h| acc.union(roles(h)))
    } else {
        Roles::default()
    };
    for &cat in &CATEGORIES {
        if SKIP && !played.opens_scope(cat) {
            continue;
        }
        let ends = |h: &&Hit| {
            let r = roles(h);
            r.contains(cat, Kind::Terminate) || r.contains(Category::All, Kind::Terminate)
        };
        for (n, h) in all.iter().enumerate() {
            let (span, r) = (&h.span, roles(h));
            if (SKIP && !r.opens_scope(cat)) || r.contains(cat, Kind::Pseudo) {
                continue;
            }
            if r.contains(cat, Kind::Pre) && target.start >= span.end {
                let stop = all[n + 1..]
                    .iter()
                    .find(ends)
                    .map_or(sentence.len(), |g| g.span.start);
                let end = stop.min(forward_window(sentence, span.end, triggers.window_of(cat)));
                let scope = span.end..end;
                if target.start < scope.end {
                    cues.push(Cue {
                        category: cat,
                        kind: Kind::Pre,
                        trigger: span.clone(),
                        scope,
                    });
                }
            }
            if r.contains(cat, Kind::Post) && target.end <= span.start {
                let stop = all[..n].iter().rev().find(ends).map_or(0, |g| g.span.end);
                let start = stop.max(backward_window(
                    sentence,
                    span.start,
                    triggers.window_of(cat),
                ));
                let scope = start..span.start;
                if target.end > scope.start {
                    cues.push(Cue {
                        category: cat,
                        kind: Kind::Post,
                        trigger: span.clone(),
                        scope,
                    });
                }
            }
        }
    }
    let has = |c: Category| cues.iter().any(|q| q.category == c);
    let negation = if has(Category::Negated) {
        Negation::Negated
    } else if has(Category::Possible) {
        Negation::Possible
    } else {
        Negation::Affirmed
    };
    let temporality = if has(Category::Hypothetical) {
        Temporality::Hypothetical
    } else if has(Category::Historical) {
        Temporality::Historical
    } else {
        Temporality::Recent
    };
    let experiencer = if has(Category::Other) {
        Experiencer::Other
    } else {
        Experiencer::Patient
    };
    Assessment {
        negation,
        temporality,
        experiencer,
        cues,
    }
}

/// Byte offset after the `words`-th word that follows `from`.
fn forward_window(s: &str, from: usize, words: usize) -> usize {
    // ASCII bytes are read from a table; only other characters are decoded
    // (a window is walked for every trigger of every target).
    let bytes = s.as_bytes();
    let mut count = 0;
    let mut in_word = false;
    let mut i = from;
    // Sixteen, then eight ASCII bytes at a time, while they are ASCII.
    while let Some(block) = bytes.get(i..i + 16) {
        let Some(word) = swar::words16(block.try_into().expect("sixteen bytes")) else {
            break;
        };
        let mut starts = word & !((word << 1) | u32::from(in_word));
        while starts != 0 {
            if count == words {
                return i + starts.trailing_zeros() as usize;
            }
            count += 1;
            starts &= starts - 1;
        }
        in_word = word >> 15 != 0;
        i += 16;
    }
    while let Some(chunk) = bytes.get(i..i + 8) {
        let x = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        if !swar::is_ascii(x) {
            break;
        }
        let (mut starts, last) = swar::word_starts(x, in_word);
        while starts != 0 {
            if count == words {
                return i + (starts.trailing_zeros() / 8) as usize;
            }
            count += 1;
            starts &= starts - 1;
        }
        in_word = last;
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        let (word, len) = if b.is_ascii() {
            (ASCII_WORD[b as usize], 1)
        } else {
            s[i..]
                .chars()
                .next()
                .map_or((false, 1), |c| (is_word(c), c.len_utf8()))
        };
        if word {
            if !in_word {
                if count == words {
                    return i;
                }
                count += 1;
            }
            in_word = true;
        } else {
            in_word = false;
        }
        i += len;
    }
    s.len()
}

/// Byte offset of the start of the `words`-th word before `to`.
fn backward_window(s: &str, to: usize, words: usize) -> usize {
    let bytes = s.as_bytes();
    let mut count = 0;
    let mut in_word = false;
    // `i` is the end of the character read next.
    let mut i = to;
    while i > 0 {
        let b = bytes[i - 1];
        let (word, start) = if b.is_ascii() {
            (ASCII_WORD[b as usize], i - 1)
        } else {
            s[..i]
                .chars()
                .next_back()
                .map_or((false, i - 1), |c| (is_word(c), i - c.len_utf8()))
        };
        if word {
            if !in_word {
                if count == words {
                    return i;
                }
                count += 1;
            }
            in_word = true;
        } else {
            in_word = false;
        }
        i = start;
    }
    0
}

/// The windows as first written, over decoded characters: what the byte
/// walks above must agree with.
#[cfg(test)]
mod by_chars {
    use super::is_word;

    pub fn forward_window(s: &str, from: usize, words: usize) -> usize {
        let mut count = 0;
        let mut in_word = false;
        for (i, c) in s[from..].char_indices() {
            if is_word(c) {
                if !in_word {
                    if count == words {
                        return from + i;
                    }
                    count += 1;
                }
                in_word = true;
            } else {
                in_word = false;
            }
        }
        s.len()
    }

    pub fn backward_window(s: &str, to: usize, words: usize) -> usize {
        let mut count = 0;
        let mut in_word = false;
        for (i, c) in s[..to].char_indices().rev() {
            if is_word(c) {
                if !in_word {
                    if count == words {
                        return i + c.len_utf8();
                    }
                    count += 1;
                }
                in_word = true;
            } else {
                in_word = false;
            }
        }
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str, word: &str) -> Assessment {
        let start = s.find(word).expect("target in sentence");
        assess(s, start..start + word.len())
    }

    #[test]
    fn pre_and_post_triggers() {
        assert_eq!(
            at("There is no evidence of a prior stroke.", "stroke").negation,
            Negation::Negated
        );
        assert_eq!(
            at("Pneumonia is ruled out.", "Pneumonia").negation,
            Negation::Negated
        );
        assert_eq!(
            at("The patient has a stroke.", "stroke").negation,
            Negation::Affirmed
        );
        assert_eq!(
            at("Rule out herniated nucleus pulposus.", "herniated").negation,
            Negation::Possible
        );
    }

    #[test]
    fn windows_count_words() {
        let s = "a bb  c, dd";
        assert_eq!(forward_window(s, 0, 2), 6);
        assert_eq!(backward_window(s, s.len(), 1), 7);
    }

    proptest::proptest! {
        /// Passing over categories and hits that open no scope assesses
        /// every target as reading them all does.
        #[test]
        fn skipping_what_opens_no_scope_assesses_alike(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "no", "not", "denies", "history of", "possible", "rule out", "if",
                    "family history", "but", "however", "no increase", "pain", "the patient",
                    "stroke", "ſ", "\u{212a}", "é", "-", ".", ",", "was", "would", "mother",
                ]),
                0..24,
            ),
            a in 0usize..400,
            b in 0usize..400,
        ) {
            let s: String = parts.join(" ");
            let bounds: Vec<usize> = (0..=s.len()).filter(|&i| s.is_char_boundary(i)).collect();
            let (a, b) = (bounds[a % bounds.len()], bounds[b % bounds.len()]);
            let target = a.min(b)..a.max(b);
            let t = Triggers::builtin();
            let hits = t.find(&s);
            proptest::prop_assert_eq!(
                assess_hits::<true>(t, &s, &hits, target.clone()),
                assess_hits::<false>(t, &s, &hits, target)
            );
        }

        #[test]
        fn ascii_windows_read_as_character_windows(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", "Ab", "_", " ", "-", ".", "x1", "\u{0}", "  ", "word", "\u{e9}",
                ]),
                0..60,
            ),
            at in 0usize..400,
            words in 0usize..12,
        ) {
            let s: String = parts.concat();
            let bounds: Vec<usize> = (0..=s.len()).filter(|&i| s.is_char_boundary(i)).collect();
            let at = bounds[at % bounds.len()];
            proptest::prop_assert_eq!(
                forward_window(&s, at, words),
                by_chars::forward_window(&s, at, words)
            );
        }

        #[test]
        fn byte_windows_read_as_character_windows(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", "Ab", "_", " ", "-", ".", "\u{17f}", "\u{212a}", "\u{e9}", "\u{2014}",
                    "\u{1f600}", "\u{663}", "\u{a0}", "x1", "\u{0}",
                ]),
                0..30,
            ),
            at in 0usize..200,
            words in 0usize..6,
        ) {
            let s: String = parts.concat();
            let bounds: Vec<usize> = (0..=s.len()).filter(|&i| s.is_char_boundary(i)).collect();
            let at = bounds[at % bounds.len()];
            proptest::prop_assert_eq!(
                forward_window(&s, at, words),
                by_chars::forward_window(&s, at, words)
            );
            proptest::prop_assert_eq!(
                backward_window(&s, at, words),
                by_chars::backward_window(&s, at, words)
            );
        }
    }
}
