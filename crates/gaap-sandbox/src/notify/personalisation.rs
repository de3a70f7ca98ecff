//! What Notify does to an email's personalisation before it renders it: `sanitise_content_for` (links removed
//! or broken up, markdown escaped; `post_notifications.py`) and files sent by email (replaced by a link).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

/// One entry of an email response's `sanitised_content`: a personalisation value before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Sanitised {
    pub(crate) unsanitised: Value,
    pub(crate) sanitised: Value,
}

/// Notify's `InsensitiveDict` key: case, spaces, underscores and hyphens ignored.
pub(crate) fn insensitive(key: &str) -> String {
    key.chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Python's `\w` on a str: Unicode letters and digits, and `_`.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The end (byte offset) of the dotted host at `start`, as notifications-utils' `url` pattern matches it:
/// `([\w\-]+\.)+[a-z]{2,63}` followed by a word boundary and no `@`, backtracking over where the labels end.
fn host_end(text: &str, start: usize) -> Option<usize> {
    let run_end = text[start..]
        .char_indices()
        .find(|(_, c)| !(is_word(*c) || *c == '-' || *c == '.'))
        .map_or(text.len(), |(i, _)| start + i);
    let run = &text[start..run_end];
    // Each dot that ends a non-empty label, right to left (the pattern's `+` is greedy).
    let dots: Vec<usize> = run.char_indices().filter(|(_, c)| *c == '.').map(|(i, _)| i).collect();
    for (n, &dot) in dots.iter().enumerate().rev() {
        let labels_ok = dots[..=n].iter().enumerate().all(|(j, &d)| {
            let from = if j == 0 { 0 } else { dots[j - 1] + 1 };
            d > from
        });
        if !labels_ok {
            continue;
        }
        let tld_start = start + dot + 1;
        let letters = text[tld_start..].chars().take_while(char::is_ascii_alphabetic).count();
        if !(2..=63).contains(&letters) {
            continue;
        }
        let end = tld_start + letters;
        // `\b` and `(?!@)` after the top-level domain; otherwise try fewer labels.
        if !text[end..].chars().next().is_some_and(|c| is_word(c) || c == '@') {
            return Some(end);
        }
    }
    None
}

/// The end of a URL match starting at `start`, or none.
fn url_match(text: &str, start: usize) -> Option<usize> {
    let rest = &text[start..];
    let lower: String = rest.chars().take(8).flat_map(char::to_lowercase).collect();
    let mut starts = Vec::new();
    if lower.starts_with("https://") {
        starts.push(start + 8);
    } else if lower.starts_with("http://") {
        starts.push(start + 7);
    }
    starts.push(start);
    let host = starts.into_iter().find_map(|s| host_end(text, s))?;
    match text[host..].chars().next() {
        Some('/' | '?' | '#') => Some(
            text[host..]
                .char_indices()
                .find(|(_, c)| *c == '<' || c.is_whitespace())
                .map_or(text.len(), |(i, _)| host + i),
        ),
        _ => Some(host),
    }
}

/// `_sanitise_url`: a bare host is broken up (`example. com`); anything else is removed.
fn sanitise_url(url: &str) -> String {
    if url.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
        url.replace('.', ". ")
    } else {
        String::new()
    }
}

/// `sanitise_personalisation_item`: URLs removed or broken up, then markdown characters escaped.
pub(crate) fn sanitise(value: &str) -> String {
    let mut unlinked = String::with_capacity(value.len());
    let mut i = 0;
    let mut prev: Option<char> = None;
    while i < value.len() {
        let Some(c) = value[i..].chars().next() else { break };
        let boundary = prev.is_none_or(|p| is_word(p) != is_word(c));
        if boundary
            && !matches!(prev, Some('@' | '.'))
            && let Some(end) = url_match(value, i)
        {
            unlinked.push_str(&sanitise_url(&value[i..end]));
            prev = value[..end].chars().next_back();
            i = end;
            continue;
        }
        unlinked.push(c);
        prev = Some(c);
        i += c.len_utf8();
    }
    let mut out = String::with_capacity(unlinked.len() + 8);
    for c in unlinked.chars() {
        if "`*_(){}[]<>#+-.!|\\".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Applies `sanitise_content_for` to the personalisation and returns it with the `sanitised_content` object
/// the email response carries (each changed key with its `unsanitised` and `sanitised` value).
pub(crate) fn apply_sanitise(
    personalisation: &Map<String, Value>,
    sanitise_for: &[String],
) -> (Map<String, Value>, BTreeMap<String, Sanitised>) {
    let wanted: Vec<String> = sanitise_for.iter().map(|k| insensitive(k)).collect();
    let mut out = Map::new();
    let mut changed = BTreeMap::new();
    for (key, value) in personalisation {
        let sanitised = match value {
            Value::String(s) if wanted.contains(&insensitive(key)) => Value::String(sanitise(s)),
            other => other.clone(),
        };
        if &sanitised != value {
            let entry = Sanitised { unsanitised: value.clone(), sanitised: sanitised.clone() };
            changed.insert(key.clone(), entry);
        }
        out.insert(key.clone(), sanitised);
    }
    (out, changed)
}

/// The `sanitise_content_for` field: an array or null (`notification_schemas.py`), strings kept.
pub(crate) fn sanitise_for(body: &Map<String, Value>, errors: &mut Vec<String>) -> Vec<String> {
    match body.get("sanitise_content_for") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect()
        }
        Some(other) => {
            errors.push(format!(
                "sanitise_content_for {} is not of type array, null",
                super::request::bare(other)
            ));
            Vec::new()
        }
    }
}

