//! `--format html`: a hostile letter (markup, comment and CDATA openers,
//! entities, non-ASCII text) and hostile file names come out as text, never
//! as markup; the page is self-contained; every link lands; the page's script
//! and stylesheet are the ones its Content-Security-Policy hashes allow.
//!
//! The browser test (`tests/html/run.sh`: headless Chromium through
//! chromedriver) runs here only with `IMRLINT_BROWSER_TEST=1`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use imrlint::render::html::{Mark, MarkKind, escape, highlight};
use sha2::{Digest, Sha256};

fn base64_sha256(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()))
}
use proptest::prelude::*;

const HOSTILE: &str = "fixtures/check/html/hostile.txt";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn imrlint(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_imrlint"))
        .current_dir(root())
        .args(args)
        .output()
        .expect("imrlint runs");
    (
        out.status.code(),
        String::from_utf8(out.stdout).expect("UTF-8"),
    )
}

/// A scratch directory with inputs whose names are markup (where the file
/// system allows it): a copy of the hostile letter and a file that is not a letter.
fn hostile_names() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("imrlint-html-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let (letter, other) = if cfg!(unix) {
        (
            "<svg onload=window.__pwned=6> & 'co'.txt",
            "<img src=x onerror=\"window.__pwned=5\">.txt",
        )
    } else {
        ("hostile copy.txt", "not a letter.txt")
    };
    std::fs::copy(root().join(HOSTILE), dir.join(letter)).expect("copy");
    std::fs::write(dir.join(other), "Dear Sir,\nThank you.\n").expect("write");
    dir
}

#[derive(Debug)]
struct Tag {
    name: String,
    closing: bool,
    attrs: Vec<(String, String)>,
}

/// What a page is made of, read by a strict little scanner: it accepts only
/// what the HTML sink writes (a doctype, tags with double-quoted attributes,
/// text, and the raw text of one script and one style), so anything letter
/// text could smuggle in shows up as an unknown tag or a scan failure.
struct Page {
    tags: Vec<Tag>,
    /// Text between tags, with the element it stands in.
    texts: Vec<(String, String)>,
    script: String,
    style: String,
}

const VOID: &[&str] = &["meta", "wbr", "br"];

fn scan(html: &str) -> Page {
    let b = html.as_bytes();
    let mut page = Page {
        tags: Vec::new(),
        texts: Vec::new(),
        script: String::new(),
        style: String::new(),
    };
    let mut stack: Vec<String> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            let end = html[i..].find('<').map_or(b.len(), |j| i + j);
            let parent = stack.last().cloned().unwrap_or_default();
            page.texts.push((parent, html[i..end].to_string()));
            i = end;
            continue;
        }
        let rest = &html[i..];
        assert!(!rest.starts_with("<!--"), "a comment in the page at {i}");
        if rest.starts_with("<!DOCTYPE html>") {
            assert_eq!(i, 0, "the doctype opens the page");
            i += "<!DOCTYPE html>".len();
            continue;
        }
        let closing = rest.starts_with("</");
        let mut j = i + if closing { 2 } else { 1 };
        let start = j;
        while j < b.len() && b[j].is_ascii_alphanumeric() {
            j += 1;
        }
        let name = html[start..j].to_ascii_lowercase();
        assert!(
            !name.is_empty(),
            "a stray '<' at {i}: {}",
            &html[i..(i + 40).min(html.len())]
        );
        let mut attrs = Vec::new();
        let mut self_closing = false;
        loop {
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            match b.get(j) {
                Some(b'>') => {
                    j += 1;
                    break;
                }
                Some(b'/') if b.get(j + 1) == Some(&b'>') => {
                    self_closing = true;
                    j += 2;
                    break;
                }
                None => panic!("unterminated tag <{name}"),
                _ => {}
            }
            assert!(!closing, "attributes on a closing tag </{name}");
            let a = j;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'-') {
                j += 1;
            }
            let attr = html[a..j].to_ascii_lowercase();
            assert!(
                !attr.is_empty(),
                "unreadable attribute in <{name} at {j}: {}",
                &html[a..(a + 40).min(html.len())]
            );
            assert_eq!(
                b.get(j),
                Some(&b'='),
                "attribute {attr} of <{name}> without a value"
            );
            assert_eq!(
                b.get(j + 1),
                Some(&b'"'),
                "attribute {attr} of <{name}> not double-quoted"
            );
            let v = j + 2;
            let end = v + html[v..].find('"').expect("closing quote");
            let value = &html[v..end];
            assert!(
                !value.contains('<') && !value.contains('>'),
                "raw markup in {attr}=\"{value}\""
            );
            attrs.push((attr, value.to_string()));
            j = end + 1;
        }
        if closing {
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(open, name, "</{name}> closes <{open}>");
        } else if name == "script" || name == "style" {
            let end_tag = format!("</{name}>");
            let end = j + html[j..].find(&end_tag).expect("raw text element closes");
            let raw = html[j..end].to_string();
            if name == "script" {
                assert!(page.script.is_empty(), "a second script");
                page.script = raw;
            } else {
                assert!(page.style.is_empty(), "a second style");
                page.style = raw;
            }
            j = end + end_tag.len();
        } else if !self_closing && !VOID.contains(&name.as_str()) {
            stack.push(name.clone());
        }
        page.tags.push(Tag {
            name,
            closing,
            attrs,
        });
        i = j;
    }
    assert!(stack.is_empty(), "elements left open: {stack:?}");
    page
}

