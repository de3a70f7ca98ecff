//! The client-side token bucket on a manual clock (no real sleeping).

use std::sync::Arc;
use std::time::Duration;

use gaap_http::ManualClock;
use gaap_notify::TokenBucket;

#[test]
fn bucket_allows_3000_then_refills_at_50_per_second() {
    let clock = Arc::new(ManualClock::at_unix(1_795_000_000));
    let bucket = TokenBucket::notify_default(clock.clone());
    for _ in 0..3_000 {
        assert!(bucket.try_acquire().is_ok());
    }
    let wait = bucket.try_acquire().unwrap_err();
    assert_eq!(wait, Duration::from_millis(20));
    clock.advance(Duration::from_millis(20));
    assert!(bucket.try_acquire().is_ok());
    assert!(bucket.try_acquire().is_err());
    clock.advance(Duration::from_secs(60));
    let mut taken = 0;
    while bucket.try_acquire().is_ok() {
        taken += 1;
    }
    assert_eq!(taken, 3_000, "refill is capped at the bucket size");
}
