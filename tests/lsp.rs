//! `imrlint lsp` as an editor drives it: the built binary is started and
//! spoken to over its standard input and output. Diagnostics are compared
//! with what `imrlint check --format json` reports for the same text, so the
//! editor and the command line cannot drift apart. Every read has a timeout:
//! a hung server fails the test instead of hanging CI.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_imrlint");
const TIMEOUT: Duration = Duration::from_secs(20);

/// A letter that must trigger `criteria/nmes-without-stroke` (the rulebook lists it as a trigger).
const NMES: &str = "fixtures/check/criteria/nmes-overturned-no-stroke.txt";
const NMES_CODE: &str = "criteria/nmes-without-stroke";
/// A letter that must not trigger any rule.
const CLEAN: &str = "fixtures/check/clean.txt";

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    stderr: std::thread::JoinHandle<String>,
    next_id: i64,
}

/// Reads framed messages from the server; ends at the end of its output.
fn read_frames(out: impl Read, tx: std::sync::mpsc::Sender<Value>) {
    let mut r = BufReader::new(out);
    loop {
        let mut length = None;
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                length = Some(v.parse::<usize>().expect("length"));
            }
        }
        let mut body = vec![0; length.expect("Content-Length header")];
        if r.read_exact(&mut body).is_err() {
            return;
        }
        let v = serde_json::from_slice(&body).expect("the server writes JSON");
        if tx.send(v).is_err() {
            return;
        }
    }
}

impl Client {
    fn start() -> Client {
        Client::start_with(&[])
    }

    fn start_with(args: &[&str]) -> Client {
        let mut child = Command::new(BIN)
            .arg("lsp")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starts imrlint lsp");
        let (tx, rx) = channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || read_frames(out, tx));
        let mut err = child.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = err.read_to_string(&mut s);
            s
        });
        Client {
            stdin: child.stdin.take(),
            child,
            messages: rx,
            stderr,
            next_id: 0,
        }
    }

    fn raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write");
        stdin.flush().expect("flush");
    }

    fn send(&mut self, message: Value) {
        let body = serde_json::to_vec(&message).unwrap();
        let mut bytes = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        bytes.extend(body);
        self.raw(&bytes);
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns the response to it.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(&format!("the response to {method}"), |m| m["id"] == id)
    }

    /// The next message the server sends.
    fn recv(&self, what: &str, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.messages.recv_timeout(left) {
            Ok(v) => v,
            Err(RecvTimeoutError::Timeout) => panic!("timed out waiting for {what}"),
            Err(RecvTimeoutError::Disconnected) => {
                panic!("the server closed its output before {what}")
            }
        }
    }

    /// Waits for the first message that `pred` accepts; panics on any other
    /// response (notifications in between are skipped).
    fn wait(&self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let m = self.recv(what, deadline);
            if pred(&m) {
                return m;
            }
            assert!(
                m.get("id").is_none(),
                "unexpected response while waiting for {what}: {m}"
            );
        }
    }

    fn diagnostics(&self, uri: &str) -> Value {
        self.wait(&format!("diagnostics for {uri}"), |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        })["params"]
            .clone()
    }

    fn initialize(&mut self, related_information: bool) -> Value {
        let r = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": {"textDocument": {"publishDiagnostics": {"relatedInformation": related_information}}}
            }),
        );
        self.notify("initialized", json!({}));
        r
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "plaintext", "version": 1, "text": text}}),
        );
    }

    /// Closes standard input and waits for the exit code; returns it and the log.
    fn finish(mut self) -> (Option<i32>, String) {
        drop(self.stdin.take());
        let deadline = Instant::now() + TIMEOUT;
        let status = loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                break s;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the server did not exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        (status.code(), self.stderr.join().unwrap())
    }

    fn shutdown_and_exit(mut self) -> (Option<i32>, String) {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null, "{r}");
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", Value::Null);
        self.finish()
    }
}

fn uri_of(path: &Path) -> String {
    let abs = std::fs::canonicalize(path).expect("path");
    format!("file://{}", abs.display()).replace(' ', "%20")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).expect("fixture")
}

/// `imrlint check --format json` on `text` (written to a file): its findings.
fn check_json(name: &str, text: &str) -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap();
    let out = Command::new(BIN)
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .expect("runs check");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(v["files"][0]["error"].is_null(), "{v}");
    v["files"][0]["findings"].as_array().unwrap().clone()
}

