//! Integration tests for gaap-html: each function's set of characters, and property tests that the output
//! holds no markup character and decodes back to the input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use gaap_html::Escape;
use proptest::prelude::*;

/// Decodes the five entities this crate writes, and fails on any other `&`.
fn decode(escaped: &str) -> Result<String, String> {
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        let (c, len) =
            [("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>'), ("&quot;", '"'), ("&#39;", '\'')]
                .iter()
                .find(|(entity, _)| tail.starts_with(entity))
                .map(|(entity, c)| (*c, entity.len()))
                .ok_or_else(|| format!("a bare `&` at {amp} in {escaped:?}"))?;
        out.push(c);
        rest = &tail[len..];
    }
    out.push_str(rest);
    Ok(out)
}

fn escape_text(text: &str) -> String {
    Escape::Text.escape(text)
}

fn quoted(text: &str) -> String {
    Escape::DoubleQuoted.escape(text)
}

fn escape(text: &str) -> String {
    Escape::Html.escape(text)
}

fn escape_xml(text: &str) -> String {
    Escape::Xml.escape(text)
}

#[test]
fn text_escapes_ampersand_and_angle_brackets_only() {
    assert_eq!(
        escape_text("<script>alert('foo') & \"x\"</script>"),
        "&lt;script&gt;alert('foo') &amp; \"x\"&lt;/script&gt;"
    );
}

#[test]
fn quoted_adds_the_double_quote() {
    assert_eq!(quoted("a\"b'c<&>"), "a&quot;b'c&lt;&amp;&gt;");
}

#[test]
fn escape_adds_the_single_quote_as_a_decimal_reference() {
    assert_eq!(
        escape("<a href=\"x\">Tom & Jerry's</a>"),
        "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
    );
}

#[test]
fn xml_leaves_out_the_controls_xml_cannot_hold() {
    assert_eq!(escape_xml("a\u{0}b\tc\u{1b}"), "ab\tc");
    assert_eq!(escape_xml("\r\n\u{7f}\u{85}"), "\r\n\u{7f}\u{85}");
    assert_eq!(escape_xml("M&S <SHOP>"), "M&amp;S &lt;SHOP&gt;");
    // HTML keeps the controls.
    assert_eq!(escape("a\u{0}b"), "a\u{0}b");
}

// Moved from gaap-server's `markup.rs`, whose escaper this is.
#[test]
fn escapes_markup_and_drops_what_xml_cannot_hold() {
    assert_eq!(
        escape_xml("<a href=\"x\">Tom & Jerry's</a>"),
        "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
    );
    assert_eq!(escape_xml("a\u{0}b\tc\u{1b}"), "ab\tc");
}

#[test]
fn into_appends_after_what_is_there() {
    let mut out = String::from("<p>");
    Escape::Text.escape_into(&mut out, "1 < 2");
    Escape::Html.escape_into(&mut out, "'");
    Escape::Xml.escape_into(&mut out, "\u{1}&");
    Escape::DoubleQuoted.escape_into(&mut out, "\"'");
    assert_eq!(out, "<p>1 &lt; 2&#39;&amp;&quot;'");
}

#[test]
fn non_ascii_text_is_copied_as_it_is() {
    let welsh = "Caerdydd ŵ ŷ — 🏴󠁧󠁢󠁷󠁬󠁳󠁿 & “quotes”";
    assert_eq!(escape(welsh), welsh.replace('&', "&amp;"));
    assert_eq!(escape(""), "");
}

proptest! {
    #[test]
    fn every_function_decodes_back_to_its_input(input in "\\PC{0,60}|[&<>\"'a\\x00-\\x1f]{0,30}") {
        prop_assert_eq!(decode(&escape_text(&input)).unwrap(), input.as_str());
        prop_assert_eq!(decode(&quoted(&input)).unwrap(), input.as_str());
        prop_assert_eq!(decode(&escape(&input)).unwrap(), input.as_str());
        let kept: String =
            input.chars().filter(|&c| c >= ' ' || matches!(c, '\t' | '\n' | '\r')).collect();
        prop_assert_eq!(decode(&escape_xml(&input)).unwrap(), kept);
    }

    #[test]
    fn no_markup_character_survives_its_function(input in "\\PC{0,60}|[&<>\"'a\\x00-\\x1f]{0,30}") {
        let text = escape_text(&input);
        prop_assert!(!text.contains(['<', '>']), "{}", text);
        let quoted = quoted(&input);
        prop_assert!(!quoted.contains(['<', '>', '"']), "{}", quoted);
        let any = escape(&input);
        prop_assert!(!any.contains(['<', '>', '"', '\'']), "{}", any);
        let xml = escape_xml(&input);
        prop_assert!(!xml.contains(['<', '>', '"', '\'']), "{}", xml);
        prop_assert!(
            xml.chars().all(|c| c >= ' ' || matches!(c, '\t' | '\n' | '\r')),
            "{:?}", xml
        );
    }

    #[test]
    fn the_sets_nest(input in "[&<>\"'a\\x00 ]{0,30}") {
        // Text without quotes escapes the same in the three HTML functions.
        let unquoted: String = input.chars().filter(|c| !matches!(c, '"' | '\'')).collect();
        prop_assert_eq!(escape_text(&unquoted), escape(&unquoted));
        prop_assert_eq!(quoted(&unquoted), escape(&unquoted));
        // Without controls, XML escapes as `escape` does.
        let printable: String = input.chars().filter(|&c| c >= ' ').collect();
        prop_assert_eq!(escape_xml(&printable), escape(&printable));
    }
}
