//! libphonenumber's `parse`, for the characters Notify lets through, on the `phonenumber` crate's metadata (the
//! crate's own parser differs from libphonenumber's; see [`lib_parse`]).

use std::sync::OnceLock;

use regex::Regex;

use phonenumber::metadata::DATABASE;

use super::{Possibility, Typed, compile, compile_full, main_metadata, possibility};

/// The parsing patterns of the calling code's main metadata, compiled on first use.
fn parsing(code: u16) -> Option<&'static Parsing> {
    static CODES: [OnceLock<Option<Parsing>>; 1000] = [const { OnceLock::new() }; 1000];
    CODES.get(usize::from(code))?.get_or_init(|| main_metadata(code).map(Parsing::new)).as_ref()
}

/// libphonenumber's `_MIN_LENGTH_FOR_NSN`, `_MAX_LENGTH_FOR_NSN` and `_MAX_INPUT_STRING_LENGTH`.
const MIN_NSN: usize = 2;
const MAX_NSN: usize = 17;
const MAX_INPUT_CHARS: usize = 250;

/// What libphonenumber's `parse` needs of a country's main metadata, compiled once.
struct Parsing {
    code: u16,
    /// `general_desc`'s pattern, matched against the whole value.
    general: Option<Regex>,
    /// `national_prefix_for_parsing` (the national prefix when the metadata has none), at the start.
    national_prefix: Option<Regex>,
    /// `national_prefix_transform_rule`, in the `regex` crate's replacement syntax.
    transform: Option<String>,
    /// `international_prefix` (the IDD), at the start.
    idd: Option<Regex>,
}

impl Parsing {
    fn new(meta: &'static phonenumber::Metadata) -> Self {
        let national_prefix = match meta.national_prefix_for_parsing() {
            Some(re) => compile(re.as_str()),
            None => meta.national_prefix().and_then(|p| compile(&regex::escape(p))),
        };
        Self {
            code: meta.country_code(),
            general: compile_full(meta.descriptors().general().national_number().as_str()),
            national_prefix,
            // The metadata writes groups as `$1`; `${1}` keeps a digit after it literal.
            transform: meta
                .national_prefix_transform_rule()
                .filter(|rule| !rule.is_empty())
                .map(rule_to_replacement),
            idd: meta.international_prefix().and_then(|re| compile(re.as_str())),
        }
    }

    fn is_general(&self, value: &str) -> bool {
        !value.is_empty() && self.general.as_ref().is_some_and(|re| re.is_match(value))
    }

    /// `_maybe_strip_national_prefix_carrier_code`: the number without its national prefix, or
    /// unchanged when it has none or stripping would turn a viable number into one that is not.
    fn strip_national_prefix<'a>(&self, number: &'a str) -> std::borrow::Cow<'a, str> {
        use std::borrow::Cow;
        let Some(caps) = self.national_prefix.as_ref().and_then(|re| re.captures(number)) else {
            return Cow::Borrowed(number);
        };
        let Some(whole) = caps.get(0) else { return Cow::Borrowed(number) };
        let viable = self.is_general(number);
        let groups = caps.len() - 1;
        let last_group = groups > 0 && caps.get(groups).is_some();
        match (&self.transform, &self.national_prefix) {
            (Some(rule), Some(re)) if last_group => {
                let transformed = re.replace(number, rule.as_str()).into_owned();
                if viable && !self.is_general(&transformed) {
                    return Cow::Borrowed(number);
                }
                Cow::Owned(transformed)
            }
            _ => {
                let rest = &number[whole.end()..];
                if viable && !self.is_general(rest) {
                    return Cow::Borrowed(number);
                }
                Cow::Borrowed(rest)
            }
        }
    }
}

