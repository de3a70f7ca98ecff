//! Pay's request validation as pure functions: the same `{field, code, description}` and HTTP status Pay
//! would answer, with Pay's exact wording, before anything is sent.
//!
//! The order of checks follows `alphagov/pay-publicapi` `RequestJsonParser.java` (type checks, 400), then the
//! bean constraints on `CreateCardPaymentRequest.java`, `PrefilledCardholderDetails.java`, `Address.java`
//! (ranges and lengths, 422, mapped by `ViolationExceptionMapper.java`), then the connector's checks as publicapi
//! maps them in `CreateChargeExceptionMapper.java` (return_url rules, zero amounts). Metadata rules come from
//! `alphagov/pay-java-commons` `ValidExternalMetadata.java`. Lengths count UTF-16 code units, as Java does.
//!
//! Rule for the status: a missing, null, blank or wrongly typed value, or a forbidden character, is 400; a value
//! of the right type that is out of range, too long or not an allowed choice is 422.

use serde_json::{Map, Value};

use crate::money::{MAX_AMOUNT, STRIPE_MIN_AMOUNT};
use crate::types::RequestError;

/// A request Pay would refuse: the HTTP status and Pay's error body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {}: {}", error.code, error.description)]
pub struct Invalid {
    /// 400 or 422.
    pub status: u16,
    /// Pay's error body. `field` is absent where Pay leaves it out (P0104, P0197 and connector messages).
    pub error: RequestError,
    /// The attribute or header at fault, even where Pay's body names none.
    pub attribute: Option<&'static str>,
}

impl Invalid {
    fn new(
        status: u16,
        field: Option<&str>,
        attribute: &'static str,
        code: &str,
        description: String,
    ) -> Self {
        Self {
            status,
            error: RequestError {
                field: field.map(str::to_owned),
                header: None,
                code: code.to_owned(),
                description,
            },
            attribute: Some(attribute),
        }
    }

    fn missing(field: &'static str) -> Self {
        Self::new(400, Some(field), field, "P0101", format!("Missing mandatory attribute: {field}"))
    }

    fn bad_value(status: u16, field: &'static str, reason: &str) -> Self {
        Self::new(
            status,
            Some(field),
            field,
            "P0102",
            format!("Invalid attribute value: {field}. {reason}"),
        )
    }

    fn unexpected(field: &'static str) -> Self {
        Self::new(400, None, field, "P0104", format!("Unexpected attribute: {field}"))
    }

    /// 400 P0197 "Unable to parse JSON": the body is not JSON.
    #[must_use]
    pub fn unparseable() -> Self {
        Self {
            status: 400,
            error: RequestError::new("P0197", "Unable to parse JSON"),
            attribute: None,
        }
    }
}

/// Account settings that change what Pay accepts. The default is a test account with connector checks on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidationOptions {
    /// A live account: `return_url` must be `https://` (422 P0920).
    pub live: bool,
    /// The account may take zero-amount payments (a per-account flag).
    pub zero_amount_allowed: bool,
    /// A Stripe account: the minimum amount is 30p.
    pub stripe: bool,
    /// Also apply the connector's checks (return_url presence and format, zero amounts, agreement-mode fields).
    /// Off reproduces publicapi alone.
    pub connector_checks: bool,
}

impl Default for ValidationOptions {
    fn default() -> Self {
        Self { live: false, zero_amount_allowed: false, stripe: false, connector_checks: true }
    }
}

impl ValidationOptions {
    /// Options for a live account.
    #[must_use]
    pub fn live() -> Self {
        Self { live: true, ..Self::default() }
    }

    /// The same options for a live account or not.
    #[must_use]
    pub const fn live_account(mut self, live: bool) -> Self {
        self.live = live;
        self
    }

    /// The same options with the connector's checks on or off.
    #[must_use]
    pub const fn connector_checks(mut self, on: bool) -> Self {
        self.connector_checks = on;
        self
    }

    /// The same options with zero amounts allowed or not.
    #[must_use]
    pub const fn zero_amount_allowed(mut self, allowed: bool) -> Self {
        self.zero_amount_allowed = allowed;
        self
    }

    /// The same options for a Stripe account (minimum 30p) or not.
    #[must_use]
    pub const fn stripe(mut self, stripe: bool) -> Self {
        self.stripe = stripe;
        self
    }

