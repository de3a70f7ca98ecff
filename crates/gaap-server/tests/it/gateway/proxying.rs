//! The proxy: bodies stream both ways, upstream redirects and cookies pass unchanged, failures become pages.

use super::{Choice, Env};

#[tokio::test]
async fn bodies_stream_and_upstream_redirects_and_cookies_pass_unchanged() {
    let env = Env::start().await;
    let mut browser = env.browser();
    browser.sign_in("/", &Choice::default()).await;

    // A 5 MiB upload arrives whole, streamed as it was sent (no Content-Length).
    let url = format!("{}/upload", env.url);
    let chunks = (0..80).map(|_| Ok::<_, std::io::Error>(vec![7u8; 65536]));
    let body = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    let up = browser.send(|c| c.put(&url).body(body)).await;
    assert_eq!(up.status, 200, "{}", up.body);
    assert_eq!(up.json()["body_len"], 80 * 65536);
    assert_eq!(up.json()["method"], "PUT");

    // A streamed 4 MiB answer comes back whole.
    let big = browser.send(|c| c.get(format!("{}/big", env.url))).await;
    assert_eq!(big.status, 200);
    assert_eq!(big.body.len(), 64 * 65536);

    // The upstream's redirect and cookies reach the browser as they were.
    let r = browser.get("/redirect").await;
    assert_eq!(r.status, 302);
    assert_eq!(r.location(), "http://elsewhere.example/landing?from=upstream");
    let cookies: Vec<&str> =
        r.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    assert_eq!(cookies, ["up=1; Path=/; HttpOnly", "other=2; Path=/app"]);

    // The upstream's own cookies go back to it; the gateway's never do.
    let page = browser.get("/").await;
    assert_eq!(page.echoed("cookie").as_deref(), Some("other=2; up=1"));
}

#[tokio::test]
async fn upstream_failures_are_govuk_pages_and_log_lines() {
    let env = Env::start().await;
    let mut browser = env.browser();
    browser.sign_in("/", &Choice::default()).await;

    let slow = browser.get("/slow").await;
    assert_eq!(slow.status, 504);
    assert!(
        slow.body.contains("Sorry, the service is taking too long to respond"),
        "{}",
        slow.body
    );
    assert!(slow.body.contains("govuk-template"));
    assert!(env.logs.text().contains("upstream timed out"));

    // A gateway whose upstream is not listening.
    let dead = super::free_port();
    let env = Env::start_with(|c| c["upstream"] = format!("http://127.0.0.1:{dead}").into()).await;
    let mut browser = env.browser();
    browser.sign_in("/", &Choice::default()).await;
    let down = browser.get("/").await;
    assert_eq!(down.status, 502);
    assert!(down.body.contains("Sorry, there is a problem with the service"), "{}", down.body);
    assert!(!down.body.contains("refused"), "no backend detail on the page");
    assert!(env.logs.text().contains("upstream connection failed"), "{}", env.logs.text());
}

#[tokio::test]
async fn the_servers_own_routes_still_answer_and_gaap_paths_are_reserved() {
    let env = Env::start().await;
    let mut browser = env.browser();
    let health = browser.send(|c| c.get(format!("{}/healthz", env.url))).await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");
    let reserved = browser.get("/_gaap/whatever").await;
    assert_eq!(reserved.status, 404);
    assert_eq!(env.upstream.count(), 0);
}

#[tokio::test]
async fn an_http2_client_is_proxied_to_the_http1_upstream() {
    let env = Env::start().await;
    let mut browser = env.browser();
    browser.sign_in("/", &Choice::default()).await;
    browser.http = reqwest::Client::builder()
        .http2_prior_knowledge()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let big = browser.send(|c| c.get(format!("{}/big", env.url))).await;
    assert_eq!(big.status, 200);
    assert_eq!(big.body.len(), 64 * 65536);
    let page = browser.get("/account").await;
    assert_eq!(page.echoed("x-gaap-sub").as_deref(), Some(super::SUB));
}
