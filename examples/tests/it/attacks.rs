//! The council tax service attacked as a security reviewer would: session fixation, expiry, sign-out,
//! cross-site forms, headers, cookies, out-of-order webhooks and unauthenticated traffic; and the attacks
//! that already failed (XSS, IDOR, open redirects, a forged payment outcome) still fail.

use std::sync::Arc;
use std::time::Duration;

use gaap_examples::council_tax::{Limits, SandboxOptions};
use gaap_http::ManualClock;
use reqwest::header::{COOKIE, ORIGIN, REFERER};
use reqwest::{Client, Response, StatusCode};

use crate::support::{Journey, between, csrf_in, location, set_cookies, start, start_with};

/// A value shaped like a session id, for planting.
const PLANTED: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

fn plain() -> Client {
    Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// `GET url` with only the cookie `name=value`.
async fn get_with(url: &str, name: &str, value: &str) -> Response {
    plain().get(url).header(COOKIE, format!("{name}={value}")).send().await.unwrap()
}

fn session_cookie(response: &Response, name: &str) -> Option<String> {
    set_cookies(response)
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(|c| between(&c, "=", ";").to_owned())
}

async fn session_count(journey: &Journey) -> u64 {
    journey.records.session_count().await.unwrap()
}

/// Fails before the fix: the id a browser had before sign-in became its signed-in session id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_always_gets_a_new_session_id() {
    let journey = start().await;
    // The attacker signs in with their own account, and plants their session id in the victim's browser.
    let attacker = start_session_elsewhere(&journey, "1").await;
    let url = reqwest::Url::parse(&journey.running.url).unwrap();
    for planted in [PLANTED, attacker.as_str()] {
        let jar = reqwest::cookie::Jar::default();
        jar.add_cookie_str(&format!("council_tax_session={planted}; Path=/"), &url);
        let jar = Arc::new(jar);
        let victim_browser = Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let authorize =
            location(&victim_browser.get(journey.url("/sign-in")).send().await.unwrap());
        let back = journey.one_login(&authorize, "0", "success").await;
        let callback = victim_browser.get(&back).send().await.unwrap();
        assert_eq!(location(&callback), journey.url("/postcode"));
        let new_id =
            session_cookie(&callback, "council_tax_session").expect("a new session cookie");
        assert_ne!(new_id, planted, "the planted id is never promoted");
        // The planted id gets nobody's page.
        let with_planted =
            get_with(&journey.url("/postcode"), "council_tax_session", planted).await;
        assert_eq!(location(&with_planted), journey.url("/sign-in"), "{planted}");
        // The victim's own new id works.
        let own = get_with(&journey.url("/postcode"), "council_tax_session", &new_id).await;
        assert_eq!(own.status(), StatusCode::OK);
    }
    journey.running.task.abort();
}

/// Signs sandbox user `user` in on a fresh browser; returns the session id.
async fn start_session_elsewhere(journey: &Journey, user: &str) -> String {
    let b = plain();
    let sign_in = b.get(journey.url("/sign-in")).send().await.unwrap();
    let pending = session_cookie(&sign_in, "council_tax_signin").unwrap();
    let back = journey.one_login(&location(&sign_in), user, "success").await;
    let callback =
        b.get(&back).header(COOKIE, format!("council_tax_signin={pending}")).send().await.unwrap();
    session_cookie(&callback, "council_tax_session").expect("signed in")
}

