//! Sign-in at `Cl.Cm`, step-up to `Cl.Cm.P2` with the identity header, and who gets a redirect or a 401.

use super::{Choice, Env, SUB, decode_identity, query};

#[tokio::test]
async fn sign_in_at_cl_cm_returns_to_the_first_path_with_trusted_headers() {
    let env = Env::start().await;
    let mut browser = env.browser();

    let start = browser.get("/dashboard?tab=bills&x=%2F").await;
    assert_eq!(start.status, 302);
    let authorize = start.location();
    let q = query(&authorize);
    assert!(authorize.starts_with(&format!("{}authorize?", browser.issuer)), "{authorize}");
    assert_eq!(q["vtr"], r#"["Cl.Cm"]"#);
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["code_challenge"].len(), 43);
    assert_eq!(q["state"].len(), 43);
    assert_eq!(q["nonce"].len(), 43);
    assert_eq!(q["redirect_uri"], format!("{}/_gaap/callback", env.url));
    assert_eq!(q["scope"], "openid email");
    assert!(!q.contains_key("claims"), "no identity asked at Cl.Cm");
    let signin_cookie = browser.set_cookies.last().unwrap().clone();
    assert!(signin_cookie.starts_with("gaap_signin="), "{signin_cookie}");
    assert!(signin_cookie.contains("HttpOnly") && signin_cookie.contains("SameSite=Lax"));

    let callback = browser.sandbox_sign_in(&authorize, &Choice::default()).await;
    let back = browser.get(&callback).await;
    assert_eq!(back.status, 303, "{}", back.body);
    assert_eq!(back.location(), "/dashboard?tab=bills&x=%2F");
    let session_cookie = browser.set_cookies.last().unwrap().clone();
    assert!(session_cookie.starts_with("gaap_session="), "{session_cookie}");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session_cookie.contains(attr), "{session_cookie}");
    }
    assert!(!session_cookie.contains("Secure"), "plain http: no Secure, no __Host-");

    let page = browser.get("/dashboard?tab=bills&x=%2F").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.json()["uri"], "/dashboard?tab=bills&x=%2F");
    assert_eq!(page.echoed("x-gaap-sub").as_deref(), Some(SUB));
    assert_eq!(page.echoed("x-gaap-email").as_deref(), Some("test@example.com"));
    assert_eq!(page.echoed("x-gaap-email-verified").as_deref(), Some("true"));
    assert_eq!(page.echoed("x-gaap-vot").as_deref(), Some("Cl.Cm"));
    assert_eq!(page.echoed("x-gaap-csrf-token").map(|t| t.len()), Some(43));
    assert_eq!(page.echoed("x-gaap-identity"), None, "identity only on identity routes");
    assert_eq!(page.echoed("x-forwarded-for").as_deref(), Some("127.0.0.1"));
    assert_eq!(page.echoed("x-forwarded-proto").as_deref(), Some("http"));
    assert_eq!(
        page.echoed("x-forwarded-host").as_deref(),
        Some(env.url.trim_start_matches("http://"))
    );
    assert_eq!(page.echoed("cookie"), None, "the gateway's cookies never reach the upstream");
    assert!(env.logs.text().contains("\"msg\":\"signed in\""), "{}", env.logs.text());
}

#[tokio::test]
async fn non_browser_requests_without_a_session_get_401_and_public_paths_pass() {
    let env = Env::start().await;
    let mut browser = env.browser();
    let url = format!("{}/dashboard", env.url);
    let api = browser.send(|c| c.get(&url).header("accept", "application/json")).await;
    assert_eq!(api.status, 401);
    assert!(api.body.contains("/_gaap/sign-in?return_to=%2Fdashboard"), "{}", api.body);
    let post = browser.send(|c| c.post(&url).header("accept", "text/html").body("a=1")).await;
    assert_eq!(post.status, 401);
    let fetch = browser
        .send(|c| c.get(&url).header("accept", "text/html").header("sec-fetch-mode", "cors"))
        .await;
    assert_eq!(fetch.status, 401, "a script's fetch is not a navigation");
    let nav = browser
        .send(|c| c.get(&url).header("accept", "*/*").header("sec-fetch-mode", "navigate"))
        .await;
    assert_eq!(nav.status, 302);
    assert_eq!(env.upstream.count(), 0, "nothing reached the upstream");

    let public = browser.get("/public/leaflet?x=1").await;
    assert_eq!(public.status, 200);
    assert_eq!(public.echoed("x-gaap-sub"), None);
    let lookalike = browser.send(|c| c.get(format!("{}/publication", env.url))).await;
    assert_eq!(lookalike.status, 401, "/publication is not under /public");
}

