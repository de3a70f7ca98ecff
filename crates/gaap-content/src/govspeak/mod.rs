//! Govspeak → HTML in two modes.
//!
//! * [`Mode::Compat`]: the elements and classes GOV.UK's govspeak gem emits (`application-notice info-notice`,
//!   `call-to-action`, `address`, `steps`, `devolved-content`, `gem-c-button govuk-button`, kramdown heading
//!   ids and footnotes), so existing GOV.UK stylesheets apply.
//! * [`Mode::Frontend`]: govuk-frontend classes (`govuk-body`, `govuk-heading-l`, `govuk-link`, `govuk-list`,
//!   `govuk-inset-text`, `govuk-warning-text`, `govuk-table`, `govuk-button`).
//!
//! Extensions are found the way the gem finds them (regular-expression extensions over the source, in the
//! gem's order, `$CTA` before `$C`), replaced by placeholders, the markdown is rendered with pulldown-cmark,
//! and the placeholders are filled in. Raw HTML in the source goes through an allow-list sanitiser: scripts,
//! event handlers, `style` and unsafe URL schemes never reach the output.

mod extensions;
mod markdown;
mod sanitize;

use markdown::DocState;

/// Which HTML vocabulary to emit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// GOV.UK govspeak's HTML and classes.
    #[default]
    Compat,
    /// govuk-frontend classes.
    Frontend,
}

impl std::str::FromStr for Mode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "compat" => Ok(Self::Compat),
            "frontend" => Ok(Self::Frontend),
            other => Err(format!("unknown render mode {other:?}: use compat or frontend")),
        }
    }
}

/// Rendering options.
#[derive(Debug, Clone)]
pub struct Options {
    /// HTML vocabulary.
    pub mode: Mode,
    /// Hosts whose links are internal (no `rel="external"`). Default `www.gov.uk`.
    pub document_domains: Vec<String>,
    /// `en` or `cy`: labels for devolved headers and footnotes.
    pub locale: String,
    /// Typographic quotes, dashes and ellipses, as kramdown does.
    pub smart_punctuation: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            mode: Mode::Compat,
            document_domains: vec!["www.gov.uk".to_owned()],
            locale: "en".to_owned(),
            smart_punctuation: true,
        }
    }
}

impl Options {
    /// Default options for `mode`.
    pub fn mode(mode: Mode) -> Self {
        Self { mode, ..Self::default() }
    }
}

/// Renders govspeak with default options for `mode`.
pub fn render(source: &str, mode: Mode) -> String {
    render_with(source, &Options::mode(mode))
}

/// Renders govspeak.
pub fn render_with(source: &str, options: &Options) -> String {
    render_checked(source, options).0
}

/// Whether the source needs no sanitising: govspeak's `Document#valid?` ("no unsafe HTML or JavaScript").
pub fn is_valid(source: &str) -> bool {
    !render_checked(source, &Options::default()).1
}

fn render_checked(source: &str, options: &Options) -> (String, bool) {
    let (source, abbreviations) = preprocess(source);
    let footnote_labels = source
        .lines()
        .filter_map(|l| {
            l.strip_prefix("[^").and_then(|r| r.split_once("]:")).map(|(label, _)| label.to_owned())
        })
        .collect();
    let mut renderer =
        Renderer { options, abbreviations, blocks: Vec::new(), nested: 0, footnote_labels };
    let mut state = DocState::default();
    let html = renderer.document(&source, &mut state);
    let mut html = renderer.fill_placeholders(&html);
    renderer.footnotes(&mut html, &mut state);
    (html.trim_end().to_owned() + "\n", state.sanitizer.changed)
}

/// Per-locale labels.
pub(crate) struct Strings {
    pub(crate) footnote_label: &'static str,
    pub(crate) backlink_label: &'static str,
}

/// Renderer state for one document.
pub(crate) struct Renderer<'a> {
    pub(crate) options: &'a Options,
    pub(crate) abbreviations: Vec<(String, String)>,
    /// Rendered extension HTML, indexed by placeholder number; `true` when it is a block.
    pub(crate) blocks: Vec<(String, bool)>,
    /// How deep inside extension bodies the renderer is.
    pub(crate) nested: usize,
    /// Footnote labels defined anywhere in the document, so nested bodies can reference them.
    pub(crate) footnote_labels: Vec<String>,
}

pub(crate) const PLACEHOLDER_OPEN: char = '\u{E000}';
pub(crate) const PLACEHOLDER_CLOSE: char = '\u{E001}';

