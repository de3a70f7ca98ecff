#![doc = include_str!("../README.md")]
//!
//! ## The API in brief
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

#[cfg(feature = "client")]
mod client;
mod error;
mod money;
#[cfg(feature = "client")]
pub mod retry;
pub mod rules;
mod secret;
pub mod types;
pub mod webhook;

#[cfg(feature = "client")]
pub use client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
};
pub use error::Error;
pub use money::{MAX_AMOUNT, Money, STRIPE_MIN_AMOUNT};
pub use rules::state::{PaymentEvent, PaymentState, Transition};
pub use secret::{ApiKey, SigningSecret};
pub use types::{
    Agreement, AuthoriseRequest, CreateAgreementRequest, CreatePaymentRequest, CreateRefundRequest,
    Dispute, IdempotencyKey, Payment, Refund, RequestError, Search, SearchPage,
};
