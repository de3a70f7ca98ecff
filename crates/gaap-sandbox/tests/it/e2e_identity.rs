//! gaap-identity's relying party against the sandbox's One Login.

use std::sync::Arc;

use gaap_identity::{
    AuthorizeRequest, CallbackOutcome, ClaimsRequest, Client, ClientKey, IdentityOutcome,
    LevelOfConfidence, VocabClaim, Vtr,
};
use gaap_sandbox::{ClientConfig, Config, OneLoginConfig};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{clock, http, start};

const REDIRECT: &str = "http://localhost:8080/oidc/authorization-code/callback";

/// Submits the sandbox's sign-in page as the first user; returns the callback query.
async fn sign_in(url: &str, issuer: &str) -> String {
    let html = http().get(url).send().await.unwrap().text().await.unwrap();
    let request_id = html
        .split("name=\"request_id\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let r = http()
        .post(format!("{issuer}authorize/sign-in"))
        .form(&[("request_id", request_id.as_str()), ("user", "0")])
        .send()
        .await
        .unwrap();
    let location = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    location.query().unwrap().to_owned()
}

#[tokio::test]
async fn gaap_identity_proves_identity_and_validates_logout_tokens() {
    let receiver = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&receiver).await;
    let clock = clock();
    let client_cfg = ClientConfig {
        back_channel_logout_uri: Some(format!("{}/logout", receiver.uri())),
        pkce_enforced: true,
        ..ClientConfig::default()
    };
    let config = Config {
        one_login: OneLoginConfig { clients: vec![client_cfg], ..OneLoginConfig::default() },
        ..Config::default()
    };
    let h = start(config, &clock).await;
    let creds = h.credentials().one_login.clone();
    let rp = Client::builder(creds.issuer.clone(), creds.client_id.clone())
        .redirect_uri(REDIRECT)
        .signing_key(ClientKey::from_pem(creds.private_key_pem.expose()).unwrap())
        .identity(creds.issuer.clone(), format!("{}.well-known/did.json", creds.issuer))
        .insecure_allow_http_loopback(true)
        .clock(Arc::new(clock.clone()))
        .user_agent("gaap-sandbox-tests/0.1 (https://example.gov.uk)")
        .build()
        .unwrap();
    let vtr = Vtr::identity(LevelOfConfidence::P2);
    let request = rp
        .authorize(
            &AuthorizeRequest::new()
                .vtr(vtr)
                .pkce(true)
                .claims(ClaimsRequest::new().with(VocabClaim::CoreIdentityJwt)),
        )
        .await
        .unwrap();
    let query = sign_in(request.url.as_str(), &creds.issuer).await;
    let CallbackOutcome::Code(code) = request.pending.callback(&query).unwrap() else {
        panic!("no code in {query}")
    };
    let tokens = rp.exchange_code(&request.pending, code).await.unwrap();
    let info = rp.userinfo(&tokens).await.unwrap();
    match rp.identity_outcome(&info, &vtr).await.unwrap() {
        IdentityOutcome::Proven { .. } => {}
        other => panic!("expected a proven identity, got {other:?}"),
    }

    h.back_channel_logout("urn:fdc:gov.uk:2022:56P4CMsGh_02YOlWpd8PAOI-2sVlB2nsNU7mcLZYhYw=");
    h.run_due().await;
    let requests = receiver.received_requests().await.unwrap();
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(&requests[0].body).into_owned().collect();
    let claims = rp.verify_logout_token(&form["logout_token"]).await.unwrap();
    assert_eq!(claims.sub, "urn:fdc:gov.uk:2022:56P4CMsGh_02YOlWpd8PAOI-2sVlB2nsNU7mcLZYhYw=");
    assert_eq!(claims.aud, std::slice::from_ref(&creds.client_id));
    assert!(
        rp.verify_logout_token(&form["logout_token"]).await.is_err(),
        "a replayed logout token is refused"
    );
}
