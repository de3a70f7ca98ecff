//! Key and token minting for the tests, and a wiremock One Login.

use std::sync::Arc;
use std::time::Duration;

use gaap_http::ManualClock;
use gaap_identity::{Client, ClientBuilder, ClientKey, LevelOfConfidence, Vtr};
use gaap_jose::{Algorithm, Header, JwkSet, SigningKey};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// 2026-11-20T… — a fixed "now" for every test.
pub const NOW: i64 = 1_795_600_000;
pub const CLIENT_ID: &str = "HGIOgho9HIRhgoepdIOPFdIUWgewi0jw";
pub const ISSUER: &str = "https://oidc.integration.account.gov.uk/";
pub const IDENTITY_ISSUER: &str = "https://identity.integration.account.gov.uk/";
pub const SUB: &str = "urn:fdc:gov.uk:2022:56P4CMsGh_02YOlWpd8PAOI-2sVlB2nsNU7mcLZYhYw=";
pub const NONCE: &str = "n-0S6_WzA2Mj";
pub const RP_KEY_PEM: &str = include_str!("../data/rp_test_key.pem");
pub const OP_RSA_KEY_PEM: &str = include_str!("../data/op_rsa_test_key.pem");

/// An OP signing key with its kid.
#[derive(Clone)]
pub struct OpKey {
    pub key: SigningKey,
    pub kid: String,
    pub alg: Algorithm,
}

impl OpKey {
    pub fn es256(kid: &str) -> Self {
        Self {
            key: SigningKey::generate_es256().unwrap().with_kid(kid),
            kid: kid.to_owned(),
            alg: Algorithm::ES256,
        }
    }

    pub fn rs256(kid: &str) -> Self {
        Self {
            key: SigningKey::from_pkcs8_pem(OP_RSA_KEY_PEM).unwrap().with_kid(kid),
            kid: kid.to_owned(),
            alg: Algorithm::RS256,
        }
    }

    pub fn jwk(&self) -> Value {
        serde_json::to_value(self.key.public_jwk().unwrap()).unwrap()
    }

    pub fn sign(&self, claims: &Value) -> String {
        gaap_jose::sign_json(
            &Header::new(self.alg).with_kid(&self.kid).with_typ("JWT"),
            claims,
            &self.key,
        )
        .unwrap()
    }

    pub fn sign_without_kid(&self, claims: &Value) -> String {
        gaap_jose::sign_json(&Header::new(self.alg).with_typ("JWT"), claims, &self.key).unwrap()
    }
}

