//! Which service an item disputes, from its name: synonyms and brands as
//! whole words, case-insensitively; `not_if` phrases veto a match.
//!
//! All phrases of all services go into one Aho-Corasick automaton, so naming
//! an item costs one scan of its name however large the rulebook is. It holds
//! the phrases lowercased and scans a lowercased copy of the name: the matches
//! of an ASCII-case-insensitive automaton (lowercasing ASCII keeps every byte
//! offset), whose doubled transitions cost twice as much to build on every run.
//! The built-in rulebook's phrases come with their DFA's table, which
//! `build.rs` built (see [`super::term_table`]).

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};

use super::term_table::{self, Table};
use crate::rulebook::{Rulebook, Service};

/// The built-in rulebook's service phrases, in [`compile`]'s order, and the
/// bytes of their table; None when `build.rs` could not make them.
static PREBUILT: Option<(&[&str], &[u8])> =
    include!(concat!(env!("OUT_DIR"), "/service_phrases.rs"));

/// The spellings a phrase takes in letters: as written, hyphens as spaces, spaces as hyphens.
pub(crate) fn variants(phrase: &str) -> Vec<String> {
    let t = phrase.trim();
    let mut v = vec![t.to_string(), t.replace('-', " "), t.replace(' ', "-")];
    v.sort();
    v.dedup();
    v
}

pub(crate) fn whole_word(t: &str, s: usize, e: usize) -> bool {
    let before = t[..s].chars().next_back();
    let after = t[e..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

#[derive(Clone, Copy)]
enum Role {
    Synonym(usize),
    Veto,
}

/// The phrases' automaton: the prebuilt table, or the crate's for other phrases.
enum Automaton {
    Prebuilt(Box<Table>),
    Crate(AhoCorasick),
}

pub struct ServiceMatcher<'a> {
    services: Vec<&'a Service>,
    automaton: Option<Automaton>,
    /// For each automaton pattern: (service index, role).
    roles: Vec<Vec<(usize, Role)>>,
}

pub fn compile(book: &Rulebook) -> ServiceMatcher<'_> {
    compile_with(book, PREBUILT)
}

/// As [`compile`], with the table `build.rs` made (or none, for the crate's automaton).
fn compile_with<'a>(book: &'a Rulebook, built: Option<(&[&str], &[u8])>) -> ServiceMatcher<'a> {
    let services: Vec<&Service> = book.services.iter().map(|(_, s)| s).collect();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut patterns: Vec<String> = Vec::new();
    let mut roles: Vec<Vec<(usize, Role)>> = Vec::new();
    let mut add = |phrase: &str, entry: (usize, Role)| {
        for v in variants(phrase) {
            let key = v.to_ascii_lowercase();
            let i = *index.entry(key).or_insert_with_key(|key| {
                patterns.push(key.clone());
                roles.push(Vec::new());
                patterns.len() - 1
            });
            roles[i].push(entry);
        }
    };
    for (i, s) in services.iter().enumerate() {
        for p in s.synonyms.iter().chain(std::iter::once(&s.name)) {
            add(p, (i, Role::Synonym(p.len())));
        }
        for p in &s.not_if {
            add(p, (i, Role::Veto));
        }
    }
    // Names are a few dozen bytes: no prefilter, whose building cost more
    // than it saves them (the automaton's searches cost the same without).
    let automaton = match term_table::prebuilt(built, &patterns) {
        Some(table) => Some(Automaton::Prebuilt(Box::new(table))),
        None => AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
            .prefilter(false)
            .build(&patterns)
            .ok()
            .map(Automaton::Crate),
    };
    ServiceMatcher {
        services,
        automaton,
        roles,
    }
}

/// Services whose synonyms the name mentions, longest matching synonym
/// first: [`identify_all`] for one name, as the tests ask.
#[cfg(test)]
pub fn identify<'a>(name: &str, m: &ServiceMatcher<'a>) -> Vec<&'a Service> {
    identify_all(&[name], m).pop().unwrap_or_default()
}