const FILE_KEYS: [&str; 5] =
    ["file", "is_csv", "confirm_email_before_download", "retention_period", "filename"];

/// Files sent by email (`{"file": base64, ...}` values) replaced by a download link, as Notify does once it
/// has handed them to its document store; the count, or Notify's message for a malformed file object.
pub(crate) fn replace_files(
    personalisation: &mut Map<String, Value>,
    service_id: Uuid,
) -> Result<usize, String> {
    let mut count = 0;
    for value in personalisation.values_mut() {
        let Value::Object(file) = value else { continue };
        if !file.contains_key("file") {
            continue;
        }
        if !file.get("file").is_some_and(Value::is_string) {
            return Err(format!(
                "file {} is not of type string",
                super::request::bare(&file["file"])
            ));
        }
        if let Some(extra) = file.keys().find(|k| !FILE_KEYS.contains(&k.as_str())) {
            return Err(format!("Additional properties are not allowed ({extra} was unexpected)"));
        }
        if file.contains_key("is_csv") && file.contains_key("filename") {
            return Err("Do not set a value for `is_csv` if `filename` is set.".to_owned());
        }
        *value = Value::String(format!(
            "https://documents.service.gov.uk/d/{service_id}/{}?key=sandbox",
            Uuid::new_v4()
        ));
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn links_are_removed_and_markdown_escaped_as_notify_does() {
        assert_eq!(
            sanitise("User, [click here](https://evil.link)"),
            "User, \\[click here\\]\\(\\)"
        );
        assert_eq!(sanitise("see evil.link now"), "see evil\\. link now");
        assert_eq!(sanitise("a-b_c"), "a\\-b\\_c");
        assert_eq!(sanitise("me@example.com"), "me@example\\.com");
        assert_eq!(sanitise("v1.2"), "v1\\.2");
        assert_eq!(sanitise("go to www.gov.uk/x?y=1 today"), "go to  today");
        // A one-letter top-level domain is not a link to notifications-utils.
        assert_eq!(sanitise("https://a.b"), "https://a\\.b");
    }

    #[test]
    fn only_named_keys_are_sanitised_and_reported() {
        let p = json!({"Name": "[x](https://a.bc)", "other": "[y]", "n": 3});
        let (out, changed) =
            apply_sanitise(p.as_object().unwrap(), &["name".to_owned(), "n".to_owned()]);
        assert_eq!(out["Name"], "\\[x\\]\\(\\)");
        assert_eq!(out["other"], "[y]");
        assert_eq!(out["n"], 3);
        assert_eq!(
            serde_json::to_value(&changed).unwrap(),
            json!({"Name": {"unsanitised": "[x](https://a.bc)", "sanitised": "\\[x\\]\\(\\)"}})
        );
    }

    proptest::proptest! {
        /// A link with a scheme never survives: it is removed, not broken up.
        #[test]
        fn links_with_a_scheme_are_removed(
            link in "https?://[a-z]{1,5}(\\.[a-z]{1,5}){0,2}\\.[a-z]{2,4}(/[a-z?=]{0,8})?",
            before in "[A-Za-z ,]{0,10}",
            after in "( [A-Za-z,]{0,10})?",
        ) {
            let out = sanitise(&format!("{before} {link}{after}"));
            proptest::prop_assert!(!out.contains("://"), "{out:?}");
        }

        /// Whatever the input, every markdown character left in the output is escaped, and nothing panics.
        #[test]
        fn every_markdown_character_comes_out_escaped(input in "\\PC{0,80}") {
            let out = sanitise(&input);
            let mut chars = out.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    let escaped = chars.next();
                    proptest::prop_assert!(escaped.is_some_and(|e| "`*_(){}[]<>#+-.!|\\".contains(e)), "{out:?}");
                } else {
                    proptest::prop_assert!(!"`*_(){}[]<>#+-.!|".contains(c), "{c:?} unescaped in {out:?}");
                }
            }
        }
    }
}
