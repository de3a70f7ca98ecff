//! Unique Property Reference Numbers.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::UprnError;

/// A UPRN: a positive integer of up to 12 digits. Zero-padded input (`000000199356`) is accepted; it is
/// rendered without padding. Serialises as a JSON number.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uprn(u64);

impl Uprn {
    /// The largest UPRN: twelve nines.
    pub const MAX: u64 = 999_999_999_999;

    /// Parses decimal digits, surrounding whitespace allowed.
    ///
    /// # Errors
    /// [`UprnError`] when the input is empty, has a non-digit, has more than 12 significant digits or is zero.
    pub fn parse(input: &str) -> Result<Self, UprnError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(UprnError::Empty);
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(UprnError::NotDigits);
        }
        let significant = s.trim_start_matches('0');
        if significant.len() > 12 {
            return Err(UprnError::TooLong);
        }
        if significant.is_empty() {
            return Err(UprnError::Zero);
        }
        significant.parse::<u64>().map(Self).map_err(|_| UprnError::TooLong)
    }

    /// From an integer.
    ///
    /// # Errors
    /// [`UprnError`] when zero or above [`Uprn::MAX`].
    pub const fn new(value: u64) -> Result<Self, UprnError> {
        match value {
            0 => Err(UprnError::Zero),
            v if v > Self::MAX => Err(UprnError::TooLong),
            v => Ok(Self(v)),
        }
    }

    /// From a value the index has already checked.
    pub(crate) const fn checked_before(value: u64) -> Self {
        Self(value)
    }

    /// The integer value.
    #[must_use]
    pub const fn get(self) -> u64 {
        self.0
    }

    /// Zero-padded to 12 digits, as some publishers write it.
    #[must_use]
    pub fn padded(self) -> String {
        format!("{:012}", self.0)
    }
}

impl fmt::Display for Uprn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Debug for Uprn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uprn({})", self.0)
    }
}

impl FromStr for Uprn {
    type Err = UprnError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Uprn {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

impl<'de> Deserialize<'de> for Uprn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // OS Places sends UPRNs as strings; gaap JSON as numbers. Accept both.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Num(u64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Num(n) => Self::new(n),
            Raw::Text(s) => Self::parse(&s),
        }
        .map_err(serde::de::Error::custom)
    }
}