    /// Publicapi's checks only, without the connector's.
    #[must_use]
    pub fn publicapi_only() -> Self {
        Self { connector_checks: false, ..Self::default() }
    }
}

/// Java's `String.length()`: UTF-16 code units.
fn java_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Java's `StringUtils.isNotBlank`.
fn not_blank(s: &str) -> bool {
    !s.chars().all(char::is_whitespace)
}

const FORBIDDEN: [char; 3] = ['<', '>', '|'];
const STRING_FORMAT: &str = "Must be a valid string format";
const LANGUAGE: &str = "Must be \"en\" or \"cy\"";
const BOOLEAN: &str = "Must be true or false";
const FIELD_STRING: &str = "Field must be a string";
const AUTH_MODES: &str = "Must be one of web, moto_api, agreement";
const AGREEMENT_TYPES: &str = "Must be one of instalment, recurring, unscheduled";
const AMOUNT_DOCS: &str = "Refer to https://docs.payments.service.gov.uk/making_payments/#amount";

fn present<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    body.get(key).filter(|v| !v.is_null())
}

/// A required string: missing, null or blank is P0101; not a string is P0102; both 400.
fn required_string<'a>(
    body: &'a Map<String, Value>,
    field: &'static str,
    wrong_type: &str,
) -> Result<&'a str, Invalid> {
    match present(body, field) {
        None => Err(Invalid::missing(field)),
        Some(Value::String(s)) if not_blank(s) => Ok(s),
        Some(Value::String(_)) => Err(Invalid::missing(field)),
        Some(_) => Err(Invalid::bad_value(400, field, wrong_type)),
    }
}

/// A string where missing, null, blank and wrong type all give the same 400 error.
fn strict_string<'a>(
    body: &'a Map<String, Value>,
    field: &'static str,
    reason: &str,
) -> Result<&'a str, Invalid> {
    match body.get(field) {
        Some(Value::String(s)) if not_blank(s) => Ok(s),
        _ => Err(Invalid::bad_value(400, field, reason)),
    }
}

/// An optional string: null is skipped; another type is 400.
fn optional_string<'a>(
    body: &'a Map<String, Value>,
    field: &'static str,
    reason: &str,
) -> Result<Option<&'a str>, Invalid> {
    match present(body, field) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Invalid::bad_value(400, field, reason)),
    }
}

fn boolean(body: &Map<String, Value>, field: &'static str) -> Result<(), Invalid> {
    match body.get(field) {
        None | Some(Value::Bool(_)) => Ok(()),
        Some(_) => Err(Invalid::bad_value(400, field, BOOLEAN)),
    }
}

fn amount(
    body: &Map<String, Value>,
    missing_code: &str,
    invalid_code: &str,
) -> Result<i64, Invalid> {
    match present(body, "amount") {
        None => Err(Invalid::new(
            400,
            Some("amount"),
            "amount",
            missing_code,
            "Missing mandatory attribute: amount".to_owned(),
        )),
        // Jackson's `isInt`: an integer literal that fits in 32 bits.
        Some(Value::Number(n)) if n.as_i64().is_some_and(|v| i32::try_from(v).is_ok()) => {
            Ok(n.as_i64().unwrap_or_default())
        }
        Some(_) => Err(Invalid::new(
            400,
            Some("amount"),
            "amount",
            invalid_code,
            "Invalid attribute value: amount. Must be a valid numeric format".to_owned(),
        )),
    }
}

fn no_forbidden_chars(value: &str, field: &'static str) -> Result<(), Invalid> {
    if value.contains(FORBIDDEN) {
        return Err(Invalid::bad_value(400, field, STRING_FORMAT));
    }
    Ok(())
}

/// Parses raw bytes and validates them as a create-payment body. Bytes that are not JSON give
/// 400 P0197 "Unable to parse JSON".
pub fn validate_create_payment_bytes(
    body: &[u8],
    options: &ValidationOptions,
) -> Result<Value, Invalid> {
    let value: Value = serde_json::from_slice(body).map_err(|_| Invalid::unparseable())?;
    validate_create_payment(&value, options)?;
    Ok(value)
}