const ALLOWED: &[&str] = &[
    "html", "head", "meta", "title", "style", "body", "main", "header", "footer", "section", "div",
    "span", "p", "a", "h1", "h2", "h3", "ol", "ul", "li", "code", "pre", "mark", "details",
    "summary", "button", "table", "thead", "tbody", "tr", "th", "td", "svg", "g", "rect", "text",
    "wbr", "script",
];

/// The checks every page must pass, whatever went into it.
fn assert_safe(html: &str) -> Page {
    let page = scan(html);
    let mut ids = HashSet::new();
    let mut hrefs = Vec::new();
    for t in page.tags.iter().filter(|t| !t.closing) {
        assert!(
            ALLOWED.contains(&t.name.as_str()),
            "unexpected element <{}>",
            t.name
        );
        for (a, v) in &t.attrs {
            assert!(
                !a.starts_with("on"),
                "event handler {a}=\"{v}\" on <{}>",
                t.name
            );
            assert!(
                ![
                    "src",
                    "srcdoc",
                    "srcset",
                    "action",
                    "formaction",
                    "style",
                    "background",
                    "xlink:href",
                    "poster",
                    "data"
                ]
                .contains(&a.as_str()),
                "attribute {a} on <{}>",
                t.name
            );
            assert!(
                !v.contains("http://") && !v.contains("https://") && !v.contains("javascript:"),
                "{a}=\"{v}\""
            );
            if a == "id" {
                assert!(ids.insert(v.clone()), "id {v} twice");
            }
            if a == "href" {
                assert!(v.starts_with('#'), "href=\"{v}\" leaves the page");
                hrefs.push(v.clone());
            }
        }
    }
    for h in &hrefs {
        assert!(ids.contains(&h[1..]), "href=\"{h}\" points at no element");
    }
    for (parent, text) in &page.texts {
        assert!(
            !text.contains(['>', '"', '\'']),
            "unescaped character in <{parent}> text: {text:?}"
        );
        for (k, _) in text.match_indices('&') {
            let r = &text[k..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                    .iter()
                    .any(|e| r.starts_with(e)),
                "a bare '&' in <{parent}> text: {:?}",
                &r[..r.len().min(20)]
            );
        }
    }
    let metas: Vec<&Tag> = page.tags.iter().filter(|t| t.name == "meta").collect();
    let csp = metas
        .iter()
        .find(|t| {
            t.attrs
                .iter()
                .any(|(a, v)| a == "http-equiv" && v == "Content-Security-Policy")
        })
        .and_then(|t| t.attrs.iter().find(|(a, _)| a == "content"))
        .map(|(_, v)| v.replace("&#39;", "'"))
        .expect("a Content-Security-Policy meta tag");
    assert!(csp.starts_with("default-src 'none';"), "{csp}");
    assert!(!csp.contains("unsafe"), "{csp}");
    // The policy allows exactly the script and the style the page holds.
    let script_hash = format!("script-src 'sha256-{}'", base64_sha256(&page.script));
    let style_hash = format!("style-src 'sha256-{}'", base64_sha256(&page.style));
    assert!(csp.contains(&script_hash), "{csp} vs {script_hash}");
    assert!(csp.contains(&style_hash), "{csp} vs {style_hash}");
    assert!(!page.style.contains("url(") && !page.style.contains("@import"));
    assert!(!page.script.contains("innerHTML") && !page.script.contains("eval"));
    page
}

