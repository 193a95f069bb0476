//! Tests of `imrlint::pdf`: the three real letters against their pdftotext dumps, and
//! fixture PDFs built here with lopdf for the error cases and layout rules.

use imrlint::pdf::*;
use lopdf::{Dictionary, Document, Object, Stream, dictionary};

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/dwc-imr-letters"
);

/// The real letters, each with one decision line as the letter prints it.
const LETTERS: [(&str, &str); 3] = [
    (
        "CM16-0229336",
        "and occupational therapy 7-10 days for left foot fracture is: Overturned",
    ),
    (
        "CM16-0247255",
        "MRI of the lumbar spine without contrast: Upheld",
    ),
    ("CM16-0248698", "X-rays lumbar spine: Upheld"),
];

fn letter_pdf(case: &str) -> Vec<u8> {
    let path = format!("{DATA}/pdf/{case}.pdf");
    std::fs::read(&path).unwrap_or_else(|err| panic!("reading {path}: {err}"))
}

fn pdftotext_dump(case: &str) -> String {
    let path = format!("{DATA}/text/{case}.txt");
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("reading {path}: {err}"))
}

fn extract_letter(case: &str) -> String {
    extract_text(&letter_pdf(case)).unwrap_or_else(|err| panic!("{case}: {err}"))
}

/// difflib-style similarity of two word sequences: twice the longest common subsequence
/// over the total number of words.
fn word_agreement(a: &str, b: &str) -> f64 {
    let a: Vec<&str> = a.split_whitespace().collect();
    let b: Vec<&str> = b.split_whitespace().collect();
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let mut previous = vec![0u32; b.len() + 1];
    let mut current = vec![0u32; b.len() + 1];
    for word in &a {
        for (j, other) in b.iter().enumerate() {
            current[j + 1] = if word == other {
                previous[j] + 1
            } else {
                previous[j + 1].max(current[j])
            };
        }
        std::mem::swap(&mut previous, &mut current);
    }
    2.0 * f64::from(previous[b.len()]) / (a.len() + b.len()) as f64
}

/// Lines of the text; a page's first line follows the previous page's form feed, as in
/// pdftotext output, so the form feed separates lines too.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split(['\n', '\u{c}'])
}

fn lines_starting_with<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    lines(text)
        .filter(|line| line.starts_with(prefix))
        .collect()
}

fn decision_lines(text: &str) -> Vec<&str> {
    lines(text)
        .filter(|line| line.ends_with(": Upheld") || line.ends_with(": Overturned"))
        .collect()
}

#[test]
fn real_letters_have_the_lines_the_parser_looks_for() {
    for (case, decision) in LETTERS {
        let text = extract_letter(case);
        assert!(lines(&text).any(|l| l == "Case Number:"), "{case}: {text}");
        assert!(lines(&text).any(|l| l == case), "{case}: case number line");
        assert!(
            !lines_starting_with(&text, "MAXIMUS guideline:").is_empty(),
            "{case}: MAXIMUS guideline"
        );
        assert!(
            lines(&text).any(|l| l == decision),
            "{case}: no line {decision:?}"
        );
    }
}

#[test]
fn real_letters_agree_with_pdftotext_word_for_word() {
    for (case, _) in LETTERS {
        let ours = extract_letter(case);
        let reference = pdftotext_dump(case);
        let agreement = word_agreement(&ours, &reference);
        assert!(agreement >= 0.98, "{case}: word agreement {agreement:.4}");
    }
}

#[test]
fn real_letters_break_lines_where_pdftotext_does() {
    let starts = [
        "Case Number:",
        "Claims Administrator guideline:",
        "MAXIMUS guideline:",
        "Decision rationale:",
    ];
    for (case, _) in LETTERS {
        let ours = extract_letter(case);
        let reference = pdftotext_dump(case);
        for start in starts {
            assert_eq!(
                lines_starting_with(&ours, start),
                lines_starting_with(&reference, start),
                "{case}: lines starting {start:?}"
            );
        }
        assert_eq!(
            decision_lines(&ours),
            decision_lines(&reference),
            "{case}: decision lines"
        );
        assert_eq!(
            ours.matches('\u{c}').count(),
            reference.matches('\u{c}').count(),
            "{case}: page count"
        );
    }
}

#[test]
fn header_table_comes_out_column_by_column_like_pdftotext() {
    let (case, _) = LETTERS[1];
    let ours = extract_letter(case);
    let reference = pdftotext_dump(case);
    let head = |text: &str| lines(text).take(19).map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(head(&ours), head(&reference));
}

#[test]
fn garbage_is_malformed() {
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for bytes in [&garbage[..], b"", b"%PDF-1.7\n", b"hello, world"] {
        match extract_text(bytes) {
            Err(PdfError::Malformed(message)) => assert!(!message.is_empty()),
            other => panic!("expected Malformed, got {other:?}"),
        }
    }
}

