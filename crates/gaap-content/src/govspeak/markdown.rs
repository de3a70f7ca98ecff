//! The markdown core: pulldown-cmark events written as kramdown-like HTML (compat) or with govuk-frontend
//! classes (frontend), with heading ids, external-link marking, abbreviations, footnotes and sanitised raw HTML.

use std::collections::HashMap;

use gaap_html::Escape;
use pulldown_cmark::{
    Alignment, CowStr, Event, HeadingLevel, LinkType, Options as CmarkOptions, Parser, Tag, TagEnd,
};

use super::sanitize::{Sanitizer, is_safe_url};
use super::{Mode, PLACEHOLDER_OPEN, Renderer};

/// kramdown's `basic_generate_id`: drop leading non-letters, keep `[a-zA-Z0-9 -]`, spaces to hyphens, lowercase.
pub(crate) fn heading_id(text: &str) -> String {
    let trimmed = text.trim_start_matches(|c: char| !c.is_ascii_alphabetic());
    trimmed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ' || *c == '-')
        .map(|c| if c == ' ' { '-' } else { c.to_ascii_lowercase() })
        .collect()
}

struct Frame {
    kind: FrameKind,
    out: String,
}

enum FrameKind {
    Heading { level: HeadingLevel, id: Option<String>, text: String },
    BlockQuote,
    Footnote { label: String },
    Item,
}

/// Per-document state shared by nested renders (footnote numbering, heading ids).
#[derive(Debug, Default)]
pub(crate) struct DocState {
    pub(crate) used_ids: HashMap<String, usize>,
    /// Footnote label → (number, references so far).
    pub(crate) footnote_refs: Vec<(String, usize)>,
    pub(crate) footnote_defs: HashMap<String, String>,
    pub(crate) sanitizer: Sanitizer,
}

impl DocState {
    pub(crate) fn unique_id(&mut self, base: String) -> String {
        let base = if base.is_empty() { "section".to_owned() } else { base };
        match self.used_ids.get_mut(&base) {
            None => {
                self.used_ids.insert(base.clone(), 0);
                base
            }
            Some(count) => {
                *count += 1;
                let id = format!("{base}-{count}");
                self.used_ids.insert(id.clone(), 0);
                id
            }
        }
    }
}

fn id_safe(label: &str) -> String {
    label.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).collect()
}

