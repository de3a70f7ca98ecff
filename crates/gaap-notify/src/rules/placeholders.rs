//! Placeholders: `((name))`, conditional `((name??text))`, insensitive names and list values
//! (notifications-utils `field.py` and `insensitive_dict.py`).

use serde_json::{Map, Value};

use super::text::{escape_html, strip_and_remove_obscure_whitespace};

/// One placeholder found in a template field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placeholder<'a> {
    /// Byte range of the whole `((…))` in the field.
    pub start: usize,
    /// End of the range (exclusive).
    pub end: usize,
    /// Everything between the brackets.
    pub body: &'a str,
}

impl<'a> Placeholder<'a> {
    /// The name: the body up to the first `??`.
    #[must_use]
    pub fn name(&self) -> &'a str {
        conditional_split(self.body).map_or(self.body, |i| &self.body[..i])
    }

    /// The conditional text after the first `??` (further `??` are kept), if this is a conditional.
    #[must_use]
    pub fn conditional_text(&self) -> Option<&'a str> {
        conditional_split(self.body).map(|i| &self.body[i + 2..])
    }
}

/// Byte offset of the first `??` in a placeholder body.
fn conditional_split(body: &str) -> Option<usize> {
    body.as_bytes().windows(2).position(|w| w == b"??")
}

/// Iterates over the placeholders of a field in order. The pattern is `\(\(([^()]+)\)\)`, so a
/// body can never contain a bracket but may contain newlines.
#[derive(Debug, Clone)]
pub struct Placeholders<'a> {
    content: &'a str,
    pos: usize,
}

impl<'a> Iterator for Placeholders<'a> {
    type Item = Placeholder<'a>;

    fn next(&mut self) -> Option<Placeholder<'a>> {
        let bytes = self.content.as_bytes();
        // `str::find` with a char uses memchr; `pos` is always on a char boundary.
        while let Some(offset) = self.content.get(self.pos..).and_then(|rest| rest.find('(')) {
            let start = self.pos + offset;
            if bytes.get(start + 1) != Some(&b'(') {
                self.pos = start + 1;
                continue;
            }
            let body_start = start + 2;
            let mut j = body_start;
            while j < bytes.len() && bytes[j] != b'(' && bytes[j] != b')' {
                j += 1;
            }
            if j > body_start && bytes.get(j) == Some(&b')') && bytes.get(j + 1) == Some(&b')') {
                self.pos = j + 2;
                return Some(Placeholder { start, end: j + 2, body: &self.content[body_start..j] });
            }
            // No match here; nothing between here and `j` can start a match.
            self.pos = if j > body_start { j } else { start + 1 };
        }
        self.pos = self.content.len();
        None
    }
}

/// All placeholders of `content`, in order, duplicates included.
#[must_use]
pub fn scan(content: &str) -> Placeholders<'_> {
    Placeholders { content, pos: 0 }
}

/// Notify's insensitive key: lower-cased with spaces, `_` and `-` removed (`First Name`,
/// `first_name` and `FIRST-NAME` are the same placeholder).
#[must_use]
pub fn normalise_name(name: &str) -> String {
    name.chars().filter(|c| !matches!(c, ' ' | '_' | '-')).flat_map(char::to_lowercase).collect()
}

/// Whether two names are the same placeholder, without allocating.
#[must_use]
pub fn names_match(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let norm = |s: &str| {
        s.chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-'))
            .flat_map(char::to_lowercase)
            .collect::<Vec<_>>()
    };
    if a.is_ascii() && b.is_ascii() {
        let mut x =
            a.bytes().filter(|c| !matches!(c, b' ' | b'_' | b'-')).map(|c| c.to_ascii_lowercase());
        let mut y =
            b.bytes().filter(|c| !matches!(c, b' ' | b'_' | b'-')).map(|c| c.to_ascii_lowercase());
        loop {
            match (x.next(), y.next()) {
                (None, None) => return true,
                (Some(p), Some(q)) if p == q => {}
                _ => return false,
            }
        }
    }
    norm(a) == norm(b)
}