/// Validates a create-payment JSON body exactly as Pay would, returning the first error Pay would answer.
///
/// ```
/// use gaap_pay::rules::validate::{validate_create_payment, ValidationOptions};
/// let body = serde_json::json!({"amount": 27.55, "reference": "r", "description": "d",
///                               "return_url": "https://example.gov.uk/done"});
/// let err = validate_create_payment(&body, &ValidationOptions::default()).unwrap_err();
/// assert_eq!(err.status, 400);
/// assert_eq!(err.error.code, "P0102");
/// assert_eq!(err.error.description, "Invalid attribute value: amount. Must be a valid numeric format");
/// ```
pub fn validate_create_payment(body: &Value, options: &ValidationOptions) -> Result<(), Invalid> {
    let empty = Map::new();
    // Jackson's `get` on a non-object finds nothing, so the first complaint is the missing amount.
    let body = body.as_object().unwrap_or(&empty);
    let parsed = parse_phase(body)?;
    constraint_phase(body, &parsed)?;
    if options.connector_checks {
        connector_phase(body, &parsed, options)?;
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Web,
    MotoApi,
    Agreement,
}

struct Parsed<'a> {
    amount: i64,
    reference: &'a str,
    description: &'a str,
    return_url: Option<&'a str>,
    mode: Mode,
    email: Option<&'a str>,
}

fn parse_phase(body: &Map<String, Value>) -> Result<Parsed<'_>, Invalid> {
    let amount = amount(body, "P0101", "P0102")?;
    let reference = required_string(body, "reference", STRING_FORMAT)?;
    no_forbidden_chars(reference, "reference")?;
    let description = required_string(body, "description", STRING_FORMAT)?;
    no_forbidden_chars(description, "description")?;
    let return_url = if body.contains_key("return_url") {
        optional_string(body, "return_url", "Must be a valid URL format")?
    } else {
        None
    };
    boolean(body, "moto")?;

    let mut mode = Mode::Web;
    if body.contains_key("authorisation_mode") {
        mode = match strict_string(body, "authorisation_mode", AUTH_MODES)? {
            "web" => Mode::Web,
            "moto_api" => Mode::MotoApi,
            "agreement" => Mode::Agreement,
            _ => return Err(Invalid::bad_value(422, "authorisation_mode", AUTH_MODES)),
        };
    }
    if body.contains_key("agreement_id") {
        if mode != Mode::Agreement {
            return Err(Invalid::unexpected("agreement_id"));
        }
        required_string(body, "agreement_id", STRING_FORMAT)?;
    }
    if body.contains_key("agreement_payment_type") {
        let value = strict_string(body, "agreement_payment_type", AGREEMENT_TYPES)?;
        if !body.contains_key("set_up_agreement") && mode != Mode::Agreement {
            return Err(Invalid::unexpected("agreement_payment_type"));
        }
        if !matches!(value, "instalment" | "recurring" | "unscheduled") {
            return Err(Invalid::bad_value(422, "agreement_payment_type", AGREEMENT_TYPES));
        }
    }
    if body.contains_key("language") {
        let language = strict_string(body, "language", LANGUAGE)?;
        if !matches!(language, "en" | "cy") {
            return Err(Invalid::bad_value(422, "language", LANGUAGE));
        }
    }
    boolean(body, "delayed_capture")?;
    let email = optional_string(body, "email", FIELD_STRING)?;
    if let Some(Value::Object(prefilled)) = body.get("prefilled_cardholder_details") {
        optional_string(prefilled, "cardholder_name", FIELD_STRING)?;
        if let Some(Value::Object(address)) = prefilled.get("billing_address") {
            for field in ["line1", "line2", "city", "postcode", "country"] {
                optional_string(address, field, FIELD_STRING)?;
            }
        }
    }
    if let Some(metadata) = body.get("metadata") {
        validate_metadata(metadata)?;
    }
    validate_source(body)?;
    Ok(Parsed { amount, reference, description, return_url, mode, email })
}

fn validate_source(body: &Map<String, Value>) -> Result<(), Invalid> {
    const REASON: &str = "Accepted values are only CARD_PAYMENT_LINK, CARD_AGENT_INITIATED_MOTO";
    let Some(Value::Object(internal)) = body.get("internal") else { return Ok(()) };
    match optional_string(internal, "source", REASON)? {
        None | Some("CARD_PAYMENT_LINK" | "CARD_AGENT_INITIATED_MOTO") => Ok(()),
        Some("CARD_API" | "CARD_EXTERNAL_TELEPHONE") => {
            Err(Invalid::bad_value(400, "source", REASON))
        }
        Some(_) => Err(Invalid::bad_value(422, "source", REASON)),
    }
}

