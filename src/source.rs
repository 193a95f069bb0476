//! Reading letters: files, directories, standard input; text, Markdown, PDF.
//!
//! This is the only module of the pipeline that does I/O. A source's `text`
//! is what every span of the parsed letter indexes: the file's text as
//! decoded (UTF-8, or Windows-1252 when the bytes are not UTF-8), or the text
//! extracted from a PDF.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::pdf::{self, PdfError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Text,
    Pdf,
}

/// One letter's text, with where it came from.
#[derive(Debug, Clone)]
pub struct Source {
    /// As the user named it; `-` for standard input.
    pub path: String,
    pub kind: SourceKind,
    pub text: String,
}

/// An input named on the command line, after directories are expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Stdin,
    File(PathBuf),
}

impl Input {
    pub fn display(&self) -> String {
        match self {
            Input::Stdin => "-".to_string(),
            // What `p.display()` writes (each invalid UTF-8 sequence one
            // U+FFFD, as both take it from `Utf8Chunks`), without the
            // formatting machinery, once per letter read.
            Input::File(p) => p.to_string_lossy().into_owned(),
        }
    }
}

/// Why a source could not be read. Codes are a JSON contract.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    Pdf {
        path: String,
        #[source]
        source: PdfError,
    },
    #[error("cannot read {path}: it is a binary file, not a letter (text, Markdown or PDF)")]
    Binary { path: String },
}

impl ReadError {
    pub fn code(&self) -> &'static str {
        match self {
            ReadError::Io { source, .. } => match source.kind() {
                std::io::ErrorKind::NotFound => "not-found",
                std::io::ErrorKind::PermissionDenied => "permission-denied",
                std::io::ErrorKind::IsADirectory => "is-a-directory",
                _ => "io",
            },
            ReadError::Pdf { source, .. } => match source {
                PdfError::Encrypted => "pdf-encrypted",
                PdfError::NoText => "pdf-no-text",
                PdfError::Malformed(_) => "pdf-malformed",
            },
            ReadError::Binary { .. } => "binary",
        }
    }
}

/// File extensions read when walking a directory.
const LETTER_EXTENSIONS: &[&str] = &["txt", "text", "md", "markdown", "pdf"];

/// Expands the paths given by the user: directories are walked recursively
/// (letter extensions only, sorted for a stable order); files and `-` are
/// kept as given, even if missing, so that every input is accounted for.
pub fn expand(paths: &[PathBuf]) -> Vec<Input> {
    Inputs::new(paths).collect()
}

/// The inputs `paths` name, in order, directories walked as they are reached:
/// only the entries of the directories on the current path are held, so a
/// batch of any size starts at once and its memory does not grow with it.
///
/// A directory's letters come in sorted order, subdirectories in place
/// (the order of sorting every path by its components); names starting with
/// `.` are skipped, and only files with a letter extension are taken from a
/// directory (a file named on the command line is taken whatever its name).
pub struct Inputs {
    paths: std::vec::IntoIter<PathBuf>,
    /// The sorted entries still to visit of each directory being walked.
    stack: Vec<std::vec::IntoIter<Entry>>,
}

/// A directory entry still to visit, and whether it is a directory when the
/// listing said so.
struct Entry {
    path: PathBuf,
    dir: Option<bool>,
    name: std::ffi::OsString,
}

impl Inputs {
    pub fn new(paths: &[PathBuf]) -> Inputs {
        Inputs {
            paths: Vec::from(paths).into_iter(),
            stack: Vec::new(),
        }
    }

    /// Starts walking `dir`; an unreadable directory is returned as an input,
    /// to be reported when it is read.
    fn enter(&mut self, dir: &Path) -> Option<Input> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Some(Input::File(dir.to_path_buf()));
        };
        let mut found: Vec<Entry> = entries
            .flatten()
            .map(|e| (e.file_name(), e))
            .filter(|(name, _)| !name.as_encoded_bytes().starts_with(b"."))
            .map(|(name, e)| Entry {
                // The type comes with the directory listing: no `stat` per
                // letter on the thread that feeds the workers. A link is
                // followed, as `Path::is_dir` follows it.
                dir: e
                    .file_type()
                    .ok()
                    .filter(|t| !t.is_symlink())
                    .map(|t| t.is_dir()),
                path: e.path(),
                name,
            })
            .collect();
        // Siblings order by name as their paths order by component, and a
        // name compares as bytes, far cheaper than a path's components.
        found.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        self.stack.push(found.into_iter());
        None
    }
}

