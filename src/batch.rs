//! Running many letters: read, parse and evaluate in parallel (rayon), hand
//! the results to a sink in input order, keep only a bounded window of
//! letters in memory, account for every input.
//!
//! Letters are taken in chunks: each chunk is evaluated in parallel and then
//! written in order before the next is read, so the output is the same for
//! any thread count and memory is bounded by the chunk, not the batch.

use std::io;

use rayon::prelude::*;

use crate::audit::Audit;
use crate::engine::Engine;
use crate::engine::suppress::SidecarEntries;
use crate::render::check::{Checked, Summary};
use crate::render::parse::Outcome;
use crate::render::sink::{End, Sink};
use crate::rulebook::{Rule, Severity};
use crate::source::Input;
use crate::suppress::baseline::{self, BaselineFile};
use crate::suppress::sidecar::Sidecar;

/// Letters in flight per thread: enough to keep threads busy, few enough
/// that a chunk of letters (texts, models, findings) stays a few MiB. A
/// letter takes about a tenth of a millisecond: with 8 a thread, waking the
/// pool and waiting for the slowest letter of each chunk cost a third of the
/// second thread's gain (1.44x on 2 threads at 50,000 letters; 1.68x with 64).
const PER_THREAD: usize = 64;

/// One letter evaluated: its result and its items' key facts.
type Done = (Checked, Vec<crate::engine::ItemFacts>);

pub struct Batch<'a> {
    pub engine: &'a Engine<'a>,
    pub selected: &'a (dyn Fn(&Rule) -> bool + Sync),
    pub min: Severity,
    /// Collect cross-letter facts and tables (`audit`).
    pub audit: bool,
    pub statistics: bool,
}

/// Called after each letter is written: progress reporting.
pub type Progress<'a> = &'a (dyn Fn() + Sync);

/// What `check` and `audit` add to a run: the `--suppressions` sidecar, the
/// `--baseline` to match, and whether to record a new one (`--write-baseline`).
#[derive(Default)]
pub struct Extras<'a> {
    pub sidecar: Option<&'a Sidecar>,
    pub baseline: Option<&'a BaselineFile>,
    pub record: bool,
}

/// A run's summary, and what the baseline options learnt.
pub struct RunOutput<'a> {
    pub summary: Summary,
    /// `--baseline` entries whose findings are gone, with how many of each.
    pub fixed: Vec<(&'a baseline::Entry, usize)>,
    /// The baseline recorded (`--write-baseline`).
    pub recorded: Option<BaselineFile>,
}

/// A letter's key for the baseline, and per item its name and decision words
/// (an inconsistency flags the decision): kept per audited letter only while
/// a baseline is read or written, since cross-letter findings come at the end.
struct LetterKey {
    key: String,
    items: Vec<(String, String)>,
}

