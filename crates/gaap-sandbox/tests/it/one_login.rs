use std::collections::HashMap;
use std::time::Duration;

use base64::Engine as _;
use gaap_http::Clock as _;
use gaap_sandbox::{ClientConfig, Config, OneLoginConfig, SandboxHandle};
use ring::signature::{self, RsaKeyPair};
use serde_json::{Value, json};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{b64, clock, http, start};

fn rsa_key(pem: &str) -> RsaKeyPair {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD.decode(body).unwrap();
    RsaKeyPair::from_pkcs8(&der).unwrap()
}

fn assertion(h: &SandboxHandle, now: i64, alg: &str, aud: &str, jti: &str) -> String {
    let creds = &h.credentials().one_login;
    let claims = json!({"iss": creds.client_id, "sub": creds.client_id, "aud": aud, "exp": now + 300,
                        "iat": now, "jti": jti});
    signed_assertion(h, alg, &claims)
}

/// A client assertion with these claims, signed with the default client's key.
pub(crate) fn signed_assertion(h: &SandboxHandle, alg: &str, claims: &Value) -> String {
    let key = rsa_key(h.credentials().one_login.private_key_pem.expose());
    let header = json!({"alg": alg, "typ": "JWT"});
    let input = format!("{}.{}", b64(header.to_string()), b64(claims.to_string()));
    let params: &'static dyn signature::RsaEncoding =
        if alg == "PS256" { &signature::RSA_PSS_SHA256 } else { &signature::RSA_PKCS1_SHA256 };
    let mut sig = vec![0; key.public().modulus_len()];
    key.sign(params, &ring::rand::SystemRandom::new(), input.as_bytes(), &mut sig).unwrap();
    format!("{input}.{}", b64(sig))
}

pub(crate) fn verify_es256(token: &str, jwk: &Value) -> Value {
    let (input, sig) = token.rsplit_once('.').unwrap();
    let d = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).unwrap();
    let point = [vec![4u8], d(jwk["x"].as_str().unwrap()), d(jwk["y"].as_str().unwrap())].concat();
    signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
        .verify(input.as_bytes(), &d(sig))
        .expect("ES256 signature verifies");
    serde_json::from_slice(&d(input.split('.').nth(1).unwrap())).unwrap()
}

fn query(location: &str) -> HashMap<String, String> {
    url::Url::parse(location).unwrap().query_pairs().into_owned().collect()
}

pub(crate) const REDIRECT: &str = "http://localhost:8080/oidc/authorization-code/callback";

/// The authorize URL for the default client, with `extra` query parameters.
pub(crate) fn authorize_url(issuer: &str, extra: &[(&str, &str)]) -> url::Url {
    let mut url = url::Url::parse(&format!("{issuer}authorize")).unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("scope", "openid email phone")
        .append_pair("client_id", "HGIOgho9HIRhgoepdIOPFdIUWgewi0jw")
        .append_pair("state", "st-1")
        .append_pair("nonce", "n-1")
        .append_pair("redirect_uri", REDIRECT);
    for (k, v) in extra {
        url.query_pairs_mut().append_pair(k, v);
    }
    url
}

/// Authorize and sign in through the page; returns the redirect's query.
pub(crate) async fn sign_in(
    issuer: &str,
    extra: &[(&str, &str)],
    form: &[(&str, &str)],
) -> HashMap<String, String> {
    let page = http().get(authorize_url(issuer, extra)).send().await.unwrap();
    let location = page.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
    if let Some(location) = location {
        return query(&location);
    }
    let html = page.text().await.unwrap();
    let request_id = html
        .split("name=\"request_id\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let mut fields = vec![("request_id", request_id.as_str())];
    fields.extend_from_slice(form);
    let r = http().post(format!("{issuer}authorize/sign-in")).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), 302);
    query(r.headers()["location"].to_str().unwrap())
}

