//! `gaap notify`: GOV.UK Notify's rules, offline.

use clap::{Subcommand, ValueEnum};
use gaap_notify::bulk::{BulkOptions, MAX_ROWS, NO_ROWS, unterminated_quote_message, validate_csv};
use gaap_notify::rules::email_address::validate_email_address;
use gaap_notify::rules::phone::{PhonePermissions, check_for_api};
use gaap_notify::rules::placeholders::{self, missing_personalisation_message, placeholder_names};
use gaap_notify::rules::postal_address::PostalAddress;
use gaap_notify::rules::sms::{SmsEncoding, SmsOptions, render_sms};
use gaap_notify::rules::template::{RenderOptions, TemplateContent, TemplateType};
use serde_json::{Map, Value, json};
use std::io::Write as _;

use crate::output::{self, Outcome};

/// A template type on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Kind {
    /// Text message.
    Sms,
    /// Email.
    Email,
    /// Letter.
    Letter,
}

impl From<Kind> for TemplateType {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Sms => Self::Sms,
            Kind::Email => Self::Email,
            Kind::Letter => Self::Letter,
        }
    }
}

/// GOV.UK Notify's validation and rendering rules, offline.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Count a text message's characters and fragments as Notify does.
    SmsInfo {
        /// The service name Notify puts in front (`NAME: `).
        #[arg(long, value_name = "NAME")]
        prefix: Option<String>,
        /// Use notifications-utils 127's GSM downgrade instead of the live unicode behaviour.
        #[arg(long)]
        legacy_gsm: bool,
        /// Placeholder values as a JSON object.
        #[arg(long, value_name = "JSON")]
        personalisation: Option<String>,
        /// The message (template) text.
        text: String,
    },
    /// Check a phone number as the v2 API does.
    CheckPhone {
        /// The service may text international numbers.
        #[arg(long)]
        allow_international: bool,
        /// The service may text UK landlines.
        #[arg(long)]
        allow_uk_landline: bool,
        /// The number.
        number: String,
    },
    /// Check an email address.
    CheckEmail {
        /// The address.
        address: String,
    },
    /// Check a letter address, one argument per line.
    CheckAddress {
        /// Refuse non-UK addresses (a service without international letters).
        #[arg(long)]
        uk_only: bool,
        /// The address lines.
        #[arg(required = true)]
        lines: Vec<String>,
    },
    /// Render a template with personalisation.
    Render {
        /// The template type.
        #[arg(long = "type", value_enum)]
        kind: Kind,
        /// The subject (email) or heading (letter).
        #[arg(long)]
        subject: Option<String>,
        /// Placeholder values as a JSON object.
        #[arg(long, value_name = "JSON")]
        personalisation: Option<String>,
        /// The template body file, or `-` for standard input.
        file: String,
    },
    /// Check a recipients CSV against a template as Notify's upload does.
    CheckCsv {
        /// The template type.
        #[arg(long = "type", value_enum)]
        kind: Kind,
        /// The template body file.
        #[arg(long, value_name = "FILE")]
        template: String,
        /// The template's subject (email) or heading (letter).
        #[arg(long)]
        subject: Option<String>,
        /// The service may text international numbers.
        #[arg(long)]
        allow_international: bool,
        /// The CSV file.
        csv: String,
    },
}

/// Runs a `gaap notify` command.
pub(crate) fn run(cmd: Command) -> Outcome {
    match cmd {
        Command::SmsInfo { prefix, legacy_gsm, personalisation, text } => {
            sms_info(prefix, legacy_gsm, personalisation.as_deref(), &text)
        }
        Command::CheckPhone { allow_international, allow_uk_landline, number } => check_phone(
            PhonePermissions { international: allow_international, uk_landline: allow_uk_landline },
            &number,
        ),
        Command::CheckEmail { address } => check_email(&address),
        Command::CheckAddress { uk_only, lines } => check_address(!uk_only, &lines),
        Command::Render { kind, subject, personalisation, file } => {
            render(kind, subject, personalisation.as_deref(), &file)
        }
        Command::CheckCsv { kind, template, subject, allow_international, csv } => {
            check_csv(kind, &template, subject, allow_international, &csv)
        }
    }
}

fn emit(line: &Value, outcome: Outcome) -> Outcome {
    match output::emit(line) {
        Ok(()) => outcome,
        Err(err) => output::fail(err),
    }
}

fn parse_personalisation(json_text: Option<&str>) -> Result<Map<String, Value>, String> {
    match json_text {
        None => Ok(Map::new()),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err("--personalisation must be a JSON object".to_owned()),
            Err(err) => Err(format!("--personalisation is not valid JSON: {err}")),
        },
    }
}

fn sms_info(
    prefix: Option<String>,
    legacy_gsm: bool,
    personalisation: Option<&str>,
    text: &str,
) -> Outcome {
    let values = match parse_personalisation(personalisation) {
        Ok(values) => values,
        Err(err) => return output::fail(err),
    };
    let encoding =
        if legacy_gsm { SmsEncoding::LegacyGsmDowngrade } else { SmsEncoding::UnicodePreserving };
    let sms = render_sms(text, &values, &SmsOptions { prefix, encoding });
    // Without personalisation the count treats placeholders as empty; they are still missing.
    let missing = placeholders::missing(&placeholder_names([text]), &values);
    let line = json!({
        "characters": sms.characters,
        "fragments": sms.fragments,
        "encoding": sms.encoding.as_str(),
        "too_long": sms.too_long,
        "content": sms.content,
        "missing": missing,
    });
    // As `notify render` does: a placeholder without a value is an error, not an empty string.
    report_missing(&missing);
    emit(&line, Outcome::from_valid(!sms.too_long && missing.is_empty()))
}

