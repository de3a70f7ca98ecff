//! Attacks: spoofed trusted headers, session fixation, replayed callbacks, open redirects.

use super::{Choice, Env, SUB, query};

#[tokio::test]
async fn a_spoofed_x_gaap_sub_from_the_client_never_reaches_the_upstream() {
    let env = Env::start().await;
    let mut browser = env.browser();
    let spoof = |c: &reqwest::Client, url: String| {
        c.get(url)
            .header("X-Gaap-Sub", "urn:fdc:gov.uk:2022:attacker")
            .header("x-gaap-vot", "Cl.Cm.P3")
            .header("X-GAAP-IDENTITY", "eyJ2b3QiOiJQMyJ9")
            .header("X-Gaap-Email", "attacker@example.com")
            .header("X-Gaap-Anything-Else", "1")
    };

    // Signed out, on a public page: no X-Gaap-* header at all.
    let url = format!("{}/public/page", env.url);
    let public = browser.send(|c| spoof(c, url)).await;
    assert_eq!(public.status, 200);
    let seen = env.upstream.last();
    assert!(seen.headers.keys().all(|k| !k.as_str().starts_with("x-gaap-")), "{:?}", seen.headers);

    // Signed out, on a protected page: refused before the upstream.
    let before = env.upstream.count();
    let url = format!("{}/account", env.url);
    assert_eq!(browser.send(|c| spoof(c, url)).await.status, 401);
    assert_eq!(env.upstream.count(), before);

    // Signed in: the upstream sees the session's values only, once each.
    browser.sign_in("/apply", &Choice::default()).await;
    let url = format!("{}/apply", env.url);
    assert_eq!(browser.send(|c| spoof(c, url)).await.status, 200);
    let seen = env.upstream.last();
    let all = |name: &str| -> Vec<String> {
        seen.headers.get_all(name).iter().map(|v| v.to_str().unwrap().to_owned()).collect()
    };
    assert_eq!(all("x-gaap-sub"), [SUB]);
    assert_eq!(all("x-gaap-vot"), ["Cl.Cm.P2"]);
    assert_eq!(all("x-gaap-email"), ["test@example.com"]);
    assert_eq!(all("x-gaap-identity").len(), 1);
    assert_ne!(all("x-gaap-identity"), ["eyJ2b3QiOiJQMyJ9"]);
    assert!(all("x-gaap-anything-else").is_empty());
}

#[tokio::test]
async fn a_session_id_planted_before_sign_in_is_useless_after_it() {
    let env = Env::start().await;
    let planted = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let mut victim = env.browser();
    victim.jar.insert("gaap_session".to_owned(), planted.to_owned());
    let back = victim.sign_in("/account", &Choice::default()).await;
    assert_eq!(back.status, 303);
    let issued = victim.session().unwrap();
    assert_ne!(issued, planted, "the gateway never adopts a session id it did not issue");
    assert_eq!(victim.get("/account").await.echoed("x-gaap-sub").as_deref(), Some(SUB));

    // The attacker, holding the planted id, is not signed in.
    let mut attacker = env.browser();
    attacker.jar.insert("gaap_session".to_owned(), planted.to_owned());
    let page = attacker.get("/account").await;
    assert_eq!(page.status, 302, "the planted id is not a session");
    assert_eq!(env.upstream.count(), 1);
}

#[tokio::test]
async fn a_replayed_callback_fails_with_the_same_state_or_the_same_code() {
    let env = Env::start().await;
    let mut browser = env.browser();
    let start = browser.get("/account").await;
    let callback = browser.sandbox_sign_in(&start.location(), &Choice::default()).await;
    assert_eq!(browser.get(&callback).await.status, 303);

    // The same callback again, in the same browser and in another: the state was used.
    let again = browser.get(&callback).await;
    assert_eq!(again.status, 400);
    assert!(again.body.contains("Your sign-in has expired"), "{}", again.body);
    let mut other = env.browser();
    assert_eq!(other.get(&callback).await.status, 400);
    assert!(other.session().is_none());

    // The used code with a fresh, valid state: One Login refuses the code, no session is made.
    let mut fresh = env.browser();
    let start = fresh.get("/account").await;
    let state = query(&start.location())["state"].clone();
    let code = query(&callback)["code"].clone();
    let forged = format!(
        "{}/_gaap/callback?code={}&state={}",
        env.url,
        url::form_urlencoded::byte_serialize(code.as_bytes()).collect::<String>(),
        url::form_urlencoded::byte_serialize(state.as_bytes()).collect::<String>()
    );
    let page = fresh.get(&forged).await;
    assert_eq!(page.status, 502, "{}", page.body);
    assert!(page.body.contains("Sorry, there is a problem signing you in"));
    assert!(fresh.session().is_none());
    assert!(env.logs.text().contains("invalid_grant"), "{}", env.logs.text());
}

#[tokio::test]
async fn a_callback_started_in_another_browser_is_refused() {
    let env = Env::start().await;
    let mut victim = env.browser();
    let mut attacker = env.browser();
    // The attacker starts a sign-in and lures the victim to its callback (login CSRF).
    let start = attacker.get("/account").await;
    let callback = attacker.sandbox_sign_in(&start.location(), &Choice::default()).await;
    let page = victim.get(&callback).await;
    assert_eq!(page.status, 400);
    assert!(victim.session().is_none());
    assert!(env.logs.text().contains("another browser"), "{}", env.logs.text());
}

#[tokio::test]
async fn a_redirect_target_off_the_origin_is_refused() {
    let env = Env::start().await;
    let mut browser = env.browser();
    for target in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "http:evil.example",
        "/\r\nLocation: https://evil.example",
    ] {
        let q: String = url::form_urlencoded::byte_serialize(target.as_bytes()).collect();
        let page = browser.get(&format!("/_gaap/sign-in?return_to={q}")).await;
        assert_eq!(page.status, 400, "{target}: {}", page.body);
        assert!(page.headers.get("location").is_none());
        assert!(page.body.contains("The page address is not valid"));
    }
    // A path that a browser would read as another host is never a return address either.
    let page = browser.get(&format!("{}//evil.example/x", env.url)).await;
    assert_eq!(page.status, 400);
    assert!(page.headers.get("location").is_none());

    // A same-origin path is fine, and is where the sign-in ends.
    let page = browser.get("/_gaap/sign-in?return_to=%2Faccount%3Fa%3D1").await;
    assert_eq!(page.status, 302);
    let callback = browser.sandbox_sign_in(&page.location(), &Choice::default()).await;
    assert_eq!(browser.get(&callback).await.location(), "/account?a=1");
}
