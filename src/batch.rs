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
use crate::render::check::{Checked, Summary};
use crate::render::parse::Outcome;
use crate::render::sink::{End, Sink};
use crate::rulebook::{Rule, Severity};
use crate::source::Input;

/// Letters in flight per thread: enough to keep threads busy, few enough
/// that a chunk of letters (texts, models, findings) stays a few MiB.
const PER_THREAD: usize = 8;

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

impl Batch<'_> {
    fn one(&self, input: &Input) -> (Checked, Vec<crate::engine::ItemFacts>) {
        self.check(Outcome::run(input))
    }

    /// Evaluates a letter already read and parsed (or that failed to be):
    /// the step `check` takes for each input, and `lsp` for each edit.
    pub fn check(&self, outcome: Outcome) -> (Checked, Vec<crate::engine::ItemFacts>) {
        let (findings, facts) = match (&outcome.result, &outcome.source) {
            (Ok(letter), Some(src)) => {
                let (f, facts) =
                    self.engine
                        .evaluate_with_facts(letter, &src.text, self.selected, self.audit);
                (
                    f.into_iter().filter(|f| f.severity >= self.min).collect(),
                    facts,
                )
            }
            _ => (Vec::new(), Vec::new()),
        };
        (Checked { outcome, findings }, facts)
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
        let mut summary = Summary::default();
        let mut audit = Audit::default();
        let chunk = PER_THREAD * pool.current_num_threads().max(1);
        loop {
            let part: Vec<Input> = inputs.take(chunk).collect();
            if part.is_empty() {
                break;
            }
            let done: Vec<_> = pool.install(|| part.par_iter().map(|i| self.one(i)).collect());
            for (checked, facts) in done {
                summary.add(&checked);
                if self.audit
                    && let (Ok(letter), Some(src)) =
                        (&checked.outcome.result, &checked.outcome.source)
                {
                    audit.add(
                        &checked.outcome.path,
                        letter,
                        &src.text,
                        checked.findings.len(),
                        &facts,
                        self.engine.book,
                    );
                }
                sink.file(&checked)?;
                progress();
            }
        }
        let (tables, inconsistencies) = if self.audit {
            let rule = self.engine.book.rules.iter().map(|(_, r)| r).find(|r| {
                r.check == "cross-letter-decisions" && (self.selected)(r) && r.severity >= self.min
            });
            let inc = rule.map_or_else(Vec::new, |r| audit.inconsistencies(r, self.engine.book));
            for i in &inc {
                summary.add_finding(&i.finding);
            }
            (Some(audit.tables()), inc)
        } else {
            (None, Vec::new())
        };
        sink.finish(&End {
            summary: &summary,
            tables: tables.as_ref(),
            inconsistencies: &inconsistencies,
            statistics: self.statistics,
        })?;
        Ok(summary)
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
