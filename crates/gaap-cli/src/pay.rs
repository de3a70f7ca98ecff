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
    ///
    /// The signing secret (`webhook_test_…` or `webhook_live_…`) is read from the
    /// `GAAP_PAY_WEBHOOK_SECRET` environment variable or from `--secret-file`, never from the command
    /// line, where other users of the machine can read it.
    VerifyWebhook {
        /// A file holding the webhook signing secret (surrounding whitespace is ignored); without it
        /// the secret is read from the `GAAP_PAY_WEBHOOK_SECRET` environment variable.
        #[arg(long, value_name = "FILE")]
        secret_file: Option<String>,
        /// Refused: a secret on the command line is visible to `ps`.
        #[arg(long, value_name = "S", hide = true)]
        secret: Option<String>,
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
        Command::VerifyWebhook { secret_file, secret, signature, file } => {
            if secret.is_some() {
                return output::fail(format!(
                    "--secret is refused: a secret on the command line is visible to every user \
                     of the machine; set {SECRET_ENV} or pass --secret-file FILE"
                ));
            }
            let secret = match read_secret(secret_file.as_deref(), file.as_deref()) {
                Ok(secret) => secret,
                Err(message) => return output::fail(message),
            };
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

/// The environment variable `gaap pay verify-webhook` reads the signing secret from.
const SECRET_ENV: &str = "GAAP_PAY_WEBHOOK_SECRET";

/// The signing secret, from `--secret-file` or else [`SECRET_ENV`].
fn read_secret(
    secret_file: Option<&str>,
    body_file: Option<&str>,
) -> Result<SigningSecret, String> {
    let from_env = std::env::var_os(SECRET_ENV);
    let text = match (secret_file, from_env) {
        (Some(_), Some(_)) => {
            return Err(format!("--secret-file and {SECRET_ENV} are both set: give one"));
        }
        (Some(path), None) => {
            let reads_stdin = |p: Option<&str>| matches!(p, None | Some("-"));
            if reads_stdin(Some(path)) && reads_stdin(body_file) {
                return Err("--secret-file - and the body cannot both be standard input".to_owned());
            }
            let bytes = output::read_input(Some(path)).map_err(|e| e.to_string())?;
            String::from_utf8(bytes).map_err(|_| format!("--secret-file {path}: not UTF-8 text"))?
        }
        (None, Some(value)) => {
            value.into_string().map_err(|_| format!("{SECRET_ENV} is not UTF-8 text"))?
        }
        (None, None) => {
            return Err(format!(
                "no webhook signing secret: set {SECRET_ENV} or pass --secret-file FILE"
            ));
        }
    };
    let secret = text.trim();
    if secret.is_empty() {
        return Err(format!(
            "the webhook signing secret is empty (from {})",
            secret_file.map_or_else(|| SECRET_ENV.to_owned(), |p| format!("--secret-file {p}"))
        ));
    }
    Ok(SigningSecret::new(secret))
}

fn verify_webhook(secret: &SigningSecret, signature: &str, file: Option<&str>) -> Outcome {
    let body = match output::read_input(file) {
        Ok(body) => body,
        Err(e) => return output::fail(e),
    };
    let valid = verify_signature(secret, &body, signature).is_ok();
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
