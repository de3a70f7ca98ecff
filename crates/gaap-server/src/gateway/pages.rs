//! The gateway's own pages, in GOV.UK Frontend markup: sign-in problems, upstream failures, sign-out. They
//! show no backend detail (that goes to the log), carry no script, and are served with a Content Security
//! Policy that allows none. They use the GOV.UK Frontend stylesheet the server serves under `/assets/`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The server's stylesheet: GOV.UK Frontend's, with the address finder's few rules after it.
const STYLESHEET: &str = "/assets/gaap-address-finder.css";

/// Escapes text for HTML content and attribute values (the server's one escaper).
pub(crate) use crate::markup::escape as esc;

/// What every page shares: the service name and the security headers.
#[derive(Debug, Clone)]
pub(crate) struct Pages {
    service: String,
    csp: HeaderValue,
}

/// One paragraph or link of a page body.
pub(crate) enum Block<'a> {
    /// A paragraph of text (escaped).
    Text(&'a str),
    /// A link (href and text, both escaped).
    Link(&'a str, &'a str),
    /// A form that POSTs `csrf` to `action`, with one button.
    PostButton { action: &'a str, csrf: &'a str, label: &'a str },
}

impl Pages {
    /// `form_action_origin`: One Login's origin, where the sign-out form's redirect goes (browsers apply
    /// `form-action` to redirects too).
    pub(crate) fn new(service: &str, form_action_origin: &str) -> Self {
        let csp = format!(
            "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; \
             form-action 'self' {form_action_origin}; frame-ancestors 'none'; base-uri 'none'"
        );
        let csp = HeaderValue::from_str(&csp).unwrap_or_else(|_| {
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'",
            )
        });
        Self { service: service.to_owned(), csp }
    }

    /// A full page with `status`.
    pub(crate) fn render(&self, status: StatusCode, title: &str, blocks: &[Block<'_>]) -> Response {
        let mut body = String::new();
        for b in blocks {
            match b {
                Block::Text(t) => {
                    body.push_str(&format!("<p class=\"govuk-body\">{}</p>", esc(t)));
                }
                Block::Link(href, text) => body.push_str(&format!(
                    "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"{}\">{}</a></p>",
                    esc(href),
                    esc(text)
                )),
                Block::PostButton { action, csrf, label } => body.push_str(&format!(
                    "<form method=\"post\" action=\"{}\" novalidate>\
                     <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
                     <button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">{}</button>\
                     </form>",
                    esc(action),
                    esc(csrf),
                    esc(label)
                )),
            }
        }
        let title_prefix =
            if status.is_client_error() || status.is_server_error() { "Error: " } else { "" };
        let html = format!(
            "<!DOCTYPE html>\n<html lang=\"en\" class=\"govuk-template\">\
             <head><meta charset=\"utf-8\"><title>{prefix}{title} - {service} - GOV.UK</title>\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1, viewport-fit=cover\">\
             <meta name=\"robots\" content=\"noindex, nofollow\">\
             <link rel=\"stylesheet\" href=\"{STYLESHEET}\"></head>\
             <body class=\"govuk-template__body\">\
             <a href=\"#main-content\" class=\"govuk-skip-link\">Skip to main content</a>\
             <header class=\"govuk-template__header\"><div class=\"govuk-header\">\
             <div class=\"govuk-header__container govuk-width-container\"><div class=\"govuk-header__logo\">\
             <a href=\"/\" class=\"govuk-header__homepage-link\">GOV.UK</a></div></div></div>\
             <section aria-label=\"Service information\" class=\"govuk-service-navigation\">\
             <div class=\"govuk-width-container\"><div class=\"govuk-service-navigation__container\">\
             <span class=\"govuk-service-navigation__service-name\">\
             <span class=\"govuk-service-navigation__text\">{service}</span></span></div></div></section></header>\
             <div class=\"govuk-width-container\"><main class=\"govuk-main-wrapper\" id=\"main-content\" role=\"main\">\
             <div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">\
             <h1 class=\"govuk-heading-l\">{title}</h1>{body}</div></div></main></div>\
             <footer class=\"govuk-footer\" role=\"contentinfo\"><div class=\"govuk-width-container\">\
             <p class=\"govuk-body-s\">This service uses GOV.UK One Login to sign you in.</p></div></footer>\
             </body></html>",
            prefix = title_prefix,
            title = esc(title),
            service = esc(&self.service),
        );
        let mut r = (status, html).into_response();
        let h = r.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(header::CONTENT_SECURITY_POLICY, self.csp.clone());
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        r
    }

    /// 401 for a request that needs sign-in but cannot be redirected (not a browser GET).
    pub(crate) fn sign_in_required(&self, sign_in_href: &str) -> Response {
        self.render(
            StatusCode::UNAUTHORIZED,
            "You need to sign in",
            &[
                Block::Text("You need to sign in with GOV.UK One Login to use this page."),
                Block::Link(sign_in_href, "Sign in with GOV.UK One Login"),
            ],
        )
    }

    /// 403: One Login answered `access_denied`.
    pub(crate) fn access_denied(&self, retry_href: &str) -> Response {
        self.render(
            StatusCode::FORBIDDEN,
            "You have not been signed in",
            &[
                Block::Text(
                    "GOV.UK One Login did not sign you in. You may have cancelled, or your identity could \
                     not be confirmed to the level this service needs.",
                ),
                Block::Link(retry_href, "Try signing in again"),
            ],
        )
    }

    /// 403: identity proving did not reach the level asked for.
    pub(crate) fn identity_not_proven(&self, retry_href: &str) -> Response {
        self.render(
            StatusCode::FORBIDDEN,
            "We could not confirm your identity",
            &[
                Block::Text(
                    "GOV.UK One Login could not confirm your identity to the level this part of the \
                     service needs.",
                ),
                Block::Link(retry_href, "Try again"),
            ],
        )
    }

    /// 503: One Login is unavailable (`temporarily_unavailable`, or it cannot be reached).
    pub(crate) fn one_login_unavailable(&self) -> Response {
        self.render(
            StatusCode::SERVICE_UNAVAILABLE,
            "Sorry, GOV.UK One Login is not available at the moment",
            &[Block::Text("You cannot sign in at the moment. Try again later.")],
        )
    }

    /// 502: the sign-in came back but could not be trusted (a token failed validation, the code was refused).
    pub(crate) fn sign_in_failed(&self, retry_href: &str) -> Response {
        self.render(
            StatusCode::BAD_GATEWAY,
            "Sorry, there is a problem signing you in",
            &[
                Block::Text(
                    "We could not check the answer from GOV.UK One Login, so you have not been signed in.",
                ),
                Block::Link(retry_href, "Try signing in again"),
            ],
        )
    }

    /// 400: the callback's sign-in is unknown, used already, too old, or from another browser.
    pub(crate) fn sign_in_expired(&self) -> Response {
        self.render(
            StatusCode::BAD_REQUEST,
            "Your sign-in has expired",
            &[
                Block::Text(
                    "This sign-in link has already been used, has expired, or was started in another \
                     browser.",
                ),
                Block::Link("/", "Start again"),
            ],
        )
    }

    /// 400: a return address that is not a path on this site.
    pub(crate) fn bad_return_address(&self) -> Response {
        self.render(
            StatusCode::BAD_REQUEST,
            "The page address is not valid",
            &[
                Block::Text("You can only return to a page on this site after signing in."),
                Block::Link("/", "Go to the start"),
            ],
        )
    }

    /// 502: the site behind the gateway could not be reached.
    pub(crate) fn bad_gateway(&self) -> Response {
        self.render(
            StatusCode::BAD_GATEWAY,
            "Sorry, there is a problem with the service",
            &[Block::Text("The service is not responding. Try again later.")],
        )
    }

    /// 504: the site behind the gateway took too long to answer.
    pub(crate) fn gateway_timeout(&self) -> Response {
        self.render(
            StatusCode::GATEWAY_TIMEOUT,
            "Sorry, the service is taking too long to respond",
            &[Block::Text("Try again later.")],
        )
    }

    /// 503: the session store failed.
    pub(crate) fn unavailable(&self) -> Response {
        self.render(
            StatusCode::SERVICE_UNAVAILABLE,
            "Sorry, the service is unavailable",
            &[Block::Text("Try again later.")],
        )
    }

    /// 403: a sign-out form without a valid token, or posted from another site.
    pub(crate) fn forbidden_form(&self) -> Response {
        self.render(
            StatusCode::FORBIDDEN,
            "Sorry, that did not work",
            &[
                Block::Text("The form was not sent from this service, or it has expired."),
                Block::Link("/_gaap/sign-out", "Sign out"),
            ],
        )
    }

    /// 404 under `/_gaap/`.
    pub(crate) fn not_found(&self) -> Response {
        self.render(
            StatusCode::NOT_FOUND,
            "Page not found",
            &[Block::Text("If you typed the web address, check it is correct.")],
        )
    }

    /// 200: the sign-out confirmation, with its form.
    pub(crate) fn sign_out(&self, csrf: &str) -> Response {
        self.render(
            StatusCode::OK,
            "Sign out",
            &[
                Block::Text("Signing out here also signs you out of GOV.UK One Login."),
                Block::PostButton { action: "/_gaap/sign-out", csrf, label: "Sign out" },
            ],
        )
    }

    /// 200: after sign-out.
    pub(crate) fn signed_out(&self) -> Response {
        self.render(StatusCode::OK, "You have signed out", &[Block::Link("/", "Go to the start")])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn pages_escape_and_carry_the_security_headers() {
        let pages = Pages::new("Apply <now>", "https://oidc.example");
        let r = pages.sign_in_required("/_gaap/sign-in?return_to=%2F\"x");
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let csp = r.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
        assert!(csp.contains("default-src 'none'") && !csp.contains("script-src"), "{csp}");
        assert!(csp.contains("form-action 'self' https://oidc.example"), "{csp}");
        let body = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        let body = String::from_utf8(body.to_vec()).unwrap();
        assert!(body.contains("Apply &lt;now&gt;") && body.contains("%2F&quot;x"), "{body}");
        assert!(!body.contains("<script"), "{body}");
        assert!(body.contains("<title>Error: You need to sign in"), "{body}");
    }
}