impl Iterator for Inputs {
    type Item = Input;

    fn next(&mut self) -> Option<Input> {
        loop {
            if let Some(top) = self.stack.last_mut() {
                let Some(Entry { path, dir, .. }) = top.next() else {
                    self.stack.pop();
                    continue;
                };
                if dir.unwrap_or_else(|| path.is_dir()) {
                    if let Some(unreadable) = self.enter(&path) {
                        return Some(unreadable);
                    }
                } else if path
                    .extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| LETTER_EXTENSIONS.contains(&x.to_ascii_lowercase().as_str()))
                {
                    return Some(Input::File(path));
                }
                continue;
            }
            let p = self.paths.next()?;
            if p.as_os_str() == "-" {
                return Some(Input::Stdin);
            } else if p.is_dir() {
                if let Some(unreadable) = self.enter(&p) {
                    return Some(unreadable);
                }
            } else {
                return Some(Input::File(p));
            }
        }
    }
}

pub fn read(input: &Input) -> Result<Source, ReadError> {
    let path = input.display();
    let bytes = match input {
        Input::Stdin => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|source| ReadError::Io {
                    path: path.clone(),
                    source,
                })?;
            buf
        }
        Input::File(p) => read_file(p).map_err(|source| ReadError::Io {
            path: path.clone(),
            source,
        })?,
    };
    from_vec(path, bytes)
}

/// A file's bytes. Letters are a few kilobytes: a buffer that holds one
/// reads it in one call, without the `stat` for its size that
/// `std::fs::read` makes first (one system call in five, per letter).
fn read_file(p: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(16 * 1024);
    // Through `Take`: `File`'s own `read_to_end` asks for the size too.
    std::fs::File::open(p)?
        .take(u64::MAX)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Decodes a letter from its bytes: PDF by its `%PDF-` signature, else text.
pub fn from_bytes(path: String, bytes: &[u8]) -> Result<Source, ReadError> {
    match decode(path, bytes)? {
        Decoded::Done(source) => Ok(source),
        Decoded::Text(path) => Ok(text_source(
            path,
            match std::str::from_utf8(bytes) {
                Ok(text) => text.to_owned(),
                Err(_) => decode_windows_1252(bytes),
            },
        )),
    }
}

/// [`from_bytes`] for bytes the caller owns: UTF-8 text keeps the buffer
/// instead of copying it, and is checked once, by the move into a `String`.
fn from_vec(path: String, bytes: Vec<u8>) -> Result<Source, ReadError> {
    match decode(path, &bytes)? {
        Decoded::Done(source) => Ok(source),
        Decoded::Text(path) => Ok(text_source(
            path,
            match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(e) => decode_windows_1252(e.as_bytes()),
            },
        )),
    }
}

/// What [`decode`] made of the bytes: a source, or text (neither PDF nor
/// binary) left to the caller to take as UTF-8, by copy or by move, or
/// else as Windows-1252.
enum Decoded {
    Done(Source),
    Text(String),
}

fn text_source(path: String, text: String) -> Source {
    Source {
        path,
        kind: SourceKind::Text,
        text,
    }
}

fn decode(path: String, bytes: &[u8]) -> Result<Decoded, ReadError> {
    if is_pdf(bytes) {
        let text = pdf::extract_text(bytes).map_err(|source| ReadError::Pdf {
            path: path.clone(),
            source,
        })?;
        return Ok(Decoded::Done(Source {
            path,
            kind: SourceKind::Pdf,
            text,
        }));
    }
    if looks_binary(bytes) {
        return Err(ReadError::Binary { path });
    }
    Ok(Decoded::Text(path))
}

