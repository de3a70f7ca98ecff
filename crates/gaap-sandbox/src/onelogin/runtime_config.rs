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
use serde_json::{Map, Value, json};

use super::claims::VALID_CLAIMS;
use super::{CORE_IDENTITY_ERRORS, Client, ID_TOKEN_ERRORS, OneLoginState};
use crate::config::{TokenAuthMethod, UserConfig};

/// The simulator's `AuthoriseError` values.
const AUTHORISE_ERRORS: [&str; 2] = ["ACCESS_DENIED", "TEMPORARILY_UNAVAILABLE"];
/// The simulator's `VALID_SCOPES`.
const SCOPES: [&str; 3] = ["openid", "email", "phone"];
/// The simulator's `VALID_LOC_VALUES`.
const LOCS: [&str; 4] = ["P0", "P1", "P2", "P3"];
/// The simulator's `VALID_TOKEN_SIGNING_ALGORITHMS`.
const SIGNING_ALGORITHMS: [&str; 2] = ["ES256", "RS256"];
/// The simulator's `VALID_PUBLIC_KEY_SOURCE`.
const KEY_SOURCES: [&str; 2] = ["STATIC", "JWKS"];

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

/// The error knobs in force.
#[derive(Debug, Clone, Default)]
pub(crate) struct Knobs {
    pub(crate) id_token_errors: Vec<String>,
    pub(crate) core_identity_errors: Vec<String>,
    pub(crate) authorise_error: Option<String>,
}

/// Why a `POST /config` body is refused: one field, in express-validator's shape.
#[derive(Debug)]
struct Refusal {
    path: String,
    value: Value,
    msg: String,
}

