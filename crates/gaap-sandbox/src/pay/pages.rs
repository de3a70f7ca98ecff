//! The hosted payment pages behind `next_url`: plain HTML forms that behave as Pay's sandbox PSP does for its
//! test card numbers (pay-connector `SandboxCardNumbers.java`; reference pay.md §4).

use std::sync::Arc;

use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use gaap_pay::types::{Address, AgreementStatus, CardDetails, CardType};
use gaap_pay::{Money, PaymentEvent, PaymentState};
use serde::Deserialize;
use serde_json::Value;

use super::PayState;
use crate::pages::{self, esc, text_input};

/// What the sandbox PSP does with a card number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CardOutcome {
    Authorised,
    Declined,
    GatewayError,
}

/// pay-connector `SandboxCardNumbers.java`.
pub(crate) fn card_outcome(number: &str) -> CardOutcome {
    const GOOD: [&str; 20] = [
        "4242424242424242",
        "4444333322221111",
        "4000056655665556",
        "371449635398431",
        "3566002020360505",
        "6011000990139424",
        "36148900647913",
        "4917610000000000003",
        "222100000000000",
        "4000000000000010",
        "4000160000000004",
        "4000020000000000",
        "5105105105105100",
        "4988080000000000",
        "4111111111111111",
        "4293189100000008",
        "5101180000000007",
        "4131840000000003",
        "4000180000000002",
        "5200828282828210",
    ];
    const DECLINED: [&str; 3] = ["4000000000000002", "4000000000000069", "4000000000000127"];
    if GOOD.contains(&number) {
        CardOutcome::Authorised
    } else if DECLINED.contains(&number) {
        CardOutcome::Declined
    } else {
        CardOutcome::GatewayError
    }
}

fn card_brand(number: &str) -> (&'static str, &'static str) {
    if number.starts_with('4') {
        ("visa", "Visa")
    } else if number.starts_with("34") || number.starts_with("37") {
        ("american-express", "American Express")
    } else if number.starts_with("6011") {
        ("discover", "Discover")
    } else if number.starts_with("35") {
        ("jcb", "Jcb")
    } else if number.starts_with("36") {
        ("diners-club", "Diners Club")
    } else {
        ("master-card", "Mastercard")
    }
}

/// The `card_details` Pay returns for a card (no billing address is collected).
pub(super) fn card_details(number: &str, cardholder_name: &str, expiry_date: &str) -> CardDetails {
    let (_, brand) = card_brand(number);
    CardDetails {
        last_digits_card_number: number.get(number.len().saturating_sub(4)..).map(str::to_owned),
        first_digits_card_number: number.get(..6).map(str::to_owned),
        cardholder_name: (!cardholder_name.is_empty()).then(|| cardholder_name.to_owned()),
        expiry_date: Some(expiry_date.to_owned()),
        card_brand: Some(brand.to_owned()),
        card_type: Some(if number.starts_with('4') { CardType::Debit } else { CardType::Credit }),
        ..CardDetails::default()
    }
}

pub(super) fn router() -> Router<Arc<PayState>> {
    Router::new()
        .route("/secure/{token}", get(open_token))
        .route("/secure", axum::routing::post(open_token_post))
        .route("/card_details/{id}", get(card_form).post(submit_card))
        .route("/card_details/{id}/confirm", get(confirm_page).post(confirm))
        .route(pages::STYLESHEET_PATH, get(pages::stylesheet))
}

/// The product name in the header of Pay's pages.
const PRODUCT: &str = "GOV.UK Pay sandbox";

fn page(title: &str, body: &str) -> Response {
    pages::page(
        PRODUCT,
        "No real money moves: this page stands in for GOV.UK Pay's card pages.",
        title,
        body,
    )
    .into_response()
}

fn not_found() -> Response {
    let mut r = page("This link has expired", "<p>Return to the service and try again.</p>");
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}

fn start(state: &PayState, token: &str) -> Response {
    let now = state.clock.now();
    let mut data = state.lock();
    let Some(id) = data.tokens.remove(token) else { return not_found() };
    if let Some(p) = data.payment_mut(&id)
        && p.state.state() == PaymentState::Created
    {
        state.apply(p, PaymentEvent::PayerStarted, now);
    }
    Redirect::to(&format!("/card_details/{id}")).into_response()
}

async fn open_token(State(state): State<Arc<PayState>>, Path(token): Path<String>) -> Response {
    start(&state, &token)
}

#[derive(Debug, Deserialize)]
struct TokenForm {
    #[serde(rename = "chargeTokenId")]
    charge_token_id: String,
}

async fn open_token_post(
    State(state): State<Arc<PayState>>,
    Form(form): Form<TokenForm>,
) -> Response {
    start(&state, &form.charge_token_id)
}

/// The amount as every gaap page shows money (`£1,680.00`): [`Money`]'s `Display`.
fn amount_text(pence: i64) -> String {
    Money::from_pence(pence).to_string()
}

