//! Applying a letter's suppressions to its findings: `imrlint: allow` lines
//! of the letter and the `--suppressions` entries for its case. No I/O.
//!
//! Every suppression is judged against the findings of every rule, whatever
//! `--select`, `--ignore` or `--min-severity` keep (the engine runs all rules
//! on a letter that has suppressions), so whether a suppression is used does
//! not depend on how imrlint was run. It then reports what it finds as the
//! `suppression/*` rules: a line imrlint cannot read (`malformed`), no reason
//! (`missing-reason`), a code that names no rule (`unknown-code`) and a code
//! that allows nothing (`unused`). Suppression findings cannot themselves be
//! suppressed in the letter (`--ignore suppression` turns them off).

use crate::finding::{Finding, Label};
use crate::model::{Directive, Letter};
use crate::rulebook::{Kind, Rule, Rulebook};
use crate::span::Span;
use crate::suppress::names;
use crate::suppress::sidecar::Entry;

/// A finding a suppression allowed, with the suppression that allowed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Suppressed {
    pub finding: Finding,
    pub by: Allowance,
}

/// Where a suppression was written, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Allowance {
    /// The `imrlint: allow` line's span in the letter; `None`: a sidecar entry.
    pub line: Option<Span>,
    /// The sidecar file and the entry's 1-based line, for sidecar entries.
    pub sidecar: Option<(String, usize)>,
    pub reason: Option<String>,
}

/// The sidecar entries that apply to one letter, with the sidecar's name.
#[derive(Debug, Clone, Copy)]
pub struct SidecarEntries<'a> {
    pub name: &'a str,
    pub entries: &'a [&'a Entry],
}

enum Origin<'a> {
    Line(&'a Directive),
    Sidecar { name: &'a str, entry: &'a Entry },
}

struct Suppression<'a> {
    origin: Origin<'a>,
    /// The item it applies to; `None`: the letter.
    item: Option<usize>,
    /// Each code with where findings about it point.
    codes: Vec<(&'a str, Span)>,
    reason: bool,
    /// Where findings about the whole suppression point.
    span: Span,
}

impl Suppression<'_> {
    fn allowance(&self) -> Allowance {
        match &self.origin {
            Origin::Line(d) => Allowance {
                line: Some(d.span),
                sidecar: None,
                reason: d.reason.as_ref().map(|r| r.value.clone()),
            },
            Origin::Sidecar { name, entry } => Allowance {
                line: None,
                sidecar: Some((name.to_string(), entry.line)),
                reason: entry.reason.clone(),
            },
        }
    }

    /// `suppressions.toml:4: ` for sidecar entries, nothing for lines of the letter.
    fn prefix(&self) -> String {
        match &self.origin {
            Origin::Line(_) => String::new(),
            Origin::Sidecar { name, entry } => format!("{name}:{}: ", entry.line),
        }
    }

    fn scope(&self) -> String {
        match self.item {
            Some(i) => format!("item {i}"),
            None => "the letter".to_string(),
        }
    }
}

/// The letter's suppressions: its directive lines, then its sidecar entries.
fn suppressions<'a>(
    letter: &'a Letter,
    sidecar: Option<SidecarEntries<'a>>,
) -> Vec<Suppression<'a>> {
    let mut out: Vec<Suppression> = letter
        .directives
        .iter()
        .map(|d| Suppression {
            origin: Origin::Line(d),
            item: d.item,
            codes: d.codes.iter().map(|c| (c.value.as_str(), c.span)).collect(),
            reason: d.reason.is_some(),
            span: d.span,
        })
        .collect();
    if let Some(s) = sidecar {
        for &entry in s.entries {
            // Point at the item the entry names, else at the case number it is keyed by.
            let span = entry
                .item
                .and_then(|i| letter.items.iter().find(|x| x.index == i))
                .map(|x| x.name.span)
                .or(letter.case_number.as_ref().map(|c| c.span))
                .unwrap_or_default();
            out.push(Suppression {
                origin: Origin::Sidecar {
                    name: s.name,
                    entry,
                },
                item: entry.item,
                codes: entry.codes.iter().map(|c| (c.as_str(), span)).collect(),
                reason: entry.reason.is_some(),
                span,
            });
        }
    }
    out
}

