//! Email addresses as Notify validates them (notifications-utils
//! `recipient_validation/email_address.py`).

use super::text::{is_py_space, strip_and_remove_obscure_whitespace};

/// A rejected email address (`InvalidEmailError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Not a valid email address")]
pub struct InvalidEmailError;

const LOCAL_SPECIALS: &str = ".!#$%&'*+/=?^_`{|}~-";

fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || LOCAL_SPECIALS.contains(c)
}

/// `hostname_part`: `^(xn|[a-z0-9]+)(-?-[a-z0-9]+)*$`, case-insensitive.
fn is_hostname_part(part: &str) -> bool {
    let lower = part.to_ascii_lowercase();
    let b = lower.as_bytes();
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let mut i = 0;
    while i < b.len() && alnum(b[i]) {
        i += 1;
    }
    if i == 0 {
        return false;
    }
    // The alternative `xn` exists so that `xn--…` matches; `[a-z0-9]+` followed by `--` covers it.
    while i < b.len() {
        // One or two hyphens, then at least one alphanumeric.
        if b[i] != b'-' {
            return false;
        }
        i += 1;
        if i < b.len() && b[i] == b'-' {
            i += 1;
        }
        let start = i;
        while i < b.len() && alnum(b[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    true
}

/// `tld_part`: `^([a-z]{2,63}|xn--([a-z0-9]+-)*[a-z0-9]+)$`, case-insensitive.
fn is_tld(part: &str) -> bool {
    let lower = part.to_ascii_lowercase();
    if (2..=63).contains(&lower.len()) && lower.bytes().all(|c| c.is_ascii_lowercase()) {
        return true;
    }
    let Some(rest) = lower.strip_prefix("xn--") else { return false };
    !rest.is_empty()
        && rest
            .split('-')
            .all(|chunk| !chunk.is_empty() && chunk.bytes().all(|c| c.is_ascii_alphanumeric()))
}

fn to_ascii_hostname(hostname: &str) -> Result<String, InvalidEmailError> {
    if hostname.is_ascii() {
        // Python's idna codec: ASCII names pass unchanged; inner labels must be 1..=63 long.
        let labels: Vec<&str> = hostname.split('.').collect();
        if let Some((last, inner)) = labels.split_last()
            && (inner.iter().any(|l| l.is_empty() || l.len() > 63) || last.len() > 63)
        {
            return Err(InvalidEmailError);
        }
        return Ok(hostname.to_owned());
    }
    idna::domain_to_ascii(hostname).map_err(|_| InvalidEmailError)
}

/// Validates an address and returns it stripped of outer whitespace and obscure spaces
/// (`validate_email_address`).
///
/// ```
/// use gaap_notify::rules::email_address::validate_email_address;
/// assert_eq!(validate_email_address(" Name@Example.com\u{200b}").unwrap(), "Name@Example.com");
/// assert!(validate_email_address("name@localhost").is_err());
/// assert_eq!(validate_email_address("a..b@example.com").unwrap_err().to_string(), "Not a valid email address");
/// ```
///
/// # Errors
/// [`InvalidEmailError`] (`Not a valid email address`).
pub fn validate_email_address(input: &str) -> Result<String, InvalidEmailError> {
    let address = strip_and_remove_obscure_whitespace(input);
    let (local, hostname) = address.split_once('@').ok_or(InvalidEmailError)?;
    if local.is_empty() || !local.chars().all(is_local_char) {
        return Err(InvalidEmailError);
    }
    let mut host_chars = hostname.chars();
    match host_chars.next() {
        Some(c) if c != '.' && c != '@' => {}
        _ => return Err(InvalidEmailError),
    }
    let rest = host_chars.as_str();
    if rest.is_empty() || rest.chars().any(|c| c == '@' || is_py_space(c)) {
        return Err(InvalidEmailError);
    }
    if address.chars().count() > 320 || address.contains("..") {
        return Err(InvalidEmailError);
    }
    let ascii = to_ascii_hostname(hostname)?;
    let parts: Vec<&str> = ascii.split('.').collect();
    if ascii.len() > 253 || parts.len() < 2 {
        return Err(InvalidEmailError);
    }
    if parts.iter().any(|p| p.is_empty() || p.len() > 63 || !is_hostname_part(p)) {
        return Err(InvalidEmailError);
    }
    if !parts.last().is_some_and(|tld| is_tld(tld)) {
        return Err(InvalidEmailError);
    }
    Ok(address)
}

/// `validate_and_format_email_address`: validated and lower-cased, as Notify stores and compares
/// addresses.
///
/// # Errors
/// [`InvalidEmailError`].
pub fn validate_and_format_email_address(input: &str) -> Result<String, InvalidEmailError> {
    validate_email_address(input).map(|a| a.to_lowercase())
}
