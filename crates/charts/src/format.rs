//! Text and number formatting: XML escaping, coordinates and numbers shown to people.
//!
//! Everything here is deterministic: the same input gives the same bytes on every platform,
//! so SVG output can be snapshot-tested and cached.

use std::fmt;

/// Escapes text for use in XML character data and attribute values.
///
/// `&`, `<`, `>`, `"` and `'` become entities. Characters that XML 1.0 does not allow at all
/// (most C0 control characters, U+FFFE and U+FFFF) are dropped, because no escape makes
/// them legal and one of them would make the whole SVG unparseable.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Makes a caller's id prefix safe as an XML name: letters, digits, `-` and `_` are kept,
/// anything else becomes `-`, and a prefix that does not start with a letter gets
/// `h2h-chart-` in front (an empty one becomes `h2h-chart`).
pub(crate) fn sanitize_id(id: &str) -> String {
    let cleaned: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    match cleaned.chars().next() {
        None => "h2h-chart".to_owned(),
        Some(first) if first.is_ascii_alphabetic() => cleaned,
        Some(_) => format!("h2h-chart-{cleaned}"),
    }
}

/// A coordinate or length written into the SVG: at most two decimals, trailing zeros and a
/// trailing point trimmed, never `-0`, never `NaN`.
///
/// Non-finite values are written as `0` and magnitudes are clamped to a million so that a
/// pathological input cannot produce unparseable or enormous attribute values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct N(pub f64);

impl fmt::Display for N {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = if self.0.is_finite() {
            self.0.clamp(-1.0e6, 1.0e6)
        } else {
            0.0
        };
        let s = format!("{v:.2}");
        let s = if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.')
        } else {
            s.as_str()
        };
        if s == "-0" {
            f.write_str("0")
        } else {
            f.write_str(s)
        }
    }
}

