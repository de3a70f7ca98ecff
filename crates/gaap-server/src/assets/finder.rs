//! `GET /address-finder`: the GOV.UK postcode-then-select pattern as plain GET forms that work with
//! JavaScript off, and the finder script enhancing the same page when it is on.
//!
//! * no parameters: the postcode form;
//! * `?postcode=`: the addresses there in a `<select name="uprn">` with "Use this address", or the
//!   postcode form with GOV.UK's error message;
//! * `?uprn=` (the plain form) or `?address_uprn=` (the finder's hidden input): the chosen address.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gaap_address::{Address, Postcode, Uprn};
use serde::Deserialize;
use std::fmt::Write as _;

use super::html::{error_message, error_summary, escape, page, query_value};
use crate::state::AppState;

/// The page's Content-Security-Policy: the page's own files only, no inline script or style, no framing.
pub(crate) const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; \
     connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

const ENTER_POSTCODE: &str = "Enter a postcode";
const REAL_POSTCODE: &str = "Enter a real postcode";
const NO_ADDRESSES: &str = "We could not find any addresses for that postcode";
const SELECT_ADDRESS: &str = "Select an address";

/// The parameters every step may carry.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct FinderQuery {
    postcode: Option<String>,
    uprn: Option<String>,
    address_uprn: Option<String>,
}

