//! The typed letter model: what an IMR final determination letter says.
//!
//! A [`Letter`] is plain data produced by the parser and read by the rule
//! engine. Every value read from the text carries a [`Span`] into the original
//! text. Text values are whitespace-folded (see [`crate::fold`]); their spans
//! slice the exact original words.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::span::{Span, Spanned};

/// The letter layouts imrlint knows. Names are a JSON contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// 2016 onward: "Case Number:" header table, IMR ISSUES, DECISIONS AND RATIONALES.
    FinalDetermination2016,
    /// 2013-2015: same sections, no header table, credentials in prose, `Page(s):` citations.
    FinalDetermination2013,
    /// DOCUMENTS REVIEWED and IMR DECISION(S) AND RATIONALE(S).
    DocumentsReviewed,
    /// The older MEDICAL PROFESSIONAL REVIEW letter (ISSUE AT DISPUTE: ...).
    MedicalProfessionalReview,
    /// The 2013 "Notice of Independent Medical Review Determination".
    Notice2013,
}

impl Layout {
    pub fn name(self) -> &'static str {
        match self {
            Layout::FinalDetermination2016 => "final-determination-2016",
            Layout::FinalDetermination2013 => "final-determination-2013",
            Layout::DocumentsReviewed => "documents-reviewed",
            Layout::MedicalProfessionalReview => "medical-professional-review",
            Layout::Notice2013 => "notice-2013",
        }
    }
}

impl Serialize for Layout {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// A calendar date as printed in the letter (MM/DD/YYYY, two-digit years widened).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Date {
    /// Reads an ISO date (`YYYY-MM-DD`), as the rulebook writes them.
    pub fn parse_iso(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| {
            s.get(r)
                .filter(|p| p.bytes().all(|c| c.is_ascii_digit()))
                .and_then(|p| p.parse::<u16>().ok())
        };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let date = Date {
            year,
            month: u8::try_from(month).ok()?,
            day: u8::try_from(day).ok()?,
        };
        (year >= 1 && (1..=12).contains(&month) && day >= 1 && day <= date.month_days().into())
            .then_some(date)
    }

    fn leap(year: u16) -> bool {
        (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
    }

    fn month_days(self) -> u8 {
        match self.month {
            2 if Date::leap(self.year) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    /// The date `n` days earlier (letter dates lie well after year 1).
    pub fn days_before(self, n: u32) -> Date {
        let mut d = self;
        for _ in 0..n {
            if d.day > 1 {
                d.day -= 1;
            } else if d.month > 1 {
                d.month -= 1;
                d.day = d.month_days();
            } else if d.year > 1 {
                d = Date {
                    year: d.year - 1,
                    month: 12,
                    day: 31,
                };
            }
        }
        d
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Dates {
    pub assigned: Option<Spanned<Date>>,
    pub decision: Option<Spanned<Date>>,
    pub injury: Option<Spanned<Date>>,
    pub ur_denial: Option<Spanned<Date>>,
    pub application_received: Option<Spanned<Date>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Patient {
    pub age: Option<Spanned<u16>>,
    pub sex: Option<Spanned<Sex>>,
}

/// The expert reviewer's credentials, as the letter states them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reviewer {
    pub licensure: Vec<Spanned<String>>,
    pub specialties: Vec<Spanned<String>>,
}

/// A section heading of the letter and the body it introduces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    pub name: String,
    pub heading: Span,
    pub body: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub layout: Layout,
    pub case_number: Option<Spanned<String>>,
    pub dates: Dates,
    pub priority: Option<Spanned<String>>,
    pub reviewer: Reviewer,
    pub patient: Patient,
    pub case_summary: Option<Spanned<String>>,
    pub sections: Vec<Section>,
    pub items: Vec<Item>,
    /// `imrlint: allow ...` lines of a drafted letter (see [`crate::parse::directives`]).
    pub directives: Vec<Directive>,
}

/// An `imrlint:` directive line of a drafted letter: findings it allows, and why.
///
/// The line is blanked out before the letter is read, so it is no part of
/// any item name, rationale or case summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Directive {
    /// `allow` or `allow-letter` as written (anything else is `error`).
    pub verb: Spanned<String>,
    /// The item whose findings it allows; `None`: the whole letter.
    pub item: Option<usize>,
    /// Rule codes, code prefixes or kinds, as `--ignore` takes them.
    pub codes: Vec<Spanned<String>>,
    /// The text after `--`; `None` when there is none.
    pub reason: Option<Spanned<String>>,
    /// Why the line is not a directive imrlint can apply (it then allows nothing).
    pub error: Option<String>,
    /// From `imrlint:` to the end of the reason.
    pub span: Span,
    /// The whole line, as blanked out.
    pub line: Span,
}

/// The IMR decision on one disputed item: the UR denial is upheld or overturned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Upheld,
    Overturned,
}

/// How the item's decision was found: printed as such, or read off a
/// determination sentence ("has determined the request ... is not medically
/// necessary"), which older layouts use instead of Upheld/Overturned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionSource {
    Stated,
    Determination,
}

/// What the rationale itself concludes. Names are a JSON contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Conclusion {
    MedicallyNecessary,
    NotMedicallyNecessary,
    Certified,
    NonCertified,
    Unclear,
}