/// Fails before the fix: sessions never ended.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_end_when_idle_and_after_the_absolute_limit_on_the_injected_clock() {
    let clock = ManualClock::at_unix(1_900_000_000);
    let journey = start_with(SandboxOptions {
        clock: Some(Arc::new(clock.clone())),
        ..SandboxOptions::default()
    })
    .await;
    let limits = Limits::default();
    let postcode = journey.url("/postcode");

    // Idle: used 29 minutes later it lives on; left 31 minutes it has ended.
    journey.sign_in("success").await;
    clock.advance(Duration::from_secs(29 * 60));
    assert_eq!(journey.get(&postcode).await.status(), StatusCode::OK);
    clock.advance(limits.idle + Duration::from_secs(60));
    assert_eq!(location(&journey.get(&postcode).await), journey.url("/sign-in"));
    assert_eq!(session_count(&journey).await, 0, "the ended session is deleted");

    // Absolute: used every 20 minutes, it still ends 8 hours after sign-in.
    journey.sign_in("success").await;
    let mut used = Duration::ZERO;
    while used + Duration::from_secs(20 * 60) <= limits.absolute {
        clock.advance(Duration::from_secs(20 * 60));
        used += Duration::from_secs(20 * 60);
        assert_eq!(journey.get(&postcode).await.status(), StatusCode::OK, "after {used:?}");
    }
    clock.advance(Duration::from_secs(20 * 60));
    assert_eq!(location(&journey.get(&postcode).await), journey.url("/sign-in"));
    assert_eq!(session_count(&journey).await, 0);

    // A sign-in left more than 10 minutes on One Login's page is refused at the callback.
    let authorize = location(&journey.get(&journey.url("/sign-in")).await);
    let back = journey.one_login(&authorize, "0", "success").await;
    clock.advance(Duration::from_secs(11 * 60));
    assert_eq!(journey.get(&back).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(session_count(&journey).await, 0);
    journey.running.task.abort();
}

/// Fails before the fix: there was no sign-out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_ends_the_session_here_and_at_one_login() {
    let journey = start().await;
    journey.sign_in("success").await;
    let page = journey.get(&journey.url("/postcode")).await.text().await.unwrap();
    assert!(page.contains("<form action=\"/sign-out\" method=\"post\""), "{page}");
    let token = csrf_in(&page);
    let session = journey.records.session_count().await.unwrap();
    assert_eq!(session, 1);

    // Without the token: refused, still signed in.
    let refused = journey
        .browser
        .post(journey.url("/sign-out"))
        .header(ORIGIN, &journey.origin)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(journey.get(&journey.url("/postcode")).await.status(), StatusCode::OK);

    let out = journey
        .browser
        .post(journey.url("/sign-out"))
        .header(ORIGIN, &journey.origin)
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(
        set_cookies(&out).iter().any(|c| c.starts_with("council_tax_session=; Max-Age=0")),
        "{:?}",
        set_cookies(&out)
    );
    assert_eq!(session_count(&journey).await, 0, "the session is gone from the database");
    // RP-initiated logout at One Login's end-session endpoint, coming back to /signed-out.
    let end_session = reqwest::Url::parse(&location(&out)).unwrap();
    let issuer = &journey.running.sandbox.handle().credentials().one_login.issuer;
    assert!(end_session.as_str().starts_with(issuer.trim_end_matches('/')), "{end_session}");
    assert_eq!(end_session.path(), "/logout");
    let query: std::collections::HashMap<_, _> = end_session.query_pairs().into_owned().collect();
    assert!(query.contains_key("id_token_hint"));
    assert_eq!(query["post_logout_redirect_uri"], journey.url("/signed-out"));
    let back = journey.get(end_session.as_str()).await;
    assert_eq!(back.status(), StatusCode::FOUND, "One Login accepts the logout");
    let signed_out = location(&back);
    assert!(signed_out.starts_with(&journey.url("/signed-out")), "{signed_out}");
    let page = journey.get(&signed_out).await.text().await.unwrap();
    assert!(page.contains("You have signed out"));
    assert!(!page.contains("/sign-out"), "no sign-out button for a signed-out visitor");
    // Signed out: the service asks for sign-in again.
    assert_eq!(location(&journey.get(&journey.url("/postcode")).await), journey.url("/sign-in"));
    journey.running.task.abort();
}

