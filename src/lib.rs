//! imrlint: a checker for California workers' compensation Independent
//! Medical Review (IMR) final determination letters.
//!
//! The pipeline reads in one direction:
//! read source ([`source`], [`pdf`]) → parse ([`parse`]) → load rulebook →
//! evaluate → render. Parsing does no I/O: it turns a letter's text into a
//! [`model::Letter`] whose every field carries a [`span::Span`] into that text.

pub mod audit;
pub mod batch;
pub mod cli;
pub mod commands;
pub mod config;
pub mod config_cmd;
pub mod context;
pub mod context_cmd;
pub mod engine;
pub mod finding;
pub mod fold;
pub mod lsp;
pub mod model;
pub mod parse;
pub mod pdf;
pub mod render;
pub mod rulebook;
pub mod source;
pub mod span;
pub mod suppress;
