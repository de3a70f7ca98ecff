//! The simulator's runtime `/config` (its `config-controller.ts` and `get-config-controller.ts`).
//!
//! `GET /config` shows what is in force: `clientConfiguration` (the first client), `responseConfiguration`
//! (the first user), `errorConfiguration`, `simulatorUrl`, `publishNewIdTokenKeysEnabled` and
//! `usingNewIdTokenSigningKeys`. `POST /config` takes the same JSON the simulator takes and applies it at once:
//!
//! - `clientConfiguration`: `clientId`, `publicKey`, `publicKeySource` (`STATIC` or `JWKS`), `jwksUrl`, `scopes`,
//!   `redirectUrls`, `postLogoutRedirectUrls`, `claims`, `identityVerificationSupported`,
//!   `idTokenSigningAlgorithm`, `clientLoCs`; each given field replaces the first client's;
//! - `responseConfiguration`: `sub`, `email`, `emailVerified`, `phoneNumber`, `phoneNumberVerified`,
//!   `maxLoCAchieved`, `coreIdentityVerifiableCredentials`, `passportDetails`, `drivingPermitDetails`,
//!   `postalAddressDetails`, `returnCodes`; each given field replaces the first user's;
//! - `errorConfiguration`: `idTokenErrors`, `coreIdentityErrors`, `authoriseErrors`; as in the simulator, the
//!   whole set is replaced: a list left out, or the section left out, is emptied;
//! - `simulatorUrl`: the issuer and every advertised URL;
//! - `publishNewIdTokenSigningKeys`, `useNewIdTokenSigningKeys`: the key-rotation steps; using the new keys
//!   needs them published (400 otherwise, with the simulator's words).
//!
//! Every value is checked as the simulator's validators check it before anything changes, and the answer to a
//! bad one is theirs: 400 `{"errors": {path: {"type", "value", "msg", "path", "location"}}}`. Where the
//! simulator ignores a key it does not know, the sandbox refuses it in the same shape, naming it, so a typo
//! does not pass for a change.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gaap_identity::{LevelOfConfidence, ReturnCode, Scope};
use serde::Serialize;
use serde_json::{Map, Value};

use super::claims::VALID_CLAIMS;
use super::errors::{OAuthError, oauth_error};
use super::knobs::{AuthoriseError, CoreIdentityError, IdTokenError, Knobs};
use gaap_http::OpenEnum;

use super::wire::SCOPE_OPENID;
use super::{Client, OneLoginState, signing_keys};
use crate::config::{TokenAuthMethod, UserConfig};

/// The simulator's `VALID_SCOPES`.
const SCOPES: [&str; 3] = [SCOPE_OPENID, Scope::Email.as_str(), Scope::Phone.as_str()];
/// The simulator's `VALID_LOC_VALUES`.
const LOCS: [&str; 4] = [
    LevelOfConfidence::P0.as_str(),
    LevelOfConfidence::P1.as_str(),
    LevelOfConfidence::P2.as_str(),
    LevelOfConfidence::P3.as_str(),
];

gaap_http::open_enum! {
    /// Where a client's public key comes from (the simulator's `VALID_PUBLIC_KEY_SOURCE`).
    ///
    /// `STATIC`: `publicKey`; `JWKS`: fetched from `jwksUrl`.
    enum KeySource {
        Static = "STATIC", Jwks = "JWKS",
    }
}

impl KeySource {
    fn of(client: &Client) -> Self {
        if client.cfg.jwks_uri.is_some() { Self::Jwks } else { Self::Static }
    }
}

const SECTIONS: [&str; 6] = [
    "simulatorUrl",
    "clientConfiguration",
    "responseConfiguration",
    "errorConfiguration",
    "publishNewIdTokenSigningKeys",
    "useNewIdTokenSigningKeys",
];
const CLIENT_FIELDS: [&str; 11] = [
    "clientId",
    "publicKey",
    "publicKeySource",
    "jwksUrl",
    "scopes",
    "redirectUrls",
    "postLogoutRedirectUrls",
    "claims",
    "identityVerificationSupported",
    "idTokenSigningAlgorithm",
    "clientLoCs",
];
const RESPONSE_FIELDS: [&str; 11] = [
    "sub",
    "email",
    "emailVerified",
    "phoneNumber",
    "phoneNumberVerified",
    "maxLoCAchieved",
    "coreIdentityVerifiableCredentials",
    "passportDetails",
    "drivingPermitDetails",
    "postalAddressDetails",
    "returnCodes",
];
const ERROR_FIELDS: [&str; 3] = ["idTokenErrors", "coreIdentityErrors", "authoriseErrors"];

