//! GOV.UK Frontend markup: the page template and the few components the examples use.
//!
//! The markup follows the GOV.UK Design System (classes, labels tied to inputs, error summary, back link,
//! panel), styled by GOV.UK Frontend's stylesheet ([`STYLESHEET`]), which is compiled in so a fresh clone
//! needs no npm step.

use std::fmt::Write as _;

/// GOV.UK Frontend's built stylesheet, served at `/assets/govuk-frontend.min.css`.
///
/// It is the copy gaap-server vendors (`crates/gaap-server/assets/vendor/govuk-frontend/`, MIT, with its
/// `LICENSE.txt` and a `NOTICE.md` beside it), so the workspace holds one copy for the server and the examples.
/// Its `@font-face` rules are removed: GOV.UK's typeface, GDS Transport, is for GOV.UK only, so text falls
/// back to Arial, the next font in GOV.UK Frontend's stack.
pub const STYLESHEET: &str =
    include_str!("../../crates/gaap-server/assets/vendor/govuk-frontend/govuk-frontend.min.css");

/// Escapes text for an HTML text node or a quoted attribute value.
#[must_use]
pub fn escape(text: &str) -> String {
    gaap_html::Escape::Html.escape(text)
}

/// One page: the service name in the header, an optional back link, and the main content (trusted HTML).
#[derive(Debug, Clone)]
pub struct Page<'a> {
    /// The service name shown in the header and the `<title>`.
    pub service: &'a str,
    /// The page title (before the service name in `<title>`).
    pub title: &'a str,
    /// Where the back link goes, if the page has one.
    pub back: Option<&'a str>,
    /// Whether the page reports an error (the `<title>` then starts with "Error: ").
    pub error: bool,
    /// The main content, already HTML.
    pub main: String,
    /// Whether to link the govuk-frontend stylesheet served under `/assets/`.
    pub stylesheet: bool,
    /// For a signed-in visitor, the CSRF token of the "Sign out" form in the service navigation.
    pub sign_out_csrf: Option<&'a str>,
}

impl Page<'_> {
    /// Renders the whole HTML document.
    #[must_use]
    pub fn render(&self) -> String {
        let mut html = String::with_capacity(self.main.len() + 2048);
        let error = if self.error { "Error: " } else { "" };
        // GOV.UK titles: "Page title - Service name - GOV.UK", the page title left out on the start page.
        let title = if self.title == self.service {
            format!("{error}{} - GOV.UK", escape(self.service))
        } else {
            format!("{error}{} - {} - GOV.UK", escape(self.title), escape(self.service))
        };
        let _ = write!(
            html,
            "<!DOCTYPE html>\n<html lang=\"en\" class=\"govuk-template\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>{title}</title>\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1, viewport-fit=cover\">\n",
        );
        if self.stylesheet {
            html.push_str("<link rel=\"stylesheet\" href=\"/assets/govuk-frontend.min.css\">\n");
        }
        let _ = write!(
            html,
            "</head>\n<body class=\"govuk-template__body\">\n\
             <a href=\"#main-content\" class=\"govuk-skip-link\">Skip to main content</a>\n\
             <header class=\"govuk-template__header\">\n\
             <div class=\"govuk-header\">\n<div class=\"govuk-header__container govuk-width-container\">\n\
             <div class=\"govuk-header__logo\"><a href=\"/\" class=\"govuk-header__homepage-link\">GOV.UK</a></div>\n\
             </div>\n</div>\n\
             <section class=\"govuk-service-navigation\" aria-label=\"Service information\">\n\
             <div class=\"govuk-width-container\"><div class=\"govuk-service-navigation__container\">\n\
             <span class=\"govuk-service-navigation__service-name\"><a href=\"/\" class=\"govuk-service-navigation__link\">{service}</a></span>\n{sign_out}\
             </div></div>\n</section>\n</header>\n\
             <div class=\"govuk-width-container\">\n",
            service = escape(self.service),
            sign_out = self.sign_out_csrf.map(sign_out_form).unwrap_or_default(),
        );
        if let Some(back) = self.back {
            let _ =
                writeln!(html, "<a href=\"{}\" class=\"govuk-back-link\">Back</a>", escape(back));
        }
        let _ = write!(
            html,
            "<main class=\"govuk-main-wrapper\" id=\"main-content\">\n<div class=\"govuk-grid-row\">\n\
             <div class=\"govuk-grid-column-two-thirds\">\n{main}\n</div>\n</div>\n</main>\n</div>\n\
             <footer class=\"govuk-footer\">\n<div class=\"govuk-width-container\">\n\
             <div class=\"govuk-footer__meta\"><div class=\"govuk-footer__meta-item govuk-footer__meta-item--grow\">\n\
             <p class=\"govuk-body-s\">An example service built with gaap. All data is synthetic; no real payments are taken.</p>\n\
             </div></div>\n</div>\n</footer>\n</body>\n</html>\n",
            main = self.main,
        );
        html
    }
}

