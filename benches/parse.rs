//! Parse throughput: `cargo bench --bench parse`.
//!
//! All letters are read into memory once; each iteration parses every letter
//! of a set in turn on one thread. Throughput is bytes of letter text per
//! second. See benches/README.md for the groups and measured figures.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use imrlint::fold::Folded;

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/dwc-imr-letters"
);
const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/seeds");

/// Every `.txt` file of `dir`, sorted by name so runs are comparable.
fn load(dir: &str) -> Vec<String> {
    let mut paths: Vec<_> = std::fs::read_dir(Path::new(dir))
        .unwrap_or_else(|e| panic!("reading {dir}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    let letters: Vec<String> = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .collect();
    assert!(!letters.is_empty(), "no letters in {dir}");
    letters
}

fn bytes(letters: &[String]) -> u64 {
    letters.iter().map(|l| l.len() as u64).sum()
}

/// Parses every letter; counts results so nothing is optimised away.
fn parse_all(letters: &[String]) -> usize {
    letters
        .iter()
        .map(|l| match imrlint::parse::parse(black_box(l)) {
            Ok(letter) => letter.items.len(),
            Err(_) => 0,
        })
        .sum()
}

fn fold_all(letters: &[String]) -> usize {
    letters
        .iter()
        .map(|l| Folded::new(black_box(l)).len())
        .sum()
}

fn benches(c: &mut Criterion) {
    let text = load(&format!("{DATA}/text"));
    let layout = load(&format!("{DATA}/layout"));
    let seeds = load(SEEDS);

    let sets: [(&str, &[String]); 3] = [
        ("parse/text", &text),
        ("parse/layout", &layout),
        ("parse/seeds", &seeds),
    ];
    for (name, letters) in sets {
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Bytes(bytes(letters)));
        g.bench_function(format!("{} letters", letters.len()), |b| {
            b.iter(|| parse_all(letters))
        });
        g.finish();
    }

    let mut g = c.benchmark_group("fold/text");
    g.throughput(Throughput::Bytes(bytes(&text)));
    g.bench_function(format!("{} letters", text.len()), |b| {
        b.iter(|| fold_all(&text))
    });
    g.finish();
}

criterion_group!(parse, benches);
criterion_main!(parse);
