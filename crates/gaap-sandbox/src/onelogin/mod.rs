//! GOV.UK One Login as an OpenID Provider: discovery, JWKS, `/authorize` with a sign-in page, `/token` with
//! `private_key_jwt` (RS/PS), `/userinfo`, `/logout`, back-channel logout, and the core identity JWT signed ES256
//! with a key published in a DID document. It closes the simulator's gaps (reference identity.md §3): codes are
//! single-use, access tokens are opaque, the core identity lasts 30 minutes, back-channel logout is sent.

mod assertion_times;
mod claims;
mod client_jwks;
mod client_secret;
mod request_object;
mod runtime_config;
mod signing_keys;
mod token_endpoint;

use token_endpoint::{apply_signature_knobs, token};

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use gaap_http::SharedClock;
use gaap_identity::{LevelOfConfidence, Vtr};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::Error;
use crate::config::{ClientConfig, OneLoginConfig, TokenAuthMethod, UserConfig};
use crate::jwt::{self, EsKey};
use crate::outbound::{DeliveryKind, Outbound};

/// The default client's RSA private key (PKCS#8). Published with the sandbox, so it protects nothing: it exists
/// so the sandbox can print a complete set of credentials, as the simulator's example key does.
pub(crate) const DEFAULT_CLIENT_PRIVATE_KEY_PEM: &str = include_str!("default_client_key.pem");

const ID_TOKEN_LIFETIME: Duration = Duration::from_secs(120);
const ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(180);
const CORE_IDENTITY_LIFETIME: Duration = Duration::from_secs(30 * 60);
const CODE_LIFETIME: Duration = Duration::from_secs(300);
const CORE_IDENTITY_CLAIM: &str = "https://vocab.account.gov.uk/v1/coreIdentityJWT";
const ADDRESS_CLAIM: &str = "https://vocab.account.gov.uk/v1/address";
const PASSPORT_CLAIM: &str = "https://vocab.account.gov.uk/v1/passport";
const DRIVING_PERMIT_CLAIM: &str = "https://vocab.account.gov.uk/v1/drivingPermit";
const RETURN_CODE_CLAIM: &str = "https://vocab.account.gov.uk/v1/returnCode";
const ID_TOKEN_ERRORS: [&str; 8] = [
    "INVALID_ISS",
    "INVALID_AUD",
    "INVALID_ALG_HEADER",
    "INVALID_SIGNATURE",
    "TOKEN_EXPIRED",
    "TOKEN_NOT_VALID_YET",
    "NONCE_NOT_MATCHING",
    "INCORRECT_VOT",
];
const CORE_IDENTITY_ERRORS: [&str; 6] = [
    "INVALID_ALG_HEADER",
    "INVALID_SIGNATURE",
    "INVALID_ISS",
    "INVALID_AUD",
    "INCORRECT_SUB",
    "TOKEN_EXPIRED",
];

/// A validated authorisation request waiting for the sign-in page.
#[derive(Debug, Clone)]
struct AuthRequest {
    client_id: String,
    redirect_uri: String,
    state: String,
    nonce: String,
    scopes: Vec<String>,
    vtr: Vtr,
    claims: Vec<String>,
    code_challenge: Option<String>,
}

impl AuthRequest {
    /// The identity level asked for (`P0`–`P3`), if any.
    fn loc(&self) -> Option<&'static str> {
        self.vtr.level().map(LevelOfConfidence::as_str)
    }
}

#[derive(Debug, Clone)]
struct Grant {
    request: AuthRequest,
    user: usize,
    id_token_errors: Vec<String>,
    core_identity_errors: Vec<String>,
    issued: OffsetDateTime,
    auth_time: OffsetDateTime,
    sid: String,
}

#[derive(Debug, Default)]
struct OneLoginData {
    pending: HashMap<String, AuthRequest>,
    codes: HashMap<String, Grant>,
    access_tokens: HashMap<String, (Grant, OffsetDateTime)>,
    used_jtis: HashMap<String, OffsetDateTime>,
}

