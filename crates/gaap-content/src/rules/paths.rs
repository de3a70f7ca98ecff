//! Paths, routes and redirects (`app/validators/{absolute_path,uuid,routes_and_redirects}_validator.rb`).

use std::collections::HashSet;

use super::ValidationError;
use crate::types::{Redirect, Route, SegmentsMode};

/// Domains an external redirect may point at, and their subdomains.
pub(crate) const EXTERNAL_HOST_ALLOW_LIST: &[&str] = &[
    "caa.co.uk",
    "gov.uk",
    "hmcoastguard.uk",
    "independent-inquiry.uk",
    "internationalaisafetyreport.org",
    "judiciary.uk",
    "moneyhelper.org.uk",
    "nationalhighways.co.uk",
    "nhs.uk",
    "police.uk",
    "pubscodeadjudicator.org.uk",
    "ukri.org",
];

/// A lowercase, hyphenated RFC 4122 UUID of version 1–5 (publishing-api's `UUID_PATTERN`).
pub fn is_canonical_uuid(value: &str) -> bool {
    let bytes = value.as_bytes();
    if bytes.len() != 36 {
        return false;
    }
    bytes.iter().enumerate().all(|(i, &b)| match i {
        8 | 13 | 18 | 23 => b == b'-',
        14 => (b'1'..=b'5').contains(&b),
        19 => matches!(b, b'8' | b'9' | b'a' | b'b'),
        _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
    })
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/%".contains(c)
}

/// An absolute URL path: starts with `/`, no query or fragment, no `//`, no trailing `/` (except `/` itself),
/// only characters a URI path allows, and `%` only in a valid escape.
pub fn is_absolute_path(path: &str) -> bool {
    if !path.starts_with('/') || path.contains("//") {
        return false;
    }
    if path.len() > 1 && path.ends_with('/') {
        return false;
    }
    if !path.chars().all(is_path_char) {
        return false;
    }
    let bytes = path.as_bytes();
    bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    })
}

/// Checks routes and redirects against `base_path`, pushing every failure.
pub fn validate_routes(
    base_path: &str,
    routes: &[Route],
    redirects: &[Redirect],
    is_redirect_schema: bool,
    errors: &mut Vec<ValidationError>,
) {
    let mut seen = HashSet::new();
    if routes.iter().any(|r| !seen.insert(r.path.as_str())) {
        errors
            .push(ValidationError::new("route_paths_not_unique", "Routes must have unique paths"));
    }
    let mut seen = HashSet::new();
    if redirects.iter().any(|r| !seen.insert(r.path.as_str())) {
        errors.push(ValidationError::new(
            "redirect_paths_not_unique",
            "Redirects must have unique paths",
        ));
    }
    if is_redirect_schema {
        if !redirects.iter().any(|r| r.path == base_path) {
            errors.push(ValidationError::new(
                "redirects_must_include_base_path",
                "Redirects must include the base path",
            ));
        }
    } else if !routes.is_empty() && !routes.iter().any(|r| r.path == base_path) {
        errors.push(ValidationError::new(
            "routes_must_include_base_path",
            "Routes must include the base path",
        ));
    }
    for (attribute, path) in routes
        .iter()
        .map(|r| ("Routes", r.path.as_str()))
        .chain(redirects.iter().map(|r| ("Redirects", r.path.as_str())))
    {
        if !is_absolute_path(path) {
            errors.push(ValidationError::new(
                "absolute_path_invalid",
                format!("{attribute} is not a valid absolute URL path"),
            ));
        }
        if !path.starts_with(base_path) {
            errors.push(ValidationError::new(
                "route_not_below_base_path",
                format!("{attribute} path must be below the base path"),
            ));
        }
    }
    for redirect in redirects {
        validate_redirect(redirect, errors);
    }
}

struct Url<'a> {
    scheme: Option<&'a str>,
    host: Option<&'a str>,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

