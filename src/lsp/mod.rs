//! `imrlint lsp`: a Language Server Protocol server over standard input and
//! output that publishes diagnostics for the letters open in an editor, as
//! the writer types.
//!
//! The server is one more front end of the pipeline, not a new pipeline: the
//! editor's text of a letter is parsed and evaluated exactly as `imrlint
//! check` does a text file ([`crate::render::parse::Outcome::parsed`], then
//! [`crate::batch::Batch::check_alone`], with the same rulebook, rule
//! selection, `--suppressions` sidecar and `--baseline`), and the findings are
//! rendered as LSP diagnostics ([`diagnostics`]). No evaluation happens in
//! this module.
//!
//! - [`transport`]: JSON-RPC messages with `Content-Length` framing.
//! - [`position`]: byte offsets ↔ LSP positions (lines, UTF-16 code units).
//! - [`documents`]: the open documents and their edits.
//! - [`diagnostics`]: findings and parse failures → `Diagnostic`s.
//! - [`server`]: lifecycle and dispatch.
//!
//! Dependencies: `lsp-types` for the protocol's types and a small
//! hand-written loop here; no async runtime (see README, "Dependencies").

pub mod diagnostics;
pub mod documents;
pub mod position;
pub mod server;
pub mod transport;

use std::path::Path;
use std::process::ExitCode;

use crate::batch::{Batch, Extras};
use crate::cli::{ConfigArgs, FilterArgs, RuleArgs};
use crate::commands::{selection, threshold};
use crate::engine::Engine;

/// Runs the server on standard input and output until `exit`. The
/// configuration file is found from the server's working directory.
pub fn run(
    config: &ConfigArgs,
    filter: &FilterArgs,
    rules: &RuleArgs,
    suppressions: Option<&Path>,
    baseline: Option<&Path>,
) -> ExitCode {
    let Some(settings) = crate::config_cmd::settings(config, filter, rules, None) else {
        return ExitCode::from(2);
    };
    let Some(book) = crate::config_cmd::rulebook(&settings) else {
        return ExitCode::from(2);
    };
    // Read before the first message, so a bad file stops the server at start
    // as a bad rulebook does.
    let sidecar = match suppressions.map(crate::suppress::read_sidecar).transpose() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("imrlint lsp: {e}");
            return ExitCode::from(2);
        }
    };
    let baseline = match baseline.map(crate::suppress::read_baseline).transpose() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("imrlint lsp: {e}");
            return ExitCode::from(2);
        }
    };
    let engine = Engine::new(&book);
    let selected = selection(&settings.select.value, &settings.ignore.value);
    let batch = Batch {
        engine: &engine,
        selected: &selected,
        min: threshold(settings.min_severity.value),
        audit: false,
        statistics: false,
    };
    let stdout = std::io::stdout();
    let stdin = std::io::stdin();
    let extras = Extras {
        sidecar: sidecar.as_ref(),
        baseline: baseline.as_ref(),
        record: false,
    };
    let mut server =
        server::Server::new(&batch, std::io::BufWriter::new(stdout.lock())).with_extras(extras);
    ExitCode::from(server.serve(&mut stdin.lock()))
}