/// The distinct placeholder names of the given fields, de-duplicated insensitively, keeping the
/// first-seen spelling and order (`InsensitiveSet`).
#[must_use]
pub fn placeholder_names<'a>(fields: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for field in fields {
        for placeholder in scan(field) {
            let name = placeholder.name();
            if !names.iter().any(|seen| names_match(seen, name)) {
                names.push(name.to_owned());
            }
        }
    }
    names
}

/// Looks a placeholder up in personalisation insensitively; the last matching key wins, as in
/// `InsensitiveDict`. JSON `null` counts as missing.
#[must_use]
pub fn lookup<'v>(values: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    values
        .iter()
        .rev()
        .find(|(key, _)| names_match(key, name))
        .map(|(_, v)| v)
        .filter(|v| !v.is_null())
}

/// The names (from `names`) that have no value, in order: the list behind
/// `Missing personalisation: …`.
#[must_use]
pub fn missing(names: &[String], values: &Map<String, Value>) -> Vec<String> {
    names.iter().filter(|name| lookup(values, name).is_none()).cloned().collect()
}

/// The API's message for missing personalisation (`check_placeholders` in notifications-api):
/// `Missing personalisation: a, b`.
#[must_use]
pub fn missing_personalisation_message(missing: &[String]) -> String {
    format!("Missing personalisation: {}", missing.join(", "))
}

/// Python truthiness of a JSON value (`null`, `false`, `0`, `""`, `[]` and `{}` are false).
#[must_use]
pub fn py_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// `str2bool`: whether a value shows the text of a conditional placeholder. True for the strings
/// `yes y true t 1 include show` (any case) and for JSON `true` and `1`.
#[must_use]
pub fn str2bool(value: &Value) -> bool {
    if !py_truthy(value) {
        return false;
    }
    let text = py_str(value);
    matches!(text.to_lowercase().as_str(), "yes" | "y" | "true" | "t" | "1" | "include" | "show")
}

/// Python's `str()` of a JSON value, as Notify renders a personalisation value.
#[must_use]
pub fn py_str(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        _ => py_repr_inner(value, false),
    }
}

fn py_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-4..1e16).contains(&abs) {
        // Python switches to exponent form, with a sign and at least two exponent digits.
        let s = format!("{f:e}");
        if let Some((mantissa, exp)) = s.split_once('e') {
            let (sign, digits) = exp.strip_prefix('-').map_or(("+", exp), |d| ("-", d));
            return format!("{mantissa}e{sign}{digits:0>2}");
        }
        return s;
    }
    let s = format!("{f}");
    if s.contains('.') { s } else { format!("{s}.0") }
}

fn py_repr_inner(value: &Value, quoted: bool) -> String {
    match value {
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Number(n) => {
            if n.is_f64() {
                n.as_f64().map_or_else(|| n.to_string(), py_float)
            } else {
                n.to_string()
            }
        }
        Value::String(s) if quoted => {
            if s.contains('\'') && !s.contains('"') {
                format!("\"{s}\"")
            } else {
                format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
            }
        }
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(|v| py_repr_inner(v, true)).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}: {}",
                        py_repr_inner(&Value::String(k.clone()), true),
                        py_repr_inner(v, true)
                    )
                })
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// How a filled-in value is written into a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FillOptions {
    /// Render lists as markdown bullets (`\n\n* a\n* b`, email and letter bodies) instead of
    /// `a, b and c`.
    pub markdown_lists: bool,
    /// HTML-escape values (the `Field(html="escape")` mode).
    pub escape_html: bool,
}

