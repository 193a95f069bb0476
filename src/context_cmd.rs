//! The `context` command: assess each condition of a NegEx-format annotation
//! file (negation, temporality, experiencer) and, when the file carries
//! labels, score the assessments against them.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use serde::Serialize;

use crate::cli::ContextFormat;
use crate::context::annotations::{self, Scores};
use crate::context::{Experiencer, Negation, Temporality, assess};

/// One row's result; the JSON field names are a contract.
#[derive(Debug, Serialize)]
struct Judged<'a> {
    id: &'a str,
    condition: &'a str,
    negation: Option<Negation>,
    temporality: Option<Temporality>,
    experiencer: Option<Experiencer>,
    found: bool,
    #[serde(skip)]
    cues: Vec<String>,
}

pub fn context(path: &Path, format: ContextFormat) -> ExitCode {
    let text = match std::fs::read(path) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => {
            eprintln!("imrlint: cannot read {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    let rows = match annotations::parse(&text) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("imrlint: {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    let mut scores = Scores::default();
    let mut judged = Vec::with_capacity(rows.len());
    for row in &rows {
        let j = match annotations::locate(&row.sentence, &row.condition) {
            Some(target) => {
                let a = assess(&row.sentence, target);
                scores.add(row, true, a.negation, a.temporality, a.experiencer);
                Judged {
                    id: &row.id,
                    condition: &row.condition,
                    negation: Some(a.negation),
                    temporality: Some(a.temporality),
                    experiencer: Some(a.experiencer),
                    found: true,
                    cues: a
                        .cues
                        .iter()
                        .map(|c| {
                            format!("{:?}: {:?}", c.category, &row.sentence[c.trigger.clone()])
                                .to_lowercase()
                        })
                        .collect(),
                }
            }
            None => {
                scores.add(
                    row,
                    false,
                    Negation::Affirmed,
                    Temporality::Recent,
                    Experiencer::Patient,
                );
                Judged {
                    id: &row.id,
                    condition: &row.condition,
                    negation: None,
                    temporality: None,
                    experiencer: None,
                    found: false,
                    cues: Vec::new(),
                }
            }
        };
        judged.push(j);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match format {
        ContextFormat::Json => serde_json::to_writer_pretty(&mut out, &judged)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out)),
        ContextFormat::Text => write_text(&mut out, &judged, &scores),
    };
    if let Err(e) = written.and_then(|()| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("imrlint: cannot write output: {e}");
        }
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

fn name<T: std::fmt::Debug>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:?}"))
}

fn write_text(out: &mut impl Write, judged: &[Judged], s: &Scores) -> std::io::Result<()> {
    for j in judged {
        if j.found {
            write!(
                out,
                "{}\t{}\t{}\t{}\t{}",
                j.id,
                name(j.negation),
                name(j.temporality),
                name(j.experiencer),
                j.condition
            )?;
            if !j.cues.is_empty() {
                write!(out, "\t[{}]", j.cues.join(", "))?;
            }
            writeln!(out)?;
        } else {
            writeln!(out, "{}\tnot found in its sentence\t{}", j.id, j.condition)?;
        }
    }
    if s.labelled() {
        writeln!(out)?;
        writeln!(
            out,
            "{} sentences, {} conditions not found in their sentence (scored as Affirmed, Recent, Patient)",
            s.rows, s.not_found
        )?;
        if s.negation_labelled > 0 {
            writeln!(
                out,
                "negation (negated = positive), {} labelled: TP {} FP {} FN {} TN {}",
                s.negation_labelled, s.tp, s.fp, s.fn_, s.tn
            )?;
            writeln!(
                out,
                "  precision {:.3}  recall {:.3}  F {:.3}  accuracy {:.3}",
                s.precision(),
                s.recall(),
                s.f1(),
                s.negation_accuracy()
            )?;
        }
        if s.temporality_labelled > 0 {
            writeln!(
                out,
                "temporality accuracy {:.3} ({}/{})",
                s.temporality_accuracy(),
                s.temporality_correct,
                s.temporality_labelled
            )?;
        }
        if s.experiencer_labelled > 0 {
            writeln!(
                out,
                "experiencer accuracy {:.3} ({}/{})",
                s.experiencer_accuracy(),
                s.experiencer_correct,
                s.experiencer_labelled
            )?;
        }
    }
    Ok(())
}