/// An error summary linking each message to its field (`(field id, message)` pairs).
#[must_use]
pub fn error_summary(errors: &[(&str, &str)]) -> String {
    let mut html = String::from(
        "<div class=\"govuk-error-summary\" data-module=\"govuk-error-summary\">\n<div role=\"alert\">\n\
         <h2 class=\"govuk-error-summary__title\">There is a problem</h2>\n\
         <div class=\"govuk-error-summary__body\">\n<ul class=\"govuk-list govuk-error-summary__list\">\n",
    );
    for (field, message) in errors {
        let _ = writeln!(html, "<li><a href=\"#{}\">{}</a></li>", escape(field), escape(message));
    }
    html.push_str("</ul>\n</div>\n</div>\n</div>\n");
    html
}

/// A text input whose label is the page heading, with an optional error message.
#[must_use]
pub fn text_input_page(
    id: &str,
    heading: &str,
    hint: &str,
    value: &str,
    error: Option<&str>,
) -> String {
    let mut html = String::new();
    let group = if error.is_some() { " govuk-form-group--error" } else { "" };
    let _ = write!(
        html,
        "<div class=\"govuk-form-group{group}\">\n<h1 class=\"govuk-label-wrapper\">\
         <label class=\"govuk-label govuk-label--l\" for=\"{id}\">{heading}</label></h1>\n\
         <div id=\"{id}-hint\" class=\"govuk-hint\">{hint}</div>\n",
        id = escape(id),
        heading = escape(heading),
        hint = escape(hint),
    );
    let mut described = format!("{}-hint", escape(id));
    let mut input_class = "govuk-input govuk-input--width-10";
    if let Some(message) = error {
        let _ = writeln!(
            html,
            "<p id=\"{id}-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">Error:</span> {message}</p>",
            id = escape(id),
            message = escape(message),
        );
        let _ = write!(described, " {}-error", escape(id));
        input_class = "govuk-input govuk-input--width-10 govuk-input--error";
    }
    let _ = write!(
        html,
        "<input class=\"{input_class}\" id=\"{id}\" name=\"{id}\" type=\"text\" value=\"{value}\" \
         autocomplete=\"postal-code\" spellcheck=\"false\" aria-describedby=\"{described}\">\n</div>\n",
        id = escape(id),
        value = escape(value),
    );
    html
}

/// Radios whose legend is the page heading (`(value, label)` pairs), with an optional error message.
#[must_use]
pub fn radios_page(
    name: &str,
    heading: &str,
    options: &[(String, String)],
    error: Option<&str>,
) -> String {
    let mut html = String::new();
    let group = if error.is_some() { " govuk-form-group--error" } else { "" };
    let described = if error.is_some() {
        format!(" aria-describedby=\"{}-error\"", escape(name))
    } else {
        String::new()
    };
    let _ = write!(
        html,
        "<div class=\"govuk-form-group{group}\">\n<fieldset class=\"govuk-fieldset\"{described}>\n\
         <legend class=\"govuk-fieldset__legend govuk-fieldset__legend--l\">\
         <h1 class=\"govuk-fieldset__heading\">{heading}</h1></legend>\n",
        heading = escape(heading),
    );
    if let Some(message) = error {
        let _ = writeln!(
            html,
            "<p id=\"{name}-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">Error:</span> {message}</p>",
            name = escape(name),
            message = escape(message),
        );
    }
    html.push_str("<div class=\"govuk-radios\" data-module=\"govuk-radios\">\n");
    for (index, (value, label)) in options.iter().enumerate() {
        // The first radio carries the bare name as its id so the error summary can link to it.
        let id = if index == 0 { escape(name) } else { format!("{}-{}", escape(name), index + 1) };
        let _ = writeln!(
            html,
            "<div class=\"govuk-radios__item\">\
             <input class=\"govuk-radios__input\" id=\"{id}\" name=\"{name}\" type=\"radio\" value=\"{value}\">\
             <label class=\"govuk-label govuk-radios__label\" for=\"{id}\">{label}</label></div>",
            name = escape(name),
            value = escape(value),
            label = escape(label),
        );
    }
    html.push_str("</div>\n</fieldset>\n</div>\n");
    html
}