/// `$1` → `${1}` for `Regex::replace`.
fn rule_to_replacement(rule: &str) -> String {
    let mut out = String::with_capacity(rule.len() + 4);
    let mut chars = rule.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('$', Some(d)) if d.is_ascii_digit() => {
                out.push_str("${");
                out.push(*d);
                out.push('}');
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// Why libphonenumber's `_maybe_extract_country_code` gave up.
enum ExtractError {
    InvalidCountryCode,
    Other,
}

/// libphonenumber's `_VALID_PUNCTUATION` (with `*`, which `_VALID_PHONE_NUMBER` allows too).
fn is_valid_punctuation(c: char) -> bool {
    matches!(
        c,
        '-' | 'x'
            | '\u{2010}'..='\u{2015}'
            | '\u{2212}'
            | '\u{30fc}'
            | '\u{ff0d}'..='\u{ff0f}'
            | ' '
            | '\u{a0}'
            | '\u{ad}'
            | '\u{200b}'
            | '\u{2060}'
            | '\u{3000}'
            | '('
            | ')'
            | '\u{ff08}'
            | '\u{ff09}'
            | '\u{ff3b}'
            | '\u{ff3d}'
            | '.'
            | '['
            | ']'
            | '/'
            | '~'
            | '\u{2053}'
            | '\u{223c}'
            | '\u{ff5e}'
            | '*'
    )
}

fn is_plus(c: char) -> bool {
    matches!(c, '+' | '\u{ff0b}')
}

/// `_extract_possible_number` for the characters Notify lets through (digits, `( ) - +` and
/// whitespace): from the first `+` or digit, without trailing characters other than digits.
fn extract_possible_number(text: &str) -> &str {
    let Some(start) = text.find(|c: char| is_plus(c) || c.is_ascii_digit()) else { return "" };
    text[start..].trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '#'))
}

/// `_is_viable_phone_number` for those characters: two digits, or pluses then at least three
/// digits among valid punctuation (no tab, newline or `+` further on).
fn is_viable(number: &str) -> bool {
    let count = number.chars().count();
    if count < MIN_NSN {
        return false;
    }
    if count == MIN_NSN && number.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    let rest = number.trim_start_matches(is_plus);
    rest.chars().all(|c| c.is_ascii_digit() || is_valid_punctuation(c))
        && rest.chars().filter(char::is_ascii_digit).count() >= 3
}

