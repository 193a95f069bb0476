//! The server's lifecycle and message dispatch, one message at a time.
//!
//! States follow the specification: before `initialize` only `initialize`
//! (and `exit`) is answered, other requests get `ServerNotInitialized`;
//! after `shutdown` requests get `InvalidRequest`; `exit` ends the loop with
//! 0 after a shutdown and 1 otherwise (so does the end of the input).
//! Unknown requests get `MethodNotFound`; unknown notifications (`$/…` and
//! others) are ignored. Every problem with what the client sent is logged on
//! standard error and the server reads on.
//!
//! Checking a letter is cheap (about half a millisecond of CPU in a release
//! build), so each change is checked as it arrives, on this thread, and its
//! diagnostics published before the next message is read.

use std::collections::HashMap;
use std::io::{self, BufRead, Write};

use lsp_types::{
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, InitializeResult, PositionEncodingKind, PublishDiagnosticsParams,
    SaveOptions, ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::batch::{Batch, Extras};
use crate::lsp::diagnostics::{self, Options};
use crate::lsp::documents::{Document, is_letter};
use crate::lsp::transport::{self, Frame};
use crate::render::parse::Outcome;
use crate::source::{Source, SourceKind};

/// JSON-RPC and LSP error codes.
pub mod code {
    pub const PARSE_ERROR: i64 = -32700;
    pub const INVALID_REQUEST: i64 = -32600;
    pub const METHOD_NOT_FOUND: i64 = -32601;
    pub const SERVER_NOT_INITIALIZED: i64 = -32002;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Uninitialized,
    Running,
    ShutDown,
}

pub struct Server<'a, W: Write> {
    batch: &'a Batch<'a>,
    /// `--suppressions` and `--baseline`: the editor shows what `check` with
    /// the same files would report.
    extras: Extras<'a>,
    out: W,
    state: State,
    options: Options,
    documents: HashMap<Uri, Document>,
}

fn log(message: impl std::fmt::Display) {
    eprintln!("imrlint lsp: {message}");
}

/// Whether the loop reads on or ends with an exit code (a failure to write to
/// the client is the `io::Error` around it).
enum Flow {
    Continue,
    Exit(u8),
}

impl<'a, W: Write> Server<'a, W> {
    pub fn new(batch: &'a Batch<'a>, out: W) -> Self {
        Server {
            batch,
            extras: Extras::default(),
            out,
            state: State::Uninitialized,
            options: Options::default(),
            documents: HashMap::new(),
        }
    }

    /// Applies a suppressions sidecar and a baseline to every letter checked.
    pub fn with_extras(mut self, extras: Extras<'a>) -> Self {
        self.extras = extras;
        self
    }

    /// Serves messages from `input` until `exit` or the end of the input;
    /// returns the process exit code.
    pub fn serve(&mut self, input: &mut impl BufRead) -> u8 {
        loop {
            let frame = match transport::read(input) {
                Ok(f) => f,
                Err(e) => {
                    log(format!("cannot read from the client: {e}"));
                    return 1;
                }
            };
            let flow = match frame {
                Frame::Eof => {
                    if self.state != State::ShutDown {
                        log("the input ended without shutdown and exit");
                        return 1;
                    }
                    return 0;
                }
                Frame::Bad { reason, json } => {
                    log(format!("ignored {reason}"));
                    if json {
                        self.error(Value::Null, code::PARSE_ERROR, "Parse error: not JSON")
                    } else {
                        Ok(Flow::Continue)
                    }
                }
                Frame::Message(message) => self.dispatch(message),
            };
            match flow {
                Ok(Flow::Continue) => {}
                Ok(Flow::Exit(code)) => return code,
                Err(e) => {
                    log(format!("cannot write to the client: {e}"));
                    return 1;
                }
            }
        }
    }

    fn send(&mut self, message: Value) -> io::Result<Flow> {
        transport::write(&mut self.out, &message)?;
        Ok(Flow::Continue)
    }

    fn respond(&mut self, id: Value, result: Value) -> io::Result<Flow> {
        self.send(json!({"jsonrpc": "2.0", "id": id, "result": result}))
    }

