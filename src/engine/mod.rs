//! The rule engine: evaluates a parsed letter against the rulebook. No I/O.
//!
//! For each item the engine first works out what is disputed (the
//! [`service`]), which rulebook sections the letter cites ([`resolve`]), and
//! which clinical concepts the letter affirms or denies ([`concepts`]); then
//! every selected rule runs its check ([`checks`]) over that item context.

pub mod checks;
pub mod concepts;
pub mod denial;
pub mod edition;
pub mod gate;
pub mod limits;
pub mod quantity;
pub mod resolve;
pub mod service;
pub mod starts;
pub mod stated_criteria;
pub mod suppress;
pub mod term_table;
pub mod terms;

use std::cell::OnceCell;

use crate::finding::Finding;
use crate::model::{Item, Letter};
use crate::rulebook::{Rule, Rulebook};

/// The rulebook compiled for evaluation: built once per run, shared by all letters.
pub struct Engine<'a> {
    pub book: &'a Rulebook,
    services: service::ServiceMatcher<'a>,
    concepts: concepts::ConceptMatcher,
    citations: resolve::Index<'a>,
    not_said: Vec<checks::NotSaidMatcher<'a>>,
    /// (section reference, index in `not_said`) of every pattern, sorted.
    not_said_by_section: Vec<(String, usize)>,
    /// The item check of each rule, in rulebook order (see [`checks::check_named`]).
    checks: Vec<Option<checks::Check>>,
    /// Every `<guideline>/<section>` reference the rulebook's sections make,
    /// sorted, with what [`Rulebook::section`] finds for it.
    sections: Vec<(
        String,
        &'a crate::rulebook::Guideline,
        &'a crate::rulebook::Section,
    )>,
}

/// What the checks know about one item.
pub struct ItemContext<'a> {
    pub letter: &'a Letter,
    pub item: &'a Item,
    pub text: &'a str,
    pub book: &'a Rulebook,
    /// Services the item name matches, best first.
    pub services: Vec<&'a crate::rulebook::Service>,
    /// Rulebook sections the MAXIMUS guideline line cites.
    pub cited: resolve::Cited<'a>,
    /// The item's rationale, folded and split into sentences once for every check.
    pub rationale: Option<concepts::Region>,
    pub engine: &'a Engine<'a>,
    /// The letter's case summary facts, shared by its items; read when a
    /// check first asks (see [`ItemContext::concepts`]).
    summary: &'a OnceCell<concepts::Facts>,
    rationale_facts: OnceCell<concepts::Facts>,
    facts: OnceCell<concepts::Facts>,
    rationale_lower: OnceCell<Vec<u8>>,
    relevant: OnceCell<Vec<String>>,
    cited_relevant: OnceCell<Vec<(String, Option<&'a crate::rulebook::Section>)>>,
}

// Concept reading is most of the cost of a letter, and most items need only
// part of it: a denial reads its rationale whole only where a negation may
// deny flatly a finding the case summary documents, and the summary only for
// a mention so denied (see `denial`); criteria and limits are read for the
// few sections that have them. So each part is read on first use.
impl<'a> ItemContext<'a> {
    /// The case summary's mentions.
    pub fn summary_facts(&self) -> &concepts::Facts {
        self.summary.get_or_init(|| {
            concepts::Facts::for_letter(self.letter, self.text, &self.engine.concepts)
        })
    }

    /// The rationale's mentions alone.
    pub fn rationale_facts(&self) -> &concepts::Facts {
        self.rationale_facts.get_or_init(|| {
            concepts::Facts::default()
                .with_rationale(self.rationale.as_ref(), &self.engine.concepts)
        })
    }

    /// Whether the rationale may deny flatly a finding the case summary
    /// documents (see [`denial::may_hold`]); true once the rationale has
    /// been read whole, which then answers.
    pub fn may_deny_flatly(&self) -> bool {
        if self.rationale_facts.get().is_some() {
            return true;
        }
        let Some(region) = &self.rationale else {
            return false;
        };
        // As the check asks it, and only of a mention denied flatly: the
        // case summary is read only then.
        let holds = |c: &str| {
            self.summary_facts()
                .holding(c, Some(concepts::Place::CaseSummary))
                .is_some()
        };
        let lower = self.rationale_lower().unwrap_or_default();
        denial::may_hold(self.text, region, lower, &self.engine.concepts, holds)
    }

