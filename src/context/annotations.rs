//! The NegEx / ConText annotation format: tab-separated, one header row;
//! columns id, condition, sentence, then optionally negation status,
//! temporality and experiencer labels. Reading rows, finding the condition
//! in its sentence, and scoring assessments against the labels.

use std::ops::Range;

use super::algorithm::{Experiencer, Negation, Temporality};

/// One annotated sentence.
#[derive(Debug, Clone)]
pub struct Row {
    /// 1-based line number in the file.
    pub line: usize,
    pub id: String,
    pub condition: String,
    pub sentence: String,
    pub negation: Option<Negation>,
    pub temporality: Option<Temporality>,
    pub experiencer: Option<Experiencer>,
}

/// Reads the rows of an annotation file's text. Errors name the line.
pub fn parse(text: &str) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, header)) if header.split('\t').count() >= 3 => {}
        Some(_) => return Err("line 1: expected a tab-separated header row with at least 3 columns (id, condition, sentence)".into()),
        None => return Err("empty file: expected a header row and annotated sentences".into()),
    }
    for (i, raw) in lines {
        let line = i + 1;
        let raw = raw.trim_end_matches('\r');
        if raw.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = raw.split('\t').collect();
        if cols.len() < 3 {
            return Err(format!(
                "line {line}: expected at least 3 tab-separated columns (id, condition, sentence), found {}",
                cols.len()
            ));
        }
        let label = |n: usize| {
            cols.get(n)
                .map(|s| unquote(s).trim().to_ascii_lowercase())
                .filter(|s| !s.is_empty())
        };
        let negation = label(3)
            .map(|l| match l.as_str() {
                "affirmed" => Ok(Negation::Affirmed),
                "negated" => Ok(Negation::Negated),
                "possible" => Ok(Negation::Possible),
                _ => Err(format!(
                    "line {line}: unknown negation status {l:?} (Affirmed, Negated, Possible)"
                )),
            })
            .transpose()?;
        let temporality = label(4)
            .map(|l| match l.as_str() {
                "recent" => Ok(Temporality::Recent),
                "historical" => Ok(Temporality::Historical),
                "hypothetical" | "not particular" => Ok(Temporality::Hypothetical),
                _ => Err(format!(
                    "line {line}: unknown temporality {l:?} (Recent, Historical, Hypothetical)"
                )),
            })
            .transpose()?;
        let experiencer = label(5)
            .map(|l| match l.as_str() {
                "patient" => Ok(Experiencer::Patient),
                "other" | "family member" => Ok(Experiencer::Other),
                _ => Err(format!(
                    "line {line}: unknown experiencer {l:?} (Patient, Other)"
                )),
            })
            .transpose()?;
        rows.push(Row {
            line,
            id: cols[0].trim().to_string(),
            condition: unquote(cols[1]).trim().to_string(),
            sentence: unquote(cols[2]).to_string(),
            negation,
            temporality,
            experiencer,
        });
    }
    Ok(rows)
}

fn unquote(s: &str) -> &str {
    let t = s.trim();
    if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
        &t[1..t.len() - 1]
    } else {
        s
    }
}

/// Where `condition` is in `sentence`: case-insensitive, any run of
/// whitespace matching any other, on whole words. Of several occurrences the
/// first written in capitals (the annotation sets upper-case the condition
/// inside a mixed-case sentence) wins, else the first.
pub fn locate(sentence: &str, condition: &str) -> Option<Range<usize>> {
    let words: Vec<&str> = condition.split_whitespace().collect();
    if words.is_empty() {
        return None;
    }
    let tokens = word_spans(sentence);
    let mut found = Vec::new();
    'start: for token in &tokens {
        let mut end = token.start;
        let mut at = token.start;
        for (k, w) in words.iter().enumerate() {
            // Condition words may hold punctuation; compare the raw text.
            let rest = &sentence[at..];
            let rest_trim = if k == 0 { rest } else { rest.trim_start() };
            let skipped = rest.len() - rest_trim.len();
            if k > 0 && skipped == 0 {
                continue 'start;
            }
            let Some(head) = rest_trim.get(..w.len()) else {
                continue 'start;
            };
            if !head.eq_ignore_ascii_case(w) {
                continue 'start;
            }
            at += skipped + w.len();
            end = at;
        }
        let boundary = sentence[end..]
            .chars()
            .next()
            .is_none_or(|c| !super::triggers::is_word(c));
        if boundary {
            found.push(token.start..end);
        }
    }
    let mixed = sentence.chars().any(char::is_lowercase);
    found
        .iter()
        .find(|r| mixed && !sentence[(*r).clone()].chars().any(char::is_lowercase))
        .or(found.first())
        .cloned()
}

