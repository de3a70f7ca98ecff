//! Phone numbers as Notify validates them (notifications-utils
//! `recipient_validation/phone_number.py` and `errors.py`), on libphonenumber metadata from the
//! `phonenumber` crate.
//!
//! The metadata version is pinned by the `phonenumber` crate version in `Cargo.lock`; results for
//! numbers in recently re-allocated ranges can differ from the Python `phonenumbers` release Notify
//! runs.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use phonenumber::metadata::DATABASE;
use phonenumber::{PhoneNumber as Parsed, Type, country};
use serde::Serialize;

use super::text::OBSCURE_FULL_WIDTH;
use super::text::OBSCURE_ZERO_WIDTH;
use super::text::is_py_space;

/// Why a number was rejected (`InvalidPhoneError.Codes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum PhoneErrorCode {
    /// Right length, wrong digits (for example a UK number starting `06`).
    InvalidNumber,
    /// Too many digits.
    TooLong,
    /// Too few digits.
    TooShort,
    /// International or landline without the service permission.
    NotAUkMobile,
    /// Something other than digits, whitespace and `( ) + -`.
    UnknownCharacter,
    /// A country code Notify cannot send to.
    UnsupportedCountryCode,
}

impl PhoneErrorCode {
    /// The message Notify's web interface shows (`ERROR_MESSAGES`).
    #[must_use]
    pub const fn message(self) -> &'static str {
        match self {
            Self::InvalidNumber => {
                "Number is not valid – double check the phone number you entered"
            }
            Self::TooLong => "Mobile number is too long",
            Self::TooShort => "Mobile number is too short",
            Self::NotAUkMobile => {
                "This does not look like a UK mobile number – double check the mobile number you entered"
            }
            Self::UnknownCharacter => {
                "Mobile numbers can only include: 0 1 2 3 4 5 6 7 8 9 ( ) + -"
            }
            Self::UnsupportedCountryCode => {
                "Country code not found - double check the mobile number you entered"
            }
        }
    }

    /// The message the v2 API returns (`LEGACY_V2_API_ERROR_MESSAGES`), as in
    /// `phone_number Not enough digits`.
    #[must_use]
    pub const fn api_message(self) -> &'static str {
        match self {
            Self::InvalidNumber => self.message(),
            Self::TooLong => "Too many digits",
            Self::TooShort => "Not enough digits",
            Self::NotAUkMobile => "Not a UK mobile number",
            Self::UnknownCharacter => "Must not contain letters or symbols",
            Self::UnsupportedCountryCode => "Not a valid country prefix",
        }
    }
}

/// A rejected phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}", .code.message())]
pub struct InvalidPhoneError {
    /// Why.
    pub code: PhoneErrorCode,
}

impl From<PhoneErrorCode> for InvalidPhoneError {
    fn from(code: PhoneErrorCode) -> Self {
        Self { code }
    }
}

/// Which numbers a service may text (its `international_sms` and `sms_to_uk_landlines`
/// permissions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PhonePermissions {
    /// May send to non-UK numbers.
    pub international: bool,
    /// May send to UK landlines.
    pub uk_landline: bool,
}

impl PhonePermissions {
    /// Both permissions on: what the API's schema stage checks.
    pub const ALL: Self = Self { international: true, uk_landline: true };
}

/// A number that parsed and passed Notify's checks.
#[derive(Clone)]
pub struct PhoneNumber {
    number: Parsed,
    kind: Type,
    region_gb: bool,
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PhoneNumber").field(&self.normalised()).finish()
    }
}

/// What Notify records about a number (`InternationalPhoneInfo`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhoneInfo {
    /// Not a GB number (Crown dependencies count as international).
    pub international: bool,
    /// Jersey, Guernsey or the Isle of Man.
    pub crown_dependency: bool,
    /// The billing prefix (`44`, `1664`, …).
    pub country_prefix: String,
    /// The billing multiplier from `international_billing_rates.yml` (1 for UK numbers).
    pub rate_multiplier: f64,
}

const BILLING: &str = include_str!("data/billing-prefixes.tsv");