/// Names the placeholders without a value on stderr (the JSON line carries them as `missing`).
fn report_missing(missing: &[String]) {
    if !missing.is_empty() {
        let _ = writeln!(std::io::stderr(), "gaap: {}", missing_personalisation_message(missing));
    }
}

fn check_phone(permissions: PhonePermissions, number: &str) -> Outcome {
    match check_for_api(number, permissions) {
        Ok(parsed) => emit(
            &json!({"valid": true, "normalised": parsed.normalised(), "international": parsed.is_international()}),
            Outcome::Passed,
        ),
        Err(message) => emit(&json!({"valid": false, "error": message}), Outcome::Invalid),
    }
}

fn check_email(address: &str) -> Outcome {
    match validate_email_address(address) {
        Ok(_) => emit(&json!({"valid": true}), Outcome::Passed),
        Err(err) => emit(&json!({"valid": false, "error": err.to_string()}), Outcome::Invalid),
    }
}

fn check_address(allow_international: bool, lines: &[String]) -> Outcome {
    let address = PostalAddress::parse(&lines.join("\n"), allow_international);
    let mut line = json!({"valid": true, "international": address.international(), "bfpo": address.bfpo.is_some()});
    let result = address.validate();
    if let Err(err) = &result {
        line["valid"] = json!(false);
        line["error"] = json!(err.to_string());
    }
    emit(&line, Outcome::from_valid(result.is_ok()))
}

fn read_text(path: &str) -> Result<String, Outcome> {
    match output::read_input(Some(path)) {
        Ok(bytes) => {
            String::from_utf8(bytes).map_err(|_| output::fail(format!("{path}: not UTF-8 text")))
        }
        Err(err) => Err(output::fail(err)),
    }
}

fn render(
    kind: Kind,
    subject: Option<String>,
    personalisation: Option<&str>,
    file: &str,
) -> Outcome {
    let values = match parse_personalisation(personalisation) {
        Ok(values) => values,
        Err(err) => return output::fail(err),
    };
    let body = match read_text(file) {
        Ok(body) => body,
        Err(outcome) => return outcome,
    };
    let template = TemplateContent { kind: kind.into(), subject, body };
    let rendered = template.render(&values, &RenderOptions::default());
    report_missing(&rendered.missing);
    let mut line =
        json!({"body": rendered.body, "subject": rendered.subject, "missing": rendered.missing});
    if let Some(html) = rendered.html {
        line["html"] = json!(html);
    }
    emit(&line, Outcome::from_valid(rendered.error.is_none()))
}

fn check_csv(
    kind: Kind,
    template_path: &str,
    subject: Option<String>,
    allow_international: bool,
    csv_path: &str,
) -> Outcome {
    let body = match read_text(template_path) {
        Ok(body) => body,
        Err(outcome) => return outcome,
    };
    let file = match std::fs::File::open(csv_path) {
        Ok(file) => file,
        Err(err) => return output::fail(format!("cannot read {csv_path}: {err}")),
    };
    let template = TemplateContent { kind: kind.into(), subject, body };
    let options = BulkOptions {
        phone: PhonePermissions { international: allow_international, uk_landline: false },
        international_letters: true,
        ..BulkOptions::default()
    };
    let bar =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {pos} rows checked ({per_sec})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    let report = validate_csv(std::io::BufReader::new(file), &template, &options, |rows| {
        bar.set_position(u64::try_from(rows).unwrap_or(u64::MAX));
    });
    bar.finish_and_clear();
    let report = match report {
        Ok(report) => report,
        Err(err) => return output::fail(format!("{csv_path}: {err}")),
    };
    let mut errors: Vec<Value> = report
        .missing_columns
        .iter()
        .map(|c| json!({"row": 1, "column": c, "message": "Missing column"}))
        .collect();
    if report.has_no_rows() {
        let _ = writeln!(std::io::stderr(), "gaap: {csv_path}: {NO_ROWS}");
        errors.push(json!({"row": 2, "column": "", "message": NO_ROWS}));
    }
    if let Some(row) = report.unterminated_quote {
        let message = unterminated_quote_message(row);
        let _ = writeln!(std::io::stderr(), "gaap: {csv_path}: {message}");
        errors.push(json!({"row": row, "column": "", "message": message}));
    }
    if report.too_many_rows {
        errors.push(json!({"row": MAX_ROWS + 2, "column": "", "message": format!("Too many rows: the limit is {MAX_ROWS}")}));
    }
    errors.extend(
        report
            .errors
            .iter()
            .map(|e| json!({"row": e.row, "column": e.column, "message": e.message})),
    );
    let line = json!({"rows": report.rows, "valid": report.valid, "invalid": report.invalid, "errors": errors});
    emit(&line, Outcome::from_valid(report.is_ok()))
}
