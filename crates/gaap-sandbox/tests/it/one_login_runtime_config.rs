//! One Login's runtime `/config`, group by group, in the simulator's JSON: the client, the response (user),
//! the issuer and the key-rotation switches, each applied to the running sandbox; and the 400s for bad values
//! and unknown keys.

use gaap_http::Clock as _;
use gaap_sandbox::{Config, SandboxHandle};
use serde_json::{Value, json};

use crate::common::{clock, get_json, http, start};
use crate::one_login::{REDIRECT, sign_in, signed_assertion};
use crate::one_login_fidelity::userinfo;

const ADDRESS: &str = "https://vocab.account.gov.uk/v1/address";
const PASSPORT: &str = "https://vocab.account.gov.uk/v1/passport";
const DRIVING_PERMIT: &str = "https://vocab.account.gov.uk/v1/drivingPermit";
const CORE_IDENTITY: &str = "https://vocab.account.gov.uk/v1/coreIdentityJWT";
const RETURN_CODE: &str = "https://vocab.account.gov.uk/v1/returnCode";

/// `POST /config`: the status and the body (JSON when it is JSON).
async fn post(h: &SandboxHandle, body: &Value) -> (u16, Value) {
    let issuer = &h.credentials().one_login.issuer;
    let r = http().post(format!("{issuer}config")).json(body).send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// The path of the one refused field in an express-validator 400.
fn refused_path(body: &Value) -> String {
    let errors = body["errors"].as_object().unwrap();
    assert_eq!(errors.len(), 1, "{body}");
    let (path, error) = errors.iter().next().unwrap();
    assert_eq!((&error["path"], &error["location"]), (&json!(path), &json!("body")), "{body}");
    assert!(error["msg"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    path.clone()
}

fn payload(token: &str) -> Value {
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, part).unwrap(),
    )
    .unwrap()
}

fn header(token: &str) -> Value {
    let part = token.split('.').next().unwrap();
    serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, part).unwrap(),
    )
    .unwrap()
}

/// Exchanges a code at `{issuer}token` as `client_id`, with an assertion addressed to `{audience}token` and
/// signed with the default client key, at `now`.
async fn exchange_to(
    h: &SandboxHandle,
    (issuer, audience): (&str, &str),
    (client_id, redirect): (&str, &str),
    code: &str,
    now: i64,
) -> (u16, Value) {
    let claims = json!({"iss": client_id, "sub": client_id, "aud": format!("{audience}token"),
                        "jti": code, "exp": now + 60});
    let assertion = signed_assertion(h, "RS256", &claims);
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect),
        ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
        ("client_assertion", assertion.as_str()),
    ];
    let r = http().post(format!("{issuer}token")).form(&form).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// Exchanges a code at the issuer the sandbox listens on, addressed to it.
async fn exchange_as(
    h: &SandboxHandle,
    issuer: &str,
    client: (&str, &str),
    code: &str,
    now: i64,
) -> (u16, Value) {
    exchange_to(h, (issuer, issuer), client, code, now).await
}