/// The byte offset of an LSP position (zero-based line, UTF-16 units),
/// counted independently of the server: lines end at LF, CRLF or CR.
fn byte_offset(text: &str, pos: &Value) -> usize {
    let (line, character) = (
        pos["line"].as_u64().unwrap(),
        pos["character"].as_u64().unwrap(),
    );
    let mut l = 0;
    let mut units = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if l == line && units == character {
            return i;
        }
        match c {
            '\r' if chars.peek().map(|&(_, n)| n) == Some('\n') => {
                chars.next();
                l += 1;
                units = 0;
            }
            '\n' | '\r' => {
                l += 1;
                units = 0;
            }
            _ if l == line => units += c.len_utf16() as u64,
            _ => {}
        }
    }
    assert!(
        l == line && units == character,
        "position {pos} is not in the text"
    );
    text.len()
}

/// The byte range a diagnostic's range covers.
fn bytes_of(text: &str, range: &Value) -> (usize, usize) {
    (
        byte_offset(text, &range["start"]),
        byte_offset(text, &range["end"]),
    )
}

/// The UTF-16 position of a byte offset, for building edits.
fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = before[start..].chars().map(char::len_utf16).sum();
    json!({"line": line, "character": character})
}

/// The diagnostics match `check --format json`'s findings one for one:
/// code, severity, message, the exact words of the span and of each label,
/// and the help.
fn assert_same_as_check(text: &str, diagnostics: &Value, findings: &[Value]) {
    let diagnostics = diagnostics.as_array().expect("diagnostics");
    assert_eq!(diagnostics.len(), findings.len(), "{diagnostics:?}");
    for (d, f) in diagnostics.iter().zip(findings) {
        assert_eq!(d["code"], f["code"]);
        assert_eq!(d["source"], "imrlint");
        assert_eq!(d["message"], f["message"]);
        let severity = match f["severity"].as_str().unwrap() {
            "error" => 1,
            "warning" => 2,
            "info" => 3,
            s => panic!("severity {s}"),
        };
        assert_eq!(d["severity"], severity);
        let span = |s: &Value| {
            let o = s["offset"].as_u64().unwrap() as usize;
            (o, o + s["length"].as_u64().unwrap() as usize)
        };
        assert_eq!(
            bytes_of(text, &d["range"]),
            span(&f["span"]),
            "range of {d}"
        );
        let related = d["relatedInformation"]
            .as_array()
            .expect("relatedInformation");
        let labels = f["labels"].as_array().unwrap();
        assert_eq!(related.len(), labels.len() + 1, "each label, then the help");
        for (r, l) in related.iter().zip(labels) {
            assert_eq!(r["message"], l["message"]);
            assert_eq!(bytes_of(text, &r["location"]["range"]), span(&l["span"]));
        }
        let help = related.last().unwrap();
        assert_eq!(
            help["message"],
            format!("help: {}", f["help"].as_str().unwrap())
        );
    }
}

#[test]
fn publishes_findings_as_the_letter_changes_and_clears_them() {
    let mut c = Client::start();
    let init = c.initialize(true);
    let result = &init["result"];
    assert_eq!(result["serverInfo"]["name"], "imrlint");
    assert_eq!(result["serverInfo"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        result["capabilities"]["textDocumentSync"]["openClose"],
        true
    );
    assert_eq!(
        result["capabilities"]["textDocumentSync"]["change"], 2,
        "incremental"
    );
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");

    let uri = uri_of(Path::new(NMES));
    let text = read(NMES);
    c.open(&uri, &text);
    let published = c.diagnostics(&uri);
    assert_eq!(published["version"], 1);
    let diagnostics = &published["diagnostics"];
    let d = diagnostics
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == NMES_CODE)
        .expect("the rule's diagnostic");
    assert_eq!(d["severity"], 2, "a warning");
    let (start, end) = bytes_of(&text, &d["range"]);
    assert_eq!(&text[start..end], "Overturned");
    // Every finding, as `check --format json` reports it for the same file.
    let out = Command::new(BIN)
        .args(["check", "--format", "json", NMES])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = v["files"][0]["findings"].as_array().unwrap();
    assert_same_as_check(&text, diagnostics, findings);

    // The writer replaces the whole text with a clean letter.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": read(CLEAN)}]}),
    );
    let published = c.diagnostics(&uri);
    assert_eq!(published["version"], 2);
    assert_eq!(published["diagnostics"], json!([]));

    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(c.diagnostics(&uri)["diagnostics"], json!([]));
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(c.diagnostics(&uri)["diagnostics"], json!([]));

    let (code, log) = c.shutdown_and_exit();
    assert_eq!(code, Some(0), "exit after shutdown is 0; log: {log}");
}

