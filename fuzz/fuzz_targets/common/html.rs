//! The property every sanitised HTML output must hold: no script, no `on*` event attribute and no
//! `javascript:` (or `vbscript:`/`data:`) URL, however the input was written.

/// Panics with the offending fragment when `html` could run script in a browser.
pub fn assert_inert(html: &str, input: &str) {
    let lower = html.to_ascii_lowercase();
    for bad in
        ["<script", "<iframe", "<object", "<embed", "<svg", "<math", "<style", "<base", "<form"]
    {
        assert!(!lower.contains(bad), "{bad} in the output of {input:?}:\n{html}");
    }
    // Every tag's attributes: no event handler, no script URL.
    let bytes = lower.as_bytes();
    let mut i = 0;
    while let Some(start) = lower[i..].find('<').map(|p| p + i) {
        let end = lower[start..].find('>').map_or(lower.len(), |p| p + start);
        let tag = &lower[start..end];
        check_tag(tag, html, input);
        i = end.max(start + 1);
        if i >= bytes.len() {
            break;
        }
    }
}

fn check_tag(tag: &str, html: &str, input: &str) {
    // `tag` starts at `<`: skip the element name, then read each attribute as a browser does, so that text inside
    // a quoted value is never taken for an attribute.
    let b = tag.as_bytes();
    let mut i = 1;
    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'/' {
        i += 1;
    }
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return;
        }
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'/' {
            i += 1;
        }
        let name = &tag[name_start..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = "";
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let quote = b[i];
                let value_start = i + 1;
                i = value_start;
                while i < b.len() && b[i] != quote {
                    i += 1;
                }
                value = &tag[value_start..i];
                i += 1;
            } else {
                let value_start = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = &tag[value_start..i];
            }
        }
        assert!(
            !(name.len() > 2 && name.starts_with("on")),
            "event attribute {name:?} in {tag:?} from {input:?}:\n{html}"
        );
        if matches!(
            name,
            "href" | "src" | "action" | "formaction" | "xlink:href" | "srcset" | "cite"
        ) {
            let decoded = decode(value);
            let squashed: String =
                decoded.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
            for scheme in ["javascript:", "vbscript:", "data:"] {
                assert!(
                    !squashed.starts_with(scheme),
                    "{scheme} URL in {tag:?} from {input:?}:\n{html}"
                );
            }
        }
    }
}

/// Decodes the character references a browser would decode in an attribute value, enough to see a scheme.
fn decode(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(c) = rest.chars().next() {
        if c == '"' || c == '\'' || c == '>' {
            break;
        }
        if c == '&' {
            let body = &rest[1..];
            let end = body
                .find(|ch: char| !ch.is_ascii_alphanumeric() && ch != '#')
                .unwrap_or(body.len());
            let name = &body[..end];
            let decoded =
                if let Some(num) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                    u32::from_str_radix(num, 16).ok().and_then(char::from_u32)
                } else if let Some(num) = name.strip_prefix('#') {
                    num.parse::<u32>().ok().and_then(char::from_u32)
                } else {
                    match name {
                        "colon" => Some(':'),
                        "tab" => Some('\t'),
                        "newline" => Some('\n'),
                        _ => None,
                    }
                };
            if let Some(d) = decoded {
                out.push(d);
                let skip = 1 + end + usize::from(body[end..].starts_with(';'));
                rest = &rest[skip..];
                continue;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}
