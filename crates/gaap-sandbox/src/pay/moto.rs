//! `POST /v1/auth`: card details for a payment created with `authorisation_mode: moto_api`, matched to it by
//! the single-use `one_time_token` in the payment's `auth_url_post` link (pay-publicapi `AuthorisationResource`,
//! its `AuthorisationRequest` checks and `AuthorisationRequestExceptionMapper`'s statuses and codes).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gaap_pay::{PaymentEvent, PaymentState};
use serde_json::{Map, Value};

use super::pages::{CardOutcome, card_details, card_outcome};
use super::{PayError, PayState, Result};

/// A field's string value, or Pay's 422 for a missing or out-of-range one.
fn field<'a>(
    body: &'a Map<String, Value>,
    name: &str,
    len: std::ops::RangeInclusive<usize>,
    rule: &str,
) -> Result<&'a str> {
    let value = match body.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => {
            return Err(PayError::for_field(
                422,
                "P0102",
                name,
                &format!("Invalid attribute value: {name}. {rule}"),
            ));
        }
    };
    // `@NotBlank` on the token and the name: blank counts as missing.
    let not_blank = matches!(name, "one_time_token" | "cardholder_name");
    let Some(v) = value.filter(|v| !(not_blank && v.trim().is_empty())) else {
        return Err(PayError::for_field(
            422,
            "P0101",
            name,
            &format!("Missing mandatory attribute: {name}"),
        ));
    };
    if len.contains(&v.chars().count()) {
        Ok(v)
    } else {
        Err(PayError::for_field(
            422,
            "P0102",
            name,
            &format!("Invalid attribute value: {name}. {rule}"),
        ))
    }
}

/// The Luhn check pay-connector applies before it asks the PSP.
fn luhn(number: &str) -> bool {
    let digits: Option<Vec<u32>> = number.chars().map(|c| c.to_digit(10)).collect();
    let Some(digits) = digits else { return false };
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { *d })
        .sum();
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// `MM/YY` with a real month.
fn expiry_ok(expiry: &str) -> bool {
    let (mm, yy) = expiry.split_once('/').unwrap_or_default();
    mm.len() == 2
        && yy.len() == 2
        && yy.chars().all(|c| c.is_ascii_digit())
        && mm.parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))
}

pub(super) async fn authorise(State(state): State<Arc<PayState>>, body: Bytes) -> Result<Response> {
    let body = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(map)) => map,
        _ => return Err(PayError::new(400, "P0197", "Unable to parse JSON")),
    };
    let token = field(&body, "one_time_token", 1..=usize::MAX, "Must not be blank")?.to_owned();
    let number = field(&body, "card_number", 12..=19, "Must be between 12 and 19 characters long")?;
    let cvc = field(&body, "cvc", 3..=4, "Must be between 3 and 4 characters long")?;
    let expiry = field(&body, "expiry_date", 5..=5, "Must be a valid date with the format MM/YY")?;
    let name = field(
        &body,
        "cardholder_name",
        0..=255,
        "Must be less than or equal to 255 characters long",
    )?;
    if !cvc.chars().all(|c| c.is_ascii_digit()) {
        return Err(PayError::for_field(
            422,
            "P0102",
            "cvc",
            "Invalid attribute value: cvc. Must contain numbers only",
        ));
    }
    if !expiry_ok(expiry) {
        return Err(PayError::for_field(
            422,
            "P0102",
            "expiry_date",
            "Invalid attribute value: expiry_date. Must be a valid date with the format MM/YY",
        ));
    }
    let now = state.clock.now();
    let mut data = state.lock();
    let Some(p) =
        data.payments.iter_mut().find(|p| p.one_time_token.as_deref() == Some(token.as_str()))
    else {
        return Err(PayError::new(400, "P1211", "The one_time_token is not valid"));
    };
    if p.one_time_token_used || p.state.state() != PaymentState::Created {
        return Err(PayError::new(400, "P1212", "The one_time_token has already been used"));
    }
    p.one_time_token_used = true;
    state.touch();
    // A number no card scheme issues (by its first digit) or failing Luhn is refused before the PSP sees it.
    if !luhn(number) || !number.starts_with(['2', '3', '4', '5', '6']) {
        return Err(PayError::new(402, "P0010", "The card_number is not a valid card number"));
    }
    p.card = Some(card_details(number, name, expiry));
    state.apply(p, PaymentEvent::PayerStarted, now);
    // Pay's sandbox PSP: its good cards authorise, 4000000000000119 errors, anything else is declined
    // ("Unsupported card details").
    let outcome = match card_outcome(number) {
        CardOutcome::GatewayError if number != "4000000000000119" => CardOutcome::Declined,
        other => other,
    };
    match outcome {
        CardOutcome::Authorised => {
            state.apply(p, PaymentEvent::Authorised, now);
            let confirm = if p.delayed_capture() {
                PaymentEvent::PayerConfirmedDelayedCapture
            } else {
                PaymentEvent::PayerConfirmed
            };
            state.apply(p, confirm, now);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        CardOutcome::Declined => {
            state.apply(p, PaymentEvent::Rejected, now);
            Err(PayError::new(402, "P0010", "The payment was rejected"))
        }
        CardOutcome::GatewayError => {
            state.apply(p, PaymentEvent::GatewayError, now);
            Err(PayError::new(500, "P0050", "There was an error authorising the payment"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_and_expiry() {
        assert!(luhn("4242424242424242"));
        assert!(!luhn("4242424242424241"));
        assert!(!luhn("42424242424242a2"));
        assert!(luhn("000000000000000000"), "all zeros pass Luhn, so the scheme check matters");
        assert!(expiry_ok("09/29"));
        assert!(!expiry_ok("13/29"));
        assert!(!expiry_ok("0929/"));
    }
}
