//! Per-key rate limits: a token bucket per key, refilled continuously from the injected clock, so a key
//! allowed N a minute may burst N and then make one request every 60/N seconds.

use std::collections::HashMap;
use std::sync::Mutex;

use gaap_http::SharedClock;
use time::OffsetDateTime;

use crate::config::AddressConfig;

/// Buckets above this many distinct unlisted keys are swept of full ones, so made-up keys cannot grow memory
/// without bound.
const SWEEP_AT: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: OffsetDateTime,
}

/// The limiter.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    clock: SharedClock,
    /// Each configured key's limit (`None`: unlimited).
    listed: HashMap<String, Option<u32>>,
    /// The limit for any key when none are configured.
    unlisted: Option<u32>,
    buckets: Mutex<HashMap<String, Bucket>>,
}

/// What the limiter says of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Allowed,
    /// Over the limit: retry after this many seconds.
    Limited { retry_after: u64 },
    /// Keys are configured and this is not one of them.
    UnknownKey,
}

impl RateLimiter {
    pub(crate) fn new(config: &AddressConfig, clock: SharedClock) -> Self {
        let listed = config.keys.iter().map(|k| (k.key.expose().to_owned(), k.per_minute)).collect();
        Self { clock, listed, unlisted: config.per_minute, buckets: Mutex::new(HashMap::new()) }
    }

    /// True when keys are configured (so a missing or unknown key is refused).
    pub(crate) fn keys_required(&self) -> bool {
        !self.listed.is_empty()
    }

    /// Checks `key` (compared in constant time against each configured key) and takes one token.
    pub(crate) fn check(&self, key: &str) -> Verdict {
        let limit = if self.listed.is_empty() {
            self.unlisted
        } else {
            let found = self.listed.iter().fold(None, |found, (k, limit)| {
                let same: bool =
                    subtle::ConstantTimeEq::ct_eq(k.as_bytes(), key.as_bytes()).into();
                if same { Some(*limit) } else { found }
            });
            match found {
                Some(limit) => limit,
                None => return Verdict::UnknownKey,
            }
        };
        let Some(per_minute) = limit else { return Verdict::Allowed };
        let capacity = f64::from(per_minute.max(1));
        let rate = capacity / 60.0;
        let now = self.clock.now();
        let Ok(mut buckets) = self.buckets.lock() else { return Verdict::Allowed };
        if buckets.len() >= SWEEP_AT {
            buckets.retain(|_, b| {
                b.tokens + (now - b.at).as_seconds_f64() * rate < capacity
            });
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket { tokens: capacity, at: now });
        let elapsed = (now - bucket.at).as_seconds_f64().max(0.0);
        bucket.tokens = (bucket.tokens + elapsed * rate).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Verdict::Allowed
        } else {
            let wait = ((1.0 - bucket.tokens) / rate).ceil();
            Verdict::Limited { retry_after: wait.max(1.0) as u64 }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use gaap_http::ManualClock;

    use super::*;
    use crate::config::Config;

    fn limiter(json: &str) -> (RateLimiter, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::at_unix(1_800_000_000));
        let config = Config::from_json(json).unwrap();
        (RateLimiter::new(&config.address, clock.clone()), clock)
    }

    #[test]
    fn a_key_over_its_limit_waits_for_the_bucket_to_refill() {
        let (l, clock) = limiter(r#"{"address": {"keys": [{"key": "a", "per_minute": 3}, {"key": "b"}]}}"#);
        for _ in 0..3 {
            assert_eq!(l.check("a"), Verdict::Allowed);
        }
        assert_eq!(l.check("a"), Verdict::Limited { retry_after: 20 });
        for _ in 0..100 {
            assert_eq!(l.check("b"), Verdict::Allowed);
        }
        assert_eq!(l.check("c"), Verdict::UnknownKey);
        clock.advance(Duration::from_secs(20));
        assert_eq!(l.check("a"), Verdict::Allowed);
        assert!(matches!(l.check("a"), Verdict::Limited { .. }));
    }

    #[test]
    fn without_keys_each_key_gets_the_default_allowance() {
        let (l, _) = limiter(r#"{"address": {"per_minute": 1}}"#);
        assert!(!l.keys_required());
        assert_eq!(l.check("x"), Verdict::Allowed);
        assert!(matches!(l.check("x"), Verdict::Limited { .. }));
        assert_eq!(l.check("y"), Verdict::Allowed);
    }
}