/// The text for one placeholder's value, or `None` if it is missing.
#[must_use]
pub fn replacement(value: Option<&Value>, options: FillOptions) -> Option<String> {
    let value = value?;
    let text = match value {
        Value::Null => return None,
        Value::Array(items) => {
            let items: Vec<String> = items
                .iter()
                .filter(|v| !v.is_null())
                .map(|v| strip_and_remove_obscure_whitespace(&py_str(v)))
                .filter(|s| !s.is_empty())
                .collect();
            if items.is_empty() {
                return Some(String::new());
            }
            format_list(&items, options.markdown_lists)
        }
        other => py_str(other),
    };
    Some(if options.escape_html { escape_html(&text) } else { text })
}

fn format_list(items: &[String], markdown: bool) -> String {
    if markdown {
        let mut out = String::from("\n\n");
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str("* ");
            out.push_str(item);
        }
        return out;
    }
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [first @ .., last] => format!("{} and {last}", first.join(", ")),
    }
}

/// Fills the placeholders of a plain-text field. A missing value leaves the placeholder as
/// written (`((name))`, or `((name??text))` for a conditional); a conditional shows its text when
/// [`str2bool`] holds, else nothing.
pub fn fill_into(
    content: &str,
    values: &Map<String, Value>,
    options: FillOptions,
    out: &mut String,
) {
    fill_tracking_missing(content, values, options, out, None);
}

/// [`fill_into`] that also records missing placeholder names (insensitively de-duplicated, in
/// first-seen order) into `missing`.
pub fn fill_tracking_missing(
    content: &str,
    values: &Map<String, Value>,
    options: FillOptions,
    out: &mut String,
    mut missing: Option<&mut Vec<String>>,
) {
    // `Field(html="escape")` escapes the content itself, not only the values: markup written in a template
    // is shown, never rendered.
    let literal = |out: &mut String, text: &str| {
        if options.escape_html {
            out.push_str(&escape_html(text));
        } else {
            out.push_str(text);
        }
    };
    let mut last = 0;
    for placeholder in scan(content) {
        literal(out, &content[last..placeholder.start]);
        last = placeholder.end;
        let value = lookup(values, placeholder.name());
        if value.is_none()
            && let Some(list) = missing.as_deref_mut()
            && !list.iter().any(|seen| names_match(seen, placeholder.name()))
        {
            list.push(placeholder.name().to_owned());
        }
        match (placeholder.conditional_text(), value) {
            (_, None) => literal(out, &content[placeholder.start..placeholder.end]),
            (Some(text), Some(v)) => {
                if str2bool(v) {
                    literal(out, text);
                }
            }
            (None, Some(Value::String(text))) if !options.escape_html => out.push_str(text),
            (None, Some(v)) => {
                if let Some(text) = replacement(Some(v), options) {
                    out.push_str(&text);
                }
            }
        }
    }
    literal(out, &content[last..]);
}