#[tokio::test]
async fn client_configuration_changes_the_running_client() {
    let clock = clock();
    let h = start(Config::default(), &clock).await;
    let issuer = h.credentials().one_login.issuer.clone();
    let redirect = "http://localhost:9000/callback";
    let body = json!({"clientConfiguration": {
        "clientId": "renamed-client", "redirectUrls": [redirect],
        "postLogoutRedirectUrls": ["http://localhost:9000/signed-out"], "scopes": ["openid", "email"],
        "claims": [ADDRESS], "idTokenSigningAlgorithm": "RS256", "clientLoCs": ["P0"],
        "identityVerificationSupported": false, "publicKeySource": "STATIC"}});
    assert_eq!(post(&h, &body).await.0, 200);

    let shown = get_json(&format!("{issuer}config")).await;
    let client = &shown["clientConfiguration"];
    assert_eq!(
        (&client["clientId"], &client["redirectUrls"], &client["idTokenSigningAlgorithm"]),
        (&json!("renamed-client"), &json!([redirect]), &json!("RS256"))
    );
    assert_eq!(
        (&client["clientLoCs"], &client["identityVerificationSupported"]),
        (&json!(["P0"]), &json!(false))
    );

    let r = http()
        .get(format!("{issuer}authorize?client_id=HGIOgho9HIRhgoepdIOPFdIUWgewi0jw"))
        .send()
        .await;
    assert_eq!(r.unwrap().status(), 400, "the old client id is gone");
    let as_renamed = [("client_id", "renamed-client"), ("redirect_uri", redirect)];
    let q = sign_in(&issuer, &as_renamed, &[("user", "0")]).await;
    assert_eq!(q["error"], "invalid_scope", "phone is no longer registered: {q:?}");
    let with_scope = [as_renamed[0], as_renamed[1], ("scope", "openid email")];
    let q = sign_in(&issuer, &[&with_scope[..], &[("vtr", "[\"Cl.Cm.P2\"]")]].concat(), &[]).await;
    assert_eq!(q["error_description"], "Request vtr not valid", "P2 is no longer a client LoC");
    let q = sign_in(&issuer, &with_scope, &[("user", "0")]).await;
    let (status, tokens) =
        exchange_as(&h, &issuer, ("renamed-client", redirect), &q["code"], clock.unix_seconds())
            .await;
    assert_eq!(status, 200, "{tokens}");
    let id_token = tokens["id_token"].as_str().unwrap();
    assert_eq!(header(id_token)["alg"], "RS256");
    assert_eq!(payload(id_token)["aud"], "renamed-client");

    for (bad, path) in [
        (json!({"scopes": ["openid", "profile"]}), "clientConfiguration.scopes[1]"),
        (json!({"claims": ["https://example.com/colour"]}), "clientConfiguration.claims[0]"),
        (json!({"clientLoCs": []}), "clientConfiguration.clientLoCs"),
        (
            json!({"identityVerificationSupported": "false"}),
            "clientConfiguration.identityVerificationSupported",
        ),
        (json!({"redirectUrls": ["not a url"]}), "clientConfiguration.redirectUrls[0]"),
        (json!({"publicKeySource": "JWKS"}), "clientConfiguration.jwksUrl"),
        (json!({"publicKey": "not a key"}), "clientConfiguration"),
        (
            json!({"token_auth_method": "client_secret_post"}),
            "clientConfiguration.token_auth_method",
        ),
        (json!({"clientSecret": "x"}), "clientConfiguration.clientSecret"),
    ] {
        let (status, body) = post(&h, &json!({"clientConfiguration": bad})).await;
        assert_eq!((status, refused_path(&body)), (400, path.to_owned()), "{bad}: {body}");
    }
    let shown_after = get_json(&format!("{issuer}config")).await;
    assert_eq!(
        shown_after["clientConfiguration"], shown["clientConfiguration"],
        "refusals change nothing"
    );
}