#[derive(Debug)]
struct Client {
    cfg: ClientConfig,
    rsa_public_key: gaap_jose::VerifyingKey,
    /// The registered secret, for a `client_secret_post` client.
    secret: Option<client_secret::SecretCheck>,
    /// The last JWKS URL the client was given, kept while `POST /config` has it use its static key
    /// (the simulator's `jwksUrl` beside `publicKeySource`).
    jwks_url: Option<String>,
}

impl Client {
    /// Checks a client's registration and reads its keys.
    fn new(c: ClientConfig) -> Result<Self, String> {
        let id = &c.client_id;
        if !signing_keys::ALGORITHMS.contains(&c.id_token_signing_algorithm.as_str()) {
            return Err(format!(
                "client {id}: id_token_signing_algorithm must be ES256 or RS256, not {}",
                c.id_token_signing_algorithm
            ));
        }
        let pem = c.public_key_pem.as_deref().unwrap_or(DEFAULT_CLIENT_PRIVATE_KEY_PEM);
        let rsa_public_key = jwt::rsa_public_key_from_pem(pem)
            .ok_or_else(|| format!("client {id}: public_key_pem is not an RSA public key"))?;
        let secret = match (c.token_auth_method, &c.client_secret_hash) {
            (TokenAuthMethod::ClientSecretPost, None) => {
                return Err(format!("client {id}: client_secret_post needs a client_secret_hash"));
            }
            (TokenAuthMethod::PrivateKeyJwt, Some(_)) => {
                return Err(format!(
                    "client {id}: client_secret_hash is only for token_auth_method client_secret_post"
                ));
            }
            (TokenAuthMethod::ClientSecretPost, Some(_)) if c.identity_verification_supported => {
                // The simulator refuses to start with this, with the same words.
                return Err(format!(
                    "client {id}: clients configured with client_secret_post cannot support identity \
                     verification (set identity_verification_supported to false)"
                ));
            }
            (_, Some(hash)) => Some(
                client_secret::SecretCheck::parse(hash).map_err(|e| format!("client {id}: {e}"))?,
            ),
            (TokenAuthMethod::PrivateKeyJwt, None) => None,
        };
        let jwks_url = c.jwks_uri.clone();
        Ok(Self { cfg: c, rsa_public_key, secret, jwks_url })
    }
}

/// What `POST /config` can change while the sandbox runs.
#[derive(Debug)]
struct Live {
    issuer: String,
    clients: Vec<Arc<Client>>,
    users: Vec<UserConfig>,
}

/// Shared One Login state.
#[derive(Debug)]
pub(crate) struct OneLoginState {
    cfg: OneLoginConfig,
    live: RwLock<Live>,
    id_token_keys: signing_keys::IdTokenKeys,
    knobs: Mutex<runtime_config::Knobs>,
    /// The core identity key; its `kid` is `{did}#{identity_key_id}`, the DID following the issuer.
    identity_key: EsKey,
    identity_key_id: String,
    data: Mutex<OneLoginData>,
    clock: SharedClock,
    outbound: Outbound,
}

fn random_token() -> String {
    jwt::b64(rand::random::<[u8; 32]>())
}

impl OneLoginState {
    pub(crate) fn new(
        cfg: OneLoginConfig,
        issuer: String,
        clock: SharedClock,
        outbound: Outbound,
    ) -> Result<Self, Error> {
        let configured = if cfg.clients.is_empty() {
            vec![ClientConfig::default()]
        } else {
            cfg.clients.clone()
        };
        let clients = configured
            .into_iter()
            .map(|c| Client::new(c).map(Arc::new).map_err(Error::Config))
            .collect::<Result<Vec<_>, _>>()?;
        let mut cfg = cfg;
        let knobs = runtime_config::Knobs {
            id_token_errors: cfg.id_token_errors.clone(),
            core_identity_errors: cfg.core_identity_errors.clone(),
            authorise_error: cfg.authorise_error.clone(),
        };
        if cfg.users.is_empty() {
            cfg.users.push(UserConfig::default());
        }
        let id_token_keys = signing_keys::IdTokenKeys::new(
            cfg.publish_new_id_token_signing_keys,
            cfg.use_new_id_token_signing_keys,
        )
        .map_err(Error::Config)?;
        let identity_key_id = uuid::Uuid::new_v4().to_string();
        let identity_key = EsKey::generate().map_err(Error::Config)?;
        let users = cfg.users.clone();
        Ok(Self {
            cfg,
            live: RwLock::new(Live { issuer, clients, users }),
            knobs: Mutex::new(knobs),
            id_token_keys,
            identity_key,
            identity_key_id,
            data: Mutex::default(),
            clock,
            outbound,
        })
    }

