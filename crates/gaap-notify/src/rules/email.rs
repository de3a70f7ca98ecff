//! Email rendering: Notify's email markdown to HTML and to plain text, subjects, and the
//! 2,000,000-byte cap (notifications-utils `template.py` `HTMLEmailTemplate`,
//! `PlainTextEmailTemplate` and `markdown.py`).
//!
//! Notify renders with mistune 0.8 and its own overrides. This is a block-level reimplementation of
//! the subset Notify enables: `#` and `##` headings (deeper ones are paragraphs), `*`/`-`/`•` and
//! `1.` lists, `^` inset text, `---`/`***` rules, links and bare-URL autolinks, hard line breaks.
//! Emphasis, code, images and tables are off, as in Notify.

use serde::Serialize;
use serde_json::{Map, Value};

use super::placeholders::{self, FillOptions};
use super::text::{escape_html, normalise_whitespace, py_splitlines};

/// The most bytes an email body may have once personalised (`is_message_too_long`).
pub const EMAIL_MAX_BYTES: usize = 2_000_000;

const LINK_STYLE: &str = "word-wrap: break-word; color: #1D70B8;";
const PLAIN_COLUMN_WIDTH: usize = 65;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Block {
    Heading(u8, String),
    Paragraph(String),
    List { ordered: bool, items: Vec<String> },
    Quote(Vec<Block>),
    Rule,
}

