//! The markdown core: pulldown-cmark events written as kramdown-like HTML (compat) or with govuk-frontend
//! classes (frontend), with heading ids, external-link marking, abbreviations, footnotes and sanitised raw HTML.

use std::borrow::Cow;
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
        let source = self.with_footnote_stand_ins(source);
        let mut pass = Pass::new(self, source.len());
        for event in Parser::new_ext(&source, self.parser_options()) {
            pass.event(event, state);
        }
        pass.finish()
    }

    /// pulldown-cmark's options for govspeak: tables, footnotes, strikethrough, heading attributes, and smart
    /// punctuation when asked for.
    fn parser_options(&self) -> CmarkOptions {
        let mut options = CmarkOptions::ENABLE_TABLES
            | CmarkOptions::ENABLE_FOOTNOTES
            | CmarkOptions::ENABLE_STRIKETHROUGH
            | CmarkOptions::ENABLE_HEADING_ATTRIBUTES;
        if self.options.smart_punctuation {
            options |= CmarkOptions::ENABLE_SMART_PUNCTUATION;
        }
        options
    }

    /// Nested bodies are parsed alone: give them stand-in definitions so references still parse; the
    /// real definitions come from the top-level document.
    fn with_footnote_stand_ins<'s>(&self, source: &'s str) -> Cow<'s, str> {
        if self.nested > 1 && !self.footnote_labels.is_empty() && source.contains("[^") {
            let mut with_defs = source.to_owned();
            for label in &self.footnote_labels {
                with_defs.push_str(&format!("\n\n[^{label}]: -\n"));
            }
            Cow::Owned(with_defs)
        } else {
            Cow::Borrowed(source)
        }
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

/// One `markdown` pass over pulldown-cmark's events: the open frames (headings, quotes, list items,
/// footnotes) above the root output, and what an open table, image, code block or link needs.
struct Pass<'r, 'o> {
    renderer: &'r Renderer<'o>,
    frontend: bool,
    /// Inside an extension body, whose footnote definitions the top-level document holds.
    nested: bool,
    stack: Vec<Frame>,
    root: String,
    table_alignments: Vec<Alignment>,
    cell_index: usize,
    in_table_head: bool,
    /// The alt text of an open image, gathered from its text events.
    image_alt: Option<String>,
    in_code_block: bool,
    link_stack: Vec<bool>,
}

impl<'r, 'o> Pass<'r, 'o> {
    fn new(renderer: &'r Renderer<'o>, source_len: usize) -> Self {
        Pass {
            renderer,
            frontend: renderer.options.mode == Mode::Frontend,
            nested: renderer.nested > 1,
            stack: Vec::new(),
            root: String::with_capacity(source_len * 3 / 2),
            table_alignments: Vec::new(),
            cell_index: 0,
            in_table_head: false,
            image_alt: None,
            in_code_block: false,
            link_stack: Vec::new(),
        }
    }

    /// Where output goes: the innermost open frame, or the root.
    fn out(&mut self) -> &mut String {
        match self.stack.last_mut() {
            Some(frame) => &mut frame.out,
            None => &mut self.root,
        }
    }

    /// The HTML, with any frame left open appended as it stands.
    fn finish(mut self) -> String {
        while let Some(frame) = self.stack.pop() {
            self.root.push_str(&frame.out);
        }
        self.root
    }