/// For each of `names`, the services whose synonyms it mentions, longest
/// matching synonym first: a letter's item names read together, side by
/// side through the phrases' table (see [`Table::for_each_overlapping_in`]).
pub fn identify_all<'a>(names: &[&str], m: &ServiceMatcher<'a>) -> Vec<Vec<&'a Service>> {
    let Some(ac) = &m.automaton else {
        return vec![Vec::new(); names.len()];
    };
    // A name mentions a service or two: lists, not hash maps (their
    // random keys and hashing cost more than the search).
    let mut best: Vec<Vec<(usize, usize)>> = vec![Vec::new(); names.len()];
    let mut vetoed: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
    let mut hit = |k: usize, p: usize, start: usize, end: usize| {
        if !whole_word(names[k], start, end) {
            return;
        }
        for &(svc, role) in &m.roles[p] {
            match role {
                Role::Synonym(len) => match best[k].iter_mut().find(|(s, _)| *s == svc) {
                    Some((_, e)) => *e = (*e).max(len),
                    None => best[k].push((svc, len)),
                },
                Role::Veto => vetoed[k].push(svc),
            }
        }
    };
    let lower: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    match ac {
        Automaton::Prebuilt(table) => {
            let hays: Vec<&[u8]> = lower.iter().map(String::as_bytes).collect();
            table.for_each_overlapping_in(&hays, hit);
        }
        Automaton::Crate(ac) => {
            for (k, l) in lower.iter().enumerate() {
                for m in ac.find_overlapping_iter(l) {
                    hit(k, m.pattern().as_usize(), m.start(), m.end());
                }
            }
        }
    }
    best.into_iter()
        .zip(vetoed)
        .map(|(best, vetoed)| {
            let mut hits: Vec<(usize, &Service)> = best
                .into_iter()
                .filter(|(svc, _)| !vetoed.contains(svc))
                .map(|(svc, len)| (len, m.services[svc]))
                .collect();
            hits.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
            hits.into_iter().map(|(_, s)| s).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(services: Vec<&Service>) -> Vec<&str> {
        services.into_iter().map(|s| s.id.as_str()).collect()
    }

    /// The built-in services' phrases are those `build.rs` listed, and their
    /// table names what the crate's automaton names.
    #[test]
    fn the_prebuilt_table_names_what_the_crate_names() {
        let book = crate::rulebook::Rulebook::built_in();
        let table = compile(&book);
        assert!(matches!(table.automaton, Some(Automaton::Prebuilt(_))));
        let the_crate = compile_with(&book, None);
        assert!(matches!(the_crate.automaton, Some(Automaton::Crate(_))));
        let phrases: Vec<&str> = book
            .services
            .iter()
            .flat_map(|(_, s)| s.synonyms.iter().chain([&s.name]).chain(&s.not_if))
            .map(String::as_str)
            .collect();
        // A letter's names are read together: each as it reads alone.
        for names in phrases.chunks(6) {
            let together: Vec<Vec<&str>> =
                identify_all(names, &table).into_iter().map(ids).collect();
            let alone: Vec<Vec<&str>> =
                names.iter().map(|n| ids(identify(n, &the_crate))).collect();
            assert_eq!(together, alone, "{names:?}");
        }
        for (i, p) in phrases.iter().enumerate() {
            let next = phrases[(i * 7 + 3) % phrases.len()];
            for name in [
                p.to_string(),
                p.to_uppercase(),
                format!("{p} {next}"),
                format!("{p}-{next} 10mg"),
                format!("x{p} {next}s"),
                format!("\u{17f}{p}\u{212a} é{next}"),
            ] {
                assert_eq!(
                    ids(identify(&name, &table)),
                    ids(identify(&name, &the_crate)),
                    "{name:?}"
                );
            }
        }
    }
}
