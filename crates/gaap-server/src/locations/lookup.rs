//! From a `postcode` parameter to the council (or councils) it lies in.
//!
//! The order is frontend's `PostcodeLookup`: the local custodian codes of the addresses at the postcode,
//! without Ordnance Survey's own 7655; a postcode with no such codes (Code-Point Open data, or synthetic
//! addresses) falls back to its local authority district's GSS code.

use gaap_address::{Address, Index, Postcode};
use gaap_content::local::{Authorities, LocalAuthority, ORDNANCE_SURVEY_CUSTODIAN_CODE};

use super::error::{FieldError, INVALID_POSTCODE, NO_COUNCIL, POSTCODE_NOT_FOUND};

/// Frontend's `PostcodeSanitizer`: everything but letters, digits and spaces dropped, then parsed (any
/// case and spacing; O/0 and I/1 put right where only one fits). `None` for a missing, empty or invalid
/// postcode.
pub(crate) fn sanitise(raw: Option<&str>) -> Option<Postcode> {
    let kept: String =
        raw?.chars().filter(|c| c.is_ascii_alphanumeric() || *c == ' ').collect::<String>();
    let kept = kept.trim();
    if kept.is_empty() {
        return None;
    }
    Postcode::parse_fixed(kept).ok()
}

/// The postcode parameter, or the 400 GOV.UK answers for it.
pub(crate) fn postcode_param(raw: Option<&str>) -> Result<Postcode, FieldError> {
    sanitise(raw).ok_or(FieldError::bad_request("postcode", INVALID_POSTCODE))
}

/// Which council a postcode belongs to.
#[derive(Debug)]
pub(crate) enum Councils<'a> {
    /// One council for every address.
    One(&'a LocalAuthority),
    /// The postcode crosses a council boundary: each address with its council, for the user to choose.
    Split(Vec<(Address, &'a LocalAuthority)>),
}

/// Finds the councils of a postcode.
///
/// # Errors
/// 404 `postcode` when the index does not know the postcode, or knows no council for it.
pub(crate) fn councils<'a>(
    index: &Index,
    authorities: &'a Authorities,
    postcode: &Postcode,
) -> Result<Councils<'a>, FieldError> {
    let Some(record) = index.postcode(postcode) else {
        return Err(FieldError::not_found("postcode", POSTCODE_NOT_FOUND));
    };
    let no_council = FieldError::not_found("postcode", NO_COUNCIL);
    let addresses = index.by_postcode(postcode);
    let coded: Vec<(Address, u32)> = addresses
        .iter()
        .filter_map(|a| {
            let code = u32::from(a.local_custodian_code?);
            (code != ORDNANCE_SURVEY_CUSTODIAN_CODE).then(|| (a.clone(), code))
        })
        .collect();
    if coded.is_empty() {
        // No custodian codes: the postcode's district, else the first address's own GSS code.
        let gss = record
            .admin_district
            .as_deref()
            .or_else(|| addresses.iter().find_map(|a| a.gss_code.as_deref()));
        return gss.and_then(|g| authorities.by_gss(g)).map(Councils::One).ok_or(no_council);
    }
    let known: Vec<(Address, &LocalAuthority)> = coded
        .into_iter()
        .filter_map(|(a, code)| authorities.by_custodian_code(code).map(|la| (a, la)))
        .collect();
    let Some((_, first)) = known.first() else {
        return Err(no_council);
    };
    if known.iter().all(|(_, la)| la.slug == first.slug) {
        return Ok(Councils::One(first));
    }
    Ok(Councils::Split(known))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitising_keeps_letters_digits_and_spaces() {
        let pc = |s: &str| sanitise(Some(s)).map(|p| p.to_string());
        assert_eq!(pc("WC2B 6NH "), Some("WC2B 6NH".into()));
        assert_eq!(pc("WC2B   -6NH]"), Some("WC2B 6NH".into()));
        assert_eq!(pc("sw1a1aa"), Some("SW1A 1AA".into()));
        assert_eq!(pc("sw1a oaa"), Some("SW1A 0AA".into()));
        assert_eq!(pc(""), None);
        assert_eq!(pc("  "), None);
        assert_eq!(pc("ZZZ"), None);
        assert_eq!(sanitise(None), None);
    }
}