pub fn jwks_json(keys: &[&OpKey]) -> Value {
    json!({ "keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>() })
}

pub fn jwks(keys: &[&OpKey]) -> JwkSet {
    gaap_identity::rules::parse_jwks(jwks_json(keys).to_string().as_bytes()).unwrap()
}

/// ID-token claims One Login sends for `vtr=["Cl.Cm"]` (AUTH "ID token" example).
pub fn id_claims(issuer: &str) -> Value {
    json!({
        "at_hash": "rXH7QWVTZnXYCou_6Vdpfg", // base64url(SHA-256("SlAV32hkKG")[..16]), the mocked access token
        "sub": SUB,
        "aud": CLIENT_ID,
        "iss": issuer,
        "vot": "Cl.Cm",
        "exp": NOW + 120,
        "iat": NOW,
        "nonce": NONCE,
        "vtm": "https://oidc.integration.account.gov.uk/trustmark",
        "sid": "50a9041b5d57cb53632a0e9259864b71",
        "auth_time": NOW - 5,
    })
}

pub fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims.as_object_mut().unwrap().insert(key.to_owned(), value);
    claims
}

pub fn without(mut claims: Value, key: &str) -> Value {
    claims.as_object_mut().unwrap().remove(key);
    claims
}

/// Replaces the signature with 32 random-looking bytes, as the simulator's INVALID_SIGNATURE does.
pub fn bad_signature(token: &str) -> String {
    let (signed, _) = token.rsplit_once('.').unwrap();
    format!("{signed}.{}", gaap_jose::base64url::encode([7u8; 32]))
}

/// Re-signs nothing: swaps the header for `header`, keeping payload and signature.
pub fn with_header(token: &str, header: &Value) -> String {
    let mut parts = token.splitn(3, '.');
    let (_, p, s) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
    format!("{}.{p}.{s}", gaap_jose::base64url::encode(header.to_string()))
}

/// The core identity payload of the simulator's default identity (GEOFFREY HEARNSHAW, 1955-04-19; from
/// govuk-one-login/simulator:src/config.ts defaults and tests/acceptance/data/core-identity-vc.js).
pub fn core_identity_claims() -> Value {
    json!({
        "sub": SUB,
        "iss": IDENTITY_ISSUER,
        "aud": CLIENT_ID,
        "nbf": NOW - 10,
        "iat": NOW - 10,
        "exp": NOW + 1800,
        "vot": "P2",
        "vtm": "https://oidc.integration.account.gov.uk/trustmark",
        "vc": {
            "type": ["VerifiableCredential", "IdentityCheckCredential"],
            "credentialSubject": {
                "name": [{ "nameParts": [
                    { "value": "GEOFFREY", "type": "GivenName" },
                    { "value": "HEARNSHAW", "type": "FamilyName" }
                ]}],
                "birthDate": [{ "value": "1955-04-19" }]
            }
        }
    })
}

pub fn p2() -> Vtr {
    Vtr::identity(LevelOfConfidence::P2)
}

/// A wiremock One Login: discovery, JWKS, token, userinfo, DID document, all on one loopback server.
pub struct Op {
    pub server: MockServer,
    pub key: OpKey,
    pub clock: ManualClock,
}

impl Op {
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        Self {
            server,
            key: OpKey::es256("b9162667-e025-4d93-8c5b-e538e6c792ac"),
            clock: ManualClock::at_unix(NOW),
        }
    }

    pub fn issuer(&self) -> String {
        format!("{}/", self.server.uri())
    }

    pub fn did(&self) -> String {
        let port = self.server.address().port();
        format!("did:web:127.0.0.1%3A{port}")
    }

    pub fn metadata(&self) -> Value {
        let base = self.server.uri();
        json!({
            "issuer": self.issuer(),
            "authorization_endpoint": format!("{base}/authorize"),
            "token_endpoint": format!("{base}/token"),
            "userinfo_endpoint": format!("{base}/userinfo"),
            "jwks_uri": format!("{base}/.well-known/jwks.json"),
            "end_session_endpoint": format!("{base}/logout"),
            "response_types_supported": ["code"],
            "id_token_signing_alg_values_supported": ["ES256", "RS256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_post"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"],
            "ui_locales_supported": ["en", "cy"],
            "backchannel_logout_supported": true,
        })
    }

    pub async fn mount_discovery(&self) {
        Mock::given(method("GET"))
            .and(path("/.well-known/openid-configuration"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(self.metadata())
                    .insert_header("cache-control", "max-age=86400"),
            )
            .mount(&self.server)
            .await;
    }

    pub async fn mount_jwks(&self, keys: &[&OpKey], max_age: u64, expected_fetches: u64) {
        Mock::given(method("GET"))
            .and(path("/.well-known/jwks.json"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(jwks_json(keys))
                    .insert_header("cache-control", format!("max-age={max_age}").as_str()),
            )
            .expect(expected_fetches)
            .mount(&self.server)
            .await;
    }

    pub fn client(&self) -> Client {
        self.builder().build().unwrap()
    }

    /// The builder behind [`Op::client`], for tests that add to it.
    pub fn builder(&self) -> ClientBuilder {
        Client::builder(self.issuer(), CLIENT_ID)
            .redirect_uri("http://localhost:8080/oidc/authorization-code/callback")
            .signing_key(ClientKey::from_pem(RP_KEY_PEM).unwrap().with_kid("rp-key-1"))
            .identity(self.issuer(), format!("{}/.well-known/did.json", self.server.uri()))
            .clock(Arc::new(self.clock.clone()))
            .insecure_allow_http_loopback(true)
            .timeout(Duration::from_secs(5))
    }

    /// Signs an ID token for the default claims with this OP's issuer.
    pub fn id_token(&self) -> String {
        self.key.sign(&id_claims(&self.issuer()))
    }
}
