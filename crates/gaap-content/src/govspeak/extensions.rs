//! Govspeak's extensions, matched as the gem's regular expressions match them (`lib/govspeak.rb`), in the
//! gem's declaration order.

use gaap_html::Escape;

use super::markdown::DocState;
use super::sanitize::{find_marker, is_safe_url};
use super::{Mode, Renderer};

/// A `surrounded_by` marker: `open` at a line start, then the body up to the closing marker.
/// The gem builds the closing pattern as `Regexp.escape(open) + "?"`, so only the marker's last character is
/// optional: `^ text` needs no closing `^`, `$CTA … $CT` closes a call to action, and `$C … $` a contact.
struct Marker {
    open: &'static str,
}

impl Marker {
    fn close_required(&self) -> &'static str {
        let last = self.open.char_indices().last().map_or(0, |(i, _)| i);
        &self.open[..last]
    }

    fn close_optional(&self) -> char {
        self.open.chars().last().unwrap_or(' ')
    }
}

fn at_line_start(source: &str, at: usize) -> bool {
    at == 0 || source[..at].ends_with(['\n', '\r'])
}

/// Length of `[ ]*` then end of line (consuming one `\n`), if that is what follows.
fn end_of_line(rest: &str) -> Option<usize> {
    let spaces = rest.len() - rest.trim_start_matches(' ').len();
    let after = &rest[spaces..];
    if after.is_empty() {
        Some(spaces)
    } else if after.starts_with('\n') || after.starts_with('\r') {
        Some(spaces + 1)
    } else {
        None
    }
}

/// Finds the next `surrounded_by` match at or after `from`: (start, body start, body end, end).
fn find_surrounded(
    source: &str,
    marker: &Marker,
    mut from: usize,
) -> Option<(usize, usize, usize, usize)> {
    let required = marker.close_required();
    let optional = marker.close_optional();
    let first = marker.open.chars().next()?;
    while let Some(found) = source[from..].find(first) {
        let start = from + found;
        from = start + first.len_utf8();
        if !source[start..].starts_with(marker.open) || !at_line_start(source, start) {
            continue;
        }
        let body_start = start + marker.open.len();
        if required.is_empty() {
            // A one-character marker closes at the end of its line: `body [marker] *` then newline or end.
            let line_end =
                source[body_start..].find(['\n', '\r']).map_or(source.len(), |e| body_start + e);
            let line = &source[body_start..line_end];
            let content = line.trim_end_matches(' ');
            let body_end = body_start + content.strip_suffix(optional).unwrap_or(content).len();
            let end = if line_end < source.len() { line_end + 1 } else { line_end };
            return Some((start, body_start, body_end, end));
        }
        // Otherwise the body runs (across lines) to the first `required [optional] *` before a line end.
        let close_first = required.chars().next()?;
        let mut p = body_start;
        while let Some(found) = source[p..].find(close_first) {
            let at = p + found;
            let rest = &source[at..];
            if let Some(after_required) = rest.strip_prefix(required) {
                let after = after_required.strip_prefix(optional).unwrap_or(after_required);
                if let Some(eol) = end_of_line(after) {
                    let end = at + (rest.len() - after.len()) + eol;
                    return Some((start, body_start, at, end));
                }
            }
            p = at + close_first.len_utf8();
        }
    }
    None
}

