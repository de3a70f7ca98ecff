//! Validate a recipients CSV against a template the way Notify's upload does (notifications-utils
//! `recipients.py` `RecipientCSV`): headers matched insensitively, missing columns, each bad row
//! by its number, at most 100,000 rows, streamed row by row.

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
}

impl BulkReport {
    /// Whether Notify would accept the file.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.invalid == 0 && self.missing_columns.is_empty() && !self.too_many_rows
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
    let mut csv = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(reader);
    let headers: Vec<String> =
        csv.headers()?.iter().map(strip_and_remove_obscure_whitespace).collect();
    let has = |name: &str| headers.iter().any(|h| names_match(h, name));
    let find = |name: &str| headers.iter().position(|h| names_match(h, name));

    let placeholders = template.placeholders();
    let recipient = recipient_column(template.kind);
    let mut report = BulkReport::default();
    let mut required: Vec<String> = recipient.map(|r| vec![r.to_owned()]).unwrap_or_default();
    for p in &placeholders {
        let is_address = template.kind == TemplateType::Letter
            && ADDRESS_COLUMNS.iter().any(|a| names_match(a, p));
        if !is_address && !required.iter().any(|r| names_match(r, p)) {
            required.push(p.clone());
        }
    }
    report.missing_columns = required.iter().filter(|c| !has(c)).cloned().collect();
    if template.kind == TemplateType::Letter {
        let address_count = ADDRESS_COLUMNS.iter().filter(|c| has(c)).count();
        if address_count < 3 {
            report.missing_columns.insert(0, "address_line_1".to_owned());
        }
    }

    let recipient_index = recipient.and_then(find);
    let placeholder_columns: Vec<(usize, &String)> = required
        .iter()
        .filter(|c| recipient.is_none_or(|r| !names_match(r, c)))
        .filter_map(|c| find(c).map(|i| (i, c)))
        .collect();
    // Each header's insensitive key, computed once.
    let keys: Vec<String> = headers.iter().map(|h| normalise_name(h)).collect();
    let mut filled: Vec<usize> = Vec::with_capacity(headers.len());
    let render = RenderOptions { sms: options.sms.clone() };
    let mut record = csv::StringRecord::new();
    while csv.read_record(&mut record)? {
        if record.iter().all(|c| clean(c).is_empty()) {
            continue;
        }
        report.rows += 1;
        if report.rows % 1_000 == 0 {
            progress(report.rows);
        }
        if report.rows > MAX_ROWS {
            report.too_many_rows = true;
            continue;
        }
        let row_number = report.rows + 1;
        let cell = |i: usize| clean(record.get(i).unwrap_or(""));
        let before = report.errors.len();
        macro_rules! push {
            ($column:expr, $message:expr) => {
                report.errors.push(RowError {
                    row: row_number,
                    column: $column.to_owned(),
                    message: $message,
                })
            };
        }
        if let (Some(i), Some(name)) = (recipient_index, recipient) {
            let value = cell(i);
            let header = headers.get(i).map_or(name, String::as_str);
            if value.is_empty() {
                push!(header, MISSING.to_owned());
            } else if template.kind == TemplateType::Sms {
                if let Err(e) = PhoneNumber::parse(&value).and_then(|n| n.validate(options.phone)) {
                    push!(header, e.to_string());
                }
            } else if validate_email_address(&value).is_err() {
                push!(header, "Not a valid email address".to_owned());
            }
        }
        // The first non-empty cell for each insensitive key.
        let mut values = Map::new();
        filled.clear();
        for (i, header) in headers.iter().enumerate() {
            let v = cell(i);
            if !v.is_empty() && !filled.iter().any(|&j| keys[j] == keys[i]) {
                filled.push(i);
                values.insert(header.clone(), Value::String(v.into_owned()));
            }
        }
        for (i, name) in &placeholder_columns {
            if cell(*i).is_empty() {
                push!(headers.get(*i).map_or(name.as_str(), String::as_str), MISSING.to_owned());
            }
        }
        if template.kind == TemplateType::Letter {
            let address =
                PostalAddress::from_personalisation(&values, options.international_letters);
            if let Err(e) = address.validate() {
                push!("address", e.to_string());
            }
        } else if report.errors.len() == before {
            let rendered = template.render(&values, &render);
            if let Some(error) = rendered.error {
                push!("message", error);
            }
        }
        if report.errors.len() == before {
            report.valid += 1;
        } else {
            report.invalid += 1;
        }
    }
    progress(report.rows);
    Ok(report)
}
