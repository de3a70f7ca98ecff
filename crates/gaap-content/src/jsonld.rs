//! schema.org JSON-LD as GOV.UK's machine-readable metadata component emits it
//! (`govuk_publishing_components: lib/…/presenters/machine_readable/*_schema.rb`):
//!
//! * `transaction` → `GovernmentService`, with a `GovernmentOrganization` provider per organisation and
//!   `isRelatedTo` for related transactions;
//! * `answer` → `FAQPage`, its body split at each top-level `<h2>` (text before the first h2 is answered under
//!   the page title; each question's url is `page#h2-id`);
//! * anything else → `Article`.

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::govspeak::{self, Mode};
use crate::types::{Body, FrontendItem, PublisherItem, SchemaName};

/// An organisation named as provider or author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organisation {
    /// Name.
    pub name: String,
    /// Home page URL.
    pub url: String,
}

/// What the JSON-LD is built from, whichever item shape it came from.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// Title.
    pub title: String,
    /// Summary.
    pub description: Option<String>,
    /// Canonical path.
    pub base_path: String,
    /// Format.
    pub schema_name: Option<SchemaName>,
    /// Body HTML.
    pub body_html: String,
    /// Organisations (providers, authors).
    pub organisations: Vec<Organisation>,
    /// Related transactions.
    pub related_services: Vec<Organisation>,
    /// First publication.
    pub first_published_at: Option<String>,
    /// Last major change.
    pub public_updated_at: Option<String>,
}

fn body_html(body: &Body) -> String {
    match (body.html(), body.govspeak()) {
        (Some(html), _) => html.to_owned(),
        (None, Some(source)) => govspeak::render(source, Mode::Compat),
        (None, None) => String::new(),
    }
}

impl Page {
    /// From a publisher item: govspeak bodies are rendered (compat mode); organisations must be supplied, as
    /// publisher links are bare content_ids.
    pub fn from_publisher(item: &PublisherItem, organisations: Vec<Organisation>) -> Self {
        let body_html = item
            .details
            .as_ref()
            .map(|d| d.bodies().into_iter().map(body_html).collect::<String>());
        Self {
            title: item.title.clone().unwrap_or_default(),
            description: item.description().map(str::to_owned),
            base_path: item.base_path.clone().unwrap_or_default(),
            schema_name: Some(item.schema_name.clone()),
            body_html: body_html.unwrap_or_default(),
            organisations,
            related_services: Vec::new(),
            first_published_at: item.first_published_at.clone(),
            public_updated_at: item.public_updated_at.clone(),
        }
    }

    /// From a content-store item: organisations and related transactions come from its expanded links.
    pub fn from_frontend(item: &FrontendItem, website_root: &str) -> Self {
        let link_url = |link: &crate::types::ExpandedLink| {
            link.other
                .get("web_url")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| link.base_path.as_ref().map(|p| format!("{website_root}{p}")))
                .unwrap_or_default()
        };
        let organisations = item
            .links
            .get("organisations")
            .map(|orgs| {
                orgs.iter()
                    .map(|o| Organisation { name: o.title.clone(), url: link_url(o) })
                    .collect()
            })
            .unwrap_or_default();
        let related_services = item
            .links
            .get("ordered_related_items")
            .map(|items| {
                items
                    .iter()
                    .filter(|l| l.schema_name.as_deref() == Some("transaction"))
                    .map(|l| Organisation { name: l.title.clone(), url: link_url(l) })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            title: item.title.clone(),
            description: item.description.clone(),
            base_path: item.base_path.clone(),
            schema_name: Some(item.schema_name.clone()),
            body_html: item.details.bodies().into_iter().map(body_html).collect(),
            organisations,
            related_services,
            first_published_at: item.first_published_at.clone().flatten(),
            public_updated_at: item.public_updated_at.clone(),
        }
    }
}

/// Builds the JSON-LD object for a page. `website_root` is e.g. `https://www.gov.uk`.
pub fn json_ld(page: &Page, website_root: &str) -> Value {
    let url = format!("{website_root}{}", page.base_path);
    match page.schema_name {
        Some(SchemaName::Transaction) => government_service(page, &url),
        Some(SchemaName::Answer) => faq_page(page, &url, website_root),
        _ => article(page, &url, website_root),
    }
}

fn government_service(page: &Page, url: &str) -> Value {
    let mut out = Map::new();
    out.insert("@context".into(), json!("http://schema.org"));
    out.insert("@type".into(), json!("GovernmentService"));
    out.insert("name".into(), json!(page.title));
    out.insert("description".into(), json!(page.description));
    out.insert("url".into(), json!(url));
    if !page.organisations.is_empty() {
        let providers: Vec<Value> = page
            .organisations
            .iter()
            .map(|o| json!({"@type": "GovernmentOrganization", "name": o.name, "url": o.url}))
            .collect();
        out.insert("provider".into(), Value::Array(providers));
    }
    if !page.related_services.is_empty() {
        let related: Vec<Value> = page
            .related_services
            .iter()
            .map(|s| json!({"@type": "GovernmentService", "name": s.name, "url": s.url}))
            .collect();
        out.insert("isRelatedTo".into(), Value::Array(related));
    }
    Value::Object(out)
}

