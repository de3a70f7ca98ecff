//! A GOV.UK Pay client that never charges twice and never misses a payment.
//!
//! - [`Client`]: all 16 public operations, typed, with Bearer auth (the key is redacted in Debug), a
//!   `base_url` override, documented timeouts and safe retries (see [`retry`]).
//! - [`Money`]: integer pence, shown as `£12.34`.
//! - [`rules`]: Pay's own validation, state machine and refund rules as pure functions.
//! - [`webhook`]: `Pay-Signature` verification in constant time, a typed envelope, a signer and a deduplicator.
//!
//! ```no_run
//! use gaap_pay::{ApiKey, Client, CreatePaymentRequest, Money};
//!
//! # async fn run() -> Result<(), gaap_pay::Error> {
//! let client = Client::new(ApiKey::new(std::env::var("PAY_API_KEY").unwrap_or_default()))?;
//! // One key per logical payment: retries reuse it, so at most one payment is ever created.
//! let request = CreatePaymentRequest::new(
//!     Money::from_pence(1250), "INV-2026-001", "Parking permit", "https://council.example.gov.uk/paid",
//! )
//! .with_idempotency_key();
//! let payment = client.create_payment(&request).await?;
//! println!("send the payer to {:?}", payment.next_url());
//!
//! // When the payer comes back, confirm with a GET (retried safely on timeouts and 429s).
//! let payment = client.get_payment(&payment.payment_id).await?;
//! if payment.state.finished {
//!     println!("{}: {}", payment.amount, payment.state.status);
//! }
//! # Ok(()) }
//! ```
//!
//! Validation runs offline too:
//!
//! ```
//! use gaap_pay::rules::validate::{validate_create_payment, ValidationOptions};
//! let body = serde_json::json!({"amount": 1000, "reference": "a<b", "description": "d",
//!                               "return_url": "https://example.gov.uk"});
//! let err = validate_create_payment(&body, &ValidationOptions::default()).unwrap_err();
//! assert_eq!((err.status, err.error.code.as_str()), (400, "P0102"));
//! assert_eq!(err.error.description, "Invalid attribute value: reference. Must be a valid string format");
//! ```

mod client;
mod error;
mod money;
pub mod retry;
pub mod rules;
mod secret;
pub mod types;
pub mod webhook;

pub use client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
};
pub use error::Error;
pub use money::{MAX_AMOUNT, Money, STRIPE_MIN_AMOUNT};
pub use rules::state::{PaymentEvent, PaymentState, Transition};
pub use secret::{ApiKey, SigningSecret};
pub use types::{
    Agreement, CreateAgreementRequest, CreatePaymentRequest, CreateRefundRequest, Dispute,
    IdempotencyKey, Payment, Refund, RequestError, Search, SearchPage,
};
