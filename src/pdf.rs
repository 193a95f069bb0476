//! Text extraction from PDF letters, in pure Rust on top of `lopdf`.
//!
//! Role: turn the bytes of an IMR determination letter into plain text laid out the way
//! `pdftotext` (poppler, default reading-order mode) lays it out, so the line-oriented parser
//! sees the same lines whether it is given a PDF or a pdftotext dump.
//!
//! How it works: lopdf loads the file and tokenizes each page's content stream. lopdf's own
//! `Document::extract_text` loses the line structure, so this module runs the text operators
//! itself, places every glyph on the page using its font's widths, and then rebuilds the page
//! the way pdftotext does:
//!
//! 1. glyphs become words (a space glyph or a gap wider than a fraction of the font size
//!    ends a word);
//! 2. words on one baseline become lines, cut into segments where a gap is column-sized;
//! 3. segments stacked closely in the same horizontal range become blocks (so the label and
//!    value cells of the letter's header table become separate columns);
//! 4. blocks are put in reading order (above before below within a column, left column before
//!    right column when they sit side by side) and chained into flows.
//!
//! Output follows pdftotext: one line per text line, words separated by one space, an empty
//! line after each flow, a form feed after each page, and a line ending in `-` joined to the
//! next line of its flow with the hyphen dropped.
//!
//! Encryption: the real letters are AES-encrypted with an empty user password (they forbid
//! copying, not opening); lopdf opens such files and they are read like any other, as
//! pdftotext and every viewer read them. Only a file the empty password does not open is
//! refused with [`PdfError::Encrypted`].
//!
//! Damage: a file lopdf cannot load, or whose pages or content streams are missing, is
//! [`PdfError::Malformed`]. A readable file whose pages draw no text is [`PdfError::NoText`],
//! unless signs of damage (undecodable streams, content syntax errors, missing fonts) explain
//! the silence, in which case it is `Malformed` too.
//!
//! Limits: no OCR; font programs are not read beyond a Type1 font's built-in encoding, so a
//! CID font without a `/ToUnicode` map yields no text; vertical writing is laid out as if
//! horizontal; pages far from a letter's shape (thousands of table cells) fall back to a
//! plain top-to-bottom order.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId};

/// Why a PDF could not be turned into text.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The file needs a password to open.
    #[error("the PDF is encrypted; imrlint cannot read encrypted letters")]
    Encrypted,
    /// The file opens but its pages draw no text.
    #[error("the PDF has no extractable text (scanned image? imrlint does not do OCR)")]
    NoText,
    /// The file is not a PDF or is too damaged to read; the message says what failed.
    #[error("the PDF is damaged or not a PDF: {0}")]
    Malformed(String),
}

