//! A small RFC 4180 reader for the shipped data: quoted fields, doubled quotes, CRLF or LF.

/// Iterates the records of a CSV text.
pub(crate) fn records(text: &str) -> impl Iterator<Item = Vec<String>> + '_ {
    let mut rest = text;
    std::iter::from_fn(move || {
        loop {
            if rest.is_empty() {
                return None;
            }
            let (record, after) = parse_record(rest);
            rest = after;
            if !(record.len() == 1 && record.first().is_some_and(String::is_empty)) {
                return Some(record);
            }
        }
    })
}

fn parse_record(input: &str) -> (Vec<String>, &str) {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = input.char_indices().peekable();
    let mut in_quotes = false;
    while let Some((i, c)) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek().is_some_and(|&(_, n)| n == '"') {
                    field.push('"');
                    chars.next();
                } else {
                    in_quotes = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => in_quotes = true,
            ',' => fields.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                fields.push(field);
                return (fields, &input[i + 1..]);
            }
            _ => field.push(c),
        }
    }
    fields.push(field);
    (fields, "")
}