fn billing() -> &'static [(&'static str, f64)] {
    static TABLE: OnceLock<Vec<(&'static str, f64)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        BILLING
            .lines()
            .filter_map(|line| {
                let (prefix, rate) = line.split_once('\t')?;
                Some((prefix, rate.parse().ok()?))
            })
            .collect()
    })
}

fn billing_rate(prefix: &str) -> Option<f64> {
    billing().iter().find(|(p, _)| *p == prefix).map(|(_, r)| *r)
}

fn is_allowed_char(c: char) -> bool {
    c.is_ascii_digit()
        || matches!(c, '(' | ')' | '-' | '+')
        || is_py_space(c)
        || OBSCURE_ZERO_WIDTH.contains(&c)
        || OBSCURE_FULL_WIDTH.contains(&c)
}

fn is_ignorable(c: char) -> bool {
    is_py_space(c) || OBSCURE_ZERO_WIDTH.contains(&c) || OBSCURE_FULL_WIDTH.contains(&c)
}

/// libphonenumber's `is_possible_number_with_reason` for type UNKNOWN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Possibility {
    Possible,
    LocalOnly,
    InvalidCountryCode,
    TooShort,
    InvalidLength,
    TooLong,
}

/// The general descriptor's possible lengths: libphonenumber's metadata build takes the union
/// of every number type's lengths (except no-international-dialling); the `phonenumber` crate
/// leaves the general descriptor's lists empty, so the union is computed here.
fn possible_lengths(meta: &phonenumber::Metadata) -> (Vec<u16>, Vec<u16>) {
    let d = meta.descriptors();
    let mut possible: Vec<u16> = d.general().possible_length().to_vec();
    let mut local: Vec<u16> = d.general().possible_local_length().to_vec();
    let kinds = [
        d.fixed_line(),
        d.mobile(),
        d.toll_free(),
        d.premium_rate(),
        d.shared_cost(),
        d.personal_number(),
        d.voip(),
        d.pager(),
        d.uan(),
        d.voicemail(),
    ];
    for desc in kinds.into_iter().flatten() {
        possible.extend(desc.possible_length());
        local.extend(desc.possible_local_length());
    }
    possible.sort_unstable();
    possible.dedup();
    local.sort_unstable();
    local.dedup();
    local.retain(|l| !possible.contains(l));
    (possible, local)
}

fn main_metadata(code: u16) -> Option<&'static phonenumber::Metadata> {
    let metas = DATABASE.by_code(&code)?;
    metas.iter().find(|m| m.is_main_country_for_code()).or_else(|| metas.first()).copied()
}

fn possibility(number: &Parsed) -> Possibility {
    let Some(meta) = main_metadata(number.code().value()) else {
        return Possibility::InvalidCountryCode;
    };
    let (possible, local) = possible_lengths(meta);
    let national = number.national().to_string();
    let len = u16::try_from(national.len()).unwrap_or(u16::MAX);
    let (Some(&min), Some(&max)) = (possible.first(), possible.last()) else {
        return Possibility::InvalidLength;
    };
    if local.contains(&len) {
        Possibility::LocalOnly
    } else if len == min {
        Possibility::Possible
    } else if len < min {
        Possibility::TooShort
    } else if len > max {
        Possibility::TooLong
    } else if possible.contains(&len) {
        Possibility::Possible
    } else {
        Possibility::InvalidLength
    }
}

/// A parsed number with its type, computed once (each metadata lookup runs many regexes).
struct Typed {
    number: Parsed,
    region: Option<&'static str>,
    kind: Type,
}

fn parse_lib(text: &str, region: Option<country::Id>) -> Option<Typed> {
    let number = phonenumber::parse(region, text).ok()?;
    let (region, kind) = region_and_type(&number);
    if kind != Type::Unknown {
        return Some(Typed { number, region, kind });
    }
    // libphonenumber also strips a national prefix written after the country code
    // (`+7 (8) 495 …`); the `phonenumber` crate does not, so retry without it.
    let code = number.code().value();
    let national = number.national().to_string();
    let prefix = main_metadata(code).and_then(|m| m.national_prefix())?;
    let stripped = national.strip_prefix(prefix).filter(|rest| rest.len() >= 2);
    let candidate = stripped
        .and_then(|rest| phonenumber::parse(None, format!("+{code}{rest}")).ok())
        .map(|n| {
            let (region, kind) = region_and_type(&n);
            Typed { number: n, region, kind }
        });
    match candidate {
        Some(c) if c.kind != Type::Unknown => Some(c),
        _ => Some(Typed { number, region, kind }),
    }
}