/// Extracts the text of every page, pdftotext-style (see the module documentation): lines
/// end in `\n`, each flow of text ends with an empty line, and each page ends with `\u{c}`,
/// so a page's first line starts right after the previous page's form feed.
///
/// # Errors
///
/// [`PdfError::Encrypted`] for a password-protected file, [`PdfError::NoText`] for a
/// readable file without text, [`PdfError::Malformed`] for anything else that goes wrong,
/// including a panic inside lopdf or this module (this function never panics).
pub fn extract_text(bytes: &[u8]) -> Result<String, PdfError> {
    match std::panic::catch_unwind(|| extract_unguarded(bytes)) {
        Ok(result) => result,
        Err(_) => Err(PdfError::Malformed(
            "internal error while reading the file".to_string(),
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Limits. Real letters are a few pages with a few thousand glyphs each; these bounds only stop
// hostile or broken files from exhausting memory or time.

/// Largest size any single stream may decompress to.
const MAX_STREAM_BYTES: usize = 64 << 20;
/// Content-stream operators executed per page, forms included.
const MAX_OPS_PER_PAGE: usize = 2_000_000;
/// Glyphs kept per page.
const MAX_GLYPHS_PER_PAGE: usize = 250_000;
/// Nesting of form XObjects drawn inside form XObjects.
const MAX_FORM_DEPTH: usize = 12;
/// Saved graphics states (`q` without `Q`) kept; deeper saves are counted, not stored.
const MAX_SAVED_STATES: usize = 256;
/// Distinct fonts loaded per document (a letter uses a handful); text in further fonts is
/// skipped.
const MAX_FONTS_PER_DOCUMENT: usize = 4_096;
/// Mappings read from one ToUnicode CMap, and from all of a document's.
const MAX_CMAP_ENTRIES: usize = 1 << 17;
const MAX_CMAP_ENTRIES_PER_DOCUMENT: usize = 1 << 21;
/// `c_first c_last w` entries read from a CID font's `/W` (each glyph scans them).
const MAX_WIDTH_RANGES: usize = 1 << 12;
/// Form XObject content parsed per page, counting every use of a form.
const MAX_FORM_BYTES_PER_PAGE: usize = 256 << 20;
/// Blocks per page above which reading order and flows fall back to a plain top-to-bottom
/// sort (both are quadratic in the block count).
const MAX_BLOCKS_TO_ORDER: usize = 1_500;
/// Steps followed through `/Parent` links when looking up inherited page attributes.
const MAX_PARENT_STEPS: usize = 64;

// ---------------------------------------------------------------------------------------------
// Layout thresholds, as fractions of the font size. Most mirror poppler's TextOutputDev so the
// output lines up with the pdftotext dumps the parser is written against.

/// A gap wider than this between two glyphs starts a new word.
const WORD_GAP: f64 = 0.15;
/// A glyph this far left of the end of the previous one starts a new word (text moved back).
const WORD_OVERLAP: f64 = 0.3;
/// Baselines closer than this belong to one line (covers superscripts and cell jitter).
const SAME_LINE: f64 = 0.5;
/// A gap wider than this inside a line separates columns (header table cells).
const COLUMN_GAP: f64 = 1.0;
/// The largest baseline step between consecutive lines of one block.
const LINE_STEP: f64 = 1.5;
/// Font sizes of lines in one block may differ by this fraction.
const BLOCK_SIZE_DELTA: f64 = 0.25;
/// A glyph within this distance (across, down) of an identical one is a duplicate.
const DUPLICATE_X: f64 = 0.1;
const DUPLICATE_Y: f64 = 0.2;
/// Approximate ascent and descent, used for the vertical extent of blocks.
const ASCENT: f64 = 0.75;
const DESCENT: f64 = 0.25;

// ---------------------------------------------------------------------------------------------
// Document level.

fn extract_unguarded(bytes: &[u8]) -> Result<String, PdfError> {
    let doc = load(bytes)?;
    let mut pages = Vec::new();
    let mut seen = HashSet::new();
    for page_id in doc.page_iter() {
        // A page tree that links a page twice would otherwise print it twice.
        if seen.insert(page_id) {
            pages.push(page_id);
        }
    }
    if pages.is_empty() {
        return Err(PdfError::Malformed("the document has no pages".to_string()));
    }

    let mut interp = Interpreter::new(&doc);
    let mut out = String::new();
    for (index, page_id) in pages.into_iter().enumerate() {
        // A letter with a page missing is reported as damaged rather than returned short:
        // a parser given the partial text could not tell that anything was lost.
        let glyphs = interp
            .page_glyphs(page_id)
            .map_err(|message| PdfError::Malformed(format!("page {}: {message}", index + 1)))?;
        out.push_str(&layout_page(&glyphs));
        out.push('\u{c}');
    }

    if out.chars().any(|c| !c.is_whitespace()) {
        Ok(out)
    } else if let Some(damage) = interp.damage {
        Err(PdfError::Malformed(damage))
    } else {
        Err(PdfError::NoText)
    }
}

fn load(bytes: &[u8]) -> Result<Document, PdfError> {
    let options = LoadOptions {
        max_decompressed_size: Some(MAX_STREAM_BYTES),
        ..LoadOptions::default()
    };
    match Document::load_mem_with_options(bytes, options) {
        // lopdf leaves `/Encrypt` in the trailer only when the empty password did not open it.
        Ok(doc) if doc.trailer.has(b"Encrypt") => Err(PdfError::Encrypted),
        Ok(doc) => Ok(doc),
        Err(err) if looks_encrypted(&err) => Err(PdfError::Encrypted),
        Err(err) => Err(PdfError::Malformed(err.to_string())),
    }
}

/// Whether a load failure comes from encryption rather than damage. Only lopdf's own verdict
/// counts: the real letters are themselves encrypted (with an empty user password), so a
/// damaged letter mentions `/Encrypt` too and must still be reported as damaged.
fn looks_encrypted(err: &lopdf::Error) -> bool {
    matches!(
        err,
        lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword
    )
}

// ---------------------------------------------------------------------------------------------
// Geometry.

/// A PDF transformation matrix `[a b c d e f]`, applied to row vectors as the spec does.
#[derive(Clone, Copy, Debug)]
struct Matrix([f64; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    fn translate(tx: f64, ty: f64) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, tx, ty])
    }

    /// `self` followed by `next`.
    fn then(&self, next: &Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [na, nb, nc, nd, ne, nf] = next.0;
        Matrix([
            a * na + b * nc,
            a * nb + b * nd,
            c * na + d * nc,
            c * nb + d * nd,
            e * na + f * nc + ne,
            e * nb + f * nd + nf,
        ])
    }

    fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }
}

/// A glyph placed on the page, in the reading frame of its writing direction: text runs
/// towards +x and later lines have smaller y.
#[derive(Debug, Clone)]
struct Glyph {
    text: String,
    x0: f64,
    x1: f64,
    base: f64,
    size: f64,
    space: bool,
    /// Writing direction in quarter turns counter-clockwise.
    rot: u8,
}

// ---------------------------------------------------------------------------------------------
// Fonts.

#[derive(PartialEq, Eq, Hash)]
enum FontKey {
    Object(ObjectId),
    /// A font dictionary written inline in a resource dictionary, keyed by its address,
    /// which is stable while the document is alive.
    Inline(usize),
}

enum Widths {
    /// Simple fonts: `/Widths` indexed from `/FirstChar`, in glyph space units.
    Simple {
        first: u32,
        widths: Vec<f64>,
        missing: f64,
    },
    /// Type0 fonts: the descendant's `/W` entries and `/DW`, in glyph space units.
    Cid {
        single: HashMap<u32, f64>,
        ranges: Vec<(u32, u32, f64)>,
        default: f64,
    },
    /// No widths in the file: metrics of the standard font the name suggests, already in
    /// text space units.
    Builtin(&'static [u16; 95], f64),
}

struct Font {
    /// Type0 fonts read two bytes per character code.
    two_byte: bool,
    /// From the `/ToUnicode` CMap, keyed by `code_key`.
    to_unicode: HashMap<u64, String>,
    /// For simple fonts: the text of each byte under the font's `/Encoding`.
    by_byte: Vec<String>,
    widths: Widths,
    /// Glyph space to text space: 1/1000 except for Type3 fonts, which set their own.
    width_scale: f64,
    /// Em size relative to the font size: 1 except for Type3 fonts with unusual matrices.
    size_scale: f64,
}

fn code_key(code: u32, len: u8) -> u64 {
    (u64::from(len) << 32) | u64::from(code)
}

impl Font {
    /// Reads a font dictionary; `cmap_budget` is the number of ToUnicode mappings the
    /// document may still hold, and is charged for this font's.
    fn load(doc: &Document, dict: &Dictionary, cmap_budget: &mut usize) -> Font {
        let subtype = name_ref(doc, dict.get(b"Subtype").ok());
        let two_byte = subtype == Some(b"Type0".as_slice());
        let is_type3 = subtype == Some(b"Type3".as_slice());
        let limit = (*cmap_budget).min(MAX_CMAP_ENTRIES);
        let to_unicode = dict
            .get(b"ToUnicode")
            .ok()
            .and_then(|object| deref(doc, object).as_stream().ok())
            .and_then(|stream| stream.get_plain_content_with_limit(MAX_STREAM_BYTES).ok())
            .map(|data| parse_to_unicode(&data, limit))
            .unwrap_or_default();
        *cmap_budget = cmap_budget.saturating_sub(to_unicode.len());
        let by_byte = if two_byte {
            Vec::new()
        } else {
            byte_table(doc, dict)
        };
        let (width_scale, size_scale) = if is_type3 {
            type3_scales(doc, dict)
        } else {
            (0.001, 1.0)
        };
        let widths = if two_byte {
            cid_widths(doc, dict)
        } else {
            simple_widths(doc, dict)
        };
        Font {
            two_byte,
            to_unicode,
            by_byte,
            widths,
            width_scale,
            size_scale,
        }
    }

    /// Splits a shown string into character codes and their byte lengths.
    fn codes(&self, bytes: &[u8]) -> Vec<(u32, u8)> {
        if self.two_byte {
            bytes
                .chunks(2)
                .map(|pair| match pair {
                    [hi, lo] => ((u32::from(*hi) << 8) | u32::from(*lo), 2),
                    [only] => (u32::from(*only), 1),
                    _ => (0, 1),
                })
                .collect()
        } else {
            bytes.iter().map(|b| (u32::from(*b), 1)).collect()
        }
    }

    fn text(&self, code: u32, len: u8) -> &str {
        if let Some(text) = self.to_unicode.get(&code_key(code, len)) {
            return text;
        }
        if len == 1 {
            // Some producers write two-byte source codes into a simple font's CMap.
            if let Some(text) = self.to_unicode.get(&code_key(code, 2)) {
                return text;
            }
            if let Some(text) = usize::try_from(code).ok().and_then(|i| self.by_byte.get(i)) {
                return text;
            }
        }
        ""
    }

    /// Advance width of a code, in text space units (fractions of the font size).
    fn width(&self, code: u32) -> f64 {
        let glyph_units = match &self.widths {
            Widths::Simple {
                first,
                widths,
                missing,
            } => code
                .checked_sub(*first)
                .and_then(|i| widths.get(i as usize))
                .copied()
                .unwrap_or(*missing),
            Widths::Cid {
                single,
                ranges,
                default,
            } => single.get(&code).copied().unwrap_or_else(|| {
                ranges
                    .iter()
                    .find(|(lo, hi, _)| (*lo..=*hi).contains(&code))
                    .map_or(*default, |(_, _, w)| *w)
            }),
            Widths::Builtin(table, fallback) => {
                return code
                    .checked_sub(32)
                    .and_then(|i| table.get(i as usize))
                    .map_or(*fallback, |w| f64::from(*w) / 1000.0);
            }
        };
        let width = glyph_units * self.width_scale;
        if width.is_finite() { width } else { 0.0 }
    }
}

/// Text of each byte of a simple font: its base encoding (named in the file, else the one
/// built into an embedded Type1 program, else StandardEncoding), then its `/Differences`.
fn byte_table(doc: &Document, font: &Dictionary) -> Vec<String> {
    let encoding = font.get(b"Encoding").ok().map(|object| deref(doc, object));
    let (base_name, differences) = match encoding {
        Some(Object::Name(name)) => (Some(name.as_slice()), None),
        Some(Object::Dictionary(dict)) => (
            name_ref(doc, dict.get(b"BaseEncoding").ok()),
            dict.get(b"Differences")
                .ok()
                .and_then(|object| deref(doc, object).as_array().ok()),
        ),
        _ => (None, None),
    };
    let mut table = match base_name {
        Some(name) => named_encoding_table(doc, name),
        None => builtin_encoding_table(doc, font)
            .unwrap_or_else(|| named_encoding_table(doc, b"StandardEncoding")),
    };
    if let Some(differences) = differences {
        apply_differences(doc, &mut table, differences);
    }
    table
}

/// A predefined encoding decoded by lopdf; names it does not know fall back to Standard.
fn named_encoding_table(doc: &Document, name: &[u8]) -> Vec<String> {
    const KNOWN: [&[u8]; 4] = [
        b"StandardEncoding",
        b"WinAnsiEncoding",
        b"MacRomanEncoding",
        b"MacExpertEncoding",
    ];
    let name = if KNOWN.contains(&name) {
        name
    } else {
        b"StandardEncoding".as_slice()
    };
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Encoding", Object::Name(name.to_vec()));
    match font.get_font_encoding(doc) {
        Ok(encoding) => (0..=255u8)
            .map(|byte| encoding.bytes_to_string(&[byte]).unwrap_or_default())
            .collect(),
        Err(_) => vec![String::new(); 256],
    }
}

fn apply_differences(doc: &Document, table: &mut [String], differences: &[Object]) {
    let mut code = 0usize;
    for entry in differences {
        match deref(doc, entry) {
            Object::Integer(next) => code = usize::try_from(*next).unwrap_or(usize::MAX),
            Object::Name(name) => {
                if let Some(slot) = table.get_mut(code) {
                    *slot = glyph_text(doc, name).unwrap_or_default();
                }
                code = code.saturating_add(1);
            }
            _ => {}
        }
    }
}

/// The encoding built into an embedded Type1 font program (TeX fonts rely on it): the
/// `dup <code> /<glyph> put` entries of its cleartext part.
fn builtin_encoding_table(doc: &Document, font: &Dictionary) -> Option<Vec<String>> {
    let program = font
        .get(b"FontDescriptor")
        .ok()
        .and_then(|object| deref(doc, object).as_dict().ok())?
        .get(b"FontFile")
        .ok()
        .and_then(|object| deref(doc, object).as_stream().ok())?
        .get_plain_content_with_limit(MAX_STREAM_BYTES)
        .ok()?;
    let clear_end = program
        .windows(5)
        .position(|window| window == b"eexec")
        .unwrap_or(program.len());
    let clear = String::from_utf8_lossy(&program[..clear_end]);
    let tokens: Vec<&str> = clear.split_ascii_whitespace().collect();
    let mut table = vec![String::new(); 256];
    let mut found = false;
    for window in tokens.windows(4) {
        if let ["dup", code, name, "put"] = window
            && let (Ok(code), Some(name)) = (code.parse::<usize>(), name.strip_prefix('/'))
            && let Some(slot) = table.get_mut(code)
        {
            *slot = glyph_text(doc, name.as_bytes()).unwrap_or_default();
            found = true;
        }
    }
    found.then_some(table)
}

/// Unicode text for a glyph name: `uniXXXX` and `uXXXX` forms, then the Adobe Glyph List
/// through lopdf (asked via a one-entry `/Differences`, its only public door to that list).
fn glyph_text(doc: &Document, name: &[u8]) -> Option<String> {
    let name = name
        .split(|b| *b == b'.')
        .next()
        .filter(|n| !n.is_empty())?;
    let text = std::str::from_utf8(name).ok()?;
    if let Some(hex) = text.strip_prefix("uni")
        && hex.len() % 4 == 0
        && !hex.is_empty()
    {
        let units: Option<Vec<u16>> = (0..hex.len())
            .step_by(4)
            .map(|i| {
                hex.get(i..i + 4)
                    .and_then(|h| u16::from_str_radix(h, 16).ok())
            })
            .collect();
        return units.map(|units| String::from_utf16_lossy(&units));
    }
    if let Some(hex) = text.strip_prefix('u')
        && (4..=6).contains(&hex.len())
        && let Some(c) = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
    {
        return Some(c.to_string());
    }
    let mut encoding = Dictionary::new();
    encoding.set(
        "Differences",
        Object::Array(vec![Object::Integer(65), Object::Name(name.to_vec())]),
    );
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Encoding", Object::Dictionary(encoding));
    match font.get_font_encoding(doc) {
        Ok(encoding @ lopdf::Encoding::Differences(_)) => encoding.bytes_to_string(&[65]).ok(),
        _ => None,
    }
}

/// Horizontal glyph-to-text scale and em size of a Type3 font, from its `/FontMatrix`
/// (normally `[0.001 0 0 0.001 0 0]`, giving 0.001 and 1).
fn type3_scales(doc: &Document, font: &Dictionary) -> (f64, f64) {
    let matrix = font
        .get(b"FontMatrix")
        .ok()
        .and_then(|object| deref(doc, object).as_array().ok())
        .and_then(|array| matrix_operands(array));
    match matrix {
        Some(Matrix([a, _, _, d, _, _])) if a != 0.0 && d != 0.0 => (a, (d * 1000.0).abs()),
        _ => (0.001, 1.0),
    }
}

fn simple_widths(doc: &Document, font: &Dictionary) -> Widths {
    let widths: Vec<f64> = font
        .get(b"Widths")
        .ok()
        .and_then(|object| deref(doc, object).as_array().ok())
        .map(|array| {
            array
                .iter()
                .map(|w| num(deref(doc, w)).unwrap_or(0.0))
                .collect()
        })
        .unwrap_or_default();
    if widths.is_empty() {
        return builtin_widths(doc, font);
    }
    let first = font
        .get(b"FirstChar")
        .ok()
        .and_then(num)
        .filter(|first| (0.0..=255.0).contains(first))
        .map_or(0, |first| first as u32);
    let missing = font
        .get(b"FontDescriptor")
        .ok()
        .and_then(|object| deref(doc, object).as_dict().ok())
        .and_then(|descriptor| descriptor.get(b"MissingWidth").ok())
        .and_then(num)
        .unwrap_or(0.0);
    Widths::Simple {
        first,
        widths,
        missing,
    }
}

fn cid_widths(doc: &Document, font: &Dictionary) -> Widths {
    let descendant = font
        .get(b"DescendantFonts")
        .ok()
        .and_then(|object| deref(doc, object).as_array().ok())
        .and_then(|array| array.first())
        .and_then(|object| deref(doc, object).as_dict().ok());
    let default = descendant
        .and_then(|d| d.get(b"DW").ok())
        .and_then(num)
        .unwrap_or(1000.0);
    let mut single = HashMap::new();
    let mut ranges = Vec::new();
    let entries = descendant
        .and_then(|d| d.get(b"W").ok())
        .and_then(|object| deref(doc, object).as_array().ok())
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut i = 0;
    while i < entries.len() && single.len() < MAX_CMAP_ENTRIES && ranges.len() < MAX_WIDTH_RANGES {
        let Some(first) = num(&entries[i]).filter(|v| *v >= 0.0) else {
            break;
        };
        let first = first as u32;
        // `c [w1 w2 ...]` gives consecutive codes; `c_first c_last w` gives a range.
        match entries.get(i + 1).map(|object| deref(doc, object)) {
            Some(Object::Array(list)) => {
                for (offset, w) in list.iter().enumerate() {
                    let code = first.saturating_add(offset as u32);
                    single.insert(code, num(deref(doc, w)).unwrap_or(default));
                }
                i += 2;
            }
            Some(last) => {
                let last = num(last).filter(|v| *v >= 0.0).map_or(first, |v| v as u32);
                let w = entries.get(i + 2).and_then(num).unwrap_or(default);
                ranges.push((first, last, w));
                i += 3;
            }
            None => break,
        }
    }
    Widths::Cid {
        single,
        ranges,
        default,
    }
}

/// Metrics for fonts that carry no `/Widths` (the standard 14 fonts), picked by name.
fn builtin_widths(doc: &Document, font: &Dictionary) -> Widths {
    let name = name_ref(doc, font.get(b"BaseFont").ok()).unwrap_or_default();
    let name = String::from_utf8_lossy(name).to_ascii_lowercase();
    let bold = name.contains("bold");
    if name.contains("courier") || name.contains("mono") {
        return Widths::Builtin(&COURIER_WIDTHS, 0.6);
    }
    let serif = name.contains("times") || name.contains("roman") || name.contains("serif");
    let table = match (serif, bold) {
        (true, false) => &TIMES_WIDTHS,
        (true, true) => &TIMES_BOLD_WIDTHS,
        (false, false) => &HELVETICA_WIDTHS,
        (false, true) => &HELVETICA_BOLD_WIDTHS,
    };
    Widths::Builtin(table, 0.5)
}

/// Widths of codes 32..=126 in the standard fonts (from their AFM metrics).
const HELVETICA_WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
const HELVETICA_BOLD_WIDTHS: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];
const TIMES_WIDTHS: [u16; 95] = [
    250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278, 500, 500, 500,
    500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444, 921, 722, 667, 667, 722, 611,
    556, 722, 722, 333, 389, 722, 611, 889, 722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722,
    722, 611, 333, 278, 333, 469, 500, 333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500,
    278, 778, 500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541,
];
const TIMES_BOLD_WIDTHS: [u16; 95] = [
    250, 333, 555, 500, 500, 1000, 833, 278, 333, 333, 500, 570, 250, 333, 250, 278, 500, 500, 500,
    500, 500, 500, 500, 500, 500, 500, 333, 333, 570, 570, 570, 500, 930, 722, 667, 722, 722, 667,
    611, 778, 778, 389, 500, 778, 667, 944, 722, 778, 611, 778, 722, 556, 667, 722, 722, 1000, 722,
    722, 667, 333, 278, 333, 581, 500, 333, 500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556,
    278, 833, 556, 500, 556, 556, 444, 389, 333, 556, 500, 722, 500, 500, 444, 394, 220, 394, 520,
];
const COURIER_WIDTHS: [u16; 95] = [600; 95];

/// Reads the bfchar and bfrange mappings of a ToUnicode CMap. lopdf's content tokenizer reads
/// CMap syntax too: each `end...` keyword arrives with the entries before it as operands.
fn parse_to_unicode(data: &[u8], limit: usize) -> HashMap<u64, String> {
    let mut map = HashMap::new();
    for operation in Content::decode_iter(data) {
        let Ok(operation) = operation else { break };
        match operation.operator.as_str() {
            "endbfchar" => {
                for pair in operation.operands.chunks_exact(2) {
                    if let (Some((code, len)), Some(text)) =
                        (src_code(&pair[0]), dst_text(&pair[1]))
                    {
                        map.insert(code_key(code, len), text);
                    }
                }
            }
            "endbfrange" => {
                for triple in operation.operands.chunks_exact(3) {
                    add_bfrange(&mut map, triple, limit);
                }
            }
            _ => {}
        }
        if map.len() >= limit {
            break;
        }
    }
    map
}

fn add_bfrange(map: &mut HashMap<u64, String>, triple: &[Object], limit: usize) {
    let (Some((lo, len)), Some((hi, _))) = (src_code(&triple[0]), src_code(&triple[1])) else {
        return;
    };
    if hi < lo {
        return;
    }
    let count = (hi - lo).min(0xFFFF) as usize + 1;
    match &triple[2] {
        Object::Array(targets) => {
            for (offset, target) in targets.iter().take(count).enumerate() {
                if let Some(text) = dst_text(target) {
                    map.insert(code_key(lo + offset as u32, len), text);
                }
            }
        }
        Object::String(bytes, _) => {
            let units = utf16_units(bytes);
            let Some((&last, head)) = units.split_last() else {
                return;
            };
            for offset in 0..count {
                if map.len() >= limit {
                    return;
                }
                // The range counts up in the last UTF-16 unit of the destination.
                let mut target = head.to_vec();
                target.push(last.wrapping_add(offset as u16));
                map.insert(
                    code_key(lo + offset as u32, len),
                    String::from_utf16_lossy(&target),
                );
            }
        }
        _ => {}
    }
}

fn src_code(object: &Object) -> Option<(u32, u8)> {
    let Object::String(bytes, _) = object else {
        return None;
    };
    if bytes.is_empty() || bytes.len() > 4 {
        return None;
    }
    let code = bytes
        .iter()
        .fold(0u32, |acc, byte| (acc << 8) | u32::from(*byte));
    Some((code, bytes.len() as u8))
}

fn dst_text(object: &Object) -> Option<String> {
    match object {
        Object::String(bytes, _) if bytes.len() == 1 => Some(char::from(bytes[0]).to_string()),
        Object::String(bytes, _) => Some(String::from_utf16_lossy(&utf16_units(bytes))),
        // Glyph-name destinations are rare; leaving them unmapped beats printing the name.
        _ => None,
    }
}

fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks_exact(2)
        .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Content stream interpretation.

#[derive(Clone)]
struct TextState {
    font: Option<Rc<Font>>,
    size: f64,
    char_space: f64,
    word_space: f64,
    /// `Tz` as a factor (1.0 = 100%).
    h_scale: f64,
    leading: f64,
    rise: f64,
}

impl Default for TextState {
    fn default() -> Self {
        TextState {
            font: None,
            size: 0.0,
            char_space: 0.0,
            word_space: 0.0,
            h_scale: 1.0,
            leading: 0.0,
            rise: 0.0,
        }
    }
}

/// What `place_glyph` needs to know about a glyph besides where it is.
struct GlyphShape {
    /// Advance width in text space units.
    width: f64,
    size_scale: f64,
    /// The glyph was drawn with the single-byte code 32.
    space_code: bool,
}

#[derive(Clone)]
struct GraphicsState {
    ctm: Matrix,
    text: TextState,
}

/// State of one content stream being run (a page or a form XObject).
struct Run<'d> {
    resources: Vec<&'d Dictionary>,
    gs: GraphicsState,
    saved: Vec<GraphicsState>,
    /// `q` operators beyond `MAX_SAVED_STATES`, so their `Q` does not pop a real state.
    unsaved: usize,
    tm: Matrix,
    tlm: Matrix,
    depth: usize,
}

