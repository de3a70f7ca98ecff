//! ID-token signing keys as the simulator keeps them (`key-helpers.ts`): an ES256 and an RS256 key in the JWKS,
//! each client signed for with the algorithm it registered (`id_token_signing_algorithm`), and key rotation
//! simulated with a second pair: `publish_new_id_token_signing_keys` adds it to the JWKS,
//! `use_new_id_token_signing_keys` signs with it.
//!
//! The RSA keys are published sandbox test keys, as the default client key is: nothing they sign is trusted
//! anywhere else. The EC keys are fresh per start.

use std::sync::atomic::{AtomicBool, Ordering};

use gaap_jose::{Algorithm, Header, Jwk, JwkSet, SigningKey, VerifyingKey};
use serde::Serialize;

const RSA_KEY_PEM: &str = include_str!("id_token_rsa_key.pem");
const RSA_NEXT_KEY_PEM: &str = include_str!("id_token_rsa_key_next.pem");

/// One signing key with its `kid` and algorithm.
#[derive(Debug)]
struct Key {
    key: SigningKey,
    kid: String,
    alg: Algorithm,
}

impl Key {
    fn es256() -> Result<Self, String> {
        let kid = uuid::Uuid::new_v4().to_string();
        let key = SigningKey::generate_es256().map_err(|e| e.to_string())?.with_kid(kid.clone());
        Ok(Self { key, kid, alg: Algorithm::ES256 })
    }

    fn rs256(pem: &str) -> Result<Self, String> {
        let key = SigningKey::from_pkcs8_pem(pem).map_err(|e| format!("ID-token RSA key: {e}"))?;
        let jwk = key.public_jwk().ok_or("ID-token RSA key has no public half")?;
        let kid = jwk.thumbprint();
        Ok(Self { key: key.with_kid(kid.clone()), kid, alg: Algorithm::RS256 })
    }

    fn public_jwk(&self) -> Option<Jwk> {
        self.key.public_jwk().map(|jwk| jwk.with_alg(self.alg).with_use("sig"))
    }
}

/// The ID-token algorithms a client may register.
pub(crate) const ALGORITHMS: [Algorithm; 2] = [Algorithm::ES256, Algorithm::RS256];

/// The algorithms' names, for messages and the simulator's validation.
pub(crate) fn algorithm_names() -> Vec<&'static str> {
    ALGORITHMS.iter().map(|a| a.as_str()).collect()
}

/// The OP's ID-token keys: current and next, ES256 and RS256.
#[derive(Debug)]
pub(crate) struct IdTokenKeys {
    current: [Key; 2],
    next: [Key; 2],
    publish_next: AtomicBool,
    use_next: AtomicBool,
}

impl IdTokenKeys {
    pub(crate) fn new(publish_next: bool, use_next: bool) -> Result<Self, String> {
        Ok(Self {
            current: [Key::es256()?, Key::rs256(RSA_KEY_PEM)?],
            next: [Key::es256()?, Key::rs256(RSA_NEXT_KEY_PEM)?],
            publish_next: AtomicBool::new(publish_next),
            use_next: AtomicBool::new(use_next),
        })
    }

    /// Whether the next keys are in the JWKS (published, or in use).
    pub(crate) fn publishing_next(&self) -> bool {
        self.publish_next.load(Ordering::SeqCst) || self.using_next()
    }

    /// Whether ID tokens are signed with the next keys.
    pub(crate) fn using_next(&self) -> bool {
        self.use_next.load(Ordering::SeqCst)
    }

    /// Switches the rotation steps while the sandbox runs (`POST /config`).
    pub(crate) fn set_rotation(&self, publish_next: bool, use_next: bool) {
        self.publish_next.store(publish_next, Ordering::SeqCst);
        self.use_next.store(use_next, Ordering::SeqCst);
    }

    fn key(&self, rs256: bool) -> &Key {
        let pair = if self.using_next() { &self.next } else { &self.current };
        &pair[usize::from(rs256)]
    }

    /// Signs ID-token claims with the key for `alg` (`ES256` unless `RS256`); the token and the `kid` used.
    pub(crate) fn sign(
        &self,
        alg: Algorithm,
        claims: &impl Serialize,
    ) -> Result<(String, String), String> {
        let key = self.key(alg == Algorithm::RS256);
        let header = Header::new(key.alg).with_kid(key.kid.clone());
        let token = gaap_jose::sign_json(&header, claims, &key.key).map_err(|e| e.to_string())?;
        Ok((token, key.kid.clone()))
    }

    /// The JWKS: the current pair, and the next pair once published.
    pub(crate) fn jwks(&self) -> JwkSet {
        let mut keys: Vec<Jwk> = self.current.iter().filter_map(Key::public_jwk).collect();
        if self.publishing_next() {
            keys.extend(self.next.iter().filter_map(Key::public_jwk));
        }
        JwkSet::new(keys)
    }

    /// Whether one of these keys signed `token` (for `id_token_hint`).
    pub(crate) fn signed(&self, token: &str) -> bool {
        self.current.iter().chain(&self.next).any(|k| {
            let verifying: VerifyingKey = k.key.verifying_key();
            gaap_jose::verify(token, &verifying, &[k.alg]).is_ok()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_publishes_then_uses_the_next_keys() {
        let claims = serde_json::json!({"sub": "s"});
        let jwks = |keys: &IdTokenKeys| serde_json::to_value(keys.jwks()).unwrap();
        let keys = IdTokenKeys::new(false, false).unwrap();
        assert_eq!(jwks(&keys)["keys"].as_array().unwrap().len(), 2);
        let (rs, kid) = keys.sign(Algorithm::RS256, &claims).unwrap();
        assert!(keys.signed(&rs));
        assert!(
            jwks(&keys)["keys"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["kid"] == kid.as_str() && k["alg"] == "RS256")
        );
        let published = IdTokenKeys::new(true, false).unwrap();
        assert_eq!(jwks(&published)["keys"].as_array().unwrap().len(), 4);
        let (_, current_kid) = published.sign(Algorithm::ES256, &claims).unwrap();
        let switched = IdTokenKeys::new(true, true).unwrap();
        let (_, next_rs) = switched.sign(Algorithm::RS256, &claims).unwrap();
        assert_ne!(next_rs, kid, "the next RSA key signs once in use");
        assert_ne!(current_kid, "");
    }
}
