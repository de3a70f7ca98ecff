//! Signing keys (HMAC secrets and private keys) and verifying keys.

use std::fmt;
use std::sync::Arc;

use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair as _, RsaKeyPair};
use ring::{hmac, rsa};

use crate::{Algorithm, Error, Jwk, JwkKey, KeyKind, pem};

/// Smallest and largest RSA moduli ring verifies, in bits.
const RSA_BITS: std::ops::RangeInclusive<usize> = 2048..=8192;

/// Secret bytes: redacted `Debug`, no `PartialEq`.
#[derive(Clone)]
struct Secret(Vec<u8>);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A key that signs: an HMAC secret, or an RSA or EC P-256 private key.
///
/// Cheap to clone. `Debug` never shows secret material, and there is no `PartialEq`.
#[derive(Clone)]
pub struct SigningKey {
    inner: Arc<SigningInner>,
    kid: Option<String>,
}

enum SigningInner {
    Hmac(Secret),
    Rsa { pair: RsaKeyPair, der: Option<Secret> },
    Ec { pair: EcdsaKeyPair, pkcs8: Secret },
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kind", &self.kind())
            .field("kid", &self.kid)
            .field("material", &"[redacted]")
            .finish()
    }
}

impl SigningKey {
    /// An HMAC secret for HS256. Any length is accepted (GOV.UK Notify signs with its API key's secret
    /// part); RFC 7518 recommends at least 32 bytes.
    pub fn hmac(secret: impl Into<Vec<u8>>) -> Self {
        Self { inner: Arc::new(SigningInner::Hmac(Secret(secret.into()))), kid: None }
    }