fn digits_only(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// `_extract_country_code`: the first one to three digits that are a known calling code.
fn extract_country_code(digits: &str) -> Option<(u16, &str)> {
    if digits.starts_with('0') {
        return None;
    }
    (1..=digits.len().min(3)).find_map(|len| {
        let code: u16 = digits.get(..len)?.parse().ok()?;
        DATABASE.region(&code).map(|_| (code, &digits[len..]))
    })
}

/// `_maybe_extract_country_code`: the calling code and the rest of the digits, or `None` when the
/// number has neither a `+` nor an IDD nor the default country's code.
fn maybe_extract_country_code(
    number: &str,
    default: Option<&Parsing>,
) -> Result<Option<(u16, String)>, ExtractError> {
    if number.is_empty() {
        return Ok(None);
    }
    let international = if number.starts_with(is_plus) {
        Some(digits_only(number.trim_start_matches(is_plus)))
    } else {
        let digits = digits_only(number);
        let idd_end = default.and_then(|p| p.idd.as_ref()).and_then(|re| re.find(&digits));
        match idd_end.map(|m| m.end()) {
            // A calling code never starts with 0, so `00` then `0` is not an IDD.
            Some(end) if !digits[end..].starts_with('0') => Some(digits[end..].to_owned()),
            _ => None,
        }
    };
    if let Some(digits) = international {
        if digits.len() <= MIN_NSN {
            return Err(ExtractError::Other);
        }
        let (code, rest) = extract_country_code(&digits).ok_or(ExtractError::InvalidCountryCode)?;
        return Ok(Some((code, rest.to_owned())));
    }
    let Some(parsing) = default else { return Ok(None) };
    let digits = digits_only(number);
    if let Some(potential) = digits.strip_prefix(&parsing.code.to_string()) {
        let potential = parsing.strip_national_prefix(potential);
        if (!parsing.is_general(&digits) && parsing.is_general(&potential))
            || possibility(parsing.code, &digits) == Possibility::TooLong
        {
            return Ok(Some((parsing.code, potential.into_owned())));
        }
    }
    Ok(None)
}

/// libphonenumber's `parse(text, "GB")` (`gb`) or `parse(text)`, for the characters Notify lets
/// through: the calling code and the national significant number (leading zeros kept), or `None`
/// where it raises. The `phonenumber` crate's own parser differs from libphonenumber's (it strips
/// a national prefix twice and picks the metadata by region rather than the calling code's main
/// country), so only its metadata is used.
pub(super) fn lib_parse(text: &str, gb: bool) -> Option<(u16, String)> {
    if text.chars().count() > MAX_INPUT_CHARS {
        return None;
    }
    let number = extract_possible_number(text);
    if !is_viable(number) {
        return None;
    }
    // Without a default region the number must start with a plus (`_check_region_for_parsing`).
    if !gb && !number.starts_with(is_plus) {
        return None;
    }
    let default = if gb { parsing(44) } else { None };
    let extracted = match maybe_extract_country_code(number, default) {
        Ok(found) => found,
        // An unknown calling code after a plus: tried again as if there were no plus.
        Err(ExtractError::InvalidCountryCode) if number.starts_with(is_plus) => {
            match maybe_extract_country_code(number.trim_start_matches(is_plus), default) {
                Ok(Some(found)) => Some(found),
                _ => return None,
            }
        }
        Err(_) => return None,
    };
    let (code, mut national) = match extracted {
        Some(found) => found,
        None => (default?.code, digits_only(number)),
    };
    if national.len() < MIN_NSN {
        return None;
    }
    if let Some(parsing) = parsing(code) {
        let potential = parsing.strip_national_prefix(&national);
        if !matches!(
            possibility(code, &potential),
            Possibility::TooShort | Possibility::LocalOnly | Possibility::InvalidLength
        ) {
            national = potential.into_owned();
        }
    }
    (MIN_NSN..=MAX_NSN).contains(&national.len()).then_some((code, national))
}

pub(super) fn parse_lib(text: &str, gb: bool) -> Option<Typed> {
    lib_parse(text, gb).map(|(code, national)| Typed::new(code, national))
}

/// What [`lib_parse`] gives for the common spellings of a UK mobile (`07…`, `7…`, `+447…`,
/// `+44(0)7…`, `00447…`, `0044(0)7…`, with spaces that libphonenumber takes for punctuation
/// removed): country code 44 and this national number, found without the general parser. `None`
/// for anything else. Tests check it against [`lib_parse`].
pub(super) fn uk_mobile_national(compact: &str) -> Option<&str> {
    let national = match compact.strip_prefix("+44").or_else(|| compact.strip_prefix("0044")) {
        Some(rest) => rest.strip_prefix("(0)").unwrap_or(rest),
        None => compact.strip_prefix('0').unwrap_or(compact),
    };
    let digits = national.as_bytes();
    (digits.len() == 10 && digits[0] == b'7' && digits.iter().all(u8::is_ascii_digit))
        .then_some(national)
}

/// The input for [`uk_mobile_national`]: the possible number without the spaces libphonenumber
/// ignores as punctuation; `None` when it has other characters the fast path does not handle.
pub(super) fn fast_path_compact(input: &str) -> Option<String> {
    let number = extract_possible_number(input);
    let ignorable = |c: char| matches!(c, ' ' | '\u{a0}' | '\u{200b}' | '\u{2060}');
    number
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '(' | ')' | '+') || ignorable(c))
        .then(|| number.chars().filter(|c| !ignorable(*c)).collect())
}
