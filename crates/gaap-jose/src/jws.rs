//! JWS compact serialisation (RFC 7515 §7.1): sign and verify.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::{Algorithm, Error, Header, JwkSet, Part, SigningKey, VerifyingKey, base64url};

/// The longest token accepted, in bytes: 64 KiB. Real ID tokens and client assertions are a few KiB;
/// the limit bounds the work an attacker can ask for before any signature is checked.
pub const MAX_TOKEN_LEN: usize = 64 * 1024;

/// A token whose signature verified.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    /// The protected header.
    pub header: Header,
    /// The payload bytes.
    pub payload: Vec<u8>,
}

impl Verified {
    /// Parses the payload as JSON claims into `T` (use `serde_json::Value` for any object).
    pub fn claims<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.payload)
            .map_err(|source| Error::Json { part: Part::Payload, source })
    }
}

/// Signs `payload` with the algorithm named in `header`, returning the compact serialisation.
/// Fails with [`Error::KeyMismatch`] if the key cannot sign `header.alg`.
pub fn sign(header: &Header, payload: &[u8], key: &SigningKey) -> Result<String, Error> {
    let header_json =
        serde_json::to_vec(header).map_err(|source| Error::Json { part: Part::Header, source })?;
    let mut token = base64url::encode(header_json);
    token.push('.');
    token.push_str(&base64url::encode(payload));
    let signature = key.sign_bytes(header.alg, token.as_bytes())?;
    token.push('.');
    token.push_str(&base64url::encode(signature));
    Ok(token)
}

/// Serialises `claims` as JSON and signs them (a JWT when `typ` is `JWT`).
pub fn sign_json<T: Serialize + ?Sized>(
    header: &Header,
    claims: &T,
    key: &SigningKey,
) -> Result<String, Error> {
    let payload =
        serde_json::to_vec(claims).map_err(|source| Error::Json { part: Part::Payload, source })?;
    sign(header, &payload, key)
}

/// Reads a token's header WITHOUT checking anything else, to choose a key by `kid`. Never trust what it
/// returns beyond that.
pub fn decode_header_unverified(token: &str) -> Result<Header, Error> {
    let segments = split(token)?;
    let (header, _) = parse_header(segments.header)?;
    Ok(header)
}

/// Verifies a compact JWS with `key`, accepting only algorithms in `allowed`.
///
/// The checks run in this order, each with its own error: size ([`Error::TooLarge`]), shape
/// ([`Error::Malformed`], [`Error::TrailingData`]), header base64url and JSON, `alg: none`
/// ([`Error::AlgNone`]), allow-list ([`Error::AlgorithmNotAllowed`]), `crit` ([`Error::CritHeader`]),
/// payload and signature base64url, key type ([`Error::KeyMismatch`]), signature ([`Error::BadSignature`]).
pub fn verify(token: &str, key: &VerifyingKey, allowed: &[Algorithm]) -> Result<Verified, Error> {
    let checked = check(token, allowed)?;
    key.verify_bytes(checked.header.alg, checked.signing_input.as_bytes(), &checked.signature)?;
    Ok(Verified { header: checked.header, payload: checked.payload })
}

/// Verifies a compact JWS with the key of `jwks` that [`JwkSet::select`] picks for its `kid` and `alg`
/// ([`Error::UnknownKey`] when there is none), accepting only algorithms in `allowed`.
pub fn verify_with_jwks(
    token: &str,
    jwks: &JwkSet,
    allowed: &[Algorithm],
) -> Result<Verified, Error> {
    let checked = check(token, allowed)?;
    let jwk = jwks.select(checked.header.kid.as_deref(), checked.header.alg)?;
    let key = jwk.verifying_key()?;
    key.verify_bytes(checked.header.alg, checked.signing_input.as_bytes(), &checked.signature)?;
    Ok(Verified { header: checked.header, payload: checked.payload })
}

struct Segments<'a> {
    header: &'a str,
    payload: &'a str,
    signature: &'a str,
    signing_input: &'a str,
}

struct Checked<'a> {
    header: Header,
    payload: Vec<u8>,
    signature: Vec<u8>,
    signing_input: &'a str,
}

fn split(token: &str) -> Result<Segments<'_>, Error> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(Error::TooLarge { len: token.len(), limit: MAX_TOKEN_LEN });
    }
    let mut parts = token.splitn(4, '.');
    let (Some(header), Some(payload), Some(signature)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::Malformed { reason: "expected three dot-separated segments" });
    };
    if parts.next().is_some() {
        return Err(Error::TrailingData);
    }
    if header.is_empty() {
        return Err(Error::Malformed { reason: "empty header segment" });
    }
    let signing_input = token
        .get(..header.len() + 1 + payload.len())
        .ok_or(Error::Malformed { reason: "segment boundaries" })?;
    Ok(Segments { header, payload, signature, signing_input })
}

fn parse_header(segment: &str) -> Result<(Header, bool), Error> {
    let bytes = base64url::decode(segment).map_err(|_| Error::Base64 { part: Part::Header })?;
    let UniqueMembers(map) = serde_json::from_slice(&bytes)
        .map_err(|source| Error::Json { part: Part::Header, source })?;
    if let Some(Value::String(alg)) = map.get("alg") {
        if alg.eq_ignore_ascii_case("none") {
            return Err(Error::AlgNone);
        }
        if alg.parse::<Algorithm>().is_err() {
            return Err(Error::AlgorithmNotAllowed { alg: alg.clone() });
        }
    }
    let has_crit = map.contains_key("crit");
    let header: Header = serde_json::from_value(Value::Object(map))
        .map_err(|source| Error::Json { part: Part::Header, source })?;
    Ok((header, has_crit))
}

fn check<'a>(token: &'a str, allowed: &[Algorithm]) -> Result<Checked<'a>, Error> {
    let segments = split(token)?;
    let (header, has_crit) = parse_header(segments.header)?;
    if !allowed.contains(&header.alg) {
        return Err(Error::AlgorithmNotAllowed { alg: header.alg.as_str().to_owned() });
    }
    if has_crit {
        return Err(Error::CritHeader);
    }
    let payload =
        base64url::decode(segments.payload).map_err(|_| Error::Base64 { part: Part::Payload })?;
    let signature = base64url::decode(segments.signature)
        .map_err(|_| Error::Base64 { part: Part::Signature })?;
    Ok(Checked { header, payload, signature, signing_input: segments.signing_input })
}

/// A JSON object that refuses duplicate member names (RFC 7515 §5.2 allows rejecting them), so no two
/// parsers can disagree about which `alg` a header has.
struct UniqueMembers(Map<String, Value>);

impl<'de> serde::Deserialize<'de> for UniqueMembers {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members;

        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = UniqueMembers;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut access: A,
            ) -> Result<UniqueMembers, A::Error> {
                let mut map = Map::new();
                while let Some((name, value)) = access.next_entry::<String, Value>()? {
                    if map.contains_key(&name) {
                        return Err(serde::de::Error::custom(format!("duplicate member {name:?}")));
                    }
                    map.insert(name, value);
                }
                Ok(UniqueMembers(map))
            }
        }

        deserializer.deserialize_map(Members)
    }
}
