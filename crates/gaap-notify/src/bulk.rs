//! Validate a recipients CSV against a template the way Notify's upload does (notifications-utils
//! `recipients.py` `RecipientCSV`): headers matched insensitively, missing columns, each bad row
//! by its number, at most 100,000 rows, streamed row by row.
//!
//! A file with a header and no recipient rows is refused as Notify's upload refuses it ([`NO_ROWS`]).
//! Two shapes Notify's upload reads without complaint lose data there, so this check refuses them
//! too: a row with more non-empty values than the header has columns (Notify shows the extra values
//! greyed out and sends nothing from them) and a quoted value that never closes (Python's `csv`
//! module then reads the rest of the file as that one value, so the later rows are never sent).

use std::borrow::Cow;
use std::io::Read;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::rules::email_address::validate_email_address;
use crate::rules::phone::{PhoneNumber, PhonePermissions};
use crate::rules::placeholders::{names_match, normalise_name};
use crate::rules::postal_address::PostalAddress;
use crate::rules::sms::SmsOptions;
use crate::rules::template::{RenderOptions, TemplateContent, TemplateType};
use crate::rules::text::strip_and_remove_obscure_whitespace;

/// `RecipientCSV.max_rows`.
pub const MAX_ROWS: usize = 100_000;

/// The cell error for an empty required value (`Cell.missing_field_error`).
pub const MISSING: &str = "Missing";

const ADDRESS_COLUMNS: [&str; 8] = [
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "address_line_4",
    "address_line_5",
    "address_line_6",
    "address_line_7",
    "postcode",
];

/// Notify's message for a file with a header and no recipient rows ("Your file is missing some
/// rows", notifications-admin's check page).
pub const NO_ROWS: &str = "Your file is missing some rows. It needs at least one row of data.";

/// The column of a [`RowError`] about values past the header's last column.
pub const EXTRA_VALUES_COLUMN: &str = "";

/// What the upload allows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkOptions {
    /// The service's SMS permissions.
    pub phone: PhonePermissions,
    /// The service may send international letters.
    pub international_letters: bool,
    /// SMS prefix and encoding, for the length check.
    pub sms: SmsOptions,
}

/// One bad cell (or, for letters, a bad address: column `address`; a message-level problem:
/// column `message`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The spreadsheet row number: the header is row 1, the first recipient row 2.
    pub row: usize,
    /// The column header as written in the file.
    pub column: String,
    /// Notify's message (`Missing`, `Not a valid email address`, a phone error…).
    pub message: String,
}

/// The result of checking a file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BulkReport {
    /// Recipient rows read.
    pub rows: usize,
    /// Rows without errors.
    pub valid: usize,
    /// Rows with at least one error.
    pub invalid: usize,
    /// Required columns not in the header (recipient column first, then placeholders).
    pub missing_columns: Vec<String>,
    /// More than [`MAX_ROWS`] rows (rows past the limit are counted, not checked).
    pub too_many_rows: bool,
    /// Every error, in row order.
    pub errors: Vec<RowError>,
    /// The spreadsheet row number of a quoted value that is never closed: the file ends inside
    /// it, so it swallowed every line after its opening quote.
    pub unterminated_quote: Option<usize>,
}

impl BulkReport {
    /// Whether the file can be sent as written: Notify would accept it (it has rows, every
    /// column, no bad cell, not too many rows) and nothing in it would be lost (no values past the
    /// header's columns, no unclosed quote).
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.rows > 0
            && self.invalid == 0
            && self.missing_columns.is_empty()
            && !self.too_many_rows
            && self.unterminated_quote.is_none()
    }

    /// Whether the file has a header and no recipient rows ([`NO_ROWS`]).
    #[must_use]
    pub fn has_no_rows(&self) -> bool {
        self.rows == 0
    }
}

/// The message for a row whose values reach column `width`, past the header's `columns`.
#[must_use]
pub fn extra_values_message(width: usize, columns: usize) -> String {
    format!(
        "This row has values in {width} columns but the file has only {columns} column headers; \
         Notify ignores values without a column header"
    )
}

/// The message for a quoted value opened in a row that the file ends inside.
#[must_use]
pub fn unterminated_quote_message(row: usize) -> String {
    format!(
        "A quoted value in row {row} is never closed, so every line after its opening quote \
         would be read as that one value"
    )
}

/// Follows the quoting of the bytes the CSV reader is given, to tell whether the file ends inside
/// a quoted value (the `csv` reader, like Python's, ends such a value quietly at the end of input).
/// Quotes count as the CSV reader counts them: only at the start of a value, `""` inside one.
#[derive(Debug)]
struct QuoteTracker<R> {
    inner: R,
    state: QuoteState,
    bom_left: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    StartOfValue,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

impl<R> QuoteTracker<R> {
    fn new(inner: R) -> Self {
        Self { inner, state: QuoteState::StartOfValue, bom_left: BOM.len() }
    }

