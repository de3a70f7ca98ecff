//! A full authorization-code flow against node `oidc-provider` (panva/node-oidc-provider, an OpenID
//! certified OP nobody here wrote), configured like One Login by `interop/oidc/provider.mjs`:
//! private_key_jwt RS256 for our client, ES256 ID tokens, `vtr`/`vot`, URL-named claims and a DID document.
//!
//! Needs `GAAP_NODE_MODULES` (the absolute path of interop/node_modules, with oidc-provider and jose);
//! without it the test fails, it never skips.

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

use gaap_identity::{
    AuthorizeRequest, CallbackOutcome, ClaimsRequest, Client, ClientKey, Error, IdentityOutcome,
    Scope, UiLocale, VocabClaim,
};
use url::Url;

use crate::support::{RP_KEY_PEM, SUB, bad_signature, p2};

const CLIENT_ID: &str = "gaap-interop-client";
const REDIRECT_URI: &str = "http://localhost:8080/oidc/authorization-code/callback";

/// Kills the provider when the test ends, however it ends.
struct Provider {
    child: Child,
    issuer: String,
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_provider(rp_jwk: &str) -> Provider {
    let modules = std::env::var("GAAP_NODE_MODULES").unwrap_or_else(|_| {
        panic!(
            "GAAP_NODE_MODULES is not set: point it at interop/node_modules (cd interop && npm ci)"
        )
    });
    for package in ["oidc-provider", "jose"] {
        let dir = std::path::Path::new(&modules).join(package);
        assert!(dir.is_dir(), "{} is missing: run `cd interop && npm ci`", dir.display());
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../interop/oidc/provider.mjs");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let node = std::env::var("GAAP_NODE").unwrap_or_else(|_| "node".to_owned());
    let mut child = Command::new(&node)
        .arg(script)
        .env("GAAP_NODE_MODULES", &modules)
        .env("PORT", port.to_string())
        .env("CLIENT_ID", CLIENT_ID)
        .env("REDIRECT_URI", REDIRECT_URI)
        .env("RP_JWK", rp_jwk)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {node}: {e}"));
    let mut line = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut line).unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line)
        .unwrap_or_else(|e| panic!("provider.mjs did not start (first line {line:?}): {e}"));
    let issuer = ready["issuer"].as_str().unwrap().to_owned();
    Provider { child, issuer, _stdout: stdout }
}

/// Plays the browser: follows redirects by hand, keeping cookies, until the OP redirects to our callback.
async fn browse_to_callback(start: &Url) -> String {
    let http =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut cookies: HashMap<String, String> = HashMap::new();
    let mut url = start.clone();
    for _ in 0..10 {
        let cookie_header: Vec<String> = cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let response =
            http.get(url.clone()).header("cookie", cookie_header.join("; ")).send().await.unwrap();
        for set in response.headers().get_all("set-cookie") {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                cookies.remove(name);
            } else {
                cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let status = response.status();
        assert!(
            status.is_redirection(),
            "{url} answered {status}: {}",
            response.text().await.unwrap_or_default()
        );
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        if location.starts_with(REDIRECT_URI) {
            return Url::parse(&location).unwrap().query().unwrap_or_default().to_owned();
        }
        url = url.join(&location).unwrap();
    }
    panic!("no redirect to the callback after 10 hops");
}

#[tokio::test]
async fn oidc_provider_full_authorization_code_flow() {
    let rp_key = ClientKey::from_pem(RP_KEY_PEM).unwrap().with_kid("rp-key-1");
    let rp_jwk = serde_json::to_string(&rp_key.public_jwk().unwrap()).unwrap();
    let provider = start_provider(&rp_jwk);
    let client = Client::builder(&provider.issuer, CLIENT_ID)
        .redirect_uri(REDIRECT_URI)
        .signing_key(rp_key)
        .identity(&provider.issuer, format!("{}.well-known/did.json", provider.issuer))
        .user_agent("gaap-interop/0 (http://localhost:8080)")
        .insecure_allow_http_loopback(true)
        .build()
        .unwrap();

    let vtr = p2();
    let request = client
        .authorize(
            &AuthorizeRequest::new()
                .scope(Scope::Email)
                .vtr(vtr)
                .claims(ClaimsRequest::new().with(VocabClaim::CoreIdentityJwt))
                .ui_locale(UiLocale::En)
                .pkce(true),
        )
        .await
        .unwrap();
    let query = browse_to_callback(&request.url).await;
    let CallbackOutcome::Code(code) = request.pending.callback(&query).unwrap() else {
        panic!("expected a code, got {query}")
    };
    let code_again = gaap_identity::AuthorizationCode::new(code.expose_secret());

    // Token exchange with private_key_jwt; the ES256 ID token passes every One Login rule.
    let tokens = client.exchange_code(&request.pending, code).await.unwrap();
    assert_eq!(tokens.claims.sub, SUB);
    assert_eq!(tokens.claims.vot, "Cl.Cm", "vot is the credential part of vtr Cl.Cm.P2");
    assert_eq!(tokens.claims.iss, provider.issuer);

    // Userinfo in the bearer header, sub matched, the URL-named core identity verified through the DID.
    let info = client.userinfo(&tokens).await.unwrap();
    assert_eq!(info.email.as_deref(), Some("test@example.com"));
    let IdentityOutcome::Proven { identity, .. } =
        client.identity_outcome(&info, &vtr).await.unwrap()
    else {
        panic!("expected a proven identity from {:?}", info.raw)
    };
    assert_eq!(identity.current_name().unwrap().family_name(), "HEARNSHAW");
    assert_eq!(identity.birth_date(), Some(time::macros::date!(1955 - 04 - 19)));

    // A tampered ID token fails: a changed payload, and a replaced signature.
    let raw = tokens.id_token.expose_secret();
    let nonce = request.pending.nonce.expose_secret();
    let mut parts: Vec<String> = raw.split('.').map(str::to_owned).collect();
    let mut payload: serde_json::Value =
        serde_json::from_slice(&gaap_jose::base64url::decode(&parts[1]).unwrap()).unwrap();
    payload["sub"] = serde_json::json!("urn:fdc:gov.uk:2022:attacker");
    parts[1] = gaap_jose::base64url::encode(payload.to_string());
    let tampered = parts.join(".");
    let err = client.verify_id_token(&tampered, nonce, &vtr).await.unwrap_err();
    assert_eq!(err.token_error().unwrap().kind(), "bad_signature");
    let err = client.verify_id_token(&bad_signature(raw), nonce, &vtr).await.unwrap_err();
    assert_eq!(err.token_error().unwrap().kind(), "bad_signature");
    // The untampered token still verifies.
    client.verify_id_token(raw, nonce, &vtr).await.unwrap();

    // The code is single use at a real OP.
    let err = client.exchange_code(&request.pending, code_again).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 400, error: Some(e), .. } if e == "invalid_grant"),
        "{err:?}"
    );

    // RP-initiated logout goes to the discovered end-session endpoint.
    let logout = client
        .end_session_url(&tokens.id_token, Some("http://localhost:8080/signed-out"), Some("LS"))
        .await
        .unwrap();
    assert!(logout.as_str().starts_with(&format!("{}logout?id_token_hint=", provider.issuer)));
}
