//! GOV.UK One Login as an OpenID Provider: discovery, JWKS, `/authorize` with a sign-in page, `/token` with
//! `private_key_jwt` (RS/PS), `/userinfo`, `/logout`, back-channel logout, and the core identity JWT signed ES256
//! with a key published in a DID document. It closes the simulator's gaps (reference identity.md §3): codes are
//! single-use, access tokens are opaque, the core identity lasts 30 minutes, back-channel logout is sent.

mod assertion_times;
mod authorize;
mod claims;
mod client_jwks;
mod client_secret;
mod errors;
mod knobs;
mod logout;
mod request_object;
mod runtime_config;
mod sign_in;
mod signing_keys;
mod token_endpoint;
mod userinfo;
mod well_known;
mod wire;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use gaap_http::SharedClock;
use gaap_identity::{LevelOfConfidence, LogoutTokenClaims, Vtr};
use gaap_jose::Algorithm;
use time::OffsetDateTime;

use crate::Error;
use crate::config::{ClientConfig, OneLoginConfig, TokenAuthMethod, UserConfig};
use crate::jwt::{self, EsKey};
use crate::outbound::{DeliveryKind, Outbound};

use authorize::authorize;
use errors::redirect_error;
pub(crate) use errors::{OAuthError, oauth_error};
use knobs::{CoreIdentityError, IdTokenError};
use logout::logout;
use sign_in::{NOTICE, PRODUCT, sign_in};
use token_endpoint::token;
use userinfo::{core_identity_vc, userinfo};
use well_known::{did_document, discovery, jwks, trustmark};

/// The default client's RSA private key (PKCS#8). Published with the sandbox, so it protects nothing: it exists
/// so the sandbox can print a complete set of credentials, as the simulator's example key does.
pub(crate) const DEFAULT_CLIENT_PRIVATE_KEY_PEM: &str = include_str!("default_client_key.pem");

const ID_TOKEN_LIFETIME: Duration = Duration::from_secs(120);
const ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(180);
const CORE_IDENTITY_LIFETIME: Duration = Duration::from_secs(30 * 60);
const CODE_LIFETIME: Duration = Duration::from_secs(300);

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
    fn loc(&self) -> Option<LevelOfConfidence> {
        self.vtr.level()
    }
}

#[derive(Debug, Clone)]
struct Grant {
    request: AuthRequest,
    user: usize,
    id_token_errors: Vec<IdTokenError>,
    core_identity_errors: Vec<CoreIdentityError>,
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
    /// How its ID tokens are signed (`id_token_signing_algorithm`).
    id_token_alg: Algorithm,
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
        let Some(id_token_alg) = signing_keys::ALGORITHMS
            .into_iter()
            .find(|a| a.as_str() == c.id_token_signing_algorithm)
        else {
            return Err(format!(
                "client {id}: id_token_signing_algorithm must be ES256 or RS256, not {}",
                c.id_token_signing_algorithm
            ));
        };
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
        Ok(Self { cfg: c, id_token_alg, rsa_public_key, secret, jwks_url })
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
    knobs: Mutex<knobs::Knobs>,
    /// The core identity key; its `kid` is `{did}#{identity_key_id}`, the DID following the issuer.
    identity_key: EsKey,
    identity_key_id: String,
    data: Mutex<OneLoginData>,
    clock: SharedClock,
    outbound: Outbound,
}

/// The highest identity level `user` reaches (`P0` when `max_loc` is not a level).
fn max_level(user: &UserConfig) -> LevelOfConfidence {
    LevelOfConfidence::parse(&user.max_loc).unwrap_or(LevelOfConfidence::P0)
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
        let knobs = knobs::Knobs::from_config(&cfg).map_err(Error::Config)?;
        if cfg.users.is_empty() {
            cfg.users.push(UserConfig::default());
        }
        // A credential the sandbox builds must be buildable: its birth date is checked here, once.
        for user in cfg.users.iter().filter(|u| u.core_identity_vc.is_none()) {
            userinfo::built_credential(user).map_err(Error::Config)?;
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
    fn knobs(&self) -> knobs::Knobs {
        self.knobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    fn set_knobs(&self, knobs: knobs::Knobs) {
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
            let claims = LogoutTokenClaims::new(
                issuer.as_str(),
                sub,
                c.cfg.client_id.as_str(),
                now.unix_timestamp(),
                (now + ID_TOKEN_LIFETIME).unix_timestamp(),
                &uuid::Uuid::new_v4().to_string(),
            );
            let Ok((token, _)) = self.id_token_keys.sign(Algorithm::ES256, &claims) else {
                continue;
            };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_client_key_loads() {
        assert!(jwt::rsa_public_key_from_pem(DEFAULT_CLIENT_PRIVATE_KEY_PEM).is_some());
    }
}
