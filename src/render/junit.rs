//! `--format junit`: JUnit XML for CI test reports, written as letters are checked.
//!
//! ```xml
//! <testsuites name="imrlint">
//!   <testsuite name="PATH" tests="2" failures="2" errors="0">
//!     <testcase classname="PATH" name="item 1: CODE" file="PATH" line="17">
//!       <failure type="CODE" message="MESSAGE">severity, place, labels, help</failure>
//!     </testcase>
//!     ...
//!   </testsuite>
//!   <testsuite name="inconsistency" ...>   (audit: the cross-letter findings)
//! </testsuites>
//! ```
//!
//! One test suite per letter: a test case per finding (a failure), a single
//! passing test case `letter` when it has none, or a test case with an
//! `<error>` when it could not be read or parsed. The totals of the whole run
//! are known only at its end, and the output streams, so `<testsuites>`
//! carries none: readers add up the suites' counts.
//!
//! Text is escaped for XML 1.0, and characters XML 1.0 does not allow
//! (control characters other than tab, newline and carriage return; U+FFFE,
//! U+FFFF) are left out.

use std::io::{self, Write};

use crate::audit::Inconsistency;
use crate::finding::Finding;
use crate::render::check::Checked;
use crate::render::sink::{End, Sink};
use crate::span::line_column;

pub struct Junit<W: Write> {
    out: W,
    started: bool,
}

impl<W: Write> Junit<W> {
    pub fn new(out: W) -> Junit<W> {
        Junit {
            out,
            started: false,
        }
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            self.out.write_all(
                b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"imrlint\">\n",
            )?;
        }
        Ok(())
    }

    fn suite_start(
        &mut self,
        name: &str,
        tests: usize,
        failures: usize,
        errors: usize,
    ) -> io::Result<()> {
        writeln!(
            self.out,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">",
            attr(name)
        )
    }
}

/// A test case's name: the item and the rule.
fn case_name(f: &Finding) -> String {
    match f.item {
        Some(i) => format!("item {i}: {}", f.code),
        None => format!("letter: {}", f.code),
    }
}

impl<W: Write> Sink for Junit<W> {
    fn file(&mut self, c: &Checked) -> io::Result<()> {
        self.start()?;
        let path = &c.outcome.path;
        let p = attr(path);
        if let Err(e) = &c.outcome.result {
            self.suite_start(path, 1, 0, 1)?;
            writeln!(
                self.out,
                "    <testcase classname=\"{p}\" name=\"letter\" file=\"{p}\">\n      <error type=\"{}\" message=\"{}\"/>\n    </testcase>\n  </testsuite>",
                attr(e.code()),
                attr(&e.message())
            )?;
            return Ok(());
        }
        if c.findings.is_empty() {
            self.suite_start(path, 1, 0, 0)?;
            return writeln!(
                self.out,
                "    <testcase classname=\"{p}\" name=\"letter\" file=\"{p}\"/>\n  </testsuite>"
            );
        }
        self.suite_start(path, c.findings.len(), c.findings.len(), 0)?;
        let text = c.outcome.source.as_ref().map_or("", |s| s.text.as_str());
        for f in &c.findings {
            let (line, column) = line_column(text, f.span.offset);
            let mut details = format!(
                "{}[{}] {path}:{line}:{column}: {}",
                f.severity.name(),
                f.code,
                f.message
            );
            for l in f.labels.iter().filter(|l| !l.message.is_empty()) {
                let (line, column) = line_column(text, l.span.offset);
                details.push_str(&format!("\n  {line}:{column}: {}", l.message));
            }
            if !f.help.is_empty() {
                details.push_str("\n\n");
                details.push_str(&f.help);
            }
            writeln!(
                self.out,
                "    <testcase classname=\"{p}\" name=\"{}\" file=\"{p}\" line=\"{line}\">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
                attr(&case_name(f)),
                attr(&f.code),
                attr(&f.message),
                text_content(&details)
            )?;
        }
        self.out.write_all(b"  </testsuite>\n")
    }

    fn finish(&mut self, end: &End) -> io::Result<()> {
        self.start()?;
        let inc = end.inconsistencies;
        // `audit` always has the suite: a passing case says the letters agree.
        if end.tables.is_some() || !inc.is_empty() {
            self.suite_start("inconsistency", inc.len().max(1), inc.len(), 0)?;
            if inc.is_empty() {
                self.out.write_all(
                    b"    <testcase classname=\"inconsistency\" name=\"decisions agree across letters\"/>\n",
                )?;
            }
            for i in inc {
                self.inconsistency(i)?;
            }
            self.out.write_all(b"  </testsuite>\n")?;
        }
        self.out.write_all(b"</testsuites>\n")?;
        self.out.flush()
    }
}

impl<W: Write> Junit<W> {
    fn inconsistency(&mut self, i: &Inconsistency) -> io::Result<()> {
        let f = &i.finding;
        let mut details = format!(
            "{}[{}] {}:{}:{}: {}",
            f.severity.name(),
            f.code,
            i.path,
            i.line,
            i.column,
            f.message
        );
        for o in &i.others {
            let d = match o.decision {
                crate::model::Decision::Upheld => "upheld",
                crate::model::Decision::Overturned => "overturned",
            };
            details.push_str(&format!("\n  {} item {}: {d}", o.path, o.item));
        }
        if !f.help.is_empty() {
            details.push_str("\n\n");
            details.push_str(&f.help);
        }
        let p = attr(&i.path);
        writeln!(
            self.out,
            "    <testcase classname=\"{p}\" name=\"{}\" file=\"{p}\" line=\"{}\">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
            attr(&case_name(f)),
            i.line,
            attr(&f.code),
            attr(&f.message),
            text_content(&details)
        )
    }
}

/// Whether XML 1.0 allows `c` at all (its `Char` production).
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes `s` for XML; in attribute values also whitespace that a parser
/// would otherwise normalise to spaces, so that values read back as written.
fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|&c| xml_char(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // A parser reads a literal CR (or CR LF) as LF.
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

fn attr(s: &str) -> String {
    escape(s, true)
}

fn text_content(s: &str) -> String {
    escape(s, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_is_escaped_and_forbidden_characters_are_dropped() {
        assert_eq!(
            attr("a<b>&\"c\" 'd'"),
            "a&lt;b&gt;&amp;&quot;c&quot; &apos;d&apos;"
        );
        assert_eq!(attr("x\u{0}y\u{1b}z\u{FFFE}"), "xyz");
        assert_eq!(attr("1\n2\t3\r"), "1&#10;2&#9;3&#13;");
        assert_eq!(text_content("1\n2\t3\r"), "1\n2\t3&#13;");
        assert_eq!(text_content("é 😀"), "é 😀");
    }
}
