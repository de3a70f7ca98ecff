//! Letter addresses as Notify validates them (notifications-utils
//! `recipient_validation/postal_address.py` and `countries/`, with the error order and messages of
//! notifications-api `validate_address`).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;
use serde_json::{Map, Value};

use super::placeholders::{lookup, py_str};
use super::text::{
    is_py_space, normalise_whitespace, py_splitlines, remove_whitespace_before_punctuation,
};

/// Fewest address lines, counted after normalisation.
pub const MIN_LINES: usize = 3;
/// Most address lines, counted after normalisation.
pub const MAX_LINES: usize = 7;
/// Characters no address line may start with (the API's message shows `”` for `"`).
pub const INVALID_FIRST_CHARACTERS: &str = "@()=[]\"\\/,<>~";
/// `LETTER_MAX_PAGE_COUNT`.
pub const LETTER_MAX_PAGE_COUNT: u32 = 10;

const UK: &str = "United Kingdom";
const COUNTRIES: &str = include_str!("data/countries.tsv");
const EUROPE: &str = include_str!("data/europe.txt");
const ZONES: &str = include_str!("data/postcode-zones.txt");

/// Postage zones a letter goes to (`countries/data.py` `Postage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PostageZone {
    /// The UK, including the Channel Islands and the Isle of Man.
    UnitedKingdom,
    /// Royal Mail's Europe zone.
    Europe,
    /// Everywhere else.
    RestOfWorld,
}

/// Postage classes the API accepts (`first`, `second`, `economy`, plus the two international
/// ones Notify picks from the country).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Postage {
    /// UK first class.
    First,
    /// UK second class (the default for precompiled letters).
    Second,
    /// UK economy.
    Economy,
    /// International, Europe.
    Europe,
    /// International, rest of the world.
    RestOfWorld,
}

impl Postage {
    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::First => "first",
            Self::Second => "second",
            Self::Economy => "economy",
            Self::Europe => "europe",
            Self::RestOfWorld => "rest-of-world",
        }
    }

    /// Parses a UK postage class as the API's `postage` field does.
    ///
    /// # Errors
    /// The API's message: `postage invalid. It must be either first, second or economy.`
    pub fn parse_uk(value: &str) -> Result<Self, &'static str> {
        match value {
            "first" => Ok(Self::First),
            "second" => Ok(Self::Second),
            "economy" => Ok(Self::Economy),
            _ => Err("postage invalid. It must be either first, second or economy."),
        }
    }
}

fn countries() -> &'static HashMap<&'static str, &'static str> {
    static TABLE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| COUNTRIES.lines().filter_map(|l| l.split_once('\t')).collect())
}

fn zones() -> &'static [&'static str] {
    static TABLE: OnceLock<Vec<&'static str>> = OnceLock::new();
    TABLE.get_or_init(|| ZONES.lines().filter(|l| !l.is_empty()).collect())
}

fn normalise_country_key(name: &str) -> String {
    let replaced = name.replace(['&', '+'], "and");
    let lowered: String = replaced
        .chars()
        .filter(|c| !" _-'’,.()".contains(*c))
        .flat_map(char::to_lowercase)
        .collect();
    let ascii = super::sms::sanitise_ascii(&lowered);
    if ascii.contains('?') { lowered } else { ascii }
}

/// The canonical name of a country or territory (`Country(name).canonical_name`), matched with
/// the govuk country-and-territory synonyms; UK nations, the Channel Islands and the Isle of Man
/// give `United Kingdom`. `None` when the name is not a country (anything with a digit never is).
#[must_use]
pub fn canonical_country(name: &str) -> Option<&'static str> {
    if name.chars().any(|c| c.is_ascii_digit() || c.is_numeric()) {
        return None;
    }
    let key = normalise_country_key(name);
    let table = countries();
    ["", "the", "yr", "y"]
        .iter()
        .find_map(|prefix| table.get(format!("{prefix}{key}").as_str()).copied())
}

/// The postage zone of a canonical country name.
#[must_use]
pub fn postage_zone(canonical: &str) -> PostageZone {
    if canonical == UK {
        PostageZone::UnitedKingdom
    } else if EUROPE.lines().any(|l| l == canonical) {
        PostageZone::Europe
    } else {
        PostageZone::RestOfWorld
    }
}

/// Whether `postcode` is a real UK postcode: whitespace removed and upper-cased, it must match
/// `(ZONE)[0-9][0-9A-Z]?[0-9][A-BD-HJLNP-UW-Z]{2}` with a known postcode area.
#[must_use]
pub fn is_real_uk_postcode(postcode: &str) -> bool {
    let normalised = normalise_postcode(postcode);
    let b = normalised.as_bytes();
    let inward_ok = |s: &[u8]| {
        s.len() == 3
            && s[0].is_ascii_digit()
            && s[1..].iter().all(|c| c.is_ascii_uppercase() && !b"CIKMOV".contains(c))
    };
    if b.len() < 5 || !inward_ok(&b[b.len() - 3..]) {
        return false;
    }
    let outward = &b[..b.len() - 3];
    zones().iter().any(|zone| {
        let Some(district) = outward.strip_prefix(zone.as_bytes()) else { return false };
        match district {
            [d] => d.is_ascii_digit(),
            [d, x] => d.is_ascii_digit() && (x.is_ascii_digit() || x.is_ascii_uppercase()),
            _ => false,
        }
    })
}