impl Batch<'_> {
    fn one(&self, input: &Input, sidecar: Option<&Sidecar>) -> Done {
        self.check_with(Outcome::run(input), sidecar)
    }

    /// Evaluates a letter already read and parsed (or that failed to be),
    /// with the sidecar's suppressions: the step `check` takes for each input.
    fn check_with(&self, outcome: Outcome, sidecar: Option<&Sidecar>) -> Done {
        let (findings, facts, suppressed) = match (&outcome.result, &outcome.source) {
            (Ok(letter), Some(src)) => {
                let entries = sidecar.map(|s| {
                    (
                        s.name.as_str(),
                        s.for_letter(
                            letter.case_number.as_ref().map(|c| c.value.as_str()),
                            &outcome.path,
                        ),
                    )
                });
                let e = self.engine.evaluate_letter(
                    letter,
                    &src.text,
                    self.selected,
                    self.audit,
                    entries.as_ref().map(|(name, entries)| SidecarEntries {
                        name,
                        entries: entries.as_slice(),
                    }),
                );
                (
                    e.findings
                        .into_iter()
                        .filter(|f| f.severity >= self.min)
                        .collect(),
                    e.facts,
                    e.suppressed
                        .into_iter()
                        .filter(|s| s.finding.severity >= self.min)
                        .collect(),
                )
            }
            _ => (Vec::new(), Vec::new(), Vec::new()),
        };
        let checked = Checked {
            outcome,
            findings,
            suppressed,
        };
        (checked, facts)
    }

    /// One letter as a run would report it: the sidecar's suppressions
    /// applied and the findings the baseline holds dropped (the language
    /// server, which checks one open letter at a time).
    pub fn check_alone(&self, outcome: Outcome, extras: &Extras) -> Checked {
        let (mut checked, _) = self.check_with(outcome, extras.sidecar);
        if let Some(file) = extras.baseline {
            let mut matcher = Some(baseline::Matcher::new(file));
            baseline_pass(&mut checked, &mut None, &mut matcher);
        }
        checked
    }

    /// Runs `inputs` through the engine on `pool` and into `sink`, taking
    /// them from the iterator a chunk at a time.
    pub fn run(
        &self,
        inputs: &mut dyn Iterator<Item = Input>,
        pool: &rayon::ThreadPool,
        sink: &mut dyn Sink,
        progress: Progress,
    ) -> io::Result<Summary> {
        Ok(self
            .run_with(inputs, pool, sink, progress, &Extras::default())?
            .summary)
    }

    /// [`Batch::run`] with suppressions from a sidecar and a baseline to match or record.
    pub fn run_with<'e>(
        &self,
        inputs: &mut dyn Iterator<Item = Input>,
        pool: &rayon::ThreadPool,
        sink: &mut dyn Sink,
        progress: Progress,
        extras: &Extras<'e>,
    ) -> io::Result<RunOutput<'e>> {
        let mut summary = Summary::default();
        let mut audit = Audit::default();
        let mut matcher = extras.baseline.map(baseline::Matcher::new);
        let mut recorder = extras.record.then(baseline::Recorder::default);
        let fingerprints = matcher.is_some() || recorder.is_some();
        let mut keys: Vec<LetterKey> = Vec::new();
        let mut baselined = 0usize;
        let chunk = PER_THREAD * pool.current_num_threads().max(1);
        // Writing chunk k (on this thread) overlaps evaluating chunk k + 1 (on
        // the pool): with the writes between chunks serial, two threads did
        // not come near twice the speed of one.
        let mut write = |done: &mut Vec<Done>| -> io::Result<()> {
            for (checked, facts) in done.iter_mut() {
                summary.suppressed += checked.suppressed.len();
                if fingerprints
                    && let Some((key, dropped)) =
                        baseline_pass(checked, &mut recorder, &mut matcher)
                {
                    baselined += dropped;
                    if self.audit
                        && let (Ok(letter), Some(src)) =
                            (&checked.outcome.result, &checked.outcome.source)
                    {
                        let text = crate::parse::directives::mask(&src.text, &letter.directives);
                        keys.push(LetterKey {
                            key,
                            items: letter
                                .items
                                .iter()
                                .map(|i| {
                                    let d = i.decision.span.slice(&text).unwrap_or_default();
                                    (i.name.value.clone(), d.to_string())
                                })
                                .collect(),
                        });
                    }
                }
                summary.add(checked);
                if self.audit
                    && let (Ok(letter), Some(src)) =
                        (&checked.outcome.result, &checked.outcome.source)
                {
                    audit.add(
                        &checked.outcome.path,
                        letter,
                        &src.text,
                        checked.findings.len(),
                        facts,
                        self.engine.book,
                    );
                }
                sink.file(checked)?;
                progress();
            }
            Ok(())
        };
        let mut pending: Option<Vec<Done>> = None;
        // A written chunk, freed on the pool with the next chunk's work: the
        // pool allocated it, and mimalloc frees a block from another thread
        // through a slower path (a tenth of a one-thread run's time went there).
        let mut spent: Vec<Done> = Vec::new();
        let mut part: Vec<Input> = inputs.take(chunk).collect();
        while !part.is_empty() {
            let mut done = None;
            let mut written = Ok(());
            let mut next = Vec::new();
            let old = std::mem::take(&mut spent);
            pool.in_place_scope(|s| {
                // A task of its own, so that with more threads the others
                // start on the chunk meanwhile.
                s.spawn(move |_| drop(old));
                s.spawn(|_| {
                    done = Some(
                        part.par_iter()
                            .map(|i| self.one(i, extras.sidecar))
                            .collect::<Vec<_>>(),
                    );
                });
                if let Some(mut previous) = pending.take() {
                    written = write(&mut previous);
                    spent = previous;
                }
                // Walking the folders for the next chunk overlaps this one too:
                // done between chunks, it left the pool idle.
                next = inputs.take(chunk).collect();
            });
            written?;
            pending = done;
            part = next;
        }
        if let Some(mut last) = pending.take() {
            write(&mut last)?;
        }
        let (tables, inconsistencies) = if self.audit {
            let rule = self.engine.book.rules.iter().map(|(_, r)| r).find(|r| {
                r.check == "cross-letter-decisions" && (self.selected)(r) && r.severity >= self.min
            });
            let mut inc =
                rule.map_or_else(Vec::new, |r| audit.inconsistencies(r, self.engine.book));
            if fingerprints {
                inc.retain(|i| {
                    let Some(k) = keys.get(i.letter) else {
                        return true;
                    };
                    let (item, flagged) = i
                        .finding
                        .item
                        .and_then(|n| k.items.get(n.wrapping_sub(1)))
                        .map_or((None, ""), |(name, d)| (Some(name.as_str()), d.as_str()));
                    let fp = baseline::fingerprint(&k.key, &i.finding.code, item, flagged);
                    let drop = settle(&mut recorder, &mut matcher, fp, &k.key, &i.finding, item);
                    baselined += usize::from(drop);
                    !drop
                });
            }
            for i in &inc {
                summary.add_finding(&i.finding);
            }
            (Some(audit.tables()), inc)
        } else {
            (None, Vec::new())
        };
        let fixed = match &matcher {
            Some(m) => m.fixed(|e| {
                // Only what this run could have reported can be fixed.
                self.engine.book.rule(&e.code).is_none_or(|r| {
                    (self.selected)(r)
                        && r.severity >= self.min
                        && (self.audit || r.check != "cross-letter-decisions")
                })
            }),
            None => Vec::new(),
        };
        if fingerprints {
            summary.baselined = Some(baselined);
        }
        if matcher.is_some() {
            summary.baseline_fixed = Some(fixed.iter().map(|(_, n)| n).sum());
        }
        sink.finish(&End {
            summary: &summary,
            tables: tables.as_ref(),
            inconsistencies: &inconsistencies,
            statistics: self.statistics,
        })?;
        Ok(RunOutput {
            summary,
            fixed,
            recorded: recorder.map(baseline::Recorder::finish),
        })
    }
}

