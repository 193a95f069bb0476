//! Inputs that once panicked the parser (found by the fuzzer and the
//! property tests). Each must parse or fail cleanly, with spans in bounds.

fn spans_in_bounds(text: &str) {
    if let Ok(letter) = imrlint::parse::parse(text) {
        for item in &letter.items {
            for span in [item.span, item.header, item.name.span, item.decision.span] {
                assert!(
                    span.slice(text).is_some(),
                    "span {span:?} out of bounds or off a char boundary"
                );
            }
        }
        for s in letter
            .reviewer
            .licensure
            .iter()
            .chain(&letter.reviewer.specialties)
        {
            assert!(s.span.slice(text).is_some());
        }
    }
}

#[test]
fn specialty_label_before_licensure_label() {
    let text = "HOW THE IMR FINAL DETERMINATION WAS MADE\nCertification(s)/Specialty: Family Practice\nState(s) of Licensure: California\nCLINICAL CASE SUMMARY\nx\nIMR ISSUES, DECISIONS AND RATIONALES\nFoo: Upheld\nMAXIMUS guideline: a\nDecision rationale: b\n";
    spans_in_bounds(text);
    let letter = imrlint::parse::parse(text).expect("parses");
    assert_eq!(letter.reviewer.licensure[0].value, "California");
}

#[test]
fn notice_item_name_starting_with_a_multibyte_character() {
    let text = "Notice of Independent Medical Review Determination\n1) MAXIMUS Federal Services, Inc. has determined the request for aé program is not medically necessary and appropriate.\n";
    spans_in_bounds(text);
}

#[test]
fn markdown_hash_inside_a_value_folds_the_same_in_context() {
    let text = "IMR ISSUES, DECISIONS AND RATIONALES\nFoo: Upheld\nMAXIMUS guideline: a\nDecision rationale: # 5 visits.";
    let letter = imrlint::parse::parse(text).expect("parses");
    let r = letter.items[0].rationale.as_ref().expect("rationale");
    let refold = imrlint::fold::Folded::range(text, r.span.offset, r.span.end());
    assert_eq!(refold.as_str(), r.value);
}