impl Conclusion {
    /// The decision this conclusion implies, when it implies one.
    pub fn implied_decision(self) -> Option<Decision> {
        match self {
            Conclusion::MedicallyNecessary | Conclusion::Certified => Some(Decision::Overturned),
            Conclusion::NotMedicallyNecessary | Conclusion::NonCertified => Some(Decision::Upheld),
            Conclusion::Unclear => None,
        }
    }
}

/// One disputed item/service and its decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// 1-based, in document order.
    pub index: usize,
    pub name: Spanned<String>,
    /// The whole item header ("X was the original request. ... is: Upheld").
    pub header: Span,
    /// For partial authorisations: the request as first made.
    pub original_request: Option<Spanned<String>>,
    /// For partial authorisations: what the Claims Administrator authorised.
    pub authorized: Option<Spanned<String>>,
    pub partial: bool,
    pub decision: Spanned<Decision>,
    pub decision_source: DecisionSource,
    pub claims_administrator: Option<GuidelineLine>,
    pub maximus: Option<GuidelineLine>,
    pub rationale: Option<Spanned<String>>,
    pub conclusion: Conclusion,
    /// The words that carry the conclusion ("is not medically necessary").
    pub conclusion_span: Option<Span>,
    /// The whole item block, header to end of rationale.
    pub span: Span,
}

/// What a guideline line rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    Mtus,
    NonMtus,
    MtusAndNonMtus,
    /// "did not cite any medical evidence for its decision".
    NoEvidence,
    /// Text that names no recognisable source.
    Unrecognized,
}

/// One "Claims Administrator guideline:" or "MAXIMUS guideline:" line, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuidelineLine {
    /// The text after the label.
    pub text: Spanned<String>,
    pub basis: Basis,
    pub mtus: Vec<MtusCitation>,
    pub non_mtus: Vec<Spanned<String>>,
    /// The "did not cite any medical evidence" statement, when present.
    pub no_evidence: Option<Span>,
}

/// A page or page range cited ("Page(s): 301, 340" or "pp. 300-301").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct PageRange {
    pub first: u32,
    pub last: u32,
}

/// One MTUS guideline cited, with what of it was cited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MtusCitation {
    /// The guideline's name as written, without year ("Low Back Complaints").
    pub guideline: Spanned<String>,
    pub year: Option<Spanned<u16>>,
    /// ACOEM chapter number when cited ("ACOEM Chapter 12").
    pub acoem_chapter: Option<Spanned<u8>>,
    pub sections: Vec<Spanned<String>>,
    pub pages: Vec<Spanned<PageRange>>,
    pub span: Span,
}

fn put_spanned<S: SerializeStruct, T: Serialize>(
    st: &mut S,
    key: &'static str,
    key_span: &'static str,
    v: &Spanned<T>,
) -> Result<(), S::Error> {
    st.serialize_field(key, &v.value)?;
    st.serialize_field(key_span, &v.span)
}

// Letter and Item serialise their contract fields (`case_number`, `name`,
// `decision`, `conclusion`) as plain values with a `*_span` sibling, so that
// consumers of the JSON contract read `"decision": "upheld"` directly.
impl Serialize for Letter {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Letter", 11)?;
        st.serialize_field("layout", &self.layout)?;
        st.serialize_field("case_number", &self.case_number.as_ref().map(|c| &c.value))?;
        st.serialize_field(
            "case_number_span",
            &self.case_number.as_ref().map(|c| c.span),
        )?;
        st.serialize_field("dates", &self.dates)?;
        st.serialize_field("priority", &self.priority)?;
        st.serialize_field("reviewer", &self.reviewer)?;
        st.serialize_field("patient", &self.patient)?;
        st.serialize_field("case_summary", &self.case_summary)?;
        st.serialize_field("sections", &self.sections)?;
        st.serialize_field("items", &self.items)?;
        // Only drafts carry directives: letters without them keep the contract as it was.
        if self.directives.is_empty() {
            st.skip_field("directives")?;
        } else {
            st.serialize_field("directives", &self.directives)?;
        }
        st.end()
    }
}

#[derive(Serialize)]
struct Citations<'a> {
    claims_administrator: &'a Option<GuidelineLine>,
    maximus: &'a Option<GuidelineLine>,
}

impl Serialize for Item {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Item", 16)?;
        st.serialize_field("index", &self.index)?;
        put_spanned(&mut st, "name", "name_span", &self.name)?;
        st.serialize_field("header_span", &self.header)?;
        put_spanned(&mut st, "decision", "decision_span", &self.decision)?;
        st.serialize_field("decision_source", &self.decision_source)?;
        st.serialize_field("partial", &self.partial)?;
        st.serialize_field("original_request", &self.original_request)?;
        st.serialize_field("authorized", &self.authorized)?;
        st.serialize_field(
            "citations",
            &Citations {
                claims_administrator: &self.claims_administrator,
                maximus: &self.maximus,
            },
        )?;
        st.serialize_field("rationale", &self.rationale)?;
        st.serialize_field("conclusion", &self.conclusion)?;
        st.serialize_field("conclusion_span", &self.conclusion_span)?;
        st.serialize_field("span", &self.span)?;
        st.end()
    }
}