/// The metadata's patterns compiled once into plain `regex::Regex`es, keyed by the address of the
/// crate's (static) `CachedRegex`. The `phonenumber` crate looks every pattern up in a shared
/// cache by its source text on each use; this keeps the same patterns and matching rules but
/// skips that lookup.
fn compiled(re: &regex_cache::CachedRegex) -> Option<Arc<regex::Regex>> {
    static CACHE: OnceLock<RwLock<HashMap<usize, Option<Arc<regex::Regex>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| RwLock::new(HashMap::new()));
    let key = std::ptr::from_ref(re) as usize;
    if let Some(found) = cache.read().unwrap_or_else(PoisonError::into_inner).get(&key) {
        return found.clone();
    }
    // The crate builds every metadata pattern with `ignore_whitespace(true)`.
    // The crate builds every metadata pattern with `ignore_whitespace(true)` and accepts a
    // match only at the start, so anchoring gives the same answer without a full search.
    let built = regex::RegexBuilder::new(&format!("^(?:{})", re.as_str()))
        .ignore_whitespace(true)
        .build()
        .ok()
        .map(Arc::new);
    cache.write().unwrap_or_else(PoisonError::into_inner).insert(key, built.clone());
    built
}

/// `Descriptor::is_match`: the length is allowed and the pattern matches at the start.
fn descriptor_matches(desc: Option<&phonenumber::metadata::Descriptor>, value: &str) -> bool {
    let Some(desc) = desc else { return false };
    let lengths = desc.possible_length();
    if !lengths.is_empty() && !lengths.contains(&u16::try_from(value.len()).unwrap_or(u16::MAX)) {
        return false;
    }
    compiled(desc.national_number()).is_some_and(|re| re.is_match(value))
}

/// `validator::number_type` of the `phonenumber` crate, on the compiled patterns.
fn type_for(meta: &phonenumber::Metadata, value: &str) -> Type {
    let d = meta.descriptors();
    if !descriptor_matches(Some(d.general()), value) {
        return Type::Unknown;
    }
    let ordered = [
        (d.premium_rate(), Type::PremiumRate),
        (d.toll_free(), Type::TollFree),
        (d.shared_cost(), Type::SharedCost),
        (d.voip(), Type::Voip),
        (d.personal_number(), Type::PersonalNumber),
        (d.pager(), Type::Pager),
        (d.uan(), Type::Uan),
        (d.voicemail(), Type::Voicemail),
    ];
    if let Some((_, kind)) = ordered.iter().find(|(desc, _)| descriptor_matches(*desc, value)) {
        return *kind;
    }
    if descriptor_matches(d.fixed_line(), value) {
        let same_pattern = d.fixed_line().map(|x| x.national_number().as_str())
            == d.mobile().map(|x| x.national_number().as_str());
        if same_pattern || descriptor_matches(d.mobile(), value) {
            return Type::FixedLineOrMobile;
        }
        return Type::FixedLine;
    }
    if descriptor_matches(d.mobile(), value) {
        return Type::Mobile;
    }
    Type::Unknown
}

/// `validator::source_for` plus the type: the region's metadata and the number's type.
fn region_and_type(number: &Parsed) -> (Option<&'static str>, Type) {
    let code = number.code().value();
    let national = number.national().value().to_string();
    let Some(regions) = DATABASE.region(&code) else { return (None, Type::Unknown) };
    let meta = if regions.len() == 1 {
        match regions.first() {
            Some(&"001") => DATABASE.by_code(&code).and_then(|m| m.into_iter().next()),
            Some(id) => DATABASE.by_id(*id),
            None => None,
        }
    } else {
        regions.iter().filter_map(|id| DATABASE.by_id(*id)).find(|meta| {
            match meta.leading_digits() {
                Some(pattern) => compiled(pattern).is_some_and(|re| re.is_match(&national)),
                None => type_for(meta, &national) != Type::Unknown,
            }
        })
    };
    match meta {
        Some(meta) => (Some(meta.id()), type_for(meta, &national)),
        None => (None, Type::Unknown),
    }
}