/// Removes all whitespace and upper-cases.
#[must_use]
pub fn normalise_postcode(postcode: &str) -> String {
    postcode
        .chars()
        .filter(|c| !is_py_space(*c) && !super::text::OBSCURE_ZERO_WIDTH.contains(c))
        .flat_map(char::to_uppercase)
        .collect()
}

/// A real postcode formatted for printing (`SW1A 1AA`), or `None`.
#[must_use]
pub fn format_postcode(postcode: &str) -> Option<String> {
    if !is_real_uk_postcode(postcode) {
        return None;
    }
    let n = normalise_postcode(postcode);
    let (out, inward) = n.split_at(n.len() - 3);
    Some(format!("{out} {inward}"))
}

/// Why an address cannot be posted, with the API's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, thiserror::Error)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum AddressError {
    /// Fewer than 3 lines.
    #[error("Address must be at least 3 lines")]
    NotEnoughLines,
    /// More than 7 lines.
    #[error("Address must be no more than 7 lines")]
    TooManyLines,
    /// A BFPO address that names a country.
    #[error("The last line of a BFPO address must not be a country.")]
    BfpoWithCountry,
    /// The last line is neither a postcode nor (with permission) a country.
    #[error("Last line of address must be a real UK postcode or another country")]
    NotPostcodeOrCountry,
    /// The last line is not a postcode (service without international letters).
    #[error("Must be a real UK postcode")]
    NotAUkPostcode,
    /// A line starts with a forbidden character.
    #[error(
        "Address lines must not start with any of the following characters: @ ( ) = [ ] ” \\ / , < >"
    )]
    InvalidCharacters,
    /// "No fixed abode".
    #[error("Must be a real address")]
    NoFixedAbode,
    /// Line 1 or 2 has no letter or digit.
    #[error(
        "The first 2 lines of the address must both include at least one alphanumeric character"
    )]
    NoAlphanumericInFirstTwoLines,
}

/// A normalised postal address.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostalAddress {
    /// The lines as Notify prints them (postcode formatted, `BFPO n` last, the country's
    /// canonical name last for international letters).
    pub lines: Vec<String>,
    /// The canonical country (`United Kingdom` for UK addresses).
    pub country: String,
    /// The postage zone.
    pub zone: PostageZone,
    /// The BFPO number, for British Forces addresses.
    pub bfpo: Option<u32>,
    /// The formatted postcode, for UK addresses with one.
    pub postcode: Option<String>,
    /// Whether the service may send international letters.
    pub allow_international: bool,
}

/// How a line reads as BFPO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BfpoLine {
    /// Not a BFPO line.
    No,
    /// `BFPO` with no number (dropped only when a numbered line exists).
    Bare,
    /// `BFPO 1234`.
    Numbered(u32),
}

fn parse_bfpo(line: &str) -> BfpoLine {
    match parse_bfpo_inner(line) {
        None => BfpoLine::No,
        Some(None) => BfpoLine::Bare,
        Some(Some(n)) => BfpoLine::Numbered(n),
    }
}

#[allow(clippy::option_option)]
fn parse_bfpo_inner(line: &str) -> Option<Option<u32>> {
    // `^\s*bfpo\s*(?:c\/o)?(?:\s*(\d+))?\s*$` on the lower-cased line.
    let lower = line.to_lowercase();
    let rest = lower.trim_start_matches(is_py_space).strip_prefix("bfpo")?;
    let rest = rest.trim_start_matches(is_py_space);
    let rest = rest.strip_prefix("c/o").unwrap_or(rest);
    let rest = rest.trim_start_matches(is_py_space);
    let digits_end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    let (digits, tail) = rest.split_at(digits_end);
    if !tail.chars().all(is_py_space) {
        return None;
    }
    Some(if digits.is_empty() { None } else { digits.parse().ok() })
}

