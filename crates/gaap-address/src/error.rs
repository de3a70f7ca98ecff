//! Errors, split by where they happened.

use std::fmt;

/// Why a string is not a postcode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PostcodeError {
    /// Nothing but whitespace.
    #[error("postcode is empty")]
    Empty,
    /// Fewer than five characters.
    #[error("postcode is too short")]
    TooShort,
    /// More than seven characters (outside the special forms).
    #[error("postcode is too long")]
    TooLong,
    /// A character that never appears in a postcode.
    #[error("postcode contains an invalid character {0:?}")]
    InvalidCharacter(char),
    /// The outward code is not `A9`, `A99`, `AA9`, `AA99`, `A9A` or `AA9A`.
    #[error("postcode outward code is not in a valid format")]
    BadOutward,
    /// The inward code is not a digit followed by two letters.
    #[error("postcode inward code must be a digit followed by two letters")]
    BadInward,
    /// A letter the Royal Mail rules forbid in that position.
    #[error("postcode has the letter {letter:?}, which is not used in the {position} position")]
    BadLetter {
        /// Which position: `first`, `second`, `sub-district` or `unit`.
        position: &'static str,
        /// The offending letter.
        letter: char,
    },
}

/// Why a string is not a UPRN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UprnError {
    /// Empty input.
    #[error("UPRN is empty")]
    Empty,
    /// A character other than an ASCII digit.
    #[error("UPRN must contain only digits")]
    NotDigits,
    /// More than 12 significant digits.
    #[error("UPRN has more than 12 digits")]
    TooLong,
    /// Zero is not a UPRN.
    #[error("UPRN must not be zero")]
    Zero,
}

/// Everything else that can fail in this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A bad setting (API key, base URL, threshold...).
    #[error("configuration error: {0}")]
    Config(String),
    /// A postcode argument was not a postcode.
    #[error(transparent)]
    Postcode(#[from] PostcodeError),
    /// A UPRN argument was not a UPRN.
    #[error(transparent)]
    Uprn(#[from] UprnError),
    /// Reading or writing a file failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// An input file (CSV, JSON) could not be read as the stated format.
    #[error("bad input at {location}: {message}")]
    Input {
        /// File and line or record.
        location: String,
        /// What was wrong.
        message: String,
    },
    /// A saved index file is corrupt, truncated or from another version.
    #[error("bad index file: {0}")]
    IndexFormat(String),
    /// The HTTP request could not be sent or the connection failed.
    #[cfg(feature = "os-places")]
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// The request timed out.
    #[cfg(feature = "os-places")]
    #[error("request timed out: {0}")]
    Timeout(#[source] reqwest::Error),
    /// The API answered with an error status.
    #[error("OS Places API error {status}: {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// The `error.message` or `fault.faultstring`, or the raw body.
        message: String,
        /// The raw response body.
        body: String,
    },
    /// The local limiter refused the call: the 600-per-minute budget is spent.
    #[error("rate limit reached; retry in {retry_after:?}")]
    RateLimited {
        /// How long until a slot frees up.
        retry_after: std::time::Duration,
    },
    /// The response body was not the expected JSON.
    #[error("could not decode the response: {source}")]
    Decode {
        /// The parse error.
        source: serde_json::Error,
        /// The body, kept for diagnosis.
        body: String,
    },
}

impl Error {
    pub(crate) fn io(path: impl fmt::Display, source: std::io::Error) -> Self {
        Self::Io { path: path.to_string(), source }
    }

    pub(crate) fn input(location: impl fmt::Display, message: impl fmt::Display) -> Self {
        Self::Input { location: location.to_string(), message: message.to_string() }
    }
}

impl PostcodeError {
    /// This error told about the text it was found in: the text itself, and what in it is wrong,
    /// for a person who typed it ("\"NOT A POSTCODE\" is not a postcode: it has 12 letters and
    /// digits, where a postcode has 5 to 7").
    ///
    /// ```
    /// use gaap_address::Postcode;
    /// let err = Postcode::parse("NOT A POSTCODE").unwrap_err();
    /// assert_eq!(
    ///     err.describe("NOT A POSTCODE"),
    ///     "\"NOT A POSTCODE\" is not a postcode: it has 12 letters and digits, where a postcode has 5 to 7"
    /// );
    /// ```
    #[must_use]
    pub fn describe(&self, input: &str) -> String {
        let compact: String =
            input.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect();
        let count = compact.chars().filter(char::is_ascii_alphanumeric).count();
        let split = compact.len().saturating_sub(3);
        let (outward, inward) =
            compact.split_at(if compact.is_char_boundary(split) { split } else { 0 });
        let why = match self {
            Self::Empty => "it has no letters or digits; a postcode has 5 to 7".to_owned(),
            Self::TooShort | Self::TooLong => {
                let what = if count == 1 { "letter or digit" } else { "letters and digits" };
                format!("it has {count} {what}, where a postcode has 5 to 7")
            }
            Self::InvalidCharacter(c) => {
                format!("it contains {c:?}; a postcode has only letters, digits and a space")
            }
            Self::BadOutward => format!(
                "its first part {outward:?} is not an outward code \
                 (a letter or two, then a digit, then a digit or letter or nothing)"
            ),
            Self::BadInward => {
                format!(
                    "its last three characters {inward:?} are not a digit followed by two letters"
                )
            }
            Self::BadLetter { position, letter } => {
                format!("{letter:?} is not used in the {position} position of a postcode")
            }
        };
        format!("{input:?} is not a postcode: {why}")
    }
}