impl Renderer<'_> {
    /// A body that can only be one plain paragraph (the usual callout, step or contact text) is written
    /// directly, skipping a parser set-up per extension body.
    fn plain_paragraph(&self, source: &str) -> Option<String> {
        let text = source.trim();
        let first_line = source.trim_start_matches('\n').split('\n').next().unwrap_or_default();
        let indented = first_line.len() - first_line.trim_start_matches(' ').len() >= 4;
        if text.is_empty()
            || indented
            || text.contains([
                '*',
                '_',
                '[',
                ']',
                '<',
                '>',
                '&',
                '`',
                '!',
                '\\',
                '\'',
                '"',
                '^',
                '~',
                '#',
                '|',
                '+',
                '=',
                '{',
                '}',
                '$',
                '%',
                '\r',
                '\t',
                PLACEHOLDER_OPEN,
            ])
            || text.contains("..")
            || text.contains("--")
        {
            return None;
        }
        let mut html = String::with_capacity(text.len() + 24);
        html.push_str(if self.options.mode == Mode::Frontend {
            "<p class=\"govuk-body\">"
        } else {
            "<p>"
        });
        for (i, line) in text.split('\n').enumerate() {
            let line = line.trim_start_matches(' ');
            let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let list_like =
                line.starts_with('-') || (digits > 0 && line[digits..].starts_with(['.', ')']));
            if line.is_empty() || line.ends_with(' ') || list_like {
                return None;
            }
            if i > 0 {
                html.push('\n');
            }
            self.push_text_with_abbreviations(&mut html, &CowStr::Borrowed(line), false);
        }
        html.push_str("</p>\n\n");
        Some(html)
    }

    /// Renders markdown (with placeholders already substituted for extensions) to HTML.
    pub(crate) fn markdown(&mut self, source: &str, state: &mut DocState) -> String {
        if let Some(html) = self.plain_paragraph(source) {
            return html;
        }
        let mut options = CmarkOptions::ENABLE_TABLES
            | CmarkOptions::ENABLE_FOOTNOTES
            | CmarkOptions::ENABLE_STRIKETHROUGH
            | CmarkOptions::ENABLE_HEADING_ATTRIBUTES;
        if self.options.smart_punctuation {
            options |= CmarkOptions::ENABLE_SMART_PUNCTUATION;
        }
        let frontend = self.options.mode == Mode::Frontend;
        // Nested bodies are parsed alone: give them stand-in definitions so references still parse; the
        // real definitions come from the top-level document.
        let nested = self.nested > 1;
        let owned;
        let source = if nested && !self.footnote_labels.is_empty() && source.contains("[^") {
            let mut with_defs = source.to_owned();
            for label in &self.footnote_labels {
                with_defs.push_str(&format!("\n\n[^{label}]: -\n"));
            }
            owned = with_defs;
            owned.as_str()
        } else {
            source
        };
        let mut stack: Vec<Frame> = Vec::new();
        let mut root = String::with_capacity(source.len() * 3 / 2);
        let mut table_alignments: Vec<Alignment> = Vec::new();
        let mut cell_index = 0usize;
        let mut in_table_head = false;
        let mut image_alt: Option<String> = None;
        let mut in_code_block = false;
        let mut link_stack: Vec<bool> = Vec::new();

        macro_rules! out {
            () => {
                match stack.last_mut() {
                    Some(frame) => &mut frame.out,
                    None => &mut root,
                }
            };
        }

        for event in Parser::new_ext(source, options) {
            if let Some(alt) = image_alt.as_mut() {
                match &event {
                    Event::End(TagEnd::Image) => {}
                    Event::Text(t) | Event::Code(t) => {
                        alt.push_str(t);
                        continue;
                    }
                    _ => continue,
                }
            }
            if state.sanitizer.is_dropping()
                && !matches!(event, Event::Html(_) | Event::InlineHtml(_))
            {
                // Inside a `<script>`-like element opened by raw HTML: drop everything until it closes.
                continue;
            }
            match event {
                Event::Start(tag) => match tag {
                    Tag::Paragraph => out!().push_str(if frontend { "<p class=\"govuk-body\">" } else { "<p>" }),
                    Tag::Heading { level, id, .. } => stack.push(Frame {
                        kind: FrameKind::Heading { level, id: id.map(|i| i.to_string()), text: String::new() },
                        out: String::new(),
                    }),
                    Tag::BlockQuote(_) => stack.push(Frame { kind: FrameKind::BlockQuote, out: String::new() }),
                    Tag::CodeBlock(_) => {
                        in_code_block = true;
                        out!().push_str("<pre><code>");
                    }
                    Tag::List(start) => {
                        let o = out!();
                        match (start, frontend) {
                            (None, false) => o.push_str("<ul>\n"),
                            (None, true) => o.push_str("<ul class=\"govuk-list govuk-list--bullet\">\n"),
                            (Some(n), _) => {
                                o.push_str(if frontend { "<ol class=\"govuk-list govuk-list--number\"" } else { "<ol" });
                                if n != 1 {
                                    o.push_str(&format!(" start=\"{n}\""));
                                }
                                o.push_str(">\n");
                            }
                        }
                    }
                    Tag::Item => stack.push(Frame { kind: FrameKind::Item, out: String::new() }),
                    Tag::FootnoteDefinition(label) => stack.push(Frame {
                        kind: FrameKind::Footnote { label: label.to_string() },
                        out: String::new(),
                    }),
                    Tag::Table(alignments) => {
                        table_alignments = alignments;
                        out!().push_str(if frontend { "<table class=\"govuk-table\">\n" } else { "<table>\n" });
                    }
                    Tag::TableHead => {
                        in_table_head = true;
                        cell_index = 0;
                        out!().push_str(if frontend {
                            "<thead class=\"govuk-table__head\">\n<tr class=\"govuk-table__row\">\n"
                        } else {
                            "<thead>\n<tr>\n"
                        });
                    }
                    Tag::TableRow => {
                        cell_index = 0;
                        out!().push_str(if frontend { "<tr class=\"govuk-table__row\">\n" } else { "<tr>\n" });
                    }
                    Tag::TableCell => {
                        let align = match table_alignments.get(cell_index) {
                            Some(Alignment::Left) => Some("cell-text-left"),
                            Some(Alignment::Center) => Some("cell-text-center"),
                            Some(Alignment::Right) => Some("cell-text-right"),
                            _ => None,
                        };
                        let o = out!();
                        // Cell kind is decided on the first text: `#` marks a row header (govspeak tables).
                        o.push('\u{E002}');
                        if let Some(class) = align {
                            o.push_str(class);
                        }
                        o.push('\u{E003}');
                    }
                    Tag::Emphasis => out!().push_str("<em>"),
                    Tag::Strong => out!().push_str("<strong>"),
                    Tag::Strikethrough => out!().push_str("<del>"),
                    Tag::Link { link_type, dest_url, title, .. } => {
                        let o = out!();
                        let safe = is_safe_url(&dest_url);
                        link_stack.push(true);
                        if matches!(link_type, LinkType::Email) {
                            o.push_str("<a href=\"mailto:");
                            Escape::DoubleQuoted.escape_into(o, &dest_url);
                            o.push_str("\">");
                            continue;
                        }
                        o.push_str("<a");
                        if frontend {
                            o.push_str(" class=\"govuk-link\"");
                        }
                        if safe && self.is_external(&dest_url) {
                            o.push_str(" rel=\"external\"");
                        }
                        if safe {
                            o.push_str(" href=\"");
                            Escape::DoubleQuoted.escape_into(o, &dest_url);
                            o.push('"');
                        } else {
                            state.sanitizer.changed = true;
                        }
                        if !title.is_empty() {
                            o.push_str(" title=\"");
                            Escape::DoubleQuoted.escape_into(o, &title);
                            o.push('"');
                        }
                        o.push('>');
                    }
                    Tag::Image { dest_url, title, .. } => {
                        let o = out!();
                        o.push_str("<img");
                        if is_safe_url(&dest_url) && !dest_url.trim_start().to_ascii_lowercase().starts_with("mailto:") {
                            o.push_str(" src=\"");
                            Escape::DoubleQuoted.escape_into(o, &dest_url);
                            o.push('"');
                        } else {
                            state.sanitizer.changed = true;
                        }
                        if !title.is_empty() {
                            o.push_str(" title=\"");
                            Escape::DoubleQuoted.escape_into(o, &title);
                            o.push('"');
                        }
                        image_alt = Some(String::new());
                    }
                    _ => {}
                },
                Event::End(tag) => match tag {
                    TagEnd::Paragraph => out!().push_str("</p>\n\n"),
                    TagEnd::Heading(_) => {
                        if let Some(Frame { kind: FrameKind::Heading { level, id, text }, out: inner }) = stack.pop() {
                            let id = match id {
                                Some(explicit) => {
                                    state.used_ids.entry(explicit.clone()).or_insert(0);
                                    explicit
                                }
                                None => state.unique_id(heading_id(&text)),
                            };
                            let n = level as usize;
                            let class = match (frontend, n) {
                                (false, _) => "",
                                (true, 1) => " class=\"govuk-heading-xl\"",
                                (true, 2) => " class=\"govuk-heading-l\"",
                                (true, 3) => " class=\"govuk-heading-m\"",
                                (true, _) => " class=\"govuk-heading-s\"",
                            };
                            let o = out!();
                            o.push_str(&format!("<h{n} id=\""));
                            Escape::DoubleQuoted.escape_into(o, &id);
                            o.push_str(&format!("\"{class}>"));
                            o.push_str(inner.trim_end());
                            o.push_str(&format!("</h{n}>\n\n"));
                        }
                    }
                    TagEnd::BlockQuote(_) => {
                        if let Some(frame) = stack.pop() {
                            let mut inner = frame.out;
                            if !frontend && let Some(at) = inner.rfind("<p>") {
                                inner.replace_range(at..at + 3, "<p class=\"last-child\">");
                            }
                            let o = out!();
                            o.push_str(if frontend {
                                "<blockquote class=\"govuk-inset-text govuk-!-margin-left-0\">\n"
                            } else {
                                "<blockquote>\n"
                            });
                            o.push_str(inner.trim_end());
                            o.push_str("\n</blockquote>\n\n");
                        }
                    }
                    TagEnd::CodeBlock => {
                        in_code_block = false;
                        out!().push_str("</code></pre>\n\n");
                    }
                    TagEnd::List(ordered) => {
                        out!().push_str(if ordered { "</ol>\n\n" } else { "</ul>\n\n" });
                    }
                    TagEnd::Item => {
                        if let Some(frame) = stack.pop() {
                            let o = out!();
                            o.push_str("<li>");
                            o.push_str(frame.out.trim_end());
                            o.push_str("</li>\n");
                        }
                    }
                    TagEnd::FootnoteDefinition => {
                        if let Some(Frame { kind: FrameKind::Footnote { label }, out: inner }) = stack.pop()
                            && !nested
                        {
                            state.footnote_defs.entry(label).or_insert_with(|| inner.trim_end().to_owned());
                        }
                    }
                    TagEnd::Table => out!().push_str("</tbody>\n</table>\n\n"),
                    TagEnd::TableHead => {
                        in_table_head = false;
                        out!().push_str(if frontend {
                            "</tr>\n</thead>\n<tbody class=\"govuk-table__body\">\n"
                        } else {
                            "</tr>\n</thead>\n<tbody>\n"
                        });
                    }
                    TagEnd::TableRow => out!().push_str("</tr>\n"),
                    TagEnd::TableCell => {
                        let o = out!();
                        finish_cell(o, in_table_head, cell_index == 0, frontend);
                        cell_index += 1;
                    }
                    TagEnd::Emphasis => out!().push_str("</em>"),
                    TagEnd::Strong => out!().push_str("</strong>"),
                    TagEnd::Strikethrough => out!().push_str("</del>"),
                    TagEnd::Link => {
                        link_stack.pop();
                        out!().push_str("</a>");
                    }
                    TagEnd::Image => {
                        let alt = image_alt.take().unwrap_or_default();
                        let o = out!();
                        o.push_str(" alt=\"");
                        Escape::DoubleQuoted.escape_into(o, &alt);
                        o.push_str("\">");
                    }
                    _ => {}
                },
                Event::Text(text) => {
                    if let Some(Frame { kind: FrameKind::Heading { text: plain, .. }, .. }) = stack.last_mut() {
                        plain.push_str(&text);
                    }
                    let in_link = !link_stack.is_empty();
                    let o = out!();
                    if in_code_block {
                        Escape::Text.escape_into(o, &text);
                    } else {
                        self.push_text_with_abbreviations(o, &text, in_link);
                    }
                }
                Event::Code(code) => {
                    let o = out!();
                    o.push_str("<code>");
                    Escape::Text.escape_into(o, &code);
                    o.push_str("</code>");
                }
                Event::Html(html) | Event::InlineHtml(html) => {
                    let o = out!();
                    state.sanitizer.push_html(o, &html);
                }
                Event::FootnoteReference(label) => {
                    let label = label.to_string();
                    let (number, occurrence) = match state.footnote_refs.iter().position(|(l, _)| *l == label) {
                        Some(i) => {
                            let entry = &mut state.footnote_refs[i];
                            entry.1 += 1;
                            (i + 1, entry.1 - 1)
                        }
                        None => {
                            state.footnote_refs.push((label.clone(), 1));
                            (state.footnote_refs.len(), 0)
                        }
                    };
                    let id = id_safe(&label);
                    let ref_id = if occurrence == 0 { format!("fnref:{id}") } else { format!("fnref:{id}:{occurrence}") };
                    let word = self.strings().footnote_label;
                    let o = out!();
                    o.push_str(&format!(
                        "<sup id=\"{ref_id}\"><a href=\"#fn:{id}\" class=\"footnote{}\" rel=\"footnote\" role=\"doc-noteref\">[{word} {number}]</a></sup>",
                        if frontend { " govuk-link" } else { "" }
                    ));
                }
                Event::SoftBreak => out!().push('\n'),
                Event::HardBreak => out!().push_str("<br>\n"),
                Event::Rule => out!().push_str(if frontend {
                    "<hr class=\"govuk-section-break govuk-section-break--xl govuk-section-break--visible\">\n\n"
                } else {
                    "<hr>\n\n"
                }),
                Event::TaskListMarker(_) | Event::InlineMath(_) | Event::DisplayMath(_) => {}
            }
        }
        while let Some(frame) = stack.pop() {
            root.push_str(&frame.out);
        }
        root
    }

    pub(crate) fn push_text_with_abbreviations(
        &self,
        out: &mut String,
        text: &CowStr<'_>,
        in_link: bool,
    ) {
        if self.abbreviations.is_empty() || in_link {
            Escape::Text.escape_into(out, text);
            return;
        }
        // One pass over the bytes: at each word start whose byte begins some abbreviation, try them (longest
        // first) and check the word ends there. Non-ASCII bytes count as word characters.
        let mut starts = [false; 256];
        for (abbr, _) in &self.abbreviations {
            if let Some(&b) = abbr.as_bytes().first() {
                starts[usize::from(b)] = true;
            }
        }
        let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
        let bytes = text.as_bytes();
        let mut copied = 0;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if starts[usize::from(b)]
                && (i == 0 || !is_word(bytes[i - 1]))
                && text.is_char_boundary(i)
            {
                let rest = &text[i..];
                let hit = self.abbreviations.iter().find(|(abbr, _)| {
                    rest.starts_with(abbr.as_str())
                        && rest.as_bytes().get(abbr.len()).is_none_or(|&n| !is_word(n))
                });
                if let Some((abbr, title)) = hit {
                    Escape::Text.escape_into(out, &text[copied..i]);
                    out.push_str("<abbr title=\"");
                    Escape::DoubleQuoted.escape_into(out, title);
                    out.push_str("\">");
                    Escape::Text.escape_into(out, abbr);
                    out.push_str("</abbr>");
                    i += abbr.len();
                    copied = i;
                    continue;
                }
            }
            i += 1;
        }
        Escape::Text.escape_into(out, &text[copied.min(text.len())..]);
    }
}