impl Renderer<'_> {
    /// Applies every extension, leaving placeholders for markdown to carry.
    pub(crate) fn apply_extensions(&mut self, source: &str, state: &mut DocState) -> String {
        let mut s = source.to_owned();
        // Each pass is skipped outright when its marker character is absent (the common case in nested bodies).
        if s.contains('{') {
            s = self.buttons(&s);
            s = self.between(
                &s,
                "{::highlight-answer}",
                "{:/highlight-answer}",
                "highlight-answer",
                state,
            );
            s = self.between(&s, "{stat-headline}", "{/stat-headline}", "stat-headline", state);
        }
        if find_marker(&s, "x[").is_some() {
            s = self.external_links(&s, state);
        }
        if s.contains('^') {
            s = self.info_callouts(&s, state);
        }
        if s.contains('%') {
            s = self.warning_callouts(&s, state);
        }
        if find_marker(&s, "[embed:attachments:").is_some() {
            s = self.remove_embeds(&s, "[embed:attachments:inline:");
            s = self.remove_embeds(&s, "[embed:attachments:image:");
        }
        if s.contains('$') {
            s = self.dollar_blocks(&s, state);
        }
        if has_step_marker(&s) {
            s = self.steps(&s, state);
        }
        if s.contains(':') {
            for region in
                ["scotland", "england", "england-wales", "northern-ireland", "wales", "london"]
            {
                s = self.devolved(&s, region, state);
            }
        }
        if s.contains('[') {
            for embed in
                ["[embed:link:", "[Contact:", "[Image:", "[Attachment:", "[AttachmentLink:"]
            {
                s = self.remove_embeds(&s, embed);
            }
        }
        s
    }

    fn info_callouts(&mut self, s: &str, state: &mut DocState) -> String {
        self.surrounded(s, "^", state, |r, body, st| {
            let inner = r.document(body.trim(), st);
            if r.options.mode == Mode::Frontend {
                format!("<div class=\"govuk-inset-text\">\n{inner}</div>\n")
            } else {
                format!(
                    "<div role=\"note\" aria-label=\"Information\" class=\"application-notice info-notice\">\n{inner}</div>\n"
                )
            }
        })
    }

    fn warning_callouts(&mut self, s: &str, state: &mut DocState) -> String {
        self.surrounded(s, "%", state, |r, body, st| {
            let inner = r.document(body.trim(), st);
            if r.options.mode == Mode::Frontend {
                let text = strip_paragraphs(&inner);
                format!(
                    "<div class=\"govuk-warning-text\">\n<span class=\"govuk-warning-text__icon\" aria-hidden=\"true\">!</span>\n<strong class=\"govuk-warning-text__text\"><span class=\"govuk-visually-hidden\">Warning</span> {text}</strong>\n</div>\n"
                )
            } else {
                format!(
                    "<div role=\"note\" aria-label=\"Warning\" class=\"application-notice help-notice\">\n{inner}</div>\n"
                )
            }
        })
    }

    fn dollar_blocks(&mut self, source: &str, state: &mut DocState) -> String {
        let mut s = source.to_owned();
        for (open, class) in [
            ("$CTA", "call-to-action"),
            ("$!", "summary"),
            ("$D", "form-download"),
            ("$C", "contact"),
            ("$P", "place"),
            ("$I", "information"),
            ("$AI", "additional-information"),
            ("$E", "example"),
        ] {
            s = self.surrounded(&s, open, state, |r, body, st| {
                let inner = r.document(body.trim(), st);
                if r.options.mode == Mode::Frontend {
                    format!("<div class=\"govuk-inset-text {class}\">\n{inner}</div>\n")
                } else {
                    format!("<div class=\"{class}\">\n{inner}</div>\n")
                }
            });
        }
        self.surrounded(&s, "$A", state, |r, body, st| r.address(body, st))
    }

    fn surrounded(
        &mut self,
        source: &str,
        open: &'static str,
        state: &mut DocState,
        mut render: impl FnMut(&mut Self, &str, &mut DocState) -> String,
    ) -> String {
        let marker = Marker { open };
        let mut out = String::with_capacity(source.len());
        let mut cursor = 0;
        while let Some((start, body_start, body_end, end)) =
            find_surrounded(source, &marker, cursor)
        {
            out.push_str(&source[cursor..start]);
            let html = render(self, &source[body_start..body_end], state);
            out.push_str(&self.placeholder(html, true));
            cursor = end;
        }
        out.push_str(&source[cursor..]);
        out
    }

    fn between(
        &mut self,
        source: &str,
        open: &str,
        close: &str,
        class: &str,
        state: &mut DocState,
    ) -> String {
        let mut out = String::with_capacity(source.len());
        let mut rest = source;
        while let Some(start) = find_marker(rest, open) {
            let after = &rest[start + open.len()..];
            let Some(len) = find_marker(after, close) else { break };
            out.push_str(&rest[..start]);
            let inner = self.document(after[..len].trim(), state);
            let class = if self.options.mode == Mode::Frontend {
                format!("govuk-inset-text {class}")
            } else {
                class.to_owned()
            };
            let html = format!("<div class=\"{class}\">\n{inner}</div>\n");
            out.push_str(&self.placeholder(html, true));
            rest = &after[len + close.len()..];
        }
        out.push_str(rest);
        out
    }

    /// `{button start cross-domain-tracking:UA-1}[Text](href){/button}` at a line start.
    fn buttons(&mut self, source: &str) -> String {
        let mut out = String::with_capacity(source.len());
        let mut cursor = 0;
        let mut from = 0;
        while let Some(found) = find_marker(&source[from..], "{button") {
            let start = from + found;
            from = start + 7;
            if !at_line_start(source, start) {
                continue;
            }
            let Some(parsed) = parse_button(&source[start..]) else { continue };
            out.push_str(&source[cursor..start]);
            let html = self.button_html(&parsed);
            out.push_str("\n\n");
            out.push_str(&self.placeholder(html, false));
            out.push_str("\n\n");
            cursor = start + parsed.len;
            from = cursor;
        }
        out.push_str(&source[cursor..]);
        out
    }

    fn button_html(&self, button: &Button<'_>) -> String {
        let mut html = String::from("<a class=\"");
        if self.options.mode == Mode::Compat {
            html.push_str("gem-c-button ");
        }
        html.push_str("govuk-button");
        if button.start {
            html.push_str(" govuk-button--start");
        }
        html.push_str("\" role=\"button\" data-module=\"govuk-button");
        if button.tracking.is_some() {
            html.push_str(" cross-domain-tracking");
        }
        html.push_str("\" draggable=\"false\"");
        if let Some(code) = button.tracking {
            html.push_str(" data-tracking-code=\"");
            Escape::DoubleQuoted.escape_into(&mut html, code);
            html.push_str("\" data-tracking-name=\"govspeakButtonTracker\"");
        }
        if is_safe_url(button.href) {
            html.push_str(" href=\"");
            Escape::DoubleQuoted.escape_into(&mut html, button.href);
            html.push('"');
        }
        html.push('>');
        Escape::DoubleQuoted.escape_into(&mut html, button.text);
        html.push_str("</a>");
        html
    }

    /// `x[text](url)x` at a line start: a paragraph holding an external link.
    fn external_links(&mut self, source: &str, state: &mut DocState) -> String {
        let marker = Marker { open: "x[" };
        let mut out = String::with_capacity(source.len());
        let mut cursor = 0;
        let mut from = 0;
        while let Some(found) = find_marker(&source[from..], "x[") {
            let start = from + found;
            from = start + 2;
            if !at_line_start(source, start) {
                continue;
            }
            let body_start = start + marker.open.len();
            let Some(close) = find_marker(&source[body_start..], ")x") else { continue };
            let body = &source[body_start..body_start + close];
            let Some((text, url)) = body.rsplit_once("](") else { continue };
            if body.contains('\n') {
                continue;
            }
            let mut end = body_start + close + 2;
            end += end_of_line(&source[end..]).unwrap_or(0);
            out.push_str(&source[cursor..start]);
            let frontend = self.options.mode == Mode::Frontend;
            let inner = self.inline(text, state);
            let mut html = String::from(if frontend { "<p class=\"govuk-body\">" } else { "<p>" });
            html.push_str(if frontend { "<a class=\"govuk-link\"" } else { "<a" });
            let url = url.trim();
            if is_safe_url(url) {
                html.push_str(" href=\"");
                Escape::DoubleQuoted.escape_into(&mut html, url);
                html.push('"');
            }
            html.push_str(" rel=\"external\">");
            html.push_str(&inner);
            html.push_str("</a></p>\n");
            out.push_str(&self.placeholder(html, true));
            cursor = end;
            from = end;
        }
        out.push_str(&source[cursor..]);
        out
    }

    /// Markdown rendered without its paragraph wrapper.
    pub(crate) fn inline(&mut self, text: &str, state: &mut DocState) -> String {
        let text = text.trim();
        // Plain text (the usual address line) needs no markdown parse.
        if !text.contains([
            '*', '_', '[', ']', '<', '>', '&', '`', '!', '\\', '\'', '"', '.', '-', '^', '~', '#',
            '|', '+', ')', '=',
        ]) {
            let mut out = String::with_capacity(text.len());
            self.push_text_with_abbreviations(
                &mut out,
                &pulldown_cmark::CowStr::Borrowed(text),
                false,
            );
            return out;
        }
        self.nested += 2;
        let html = self.markdown(text.trim(), state);
        self.nested -= 2;
        strip_paragraphs(&html)
    }

    fn address(&mut self, body: &str, state: &mut DocState) -> String {
        let body = body.trim_start().trim_end_matches(|c: char| c.is_whitespace() || c == '\\');
        let lines: Vec<String> = body
            .split('\n')
            .map(|line| {
                let line = line.trim_end_matches('\r').trim_end_matches([' ', '\\']);
                self.inline(line, state)
            })
            .collect();
        let joined = lines.join("<br>");
        if self.options.mode == Mode::Frontend {
            format!(
                "<div class=\"govuk-inset-text\">\n<p class=\"govuk-body\">{joined}</p>\n</div>\n"
            )
        } else {
            format!(
                "<div class=\"address\"><div class=\"adr org fn\"><p>\n{joined}\n</p></div></div>\n"
            )
        }
    }

    /// `s1. …` lines: a steps list.
    fn steps(&mut self, source: &str, state: &mut DocState) -> String {
        let mut out = String::with_capacity(source.len());
        let mut items: Vec<String> = Vec::new();
        let flush = |r: &mut Self, items: &mut Vec<String>, out: &mut String, st: &mut DocState| {
            if items.is_empty() {
                return;
            }
            let frontend = r.options.mode == Mode::Frontend;
            let mut html = String::from(if frontend {
                "<ol class=\"govuk-list govuk-list--number\">\n"
            } else {
                "<ol class=\"steps\">\n"
            });
            for item in items.drain(..) {
                let inner = r.document(&item, st);
                html.push_str("<li>\n");
                html.push_str(inner.trim_end());
                html.push_str("\n</li>\n");
            }
            html.push_str("</ol>\n");
            out.push_str(&r.placeholder(html, true));
        };
        for line in source.split_inclusive('\n') {
            let candidate =
                if items.is_empty() { line.trim_start_matches([' ', '\t']) } else { line };
            match step_text(candidate) {
                Some(text) => items.push(text.trim().to_owned()),
                None => {
                    flush(self, &mut items, &mut out, state);
                    out.push_str(line);
                }
            }
        }
        flush(self, &mut items, &mut out, state);
        out
    }

    fn devolved(&mut self, source: &str, region: &str, state: &mut DocState) -> String {
        let tag = format!(":{region}:");
        let mut out = String::with_capacity(source.len());
        let mut rest = source;
        while let Some(start) = find_marker(rest, &tag) {
            let after = &rest[start + tag.len()..];
            let Some(len) = find_marker(after, &tag) else { break };
            out.push_str(&rest[..start]);
            let body = self.document(after[..len].trim(), state);
            let header = self.devolved_header(region);
            let html = if self.options.mode == Mode::Frontend {
                format!(
                    "<div class=\"govuk-inset-text\">\n<p class=\"govuk-body govuk-!-font-weight-bold\">{header}</p>\n{body}</div>\n"
                )
            } else {
                format!(
                    "<div class=\"devolved-content {region}\">\n<p class=\"devolved-header\">{header}</p>\n<div class=\"devolved-body\">{body}</div>\n</div>\n"
                )
            };
            out.push_str(&self.placeholder(html, true));
            rest = &after[len + tag.len()..];
        }
        out.push_str(rest);
        out
    }

    /// Embeds that need data this renderer is not given (attachments, images, contacts, links) render
    /// nothing, as the gem does for unknown ids.
    fn remove_embeds(&mut self, source: &str, open: &str) -> String {
        let mut out = String::with_capacity(source.len());
        let mut rest = source;
        while let Some(start) = find_marker(rest, open) {
            let after = &rest[start + open.len()..];
            let Some(len) = after.find(']') else { break };
            if after[..len].contains('\n') {
                out.push_str(&rest[..start + open.len()]);
                rest = after;
                continue;
            }
            out.push_str(&rest[..start]);
            rest = &after[len + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// Whether some line starts (after blanks) with `s<digits>.`.
fn has_step_marker(source: &str) -> bool {
    let bytes = source.as_bytes();
    let mut from = 0;
    while let Some(offset) = bytes.get(from..).and_then(|rest| rest.iter().position(|&b| b == b's'))
    {
        let at = from + offset;
        let line_start = bytes[..at]
            .iter()
            .rev()
            .find(|&&b| b != b' ' && b != b'\t')
            .is_none_or(|&b| b == b'\n');
        if line_start && bytes.get(at + 1).is_some_and(u8::is_ascii_digit) {
            return true;
        }
        from = at + 1;
    }
    false
}

fn step_text(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('s')?;
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return None;
    }
    let rest = rest[digits..].strip_prefix('.')?;
    let first = rest.chars().next()?;
    if !first.is_whitespace() || first == '\n' && rest.len() == 1 {
        return None;
    }
    Some(rest)
}

/// Removes `<p>`/`</p>` wrappers (both vocabularies) and joins paragraphs with a space.
pub(crate) fn strip_paragraphs(html: &str) -> String {
    html.replace("<p class=\"govuk-body\">", "")
        .replace("<p>", "")
        .replace("</p>\n\n", " ")
        .replace("</p>", "")
        .trim()
        .to_owned()
}

struct Button<'a> {
    start: bool,
    tracking: Option<&'a str>,
    text: &'a str,
    href: &'a str,
    len: usize,
}

fn parse_button(input: &str) -> Option<Button<'_>> {
    let rest = input.strip_prefix("{button")?;
    let attrs_end = rest.find('}')?;
    let attrs = &rest[..attrs_end];
    if attrs.contains('\n') {
        return None;
    }
    let after_attrs = &rest[attrs_end + 1..];
    let link = after_attrs.trim_start();
    let link = link.strip_prefix('[')?;
    let text_end = link.find(']')?;
    let text = &link[..text_end];
    if text.is_empty() {
        return None;
    }
    let link = link[text_end + 1..].strip_prefix('(')?;
    let href_end = link.find(')')?;
    let href = &link[..href_end];
    if href.is_empty() {
        return None;
    }
    let after = link[href_end + 1..].trim_start();
    let after = after.strip_prefix("{/button}")?;
    let consumed_to = input.len() - after.len();
    let eol = if after.is_empty() {
        0
    } else if after.starts_with(['\n', '\r']) {
        1
    } else {
        return None;
    };
    let tracking = attrs.find("cross-domain-tracking:").map(|i| {
        let code = &attrs[i + "cross-domain-tracking:".len()..];
        code.split(|c: char| c.is_whitespace() || c == '*').next().unwrap_or_default().trim()
    });
    Some(Button {
        start: attrs.contains("start"),
        tracking: tracking.filter(|t| !t.is_empty()),
        text: text.trim(),
        href: href.trim(),
        len: consumed_to + eol,
    })
}
