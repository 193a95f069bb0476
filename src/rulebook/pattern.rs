//! Rulebook regexes read once: validation parses every pattern and keeps the
//! syntax tree, so the engine's literal gates need not parse them again.
//!
//! Patterns are read case-sensitively. Folding case only widens classes and
//! literals: with bytes and ASCII classes (`unicode(false)`, `utf8(false)`)
//! it cannot fail, and a `(?u)` group folds by the Unicode tables this build
//! always has (regex-syntax's `unicode-case`). So a pattern is accepted, or
//! rejected with the same error, as the engine's case-insensitive compile
//! would; reading without folding is a third cheaper and gives the gates
//! literals not multiplied into every case variant.

//!
//! The built-in rulebook's patterns are not parsed: `build.rs` parsed them
//! and wrote the code that builds their trees (see `hir_code.rs`).

use regex_syntax::hir::Hir;

// `fn built_in(pattern: &str) -> Option<Hir>`: the tree of a built-in
// pattern, built by the code `build.rs` wrote; None for any other pattern.
include!(concat!(env!("OUT_DIR"), "/built_in_patterns.rs"));

/// `pattern` parsed as the engine reads it, case aside; the error is the
/// parser's (a picture of the pattern, then the reason).
pub fn read(pattern: &str) -> Result<Hir, String> {
    match built_in(pattern) {
        Some(hir) => Ok(hir),
        None => parse(pattern),
    }
}

/// [`read`] by the parser. `build.rs` parses the built-in patterns the same way.
pub(crate) fn parse(pattern: &str) -> Result<Hir, String> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    /// Accept/reject and the error text must not depend on case folding.
    #[test]
    fn folding_case_changes_no_verdict() {
        let folded = |p: &str| {
            regex_syntax::ParserBuilder::new()
                .case_insensitive(true)
                .unicode(false)
                .utf8(false)
                .build()
                .parse(p)
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        let book = crate::rulebook::Rulebook::built_in();
        let mut patterns: Vec<String> = book
            .guidelines
            .iter()
            .flat_map(|(_, g)| &g.sections)
            .flat_map(|s| &s.does_not_say)
            .map(|n| n.pattern.clone())
            .collect();
        patterns.extend(
            book.concepts
                .iter()
                .filter(|(_, c)| c.regex)
                .flat_map(|(_, c)| c.terms.iter().cloned()),
        );
        patterns.extend(
            [
                r"\pL+",
                r"(?u)\w+ K",
                r"(?u)[k-z]\b",
                r"(?u:é)",
                r"é",
                r"[\x80-\xFF]x",
                r"(?i-u)Straße",
                r"\p{Greek}",
                r"(?u)\p{Greek}s",
                r"(?u)\p{Nope}",
                r"[z-a]",
                r"a{2,1}",
                r"(unclosed",
                r"\1",
                r"(?<n>a)(?<n>b)",
                r"x{0,9999999}",
                r"[[:alpha:]]",
                r"[[:nope:]]",
                r"\d\s\w\D\S\W",
                r"(?u)\d\s\w",
                r"(?-u:\W)",
                r"(?i)abc(?-i)DEF",
            ]
            .map(String::from),
        );
        for p in &patterns {
            assert_eq!(super::read(p).map(|_| ()), folded(p), "{p}");
        }
    }
}