fn is_tv_number(number: &Parsed) -> bool {
    // `re.match("7700[900000-900999]", national)`: the bracket is a character class, so any digit.
    let national = number.national().to_string();
    national.len() > 4 && national.starts_with("7700") && national.as_bytes()[4].is_ascii_digit()
}

fn parse_once(input: &str) -> Result<Typed, PhoneErrorCode> {
    if !input.chars().all(is_allowed_char) {
        return Err(PhoneErrorCode::UnknownCharacter);
    }
    if input.is_empty() {
        return Err(PhoneErrorCode::TooShort);
    }
    let compact: String = input.chars().filter(|c| !is_ignorable(*c)).collect();
    let number = parse_lib(&compact, Some(country::Id::GB)).ok_or(PhoneErrorCode::InvalidNumber)?;
    let number = match possibility(&number.number) {
        Possibility::Possible => number,
        reason => {
            let forced = parse_lib(&format!("+{compact}"), None).filter(|n| {
                matches!(possibility(&n.number), Possibility::Possible | Possibility::LocalOnly)
            });
            match forced {
                Some(n) => n,
                None => {
                    return Err(match reason {
                        Possibility::TooLong => PhoneErrorCode::TooLong,
                        Possibility::TooShort | Possibility::LocalOnly => PhoneErrorCode::TooShort,
                        Possibility::InvalidCountryCode => PhoneErrorCode::UnsupportedCountryCode,
                        _ => PhoneErrorCode::InvalidNumber,
                    });
                }
            }
        }
    };
    // `is_valid` is "the type is known"; the type must also be on Notify's allow-list.
    let allowed = matches!(
        number.kind,
        Type::FixedLine | Type::Mobile | Type::FixedLineOrMobile | Type::Uan | Type::PersonalNumber
    );
    if !(allowed || is_tv_number(&number.number)) {
        return Err(PhoneErrorCode::InvalidNumber);
    }
    Ok(number)
}

/// `_thoroughly_normalise_number`: drop every `+`, strip leading zeros, ASCII-downgrade.
fn thoroughly_normalise(input: &str) -> String {
    let without_plus: String = input.chars().filter(|c| *c != '+').collect();
    let trimmed = without_plus.trim_start_matches('0');
    let mut out = String::with_capacity(trimmed.len());
    for c in trimmed.chars() {
        if (' '..='~').contains(&c) {
            out.push(c);
        } else if let Some(r) = super::sms::replacement_for(c, true) {
            out.push_str(r);
        } else {
            out.push('?');
        }
    }
    out
}

impl PhoneNumber {
    /// Parses a number the way `PhoneNumber(s)` does: GB as the default region, one retry on a
    /// thoroughly normalised form (`0+44…`, `000007…`, `+07…`, unicode dashes), a forced
    /// international retry when the number is not possible, the allowed number types (premium
    /// rate is refused) and the OFCOM TV-number exception. Service permissions are not checked
    /// here: see [`PhoneNumber::validate`].
    ///
    /// # Errors
    /// The [`PhoneErrorCode`] Notify would report.
    pub fn parse(input: &str) -> Result<Self, InvalidPhoneError> {
        let Typed { number, region, kind } = match parse_once(input) {
            Ok(n) => n,
            Err(_) => parse_once(&thoroughly_normalise(input))?,
        };
        // Only +44 needs the region (GB or a Crown dependency); elsewhere it is never GB.
        let region_gb = number.code().value() == 44 && region == Some("GB");
        Ok(Self { number, kind, region_gb })
    }

    /// Applies a service's permissions (`PhoneNumber.validate`).
    ///
    /// # Errors
    /// `NotAUkMobile` for a non-UK number without `international` or a UK landline without
    /// `uk_landline`; `UnsupportedCountryCode` when Notify has no billing rate for the country.
    pub fn validate(&self, permissions: PhonePermissions) -> Result<(), InvalidPhoneError> {
        if !permissions.international && !self.is_uk() {
            return Err(PhoneErrorCode::NotAUkMobile.into());
        }
        if self.is_uk()
            && !permissions.uk_landline
            && matches!(self.kind, Type::FixedLine | Type::FixedLineOrMobile | Type::Uan)
        {
            return Err(PhoneErrorCode::NotAUkMobile.into());
        }
        if billing_rate(&self.number.code().value().to_string()).is_none() {
            return Err(PhoneErrorCode::UnsupportedCountryCode.into());
        }
        Ok(())
    }