struct Interpreter<'d> {
    doc: &'d Document,
    fonts: HashMap<FontKey, Rc<Font>>,
    /// ToUnicode mappings still allowed for the whole document.
    cmap_budget: usize,
    /// Decoded form XObject content, shared by every use of the form.
    forms: HashMap<ObjectId, Rc<[u8]>>,
    /// Bytes of form content still allowed to be parsed on this page.
    form_bytes_left: usize,
    glyphs: Vec<Glyph>,
    ops_left: usize,
    /// Page box in user space; glyphs drawn outside it are dropped, as pdftotext does.
    page_box: Option<[f64; 4]>,
    /// Form XObjects being drawn, to refuse a form that draws itself.
    form_stack: Vec<ObjectId>,
    /// First sign of damage met (undecodable stream, content syntax error, missing font).
    /// Tolerated while text comes out; explains a document that yields none.
    damage: Option<String>,
}

impl<'d> Interpreter<'d> {
    fn new(doc: &'d Document) -> Self {
        Interpreter {
            doc,
            fonts: HashMap::new(),
            cmap_budget: MAX_CMAP_ENTRIES_PER_DOCUMENT,
            forms: HashMap::new(),
            form_bytes_left: 0,
            glyphs: Vec::new(),
            ops_left: 0,
            page_box: None,
            form_stack: Vec::new(),
            damage: None,
        }
    }