fn is_pdf(bytes: &[u8]) -> bool {
    // The signature may follow a little junk; readers accept it within 1 KiB.
    let head = &bytes[..bytes.len().min(1024)];
    // Text rarely holds a '%': a byte search for it costs less than
    // building a substring searcher for every letter read.
    memchr::memchr_iter(b'%', head).any(|i| head[i..].starts_with(b"%PDF-"))
}

/// NUL bytes and other C0 controls that letters never hold (form feed,
/// tab, CR and LF excepted) mark a binary file.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    // This runs over every letter read, and almost every letter holds no odd
    // byte at all: a vector test clears 64 bytes at a time, and only blocks
    // it flags are counted (a NUL is an odd byte, so it is seen there too).
    let mut blocks = head.chunks_exact(64);
    let (mut odd, mut nul) = (0, false);
    for block in &mut blocks {
        let Ok(block) = <&[u8; 64]>::try_from(block) else {
            continue;
        };
        if may_hold_odd(block) {
            let (n, z) = odd_bytes(block);
            odd += n;
            nul |= z;
        }
    }
    let (n, z) = odd_bytes(blocks.remainder());
    nul || z || (odd + n) * 100 > head.len().max(1)
}

/// Below 0x20 but not 0x09..=0x0d (tab, LF, VT, FF, CR).
fn is_odd(b: u8) -> bool {
    b < 0x09 || b.wrapping_sub(0x0e) < 0x20 - 0x0e
}

/// How many odd bytes `bytes` holds, and whether one is a NUL.
fn odd_bytes(bytes: &[u8]) -> (usize, bool) {
    let odd = bytes.iter().filter(|&&b| is_odd(b)).count();
    (odd, odd > 0 && bytes.contains(&0))
}

/// False only when `block` holds no odd byte. On x86-64 six vector
/// operations a sixteen bytes.
#[cfg(target_arch = "x86_64")]
fn may_hold_odd(block: &[u8; 64]) -> bool {
    use std::arch::x86_64::{
        __m128i, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8,
        _mm_or_si128, _mm_set1_epi8, _mm_setzero_si128, _mm_sub_epi8, _mm_subs_epu8,
    };
    // SAFETY: SSE2 is part of the x86-64 base target, so every x86-64 CPU
    // runs these instructions; each load reads sixteen bytes inside
    // `block` (offsets 0, 16, 32 and 48 of 64), and `_mm_loadu_si128`
    // needs no alignment.
    unsafe {
        let zero = _mm_setzero_si128();
        let mut any = zero;
        for k in 0..4 {
            let v = _mm_loadu_si128(block.as_ptr().add(16 * k).cast::<__m128i>());
            // Saturating subtraction leaves zero exactly where the byte is
            // at most the amount: below 0x20, and 0x09..=0x0d once 9 is taken off.
            let control = _mm_cmpeq_epi8(_mm_subs_epu8(v, _mm_set1_epi8(0x1f)), zero);
            let space = _mm_cmpeq_epi8(
                _mm_subs_epu8(_mm_sub_epi8(v, _mm_set1_epi8(9)), _mm_set1_epi8(4)),
                zero,
            );
            any = _mm_or_si128(any, _mm_andnot_si128(space, control));
        }
        _mm_movemask_epi8(any) != 0
    }
}

/// [`may_hold_odd`] on other targets: the count itself.
#[cfg(not(target_arch = "x86_64"))]
fn may_hold_odd(block: &[u8; 64]) -> bool {
    block.iter().any(|&b| is_odd(b))
}

