//! `client_secret_post` at `/token`, as One Login's simulator does it: the client sends `client_id` and
//! `client_secret` in the form body, and the secret is checked against the Argon2id hash the client registered
//! (`client_secret_hash`, PHC form). The hash is recomputed with the registered parameters and salt and compared
//! in constant time. The answers are the simulator's: `invalid_client` with "Client authentication failed",
//! "Client is not registered to use client_secret_post" or "Invalid client secret", all 400.

use std::fmt;

use argon2::password_hash::PasswordHash;
use argon2::{Algorithm, Argon2, Params, Version};
use serde::Deserialize;
use subtle::ConstantTimeEq as _;

use crate::config::ClientSecretHash;

gaap_http::secret_string! {
    /// A client secret from a token request; `Debug` never shows it.
    #[derive(Deserialize)]
    #[serde(transparent)]
    pub(crate) struct ClientSecret;
}

impl ClientSecret {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A registered hash, parsed once when the sandbox starts: the Argon2id parameters, salt and expected output.
#[derive(Clone)]
pub(crate) struct SecretCheck {
    params: Params,
    version: Version,
    salt: Vec<u8>,
    expected: Vec<u8>,
}

impl fmt::Debug for SecretCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretCheck").field("params", &self.params).finish_non_exhaustive()
    }
}

impl SecretCheck {
    /// Reads a PHC `$argon2id$…` hash; why it cannot be used, otherwise.
    pub(crate) fn parse(hash: &ClientSecretHash) -> Result<Self, String> {
        let phc = PasswordHash::new(hash.expose())
            .map_err(|e| format!("client_secret_hash is not a PHC hash string: {e}"))?;
        if phc.algorithm != argon2::ARGON2ID_IDENT {
            return Err(format!(
                "client_secret_hash must be an Argon2id hash ($argon2id$…), not {}",
                phc.algorithm
            ));
        }
        let version = match phc.version {
            None => Version::V0x13,
            Some(v) => Version::try_from(v)
                .map_err(|e| format!("client_secret_hash has an unknown version {v}: {e}"))?,
        };
        let params = Params::try_from(&phc)
            .map_err(|e| format!("client_secret_hash has unusable parameters: {e}"))?;
        let mut salt = [0u8; 64];
        let salt = phc
            .salt
            .ok_or("client_secret_hash has no salt")?
            .decode_b64(&mut salt)
            .map_err(|e| format!("client_secret_hash salt: {e}"))?
            .to_vec();
        let expected = phc.hash.ok_or("client_secret_hash has no hash")?.as_bytes().to_vec();
        Ok(Self { params, version, salt, expected })
    }

    /// Whether `secret` hashes to the registered hash. Memory-hard by design: call it off the async threads.
    pub(crate) fn matches(&self, secret: &ClientSecret) -> bool {
        let Ok(params) = Params::new(
            self.params.m_cost(),
            self.params.t_cost(),
            self.params.p_cost(),
            Some(self.expected.len()),
        ) else {
            return false;
        };
        let argon = Argon2::new(Algorithm::Argon2id, self.version, params);
        let mut out = vec![0u8; self.expected.len()];
        if argon.hash_password_into(secret.0.as_bytes(), &self.salt, &mut out).is_err() {
            return false;
        }
        bool::from(out.ct_eq(&self.expected))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordHasher as _;
    use argon2::password_hash::SaltString;

    fn hash_of(secret: &str, algorithm: Algorithm) -> ClientSecretHash {
        let salt = SaltString::from_b64("c2FuZGJveHNhbHQxMjM0").unwrap();
        let params = Params::new(64, 1, 1, Some(16)).unwrap();
        let phc = Argon2::new(algorithm, Version::V0x13, params)
            .hash_password(secret.as_bytes(), &salt)
            .unwrap()
            .to_string();
        ClientSecretHash::new(phc)
    }

    #[test]
    fn the_registered_secret_matches_and_others_do_not() {
        let check = SecretCheck::parse(&hash_of("s3cret", Algorithm::Argon2id)).unwrap();
        assert!(check.matches(&ClientSecret("s3cret".to_owned())));
        assert!(!check.matches(&ClientSecret("s3cret ".to_owned())));
        assert!(!check.matches(&ClientSecret(String::new())));
    }

    #[test]
    fn only_argon2id_phc_strings_are_taken() {
        let err = SecretCheck::parse(&hash_of("s", Algorithm::Argon2i)).unwrap_err();
        assert!(err.contains("must be an Argon2id hash"), "{err}");
        let err = SecretCheck::parse(&ClientSecretHash::new("plain text")).unwrap_err();
        assert!(err.contains("not a PHC hash string"), "{err}");
        let debug = format!("{:?}", ClientSecret("hunter2".to_owned()));
        assert!(!debug.contains("hunter2"));
        let debug = format!("{:?}", hash_of("s", Algorithm::Argon2id));
        assert!(!debug.contains("argon2id"), "{debug}");
    }
}