    pub(crate) fn default_client_id(&self) -> String {
        self.read().clients.first().map(|c| c.cfg.client_id.clone()).unwrap_or_default()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Live> {
        self.live.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Live> {
        self.live.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The issuer in force, with its trailing slash (the config file's, or what `POST /config` set).
    pub(crate) fn issuer(&self) -> String {
        self.read().issuer.clone()
    }

    /// `did:web:` of the issuer's host, as the simulator derives its DID controller.
    fn did(&self) -> String {
        let issuer = self.issuer();
        let host = issuer
            .trim_start_matches("http://")
            .trim_start_matches("https://")
            .trim_end_matches('/');
        format!("did:web:{}", host.replace(':', "%3A"))
    }

    /// The core identity key's `kid`.
    fn identity_kid(&self) -> String {
        format!("{}#{}", self.did(), self.identity_key_id)
    }

    /// A user as configured now.
    fn user(&self, index: usize) -> Option<UserConfig> {
        self.read().users.get(index).cloned()
    }

    /// The error knobs in force (the config file's, or what `POST /config` set).
    fn knobs(&self) -> runtime_config::Knobs {
        self.knobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    fn set_knobs(&self, knobs: runtime_config::Knobs) {
        *self.knobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = knobs;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, OneLoginData> {
        self.data.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn client(&self, id: &str) -> Option<Arc<Client>> {
        self.read().clients.iter().find(|c| c.cfg.client_id == id).cloned()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer())
    }

    /// Sends a logout token for `sub` to every client with a back-channel logout URI (or only `client_id`).
    pub(crate) fn back_channel_logout(&self, sub: &str, client_id: Option<&str>) {
        let now = self.clock.now();
        let (issuer, clients) = {
            let live = self.read();
            (live.issuer.clone(), live.clients.clone())
        };
        for c in &clients {
            let Some(uri) = &c.cfg.back_channel_logout_uri else { continue };
            if client_id.is_some_and(|id| id != c.cfg.client_id) {
                continue;
            }
            let claims = json!({
                "iss": issuer, "sub": sub, "aud": c.cfg.client_id, "iat": now.unix_timestamp(),
                "exp": (now + ID_TOKEN_LIFETIME).unix_timestamp(), "jti": uuid::Uuid::new_v4(),
                "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
            });
            let Ok((token, _)) = self.id_token_keys.sign("ES256", &claims) else { continue };
            let body = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("logout_token", &token)
                .finish();
            self.outbound.enqueue(
                DeliveryKind::BackChannelLogout,
                uri,
                vec![("content-type".to_owned(), "application/x-www-form-urlencoded".to_owned())],
                body,
                now,
            );
        }
    }
}

/// The One Login router.
pub(crate) fn router(state: Arc<OneLoginState>) -> Router {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/.well-known/did.json", get(did_document))
        .route("/authorize", get(authorize).post(|| async { StatusCode::METHOD_NOT_ALLOWED }))
        .route("/authorize/sign-in", post(sign_in))
        .route("/token", post(token))
        .route("/userinfo", get(userinfo))
        .route("/logout", get(logout))
        .route("/trustmark", get(trustmark))
        .route("/config", get(runtime_config::get_config).post(runtime_config::post_config))
        .route(
            "/signed-out",
            get(|| async { crate::pages::page(PRODUCT, NOTICE, "You have signed out", "") }),
        )
        .route(crate::pages::STYLESHEET_PATH, get(crate::pages::stylesheet))
        .route("/openapi.json", get(|| async { crate::openapi::one_login() }))
        .with_state(state)
}

fn cached_json(value: &Value, cache: &'static str) -> Response {
    let mut r = axum::Json(value).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    r
}

async fn discovery(State(s): State<Arc<OneLoginState>>) -> Response {
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

async fn jwks(State(s): State<Arc<OneLoginState>>) -> Response {
    cached_json(&s.id_token_keys.jwks(), "max-age=86400")
}

async fn did_document(State(s): State<Arc<OneLoginState>>) -> Response {
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

async fn trustmark(State(s): State<Arc<OneLoginState>>) -> Response {
    axum::Json(json!({
        "idp": s.issuer(), "trustmark_provider": s.issuer(),
        "C": ["Cl", "Cl.Cm"], "P": ["P0", "P1", "P2"],
    }))
    .into_response()
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (status, axum::Json(json!({"error": error, "error_description": description}))).into_response()
}

fn redirect_error(
    redirect_uri: &str,
    error: &str,
    description: &str,
    state: Option<&str>,
) -> Response {
    let mut url = match url::Url::parse(redirect_uri) {
        Ok(u) => u,
        Err(_) => {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "Invalid redirect_uri");
        }
    };
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("error", error).append_pair("error_description", description);
        if let Some(state) = state {
            q.append_pair("state", state);
        }
    }
    found(url.as_str())
}

fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => (StatusCode::FOUND, [(header::LOCATION, v)]).into_response(),
        Err(_) => oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "Invalid redirect"),
    }
}

async fn authorize(State(s): State<Arc<OneLoginState>>, RawQuery(raw): RawQuery) -> Response {
    let q: HashMap<String, String> =
        url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect();
    let q = match request_object::apply(&s, q).await {
        Ok(q) => q,
        Err(refused) => return *refused,
    };
    let get = |k: &str| q.get(k).map(String::as_str);
    let Some(client) = get("client_id").and_then(|id| s.client(id)) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "Unknown client_id");
    };
    let Some(redirect_uri) =
        get("redirect_uri").filter(|r| client.cfg.redirect_uris.iter().any(|u| u == r))
    else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "redirect_uri is not registered for this client",
        );
    };
    let state = get("state");
    let requested_claims = claims::requested(get("claims"), &client.cfg.claims);
    if requested_claims == Err(claims::ClaimsProblem::Malformed) {
        return redirect_error(redirect_uri, "invalid_request", "Invalid Request", None);
    }
    if get("response_type") != Some("code") {
        return redirect_error(
            redirect_uri,
            "unsupported_response_type",
            "Unsupported response type",
            state,
        );
    }
    if let Some(mode) = get("response_mode").filter(|m| !["query", "fragment"].contains(m)) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &format!("Unsupported response_mode {mode}"),
        );
    }
    let scopes: Vec<String> =
        get("scope").unwrap_or_default().split_whitespace().map(str::to_owned).collect();
    if !scopes.iter().any(|sc| sc == "openid") {
        return redirect_error(
            redirect_uri,
            "invalid_request",
            "Request is missing openid scope",
            state,
        );
    }
    if scopes.iter().any(|sc| !client.cfg.scopes.contains(sc) && sc != "openid") {
        return redirect_error(
            redirect_uri,
            "invalid_scope",
            "Invalid, unknown or malformed scope",
            state,
        );
    }
    let Ok(claims) = requested_claims else {
        return redirect_error(
            redirect_uri,
            "invalid_request",
            "Request contains invalid claims",
            state,
        );
    };
    let Some(state) = state else {
        return redirect_error(
            redirect_uri,
            "invalid_request",
            "Request is missing state parameter",
            None,
        );
    };
    let Some(nonce) = get("nonce") else {
        return redirect_error(
            redirect_uri,
            "invalid_request",
            "Request is missing nonce parameter",
            Some(state),
        );
    };
    let Ok(vtr) = Vtr::from_authorize_param(get("vtr")) else {
        return redirect_error(
            redirect_uri,
            "invalid_request",
            "Request vtr not valid",
            Some(state),
        );
    };
    // An identity level needs a client registered for identity (never a client_secret_post one), as the
    // simulator's vtr-validator says.
    let identity_refused = !client.cfg.identity_verification_supported
        || client.cfg.token_auth_method == TokenAuthMethod::ClientSecretPost;
    if let Some(level) = vtr.level()
        && (!client.cfg.client_locs.iter().any(|l| l == level.as_str())
            || (level != LevelOfConfidence::P0 && identity_refused))
    {
        return redirect_error(
            redirect_uri,
            "invalid_request",
            "Request vtr not valid",
            Some(state),
        );
    }
    let code_challenge = get("code_challenge").map(str::to_owned);
    match (get("code_challenge_method"), &code_challenge) {
        (Some("S256"), Some(_)) | (None, None) => {}
        (None, Some(_)) | (Some(_), _) => {
            return redirect_error(
                redirect_uri,
                "invalid_request",
                "Invalid value for code_challenge_method parameter",
                Some(state),
            );
        }
    }
    if client.cfg.pkce_enforced && code_challenge.is_none() {
        return redirect_error(
            redirect_uri,
            "invalid_request",
            "Request is missing code_challenge parameter",
            Some(state),
        );
    }
    if get("prompt").is_some_and(|p| p.split_whitespace().any(|p| p == "select_account")) {
        return redirect_error(
            redirect_uri,
            "unmet_authentication_requirements",
            "Unmet authentication requirements",
            Some(state),
        );
    }
    if let Some(error) = &s.knobs().authorise_error {
        let (code, description) = match error.as_str() {
            "TEMPORARILY_UNAVAILABLE" => ("temporarily_unavailable", "Temporarily unavailable"),
            _ => ("access_denied", "Access denied by resource owner or authorization server"),
        };
        return redirect_error(redirect_uri, code, description, Some(state));
    }
    let request = AuthRequest {
        client_id: client.cfg.client_id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        state: state.to_owned(),
        nonce: nonce.to_owned(),
        scopes,
        vtr,
        claims,
        code_challenge,
    };
    if s.cfg.auto_sign_in {
        return finish_sign_in(&s, request, 0, None, Vec::new(), Vec::new());
    }
    let request_id = random_token();
    let page = sign_in_page(&s, &request_id, &request);
    s.lock().pending.insert(request_id, request);
    page
}

