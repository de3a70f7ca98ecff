//! What every response carries, and the same-origin rule for every POST.
//!
//! Headers on every response (pages, redirects, assets, errors, the webhook's answers):
//!
//! | header | value |
//! |---|---|
//! | `Content-Security-Policy` | `default-src 'none'`; styles, fonts and images from the app only; no script at all; `form-action` the app and the origins a form redirects to (Pay, One Login); `frame-ancestors 'none'`; `base-uri 'none'` |
//! | `X-Frame-Options` | `DENY` (for browsers without `frame-ancestors`) |
//! | `Referrer-Policy` | `same-origin`: Pay and One Login never see the service's paths, and same-origin forms keep their `Origin` (with `no-referrer` browsers send `Origin: null`) |
//! | `X-Content-Type-Options` | `nosniff` |
//! | `Permissions-Policy` | camera, microphone, geolocation, payment and the rest off |
//! | `Cross-Origin-Opener-Policy` | `same-origin` |
//! | `Strict-Transport-Security` | `max-age=31536000; includeSubDomains`, only when the public URL is https |
//!
//! A POST whose `Origin` is not the public URL's origin, or that has no `Origin` and a `Referer` from
//! elsewhere, gets the 403 page before any handler runs. Pay's webhook is exempt: Pay's servers send no
//! `Origin`, and the webhook is authenticated by its HMAC signature instead. Every form also carries the
//! session's CSRF token, checked by the handler.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{
    CONTENT_SECURITY_POLICY, ORIGIN, REFERER, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;

use super::{App, Config};

/// `Permissions-Policy`: nothing the service does needs a powerful feature.
const PERMISSIONS_POLICY: &str = "accelerometer=(), autoplay=(), camera=(), display-capture=(), \
     encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), \
     midi=(), payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), \
     sync-xhr=(), usb=(), xr-spatial-tracking=()";

const PERMISSIONS_POLICY_HEADER: HeaderName = HeaderName::from_static("permissions-policy");
const COOP_HEADER: HeaderName = HeaderName::from_static("cross-origin-opener-policy");

/// The paths a POST may reach without a same-origin `Origin`: Pay's signed webhook.
const CROSS_ORIGIN_POSTS: [&str; 1] = ["/webhooks/pay"];

/// The headers and the origin, worked out once from the config.
#[derive(Debug)]
pub(crate) struct Policy {
    /// Whether the public URL is https.
    pub(crate) https: bool,
    /// The public URL's origin, `scheme://host[:port]`.
    pub(crate) origin: String,
    csp: HeaderValue,
}

impl Policy {
    pub(crate) fn new(config: &Config) -> Result<Self, String> {
        let url = url::Url::parse(&config.public_url).map_err(|_| config.public_url.clone())?;
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            _ => return Err(config.public_url.clone()),
        };
        let mut form_action = String::from("'self'");
        for origin in &config.form_action_origins {
            // Only well-formed origins: nothing from the config can add another directive.
            if let Ok(parsed) = url::Url::parse(origin)
                && matches!(parsed.scheme(), "http" | "https")
            {
                form_action.push(' ');
                form_action.push_str(&parsed.origin().ascii_serialization());
            }
        }
        let csp = format!(
            "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self'; \
             font-src 'self'; connect-src 'none'; form-action {form_action}; \
             frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
        );
        let csp = HeaderValue::from_str(&csp).map_err(|_| config.public_url.clone())?;
        Ok(Self { https, origin: url.origin().ascii_serialization(), csp })
    }

    /// Whether a POST's `Origin` (or, without one, its `Referer`) is the service's own. A POST with
    /// neither is let through to the handler, whose CSRF token check still applies.
    pub(crate) fn same_origin(&self, headers: &HeaderMap) -> bool {
        if let Some(origin) = headers.get(ORIGIN) {
            return origin.to_str().is_ok_and(|o| o == self.origin);
        }
        match headers.get(REFERER) {
            Some(referer) => referer
                .to_str()
                .ok()
                .and_then(|r| url::Url::parse(r).ok())
                .is_some_and(|r| r.origin().ascii_serialization() == self.origin),
            None => true,
        }
    }

    fn apply(&self, headers: &mut HeaderMap) {
        headers.insert(CONTENT_SECURITY_POLICY, self.csp.clone());
        headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
        headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        headers.insert(PERMISSIONS_POLICY_HEADER, HeaderValue::from_static(PERMISSIONS_POLICY));
        headers.insert(COOP_HEADER, HeaderValue::from_static("same-origin"));
        if self.https {
            headers.insert(
                STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000; includeSubDomains"),
            );
        }
    }
}

/// Middleware: the security headers on every response.
pub(crate) async fn headers(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    app.security.apply(response.headers_mut());
    response
}

/// Middleware: a cross-site POST gets the 403 page.
pub(crate) async fn same_origin_posts(
    State(app): State<Arc<App>>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() == Method::POST
        && !CROSS_ORIGIN_POSTS.contains(&request.uri().path())
        && !app.security.same_origin(request.headers())
    {
        let origin = request.headers().get(ORIGIN).and_then(|o| o.to_str().ok()).unwrap_or("");
        let referer = request.headers().get(REFERER).and_then(|o| o.to_str().ok()).unwrap_or("");
        super::log(
            "refused a cross-site POST",
            &format!("path={} origin={origin:?} referer={referer:?}", request.uri().path()),
        );
        return super::handlers::forbidden();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(url: &str) -> Policy {
        let mut config = Config::for_public_url(url);
        config.form_action_origins =
            vec!["http://127.0.0.1:9000/some/path".to_owned(), "x; script-src *".to_owned()];
        Policy::new(&config).unwrap()
    }

    #[test]
    fn the_csp_allows_no_script_and_only_listed_form_targets() {
        let p = policy("http://127.0.0.1:3000");
        let csp = p.csp.to_str().unwrap();
        assert!(csp.contains("script-src 'none'"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(csp.contains("form-action 'self' http://127.0.0.1:9000;"), "{csp}");
        assert!(!csp.contains('*'));
        assert!(!p.https);
        assert!(policy("https://ct.example.gov.uk").https);
        assert!(Policy::new(&Config::for_public_url("ftp://x")).is_err());
    }

    #[test]
    fn only_our_origin_may_post() {
        let p = policy("https://ct.example.gov.uk");
        let with = |name: &'static str, value: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(name, HeaderValue::from_static(value));
            h
        };
        assert!(p.same_origin(&with("origin", "https://ct.example.gov.uk")));
        assert!(!p.same_origin(&with("origin", "https://evil.example")));
        assert!(!p.same_origin(&with("origin", "null")));
        assert!(!p.same_origin(&with("origin", "http://ct.example.gov.uk")));
        assert!(p.same_origin(&with("referer", "https://ct.example.gov.uk/amount-due")));
        assert!(!p.same_origin(&with("referer", "https://ct.example.gov.uk.evil.example/")));
        assert!(!p.same_origin(&with("referer", "not a url")));
        assert!(p.same_origin(&HeaderMap::new()));
    }
}
