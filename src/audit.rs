//! Batch audit: what is learnt across letters. Summary tables (items by
//! service and section, reviewer specialties, letters with most findings) and
//! cross-letter inconsistency: items of the same service, decided under the
//! same section, whose key facts agree but whose decisions differ.
//!
//! Memory stays small however many letters run: per item the audit keeps a
//! few integers (an interned group key, the letter's index, the decision and
//! where it stands), and per letter its path.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::engine::ItemFacts;
use crate::finding::{Finding, Label};
use crate::model::{Decision, Letter};
use crate::rulebook::{Rule, Rulebook};
use crate::span::{Span, line_column};

/// Upheld and overturned counts.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Decisions {
    pub items: usize,
    pub upheld: usize,
    pub overturned: usize,
    /// Share of items upheld, 0 to 1.
    pub uphold_rate: f64,
}

impl Decisions {
    fn add(&mut self, d: Decision) {
        self.items += 1;
        match d {
            Decision::Upheld => self.upheld += 1,
            Decision::Overturned => self.overturned += 1,
        }
        self.uphold_rate = self.upheld as f64 / self.items as f64;
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceRow {
    pub service: String,
    pub section: String,
    #[serde(flatten)]
    pub decisions: Decisions,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpecialtyRow {
    pub specialty: String,
    pub letters: usize,
    pub findings: usize,
    #[serde(flatten)]
    pub decisions: Decisions,
}

#[derive(Debug, Clone, Serialize)]
pub struct LetterRow {
    pub path: String,
    pub findings: usize,
}

/// The tables an audit prints.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tables {
    pub by_service: Vec<ServiceRow>,
    pub by_specialty: Vec<SpecialtyRow>,
    pub most_findings: Vec<LetterRow>,
}

/// Another item an inconsistent item disagrees with.
#[derive(Debug, Clone, Serialize)]
pub struct Other {
    pub path: String,
    pub item: usize,
    pub decision: Decision,
}

/// An `inconsistency` finding: plain data like any finding, with the letter
/// it belongs to (found only once every letter has run) and the others.
#[derive(Debug, Clone)]
pub struct Inconsistency {
    /// The letter's place in the input order.
    pub letter: usize,
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub finding: Finding,
    pub others: Vec<Other>,
}

struct ItemRecord {
    letter: u32,
    item: u32,
    key: u32,
    decision: Decision,
    span: Span,
    line: u32,
    column: u32,
}

/// Letters with most findings kept in the table.
const MOST: usize = 10;
/// Others named in one inconsistency finding; the message gives the total.
const NAMED: usize = 5;

#[derive(Default)]
pub struct Audit {
    paths: Vec<String>,
    keys: HashMap<String, u32>,
    key_names: Vec<(String, String, String)>,
    records: Vec<ItemRecord>,
    by_service: BTreeMap<(String, String), Decisions>,
    by_specialty: BTreeMap<String, (usize, usize, Decisions)>,
    most: Vec<LetterRow>,
}

impl Audit {
    /// Adds one checked letter: its path, the letter, its text, its findings
    /// and the engine's key facts of its items.
    pub fn add(
        &mut self,
        path: &str,
        letter: &Letter,
        text: &str,
        findings: usize,
        facts: &[ItemFacts],
        book: &Rulebook,
    ) {
        let index = u32::try_from(self.paths.len()).unwrap_or(u32::MAX);
        self.paths.push(path.to_string());
        let specialty = letter
            .reviewer
            .specialties
            .first()
            .map_or_else(|| "(not stated)".to_string(), |s| s.value.clone());
        let row = self.by_specialty.entry(specialty).or_default();
        row.0 += 1;
        row.1 += findings;
        for f in facts {
            row.2.add(f.decision);
            let service = f.service.as_ref().map_or_else(
                || "(unrecognised)".to_string(),
                |id| book.service(id).map_or(id.clone(), |s| s.name.clone()),
            );
            let section = f
                .cited
                .first()
                .map_or_else(|| "(no MTUS section resolved)".to_string(), Clone::clone);
            self.by_service
                .entry((service, section))
                .or_default()
                .add(f.decision);
            let Some(id) = &f.service else { continue };
            for (section, met) in &f.sections {
                let bits: String = met.iter().map(|&m| if m { '1' } else { '0' }).collect();
                let name = format!("{id}|{section}|{bits}");
                let next = u32::try_from(self.key_names.len()).unwrap_or(u32::MAX);
                let key = *self.keys.entry(name).or_insert_with(|| {
                    self.key_names
                        .push((id.clone(), section.clone(), bits.clone()));
                    next
                });
                let (line, column) = line_column(text, f.decision_span.offset);
                self.records.push(ItemRecord {
                    letter: index,
                    item: u32::try_from(f.item).unwrap_or(u32::MAX),
                    key,
                    decision: f.decision,
                    span: f.decision_span,
                    line: u32::try_from(line).unwrap_or(u32::MAX),
                    column: u32::try_from(column).unwrap_or(u32::MAX),
                });
            }
        }
        if findings > 0 {
            self.most.push(LetterRow {
                path: path.to_string(),
                findings,
            });
            // Most findings first; ties in input order, so the table is the same on every run.
            self.most.sort_by_key(|r| std::cmp::Reverse(r.findings));
            self.most.truncate(MOST);
        }
    }

    pub fn tables(&self) -> Tables {
        Tables {
            by_service: self
                .by_service
                .iter()
                .map(|((service, section), d)| ServiceRow {
                    service: service.clone(),
                    section: section.clone(),
                    decisions: *d,
                })
                .collect(),
            by_specialty: self
                .by_specialty
                .iter()
                .map(|(s, (letters, findings, d))| SpecialtyRow {
                    specialty: s.clone(),
                    letters: *letters,
                    findings: *findings,
                    decisions: *d,
                })
                .collect(),
            most_findings: self.most.clone(),
        }
    }

    /// Items whose group (same service, same section, same documented
    /// criteria) decided otherwise in the majority. A tie reports nothing:
    /// two letters that disagree give no ground to say which is the odd one.
    pub fn inconsistencies(&self, rule: &Rule, book: &Rulebook) -> Vec<Inconsistency> {
        let mut groups: BTreeMap<u32, Vec<&ItemRecord>> = BTreeMap::new();
        for r in &self.records {
            groups.entry(r.key).or_default().push(r);
        }
        let mut out = Vec::new();
        for (key, items) in groups {
            let upheld = items
                .iter()
                .filter(|r| r.decision == Decision::Upheld)
                .count();
            let overturned = items.len() - upheld;
            // Without a majority there is no odd one out to report.
            if upheld == 0 || overturned == 0 || upheld == overturned {
                continue;
            }
            let (service, section, bits) = &self.key_names[key as usize];
            let service_name = book
                .service(service)
                .map_or(service.as_str(), |s| s.name.as_str());
            let section_title = book
                .section(section)
                .map_or(section.as_str(), |(_, s)| s.title.as_str());
            let criteria = book
                .section(section)
                .map(|(_, s)| {
                    s.criteria
                        .iter()
                        .map(|c| c.text.trim_end_matches('.').to_string())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            let documented = criteria
                .iter()
                .zip(bits.chars())
                .map(|(c, b)| {
                    let state = if b == '1' {
                        "documented"
                    } else {
                        "not documented"
                    };
                    format!("{state}: {c}")
                })
                .collect::<Vec<_>>()
                .join("; ");
            for r in &items {
                let minority = match r.decision {
                    Decision::Upheld => upheld < overturned,
                    Decision::Overturned => overturned < upheld,
                };
                if !minority {
                    continue;
                }
                let disagree: Vec<&&ItemRecord> =
                    items.iter().filter(|o| o.decision != r.decision).collect();
                let others: Vec<Other> = disagree
                    .iter()
                    .take(NAMED)
                    .map(|o| Other {
                        path: self.paths[o.letter as usize].clone(),
                        item: o.item as usize,
                        decision: o.decision,
                    })
                    .collect();
                let word = |d: Decision| match d {
                    Decision::Upheld => "upheld",
                    Decision::Overturned => "overturned",
                };
                let named: Vec<String> = others
                    .iter()
                    .map(|o| format!("{} item {}", o.path, o.item))
                    .collect();
                let more = disagree.len().saturating_sub(NAMED);
                let message = format!(
                    "{service_name} under {section_title} is {} here, but {} other item{} with the same documented criteria {} {}: {}{}",
                    word(r.decision),
                    disagree.len(),
                    if disagree.len() == 1 { "" } else { "s" },
                    if disagree.len() == 1 { "was" } else { "were" },
                    word(disagree[0].decision),
                    named.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                );
                out.push(Inconsistency {
                    letter: r.letter as usize,
                    path: self.paths[r.letter as usize].clone(),
                    line: r.line as usize,
                    column: r.column as usize,
                    finding: Finding {
                        code: rule.code.clone(),
                        kind: rule.kind,
                        severity: rule.severity,
                        item: Some(r.item as usize),
                        message,
                        span: r.span,
                        labels: vec![Label {
                            span: r.span,
                            message: format!("{} here", word(r.decision)),
                        }],
                        help: format!("Key facts compared: {documented}.\n{}", rule.help),
                        rule: rule.code.clone(),
                    },
                    others,
                });
            }
        }
        out.sort_by_key(|a| (a.letter, a.finding.item));
        out
    }
}
