//! Where One Login's simulator and the sandbox used to disagree: fractional NumericDates in client assertions,
//! an assertion valid for years, the expired core identity's age, userinfo per user, and discovery.

use gaap_http::Clock as _;
use gaap_sandbox::{Config, SandboxHandle, UserConfig};
use serde_json::{Value, json};

use crate::common::{clock, get_json, http, start};
use crate::one_login::{REDIRECT, sign_in, signed_assertion, verify_es256};

/// Exchanges a code with an assertion carrying these time claims.
async fn exchange(h: &SandboxHandle, code: &str, times: &Value, jti: &str) -> (u16, Value) {
    let creds = &h.credentials().one_login;
    let issuer = &creds.issuer;
    let mut claims = json!({"iss": creds.client_id, "sub": creds.client_id, "aud": format!("{issuer}token"),
                            "jti": jti});
    for (k, v) in times.as_object().unwrap() {
        claims[k] = v.clone();
    }
    let a = signed_assertion(h, "RS256", &claims);
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
        ("client_assertion", a.as_str()),
    ];
    let r = http().post(format!("{issuer}token")).form(&form).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// `/userinfo` with an access token.
pub(crate) async fn userinfo(h: &SandboxHandle, access: &str) -> Value {
    let issuer = &h.credentials().one_login.issuer;
    let r = http().get(format!("{issuer}userinfo")).bearer_auth(access).send().await.unwrap();
    r.json().await.unwrap()
}

#[tokio::test]
async fn fractional_numeric_dates_are_accepted_and_a_far_exp_is_not() {
    let clock = clock();
    let h = start(Config::default(), &clock).await;
    let issuer = h.credentials().one_login.issuer.clone();
    let now = clock.unix_seconds() as f64;
    let q = sign_in(&issuer, &[], &[("user", "0")]).await;
    let (status, body) =
        exchange(&h, &q["code"], &json!({"iat": now - 0.371, "exp": now + 299.629}), "f1").await;
    assert_eq!(status, 200, "a fractional exp and iat, as jose's test clients send: {body}");

    let q = sign_in(&issuer, &[], &[("user", "0")]).await;
    let ten_years = now + 315_360_000.0;
    let (status, body) =
        exchange(&h, &q["code"], &json!({"iat": now, "exp": ten_years}), "f2").await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");
    assert_eq!(body["error_description"], "private_key_jwt expires too far in the future");
    let (status, body) = exchange(&h, &q["code"], &json!({"iat": now, "exp": "later"}), "f3").await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")), "{body}");
    let (status, body) = exchange(&h, &q["code"], &json!({"exp": now - 1.5}), "f4").await;
    assert_eq!(
        (status, body["error_description"].as_str()),
        (400, Some("private_key_jwt has expired"))
    );
}

/// The simulator verifies an assertion with jose's `jwtVerify` and its defaults: an `nbf` still ahead, or an `exp`
/// that is the current whole second, fails that check, and the simulator answers it as a bad signature.
#[tokio::test]
async fn an_assertion_not_yet_valid_or_expiring_this_second_is_refused_as_the_simulator_refuses_it()
{
    let clock = clock();
    let h = start(Config::default(), &clock).await;
    let issuer = h.credentials().one_login.issuer.clone();
    let now = clock.unix_seconds() as f64;
    let cases = [
        (json!({"iat": now, "exp": now + 300.0, "nbf": now + 120.0}), "n1"),
        (json!({"iat": now, "exp": now + 300.0, "nbf": now + 0.5}), "n2"),
        (json!({"iat": now - 10.0, "exp": now}), "n3"),
    ];
    for (times, jti) in cases {
        let q = sign_in(&issuer, &[], &[("user", "0")]).await;
        let (status, body) = exchange(&h, &q["code"], &times, jti).await;
        assert_eq!(
            (status, body["error"].as_str(), body["error_description"].as_str()),
            (400, Some("invalid_client"), Some("Invalid signature in private_key_jwt")),
            "{times}: {body}"
        );
    }
    for (times, jti) in [
        (json!({"iat": now, "exp": now + 300.0, "nbf": now}), "ok1"),
        (json!({"iat": now + 3600.0, "exp": now + 0.25}), "ok2"),
    ] {
        let q = sign_in(&issuer, &[], &[("user", "0")]).await;
        let (status, body) = exchange(&h, &q["code"], &times, jti).await;
        assert_eq!(status, 200, "{times}: {body}");
    }
}