    /// Loads an RSA or EC P-256 private key from PEM: `PRIVATE KEY` (PKCS#8) or `RSA PRIVATE KEY`
    /// (PKCS#1). Encrypted PEM and SEC1 `EC PRIVATE KEY` are refused with [`Error::InvalidKey`].
    pub fn from_pkcs8_pem(pem_text: &str) -> Result<Self, Error> {
        let (label, der) = pem::decode(pem_text)?;
        match label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8_der(&der),
            "RSA PRIVATE KEY" => {
                let pair = RsaKeyPair::from_der(&der)
                    .map_err(|e| Error::invalid_key(format!("PKCS#1 RSA key rejected: {e}")))?;
                Ok(Self::rsa(pair, None))
            }
            "EC PRIVATE KEY" => Err(Error::invalid_key(
                "SEC1 EC PRIVATE KEY is not supported; convert with `openssl pkcs8 -topk8 -nocrypt`",
            )),
            "ENCRYPTED PRIVATE KEY" => Err(Error::invalid_key("encrypted PKCS#8 is not supported")),
            other => Err(Error::invalid_key(format!("PEM block {other:?} is not a private key"))),
        }
    }

    /// Loads an RSA (2048 to 8192 bits) or EC P-256 private key from PKCS#8 DER.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        let rsa_err = match RsaKeyPair::from_pkcs8(der) {
            Ok(pair) => return Ok(Self::rsa(pair, Some(Secret(der.to_vec())))),
            Err(e) => e,
        };
        let rng = SystemRandom::new();
        EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, der, &rng)
            .map(|pair| Self::ec(pair, der.to_vec()))
            .map_err(|ec_err| {
                Error::invalid_key(format!(
                    "not a PKCS#8 RSA (2048 to 8192 bits) or EC P-256 private key \
                     (as RSA: {rsa_err}; as EC: {ec_err})"
                ))
            })
    }

    /// Generates a fresh EC P-256 key for ES256 from the system random number generator.
    pub fn generate_es256() -> Result<Self, Error> {
        let rng = SystemRandom::new();
        let doc = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| Error::Signing)?;
        let pair = EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            doc.as_ref(),
            &rng,
        )
        .map_err(|e| Error::invalid_key(e.to_string()))?;
        Ok(Self::ec(pair, doc.as_ref().to_vec()))
    }

    fn rsa(pair: RsaKeyPair, der: Option<Secret>) -> Self {
        Self { inner: Arc::new(SigningInner::Rsa { pair, der }), kid: None }
    }

    fn ec(pair: EcdsaKeyPair, pkcs8: Vec<u8>) -> Self {
        Self { inner: Arc::new(SigningInner::Ec { pair, pkcs8: Secret(pkcs8) }), kid: None }
    }

    /// Sets the key ID that [`SigningKey::public_jwk`] carries.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// The key ID, if set.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The kind of key.
    pub fn kind(&self) -> KeyKind {
        match &*self.inner {
            SigningInner::Hmac(_) => KeyKind::Hmac,
            SigningInner::Rsa { .. } => KeyKind::Rsa,
            SigningInner::Ec { .. } => KeyKind::EcP256,
        }
    }

    /// Whether this key can sign with `alg`.
    pub fn supports(&self, alg: Algorithm) -> bool {
        self.kind() == alg.key_kind()
    }

    /// The public half as a JWK (with this key's `kid`), or `None` for an HMAC secret.
    pub fn public_jwk(&self) -> Option<Jwk> {
        let key = match &*self.inner {
            SigningInner::Hmac(_) => return None,
            SigningInner::Rsa { pair, .. } => {
                let parts = rsa::PublicKeyComponents::<Vec<u8>>::from(pair.public());
                JwkKey::Rsa { n: parts.n, e: parts.e }
            }
            SigningInner::Ec { pair, .. } => ec_point_to_jwk(pair.public_key().as_ref())?,
        };
        let jwk = Jwk::new(key);
        Some(match &self.kid {
            Some(kid) => jwk.with_kid(kid.clone()),
            None => jwk,
        })
    }

    /// The key that verifies this key's signatures (for HMAC, the same secret).
    pub fn verifying_key(&self) -> VerifyingKey {
        let inner = match &*self.inner {
            SigningInner::Hmac(secret) => VerifyingInner::Hmac(secret.clone()),
            SigningInner::Rsa { pair, .. } => {
                let parts = rsa::PublicKeyComponents::<Vec<u8>>::from(pair.public());
                VerifyingInner::Rsa { n: parts.n, e: parts.e }
            }
            SigningInner::Ec { pair, .. } => {
                VerifyingInner::Ec(pair.public_key().as_ref().to_vec())
            }
        };
        VerifyingKey { inner, alg: None, encryption_only: false }
    }

    /// The private key as PKCS#8 PEM, to store a generated key. `None` for HMAC secrets and keys loaded
    /// from PKCS#1. Handle the result as a secret.
    pub fn to_pkcs8_pem(&self) -> Option<String> {
        match &*self.inner {
            SigningInner::Hmac(_) | SigningInner::Rsa { der: None, .. } => None,
            SigningInner::Rsa { der: Some(der), .. } => Some(pem::encode("PRIVATE KEY", &der.0)),
            SigningInner::Ec { pkcs8, .. } => Some(pem::encode("PRIVATE KEY", &pkcs8.0)),
        }
    }

    /// Signs `message` with `alg`.
    pub(crate) fn sign_bytes(&self, alg: Algorithm, message: &[u8]) -> Result<Vec<u8>, Error> {
        if !self.supports(alg) {
            return Err(Error::KeyMismatch { alg, key: self.kind() });
        }
        let rng = SystemRandom::new();
        match &*self.inner {
            SigningInner::Hmac(secret) => {
                let key = hmac::Key::new(hmac::HMAC_SHA256, &secret.0);
                Ok(hmac::sign(&key, message).as_ref().to_vec())
            }
            SigningInner::Rsa { pair, .. } => {
                let padding: &'static dyn signature::RsaEncoding = match alg {
                    Algorithm::RS256 => &signature::RSA_PKCS1_SHA256,
                    Algorithm::RS384 => &signature::RSA_PKCS1_SHA384,
                    Algorithm::RS512 => &signature::RSA_PKCS1_SHA512,
                    Algorithm::PS256 => &signature::RSA_PSS_SHA256,
                    Algorithm::PS384 => &signature::RSA_PSS_SHA384,
                    Algorithm::PS512 => &signature::RSA_PSS_SHA512,
                    Algorithm::HS256 | Algorithm::ES256 => {
                        return Err(Error::KeyMismatch { alg, key: KeyKind::Rsa });
                    }
                };
                let mut sig = vec![0; pair.public().modulus_len()];
                pair.sign(padding, &rng, message, &mut sig).map_err(|_| Error::Signing)?;
                Ok(sig)
            }
            SigningInner::Ec { pair, .. } => {
                Ok(pair.sign(&rng, message).map_err(|_| Error::Signing)?.as_ref().to_vec())
            }
        }
    }
}

fn ec_point_to_jwk(point: &[u8]) -> Option<JwkKey> {
    // Uncompressed SEC1 point: 0x04 || x || y.
    let (tag, coords) = point.split_first()?;
    if *tag != 4 || coords.len() != 64 {
        return None;
    }
    let (x, y) = coords.split_at(32);
    Some(JwkKey::EcP256 { x: x.try_into().ok()?, y: y.try_into().ok()? })
}

/// A key that verifies: an HMAC secret, or an RSA or EC P-256 public key.
///
/// `Debug` never shows an HMAC secret, and there is no `PartialEq`.
#[derive(Clone)]
pub struct VerifyingKey {
    inner: VerifyingInner,
    /// The only algorithm this key verifies, when its JWK names one.
    alg: Option<String>,
    /// Its JWK said `use: enc`: it never verifies a signature.
    encryption_only: bool,
}

