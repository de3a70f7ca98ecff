//! The Notify rules the sandbox applies to a send. Each function here is the seam to gaap-notify's
//! `rules` module; see the crate README for which rules are delegated and which are still interim.

use serde_json::{Map, Value};

/// Placeholder names of the given template fields, de-duplicated insensitively, first-seen order.
pub(crate) fn placeholder_names(fields: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for field in fields {
        for name in scan(field).into_iter().map(|(name, _)| name) {
            if !out.iter().any(|n| normalise(n) == normalise(&name)) {
                out.push(name);
            }
        }
    }
    out
}

/// `((name))` and `((name??text))` occurrences: (name, conditional text).
fn scan(content: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut rest = content;
    while let Some(start) = rest.find("((") {
        let after = rest.get(start + 2..).unwrap_or_default();
        // `\({2}([^()]+)\){2}`: the body holds no parentheses.
        let Some(end) = after.find("))") else { break };
        let body = after.get(..end).unwrap_or_default();
        if body.is_empty() || body.contains(['(', ')']) {
            rest = after;
            continue;
        }
        match body.split_once("??") {
            Some((name, text)) => out.push((name.to_owned(), Some(text.to_owned()))),
            None => out.push((body.to_owned(), None)),
        }
        rest = after.get(end + 2..).unwrap_or_default();
    }
    out
}

/// Lower-cased with space, `_` and `-` removed (notifications_utils/insensitive_dict.py).
fn normalise(name: &str) -> String {
    name.chars().filter(|c| !matches!(c, ' ' | '_' | '-')).flat_map(char::to_lowercase).collect()
}

fn lookup<'v>(values: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    let key = normalise(name);
    values.iter().find(|(k, _)| normalise(k) == key).map(|(_, v)| v).filter(|v| !v.is_null())
}

/// Names with no value, in first-seen order.
pub(crate) fn missing(names: &[String], values: &Map<String, Value>) -> Vec<String> {
    names.iter().filter(|n| lookup(values, n).is_none()).cloned().collect()
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::String(s) => matches!(
            s.to_lowercase().as_str(),
            "yes" | "y" | "true" | "t" | "1" | "include" | "show"
        ),
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_i64() == Some(1),
        _ => false,
    }
}

fn py_str(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Array(items) => {
            let items: Vec<String> = items
                .iter()
                .filter(|v| !v.is_null())
                .map(py_str)
                .filter(|s| !s.trim().is_empty())
                .collect();
            match items.split_last() {
                None => String::new(),
                Some((last, [])) => last.clone(),
                Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            }
        }
        other => other.to_string(),
    }
}

/// Fills placeholders; unfilled ones stay as `((name))`.
pub(crate) fn fill(content: &str, values: &Map<String, Value>) -> String {
    let mut out = String::with_capacity(content.len());
    let mut rest = content;
    while let Some(start) = rest.find("((") {
        out.push_str(rest.get(..start).unwrap_or_default());
        let after = rest.get(start + 2..).unwrap_or_default();
        let Some(end) = after.find("))") else {
            out.push_str("((");
            rest = after;
            continue;
        };
        let body = after.get(..end).unwrap_or_default();
        if body.is_empty() || body.contains(['(', ')']) {
            out.push_str("((");
            rest = after;
            continue;
        }
        match body.split_once("??") {
            Some((name, text)) => match lookup(values, name) {
                Some(v) if truthy(v) => out.push_str(text),
                Some(_) => {}
                None => {
                    out.push_str("((");
                    out.push_str(body);
                    out.push_str("))");
                }
            },
            None => match lookup(values, body) {
                Some(v) => out.push_str(&py_str(v)),
                None => {
                    out.push_str("((");
                    out.push_str(body);
                    out.push_str("))");
                }
            },
        }
        rest = after.get(end + 2..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// The legacy v2 API message for a phone number Notify would reject, or `None` when it is acceptable.
/// Returns the E.164 digits (no `+`) and whether the number is international.
pub(crate) fn validate_phone(number: &str) -> Result<(String, bool), &'static str> {
    if number
        .chars()
        .any(|c| !(c.is_whitespace() || "()-+0123456789".contains(c) || is_invisible(c)))
    {
        return Err("Must not contain letters or symbols");
    }
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return Err("Not enough digits");
    }
    let plus = number.trim_start().starts_with('+');
    let national =
        if let Some(rest) = digits.strip_prefix("44").filter(|_| plus || digits.len() > 11) {
            rest.trim_start_matches('0').to_owned()
        } else if let Some(rest) = digits.strip_prefix("0").filter(|_| !plus) {
            rest.trim_start_matches('0').to_owned()
        } else if plus || digits.len() > 11 {
            // International: E.164 allows up to 15 digits.
            let digits = digits.trim_start_matches('0').to_owned();
            return match digits.len() {
                0..=7 => Err("Not enough digits"),
                16.. => Err("Too many digits"),
                _ => Ok((digits, true)),
            };
        } else {
            digits
        };
    if !national.starts_with('7') {
        return Err("Not a UK mobile number");
    }
    match national.len() {
        0..=9 => Err("Not enough digits"),
        10 => Ok((format!("44{national}"), false)),
        _ => Err("Too many digits"),
    }
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00A0}' | '\u{202F}'
    )
}

