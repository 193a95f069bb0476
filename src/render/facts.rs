//! Output of `imrlint facts`: the clinical facts the checks see, by section
//! of the letter, as a listing for people or as JSON.

use std::io::{self, Write};

use serde::Serialize;

use crate::context::{Category, Experiencer, Negation, Temporality};
use crate::engine::LetterFacts;
use crate::engine::concepts::{Assertion, Mention, Place};
use crate::model::Letter;
use crate::rulebook::Rulebook;
use crate::span::{Span, line_column};

/// A span as the JSON shows it: where it is and what it says.
#[derive(Serialize)]
struct JsonSpan<'a> {
    offset: usize,
    length: usize,
    line: usize,
    column: usize,
    text: &'a str,
}

impl<'a> JsonSpan<'a> {
    fn of(text: &'a str, span: Span) -> JsonSpan<'a> {
        let (line, column) = line_column(text, span.offset);
        JsonSpan {
            offset: span.offset,
            length: span.length,
            line,
            column,
            text: span.slice(text).unwrap_or(""),
        }
    }
}

#[derive(Serialize)]
struct JsonCue<'a> {
    category: Category,
    /// The cue behind the fact's assertion (the nearest of its category).
    decides: bool,
    trigger: JsonSpan<'a>,
    scope: JsonSpan<'a>,
}

#[derive(Serialize)]
struct JsonFact<'a> {
    concept: &'a str,
    name: &'a str,
    assertion: Assertion,
    negation: Negation,
    temporality: Temporality,
    experiencer: Experiencer,
    /// `guideline-statement` for a rationale sentence restating a guideline.
    place: Place,
    span: JsonSpan<'a>,
    cues: Vec<JsonCue<'a>>,
    sentence: JsonSpan<'a>,
}

#[derive(Serialize)]
struct JsonSection<'a> {
    /// `case-summary` or `rationale`.
    section: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    item: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    item_name: Option<&'a str>,
    facts: Vec<JsonFact<'a>>,
}

#[derive(Serialize)]
struct JsonLetter<'a> {
    path: &'a str,
    sections: Vec<JsonSection<'a>>,
}

fn concept_name<'a>(book: &'a Rulebook, id: &'a str) -> &'a str {
    book.concept(id).map_or(id, |c| c.name.as_str())
}

fn json_fact<'a>(book: &'a Rulebook, text: &'a str, m: &'a Mention) -> JsonFact<'a> {
    JsonFact {
        concept: &m.concept,
        name: concept_name(book, &m.concept),
        assertion: m.assertion(),
        negation: m.negation,
        temporality: m.temporality,
        experiencer: m.experiencer,
        place: m.place,
        span: JsonSpan::of(text, m.span),
        cues: m
            .cues
            .iter()
            .map(|c| JsonCue {
                category: c.category,
                decides: m.cue().is_some_and(|d| std::ptr::eq(d, c)),
                trigger: JsonSpan::of(text, c.trigger),
                scope: JsonSpan::of(text, c.scope),
            })
            .collect(),
        sentence: JsonSpan::of(text, m.sentence),
    }
}

/// The sections of one letter, case summary first, then each item's rationale.
fn sections<'a>(
    book: &'a Rulebook,
    letter: &'a Letter,
    text: &'a str,
    facts: &'a LetterFacts,
) -> Vec<JsonSection<'a>> {
    let mut out = vec![JsonSection {
        section: "case-summary",
        item: None,
        item_name: None,
        facts: facts
            .case_summary
            .iter()
            .map(|m| json_fact(book, text, m))
            .collect(),
    }];
    for (index, mentions) in &facts.rationales {
        out.push(JsonSection {
            section: "rationale",
            item: Some(*index),
            item_name: letter
                .items
                .iter()
                .find(|i| i.index == *index)
                .map(|i| i.name.value.as_str()),
            facts: mentions.iter().map(|m| json_fact(book, text, m)).collect(),
        });
    }
    out
}

/// One letter's facts, ready to print.
pub struct Listing<'a> {
    pub path: &'a str,
    pub book: &'a Rulebook,
    pub letter: &'a Letter,
    pub text: &'a str,
    pub facts: &'a LetterFacts,
}

impl Listing<'_> {
    fn sections(&self) -> Vec<JsonSection<'_>> {
        sections(self.book, self.letter, self.text, self.facts)
    }

    /// One JSON object for the letter; `pretty` for a single file, else one line.
    pub fn write_json(&self, out: &mut impl Write, pretty: bool) -> io::Result<()> {
        let doc = JsonLetter {
            path: self.path,
            sections: self.sections(),
        };
        if pretty {
            serde_json::to_writer_pretty(&mut *out, &doc)?;
        } else {
            serde_json::to_writer(&mut *out, &doc)?;
        }
        writeln!(out)
    }

    /// One line per fact: where, how it is asserted, the concept, the words,
    /// and the cue that decided it.
    pub fn write_text(&self, out: &mut impl Write) -> io::Result<()> {
        writeln!(out, "{}", self.path)?;
        for s in self.sections() {
            match (s.item, s.item_name) {
                (Some(i), Some(name)) => writeln!(out, "  item {i} rationale: {name}")?,
                _ => writeln!(out, "  case summary")?,
            }
            if s.facts.is_empty() {
                writeln!(out, "    (no facts)")?;
            }
            for f in &s.facts {
                let mut line = format!(
                    "    {}:{:<4} {:<12} {:<28} \"{}\"",
                    f.span.line,
                    f.span.column,
                    word(f.assertion),
                    f.concept,
                    squeeze(f.span.text)
                );
                if let Some(cue) = f.cues.iter().find(|c| c.decides) {
                    line.push_str(&format!(" <- \"{}\"", squeeze(cue.trigger.text)));
                }
                if f.place == Place::GuidelineStatement {
                    line.push_str(" (restates a guideline)");
                }
                writeln!(out, "{line}")?;
            }
        }
        Ok(())
    }
}

fn word(a: Assertion) -> &'static str {
    match a {
        Assertion::Affirmed => "affirmed",
        Assertion::Negated => "negated",
        Assertion::Possible => "possible",
        Assertion::Hypothetical => "hypothetical",
        Assertion::Historical => "historical",
        Assertion::OtherPerson => "other person",
    }
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
