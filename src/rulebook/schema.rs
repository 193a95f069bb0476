//! The rulebook's file format: what each YAML file under `rules/` holds.
//!
//! Three kinds of file, told apart by their top-level key:
//! - `guidelines:` the guidelines and editions, their sections, and for each
//!   section what it says (status, indications, criteria, limits, what it
//!   does not say), each fact with its source and how it was verified;
//! - `services:` the disputed treatments, their names, synonyms and brands,
//!   body part, and the sections that govern them;
//! - `concepts:` the clinical facts criteria ask about, and their terms;
//! - `rules:` the checks: which engine check runs, on what, at what severity,
//!   resting on which facts.
//!
//! Unknown fields are rejected so that a misspelt key is an error, not a rule
//! silently ignored.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One YAML file of the rulebook.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    #[serde(default)]
    pub guidelines: Vec<Guideline>,
    #[serde(default)]
    pub services: Vec<Service>,
    #[serde(default)]
    pub concepts: Vec<Concept>,
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// A clinical fact a criterion asks about ("stroke", "red flags"), and the
/// words that name it in a case summary or rationale.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Concept {
    pub id: String,
    pub name: String,
    /// Case-insensitive whole-word phrases; a phrase may be a regex when `regex: true`.
    pub terms: Vec<String>,
    #[serde(default)]
    pub regex: bool,
}

/// How a fact was verified (tags of `research/guidelines.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Verification {
    /// Seen in the regulation text.
    Regulation,
    /// Seen in a public copy of the guideline itself.
    Guideline,
    /// Seen quoted by reviewers in real IMR letters.
    ImrLetters,
    /// Seen in commentary.
    Commentary,
    /// Domain knowledge with no public source found: warning-severity rules only.
    Unverified,
}

impl Verification {
    pub fn is_verified(self) -> bool {
        self != Verification::Unverified
    }

    /// How the fact was verified, in words for help texts.
    pub fn describe(self) -> &'static str {
        match self {
            Verification::Regulation => "verified in the regulation",
            Verification::Guideline => "verified in the guideline text",
            Verification::ImrLetters => "as quoted in IMR letters",
            Verification::Commentary => "from commentary",
            Verification::Unverified => "unverified",
        }
    }
}

/// A statement a guideline makes, with where it was found.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    pub id: String,
    pub text: String,
    /// Source id or URL (see `research/guidelines.md`, "Key sources").
    pub source: String,
    pub verified: Verification,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Guideline {
    pub id: String,
    pub title: String,
    /// MTUS (the presumptively correct schedule) or not (ODG, other).
    pub mtus: bool,
    /// How letters name it ("Low Back Complaints", "ACOEM Chapter 12").
    pub names: Vec<String>,
    /// Years a citation of this edition carries ("2004", "2016").
    #[serde(default)]
    pub years: Vec<u16>,
    /// ACOEM chapter number, for the ACOEM 2nd-edition chapters.
    #[serde(default)]
    pub acoem_chapter: Option<u8>,
    /// Body parts the guideline covers; empty: any.
    #[serde(default)]
    pub body_parts: Vec<String>,
    /// When the edition was in force (ISO dates), where known.
    #[serde(default)]
    pub in_force: Option<InForce>,
    pub source: String,
    #[serde(default)]
    pub sections: Vec<Section>,
}

/// When an edition applied: from its first date (`from`) to the first date
/// it no longer applied (`until`, absent while it still applies or where the
/// research has no date).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InForce {
    pub from: Boundary,
    #[serde(default)]
    pub until: Option<Boundary>,
}

/// One end of an edition's time in force, with where the date was found.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Boundary {
    /// ISO date, `YYYY-MM-DD`.
    #[schemars(regex(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    pub date: String,
    /// The date of the case the boundary is compared with: the treatment
    /// request ("applies to treatment requests made on or after") or the
    /// service ("for medical treatment services rendered on or after").
    pub applies_to: DateOf,
    /// Source id or URL.
    pub source: String,
    pub verified: Verification,
}

impl Boundary {
    /// The date, when it is a valid ISO date (validation reports it otherwise).
    pub fn parsed(&self) -> Option<crate::model::Date> {
        crate::model::Date::parse_iso(&self.date)
    }
}

/// Which date of a case an edition boundary is keyed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DateOf {
    /// The date the treatment was requested (the UR decision follows it).
    Request,
    /// The date the service was rendered.
    Service,
}

