//! The published documents: OpenID discovery, the JWKS, the DID document and the trust mark.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{
    ADDRESS_CLAIM, CORE_IDENTITY_CLAIM, DRIVING_PERMIT_CLAIM, OneLoginState, PASSPORT_CLAIM,
    RETURN_CODE_CLAIM, signing_keys,
};

pub(super) fn cached_json(value: &Value, cache: &'static str) -> Response {
    let mut r = axum::Json(value).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    r
}

pub(super) async fn discovery(State(s): State<Arc<OneLoginState>>) -> Response {
    cached_json(
        &json!({
            "issuer": s.issuer(),
            "authorization_endpoint": s.url("authorize"),
            "token_endpoint": s.url("token"),
            "userinfo_endpoint": s.url("userinfo"),
            "jwks_uri": s.url(".well-known/jwks.json"),
            "end_session_endpoint": s.url("logout"),
            "scopes_supported": ["openid", "email", "phone", "offline_access"],
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_post"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"],
            "id_token_signing_alg_values_supported": signing_keys::ALGORITHMS,
            "ui_locales_supported": ["en", "cy"],
            "subject_types_supported": ["public", "pairwise"],
            "claims_supported": ["sub", "email", "email_verified", "phone_number", "phone_number_verified",
                                 "wallet_subject_id", CORE_IDENTITY_CLAIM, ADDRESS_CLAIM, PASSPORT_CLAIM,
                                 DRIVING_PERMIT_CLAIM, RETURN_CODE_CLAIM],
            "claims_parameter_supported": true,
            "request_parameter_supported": true,
            "request_uri_parameter_supported": false,
            "code_challenge_methods_supported": ["S256"],
            "backchannel_logout_supported": true,
            "backchannel_logout_session_supported": false,
            "trustmarks": s.url("trustmark"),
            "service_documentation": "https://docs.sign-in.service.gov.uk/",
        }),
        "max-age=86400",
    )
}

pub(super) async fn jwks(State(s): State<Arc<OneLoginState>>) -> Response {
    cached_json(&s.id_token_keys.jwks(), "max-age=86400")
}

pub(super) async fn did_document(State(s): State<Arc<OneLoginState>>) -> Response {
    let mut jwk = s.identity_key.public_jwk();
    if let Some(obj) = jwk.as_object_mut() {
        obj.remove("kid");
        obj.remove("use");
    }
    let did = s.did();
    cached_json(
        &json!({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"],
            "id": did,
            "assertionMethod": [{"type": "JsonWebKey", "id": s.identity_kid(), "controller": did,
                                 "publicKeyJwk": jwk}],
        }),
        "max-age=3600, private",
    )
}

pub(super) async fn trustmark(State(s): State<Arc<OneLoginState>>) -> Response {
    axum::Json(json!({
        "idp": s.issuer(), "trustmark_provider": s.issuer(),
        "C": ["Cl", "Cl.Cm"], "P": ["P0", "P1", "P2"],
    }))
    .into_response()
}
