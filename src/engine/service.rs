//! Which service an item disputes, from its name: synonyms and brands as
//! whole words, case-insensitively; `not_if` phrases veto a match.

use regex::Regex;

use crate::rulebook::{Rulebook, Service};

/// Whole-word, case-insensitive matcher for a phrase; spaces and hyphens
/// inside the phrase match any run of spaces or hyphens ("EMG/NCV", "x-ray").
pub(crate) fn phrase_regex(phrase: &str) -> Option<Regex> {
    let words: Vec<String> = phrase
        .split([' ', '-'])
        .filter(|w| !w.is_empty())
        .map(regex::escape)
        .collect();
    if words.is_empty() {
        return None;
    }
    Regex::new(&format!(
        r"(?i)(?:^|[^\w]){}(?:$|[^\w])",
        words.join(r"[\s-]+")
    ))
    .ok()
}

/// A service with its phrases compiled.
pub struct ServiceMatcher<'a> {
    pub service: &'a Service,
    synonyms: Vec<(usize, Regex)>,
    vetoes: Vec<Regex>,
}

pub fn compile(book: &Rulebook) -> Vec<ServiceMatcher<'_>> {
    book.services
        .iter()
        .map(|(_, s)| ServiceMatcher {
            service: s,
            synonyms: s
                .synonyms
                .iter()
                .chain(std::iter::once(&s.name))
                .filter_map(|p| phrase_regex(p).map(|r| (p.len(), r)))
                .collect(),
            vetoes: s.not_if.iter().filter_map(|p| phrase_regex(p)).collect(),
        })
        .collect()
}

/// Services whose synonyms the name mentions, longest matching synonym first.
pub fn identify<'a>(name: &str, matchers: &[ServiceMatcher<'a>]) -> Vec<&'a Service> {
    let mut hits: Vec<(usize, &Service)> = Vec::new();
    for m in matchers {
        if m.vetoes.iter().any(|r| r.is_match(name)) {
            continue;
        }
        if let Some(len) = m
            .synonyms
            .iter()
            .filter(|(_, r)| r.is_match(name))
            .map(|(l, _)| *l)
            .max()
        {
            hits.push((len, m.service));
        }
    }
    hits.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
    hits.into_iter().map(|(_, s)| s).collect()
}