    fn page_glyphs(&mut self, page_id: ObjectId) -> Result<Vec<Glyph>, String> {
        check_page_objects(self.doc, page_id)?;
        let content = self.page_content(page_id)?;
        self.glyphs.clear();
        self.ops_left = MAX_OPS_PER_PAGE;
        self.form_bytes_left = MAX_FORM_BYTES_PER_PAGE;
        self.page_box = page_box(self.doc, page_id);
        self.form_stack.clear();
        let run = Run {
            resources: page_resources(self.doc, page_id),
            gs: GraphicsState {
                ctm: Matrix::IDENTITY,
                text: TextState::default(),
            },
            saved: Vec::new(),
            unsaved: 0,
            tm: Matrix::IDENTITY,
            tlm: Matrix::IDENTITY,
            depth: 0,
        };
        self.run(&content, run);
        Ok(std::mem::take(&mut self.glyphs))
    }

    /// The page's content streams, decoded and joined. Only a stream over the size limit
    /// fails the page; one that does not decode is used raw, as lopdf does, and noted.
    fn page_content(&mut self, page_id: ObjectId) -> Result<Vec<u8>, String> {
        let mut content = Vec::new();
        for id in self.doc.get_page_contents(page_id) {
            let Ok(stream) = self.doc.get_object(id).and_then(Object::as_stream) else {
                continue;
            };
            let room = MAX_STREAM_BYTES.saturating_sub(content.len());
            match stream.get_plain_content_with_limit(room) {
                Ok(data) => {
                    if data.is_empty() && !stream.content.is_empty() {
                        self.note_damage(format!(
                            "content stream {} {} decodes to nothing",
                            id.0, id.1
                        ));
                    }
                    content.extend_from_slice(&data);
                }
                Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                    ..
                })) => {
                    return Err(format!("content larger than {MAX_STREAM_BYTES} bytes"));
                }
                Err(err) => {
                    self.note_damage(format!("content stream {} {}: {err}", id.0, id.1));
                    content.extend_from_slice(stream.content.get(..room).unwrap_or_default());
                }
            }
            content.push(b'\n');
        }
        Ok(content)
    }

    fn note_damage(&mut self, message: String) {
        self.damage.get_or_insert(message);
    }

    fn run(&mut self, content: &[u8], mut run: Run<'d>) {
        for operation in Content::decode_iter(content) {
            // A syntax error ends the stream; what was drawn before it is kept.
            let Ok(operation) = operation else {
                self.note_damage("syntax error in a content stream".to_string());
                break;
            };
            if self.ops_left == 0 || self.glyphs.len() >= MAX_GLYPHS_PER_PAGE {
                break;
            }
            self.ops_left -= 1;
            self.step(&mut run, &operation);
        }
    }

    fn step(&mut self, run: &mut Run<'d>, op: &Operation) {
        let args = op.operands.as_slice();
        match op.operator.as_str() {
            "q" => save_state(run),
            "Q" => restore_state(run),
            "cm" => {
                if let Some(m) = matrix_operands(args) {
                    run.gs.ctm = m.then(&run.gs.ctm);
                }
            }
            "BT" => {
                run.tm = Matrix::IDENTITY;
                run.tlm = Matrix::IDENTITY;
            }
            "Tf" => self.set_font(run, args),
            "Tc" => set_number(args, &mut run.gs.text.char_space),
            "Tw" => set_number(args, &mut run.gs.text.word_space),
            "TL" => set_number(args, &mut run.gs.text.leading),
            "Ts" => set_number(args, &mut run.gs.text.rise),
            "Tz" => {
                if let Some(scale) = last_numbers::<1>(args) {
                    run.gs.text.h_scale = scale[0] / 100.0;
                }
            }
            "Td" => {
                if let Some([tx, ty]) = last_numbers::<2>(args) {
                    next_line(run, tx, ty);
                }
            }
            "TD" => {
                if let Some([tx, ty]) = last_numbers::<2>(args) {
                    run.gs.text.leading = -ty;
                    next_line(run, tx, ty);
                }
            }
            "Tm" => {
                if let Some(m) = matrix_operands(args) {
                    run.tm = m;
                    run.tlm = m;
                }
            }
            "T*" => next_line(run, 0.0, -run.gs.text.leading),
            "Tj" => self.show_operand(run, args.last()),
            "'" => {
                next_line(run, 0.0, -run.gs.text.leading);
                self.show_operand(run, args.last());
            }
            "\"" => {
                if let [.., aw, ac, _] = args {
                    run.gs.text.word_space = num(aw).unwrap_or(run.gs.text.word_space);
                    run.gs.text.char_space = num(ac).unwrap_or(run.gs.text.char_space);
                }
                next_line(run, 0.0, -run.gs.text.leading);
                self.show_operand(run, args.last());
            }
            "TJ" => self.show_array(run, args.last()),
            "Do" => self.draw_xobject(run, args.last()),
            _ => {}
        }
    }

    fn set_font(&mut self, run: &mut Run<'d>, args: &[Object]) {
        let [.., name, size] = args else { return };
        if let Some(size) = num(size) {
            run.gs.text.size = size;
        }
        run.gs.text.font = name
            .as_name()
            .ok()
            .and_then(|name| self.font(&run.resources, name));
    }

    fn font(&mut self, resources: &[&'d Dictionary], name: &[u8]) -> Option<Rc<Font>> {
        let (key, dict) = lookup_resource(self.doc, resources, b"Font", name)?;
        let dict = dict.as_dict().ok()?;
        let key = match key {
            Some(id) => FontKey::Object(id),
            None => FontKey::Inline(std::ptr::from_ref(dict) as usize),
        };
        if let Some(font) = self.fonts.get(&key) {
            return Some(Rc::clone(font));
        }
        if self.fonts.len() >= MAX_FONTS_PER_DOCUMENT {
            return None;
        }
        let font = Rc::new(Font::load(self.doc, dict, &mut self.cmap_budget));
        self.fonts.insert(key, Rc::clone(&font));
        Some(font)
    }

    fn show_operand(&mut self, run: &mut Run<'d>, operand: Option<&Object>) {
        if let Some(Object::String(bytes, _)) = operand {
            self.show(run, bytes);
        }
    }

    fn show_array(&mut self, run: &mut Run<'d>, operand: Option<&Object>) {
        let Some(Object::Array(items)) = operand else {
            return;
        };
        for item in items {
            match item {
                Object::String(bytes, _) => self.show(run, bytes),
                other => {
                    if let Some(adjust) = num(other) {
                        // Positive numbers move the next glyph left, in thousandths of an em.
                        let text = &run.gs.text;
                        let tx = -adjust / 1000.0 * text.size * text.h_scale;
                        run.tm = Matrix::translate(tx, 0.0).then(&run.tm);
                    }
                }
            }
        }
    }

    fn show(&mut self, run: &mut Run<'d>, bytes: &[u8]) {
        let Some(font) = run.gs.text.font.clone() else {
            self.note_damage("text drawn with a font the file does not contain".to_string());
            return;
        };
        let text = &run.gs.text;
        let params = Matrix([
            text.size * text.h_scale,
            0.0,
            0.0,
            text.size,
            0.0,
            text.rise,
        ]);
        for (code, len) in font.codes(bytes) {
            let width = font.width(code);
            let trm = params.then(&run.tm).then(&run.gs.ctm);
            let decoded = font.text(code, len);
            let shape = GlyphShape {
                width,
                size_scale: font.size_scale,
                space_code: len == 1 && code == 32,
            };
            self.place_glyph(&trm, &shape, decoded);
            let text = &run.gs.text;
            // Word spacing applies to the single-byte code 32 only, whatever it draws.
            let word_space = if len == 1 && code == 32 {
                text.word_space
            } else {
                0.0
            };
            let advance = (width * text.size + text.char_space + word_space) * text.h_scale;
            run.tm = Matrix::translate(advance, 0.0).then(&run.tm);
        }
    }

    fn place_glyph(&mut self, trm: &Matrix, shape: &GlyphShape, decoded: &str) {
        if self.glyphs.len() >= MAX_GLYPHS_PER_PAGE {
            return;
        }
        let (x, y) = trm.apply(0.0, 0.0);
        let (end_x, end_y) = trm.apply(shape.width, 0.0);
        let [a, b, c, d, _, _] = trm.0;
        let size = c.hypot(d) * shape.size_scale;
        if ![x, y, end_x, end_y, size].iter().all(|v| v.is_finite()) || size < 0.01 {
            return;
        }
        if let Some([x_min, y_min, x_max, y_max]) = self.page_box {
            let margin = size;
            if x < x_min - margin || x > x_max + margin || y < y_min - margin || y > y_max + margin
            {
                return;
            }
        }
        let text: String = decoded.chars().filter(|c| !c.is_control()).collect();
        let blank = text.chars().all(char::is_whitespace);
        let rot = quarter_turns(a, b);
        let (x0, base) = to_reading_frame(rot, x, y);
        let (x1, _) = to_reading_frame(rot, end_x, end_y);
        self.glyphs.push(Glyph {
            text,
            x0,
            x1: x1.max(x0),
            base,
            size,
            // An unmapped code 32 is still a space in every encoding letters use.
            space: blank && (shape.space_code || !decoded.is_empty()),
            rot,
        });
    }

    fn form_content(&mut self, id: ObjectId, stream: &lopdf::Stream) -> Option<Rc<[u8]>> {
        if let Some(content) = self.forms.get(&id) {
            return Some(Rc::clone(content));
        }
        let content: Rc<[u8]> = stream
            .get_plain_content_with_limit(MAX_STREAM_BYTES)
            .ok()?
            .into();
        self.forms.insert(id, Rc::clone(&content));
        Some(content)
    }

    fn draw_xobject(&mut self, run: &mut Run<'d>, operand: Option<&Object>) {
        let Some(Ok(name)) = operand.map(Object::as_name) else {
            return;
        };
        let doc = self.doc;
        let Some((Some(id), object)) = lookup_resource(doc, &run.resources, b"XObject", name)
        else {
            return;
        };
        let Ok(stream) = object.as_stream() else {
            return;
        };
        let is_form = name_ref(doc, stream.dict.get(b"Subtype").ok()) == Some(b"Form".as_slice());
        if !is_form
            || run.depth >= MAX_FORM_DEPTH
            || self.form_stack.contains(&id)
            || self.ops_left == 0
        {
            return;
        }
        let Some(content) = self.form_content(id, stream) else {
            return;
        };
        // A small form drawn millions of times costs as much as one huge form.
        let Some(left) = self.form_bytes_left.checked_sub(content.len()) else {
            self.form_bytes_left = 0;
            return;
        };
        self.form_bytes_left = left;
        let matrix = stream
            .dict
            .get(b"Matrix")
            .ok()
            .and_then(|object| deref(doc, object).as_array().ok())
            .and_then(|array| matrix_operands(array))
            .unwrap_or(Matrix::IDENTITY);
        // A form without its own resources uses those of the page that draws it.
        let resources = match stream
            .dict
            .get(b"Resources")
            .ok()
            .and_then(|object| deref(doc, object).as_dict().ok())
        {
            Some(own) => vec![own],
            None => run.resources.clone(),
        };
        let mut gs = run.gs.clone();
        gs.ctm = matrix.then(&run.gs.ctm);
        let form_run = Run {
            resources,
            gs,
            saved: Vec::new(),
            unsaved: 0,
            tm: Matrix::IDENTITY,
            tlm: Matrix::IDENTITY,
            depth: run.depth + 1,
        };
        self.form_stack.push(id);
        self.run(&content, form_run);
        self.form_stack.pop();
    }
}