#[tokio::test]
async fn the_expired_core_identity_is_a_day_old() {
    let clock = clock();
    let mut config = Config::default();
    config.one_login.core_identity_errors = vec!["TOKEN_EXPIRED".to_owned()];
    let h = start(config, &clock).await;
    let issuer = h.credentials().one_login.issuer.clone();
    let claims =
        json!({"userinfo": {"https://vocab.account.gov.uk/v1/coreIdentityJWT": null}}).to_string();
    let q =
        sign_in(&issuer, &[("vtr", "[\"Cl.Cm.P2\"]"), ("claims", &claims)], &[("user", "0")]).await;
    let now = clock.unix_seconds() as f64;
    let (status, tokens) = exchange(&h, &q["code"], &json!({"exp": now + 60.0}), "c1").await;
    assert_eq!(status, 200, "{tokens}");
    let info = userinfo(&h, tokens["access_token"].as_str().unwrap()).await;
    let did = get_json(&format!("{issuer}.well-known/did.json")).await;
    let core = info["https://vocab.account.gov.uk/v1/coreIdentityJWT"].as_str().unwrap();
    let identity = verify_es256(core, &did["assertionMethod"][0]["publicKeyJwk"]);
    assert_eq!(identity["exp"].as_i64().unwrap(), clock.unix_seconds() - 86_400);
}

#[tokio::test]
async fn userinfo_follows_each_users_settings() {
    let clock = clock();
    let mut config = Config::default();
    config.one_login.users = vec![UserConfig {
        phone_number: None,
        phone_number_verified: false,
        email_verified: false,
        address: None,
        passport: Some(
            json!([{"documentNumber": "123456789", "icaoIssuerCode": "GBR", "expiryDate": "2031-02-03"}]),
        ),
        return_codes: vec!["X".to_owned()],
        ..UserConfig::default()
    }];
    config.one_login.clients[0].claims.extend([
        "https://vocab.account.gov.uk/v1/passport".to_owned(),
        "https://vocab.account.gov.uk/v1/drivingPermit".to_owned(),
    ]);
    let h = start(config, &clock).await;
    let issuer = h.credentials().one_login.issuer.clone();
    let claims = json!({"userinfo": {
        "https://vocab.account.gov.uk/v1/passport": null, "https://vocab.account.gov.uk/v1/address": null,
        "https://vocab.account.gov.uk/v1/drivingPermit": null, "https://vocab.account.gov.uk/v1/returnCode": null}})
    .to_string();
    let q =
        sign_in(&issuer, &[("vtr", "[\"Cl.Cm.P2\"]"), ("claims", &claims)], &[("user", "0")]).await;
    let now = clock.unix_seconds() as f64;
    let (_, tokens) = exchange(&h, &q["code"], &json!({"exp": now + 60.0}), "u1").await;
    let info = userinfo(&h, tokens["access_token"].as_str().unwrap()).await;
    assert!(info.get("phone_number").is_none(), "no phone number, no claim: {info}");
    assert_eq!(
        (&info["phone_number_verified"], &info["email_verified"]),
        (&json!(false), &json!(false))
    );
    assert_eq!(info["https://vocab.account.gov.uk/v1/passport"][0]["documentNumber"], "123456789");
    assert!(info.get("https://vocab.account.gov.uk/v1/address").is_none(), "{info}");
    assert!(info.get("https://vocab.account.gov.uk/v1/drivingPermit").is_none(), "{info}");
    assert_eq!(info["https://vocab.account.gov.uk/v1/returnCode"], json!([{"code": "X"}]));
}

#[tokio::test]
async fn discovery_advertises_only_what_is_served_at_the_configured_issuer() {
    let clock = clock();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut config = Config::default();
    config.ports.one_login = port;
    config.one_login.issuer_url = Some(format!("http://localhost:{port}"));
    let h = start(config, &clock).await;
    let issuer = format!("http://localhost:{port}/");
    assert_eq!(h.credentials().one_login.issuer, issuer);
    let discovery =
        get_json(&format!("http://127.0.0.1:{port}/.well-known/openid-configuration")).await;
    assert_eq!(discovery["issuer"], issuer.as_str());
    assert!(discovery.get("registration_endpoint").is_none(), "{discovery}");
    for key in [
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "end_session_endpoint",
    ] {
        let url = discovery[key].as_str().unwrap();
        assert!(url.starts_with(&issuer), "{key} {url}");
    }
}

