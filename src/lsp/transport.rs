//! JSON-RPC messages over a byte stream with the LSP base protocol's framing:
//! `Content-Length: N\r\n` (and an optional `Content-Type`) header lines, an
//! empty line, then N bytes of UTF-8 JSON.
//!
//! Reading never panics on what a client sends: a header block without a
//! usable length, a body that is not JSON and a body larger than
//! [`MAX_BODY`] are each an [`Frame::Bad`] that the server logs before
//! reading on; only the end of the stream or an I/O error stops it.

use std::io::{self, BufRead, Read, Write};

use serde_json::Value;

/// The largest body read (letters are tens of KiB; this bounds memory
/// against a client that announces gigabytes).
pub const MAX_BODY: usize = 64 << 20;

/// One read from the stream.
#[derive(Debug)]
pub enum Frame {
    /// A well-framed body that parsed as JSON.
    Message(Value),
    /// Something that could not be read as a message; the reason, for the log.
    /// `json` is set when the framing was right but the body was not JSON,
    /// which JSON-RPC answers with a parse error.
    Bad { reason: String, json: bool },
    /// The stream ended (between messages, or inside one).
    Eof,
}

/// Reads the next frame.
pub fn read(input: &mut impl BufRead) -> io::Result<Frame> {
    let mut length: Option<usize> = None;
    let mut problem: Option<String> = None;
    let mut seen_header = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        // Header lines are short; bound them so a stream without newlines
        // cannot grow the buffer without limit.
        let n = input.by_ref().take(8192).read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(Frame::Eof);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if !seen_header {
                // Stray blank lines between messages.
                continue;
            }
            break;
        }
        seen_header = true;
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => {
                        problem = Some(format!("bad Content-Length header {:?}", value.trim()))
                    }
                }
            }
            Some((name, _)) if name.trim().eq_ignore_ascii_case("content-type") => {}
            // Other headers are allowed and ignored.
            Some(_) => {}
            None => problem = Some(format!("not a header line: {:?}", clip(text))),
        }
    }
    let Some(length) = length else {
        return Ok(Frame::Bad {
            reason: problem.unwrap_or_else(|| "a header block without Content-Length".into()),
            json: false,
        });
    };
    if length > MAX_BODY {
        // Skip the body so the next message can still be read.
        io::copy(&mut input.by_ref().take(length as u64), &mut io::sink())?;
        return Ok(Frame::Bad {
            reason: format!("a {length}-byte message, larger than the {MAX_BODY}-byte limit"),
            json: false,
        });
    }
    let mut body = Vec::new();
    input.by_ref().take(length as u64).read_to_end(&mut body)?;
    if body.len() < length {
        return Ok(Frame::Eof);
    }
    match serde_json::from_slice(&body) {
        Ok(v) => Ok(Frame::Message(v)),
        Err(e) => Ok(Frame::Bad {
            reason: format!("a message that is not JSON ({e})"),
            json: true,
        }),
    }
}

fn clip(s: &str) -> String {
    s.chars().take(80).collect()
}

/// Writes one message with its header and flushes.
pub fn write(out: &mut impl Write, message: &Value) -> io::Result<()> {
    let body = serde_json::to_vec(message)?;
    write!(out, "Content-Length: {}\r\n\r\n", body.len())?;
    out.write_all(&body)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(bytes: &[u8]) -> Vec<String> {
        let mut r = io::BufReader::new(bytes);
        let mut out = Vec::new();
        loop {
            match read(&mut r).expect("io") {
                Frame::Message(v) => out.push(format!("msg {v}")),
                Frame::Bad { json, .. } => out.push(format!("bad json={json}")),
                Frame::Eof => break,
            }
        }
        out
    }

    #[test]
    fn reads_messages_and_survives_bad_ones() {
        let mut s = Vec::new();
        write(&mut s, &serde_json::json!({"a": "é"})).unwrap();
        s.extend_from_slice(b"content-length: 3\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{x}");
        s.extend_from_slice(b"Content-Length: zz\r\n\r\n");
        s.extend_from_slice(b"Content-Length: 2\r\n\r\n[]");
        s.extend_from_slice(b"Content-Length: 99999999999\r\n\r\n");
        assert_eq!(
            frames(&s),
            [
                "msg {\"a\":\"é\"}",
                "bad json=true",
                "bad json=false",
                "msg []",
                "bad json=false",
            ]
        );
        // A body cut short by the end of the stream.
        assert!(frames(b"Content-Length: 10\r\n\r\n{}").is_empty());
    }
}