    fn feed(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            if self.bom_left > 0 {
                if BOM.get(BOM.len() - self.bom_left) == Some(&byte) {
                    self.bom_left -= 1;
                    continue;
                }
                self.bom_left = 0;
            }
            let ends_value = matches!(byte, b',' | b'\n' | b'\r');
            self.state = match (self.state, byte) {
                (QuoteState::StartOfValue | QuoteState::QuoteInQuoted, b'"') => QuoteState::Quoted,
                (QuoteState::Quoted, b'"') => QuoteState::QuoteInQuoted,
                (QuoteState::Quoted, _) => QuoteState::Quoted,
                (_, _) if ends_value => QuoteState::StartOfValue,
                (_, _) => QuoteState::Unquoted,
            };
        }
    }

    /// Whether everything read so far ends inside a quoted value.
    fn inside_quotes(&self) -> bool {
        self.state == QuoteState::Quoted
    }
}

impl<R: Read> Read for QuoteTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.feed(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

/// A file that could not be read as CSV.
#[derive(Debug, thiserror::Error)]
#[error("could not read the CSV: {0}")]
pub struct CsvError(#[from] csv::Error);

/// `strip_and_remove_obscure_whitespace` without allocating for ASCII cells (every obscure
/// character is non-ASCII).
fn clean(cell: &str) -> Cow<'_, str> {
    if cell.is_ascii() {
        Cow::Borrowed(
            cell.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}' | '\u{c}')),
        )
    } else {
        Cow::Owned(strip_and_remove_obscure_whitespace(cell))
    }
}

fn recipient_column(kind: TemplateType) -> Option<&'static str> {
    match kind {
        TemplateType::Sms => Some("phone number"),
        TemplateType::Email => Some("email address"),
        TemplateType::Letter => None,
    }
}

/// Checks a CSV. `progress` is called with the number of rows read so far, every 1,000 rows and
/// at the end.
///
/// ```
/// use gaap_notify::bulk::validate_csv;
/// use gaap_notify::rules::template::{TemplateContent, TemplateType};
/// let template = TemplateContent { kind: TemplateType::Sms, subject: None, body: "Hi ((First Name))".into() };
/// let csv = "Phone Number,first_name\n07700900123,Ann\n07700900124,\nnot a number,Bo\n";
/// let report = validate_csv(csv.as_bytes(), &template, &Default::default(), |_| {}).unwrap();
/// assert_eq!((report.rows, report.valid, report.invalid), (3, 1, 2));
/// assert_eq!(report.errors[0].row, 3);
/// assert_eq!(report.errors[0].message, "Missing");
/// ```
///
/// # Errors
/// [`CsvError`] if the file is not readable CSV.
pub fn validate_csv<R: Read>(
    reader: R,
    template: &TemplateContent,
    options: &BulkOptions,
    mut progress: impl FnMut(usize),
) -> Result<BulkReport, CsvError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(QuoteTracker::new(reader));
    let headers: Vec<String> =
        csv.headers()?.iter().map(strip_and_remove_obscure_whitespace).collect();
    let recipient = recipient_column(template.kind);
    let required = required_columns(template, recipient);
    let mut report = BulkReport {
        missing_columns: missing_columns(&headers, &required, template.kind),
        ..BulkReport::default()
    };
    let mut rows = RowCheck::new(headers, &required, recipient, template, options);
    let mut record = csv::StringRecord::new();
    let mut last_row = 0;
    while csv.read_record(&mut record)? {
        if record.iter().all(|c| clean(c).is_empty()) {
            continue;
        }
        report.rows += 1;
        if report.rows.is_multiple_of(1_000) {
            progress(report.rows);
        }
        if report.rows > MAX_ROWS {
            report.too_many_rows = true;
            continue;
        }
        let row_number = report.rows + 1;
        last_row = row_number;
        if rows.check(&record, row_number, &mut report.errors) {
            report.valid += 1;
        } else {
            report.invalid += 1;
        }
    }
    if csv.get_ref().inside_quotes() {
        report.unterminated_quote = Some(last_row.max(1));
    }
    progress(report.rows);
    Ok(report)
}

/// The columns every row must fill: the recipient's, then each placeholder's (a letter's address
/// placeholders aside, which [`missing_columns`] counts on their own).
fn required_columns(template: &TemplateContent, recipient: Option<&str>) -> Vec<String> {
    let mut required: Vec<String> = recipient.map(|r| vec![r.to_owned()]).unwrap_or_default();
    for p in &template.placeholders() {
        let is_address = template.kind == TemplateType::Letter
            && ADDRESS_COLUMNS.iter().any(|a| names_match(a, p));
        if !is_address && !required.iter().any(|r| names_match(r, p)) {
            required.push(p.clone());
        }
    }
    required
}

