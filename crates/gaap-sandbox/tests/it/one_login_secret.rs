//! `client_secret_post` at One Login's token endpoint, as the simulator does it: an Argon2id hash registered
//! for the client, the secret in the form body, and the simulator's answers when it is wrong.

use argon2::password_hash::{PasswordHasher as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use gaap_sandbox::{ClientConfig, ClientSecretHash, Config, TokenAuthMethod};
use serde_json::Value;

use crate::common::{clock, get_json, http, start};
use crate::one_login::{REDIRECT, sign_in};

const SECRET: &str = "sandbox-client-secret-0123456789";

/// An Argon2id PHC hash of `secret`, with the memory (KiB) and time costs given.
fn argon2id(secret: &str, m: u32, t: u32) -> ClientSecretHash {
    let salt = SaltString::from_b64("Z2FhcHNhbmRib3hzYWx0").unwrap();
    let params = Params::new(m, t, 1, Some(32)).unwrap();
    let phc = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(secret.as_bytes(), &salt)
        .unwrap()
        .to_string();
    ClientSecretHash::new(phc)
}

fn secret_client(hash: ClientSecretHash) -> ClientConfig {
    ClientConfig {
        token_auth_method: TokenAuthMethod::ClientSecretPost,
        client_secret_hash: Some(hash),
        identity_verification_supported: false,
        ..ClientConfig::default()
    }
}

async fn post_token(issuer: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let r = http().post(format!("{issuer}token")).form(form).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

fn error(body: &Value) -> (&str, &str) {
    (
        body["error"].as_str().unwrap_or_default(),
        body["error_description"].as_str().unwrap_or_default(),
    )
}

#[tokio::test]
async fn client_secret_post_takes_the_registered_secret_only() {
    let clock = clock();
    let mut config = Config::default();
    let other = ClientConfig { client_id: "jwt-client".to_owned(), ..ClientConfig::default() };
    config.one_login.clients = vec![secret_client(argon2id(SECRET, 15_360, 2)), other];
    let h = start(config, &clock).await;
    let issuer = h.credentials().one_login.issuer.clone();
    let client_id = h.credentials().one_login.client_id.clone();

    let discovery = get_json(&format!("{issuer}.well-known/openid-configuration")).await;
    assert_eq!(
        discovery["token_endpoint_auth_methods_supported"],
        serde_json::json!(["private_key_jwt", "client_secret_post"])
    );

    let q = sign_in(&issuer, &[], &[("user", "0")]).await;
    let code = q["code"].as_str();
    let form = |id: &'static str, secret: &'static str| {
        vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", id),
            ("client_secret", secret),
        ]
    };
    let (status, body) =
        post_token(&issuer, &form("HGIOgho9HIRhgoepdIOPFdIUWgewi0jw", "not-the-secret")).await;
    assert_eq!((status, error(&body)), (400, ("invalid_client", "Invalid client secret")));
    let (status, body) = post_token(&issuer, &form("nobody", SECRET)).await;
    assert_eq!((status, error(&body)), (400, ("invalid_client", "Client authentication failed")));
    let (status, body) = post_token(&issuer, &form("jwt-client", SECRET)).await;
    assert_eq!(
        (status, error(&body)),
        (400, ("invalid_client", "Client is not registered to use client_secret_post"))
    );
    let no_method = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("client_id", client_id.as_str()),
    ];
    let (status, body) = post_token(&issuer, &no_method).await;
    assert_eq!(
        (status, error(&body)),
        (400, ("invalid_request", "Invalid token authentication method used"))
    );

    // A failed authentication leaves the code unused; the right secret then gets the tokens.
    let (status, body) =
        post_token(&issuer, &form("HGIOgho9HIRhgoepdIOPFdIUWgewi0jw", SECRET)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    let payload = body["id_token"].as_str().unwrap().split('.').nth(1).unwrap().to_owned();
    let claims: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["aud"], client_id.as_str());
    let (status, body) =
        post_token(&issuer, &form("HGIOgho9HIRhgoepdIOPFdIUWgewi0jw", SECRET)).await;
    assert_eq!((status, error(&body).0), (400, "invalid_grant"), "codes stay single-use");

    // A client_secret_post client is authentication only: an identity vtr is refused.
    let q = sign_in(&issuer, &[("vtr", "[\"Cl.Cm.P2\"]")], &[("user", "0")]).await;
    assert_eq!(
        (q["error"].as_str(), q["error_description"].as_str()),
        ("invalid_request", "Request vtr not valid")
    );
}

#[tokio::test]
async fn token_requests_missing_a_parameter_get_the_simulators_answers() {
    let clock = clock();
    let h = start(Config::default(), &clock).await;
    let issuer = h.credentials().one_login.issuer.clone();
    let cases: [(&[(&str, &str)], &str); 3] = [
        (&[("code", "c"), ("redirect_uri", REDIRECT)], "Request is missing grant_type parameter"),
        (
            &[("grant_type", "authorization_code"), ("code", "c")],
            "Request is missing redirect_uri parameter",
        ),
        (
            &[("grant_type", "authorization_code"), ("redirect_uri", REDIRECT)],
            "Request is missing code parameter",
        ),
    ];
    for (form, description) in cases {
        let (status, body) = post_token(&issuer, form).await;
        assert_eq!((status, error(&body)), (400, ("invalid_request", description)));
    }
}

#[tokio::test]
async fn secret_registrations_are_checked_when_the_sandbox_starts() {
    let refused = |client: ClientConfig| async move {
        let mut config = Config::default();
        config.one_login.clients = vec![client];
        gaap_sandbox::Sandbox::start(config).await.unwrap_err().to_string()
    };
    let err = refused(ClientConfig {
        identity_verification_supported: true,
        ..secret_client(argon2id(SECRET, 64, 1))
    })
    .await;
    assert!(err.contains("cannot support identity verification"), "{err}");
    let err = refused(ClientConfig {
        client_secret_hash: None,
        ..secret_client(argon2id(SECRET, 64, 1))
    })
    .await;
    assert!(err.contains("client_secret_post needs a client_secret_hash"), "{err}");
    let err = refused(ClientConfig {
        client_secret_hash: Some(argon2id(SECRET, 64, 1)),
        ..ClientConfig::default()
    })
    .await;
    assert!(err.contains("only for token_auth_method client_secret_post"), "{err}");
    let err = refused(secret_client(ClientSecretHash::new("$2b$10$notargon"))).await;
    assert!(err.contains("client_secret_hash"), "{err}");
    assert!(!err.contains("notargon"), "the hash is not echoed: {err}");

    let err = serde_json::from_value::<Config>(serde_json::json!({"one_login": {"clients": [{
        "client_id": "c", "token_auth_method": "client_secret_basic"}]}}))
    .unwrap_err()
    .to_string();
    assert!(err.contains("unknown variant `client_secret_basic`"), "{err}");
    let debug = format!("{:?}", secret_client(argon2id(SECRET, 64, 1)));
    assert!(!debug.contains("argon2id$"), "the hash stays out of Debug: {debug}");
}
