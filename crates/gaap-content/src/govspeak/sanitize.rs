//! An allow-list HTML sanitiser for raw HTML found in govspeak source.
//!
//! Elements outside the allow-list lose their tags (their text stays, escaped); `script`, `style` and other
//! executable or embedding elements lose their content too. Attributes are allow-listed: no `on*`, no
//! `style`, and URL attributes keep only `http`, `https`, `mailto`, `tel`, relative and fragment URLs.

use gaap_html::Escape;

/// Elements kept (govspeak's `Sanitize::Config::RELAXED` minus `style`, plus `svg`/`path`).
const ALLOWED_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "article",
    "aside",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "main",
    "mark",
    "nav",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "section",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
];

/// Elements dropped with everything inside them.
const DROP_WITH_CONTENT: &[&str] = &[
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "noscript",
    "template",
    "textarea",
    "xmp",
    "noembed",
    "noframes",
    "plaintext",
    "title",
    "frameset",
    "frame",
    "applet",
    "math",
    "svg",
    "select",
    "option",
    "form",
];

const VOID_ELEMENTS: &[&str] = &["br", "col", "hr", "img", "wbr"];

/// Attributes kept on every allowed element.
const GLOBAL_ATTRIBUTES: &[&str] =
    &["class", "id", "title", "lang", "dir", "role", "aria-label", "aria-hidden"];