    /// Whether the number starts `+44` (Crown dependencies included).
    #[must_use]
    pub fn is_uk(&self) -> bool {
        self.number.code().value() == 44
    }

    fn region_is_gb(&self) -> bool {
        self.region_gb
    }

    /// E.164 without the `+`: `447723456789`.
    #[must_use]
    pub fn normalised(&self) -> String {
        format!("{}{}", self.number.code().value(), self.number.national())
    }

    /// Not a GB number; TV numbers count as UK.
    #[must_use]
    pub fn is_international(&self) -> bool {
        !(self.region_is_gb() || is_tv_number(&self.number))
    }

    /// A Jersey, Guernsey or Isle of Man number.
    #[must_use]
    pub fn is_crown_dependency(&self) -> bool {
        !is_tv_number(&self.number) && self.is_uk() && !self.region_is_gb()
    }

    /// The billing prefix: the country code, or for +1 the four-digit area prefix when Notify
    /// bills it separately (`1664` for Montserrat).
    #[must_use]
    pub fn billing_prefix(&self) -> String {
        let code = self.number.code().value().to_string();
        if code == "1" {
            let e164 = self.normalised();
            if let Some(area) = e164.get(..4)
                && billing_rate(area).is_some()
            {
                return area.to_owned();
            }
        }
        code
    }

    /// `get_international_phone_info`.
    #[must_use]
    pub fn info(&self) -> PhoneInfo {
        let international = self.is_international();
        let prefix = self.billing_prefix();
        PhoneInfo {
            international,
            crown_dependency: self.is_crown_dependency(),
            rate_multiplier: if international { billing_rate(&prefix).unwrap_or(1.0) } else { 1.0 },
            country_prefix: prefix,
        }
    }
}

/// What the v2 API answers for a phone number sent by a service with `permissions`: the number,
/// or the API's message. The schema stage uses the legacy messages (`Not enough digits`); a
/// number outside the UK (Crown dependencies included) without the international permission is
/// refused with `Cannot send to international mobile numbers` (notifications-api
/// `check_if_service_can_send_to_number`); then the service permissions apply.
///
/// ```
/// use gaap_notify::rules::phone::{check_for_api, PhonePermissions};
/// let uk_only = PhonePermissions::default();
/// assert_eq!(check_for_api("+1 202 555 0104", uk_only).unwrap_err(), "Cannot send to international mobile numbers");
/// assert_eq!(check_for_api("0770090", uk_only).unwrap_err(), "Not enough digits");
/// assert_eq!(check_for_api("07723456789", uk_only).unwrap().normalised(), "447723456789");
/// ```
///
/// # Errors
/// The API's message.
pub fn check_for_api(
    input: &str,
    permissions: PhonePermissions,
) -> Result<PhoneNumber, &'static str> {
    let number = PhoneNumber::parse(input).map_err(|e| e.code.api_message())?;
    if number.is_international() && !permissions.international {
        return Err("Cannot send to international mobile numbers");
    }
    number.validate(permissions).map_err(|e| e.code.api_message())?;
    Ok(number)
}

/// Parses and applies permissions in one go; returns the normalised number.
///
/// ```
/// use gaap_notify::rules::phone::{validate_phone_number, PhonePermissions, PhoneErrorCode};
/// assert_eq!(validate_phone_number("+44 (0)7723 456 789", PhonePermissions::default()).unwrap(), "447723456789");
/// let err = validate_phone_number("0772345678910", PhonePermissions::default()).unwrap_err();
/// assert_eq!(err.code, PhoneErrorCode::TooLong);
/// assert_eq!(err.code.api_message(), "Too many digits");
/// ```
///
/// # Errors
/// The [`PhoneErrorCode`] Notify would report.
pub fn validate_phone_number(
    input: &str,
    permissions: PhonePermissions,
) -> Result<String, InvalidPhoneError> {
    let number = PhoneNumber::parse(input)?;
    number.validate(permissions)?;
    Ok(number.normalised())
}
