//! Which service an item disputes, from its name: synonyms and brands as
//! whole words, case-insensitively; `not_if` phrases veto a match.
//!
//! All phrases of all services go into one Aho-Corasick automaton, so naming
//! an item costs one scan of its name however large the rulebook is. It holds
//! the phrases lowercased and scans a lowercased copy of the name: the matches
//! of an ASCII-case-insensitive automaton (lowercasing ASCII keeps every byte
//! offset), whose doubled transitions cost twice as much to build on every run.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::rulebook::{Rulebook, Service};

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

pub struct ServiceMatcher<'a> {
    services: Vec<&'a Service>,
    automaton: Option<AhoCorasick>,
    /// For each automaton pattern: (service index, role).
    roles: Vec<Vec<(usize, Role)>>,
}

pub fn compile(book: &Rulebook) -> ServiceMatcher<'_> {
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
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
        .prefilter(false)
        .build(&patterns)
        .ok();
    ServiceMatcher {
        services,
        automaton,
        roles,
    }
}

/// Services whose synonyms the name mentions, longest matching synonym first.
pub fn identify<'a>(name: &str, m: &ServiceMatcher<'a>) -> Vec<&'a Service> {
    let Some(ac) = &m.automaton else {
        return Vec::new();
    };
    // A name mentions a service or two: a list, not a hash map (its
    // random keys and hashing cost more than the search).
    let mut best: Vec<(usize, usize)> = Vec::new();
    let mut vetoed: Vec<usize> = Vec::new();
    for hit in ac.find_overlapping_iter(&name.to_ascii_lowercase()) {
        if !whole_word(name, hit.start(), hit.end()) {
            continue;
        }
        for &(svc, role) in &m.roles[hit.pattern().as_usize()] {
            match role {
                Role::Synonym(len) => match best.iter_mut().find(|(s, _)| *s == svc) {
                    Some((_, e)) => *e = (*e).max(len),
                    None => best.push((svc, len)),
                },
                Role::Veto => vetoed.push(svc),
            }
        }
    }
    let mut hits: Vec<(usize, &Service)> = best
        .into_iter()
        .filter(|(svc, _)| !vetoed.contains(svc))
        .map(|(svc, len)| (len, m.services[svc]))
        .collect();
    hits.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
    hits.into_iter().map(|(_, s)| s).collect()
}