/// The finding of the `suppression/*` rule run by `check`, when selected.
fn report(
    book: &Rulebook,
    selected: &dyn Fn(&Rule) -> bool,
    check: &str,
    item: Option<usize>,
    message: String,
    span: Span,
    label: String,
) -> Option<Finding> {
    let rule = book
        .rules
        .iter()
        .map(|(_, r)| r)
        .find(|r| r.check == check && selected(r))?;
    Some(Finding {
        code: rule.code.clone(),
        kind: rule.kind,
        severity: rule.severity,
        item,
        message,
        span,
        labels: vec![Label {
            span,
            message: label,
        }],
        help: rule.help.clone(),
        rule: rule.code.clone(),
    })
}

/// What suppressions leave of a letter's findings (all rules' findings in,
/// sorted): the findings to report (selected ones, with the suppressions'
/// own findings) and the selected findings suppressed, each with the first
/// suppression that allows it.
pub(crate) fn apply(
    book: &Rulebook,
    letter: &Letter,
    findings: Vec<Finding>,
    sidecar: Option<SidecarEntries>,
    selected: &dyn Fn(&Rule) -> bool,
) -> (Vec<Finding>, Vec<Suppressed>) {
    let list = suppressions(letter, sidecar);
    let mut suppressed: Vec<Option<usize>> = vec![None; findings.len()];
    let mut own = Vec::new();
    let allowable = |p: &str| {
        book.rules
            .iter()
            .any(|(_, r)| r.kind != Kind::Suppression && names(p, &r.code, r.kind))
    };
    for (at, s) in list.iter().enumerate() {
        let prefix = s.prefix();
        if let Origin::Line(d) = s.origin
            && let Some(error) = &d.error
        {
            own.extend(report(
                book,
                selected,
                "suppression-malformed",
                s.item,
                format!("this 'imrlint:' line is not a directive imrlint can apply: {error}"),
                d.span,
                "not applied".into(),
            ));
            continue;
        }
        let codes: Vec<&str> = s.codes.iter().map(|c| c.0).collect();
        if !s.reason {
            own.extend(report(
                book,
                selected,
                "suppression-missing-reason",
                s.item,
                format!(
                    "{prefix}the suppression of {} gives no reason",
                    codes.join(", ")
                ),
                s.span,
                match s.origin {
                    Origin::Line(_) => "add ' -- ' and why the finding does not apply".into(),
                    Origin::Sidecar { .. } => "add reason = \"...\" to the entry".into(),
                },
            ));
        }
        let missing_item = match (&s.origin, s.item) {
            (Origin::Sidecar { .. }, Some(i)) => !letter.items.iter().any(|x| x.index == i),
            _ => false,
        };
        for &(code, span) in &s.codes {
            if !allowable(code) {
                let only_suppression = book.rules.iter().any(|(_, r)| names(code, &r.code, r.kind));
                own.extend(report(
                    book,
                    selected,
                    "suppression-unknown-code",
                    s.item,
                    if only_suppression {
                        format!("{prefix}'{code}' names only suppression rules, which a suppression cannot allow")
                    } else {
                        format!("{prefix}'{code}' names no rule: not a rule code, code prefix or kind of the rulebook")
                    },
                    span,
                    "allows nothing".into(),
                ));
                continue;
            }
            let mut used = false;
            for (f, done) in findings.iter().zip(suppressed.iter_mut()) {
                if f.kind != Kind::Suppression
                    && names(code, &f.code, f.kind)
                    && (s.item.is_none() || f.item == s.item)
                {
                    done.get_or_insert(at);
                    used = true;
                }
            }
            if !used {
                let scope = s.scope();
                let message = if missing_item {
                    format!("{prefix}'{code}' suppresses nothing: the letter has no {scope}")
                } else {
                    format!("{prefix}'{code}' suppresses nothing: no finding of it in {scope}")
                };
                own.extend(report(
                    book,
                    selected,
                    "suppression-unused",
                    s.item,
                    message,
                    span,
                    "suppresses nothing; remove it".into(),
                ));
            }
        }
    }
    let mut kept = Vec::new();
    let mut gone = Vec::new();
    for (f, done) in findings.into_iter().zip(suppressed) {
        let rule_selected = book.rule(&f.code).is_none_or(selected);
        if !rule_selected {
            continue;
        }
        match done {
            Some(at) => gone.push(Suppressed {
                finding: f,
                by: list[at].allowance(),
            }),
            None => kept.push(f),
        }
    }
    kept.extend(own);
    kept.sort_by(|a, b| (a.span.offset, &a.code).cmp(&(b.span.offset, &b.code)));
    (kept, gone)
}