    fn event(&mut self, event: Event<'_>, state: &mut DocState) {
        if let Some(alt) = self.image_alt.as_mut() {
            match &event {
                Event::End(TagEnd::Image) => {}
                Event::Text(t) | Event::Code(t) => {
                    alt.push_str(t);
                    return;
                }
                _ => return,
            }
        }
        if state.sanitizer.is_dropping() && !matches!(event, Event::Html(_) | Event::InlineHtml(_))
        {
            // Inside a `<script>`-like element opened by raw HTML: drop everything until it closes.
            return;
        }
        let frontend = self.frontend;
        match event {
            Event::Start(tag) => self.start(tag, state),
            Event::End(tag) => self.end(tag, state),
            Event::Text(text) => self.text(&text),
            Event::Code(code) => {
                let o = self.out();
                o.push_str("<code>");
                Escape::Text.escape_into(o, &code);
                o.push_str("</code>");
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                let o = self.out();
                state.sanitizer.push_html(o, &html);
            }
            Event::FootnoteReference(label) => self.footnote_reference(&label, state),
            Event::SoftBreak => self.out().push('\n'),
            Event::HardBreak => self.out().push_str("<br>\n"),
            Event::Rule => self.out().push_str(if frontend {
                "<hr class=\"govuk-section-break govuk-section-break--xl govuk-section-break--visible\">\n\n"
            } else {
                "<hr>\n\n"
            }),
            Event::TaskListMarker(_) | Event::InlineMath(_) | Event::DisplayMath(_) => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>, state: &mut DocState) {
        let frontend = self.frontend;
        match tag {
            Tag::Paragraph => {
                self.out().push_str(if frontend { "<p class=\"govuk-body\">" } else { "<p>" })
            }
            Tag::Heading { level, id, .. } => self.stack.push(Frame {
                kind: FrameKind::Heading {
                    level,
                    id: id.map(|i| i.to_string()),
                    text: String::new(),
                },
                out: String::new(),
            }),
            Tag::BlockQuote(_) => {
                self.stack.push(Frame { kind: FrameKind::BlockQuote, out: String::new() })
            }
            Tag::CodeBlock(_) => {
                self.in_code_block = true;
                self.out().push_str("<pre><code>");
            }
            Tag::List(start) => {
                let o = self.out();
                match (start, frontend) {
                    (None, false) => o.push_str("<ul>\n"),
                    (None, true) => o.push_str("<ul class=\"govuk-list govuk-list--bullet\">\n"),
                    (Some(n), _) => {
                        o.push_str(if frontend {
                            "<ol class=\"govuk-list govuk-list--number\""
                        } else {
                            "<ol"
                        });
                        if n != 1 {
                            o.push_str(&format!(" start=\"{n}\""));
                        }
                        o.push_str(">\n");
                    }
                }
            }
            Tag::Item => self.stack.push(Frame { kind: FrameKind::Item, out: String::new() }),
            Tag::FootnoteDefinition(label) => self.stack.push(Frame {
                kind: FrameKind::Footnote { label: label.to_string() },
                out: String::new(),
            }),
            Tag::Table(alignments) => {
                self.table_alignments = alignments;
                self.out().push_str(if frontend {
                    "<table class=\"govuk-table\">\n"
                } else {
                    "<table>\n"
                });
            }
            Tag::TableHead => {
                self.in_table_head = true;
                self.cell_index = 0;
                self.out().push_str(if frontend {
                    "<thead class=\"govuk-table__head\">\n<tr class=\"govuk-table__row\">\n"
                } else {
                    "<thead>\n<tr>\n"
                });
            }
            Tag::TableRow => {
                self.cell_index = 0;
                self.out().push_str(if frontend {
                    "<tr class=\"govuk-table__row\">\n"
                } else {
                    "<tr>\n"
                });
            }
            Tag::TableCell => self.start_cell(),
            Tag::Emphasis => self.out().push_str("<em>"),
            Tag::Strong => self.out().push_str("<strong>"),
            Tag::Strikethrough => self.out().push_str("<del>"),
            Tag::Link { link_type, dest_url, title, .. } => {
                self.start_link(link_type, &dest_url, &title, state);
            }
            Tag::Image { dest_url, title, .. } => self.start_image(&dest_url, &title, state),
            _ => {}
        }
    }

    fn start_cell(&mut self) {
        let align = match self.table_alignments.get(self.cell_index) {
            Some(Alignment::Left) => Some("cell-text-left"),
            Some(Alignment::Center) => Some("cell-text-center"),
            Some(Alignment::Right) => Some("cell-text-right"),
            _ => None,
        };
        let o = self.out();
        // Cell kind is decided on the first text: `#` marks a row header (govspeak tables).
        o.push('\u{E002}');
        if let Some(class) = align {
            o.push_str(class);
        }
        o.push('\u{E003}');
    }

    fn start_link(
        &mut self,
        link_type: LinkType,
        dest_url: &str,
        title: &str,
        state: &mut DocState,
    ) {
        let frontend = self.frontend;
        let renderer = self.renderer;
        self.link_stack.push(true);
        let o = self.out();
        let safe = is_safe_url(dest_url);
        if matches!(link_type, LinkType::Email) {
            o.push_str("<a href=\"mailto:");
            Escape::DoubleQuoted.escape_into(o, dest_url);
            o.push_str("\">");
            return;
        }
        o.push_str("<a");
        if frontend {
            o.push_str(" class=\"govuk-link\"");
        }
        if safe && renderer.is_external(dest_url) {
            o.push_str(" rel=\"external\"");
        }
        if safe {
            push_attribute(o, "href", dest_url);
        } else {
            state.sanitizer.changed = true;
        }
        if !title.is_empty() {
            push_attribute(o, "title", title);
        }
        o.push('>');
    }

    fn start_image(&mut self, dest_url: &str, title: &str, state: &mut DocState) {
        let o = self.out();
        o.push_str("<img");
        if is_safe_url(dest_url)
            && !dest_url.trim_start().to_ascii_lowercase().starts_with("mailto:")
        {
            push_attribute(o, "src", dest_url);
        } else {
            state.sanitizer.changed = true;
        }
        if !title.is_empty() {
            push_attribute(o, "title", title);
        }
        self.image_alt = Some(String::new());
    }

    fn end(&mut self, tag: TagEnd, state: &mut DocState) {
        let frontend = self.frontend;
        match tag {
            TagEnd::Paragraph => self.out().push_str("</p>\n\n"),
            TagEnd::Heading(_) => self.end_heading(state),
            TagEnd::BlockQuote(_) => self.end_block_quote(),
            TagEnd::CodeBlock => {
                self.in_code_block = false;
                self.out().push_str("</code></pre>\n\n");
            }
            TagEnd::List(ordered) => {
                self.out().push_str(if ordered { "</ol>\n\n" } else { "</ul>\n\n" });
            }
            TagEnd::Item => {
                if let Some(frame) = self.stack.pop() {
                    let o = self.out();
                    o.push_str("<li>");
                    o.push_str(frame.out.trim_end());
                    o.push_str("</li>\n");
                }
            }
            TagEnd::FootnoteDefinition => {
                if let Some(Frame { kind: FrameKind::Footnote { label }, out: inner }) =
                    self.stack.pop()
                    && !self.nested
                {
                    state.footnote_defs.entry(label).or_insert_with(|| inner.trim_end().to_owned());
                }
            }
            TagEnd::Table => self.out().push_str("</tbody>\n</table>\n\n"),
            TagEnd::TableHead => {
                self.in_table_head = false;
                self.out().push_str(if frontend {
                    "</tr>\n</thead>\n<tbody class=\"govuk-table__body\">\n"
                } else {
                    "</tr>\n</thead>\n<tbody>\n"
                });
            }
            TagEnd::TableRow => self.out().push_str("</tr>\n"),
            TagEnd::TableCell => {
                let (in_head, first_in_row) = (self.in_table_head, self.cell_index == 0);
                finish_cell(self.out(), in_head, first_in_row, frontend);
                self.cell_index += 1;
            }
            TagEnd::Emphasis => self.out().push_str("</em>"),
            TagEnd::Strong => self.out().push_str("</strong>"),
            TagEnd::Strikethrough => self.out().push_str("</del>"),
            TagEnd::Link => {
                self.link_stack.pop();
                self.out().push_str("</a>");
            }
            TagEnd::Image => {
                let alt = self.image_alt.take().unwrap_or_default();
                let o = self.out();
                o.push_str(" alt=\"");
                Escape::DoubleQuoted.escape_into(o, &alt);
                o.push_str("\">");
            }
            _ => {}
        }
    }

    fn end_heading(&mut self, state: &mut DocState) {
        let Some(Frame { kind: FrameKind::Heading { level, id, text }, out: inner }) =
            self.stack.pop()
        else {
            return;
        };
        let id = match id {
            Some(explicit) => {
                state.used_ids.entry(explicit.clone()).or_insert(0);
                explicit
            }
            None => state.unique_id(heading_id(&text)),
        };
        let n = level as usize;
        let class = match (self.frontend, n) {
            (false, _) => "",
            (true, 1) => " class=\"govuk-heading-xl\"",
            (true, 2) => " class=\"govuk-heading-l\"",
            (true, 3) => " class=\"govuk-heading-m\"",
            (true, _) => " class=\"govuk-heading-s\"",
        };
        let o = self.out();
        o.push_str(&format!("<h{n} id=\""));
        Escape::DoubleQuoted.escape_into(o, &id);
        o.push_str(&format!("\"{class}>"));
        o.push_str(inner.trim_end());
        o.push_str(&format!("</h{n}>\n\n"));
    }

    fn end_block_quote(&mut self) {
        let Some(frame) = self.stack.pop() else { return };
        let frontend = self.frontend;
        let mut inner = frame.out;
        if !frontend && let Some(at) = inner.rfind("<p>") {
            inner.replace_range(at..at + 3, "<p class=\"last-child\">");
        }
        let o = self.out();
        o.push_str(if frontend {
            "<blockquote class=\"govuk-inset-text govuk-!-margin-left-0\">\n"
        } else {
            "<blockquote>\n"
        });
        o.push_str(inner.trim_end());
        o.push_str("\n</blockquote>\n\n");
    }

    fn text(&mut self, text: &CowStr<'_>) {
        if let Some(Frame { kind: FrameKind::Heading { text: plain, .. }, .. }) =
            self.stack.last_mut()
        {
            plain.push_str(text);
        }
        let in_link = !self.link_stack.is_empty();
        let in_code_block = self.in_code_block;
        let renderer = self.renderer;
        let o = self.out();
        if in_code_block {
            Escape::Text.escape_into(o, text);
        } else {
            renderer.push_text_with_abbreviations(o, text, in_link);
        }
    }

    fn footnote_reference(&mut self, label: &str, state: &mut DocState) {
        let label = label.to_owned();
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
        let ref_id = if occurrence == 0 {
            format!("fnref:{id}")
        } else {
            format!("fnref:{id}:{occurrence}")
        };
        let word = self.renderer.strings().footnote_label;
        let frontend = self.frontend;
        self.out().push_str(&format!(
            "<sup id=\"{ref_id}\"><a href=\"#fn:{id}\" class=\"footnote{}\" rel=\"footnote\" role=\"doc-noteref\">[{word} {number}]</a></sup>",
            if frontend { " govuk-link" } else { "" }
        ));
    }
}

/// Appends ` name="value"`, the value escaped.
fn push_attribute(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    Escape::DoubleQuoted.escape_into(out, value);
    out.push('"');
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