/// A confirmation panel with a title and a body line that carries a reference.
#[must_use]
pub fn panel(title: &str, body_label: &str, reference: &str) -> String {
    format!(
        "<div class=\"govuk-panel govuk-panel--confirmation\">\n<h1 class=\"govuk-panel__title\">{}</h1>\n\
         <div class=\"govuk-panel__body\">{}<br><strong id=\"payment-reference\">{}</strong></div>\n</div>\n",
        escape(title),
        escape(body_label),
        escape(reference),
    )
}

/// A summary list of `(key, value)` rows.
#[must_use]
pub fn summary_list(rows: &[(&str, String)]) -> String {
    let mut html = String::from("<dl class=\"govuk-summary-list\">\n");
    for (key, value) in rows {
        let _ = writeln!(
            html,
            "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">{}</dt>\
             <dd class=\"govuk-summary-list__value\">{}</dd></div>",
            escape(key),
            escape(value),
        );
    }
    html.push_str("</dl>\n");
    html
}

/// The hidden field that carries a form's CSRF token.
fn csrf_field(csrf: &str) -> String {
    format!("<input type=\"hidden\" name=\"csrf_token\" value=\"{}\">\n", escape(csrf))
}

/// A POST form to `action` with the session's CSRF token, the fields and a submit button.
#[must_use]
pub fn form(action: &str, csrf: &str, fields: &str, button: &str) -> String {
    format!(
        "<form action=\"{}\" method=\"post\" novalidate>\n{}{fields}\
         <button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">{}</button>\n</form>\n",
        escape(action),
        csrf_field(csrf),
        escape(button),
    )
}

/// The "Sign out" form in the service navigation: sign-out changes state, so it is a POST with the token.
fn sign_out_form(csrf: &str) -> String {
    format!(
        "<nav aria-label=\"Menu\" class=\"govuk-service-navigation__wrapper\">\
         <ul class=\"govuk-service-navigation__list\"><li class=\"govuk-service-navigation__item\">\
         <form action=\"/sign-out\" method=\"post\" novalidate>\n{}\
         <button type=\"submit\" id=\"sign-out\" class=\"govuk-button govuk-button--secondary govuk-!-margin-bottom-0\" \
         data-module=\"govuk-button\">Sign out</button></form></li></ul></nav>\n",
        csrf_field(csrf)
    )
}

/// A paragraph of body text.
#[must_use]
pub fn p(text: &str) -> String {
    format!("<p class=\"govuk-body\">{}</p>\n", escape(text))
}

/// A link styled as a GOV.UK link, inside a paragraph.
#[must_use]
pub fn link_p(href: &str, text: &str) -> String {
    format!(
        "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"{}\">{}</a></p>\n",
        escape(href),
        escape(text)
    )
}

/// Formats pence as pounds, `£1,234.56`, with [`gaap_pay::Money`]'s `Display`, the one money format of gaap's
/// pages (GOV.UK Pay's sandbox card pages use it too).
#[must_use]
pub fn pounds(pence: u64) -> String {
    match i64::try_from(pence) {
        Ok(pence) => gaap_pay::Money::from_pence(pence).to_string(),
        // Beyond i64: no bill is this large, but the text is still right.
        Err(_) => format!("£{}.{:02}", pence / 100, pence % 100),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn pounds_groups_thousands() {
        assert_eq!(pounds(0), "£0.00");
        assert_eq!(pounds(5), "£0.05");
        assert_eq!(pounds(123_456), "£1,234.56");
        assert_eq!(pounds(100_000_000), "£1,000,000.00");
    }

    #[test]
    fn error_summary_links_each_field() {
        let html = error_summary(&[("postcode", "Enter a real postcode")]);
        assert!(html.contains("<a href=\"#postcode\">Enter a real postcode</a>"));
        assert!(html.contains("role=\"alert\""));
    }

    #[test]
    fn input_with_error_is_described_by_its_message() {
        let html = text_input_page(
            "postcode",
            "What is your postcode?",
            "For example, SW1A 1AA",
            "zz",
            Some("Bad"),
        );
        assert!(html.contains("aria-describedby=\"postcode-hint postcode-error\""));
        assert!(html.contains("govuk-input--error"));
        assert!(html.contains("value=\"zz\""));
    }
}