/// Why a `POST /config` body is refused: one field, in express-validator's shape.
#[derive(Debug)]
struct Refusal {
    path: String,
    value: Value,
    msg: String,
}

/// One refused field, as express-validator reports it.
#[derive(Serialize)]
struct FieldError {
    #[serde(rename = "type")]
    kind: &'static str,
    value: Value,
    msg: String,
    path: String,
    location: &'static str,
}

/// The body of a refusal: the refused fields by path.
#[derive(Serialize)]
struct FieldErrors {
    errors: std::collections::BTreeMap<String, FieldError>,
}

impl Refusal {
    fn into_response(self) -> Response {
        let Self { path, value, msg } = self;
        let error = FieldError { kind: "field", value, msg, path: path.clone(), location: "body" };
        let body = FieldErrors { errors: [(path, error)].into() };
        (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
    }
}

type Checked<T> = Result<T, Refusal>;

fn refuse<T>(path: &str, value: &Value, msg: impl Into<String>) -> Checked<T> {
    Err(Refusal { path: path.to_owned(), value: value.clone(), msg: msg.into() })
}

fn object<'a>(value: &'a Value, path: &str) -> Checked<&'a Map<String, Value>> {
    value.as_object().map_or_else(|| refuse(path, value, "must be an object"), Ok)
}

/// Refuses the first key not in `known`.
fn only_known(map: &Map<String, Value>, prefix: &str, known: &[&str]) -> Checked<()> {
    match map.keys().find(|k| !known.contains(&k.as_str())) {
        None => Ok(()),
        Some(key) => refuse(
            &format!("{prefix}{key}"),
            &map[key],
            format!("is not a field of the simulator's /config here (known: {})", known.join(", ")),
        ),
    }
}

fn string(value: &Value, path: &str) -> Checked<String> {
    value.as_str().map_or_else(|| refuse(path, value, "must be a string"), |s| Ok(s.to_owned()))
}

/// One of a closed vocabulary's wire strings.
fn wire<T: OpenEnum>(value: &Value, path: &str) -> Checked<T> {
    match value.as_str().and_then(T::known) {
        Some(v) => Ok(v),
        None => refuse(path, value, format!("must be one of {}", T::WIRE_VALUES.join(", "))),
    }
}

fn one_of(value: &Value, path: &str, allowed: &[&str]) -> Checked<String> {
    match value.as_str() {
        Some(v) if allowed.contains(&v) => Ok(v.to_owned()),
        _ => refuse(path, value, format!("must be one of {}", allowed.join(", "))),
    }
}

/// A JSON boolean (the simulator's `isBoolean({strict: true})`).
fn boolean(value: &Value, path: &str) -> Checked<bool> {
    value.as_bool().map_or_else(|| refuse(path, value, "must be true or false"), Ok)
}

/// A boolean or its string form (the simulator's plain `isBoolean()` on the key-rotation switches).
fn loose_boolean(value: &Value, path: &str) -> Checked<bool> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s == "true" => Ok(true),
        Value::String(s) if s == "false" => Ok(false),
        _ => refuse(path, value, "must be true or false"),
    }
}

/// An absolute http or https URL.
fn url(value: &Value, path: &str) -> Checked<String> {
    let text = string(value, path)?;
    match url::Url::parse(&text) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(text),
        _ => refuse(path, value, "must be an absolute http or https URL"),
    }
}

/// An array whose items each pass `item`.
fn array_of<T>(
    value: &Value,
    path: &str,
    item: impl Fn(&Value, &str) -> Checked<T>,
) -> Checked<Vec<T>> {
    let Some(items) = value.as_array() else { return refuse(path, value, "must be an array") };
    items.iter().enumerate().map(|(i, v)| item(v, &format!("{path}[{i}]"))).collect()
}

/// An array of objects, or null (the simulator's `…Details` fields).
fn objects_or_null(value: &Value, path: &str) -> Checked<Option<Value>> {
    if value.is_null() {
        return Ok(None);
    }
    array_of(value, path, |v, p| object(v, p).map(|_| ()))?;
    Ok(Some(value.clone()))
}