/// Notify's email check (notifications_utils/recipient_validation/email_address.py, simplified on IDNA).
pub(crate) fn validate_email(address: &str) -> Result<String, &'static str> {
    const ERR: &str = "Not a valid email address";
    let cleaned: String = address.trim().chars().filter(|c| !is_invisible(*c)).collect();
    if cleaned.len() > 320 || cleaned.contains("..") {
        return Err(ERR);
    }
    let (local, host) = cleaned.rsplit_once('@').ok_or(ERR)?;
    let local_ok = !local.is_empty()
        && local.chars().all(|c| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c));
    if !local_ok
        || host.is_empty()
        || host.starts_with('.')
        || host.contains('@')
        || host.len() > 253
    {
        return Err(ERR);
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return Err(ERR);
    }
    for label in &labels {
        let ok = !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Err(ERR);
        }
    }
    let tld = labels.last().copied().unwrap_or_default();
    let tld_ok =
        (tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())) || tld.starts_with("xn--");
    if !tld_ok {
        return Err(ERR);
    }
    Ok(cleaned.to_lowercase())
}

/// Checks a letter's address lines; returns the normalised lines (postcode last) or Notify's message.
pub(crate) fn validate_address(
    personalisation: &Map<String, Value>,
) -> Result<Vec<String>, &'static str> {
    let mut lines: Vec<String> = Vec::new();
    for n in 1..=7 {
        let key = format!("address_line_{n}");
        let value = lookup(personalisation, &key)
            .or_else(|| (n == 7).then(|| lookup(personalisation, "postcode")).flatten());
        if let Some(v) = value {
            let line = py_str(v).split_whitespace().collect::<Vec<_>>().join(" ");
            let line = line.trim_end_matches([' ', ',']).to_owned();
            if !line.is_empty() {
                lines.push(line);
            }
        }
    }
    if lines.len() < 3 {
        return Err("Address must be at least 3 lines");
    }
    if lines.len() > 7 {
        return Err("Address must be no more than 7 lines");
    }
    if lines.iter().take(2).any(|l| !l.chars().any(|c| c.is_ascii_alphanumeric())) {
        return Err(
            "The first 2 lines of the address must both include at least one alphanumeric character",
        );
    }
    if lines
        .iter()
        .any(|l| l.starts_with(['@', '(', ')', '=', '[', ']', '"', '\\', '/', ',', '<', '>', '~']))
    {
        return Err(
            "Address lines must not start with any of the following characters: @ ( ) = [ ] ” \\ / , < >",
        );
    }
    if lines.iter().any(|l| {
        let lower = l.to_lowercase();
        lower == "nfa" || lower.contains("no fixed abode") || lower.contains("no fixed address")
    }) {
        return Err("Must be a real address");
    }
    let last = lines.last().cloned().unwrap_or_default();
    match normalise_postcode(&last) {
        Some(postcode) => {
            if let Some(slot) = lines.last_mut() {
                *slot = postcode;
            }
            Ok(lines)
        }
        None => Err("Must be a real UK postcode"),
    }
}