    fn error(&mut self, id: Value, code: i64, message: &str) -> io::Result<Flow> {
        self.send(json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}}))
    }

    fn dispatch(&mut self, message: Value) -> io::Result<Flow> {
        let Some(object) = message.as_object() else {
            log("ignored a message that is not a JSON object");
            return self.error(Value::Null, code::INVALID_REQUEST, "Invalid request");
        };
        let id = object.get("id").cloned();
        let method = object
            .get("method")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let params = object.get("params").cloned().unwrap_or(Value::Null);
        match (id, method) {
            (Some(id), Some(method)) => self.request(id, &method, params),
            (None, Some(method)) => {
                self.notification(&method, params);
                if method == "exit" {
                    return Ok(Flow::Exit(if self.state == State::ShutDown {
                        0
                    } else {
                        1
                    }));
                }
                Ok(Flow::Continue)
            }
            // A response to a request of ours: the server sends none.
            (Some(_), None) if object.contains_key("result") || object.contains_key("error") => {
                Ok(Flow::Continue)
            }
            (id, None) => {
                log("ignored a message without a method");
                self.error(
                    id.unwrap_or(Value::Null),
                    code::INVALID_REQUEST,
                    "Invalid request: no method",
                )
            }
        }
    }

    fn request(&mut self, id: Value, method: &str, params: Value) -> io::Result<Flow> {
        match (self.state, method) {
            (State::Uninitialized, "initialize") => {
                self.options = Options {
                    related_information: params
                        .pointer("/capabilities/textDocument/publishDiagnostics/relatedInformation")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                };
                self.state = State::Running;
                let result = initialize_result();
                self.respond(id, serde_json::to_value(result)?)
            }
            (State::Uninitialized, _) => self.error(
                id,
                code::SERVER_NOT_INITIALIZED,
                "the server is not initialized",
            ),
            (State::ShutDown, _) => {
                self.error(id, code::INVALID_REQUEST, "the server is shut down")
            }
            (State::Running, "initialize") => self.error(
                id,
                code::INVALID_REQUEST,
                "the server is already initialized",
            ),
            (State::Running, "shutdown") => {
                self.state = State::ShutDown;
                self.documents.clear();
                self.respond(id, Value::Null)
            }
            (State::Running, _) => self.error(
                id,
                code::METHOD_NOT_FOUND,
                &format!("unknown method {method}"),
            ),
        }
    }

    fn notification(&mut self, method: &str, params: Value) {
        if self.state != State::Running {
            // Before initialize and after shutdown, notifications are dropped
            // (`exit` is handled by the caller).
            return;
        }
        let result = match method {
            "textDocument/didOpen" => self.did_open(params),
            "textDocument/didChange" => self.did_change(params),
            "textDocument/didSave" => self.did_save(params),
            "textDocument/didClose" => self.did_close(params),
            // `initialized`, `$/cancelRequest`, `$/setTrace`, configuration
            // changes and anything else: nothing to do.
            _ => Ok(()),
        };
        if let Err(e) = result {
            log(format!("{method}: {e}"));
        }
    }

    fn did_open(&mut self, params: Value) -> Result<(), String> {
        let p: DidOpenTextDocumentParams = parse_params(params)?;
        let doc = p.text_document;
        if !is_letter(&doc.uri, &doc.language_id) {
            return Ok(());
        }
        let document = Document {
            uri: doc.uri.clone(),
            version: doc.version,
            text: doc.text,
        };
        self.documents.insert(doc.uri.clone(), document);
        self.publish(&doc.uri)
    }

    fn did_change(&mut self, params: Value) -> Result<(), String> {
        let p: DidChangeTextDocumentParams = parse_params(params)?;
        let uri = p.text_document.uri;
        // Documents that are not letters were never kept.
        let Some(doc) = self.documents.get_mut(&uri) else {
            return Ok(());
        };
        doc.apply(p.text_document.version, p.content_changes);
        self.publish(&uri)
    }

    fn did_save(&mut self, params: Value) -> Result<(), String> {
        let p: DidSaveTextDocumentParams = parse_params(params)?;
        let uri = p.text_document.uri;
        let Some(doc) = self.documents.get_mut(&uri) else {
            return Ok(());
        };
        if let Some(text) = p.text {
            doc.text = text;
        }
        self.publish(&uri)
    }

    fn did_close(&mut self, params: Value) -> Result<(), String> {
        let p: DidCloseTextDocumentParams = parse_params(params)?;
        let uri = p.text_document.uri;
        if self.documents.remove(&uri).is_some() {
            self.send_diagnostics(PublishDiagnosticsParams::new(uri, Vec::new(), None))?;
        }
        Ok(())
    }

    /// Checks a document as `imrlint check` checks a text file and publishes
    /// its diagnostics.
    fn publish(&mut self, uri: &Uri) -> Result<(), String> {
        let Some(doc) = self.documents.get(uri) else {
            return Ok(());
        };
        let source = Source {
            path: letter_path(&doc.uri),
            kind: SourceKind::Text,
            text: doc.text.clone(),
        };
        let checked = self
            .batch
            .check_alone(Outcome::parsed(source), &self.extras);
        let diagnostics = diagnostics::of_checked(uri, &checked, self.options);
        let params = PublishDiagnosticsParams::new(uri.clone(), diagnostics, Some(doc.version));
        self.send_diagnostics(params)
    }

    fn send_diagnostics(&mut self, params: PublishDiagnosticsParams) -> Result<(), String> {
        let params = serde_json::to_value(params).map_err(|e| e.to_string())?;
        transport::write(
            &mut self.out,
            &json!({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": params}),
        )
        .map_err(|e| format!("cannot write to the client: {e}"))
    }
}

/// The letter's path as `check` would name it: a `file:` URI's path,
/// percent-decoded, so a sidecar or baseline entry keyed by file name (a
/// letter without a case number) matches in the editor too.
fn letter_path(uri: &Uri) -> String {
    let Some(path) = uri.as_str().strip_prefix("file://") else {
        return uri.as_str().to_string();
    };
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_params<T: DeserializeOwned>(params: Value) -> Result<T, String> {
    serde_json::from_value(params).map_err(|e| format!("invalid parameters: {e}"))
}

fn initialize_result() -> InitializeResult {
    InitializeResult {
        capabilities: ServerCapabilities {
            position_encoding: Some(PositionEncodingKind::UTF16),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                        include_text: Some(false),
                    })),
                    will_save: None,
                    will_save_wait_until: None,
                },
            )),
            ..ServerCapabilities::default()
        },
        server_info: Some(ServerInfo {
            name: "imrlint".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    }
}