/// The first client with the given `clientConfiguration` fields applied.
fn client_changes(s: &OneLoginState, section: &Value) -> Checked<Client> {
    let path = "clientConfiguration";
    let map = object(section, path)?;
    only_known(map, "clientConfiguration.", &CLIENT_FIELDS)?;
    let Some(current) = s.read().clients.first().cloned() else {
        return refuse(path, section, "the sandbox has no client to change");
    };
    let mut cfg = current.cfg.clone();
    let mut jwks_url = current.jwks_url.clone();
    let mut source = KeySource::of(&current);
    for (key, value) in map {
        let p = format!("{path}.{key}");
        match key.as_str() {
            "clientId" => cfg.client_id = string(value, &p)?,
            "publicKey" => cfg.public_key_pem = Some(with_pem_affixes(&string(value, &p)?)),
            "publicKeySource" => source = wire(value, &p)?,
            "jwksUrl" => jwks_url = Some(url(value, &p)?),
            "scopes" => cfg.scopes = array_of(value, &p, |v, p| one_of(v, p, &SCOPES))?,
            "redirectUrls" => cfg.redirect_uris = array_of(value, &p, url)?,
            "postLogoutRedirectUrls" => cfg.post_logout_redirect_uris = array_of(value, &p, url)?,
            "claims" => cfg.claims = array_of(value, &p, |v, p| one_of(v, p, &VALID_CLAIMS))?,
            "identityVerificationSupported" => {
                cfg.identity_verification_supported = boolean(value, &p)?;
            }
            "idTokenSigningAlgorithm" => {
                let algorithms = signing_keys::algorithm_names();
                cfg.id_token_signing_algorithm = one_of(value, &p, &algorithms)?;
            }
            "clientLoCs" => {
                let locs = array_of(value, &p, |v, p| one_of(v, p, &LOCS))?;
                if locs.is_empty() {
                    return refuse(&p, value, "must name at least one level of confidence");
                }
                cfg.client_locs = locs;
            }
            _ => return refuse(&p, value, "is not a clientConfiguration field"),
        }
    }
    cfg.jwks_uri = if source == KeySource::Jwks {
        match &jwks_url {
            Some(u) => Some(u.clone()),
            None => {
                return refuse(
                    "clientConfiguration.jwksUrl",
                    &Value::Null,
                    "is needed when publicKeySource is JWKS",
                );
            }
        }
    } else {
        None
    };
    if cfg.client_id != current.cfg.client_id && s.client(&cfg.client_id).is_some() {
        return refuse(
            "clientConfiguration.clientId",
            &Value::String(cfg.client_id),
            "names another of the sandbox's clients",
        );
    }
    let mut client = Client::new(cfg).or_else(|e| refuse(path, section, e))?;
    client.jwks_url = jwks_url;
    Ok(client)
}

/// A public key as the simulator takes it: PEM, or its base64 body without the armour lines.
fn with_pem_affixes(key: &str) -> String {
    let mut pem = key.trim().to_owned();
    if !pem.starts_with("-----BEGIN PUBLIC KEY-----") {
        pem = format!("-----BEGIN PUBLIC KEY-----\n{pem}");
    }
    if !pem.ends_with("-----END PUBLIC KEY-----") {
        pem = format!("{pem}\n-----END PUBLIC KEY-----");
    }
    pem
}

/// The first user with the given `responseConfiguration` fields applied.
fn response_changes(s: &OneLoginState, section: &Value) -> Checked<UserConfig> {
    let path = "responseConfiguration";
    let map = object(section, path)?;
    only_known(map, "responseConfiguration.", &RESPONSE_FIELDS)?;
    let mut user = s.user(0).unwrap_or_default();
    for (key, value) in map {
        let p = format!("{path}.{key}");
        match key.as_str() {
            "sub" => user.sub = string(value, &p)?,
            "email" => user.email = string(value, &p)?,
            "emailVerified" => user.email_verified = boolean(value, &p)?,
            "phoneNumber" => {
                user.phone_number = if value.is_null() { None } else { Some(string(value, &p)?) };
            }
            "phoneNumberVerified" => user.phone_number_verified = boolean(value, &p)?,
            "maxLoCAchieved" => user.max_loc = one_of(value, &p, &LOCS)?,
            "coreIdentityVerifiableCredentials" => {
                // null: the user has no core identity, and userinfo leaves the claim out.
                if !value.is_null() {
                    object(value, &p)?;
                }
                user.core_identity_vc = Some(value.clone());
            }
            "passportDetails" => user.passport = objects_or_null(value, &p)?,
            "drivingPermitDetails" => user.driving_permit = objects_or_null(value, &p)?,
            "postalAddressDetails" => user.address = objects_or_null(value, &p)?,
            "returnCodes" => {
                user.return_codes = if value.is_null() {
                    Vec::new()
                } else {
                    array_of(value, &p, |v, p| {
                        let code = object(v, p)?;
                        only_known(code, &format!("{p}."), &["code"])?;
                        match code.get("code") {
                            Some(c) => string(c, &format!("{p}.code")),
                            None => refuse(&format!("{p}.code"), &Value::Null, "must be a string"),
                        }
                    })?
                };
            }
            _ => return refuse(&p, value, "is not a responseConfiguration field"),
        }
    }
    Ok(user)
}

