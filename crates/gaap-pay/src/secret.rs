//! Secrets: the API key and the webhook signing secret (gaap-http's `secret_string!`). Debug is redacted and there is no PartialEq,
//! so a secret cannot leak through logs or be compared in variable time by accident.

use std::fmt;

/// A GOV.UK Pay API key (`api_test_…` or `api_live_…`), sent as `Authorization: Bearer <key>`.
///
/// Written by hand rather than with `gaap_http::secret_string!`: `new` trims the key, and `Debug` says whether it
/// is a live or a test key (`ApiKey(test, [REDACTED])`), which a Pay test pins.
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

    #[cfg(feature = "client")]
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

gaap_http::secret_string! {
    /// A webhook signing secret (`webhook_live_…` or `webhook_test_…`), the HMAC key for `Pay-Signature`:
    /// its UTF-8 bytes, as Pay uses them.
    pub struct SigningSecret;
}