fn list_marker(line: &str) -> Option<(bool, &str)> {
    let t = line.trim_start_matches(' ');
    if let Some(rest) = t.strip_prefix(['*', '-', '•']) {
        return Some((false, rest));
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && t[digits..].starts_with('.') {
        return Some((true, &t[digits + 1..]));
    }
    None
}

fn is_rule(line: &str) -> bool {
    let compact: String = line.chars().filter(|c| *c != ' ').collect();
    compact.len() >= 3
        && (compact.chars().all(|c| c == '-')
            || compact.chars().all(|c| c == '*')
            || compact.chars().all(|c| c == '_'))
}

fn heading(line: &str) -> Option<(u8, &str)> {
    let t = line.trim_start_matches(' ');
    let level = t.bytes().take_while(|b| *b == b'#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let text = t[level..].trim().trim_end_matches('#').trim_end();
    Some((u8::try_from(level).unwrap_or(6), text))
}

fn parse_blocks(text: &str) -> Vec<Block> {
    let lines = py_splitlines(text);
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim().is_empty() {
            i += 1;
            continue;
        }
        if is_rule(line) {
            blocks.push(Block::Rule);
            i += 1;
            continue;
        }
        if let Some((level, text)) = heading(line) {
            blocks.push(Block::Heading(level, text.to_owned()));
            i += 1;
            continue;
        }
        if line.trim_start_matches(' ').starts_with('^') {
            let mut inner = Vec::new();
            while i < lines.len() && !lines[i].trim().is_empty() {
                let l = lines[i].trim_start_matches(' ');
                let l = l.strip_prefix('^').map_or(l, |r| r.strip_prefix(' ').unwrap_or(r));
                inner.push(l);
                i += 1;
            }
            blocks.push(Block::Quote(parse_blocks(&inner.join("\n"))));
            continue;
        }
        if let Some((ordered, _)) = list_marker(line) {
            let mut items: Vec<String> = Vec::new();
            while i < lines.len() {
                let l = lines[i];
                if l.trim().is_empty() {
                    // A blank line ends the list unless the next line is another item.
                    let next = lines.get(i + 1).copied().unwrap_or("");
                    if list_marker(next).is_some() && !is_rule(next) {
                        i += 1;
                        continue;
                    }
                    break;
                }
                if is_rule(l) {
                    break;
                }
                match list_marker(l) {
                    Some((_, rest)) => items.push(rest.trim().to_owned()),
                    None => {
                        if let Some(last) = items.last_mut() {
                            last.push('\n');
                            last.push_str(l.trim());
                        }
                    }
                }
                i += 1;
            }
            blocks.push(Block::List { ordered, items });
            continue;
        }
        let mut para = Vec::new();
        while i < lines.len() && !lines[i].trim().is_empty() {
            let l = lines[i];
            if !para.is_empty()
                && (is_rule(l)
                    || heading(l).is_some()
                    || list_marker(l).is_some()
                    || l.trim_start().starts_with('^'))
            {
                break;
            }
            para.push(l.trim_end());
            i += 1;
        }
        blocks.push(Block::Paragraph(para.join("\n").trim().to_owned()));
    }
    blocks
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Html,
    Plain,
}

fn href(link: &str) -> String {
    let lower = link.to_ascii_lowercase();
    let recognised = ["ftp:", "file:", "http:", "https:", "mailto:", "tel:"]
        .iter()
        .any(|p| lower.starts_with(p));
    let link = if recognised { link.to_owned() } else { format!("http://{link}") };
    // `quote(link, safe=":/?#=&;%")`.
    let mut out = String::with_capacity(link.len());
    for b in link.bytes() {
        if b.is_ascii_alphanumeric() || b"_.-~:/?#=&;%".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A link. `title` and `text` come from the template's HTML source, where `&`, `<` and `>` are already
/// escaped; the title sits in a double-quoted attribute, so its quotes are escaped too, or a quote in it
/// would end the attribute and start others.
fn html_link(link: &str, title: Option<&str>, text: &str) -> String {
    let title =
        title.map(|t| format!(" title=\"{}\"", t.replace('"', "&quot;"))).unwrap_or_default();
    format!("<a style=\"{LINK_STYLE}\" href=\"{}\"{title}>{text}</a>", href(link))
}

fn url_end(s: &str) -> usize {
    // `https?://[^\s<]+[^<.,:"')\]\s]`
    let end = s.find(|c: char| c.is_whitespace() || c == '<').unwrap_or(s.len());
    let mut cut = &s[..end];
    while let Some(last) = cut.chars().last() {
        if matches!(last, '.' | ',' | ':' | '"' | '\'' | ')' | ']') {
            cut = &cut[..cut.len() - last.len_utf8()];
        } else {
            break;
        }
    }
    cut.len()
}

fn inline(text: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while !rest.is_empty() {
        if rest.starts_with('[')
            && let Some((consumed, rendered)) = parse_link(rest, mode)
        {
            out.push_str(&rendered);
            rest = &rest[consumed..];
            continue;
        }
        if rest.starts_with("http://") || rest.starts_with("https://") {
            let end = url_end(rest);
            if end > rest.find("://").map_or(0, |p| p + 3) {
                let url = &rest[..end];
                match mode {
                    Mode::Html => out.push_str(&html_link(url, None, url)),
                    Mode::Plain => out.push_str(url),
                }
                rest = &rest[end..];
                continue;
            }
        }
        if rest.starts_with('\n') {
            out.push_str(if mode == Mode::Html { "<br>" } else { "\n" });
            rest = &rest[1..];
            continue;
        }
        let Some(c) = rest.chars().next() else { break };
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn parse_link(s: &str, mode: Mode) -> Option<(usize, String)> {
    let close = s.find("](")?;
    let text = &s[1..close];
    if text.contains('[') || text.contains(']') {
        return None;
    }
    let after = &s[close + 2..];
    let end = after.find(')')?;
    let inside = after[..end].trim();
    let (link, title) = match inside.split_once(char::is_whitespace) {
        Some((link, title)) => {
            let title = title.trim();
            let title = title
                .strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .or_else(|| title.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')))?;
            (link, Some(title))
        }
        None => (inside, None),
    };
    let link = link.trim_start_matches('<').trim_end_matches('>');
    let rendered = match mode {
        Mode::Html => html_link(link, title, &inline(text, mode)),
        Mode::Plain => {
            let title = title.map(|t| format!(" ({t})")).unwrap_or_default();
            format!("{text}{title}: {link}")
        }
    };
    Some((close + 2 + end + 1, rendered))
}

const P_OPEN: &str =
    "<p style=\"Margin: 0 0 20px 0; font-size: 19px; line-height: 25px; color: #0B0C0C;\">";

fn render_blocks(blocks: &[Block], mode: Mode, out: &mut String) {
    for block in blocks {
        match (block, mode) {
            (Block::Heading(level @ (1 | 2), text), Mode::Html) => {
                let (tag, size, height) = if *level == 1 { ("h2", 27, 35) } else { ("h3", 19, 25) };
                out.push_str(&format!(
                    "<{tag} style=\"Margin: 0 0 15px 0; padding: 10px 0 0 0; font-size: {size}px; \
                     line-height: {height}px; font-weight: bold; color: #0B0C0C;\">{}</{tag}>",
                    inline(text, mode)
                ));
            }
            (Block::Heading(level @ (1 | 2), text), Mode::Plain) => {
                let underline = if *level == 1 { "=" } else { "-" };
                out.push_str("\n\n\n");
                out.push_str(&inline(text, mode));
                out.push('\n');
                out.push_str(&underline.repeat(PLAIN_COLUMN_WIDTH));
            }
            (Block::Heading(_, text) | Block::Paragraph(text), _) => {
                paragraph(&inline(text, mode), mode, out)
            }
            (Block::Rule, Mode::Html) => {
                out.push_str("<hr style=\"border: 0; height: 1px; background: #B1B4B6; Margin: 30px 0 30px 0;\">");
            }
            (Block::Rule, Mode::Plain) => {
                let rule: String = "=-".chars().cycle().take(PLAIN_COLUMN_WIDTH).collect();
                paragraph(&rule, mode, out);
            }
            (Block::Quote(inner), Mode::Html) => {
                out.push_str(
                    "<div style=\"Margin: 0 0 20px 0;\"><blockquote style=\"Margin: 0; border-left: 10px solid \
                     #B1B4B6;padding: 15px 0 0.1px 15px; font-size: 19px; line-height: 25px;\">",
                );
                render_blocks(inner, mode, out);
                out.push_str("</blockquote></div>");
            }
            (Block::Quote(inner), Mode::Plain) => render_blocks(inner, mode, out),
            (Block::List { ordered, items }, Mode::Html) => {
                let (tag, style) = if *ordered { ("ol", "decimal") } else { ("ul", "disc") };
                out.push_str(&format!(
                    "<table role=\"presentation\" style=\"padding: 0 0 20px 0;\"><tr><td style=\"font-family: \
                     Helvetica, Arial, sans-serif;\"><{tag} style=\"Margin: 0 0 0 20px; padding: 0; \
                     list-style-type: {style};\">"
                ));
                for item in items {
                    out.push_str(
                        "<li style=\"Margin: 5px 0 5px; padding: 0 0 0 5px; font-size: 19px;line-height: 25px; \
                         color: #0B0C0C;\">",
                    );
                    out.push_str(inline(item, mode).trim());
                    out.push_str("</li>");
                }
                out.push_str(&format!("</{tag}></td></tr></table>"));
            }
            (Block::List { ordered, items }, Mode::Plain) => {
                out.push('\n');
                for (n, item) in items.iter().enumerate() {
                    out.push('\n');
                    if *ordered {
                        out.push_str(&format!("{}.", n + 1));
                    } else {
                        out.push('•');
                    }
                    out.push(' ');
                    out.push_str(inline(item, mode).trim());
                }
            }
        }
    }
}

fn paragraph(text: &str, mode: Mode, out: &mut String) {
    if text.trim().is_empty() {
        return;
    }
    match mode {
        Mode::Html => {
            out.push_str(P_OPEN);
            out.push_str(text);
            out.push_str("</p>");
        }
        Mode::Plain => {
            out.push_str("\n\n");
            out.push_str(text);
        }
    }
}

/// `unlink_govuk_escaped`: a zero-width space after `GOV.` stops `GOV.UK` becoming a link.
fn unlink_govuk(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        let at_boundary = i == 0 || text[..i].chars().last().is_some_and(char::is_whitespace);
        let lead = if at_boundary && matches!(bytes[i], b'#' | b'*' | b'^') { 1 } else { 0 };
        let candidate = text.get(i + lead..i + lead + 6);
        if at_boundary && candidate.is_some_and(|c| c.eq_ignore_ascii_case("gov.uk")) {
            let next = text.get(i + lead + 6..).and_then(|r| r.chars().next());
            if !matches!(next, Some('/' | '?' | '#')) {
                let c = &text[i..i + lead + 6];
                out.push_str(&c[..lead + 4]);
                out.push('\u{200b}');
                out.push_str(&c[lead + 4..]);
                i += lead + 6;
                continue;
            }
        }
        let Some(ch) = text[i..].chars().next() else { break };
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// Notify's typography pass: whitespace before `,`/`.` removed, straight quotes made curly
/// (outside HTML tags, not inside email addresses) and spaced hyphens turned into en dashes.
#[must_use]
pub fn nice_typography(value: &str) -> String {
    let value = super::text::remove_whitespace_before_punctuation(value);
    let quoted = smart_quotes(&value);
    let fixed = fix_email_quotes(&quoted);
    en_dashes(&fixed)
}

fn smart_quotes(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut in_tag = false;
    let mut prev: Option<char> = None;
    for c in value.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ => {}
        }
        if !in_tag && (c == '\'' || c == '"') {
            let opening =
                prev.is_none_or(|p| p.is_whitespace() || matches!(p, '(' | '[' | '{' | '-' | '>'));
            out.push(match (c, opening) {
                ('\'', true) => '‘',
                ('\'', false) => '’',
                ('"', true) => '“',
                _ => '”',
            });
        } else {
            out.push(c);
        }
        prev = Some(c);
    }
    out
}

fn fix_email_quotes(value: &str) -> String {
    // `remove_smart_quotes_from_email_addresses`: inside any whitespace-delimited token with an
    // `@`, curly single quotes go back to `'`.
    let mut out = String::with_capacity(value.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        if token.contains('@') {
            out.push_str(&token.replace(['‘', '’'], "'"));
        } else {
            out.push_str(token);
        }
        token.clear();
    };
    for c in value.chars() {
        if c.is_whitespace() {
            flush(&mut token, &mut out);
            out.push(c);
        } else {
            token.push(c);
        }
    }
    flush(&mut token, &mut out);
    out
}

fn en_dashes(value: &str) -> String {
    // `(?<!\s)\s+[-–—]{1,3}\s+` → ` – `
    let chars: Vec<char> = value.chars().collect();
    let mut out = String::with_capacity(value.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() && i > 0 && !chars[i - 1].is_whitespace() {
            let mut j = i;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            let dash_start = j;
            while j < chars.len() && j - dash_start < 3 && matches!(chars[j], '-' | '–' | '—') {
                j += 1;
            }
            let dashes = j - dash_start;
            let space_start = j;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            if dashes > 0 && j > space_start {
                out.push_str(" \u{2013} ");
                i = j;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// A rendered email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenderedEmail {
    /// The subject as sent: placeholders filled, typography applied, whitespace normalised.
    pub subject: String,
    /// The HTML body (`HTMLEmailTemplate`'s content, without the surrounding layout).
    pub html: String,
    /// The plain-text body (`PlainTextEmailTemplate`).
    pub plain_text: String,
    /// `content_with_placeholders_filled_in`: the personalised markdown source.
    pub content: String,
    /// UTF-8 bytes of `content`.
    pub size_in_bytes: usize,
    /// More than [`EMAIL_MAX_BYTES`].
    pub too_long: bool,
    /// Placeholders (subject first, then body) with no value, in first-seen order.
    pub missing: Vec<String>,
}

impl RenderedEmail {
    /// The API's error for an over-long email.
    #[must_use]
    pub fn too_long_message(&self) -> String {
        format!(
            "Your message is too long. Emails cannot be longer than {EMAIL_MAX_BYTES} bytes. \
             Your message is {} bytes.",
            self.size_in_bytes
        )
    }
}

/// Renders an email template with personalisation.
///
/// ```
/// use gaap_notify::rules::email::render_email;
/// let values = serde_json::json!({"name": "Ann", "items": ["one", "two"]});
/// let email = render_email("Hello ((name))", "# Dear ((name))\n\nYou have:((items))", values.as_object().unwrap());
/// assert_eq!(email.subject, "Hello Ann");
/// assert!(email.html.starts_with("<h2 "));
/// assert!(email.plain_text.contains("• one\n• two"));
/// assert!(email.missing.is_empty());
/// ```
#[must_use]
pub fn render_email(subject: &str, body: &str, values: &Map<String, Value>) -> RenderedEmail {
    let content = py_strip_owned(&placeholders::fill(
        body,
        values,
        FillOptions { markdown_lists: true, escape_html: false },
    ));
    let html_source =
        placeholders::fill(body, values, FillOptions { markdown_lists: true, escape_html: true });
    let html_source = unlink_govuk(&html_source).replace(['\u{2028}', '\u{3164}'], "");
    let mut html = String::new();
    render_blocks(&parse_blocks(&html_source), Mode::Html, &mut html);
    let html = nice_typography(&html);

    let plain_source =
        unlink_govuk(&content_source(body, values)).replace(['\u{2028}', '\u{3164}'], "");
    let mut plain = String::new();
    render_blocks(&parse_blocks(&plain_source), Mode::Plain, &mut plain);
    let mut plain_text = nice_typography(&plain).trim_start().to_owned();
    plain_text.push('\n');

    let missing = placeholders::missing(&placeholders::placeholder_names([subject, body]), values);
    let subject_filled = placeholders::fill(subject, values, FillOptions::default());
    let size_in_bytes = content.len();
    RenderedEmail {
        subject: normalise_whitespace(&nice_typography(&subject_filled)),
        html,
        plain_text,
        too_long: size_in_bytes > EMAIL_MAX_BYTES,
        size_in_bytes,
        content,
        missing,
    }
}

fn content_source(body: &str, values: &Map<String, Value>) -> String {
    placeholders::fill(body, values, FillOptions { markdown_lists: true, escape_html: false })
}

fn py_strip_owned(s: &str) -> String {
    super::text::py_strip(s).to_owned()
}

/// Escapes text for HTML the way Notify's field does (`&`, `<`, `>`).
#[must_use]
pub fn escape(value: &str) -> String {
    escape_html(value)
}