/// One list of knobs in `errorConfiguration`; empty when left out.
fn knob_list<T: OpenEnum>(map: &Map<String, Value>, key: &str) -> Checked<Vec<T>> {
    map.get(key)
        .map_or_else(|| Ok(Vec::new()), |v| array_of(v, &format!("errorConfiguration.{key}"), wire))
}

/// The whole error configuration: what is left out is emptied, as the simulator's `populateErrorConfiguration`.
fn error_changes(section: Option<&Value>) -> Checked<Knobs> {
    let Some(section) = section else { return Ok(Knobs::default()) };
    let path = "errorConfiguration";
    let map = object(section, path)?;
    only_known(map, "errorConfiguration.", &ERROR_FIELDS)?;
    Ok(Knobs {
        id_token_errors: knob_list(map, "idTokenErrors")?,
        core_identity_errors: knob_list(map, "coreIdentityErrors")?,
        authorise_error: knob_list::<AuthoriseError>(map, "authoriseErrors")?.into_iter().next(),
    })
}

/// `clientConfiguration` in `GET /config`: the first client.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClientView {
    client_id: String,
    public_key_source: KeySource,
    public_key: Option<String>,
    jwks_url: Option<String>,
    scopes: Vec<String>,
    redirect_urls: Vec<String>,
    post_logout_redirect_urls: Vec<String>,
    claims: Vec<String>,
    identity_verification_supported: bool,
    id_token_signing_algorithm: String,
    #[serde(rename = "clientLoCs")]
    client_locs: Vec<String>,
    #[serde(rename = "token_auth_method")]
    token_auth_method: TokenAuthMethod,
}

impl ClientView {
    fn of(c: &Client) -> Self {
        Self {
            client_id: c.cfg.client_id.clone(),
            public_key_source: KeySource::of(c),
            public_key: c.cfg.public_key_pem.clone(),
            jwks_url: c.jwks_url.clone(),
            scopes: c.cfg.scopes.clone(),
            redirect_urls: c.cfg.redirect_uris.clone(),
            post_logout_redirect_urls: c.cfg.post_logout_redirect_uris.clone(),
            claims: c.cfg.claims.clone(),
            identity_verification_supported: c.cfg.identity_verification_supported,
            id_token_signing_algorithm: c.cfg.id_token_signing_algorithm.clone(),
            client_locs: c.cfg.client_locs.clone(),
            token_auth_method: c.cfg.token_auth_method,
        }
    }
}

/// `responseConfiguration` in `GET /config`: the first user.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResponseView {
    sub: String,
    email: String,
    email_verified: bool,
    phone_number: Option<String>,
    phone_number_verified: bool,
    #[serde(rename = "maxLoCAchieved")]
    max_loc_achieved: String,
    core_identity_verifiable_credentials: Option<Value>,
    passport_details: Option<Value>,
    driving_permit_details: Option<Value>,
    postal_address_details: Option<Value>,
    return_codes: Vec<ReturnCode>,
}

impl ResponseView {
    fn of(u: &UserConfig) -> Result<Self, String> {
        Ok(Self {
            sub: u.sub.clone(),
            email: u.email.clone(),
            email_verified: u.email_verified,
            phone_number: u.phone_number.clone(),
            phone_number_verified: u.phone_number_verified,
            max_loc_achieved: u.max_loc.clone(),
            core_identity_verifiable_credentials: super::core_identity_vc(u)?,
            passport_details: u.passport.clone(),
            driving_permit_details: u.driving_permit.clone(),
            postal_address_details: u.address.clone(),
            return_codes: u.return_codes.iter().cloned().map(ReturnCode).collect(),
        })
    }
}

/// `errorConfiguration` in `GET /config`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorView {
    id_token_errors: Vec<IdTokenError>,
    core_identity_errors: Vec<CoreIdentityError>,
    authorise_errors: Vec<AuthoriseError>,
}

/// The body of `GET /config`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConfigView {
    client_configuration: Option<ClientView>,
    error_configuration: ErrorView,
    response_configuration: Option<ResponseView>,
    simulator_url: String,
    publish_new_id_token_keys_enabled: bool,
    using_new_id_token_signing_keys: bool,
}