    /// Sections the item is decided under or governed by (see
    /// [`checks::relevant_sections`]), worked out once for every check.
    pub fn relevant_sections(&self) -> &[String] {
        self.relevant
            .get_or_init(|| checks::relevant_sections(self))
    }

    /// [`checks::cited_relevant_sections`], worked out once for every check.
    pub fn cited_relevant_sections(&self) -> &[(String, Option<&'a crate::rulebook::Section>)] {
        self.cited_relevant
            .get_or_init(|| checks::cited_relevant_sections(self))
    }

    /// The folded rationale in ASCII lowercase, every byte where it was:
    /// what the checks' literal searches read, made once for all of them.
    pub fn rationale_lower(&self) -> Option<&[u8]> {
        let r = self.rationale.as_ref()?;
        Some(
            self.rationale_lower
                .get_or_init(|| r.folded.as_str().as_bytes().to_ascii_lowercase()),
        )
    }

    /// Every mention the item's checks see: the case summary's, then the
    /// rationale's.
    pub fn concepts(&self) -> &concepts::Facts {
        self.facts.get_or_init(|| {
            let mut all = self.summary_facts().clone();
            all.mentions
                .extend(self.rationale_facts().mentions.iter().cloned());
            all
        })
    }
}

impl<'a> Engine<'a> {
    pub fn new(book: &'a Rulebook) -> Engine<'a> {
        let not_said = checks::compile_not_said(book);
        let mut not_said_by_section: Vec<(String, usize)> = not_said
            .iter()
            .enumerate()
            .map(|(i, m)| (m.section_ref.clone(), i))
            .collect();
        not_said_by_section.sort_unstable();
        Engine {
            book,
            services: service::compile(book),
            concepts: concepts::compile(book),
            citations: resolve::Index::new(book),
            not_said,
            not_said_by_section,
            checks: book
                .rules
                .iter()
                .map(|(_, r)| checks::check_named(&r.check))
                .collect(),
            sections: section_table(book),
        }
    }

    /// [`Rulebook::section`], looked up by bisection: the checks ask it for
    /// every section an item relies on.
    pub fn section(
        &self,
        reference: &str,
    ) -> Option<(&'a crate::rulebook::Guideline, &'a crate::rulebook::Section)> {
        match self
            .sections
            .binary_search_by(|(r, _, _)| r.as_str().cmp(reference))
        {
            Ok(i) => Some((self.sections[i].1, self.sections[i].2)),
            // A reference no section makes may still name one (the rulebook
            // reads it its own way): asked of the rulebook.
            Err(_) => self.book.section(reference),
        }
    }

    /// Indexes in `not_said` of the patterns of the section `reference`.
    fn not_said_of<'s>(&'s self, reference: &'s str) -> impl Iterator<Item = usize> + 's {
        let from = self
            .not_said_by_section
            .partition_point(|(r, _)| r.as_str() < reference);
        self.not_said_by_section[from..]
            .iter()
            .take_while(move |(r, _)| r == reference)
            .map(|&(_, i)| i)
    }

    /// Evaluates `letter` (parsed from `text`) with the rules `selected` keeps.
    pub fn evaluate(
        &self,
        letter: &Letter,
        text: &str,
        selected: &dyn Fn(&Rule) -> bool,
    ) -> Vec<Finding> {
        self.evaluate_with_facts(letter, text, selected, false).0
    }

    /// As [`Engine::evaluate`], and when `facts` is set also each item's key
    /// facts: what a batch audit compares across letters.
    pub fn evaluate_with_facts(
        &self,
        letter: &Letter,
        text: &str,
        selected: &dyn Fn(&Rule) -> bool,
        facts: bool,
    ) -> (Vec<Finding>, Vec<ItemFacts>) {
        let e = self.evaluate_letter(letter, text, selected, facts, None);
        (e.findings, e.facts)
    }

    /// Evaluates `letter` and applies its suppressions: its `imrlint: allow`
    /// lines and the `sidecar` entries for it (see [`suppress`]).
    pub fn evaluate_letter(
        &self,
        letter: &Letter,
        text: &str,
        selected: &dyn Fn(&Rule) -> bool,
        facts: bool,
        sidecar: Option<suppress::SidecarEntries>,
    ) -> Evaluation {
        // The checks read the letter without its directive lines, as the parser did.
        let masked = crate::parse::directives::mask(text, &letter.directives);
        let text: &str = &masked;
        let suppressing =
            !letter.directives.is_empty() || sidecar.is_some_and(|s| !s.entries.is_empty());
        // A suppression is judged against every rule's findings, whatever is selected.
        let run = |r: &Rule| suppressing || selected(r);
        let (findings, facts) = self.run_checks(letter, text, &run, facts);
        if !suppressing {
            return Evaluation {
                findings,
                suppressed: Vec::new(),
                facts,
            };
        }
        let (findings, suppressed) =
            suppress::apply(self.book, letter, findings, sidecar, selected);
        Evaluation {
            findings,
            suppressed,
            facts,
        }
    }

    fn run_checks(
        &self,
        letter: &Letter,
        text: &str,
        selected: &dyn Fn(&Rule) -> bool,
        facts: bool,
    ) -> (Vec<Finding>, Vec<ItemFacts>) {
        let rules: Vec<(&Rule, checks::Check)> = self
            .book
            .rules
            .iter()
            .zip(&self.checks)
            .filter_map(|((_, r), c)| Some((r, (*c)?)))
            .filter(|(r, _)| selected(r))
            .collect();
        let mut findings = Vec::new();
        let mut item_facts = Vec::new();
        let summary = OnceCell::new();
        let date = resolve::letter_date(letter).map(|d| d.value);
        let names: Vec<&str> = letter.items.iter().map(|i| i.name.value.as_str()).collect();
        let mut services = service::identify_all(&names, &self.services).into_iter();
        for item in &letter.items {
            let rationale = item
                .rationale
                .as_ref()
                .map(|r| concepts::Region::of(text, r.span));
            let ctx = ItemContext {
                letter,
                item,
                text,
                book: self.book,
                services: services.next().unwrap_or_default(),
                cited: resolve::cited(item.maximus.as_ref(), &self.citations, date),
                rationale,
                engine: self,
                summary: &summary,
                rationale_facts: OnceCell::new(),
                facts: OnceCell::new(),
                rationale_lower: OnceCell::new(),
                relevant: OnceCell::new(),
                cited_relevant: OnceCell::new(),
            };
            for (rule, check) in &rules {
                check(rule, &ctx, &mut findings);
            }
            if facts {
                item_facts.push(ItemFacts::of(&ctx));
            }
        }
        findings.sort_by(|a, b| (a.span.offset, &a.code).cmp(&(b.span.offset, &b.code)));
        // Two editions of a guideline can make the same statement: one finding per words.
        findings.dedup_by(|a, b| a.code == b.code && a.span == b.span && a.item == b.item);
        (findings, item_facts)
    }
}

/// The table behind [`Engine::section`]: each reference made once, with
/// what the rulebook finds for it, so that the table reads as it does.
fn section_table(
    book: &Rulebook,
) -> Vec<(
    String,
    &crate::rulebook::Guideline,
    &crate::rulebook::Section,
)> {
    let mut refs: Vec<String> = book
        .guidelines
        .iter()
        .flat_map(|(_, g)| g.sections.iter().map(move |s| format!("{}/{}", g.id, s.id)))
        .collect();
    refs.sort_unstable();
    refs.dedup();
    refs.into_iter()
        .filter_map(|r| {
            let (g, s) = book.section(&r)?;
            Some((r, g, s))
        })
        .collect()
}

/// A letter's findings once its suppressions are applied.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    /// What to report: the selected rules' findings no suppression allows,
    /// and the suppressions' own findings.
    pub findings: Vec<Finding>,
    /// The selected rules' findings a suppression allows: counted, and reported
    /// only by formats that can mark a result suppressed (SARIF).
    pub suppressed: Vec<suppress::Suppressed>,
    /// Each item's key facts, when asked for.
    pub facts: Vec<ItemFacts>,
}

/// The clinical facts of a letter, read in context: what `imrlint facts` lists.
#[derive(Debug, Clone)]
pub struct LetterFacts {
    pub case_summary: Vec<concepts::Mention>,
    /// Per item, in letter order: its index and its rationale's mentions.
    pub rationales: Vec<(usize, Vec<concepts::Mention>)>,
}

impl Engine<'_> {
    /// The concept mentions the checks see, by section of the letter.
    pub fn facts(&self, letter: &Letter, text: &str) -> LetterFacts {
        let masked = crate::parse::directives::mask(text, &letter.directives);
        let text: &str = &masked;
        LetterFacts {
            case_summary: concepts::Facts::for_letter(letter, text, &self.concepts).mentions,
            rationales: letter
                .items
                .iter()
                .map(|item| {
                    let f = concepts::Facts::of_rationale(item, text, &self.concepts);
                    (item.index, f.mentions)
                })
                .collect(),
        }
    }
}