/// Fails before the fix: `POST /pay` from another site, or without a token, was accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_posts_and_posts_without_the_token_get_the_403_page() {
    let journey = start().await;
    journey.sign_in("success").await;
    journey.choose_address("SW1A 2AA").await;
    let token = journey.token().await;
    let pay = journey.url("/pay");
    let attempts = [
        ("a foreign Origin", Some((ORIGIN, "https://evil.example")), Some(token.as_str())),
        ("Origin null", Some((ORIGIN, "null")), Some(token.as_str())),
        ("a foreign Referer", Some((REFERER, "https://evil.example/x")), Some(token.as_str())),
        ("no token", Some((ORIGIN, journey.origin.as_str())), None),
        ("a wrong token", Some((ORIGIN, journey.origin.as_str())), Some("x")),
        ("no Origin and no token", None, None),
    ];
    for (what, header, token) in attempts {
        let mut request = journey.browser.post(&pay);
        if let Some((name, value)) = header {
            request = request.header(name, value);
        }
        let form: Vec<(&str, &str)> = token.map(|t| ("csrf_token", t)).into_iter().collect();
        let response = request.form(&form).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{what}");
        let page = response.text().await.unwrap();
        assert!(
            page.contains(
                "<title>Error: Sorry, we could not accept that form - Pay your Council Tax - GOV.UK</title>"
            ),
            "{what}: {page}"
        );
        assert!(page.contains("class=\"govuk-error-summary\""));
        assert!(page.contains(">Go back to the start</a>"));
    }
    assert_eq!(journey.running.sandbox.handle().payment_count(), 0, "no payment was created");
    // The postcode form too: a cross-site post changes nothing.
    let before = journey.get(&journey.url("/address")).await.text().await.unwrap();
    let forged = journey
        .browser
        .post(journey.url("/postcode"))
        .header(ORIGIN, "https://evil.example")
        .form(&[("postcode", "SW1A 1AA"), ("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(journey.get(&journey.url("/address")).await.text().await.unwrap(), before);
    // The same form from the service's own page goes through.
    assert_eq!(journey.submit("/pay", &[]).await.status(), StatusCode::SEE_OTHER);
    journey.running.task.abort();
}

fn assert_security_headers(response: &Response, https: bool) {
    let h = response.headers();
    let what = response.url().path();
    let csp = h.get("content-security-policy").unwrap_or_else(|| panic!("no CSP on {what}"));
    let csp = csp.to_str().unwrap();
    for want in [
        "default-src 'none'",
        "script-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(want), "{what}: {csp}");
    }
    assert!(!csp.contains("unsafe-inline") && !csp.contains('*'), "{what}: {csp}");
    assert_eq!(h["x-frame-options"], "DENY", "{what}");
    assert_eq!(h["referrer-policy"], "same-origin", "{what}");
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    let permissions = h["permissions-policy"].to_str().unwrap();
    assert!(permissions.contains("camera=()") && permissions.contains("geolocation=()"), "{what}");
    assert_eq!(h.contains_key("strict-transport-security"), https, "{what}");
    if https {
        assert_eq!(h["strict-transport-security"], "max-age=31536000; includeSubDomains");
    }
}

/// Fails before the fix: no response had any of these headers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_has_the_security_headers() {
    let journey = start().await;
    let mut responses = Vec::new();
    for path in ["/", "/start", "/sign-in", "/postcode", "/no-such-page", "/signed-out"] {
        responses.push(journey.get(&journey.url(path)).await);
    }
    journey.sign_in("success").await;
    journey.choose_address("SW1A 2AA").await;
    for path in ["/", "/postcode", "/address", "/amount-due", "/assets/govuk-frontend.min.css"] {
        responses.push(journey.get(&journey.url(path)).await);
    }
    let back = journey.pay("4444333322221111", "pay").await;
    let confirmation = journey.get(&location(&back)).await;
    assert_eq!(confirmation.status(), StatusCode::OK);
    responses.push(back);
    responses.push(confirmation);
    responses.push(journey.get(&journey.url("/payment-return/99")).await);
    responses.push(journey.submit("/postcode", &[("postcode", "")]).await);
    responses.push(journey.browser.post(journey.url("/pay")).send().await.unwrap());
    responses.push(plain().post(journey.url("/webhooks/pay")).body("{}").send().await.unwrap());
    let statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    for want in [200, 303, 401, 403, 404, 422] {
        assert!(statuses.contains(&want), "a {want} response is checked: {statuses:?}");
    }
    for response in &responses {
        assert_security_headers(response, false);
    }
    journey.running.task.abort();
}

/// Fails before the fix: cookies had no `Secure` and no `__Host-` prefix, whatever the public URL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_public_url_gives_secure_host_prefixed_cookies_and_hsts() {
    let public = "https://council-tax.example.gov.uk";
    let journey = start_with(SandboxOptions {
        public_url: Some(public.to_owned()),
        ..SandboxOptions::default()
    })
    .await;
    let client = plain();
    let start_page = client.get(journey.url("/")).send().await.unwrap();
    assert_security_headers(&start_page, true);

    let sign_in = client.get(journey.url("/sign-in")).send().await.unwrap();
    assert_security_headers(&sign_in, true);
    let cookies = set_cookies(&sign_in);
    assert_eq!(cookies.len(), 1, "only the sign-in cookie: {cookies:?}");
    let pending = &cookies[0];
    assert!(pending.starts_with("__Host-council_tax_signin="), "{pending}");
    for attribute in ["; Max-Age=600", "; Path=/", "; HttpOnly", "; SameSite=Lax", "; Secure"] {
        assert!(pending.contains(attribute), "{pending}");
    }
    assert!(!pending.to_ascii_lowercase().contains("domain="), "{pending}");

    // One Login sends the browser to the public URL; here it reaches the app directly.
    let back = journey.one_login(&location(&sign_in), "0", "success").await;
    assert!(back.starts_with(&format!("{public}/sign-in/callback?")), "{back}");
    let local = back.replacen(public, &journey.running.url, 1);
    let value = between(pending, "=", ";");
    let callback = client
        .get(&local)
        .header(COOKIE, format!("__Host-council_tax_signin={value}"))
        .send()
        .await
        .unwrap();
    assert_eq!(callback.status(), StatusCode::SEE_OTHER);
    assert_security_headers(&callback, true);
    let cookies = set_cookies(&callback);
    let session = cookies
        .iter()
        .find(|c| c.starts_with("__Host-council_tax_session="))
        .unwrap_or_else(|| panic!("{cookies:?}"));
    for attribute in ["; Path=/", "; HttpOnly", "; SameSite=Lax", "; Secure"] {
        assert!(session.contains(attribute), "{session}");
    }
    assert!(!session.to_ascii_lowercase().contains("domain="), "{session}");
    assert!(cookies.iter().any(|c| c.starts_with("__Host-council_tax_signin=; Max-Age=0")));
    // The unprefixed name means nothing over https.
    let id = between(session, "=", ";");
    let unprefixed = get_with(&journey.url("/postcode"), "council_tax_session", id).await;
    assert_eq!(location(&unprefixed), journey.url("/sign-in"));
    let prefixed = get_with(&journey.url("/postcode"), "__Host-council_tax_session", id).await;
    assert_eq!(prefixed.status(), StatusCode::OK);
    // Forms must come from the https origin.
    let page = prefixed.text().await.unwrap();
    let token = csrf_in(&page);
    let post_from = |origin: &'static str| {
        client
            .post(journey.url("/postcode"))
            .header(COOKIE, format!("__Host-council_tax_session={id}"))
            .header(ORIGIN, origin)
            .form(&[("postcode", "SW1A 2AA"), ("csrf_token", &token)])
            .send()
    };
    let from_http = post_from("http://council-tax.example.gov.uk").await.unwrap();
    assert_eq!(from_http.status(), StatusCode::FORBIDDEN);
    let from_https = post_from(public).await.unwrap();
    assert_eq!(from_https.status(), StatusCode::SEE_OTHER);
    journey.running.task.abort();
}

