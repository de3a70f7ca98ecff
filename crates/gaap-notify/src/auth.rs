//! API keys and the per-request JWT.

use std::fmt;
use std::str::FromStr;

use gaap_jose::{Algorithm, Header, SigningKey};
use serde::Serialize;
use uuid::Uuid;

use crate::Error;

/// A Notify API key: `{key_name}-{service_id}-{secret}`. The service id and secret are sliced
/// from the end, as the official clients do (`key[-73:-37]`, `key[-36:]`), because key names may
/// contain `-`; both must be UUIDs. The secret never appears in `Debug` output.
#[derive(Clone)]
pub struct ApiKey {
    service_id: Uuid,
    secret: String,
}

impl ApiKey {
    /// Parses a full key as shown in Notify's admin.
    ///
    /// ```
    /// let key = gaap_notify::ApiKey::parse(
    ///     "my_test_key-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0",
    /// ).unwrap();
    /// assert_eq!(key.service_id().to_string(), "26785a09-ab16-4eb0-8407-a37497a57506");
    /// assert!(!format!("{key:?}").contains("3d844edf"));
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidApiKey`] when the key is too short or either part is not a UUID.
    pub fn parse(key: &str) -> Result<Self, Error> {
        let key = key.trim();
        if !key.is_ascii() {
            return Err(Error::InvalidApiKey("an API key is ASCII"));
        }
        let len = key.len();
        if len < 73 {
            return Err(Error::InvalidApiKey("too short: expected {name}-{service id}-{secret}"));
        }
        let service = &key[len - 73..len - 37];
        let secret = &key[len - 36..];
        let service_id = Uuid::parse_str(service)
            .map_err(|_| Error::InvalidApiKey("the service id is not a UUID"))?;
        Uuid::parse_str(secret).map_err(|_| Error::InvalidApiKey("the secret is not a UUID"))?;
        if key.as_bytes()[len - 37] != b'-' {
            return Err(Error::InvalidApiKey("expected `-` between the service id and the secret"));
        }
        Ok(Self { service_id, secret: secret.to_owned() })
    }

    /// Builds a key from its parts.
    ///
    /// # Errors
    /// [`Error::InvalidApiKey`] if the secret is not a UUID.
    pub fn from_parts(service_id: Uuid, secret: &str) -> Result<Self, Error> {
        Uuid::parse_str(secret).map_err(|_| Error::InvalidApiKey("the secret is not a UUID"))?;
        Ok(Self { service_id, secret: secret.to_owned() })
    }

    /// The service id (the JWT's `iss`).
    #[must_use]
    pub fn service_id(&self) -> Uuid {
        self.service_id
    }

    /// A token for one request: HS256 over `{"iss": service_id, "iat": now}`, keyed with the
    /// secret. Notify accepts it for 30 seconds either side of `iat`.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] if signing fails.
    pub fn token(&self, issued_at: i64) -> Result<String, Error> {
        #[derive(Serialize)]
        struct Claims<'a> {
            iss: &'a str,
            iat: i64,
        }
        let iss = self.service_id.to_string();
        let key = SigningKey::hmac(self.secret.as_bytes().to_vec());
        gaap_jose::sign_json(
            &Header::new(Algorithm::HS256).with_typ("JWT"),
            &Claims { iss: &iss, iat: issued_at },
            &key,
        )
        .map_err(|e| {
            Error::InvalidRequest(format!("could not sign the request token: {}", e.kind()))
        })
    }
}

impl FromStr for ApiKey {
    type Err = Error;

    /// As [`ApiKey::parse`].
    fn from_str(key: &str) -> Result<Self, Error> {
        Self::parse(key)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("service_id", &self.service_id)
            .field("secret", &"[redacted]")
            .finish()
    }
}