/// A letter's findings against the baseline: each is fingerprinted, then
/// recorded (`--write-baseline`) or dropped when the baseline holds it.
/// Returns the letter's key and how many findings were dropped, or nothing
/// for a letter that did not parse.
fn baseline_pass(
    checked: &mut Checked,
    recorder: &mut Option<baseline::Recorder>,
    matcher: &mut Option<baseline::Matcher>,
) -> Option<(String, usize)> {
    let (Ok(letter), Some(src)) = (&checked.outcome.result, &checked.outcome.source) else {
        return None;
    };
    let key = baseline::letter_key(letter, &checked.outcome.path);
    if let Some(m) = matcher {
        m.seen(&key);
    }
    let text = crate::parse::directives::mask(&src.text, &letter.directives);
    let mut dropped = 0;
    checked.findings.retain(|f| {
        let item = f
            .item
            .and_then(|i| letter.items.iter().find(|x| x.index == i))
            .map(|x| x.name.value.as_str());
        let flagged = f.span.slice(&text).unwrap_or_default();
        let fp = baseline::fingerprint(&key, &f.code, item, flagged);
        let drop = settle(recorder, matcher, fp, &key, f, item);
        dropped += usize::from(drop);
        !drop
    });
    Some((key, dropped))
}

/// Records a finding (`--write-baseline`) and matches it against the
/// baseline (`--baseline`): true when it is not to be reported. A run that
/// writes a baseline reports none of the findings it records.
fn settle(
    recorder: &mut Option<baseline::Recorder>,
    matcher: &mut Option<baseline::Matcher>,
    fingerprint: String,
    key: &str,
    f: &crate::finding::Finding,
    item: Option<&str>,
) -> bool {
    let matched = matcher.as_mut().is_some_and(|m| m.take(&fingerprint));
    match recorder {
        Some(r) => {
            r.add(fingerprint, key, &f.code, item, &f.message);
            true
        }
        None => matched,
    }
}

/// A reproducible sample of `n` inputs (`--sample N --seed S`), kept in input order.
pub fn sample(inputs: Vec<Input>, n: usize, seed: u64) -> Vec<Input> {
    if n >= inputs.len() {
        return inputs;
    }
    // SplitMix64: a small, well-mixed generator whose output depends only on the seed.
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    // Partial Fisher-Yates over the indices: the first n are the sample.
    let mut idx: Vec<usize> = (0..inputs.len()).collect();
    for i in 0..n {
        let span = (idx.len() - i) as u64;
        let j = i + (next() % span) as usize;
        idx.swap(i, j);
    }
    let mut keep = idx[..n].to_vec();
    keep.sort_unstable();
    let mut keep = keep.into_iter().peekable();
    inputs
        .into_iter()
        .enumerate()
        .filter_map(|(i, input)| {
            (keep.peek() == Some(&i)).then(|| {
                keep.next();
                input
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn inputs(n: usize) -> Vec<Input> {
        (0..n)
            .map(|i| Input::File(PathBuf::from(format!("{i}.txt"))))
            .collect()
    }
    fn names(v: &[Input]) -> Vec<String> {
        v.iter().map(Input::display).collect()
    }

    #[test]
    fn samples_are_reproducible_ordered_and_distinct() {
        let a = names(&sample(inputs(1000), 50, 7));
        assert_eq!(a, names(&sample(inputs(1000), 50, 7)));
        assert_ne!(a, names(&sample(inputs(1000), 50, 8)));
        assert_eq!(a.len(), 50);
        let mut n: Vec<usize> = a
            .iter()
            .map(|s| s.trim_end_matches(".txt").parse().unwrap())
            .collect();
        let sorted = n.clone();
        n.sort_unstable();
        n.dedup();
        assert_eq!(n, sorted, "in input order, no repeats");
        assert_eq!(sample(inputs(10), 20, 1).len(), 10);
    }
}