#[tokio::test]
async fn the_sign_in_link_starts_at_the_route_level_and_public_pages_see_a_signed_in_user() {
    let env = Env::start().await;
    let mut browser = env.browser();
    let start = browser.get("/_gaap/sign-in?return_to=%2Fapply%2Fform").await;
    assert_eq!(start.status, 302);
    assert_eq!(query(&start.location())["vtr"], r#"["Cl.Cm.P2"]"#);
    let callback = browser.sandbox_sign_in(&start.location(), &Choice::default()).await;
    let back = browser.get(&callback).await;
    assert_eq!(back.location(), "/apply/form");
    let public = browser.get("/public").await;
    assert_eq!(public.echoed("x-gaap-sub").as_deref(), Some(SUB));
    assert_eq!(public.echoed("x-gaap-identity"), None);
}

#[tokio::test]
async fn step_up_to_p2_sends_the_verified_identity_on_identity_routes() {
    let env = Env::start().await;
    let mut browser = env.browser();
    let back = browser.sign_in("/", &Choice::default()).await;
    assert_eq!(back.status, 303);
    let first = browser.session().unwrap();
    assert_eq!(browser.get("/").await.echoed("x-gaap-vot").as_deref(), Some("Cl.Cm"));

    // /apply needs Cl.Cm.P2: the Cl.Cm session is sent back to sign in at that level.
    let step_up = browser.get("/apply/form?step=1").await;
    assert_eq!(step_up.status, 302);
    let q = query(&step_up.location());
    assert_eq!(q["vtr"], r#"["Cl.Cm.P2"]"#);
    assert!(q["claims"].contains("https://vocab.account.gov.uk/v1/coreIdentityJWT"), "{q:?}");
    let callback = browser.sandbox_sign_in(&step_up.location(), &Choice::default()).await;
    let back = browser.get(&callback).await;
    assert_eq!(back.status, 303, "{}", back.body);
    assert_eq!(back.location(), "/apply/form?step=1");
    assert_ne!(browser.session().unwrap(), first, "a new session id at every sign-in");

    let page = browser.get("/apply/form?step=1").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.echoed("x-gaap-vot").as_deref(), Some("Cl.Cm.P2"));
    let identity = decode_identity(&page.echoed("x-gaap-identity").unwrap());
    assert_eq!(identity["sub"], SUB);
    assert_eq!(identity["vot"], "P2");
    assert_eq!(
        identity["name"][0]["nameParts"],
        serde_json::json!([{"type": "GivenName", "value": "GEOFFREY"},
                           {"type": "FamilyName", "value": "HEARNSHAW"}])
    );
    assert_eq!(identity["birthDate"], serde_json::json!([{"value": "1955-04-19"}]));

    // The P2 session covers the lower routes, without the identity header there.
    let home = browser.get("/").await;
    assert_eq!(home.status, 200);
    assert_eq!(home.echoed("x-gaap-identity"), None);
    assert_eq!(browser.get("/low").await.status, 200);

    // The old Cl.Cm session id was ended at the step-up.
    let mut old = env.browser();
    old.jar.insert("gaap_session".to_owned(), first);
    assert_eq!(old.get("/").await.status, 302);
}

#[tokio::test]
async fn behind_https_the_cookies_are_secure_host_cookies_and_forwarded_proto_is_https() {
    let clock = super::clock();
    let dir = tempfile::tempdir().unwrap();
    let port = super::free_port();
    let (http, https) = (format!("http://127.0.0.1:{port}"), format!("https://127.0.0.1:{port}"));
    let sandbox = super::sandbox(&clock, std::slice::from_ref(&https)).await;
    let upstream = super::Upstream::start().await;
    let sessions = format!("sqlite:{}", dir.path().join("s.sqlite3").display());
    let config = super::gateway_json(&sandbox, dir.path(), &upstream.url, &sessions);
    let logs = super::Logs::default();
    let _gateway = super::start_gateway(port, Some(&https), config, &clock, &logs).await;

    // The browser talks to the listener over http, as a TLS-terminating proxy would.
    let mut browser = super::Browser::new(&http, &sandbox.credentials().one_login.issuer);
    let start = browser.get("/account").await;
    assert_eq!(query(&start.location())["redirect_uri"], format!("{https}/_gaap/callback"));
    let signin = browser.set_cookies.last().unwrap().clone();
    assert!(signin.starts_with("__Host-gaap_signin=") && signin.contains("Secure"), "{signin}");
    let callback = browser.sandbox_sign_in(&start.location(), &Choice::default()).await;
    let back = browser.get(&callback.replacen("https://", "http://", 1)).await;
    assert_eq!(back.status, 303, "{}", back.body);
    let session = browser.set_cookies.last().unwrap().clone();
    assert!(session.starts_with("__Host-gaap_session="), "{session}");
    for attr in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(attr), "{session}");
    }
    assert!(!session.contains("Domain"), "{session}");

    let page = browser.get("/account").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.echoed("x-forwarded-proto").as_deref(), Some("https"));
    // A cookie without the prefix is not the session over https.
    let mut plain = super::Browser::new(&http, &browser.issuer);
    let id = browser.jar["__Host-gaap_session"].clone();
    plain.jar.insert("gaap_session".to_owned(), id);
    assert_eq!(plain.get("/account").await.status, 302);
}

#[tokio::test]
async fn a_cl_session_steps_up_to_cl_cm() {
    let env = Env::start().await;
    let mut browser = env.browser();
    let start = browser.get("/low/page").await;
    assert_eq!(query(&start.location())["vtr"], r#"["Cl"]"#);
    let callback = browser.sandbox_sign_in(&start.location(), &Choice::default()).await;
    assert_eq!(browser.get(&callback).await.status, 303);
    assert_eq!(browser.get("/low/page").await.echoed("x-gaap-vot").as_deref(), Some("Cl"));
    let step_up = browser.get("/account").await;
    assert_eq!(step_up.status, 302, "Cl is below the default Cl.Cm");
    assert_eq!(query(&step_up.location())["vtr"], r#"["Cl.Cm"]"#);
}