/// The required columns the header lacks; for a letter, `address_line_1` first when fewer than three
/// address columns are there.
fn missing_columns(headers: &[String], required: &[String], kind: TemplateType) -> Vec<String> {
    let has = |name: &str| headers.iter().any(|h| names_match(h, name));
    let mut missing: Vec<String> = required.iter().filter(|c| !has(c)).cloned().collect();
    if kind == TemplateType::Letter {
        let address_count = ADDRESS_COLUMNS.iter().filter(|c| has(c)).count();
        if address_count < 3 {
            missing.insert(0, "address_line_1".to_owned());
        }
    }
    missing
}

/// Checks rows against the header and the template.
struct RowCheck<'a> {
    headers: Vec<String>,
    /// Each header's insensitive key, computed once.
    keys: Vec<String>,
    recipient: Option<&'static str>,
    recipient_index: Option<usize>,
    /// The placeholders' columns found in the header (the recipient's aside), with their names.
    placeholder_columns: Vec<(usize, String)>,
    template: &'a TemplateContent,
    options: &'a BulkOptions,
    render: RenderOptions,
    /// The columns whose values a row gave, reused from row to row.
    filled: Vec<usize>,
}

impl<'a> RowCheck<'a> {
    fn new(
        headers: Vec<String>,
        required: &[String],
        recipient: Option<&'static str>,
        template: &'a TemplateContent,
        options: &'a BulkOptions,
    ) -> Self {
        let find = |name: &str| headers.iter().position(|h| names_match(h, name));
        let recipient_index = recipient.and_then(find);
        let placeholder_columns = required
            .iter()
            .filter(|c| recipient.is_none_or(|r| !names_match(r, c)))
            .filter_map(|c| find(c).map(|i| (i, c.clone())))
            .collect();
        let keys = headers.iter().map(|h| normalise_name(h)).collect();
        let filled = Vec::with_capacity(headers.len());
        RowCheck {
            headers,
            keys,
            recipient,
            recipient_index,
            placeholder_columns,
            template,
            options,
            render: RenderOptions { sms: options.sms.clone() },
            filled,
        }
    }

    /// Checks the row numbered `row_number`, pushing its errors onto `errors`; `true` when it has none.
    fn check(
        &mut self,
        record: &csv::StringRecord,
        row_number: usize,
        errors: &mut Vec<RowError>,
    ) -> bool {
        let cell = |i: usize| clean(record.get(i).unwrap_or(""));
        let before = errors.len();
        let row_error = |column: &str, message: String| RowError {
            row: row_number,
            column: column.to_owned(),
            message,
        };
        if let (Some(i), Some(name)) = (self.recipient_index, self.recipient) {
            let header = self.headers.get(i).map_or(name, String::as_str);
            if let Some(message) = self.recipient_error(&cell(i)) {
                errors.push(row_error(header, message));
            }
        }
        let values = self.values(&cell);
        for (i, name) in &self.placeholder_columns {
            if cell(*i).is_empty() {
                errors.push(row_error(
                    self.headers.get(*i).map_or(name.as_str(), String::as_str),
                    MISSING.to_owned(),
                ));
            }
        }
        // The width of the row up to its last non-empty value.
        let width = (0..record.len()).rev().find(|&i| !cell(i).is_empty()).map_or(0, |i| i + 1);
        if width > self.headers.len() {
            errors.push(row_error(
                EXTRA_VALUES_COLUMN,
                extra_values_message(width, self.headers.len()),
            ));
        }
        if self.template.kind == TemplateType::Letter {
            let address =
                PostalAddress::from_personalisation(&values, self.options.international_letters);
            if let Err(e) = address.validate() {
                errors.push(row_error("address", e.to_string()));
            }
        } else if errors.len() == before {
            let rendered = self.template.render(&values, &self.render);
            if let Some(error) = rendered.error {
                errors.push(row_error("message", error));
            }
        }
        errors.len() == before
    }

    /// The error of a recipient cell: missing, not a phone number Notify sends to, or not an email address.
    fn recipient_error(&self, value: &str) -> Option<String> {
        if value.is_empty() {
            Some(MISSING.to_owned())
        } else if self.template.kind == TemplateType::Sms {
            PhoneNumber::parse(value)
                .and_then(|n| n.validate(self.options.phone))
                .err()
                .map(|e| e.to_string())
        } else if validate_email_address(value).is_err() {
            Some("Not a valid email address".to_owned())
        } else {
            None
        }
    }

