//! Phone numbers as Notify validates them (notifications-utils
//! `recipient_validation/phone_number.py` and `errors.py`), on libphonenumber metadata from the
//! `phonenumber` crate. Numbers are parsed as libphonenumber's `parse` does (for the characters
//! Notify allows), not with the crate's own parser, which differs from it.
//!
//! The metadata version is pinned by the `phonenumber` crate version in `Cargo.lock`; results for
//! numbers in recently re-allocated ranges can differ from the Python `phonenumbers` release Notify
//! runs.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use phonenumber::Type;
use phonenumber::metadata::{DATABASE, Descriptor};
use regex::{Regex, RegexBuilder};
use serde::Serialize;

use super::text::OBSCURE_FULL_WIDTH;
use super::text::OBSCURE_ZERO_WIDTH;

mod parse;

use parse::{fast_path_compact, parse_lib, uk_mobile_national};

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
    code: u16,
    /// The national number as the `phonenumber` crate prints it (leading zeros kept).
    national: String,
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

fn billing_rate(prefix: &str) -> Option<f64> {
    static TABLE: OnceLock<HashMap<&'static str, f64>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table = HashMap::new();
        for line in BILLING.lines() {
            if let Some((prefix, rate)) = line.split_once('\t')
                && let Ok(rate) = rate.parse()
            {
                // The first line for a prefix wins.
                table.entry(prefix).or_insert(rate);
            }
        }
        table
    });
    table.get(prefix).copied()
}

/// Notify's `ALL_WHITESPACE`: Python's `string.whitespace` (ASCII only) and the obscure spaces.
fn is_notify_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
        || OBSCURE_ZERO_WIDTH.contains(&c)
        || OBSCURE_FULL_WIDTH.contains(&c)
}

/// `_raise_if_phone_number_contains_invalid_characters`: digits, `( ) - +` and `ALL_WHITESPACE`.
fn is_allowed_char(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '(' | ')' | '-' | '+') || is_notify_whitespace(c)
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

/// A metadata pattern compiled into a plain `regex::Regex` that matches at the start, as
/// Python's `re.match` (`None` if it does not compile, which then never matches). The crate
/// builds every pattern with `ignore_whitespace(true)`; the metadata has no meaningful spaces.
fn compile(pattern: &str) -> Option<Regex> {
    RegexBuilder::new(&format!("^(?:{pattern})")).ignore_whitespace(true).build().ok()
}

/// A metadata pattern that must match the whole value (libphonenumber's
/// `_match_national_number` without a prefix match).
fn compile_full(pattern: &str) -> Option<Regex> {
    RegexBuilder::new(&format!("^(?:{pattern})$")).ignore_whitespace(true).build().ok()
}

/// A number-type descriptor with its pattern compiled.
struct Desc {
    lengths: Vec<u16>,
    pattern: Option<Regex>,
}

impl Desc {
    fn new(desc: &'static Descriptor) -> Self {
        Self {
            lengths: desc.possible_length().to_vec(),
            pattern: compile_full(desc.national_number().as_str()),
        }
    }

    /// `_is_number_matching_desc`: the length is allowed and the pattern matches the whole value.
    fn matches(&self, value: &str) -> bool {
        let len = u16::try_from(value.len()).unwrap_or(u16::MAX);
        (self.lengths.is_empty() || self.lengths.contains(&len))
            && self.pattern.as_ref().is_some_and(|re| re.is_match(value))
    }
}

/// How a region is picked among those sharing a country code (`validator::source_for`).
enum Selector {
    /// Its `leadingDigits` pattern matches (`None`: it does not compile, so never matches).
    LeadingDigits(Option<Regex>),
    /// Without the pattern: the number has a known type there.
    KnownType,
}

