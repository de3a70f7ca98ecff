//! Whitespace and punctuation helpers with Python's semantics, as notifications-utils'
//! `formatters.py` relies on `str.split()`, `str.splitlines()` and `str.strip()`.

/// Zero-width characters Notify removes (`OBSCURE_ZERO_WIDTH_WHITESPACE`).
pub const OBSCURE_ZERO_WIDTH: [char; 8] = [
    '\u{180e}', '\u{200b}', '\u{200c}', '\u{200d}', '\u{2060}', '\u{feff}', '\u{2028}', '\u{2029}',
];

/// Full-width "obscure" spaces Notify turns into a plain space (`OBSCURE_FULL_WIDTH_WHITESPACE`).
pub const OBSCURE_FULL_WIDTH: [char; 2] = ['\u{a0}', '\u{202f}'];

/// Python's `str.isspace()`: Unicode White_Space plus the ASCII separators U+001C..U+001F.
#[must_use]
pub fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.strip()` with no argument.
#[must_use]
pub fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\u{b}'
            | '\u{c}'
            | '\u{1c}'
            | '\u{1d}'
            | '\u{1e}'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// Python's `str.splitlines()`: splits on every Unicode line boundary, treats `\r\n` as one break
/// and yields no trailing empty line.
#[must_use]
pub fn py_splitlines(s: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if is_line_break(c) {
            lines.push(&s[start..i]);
            let mut end = i + c.len_utf8();
            if c == '\r'
                && let Some(&(j, '\n')) = chars.peek()
            {
                end = j + 1;
                chars.next();
            }
            start = end;
        }
    }
    if start < s.len() {
        lines.push(&s[start..]);
    }
    lines
}

/// `normalise_whitespace`: obscure full-width spaces become spaces, zero-width characters are
/// removed (the zero-width joiner is kept when `keep_zwj`), then runs of whitespace collapse to one
/// space and the ends are trimmed.
pub fn normalise_whitespace_into(line: &str, keep_zwj: bool, out: &mut String) {
    let mut pending_space = false;
    let mut wrote = false;
    for c in line.chars() {
        if OBSCURE_ZERO_WIDTH.contains(&c) && !(keep_zwj && c == '\u{200d}') {
            continue;
        }
        if OBSCURE_FULL_WIDTH.contains(&c) || is_py_space(c) {
            pending_space = wrote;
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
        wrote = true;
    }
}

/// `normalise_whitespace` for a single string.
#[must_use]
pub fn normalise_whitespace(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    normalise_whitespace_into(line, false, &mut out);
    out
}

/// `normalise_whitespace_and_newlines`: every line normalised, joined with `\n`.
#[must_use]
pub fn normalise_whitespace_and_newlines(value: &str, keep_zwj: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for (i, line) in py_splitlines(value).into_iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        normalise_whitespace_into(line, keep_zwj, &mut out);
    }
    out
}

/// `remove_whitespace_before_punctuation`: a run of spaces and tabs directly before `,` or `.` is
/// removed.
#[must_use]
pub fn remove_whitespace_before_punctuation(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut run = String::new();
    for c in value.chars() {
        if c == ' ' || c == '\t' {
            run.push(c);
            continue;
        }
        if !(c == ',' || c == '.') {
            out.push_str(&run);
        }
        run.clear();
        out.push(c);
    }
    out.push_str(&run);
    out
}

/// `normalise_multiple_newlines`: three or more `\n` in a row become two.
#[must_use]
pub fn normalise_multiple_newlines(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut newlines = 0;
    for c in value.chars() {
        if c == '\n' {
            newlines += 1;
            if newlines <= 2 {
                out.push(c);
            }
        } else {
            newlines = 0;
            out.push(c);
        }
    }
    out
}

/// `strip_and_remove_obscure_whitespace`: removes zero-width and full-width obscure spaces anywhere,
/// then strips ASCII whitespace (`string.whitespace`) from both ends.
#[must_use]
pub fn strip_and_remove_obscure_whitespace(value: &str) -> String {
    let cleaned: String = value
        .chars()
        .filter(|c| !OBSCURE_ZERO_WIDTH.contains(c) && !OBSCURE_FULL_WIDTH.contains(c))
        .collect();
    cleaned
        .trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}' | '\u{c}'))
        .to_owned()
}

/// Escapes `&`, `<` and `>` as Python's `html.escape(quote=False)` does.
///
/// notifications-utils' `escape_html` first decodes the entities written with their `;` (keeping `&amp;`,
/// `&nbsp;`, `&lpar;` and `&rpar;` as written), so `&lt;` stays `&lt;` there where it becomes `&amp;lt;`
/// here; values with entities in them are the only ones that differ.
#[must_use]
pub fn escape_html(value: &str) -> String {
    gaap_html::Escape::Text.escape(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    // notifications-utils tests/test_formatters.py `test_removing_whitespace_before_punctuation`.
    #[test]
    fn whitespace_before_punctuation() {
        assert_eq!(remove_whitespace_before_punctuation("Hello , world ."), "Hello, world.");
        assert_eq!(remove_whitespace_before_punctuation("a \t ,b"), "a,b");
        assert_eq!(remove_whitespace_before_punctuation("a  b"), "a  b");
        assert_eq!(remove_whitespace_before_punctuation("end  "), "end  ");
    }

    #[test]
    fn splitlines_like_python() {
        assert_eq!(py_splitlines("a\r\nb\n\nc\n"), vec!["a", "b", "", "c"]);
        assert_eq!(py_splitlines("a\u{2028}b"), vec!["a", "b"]);
        assert!(py_splitlines("").is_empty());
    }

    #[test]
    fn whitespace_normalisation() {
        assert_eq!(
            normalise_whitespace("  Hi\u{a0}there\u{a0} what's\u{200d} up\t"),
            "Hi there what's up"
        );
        let mut kept = String::new();
        normalise_whitespace_into("what's\u{200d} up", true, &mut kept);
        assert_eq!(kept, "what's\u{200d} up");
        assert_eq!(normalise_multiple_newlines("a\n\n\n\nb\n\nc"), "a\n\nb\n\nc");
    }
}