/// What the page shows.
#[derive(Debug)]
pub(crate) enum View {
    /// The postcode form, with what was typed and an error.
    Start { typed: String, error: Option<&'static str> },
    /// The addresses at a postcode.
    Choose { postcode: Postcode, addresses: Vec<Address>, error: bool },
    /// The chosen address.
    Chosen { address: Box<Address> },
    /// The index is still loading.
    Unavailable,
}

/// Decides the view from the parameters and the index (`None` while it loads).
pub(crate) fn view(query: &FinderQuery, index: Option<&gaap_address::Index>) -> View {
    let uprn = query
        .uprn
        .as_deref()
        .or(query.address_uprn.as_deref())
        .map(str::trim)
        .filter(|u| !u.is_empty());
    let chose_nothing = query.uprn.is_some() || query.address_uprn.is_some();
    if let Some(uprn) = uprn {
        let Some(index) = index else { return View::Unavailable };
        if let Some(address) = Uprn::parse(uprn).ok().and_then(|u| index.by_uprn(u)) {
            return View::Chosen { address: Box::new(address) };
        }
    }
    let Some(typed) = query.postcode.as_deref() else {
        return View::Start { typed: String::new(), error: None };
    };
    let start = |error| View::Start { typed: typed.trim().to_owned(), error: Some(error) };
    if typed.trim().is_empty() {
        return start(ENTER_POSTCODE);
    }
    let Ok(postcode) = Postcode::parse_fixed(typed.trim()) else {
        return start(REAL_POSTCODE);
    };
    let Some(index) = index else { return View::Unavailable };
    let addresses = index.by_postcode(&postcode);
    if addresses.is_empty() {
        return start(NO_ADDRESSES);
    }
    View::Choose { postcode, addresses, error: chose_nothing }
}

/// The opening of the finder element: the script replaces what is inside it.
fn finder_open(postcode: &str) -> String {
    format!(
        "<form method=\"get\" action=\"address-finder\" novalidate>\n\
         <div data-gaap-address-finder data-name=\"address\" data-submit-text=\"Use this address\" \
         data-postcode=\"{}\">\n",
        escape(postcode)
    )
}

const FINDER_CLOSE: &str = "</div>\n</form>\n";

const HEADING: &str = "<h1 class=\"govuk-heading-l\">Find an address</h1>\n";

fn start_html(typed: &str, error: Option<&str>) -> String {
    let mut html = String::new();
    if let Some(message) = error {
        html.push_str(&error_summary("address-postcode", message));
    }
    html.push_str(HEADING);
    html.push_str(&finder_open(typed));
    let group = if error.is_some() { " govuk-form-group--error" } else { "" };
    let input = if error.is_some() { " govuk-input--error" } else { "" };
    let described = if error.is_some() {
        "address-postcode-hint address-postcode-error"
    } else {
        "address-postcode-hint"
    };
    let _ = write!(
        html,
        "<div class=\"govuk-form-group{group}\">\n\
         <label class=\"govuk-label govuk-label--s\" for=\"address-postcode\">Postcode</label>\n\
         <div class=\"govuk-hint\" id=\"address-postcode-hint\">For example, SW1A 2AA</div>\n"
    );
    if let Some(message) = error {
        html.push_str(&error_message("address-postcode-error", message));
    }
    let _ = write!(
        html,
        "<input class=\"govuk-input govuk-input--width-10{input}\" id=\"address-postcode\" name=\"postcode\" \
         type=\"text\" autocomplete=\"postal-code\" spellcheck=\"false\" value=\"{value}\" \
         aria-describedby=\"{described}\">\n</div>\n\
         <button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">Find address</button>\n",
        value = escape(typed),
    );
    html.push_str(FINDER_CLOSE);
    html
}

fn choose_html(postcode: Postcode, addresses: &[Address], error: bool) -> String {
    let pc = postcode.to_string();
    let mut html = String::new();
    if error {
        html.push_str(&error_summary("address-select", SELECT_ADDRESS));
    }
    html.push_str(HEADING);
    html.push_str(&finder_open(&pc));
    let _ = write!(
        html,
        "<p class=\"govuk-body\">Postcode: <strong>{pc}</strong> \
         <a class=\"govuk-link\" href=\"address-finder?postcode={q}\">Change<span \
         class=\"govuk-visually-hidden\"> postcode</span></a></p>\n\
         <input type=\"hidden\" name=\"postcode\" value=\"{pc}\">\n",
        pc = escape(&pc),
        q = query_value(&pc),
    );
    let group = if error { " govuk-form-group--error" } else { "" };
    let select = if error { " govuk-select--error" } else { "" };
    let _ = writeln!(
        html,
        "<div class=\"govuk-form-group{group}\">\n\
         <label class=\"govuk-label govuk-label--s\" for=\"address-select\">Select an address</label>"
    );
    if error {
        html.push_str(&error_message("address-select-error", SELECT_ADDRESS));
    }
    let described = if error { " aria-describedby=\"address-select-error\"" } else { "" };
    let count = if addresses.len() == 1 {
        "1 address found".to_owned()
    } else {
        format!("{} addresses found", addresses.len())
    };
    let _ = writeln!(
        html,
        "<select class=\"govuk-select{select}\" id=\"address-select\" name=\"uprn\"{described}>\n\
         <option value=\"\">{count}</option>"
    );
    for address in addresses {
        let _ = writeln!(
            html,
            "<option value=\"{}\">{}</option>",
            address.uprn,
            escape(&address.single_line())
        );
    }
    html.push_str(
        "</select>\n</div>\n\
         <button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">Use this address</button>\n",
    );
    html.push_str(FINDER_CLOSE);
    html
}

fn chosen_html(address: &Address) -> String {
    let mut lines: Vec<String> = address.lines().iter().map(|l| escape(l)).collect();
    if let Some(pc) = address.postcode {
        lines.push(escape(&pc.to_string()));
    }
    format!(
        "<h1 class=\"govuk-heading-l\">Your address</h1>\n\
         <dl class=\"govuk-summary-list\">\n\
         <div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">Address</dt>\
         <dd class=\"govuk-summary-list__value\" id=\"chosen-address\">{lines}</dd></div>\n\
         <div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">UPRN</dt>\
         <dd class=\"govuk-summary-list__value\" id=\"chosen-uprn\">{uprn}</dd></div>\n\
         </dl>\n\
         <p class=\"govuk-body\"><a class=\"govuk-link\" href=\"address-finder\">Find another address</a></p>\n",
        lines = lines.join("<br>"),
        uprn = address.uprn,
    )
}

const UNAVAILABLE_HTML: &str = "<h1 class=\"govuk-heading-l\">Sorry, there is a problem with the service</h1>\n\
     <p class=\"govuk-body\">Try again later.</p>\n";

/// Renders a view as its status and whole page.
pub(crate) fn render(view: &View) -> (StatusCode, String) {
    let (status, html) = match view {
        View::Start { typed, error } => {
            (StatusCode::OK, page("Find an address", error.is_some(), &start_html(typed, *error)))
        }
        View::Choose { postcode, addresses, error } => (
            StatusCode::OK,
            page("Select an address", *error, &choose_html(*postcode, addresses, *error)),
        ),
        View::Chosen { address } => {
            (StatusCode::OK, page("Your address", false, &chosen_html(address)))
        }
        View::Unavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            page("Sorry, there is a problem with the service", false, UNAVAILABLE_HTML),
        ),
    };
    (status, html)
}