/// lopdf skips a page or content stream it could not load; a damaged file must not pass
/// for one without text because of that.
fn check_page_objects(doc: &Document, page_id: ObjectId) -> Result<(), String> {
    if doc.get_dictionary(page_id).is_err() {
        return Err(format!(
            "page object {} {} is missing",
            page_id.0, page_id.1
        ));
    }
    for id in doc.get_page_contents(page_id) {
        if doc.get_object(id).and_then(Object::as_stream).is_err() {
            return Err(format!("content stream {} {} is missing", id.0, id.1));
        }
    }
    Ok(())
}

fn save_state(run: &mut Run<'_>) {
    if run.saved.len() < MAX_SAVED_STATES {
        run.saved.push(run.gs.clone());
    } else {
        run.unsaved += 1;
    }
}

fn restore_state(run: &mut Run<'_>) {
    if run.unsaved > 0 {
        run.unsaved -= 1;
    } else if let Some(gs) = run.saved.pop() {
        run.gs = gs;
    }
}

fn next_line(run: &mut Run<'_>, tx: f64, ty: f64) {
    run.tlm = Matrix::translate(tx, ty).then(&run.tlm);
    run.tm = run.tlm;
}

fn set_number(args: &[Object], target: &mut f64) {
    if let Some([value]) = last_numbers::<1>(args) {
        *target = value;
    }
}