#[test]
fn truncated_letters_fail_cleanly() {
    for (case, _) in LETTERS {
        let bytes = letter_pdf(case);
        let cut = &bytes[..bytes.len() * 2 / 5];
        match extract_text(cut) {
            Ok(_) | Err(PdfError::Malformed(_)) => {}
            Err(other) => panic!("{case}: truncated copy gave {other:?}"),
        }
    }
}

#[test]
fn damaged_letters_never_panic() {
    // Cheap deterministic mutations; `extract_text` must return, whatever it returns.
    let bytes = letter_pdf(LETTERS[0].0);
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..40 {
        let mut damaged = bytes.clone();
        for _ in 0..8 {
            let at = (next() as usize) % damaged.len();
            damaged[at] = next() as u8;
        }
        let _ = extract_text(&damaged);
    }
}

// ---------------------------------------------------------------------------------------------
// Fixture PDFs.

/// A one-page-per-entry PDF with Helvetica (`/F1`) and Helvetica-Bold (`/F2`), no widths in
/// the file, as small generators write it.
fn build_document(pages: &[&str]) -> Document {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let regular = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let bold = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica-Bold",
        "Encoding" => "WinAnsiEncoding",
    });
    let resources = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => regular, "F2" => bold },
    });
    let mut kids = Vec::new();
    for content in pages {
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.as_bytes().to_vec()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        });
        kids.push(Object::Reference(page));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count, "Resources" => resources,
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc.trailer.set(
        "ID",
        vec![
            Object::string_literal(b"0123456789abcdef".to_vec()),
            Object::string_literal(b"0123456789abcdef".to_vec()),
        ],
    );
    doc
}

fn save(doc: &mut Document) -> Vec<u8> {
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("saving a fixture PDF");
    bytes
}

fn build_pdf(pages: &[&str]) -> Vec<u8> {
    save(&mut build_document(pages))
}

#[test]
fn page_without_text_is_no_text() {
    let drawing = "0.5 g 72 600 200 100 re f 0 G 72 500 m 300 500 l S";
    let bytes = build_pdf(&[drawing, ""]);
    assert!(matches!(extract_text(&bytes), Err(PdfError::NoText)));
}

#[test]
fn encrypt_dictionary_that_the_empty_password_does_not_open_is_encrypted() {
    let mut doc = build_document(&["BT /F1 12 Tf 72 700 Td (Secret letter) Tj ET"]);
    let encrypt = doc.add_object(dictionary! {
        "Filter" => "Standard",
        "V" => 2,
        "R" => 3,
        "Length" => 128,
        "P" => -3904,
        "O" => Object::string_literal(vec![0x4f_u8; 32]),
        "U" => Object::string_literal(vec![0x55_u8; 32]),
    });
    doc.trailer.set("Encrypt", encrypt);
    let bytes = save(&mut doc);
    assert!(matches!(extract_text(&bytes), Err(PdfError::Encrypted)));
}

#[test]
fn password_protected_letter_is_encrypted() {
    let mut doc = build_document(&["BT /F1 12 Tf 72 700 Td (Secret letter) Tj ET"]);
    let state = lopdf::EncryptionState::try_from(lopdf::EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner",
        user_password: "reader",
        key_length: 128,
        permissions: lopdf::Permissions::all(),
    })
    .expect("encryption state");
    doc.encrypt(&state).expect("encrypting the fixture");
    let bytes = save(&mut doc);
    assert!(matches!(extract_text(&bytes), Err(PdfError::Encrypted)));
}

#[test]
fn letter_encrypted_with_an_empty_user_password_is_read() {
    // The real DWC letters are AES-encrypted this way ("no copying"); viewers open them
    // without asking for a password, and so must imrlint.
    let mut doc = build_document(&["BT /F1 12 Tf 72 700 Td (Case Number:) Tj ET"]);
    let state = lopdf::EncryptionState::try_from(lopdf::EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner",
        user_password: "",
        key_length: 128,
        permissions: lopdf::Permissions::PRINTABLE,
    })
    .expect("encryption state");
    doc.encrypt(&state).expect("encrypting the fixture");
    let bytes = save(&mut doc);
    let text = extract_text(&bytes).expect("readable without a password");
    assert_eq!(text, "Case Number:\n\n\u{c}");
}

#[test]
fn pages_end_with_form_feeds_and_lines_keep_their_breaks() {
    let page1 = "BT /F1 11 Tf 72 700 Td (First line of the letter.) Tj \
                 0 -13 Td (Second line,) Tj ( placed in two pieces.) Tj ET";
    let page2 = "BT /F2 11 Tf 72 700 Td (Page two:) Tj /F1 11 Tf ( Upheld) Tj ET";
    let text = extract_text(&build_pdf(&[page1, page2])).expect("text");
    assert_eq!(
        text,
        "First line of the letter.\nSecond line, placed in two pieces.\n\n\u{c}\
         Page two: Upheld\n\n\u{c}"
    );
}