/// The most metadata pairs Pay accepts (`ExternalMetadata.MAX_KEY_VALUE_PAIRS`; the OpenAPI text still says 10).
pub const MAX_METADATA_PAIRS: usize = 15;
/// Metadata key length bounds.
pub const METADATA_KEY_LENGTH: (usize, usize) = (1, 30);
/// Longest metadata string value.
pub const MAX_METADATA_VALUE_LENGTH: usize = 100;

/// Validates `metadata` (422 P0102). Several violations are joined with `". "`, as Pay does.
pub fn validate_metadata(metadata: &Value) -> Result<(), Invalid> {
    let map = match metadata {
        Value::Object(map) => map,
        Value::Null => return Err(Invalid::bad_value(422, "metadata", "Value must not be null")),
        _ => {
            return Err(Invalid::bad_value(
                422,
                "metadata",
                "Must be an object of JSON key-value pairs",
            ));
        }
    };
    let (min_key, max_key) = METADATA_KEY_LENGTH;
    let mut reasons: Vec<String> = Vec::new();
    if map.len() > MAX_METADATA_PAIRS {
        reasons.push(format!("Cannot have more than {MAX_METADATA_PAIRS} key-value pairs"));
    }
    if map.keys().any(|k| !(min_key..=max_key).contains(&java_len(k))) {
        reasons.push(format!("Keys must be between {min_key} and {max_key} characters long"));
    }
    if map.values().any(|v| v.is_object() || v.is_array()) {
        reasons.push("Values must be of type String, Boolean or Number".to_owned());
    }
    if map.values().any(|v| v.as_str().is_some_and(|s| java_len(s) > MAX_METADATA_VALUE_LENGTH)) {
        reasons.push(format!(
            "Values must be no greater than {MAX_METADATA_VALUE_LENGTH} characters long"
        ));
    }
    if map.values().any(Value::is_null) {
        reasons.push("Must not have null values".to_owned());
    }
    let mut lower: Vec<String> = map.keys().map(|k| k.to_lowercase()).collect();
    lower.sort_unstable();
    lower.dedup();
    if lower.len() != map.len() {
        reasons.push("Must have case insensitive unique keys".to_owned());
    }
    if reasons.is_empty() {
        return Ok(());
    }
    Err(Invalid::bad_value(422, "metadata", &reasons.join(". ")))
}

fn max_len(value: Option<&str>, field: &'static str, max: usize) -> Result<(), Invalid> {
    match value {
        Some(v) if java_len(v) > max => Err(Invalid::bad_value(
            422,
            field,
            &format!("Must be less than or equal to {max} characters length"),
        )),
        _ => Ok(()),
    }
}

fn exact_len(body: &Map<String, Value>, field: &'static str) -> Result<(), Invalid> {
    match body.get(field).and_then(Value::as_str) {
        Some(v) if java_len(v) != 26 => {
            Err(Invalid::bad_value(422, field, &format!("Field [{field}] length must be 26")))
        }
        _ => Ok(()),
    }
}

fn constraint_phase(body: &Map<String, Value>, p: &Parsed<'_>) -> Result<(), Invalid> {
    if p.amount < 0 {
        return Err(Invalid::bad_value(422, "amount", "Must be greater than or equal to 1"));
    }
    if p.amount > MAX_AMOUNT {
        return Err(Invalid::bad_value(
            422,
            "amount",
            &format!("Must be less than or equal to {MAX_AMOUNT}"),
        ));
    }
    max_len(Some(p.reference), "reference", 255)?;
    max_len(Some(p.description), "description", 255)?;
    max_len(p.email, "email", 254)?;
    max_len(p.return_url, "return_url", 2000)?;
    exact_len(body, "set_up_agreement")?;
    exact_len(body, "agreement_id")?;
    if let Some(Value::Object(prefilled)) = body.get("prefilled_cardholder_details") {
        max_len(prefilled.get("cardholder_name").and_then(Value::as_str), "cardholder_name", 255)?;
        if let Some(Value::Object(address)) = prefilled.get("billing_address") {
            for (field, max) in [("line1", 255), ("line2", 255), ("postcode", 25), ("city", 255)] {
                max_len(address.get(field).and_then(Value::as_str), field, max)?;
            }
        }
    }
    Ok(())
}