/// The last `N` operands as numbers; extra leading operands in a sloppy stream are ignored.
fn last_numbers<const N: usize>(args: &[Object]) -> Option<[f64; N]> {
    let tail = args.get(args.len().checked_sub(N)?..)?;
    let mut out = [0.0; N];
    for (slot, object) in out.iter_mut().zip(tail) {
        *slot = num(object)?;
    }
    Some(out)
}

fn matrix_operands(args: &[Object]) -> Option<Matrix> {
    last_numbers::<6>(args).map(Matrix)
}

fn num(object: &Object) -> Option<f64> {
    let value = match object {
        Object::Integer(i) => *i as f64,
        Object::Real(r) => f64::from(*r),
        _ => return None,
    };
    value.is_finite().then_some(value)
}

/// Quarter turns counter-clockwise of a text direction vector.
fn quarter_turns(dx: f64, dy: f64) -> u8 {
    if dx.abs() >= dy.abs() {
        if dx >= 0.0 { 0 } else { 2 }
    } else if dy > 0.0 {
        1
    } else {
        3
    }
}

/// Maps page coordinates so that text of the given direction runs towards +x with later
/// lines lower (smaller y).
fn to_reading_frame(rot: u8, x: f64, y: f64) -> (f64, f64) {
    match rot {
        1 => (y, -x),
        2 => (-x, -y),
        3 => (-y, x),
        _ => (x, y),
    }
}

// ---------------------------------------------------------------------------------------------
// Document helpers.

fn deref<'a>(doc: &'a Document, object: &'a Object) -> &'a Object {
    doc.dereference(object).map_or(object, |(_, target)| target)
}

fn name_ref<'a>(doc: &'a Document, object: Option<&'a Object>) -> Option<&'a [u8]> {
    object
        .map(|object| deref(doc, object))
        .and_then(|object| object.as_name().ok())
}

/// The page's resource dictionaries, nearest first (the page, then inherited ones).
fn page_resources(doc: &Document, page_id: ObjectId) -> Vec<&Dictionary> {
    let Ok((inline, referenced)) = doc.get_page_resources(page_id) else {
        return Vec::new();
    };
    inline
        .into_iter()
        .chain(
            referenced
                .into_iter()
                .filter_map(|id| doc.get_dictionary(id).ok()),
        )
        .collect()
}

/// Finds `name` in the `category` (`/Font`, `/XObject`) of the first resource dictionary that
/// has it. Returns the object id when the entry is a reference.
fn lookup_resource<'d>(
    doc: &'d Document,
    resources: &[&'d Dictionary],
    category: &[u8],
    name: &[u8],
) -> Option<(Option<ObjectId>, &'d Object)> {
    resources.iter().find_map(|res| {
        let entries = deref(doc, res.get(category).ok()?).as_dict().ok()?;
        let entry = entries.get(name).ok()?;
        match doc.dereference(entry) {
            Ok((id, object)) => Some((id, object)),
            Err(_) => None,
        }
    })
}

/// The page's crop box (or media box), inherited through the page tree, normalised to
/// `[x_min, y_min, x_max, y_max]`.
fn page_box(doc: &Document, page_id: ObjectId) -> Option<[f64; 4]> {
    let mut node = doc.get_dictionary(page_id).ok()?;
    let mut media = None;
    for _ in 0..MAX_PARENT_STEPS {
        for key in [b"CropBox".as_slice(), b"MediaBox".as_slice()] {
            if let Some(rect) = node.get(key).ok().and_then(|r| rectangle(doc, r)) {
                if key == b"CropBox" {
                    return Some(rect);
                }
                media.get_or_insert(rect);
            }
        }
        let Some(parent) = node
            .get(b"Parent")
            .ok()
            .and_then(|p| p.as_reference().ok())
            .and_then(|id| doc.get_dictionary(id).ok())
        else {
            break;
        };
        node = parent;
    }
    media
}

fn rectangle(doc: &Document, object: &Object) -> Option<[f64; 4]> {
    let array = deref(doc, object).as_array().ok()?;
    let values: Vec<f64> = array.iter().filter_map(|v| num(deref(doc, v))).collect();
    let [x0, y0, x1, y1] = <[f64; 4]>::try_from(values).ok()?;
    let rect = [x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)];
    (rect[2] - rect[0] > 1.0 && rect[3] - rect[1] > 1.0).then_some(rect)
}

