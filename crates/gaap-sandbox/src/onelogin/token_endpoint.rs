//! The token endpoint: client authentication (`private_key_jwt` or `client_secret_post`), the code exchange, and
//! the ID token with its error knobs.

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gaap_identity::{AccessToken, Credential, IdToken, IdTokenClaims, TokenResponse};
use serde::Deserialize;
use serde_json::Value;

use super::wire::{GRANT_AUTHORIZATION_CODE, JWT_BEARER_ASSERTION};

use super::*;

#[derive(Debug, Deserialize)]
pub(super) struct TokenForm {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    client_assertion_type: Option<String>,
    client_assertion: Option<String>,
    code_verifier: Option<String>,
    client_id: Option<String>,
    client_secret: Option<client_secret::ClientSecret>,
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    r
}

/// Checks the client assertion; returns the client id.
fn verify_assertion(
    s: &OneLoginState,
    form: &TokenForm,
    jwks_key: Option<&gaap_jose::VerifyingKey>,
    now: OffsetDateTime,
) -> Result<String, Box<Response>> {
    let bad = |status, error: OAuthError, description: &str| {
        Err(Box::new(no_store(oauth_error(status, &error, description))))
    };
    if form.client_assertion_type.as_deref() != Some(JWT_BEARER_ASSERTION) {
        return bad(StatusCode::BAD_REQUEST, OAuthError::InvalidRequest, "Invalid private_key_jwt");
    }
    let Some(parsed) = form.client_assertion.as_deref().and_then(jwt::parse) else {
        return bad(StatusCode::BAD_REQUEST, OAuthError::InvalidRequest, "Invalid private_key_jwt");
    };
    let claim = |k: &str| parsed.claims.get(k).and_then(Value::as_str);
    let Some(client) = claim("iss").and_then(|iss| s.client(iss)) else {
        return bad(
            StatusCode::UNAUTHORIZED,
            OAuthError::InvalidClient,
            "Client authentication failed",
        );
    };
    if form.client_id.as_deref().is_some_and(|id| id != client.cfg.client_id) {
        return bad(
            StatusCode::BAD_REQUEST,
            OAuthError::InvalidClient,
            "Invalid signature in private_key_jwt",
        );
    }
    let alg = parsed.header.get("alg").and_then(Value::as_str).unwrap_or_default();
    if !jwt::CLIENT_ASSERTION_ALGS.iter().any(|a| a.as_str() == alg) {
        return bad(StatusCode::BAD_REQUEST, OAuthError::InvalidRequest, "Invalid private_key_jwt");
    }
    let token = form.client_assertion.as_deref().unwrap_or_default();
    if !jwt::verify_rsa(token, jwks_key.unwrap_or(&client.rsa_public_key)) {
        return bad(
            StatusCode::BAD_REQUEST,
            OAuthError::InvalidClient,
            "Invalid signature in private_key_jwt",
        );
    }
    let audiences: Vec<&str> = match parsed.claims.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let token_url = s.url("token");
    let issuer = s.issuer();
    let aud_ok = audiences
        .iter()
        .any(|a| *a == token_url || *a == issuer || *a == issuer.trim_end_matches('/'));
    if claim("sub") != claim("iss") || !aud_ok {
        return bad(
            StatusCode::BAD_REQUEST,
            OAuthError::InvalidClient,
            "Invalid signature in private_key_jwt",
        );
    }
    let until = match assertion_times::check(&parsed.claims, now) {
        Ok(until) => until,
        Err(assertion_times::TimeProblem::Malformed) => {
            return bad(
                StatusCode::BAD_REQUEST,
                OAuthError::InvalidRequest,
                "Invalid private_key_jwt",
            );
        }
        Err(assertion_times::TimeProblem::Expired) => {
            return bad(
                StatusCode::BAD_REQUEST,
                OAuthError::InvalidGrant,
                "private_key_jwt has expired",
            );
        }
        Err(assertion_times::TimeProblem::NotValidNow) => {
            return bad(
                StatusCode::BAD_REQUEST,
                OAuthError::InvalidClient,
                "Invalid signature in private_key_jwt",
            );
        }
        Err(assertion_times::TimeProblem::TooFarAhead) => {
            return bad(
                StatusCode::BAD_REQUEST,
                OAuthError::InvalidGrant,
                "private_key_jwt expires too far in the future",
            );
        }
    };
    let Some(jti) = claim("jti") else {
        return bad(
            StatusCode::BAD_REQUEST,
            OAuthError::InvalidClient,
            "private_key_jwt is missing jti",
        );
    };
    let mut data = s.lock();
    data.used_jtis.retain(|_, until| *until > now);
    if data.used_jtis.insert(format!("{}:{jti}", client.cfg.client_id), until).is_some() {
        return bad(
            StatusCode::BAD_REQUEST,
            OAuthError::InvalidClient,
            "private_key_jwt jti has already been used",
        );
    }
    Ok(client.cfg.client_id.clone())
}