    /// The row's personalisation: the first non-empty cell for each insensitive key.
    fn values<'r>(&mut self, cell: &impl Fn(usize) -> Cow<'r, str>) -> Map<String, Value> {
        let mut values = Map::new();
        self.filled.clear();
        for (i, header) in self.headers.iter().enumerate() {
            let v = cell(i);
            if !v.is_empty() && !self.filled.iter().any(|&j| self.keys[j] == self.keys[i]) {
                self.filled.push(i);
                values.insert(header.clone(), Value::String(v.into_owned()));
            }
        }
        values
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn sms(body: &str) -> TemplateContent {
        TemplateContent { kind: TemplateType::Sms, subject: None, body: body.into() }
    }

    fn check(csv: &str) -> BulkReport {
        validate_csv(csv.as_bytes(), &sms("Hi ((name))"), &BulkOptions::default(), |_| {})
            .unwrap_or_default()
    }

    fn ends_inside_quotes(bytes: &[u8]) -> bool {
        let mut tracker = QuoteTracker::new(std::io::empty());
        tracker.feed(bytes);
        tracker.inside_quotes()
    }

    #[test]
    fn a_header_without_rows_is_refused() {
        for csv in ["phone number,name\n", "phone number,name\n,\n\n", "phone number,name"] {
            let report = check(csv);
            assert!(report.has_no_rows(), "{csv:?}");
            assert!(report.missing_columns.is_empty());
            assert!(!report.is_ok(), "{csv:?}");
        }
    }

    #[test]
    fn values_past_the_header_are_an_error_but_empty_trailing_cells_are_not() {
        let report = check("phone number,name\n07700900123,Ann,extra\n07700900124,Bo,,\n");
        assert_eq!((report.rows, report.valid, report.invalid), (2, 1, 1));
        assert_eq!(
            report.errors,
            [RowError {
                row: 2,
                column: EXTRA_VALUES_COLUMN.to_owned(),
                message: extra_values_message(3, 2),
            }]
        );
        assert!(report.errors[0].message.contains("3 columns"));
        assert!(!report.is_ok());
    }

    #[test]
    fn an_unclosed_quote_swallows_the_rest_of_the_file_and_is_reported() {
        let report = check("phone number,name\n07700900123,\"Ann\n07700900124,Bo\n");
        // The quote takes the second line into row 2's name, as Python's csv module does.
        assert_eq!(report.rows, 1);
        assert_eq!(report.unterminated_quote, Some(2));
        assert!(!report.is_ok());
        let closed = check("phone number,name\n07700900123,\"Ann \"\"A\"\"\"\n07700900124,Bo\n");
        assert_eq!((closed.rows, closed.unterminated_quote), (2, None));
        assert!(closed.is_ok());
        assert!(unterminated_quote_message(2).contains("row 2"));
    }

    #[test]
    fn quotes_count_only_at_the_start_of_a_value() {
        assert!(!ends_inside_quotes(b"a,b\"c\n"));
        assert!(!ends_inside_quotes(b"\xEF\xBB\xBF\"a\",b\n"));
        assert!(ends_inside_quotes(b"\xEF\xBB\xBF\"a,b\n"));
        assert!(!ends_inside_quotes(b"\"a\"x,\"b\"\n"));
        assert!(ends_inside_quotes(b"a,\"b\"\"\n"));
    }

    proptest! {
        // Whatever a CSV writer quotes is closed; opening one more quoted value that runs to
        // the end is not, and the tracker agrees with the reader on how many records it holds.
        #[test]
        fn the_tracker_follows_the_csv_writers_quoting(
            rows in prop::collection::vec(prop::collection::vec("[a-z\",\n ]{0,6}", 1..4), 1..5),
            tail in "[a-z,\n ]{0,10}",
        ) {
            let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
            for row in &rows {
                writer.write_record(row).map_err(|e| TestCaseError::fail(e.to_string()))?;
            }
            let mut bytes = writer.into_inner().map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(!ends_inside_quotes(&bytes));
            bytes.push(b'"');
            bytes.extend_from_slice(tail.as_bytes());
            prop_assert!(ends_inside_quotes(&bytes));
        }

        // A row with a non-empty value past the header is always an error, naming its width.
        #[test]
        fn any_value_past_the_header_is_reported(extra in 1..5usize, value in "[a-z]{1,5}") {
            let padding = ",".repeat(extra - 1);
            let csv = format!("phone number,name\n07700900123,Ann,{padding}{value}\n");
            let report = check(&csv);
            prop_assert_eq!(report.invalid, 1);
            prop_assert_eq!(&report.errors[0].message, &extra_values_message(2 + extra, 2));
        }
    }
}
