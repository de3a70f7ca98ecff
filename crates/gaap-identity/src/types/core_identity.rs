use serde::ser::SerializeMap as _;
use serde::{Deserialize, Serialize, Serializer};
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

impl Name {
    /// A current name (no validity dates) of these parts.
    #[must_use]
    pub fn new(parts: Vec<NamePart>) -> Self {
        Self { valid_from: None, valid_until: None, parts }
    }
}

impl NamePart {
    /// A name part.
    #[must_use]
    pub fn new(kind: NamePartKind, value: impl Into<String>) -> Self {
        Self { kind, value: value.into() }
    }
}

impl BirthDate {
    /// A birth date.
    #[must_use]
    pub fn new(value: Date) -> Self {
        Self { value }
    }

    /// Reads `YYYY-MM-DD`, as the credential writes it; `None` for anything else.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        parse_date(text).map(Self::new)
    }
}

/// The core identity credential, the `vc` claim of the `coreIdentityJWT`, as a provider builds it:
/// `{"type": [...], "credentialSubject": {"name": [...], "birthDate": [...]}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityCredential {
    types: Vec<String>,
    names: Vec<Name>,
    birth_dates: Vec<BirthDate>,
}

impl IdentityCredential {
    /// A `VerifiableCredential`, `IdentityCheckCredential` with these names and birth dates.
    #[must_use]
    pub fn new(names: Vec<Name>, birth_dates: Vec<BirthDate>) -> Self {
        let types = vec!["VerifiableCredential".to_owned(), "IdentityCheckCredential".to_owned()];
        Self { types, names, birth_dates }
    }
}

impl Serialize for IdentityCredential {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Subject<'a> {
            name: &'a [Name],
            #[serde(rename = "birthDate")]
            birth_date: &'a [BirthDate],
        }
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("type", &self.types)?;
        let subject = Subject { name: &self.names, birth_date: &self.birth_dates };
        map.serialize_entry("credentialSubject", &subject)?;
        map.end()
    }
}

/// A date as the credential writes it, `YYYY-MM-DD`.
fn date_text<E: serde::ser::Error>(date: Date) -> Result<String, E> {
    date.format(DATE).map_err(E::custom)
}

/// `{"validFrom"?, "validUntil"?, "nameParts": [...]}`.
impl Serialize for Name {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(from) = self.valid_from {
            map.serialize_entry("validFrom", &date_text::<S::Error>(from)?)?;
        }
        if let Some(until) = self.valid_until {
            map.serialize_entry("validUntil", &date_text::<S::Error>(until)?)?;
        }
        map.serialize_entry("nameParts", &self.parts)?;
        map.end()
    }
}

/// `{"value": …, "type": …}`.
impl Serialize for NamePart {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("value", &self.value)?;
        map.serialize_entry("type", &self.kind)?;
        map.end()
    }
}

/// `{"value": "YYYY-MM-DD"}`.
impl Serialize for BirthDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("value", &date_text::<S::Error>(self.value)?)?;
        map.end()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_built_credential_serialises_in_the_credential_shape() {
        let born = parse_date("1955-04-19").unwrap();
        let vc = IdentityCredential::new(
            vec![Name::new(vec![
                NamePart::new(NamePartKind::GivenName, "GEOFFREY"),
                NamePart::new(NamePartKind::FamilyName, "HEARNSHAW"),
            ])],
            vec![BirthDate::new(born)],
        );
        assert_eq!(
            serde_json::to_value(&vc).unwrap(),
            serde_json::json!({
                "type": ["VerifiableCredential", "IdentityCheckCredential"],
                "credentialSubject": {
                    "name": [{"nameParts": [{"value": "GEOFFREY", "type": "GivenName"},
                                            {"value": "HEARNSHAW", "type": "FamilyName"}]}],
                    "birthDate": [{"value": "1955-04-19"}],
                },
            })
        );
        let mut old = Name::new(Vec::new());
        old.valid_until = Some(born);
        assert_eq!(serde_json::to_value(&old).unwrap()["validUntil"], "1955-04-19");
    }
}