/// One region's metadata with the patterns `validator::number_type` and `source_for` use,
/// compiled once (the crate looks each pattern up in a shared cache by its text on every use).
struct Region {
    id: &'static str,
    selector: Selector,
    general: Desc,
    /// Tried in this order before fixed line and mobile.
    ordered: Vec<(Desc, Type)>,
    fixed_line: Option<Desc>,
    mobile: Option<Desc>,
    /// Fixed line and mobile have the same pattern.
    same_pattern: bool,
}

impl Region {
    fn new(meta: &'static phonenumber::Metadata) -> Self {
        let d = meta.descriptors();
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
        Self {
            id: meta.id(),
            selector: meta
                .leading_digits()
                .map_or(Selector::KnownType, |re| Selector::LeadingDigits(compile(re.as_str()))),
            // The crate leaves the general descriptor's lengths empty; libphonenumber's are the
            // union of the types' lengths.
            general: Desc { lengths: possible_lengths(meta).0, ..Desc::new(d.general()) },
            ordered: ordered
                .into_iter()
                .filter_map(|(desc, kind)| Some((Desc::new(desc?), kind)))
                .collect(),
            fixed_line: d.fixed_line().map(Desc::new),
            mobile: d.mobile().map(Desc::new),
            same_pattern: d.fixed_line().map(|x| x.national_number().as_str())
                == d.mobile().map(|x| x.national_number().as_str()),
        }
    }

    /// `_number_type_helper`.
    fn type_for(&self, value: &str) -> Type {
        if !self.general.matches(value) {
            return Type::Unknown;
        }
        if let Some((_, kind)) = self.ordered.iter().find(|(desc, _)| desc.matches(value)) {
            return *kind;
        }
        let matches = |desc: &Option<Desc>| desc.as_ref().is_some_and(|d| d.matches(value));
        if matches(&self.fixed_line) {
            if self.same_pattern || matches(&self.mobile) {
                return Type::FixedLineOrMobile;
            }
            return Type::FixedLine;
        }
        if matches(&self.mobile) {
            return Type::Mobile;
        }
        Type::Unknown
    }
}

/// What depends only on the country code, built on first use.
struct CodeInfo {
    /// The main region's possible and local-only lengths; `None` without metadata.
    lengths: Option<(Vec<u16>, Vec<u16>)>,
    /// The candidate regions in `DATABASE.region` order, each compiled on first use.
    regions: Vec<(&'static phonenumber::Metadata, OnceLock<Region>)>,
    /// A lone region is taken without testing the number against it.
    single: bool,
}

impl CodeInfo {
    const NONE: Self = Self { lengths: None, regions: Vec::new(), single: false };

    fn new(code: u16) -> Self {
        let lengths = main_metadata(code).map(possible_lengths);
        let Some(ids) = DATABASE.region(&code) else { return Self { lengths, ..Self::NONE } };
        let single = ids.len() == 1;
        let metas: Vec<&'static phonenumber::Metadata> = if single {
            let meta = match ids.first() {
                Some(&"001") => DATABASE.by_code(&code).and_then(|m| m.into_iter().next()),
                Some(id) => DATABASE.by_id(*id),
                None => None,
            };
            meta.into_iter().collect()
        } else {
            ids.iter().filter_map(|id| DATABASE.by_id(*id)).collect()
        };
        let regions = metas.into_iter().map(|meta| (meta, OnceLock::new())).collect();
        Self { lengths, regions, single }
    }

    fn region(&self, index: usize) -> Option<&Region> {
        let (meta, region) = self.regions.get(index)?;
        Some(region.get_or_init(|| Region::new(meta)))
    }
}

fn code_info(code: u16) -> &'static CodeInfo {
    // ITU country codes have at most three digits (a test checks the metadata).
    static CODES: [OnceLock<CodeInfo>; 1000] = [const { OnceLock::new() }; 1000];
    static NONE: CodeInfo = CodeInfo::NONE;
    CODES.get(usize::from(code)).map_or(&NONE, |cell| cell.get_or_init(|| CodeInfo::new(code)))
}