/// The product name in the header of One Login's pages.
const PRODUCT: &str = "GOV.UK One Login sandbox";
/// What the banner of One Login's pages says.
const NOTICE: &str =
    "Nobody's identity is checked: this page stands in for GOV.UK One Login's sign-in.";

/// The sign-in page: its heading names the service (the client's `client_name`), then who signs in and how.
fn sign_in_page(s: &OneLoginState, request_id: &str, r: &AuthRequest) -> Response {
    let users: Vec<(String, String, bool)> = s
        .read()
        .users
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let label = format!(
                "{} {} ({}, up to {})",
                u.given_names.join(" "),
                u.family_name,
                u.email,
                u.max_loc
            );
            (i.to_string(), label, i == 0)
        })
        .collect();
    let mut outcomes = vec![("success".to_owned(), format!("Sign in ({})", r.vtr), true)];
    for error in ["access_denied", "temporarily_unavailable", "login_required"] {
        outcomes.push((error.to_owned(), error.to_owned(), false));
    }
    let errors = |names: &[&str]| -> Vec<(String, String, bool)> {
        names.iter().map(|n| ((*n).to_owned(), (*n).to_owned(), false)).collect()
    };
    let service =
        s.client(&r.client_id).map_or_else(|| r.client_id.clone(), |c| c.cfg.client_name.clone());
    let main = format!(
        "<form method=\"post\" action=\"/authorize/sign-in\" novalidate>\
         <input type=\"hidden\" name=\"request_id\" value=\"{}\">{}{}{}{}\
         <button class=\"govuk-button\">Continue</button></form>",
        crate::pages::esc(request_id),
        crate::pages::choices("radio", "user", "User", &users),
        crate::pages::choices("radio", "outcome", "Outcome", &outcomes),
        crate::pages::choices(
            "checkbox",
            "id_token_error",
            "ID token errors",
            &errors(&ID_TOKEN_ERRORS)
        ),
        crate::pages::choices(
            "checkbox",
            "core_identity_error",
            "Core identity errors",
            &errors(&CORE_IDENTITY_ERRORS)
        ),
    );
    crate::pages::page(PRODUCT, NOTICE, &format!("Sign in to {service}"), &main).into_response()
}