#[test]
fn non_ascii_crlf_text_and_incremental_edits() {
    // The fixture with characters of 2, 3 and 4 UTF-8 bytes (the last two
    // UTF-16 units) before the finding's words on their lines, and CRLF line ends.
    let text = read(NMES)
        .replace(
            "uses ibuprofen and a home exercise program.",
            "uses ibuprofen (Advil®) — and a home exercise program 😀.",
        )
        .replace(
            "Muscle stimulator: Overturned",
            "Muscle stimulator (électro 😀): Overturned",
        )
        .replace('\n', "\r\n");
    let findings = check_json("lsp-nmes-crlf.txt", &text);
    assert!(
        findings.iter().any(|f| f["code"] == NMES_CODE),
        "{findings:?}"
    );

    let mut c = Client::start();
    c.initialize(true);
    let uri = "file:///letters/nmes%20crlf.txt";
    c.open(uri, &text);
    let published = c.diagnostics(uri);
    assert_same_as_check(&text, &published["diagnostics"], &findings);
    let d = &published["diagnostics"][0];
    let (start, end) = bytes_of(&text, &d["range"]);
    assert_eq!(&text[start..end], "Overturned");

    // An incremental edit: the case summary now documents the stroke.
    let old = "There is no indication of a prior stroke.";
    let new = "She had a stroke in 2014 and is in a rehabilitation program.";
    let at = text.find(old).unwrap();
    let edited = text.replacen(old, new, 1);
    // The positions of the edit, with a line count that only knows LF: the text is CRLF throughout.
    let range = json!({"start": position(&text, at), "end": position(&text, at + old.len())});
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 7}, "contentChanges": [{"range": range, "text": new}]}),
    );
    let published = c.diagnostics(uri);
    assert_eq!(published["version"], 7);
    let expected = check_json("lsp-nmes-crlf-edited.txt", &edited);
    assert!(
        !expected.iter().any(|f| f["code"] == NMES_CODE),
        "the edit documents the stroke"
    );
    assert_same_as_check(&edited, &published["diagnostics"], &expected);

    // Typing a new word on the item's line, before "Overturned", moves the finding by it.
    let back = text.find("(électro").unwrap();
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 8}, "contentChanges": [
            {"range": {"start": position(&edited, at), "end": position(&edited, at + new.len())}, "text": old},
            {"range": {"start": position(&text, back), "end": position(&text, back)}, "text": "ßß "}
        ]}),
    );
    let retyped = format!("{}ßß {}", &text[..back], &text[back..]);
    let expected = check_json("lsp-nmes-crlf-retyped.txt", &retyped);
    assert!(
        expected.iter().any(|f| f["code"] == NMES_CODE),
        "{expected:?}"
    );
    let published = c.diagnostics(uri);
    assert_same_as_check(&retyped, &published["diagnostics"], &expected);
    let (start, end) = bytes_of(&retyped, &published["diagnostics"][0]["range"]);
    assert_eq!(&retyped[start..end], "Overturned");

    let (code, log) = c.shutdown_and_exit();
    assert_eq!(code, Some(0), "{log}");
}

#[test]
fn a_letter_that_does_not_parse_gets_one_diagnostic_at_the_top() {
    let mut c = Client::start();
    c.initialize(false);
    let uri = "file:///letters/note.md";
    c.open(uri, "Dear Sir,\nthis is not an IMR letter.\n");
    let published = c.diagnostics(uri);
    let d = published["diagnostics"].as_array().unwrap();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "parse/unknown-layout");
    assert_eq!(d[0]["severity"], 1);
    assert_eq!(d[0]["range"]["start"], json!({"line": 0, "character": 0}));
    assert_eq!(d[0]["range"]["end"]["line"], 0);
    assert!(
        d[0]["message"]
            .as_str()
            .unwrap()
            .contains("not a recognised IMR letter")
    );
    // Files that are not letters are left alone.
    c.open("file:///src/main.rs", "fn main() {}");
    c.open("file:///letters/empty.txt", "");
    let empty = c.diagnostics("file:///letters/empty.txt");
    assert_eq!(empty["diagnostics"][0]["code"], "parse/empty", "{empty}");
    let (code, _) = c.shutdown_and_exit();
    assert_eq!(code, Some(0));
}