fn attr<'a>(t: &'a Tag, name: &str) -> Option<&'a str> {
    t.attrs
        .iter()
        .find(|(a, _)| a == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn hostile_letters_and_names_come_out_as_text() {
    let dir = hostile_names();
    let d = dir.to_string_lossy().to_string();
    let (code, html) = imrlint(&[
        "audit",
        "--format",
        "html",
        HOSTILE,
        "fixtures/check/inconsistency/same-facts/",
        "fixtures/check/conclusion/upheld-but-necessary.txt",
        "fixtures/check/clean.txt",
        &d,
    ]);
    assert_eq!(code, Some(2), "the input that is not a letter failed");
    let page = assert_safe(&html);

    assert!(!html.contains("<script>window.__pwned"));
    assert!(!html.contains("<img"));
    assert!(!html.contains("<svg onload"));
    assert!(!html.contains("</pre></td>"));
    assert_eq!(
        html.matches("<script>").count(),
        1,
        "the page's own script only"
    );
    for escaped in [
        "&lt;script&gt;window.__pwned=1&lt;/script&gt;",
        "&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;",
        "&lt;/pre&gt;&lt;/td&gt;&lt;/table&gt;",
        "&lt;!-- and ]]&gt; and &amp;amp; and &#39;single&#39; quotes",
        "naïve Bäcker from Köln (日本語, ελληνικά, emoji 🩺)",
    ] {
        assert!(html.contains(escaped), "{escaped}");
    }
    // `onerror=` appears only inside escaped text, never as an attribute.
    for (k, _) in html.match_indices("onerror=") {
        assert!(
            html[..k].ends_with("&lt;img src=x "),
            "onerror= outside escaped text at {k}"
        );
    }
    if cfg!(unix) {
        assert!(html.contains("&lt;svg onload=window.__pwned=6&gt; &amp; &#39;co&#39;.txt"));
        assert!(html.contains("&lt;img src=x onerror=&quot;window.__pwned=5&quot;&gt;.txt"));
    }

    // A <mark> wraps hostile text: the finding's span in the hostile letter.
    let marked = "&lt;script&gt;self[&#39;__pwned&#39;]=3&lt;/script&gt;";
    assert!(
        page.texts
            .iter()
            .any(|(parent, t)| parent == "mark" && t.contains(marked)),
        "no <mark> wraps {marked}"
    );

    // Each findings row links to a finding's id (its mark, or the
    // cross-letter entry); all findings have a row.
    let ids: HashSet<&str> = page.tags.iter().filter_map(|t| attr(t, "id")).collect();
    let rows: Vec<&Tag> = page
        .tags
        .iter()
        .filter(|t| t.name == "a" && attr(t, "class").is_some_and(|c| c.starts_with("frow ")))
        .collect();
    let (_, json) = imrlint(&[
        "audit",
        "--format",
        "json",
        HOSTILE,
        "fixtures/check/inconsistency/same-facts/",
        "fixtures/check/conclusion/upheld-but-necessary.txt",
        "fixtures/check/clean.txt",
        &d,
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(
        rows.len() as u64,
        v["summary"]["findings"].as_u64().unwrap()
    );
    let mut targets = HashMap::new();
    for r in &rows {
        let href = attr(r, "href").expect("row link");
        assert!(ids.contains(&href[1..]), "{href}");
        *targets.entry(href.to_string()).or_insert(0) += 1;
        let mark = page
            .tags
            .iter()
            .find(|t| attr(t, "id") == Some(&href[1..]))
            .expect("target");
        if href.starts_with("#letter-") {
            let anchor = mark.name == "span" && attr(mark, "class") == Some("anchor");
            assert!(
                mark.name == "mark" || anchor,
                "{href} is a highlighted span"
            );
        }
    }
    assert!(
        targets.values().all(|&n| n == 1),
        "one row per finding: {targets:?}"
    );
    assert!(targets.keys().any(|h| h.starts_with("#inconsistency-")));

    // The audit's tables came with it, escaped.
    assert!(html.contains("Uphold rate by service"));
    assert!(html.contains("Family Practice &lt;script&gt;window.__pwned=1&lt;/script&gt;"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn check_pages_are_safe_too_with_or_without_findings() {
    let (code, html) = imrlint(&["check", "--format", "html", "fixtures/check/clean.txt"]);
    assert_eq!(code, Some(0));
    assert_safe(&html);
    assert!(html.contains("<title>imrlint check report</title>"));
    assert!(html.contains("No findings."));
    assert!(
        !html.contains("Uphold rate by service"),
        "only audits have the tables"
    );

    let (code, html) = imrlint(&["check", "--format", "html", HOSTILE, "no/such/<file>.txt"]);
    assert_eq!(code, Some(2));
    assert_safe(&html);
    assert!(html.contains("no/<wbr>such/<wbr>&lt;file&gt;.txt"));
}

/// Cross-letter findings link to the line in their own letter's section,
/// even when inputs that failed (and so have no audit index) come first.
#[test]
fn cross_letter_findings_link_to_their_own_letter() {
    let letters = "../shared/data/dwc-imr-letters/text";
    if !root().join(letters).is_dir() {
        eprintln!("skipped: {letters} is missing");
        return;
    }
    let (_, html) = imrlint(&["audit", "--format", "html", "no/such/letter.txt", letters]);
    assert_safe(&html);
    let plain = |s: &str| s.replace("<wbr>", "").replace("&amp;", "&");
    let mut linked = 0;
    for entry in html.split("<div class=\"xentry\"").skip(1) {
        // The entry's first paragraph names its own letter (linked when it has a section).
        let entry = &entry[..entry.find("</p>").unwrap()];
        let Some(k) = entry.find("<a class=\"path\" href=\"#letter-") else {
            continue;
        };
        let rest = &entry[k + "<a class=\"path\" href=\"#letter-".len()..];
        let n: usize = rest[..rest.find('-').unwrap()].parse().unwrap();
        let text = &rest[rest.find('>').unwrap() + 1..rest.find("</a>").unwrap()];
        let path = plain(text);
        let path = path.rsplitn(3, ':').nth(2).unwrap().to_string();
        let section = format!("<section class=\"letter\" id=\"letter-{n}\"");
        let s = &html[html.find(&section).expect("section")..];
        let h = &s[s.find("<span class=\"path\">").unwrap() + 19..];
        assert_eq!(plain(&h[..h.find("</span>").unwrap()]), path);
        linked += 1;
    }
    assert!(
        linked > 0,
        "some cross-letter finding stands in a letter with a section"
    );
}

#[test]
fn html_is_the_same_for_any_thread_count() {
    let args = |t: &'static str| {
        [
            "audit",
            "--format",
            "html",
            "--threads",
            t,
            "fixtures/check",
        ]
    };
    let (_, one) = imrlint(&args("1"));
    let (_, four) = imrlint(&args("4"));
    assert!(one.contains("</html>"));
    assert_eq!(one, four);
    assert_safe(&one);
}

/// The checks above would catch a page that let the hostile text through.
#[test]
fn the_checks_reject_an_unescaped_page() {
    let (_, html) = imrlint(&["check", "--format", "html", HOSTILE]);
    assert_safe(&html);
    for (escaped, raw) in [
        (
            "&lt;script&gt;window.__pwned=1&lt;/script&gt;",
            "<script>window.__pwned=1</script>",
        ),
        (
            "&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;",
            "\"><img src=x onerror=\"window.__pwned=2\">",
        ),
        (
            "&lt;/pre&gt;&lt;/td&gt;&lt;/table&gt;",
            "</pre></td></table>",
        ),
        ("&lt;!-- and", "<!-- and"),
        (" and &amp;amp; and", " and & and"),
        ("&#39;single&#39;", "'single'"),
        (
            "href=\"#letter-0-finding-0\"",
            "href=\"#letter-9-finding-9\"",
        ),
    ] {
        assert!(html.contains(escaped), "{escaped}");
        let bad = html.replacen(escaped, raw, 1);
        let caught = std::panic::catch_unwind(|| {
            assert_safe(&bad);
        });
        assert!(caught.is_err(), "the checks let {raw} through");
    }
}

#[test]
fn escaping_covers_text_and_attributes() {
    assert_eq!(
        escape("<script>\"x\" & 'y'</script>"),
        "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
    );
    assert_eq!(escape("&amp;"), "&amp;amp;");
    assert_eq!(escape("]]> <!-- -->"), "]]&gt; &lt;!-- --&gt;");
}

/// Removes tags and decodes the five references: the text a browser shows.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(k) = rest.find('<') {
        out.push_str(&rest[..k]);
        rest = &rest[k + rest[k..].find('>').expect("tag end") + 1..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn letter_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop::sample::select(vec![
            'a', ' ', '\n', '<', '>', '&', '"', '\'', 'é', '日', '🩺', '/',
        ]),
        0..60,
    )
    .prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Overlapping, nested, empty and out-of-range spans: the marks never
    /// nest or cross, every id is there once, and the text reads as the letter.
    #[test]
    fn highlighting_keeps_the_text_and_the_markup_sound(
        text in letter_text(),
        spans in proptest::collection::vec((0usize..70, 0usize..30, 0u8..3, any::<bool>()), 0..8),
    ) {
        let marks: Vec<Mark> = spans
            .iter()
            .enumerate()
            .map(|(k, &(start, len, kind, id))| Mark {
                start,
                end: start + len,
                kind: [MarkKind::Finding, MarkKind::Label, MarkKind::Error][kind as usize],
                id: id.then(|| format!("m{k}")),
                title: format!("<\"{k}\" & '{k}'>"),
            })
            .collect();
        let html = highlight(&text, &marks, "l");
        prop_assert_eq!(text_of(&html), text.clone());
        let mut depth = 0i32;
        for t in html.split('<').skip(1) {
            if t.starts_with("mark") {
                depth += 1;
            } else if t.starts_with("/mark") {
                depth -= 1;
            }
            prop_assert!((0..=1).contains(&depth), "marks nest: {}", html);
        }
        prop_assert_eq!(depth, 0);
        for (k, &(_, _, _, id)) in spans.iter().enumerate() {
            if id {
                prop_assert_eq!(html.matches(&format!("id=\"m{k}\"")).count(), 1, "{}", html);
            }
        }
        let lines = text.matches('\n').count() + usize::from(!text.ends_with('\n'));
        prop_assert_eq!(html.matches("class=\"ln\"").count(), lines.max(1));
        prop_assert!(!html.contains("<\""), "a title escaped: {}", html);
    }
}

#[test]
fn browser() {
    if std::env::var("IMRLINT_BROWSER_TEST").as_deref() != Ok("1") {
        eprintln!("browser test skipped: set IMRLINT_BROWSER_TEST=1 (tests/html/README.md)");
        return;
    }
    let status = Command::new("bash")
        .arg(root().join("tests/html/run.sh"))
        .env("IMRLINT_BIN", env!("CARGO_BIN_EXE_imrlint"))
        .status()
        .expect("bash runs");
    assert!(status.success(), "tests/html/run.sh failed");
}