/// [`fill_into`] returning a new string.
#[must_use]
pub fn fill(content: &str, values: &Map<String, Value>, options: FillOptions) -> String {
    let mut out = String::with_capacity(content.len() + 32);
    fill_into(content, values, options, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(v: &Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    // notifications-utils tests/test_field.py `test_extracting_placeholders`.
    #[test]
    fn extracting_placeholders() {
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
            ("((colour))", &["colour"]),
            ("the quick (((colour))) fox", &["colour"]),
            ("((name)) ((Name)) ((date_of_birth)) ((DateOfBirth))", &["name", "date_of_birth"]),
            ("((warning?))", &["warning?"]),
            ("((warning?warning))", &["warning?warning"]),
            ("((warning??This is a conditional warning))", &["warning"]),
            ("((warning??This is a conditional warning\nwith line break))", &["warning"]),
            ("((warning??foo??bar))", &["warning"]),
            (
                "Please report to the ((&gt;location)) office at ((&amp;time)) on ((&lt;day)).",
                &["&gt;location", "&amp;time", "&lt;day"],
            ),
            ("the ((quick brown fox", &[]),
            ("the (()) brown fox", &[]),
        ];
        for (content, expected) in cases {
            assert_eq!(placeholder_names([*content]), *expected, "{content}");
        }
    }

    // notifications-utils tests/test_field.py `test_replacing_placeholders` (plain-text values).
    #[test]
    fn replacing_placeholders() {
        let opts = FillOptions { escape_html: true, ..FillOptions::default() };
        let cases = [
            ("((colour))", json!({"colour": "red"}), "red"),
            ("the quick (((colour))) fox", json!({"colour": "brown"}), "the quick (brown) fox"),
            (
                "the quick ((colour)) fox",
                json!({"colour": "<script>alert('foo')</script>"}),
                "the quick &lt;script&gt;alert('foo')&lt;/script&gt; fox",
            ),
            ("before ((placeholder)) after", json!({"placeholder": ""}), "before  after"),
            ("before ((placeholder)) after", json!({"placeholder": true}), "before True after"),
            ("before ((placeholder)) after", json!({"placeholder": false}), "before False after"),
            ("before ((placeholder)) after", json!({"placeholder": 0}), "before 0 after"),
            ("before ((placeholder)) after", json!({"placeholder": 0.0}), "before 0.0 after"),
            (
                "before ((placeholder)) after",
                json!({"placeholder": 0.1 + 0.2}),
                "before 0.30000000000000004 after",
            ),
            (
                "before ((placeholder)) after",
                json!({"placeholder": {"key": "value"}}),
                "before {'key': 'value'} after",
            ),
            (
                "((warning?))",
                json!({"warning?": "This is not a conditional"}),
                "This is not a conditional",
            ),
            (
                "((warning??This is a conditional warning))",
                json!({"warning": true}),
                "This is a conditional warning",
            ),
            ("((warning??This is a conditional warning))", json!({"warning": false}), ""),
            ("((warning??foo??bar))", json!({"warning": "yes"}), "foo??bar"),
            ("((warning??x))", json!({"warning": "0"}), ""),
            ("((warning??x))", json!({"warning": 1}), "x"),
            ("((warning??x))", json!({"warning": 2}), ""),
            ("((warning??x))", json!({"warning": "Include"}), "x"),
        ];
        for (content, values, expected) in cases {
            assert_eq!(fill(content, &map(&values), opts), expected, "{content} {values}");
        }
    }

    // notifications-utils tests/test_field.py `test_formatting_of_placeholders_with_lists`.
    #[test]
    fn list_values() {
        let values = map(&json!({"list": ["one", "two", "three"]}));
        assert_eq!(fill("((list))", &values, FillOptions::default()), "one, two and three");
        let md = FillOptions { markdown_lists: true, escape_html: false };
        assert_eq!(fill("((list))", &values, md), "\n\n* one\n* two\n* three");
        let sparse = map(&json!({"list": [null, "  ", "one", "", " two "]}));
        assert_eq!(fill("((list))", &sparse, FillOptions::default()), "one and two");
        assert_eq!(fill("((list))", &map(&json!({"list": []})), FillOptions::default()), "");
    }

    // notifications-utils tests/test_insensitive_dict.py: spaces, `_`, `-` and case are ignored.
    #[test]
    fn insensitive_names() {
        let values = map(&json!({"First Name": "Ann", "DATE-OF_birth": "1 Jan"}));
        assert_eq!(
            fill("((first_name)) ((dateofbirth))", &values, FillOptions::default()),
            "Ann 1 Jan"
        );
        assert_eq!(normalise_name("FIRST-NAME"), "firstname");
        assert!(names_match("Über Name", "über_name"));
    }

    #[test]
    fn missing_in_first_seen_order() {
        let names = placeholder_names(["((b)) ((a)) ((B)) ((c))"]);
        let values = map(&json!({"c": "x", "a": null}));
        let missing = missing(&names, &values);
        assert_eq!(missing, ["b", "a"]);
        assert_eq!(missing_personalisation_message(&missing), "Missing personalisation: b, a");
    }
}
