//! Inline SVG bar charts, drawn in Rust: no script, no network.

use std::fmt::Write as _;

use super::text::push_escaped;

/// Service groups drawn in the uphold-rate chart (all are in its table).
pub(super) const UPHOLD_ROWS: usize = 20;

/// One bar of a horizontal bar chart.
pub(super) struct Bar<'a> {
    pub(super) label: &'a str,
    pub(super) tooltip: String,
    /// Length, 0 to 1 of the full width.
    pub(super) value: f64,
    /// A share of the bar drawn in the first colour, the rest in the second.
    pub(super) split: Option<f64>,
    pub(super) text: String,
    pub(super) class: &'static str,
}

/// The kind of a rule code (`<kind>/<slug>`) or kind name, as a CSS class.
pub(super) fn kind_class(code: &str) -> &'static str {
    match code.split('/').next().unwrap_or("") {
        "conclusion" => "k-conclusion",
        "citation" => "k-citation",
        "misstatement" => "k-misstatement",
        "criteria" => "k-criteria",
        "structure" => "k-structure",
        "inconsistency" => "k-inconsistency",
        _ => "",
    }
}

/// How a bar chart is laid out.
#[derive(Clone, Copy)]
pub(super) enum Layout {
    /// Each label on its own line, the bar below it: for half-width panels.
    Stacked,
    /// Label, bar and value on one line: for a full-width panel.
    Inline,
}

/// A horizontal bar chart as inline SVG. Labels longer than fit are cut
/// (the tooltip has them whole).
pub(super) fn push_bar_chart(s: &mut String, labelled_by: &str, bars: &[Bar], layout: Layout) {
    // (width, label chars, bar x, bar length, row height, label y, bar y)
    let (width, chars, bar_x, bar, row, label_y, bar_y) = match layout {
        Layout::Stacked => (640.0, 84, 0.0, 470.0, 40.0, 14.0, 20.0),
        Layout::Inline => (1140.0, 62, 450.0, 500.0, 26.0, 16.0, 6.0),
    };
    let height = row * bars.len() as f64 + 4.0;
    let _ = writeln!(
        s,
        "<svg class=\"chart\" role=\"img\" aria-labelledby=\"{labelled_by}\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\">"
    );
    for (i, b) in bars.iter().enumerate() {
        let y = row * i as f64;
        s.push_str("<g><title>");
        push_escaped(s, &b.tooltip);
        let _ = write!(
            s,
            "</title><text class=\"lab\" x=\"0\" y=\"{}\">",
            y + label_y
        );
        if b.label.chars().count() > chars {
            let cut: String = b.label.chars().take(chars - 1).collect();
            push_escaped(s, &cut);
            s.push('\u{2026}');
        } else {
            push_escaped(s, b.label);
        }
        s.push_str("</text>");
        let w = (b.value.clamp(0.0, 1.0) * bar).max(2.0);
        let by = y + bar_y;
        match b.split {
            Some(share) => {
                let up = share.clamp(0.0, 1.0) * w;
                let _ = write!(
                    s,
                    "<rect class=\"bar over\" x=\"{bar_x}\" y=\"{by}\" width=\"{w:.1}\" height=\"13\" rx=\"2\"/><rect class=\"bar up\" x=\"{bar_x}\" y=\"{by}\" width=\"{up:.1}\" height=\"13\" rx=\"2\"/>"
                );
            }
            None => {
                let _ = write!(
                    s,
                    "<rect class=\"bar {}\" x=\"{bar_x}\" y=\"{by}\" width=\"{w:.1}\" height=\"13\" rx=\"2\"/>",
                    b.class
                );
            }
        }
        let _ = write!(
            s,
            "<text class=\"val\" x=\"{:.1}\" y=\"{}\">",
            bar_x + w + 8.0,
            by + 11.0
        );
        push_escaped(s, &b.text);
        s.push_str("</text></g>\n");
    }
    s.push_str("</svg>\n");
}
