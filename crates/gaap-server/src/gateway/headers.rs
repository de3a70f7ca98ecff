//! The trusted-header contract between the gateway and the upstream site.
//!
//! The gateway removes every incoming header whose name starts with `X-Gaap-`, whoever sends it, and then
//! adds these from the session, so an upstream that is reachable only through the gateway can trust them:
//!
//! | header | meaning | encoding |
//! |---|---|---|
//! | `X-Gaap-Sub` | One Login's pairwise subject, stable per user and service | `urn:fdc:gov.uk:2022:…`, as sent |
//! | `X-Gaap-Email` | the user's email address | the address; bytes outside visible ASCII and `%` percent-encoded |
//! | `X-Gaap-Email-Verified` | whether One Login verified that address | `true` or `false` |
//! | `X-Gaap-Vot` | the vector of trust the session holds | `Cl`, `Cl.Cm` or `Cl.Cm.P1`–`Cl.Cm.P3` |
//! | `X-Gaap-Identity` | the verified identity (routes with `identity: true` only) | base64url (no padding) of JSON, below |
//! | `X-Gaap-Csrf-Token` | the token a sign-out form must carry in its `csrf` field | 43 base64url characters |
//!
//! `X-Gaap-Identity` decodes to One Login's own vocabulary, taken from the core identity JWT after its
//! signature was checked against the DID document:
//!
//! ```json
//! {"sub": "urn:fdc:gov.uk:2022:…", "vot": "P2",
//!  "name": [{"nameParts": [{"type": "GivenName", "value": "GEOFFREY"},
//!                          {"type": "FamilyName", "value": "HEARNSHAW"}]}],
//!  "birthDate": [{"value": "1955-04-19"}]}
//! ```
//!
//! A name may carry `validFrom` and `validUntil` (`YYYY-MM-DD`); the current name has no `validUntil`. The
//! first birth date is the most confident.

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gaap_identity::{CoreIdentity, NamePartKind, Vtr};
use serde_json::{Value, json};

use super::session::SessionData;

/// `X-Gaap-Sub`.
pub const SUB: HeaderName = HeaderName::from_static("x-gaap-sub");
/// `X-Gaap-Email`.
pub const EMAIL: HeaderName = HeaderName::from_static("x-gaap-email");
/// `X-Gaap-Email-Verified`.
pub const EMAIL_VERIFIED: HeaderName = HeaderName::from_static("x-gaap-email-verified");
/// `X-Gaap-Vot`.
pub const VOT: HeaderName = HeaderName::from_static("x-gaap-vot");
/// `X-Gaap-Identity`.
pub const IDENTITY: HeaderName = HeaderName::from_static("x-gaap-identity");
/// `X-Gaap-Csrf-Token`.
pub const CSRF_TOKEN: HeaderName = HeaderName::from_static("x-gaap-csrf-token");

/// The prefix every gateway header has; incoming headers with it are dropped.
const PREFIX: &str = "x-gaap-";

/// Removes every `X-Gaap-*` header (names are lower case in `HeaderMap`).
pub(crate) fn remove_gaap_headers(headers: &mut HeaderMap) {
    let ours: Vec<HeaderName> =
        headers.keys().filter(|k| k.as_str().starts_with(PREFIX)).cloned().collect();
    for name in ours {
        headers.remove(&name);
    }
}

/// A session's trusted headers and its vector of trust, worked out once when the session is created or
/// read from the store, so a proxied request only adds reference-counted copies.
pub(crate) struct Trusted {
    /// `X-Gaap-Sub`, `-Email`, `-Email-Verified`, `-Vot` and `-Csrf-Token`: on every proxied request.
    always: Vec<(HeaderName, HeaderValue)>,
    /// `X-Gaap-Identity`: on identity routes only.
    identity: Option<HeaderValue>,
    /// The vector of trust the session holds (`None` if it does not parse: then it satisfies no route).
    pub(crate) vtr: Option<Vtr>,
}

impl std::fmt::Debug for Trusted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The values hold the CSRF token and personal data.
        f.debug_struct("Trusted").field("vtr", &self.vtr).finish_non_exhaustive()
    }
}