pub(super) async fn get_config(State(s): State<Arc<OneLoginState>>) -> Response {
    let live = s.read();
    let response = match live.users.first().map(ResponseView::of).transpose() {
        Ok(response) => response,
        Err(e) => {
            return oauth_error(StatusCode::INTERNAL_SERVER_ERROR, &OAuthError::ServerError, &e);
        }
    };
    let knobs = s.knobs();
    let body = ConfigView {
        client_configuration: live.clients.first().map(|c| ClientView::of(c)),
        error_configuration: ErrorView {
            id_token_errors: knobs.id_token_errors,
            core_identity_errors: knobs.core_identity_errors,
            authorise_errors: knobs.authorise_error.into_iter().collect(),
        },
        response_configuration: response,
        simulator_url: live.issuer.trim_end_matches('/').to_owned(),
        publish_new_id_token_keys_enabled: s.id_token_keys.publishing_next(),
        using_new_id_token_signing_keys: s.id_token_keys.using_next(),
    };
    drop(live);
    axum::Json(body).into_response()
}

/// Everything a `POST /config` body asks for, checked.
struct Changes {
    client: Option<Client>,
    user: Option<UserConfig>,
    knobs: Knobs,
    issuer: Option<String>,
    publish_next: Option<bool>,
    use_next: Option<bool>,
}

fn changes(s: &OneLoginState, body: &Value) -> Checked<Changes> {
    let map = object(body, "body")?;
    only_known(map, "", &SECTIONS)?;
    let issuer = match map.get("simulatorUrl") {
        None => None,
        Some(v) => Some(format!("{}/", url(v, "simulatorUrl")?.trim_end_matches('/'))),
    };
    let rotation = |key: &str| map.get(key).map(|v| loose_boolean(v, key)).transpose();
    Ok(Changes {
        client: map.get("clientConfiguration").map(|v| client_changes(s, v)).transpose()?,
        user: map.get("responseConfiguration").map(|v| response_changes(s, v)).transpose()?,
        knobs: error_changes(map.get("errorConfiguration"))?,
        issuer,
        publish_next: rotation("publishNewIdTokenSigningKeys")?,
        use_next: rotation("useNewIdTokenSigningKeys")?,
    })
}

pub(super) async fn post_config(State(s): State<Arc<OneLoginState>>, body: Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return Refusal {
            path: "body".to_owned(),
            value: Value::Null,
            msg: "must be a JSON object".to_owned(),
        }
        .into_response();
    };
    let changes = match changes(&s, &body) {
        Ok(c) => c,
        Err(refusal) => return refusal.into_response(),
    };
    let publish_next = changes.publish_next.unwrap_or_else(|| s.id_token_keys.publishing_next());
    let use_next = changes.use_next.unwrap_or_else(|| s.id_token_keys.using_next());
    if use_next && !publish_next {
        // The simulator's answer, word for word.
        return (
            StatusCode::BAD_REQUEST,
            "Cannot enabled useNewIdTokenSigningKeys whilst publishNewIdTokenSigningKeys is false",
        )
            .into_response();
    }
    {
        let mut live = s.write();
        if let Some(client) = changes.client
            && let Some(first) = live.clients.first_mut()
        {
            *first = Arc::new(client);
        }
        if let Some(user) = changes.user {
            match live.users.first_mut() {
                Some(first) => *first = user,
                None => live.users.push(user),
            }
        }
        if let Some(issuer) = changes.issuer {
            live.issuer = issuer;
        }
    }
    s.set_knobs(changes.knobs);
    s.id_token_keys.set_rotation(publish_next, use_next);
    StatusCode::OK.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn public_keys_take_the_pem_armour_when_they_lack_it() {
        let wrapped = with_pem_affixes("MIIB");
        assert_eq!(wrapped, "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----");
        assert_eq!(with_pem_affixes(&wrapped), wrapped);
    }

    #[test]
    fn error_configuration_is_replaced_whole() {
        let knobs = error_changes(Some(&json!({"idTokenErrors": ["INVALID_AUD"]}))).unwrap();
        let names: Vec<&str> = knobs.id_token_errors.iter().map(|e| e.as_str()).collect();
        assert_eq!(names, ["INVALID_AUD"]);
        assert!(knobs.core_identity_errors.is_empty() && knobs.authorise_error.is_none());
        let cleared = error_changes(None).unwrap();
        assert!(cleared.id_token_errors.is_empty());
        let refused = error_changes(Some(&json!({"idTokenErrors": ["NOPE"]}))).unwrap_err();
        assert_eq!(refused.path, "errorConfiguration.idTokenErrors[0]");
        let refused = error_changes(Some(&json!({"idTokenError": []}))).unwrap_err();
        assert_eq!(refused.path, "errorConfiguration.idTokenError");
    }
}