/// Fails before the fix: a validly signed `started` after `success` overwrote the payment's state and
/// the confirmation page vanished.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_out_of_order_webhook_is_recorded_and_leaves_the_state_alone() {
    let journey = start().await;
    journey.sign_in("success").await;
    journey.choose_address("SW1A 2AA").await;
    let back = journey.pay("4444333322221111", "pay").await;
    let confirmation_url = location(&back);
    let payment = journey.records.payments_with_status("success").await.unwrap().remove(0);
    let delivery = journey.webhooks_for(&payment.payment_id).await.remove(0);

    // The same payment, a new message, an earlier state: signed with the real secret.
    let mut message: serde_json::Value = serde_json::from_str(&delivery.body).unwrap();
    message["webhook_message_id"] = "late-started-message".into();
    message["event_type"] = "card_payment_started".into();
    message["resource"]["state"] = serde_json::json!({"status": "started", "finished": false});
    let body = message.to_string();
    let secret = gaap_pay::SigningSecret::new(
        journey.running.sandbox.handle().credentials().pay.webhook_secret.expose(),
    );
    let signature = gaap_pay::webhook::sign(&secret, body.as_bytes());
    let count = journey.records.webhook_count(&payment.payment_id).await.unwrap();
    let answer = plain()
        .post(journey.url("/webhooks/pay"))
        .header("Pay-Signature", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK, "acknowledged, so Pay stops retrying");
    assert_eq!(
        journey.records.webhook_count(&payment.payment_id).await.unwrap(),
        count + 1,
        "recorded"
    );
    if let Some(path) = &journey.database {
        let store = gaap_examples::store::Store::open(path).unwrap();
        assert_eq!(
            store.webhook_outcome("late-started-message").unwrap().as_deref(),
            Some("ignored")
        );
    }
    let after = journey.records.payment(&payment.payment_id).await.unwrap().unwrap();
    assert_eq!(after.status, "success", "the state did not move back");
    assert_eq!(journey.records.pay_state(&payment.payment_id).await.unwrap().unwrap(), "success");
    let page = journey.get(&confirmation_url).await;
    assert_eq!(page.status(), StatusCode::OK, "the confirmation page is still there");
    assert_eq!(journey.receipts(&payment.reference).await.len(), 1);
    journey.running.task.abort();
}