/// Sets the headers of every page: strict CSP, no framing, no referrer, not cached.
pub(crate) fn page_response(status: StatusCode, html: String) -> Response {
    let mut response = (status, html).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /address-finder`.
pub(crate) async fn page_handler(
    State(state): State<AppState>,
    query: Result<Query<FinderQuery>, QueryRejection>,
) -> Response {
    // A query that does not parse (a repeated key) is treated as none: the reason stays on the server.
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let loaded = state.index.get();
    let view = view(&query, loaded.as_ref().map(|l| &*l.index));
    let (status, html) = render(&view);
    page_response(status, html)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(postcode: Option<&str>, uprn: Option<&str>) -> FinderQuery {
        FinderQuery {
            postcode: postcode.map(str::to_owned),
            uprn: uprn.map(str::to_owned),
            address_uprn: None,
        }
    }

    fn westminster() -> (Postcode, Vec<Address>) {
        let index = gaap_address::embedded();
        index
            .postcodes()
            .iter()
            .map(|r| (r.postcode, index.by_postcode(&r.postcode)))
            .find(|(_, a)| !a.is_empty())
            .unwrap()
    }

    #[test]
    fn typed_text_is_escaped_back_into_the_form() {
        let typed = "\"><script>alert(1)</script>";
        let view = view(&q(Some(typed), None), Some(gaap_address::embedded()));
        let (status, html) = render(&view);
        assert_eq!(status, StatusCode::OK);
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(html.contains("value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""));
        assert!(html.contains("data-postcode=\"&quot;&gt;&lt;script&gt;"));
        assert!(html.contains("<title>Error: Find an address - Address finder</title>"));
        assert!(html.contains("Enter a real postcode"));
        assert!(html.contains("<a href=\"#address-postcode\">Enter a real postcode</a>"));
    }

    #[test]
    fn address_text_is_escaped_in_the_options() {
        let (postcode, mut addresses) = westminster();
        addresses[0].organisation = Some("<b>Tom & Jerry's</b>".into());
        let html = choose_html(postcode, &addresses, false);
        assert!(html.contains("&lt;b&gt;Tom &amp; Jerry&#39;s&lt;/b&gt;, "), "{html}");
        assert!(!html.contains("<b>"));
        let chosen = chosen_html(&addresses[0]);
        assert!(!chosen.contains("<b>"), "{chosen}");
    }

    #[test]
    fn each_step_of_the_plain_forms() {
        let index = Some(gaap_address::embedded());
        assert!(matches!(view(&q(None, None), index), View::Start { error: None, .. }));
        assert!(matches!(
            view(&q(Some("  "), None), index),
            View::Start { error: Some(ENTER_POSTCODE), .. }
        ));
        assert!(matches!(
            view(&q(Some("SW12 1ZZ"), None), index),
            View::Start { error: Some(NO_ADDRESSES), .. }
        ));
        let (postcode, addresses) = westminster();
        let compact = postcode.compact().to_lowercase();
        let View::Choose { addresses: found, error: false, .. } =
            view(&q(Some(&compact), None), index)
        else {
            panic!("expected the address list");
        };
        assert_eq!(found.len(), addresses.len());
        assert!(matches!(
            view(&q(Some(&compact), Some("")), index),
            View::Choose { error: true, .. }
        ));
        let uprn = addresses[0].uprn.to_string();
        let View::Chosen { address } = view(&q(Some(&compact), Some(&uprn)), index) else {
            panic!("expected the chosen address");
        };
        assert_eq!(address.uprn, addresses[0].uprn);
        let by_finder = FinderQuery { postcode: None, uprn: None, address_uprn: Some(uprn) };
        assert!(matches!(view(&by_finder, index), View::Chosen { .. }));
        assert!(matches!(view(&q(Some(&compact), None), None), View::Unavailable));
    }

    #[test]
    fn the_unavailable_page_says_nothing_of_why() {
        let (status, html) = render(&View::Unavailable);
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(html.contains("Sorry, there is a problem with the service"));
        assert!(!html.contains("index"));
    }

    #[test]
    fn pages_carry_a_strict_policy() {
        let response = page_response(StatusCode::OK, String::from("<p>x</p>"));
        let h = response.headers();
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.starts_with("default-src 'self'"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(h[header::CONTENT_TYPE], "text/html; charset=utf-8");
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
    }
}