impl InForce {
    /// Whether the edition applied on `date` (boundaries read as plain dates).
    pub fn contains(&self, date: crate::model::Date) -> bool {
        self.from.parsed().is_none_or(|f| f <= date)
            && self
                .until
                .as_ref()
                .and_then(Boundary::parsed)
                .is_none_or(|u| date < u)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Recommended,
    NotRecommended,
    Conditional,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Unique within the guideline; referenced as `<guideline>/<section>`.
    pub id: String,
    pub title: String,
    /// Other titles letters use for it ("NMES devices").
    #[serde(default)]
    pub names: Vec<String>,
    /// Pages in this edition, single pages or `[first, last]` ranges.
    #[serde(default)]
    pub pages: Vec<PageSpec>,
    #[serde(default)]
    pub pages_verified: Option<Verification>,
    pub status: Status,
    /// The facts this section states, each with source and verification.
    pub facts: Vec<Fact>,
    #[serde(default)]
    pub indications: Vec<String>,
    /// Criteria a certification must meet, each naming a concept the engine looks for.
    #[serde(default)]
    pub criteria: Vec<Criterion>,
    #[serde(default)]
    pub limits: Vec<Limit>,
    /// Statements the section does NOT make that a rationale might attribute to it.
    #[serde(default)]
    pub does_not_say: Vec<NotSaid>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum PageSpec {
    One(u32),
    Range([u32; 2]),
}

impl PageSpec {
    pub fn bounds(&self) -> (u32, u32) {
        match *self {
            PageSpec::One(p) => (p, p),
            PageSpec::Range([a, b]) => (a.min(b), a.max(b)),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    pub id: String,
    pub text: String,
    /// Concept id (see `concepts:`) that must be present.
    pub concept: String,
    /// Other concepts any one of which also meets the criterion (indication lists).
    #[serde(default)]
    pub alternatives: Vec<String>,
    /// The fact (id in this section) the criterion rests on.
    pub fact: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    pub id: String,
    /// What is counted: visits, weeks, days, sessions, hours-per-week, mg-med.
    pub unit: String,
    pub max: u32,
    /// The lower end when the guideline gives a range ("9-10 visits" is `min: 9, max: 10`).
    #[serde(default)]
    pub min: Option<u32>,
    /// The period the maximum is over, when there is one ("8 weeks").
    #[serde(default)]
    pub per: Option<String>,
    /// When the limit applies ("myalgia and myositis"), in words.
    #[serde(default)]
    pub applies_to: Option<String>,
    /// Concept the letter must document for the limit to apply (CRPS: 24 visits).
    #[serde(default)]
    pub when: Option<String>,
    /// Concept whose presence lifts the limit (the initial trial, once improvement is documented).
    #[serde(default)]
    pub unless: Option<String>,
    /// The limit applies in a situation the engine cannot establish from a
    /// letter (a named surgery, a grade of strain): it is never taken as the
    /// cap of a certification, but a rationale quoting it is not misquoting.
    #[serde(default)]
    pub conditional: bool,
    pub fact: String,
}

impl Limit {
    /// The limit's range, `min..=max`.
    pub fn range(&self) -> (u32, u32) {
        (self.min.unwrap_or(self.max).min(self.max), self.max)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotSaid {
    pub id: String,
    /// The false claim, in words.
    pub claim: String,
    /// Case-insensitive regex matched against a rationale sentence that names this section's topic.
    pub pattern: String,
    /// What the section does say instead (fact id).
    pub fact: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub id: String,
    pub name: String,
    /// Names, synonyms, abbreviations and brands, matched as whole words, case-insensitively.
    pub synonyms: Vec<String>,
    /// Phrases that mean it is not this service despite a synonym ("TENS unit" is not NMES).
    #[serde(default)]
    pub not_if: Vec<String>,
    #[serde(default)]
    pub body_part: Option<String>,
    pub category: String,
    /// Sections that govern it: `<guideline id>/<section id>`.
    pub governed_by: Vec<String>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The finding kinds: a fixed vocabulary, used in JSON as `kind`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Conclusion,
    Citation,
    Misstatement,
    Criteria,
    Structure,
    Inconsistency,
    /// Problems with `imrlint: allow` directives and `--suppressions` entries.
    Suppression,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Conclusion => "conclusion",
            Kind::Citation => "citation",
            Kind::Misstatement => "misstatement",
            Kind::Criteria => "criteria",
            Kind::Structure => "structure",
            Kind::Inconsistency => "inconsistency",
            Kind::Suppression => "suppression",
        }
    }
}

/// A check: one engine check type, parameterised by data.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable code, `<kind>/<slug>`; selected by code, prefix or kind.
    pub code: String,
    pub kind: Kind,
    /// Which engine check runs it (see `engine::checks`).
    pub check: String,
    pub severity: Severity,
    pub message: String,
    /// Why the guideline says otherwise; shown as help.
    pub help: String,
    /// Sections the rule applies to (`<guideline>/<section>`), when it is section-specific.
    #[serde(default)]
    pub sections: Vec<String>,
    /// Facts the rule rests on: `<guideline>/<section>#<fact>`.
    #[serde(default)]
    pub facts: Vec<String>,
    /// Fixture letters (paths under `fixtures/`) that must trigger and must not trigger it.
    pub fixtures: Fixtures,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    pub triggers: Vec<String>,
    pub passes: Vec<String>,
}