fn parse_url(text: &str) -> Option<Url<'_>> {
    if text.is_empty()
        || text.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, '<' | '>' | '"' | '\\' | '^' | '`' | '{' | '|' | '}')
        })
    {
        return None;
    }
    let (rest, fragment) = match text.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (text, None),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    if let Some((scheme, after)) = rest.split_once("://") {
        let valid_scheme = scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if !valid_scheme {
            return None;
        }
        let host = after.split('/').next().unwrap_or_default();
        return Some(Url {
            scheme: Some(scheme),
            host: (!host.is_empty()).then_some(host),
            query,
            fragment,
        });
    }
    if rest.contains(':') && !rest.starts_with('/') {
        // `mailto:x` and the like: a scheme but no host.
        return Some(Url { scheme: rest.split(':').next(), host: None, query, fragment });
    }
    Some(Url { scheme: None, host: None, query, fragment })
}

/// Checks one redirect (`RedirectValidator`).
pub fn validate_redirect(redirect: &Redirect, errors: &mut Vec<ValidationError>) {
    let before = errors.len();
    let (path, destination) = (redirect.path.as_str(), redirect.destination.as_str());
    if path.is_empty() {
        errors
            .push(ValidationError::new("redirect_path_missing", "Redirects path must be present"));
    }
    if destination.is_empty() {
        errors.push(ValidationError::new(
            "redirect_destination_missing",
            "Redirects destination must be present",
        ));
    }
    if path == destination {
        errors.push(ValidationError::new(
            "redirect_path_equals_destination",
            "Redirects path cannot equal the destination",
        ));
    }
    if errors.len() > before {
        return;
    }
    let Some(url) = parse_url(destination) else {
        errors.push(ValidationError::new(
            "redirect_destination_invalid",
            format!("Redirects destination invalid ({destination})"),
        ));
        return;
    };
    if destination.starts_with('/') {
        let path_part = destination.split(['?', '#']).next().unwrap_or_default();
        if destination != "/" && path_part.ends_with('/') {
            errors.push(ValidationError::new(
                "redirect_destination_invalid",
                format!("Redirects destination invalid ({destination}), internal redirects cannot end with /"),
            ));
        }
    } else {
        let Some(host) = url.host else {
            errors.push(ValidationError::new(
                "redirect_external_missing_host",
                format!("Redirects missing host for external redirect ({destination})"),
            ));
            return;
        };
        let host = host.to_ascii_lowercase();
        let allowed =
            EXTERNAL_HOST_ALLOW_LIST.iter().any(|d| host == *d || host.ends_with(&format!(".{d}")));
        if !allowed {
            errors.push(ValidationError::new(
                "redirect_external_disallowed_domain",
                format!(
                    "Redirects external redirects only accepted for the domains {} ({destination})",
                    to_sentence(EXTERNAL_HOST_ALLOW_LIST)
                ),
            ));
        }
        if host == "gov.uk" || host == "www.gov.uk" {
            errors.push(ValidationError::new(
                "redirect_external_govuk_should_be_internal",
                format!("Redirects internal redirect should not be specified with full url ({destination})"),
            ));
        }
        if url.scheme != Some("https") {
            errors.push(ValidationError::new(
                "redirect_external_not_https",
                format!("Redirects external redirects must use https ({destination})"),
            ));
        }
        for sub in host.split('.') {
            if sub.len() > 63 {
                errors.push(ValidationError::new(
                    "redirect_subdomain_too_long",
                    format!("Redirects subdomain {sub} is longer than 63 characters"),
                ));
            }
            if sub.starts_with('-') {
                errors.push(ValidationError::new(
                    "redirect_subdomain_starts_with_hyphen",
                    format!("Redirects subdomain {sub} should not start with a hyphen"),
                ));
            }
            if !sub.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                errors.push(ValidationError::new(
                    "redirect_subdomain_invalid_chars",
                    format!("Redirects subdomain {sub} contains prohibited characters"),
                ));
            }
        }
    }
    if redirect.segments_mode == Some(SegmentsMode::Preserve) {
        if url.fragment.is_some_and(|f| !f.is_empty()) {
            errors.push(ValidationError::new(
                "redirect_fragment_not_allowed_with_preserve",
                format!("Redirects destination {destination} cannot contain a fragment if the segments_mode is 'preserve'"),
            ));
        }
        if url.query.is_some_and(|q| !q.is_empty()) {
            errors.push(ValidationError::new(
                "redirect_query_not_allowed_with_preserve",
                format!(
                    "Redirects destination {destination} cannot contain query parameters if the segments_mode is 'preserve'"
                ),
            ));
        }
    }
}

fn to_sentence(words: &[&str]) -> String {
    match words.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}