// ---------------------------------------------------------------------------------------------
// Layout: glyphs -> words -> lines -> segments -> blocks -> flows -> text.

#[derive(Debug, Clone)]
struct Word {
    text: String,
    x0: f64,
    x1: f64,
    base: f64,
    size: f64,
    rot: u8,
    /// A space glyph or a space-sized gap came right before this word in the content stream.
    space_before: bool,
}

/// Part of one line with no column-sized gap inside.
#[derive(Debug, Clone)]
struct Segment {
    words: Vec<Word>,
    x0: f64,
    x1: f64,
    base: f64,
    size: f64,
}

#[derive(Debug)]
struct Block {
    segments: Vec<Segment>,
    x0: f64,
    x1: f64,
    top: f64,
    bottom: f64,
    last_base: f64,
    size: f64,
}

impl Block {
    fn new(segment: Segment) -> Block {
        Block {
            x0: segment.x0,
            x1: segment.x1,
            top: segment.base + ASCENT * segment.size,
            bottom: segment.base - DESCENT * segment.size,
            last_base: segment.base,
            size: segment.size,
            segments: vec![segment],
        }
    }

    fn push(&mut self, segment: Segment) {
        self.x0 = self.x0.min(segment.x0);
        self.x1 = self.x1.max(segment.x1);
        self.top = self.top.max(segment.base + ASCENT * segment.size);
        self.bottom = self.bottom.min(segment.base - DESCENT * segment.size);
        self.last_base = self.last_base.min(segment.base);
        self.segments.push(segment);
    }

    fn overlaps_x(&self, x0: f64, x1: f64) -> bool {
        x0 < self.x1 && x1 > self.x0
    }

    fn overlaps_y(&self, other: &Block) -> bool {
        self.bottom < other.top && other.bottom < self.top
    }
}

/// Text of one page in pdftotext's reading order, without the trailing form feed.
fn layout_page(glyphs: &[Glyph]) -> String {
    let words = build_words(glyphs, &find_duplicates(glyphs));
    // Each writing direction is laid out on its own; the dominant one comes first.
    let mut by_rot: [Vec<Word>; 4] = Default::default();
    for word in words {
        by_rot[usize::from(word.rot & 3)].push(word);
    }
    let mut order: Vec<usize> = (0..4).collect();
    order.sort_by_key(|&rot| std::cmp::Reverse(by_rot[rot].len()));
    let mut out = String::new();
    for rot in order {
        let words = std::mem::take(&mut by_rot[rot]);
        if words.is_empty() {
            continue;
        }
        let blocks = build_blocks(split_segments(build_lines(words)));
        let blocks = reading_order(blocks);
        if blocks.len() > MAX_BLOCKS_TO_ORDER {
            // Not a letter (a table of thousands of cells): keep it linear, not quadratic.
            let all: Vec<usize> = (0..blocks.len()).collect();
            write_flow(&mut out, &all, &blocks);
            continue;
        }
        for flow in build_flows(&blocks) {
            write_flow(&mut out, &flow, &blocks);
        }
    }
    out
}

/// Marks glyphs drawn again on top of an identical one (fake bold, shadows, a form drawn
/// twice) so they are skipped, as pdftotext skips them, instead of doubling words.
fn find_duplicates(glyphs: &[Glyph]) -> Vec<bool> {
    // Glyphs are filed in cells twice the duplicate tolerance wide, by size, direction and
    // first character; a duplicate's original is then in one of at most 2 x 2 cells, and the
    // first glyph filed in a cell stands for it.
    let mut filed: HashMap<u128, usize> = HashMap::with_capacity(glyphs.len());
    let mut duplicate = vec![false; glyphs.len()];
    for (index, glyph) in glyphs.iter().enumerate() {
        let Some(first) = glyph.text.chars().next().filter(|_| !glyph.space) else {
            continue;
        };
        let reach_x = DUPLICATE_X * glyph.size;
        let reach_y = DUPLICATE_Y * glyph.size;
        let cell_x = |x: f64| (x / (2.0 * reach_x)).floor() as i64;
        let cell_y = |y: f64| (y / (2.0 * reach_y)).floor() as i64;
        let size = (glyph.size * 10.0).round() as i64;
        let key = |x: i64, y: i64| {
            (u128::from(glyph.rot) << 120)
                ^ (u128::from(u32::from(first)) << 96)
                ^ (u128::from(size as u32) << 64)
                ^ (u128::from(x as u32) << 32)
                ^ u128::from(y as u32)
        };
        let same_glyph = |other: &Glyph| {
            other.text == glyph.text
                && other.rot == glyph.rot
                && (other.size - glyph.size).abs() <= 0.05 * glyph.size
                && (other.x0 - glyph.x0).abs() <= reach_x
                && (other.base - glyph.base).abs() <= reach_y
        };
        let (x_lo, x_hi) = (cell_x(glyph.x0 - reach_x), cell_x(glyph.x0 + reach_x));
        let (y_lo, y_hi) = (cell_y(glyph.base - reach_y), cell_y(glyph.base + reach_y));
        let found = (x_lo..=x_hi.min(x_lo + 1)).any(|x| {
            (y_lo..=y_hi.min(y_lo + 1)).any(|y| {
                filed
                    .get(&key(x, y))
                    .is_some_and(|&i| same_glyph(&glyphs[i]))
            })
        });
        if found {
            duplicate[index] = true;
        } else {
            filed
                .entry(key(cell_x(glyph.x0), cell_y(glyph.base)))
                .or_insert(index);
        }
    }
    duplicate
}

fn build_words(glyphs: &[Glyph], duplicate: &[bool]) -> Vec<Word> {
    let mut words = Vec::new();
    let mut current: Option<Word> = None;
    let mut spaced = false;
    for (glyph, _) in glyphs.iter().zip(duplicate).filter(|(_, dup)| !**dup) {
        if glyph.space || glyph.text.is_empty() {
            // An unmapped glyph ends a word only if it is a space; otherwise it is dropped,
            // as pdftotext drops characters it cannot map.
            if glyph.space {
                words.extend(current.take());
                spaced = true;
            }
            continue;
        }
        if let Some(word) = current.as_mut() {
            match next_glyph(word, glyph) {
                Joint::Letter => {
                    word.text.push_str(&glyph.text);
                    word.x1 = word.x1.max(glyph.x1);
                    continue;
                }
                Joint::Space => spaced = true,
                Joint::Break => {}
            }
            words.extend(current.take());
        }
        current = Some(Word {
            text: glyph.text.clone(),
            x0: glyph.x0,
            x1: glyph.x1,
            base: glyph.base,
            size: glyph.size,
            rot: glyph.rot,
            space_before: spaced,
        });
        spaced = false;
    }
    words.extend(current);
    words
}

/// How a glyph relates to the word before it.
enum Joint {
    /// Next letter of the word.
    Letter,
    /// Next word, after a space-sized gap.
    Space,
    /// A new word for another reason (new line, size or baseline change, text moved back).
    Break,
}

fn next_glyph(word: &Word, glyph: &Glyph) -> Joint {
    let gap = (glyph.x0 - word.x1) / word.size;
    let same_run = glyph.rot == word.rot
        && (glyph.base - word.base).abs() <= 0.1 * word.size
        && (glyph.size - word.size).abs() <= 0.05 * word.size
        && gap >= -WORD_OVERLAP;
    if !same_run {
        Joint::Break
    } else if gap > WORD_GAP {
        Joint::Space
    } else {
        Joint::Letter
    }
}

/// Groups words into lines by baseline, top line first, words left to right.
fn build_lines(mut words: Vec<Word>) -> Vec<Vec<Word>> {
    words.sort_by(|a, b| b.base.total_cmp(&a.base).then(a.x0.total_cmp(&b.x0)));
    let mut lines: Vec<Vec<Word>> = Vec::new();
    let mut line_base = f64::NAN;
    let mut line_size: f64 = 0.0;
    for word in words {
        let same = (line_base - word.base).abs() <= SAME_LINE * line_size.max(word.size);
        match lines.last_mut() {
            Some(line) if same => line.push(word),
            _ => {
                line_base = word.base;
                line_size = word.size;
                lines.push(vec![word]);
            }
        }
    }
    for line in &mut lines {
        line.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    }
    lines
}