fn is_forbidden(c: char) -> bool {
    // Sanitize's REGEX_UNSUITABLE_CHARS plus the private-use range used for placeholders.
    let u = c as u32;
    (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
        || (0xE000..=0xE0FF).contains(&u)
        || (0xFDD0..=0xFDEF).contains(&u)
        || (u & 0xFFFE) == 0xFFFE
        || (0x2028..=0x2029).contains(&u)
        || (0x202A..=0x202E).contains(&u)
        || (0x206A..=0x206F).contains(&u)
        || (0xFFF9..=0xFFFB).contains(&u)
        || u == 0xFEFF
        || (0x1D173..=0x1D17A).contains(&u)
        || (0xE0000..=0xE007F).contains(&u)
}

/// Normalises newlines, strips forbidden characters, unquotes blockquotes and collects `*[ABBR]: text`.
fn preprocess(source: &str) -> (String, Vec<(String, String)>) {
    let normalised = source.replace("\r\n", "\n");
    // Every forbidden character is a C0 control or starts with one of a few UTF-8 byte pairs: check bytes
    // first, so ordinary text (including `£`, `’` and `é`) skips the per-character pass.
    let bytes = normalised.as_bytes();
    let suspicious = bytes.iter().enumerate().any(|(i, &b)| {
        let next = bytes.get(i + 1).copied().unwrap_or(0);
        match b {
            0x00..=0x08 | 0x0B | 0x0C | 0x0E..=0x1F | 0x7F => true,
            0xC2 => (0x80..=0x9F).contains(&next),
            0xE2 => matches!(next, 0x80 | 0x81),
            0xEE => (0x80..=0x83).contains(&next),
            0xEF => matches!(next, 0xB7 | 0xBB | 0xBF),
            0xF0..=0xF4 => true,
            _ => false,
        }
    });
    let normalised: String = if suspicious && normalised.chars().any(is_forbidden) {
        normalised.chars().filter(|c| !is_forbidden(*c)).collect()
    } else {
        normalised
    };
    let mut abbreviations = Vec::new();
    let mut out = String::with_capacity(normalised.len());
    for line in normalised.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if let Some(rest) = trimmed.trim_start().strip_prefix("*[")
            && let Some((abbr, expansion)) = rest.split_once("]:")
            && !abbr.is_empty()
        {
            abbreviations.push((abbr.to_owned(), expansion.trim().to_owned()));
            continue;
        }
        // `> "quoted"` → `> quoted` (BlockquoteExtraQuoteRemover).
        if let Some(body) = trimmed.strip_prefix("> ")
            && body.len() >= 2
            && (body.starts_with('"') || body.starts_with('“'))
            && (body.ends_with('"') || body.ends_with('”'))
        {
            let inner = body.trim_start_matches(['"', '“']).trim_end_matches(['"', '”']);
            out.push_str("> ");
            out.push_str(inner);
            out.push('\n');
            continue;
        }
        out.push_str(line);
    }
    // Longest first, so `HTML5` wins over `HTML`.
    abbreviations.sort_by_key(|a| std::cmp::Reverse(a.0.len()));
    (out, abbreviations)
}