/// Byte ranges of the words of `s` (a word: letters and digits, or one other
/// non-space character).
fn word_spans(s: &str) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut prev_word = false;
    for (i, c) in s.char_indices() {
        let w = super::triggers::is_word(c);
        if c.is_whitespace() {
            prev_word = false;
            continue;
        }
        if w && prev_word {
            if let Some(last) = out.last_mut() {
                last.end = i + c.len_utf8();
            }
        } else {
            out.push(i..i + c.len_utf8());
        }
        prev_word = w;
    }
    out
}

/// Counts for the figures: negation with "negated" as the positive class,
/// accuracy of temporality and experiencer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scores {
    pub rows: usize,
    pub not_found: usize,
    pub negation_labelled: usize,
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub tn: usize,
    pub temporality_labelled: usize,
    pub temporality_correct: usize,
    pub experiencer_labelled: usize,
    pub experiencer_correct: usize,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

impl Scores {
    /// Adds one row's prediction (for a condition not found, the defaults:
    /// affirmed, recent, patient).
    pub fn add(&mut self, row: &Row, found: bool, n: Negation, t: Temporality, e: Experiencer) {
        self.rows += 1;
        if !found {
            self.not_found += 1;
        }
        if let Some(gold) = row.negation {
            self.negation_labelled += 1;
            match (gold == Negation::Negated, n == Negation::Negated) {
                (true, true) => self.tp += 1,
                (false, true) => self.fp += 1,
                (true, false) => self.fn_ += 1,
                (false, false) => self.tn += 1,
            }
        }
        if let Some(gold) = row.temporality {
            self.temporality_labelled += 1;
            self.temporality_correct += usize::from(gold == t);
        }
        if let Some(gold) = row.experiencer {
            self.experiencer_labelled += 1;
            self.experiencer_correct += usize::from(gold == e);
        }
    }

    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    pub fn negation_accuracy(&self) -> f64 {
        ratio(self.tp + self.tn, self.negation_labelled)
    }

    pub fn temporality_accuracy(&self) -> f64 {
        ratio(self.temporality_correct, self.temporality_labelled)
    }

    pub fn experiencer_accuracy(&self) -> f64 {
        ratio(self.experiencer_correct, self.experiencer_labelled)
    }

    /// True when the file carried any labels.
    pub fn labelled(&self) -> bool {
        self.negation_labelled + self.temporality_labelled + self.experiencer_labelled > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_upper_cased_condition() {
        let s = "Edema was noted; no peripheral  EDEMA.";
        let r = locate(s, "edema").expect("found");
        assert_eq!(&s[r], "EDEMA");
        let s = "staph   bacteremia was found";
        assert_eq!(locate(s, "Staph bacteremia"), Some(0..18));
        assert_eq!(locate("no edematous legs", "edema"), None);
    }

    #[test]
    fn parses_rows_and_labels() {
        let text = "id\tc\ts\tneg\ttemp\texp\r\n1\tedema\t\"No EDEMA.\"\tNegated\tNot particular\tFamily member\r\n";
        let rows = parse(text).expect("parses");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].sentence, "No EDEMA.");
        assert_eq!(rows[0].temporality, Some(Temporality::Hypothetical));
        assert_eq!(rows[0].experiencer, Some(Experiencer::Other));
        assert!(parse("id\tc\ts\n1\tonly two\n").is_err());
    }
}