/// Cuts lines at column-sized gaps, so side-by-side cells can land in different blocks.
fn split_segments(lines: Vec<Vec<Word>>) -> Vec<Segment> {
    let mut segments = Vec::new();
    for line in lines {
        let mut current: Vec<Word> = Vec::new();
        for word in line {
            if let Some(previous) = current.last() {
                let size = previous.size.max(word.size);
                if word.x0 - previous.x1 > COLUMN_GAP * size {
                    segments.push(segment_of(std::mem::take(&mut current)));
                }
            }
            current.push(word);
        }
        if !current.is_empty() {
            segments.push(segment_of(current));
        }
    }
    segments
}

fn segment_of(words: Vec<Word>) -> Segment {
    let x0 = words.iter().map(|w| w.x0).fold(f64::INFINITY, f64::min);
    let x1 = words.iter().map(|w| w.x1).fold(f64::NEG_INFINITY, f64::max);
    let size = words.iter().map(|w| w.size).fold(0.0, f64::max);
    // The line's baseline is that of its largest text, not of a superscript.
    let base = words
        .iter()
        .max_by(|a, b| a.size.total_cmp(&b.size))
        .map_or(0.0, |w| w.base);
    Segment {
        words,
        x0,
        x1,
        base,
        size,
    }
}

/// Stacks segments into blocks. Segments arrive top line first. A segment joins the one
/// open block that sits just above it (or on its line) in the same horizontal range; if it
/// touches several (a full-width line under a table) or none, it starts a block.
fn build_blocks(segments: Vec<Segment>) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for segment in segments {
        open.retain(|&i| {
            blocks[i].last_base - segment.base <= LINE_STEP * blocks[i].size.max(segment.size)
        });
        let candidates: Vec<usize> = open
            .iter()
            .copied()
            .filter(|&i| joins_block(&blocks[i], &segment))
            .collect();
        if let [only] = candidates.as_slice() {
            blocks[*only].push(segment);
        } else {
            open.push(blocks.len());
            blocks.push(Block::new(segment));
        }
    }
    blocks
}

fn joins_block(block: &Block, segment: &Segment) -> bool {
    let size = block.size.max(segment.size);
    let step = block.last_base - segment.base;
    block.overlaps_x(segment.x0, segment.x1)
        && step >= -SAME_LINE * size
        && step <= LINE_STEP * size
        && (block.size - segment.size).abs() <= BLOCK_SIZE_DELTA * size
}

/// Orders blocks for reading: a block comes after any block above it in the same columns,
/// and after any block beside it on the left. Among the blocks free to go next, the highest
/// (then leftmost) goes first.
fn reading_order(mut blocks: Vec<Block>) -> Vec<Block> {
    let by_position = |a: &Block, b: &Block| b.top.total_cmp(&a.top).then(a.x0.total_cmp(&b.x0));
    blocks.sort_by(by_position);
    let n = blocks.len();
    if n > MAX_BLOCKS_TO_ORDER {
        return blocks;
    }
    let mut pending = vec![0usize; n];
    let mut after: Vec<Vec<usize>> = vec![Vec::new(); n];
    for a in 0..n {
        for b in 0..n {
            if a != b && goes_before(&blocks[a], &blocks[b]) {
                after[a].push(b);
                pending[b] += 1;
            }
        }
    }
    let mut done = vec![false; n];
    let mut order = Vec::with_capacity(n);
    for _ in 0..n {
        // Blocks are sorted by position, so the first free one is the highest, leftmost;
        // a cycle (overlapping blocks) falls back to the first one not yet placed.
        let next = (0..n)
            .find(|&i| !done[i] && pending[i] == 0)
            .or_else(|| (0..n).find(|&i| !done[i]));
        let Some(next) = next else { break };
        done[next] = true;
        order.push(next);
        for &b in &after[next] {
            pending[b] = pending[b].saturating_sub(1);
        }
    }
    let mut slots: Vec<Option<Block>> = blocks.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

fn goes_before(a: &Block, b: &Block) -> bool {
    let tolerance = 0.1 * a.size.min(b.size);
    let above = a.overlaps_x(b.x0, b.x1) && a.bottom >= b.top - tolerance;
    let left_of = a.x1 <= b.x0 && a.overlaps_y(b);
    above || left_of
}

/// Chains blocks (already in reading order) into flows: a block continues the current flow
/// when it lies below the previous block, is not in larger type, and stays inside the flow's
/// column, which is the horizontal room the flow's first block has before it would run into a
/// block beside it.
fn build_flows(blocks: &[Block]) -> Vec<Vec<usize>> {
    let mut flows: Vec<Vec<usize>> = Vec::new();
    let mut column = (f64::NEG_INFINITY, f64::INFINITY);
    for (i, block) in blocks.iter().enumerate() {
        let continues = flows
            .last()
            .and_then(|flow| flow.last())
            .is_some_and(|&last| {
                let previous = &blocks[last];
                let tolerance = 0.5 * block.size;
                block.top <= previous.bottom + tolerance
                // As in pdftotext, text larger than what precedes it (a heading) starts afresh.
                && block.size <= previous.size * 1.01
                && block.x0 >= column.0 - tolerance
                && block.x1 <= column.1 + tolerance
            });
        match flows.last_mut() {
            Some(flow) if continues => flow.push(i),
            _ => {
                column = column_room(blocks, i);
                flows.push(vec![i]);
            }
        }
    }
    flows
}

fn column_room(blocks: &[Block], index: usize) -> (f64, f64) {
    let block = &blocks[index];
    let mut room = (f64::NEG_INFINITY, f64::INFINITY);
    for (j, other) in blocks.iter().enumerate() {
        if j == index || !block.overlaps_y(other) {
            continue;
        }
        if other.x1 <= block.x0 {
            room.0 = room.0.max(other.x1);
        } else if other.x0 >= block.x1 {
            room.1 = room.1.min(other.x0);
        }
    }
    room
}

/// Writes a flow's lines, joining a line that ends in `-` to the next one without the
/// hyphen (pdftotext's de-hyphenation), then the empty line that ends every flow.
fn write_flow(out: &mut String, flow: &[usize], blocks: &[Block]) {
    let lines: Vec<String> = flow.iter().flat_map(|&i| block_lines(&blocks[i])).collect();
    for (i, line) in lines.iter().enumerate() {
        match line.strip_suffix('-') {
            Some(stem) if i + 1 < lines.len() => out.push_str(stem),
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out.push('\n');
}

/// The text lines of a block: segments regrouped by baseline, words joined left to right.
fn block_lines(block: &Block) -> Vec<String> {
    let mut segments: Vec<&Segment> = block.segments.iter().collect();
    segments.sort_by(|a, b| b.base.total_cmp(&a.base).then(a.x0.total_cmp(&b.x0)));
    let mut lines: Vec<Vec<&Word>> = Vec::new();
    let mut line_base = f64::NAN;
    for segment in segments {
        let same = (line_base - segment.base).abs() <= SAME_LINE * segment.size;
        if !same {
            line_base = segment.base;
            lines.push(Vec::new());
        }
        if let Some(line) = lines.last_mut() {
            line.extend(segment.words.iter());
        }
    }
    lines
        .into_iter()
        .map(|mut words| {
            words.sort_by(|a, b| a.x0.total_cmp(&b.x0));
            join_words(&words)
        })
        .filter(|line| !line.is_empty())
        .collect()
}

fn join_words(words: &[&Word]) -> String {
    let mut line = String::new();
    let mut previous: Option<&Word> = None;
    for word in words {
        if let Some(previous) = previous {
            let gap = word.x0 - previous.x1;
            let size = previous.size.max(word.size);
            let spaced = gap > WORD_GAP * size || (word.space_before && gap > -WORD_OVERLAP * size);
            if spaced {
                line.push(' ');
            }
        }
        line.push_str(&word.text);
        previous = Some(word);
    }
    line
}
