use std::fmt;

use ring::rand::SecureRandom as _;

use crate::error::Error;
use crate::jws;

gaap_http::secret_string! {
    /// The access token from `/token`; used only as a bearer for `/userinfo`, never parsed.
    pub struct AccessToken;
}

gaap_http::secret_string! {
    /// The raw ID token, kept for `id_token_hint` at logout.
    pub struct IdToken;
}

gaap_http::secret_string! {
    /// The single-use authorization code from the callback.
    pub struct AuthorizationCode;
}

gaap_http::secret_string! {
    /// A signed `private_key_jwt` client assertion (valid for up to 5 minutes).
    pub struct ClientAssertion;
}

gaap_http::secret_string! {
    /// The `state` sent to `/authorize`; keep it in the user's session and compare on the callback.
    pub struct State;
}

gaap_http::secret_string! {
    /// The `nonce` sent to `/authorize`; the ID token must echo it.
    pub struct Nonce;
}

gaap_http::secret_string! {
    /// The PKCE `code_verifier` (S256).
    pub struct PkceVerifier;
}

/// 32 random bytes, base64url: the entropy behind `state`, `nonce`, PKCE verifiers and `jti`.
pub(crate) fn random_token() -> Result<String, Error> {
    let mut bytes = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| Error::Config("the system random generator failed".to_owned()))?;
    Ok(jws::b64(&bytes))
}

impl State {
    pub(crate) fn generate() -> Result<Self, Error> {
        random_token().map(Self)
    }

    /// Compares with a callback's `state` in constant time.
    #[must_use]
    pub fn matches(&self, received: &str) -> bool {
        crate::rules::constant_time_eq(&self.0, received)
    }
}

impl Nonce {
    pub(crate) fn generate() -> Result<Self, Error> {
        random_token().map(Self)
    }
}

impl PkceVerifier {
    pub(crate) fn generate() -> Result<Self, Error> {
        random_token().map(Self)
    }

    /// The S256 `code_challenge`: base64url(SHA-256(verifier)).
    #[must_use]
    pub fn challenge(&self) -> String {
        jws::b64(ring::digest::digest(&ring::digest::SHA256, self.0.as_bytes()).as_ref())
    }
}

/// The relying party's RSA private key for `private_key_jwt`, with the `kid` One Login knows it by.
///
/// Its `Debug` shows only the `kid` and the algorithm.
#[derive(Clone)]
pub struct ClientKey {
    key: gaap_jose::SigningKey,
    alg: gaap_jose::Algorithm,
}

impl ClientKey {
    /// Reads a PEM `PRIVATE KEY` (PKCS#8) or `RSA PRIVATE KEY` (PKCS#1), as `openssl genpkey` writes it.
    /// The algorithm is RS256; see [`ClientKey::with_algorithm`].
    ///
    /// # Errors
    /// [`Error::Config`] when it is not an RSA private key of 2048 bits or more.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        let key = gaap_jose::SigningKey::from_pkcs8_pem(pem)
            .map_err(|e| Error::Config(format!("client signing key: {e}")))?;
        if key.kind() != gaap_jose::KeyKind::Rsa {
            return Err(Error::Config(
                "the client signing key must be RSA: One Login verifies RS256/PS256".to_owned(),
            ));
        }
        Ok(Self { key, alg: gaap_jose::Algorithm::RS256 })
    }

    /// Sets the `kid` put in the assertion header (mandatory when One Login reads your keys from a JWKS).
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.key = self.key.with_kid(kid);
        self
    }

    /// Signs with PS256 instead of RS256.
    ///
    /// # Errors
    /// [`Error::Config`] for anything but RS256 and PS256: One Login verifies client assertions with RSA.
    pub fn with_algorithm(mut self, alg: gaap_jose::Algorithm) -> Result<Self, Error> {
        if !matches!(alg, gaap_jose::Algorithm::RS256 | gaap_jose::Algorithm::PS256) {
            return Err(Error::Config(format!(
                "client assertions must be RS256 or PS256, not {alg}"
            )));
        }
        self.alg = alg;
        Ok(self)
    }

    /// The `kid`, if set.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.key.kid()
    }

    /// The signing algorithm.
    #[must_use]
    pub const fn algorithm(&self) -> gaap_jose::Algorithm {
        self.alg
    }

    /// The public half as a JWK (with `kid`, `alg` and `use: sig`), to publish or register with One Login.
    #[must_use]
    pub fn public_jwk(&self) -> Option<gaap_jose::Jwk> {
        self.key.public_jwk().map(|jwk| jwk.with_alg(self.alg).with_use("sig"))
    }

    /// Signs a compact JWS over `claims` with header `{alg, typ: JWT, kid}`.
    #[cfg(feature = "client")]
    pub(crate) fn sign(&self, claims: &serde_json::Value) -> Result<ClientAssertion, Error> {
        let mut header = gaap_jose::Header::new(self.alg).with_typ("JWT");
        if let Some(kid) = self.key.kid() {
            header = header.with_kid(kid);
        }
        gaap_jose::sign_json(&header, claims, &self.key)
            .map(ClientAssertion)
            .map_err(|e| Error::Config(format!("signing the client assertion: {e}")))
    }
}

impl fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientKey")
            .field("kid", &self.key.kid())
            .field("alg", &self.alg)
            .field("key", &"[redacted]")
            .finish()
    }
}
