//! Clinical context, ConText-style: is a condition named in a sentence
//! affirmed, negated or only possible; recent, historical or hypothetical;
//! the patient's or someone else's?
//!
//! The trigger terms live in data (`rules/context/triggers.yaml`, embedded
//! in the binary) and are compiled once ([`triggers`]); [`assess`] applies
//! the ConText algorithm to one sentence and a target span ([`algorithm`]);
//! [`annotations`] reads and scores the NegEx annotation format; [`trie`]
//! matches phrases at word starts; [`swar`] classes bytes eight at a time.
//! No I/O.

pub mod algorithm;
pub mod annotations;
mod lexicon_text;
pub mod swar;
pub mod trie;
pub mod triggers;

pub use algorithm::{
    Assessment, Cue, Experiencer, Negation, Temporality, assess, assess_among, assess_with,
};
pub use triggers::{Category, Kind, Triggers};