fn element_attribute_allowed(element: &str, attribute: &str) -> bool {
    GLOBAL_ATTRIBUTES.contains(&attribute)
        || (attribute.starts_with("data-")
            && attribute.len() > 5
            && attribute.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
        || match element {
            "a" => matches!(attribute, "href" | "rel" | "hreflang" | "name" | "draggable"),
            "img" => matches!(attribute, "src" | "alt" | "width" | "height"),
            "td" | "th" => matches!(attribute, "colspan" | "rowspan" | "scope"),
            "col" | "colgroup" => matches!(attribute, "span" | "width"),
            "ol" => matches!(attribute, "start" | "reversed" | "type"),
            "li" | "data" => attribute == "value",
            "abbr" | "dfn" => attribute == "title",
            "blockquote" | "q" => attribute == "cite",
            "del" | "ins" => matches!(attribute, "cite" | "datetime"),
            "time" => attribute == "datetime",
            _ => false,
        }
}

/// Whether a URL is safe in `href`/`src`/`cite`: relative, fragment, or http(s)/mailto/tel.
pub(crate) fn is_safe_url(url: &str) -> bool {
    // Browsers ignore ASCII whitespace and control characters inside a scheme, so strip them before looking.
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .take(32)
        .collect::<String>()
        .to_ascii_lowercase();
    match cleaned.find(':') {
        None => true,
        Some(colon) => {
            let before = &cleaned[..colon];
            // A colon after a path, query or fragment delimiter is not a scheme.
            if before.contains(['/', '?', '#']) {
                return true;
            }
            matches!(before, "http" | "https" | "mailto" | "tel")
        }
    }
}

/// Finds `needle` in `haystack` by scanning for its first byte (memchr) and comparing: cheaper than a
/// substring searcher for the short, rare markers govspeak uses.
pub(crate) fn find_marker(haystack: &str, needle: &str) -> Option<usize> {
    let first = *needle.as_bytes().first()?;
    let bytes = haystack.as_bytes();
    let mut from = 0;
    while let Some(offset) = bytes.get(from..)?.iter().position(|&b| b == first) {
        let at = from + offset;
        if bytes.get(at..)?.starts_with(needle.as_bytes()) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Decodes the few entities that can hide a scheme (`&#106;avascript:`) before URL checks.
fn decode_entities(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        let end = tail.find(';').filter(|&e| e <= 12);
        let decoded = end.and_then(|e| {
            let name = &tail[1..e];
            let ch = if let Some(num) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X"))
            {
                u32::from_str_radix(num, 16).ok().and_then(char::from_u32)
            } else if let Some(num) = name.strip_prefix('#') {
                num.parse().ok().and_then(char::from_u32)
            } else {
                match name {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "colon" => Some(':'),
                    "tab" => Some('\t'),
                    "newline" => Some('\n'),
                    _ => None,
                }
            };
            ch.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Sanitises raw HTML fragments one after another, keeping state (an open `<script>` swallows what follows
/// until it closes).
#[derive(Debug, Default)]
pub(crate) struct Sanitizer {
    dropping: Option<String>,
    /// Whether anything was removed or rewritten (govspeak's `valid?` is "sanitising changed nothing").
    pub(crate) changed: bool,
}

impl Sanitizer {
    /// Whether text outside raw HTML should be dropped (inside a dropped element).
    pub(crate) fn is_dropping(&self) -> bool {
        self.dropping.is_some()
    }

    /// Sanitises one fragment of raw HTML into `out`.
    pub(crate) fn push_html(&mut self, out: &mut String, html: &str) {
        let mut rest = html;
        while !rest.is_empty() {
            if let Some(element) = self.dropping.clone() {
                let closing = format!("</{element}");
                match find_ascii_case_insensitive(rest, &closing) {
                    Some(at) => {
                        let after = &rest[at..];
                        let end = after.find('>').map_or(after.len(), |e| e + 1);
                        rest = &after[end..];
                        self.dropping = None;
                    }
                    None => return,
                }
                continue;
            }
            let Some(lt) = rest.find('<') else {
                self.push_text(out, rest);
                return;
            };
            self.push_text(out, &rest[..lt]);
            rest = &rest[lt..];
            if let Some(after) = rest.strip_prefix("<!--") {
                self.changed = true;
                rest = after.find("-->").map_or("", |e| &after[e + 3..]);
                continue;
            }
            if rest.starts_with("<!") || rest.starts_with("<?") {
                self.changed = true;
                rest = rest.find('>').map_or("", |e| &rest[e + 1..]);
                continue;
            }
            match parse_tag(rest) {
                Some((tag, len)) => {
                    self.push_tag(out, &tag);
                    rest = &rest[len..];
                }
                None => {
                    out.push_str("&lt;");
                    rest = &rest[1..];
                }
            }
        }
    }

    fn push_text(&mut self, out: &mut String, text: &str) {
        // Raw text may hold entities; keep `&` of a well-formed entity, escape the rest.
        let mut rest = text;
        while let Some(i) = rest.find(['&', '<', '>', '"']) {
            out.push_str(&rest[..i]);
            let tail = &rest[i..];
            if tail.starts_with('&') {
                let entity = tail.find(';').filter(|&e| {
                    e > 1
                        && e <= 12
                        && tail[1..e].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'#')
                });
                match entity {
                    Some(e) => {
                        out.push_str(&tail[..=e]);
                        rest = &tail[e + 1..];
                        continue;
                    }
                    None => out.push_str("&amp;"),
                }
            } else {
                Escape::DoubleQuoted.escape_into(out, &tail[..1]);
            }
            rest = &tail[1..];
        }
        out.push_str(rest);
    }

    fn push_tag(&mut self, out: &mut String, tag: &Tag) {
        let name = tag.name.as_str();
        if DROP_WITH_CONTENT.contains(&name) {
            self.changed = true;
            if !tag.closing && !tag.self_closing {
                self.dropping = Some(tag.name.clone());
            }
            return;
        }
        if !ALLOWED_ELEMENTS.contains(&name) {
            self.changed = true;
            return;
        }
        if tag.closing {
            if !VOID_ELEMENTS.contains(&name) {
                out.push_str("</");
                out.push_str(name);
                out.push('>');
            }
            return;
        }
        out.push('<');
        out.push_str(name);
        for (attr, value) in &tag.attributes {
            if attr == "markdown" {
                continue;
            }
            if !element_attribute_allowed(name, attr) {
                self.changed = true;
                continue;
            }
            let value = value.as_deref().unwrap_or_default();
            if matches!(attr.as_str(), "href" | "src" | "cite")
                && !is_safe_url(&decode_entities(value))
            {
                self.changed = true;
                continue;
            }
            out.push(' ');
            out.push_str(attr);
            out.push_str("=\"");
            Escape::DoubleQuoted.escape_into(out, &decode_entities(value));
            out.push('"');
        }
        out.push('>');
    }
}

fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    if n.len() > h.len() {
        return None;
    }
    (0..=h.len() - n.len()).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

struct Tag {
    name: String,
    closing: bool,
    self_closing: bool,
    attributes: Vec<(String, Option<String>)>,
}

/// Parses `<name attr=value …>` or `</name>` at the start of `input`; returns the tag and its length.
fn parse_tag(input: &str) -> Option<(Tag, usize)> {
    let bytes = input.as_bytes();
    let mut i = 1;
    let closing = bytes.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let name_start = i;
    while bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'-') {
        i += 1;
    }
    if i == name_start || !bytes[name_start].is_ascii_alphabetic() {
        return None;
    }
    let name = input[name_start..i].to_ascii_lowercase();
    let mut attributes = Vec::new();
    let mut self_closing = false;
    loop {
        while bytes.get(i).is_some_and(|b| b.is_ascii_whitespace() || *b == b'/') {
            if bytes[i] == b'/' {
                self_closing = true;
            }
            i += 1;
        }
        match bytes.get(i) {
            None => return None,
            Some(b'>') => return Some((Tag { name, closing, self_closing, attributes }, i + 1)),
            Some(_) => {}
        }
        self_closing = false;
        let attr_start = i;
        while bytes
            .get(i)
            .is_some_and(|b| !b.is_ascii_whitespace() && !matches!(b, b'=' | b'>' | b'/'))
        {
            i += 1;
        }
        let attr = input[attr_start..i].to_ascii_lowercase();
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let mut value = None;
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let start = i + 1;
                    let end = input[start..].find(q as char)? + start;
                    value = Some(input[start..end].to_owned());
                    i = end + 1;
                }
                Some(_) => {
                    let start = i;
                    while bytes.get(i).is_some_and(|b| !b.is_ascii_whitespace() && *b != b'>') {
                        i += 1;
                    }
                    value = Some(input[start..i].to_owned());
                }
                None => return None,
            }
        }
        if !attr.is_empty() {
            attributes.push((attr, value));
        }
    }
}