impl Trusted {
    pub(crate) fn new(session: &SessionData) -> Self {
        let mut always = Vec::with_capacity(5);
        let mut put = |name: HeaderName, value: &str, sensitive: bool| {
            if let Ok(mut v) = HeaderValue::from_str(value) {
                v.set_sensitive(sensitive);
                always.push((name, v));
            }
        };
        put(SUB, &percent_encode_unsafe(&session.sub), false);
        if let Some(email) = &session.email {
            put(EMAIL, &percent_encode_unsafe(email), false);
        }
        if let Some(verified) = session.email_verified {
            put(EMAIL_VERIFIED, if verified { "true" } else { "false" }, false);
        }
        put(VOT, &session.vtr, false);
        put(CSRF_TOKEN, session.csrf.expose_secret(), true);
        let identity =
            session.identity.as_deref().and_then(|v| HeaderValue::from_str(v).ok()).map(|mut v| {
                v.set_sensitive(true);
                v
            });
        Self { always, identity, vtr: session.vtr.parse().ok() }
    }

    /// Adds the session's headers; `X-Gaap-Identity` only when `identity` (the route asks for it).
    pub(crate) fn add_to(&self, headers: &mut HeaderMap, identity: bool) {
        for (name, value) in &self.always {
            headers.insert(name.clone(), value.clone());
        }
        if identity && let Some(value) = &self.identity {
            headers.insert(IDENTITY, value.clone());
        }
    }
}

/// Bytes outside visible ASCII (and `%` itself) as `%XX`, so any value fits a header.
fn percent_encode_unsafe(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_graphic() && b != b'%' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The `X-Gaap-Identity` value for a verified core identity.
pub(crate) fn identity_value(identity: &CoreIdentity) -> String {
    let names: Vec<Value> = identity
        .names
        .iter()
        .map(|n| {
            let parts: Vec<Value> = n
                .parts
                .iter()
                .map(|p| {
                    let kind = match &p.kind {
                        NamePartKind::GivenName => "GivenName",
                        NamePartKind::FamilyName => "FamilyName",
                        NamePartKind::Unknown(other) => other.as_str(),
                        _ => "Unknown",
                    };
                    json!({"type": kind, "value": p.value})
                })
                .collect();
            let mut name = serde_json::Map::new();
            name.insert("nameParts".to_owned(), Value::Array(parts));
            if let Some(from) = n.valid_from {
                name.insert("validFrom".to_owned(), Value::String(date(from)));
            }
            if let Some(until) = n.valid_until {
                name.insert("validUntil".to_owned(), Value::String(date(until)));
            }
            Value::Object(name)
        })
        .collect();
    let births: Vec<Value> =
        identity.birth_dates.iter().map(|b| json!({"value": date(b.value)})).collect();
    let body = json!({
        "sub": identity.sub,
        "vot": identity.vot.as_str(),
        "name": names,
        "birthDate": births,
    });
    URL_SAFE_NO_PAD.encode(body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::session::Secret;

    fn session() -> SessionData {
        SessionData {
            sub: "urn:fdc:gov.uk:2022:abc".to_owned(),
            sid: None,
            email: Some("zoë@example.com".to_owned()),
            email_verified: Some(true),
            vtr: "Cl.Cm.P2".to_owned(),
            identity: Some("e30".to_owned()),
            id_token: Secret::new("t".to_owned()),
            csrf: Secret::new("csrf-secret".to_owned()),
        }
    }

    #[test]
    fn incoming_gaap_headers_go_and_trusted_ones_come_from_the_session() {
        let mut h = HeaderMap::new();
        h.insert("x-gaap-sub", HeaderValue::from_static("attacker"));
        h.insert("X-Gaap-Something-New", HeaderValue::from_static("x"));
        h.insert("x-other", HeaderValue::from_static("kept"));
        remove_gaap_headers(&mut h);
        assert_eq!(h.len(), 1);
        let trusted = Trusted::new(&session());
        let debug = format!("{trusted:?}");
        assert!(!debug.contains("csrf-secret") && !debug.contains("example.com"), "{debug}");
        trusted.add_to(&mut h, false);
        assert_eq!(h[SUB], "urn:fdc:gov.uk:2022:abc");
        assert_eq!(h[EMAIL], "zo%C3%AB@example.com");
        assert_eq!(h[EMAIL_VERIFIED], "true");
        assert_eq!(h[VOT], "Cl.Cm.P2");
        assert_eq!(h[CSRF_TOKEN], "csrf-secret");
        assert!(h[CSRF_TOKEN].is_sensitive());
        assert!(!h.contains_key(IDENTITY), "identity only on identity routes");
        trusted.add_to(&mut h, true);
        assert_eq!(h[IDENTITY], "e30");
    }
}