#[tokio::test]
async fn claims_are_checked_against_the_clients_registration() {
    let clock = clock();
    let h = start(Config::default(), &clock).await;
    let issuer = h.credentials().one_login.issuer.clone();
    let passport =
        json!({"userinfo": {"https://vocab.account.gov.uk/v1/passport": null}}).to_string();
    let q = sign_in(&issuer, &[("claims", &passport)], &[("user", "0")]).await;
    assert_eq!(
        (q["error"].as_str(), q["error_description"].as_str(), q.get("state").map(String::as_str)),
        ("invalid_request", "Request contains invalid claims", Some("st-1"))
    );
    let made_up = json!({"userinfo": {"https://example.com/favourite-colour": null}}).to_string();
    let q = sign_in(&issuer, &[("claims", &made_up)], &[("user", "0")]).await;
    assert_eq!(q["error_description"], "Request contains invalid claims");
    let q = sign_in(&issuer, &[("claims", "{\"userinfo\":")], &[("user", "0")]).await;
    assert_eq!(
        (q["error"].as_str(), q["error_description"].as_str()),
        ("invalid_request", "Invalid Request")
    );
    assert!(!q.contains_key("state"), "the simulator drops the state for unparsable requests");
    let address =
        json!({"userinfo": {"https://vocab.account.gov.uk/v1/address": null}}).to_string();
    let q = sign_in(&issuer, &[("claims", &address)], &[("user", "0")]).await;
    assert!(q.contains_key("code"), "{q:?}");
}

/// The ID token's header and the JWKS entry with its `kid`, after checking the signature with that entry.
async fn id_token_and_key(config: Config) -> (Value, Value, usize) {
    let clock = clock();
    let h = start(config, &clock).await;
    let issuer = h.credentials().one_login.issuer.clone();
    let q = sign_in(&issuer, &[], &[("user", "0")]).await;
    let now = clock.unix_seconds() as f64;
    let (status, tokens) = exchange(&h, &q["code"], &json!({"exp": now + 60.0}), "k1").await;
    assert_eq!(status, 200, "{tokens}");
    let id_token = tokens["id_token"].as_str().unwrap();
    let header = gaap_jose::decode_header_unverified(id_token).unwrap();
    let jwks = get_json(&format!("{issuer}.well-known/jwks.json")).await;
    let keys = jwks["keys"].as_array().unwrap();
    let jwk = keys.iter().find(|k| k["kid"] == header.kid.as_deref().unwrap()).unwrap().clone();
    let verifying =
        gaap_jose::VerifyingKey::from_jwk(&gaap_jose::Jwk::from_json(jwk.to_string()).unwrap())
            .unwrap();
    gaap_jose::verify(id_token, &verifying, &[header.alg]).unwrap();
    (serde_json::to_value(&header).unwrap(), jwk, keys.len())
}

#[tokio::test]
async fn id_tokens_are_rs256_for_clients_that_ask_and_keys_rotate() {
    let mut config = Config::default();
    config.one_login.clients[0].id_token_signing_algorithm = "RS256".to_owned();
    let (header, jwk, count) = id_token_and_key(config.clone()).await;
    assert_eq!(
        (header["alg"].as_str(), jwk["kty"].as_str(), count),
        (Some("RS256"), Some("RSA"), 2)
    );
    let current_kid = jwk["kid"].clone();

    config.one_login.publish_new_id_token_signing_keys = true;
    let (_, jwk, count) = id_token_and_key(config.clone()).await;
    assert_eq!((&jwk["kid"], count), (&current_kid, 4), "published, not yet used");

    config.one_login.use_new_id_token_signing_keys = true;
    let (header, jwk, count) = id_token_and_key(config.clone()).await;
    assert_eq!((header["alg"].as_str(), count), (Some("RS256"), 4));
    assert_ne!(jwk["kid"], current_kid, "signed with the next key");

    let (header, _, _) = id_token_and_key(Config::default()).await;
    assert_eq!(header["alg"], "ES256");

    let mut bad = Config::default();
    bad.one_login.clients[0].id_token_signing_algorithm = "HS256".to_owned();
    let err = gaap_sandbox::Sandbox::start(bad).await.unwrap_err().to_string();
    assert!(err.contains("id_token_signing_algorithm must be ES256 or RS256"), "{err}");
}

