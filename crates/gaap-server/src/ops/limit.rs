//! Per-key rate limits: a token bucket per key, refilled continuously from the injected clock, so a key
//! allowed N a minute may burst N and then make one request every 60/N seconds.
//!
//! When no keys are configured, any key value gets its own bucket, so made-up keys must not cost memory or
//! time without bound: buckets are held by a keyed hash of the key (a few dozen bytes each, however long the
//! key), swept of full buckets when their number doubles (so a sweep costs O(1) a request on average), and
//! never more than [`MAX_BUCKETS`]; past that a new key waits like a key that has spent its allowance.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::Mutex;

use gaap_http::SharedClock;
use time::OffsetDateTime;

use crate::config::AddressConfig;

/// The first sweep of full buckets happens at this many.
const SWEEP_AT: usize = 10_000;
/// The most buckets held at once.
const MAX_BUCKETS: usize = 100_000;

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
    /// Hashes keys for `buckets`, with a key of its own per process.
    hasher: RandomState,
    buckets: Mutex<Buckets>,
}

#[derive(Debug)]
struct Buckets {
    by_key: HashMap<u64, Bucket>,
    /// Sweep when `by_key` reaches this many.
    sweep_at: usize,
    /// When the last sweep ran: with the table full, a sweep runs at most once per token's refill time,
    /// since only time turns a spent bucket full.
    swept: Option<OffsetDateTime>,
}

/// What the limiter says of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Allowed,
    /// Over the limit: retry after this many seconds.
    Limited {
        retry_after: u64,
    },
    /// Keys are configured and this is not one of them.
    UnknownKey,
}

impl RateLimiter {
    pub(crate) fn new(config: &AddressConfig, clock: SharedClock) -> Self {
        let listed =
            config.keys.iter().map(|k| (k.key.expose().to_owned(), k.per_minute)).collect();
        Self {
            clock,
            listed,
            unlisted: config.per_minute,
            hasher: RandomState::new(),
            buckets: Mutex::new(Buckets {
                by_key: HashMap::new(),
                sweep_at: SWEEP_AT,
                swept: None,
            }),
        }
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
                let same: bool = subtle::ConstantTimeEq::ct_eq(k.as_bytes(), key.as_bytes()).into();
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
        let id = self.hasher.hash_one(key);
        let Ok(mut buckets) = self.buckets.lock() else { return Verdict::Allowed };
        let buckets = &mut *buckets;
        if !buckets.by_key.contains_key(&id) {
            let full = buckets.by_key.len() >= MAX_BUCKETS;
            let refilled = buckets.swept.is_none_or(|t| (now - t).as_seconds_f64() * rate >= 1.0);
            if buckets.by_key.len() >= buckets.sweep_at && (!full || refilled) {
                buckets.swept = Some(now);
                // A full bucket is the same as no bucket.
                buckets.by_key.retain(|_, b| {
                    (now - b.at).as_seconds_f64().max(0.0).mul_add(rate, b.tokens) < capacity
                });
                buckets.sweep_at = (buckets.by_key.len() * 2).clamp(SWEEP_AT, MAX_BUCKETS);
            }
            if buckets.by_key.len() >= MAX_BUCKETS {
                return Verdict::Limited { retry_after: (60 / per_minute.max(1)).max(1).into() };
            }
        }
        let bucket = buckets.by_key.entry(id).or_insert(Bucket { tokens: capacity, at: now });
        let elapsed = (now - bucket.at).as_seconds_f64().max(0.0);
        bucket.tokens = elapsed.mul_add(rate, bucket.tokens).min(capacity);
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
        let (l, clock) =
            limiter(r#"{"address": {"keys": [{"key": "a", "per_minute": 3}, {"key": "b"}]}}"#);
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

    #[test]
    fn made_up_keys_are_bounded_in_number_and_size() {
        let (l, clock) = limiter(r#"{"address": {"per_minute": 1}}"#);
        let long = "k".repeat(100_000);
        assert_eq!(l.check(&long), Verdict::Allowed);
        assert!(matches!(l.check(&long), Verdict::Limited { .. }));
        // Every bucket is partly spent, so none can be swept: the table fills up, then new keys wait.
        for i in 0..MAX_BUCKETS {
            let _ = l.check(&i.to_string());
        }
        let held = l.buckets.lock().unwrap().by_key.len();
        assert_eq!(held, MAX_BUCKETS);
        assert_eq!(l.check("one more"), Verdict::Limited { retry_after: 60 });
        assert_eq!(l.check("and another"), Verdict::Limited { retry_after: 60 });
        let swept = l.buckets.lock().unwrap().swept;
        clock.advance(Duration::from_secs(59));
        assert_eq!(l.check("yet another"), Verdict::Limited { retry_after: 60 });
        assert_eq!(l.buckets.lock().unwrap().swept, swept, "no sweep can free a bucket yet");
        clock.advance(Duration::from_secs(1));
        // A minute on, every bucket is full again and the sweep empties the table.
        assert_eq!(l.check("one more"), Verdict::Allowed);
        assert_eq!(l.buckets.lock().unwrap().by_key.len(), 1);
    }
}
