//! JSON Web Keys (RFC 7517) for RSA and EC P-256 public keys, key sets, and RFC 7638 thumbprints.

use ring::digest;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{Algorithm, Error, KeyKind, Part, VerifyingKey, base64url};

/// JWK members that carry private key material; a public JWK holding any of them is refused.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// The public key material of a [`Jwk`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwkKey {
    /// `kty` `RSA`: modulus and public exponent, big-endian bytes as sent.
    Rsa {
        /// The modulus `n`.
        n: Vec<u8>,
        /// The public exponent `e`.
        e: Vec<u8>,
    },
    /// `kty` `EC`, `crv` `P-256`: the affine coordinates, 32 bytes each.
    EcP256 {
        /// The x coordinate.
        x: [u8; 32],
        /// The y coordinate.
        y: [u8; 32],
    },
}

impl JwkKey {
    /// The kind of key.
    pub fn kind(&self) -> KeyKind {
        match self {
            Self::Rsa { .. } => KeyKind::Rsa,
            Self::EcP256 { .. } => KeyKind::EcP256,
        }
    }
}

/// A public JSON Web Key: RSA or EC P-256, with its optional `kid`, `alg` and `use`, and any other
/// members kept as sent.
///
/// Parsing refuses private members (`d`, `p`, `q`…), other key types and other curves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawJwk", into = "RawJwk")]
pub struct Jwk {
    /// The key material.
    pub key: JwkKey,
    /// The key ID.
    pub kid: Option<String>,
    /// The algorithm this key is pinned to, if any (kept as a string: it may name an algorithm this
    /// crate does not implement, and then no token verifies with the key).
    pub alg: Option<String>,
    /// The intended use: `sig` or `enc`. A key marked `enc` never verifies a signature.
    pub key_use: Option<String>,
    /// Every other member, such as `key_ops` or `x5c`.
    pub other: Map<String, Value>,
}

impl Jwk {
    /// A JWK with only its key material.
    pub fn new(key: JwkKey) -> Self {
        Self { key, kid: None, alg: None, key_use: None, other: Map::new() }
    }

    /// Sets `kid`.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// Sets `alg`.
    #[must_use]
    pub fn with_alg(mut self, alg: Algorithm) -> Self {
        self.alg = Some(alg.as_str().to_owned());
        self
    }

    /// Sets `use` (`sig` or `enc`).
    #[must_use]
    pub fn with_use(mut self, key_use: impl Into<String>) -> Self {
        self.key_use = Some(key_use.into());
        self
    }

    /// Parses one JWK from JSON.
    pub fn from_json(json: impl AsRef<[u8]>) -> Result<Self, Error> {
        serde_json::from_slice(json.as_ref())
            .map_err(|source| Error::Json { part: Part::Jwk, source })
    }

    /// The RFC 7638 thumbprint: base64url of the SHA-256 of the required members in lexicographic
    /// order, without whitespace. Often used as a `kid`.
    pub fn thumbprint(&self) -> String {
        let canonical = match &self.key {
            JwkKey::Rsa { n, e } => format!(
                r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
                base64url::encode(e),
                base64url::encode(n)
            ),
            JwkKey::EcP256 { x, y } => format!(
                r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
                base64url::encode(x),
                base64url::encode(y)
            ),
        };
        base64url::encode(digest::digest(&digest::SHA256, canonical.as_bytes()))
    }

    /// The key, ready to verify signatures. Fails if the material is unusable (for example an RSA
    /// modulus under 2048 bits).
    pub fn verifying_key(&self) -> Result<VerifyingKey, Error> {
        VerifyingKey::from_jwk(self)
    }

    /// Whether this key may verify `alg`: the key type fits, any `alg` pin matches, and `use` is not `enc`.
    pub fn allows(&self, alg: Algorithm) -> bool {
        self.key.kind() == alg.key_kind()
            && self.alg.as_deref().is_none_or(|pinned| pinned == alg.as_str())
            && self.key_use.as_deref() != Some("enc")
    }
}

/// A JWK Set: `{"keys": [...]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwkSet {
    /// The keys.
    pub keys: Vec<Jwk>,
}

impl JwkSet {
    /// A set of these keys.
    pub fn new(keys: Vec<Jwk>) -> Self {
        Self { keys }
    }

    /// Parses a JWK Set from JSON. Every key must be a supported public key.
    pub fn from_json(json: impl AsRef<[u8]>) -> Result<Self, Error> {
        serde_json::from_slice(json.as_ref())
            .map_err(|source| Error::Json { part: Part::Jwk, source })
    }

    /// Parses a JWK Set, keeping the keys this crate supports and returning why each other entry was
    /// skipped (for a provider's set that also carries, say, Ed25519 or encryption keys). Fails only when
    /// the document is not an object with a `keys` array.
    pub fn from_json_lenient(json: impl AsRef<[u8]>) -> Result<(Self, Vec<Error>), Error> {
        #[derive(Deserialize)]
        struct Entries {
            keys: Vec<Value>,
        }
        let entries: Entries = serde_json::from_slice(json.as_ref())
            .map_err(|source| Error::Json { part: Part::Jwk, source })?;
        let mut keys = Vec::with_capacity(entries.keys.len());
        let mut skipped = Vec::new();
        for entry in entries.keys {
            match serde_json::from_value::<Jwk>(entry) {
                Ok(jwk) => keys.push(jwk),
                Err(source) => skipped.push(Error::Json { part: Part::Jwk, source }),
            }
        }
        Ok((Self { keys }, skipped))
    }