/// Replaces the cell marker with `<td>`/`<th>`, promoting a cell whose text starts with `#` to a header.
fn finish_cell(out: &mut String, in_head: bool, first_in_row: bool, frontend: bool) {
    let Some(marker) = out.rfind('\u{E002}') else { return };
    let Some(end) = out[marker..].find('\u{E003}').map(|e| marker + e) else { return };
    let align = out[marker + '\u{E002}'.len_utf8()..end].to_owned();
    let mut content = out[end + '\u{E003}'.len_utf8()..].to_owned();
    let mut header = in_head;
    let mut scope = if in_head { "col" } else { "" };
    if let Some(stripped) = content.strip_prefix('#') {
        content = stripped.trim_start().to_owned();
        header = true;
        scope = if in_head {
            "col"
        } else if first_in_row {
            "row"
        } else {
            ""
        };
    }
    out.truncate(marker);
    let tag = if header { "th" } else { "td" };
    out.push('<');
    out.push_str(tag);
    if !scope.is_empty() {
        out.push_str(&format!(" scope=\"{scope}\""));
    }
    let mut classes: Vec<&str> = Vec::new();
    if frontend {
        classes.push(if header { "govuk-table__header" } else { "govuk-table__cell" });
    }
    if !align.is_empty() {
        classes.push(&align);
    }
    if !classes.is_empty() {
        out.push_str(&format!(" class=\"{}\"", classes.join(" ")));
    }
    out.push('>');
    out.push_str(content.trim());
    out.push_str(&format!("</{tag}>\n"));
}
