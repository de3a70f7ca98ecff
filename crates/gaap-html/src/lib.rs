#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

/// Appends `text` to `out` with each byte that `entity` names replaced by its entity (`Some("")` leaves the
/// byte out). Only ASCII bytes are ever named, so every cut falls on a character boundary.
#[inline]
fn escape_with(out: &mut String, text: &str, entity: impl Fn(u8) -> Option<&'static str>) {
    let mut copied = 0;
    for (i, b) in text.bytes().enumerate() {
        let Some(replacement) = entity(b) else { continue };
        out.push_str(text.get(copied..i).unwrap_or_default());
        out.push_str(replacement);
        copied = i + 1;
    }
    out.push_str(text.get(copied..).unwrap_or_default());
}

/// The entity of a byte a text node cannot hold: `&`, `<` and `>`.
#[inline]
fn text_entity(b: u8) -> Option<&'static str> {
    match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        _ => None,
    }
}

/// The entity of a byte a `"`-quoted attribute cannot hold: those of [`text_entity`] and `"`.
#[inline]
fn quoted_entity(b: u8) -> Option<&'static str> {
    match b {
        b'"' => Some("&quot;"),
        b => text_entity(b),
    }
}

/// The entity of a byte an attribute quoted either way cannot hold: those of [`quoted_entity`] and `'`.
#[inline]
fn any_quote_entity(b: u8) -> Option<&'static str> {
    match b {
        b'\'' => Some("&#39;"),
        b => quoted_entity(b),
    }
}

/// As [`any_quote_entity`], with the C0 controls XML 1.0 cannot hold (all below U+0020 but tab, LF and CR)
/// left out.
#[inline]
fn xml_entity(b: u8) -> Option<&'static str> {
    match b {
        b'\t' | b'\n' | b'\r' => None,
        0..0x20 => Some(""),
        b => any_quote_entity(b),
    }
}

/// The characters to escape, by where the text goes. Each variant is a set the platforms pin (see the
/// crate's front page); none decodes entities already in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Escape {
    /// An HTML text node: `&`, `<` and `>` become `&amp;`, `&lt;` and `&gt;`, as Python's
    /// `html.escape(s, quote=False)` writes them. Quotes are kept, so this is not for attributes.
    Text,
    /// A text node or a `"`-quoted attribute value: `Text`'s and `"` (`&quot;`), as kramdown's
    /// `escape_html(s, :attribute)` writes them (`'` is kept).
    DoubleQuoted,
    /// A text node or an attribute value quoted either way: `DoubleQuoted`'s and `'` (`&#39;`).
    Html,
    /// As `Html`, leaving out the control characters XML 1.0 cannot hold (all below U+0020 but tab,
    /// newline and carriage return), so the result is well-formed XML text or attribute content as well
    /// as HTML.
    Xml,
}

impl Escape {
    /// Appends `text` to `out`, escaped.
    #[inline]
    pub fn escape_into(self, out: &mut String, text: &str) {
        // One loop per set, so each compiles with its own table inlined; `#[inline]` lets callers in other
        // crates (govspeak's renderer, the server's XML writer) inline it as they did their own escapers.
        match self {
            Escape::Text => escape_with(out, text, text_entity),
            Escape::DoubleQuoted => escape_with(out, text, quoted_entity),
            Escape::Html => escape_with(out, text, any_quote_entity),
            Escape::Xml => escape_with(out, text, xml_entity),
        }
    }

    /// `text`, escaped.
    #[inline]
    #[must_use]
    pub fn escape(self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 8);
        self.escape_into(&mut out, text);
        out
    }
}