    /// The first key with this `kid`.
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|jwk| jwk.kid.as_deref() == Some(kid))
    }

    /// Picks the key that verifies a token with this `kid` and `alg`.
    ///
    /// With a `kid`, the key with that `kid` that allows `alg` ([`Error::UnknownKey`] if none has the
    /// `kid`, [`Error::KeyMismatch`] if those that do cannot verify `alg`). Without a `kid`, the only key
    /// that allows `alg`: [`Error::UnknownKey`] if several do (ambiguous) or the set is empty,
    /// [`Error::KeyMismatch`] if the set has keys but none can verify `alg`.
    pub fn select(&self, kid: Option<&str>, alg: Algorithm) -> Result<&Jwk, Error> {
        match kid {
            Some(kid) => {
                let mut with_kid =
                    self.keys.iter().filter(|jwk| jwk.kid.as_deref() == Some(kid)).peekable();
                let first = with_kid
                    .peek()
                    .copied()
                    .ok_or_else(|| Error::UnknownKey { kid: Some(kid.to_owned()) })?;
                with_kid
                    .find(|jwk| jwk.allows(alg))
                    .ok_or(Error::KeyMismatch { alg, key: first.key.kind() })
            }
            None => {
                let mut fitting = self.keys.iter().filter(|jwk| jwk.allows(alg));
                match (fitting.next(), fitting.next(), self.keys.first()) {
                    (Some(only), None, _) => Ok(only),
                    (None, _, Some(first)) => {
                        Err(Error::KeyMismatch { alg, key: first.key.kind() })
                    }
                    _ => Err(Error::UnknownKey { kid: None }),
                }
            }
        }
    }
}

/// The wire form of a JWK.
#[derive(Serialize, Deserialize)]
struct RawJwk {
    kty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    crv: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    n: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    e: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    x: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    y: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    alg: Option<String>,
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    key_use: Option<String>,
    #[serde(flatten)]
    other: Map<String, Value>,
}

fn member(value: Option<String>, name: &str) -> Result<Vec<u8>, String> {
    let text = value.ok_or_else(|| format!("missing member {name:?}"))?;
    base64url::decode(text).map_err(|_| format!("member {name:?} is not unpadded base64url"))
}

fn coordinate(value: Option<String>, name: &str) -> Result<[u8; 32], String> {
    member(value, name)?
        .try_into()
        .map_err(|_| format!("P-256 coordinate {name:?} must be 32 bytes"))
}

impl TryFrom<RawJwk> for Jwk {
    type Error = String;

    fn try_from(raw: RawJwk) -> Result<Self, String> {
        if let Some(private) = PRIVATE_MEMBERS.iter().find(|name| raw.other.contains_key(**name)) {
            return Err(format!(
                "JWK has private member {private:?}; only public keys are accepted"
            ));
        }
        let key = match raw.kty.as_str() {
            "RSA" => {
                let n = member(raw.n, "n")?;
                let e = member(raw.e, "e")?;
                if n.is_empty() || e.is_empty() {
                    return Err("RSA n and e must not be empty".to_owned());
                }
                JwkKey::Rsa { n, e }
            }
            "EC" => match raw.crv.as_deref() {
                Some("P-256") => {
                    JwkKey::EcP256 { x: coordinate(raw.x, "x")?, y: coordinate(raw.y, "y")? }
                }
                Some(other) => return Err(format!("unsupported EC curve {other:?}; only P-256")),
                None => return Err("EC JWK without \"crv\"".to_owned()),
            },
            other => return Err(format!("unsupported JWK kty {other:?}; only RSA and EC")),
        };
        Ok(Self { key, kid: raw.kid, alg: raw.alg, key_use: raw.key_use, other: raw.other })
    }
}

impl From<Jwk> for RawJwk {
    fn from(jwk: Jwk) -> Self {
        let mut raw = Self {
            kty: String::new(),
            crv: None,
            n: None,
            e: None,
            x: None,
            y: None,
            kid: jwk.kid,
            alg: jwk.alg,
            key_use: jwk.key_use,
            other: jwk.other,
        };
        match jwk.key {
            JwkKey::Rsa { n, e } => {
                raw.kty = "RSA".to_owned();
                raw.n = Some(base64url::encode(n));
                raw.e = Some(base64url::encode(e));
            }
            JwkKey::EcP256 { x, y } => {
                raw.kty = "EC".to_owned();
                raw.crv = Some("P-256".to_owned());
                raw.x = Some(base64url::encode(x));
                raw.y = Some(base64url::encode(y));
            }
        }
        raw
    }
}
