//! Receive GOV.UK Pay webhooks: check `Pay-Signature` over the raw body (constant time), then handle each
//! `webhook_message_id` once, because Pay redelivers on failure.
//!
//! Runs against the in-process sandbox: it creates a payment, pays it with a test card as a payer would,
//! and prints the webhooks that arrive. Then it shows a forged delivery being refused.
//! `cargo run --example pay-webhook-receiver`
#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::{Router, routing::get, routing::post};
use gaap_pay::webhook::{Deduplicator, verify_and_parse};
use gaap_pay::{ApiKey, Client, CreatePaymentRequest, Money, SigningSecret};
use gaap_sandbox::{Config, Sandbox, WebhookConfig};
use tokio::sync::Notify;

struct Receiver {
    secret: SigningSecret,
    seen: Deduplicator,
    paid: Notify,
}

async fn receive(State(rx): State<Arc<Receiver>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let signature = headers.get("Pay-Signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    match verify_and_parse(&rx.secret, &body, signature) {
        Ok(message) if rx.seen.first_delivery(&message.webhook_message_id) => {
            println!(
                "webhook verified: {} for {}",
                message.event_type.as_str(),
                message.resource_id
            );
            if message.event_type.as_str() == "card_payment_succeeded" {
                rx.paid.notify_one();
            }
            StatusCode::OK
        }
        Ok(_) => StatusCode::OK, // a redelivery: acknowledge, do nothing
        Err(err) => {
            println!("refused a delivery: {err}");
            StatusCode::UNAUTHORIZED
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}/webhooks/pay");
    let mut config = Config::default();
    config.pay.webhooks = vec![WebhookConfig { url: url.clone(), subscriptions: Vec::new() }];
    let sandbox = Sandbox::start(config).await?;
    let creds = &sandbox.credentials().pay;

    let secret = SigningSecret::new(creds.webhook_secret.expose());
    let receiver =
        Arc::new(Receiver { secret, seen: Deduplicator::new(10_000), paid: Notify::new() });
    let app = Router::new()
        .route("/webhooks/pay", post(receive))
        .route("/done", get(|| async { "Thank you for your payment" })) // the payer's return page
        .with_state(receiver.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let pay =
        Client::builder(ApiKey::new(creds.api_key.expose())).base_url(&creds.base_url).build()?;
    let request = CreatePaymentRequest::new(
        Money::from_pence(4_500),
        "PERMIT-42",
        "Parking permit",
        format!("http://{addr}/done"),
    )
    .with_idempotency_key();
    let payment = pay.create_payment(&request).await?;
    println!("created payment {} for {}", payment.payment_id, payment.amount);

    // Play the payer on the sandbox's card page: card details, then confirm.
    let browser = reqwest::Client::new();
    let card_page = browser.get(payment.next_url().unwrap_or_default()).send().await?.url().clone();
    let card = "cardNo=4444333322221111&expiryMonth=12&expiryYear=30&cvc=123&action=pay";
    let form = ("content-type", "application/x-www-form-urlencoded");
    browser.post(card_page.clone()).header(form.0, form.1).body(card).send().await?;
    browser.post(format!("{card_page}/confirm")).send().await?;
    println!("paid: {}", pay.get_payment(&payment.payment_id).await?.state.status.as_str());

    // Pay sends `card_payment_succeeded` and `card_payment_captured` in the background.
    tokio::time::timeout(Duration::from_secs(10), receiver.paid.notified()).await?;
    let forged =
        browser.post(&url).header("Pay-Signature", "00".repeat(32)).body("{}").send().await?;
    println!("a forged delivery gets {}", forged.status());
    sandbox.shutdown().await;
    Ok(())
}