/// Fails before the fix: each cookie-less `GET /sign-in` made a server session (40,000 requests, 40,000
/// sessions).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_cookieless_requests_leave_the_session_count_bounded() {
    const REQUESTS: usize = 10_000;
    const TASKS: usize = 8;
    let journey = start().await;
    let base = journey.running.url.clone();
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let client = plain();
            let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
            for i in (t..REQUESTS).step_by(TASKS) {
                let response = match i % 5 {
                    0 | 1 => client.get(format!("{base}/sign-in")).send().await,
                    2 => client.get(format!("{base}/start")).send().await,
                    3 => {
                        client
                            .get(format!("{base}/postcode"))
                            .header(COOKIE, format!("council_tax_session={PLANTED}"))
                            .send()
                            .await
                    }
                    _ => {
                        client
                            .post(format!("{base}/postcode"))
                            .header(ORIGIN, &base)
                            .form(&[("postcode", "SW1A 2AA")])
                            .send()
                            .await
                    }
                };
                *statuses.entry(response.unwrap().status().as_u16()).or_default() += 1;
            }
            statuses
        }));
    }
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for task in tasks {
        for (status, n) in task.await.unwrap() {
            *statuses.entry(status).or_default() += n;
        }
    }
    assert_eq!(statuses.values().sum::<usize>(), REQUESTS);
    assert_eq!(statuses.keys().copied().collect::<Vec<_>>(), vec![303], "{statuses:?}");
    assert_eq!(session_count(&journey).await, 0, "no request made a session");
    journey.running.task.abort();
}

/// Signed-in sessions are capped too: past the cap the least recently used go.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_in_sessions_are_capped() {
    let journey = start_with(SandboxOptions {
        sessions: Some(Limits { max_sessions: 3, ..Limits::default() }),
        ..SandboxOptions::default()
    })
    .await;
    let mut ids = Vec::new();
    for _ in 0..6 {
        ids.push(start_session_elsewhere(&journey, "0").await);
        assert!(session_count(&journey).await <= 3);
    }
    assert_eq!(session_count(&journey).await, 3);
    let newest = get_with(&journey.url("/postcode"), "council_tax_session", &ids[5]).await;
    assert_eq!(newest.status(), StatusCode::OK);
    journey.running.task.abort();
}

/// Still holds: text from the resident is escaped wherever it is shown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_markup_is_escaped() {
    let journey = start().await;
    journey.sign_in("success").await;
    for payload in [
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "' onfocus='alert(1)",
        "javascript:alert(1)",
    ] {
        let page =
            journey.submit("/postcode", &[("postcode", payload)]).await.text().await.unwrap();
        assert!(
            !page.contains("<script>alert") && !page.contains("<img src=x"),
            "{payload}: {page}"
        );
        assert!(page.contains(&gaap_examples::govuk::escape(payload)), "{payload}");
    }
    journey.running.task.abort();
}