/// `SW1A1AA` → `SW1A 1AA` when it has the shape of a UK postcode.
fn normalise_postcode(text: &str) -> Option<String> {
    let compact: String =
        text.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect();
    let (outward, inward) = compact.split_at_checked(compact.len().checked_sub(3)?)?;
    let inward_ok = {
        let mut c = inward.chars();
        c.next().is_some_and(|d| d.is_ascii_digit())
            && c.all(|l| l.is_ascii_uppercase() && !"CIKMOV".contains(l))
    };
    let outward_ok = (2..=4).contains(&outward.len())
        && outward.starts_with(|c: char| c.is_ascii_uppercase())
        && outward.chars().any(|c| c.is_ascii_digit())
        && outward.chars().all(|c| c.is_ascii_alphanumeric());
    (inward_ok && outward_ok).then(|| format!("{outward} {inward}"))
}

/// SMS fragments for `content` (GSM: 160/153; any non-GSM character: 70/67).
pub(crate) fn sms_fragments(content: &str) -> usize {
    const EXTENDED: &str = "^{}\\[~]|€";
    let non_gsm = content
        .chars()
        .any(|c| !(c.is_ascii() || "£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà€".contains(c)));
    let chars = content.encode_utf16().count();
    if non_gsm {
        if chars <= 70 { 1 } else { chars.div_ceil(67) }
    } else {
        let n = chars + content.chars().filter(|c| EXTENDED.contains(*c)).count();
        if n <= 160 { 1 } else { n.div_ceil(153) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(v: &Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn fills_insensitively_and_reports_missing() {
        let values = map(&serde_json::json!({"First_Name": "Ann", "show": "yes"}));
        assert_eq!(fill("Hi ((first name))((show??!))", &values), "Hi Ann!");
        let names = placeholder_names(&["((a)) ((B))", "((b)) ((c))"]);
        assert_eq!(names, ["a", "B", "c"]);
        assert_eq!(missing(&names, &map(&serde_json::json!({"a": 1}))), ["B", "c"]);
    }

    #[test]
    fn phone_messages_follow_the_legacy_v2_wording() {
        assert_eq!(validate_phone("07700 900123").unwrap().0, "447700900123");
        assert_eq!(validate_phone("+447700900123").unwrap().0, "447700900123");
        assert_eq!(validate_phone("0770090012"), Err("Not enough digits"));
        assert_eq!(validate_phone("077009001234"), Err("Too many digits"));
        assert_eq!(validate_phone("02071234567"), Err("Not a UK mobile number"));
        assert_eq!(validate_phone("0770090012a"), Err("Must not contain letters or symbols"));
        assert!(validate_phone("+12025550104").unwrap().1);
    }

    #[test]
    fn emails_and_addresses() {
        assert_eq!(validate_email(" A@Example.gov.uk ").unwrap(), "a@example.gov.uk");
        assert!(validate_email("a@b").is_err());
        assert!(validate_email("a..b@example.com").is_err());
        let ok = map(
            &serde_json::json!({"address_line_1": "1 High St", "address_line_2": "Town", "postcode": "sw1a1aa"}),
        );
        assert_eq!(validate_address(&ok).unwrap().last().unwrap(), "SW1A 1AA");
        let short =
            map(&serde_json::json!({"address_line_1": "1 High St", "postcode": "SW1A 1AA"}));
        assert_eq!(validate_address(&short), Err("Address must be at least 3 lines"));
    }

    #[test]
    fn counts_fragments() {
        assert_eq!(sms_fragments(&"a".repeat(160)), 1);
        assert_eq!(sms_fragments(&"a".repeat(161)), 2);
        assert_eq!(sms_fragments(&"ŵ".repeat(71)), 2);
    }
}
