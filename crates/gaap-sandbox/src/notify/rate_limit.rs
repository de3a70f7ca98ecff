//! Notify's limits: the per-key token bucket (`{service}-tokens-{key_type}`) and the daily send limits.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, OffsetDateTime};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

    const ALL: [Self; 4] = [Self::Email, Self::Sms, Self::InternationalSms, Self::Letter];
}

/// Whose sends a daily counter holds: test keys count apart from live and team keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum KeyGroup {
    Live,
    Test,
}

impl KeyGroup {
    fn of(key_type: KeyType) -> Self {
        if key_type == KeyType::Test { Self::Test } else { Self::Live }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Test => "test",
        }
    }
}

/// One day's send counter for a key group and channel, kept in the state as `{group}-{channel}-{day}`
/// (`live-international_sms-2026-11-22`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct DailyKey {
    group: KeyGroup,
    channel: Channel,
    day: Date,
}

impl fmt::Display for DailyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{}", self.group.as_str(), self.channel.as_str(), self.day)
    }
}

impl DailyKey {
    /// Reads the state's form back; `None` for anything [`DailyKey`]'s `Display` does not write.
    fn parse(text: &str) -> Option<Self> {
        let (group, rest) = text.split_once('-')?;
        let (channel, day) = rest.split_once('-')?;
        let group = [KeyGroup::Live, KeyGroup::Test].into_iter().find(|g| g.as_str() == group)?;
        let channel = Channel::ALL.into_iter().find(|c| c.as_str() == channel)?;
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let day = Date::parse(day, format).ok()?;
        Some(Self { group, channel, day })
    }
}

impl Serialize for DailyKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DailyKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "daily counter {text:?} is not {{live|test}}-{{channel}}-{{YYYY-MM-DD}}"
            ))
        })
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
    let key = DailyKey { group: KeyGroup::of(key_type), channel, day: now.date() };
    let count = data.daily.entry(key).or_insert(0);
    if *count >= limit {
        return Err(ApiError::new(
            429,
            "TooManyRequestsError",
            &format!("Exceeded send limits ({}: {limit}) for today", channel.as_str()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daily_keys_keep_the_state_files_form() {
        let key = DailyKey {
            group: KeyGroup::of(KeyType::Team),
            channel: Channel::InternationalSms,
            day: time::macros::date!(2026 - 11 - 22),
        };
        assert_eq!(serde_json::to_string(&key).unwrap(), r#""live-international_sms-2026-11-22""#);
        let read: DailyKey = serde_json::from_str(r#""test-letter-2026-01-05""#).unwrap();
        assert_eq!(read.group, KeyGroup::Test);
        assert_eq!(read.channel, Channel::Letter);
        let err = serde_json::from_str::<DailyKey>(r#""team-sms-2026-01-05""#).unwrap_err();
        assert!(err.to_string().contains("is not {live|test}-{channel}-{YYYY-MM-DD}"), "{err}");
        assert!(DailyKey::parse("live-fax-2026-01-05").is_none());
        assert!(DailyKey::parse("live-sms-2026-13-05").is_none());
        assert!(DailyKey::parse("live-sms").is_none());
    }

    proptest::proptest! {
        /// Every key reads back as itself, and no text makes the parser panic.
        #[test]
        fn daily_keys_round_trip(
            test in proptest::bool::ANY,
            channel in 0usize..4,
            julian in 2_415_021i32..5_373_484,
            noise in "\\PC{0,40}",
        ) {
            let day = Date::from_julian_day(julian).unwrap();
            let group = if test { KeyGroup::Test } else { KeyGroup::Live };
            let key = DailyKey { group, channel: Channel::ALL[channel], day };
            proptest::prop_assert_eq!(DailyKey::parse(&key.to_string()), Some(key));
            let _ = DailyKey::parse(&noise);
        }
    }
}
