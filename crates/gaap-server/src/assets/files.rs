//! The finder's static files, compiled in: a fresh clone serves them with no npm step.
//!
//! `gaap-address-finder.js` is accessible-autocomplete's minified build followed by the finder's own
//! script; `gaap-address-finder.css` is GOV.UK Frontend's stylesheet (without its fonts), then
//! accessible-autocomplete's, then the finder's few rules. The vendored files, their licences and the
//! script that refreshes them are in `crates/gaap-server/assets/`.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::OnceLock;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The served script.
pub(crate) const FINDER_JS: &str = concat!(
    include_str!("../../assets/vendor/accessible-autocomplete/accessible-autocomplete.min.js"),
    "\n;\n",
    include_str!("../../assets/gaap-address-finder.js"),
);

/// The served stylesheet.
pub(crate) const FINDER_CSS: &str = concat!(
    include_str!("../../assets/vendor/govuk-frontend/govuk-frontend.min.css"),
    "\n",
    include_str!("../../assets/vendor/accessible-autocomplete/accessible-autocomplete.min.css"),
    "\n",
    include_str!("../../assets/gaap-address-finder.css"),
);

/// How long browsers and proxies may keep a file: a day, so a new release reaches pages within one.
pub(crate) const CACHE_CONTROL: &str = "public, max-age=86400";

/// A quoted entity tag for a file's content, the same for the life of the binary.
fn etag(body: &str) -> String {
    let mut hasher = DefaultHasher::new();
    body.hash(&mut hasher);
    format!("\"{:016x}\"", hasher.finish())
}

fn serve(
    headers: &HeaderMap,
    body: &'static str,
    content_type: &'static str,
    tag: &str,
) -> Response {
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    let mut response =
        if matches { StatusCode::NOT_MODIFIED.into_response() } else { body.into_response() };
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL));
    if let Ok(tag) = HeaderValue::from_str(tag) {
        h.insert(header::ETAG, tag);
    }
    // Council pages on other origins load these files; they are public and carry no credentials.
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert("cross-origin-resource-policy", HeaderValue::from_static("cross-origin"));
    response
}

/// `GET /assets/gaap-address-finder.js`.
pub(crate) async fn finder_js(headers: HeaderMap) -> Response {
    static TAG: OnceLock<String> = OnceLock::new();
    serve(
        &headers,
        FINDER_JS,
        "text/javascript; charset=utf-8",
        TAG.get_or_init(|| etag(FINDER_JS)),
    )
}

/// `GET /assets/gaap-address-finder.css`.
pub(crate) async fn finder_css(headers: HeaderMap) -> Response {
    static TAG: OnceLock<String> = OnceLock::new();
    serve(&headers, FINDER_CSS, "text/css; charset=utf-8", TAG.get_or_init(|| etag(FINDER_CSS)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_is_the_autocomplete_then_the_finder() {
        let autocomplete = FINDER_JS.find("enhanceSelectElement").unwrap();
        let finder = FINDER_JS.find("data-gaap-address-finder").unwrap();
        assert!(autocomplete < finder);
        assert!(!FINDER_JS.contains("sourceMappingURL"), "no source map is shipped");
    }

    #[test]
    fn the_stylesheet_has_no_font_to_fetch_and_falls_back_to_arial() {
        assert!(!FINDER_CSS.contains("@font-face"));
        assert!(!FINDER_CSS.contains("/assets/fonts/"));
        assert!(!FINDER_CSS.contains("sourceMappingURL"));
        assert!(FINDER_CSS.contains("font-family:GDS Transport,arial,sans-serif"));
        assert!(FINDER_CSS.contains(".autocomplete__wrapper"));
        assert!(FINDER_CSS.contains(".gaap-address-finder"));
    }

    #[tokio::test]
    async fn files_carry_their_type_a_days_cache_and_an_etag() {
        for (response, kind) in [
            (finder_js(HeaderMap::new()).await, "text/javascript; charset=utf-8"),
            (finder_css(HeaderMap::new()).await, "text/css; charset=utf-8"),
        ] {
            assert_eq!(response.status(), StatusCode::OK);
            let h = response.headers();
            assert_eq!(h[header::CONTENT_TYPE], kind);
            assert_eq!(h[header::CACHE_CONTROL], "public, max-age=86400");
            assert_eq!(h[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
            assert!(h[header::ETAG].to_str().unwrap().starts_with('"'));
        }
    }

    #[tokio::test]
    async fn a_matching_etag_is_not_modified() {
        let first = finder_js(HeaderMap::new()).await;
        let tag = first.headers()[header::ETAG].clone();
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_NONE_MATCH, tag.clone());
        let again = finder_js(headers).await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(again.headers()[header::ETAG], tag);
        let body = axum::body::to_bytes(again.into_body(), 16).await.unwrap();
        assert!(body.is_empty());

        let mut stale = HeaderMap::new();
        stale.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"0\""));
        assert_eq!(finder_css(stale).await.status(), StatusCode::OK);
    }
}