async fn sign_in(State(s): State<Arc<OneLoginState>>, body: axum::body::Bytes) -> Response {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let all = |k: &str| -> Vec<String> {
        pairs.iter().filter(|(key, _)| key == k).map(|(_, v)| v.clone()).collect()
    };
    let Some(request) = get("request_id").and_then(|id| s.lock().pending.remove(id)) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Unknown or used sign-in request",
        );
    };
    let user = get("user").and_then(|u| u.parse::<usize>().ok()).unwrap_or(0);
    if user >= s.read().users.len() {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "Unknown user");
    }
    let outcome = get("outcome").filter(|o| *o != "success");
    finish_sign_in(&s, request, user, outcome, all("id_token_error"), all("core_identity_error"))
}

fn loc_rank(loc: &str) -> u8 {
    match loc {
        "P1" => 1,
        "P2" => 2,
        "P3" => 3,
        _ => 0,
    }
}

fn finish_sign_in(
    s: &OneLoginState,
    request: AuthRequest,
    user: usize,
    outcome: Option<&str>,
    id_token_errors: Vec<String>,
    core_identity_errors: Vec<String>,
) -> Response {
    if let Some(error) = outcome {
        return redirect_error(
            &request.redirect_uri,
            error,
            "Sign-in outcome chosen on the sandbox page",
            Some(&request.state),
        );
    }
    // Identity below the requested level: access_denied, unless the client asked for return codes.
    if let (Some(loc), Some(u)) = (request.loc(), s.user(user))
        && loc_rank(loc) > loc_rank(&u.max_loc)
        && !request.claims.iter().any(|c| c == RETURN_CODE_CLAIM)
    {
        return redirect_error(
            &request.redirect_uri,
            "access_denied",
            "Access denied by resource owner or authorization server",
            Some(&request.state),
        );
    }
    let now = s.clock.now();
    let code = random_token();
    let mut location = match url::Url::parse(&request.redirect_uri) {
        Ok(u) => u,
        Err(_) => {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "Invalid redirect_uri");
        }
    };
    location.query_pairs_mut().append_pair("code", &code).append_pair("state", &request.state);
    let knobs = s.knobs();
    let id_token_errors =
        if id_token_errors.is_empty() { knobs.id_token_errors } else { id_token_errors };
    let core_identity_errors = if core_identity_errors.is_empty() {
        knobs.core_identity_errors
    } else {
        core_identity_errors
    };
    let grant = Grant {
        request,
        user,
        id_token_errors,
        core_identity_errors,
        issued: now,
        auth_time: now,
        sid: jwt::b64(rand::random::<[u8; 16]>()),
    };
    s.lock().codes.insert(code, grant);
    found(location.as_str())
}