impl Refusal {
    fn into_response(self) -> Response {
        let Self { path, value, msg } = self;
        let error =
            json!({"type": "field", "value": value, "msg": msg, "path": path, "location": "body"});
        (StatusCode::BAD_REQUEST, axum::Json(json!({"errors": {path: error}}))).into_response()
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
    let mut source = if cfg.jwks_uri.is_some() { "JWKS" } else { "STATIC" }.to_owned();
    for (key, value) in map {
        let p = format!("{path}.{key}");
        match key.as_str() {
            "clientId" => cfg.client_id = string(value, &p)?,
            "publicKey" => cfg.public_key_pem = Some(with_pem_affixes(&string(value, &p)?)),
            "publicKeySource" => source = one_of(value, &p, &KEY_SOURCES)?,
            "jwksUrl" => jwks_url = Some(url(value, &p)?),
            "scopes" => cfg.scopes = array_of(value, &p, |v, p| one_of(v, p, &SCOPES))?,
            "redirectUrls" => cfg.redirect_uris = array_of(value, &p, url)?,
            "postLogoutRedirectUrls" => cfg.post_logout_redirect_uris = array_of(value, &p, url)?,
            "claims" => cfg.claims = array_of(value, &p, |v, p| one_of(v, p, &VALID_CLAIMS))?,
            "identityVerificationSupported" => {
                cfg.identity_verification_supported = boolean(value, &p)?;
            }
            "idTokenSigningAlgorithm" => {
                cfg.id_token_signing_algorithm = one_of(value, &p, &SIGNING_ALGORITHMS)?;
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
    cfg.jwks_uri = if source == "JWKS" {
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
            &json!(cfg.client_id),
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

/// The whole error configuration: what is left out is emptied, as the simulator's `populateErrorConfiguration`.
fn error_changes(section: Option<&Value>) -> Checked<Knobs> {
    let Some(section) = section else { return Ok(Knobs::default()) };
    let path = "errorConfiguration";
    let map = object(section, path)?;
    only_known(map, "errorConfiguration.", &ERROR_FIELDS)?;
    let list = |key: &str, known: &[&str]| -> Checked<Vec<String>> {
        map.get(key).map_or_else(
            || Ok(Vec::new()),
            |v| array_of(v, &format!("{path}.{key}"), |v, p| one_of(v, p, known)),
        )
    };
    Ok(Knobs {
        id_token_errors: list("idTokenErrors", &ID_TOKEN_ERRORS)?,
        core_identity_errors: list("coreIdentityErrors", &CORE_IDENTITY_ERRORS)?,
        authorise_error: list("authoriseErrors", &AUTHORISE_ERRORS)?.into_iter().next(),
    })
}

pub(super) async fn get_config(State(s): State<Arc<OneLoginState>>) -> Response {
    let live = s.read();
    let client = live.clients.first().map(|c| {
        json!({
            "clientId": c.cfg.client_id,
            "publicKeySource": if c.cfg.jwks_uri.is_some() { "JWKS" } else { "STATIC" },
            "publicKey": c.cfg.public_key_pem,
            "jwksUrl": c.jwks_url,
            "scopes": c.cfg.scopes,
            "redirectUrls": c.cfg.redirect_uris,
            "postLogoutRedirectUrls": c.cfg.post_logout_redirect_uris,
            "claims": c.cfg.claims,
            "identityVerificationSupported": c.cfg.identity_verification_supported,
            "idTokenSigningAlgorithm": c.cfg.id_token_signing_algorithm,
            "clientLoCs": c.cfg.client_locs,
            "token_auth_method": match c.cfg.token_auth_method {
                TokenAuthMethod::PrivateKeyJwt => "private_key_jwt",
                TokenAuthMethod::ClientSecretPost => "client_secret_post",
            },
        })
    });
    let response = live.users.first().map(|u| {
        json!({
            "sub": u.sub,
            "email": u.email,
            "emailVerified": u.email_verified,
            "phoneNumber": u.phone_number,
            "phoneNumberVerified": u.phone_number_verified,
            "maxLoCAchieved": u.max_loc,
            "coreIdentityVerifiableCredentials": super::core_identity_vc(u),
            "passportDetails": u.passport,
            "drivingPermitDetails": u.driving_permit,
            "postalAddressDetails": u.address,
            "returnCodes": u.return_codes.iter().map(|c| json!({"code": c})).collect::<Vec<_>>(),
        })
    });
    let knobs = s.knobs();
    let body = json!({
        "clientConfiguration": client,
        "errorConfiguration": {
            "idTokenErrors": knobs.id_token_errors,
            "coreIdentityErrors": knobs.core_identity_errors,
            "authoriseErrors": knobs.authorise_error.iter().collect::<Vec<_>>(),
        },
        "responseConfiguration": response,
        "simulatorUrl": live.issuer.trim_end_matches('/'),
        "publishNewIdTokenKeysEnabled": s.id_token_keys.publishing_next(),
        "usingNewIdTokenSigningKeys": s.id_token_keys.using_next(),
    });
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

    #[test]
    fn public_keys_take_the_pem_armour_when_they_lack_it() {
        let wrapped = with_pem_affixes("MIIB");
        assert_eq!(wrapped, "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----");
        assert_eq!(with_pem_affixes(&wrapped), wrapped);
    }

    #[test]
    fn error_configuration_is_replaced_whole() {
        let knobs = error_changes(Some(&json!({"idTokenErrors": ["INVALID_AUD"]}))).unwrap();
        assert_eq!(knobs.id_token_errors, ["INVALID_AUD"]);
        assert!(knobs.core_identity_errors.is_empty() && knobs.authorise_error.is_none());
        let cleared = error_changes(None).unwrap();
        assert!(cleared.id_token_errors.is_empty());
        let refused = error_changes(Some(&json!({"idTokenErrors": ["NOPE"]}))).unwrap_err();
        assert_eq!(refused.path, "errorConfiguration.idTokenErrors[0]");
        let refused = error_changes(Some(&json!({"idTokenError": []}))).unwrap_err();
        assert_eq!(refused.path, "errorConfiguration.idTokenError");
    }
}