#[tokio::test]
async fn response_configuration_changes_what_userinfo_returns() {
    let clock = clock();
    let h = start(Config::default(), &clock).await;
    let issuer = h.credentials().one_login.issuer.clone();
    let vc = json!({"type": ["VerifiableCredential", "IdentityCheckCredential"],
                    "credentialSubject": {"name": [{"nameParts": [{"value": "ANN", "type": "GivenName"}]}],
                                          "birthDate": [{"value": "1990-01-02"}]}});
    let passport = json!([{"documentNumber": "987654321", "icaoIssuerCode": "GBR", "expiryDate": "2032-01-01"}]);
    let permit = json!([{"personalNumber": "SMITH900102A99XY", "issuedBy": "DVLA"}]);
    let body = json!({
        "clientConfiguration": {"claims": [CORE_IDENTITY, ADDRESS, PASSPORT, DRIVING_PERMIT, RETURN_CODE]},
        "responseConfiguration": {
            "sub": "urn:fdc:gov.uk:2022:runtime-user", "email": "runtime@example.com", "emailVerified": false,
            "phoneNumber": null, "phoneNumberVerified": false, "maxLoCAchieved": "P2",
            "coreIdentityVerifiableCredentials": vc, "passportDetails": passport,
            "drivingPermitDetails": permit, "postalAddressDetails": null, "returnCodes": [{"code": "C"}]}});
    assert_eq!(post(&h, &body).await.0, 200);
    let shown = get_json(&format!("{issuer}config")).await;
    assert_eq!(shown["responseConfiguration"]["sub"], "urn:fdc:gov.uk:2022:runtime-user");
    assert_eq!(shown["responseConfiguration"]["returnCodes"], json!([{"code": "C"}]));

    let claims = json!({"userinfo": {CORE_IDENTITY: null, ADDRESS: null, PASSPORT: null,
                                     DRIVING_PERMIT: null, RETURN_CODE: null}})
    .to_string();
    let q =
        sign_in(&issuer, &[("vtr", "[\"Cl.Cm.P2\"]"), ("claims", &claims)], &[("user", "0")]).await;
    let client = "HGIOgho9HIRhgoepdIOPFdIUWgewi0jw";
    let (status, tokens) =
        exchange_as(&h, &issuer, (client, REDIRECT), &q["code"], clock.unix_seconds()).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(
        payload(tokens["id_token"].as_str().unwrap())["sub"],
        "urn:fdc:gov.uk:2022:runtime-user"
    );
    let info = userinfo(&h, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(
        (&info["email"], &info["email_verified"]),
        (&json!("runtime@example.com"), &json!(false))
    );
    assert!(info.get("phone_number").is_none(), "{info}");
    assert_eq!(info[PASSPORT], passport);
    assert_eq!(info[DRIVING_PERMIT], permit);
    assert!(info.get(ADDRESS).is_none(), "postalAddressDetails null: no address claim: {info}");
    assert_eq!(info[RETURN_CODE], json!([{"code": "C"}]));
    let identity = payload(info[CORE_IDENTITY].as_str().unwrap());
    assert_eq!((&identity["vc"], &identity["vot"]), (&vc, &json!("P2")));

    // With no credential configured, there is no core identity claim, as the simulator answers.
    assert_eq!(
        post(&h, &json!({"responseConfiguration": {"coreIdentityVerifiableCredentials": null}}))
            .await
            .0,
        200
    );
    let q =
        sign_in(&issuer, &[("vtr", "[\"Cl.Cm.P2\"]"), ("claims", &claims)], &[("user", "0")]).await;
    let (_, tokens) =
        exchange_as(&h, &issuer, (client, REDIRECT), &q["code"], clock.unix_seconds()).await;
    let info = userinfo(&h, tokens["access_token"].as_str().unwrap()).await;
    assert!(info.get(CORE_IDENTITY).is_none(), "{info}");
    assert_eq!(info[PASSPORT], passport, "the rest stays as set");

    for (bad, path) in [
        (json!({"maxLoCAchieved": "P9"}), "responseConfiguration.maxLoCAchieved"),
        (json!({"emailVerified": "true"}), "responseConfiguration.emailVerified"),
        (json!({"passportDetails": ["x"]}), "responseConfiguration.passportDetails[0]"),
        (json!({"returnCodes": [{"code": 1}]}), "responseConfiguration.returnCodes[0].code"),
        (
            json!({"returnCodes": [{"code": "A", "extra": 1}]}),
            "responseConfiguration.returnCodes[0].extra",
        ),
        (
            json!({"coreIdentityVerifiableCredentials": []}),
            "responseConfiguration.coreIdentityVerifiableCredentials",
        ),
        (json!({"phone": "07700900000"}), "responseConfiguration.phone"),
    ] {
        let (status, body) = post(&h, &json!({"responseConfiguration": bad})).await;
        assert_eq!((status, refused_path(&body)), (400, path.to_owned()), "{bad}: {body}");
    }
}

#[tokio::test]
async fn simulator_url_moves_the_issuer_and_every_advertised_url() {
    let clock = clock();
    let h = start(Config::default(), &clock).await;
    let listening = h.credentials().one_login.issuer.clone();
    assert_eq!(post(&h, &json!({"simulatorUrl": "http://localhost:4000"})).await.0, 200);
    let discovery = get_json(&format!("{listening}.well-known/openid-configuration")).await;
    assert_eq!(
        (&discovery["issuer"], &discovery["token_endpoint"], &discovery["jwks_uri"]),
        (
            &json!("http://localhost:4000/"),
            &json!("http://localhost:4000/token"),
            &json!("http://localhost:4000/.well-known/jwks.json")
        )
    );
    let did = get_json(&format!("{listening}.well-known/did.json")).await;
    assert_eq!(did["id"], "did:web:localhost%3A4000");
    assert!(
        did["assertionMethod"][0]["id"].as_str().unwrap().starts_with("did:web:localhost%3A4000#")
    );
    assert_eq!(
        get_json(&format!("{listening}config")).await["simulatorUrl"],
        "http://localhost:4000"
    );

    // Tokens now name the new issuer, and an assertion must be addressed to it.
    let q = sign_in(&listening, &[], &[("user", "0")]).await;
    let client = "HGIOgho9HIRhgoepdIOPFdIUWgewi0jw";
    let (status, _) =
        exchange_as(&h, &listening, (client, REDIRECT), &q["code"], clock.unix_seconds()).await;
    assert_eq!(status, 400, "audience is the old issuer");
    let q = sign_in(&listening, &[], &[("user", "0")]).await;
    let moved = "http://localhost:4000/";
    let (status, tokens) =
        exchange_to(&h, (&listening, moved), (client, REDIRECT), &q["code"], clock.unix_seconds())
            .await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(payload(tokens["id_token"].as_str().unwrap())["iss"], moved, "{tokens}");

    let (status, body) = post(&h, &json!({"simulatorUrl": "localhost:4000"})).await;
    assert_eq!((status, refused_path(&body)), (400, "simulatorUrl".to_owned()));
}

#[tokio::test]
async fn key_rotation_switches_at_runtime() {
    let clock = clock();
    let h = start(Config::default(), &clock).await;
    let issuer = h.credentials().one_login.issuer.clone();
    let jwks = || async {
        get_json(&format!("{issuer}.well-known/jwks.json")).await["keys"]
            .as_array()
            .unwrap()
            .clone()
    };
    let before = jwks().await;
    assert_eq!(before.len(), 2);

    let (status, body) = post(&h, &json!({"useNewIdTokenSigningKeys": true})).await;
    assert_eq!(
        (status, body),
        (
            400,
            json!(
                "Cannot enabled useNewIdTokenSigningKeys whilst publishNewIdTokenSigningKeys is false"
            )
        )
    );
    assert_eq!(post(&h, &json!({"publishNewIdTokenSigningKeys": true})).await.0, 200);
    assert_eq!(jwks().await.len(), 4);
    let shown = get_json(&format!("{issuer}config")).await;
    assert_eq!(
        (&shown["publishNewIdTokenKeysEnabled"], &shown["usingNewIdTokenSigningKeys"]),
        (&json!(true), &json!(false))
    );

    assert_eq!(post(&h, &json!({"useNewIdTokenSigningKeys": "true"})).await.0, 200);
    let q = sign_in(&issuer, &[], &[("user", "0")]).await;
    let client = "HGIOgho9HIRhgoepdIOPFdIUWgewi0jw";
    let (status, tokens) =
        exchange_as(&h, &issuer, (client, REDIRECT), &q["code"], clock.unix_seconds()).await;
    assert_eq!(status, 200, "{tokens}");
    let kid = header(tokens["id_token"].as_str().unwrap())["kid"].clone();
    assert!(before.iter().all(|k| k["kid"] != kid), "signed with a new key");
    assert!(jwks().await.iter().any(|k| k["kid"] == kid), "which the JWKS lists");

    let (status, body) = post(&h, &json!({"publishNewIdTokenSigningKeys": "yes"})).await;
    assert_eq!((status, refused_path(&body)), (400, "publishNewIdTokenSigningKeys".to_owned()));
}

#[tokio::test]
async fn unknown_sections_and_bodies_that_are_not_objects_are_refused() {
    let clock = clock();
    let h = start(Config::default(), &clock).await;
    let (status, body) = post(&h, &json!({"responseConfig": {"sub": "x"}})).await;
    assert_eq!((status, refused_path(&body)), (400, "responseConfig".to_owned()));
    assert!(
        body["errors"]["responseConfig"]["msg"].as_str().unwrap().contains("responseConfiguration")
    );
    let (status, body) = post(&h, &json!(["errorConfiguration"])).await;
    assert_eq!((status, refused_path(&body)), (400, "body".to_owned()));
    let issuer = h.credentials().one_login.issuer.clone();
    let r = http().post(format!("{issuer}config")).body("{not json").send().await.unwrap();
    assert_eq!(r.status(), 400);
}
