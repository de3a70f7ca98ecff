use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::rules::BACKCHANNEL_LOGOUT_EVENT;

/// A validated ID token's claims.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct IdTokenClaims {
    /// The issuer.
    pub iss: String,
    /// The pairwise subject, `urn:fdc:gov.uk:2022:…`.
    pub sub: String,
    /// The audiences (contains the client id).
    pub aud: Vec<String>,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// The vector of trust achieved, e.g. `Cl.Cm`.
    pub vot: String,
    /// The trust mark URL.
    pub vtm: Option<String>,
    /// The One Login session id.
    pub sid: Option<String>,
    /// When the user authenticated.
    pub auth_time: Option<i64>,
    /// Every claim in the payload, as sent.
    pub raw: Map<String, Value>,
}

/// A validated back-channel logout token's claims.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LogoutTokenClaims {
    /// The issuer.
    pub iss: String,
    /// The subject whose sessions must end.
    pub sub: String,
    /// The audiences.
    pub aud: Vec<String>,
    /// Issued at.
    pub iat: i64,
    /// Expiry.
    pub exp: i64,
    /// The token id (remembered against replay).
    pub jti: String,
    /// The One Login session id, when sent.
    pub sid: Option<String>,
    /// Every claim in the payload, as sent.
    pub raw: Map<String, Value>,
}

/// `aud` as a provider writes it: a string for one audience, an array for several.
fn audience_value(aud: &[String]) -> Value {
    match aud {
        [one] => Value::String(one.clone()),
        many => Value::Array(many.iter().cloned().map(Value::String).collect()),
    }
}

/// `raw` with the typed claims written over it, so a changed field is what goes on the wire. `aud` keeps the
/// form it was sent in while it names the same audiences.
fn claims_over_raw(raw: &Map<String, Value>, typed: Vec<(&str, Value)>) -> Map<String, Value> {
    let mut out = raw.clone();
    for (name, value) in typed {
        if name == "aud" && raw.get("aud").is_some_and(|sent| same_audiences(sent, &value)) {
            continue;
        }
        out.insert(name.to_owned(), value);
    }
    out
}

fn same_audiences(sent: &Value, typed: &Value) -> bool {
    let list = |v: &Value| -> Vec<String> {
        match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(items) => {
                items.iter().filter_map(Value::as_str).map(str::to_owned).collect()
            }
            _ => Vec::new(),
        }
    };
    list(sent) == list(typed)
}

/// The claims every issued token starts with: these strings, then these numbers.
fn issued(strings: [(&str, &str); 3], numbers: [(&str, i64); 2]) -> Map<String, Value> {
    let strings = strings.map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())));
    let numbers = numbers.map(|(k, v)| (k.to_owned(), Value::from(v)));
    strings.into_iter().chain(numbers).collect()
}

