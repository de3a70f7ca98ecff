//! `gaap pay`: GOV.UK Pay's webhook signature and create-payment rules, offline.

use clap::Subcommand;
use gaap_pay::SigningSecret;
use gaap_pay::rules::validate::{ValidationOptions, validate_create_payment_bytes};
use gaap_pay::webhook::verify_signature;
use serde_json::{Value, json};

use crate::output::{self, Outcome};

/// GOV.UK Pay checks, offline.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Verify a webhook body against its `Pay-Signature` (HMAC-SHA256 of the raw bytes, constant time).
    /// Prints `{"valid","event_type","resource_id"}`; exits 0 when valid, 1 when not.
    VerifyWebhook {
        /// The webhook signing secret (`webhook_test_…` or `webhook_live_…`).
        #[arg(long, value_name = "S")]
        secret: String,
        /// The `Pay-Signature` header value (64 lower-case hex digits).
        #[arg(long, value_name = "HEX")]
        signature: String,
        /// The raw body; `-` or nothing reads standard input.
        file: Option<String>,
    },
    /// Check a create-payment JSON body as Pay would. Prints `{"valid":true}` or
    /// `{"valid":false,"status","field","code","description"}`; exits 0 when valid, 1 when not.
    Validate {
        /// A live account: `return_url` must be https (P0920).
        #[arg(long)]
        live: bool,
        /// The account may take zero-amount payments.
        #[arg(long)]
        zero_amount_allowed: bool,
        /// A Stripe account (minimum 30p).
        #[arg(long)]
        stripe: bool,
        /// Only publicapi's own checks, not the connector's (return_url presence and format, zero amounts).
        #[arg(long)]
        publicapi_only: bool,
        /// The JSON body; `-` or nothing reads standard input.
        file: Option<String>,
    },
}

/// Runs a `gaap pay` command.
pub(crate) fn run(command: Command) -> Outcome {
    match command {
        Command::VerifyWebhook { secret, signature, file } => {
            verify_webhook(&secret, &signature, file.as_deref())
        }
        Command::Validate { live, zero_amount_allowed, stripe, publicapi_only, file } => {
            let options = ValidationOptions::default()
                .live_account(live)
                .zero_amount_allowed(zero_amount_allowed)
                .stripe(stripe)
                .connector_checks(!publicapi_only);
            validate(&options, file.as_deref())
        }
    }
}

fn emit(value: &Value) -> Outcome {
    match output::emit(value) {
        Ok(()) => Outcome::Passed,
        Err(e) => output::fail(e),
    }
}

fn verify_webhook(secret: &str, signature: &str, file: Option<&str>) -> Outcome {
    let body = match output::read_input(file) {
        Ok(body) => body,
        Err(e) => return output::fail(e),
    };
    let secret = SigningSecret::new(secret);
    let valid = verify_signature(&secret, &body, signature).is_ok();
    // Only a verified body is read; an unverified one is not trusted even for display.
    let envelope: Value =
        if valid { serde_json::from_slice(&body).unwrap_or(Value::Null) } else { Value::Null };
    let field =
        |name: &str| envelope.get(name).and_then(Value::as_str).map_or(Value::Null, |s| json!(s));
    let line = json!({"valid": valid, "event_type": field("event_type"), "resource_id": field("resource_id")});
    emit(&line).and(Outcome::from_valid(valid))
}

fn validate(options: &ValidationOptions, file: Option<&str>) -> Outcome {
    let body = match output::read_input(file) {
        Ok(body) => body,
        Err(e) => return output::fail(e),
    };
    match validate_create_payment_bytes(&body, options) {
        Ok(_) => emit(&json!({"valid": true})),
        Err(invalid) => {
            let field = invalid.error.field.as_deref().or(invalid.attribute);
            let line = json!({
                "valid": false,
                "status": invalid.status,
                "field": field,
                "code": invalid.error.code,
                "description": invalid.error.description,
            });
            emit(&line).and(Outcome::Invalid)
        }
    }
}