fn outcome_page(state: &PayState, id: &str) -> Response {
    let data = state.lock();
    let Some(p) = data.payment(id) else { return not_found() };
    let s = p.state.state();
    let return_url = p.field("return_url").and_then(Value::as_str).unwrap_or("/");
    let continue_link = format!(
        "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"{}\">Continue</a></p>",
        esc(return_url)
    );
    match s {
        PaymentState::Started => {
            let description = p.field("description").and_then(Value::as_str).unwrap_or_default();
            let email = p.field("email").and_then(Value::as_str).unwrap_or_default();
            let fields = [
                text_input(
                    "cardNo",
                    "Card number",
                    "",
                    "width-20",
                    " autocomplete=\"cc-number\" inputmode=\"numeric\"",
                ),
                text_input(
                    "expiryMonth",
                    "Expiry month",
                    "12",
                    "width-2",
                    " autocomplete=\"cc-exp-month\" inputmode=\"numeric\"",
                ),
                text_input(
                    "expiryYear",
                    "Expiry year",
                    "30",
                    "width-4",
                    " autocomplete=\"cc-exp-year\" inputmode=\"numeric\"",
                ),
                text_input("cardholderName", "Name on card", "", "", " autocomplete=\"cc-name\""),
                text_input(
                    "cvc",
                    "Card security code",
                    "123",
                    "width-4",
                    " autocomplete=\"cc-csc\" inputmode=\"numeric\"",
                ),
                text_input(
                    "addressLine1",
                    "Billing address line 1",
                    "",
                    "",
                    " autocomplete=\"address-line1\"",
                ),
                text_input(
                    "addressLine2",
                    "Billing address line 2 (optional)",
                    "",
                    "",
                    " autocomplete=\"address-line2\"",
                ),
                text_input(
                    "addressCity",
                    "Town or city",
                    "",
                    "width-20",
                    " autocomplete=\"address-level2\"",
                ),
                text_input(
                    "addressPostcode",
                    "Postcode",
                    "",
                    "width-10",
                    " autocomplete=\"postal-code\"",
                ),
                text_input(
                    "addressCountry",
                    "Country code",
                    "GB",
                    "width-4",
                    " autocomplete=\"country\"",
                ),
                text_input(
                    "email",
                    "Email",
                    email,
                    "",
                    " autocomplete=\"email\" spellcheck=\"false\"",
                ),
            ]
            .concat();
            page(
                "Enter card details",
                &format!(
                    "<dl class=\"govuk-summary-list\">\
                     <div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">Payment for</dt>\
                     <dd class=\"govuk-summary-list__value\">{}</dd></div>\
                     <div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">Total amount</dt>\
                     <dd class=\"govuk-summary-list__value\" id=\"amount\">{}</dd></div></dl>\
                     <form method=\"post\" action=\"/card_details/{id}\" novalidate>{fields}\
                     <div class=\"govuk-button-group\"><button class=\"govuk-button\" name=\"action\" value=\"pay\">Continue</button>\
                     <button class=\"govuk-button govuk-button--secondary\" name=\"action\" value=\"cancel\">Cancel payment</button></div></form>",
                    esc(description),
                    amount_text(p.amount),
                ),
            )
        }
        PaymentState::Submitted => {
            Redirect::to(&format!("/card_details/{id}/confirm")).into_response()
        }
        PaymentState::Success | PaymentState::Capturable => {
            Redirect::to(return_url).into_response()
        }
        PaymentState::Failed(_) | PaymentState::Cancelled | PaymentState::Error => page(
            "Your payment was not taken",
            &format!("{}{continue_link}", pages::p(s.message().unwrap_or("The payment ended"))),
        ),
        PaymentState::Created => page("Payment not started", &continue_link),
    }
}

async fn card_form(State(state): State<Arc<PayState>>, Path(id): Path<String>) -> Response {
    outcome_page(&state, &id)
}

#[derive(Debug, Deserialize)]
struct CardForm {
    #[serde(rename = "cardNo", default)]
    card_no: String,
    #[serde(rename = "expiryMonth", default)]
    expiry_month: String,
    #[serde(rename = "expiryYear", default)]
    expiry_year: String,
    #[serde(rename = "cardholderName", default)]
    cardholder_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    action: String,
    #[serde(rename = "addressLine1", default)]
    address_line1: String,
    #[serde(rename = "addressLine2", default)]
    address_line2: String,
    #[serde(rename = "addressCity", default)]
    address_city: String,
    #[serde(rename = "addressPostcode", default)]
    address_postcode: String,
    #[serde(rename = "addressCountry", default)]
    address_country: String,
}