/// The claims every token types, to write over `raw`: `iss`, `sub`, `aud`, two times and one more string.
fn typed_claims(
    [iss, sub]: [&str; 2],
    aud: &[String],
    times: [(&'static str, i64); 2],
    (name, text): (&'static str, &str),
) -> Vec<(&'static str, Value)> {
    let strings = [("iss", iss), ("sub", sub), (name, text)];
    let mut typed: Vec<(&str, Value)> =
        strings.into_iter().map(|(k, v)| (k, Value::String(v.to_owned()))).collect();
    typed.push(("aud", audience_value(aud)));
    typed.extend(times.map(|(k, v)| (k, Value::from(v))));
    typed
}

impl IdTokenClaims {
    /// The claims of an ID token a provider issues, for one audience (written as a string, as One Login
    /// writes it), with `vot` and times `exp` and `iat`. `vtm`, `sid`, `auth_time`, `nonce` and `at_hash` are
    /// added with the `with_` methods.
    #[must_use]
    pub fn new(iss: &str, sub: &str, aud: &str, vot: &str, exp: i64, iat: i64) -> Self {
        let mut raw =
            issued([("iss", iss), ("sub", sub), ("aud", aud)], [("exp", exp), ("iat", iat)]);
        raw.insert("vot".to_owned(), Value::String(vot.to_owned()));
        Self {
            iss: iss.to_owned(),
            sub: sub.to_owned(),
            aud: vec![aud.to_owned()],
            exp,
            iat,
            vot: vot.to_owned(),
            vtm: None,
            sid: None,
            auth_time: None,
            raw,
        }
    }

    /// With the trust mark URL, `vtm`.
    #[must_use]
    pub fn with_vtm(mut self, vtm: &str) -> Self {
        self.vtm = Some(vtm.to_owned());
        self.raw.insert("vtm".to_owned(), Value::String(vtm.to_owned()));
        self
    }

    /// With the One Login session, `sid`, and when the user authenticated in it, `auth_time`.
    #[must_use]
    pub fn with_session(mut self, sid: &str, auth_time: i64) -> Self {
        self.raw.insert("sid".to_owned(), Value::String(sid.to_owned()));
        self.raw.insert("auth_time".to_owned(), Value::from(auth_time));
        self.sid = Some(sid.to_owned());
        self.auth_time = Some(auth_time);
        self
    }

    /// With what binds the token to its request and its access token: the request's `nonce`, and `at_hash`,
    /// the left half of the access token's hash.
    #[must_use]
    pub fn with_bindings(mut self, nonce: &str, at_hash: &str) -> Self {
        let bindings = [("nonce", nonce), ("at_hash", at_hash)];
        self.raw.extend(bindings.map(|(k, v)| (k.to_owned(), Value::String(v.to_owned()))));
        self
    }
}

/// Every claim in `raw`, with the typed fields written over it.
impl Serialize for IdTokenClaims {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let times = [("exp", self.exp), ("iat", self.iat)];
        let mut typed = typed_claims([&self.iss, &self.sub], &self.aud, times, ("vot", &self.vot));
        typed.extend(self.vtm.clone().map(|v| ("vtm", Value::String(v))));
        typed.extend(self.sid.clone().map(|v| ("sid", Value::String(v))));
        typed.extend(self.auth_time.map(|v| ("auth_time", Value::from(v))));
        claims_over_raw(&self.raw, typed).serialize(serializer)
    }
}

impl LogoutTokenClaims {
    /// The claims of a back-channel logout token a provider issues, for one audience, with times `iat` and
    /// `exp`, its `jti`, and the back-channel logout event (`events`) the specification requires.
    #[must_use]
    pub fn new(iss: &str, sub: &str, aud: &str, iat: i64, exp: i64, jti: &str) -> Self {
        let mut raw =
            issued([("iss", iss), ("sub", sub), ("aud", aud)], [("iat", iat), ("exp", exp)]);
        raw.insert("jti".to_owned(), Value::String(jti.to_owned()));
        let event =
            Map::from_iter([(BACKCHANNEL_LOGOUT_EVENT.to_owned(), Value::Object(Map::new()))]);
        raw.insert("events".to_owned(), Value::Object(event));
        Self {
            iss: iss.to_owned(),
            sub: sub.to_owned(),
            aud: vec![aud.to_owned()],
            iat,
            exp,
            jti: jti.to_owned(),
            sid: None,
            raw,
        }
    }
}

/// Every claim in `raw`, with the typed fields written over it.
impl Serialize for LogoutTokenClaims {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let times = [("iat", self.iat), ("exp", self.exp)];
        let mut typed = typed_claims([&self.iss, &self.sub], &self.aud, times, ("jti", &self.jti));
        typed.extend(self.sid.clone().map(|v| ("sid", Value::String(v))));
        claims_over_raw(&self.raw, typed).serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_claims_serialise_with_one_audience_as_a_string() {
        let claims = IdTokenClaims::new("https://op/", "urn:s", "client", "Cl.Cm", 200, 100)
            .with_vtm("https://op/trustmark")
            .with_session("sid-1", 90)
            .with_bindings("n", "h");
        let value = serde_json::to_value(&claims).unwrap();
        assert_eq!(value["aud"], "client");
        assert_eq!(value["nonce"], "n");
        assert_eq!(value["auth_time"], 90);
        assert_eq!(value.as_object().unwrap().len(), 11);
        let mut changed = claims;
        changed.aud.push("other".to_owned());
        changed.sub = "urn:t".to_owned();
        let value = serde_json::to_value(&changed).unwrap();
        assert_eq!(value["aud"], serde_json::json!(["client", "other"]));
        assert_eq!(value["sub"], "urn:t");
    }

    #[test]
    fn logout_claims_carry_the_logout_event() {
        let claims = LogoutTokenClaims::new("https://op/", "urn:s", "client", 100, 220, "j1");
        let value = serde_json::to_value(&claims).unwrap();
        assert_eq!(value["events"][BACKCHANNEL_LOGOUT_EVENT], serde_json::json!({}));
        assert_eq!(value["jti"], "j1");
        assert_eq!(value["aud"], "client");
        assert!(value.get("sid").is_none());
    }
}