#[derive(Clone)]
enum VerifyingInner {
    Hmac(Secret),
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    /// Uncompressed SEC1 point.
    Ec(Vec<u8>),
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("VerifyingKey");
        out.field("kind", &self.kind()).field("alg", &self.alg);
        match &self.inner {
            VerifyingInner::Hmac(_) => out.field("secret", &"[redacted]"),
            VerifyingInner::Rsa { n, .. } => out.field("modulus_bits", &(n.len() * 8)),
            VerifyingInner::Ec(_) => out.field("curve", &"P-256"),
        };
        out.finish()
    }
}

impl VerifyingKey {
    /// An HMAC secret for HS256.
    pub fn hmac(secret: impl Into<Vec<u8>>) -> Self {
        Self {
            inner: VerifyingInner::Hmac(Secret(secret.into())),
            alg: None,
            encryption_only: false,
        }
    }

    /// The public key of a JWK, honouring its `alg` pin. Refuses RSA moduli outside 2048 to 8192 bits
    /// and exponents that are even, below 3 or over 33 bits.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, Error> {
        let inner = match &jwk.key {
            JwkKey::Rsa { n, e } => {
                let n_bits = bit_len(n);
                if !RSA_BITS.contains(&n_bits) {
                    return Err(Error::invalid_key(format!(
                        "RSA modulus is {n_bits} bits; 2048 to 8192 are accepted"
                    )));
                }
                let e_bits = bit_len(e);
                if !(2..=33).contains(&e_bits) || e.last().is_none_or(|low| low % 2 == 0) {
                    return Err(Error::invalid_key(
                        "RSA public exponent must be odd, at least 3, at most 33 bits",
                    ));
                }
                VerifyingInner::Rsa { n: n.clone(), e: e.clone() }
            }
            JwkKey::EcP256 { x, y } => {
                let mut point = Vec::with_capacity(65);
                point.push(4);
                point.extend_from_slice(x);
                point.extend_from_slice(y);
                VerifyingInner::Ec(point)
            }
        };
        let encryption_only = jwk.key_use.as_deref() == Some("enc");
        Ok(Self { inner, alg: jwk.alg.clone(), encryption_only })
    }

    /// The kind of key.
    pub fn kind(&self) -> KeyKind {
        match &self.inner {
            VerifyingInner::Hmac(_) => KeyKind::Hmac,
            VerifyingInner::Rsa { .. } => KeyKind::Rsa,
            VerifyingInner::Ec(_) => KeyKind::EcP256,
        }
    }

    /// Whether this key may verify `alg`: the key type fits, any `alg` pin matches, and its JWK did
    /// not say `use: enc`.
    pub fn allows(&self, alg: Algorithm) -> bool {
        self.kind() == alg.key_kind()
            && self.alg.as_deref().is_none_or(|pinned| pinned == alg.as_str())
            && !self.encryption_only
    }

    /// Checks `signature` over `message`. HMAC tags are compared in constant time.
    pub(crate) fn verify_bytes(
        &self,
        alg: Algorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        if !self.allows(alg) {
            return Err(Error::KeyMismatch { alg, key: self.kind() });
        }
        let ok = match &self.inner {
            VerifyingInner::Hmac(secret) => {
                hmac::verify(&hmac::Key::new(hmac::HMAC_SHA256, &secret.0), message, signature)
                    .is_ok()
            }
            VerifyingInner::Rsa { n, e } => {
                let params: &'static signature::RsaParameters = match alg {
                    Algorithm::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
                    Algorithm::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
                    Algorithm::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
                    Algorithm::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
                    Algorithm::PS384 => &signature::RSA_PSS_2048_8192_SHA384,
                    Algorithm::PS512 => &signature::RSA_PSS_2048_8192_SHA512,
                    Algorithm::HS256 | Algorithm::ES256 => {
                        return Err(Error::KeyMismatch { alg, key: KeyKind::Rsa });
                    }
                };
                signature::RsaPublicKeyComponents { n, e }
                    .verify(params, message, signature)
                    .is_ok()
            }
            VerifyingInner::Ec(point) => {
                signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                    .verify(message, signature)
                    .is_ok()
            }
        };
        if ok { Ok(()) } else { Err(Error::BadSignature) }
    }
}

/// Bit length of a big-endian unsigned integer.
fn bit_len(bytes: &[u8]) -> usize {
    let Some(first) = bytes.iter().position(|b| *b != 0) else { return 0 };
    let rest = &bytes[first..];
    rest.first().map_or(0, |top| (rest.len() - 1) * 8 + (8 - top.leading_zeros() as usize))
}
