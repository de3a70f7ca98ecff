use serde::Deserialize;
use time::Date;

use super::vtr::LevelOfConfidence;

/// A verified core identity: the name and birth dates from the `coreIdentityJWT` credential.
///
/// Store these values, not the JWT; it is valid for 30 minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CoreIdentity {
    /// The subject, equal to the ID token's.
    pub sub: String,
    /// The level of confidence achieved (equal to the one requested).
    pub vot: LevelOfConfidence,
    /// Names; today only the current one, with no `valid_until`.
    pub names: Vec<Name>,
    /// Birth dates, most confident first.
    pub birth_dates: Vec<BirthDate>,
    /// The credential `type` list, as sent (not checked: docs and live data differ).
    pub credential_types: Vec<String>,
    /// Every claim in the payload, as sent.
    pub raw: serde_json::Map<String, serde_json::Value>,
}

impl CoreIdentity {
    /// The current name: the first without `valid_until`, else the first.
    #[must_use]
    pub fn current_name(&self) -> Option<&Name> {
        self.names.iter().find(|n| n.valid_until.is_none()).or_else(|| self.names.first())
    }

    /// The most confident birth date.
    #[must_use]
    pub fn birth_date(&self) -> Option<Date> {
        self.birth_dates.first().map(|b| b.value)
    }
}

/// One name with its validity.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Name {
    /// Valid from, when known.
    pub valid_from: Option<Date>,
    /// Valid until; `None` for the current name.
    pub valid_until: Option<Date>,
    /// The parts, in the order sent.
    pub parts: Vec<NamePart>,
}

impl Name {
    /// Given names joined with spaces, in order.
    #[must_use]
    pub fn given_names(&self) -> String {
        self.join(&NamePartKind::GivenName)
    }

    /// Family name parts joined with spaces, in order.
    #[must_use]
    pub fn family_name(&self) -> String {
        self.join(&NamePartKind::FamilyName)
    }

    fn join(&self, kind: &NamePartKind) -> String {
        let parts: Vec<&str> =
            self.parts.iter().filter(|p| &p.kind == kind).map(|p| p.value.as_str()).collect();
        parts.join(" ")
    }
}

/// One part of a name. No length or character-set limits apply.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NamePart {
    /// Given or family.
    pub kind: NamePartKind,
    /// The text, as sent.
    pub value: String,
}

gaap_http::open_enum! {
    /// The `type` of a name part; anything else is kept verbatim in `Unknown`.
    pub enum NamePartKind {
        /// `GivenName`.
        GivenName = "GivenName",
        /// `FamilyName`.
        FamilyName = "FamilyName",
    }
}

/// A birth date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BirthDate {
    /// The date.
    pub value: Date,
}

/// The `vc` member as sent; parsed leniently and then typed.
#[derive(Debug, Deserialize)]
pub(crate) struct RawVc {
    #[serde(default, rename = "type")]
    pub(crate) types: Vec<String>,
    #[serde(rename = "credentialSubject")]
    pub(crate) subject: RawSubject,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawSubject {
    #[serde(default)]
    pub(crate) name: Vec<RawName>,
    #[serde(default, rename = "birthDate")]
    pub(crate) birth_date: Vec<RawValue>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawName {
    #[serde(default, rename = "validFrom")]
    pub(crate) valid_from: Option<String>,
    #[serde(default, rename = "validUntil")]
    pub(crate) valid_until: Option<String>,
    #[serde(default, rename = "nameParts")]
    pub(crate) parts: Vec<RawNamePart>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawNamePart {
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) value: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawValue {
    pub(crate) value: String,
}

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

pub(crate) fn parse_date(value: &str) -> Option<Date> {
    Date::parse(value, DATE).ok()
}

impl Name {
    pub(crate) fn from_raw(raw: RawName) -> Option<Self> {
        let date = |d: Option<String>| d.map(|d| parse_date(&d).ok_or(())).transpose();
        Some(Self {
            valid_from: date(raw.valid_from).ok()?,
            valid_until: date(raw.valid_until).ok()?,
            parts: raw
                .parts
                .into_iter()
                .map(|p| NamePart { kind: NamePartKind::from(p.kind), value: p.value })
                .collect(),
        })
    }
}