async fn token(
    h: &SandboxHandle,
    code: &str,
    verifier: Option<&str>,
    jti: &str,
    now: i64,
) -> (u16, Value) {
    let issuer = &h.credentials().one_login.issuer;
    let a = assertion(h, now, "RS256", &format!("{issuer}token"), jti);
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
        ("client_assertion", a.as_str()),
    ];
    if let Some(v) = verifier {
        form.push(("code_verifier", v));
    }
    let r = http().post(format!("{issuer}token")).form(&form).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn code_flow_with_pkce_core_identity_and_single_use_codes() {
    let clock = clock();
    let h = start(Config::default(), &clock).await;
    let issuer = h.credentials().one_login.issuer.clone();
    let discovery: Value = http()
        .get(format!("{issuer}.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(discovery["issuer"], issuer.as_str());
    assert_eq!(discovery["id_token_signing_alg_values_supported"], json!(["ES256", "RS256"]));
    let jwks: Value = http()
        .get(discovery["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let claims =
        json!({"userinfo": {"https://vocab.account.gov.uk/v1/coreIdentityJWT": null}}).to_string();
    let q = sign_in(
        &issuer,
        &[
            ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
            ("code_challenge_method", "S256"),
            ("vtr", "[\"Cl.Cm.P2\"]"),
            ("claims", &claims),
        ],
        &[("user", "0"), ("outcome", "success")],
    )
    .await;
    assert_eq!(q["state"], "st-1");
    let code = q["code"].clone();
    let now = clock.unix_seconds();
    let (status, body) =
        token(&h, &code, Some("wrong-verifier-wrong-verifier-wrong-verifier"), "j0", now).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    // The failed attempt used the code up.
    let (status, _) = token(&h, &code, Some(verifier), "j1", now).await;
    assert_eq!(status, 400);

    let q = sign_in(
        &issuer,
        &[
            ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
            ("code_challenge_method", "S256"),
            ("vtr", "[\"Cl.Cm.P2\"]"),
            ("claims", &claims),
        ],
        &[("user", "0")],
    )
    .await;
    let (status, tokens) = token(&h, &q["code"], Some(verifier), "j2", now).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["expires_in"], 180);
    let id_token = tokens["id_token"].as_str().unwrap();
    let claims_out = verify_es256(id_token, &jwks["keys"][0]);
    assert_eq!(claims_out["iss"], issuer.as_str());
    assert_eq!(claims_out["aud"], "HGIOgho9HIRhgoepdIOPFdIUWgewi0jw");
    assert_eq!(claims_out["nonce"], "n-1");
    assert_eq!(claims_out["vot"], "Cl.Cm");
    assert_eq!(claims_out["exp"].as_i64().unwrap() - claims_out["iat"].as_i64().unwrap(), 120);
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(access.split('.').count(), 1, "access tokens are opaque");
    let (status, again) = token(&h, &q["code"], Some(verifier), "j3", now).await;
    assert_eq!((status, again["error"].as_str()), (400, Some("invalid_grant")));

    let info = crate::one_login_fidelity::userinfo(&h, access).await;
    assert_eq!(info["sub"], claims_out["sub"]);
    assert_eq!(info["email_verified"], true);
    let did: Value = http()
        .get(format!("{issuer}.well-known/did.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let method = &did["assertionMethod"][0];
    let core = info["https://vocab.account.gov.uk/v1/coreIdentityJWT"].as_str().unwrap();
    let header: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(core.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["kid"], method["id"]);
    assert!(method["id"].as_str().unwrap().starts_with(did["id"].as_str().unwrap()));
    let identity = verify_es256(core, &method["publicKeyJwk"]);
    assert_eq!(identity["vot"], "P2");
    assert_eq!(identity["exp"].as_i64().unwrap() - identity["iat"].as_i64().unwrap(), 1800);
    assert_eq!(identity["vc"]["credentialSubject"]["birthDate"][0]["value"], "1955-04-19");

    clock.advance(Duration::from_secs(181));
    let r = http().get(format!("{issuer}userinfo")).bearer_auth(access).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers()["www-authenticate"].to_str().unwrap().contains("invalid_token"));
}

#[tokio::test]
async fn client_assertion_rules() {
    let clock = clock();
    let h = start(Config::default(), &clock).await;
    let issuer = h.credentials().one_login.issuer.clone();
    let now = clock.unix_seconds();
    let post = |assertion: String| {
        let issuer = issuer.clone();
        async move {
            let r = http()
                .post(format!("{issuer}token"))
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", "nope"),
                    ("redirect_uri", REDIRECT),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", assertion.as_str()),
                ])
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    // PS256 and the issuer as audience are both accepted (the code is what fails).
    let (_, body) = post(assertion(&h, now, "PS256", &issuer, "a")).await;
    assert_eq!(body["error"], "invalid_grant");
    let (_, body) = post(assertion(&h, now, "RS256", "https://elsewhere.example/token", "b")).await;
    assert_eq!(
        body,
        json!({"error": "invalid_client", "error_description": "Invalid signature in private_key_jwt"})
    );
    let (_, body) = post(assertion(&h, now - 600, "RS256", &issuer, "c")).await;
    assert_eq!(body["error_description"], "private_key_jwt has expired");
    let reused = assertion(&h, now, "RS256", &issuer, "d");
    post(reused.clone()).await;
    let (_, body) = post(reused).await;
    assert_eq!(body["error_description"], "private_key_jwt jti has already been used");
}

#[tokio::test]
async fn error_knobs_and_authorize_errors() {
    let clock = clock();
    let h = start(Config::default(), &clock).await;
    let issuer = h.credentials().one_login.issuer.clone();
    let q = sign_in(&issuer, &[], &[("outcome", "access_denied")]).await;
    assert_eq!((q["error"].as_str(), q["state"].as_str()), ("access_denied", "st-1"));
    let q = sign_in(&issuer, &[("vtr", "[\"Cl.P2\"]")], &[]).await;
    assert_eq!(q["error_description"], "Request vtr not valid");
    let q = sign_in(
        &issuer,
        &[],
        &[("id_token_error", "INVALID_AUD"), ("id_token_error", "INCORRECT_VOT")],
    )
    .await;
    let (_, tokens) = token(&h, &q["code"], None, "k1", clock.unix_seconds()).await;
    let payload = tokens["id_token"].as_str().unwrap().split('.').nth(1).unwrap().to_owned();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap(),
    )
    .unwrap();
    assert_eq!(
        (claims["aud"].as_str(), claims["vot"].as_str()),
        (Some("invalid-client-id"), Some("Cl"))
    );
    let r = http().get(format!("{issuer}authorize?client_id=unknown")).send().await.unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn logout_redirects_and_notifies_the_back_channel() {
    let receiver = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&receiver).await;
    let clock = clock();
    let client = ClientConfig {
        back_channel_logout_uri: Some(format!("{}/logout", receiver.uri())),
        ..ClientConfig::default()
    };
    let config = Config {
        one_login: OneLoginConfig {
            clients: vec![client],
            auto_sign_in: true,
            ..OneLoginConfig::default()
        },
        ..Config::default()
    };
    let h = start(config, &clock).await;
    let issuer = h.credentials().one_login.issuer.clone();
    let q = sign_in(&issuer, &[], &[]).await;
    let (_, tokens) = token(&h, &q["code"], None, "l1", clock.unix_seconds()).await;
    let hint = tokens["id_token"].as_str().unwrap();
    let mut url = url::Url::parse(&format!("{issuer}logout")).unwrap();
    url.query_pairs_mut()
        .append_pair("id_token_hint", hint)
        .append_pair("post_logout_redirect_uri", "http://localhost:8080/signed-out")
        .append_pair("state", "LS");
    let r = http().get(url).send().await.unwrap();
    assert_eq!(r.headers()["location"], "http://localhost:8080/signed-out?state=LS");
    h.run_due().await;
    let requests = receiver.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let form: HashMap<String, String> =
        url::form_urlencoded::parse(&requests[0].body).into_owned().collect();
    let jwks: Value = http()
        .get(format!("{issuer}.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let logout = verify_es256(&form["logout_token"], &jwks["keys"][0]);
    assert_eq!(logout["events"], json!({"http://schemas.openid.net/event/backchannel-logout": {}}));
    assert_eq!(logout["aud"], "HGIOgho9HIRhgoepdIOPFdIUWgewi0jw");
}