/// An item's key facts: the service in dispute, the section it was decided
/// under, and which of that section's criteria the letter documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFacts {
    pub item: usize,
    pub decision: crate::model::Decision,
    pub decision_span: crate::span::Span,
    pub service: Option<String>,
    /// Every section the guideline line cites, `<guideline>/<section>`.
    pub cited: Vec<String>,
    /// Cited sections that have criteria: `<guideline>/<section>` and, per
    /// criterion in rulebook order, whether the letter documents it.
    pub sections: Vec<(String, Vec<bool>)>,
}

impl ItemFacts {
    fn of(ctx: &ItemContext) -> ItemFacts {
        let sections = ctx
            .cited
            .section_refs()
            .into_iter()
            .filter_map(|r| {
                let (_, s) = ctx.engine.section(&r)?;
                (!s.criteria.is_empty()).then(|| {
                    let met = s
                        .criteria
                        .iter()
                        .map(|c| checks::criterion_met(ctx, c))
                        .collect();
                    (r, met)
                })
            })
            .collect();
        ItemFacts {
            item: ctx.item.index,
            decision: ctx.item.decision.value,
            decision_span: ctx.item.decision.span,
            service: ctx.services.first().map(|s| s.id.clone()),
            cited: ctx.cited.section_refs(),
            sections,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The engine's section table finds what the rulebook finds, for every
    /// reference its sections make and for odd ones.
    #[test]
    fn sections_by_bisection_are_the_rulebooks() {
        let book = Rulebook::built_in();
        let engine = Engine::new(&book);
        let mut refs: Vec<String> = engine.sections.iter().map(|(r, _, _)| r.clone()).collect();
        assert!(refs.len() > 10);
        refs.extend(
            ["", "/", "x/y", "cpmtg-2016/", "/tens", "cpmtg-2016/tens/x"].map(String::from),
        );
        let odd: Vec<String> = refs.iter().map(|r| format!("{r}x")).collect();
        for r in refs.iter().chain(&odd) {
            let ptrs = |x: Option<(&crate::rulebook::Guideline, &crate::rulebook::Section)>| {
                x.map(|(g, s)| (std::ptr::from_ref(g), std::ptr::from_ref(s)))
            };
            assert_eq!(ptrs(engine.section(r)), ptrs(book.section(r)), "{r}");
        }
    }

    /// An item's facts, read part by part as checks ask, are what reading
    /// the whole case summary and then its rationale gives, in that order.
    #[test]
    fn facts_read_on_demand_are_the_summary_then_the_rationale() {
        let book = Rulebook::built_in();
        let engine = Engine::new(&book);
        let text = std::fs::read_to_string("fixtures/check/criteria/nmes-overturned-no-stroke.txt")
            .expect("fixture");
        let letter = crate::parse::parse(&text).expect("parses");
        let summary = OnceCell::new();
        let mut compared = 0;
        for item in &letter.items {
            let rationale = item
                .rationale
                .as_ref()
                .map(|r| concepts::Region::of(&text, r.span));
            let whole = concepts::Facts::for_letter(&letter, &text, &engine.concepts)
                .with_rationale(rationale.as_ref(), &engine.concepts);
            let ctx = ItemContext {
                letter: &letter,
                item,
                text: &text,
                book: &book,
                services: Vec::new(),
                cited: resolve::cited(None, &engine.citations, None),
                rationale,
                engine: &engine,
                summary: &summary,
                rationale_facts: OnceCell::new(),
                facts: OnceCell::new(),
                rationale_lower: OnceCell::new(),
                relevant: OnceCell::new(),
                cited_relevant: OnceCell::new(),
            };
            // The rationale alone first, as the denial check reads it.
            let alone = format!("{:?}", ctx.rationale_facts().mentions);
            assert!(
                ctx.rationale_facts()
                    .mentions
                    .iter()
                    .all(|m| m.place != concepts::Place::CaseSummary)
            );
            assert_eq!(
                format!("{:?}", ctx.concepts().mentions),
                format!("{:?}", whole.mentions)
            );
            let k = ctx.rationale_facts().mentions.len();
            assert_eq!(
                format!("{:?}", &whole.mentions[whole.mentions.len() - k..]),
                alone
            );
            compared += whole.mentions.len();
        }
        assert!(compared > 0, "the fixture names concepts");
    }
}
