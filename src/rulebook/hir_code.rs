//! Syntax trees written as Rust code: `build.rs` parses the built-in
//! rulebook's regexes and writes, for each, the code that builds its tree, so
//! that a run builds the trees without parsing (parsing them was a fifth of
//! the start-up). See [`super::pattern::read`].
//!
//! The code calls the same smart constructors (`Hir::concat`, ...) that the
//! parser's translator calls, from the leaves up. [`rebuild`] does in memory
//! what the code does; `build.rs` writes code only for a tree that
//! [`rebuild`] gives back equal, so the code's tree is the parser's.
//!
//! `build.rs` includes this file too: it uses only `std` and `regex-syntax`.

use std::fmt::Write;

use regex_syntax::hir::{
    Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind,
    Repetition,
};

/// `hir` built again from its leaves up, as [`code`]'s code builds it.
pub fn rebuild(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(l) => Hir::literal(&l.0[..]),
        HirKind::Class(Class::Bytes(c)) => Hir::class(Class::Bytes(ClassBytes::new(
            c.ranges()
                .iter()
                .map(|r| ClassBytesRange::new(r.start(), r.end())),
        ))),
        HirKind::Class(Class::Unicode(c)) => Hir::class(Class::Unicode(ClassUnicode::new(
            c.ranges()
                .iter()
                .map(|r| ClassUnicodeRange::new(r.start(), r.end())),
        ))),
        HirKind::Look(l) => Hir::look(*l),
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            min: r.min,
            max: r.max,
            greedy: r.greedy,
            sub: Box::new(rebuild(&r.sub)),
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            index: c.index,
            name: c.name.as_deref().map(Box::from),
            sub: Box::new(rebuild(&c.sub)),
        }),
        HirKind::Concat(v) => Hir::concat(v.iter().map(rebuild).collect()),
        HirKind::Alternation(v) => Hir::alternation(v.iter().map(rebuild).collect()),
    }
}

/// A Rust expression that builds `hir` as [`rebuild`] does, with
/// `regex_syntax::hir::*` in scope.
pub fn code(hir: &Hir) -> String {
    let mut out = String::new();
    write_code(hir, &mut out);
    out
}

fn write_code(hir: &Hir, out: &mut String) {
    let list = |subs: &[Hir], out: &mut String| {
        out.push_str("vec![");
        for s in subs {
            write_code(s, out);
            out.push(',');
        }
        out.push(']');
    };
    match hir.kind() {
        HirKind::Empty => out.push_str("Hir::empty()"),
        HirKind::Literal(l) => {
            out.push_str("Hir::literal(&[");
            for b in &l.0 {
                let _ = write!(out, "{b}u8,");
            }
            out.push_str("][..])");
        }
        HirKind::Class(Class::Bytes(c)) => {
            out.push_str("Hir::class(Class::Bytes(ClassBytes::new([");
            for r in c.ranges() {
                let _ = write!(out, "ClassBytesRange::new({},{}),", r.start(), r.end());
            }
            out.push_str("])))");
        }
        HirKind::Class(Class::Unicode(c)) => {
            out.push_str("Hir::class(Class::Unicode(ClassUnicode::new([");
            for r in c.ranges() {
                let _ = write!(
                    out,
                    "ClassUnicodeRange::new({:?},{:?}),",
                    r.start(),
                    r.end()
                );
            }
            out.push_str("])))");
        }
        HirKind::Look(l) => {
            let _ = write!(out, "Hir::look(Look::{l:?})");
        }
        HirKind::Repetition(r) => {
            let _ = write!(
                out,
                "Hir::repetition(Repetition{{min:{},max:{:?},greedy:{},sub:Box::new(",
                r.min, r.max, r.greedy
            );
            write_code(&r.sub, out);
            out.push_str(")})");
        }
        HirKind::Capture(c) => {
            let _ = write!(out, "Hir::capture(Capture{{index:{},name:", c.index);
            match &c.name {
                Some(n) => {
                    let _ = write!(out, "Some(Box::from({:?}))", &**n);
                }
                None => out.push_str("None"),
            }
            out.push_str(",sub:Box::new(");
            write_code(&c.sub, out);
            out.push_str(")})");
        }
        HirKind::Concat(v) => {
            out.push_str("Hir::concat(");
            list(v, out);
            out.push(')');
        }
        HirKind::Alternation(v) => {
            out.push_str("Hir::alternation(");
            list(v, out);
            out.push(')');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the code for each tree builds is the tree: the built-in
    /// patterns' code, which `build.rs` wrote, against the parser.
    #[test]
    fn the_built_in_patterns_build_as_they_parse() {
        let book = crate::rulebook::Rulebook::built_in();
        let patterns: Vec<&String> = book
            .guidelines
            .iter()
            .flat_map(|(_, g)| &g.sections)
            .flat_map(|s| &s.does_not_say)
            .map(|n| &n.pattern)
            .chain(
                book.concepts
                    .iter()
                    .filter(|(_, c)| c.regex)
                    .flat_map(|(_, c)| &c.terms),
            )
            .collect();
        assert!(!patterns.is_empty());
        for p in patterns {
            let Some(built) = super::super::pattern::built_in(p) else {
                panic!("{p} has no code");
            };
            assert_eq!(Ok(built), super::super::pattern::parse(p), "{p}");
        }
    }

    #[test]
    fn rebuilds_what_it_parses() {
        for p in [
            r"\b(?:a|b|c)[^.]{0,80}?\bx\s+y",
            r"(?u)\w+ K(?<n>é)",
            r"ab(?:cd|ce)|z*",
            r"(?i)straße",
            r"a{0}b{1}",
            r"[a&&b]",
            r"",
        ] {
            let hir = super::super::pattern::parse(p).expect("parses");
            assert_eq!(rebuild(&hir), hir, "{p}");
            assert!(!code(&hir).is_empty());
        }
    }
}
