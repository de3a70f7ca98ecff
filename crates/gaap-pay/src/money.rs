//! Money as integer pence. Never a float.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The largest payment or refund amount Pay accepts: 10 000 000 pence (£100 000).
pub const MAX_AMOUNT: i64 = 10_000_000;
/// The smallest payment amount a Stripe account accepts, in pence.
pub const STRIPE_MIN_AMOUNT: i64 = 30;

/// An amount of money in pence (GBP). It serialises as a bare JSON integer, as Pay sends it.
///
/// It is signed because Pay reports some amounts below zero (a dispute's `net_amount`).
/// Display gives pounds and pence as GOV.UK's style guide writes money, with a comma between thousands:
/// `£12.34`, `£1,680.00`, `-£0.05`. It is the one money format of gaap's pages (the sandbox's card pages and the
/// example services use it).
///
/// ```
/// use gaap_pay::Money;
/// assert_eq!(Money::from_pence(1234).to_string(), "£12.34");
/// assert_eq!(Money::from_pence(168_000).to_string(), "£1,680.00");
/// assert_eq!(Money::from_pence(-5).to_string(), "-£0.05");
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    /// Zero pence.
    pub const ZERO: Self = Self(0);

    /// An amount of `pence`.
    #[must_use]
    pub const fn from_pence(pence: i64) -> Self {
        Self(pence)
    }

    /// The amount in pence.
    #[must_use]
    pub const fn pence(self) -> i64 {
        self.0
    }

    /// `self - other`, or `None` on overflow.
    #[must_use]
    pub const fn checked_sub(self, other: Self) -> Option<Self> {
        match self.0.checked_sub(other.0) {
            Some(v) => Some(Self(v)),
            None => None,
        }
    }

    /// `self + other`, or `None` on overflow.
    #[must_use]
    pub const fn checked_add(self, other: Self) -> Option<Self> {
        match self.0.checked_add(other.0) {
            Some(v) => Some(Self(v)),
            None => None,
        }
    }

    /// Whether Pay accepts this as a payment amount: 1..=10 000 000, or 0 when the account allows zero amounts.
    #[must_use]
    pub const fn is_valid_payment_amount(self, zero_allowed: bool) -> bool {
        (self.0 >= 1 || (zero_allowed && self.0 == 0)) && self.0 <= MAX_AMOUNT
    }

    /// Whether Pay accepts this as a refund amount: 1..=10 000 000.
    #[must_use]
    pub const fn is_valid_refund_amount(self) -> bool {
        self.0 >= 1 && self.0 <= MAX_AMOUNT
    }
}

impl From<u32> for Money {
    fn from(pence: u32) -> Self {
        Self(i64::from(pence))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let pounds = (abs / 100).to_string();
        f.write_str(sign)?;
        f.write_str("£")?;
        for (index, digit) in pounds.char_indices() {
            if index > 0 && (pounds.len() - index).is_multiple_of(3) {
                f.write_str(",")?;
            }
            write!(f, "{digit}")?;
        }
        write!(f, ".{:02}", abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_pounds_and_pence() {
        assert_eq!(Money::from_pence(0).to_string(), "£0.00");
        assert_eq!(Money::from_pence(7).to_string(), "£0.07");
        assert_eq!(Money::from_pence(1234).to_string(), "£12.34");
        assert_eq!(Money::from_pence(99_999).to_string(), "£999.99");
        assert_eq!(Money::from_pence(100_000).to_string(), "£1,000.00");
        assert_eq!(Money::from_pence(168_000).to_string(), "£1,680.00");
        assert_eq!(Money::from_pence(10_000_000).to_string(), "£100,000.00");
        assert_eq!(Money::from_pence(100_000_000).to_string(), "£1,000,000.00");
        assert_eq!(Money::from_pence(-1050).to_string(), "-£10.50");
        assert_eq!(Money::from_pence(-123_456).to_string(), "-£1,234.56");
        assert_eq!(Money::from_pence(i64::MIN).to_string(), "-£92,233,720,368,547,758.08");
    }

    proptest::proptest! {
        #[test]
        fn display_groups_thousands_and_reads_back(pence in proptest::prelude::any::<i64>()) {
            let text = Money::from_pence(pence).to_string();
            let (negative, rest) = match text.strip_prefix("-£") {
                Some(rest) => (true, rest),
                None => (false, text.strip_prefix('£').unwrap_or("?")),
            };
            proptest::prop_assert_eq!(negative, pence < 0);
            let (pounds, pennies) = rest.split_once('.').unwrap_or(("?", "?"));
            proptest::prop_assert_eq!(pennies.len(), 2);
            // Groups of three after the first group of one to three digits.
            let groups: Vec<&str> = pounds.split(',').collect();
            proptest::prop_assert!((1..=3).contains(&groups[0].len()), "{}", text);
            proptest::prop_assert!(groups[1..].iter().all(|g| g.len() == 3), "{}", text);
            let digits: String = groups.concat();
            let value = u128::from(digits.parse::<u64>().unwrap_or(u64::MAX)) * 100
                + u128::from(pennies.parse::<u8>().unwrap_or(u8::MAX));
            proptest::prop_assert_eq!(value, u128::from(pence.unsigned_abs()));
        }
    }

    #[test]
    fn limits_follow_pay() {
        assert!(Money::from_pence(1).is_valid_payment_amount(false));
        assert!(Money::from_pence(MAX_AMOUNT).is_valid_payment_amount(false));
        assert!(!Money::from_pence(MAX_AMOUNT + 1).is_valid_payment_amount(false));
        assert!(!Money::from_pence(0).is_valid_payment_amount(false));
        assert!(Money::from_pence(0).is_valid_payment_amount(true));
        assert!(!Money::from_pence(-1).is_valid_payment_amount(true));
        assert!(!Money::from_pence(0).is_valid_refund_amount());
    }

    #[test]
    fn serialises_as_integer() {
        assert_eq!(serde_json::to_string(&Money::from_pence(1234)).ok().as_deref(), Some("1234"));
        let m: Money = serde_json::from_str("-42").unwrap_or_default();
        assert_eq!(m.pence(), -42);
        assert!(serde_json::from_str::<Money>("12.5").is_err());
    }
}