async fn submit_card(
    State(state): State<Arc<PayState>>,
    Path(id): Path<String>,
    Form(form): Form<CardForm>,
) -> Response {
    let now = state.clock.now();
    {
        let mut data = state.lock();
        let Some(p) = data.payment_mut(&id) else { return not_found() };
        if p.state.state() != PaymentState::Started {
            drop(data);
            return outcome_page(&state, &id);
        }
        if form.action == "cancel" {
            state.apply(p, PaymentEvent::CancelledByUser, now);
        } else {
            let number: String =
                form.card_no.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
            if !(12..=19).contains(&number.len()) || !number.chars().all(|c| c.is_ascii_digit()) {
                let mut r = page(
                    "Enter card details",
                    &format!(
                        "<div class=\"govuk-error-summary\"><div role=\"alert\">\
                         <h2 class=\"govuk-error-summary__title\">There is a problem</h2>\
                         <div class=\"govuk-error-summary__body\"><ul class=\"govuk-list govuk-error-summary__list\">\
                         <li>Enter a valid card number</li></ul></div></div></div>\
                         <p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/card_details/{}\">Enter the card details again</a></p>",
                        esc(&id)
                    ),
                );
                *r.status_mut() = StatusCode::BAD_REQUEST;
                return r;
            }
            let year = form.expiry_year.trim();
            let year = if year.len() == 4 { year.get(2..).unwrap_or(year) } else { year };
            let expiry = format!("{:0>2}/{year:0>2}", form.expiry_month.trim());
            let mut card = card_details(&number, &form.cardholder_name, &expiry);
            if !form.address_line1.trim().is_empty() {
                card.billing_address = Some(Address {
                    line1: Some(form.address_line1.clone()),
                    line2: Some(form.address_line2.clone()),
                    postcode: Some(form.address_postcode.clone()),
                    city: Some(form.address_city.clone()),
                    country: Some(form.address_country.clone()),
                });
            }
            p.card = Some(card);
            if !form.email.is_empty()
                && let Some(obj) = Some(&mut p.body)
            {
                obj.insert("email".to_owned(), Value::String(form.email.clone()));
            }
            match card_outcome(&number) {
                CardOutcome::Authorised => state.apply(p, PaymentEvent::Authorised, now),
                CardOutcome::Declined => state.apply(p, PaymentEvent::Rejected, now),
                CardOutcome::GatewayError => state.apply(p, PaymentEvent::GatewayError, now),
            };
        }
    }
    outcome_page(&state, &id)
}

async fn confirm_page(State(state): State<Arc<PayState>>, Path(id): Path<String>) -> Response {
    let data = state.lock();
    let Some(p) = data.payment(&id) else { return not_found() };
    if p.state.state() != PaymentState::Submitted {
        drop(data);
        return outcome_page(&state, &id);
    }
    let last4 = p.card.as_ref().and_then(|c| c.last_digits_card_number.as_deref()).unwrap_or("");
    page(
        "Confirm your payment",
        &format!(
            "<p class=\"govuk-body\"><span id=\"amount\">{}</span> with the card ending {}</p>\
             <form method=\"post\" action=\"/card_details/{id}/confirm\">\
             <button class=\"govuk-button\">Confirm payment</button></form>",
            amount_text(p.amount),
            esc(last4)
        ),
    )
}

async fn confirm(State(state): State<Arc<PayState>>, Path(id): Path<String>) -> Response {
    let now = state.clock.now();
    let mut data = state.lock();
    let data = &mut *data;
    let Some(p) = data.payment_mut(&id) else { return not_found() };
    if p.state.state() == PaymentState::Submitted {
        let event = if p.delayed_capture() {
            PaymentEvent::PayerConfirmedDelayedCapture
        } else {
            PaymentEvent::PayerConfirmed
        };
        state.apply(p, event, now);
        if p.state.state() == PaymentState::Success
            && let Some(setup) =
                p.field("set_up_agreement").and_then(Value::as_str).map(str::to_owned)
        {
            let card = p.card.clone();
            if let Some(a) = data.agreements.iter_mut().find(|a| a.agreement_id == setup) {
                a.status = AgreementStatus::Active;
                a.card = card;
                a.cancelled_date = None;
            }
        }
    }
    let return_url = data
        .payment(&id)
        .and_then(|p| p.field("return_url"))
        .and_then(Value::as_str)
        .unwrap_or("/")
        .to_owned();
    (StatusCode::SEE_OTHER, [(header::LOCATION, return_url)]).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_cards_behave_as_pays_sandbox() {
        assert_eq!(card_outcome("4444333322221111"), CardOutcome::Authorised);
        assert_eq!(card_outcome("4000000000000002"), CardOutcome::Declined);
        assert_eq!(card_outcome("4000000000000069"), CardOutcome::Declined);
        assert_eq!(card_outcome("4000000000000119"), CardOutcome::GatewayError);
        assert_eq!(card_outcome("1234567890123"), CardOutcome::GatewayError);
    }
}