/// Still holds: one resident cannot see another's payment, and the return URL cannot forge an outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_idor_and_no_outcome_forged_from_the_return_url() {
    let journey = start().await;
    journey.sign_in("success").await;
    journey.choose_address("SW1A 2AA").await;
    // Back from Pay before paying, with a "success" in the URL: the service asks Pay, not the URL.
    journey.submit("/pay", &[]).await;
    let forged = journey
        .get(&journey.url("/payment-return/1?status=success&outcome=success"))
        .await
        .text()
        .await
        .unwrap();
    assert!(forged.contains("Your payment is not finished"), "{forged}");
    assert_eq!(journey.get(&journey.url("/confirmation/1")).await.status(), StatusCode::NOT_FOUND);
    let back = journey.pay("4444333322221111", "pay").await;
    let confirmation = location(&back);
    assert_eq!(journey.get(&confirmation).await.status(), StatusCode::OK);

    // Another resident (sandbox user 1), signed in on another browser.
    let other = start_session_elsewhere(&journey, "1").await;
    for path in [confirmation.as_str(), &journey.url("/payment-return/2")] {
        let response = get_with(path, "council_tax_session", &other).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    journey.running.task.abort();
}

/// Still holds: no path sends the browser to another site.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_open_redirect() {
    let journey = start().await;
    for path in [
        "//evil.example/",
        "/\\evil.example",
        "/sign-in?return_to=https://evil.example",
        "/start?next=https://evil.example",
        "/signed-out?post_logout_redirect_uri=https://evil.example",
        "/sign-in/callback?code=x&state=y&redirect_uri=https://evil.example",
    ] {
        let response = plain().get(format!("{}{path}", journey.running.url)).send().await.unwrap();
        if let Some(to) = response.headers().get("location") {
            let to = to.to_str().unwrap();
            let resolved = response.url().join(to).unwrap();
            let sandbox = &journey.running.sandbox.handle().credentials().one_login.issuer;
            assert!(
                resolved.as_str().starts_with(&journey.running.url)
                    || resolved.as_str().starts_with(sandbox.trim_end_matches('/')),
                "{path} -> {resolved}"
            );
            assert!(!resolved.as_str().contains("evil"), "{path} -> {resolved}");
        }
    }
    journey.running.task.abort();
}

/// Fails before the fix: an error page showed the backend's error text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_failure_says_what_to_do_next_and_keeps_the_detail_out_of_the_page() {
    use gaap_examples::council_tax::{self, Backends, Config, Running, SandboxGuard};
    use gaap_examples::store::Database;

    // The app wired by hand to a sandbox, except that Pay's API is a closed port.
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let sandbox = gaap_sandbox::Sandbox::start(council_tax::sandbox_config(&url)).await.unwrap();
    let mut creds = sandbox.credentials().clone();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    creds.pay.base_url = format!("http://{closed}");
    let database = Database::Sqlite(dir.path().join("council-tax.sqlite3"));
    let mut config = Config::for_public_url(&url);
    config.database = database.clone();
    let router =
        council_tax::router(config, Backends::for_sandbox(&creds, &url).unwrap()).await.unwrap();
    let guard = SandboxGuard::new(sandbox);
    let running = Running {
        url: url.clone(),
        outbox_url: guard.outbox_url(),
        outbox_json_url: guard.outbox_json_url(),
        task: tokio::spawn(async move {
            axum::serve(listener, router).await.map_err(council_tax::StartError::Io)
        }),
        sandbox: guard,
    };
    let file = match &database {
        Database::Sqlite(path) => Some(path.clone()),
        _ => None,
    };
    let journey = Journey::new(running, &database, file, dir).await;

    journey.sign_in("success").await;
    journey.choose_address("SW1A 2AA").await;
    let failed = journey.submit("/pay", &[]).await;
    assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let page = failed.text().await.unwrap();
    assert!(
        page.contains(
            "<h1 class=\"govuk-heading-l\">Sorry, there is a problem with the service</h1>"
        )
    );
    assert!(page.contains("Try again later."), "what to do next: {page}");
    assert!(page.contains(">Go back to the start</a>"));
    let port = closed.port().to_string();
    let main = between(&page, "<main", "</main>").to_ascii_lowercase();
    for detail in [
        port.as_str(),
        "could not reach",
        "gov.uk pay",
        "error sending",
        "refused",
        "creating the payment",
        "http://",
    ] {
        assert!(!main.contains(detail), "{detail:?} is on the page: {main}");
    }
    journey.running.task.abort();
}