impl Renderer<'_> {
    pub(crate) fn strings(&self) -> Strings {
        if self.options.locale == "cy" {
            Strings {
                footnote_label: "troednodyn",
                backlink_label: "ewch i ble mae hyn wedi'i gyfeirio",
            }
        } else {
            Strings { footnote_label: "footnote", backlink_label: "go to where this is referenced" }
        }
    }

    pub(crate) fn devolved_header(&self, region: &str) -> &'static str {
        let cy = self.options.locale == "cy";
        match (region, cy) {
            ("scotland", false) => "This section applies to Scotland",
            ("england", false) => "This section applies to England",
            ("england-wales", false) => "This section applies to England and Wales",
            ("northern-ireland", false) => "This section applies to Northern Ireland",
            ("wales", false) => "This section applies to Wales",
            ("london", false) => "This section applies to London",
            ("scotland", true) => "Mae'r adran hon yn berthnasol i'r Alban",
            ("england", true) => "Mae'r adran hon yn berthnasol i Loegr",
            ("england-wales", true) => "Mae'r adran hon yn berthnasol i Gymru a Lloegr",
            ("northern-ireland", true) => "Mae'r adran hon yn berthnasol i Ogledd Iwerddon",
            ("wales", true) => "Mae'r adran hon yn berthnasol i Gymru",
            _ => "Mae'r adran hon yn berthnasol i Lundain",
        }
    }

    /// Whether a link leaves the document's domains (kramdown Govuk parser's `rel="external"`).
    pub(crate) fn is_external(&self, url: &str) -> bool {
        let Some((scheme, rest)) = url.split_once("://") else { return false };
        if !scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) {
            return false;
        }
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = host.rsplit('@').next().unwrap_or_default();
        let host = host.split(':').next().unwrap_or_default();
        !host.is_empty()
            && !self.options.document_domains.iter().any(|d| d.eq_ignore_ascii_case(host))
    }

    /// Full pipeline for one (possibly nested) document body.
    pub(crate) fn document(&mut self, source: &str, state: &mut DocState) -> String {
        self.nested += 1;
        let source = self.apply_extensions(source, state);
        let html = self.markdown(&source, state);
        self.nested -= 1;
        html
    }

    /// Stores extension HTML and returns its placeholder text.
    pub(crate) fn placeholder(&mut self, html: String, block: bool) -> String {
        self.blocks.push((html, block));
        let n = self.blocks.len() - 1;
        if block {
            format!("\n\n{PLACEHOLDER_OPEN}{n}{PLACEHOLDER_CLOSE}\n\n")
        } else {
            format!("{PLACEHOLDER_OPEN}{n}{PLACEHOLDER_CLOSE}")
        }
    }

    /// Replaces placeholders (recursively: extension HTML may hold placeholders of inner extensions).
    fn fill_placeholders(&self, html: &str) -> String {
        let mut out = String::with_capacity(html.len() + 256);
        self.fill_into(&mut out, html, 0);
        out
    }

    fn fill_into(&self, out: &mut String, html: &str, depth: usize) {
        let mut rest = html;
        while let Some(open) = rest.find(PLACEHOLDER_OPEN) {
            let after = &rest[open + PLACEHOLDER_OPEN.len_utf8()..];
            let Some(close) = after.find(PLACEHOLDER_CLOSE) else { break };
            let index: Option<usize> = after[..close].parse().ok();
            let entry = index.and_then(|i| self.blocks.get(i));
            let mut before = &rest[..open];
            let mut tail = &after[close + PLACEHOLDER_CLOSE.len_utf8()..];
            if let Some((_, true)) = entry {
                // A block placeholder sits alone in a paragraph: drop the paragraph.
                for p in ["<p>", "<p class=\"govuk-body\">"] {
                    if let Some(b) = before.strip_suffix(p)
                        && let Some(t) = tail.strip_prefix("</p>")
                    {
                        before = b;
                        tail = t;
                        break;
                    }
                }
            }
            out.push_str(before);
            if let Some((block_html, _)) = entry
                && depth < 64
            {
                self.fill_into(out, block_html, depth + 1);
            }
            rest = tail;
        }
        out.push_str(rest);
    }

    /// Appends the footnotes list, kramdown style.
    fn footnotes(&self, html: &mut String, state: &mut DocState) {
        if state.footnote_refs.is_empty() {
            return;
        }
        let strings = self.strings();
        let frontend = self.options.mode == Mode::Frontend;
        let link_class = if frontend { " govuk-link" } else { "" };
        let mut list = String::from("\n<div class=\"footnotes\" role=\"doc-endnotes\">\n<ol>\n");
        for (label, count) in &state.footnote_refs {
            let Some(def) = state.footnote_defs.get(label) else { continue };
            let def = self.fill_placeholders(def);
            let id: String = label
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                .collect();
            let mut backlinks = String::new();
            for n in 0..*count {
                let (target, aria, sup) = if n == 0 {
                    (format!("fnref:{id}"), strings.backlink_label.to_owned(), String::new())
                } else {
                    (
                        format!("fnref:{id}:{n}"),
                        format!("{} {}", strings.backlink_label, n + 1),
                        format!("<sup>{}</sup>", n + 1),
                    )
                };
                backlinks.push_str(&format!(
                    " <a href=\"#{target}\" class=\"reversefootnote{link_class}\" role=\"doc-backlink\" aria-label=\"{aria}\">↩{sup}</a>"
                ));
            }
            let body = match def.rfind("</p>") {
                Some(at) => format!("{}{backlinks}{}", &def[..at], &def[at..]),
                None => format!("{def}{backlinks}"),
            };
            list.push_str(&format!("<li id=\"fn:{id}\">\n{body}\n</li>\n"));
        }
        list.push_str("</ol>\n</div>\n");
        html.push_str(&list);
    }
}