/// Windows-1252, the usual encoding of letters saved by office tools when not UTF-8.
fn decode_windows_1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9f => HIGH[(b - 0x80) as usize],
            _ => b as char,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_are_walked_in_component_order_as_they_are_reached() {
        let root = std::env::temp_dir().join(format!("imrlint-walk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for f in [
            "b.txt",
            "a-c.txt",
            "a/z.md",
            "a/b/y.pdf",
            "a/b/notes.docx",
            ".hidden/x.txt",
            "a/.x.txt",
            "C.TXT",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "x").unwrap();
        }
        let given = vec![root.join("b.txt"), root.clone(), PathBuf::from("-")];
        let names: Vec<String> = Inputs::new(&given)
            .map(|i| match i {
                Input::File(p) => p
                    .strip_prefix(&root)
                    .map_or(p.display().to_string(), |r| r.display().to_string()),
                Input::Stdin => "-".into(),
            })
            .collect();
        // The same order as collecting every path and sorting (PathBuf orders by component).
        assert_eq!(
            names,
            [
                "b.txt",
                "C.TXT",
                "a/b/y.pdf",
                "a/z.md",
                "a-c.txt",
                "b.txt",
                "-"
            ]
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn links_in_a_walked_directory_are_followed() {
        let root = std::env::temp_dir().join(format!("imrlint-links-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let (walked, elsewhere) = (root.join("walked"), root.join("elsewhere"));
        std::fs::create_dir_all(elsewhere.join("inner")).unwrap();
        std::fs::create_dir_all(&walked).unwrap();
        std::fs::write(elsewhere.join("inner/letter.txt"), "x").unwrap();
        std::fs::write(elsewhere.join("file.txt"), "x").unwrap();
        std::os::unix::fs::symlink(elsewhere.join("inner"), walked.join("dir-link")).unwrap();
        std::os::unix::fs::symlink(elsewhere.join("file.txt"), walked.join("file-link.txt"))
            .unwrap();
        let names: Vec<String> = Inputs::new(std::slice::from_ref(&walked))
            .map(|i| match i {
                Input::File(p) => p.strip_prefix(&walked).unwrap().display().to_string(),
                Input::Stdin => "-".into(),
            })
            .collect();
        assert_eq!(names, ["dir-link/letter.txt", "file-link.txt"]);
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// The former test, a count and a separate search for NUL.
    fn looks_binary_reference(bytes: &[u8]) -> bool {
        let head = &bytes[..bytes.len().min(8192)];
        let odd = head
            .iter()
            .filter(|&&b| b < 0x20 && !(0x09..=0x0d).contains(&b))
            .count();
        head.contains(&0) || odd * 100 > head.len().max(1)
    }

    proptest::proptest! {
        #[test]
        fn binary_test_agrees_with_count_and_search(
            parts in proptest::collection::vec(proptest::prop_oneof![
                proptest::collection::vec(0x20u8..=0xff, 0..600),
                proptest::collection::vec(proptest::sample::select(
                    vec![0u8, 1, 8, 9, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x1f, b' ', b'a', 0xc3, 0xa9]
                ), 0..40),
            ], 0..30),
        ) {
            let bytes = parts.concat();
            proptest::prop_assert_eq!(looks_binary(&bytes), looks_binary_reference(&bytes));
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_path_is_named_as_display_names_it() {
        use std::os::unix::ffi::OsStrExt;
        for raw in [
            &b"letters/a.txt"[..],
            b"caf\xc3\xa9/\xe9t\xe9.txt",
            b"\xff\xfe\xc3",
            b"x\xe2\x82",
            b"",
        ] {
            let p = PathBuf::from(std::ffi::OsStr::from_bytes(raw));
            assert_eq!(Input::File(p.clone()).display(), p.display().to_string());
        }
    }

    /// Every byte value, at every place of a block.
    #[test]
    fn vector_block_test_flags_every_odd_byte() {
        for v in 0..=255u8 {
            for at in 0..64 {
                let mut b = [b'a'; 64];
                b[at] = v;
                let want = v < 0x20 && !(0x09..=0x0d).contains(&v);
                assert_eq!(may_hold_odd(&b), want, "{v:#x} at {at}");
            }
        }
    }

    #[test]
    fn decodes_windows_1252_and_flags_binary() {
        let s = from_bytes("a.txt".into(), b"caf\xe9 \x93quoted\x94").unwrap();
        assert_eq!(s.text, "café “quoted”");
        assert!(matches!(
            from_bytes("b.bin".into(), b"\x00\x01\x02ELF"),
            Err(ReadError::Binary { .. })
        ));
    }
}
