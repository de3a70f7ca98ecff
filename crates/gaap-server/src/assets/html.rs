//! The demonstration page's HTML: GOV.UK Frontend markup written as strings, every dynamic value escaped
//! here. URLs are relative, so the page works behind a proxy that serves the server under a path.

use std::fmt::Write as _;

pub(crate) use crate::markup::escape;

/// Percent-encodes a query value (everything but unreserved characters).
pub(crate) fn query_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The service name in the header and the `<title>`.
pub(crate) const SERVICE: &str = "Address finder";

/// A whole page: `main` is trusted HTML built by this module's callers from escaped parts.
pub(crate) fn page(title: &str, error: bool, main: &str) -> String {
    let mut html = String::with_capacity(main.len() + 2048);
    let prefix = if error { "Error: " } else { "" };
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\" class=\"govuk-template\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{prefix}{title} - {SERVICE}</title>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1, viewport-fit=cover\">\n\
         <link rel=\"stylesheet\" href=\"assets/gaap-address-finder.css\">\n\
         <script src=\"assets/gaap-address-finder.js\" defer></script>\n\
         </head>\n<body class=\"govuk-template__body\">\n\
         <a href=\"#main-content\" class=\"govuk-skip-link\">Skip to main content</a>\n\
         <header>\n<section class=\"govuk-service-navigation\" aria-label=\"Service information\">\n\
         <div class=\"govuk-width-container\"><div class=\"govuk-service-navigation__container\">\n\
         <span class=\"govuk-service-navigation__service-name\">\
         <a href=\"address-finder\" class=\"govuk-service-navigation__link\">{SERVICE}</a></span>\n\
         </div></div>\n</section>\n</header>\n\
         <div class=\"govuk-width-container\">\n\
         <main class=\"govuk-main-wrapper\" id=\"main-content\">\n<div class=\"govuk-grid-row\">\n\
         <div class=\"govuk-grid-column-two-thirds\">\n{main}</div>\n</div>\n</main>\n</div>\n\
         <footer class=\"govuk-footer\">\n<div class=\"govuk-width-container\">\n\
         <div class=\"govuk-footer__meta\"><div class=\"govuk-footer__meta-item govuk-footer__meta-item--grow\">\n\
         <p class=\"govuk-body-s\">A demonstration of the gaap address finder, which a council page adds \
         with one script and one element. It works without JavaScript too.</p>\n\
         </div></div>\n</div>\n</footer>\n</body>\n</html>\n",
        title = escape(title),
    );
    html
}

/// An error summary linking one message to its field.
pub(crate) fn error_summary(field_id: &str, message: &str) -> String {
    format!(
        "<div class=\"govuk-error-summary\" data-module=\"govuk-error-summary\">\n<div role=\"alert\">\n\
         <h2 class=\"govuk-error-summary__title\">There is a problem</h2>\n\
         <div class=\"govuk-error-summary__body\">\n<ul class=\"govuk-list govuk-error-summary__list\">\n\
         <li><a href=\"#{id}\">{message}</a></li>\n</ul>\n</div>\n</div>\n</div>\n",
        id = escape(field_id),
        message = escape(message),
    )
}

/// A field's error message, the visually hidden "Error:" first.
pub(crate) fn error_message(id: &str, message: &str) -> String {
    format!(
        "<p class=\"govuk-error-message\" id=\"{id}\"><span class=\"govuk-visually-hidden\">Error:</span> \
         {message}</p>\n",
        id = escape(id),
        message = escape(message),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_text_and_attributes() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(escape("SW1A 1AA"), "SW1A 1AA");
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(query_value("SW1A 1AA"), "SW1A%201AA");
        assert_eq!(query_value("a&b=c\"<"), "a%26b%3Dc%22%3C");
    }

    #[test]
    fn the_page_escapes_its_title_and_marks_errors() {
        let html = page("<b>Find</b>", true, "<p>main</p>\n");
        assert!(html.contains("<title>Error: &lt;b&gt;Find&lt;/b&gt; - Address finder</title>"));
        assert!(!html.contains("<b>Find</b>"));
        assert!(html.contains("<p>main</p>"));
        assert!(html.contains("<script src=\"assets/gaap-address-finder.js\" defer></script>"));
        assert!(!html.contains("<script>"), "no inline script");
        assert!(!html.contains("style="), "no inline style");
    }

    #[test]
    fn error_parts_escape_their_text() {
        let summary = error_summary("a\"b", "<i>bad</i>");
        assert!(summary.contains("href=\"#a&quot;b\""));
        assert!(summary.contains("&lt;i&gt;bad&lt;/i&gt;"));
        let message = error_message("x-error", "Enter <a> postcode");
        assert!(message.contains("Error:</span> Enter &lt;a&gt; postcode"));
    }
}