fn id_token(
    s: &OneLoginState,
    grant: &Grant,
    access_token: &str,
    now: OffsetDateTime,
) -> Result<String, String> {
    let user = s.user(grant.user).unwrap_or_default();
    let has = |e: IdTokenError| grant.id_token_errors.contains(&e);
    let mut iat = now;
    let mut exp = now + ID_TOKEN_LIFETIME;
    if has(IdTokenError::TokenExpired) {
        exp = now - Duration::from_secs(86_400);
    }
    if has(IdTokenError::TokenNotValidYet) {
        iat = now + Duration::from_secs(86_400);
    }
    let vot = match (has(IdTokenError::IncorrectVot), grant.request.vtr.credential()) {
        (true, Credential::Cl) => Credential::ClCm,
        (true, _) => Credential::Cl,
        (false, c) => c,
    };
    let aud = if has(IdTokenError::InvalidAud) {
        INVALID_AUDIENCE.to_owned()
    } else {
        grant.request.client_id.clone()
    };
    let iss = if has(IdTokenError::InvalidIss) { INVALID_ISSUER.to_owned() } else { s.issuer() };
    let nonce = if has(IdTokenError::NonceNotMatching) {
        random_token()
    } else {
        grant.request.nonce.clone()
    };
    let (exp, iat) = (exp.unix_timestamp(), iat.unix_timestamp());
    let claims = IdTokenClaims::new(&iss, &user.sub, &aud, vot.as_str(), exp, iat)
        .with_bindings(&nonce, &jwt::at_hash(access_token))
        .with_vtm(&s.url("trustmark"))
        .with_session(&grant.sid, grant.auth_time.unix_timestamp());
    let alg = s.client(&grant.request.client_id).map_or(Algorithm::ES256, |c| c.id_token_alg);
    let (token, kid) = s.id_token_keys.sign(alg, &claims)?;
    apply_signature_knobs(
        &token,
        has(IdTokenError::InvalidAlgHeader),
        has(IdTokenError::InvalidSignature),
        &kid,
    )
}

/// The `iss` of a token with the `INVALID_ISS` knob, the simulator's.
pub(super) const INVALID_ISSUER: &str = "https://invalid-issuer.account.gov.uk/";
/// The `aud` of a token with the `INVALID_AUD` knob, the simulator's.
pub(super) const INVALID_AUDIENCE: &str = "invalid-client-id";

/// The simulator's `INVALID_ALG_HEADER` (HS256 header, fixed unknown kid) and `INVALID_SIGNATURE` (32 random bytes).
pub(super) fn apply_signature_knobs(
    token: &str,
    bad_alg: bool,
    bad_sig: bool,
    kid: &str,
) -> Result<String, String> {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    if bad_alg && let Some(h) = parts.first_mut() {
        let unknown = if kid.starts_with("did:") {
            format!(
                "{}#60c01993-94cd-4d32-a4da-2a44dba7e45b",
                kid.split('#').next().unwrap_or_default()
            )
        } else {
            "60c01993-94cd-4d32-a4da-2a44dba7e45b".to_owned()
        };
        let header = gaap_jose::Header::new(Algorithm::HS256).with_kid(unknown);
        *h = jwt::b64(serde_json::to_vec(&header).map_err(|e| e.to_string())?);
    }
    if bad_sig && let Some(sig) = parts.last_mut() {
        *sig = jwt::b64(rand::random::<[u8; 32]>());
    }
    Ok(parts.join("."))
}

/// Checks `client_secret_post` credentials (the simulator's `validateClientSecretPost`); returns the client id.
async fn verify_client_secret(
    s: &OneLoginState,
    client_id: &str,
    secret: client_secret::ClientSecret,
) -> Result<String, Box<Response>> {
    let bad = |description: &str| {
        let refusal = oauth_error(StatusCode::BAD_REQUEST, &OAuthError::InvalidClient, description);
        Err(Box::new(no_store(refusal)))
    };
    let Some(client) = s.client(client_id) else { return bad("Client authentication failed") };
    if client.cfg.token_auth_method != TokenAuthMethod::ClientSecretPost {
        return bad("Client is not registered to use client_secret_post");
    }
    let Some(check) = client.secret.clone() else { return bad("No client secret registered") };
    // Argon2 is memory-hard: it runs on a blocking thread, not the server's.
    match tokio::task::spawn_blocking(move || check.matches(&secret)).await {
        Ok(true) => Ok(client.cfg.client_id.clone()),
        Ok(false) => bad("Invalid client secret"),
        Err(e) => Err(Box::new(no_store(oauth_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &OAuthError::ServerError,
            &format!("the client secret could not be checked: {e}"),
        )))),
    }
}

/// Which client authentication a token request uses, as the simulator's `parseTokenRequest` decides it.
enum TokenAuth {
    PrivateKeyJwt,
    ClientSecretPost(String, client_secret::ClientSecret),
}