fn creative_work(page: &Page, url: &str, website_root: &str) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("@context".into(), json!("http://schema.org"));
    out.insert("@type".into(), json!("CreativeWork"));
    out.insert("mainEntityOfPage".into(), json!({"@type": "WebPage", "@id": url}));
    out.insert("name".into(), json!(page.title));
    out.insert("headline".into(), json!(page.title));
    out.insert("description".into(), json!(page.description));
    if let Some(published) = &page.first_published_at {
        out.insert("datePublished".into(), json!(published));
    }
    if let Some(modified) = &page.public_updated_at {
        out.insert("dateModified".into(), json!(modified));
    }
    out.insert(
        "publisher".into(),
        json!({"@type": "Organization", "name": "GOV.UK", "url": website_root}),
    );
    if let Some(author) = page.organisations.first() {
        out.insert(
            "author".into(),
            json!({"@type": "Organization", "name": author.name, "url": author.url}),
        );
    }
    out
}

fn article(page: &Page, url: &str, website_root: &str) -> Value {
    let mut out = creative_work(page, url, website_root);
    out.insert("@type".into(), json!("Article"));
    out.insert("articleBody".into(), json!(page.body_html));
    Value::Object(out)
}

fn faq_page(page: &Page, url: &str, website_root: &str) -> Value {
    let mut out = creative_work(page, url, website_root);
    out.insert("@type".into(), json!("FAQPage"));
    let mut questions: Vec<(String, Option<String>, String)> = Vec::new();
    let mut current = (page.title.clone(), None::<String>, String::new());
    for element in top_level_elements(&page.body_html) {
        if let Some((id, text)) = h2(element) {
            questions.push(std::mem::replace(&mut current, (text, id, String::new())));
        } else {
            current.2.push_str(element);
        }
    }
    questions.push(current);
    let entities: Vec<Value> = questions
        .into_iter()
        .filter(|(_, _, answer)| !answer.trim().is_empty())
        .map(|(question, anchor, answer)| {
            let q_url = anchor.map_or_else(|| url.to_owned(), |a| format!("{url}#{a}"));
            json!({
                "@type": "Question",
                "name": question,
                "url": q_url,
                "acceptedAnswer": {"@type": "Answer", "url": q_url, "text": answer.trim()},
            })
        })
        .collect();
    out.insert("mainEntity".into(), Value::Array(entities));
    Value::Object(out)
}

/// The `id` and text of an `<h2>` element.
fn h2(element: &str) -> Option<(Option<String>, String)> {
    let rest = element.strip_prefix("<h2")?;
    if !rest.starts_with(['>', ' ', '\t', '\n']) {
        return None;
    }
    let open_end = rest.find('>')?;
    let attrs = &rest[..open_end];
    let id = attrs.find("id=\"").and_then(|i| {
        let value = &attrs[i + 4..];
        value.find('"').map(|e| value[..e].to_owned())
    });
    let inner = &rest[open_end + 1..];
    let inner = inner.rfind("</h2>").map_or(inner, |e| &inner[..e]);
    Some((id, strip_tags(inner)))
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match (c, in_tag) {
            ('<', _) => in_tag = true,
            ('>', true) => in_tag = false,
            (_, false) => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .trim()
        .to_owned()
}

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Splits HTML into its top-level elements (text between them is kept with the next element).
fn top_level_elements(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0usize;
    let mut i = 0usize;
    let bytes = html.as_bytes();
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        let Some(end) = html[i..].find('>').map(|e| i + e + 1) else { break };
        let tag = &html[i + 1..end - 1];
        if tag.starts_with('!') || tag.starts_with('?') {
            i = end;
            continue;
        }
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let self_closing = tag.ends_with('/') || VOID.contains(&name.as_str());
        if closing {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                out.push(html[start..end].trim());
                start = end;
            }
        } else if self_closing {
            if depth == 0 {
                out.push(html[start..end].trim());
                start = end;
            }
        } else {
            if depth == 0 {
                let text = html[start..i].trim();
                if !text.is_empty() {
                    out.push(text);
                }
                start = i;
            }
            depth += 1;
        }
        i = end;
    }
    let tail = html[start..].trim();
    if !tail.is_empty() {
        out.push(tail);
    }
    out
}

/// Parses an item file (publisher or frontend shape) and builds its JSON-LD.
pub fn json_ld_for_file(bytes: &[u8], website_root: &str) -> Result<Value, serde_json::Error> {
    json_ld_for_file_with(bytes, website_root, Vec::new())
}

/// Like [`json_ld_for_file`], naming the organisations of a publisher item (whose links are bare ids).
/// A frontend item's own expanded organisations are used when `organisations` is empty.
pub fn json_ld_for_file_with(
    bytes: &[u8],
    website_root: &str,
    organisations: Vec<Organisation>,
) -> Result<Value, serde_json::Error> {
    match PublisherItem::from_json(bytes) {
        Ok(item) => Ok(json_ld(&Page::from_publisher(&item, organisations), website_root)),
        Err(publisher_err) => match FrontendItem::from_json(bytes) {
            Ok(item) => {
                let mut page = Page::from_frontend(&item, website_root);
                if !organisations.is_empty() {
                    page.organisations = organisations;
                }
                Ok(json_ld(&page, website_root))
            }
            Err(_) => Err(publisher_err),
        },
    }
}
