//! Session expiry on the injected clock, sign-out (CSRF-safe) and back-channel logout.

use super::{Choice, Env, SECOND_SUB, query};

#[tokio::test]
async fn idle_expiry_on_the_injected_clock() {
    let env = Env::start().await;
    let mut browser = env.browser();
    browser.sign_in("/", &Choice::default()).await;
    // 1800 s idle timeout: each use within it keeps the session alive.
    for _ in 0..3 {
        env.advance(1799);
        assert_eq!(browser.get("/").await.status, 200);
    }
    env.advance(1800);
    let page = browser.get("/").await;
    assert_eq!(page.status, 302, "idle for 30 minutes: signed out");
    assert!(page.location().starts_with(&browser.issuer));
    // The expired id stays dead even if time could go back.
    env.clock.set(time::macros::datetime!(2026-11-22 10:00 UTC));
    assert_eq!(browser.get("/").await.status, 302);
}

#[tokio::test]
async fn absolute_expiry_on_the_injected_clock() {
    let env = Env::start_with(|c| c["absolute_timeout_seconds"] = 7200.into()).await;
    let mut browser = env.browser();
    browser.sign_in("/", &Choice::default()).await;
    for _ in 0..4 {
        env.advance(1700);
        assert_eq!(browser.get("/").await.status, 200);
    }
    env.advance(400);
    assert_eq!(browser.get("/").await.status, 302, "two hours after sign-in, however active");
}

#[tokio::test]
async fn sign_out_is_a_csrf_safe_post_that_ends_the_one_login_session_too() {
    let env = Env::start().await;
    let mut browser = env.browser();
    browser.sign_in("/", &Choice::default()).await;
    let session = browser.session().unwrap();

    let form = browser.get("/_gaap/sign-out").await;
    assert_eq!(form.status, 200);
    assert!(
        form.body.contains("<form method=\"post\" action=\"/_gaap/sign-out\""),
        "{}",
        form.body
    );
    let csrf = form
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    assert_eq!(browser.get("/").await.echoed("x-gaap-csrf-token"), Some(csrf.clone()));

    let url = format!("{}/_gaap/sign-out", env.url);
    // No token, a wrong token, or another site's form: refused, still signed in.
    let none = browser.send(|c| c.post(&url).form(&[("x", "1")])).await;
    assert_eq!(none.status, 403);
    let wrong = browser.send(|c| c.post(&url).form(&[("csrf", "A".repeat(43))])).await;
    assert_eq!(wrong.status, 403);
    let cross = browser
        .send(|c| c.post(&url).header("origin", "https://evil.example").form(&[("csrf", &csrf)]))
        .await;
    assert_eq!(cross.status, 403);
    // A GET to the sign-out path never signs out.
    assert_eq!(browser.get("/_gaap/sign-out").await.status, 200);
    assert_eq!(browser.get("/").await.status, 200);

    let out = browser
        .send(|c| c.post(&url).header("origin", env.url.as_str()).form(&[("csrf", &csrf)]))
        .await;
    assert_eq!(out.status, 303, "{}", out.body);
    let end_session = out.location();
    assert!(end_session.starts_with(&format!("{}logout?", browser.issuer)), "{end_session}");
    let q = query(&end_session);
    assert_eq!(q["post_logout_redirect_uri"], format!("{}/_gaap/signed-out", env.url));
    assert!(q["id_token_hint"].split('.').count() == 3);
    assert!(browser.session().is_none(), "the cookie is cleared");

    // One Login ends its session and comes back to the gateway's signed-out page.
    let back = browser.get(&end_session).await;
    assert_eq!(back.status, 302);
    assert_eq!(back.location(), format!("{}/_gaap/signed-out", env.url));
    let done = browser.get(&back.location()).await;
    assert_eq!(done.status, 200);
    assert!(done.body.contains("You have signed out"));

    // The old id, replayed: not a session any more.
    let mut thief = env.browser();
    thief.jar.insert("gaap_session".to_owned(), session);
    assert_eq!(thief.get("/").await.status, 302);
}

#[tokio::test]
async fn back_channel_logout_ends_every_session_of_the_user_and_is_replay_safe() {
    let env = Env::start().await;
    let mut laptop = env.browser();
    let mut phone = env.browser();
    let mut someone_else = env.browser();
    laptop.sign_in("/", &Choice::default()).await;
    phone.sign_in("/", &Choice::default()).await;
    someone_else.sign_in("/", &Choice { user: 1, ..Choice::default() }).await;
    assert_eq!(someone_else.get("/").await.echoed("x-gaap-sub").as_deref(), Some(SECOND_SUB));

    env.sandbox.back_channel_logout(super::SUB);
    env.sandbox.run_due().await;
    let delivery = env
        .sandbox
        .deliveries()
        .into_iter()
        .find(|d| d.url.ends_with("/_gaap/back-channel-logout"))
        .expect("a logout token was sent");
    assert_eq!(delivery.attempts.last().and_then(|a| a.status), Some(200));

    assert_eq!(laptop.get("/").await.status, 302, "laptop signed out");
    assert_eq!(phone.get("/").await.status, 302, "phone signed out");
    assert_eq!(someone_else.get("/").await.status, 200, "another user is untouched");
    assert!(env.logs.text().contains("\"sessions_ended\":\"2\""), "{}", env.logs.text());

    // The same token again is refused; so is garbage.
    let url = format!("{}/_gaap/back-channel-logout", env.url);
    let replay = laptop
        .send(|c| {
            c.post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(delivery.body.clone())
        })
        .await;
    assert_eq!(replay.status, 400);
    let garbage = laptop.send(|c| c.post(&url).form(&[("logout_token", "a.b.c")])).await;
    assert_eq!(garbage.status, 400);
    let empty = laptop.send(|c| c.post(&url).form(&[("x", "1")])).await;
    assert_eq!(empty.status, 400);
}