/// Formats a number for people with a fixed number of decimals and thousands separators:
/// `format_decimal(12345.678, 1)` is `12,345.7`.
///
/// Decimals are capped at 10. Negative values that round to zero are shown as `0`, not `-0`.
/// Non-finite values are shown as `n/a`.
pub fn format_decimal(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "n/a".to_owned();
    }
    let decimals = decimals.min(10);
    // Round half away from zero first, as published statistics do (Rust's formatting alone
    // rounds exact ties to even: 2.5 would show as 2).
    let factor = 10f64.powi(i32::try_from(decimals).unwrap_or(10));
    let scaled = value.abs() * factor;
    let rounded = if scaled.is_finite() && scaled < 1e15 {
        scaled.round() / factor
    } else {
        value.abs()
    };
    let digits = format!("{:.*}", decimals, rounded);
    let (integer, fraction) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits.as_str(), None),
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    let is_zero = digits.bytes().all(|b| b == b'0' || b == b'.');
    if value < 0.0 && !is_zero {
        out.push('-');
    }
    let len = integer.len();
    for (i, c) in integer.chars().enumerate() {
        if i > 0 && (len - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// Formats a number for people with sensible decimals: three significant figures but never
/// fewer than all the integer digits and never more than four decimals, trailing zeros
/// trimmed, with thousands separators.
///
/// `45.67` → `45.7`, `123.4` → `123`, `12345.6` → `12,346`, `0.01234` → `0.0123`,
/// `50.0` → `50`. Non-finite values are shown as `n/a`.
pub fn format_number(value: f64) -> String {
    if !value.is_finite() {
        return "n/a".to_owned();
    }
    if value == 0.0 {
        return "0".to_owned();
    }
    let text = format_decimal(value, sensible_decimals(value));
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// Decimals giving three significant figures for a value of this magnitude, but no fewer
/// than zero and no more than four: 1234 → 0, 45.6 → 1, 1.23 → 2, 0.0123 → 4.
pub(crate) fn sensible_decimals(magnitude: f64) -> usize {
    let magnitude = magnitude.abs();
    if !(magnitude.is_finite() && magnitude > 0.0) {
        return 0;
    }
    // Integer digits of the magnitude; zero or negative below 1.
    let integer_digits = magnitude.log10().floor() + 1.0;
    // The clamp keeps this in 0..=4, so the cast is exact.
    (3.0 - integer_digits).clamp(0.0, 4.0) as usize
}

/// An estimate of the rendered width of `text` at `size` user units, for layout.
///
/// SVG cannot be measured without a renderer, so this adds up Arial's advance widths by
/// character class (narrow `i`/`l`/punctuation, wide `m`/`W`, capitals, digits), plus 5% so
/// that a slightly wider face (GDS Transport on GOV.UK pages) still fits.
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    text.chars().map(char_width).sum::<f64>() * size * 1.05
}

/// Arial's advance width of `c` in ems, by class; close enough for laying out labels.
fn char_width(c: char) -> f64 {
    match c {
        '\'' => 0.191,
        'i' | 'j' | 'l' => 0.222,
        '|' => 0.26,
        ' ' | 'f' | 't' | 'I' | '.' | ',' | ':' | ';' | '!' | '/' => 0.278,
        'r' | '(' | ')' | '-' | '[' | ']' => 0.333,
        '"' => 0.355,
        'c' | 'k' | 's' | 'v' | 'x' | 'y' | 'z' | 'J' => 0.5,
        'L' | '0'..='9' | '$' | '_' | '?' => 0.556,
        'F' | 'T' | 'Z' => 0.611,
        'A' | 'B' | 'E' | 'K' | 'P' | 'S' | 'V' | 'X' | 'Y' | '&' => 0.667,
        'w' | 'C' | 'D' | 'H' | 'N' | 'R' | 'U' => 0.722,
        'G' | 'O' | 'Q' => 0.778,
        'm' | 'M' => 0.833,
        '%' => 0.889,
        'W' | '…' | '—' | '@' => 1.0,
        'a'..='z' => 0.556,
        c if c.is_ascii() => 0.584,
        // Accented letters are about as wide as their base letters; other scripts vary.
        _ => 0.6,
    }
}

/// Shortens `text` with an ellipsis so its estimated width fits `max_width`.
pub(crate) fn truncate_to_width(text: &str, size: f64, max_width: f64) -> String {
    if text_width(text, size) <= max_width {
        return text.to_owned();
    }
    let budget = max_width - text_width("…", size);
    let mut out = String::new();
    let mut used = 0.0;
    for c in text.chars() {
        let w = text_width(c.encode_utf8(&mut [0; 4]), size);
        if used + w > budget {
            break;
        }
        used += w;
        out.push(c);
    }
    let mut out = out.trim_end().trim_end_matches(',').to_owned();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_five_xml_specials() {
        assert_eq!(
            escape(r#"Tom & Jerry's <"show">"#),
            "Tom &amp; Jerry&#39;s &lt;&quot;show&quot;&gt;"
        );
    }

    #[test]
    fn escape_drops_characters_xml_forbids() {
        assert_eq!(escape("a\u{0}b\u{1b}c\u{FFFF}d\ne"), "abcd\ne");
        assert_eq!(
            escape("Bristol, City of — Ōtautahi"),
            "Bristol, City of — Ōtautahi"
        );
    }

    #[test]
    fn ids_are_sanitized() {
        assert_eq!(sanitize_id("trend-leeds"), "trend-leeds");
        assert_eq!(sanitize_id("a b\"c"), "a-b-c");
        assert_eq!(sanitize_id(""), "h2h-chart");
        assert_eq!(sanitize_id("9x"), "h2h-chart-9x");
    }

    #[test]
    fn coordinates_have_at_most_two_trimmed_decimals() {
        assert_eq!(N(1.0).to_string(), "1");
        assert_eq!(N(1.5).to_string(), "1.5");
        assert_eq!(N(1.256).to_string(), "1.26");
        assert_eq!(N(-0.001).to_string(), "0");
        assert_eq!(N(-12.3).to_string(), "-12.3");
        assert_eq!(N(f64::NAN).to_string(), "0");
        assert_eq!(N(f64::INFINITY).to_string(), "0");
        assert_eq!(N(1.0e300).to_string(), "1000000");
    }

    #[test]
    fn decimals_with_thousands_separators() {
        assert_eq!(format_decimal(12345.678, 1), "12,345.7");
        assert_eq!(format_decimal(1234567.0, 0), "1,234,567");
        assert_eq!(format_decimal(999.0, 0), "999");
        assert_eq!(format_decimal(-1000.0, 0), "-1,000");
        assert_eq!(format_decimal(-0.001, 1), "0.0");
        assert_eq!(format_decimal(0.25, 2), "0.25");
        assert_eq!(format_decimal(2.5, 0), "3");
        assert_eq!(format_decimal(1234.5, 0), "1,235");
        assert_eq!(format_decimal(-0.25, 1), "-0.3");
        assert_eq!(format_decimal(f64::NAN, 2), "n/a");
    }

    #[test]
    fn numbers_get_sensible_decimals() {
        assert_eq!(format_number(45.67), "45.7");
        assert_eq!(format_number(123.4), "123");
        assert_eq!(format_number(12345.6), "12,346");
        assert_eq!(format_number(0.01234), "0.0123");
        assert_eq!(format_number(50.0), "50");
        assert_eq!(format_number(1.2345), "1.23");
        assert_eq!(format_number(-7.25), "-7.25");
        assert_eq!(format_number(0.0), "0");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(0.000001), "0");
        assert_eq!(format_number(f64::INFINITY), "n/a");
    }

    #[test]
    fn long_labels_are_truncated_with_an_ellipsis() {
        assert_eq!(truncate_to_width("Leeds", 14.0, 200.0), "Leeds");
        let short = truncate_to_width("Bournemouth, Christchurch and Poole", 14.0, 100.0);
        assert!(short.ends_with('…'));
        assert!(text_width(&short, 14.0) <= 100.0);
    }
}
