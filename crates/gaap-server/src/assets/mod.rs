//! Front-end assets and the embeddable address finder.
//!
//! * `GET /assets/gaap-address-finder.js` and `GET /assets/gaap-address-finder.css`: the finder a council
//!   page embeds with one script, one stylesheet and one `data-gaap-address-finder` element (its attributes
//!   are documented in `crates/gaap-server/assets/README.md`). Built on accessible-autocomplete and
//!   GOV.UK Frontend, compiled into the binary; cached for a day.
//! * `GET /address-finder`: a demonstration page that works with JavaScript off (plain GET forms) and is
//!   enhanced by the same script when it is on.

mod files;
mod finder;
mod html;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/gaap-address-finder.js", get(files::finder_js))
        .route("/assets/gaap-address-finder.css", get(files::finder_css))
        .route("/address-finder", get(finder::page_handler))
}

#[cfg(test)]
mod tests {
    use crate::{Config, Logger, Server};

    #[tokio::test]
    async fn over_http_the_files_and_the_page_keep_their_headers() {
        let mut config = Config::from_json("{}").unwrap();
        config.listen = Some("127.0.0.1:0".parse().unwrap());
        let server = Server::new(config).logger(Logger::off()).start().await.unwrap();
        server.ready().await.unwrap();
        let base = server.base_url().to_owned();
        let client = reqwest::Client::new();

        for (path, kind) in [
            ("/assets/gaap-address-finder.js", "text/javascript; charset=utf-8"),
            ("/assets/gaap-address-finder.css", "text/css; charset=utf-8"),
        ] {
            let response = client.get(format!("{base}{path}")).send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            let h = response.headers();
            assert_eq!(h["content-type"], kind);
            assert_eq!(h["cache-control"], "public, max-age=86400");
            assert_eq!(h["x-content-type-options"], "nosniff");
        }

        let response = client
            .get(format!("{base}/address-finder?postcode=%3Cscript%3Ex%3C%2Fscript%3E"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let h = response.headers().clone();
        assert_eq!(h["content-type"], "text/html; charset=utf-8");
        assert_eq!(h["content-security-policy"], super::finder::CSP);
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        let body = response.text().await.unwrap();
        assert!(body.contains("value=\"&lt;script&gt;x&lt;/script&gt;\""), "{body}");
        assert!(!body.contains("<script>x"));
        server.shutdown().await;
    }
}
