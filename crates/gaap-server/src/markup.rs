//! The server's escaping, for its pages, the finder and OS Places' XML alike: gaap-html's XML set, which is
//! also safe HTML.

/// `text` escaped for a text node or a quoted attribute value, with the control characters XML 1.0 cannot
/// hold left out.
pub(crate) fn escape(text: &str) -> String {
    gaap_html::Escape::Xml.escape(text)
}