#[test]
fn malformed_messages_and_unknown_methods_do_not_stop_the_server() {
    let mut c = Client::start();
    // Before initialize, requests are refused.
    let r = c.request("textDocument/hover", json!({}));
    assert_eq!(r["error"]["code"], -32002, "{r}");
    c.initialize(true);

    // A well-framed body that is not JSON: a parse error, with no id.
    c.raw(b"Content-Length: 9\r\n\r\n{not json");
    let r = c.wait("the parse error", |m| m.get("error").is_some());
    assert_eq!(r["error"]["code"], -32700, "{r}");
    assert_eq!(r["id"], Value::Null);
    // Bad framing: logged, skipped.
    c.raw(b"Content-Length: many\r\n\r\n");
    c.raw(b"this is not a header\r\n\r\n");

    // Unknown requests: MethodNotFound with their id.
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///a.txt"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(r["error"]["code"], -32601, "{r}");
    let r = c.request("imrlint/nonsense", Value::Null);
    assert_eq!(r["error"]["code"], -32601, "{r}");
    // Unknown notifications and notifications with bad parameters: no reply.
    c.notify("$/setTrace", json!({"value": "off"}));
    c.notify("workspace/didChangeConfiguration", json!({"settings": {}}));
    c.notify("textDocument/didOpen", json!({"textDocument": 42}));
    // The server still works.
    let uri = "file:///letters/clean.txt";
    c.open(uri, &read(CLEAN));
    assert_eq!(c.diagnostics(uri)["diagnostics"], json!([]));

    let (code, log) = c.shutdown_and_exit();
    assert_eq!(code, Some(0));
    assert!(log.contains("not JSON"), "logged: {log}");
    assert!(log.contains("Content-Length"), "logged: {log}");
    assert!(log.contains("not a header line"), "logged: {log}");
    assert!(
        log.contains("textDocument/didOpen: invalid parameters"),
        "logged: {log}"
    );
    assert!(!log.contains("panicked"), "{log}");
}

#[test]
fn exit_without_shutdown_is_code_1() {
    let mut c = Client::start();
    c.initialize(false);
    c.notify("exit", Value::Null);
    let (code, _) = c.finish();
    assert_eq!(code, Some(1));

    // So is the end of the input without exit.
    let mut c = Client::start();
    c.initialize(false);
    let (code, log) = c.finish();
    assert_eq!(code, Some(1));
    assert!(log.contains("without shutdown"), "{log}");

    // After shutdown, requests are invalid.
    let mut c = Client::start();
    c.initialize(false);
    c.request("shutdown", Value::Null);
    let r = c.request("textDocument/hover", json!({}));
    assert_eq!(r["error"]["code"], -32600, "{r}");
    c.notify("exit", Value::Null);
    assert_eq!(c.finish().0, Some(0));
}

#[test]
fn suppressions_and_baseline_hide_what_check_would_not_report() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lsp-extras");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let sidecar = "fixtures/check/suppression/suppressions.toml";
    let tens = "fixtures/check/citation/tens-odg-only.txt";
    // The sidecar allows NMES_CODE in the NMES letter (case CM15-0999209) with
    // a reason, and `citation` in the TENS letter without one.
    let mut c = Client::start_with(&["--suppressions", sidecar]);
    c.initialize(false);
    let nmes = uri_of(Path::new(NMES));
    c.open(&nmes, &read(NMES));
    let d = c.diagnostics(&nmes);
    assert!(
        d["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["code"] != NMES_CODE),
        "{d}"
    );
    let t = uri_of(Path::new(tens));
    c.open(&t, &read(tens));
    let d = c.diagnostics(&t);
    let codes: Vec<&str> = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["code"].as_str())
        .collect();
    assert_eq!(codes, ["suppression/missing-reason"], "{d}");
    assert_eq!(c.shutdown_and_exit().0, Some(0));

    // A baseline written by `check` hides the letter's findings, also after
    // lines are inserted above them; a new finding still shows. The file
    // name has a space: a letter without a case number is keyed by it.
    let text = read(NMES).replace("Case Number: CM15-0999209", "Case Number:");
    let letter = dir.join("draft letter.txt");
    std::fs::write(&letter, &text).unwrap();
    let baseline = dir.join("baseline.json");
    let out = Command::new(BIN)
        .args(["check", "--quiet", "--write-baseline"])
        .arg(&baseline)
        .arg(&letter)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(!check_json("lsp-extras-nmes.txt", &text).is_empty());
    let mut c = Client::start_with(&["--baseline", baseline.to_str().unwrap()]);
    c.initialize(false);
    let uri = uri_of(&letter);
    assert!(uri.contains("draft%20letter.txt"), "{uri}");
    c.open(&uri, &format!("Draft 2, for review.\n\n{text}"));
    let d = c.diagnostics(&uri);
    assert_eq!(d["diagnostics"], json!([]), "{d}");
    // The same text under another name is another letter: not in the baseline.
    let other = uri_of(Path::new(NMES)).replace("nmes-overturned-no-stroke", "other");
    c.open(&other, &text);
    let d = c.diagnostics(&other);
    assert!(!d["diagnostics"].as_array().unwrap().is_empty(), "{d}");
    assert_eq!(c.shutdown_and_exit().0, Some(0));

    // A baseline that cannot be read stops the server at start, naming it.
    let missing = dir.join("missing.json");
    let c = Client::start_with(&["--baseline", missing.to_str().unwrap()]);
    let (code, log) = c.finish();
    assert_eq!(code, Some(2));
    assert!(log.contains("missing.json"), "{log}");
}