fn unauthorised(description: Option<&str>) -> Response {
    let value = match description {
        Some(d) => format!("Bearer error=\"invalid_token\", error_description=\"{d}\""),
        None => "Bearer".to_owned(),
    };
    let mut r = StatusCode::UNAUTHORIZED.into_response();
    if let Ok(v) = HeaderValue::from_str(&value) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

/// The user's core identity credential: as configured, or built from their name and date of birth; none when
/// `POST /config` set it to null.
fn core_identity_vc(user: &UserConfig) -> Option<Value> {
    match &user.core_identity_vc {
        Some(Value::Null) => None,
        Some(vc) => Some(vc.clone()),
        None => {
            let mut name_parts: Vec<Value> =
                user.given_names.iter().map(|g| json!({"value": g, "type": "GivenName"})).collect();
            name_parts.push(json!({"value": user.family_name, "type": "FamilyName"}));
            Some(json!({
                "type": ["VerifiableCredential", "IdentityCheckCredential"],
                "credentialSubject": {"name": [{"nameParts": name_parts}],
                                      "birthDate": [{"value": user.birth_date}]}}))
        }
    }
}

fn core_identity(
    s: &OneLoginState,
    grant: &Grant,
    user: &UserConfig,
    loc: &str,
    now: OffsetDateTime,
) -> Result<String, String> {
    let has = |e: &str| grant.core_identity_errors.iter().any(|x| x == e);
    // The simulator's expired core identity is a day old, past any RP's leeway.
    let exp = if has("TOKEN_EXPIRED") {
        now - Duration::from_secs(86_400)
    } else {
        now + CORE_IDENTITY_LIFETIME
    };
    let claims = json!({
        "sub": if has("INCORRECT_SUB") { "urn:fdc:gov.uk:2022:incorrect-sub".to_owned() } else { user.sub.clone() },
        "iss": if has("INVALID_ISS") { "https://invalid-issuer.account.gov.uk/".to_owned() } else { s.issuer() },
        "aud": if has("INVALID_AUD") { "invalid-client-id".to_owned() } else { grant.request.client_id.clone() },
        "nbf": now.unix_timestamp(), "iat": now.unix_timestamp(), "exp": exp.unix_timestamp(),
        "vot": loc, "vtm": s.url("trustmark"),
        "vc": core_identity_vc(user),
    });
    let kid = s.identity_kid();
    let token = s.identity_key.sign(&kid, Some("JWT"), &claims)?;
    Ok(apply_signature_knobs(&token, has("INVALID_ALG_HEADER"), has("INVALID_SIGNATURE"), &kid))
}

async fn userinfo(State(s): State<Arc<OneLoginState>>, headers: HeaderMap) -> Response {
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
    else {
        return unauthorised(None);
    };
    let now = s.clock.now();
    let Some((grant, expires)) = s.lock().access_tokens.get(token.trim()).cloned() else {
        return unauthorised(Some("Invalid access token"));
    };
    if now >= expires {
        return unauthorised(Some("Access token expired"));
    }
    let user = s.user(grant.user).unwrap_or_default();
    let mut out = serde_json::Map::new();
    out.insert("sub".to_owned(), json!(user.sub));
    let scoped = |name: &str| grant.request.scopes.iter().any(|sc| sc == name);
    if scoped("email") {
        out.insert("email".to_owned(), json!(user.email));
        out.insert("email_verified".to_owned(), json!(user.email_verified));
    }
    if scoped("phone") {
        // As the simulator: no `phone_number` when the user has none, `phone_number_verified` as configured.
        if let Some(phone) = &user.phone_number {
            out.insert("phone_number".to_owned(), json!(phone));
        }
        out.insert("phone_number_verified".to_owned(), json!(user.phone_number_verified));
    }
    let wants = |claim: &str| grant.request.claims.iter().any(|c| c == claim);
    let proven =
        grant.request.loc().filter(|l| loc_rank(l) > 0 && loc_rank(l) <= loc_rank(&user.max_loc));
    if let Some(loc) = proven {
        // As the simulator: no credential configured, no core identity claim.
        if wants(CORE_IDENTITY_CLAIM) && core_identity_vc(&user).is_some() {
            match core_identity(&s, &grant, &user, loc, now) {
                Ok(jwt) => {
                    out.insert(CORE_IDENTITY_CLAIM.to_owned(), json!(jwt));
                }
                Err(e) => {
                    return oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", &e);
                }
            }
        }
        // A claim the user has no value for is left out, as the simulator does.
        for (claim, value) in [
            (ADDRESS_CLAIM, &user.address),
            (PASSPORT_CLAIM, &user.passport),
            (DRIVING_PERMIT_CLAIM, &user.driving_permit),
        ] {
            if wants(claim)
                && let Some(value) = value
            {
                out.insert(claim.to_owned(), value.clone());
            }
        }
    }
    if wants(RETURN_CODE_CLAIM) {
        let codes: Vec<Value> = user.return_codes.iter().map(|c| json!({"code": c})).collect();
        out.insert(RETURN_CODE_CLAIM.to_owned(), json!(codes));
    }
    axum::Json(Value::Object(out)).into_response()
}

async fn logout(State(s): State<Arc<OneLoginState>>, RawQuery(raw): RawQuery) -> Response {
    let q: HashMap<String, String> =
        url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect();
    let signed_out = s.url("signed-out");
    let state = q.get("state").map(String::as_str);
    let with_error = |description: &str| {
        let mut u = url::Url::parse(&signed_out).ok();
        if let Some(u) = u.as_mut() {
            let mut qp = u.query_pairs_mut();
            qp.append_pair("error_code", "invalid_request")
                .append_pair("error_description", description);
            if let Some(st) = state {
                qp.append_pair("state", st);
            }
        }
        found(u.as_ref().map_or(signed_out.as_str(), url::Url::as_str))
    };
    let Some(hint) = q.get("id_token_hint") else {
        if q.contains_key("post_logout_redirect_uri") {
            return with_error("id_token_hint is required with post_logout_redirect_uri");
        }
        return found(&signed_out);
    };
    let Some(parsed) = jwt::parse(hint) else {
        return with_error("unable to validate id_token_hint");
    };
    if !s.id_token_keys.signed(hint) {
        return with_error("unable to validate id_token_hint");
    }
    let aud = parsed.claims.get("aud").and_then(Value::as_str).unwrap_or_default().to_owned();
    let sub = parsed.claims.get("sub").and_then(Value::as_str).unwrap_or_default().to_owned();
    let Some(client) = s.client(&aud) else { return with_error("client not found") };
    s.back_channel_logout(&sub, None);
    match q.get("post_logout_redirect_uri") {
        None => found(&signed_out),
        Some(uri) if client.cfg.post_logout_redirect_uris.iter().any(|u| u == uri) => {
            let mut u = match url::Url::parse(uri) {
                Ok(u) => u,
                Err(_) => return with_error("invalid post_logout_redirect_uri"),
            };
            if let Some(st) = state {
                u.query_pairs_mut().append_pair("state", st);
            }
            found(u.as_str())
        }
        Some(_) => with_error("client registry does not contain post_logout_redirect_uri"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vtr_follows_the_simulator_grammar() {
        // The sandbox reads `vtr` with gaap-identity's parser; these pin the simulator's grammar it keeps.
        let parse_vtr = |raw: Option<&str>| {
            Vtr::from_authorize_param(raw).ok().map(|v| {
                (v.credential().as_str().to_owned(), v.level().map(|l| l.as_str().to_owned()))
            })
        };
        assert_eq!(parse_vtr(None), Some(("Cl.Cm".to_owned(), None)));
        assert_eq!(
            parse_vtr(Some("[\"Cm.Cl.P2\"]")),
            Some(("Cl.Cm".to_owned(), Some("P2".to_owned())))
        );
        assert_eq!(parse_vtr(Some("[\"Cl\"]")), Some(("Cl".to_owned(), None)));
        assert_eq!(parse_vtr(Some("[\"Cl.P2\"]")), None);
        assert_eq!(parse_vtr(Some("[\"Cl.Cm.P1.P2\"]")), None);
        assert_eq!(parse_vtr(Some("not json")), None);
    }

    #[test]
    fn the_default_client_key_loads() {
        assert!(jwt::rsa_public_key_from_pem(DEFAULT_CLIENT_PRIVATE_KEY_PEM).is_some());
    }
}
