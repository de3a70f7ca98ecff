//! Secrets: the API key and the webhook signing secret. Debug is redacted and there is no PartialEq,
//! so a secret cannot leak through logs or be compared in variable time by accident.

use std::fmt;

/// A GOV.UK Pay API key (`api_test_…` or `api_live_…`), sent as `Authorization: Bearer <key>`.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key. Surrounding whitespace (a pasted newline) is removed.
    #[must_use]
    pub fn new(key: impl Into<String>) -> Self {
        let key: String = key.into();
        Self(key.trim().to_owned())
    }

    /// Whether this looks like a live key (`api_live_` prefix). Live keys move real money.
    #[must_use]
    pub fn is_live(&self) -> bool {
        self.0.starts_with("api_live_")
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.is_live() {
            "live"
        } else if self.0.starts_with("api_test_") {
            "test"
        } else {
            "unknown"
        };
        write!(f, "ApiKey({kind}, [REDACTED])")
    }
}

/// A webhook signing secret (`webhook_live_…` or `webhook_test_…`), the HMAC key for `Pay-Signature`.
#[derive(Clone)]
pub struct SigningSecret(Vec<u8>);

impl SigningSecret {
    /// Wraps a secret; its UTF-8 bytes are the HMAC key, as Pay uses them.
    #[must_use]
    pub fn new(secret: impl Into<String>) -> Self {
        let secret: String = secret.into();
        Self(secret.into_bytes())
    }

    pub(crate) fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningSecret([REDACTED])")
    }
}
