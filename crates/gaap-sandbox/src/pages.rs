//! The GOV.UK look of the sandbox's own pages: One Login's sign-in page and Pay's card pages.
//!
//! They use GOV.UK Frontend's stylesheet, compiled in from `assets/vendor/govuk-frontend/` (MIT; its licence and
//! a notice of where it came from sit beside it), and served by each of those servers at [`STYLESHEET_PATH`], so
//! a fresh clone is styled with no npm step. The stylesheet has no `@font-face` rules: GOV.UK's typeface is for
//! GOV.UK only, so text falls back to Arial, the next font in GOV.UK Frontend's stack.

use std::fmt::Write as _;

use axum::http::header;
use axum::response::{Html, IntoResponse, Response};

/// Where the sandbox's One Login and Pay servers serve the stylesheet.
pub(crate) const STYLESHEET_PATH: &str = "/assets/govuk-frontend.min.css";

/// GOV.UK Frontend's built stylesheet (without its fonts).
const STYLESHEET: &str = include_str!("../assets/vendor/govuk-frontend/govuk-frontend.min.css");

/// `GET /assets/govuk-frontend.min.css`.
pub(crate) async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        STYLESHEET,
    )
        .into_response()
}

/// Escapes text for an HTML text node or a quoted attribute value.
pub(crate) fn esc(s: &str) -> String {
    gaap_html::Escape::Html.escape(s)
}

/// A whole page in the GOV.UK template: the header, `product` (e.g. "GOV.UK Pay sandbox") in the service
/// navigation, a banner saying what the sandbox does not do (`notice`), the `title` as the heading, then `main`
/// (trusted HTML).
pub(crate) fn page(product: &str, notice: &str, title: &str, main: &str) -> Html<String> {
    let mut html = String::with_capacity(main.len() + 2048);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\" class=\"govuk-template\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title} - {product}</title>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1, viewport-fit=cover\">\n\
         <link rel=\"stylesheet\" href=\"{STYLESHEET_PATH}\">\n</head>\n\
         <body class=\"govuk-template__body\">\n\
         <a href=\"#main-content\" class=\"govuk-skip-link\">Skip to main content</a>\n\
         <header class=\"govuk-template__header\">\n<div class=\"govuk-header\">\n\
         <div class=\"govuk-header__container govuk-width-container\">\n\
         <div class=\"govuk-header__logo\"><span class=\"govuk-header__homepage-link\">GOV.UK</span></div>\n\
         </div>\n</div>\n\
         <section class=\"govuk-service-navigation\" aria-label=\"Service information\">\n\
         <div class=\"govuk-width-container\"><div class=\"govuk-service-navigation__container\">\n\
         <span class=\"govuk-service-navigation__service-name\">{product}</span>\n\
         </div></div>\n</section>\n</header>\n\
         <div class=\"govuk-width-container\">\n\
         <div class=\"govuk-phase-banner\"><p class=\"govuk-phase-banner__content\">\
         <strong class=\"govuk-tag govuk-phase-banner__content__tag\">Sandbox</strong>\
         <span class=\"govuk-phase-banner__text\">{notice}</span></p></div>\n\
         <main class=\"govuk-main-wrapper\" id=\"main-content\">\n<div class=\"govuk-grid-row\">\n\
         <div class=\"govuk-grid-column-two-thirds\">\n<h1 class=\"govuk-heading-l\">{title}</h1>\n{main}\n\
         </div>\n</div>\n</main>\n</div>\n</body>\n</html>\n",
        title = esc(title),
        product = esc(product),
        notice = esc(notice),
    );
    Html(html)
}

/// A paragraph of (escaped) text.
pub(crate) fn p(text: &str) -> String {
    format!("<p class=\"govuk-body\">{}</p>\n", esc(text))
}

/// A text input in its form group. `extra` holds further attributes (trusted), e.g. `autocomplete="cc-number"`.
pub(crate) fn text_input(id: &str, label: &str, value: &str, width: &str, extra: &str) -> String {
    let width = if width.is_empty() { String::new() } else { format!(" govuk-input--{width}") };
    format!(
        "<div class=\"govuk-form-group\"><label class=\"govuk-label\" for=\"{id}\">{}</label>\
         <input class=\"govuk-input{width}\" id=\"{id}\" name=\"{id}\" type=\"text\" value=\"{}\"{extra}></div>\n",
        esc(label),
        esc(value),
    )
}

/// A fieldset of radios or checkboxes (`kind` is `radio` or `checkbox`): `(value, label, checked)` items.
pub(crate) fn choices(
    kind: &str,
    name: &str,
    legend: &str,
    items: &[(String, String, bool)],
) -> String {
    let class = if kind == "radio" { "radios" } else { "checkboxes" };
    let mut html = format!(
        "<div class=\"govuk-form-group\"><fieldset class=\"govuk-fieldset\">\
         <legend class=\"govuk-fieldset__legend govuk-fieldset__legend--m\">{}</legend>\
         <div class=\"govuk-{class} govuk-{class}--small\">",
        esc(legend)
    );
    for (index, (value, label, checked)) in items.iter().enumerate() {
        let id = format!("{name}-{index}");
        let _ = write!(
            html,
            "<div class=\"govuk-{class}__item\"><input class=\"govuk-{class}__input\" id=\"{id}\" name=\"{}\" \
             type=\"{kind}\" value=\"{}\"{}><label class=\"govuk-label govuk-{class}__label\" for=\"{id}\">{}</label></div>",
            esc(name),
            esc(value),
            if *checked { " checked" } else { "" },
            esc(label),
        );
    }
    html.push_str("</div></fieldset></div>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_links_the_stylesheet_and_escapes_its_text() {
        let Html(html) =
            page("GOV.UK Pay sandbox", "No real money moves.", "Pay <Ada>", "<p>x</p>");
        assert!(html.contains("<link rel=\"stylesheet\" href=\"/assets/govuk-frontend.min.css\">"));
        assert!(html.contains("<h1 class=\"govuk-heading-l\">Pay &lt;Ada&gt;</h1>"), "{html}");
        assert!(html.contains("<title>Pay &lt;Ada&gt; - GOV.UK Pay sandbox</title>"));
        assert!(html.contains("class=\"govuk-header\""));
        assert!(html.contains("<p>x</p>"));
    }

    #[test]
    fn the_stylesheet_is_govuk_frontend_without_fonts() {
        assert!(STYLESHEET.contains(".govuk-header{"));
        assert!(!STYLESHEET.contains("@font-face"));
    }

    #[test]
    fn choices_tie_each_label_to_its_input() {
        let html = choices(
            "radio",
            "outcome",
            "Outcome",
            &[("success".into(), "Sign in".into(), true), ("a\"b".into(), "<b>".into(), false)],
        );
        assert!(html.contains(
            "id=\"outcome-0\" name=\"outcome\" type=\"radio\" value=\"success\" checked>"
        ));
        assert!(html.contains("for=\"outcome-0\">Sign in</label>"));
        assert!(html.contains("value=\"a&quot;b\">"), "{html}");
        assert!(html.contains(">&lt;b&gt;</label>"));
        assert!(html.contains("govuk-radios__input"));
        let boxes = choices("checkbox", "x", "X", &[("v".into(), "v".into(), false)]);
        assert!(boxes.contains("govuk-checkboxes__input"));
    }
}