#[test]
fn kerning_and_gaps_decide_spaces() {
    // A large negative TJ offset is a word space, small ones are kerning; a glyph run
    // placed a few points further along is a new word, one placed flush is not.
    let page = "BT /F1 12 Tf 72 700 Td [(Decision)-250(rationale:)] TJ \
                0 -14 Td [(Up)15(held)] TJ \
                0 -14 Td (CM16) Tj 32 0 Td (-0229336) Tj \
                -32 -14 Td (Claims) Tj 40 0 Td (Administrator) Tj ET";
    let text = extract_text(&build_pdf(&[page])).expect("text");
    assert_eq!(
        text,
        "Decision rationale:\nUpheld\nCM16-0229336\nClaims Administrator\n\n\u{c}"
    );
}

#[test]
fn two_column_table_reads_column_by_column() {
    // The letters' header table: pdftotext prints the label column, then the value column,
    // each followed by an empty line, then the body.
    // Written row by row, as Word writes it, with size-1 fonts scaled by the text matrix.
    let mut page = String::from("BT\n");
    let rows = [
        ("Case Number:", "CM17-0000001"),
        ("Date Assigned:", "01/02/2017"),
        ("Priority:", "Standard"),
    ];
    for (row, (label, value)) in rows.iter().enumerate() {
        let y = 700 - 13 * row;
        page.push_str(&format!("/F2 1 Tf 11 0 0 11 72 {y} Tm ({label}) Tj\n"));
        page.push_str(&format!("/F1 1 Tf 11 0 0 11 180 {y} Tm ({value}) Tj\n"));
    }
    page.push_str("/F2 1 Tf 11 0 0 11 72 648 Tm (HOW THE IMR FINAL DETERMINATION WAS MADE) Tj\n");
    page.push_str(
        "/F1 1 Tf 11 0 0 11 72 635 Tm (MAXIMUS Federal Services sent the case file) Tj\n",
    );
    page.push_str("ET");
    let text = extract_text(&build_pdf(&[&page])).expect("text");
    assert_eq!(
        text,
        "Case Number:\nDate Assigned:\nPriority:\n\n\
         CM17-0000001\n01/02/2017\nStandard\n\n\
         HOW THE IMR FINAL DETERMINATION WAS MADE\n\
         MAXIMUS Federal Services sent the case file\n\n\u{c}"
    );
}

#[test]
fn hyphen_at_line_end_joins_the_next_line_like_pdftotext() {
    let page = "BT /F1 11 Tf 72 700 Td (dated 10-30-) Tj 0 -13 Td (2016, the injured worker) Tj ET";
    let text = extract_text(&build_pdf(&[page])).expect("text");
    assert_eq!(text, "dated 10-302016, the injured worker\n\n\u{c}");
}

#[test]
fn lines_drawn_out_of_order_are_sorted_top_down() {
    let page = "BT /F1 11 Tf 72 674 Td (third line) Tj ET \
                BT /F1 11 Tf 72 700 Td (first line) Tj ET \
                BT /F1 11 Tf 72 687 Td (second line) Tj ET";
    let text = extract_text(&build_pdf(&[page])).expect("text");
    assert_eq!(text, "first line\nsecond line\nthird line\n\n\u{c}");
}

#[test]
fn text_drawn_twice_in_place_comes_out_once() {
    // Fake bold: the same string drawn again a fraction of a point to the right.
    let page = "BT /F1 11 Tf 72 700 Td (Upheld) Tj ET BT /F1 11 Tf 72.3 700 Td (Upheld) Tj ET";
    let text = extract_text(&build_pdf(&[page])).expect("text");
    assert_eq!(text, "Upheld\n\n\u{c}");
}

#[test]
fn text_inside_form_xobjects_is_extracted() {
    let mut doc = build_document(&["q 1 0 0 1 72 600 cm /Fm0 Do Q"]);
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Times-Roman",
    });
    let form = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), 400.into(), 50.into()],
            "Resources" => dictionary! { "Font" => dictionary! { "T1" => font } },
        },
        b"BT /T1 12 Tf 0 10 Td (Decision rationale: in a form) Tj ET".to_vec(),
    ));
    let page_id = *doc.get_pages().get(&1).expect("page 1");
    let mut xobjects = Dictionary::new();
    xobjects.set("Fm0", form);
    let page = doc
        .get_object_mut(page_id)
        .and_then(Object::as_dict_mut)
        .expect("page dictionary");
    page.set(
        "Resources",
        dictionary! { "XObject" => Object::Dictionary(xobjects) },
    );
    let text = extract_text(&save(&mut doc)).expect("text");
    assert_eq!(text, "Decision rationale: in a form\n\n\u{c}");
}
