//! What Pay stores: payments with their events and refunds, agreements and idempotency records, persisted
//! as one JSON document.

use std::collections::HashMap;

use gaap_pay::PaymentState;
use gaap_pay::types::{AgreementStatus, AuthorisationMode, CardDetails, RefundStatus};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::rate_limit::{Bucket, RateBucket};

/// A state as stored: gaap-pay's wire form (`status`, `code`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(super) struct Wire {
    pub(super) status: String,
    pub(super) code: Option<String>,
}

impl Wire {
    pub(super) fn of(state: PaymentState) -> Self {
        Self { status: state.status().to_owned(), code: state.code().map(str::to_owned) }
    }

    pub(super) fn state(&self) -> PaymentState {
        PaymentState::from_wire(&self.status, self.code.as_deref()).unwrap_or(PaymentState::Error)
    }
}

/// A state change, for `/events`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Event {
    pub(super) state: Wire,
    #[serde(with = "time::serde::rfc3339")]
    pub(super) at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Refund {
    pub(super) refund_id: String,
    pub(super) amount: i64,
    pub(super) status: RefundStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub(super) created_date: OffsetDateTime,
}

/// A stored payment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Payment {
    pub(super) payment_id: String,
    pub(super) body: Map<String, Value>,
    pub(super) amount: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub(super) created_date: OffsetDateTime,
    pub(super) state: Wire,
    pub(super) events: Vec<Event>,
    pub(super) card: Option<CardDetails>,
    pub(super) refunds: Vec<Refund>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub(super) captured_at: Option<OffsetDateTime>,
    pub(super) provider_id: String,
    /// A `moto_api` payment's token for `POST /v1/auth`.
    #[serde(default)]
    pub(super) one_time_token: Option<String>,
    /// Whether `POST /v1/auth` has used the token.
    #[serde(default)]
    pub(super) one_time_token_used: bool,
}

impl Payment {
    pub(super) fn field(&self, name: &str) -> Option<&Value> {
        self.body.get(name).filter(|v| !v.is_null())
    }

    pub(super) fn mode(&self) -> AuthorisationMode {
        authorisation_mode(&self.body)
    }

    pub(super) fn delayed_capture(&self) -> bool {
        self.field("delayed_capture").and_then(Value::as_bool).unwrap_or(false)
    }
}

/// A create body's `authorisation_mode`; `web` when absent or null.
pub(super) fn authorisation_mode(body: &Map<String, Value>) -> AuthorisationMode {
    body.get("authorisation_mode")
        .and_then(Value::as_str)
        .map_or(AuthorisationMode::Web, AuthorisationMode::parse)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Agreement {
    pub(super) agreement_id: String,
    pub(super) reference: String,
    pub(super) description: String,
    pub(super) user_identifier: Option<String>,
    pub(super) status: AgreementStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub(super) created_date: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub(super) cancelled_date: Option<OffsetDateTime>,
    pub(super) card: Option<CardDetails>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct IdempotentCreate {
    pub(super) body: Value,
    pub(super) payment_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub(super) at: OffsetDateTime,
}

/// Everything Pay remembers; persisted as one JSON document.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct PayData {
    pub(super) payments: Vec<Payment>,
    #[serde(skip)]
    pub(super) index: HashMap<String, usize>,
    /// next_url token → payment id; a token works once.
    pub(super) tokens: HashMap<String, String>,
    pub(super) idempotency: HashMap<String, IdempotentCreate>,
    pub(super) agreements: Vec<Agreement>,
    #[serde(skip)]
    pub(super) buckets: HashMap<RateBucket, Bucket>,
}

impl PayData {
    pub(super) fn reindex(&mut self) {
        self.index =
            self.payments.iter().enumerate().map(|(i, p)| (p.payment_id.clone(), i)).collect();
    }

    pub(super) fn payment_mut(&mut self, id: &str) -> Option<&mut Payment> {
        let i = *self.index.get(id)?;
        self.payments.get_mut(i)
    }

    pub(super) fn payment(&self, id: &str) -> Option<&Payment> {
        self.payments.get(*self.index.get(id)?)
    }
}
