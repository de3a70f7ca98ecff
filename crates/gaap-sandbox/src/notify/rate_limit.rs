//! Notify's limits: the per-key token bucket (`{service}-tokens-{key_type}`) and the daily send limits.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::store::NotifyData;
use super::{ApiError, KeyType, NotifyState, Result};

/// A token bucket on the sandbox clock.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(super) struct Bucket {
    pub(super) tokens: f64,
    #[serde(with = "time::serde::rfc3339")]
    pub(super) at: OffsetDateTime,
}

/// A daily send limit's channel, as Notify counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Channel {
    /// Emails.
    Email,
    /// Text messages to UK numbers.
    Sms,
    /// Text messages to international numbers (counted as texts too).
    InternationalSms,
    /// Letters.
    Letter,
}

impl Channel {
    /// The name in Notify's limit message and in the sandbox's daily counter key.
    fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
            Self::InternationalSms => "international_sms",
            Self::Letter => "letter",
        }
    }
}

pub(super) fn check_daily(
    state: &NotifyState,
    data: &mut NotifyData,
    key_type: KeyType,
    channel: Channel,
    now: OffsetDateTime,
) -> Result<()> {
    let limit = match channel {
        Channel::Email => state.cfg.daily_limits.email,
        Channel::Sms => state.cfg.daily_limits.sms,
        Channel::InternationalSms => state.cfg.daily_limits.international_sms,
        Channel::Letter => state.cfg.daily_limits.letter,
    };
    // A service in trial mode may send 50 emails or texts a day (docs `_limits.md`).
    let limit = if state.cfg.trial_mode
        && key_type != KeyType::Test
        && matches!(channel, Channel::Email | Channel::Sms)
    {
        limit.min(50)
    } else {
        limit
    };
    let group = if key_type == KeyType::Test { "test" } else { "live" };
    let channel = channel.as_str();
    let key = format!("{group}-{channel}-{}", now.date());
    let count = data.daily.entry(key).or_insert(0);
    if *count >= limit {
        return Err(ApiError::new(
            429,
            "TooManyRequestsError",
            &format!("Exceeded send limits ({channel}: {limit}) for today"),
        ));
    }
    *count += 1;
    Ok(())
}

impl NotifyState {
    /// Takes a token from the `{service}-tokens-{key_type}` bucket; false when empty.
    pub(super) fn take_token(
        &self,
        data: &mut NotifyData,
        key_type: KeyType,
        now: OffsetDateTime,
    ) -> bool {
        let rate = f64::from(self.cfg.rate_limit_per_minute);
        if rate <= 0.0 {
            return true;
        }
        // app/notifications/validators.py: refill rate/60 per second, bucket max min(ceil(rate/3)+1, 1000).
        let max = ((rate / 3.0).ceil() + 1.0).min(1000.0);
        let bucket = data.buckets.entry(key_type).or_insert(Bucket { tokens: max, at: now });
        let elapsed = (now - bucket.at).as_seconds_f64().max(0.0);
        bucket.tokens = (bucket.tokens + elapsed * rate / 60.0).min(max);
        bucket.at = now;
        if bucket.tokens < 1.0 {
            return false;
        }
        bucket.tokens -= 1.0;
        true
    }
}
