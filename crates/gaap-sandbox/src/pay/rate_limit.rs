//! Authentication and the rate limit: the API key, then a token bucket per pay-publicapi `RateLimiterKey`
//! on the sandbox clock.

use axum::http::{HeaderMap, header};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{PayError, PayState, Result};

/// A rate-limit bucket, as pay-publicapi's `RateLimiterKey` groups requests: every GET together, every POST
/// together, except creating and capturing payments, which count on their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum RateBucket {
    /// Any GET.
    Get,
    /// Any POST without a bucket of its own.
    Post,
    /// `POST /v1/payments`.
    CreatePayment,
    /// `POST /v1/payments/{id}/capture`.
    CapturePayment,
}

impl RateBucket {
    /// Whether the POST limit applies.
    pub(super) fn is_post(self) -> bool {
        !matches!(self, Self::Get)
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(super) struct Bucket {
    pub(super) tokens: f64,
    #[serde(with = "time::serde::rfc3339")]
    pub(super) at: OffsetDateTime,
}

impl PayState {
    pub(super) fn authenticate(&self, headers: &HeaderMap) -> Result<()> {
        let header =
            headers.get(header::AUTHORIZATION).and_then(|h| h.to_str().ok()).unwrap_or_default();
        let token = header.strip_prefix("Bearer ").ok_or_else(PayError::unauthorised)?;
        if crate::notify::auth::secrets_equal(token.trim(), &self.api_key) {
            Ok(())
        } else {
            Err(PayError::unauthorised())
        }
    }

    /// Auth, then the rate limit for the request's bucket (pay-publicapi `RateLimiterKey`).
    pub(super) fn admit(&self, headers: &HeaderMap, bucket: RateBucket) -> Result<()> {
        self.authenticate(headers)?;
        let per_second = if bucket.is_post() {
            self.cfg.post_rate_limit_per_second
        } else {
            self.cfg.get_rate_limit_per_second
        };
        if per_second == 0 {
            return Ok(());
        }
        let now = self.clock.now();
        let rate = f64::from(per_second);
        let mut data = self.lock();
        let b = data.buckets.entry(bucket).or_insert(Bucket { tokens: rate, at: now });
        let elapsed = (now - b.at).as_seconds_f64().max(0.0);
        b.tokens = (b.tokens + elapsed * rate).min(rate);
        b.at = now;
        if b.tokens < 1.0 {
            return Err(PayError::new(429, "P0900", "Too many requests"));
        }
        b.tokens -= 1.0;
        Ok(())
    }
}