fn connector_phase(
    body: &Map<String, Value>,
    p: &Parsed<'_>,
    options: &ValidationOptions,
) -> Result<(), Invalid> {
    match p.mode {
        Mode::Web => match p.return_url {
            None | Some("") => {
                return Err(Invalid::new(
                    400,
                    None,
                    "return_url",
                    "P0101",
                    "Missing mandatory attribute: return_url".to_owned(),
                ));
            }
            Some(url) if !is_valid_url(url) => {
                return Err(Invalid::new(
                    422,
                    None,
                    "return_url",
                    "P0102",
                    "Invalid attribute value: return_url. Must be a valid URL format".to_owned(),
                ));
            }
            Some(url) if options.live && !url.starts_with("https://") => {
                return Err(Invalid::new(
                    422,
                    Some("return_url"),
                    "return_url",
                    "P0920",
                    "Invalid attribute value: return_url. Must begin with https:// for a live gateway account"
                        .to_owned(),
                ));
            }
            Some(_) => {}
        },
        Mode::MotoApi | Mode::Agreement => {
            if present(body, "return_url").is_some() {
                return Err(Invalid::unexpected("return_url"));
            }
            // CreateChargeExceptionMapper: INCORRECT_AUTHORISATION_MODE_FOR_SAVE_PAYMENT_INSTRUMENT_TO_AGREEMENT.
            if present(body, "set_up_agreement").is_some() {
                return Err(Invalid::unexpected("set_up_agreement"));
            }
        }
    }
    if p.mode == Mode::Agreement {
        for field in ["email", "prefilled_cardholder_details"] {
            if present(body, field).is_some() {
                return Err(Invalid::unexpected(field));
            }
        }
    }
    if p.amount == 0 && !options.zero_amount_allowed {
        return Err(Invalid::bad_value(
            422,
            "amount",
            &format!("Must be greater than or equal to 1. {AMOUNT_DOCS}"),
        ));
    }
    if options.stripe
        && p.amount < STRIPE_MIN_AMOUNT
        && !(p.amount == 0 && options.zero_amount_allowed)
    {
        return Err(Invalid::bad_value(
            422,
            "amount",
            &format!("Must be greater than or equal to {STRIPE_MIN_AMOUNT}. {AMOUNT_DOCS}"),
        ));
    }
    Ok(())
}

fn is_valid_url(candidate: &str) -> bool {
    url::Url::parse(candidate).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
    })
}

/// Validates an `Idempotency-Key` header value (422 P0102 with `"header":"Idempotency-Key"`).
/// Source: `alphagov/pay-publicapi` `PaymentsResource.java`.
pub fn validate_idempotency_key(key: &str) -> Result<(), Invalid> {
    let description = if !(1..=255).contains(&java_len(key)) {
        "Header [Idempotency-Key] can have a size between 1 and 255"
    } else if !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        "Header [Idempotency-Key] can only contain alphanumeric characters and hyphens"
    } else {
        return Ok(());
    };
    Err(Invalid {
        status: 422,
        error: RequestError {
            field: None,
            header: Some("Idempotency-Key".to_owned()),
            code: "P0102".to_owned(),
            description: description.to_owned(),
        },
        attribute: Some("Idempotency-Key"),
    })
}

/// Validates a create-refund body (`P0601` missing, `P0602` invalid), as publicapi does.
pub fn validate_create_refund(body: &Value) -> Result<(), Invalid> {
    let empty = Map::new();
    let body = body.as_object().unwrap_or(&empty);
    let amount = amount(body, "P0601", "P0602")?;
    let refund_invalid =
        |reason: String| Invalid::new(422, Some("amount"), "amount", "P0602", reason);
    if amount < 1 {
        return Err(refund_invalid(
            "Invalid attribute value: amount. Must be greater than or equal to 1".to_owned(),
        ));
    }
    if amount > MAX_AMOUNT {
        return Err(refund_invalid(format!(
            "Invalid attribute value: amount. Must be less than or equal to {MAX_AMOUNT}"
        )));
    }
    Ok(())
}
