//! One Login's errors and the sandbox's error knobs: each becomes a clear page and a log line, no session.

use super::{Choice, Env};

/// The sandbox's ID-token knobs and the gaap-identity error each must produce.
const ID_TOKEN_KNOBS: [(&str, &str); 8] = [
    ("INVALID_ISS", "wrong_issuer"),
    ("INVALID_AUD", "wrong_audience"),
    ("INVALID_ALG_HEADER", "unsupported_algorithm"),
    ("INVALID_SIGNATURE", "bad_signature"),
    ("TOKEN_EXPIRED", "expired"),
    ("TOKEN_NOT_VALID_YET", "issued_in_future"),
    ("NONCE_NOT_MATCHING", "nonce_mismatch"),
    ("INCORRECT_VOT", "vot_mismatch"),
];

/// The sandbox's core-identity knobs and the error each must produce.
const CORE_IDENTITY_KNOBS: [(&str, &str); 6] = [
    ("INVALID_ALG_HEADER", "unsupported_algorithm"),
    ("INVALID_SIGNATURE", "bad_signature"),
    ("INVALID_ISS", "wrong_issuer"),
    ("INVALID_AUD", "wrong_audience"),
    ("INCORRECT_SUB", "wrong_subject"),
    ("TOKEN_EXPIRED", "expired"),
];

fn assert_refused(env: &Env, page: &super::Page, knob: &str, kind: &str) {
    assert_eq!(page.status, 502, "{knob}: {}", page.body);
    assert!(
        page.body.contains("Sorry, there is a problem signing you in"),
        "{knob}: {}",
        page.body
    );
    assert!(page.body.contains("Try signing in again"), "{knob}");
    assert!(!page.body.contains(kind), "{knob}: no token detail on the page");
    let logs = env.logs.text();
    let line = logs
        .lines()
        .rev()
        .find(|l| l.contains("\"msg\":\"sign-in failed\""))
        .unwrap_or_else(|| panic!("{knob}: no log line in {logs}"));
    assert!(line.contains(&format!("\"token_error\":\"{kind}\"")), "{knob}: {line}");
}

#[tokio::test]
async fn every_id_token_error_knob_is_refused_with_a_clear_page() {
    let env = Env::start().await;
    for (knob, kind) in ID_TOKEN_KNOBS {
        let mut browser = env.browser();
        let choice = Choice { id_token_errors: vec![knob], ..Choice::default() };
        let page = browser.sign_in("/account", &choice).await;
        assert_refused(&env, &page, knob, kind);
        assert!(browser.session().is_none(), "{knob}: no session");
        assert_eq!(browser.get("/account").await.status, 302, "{knob}: still signed out");
    }
    assert_eq!(env.upstream.count(), 0);
}

#[tokio::test]
async fn every_core_identity_error_knob_is_refused_with_a_clear_page() {
    let env = Env::start().await;
    for (knob, kind) in CORE_IDENTITY_KNOBS {
        let mut browser = env.browser();
        let choice = Choice { core_identity_errors: vec![knob], ..Choice::default() };
        let page = browser.sign_in("/apply", &choice).await;
        assert_refused(&env, &page, knob, kind);
        assert!(browser.session().is_none(), "{knob}: no session");
    }
    assert_eq!(env.upstream.count(), 0);
}

#[tokio::test]
async fn access_denied_and_temporarily_unavailable_are_pages_not_panics() {
    let env = Env::start().await;
    let mut browser = env.browser();
    let denied = browser
        .sign_in("/account", &Choice { outcome: Some("access_denied"), ..Choice::default() })
        .await;
    assert_eq!(denied.status, 403);
    assert!(denied.body.contains("You have not been signed in"), "{}", denied.body);
    assert!(denied.body.contains("/_gaap/sign-in?return_to=%2Faccount"), "{}", denied.body);
    assert!(env.logs.text().contains("access_denied"));

    let unavailable = browser
        .sign_in(
            "/account",
            &Choice { outcome: Some("temporarily_unavailable"), ..Choice::default() },
        )
        .await;
    assert_eq!(unavailable.status, 503);
    assert!(unavailable.body.contains("GOV.UK One Login is not available"), "{}", unavailable.body);
    assert!(env.logs.text().contains("temporarily_unavailable"));

    let login_required = browser
        .sign_in("/account", &Choice { outcome: Some("login_required"), ..Choice::default() })
        .await;
    assert_eq!(login_required.status, 502);
    assert!(browser.session().is_none());

    // A user whose identity is below the route's level: One Login answers access_denied.
    let mut unproven = env.browser();
    let page = unproven.sign_in("/apply", &Choice { user: 1, ..Choice::default() }).await;
    assert_eq!(page.status, 403);
    assert!(unproven.session().is_none());
}

#[tokio::test]
async fn one_login_out_of_reach_is_a_page() {
    let dead = super::free_port();
    let env = Env::start_with(|c| {
        c["one_login"]["issuer"] = format!("http://127.0.0.1:{dead}/").into();
    })
    .await;
    let mut browser = env.browser();
    let page = browser.get("/account").await;
    assert_eq!(page.status, 503);
    assert!(page.body.contains("GOV.UK One Login is not available"), "{}", page.body);
    assert!(env.logs.text().contains("One Login discovery failed"));
}