impl PostalAddress {
    /// Normalises raw address text (one line per line) as `PostalAddress(raw)` does.
    #[must_use]
    pub fn parse(raw: &str, allow_international: bool) -> Self {
        let mut lines: Vec<String> = py_splitlines(raw)
            .into_iter()
            .map(normalise_whitespace)
            .filter_map(|line| {
                let trimmed = line.trim_end_matches([' ', ',']);
                (!trimmed.is_empty()).then(|| remove_whitespace_before_punctuation(trimmed))
            })
            .collect();
        if lines.is_empty() {
            lines.push(String::new());
        }
        let matches: Vec<BfpoLine> = lines.iter().map(|l| parse_bfpo(l)).collect();
        let bfpo = matches.iter().find_map(|m| match m {
            BfpoLine::Numbered(n) => Some(*n),
            _ => None,
        });
        if bfpo.is_some() {
            lines = lines
                .into_iter()
                .zip(&matches)
                .filter(|(_, m)| **m == BfpoLine::No)
                .map(|(l, _)| l)
                .collect();
        }
        // `trailing_uk_countries`: from the end, UK nations and Crown dependencies are counted, a
        // line that is not a country is passed over (its `CountryNotFoundError` is suppressed
        // inside the loop), and another country stops the count.
        let mut trailing_uk = 0;
        for line in lines.iter().rev() {
            match canonical_country(line) {
                Some(UK) => trailing_uk += 1,
                Some(_) => break,
                None => {}
            }
        }
        let (country, without_country) = match lines.last().and_then(|l| canonical_country(l)) {
            Some(country) => {
                let cut = trailing_uk.max(1).min(lines.len());
                (country, lines[..lines.len() - cut].to_vec())
            }
            None => (UK, lines.clone()),
        };
        let zone = postage_zone(country);
        let international = zone != PostageZone::UnitedKingdom;
        let postcode = if international {
            None
        } else {
            without_country.last().and_then(|l| format_postcode(l))
        };
        let mut out = without_country;
        if international {
            if let Some(n) = bfpo {
                out.push(format!("BFPO {n}"));
            }
            out.push(country.to_owned());
        } else {
            if let Some(pc) = &postcode {
                out.pop();
                out.push(pc.clone());
            }
            if let Some(n) = bfpo {
                out.push(format!("BFPO {n}"));
            }
        }
        Self { lines: out, country: country.to_owned(), zone, bfpo, postcode, allow_international }
    }

    /// Builds the address from letter personalisation: `address_line_1..7`, or lines 1–6 and
    /// `postcode` when `address_line_7` is absent (`from_personalisation`). Keys are matched
    /// insensitively.
    #[must_use]
    pub fn from_personalisation(values: &Map<String, Value>, allow_international: bool) -> Self {
        let has_line_7 =
            values.keys().any(|k| super::placeholders::names_match(k, "address_line_7"));
        let keys = [
            "address_line_1",
            "address_line_2",
            "address_line_3",
            "address_line_4",
            "address_line_5",
            "address_line_6",
            if has_line_7 { "address_line_7" } else { "postcode" },
        ];
        let raw: Vec<String> = keys
            .iter()
            .map(|k| {
                lookup(values, k)
                    .filter(|v| super::placeholders::py_truthy(v))
                    .map(py_str)
                    .unwrap_or_default()
            })
            .collect();
        Self::parse(&raw.join("\n"), allow_international)
    }

    /// Not a UK address.
    #[must_use]
    pub fn international(&self) -> bool {
        self.zone != PostageZone::UnitedKingdom
    }

    /// The postage Notify picks for an international letter; `None` for UK letters (the
    /// template's or request's class applies).
    #[must_use]
    pub fn international_postage(&self) -> Option<Postage> {
        match self.zone {
            PostageZone::UnitedKingdom => None,
            PostageZone::Europe => Some(Postage::Europe),
            PostageZone::RestOfWorld => Some(Postage::RestOfWorld),
        }
    }

    fn has_valid_last_line(&self) -> bool {
        (self.allow_international && self.international() && self.bfpo.is_none())
            || self.postcode.is_some()
            || (self.bfpo.is_some() && !self.international())
    }

    fn has_no_fixed_abode(&self) -> bool {
        if self.lines.iter().any(|l| l.to_lowercase() == "nfa") {
            return true;
        }
        let joined = self.lines.join("\n").to_lowercase();
        joined.contains("no fixed abode") || joined.contains("no fixed address")
    }

    /// The first problem, in the order notifications-api `validate_address` checks them.
    ///
    /// # Errors
    /// The [`AddressError`] with the API's message.
    pub fn validate(&self) -> Result<(), AddressError> {
        let count = self.lines.join("\n").lines().count();
        if count < MIN_LINES {
            return Err(AddressError::NotEnoughLines);
        }
        if count > MAX_LINES {
            return Err(AddressError::TooManyLines);
        }
        if self.international() && self.bfpo.is_some() {
            return Err(AddressError::BfpoWithCountry);
        }
        if !self.has_valid_last_line() {
            return Err(if self.allow_international {
                AddressError::NotPostcodeOrCountry
            } else {
                AddressError::NotAUkPostcode
            });
        }
        if self.lines.iter().any(|l| l.starts_with(|c: char| INVALID_FIRST_CHARACTERS.contains(c)))
        {
            return Err(AddressError::InvalidCharacters);
        }
        if self.has_no_fixed_abode() {
            return Err(AddressError::NoFixedAbode);
        }
        let alnum = |l: &String| l.chars().any(|c| c.is_ascii_alphanumeric());
        if self.lines.len() < 2 || !self.lines.iter().take(2).all(alnum) {
            return Err(AddressError::NoAlphanumericInFirstTwoLines);
        }
        Ok(())
    }
}