#[tokio::test]
async fn client_keys_can_come_from_a_jwks_url() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let clock = clock();
    let rp = MockServer::start().await;
    let mut config = Config::default();
    config.one_login.clients[0].jwks_uri = Some(format!("{}/jwks.json", rp.uri()));
    let h = start(config, &clock).await;
    let creds = h.credentials().one_login.clone();
    let key = gaap_jose::SigningKey::from_pkcs8_pem(creds.private_key_pem.expose())
        .unwrap()
        .with_kid("rp-1");
    let jwk = serde_json::to_value(key.public_jwk().unwrap()).unwrap();
    Mock::given(method("GET"))
        .and(path("/jwks.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"keys": [jwk]})))
        .mount(&rp)
        .await;
    let issuer = creds.issuer.clone();
    let now = clock.unix_seconds();
    let post = |kid: &'static str, code: String, jti: &'static str| {
        let claims = json!({"iss": creds.client_id, "sub": creds.client_id, "aud": format!("{issuer}token"),
                            "exp": now + 60, "jti": jti});
        let header = gaap_jose::Header::new(gaap_jose::Algorithm::RS256).with_kid(kid);
        let assertion = gaap_jose::sign_json(&header, &claims, &key).unwrap();
        let issuer = issuer.clone();
        async move {
            let form = [
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", REDIRECT),
                ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                ("client_assertion", assertion.as_str()),
            ];
            let r = http().post(format!("{issuer}token")).form(&form).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let q = sign_in(&issuer, &[], &[("user", "0")]).await;
    let (status, body) = post("unknown-kid", q["code"].clone(), "j1").await;
    assert_eq!((status, body["error"].as_str()), (500, Some("server_error")), "{body}");
    let q = sign_in(&issuer, &[], &[("user", "0")]).await;
    let (status, body) = post("rp-1", q["code"].clone(), "j2").await;
    assert_eq!(status, 200, "the key the kid names at the JWKS URL verifies: {body}");
}

#[tokio::test]
async fn request_objects_carry_the_authorisation_request() {
    let clock = clock();
    let h = start(Config::default(), &clock).await;
    let creds = h.credentials().one_login.clone();
    let issuer = creds.issuer.clone();
    let object = |aud: String, claims: Value| {
        signed_assertion(
            &h,
            "RS256",
            &json!({"aud": aud, "iss": creds.client_id, "client_id": creds.client_id, "response_type": "code",
                    "scope": "openid email", "redirect_uri": REDIRECT, "state": "ro-1", "nonce": "ro-n",
                    "vtr": ["Cl.Cm"], "claims": claims}),
        )
    };
    let good = object(
        format!("{issuer}authorize"),
        json!({"userinfo": {"https://vocab.account.gov.uk/v1/address": null}}),
    );
    let q = sign_in(&issuer, &[("request", &good)], &[("user", "0")]).await;
    assert_eq!(q.get("state").map(String::as_str), Some("ro-1"), "the object's state wins: {q:?}");
    assert!(q.contains_key("code"), "{q:?}");

    let wrong_aud = object(format!("{issuer}token"), json!({}));
    let q = sign_in(&issuer, &[("request", &wrong_aud)], &[("user", "0")]).await;
    assert_eq!((q["error"].as_str(), q["state"].as_str()), ("access_denied", "ro-1"));

    let unregistered = object(
        format!("{issuer}authorize"),
        json!({"userinfo": {"https://vocab.account.gov.uk/v1/passport": null}}),
    );
    let q = sign_in(&issuer, &[("request", &unregistered)], &[("user", "0")]).await;
    assert_eq!(q["error_description"], "Request contains invalid claims");

    let (head, _) = good.rsplit_once('.').unwrap();
    let tampered = format!("{head}.{}", crate::common::b64([0u8; 256]));
    let mut url = url::Url::parse(&format!("{issuer}authorize")).unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &creds.client_id)
        .append_pair("scope", "openid")
        .append_pair("request", &tampered);
    let r = http().get(url).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.text().await.unwrap(), "Trust chain validation failed");
}

#[tokio::test]
async fn the_error_knobs_change_at_runtime_through_config() {
    let clock = clock();
    let h = start(Config::default(), &clock).await;
    let issuer = h.credentials().one_login.issuer.clone();
    let post = |body: Value| {
        let url = format!("{issuer}config");
        async move { http().post(url).json(&body).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(
        post(json!({"errorConfiguration": {"authoriseErrors": ["ACCESS_DENIED"]}})).await,
        200
    );
    let shown = get_json(&format!("{issuer}config")).await;
    assert_eq!(shown["errorConfiguration"]["authoriseErrors"], json!(["ACCESS_DENIED"]));
    let q = sign_in(&issuer, &[], &[("user", "0")]).await;
    assert_eq!(q["error"], "access_denied");
    assert_eq!(
        post(
            json!({"errorConfiguration": {"authoriseErrors": [], "idTokenErrors": ["INVALID_AUD"]}})
        )
        .await,
        200
    );
    let q = sign_in(&issuer, &[], &[("user", "0")]).await;
    let now = clock.unix_seconds() as f64;
    let (_, tokens) = exchange(&h, &q["code"], &json!({"exp": now + 60.0}), "rc1").await;
    let payload = tokens["id_token"].as_str().unwrap().split('.').nth(1).unwrap().to_owned();
    let claims: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["aud"], "invalid-client-id");
    assert_eq!(post(json!({"errorConfiguration": {"idTokenErrors": ["NOT_A_KNOB"]}})).await, 400);
    assert_eq!(post(json!({"errorConfigurations": {}})).await, 400, "a misspelt section");
    assert_eq!(post(json!({})).await, 200);
    let shown = get_json(&format!("{issuer}config")).await;
    assert_eq!(
        shown["errorConfiguration"],
        json!({"idTokenErrors": [], "coreIdentityErrors": [], "authoriseErrors": []}),
        "as the simulator, a body without errorConfiguration clears the knobs"
    );
}