fn possibility(code: u16, national: &str) -> Possibility {
    let Some((possible, local)) = &code_info(code).lengths else {
        return Possibility::InvalidCountryCode;
    };
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

/// `region_code_for_number` plus `number_type`: the region's id and the number's type, for the
/// national significant number (leading zeros kept).
fn region_and_type(code: u16, significant: &str) -> (Option<&'static str>, Type) {
    let info = code_info(code);
    if info.single {
        return info
            .region(0)
            .map_or((None, Type::Unknown), |r| (Some(r.id), r.type_for(significant)));
    }
    for region in (0..info.regions.len()).filter_map(|i| info.region(i)) {
        match &region.selector {
            Selector::LeadingDigits(pattern) => {
                if pattern.as_ref().is_some_and(|re| re.is_match(significant)) {
                    return (Some(region.id), region.type_for(significant));
                }
            }
            Selector::KnownType => {
                let kind = region.type_for(significant);
                if kind != Type::Unknown {
                    return (Some(region.id), kind);
                }
            }
        }
    }
    (None, Type::Unknown)
}

/// A parsed number with its region and type, computed once.
struct Typed {
    code: u16,
    /// The national significant number, leading zeros kept (libphonenumber's
    /// `national_significant_number`, which its E.164 format prints).
    national: String,
    region: Option<&'static str>,
    kind: Type,
}

impl Typed {
    fn new(code: u16, national: String) -> Self {
        // libphonenumber picks the region and the type on the significant number with its
        // leading zeros (`region_code_for_number`, `number_type`).
        let (region, kind) = region_and_type(code, &national);
        Self { code, national, region, kind }
    }

    /// `str(numobj.national_number)`: the national number as an integer, without leading zeros.
    fn national_integer(&self) -> &str {
        let trimmed = self.national.trim_start_matches('0');
        if trimmed.is_empty() { "0" } else { trimmed }
    }
}

/// `_is_tv_number` on `str(national_number)`: `re.match("7700[900000-900999]", …)`, where the
/// bracket is a character class, so any digit.
fn is_tv_number(national_integer: &str) -> bool {
    national_integer.len() > 4
        && national_integer.starts_with("7700")
        && national_integer.as_bytes()[4].is_ascii_digit()
}

/// One attempt at parsing; `fast` allows [`uk_mobile_national`] (tests turn it off to compare).
fn parse_once(input: &str, fast: bool) -> Result<Typed, PhoneErrorCode> {
    if !input.chars().all(is_allowed_char) {
        return Err(PhoneErrorCode::UnknownCharacter);
    }
    if input.is_empty() {
        return Err(PhoneErrorCode::TooShort);
    }
    let compact = if fast { fast_path_compact(input) } else { None };
    let number = match compact.as_deref().and_then(uk_mobile_national) {
        Some(national) => Some(Typed::new(44, national.to_owned())),
        None => parse_lib(input, true),
    };
    let number = number.ok_or(PhoneErrorCode::InvalidNumber)?;
    let number = match possibility(number.code, &number.national) {
        Possibility::Possible => number,
        reason => {
            // `_validate_forced_international_number` on the text as given.
            let forced = parse_lib(&format!("+{input}"), false).filter(|n| {
                matches!(
                    possibility(n.code, &n.national),
                    Possibility::Possible | Possibility::LocalOnly
                )
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
    if !(allowed || is_tv_number(number.national_integer())) {
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
        Self::parse_with(input, true)
    }

    fn parse_with(input: &str, fast: bool) -> Result<Self, InvalidPhoneError> {
        let Typed { code, national, region, kind } = match parse_once(input, fast) {
            Ok(n) => n,
            Err(_) => parse_once(&thoroughly_normalise(input), fast)?,
        };
        // Only +44 needs the region (GB or a Crown dependency); elsewhere it is never GB.
        let region_gb = code == 44 && region == Some("GB");
        Ok(Self { code, national, kind, region_gb })
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
        if billing_rate(&self.code.to_string()).is_none() {
            return Err(PhoneErrorCode::UnsupportedCountryCode.into());
        }
        Ok(())
    }

    /// Whether the number starts `+44` (Crown dependencies included).
    #[must_use]
    pub fn is_uk(&self) -> bool {
        self.code == 44
    }

    fn region_is_gb(&self) -> bool {
        self.region_gb
    }

    /// `str(national_number)`: without leading zeros.
    fn national_integer(&self) -> &str {
        let trimmed = self.national.trim_start_matches('0');
        if trimmed.is_empty() { "0" } else { trimmed }
    }

    /// E.164 without the `+`: `447723456789`.
    #[must_use]
    pub fn normalised(&self) -> String {
        format!("{}{}", self.code, self.national)
    }

    /// Not a GB number; TV numbers count as UK.
    #[must_use]
    pub fn is_international(&self) -> bool {
        !(self.region_is_gb() || is_tv_number(self.national_integer()))
    }

    /// A Jersey, Guernsey or Isle of Man number.
    #[must_use]
    pub fn is_crown_dependency(&self) -> bool {
        !is_tv_number(self.national_integer()) && self.is_uk() && !self.region_is_gb()
    }

    /// The billing prefix: the country code, or for +1 the four-digit area prefix when Notify
    /// bills it separately (`1664` for Montserrat).
    #[must_use]
    pub fn billing_prefix(&self) -> String {
        let code = self.code.to_string();
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
/// assert_eq!(check_for_api("077234", uk_only).unwrap_err(), "Not enough digits");
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::parse::lib_parse;
    use super::*;

    type Outcome = Result<(u16, String, Type, bool), PhoneErrorCode>;

    fn outcome(input: &str, fast: bool) -> Outcome {
        PhoneNumber::parse_with(input, fast)
            .map(|n| (n.code, n.national, n.kind, n.region_gb))
            .map_err(|e| e.code)
    }

    /// The fast path must give what the general parser gives, whenever it answers.
    fn check_fast_path(compact: &str) {
        if let Some(national) = uk_mobile_national(compact) {
            assert_eq!(lib_parse(compact, true), Some((44, national.to_owned())), "{compact}");
        }
    }

    /// The spellings the fast path takes, for a national number `n`.
    fn spellings(n: &str) -> [String; 6] {
        [
            format!("0{n}"),
            n.to_owned(),
            format!("+44{n}"),
            format!("+44(0){n}"),
            format!("0044{n}"),
            format!("0044(0){n}"),
        ]
    }

    #[test]
    fn uk_mobile_fast_path_on_every_four_digit_prefix() {
        // Every `7xxx` prefix with pseudo-random tails, in every spelling, end to end.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for prefix in 7000..8000 {
            for _ in 0..2 {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let national = format!("{prefix}{:06}", (seed >> 33) % 1_000_000);
                for spelling in spellings(&national) {
                    assert!(uk_mobile_national(&spelling).is_some(), "{spelling}");
                    check_fast_path(&spelling);
                    assert_eq!(outcome(&spelling, true), outcome(&spelling, false), "{spelling}");
                }
            }
        }
    }

    #[test]
    fn country_codes_have_at_most_three_digits() {
        assert!(DATABASE.iter().all(|meta| meta.country_code() < 1000));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn uk_mobile_fast_path_matches_the_crate(n in "7[0-9]{9}", i in 0_usize..6) {
            let spelling = &spellings(&n)[i];
            check_fast_path(spelling);
            prop_assert_eq!(outcome(spelling, true), outcome(spelling, false));
        }

        #[test]
        fn fast_path_declines_or_agrees(s in "(\\+|00)?(44)?(\\(0\\))?0?[0-9 ()+\\-]{0,13}") {
            let compact: String = s.chars().filter(|c| *c != ' ').collect();
            check_fast_path(&compact);
            prop_assert_eq!(outcome(&s, true), outcome(&s, false));
        }
    }
}