pub(super) async fn token(
    State(s): State<Arc<OneLoginState>>,
    Form(form): Form<TokenForm>,
) -> Response {
    let now = s.clock.now();
    let missing = |what: &str| {
        no_store(oauth_error(
            StatusCode::BAD_REQUEST,
            &OAuthError::InvalidRequest,
            &format!("Request is missing {what} parameter"),
        ))
    };
    match form.grant_type.as_deref() {
        None => return missing("grant_type"),
        Some(GRANT_AUTHORIZATION_CODE) => {}
        Some(_) => {
            return no_store(oauth_error(
                StatusCode::BAD_REQUEST,
                &OAuthError::UnsupportedGrantType,
                "Unsupported grant type",
            ));
        }
    }
    if form.redirect_uri.as_deref().is_none_or(str::is_empty) {
        return missing("redirect_uri");
    }
    if form.code.as_deref().is_none_or(str::is_empty) {
        return missing("code");
    }
    let present = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty());
    let auth = if present(&form.client_assertion_type) && present(&form.client_assertion) {
        TokenAuth::PrivateKeyJwt
    } else if let (Some(secret), Some(id)) = (&form.client_secret, &form.client_id)
        && !secret.is_empty()
        && !id.is_empty()
    {
        TokenAuth::ClientSecretPost(id.clone(), secret.clone())
    } else {
        return no_store(oauth_error(
            StatusCode::BAD_REQUEST,
            &OAuthError::InvalidRequest,
            "Invalid token authentication method used",
        ));
    };
    let client_id = match auth {
        TokenAuth::PrivateKeyJwt => match private_key_jwt_client(&s, &form, now).await {
            Ok(id) => id,
            Err(r) => return *r,
        },
        TokenAuth::ClientSecretPost(id, secret) => {
            match verify_client_secret(&s, &id, secret).await {
                Ok(id) => id,
                Err(r) => return *r,
            }
        }
    };
    exchange_code(&s, &form, &client_id, now)
}

/// Checks a `private_key_jwt` client assertion, with the client's key from its JWKS URL when it has one.
async fn private_key_jwt_client(
    s: &OneLoginState,
    form: &TokenForm,
    now: OffsetDateTime,
) -> Result<String, Box<Response>> {
    // A client registered with a JWKS URL: its key is fetched before the assertion is checked.
    let parsed = form.client_assertion.as_deref().and_then(jwt::parse);
    let jwks_uri = parsed.as_ref().and_then(|p| {
        let iss = p.claims.get("iss").and_then(Value::as_str)?;
        s.client(iss)?.cfg.jwks_uri.clone()
    });
    let mut jwks_key = None;
    if let (Some(url), Some(p)) = (jwks_uri, &parsed) {
        let kid = p.header.get("kid").and_then(Value::as_str).map(str::to_owned);
        match client_jwks::fetch_key(&url, kid.as_deref()).await {
            Ok(key) => jwks_key = Some(key),
            Err(_reason) => {
                return Err(Box::new(no_store(oauth_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &OAuthError::ServerError,
                    client_jwks::JWKS_ERROR,
                ))));
            }
        }
    }
    verify_assertion(s, form, jwks_key.as_ref(), now)
}

/// Exchanges the code for tokens once the client is authenticated.
fn exchange_code(
    s: &OneLoginState,
    form: &TokenForm,
    client_id: &str,
    now: OffsetDateTime,
) -> Response {
    let invalid_grant =
        |d: &str| no_store(oauth_error(StatusCode::BAD_REQUEST, &OAuthError::InvalidGrant, d));
    // Single use: the code is removed whatever happens next.
    let Some(grant) = form.code.as_deref().and_then(|c| s.lock().codes.remove(c)) else {
        return invalid_grant("Invalid authorization code");
    };
    if grant.request.client_id != client_id || now > grant.issued + CODE_LIFETIME {
        return invalid_grant("Invalid authorization code");
    }
    if form.redirect_uri.as_deref() != Some(grant.request.redirect_uri.as_str()) {
        return invalid_grant("Redirect URI mismatch");
    }
    if let Some(challenge) = &grant.request.code_challenge {
        let ok = form
            .code_verifier
            .as_deref()
            .is_some_and(|v| crate::notify::auth::secrets_equal(&jwt::pkce_s256(v), challenge));
        if !ok {
            return invalid_grant("PKCE code_verifier does not match the code_challenge");
        }
    }
    let access_token = random_token();
    let id_token = match id_token(s, &grant, &access_token, now) {
        Ok(t) => t,
        Err(e) => {
            return no_store(oauth_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                &OAuthError::ServerError,
                &e,
            ));
        }
    };
    s.lock().access_tokens.insert(access_token.clone(), (grant, now + ACCESS_TOKEN_LIFETIME));
    let response = TokenResponse::bearer(
        AccessToken::new(access_token),
        Some(ACCESS_TOKEN_LIFETIME.as_secs()),
        IdToken::new(id_token),
    );
    no_store(axum::Json(response).into_response())
}
