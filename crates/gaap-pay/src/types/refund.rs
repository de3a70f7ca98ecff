use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::pay_time;
use crate::Money;

gaap_http::open_enum! {
    /// A refund's status. `submitted` is unfinished; `success` and `error` are final.
    pub enum RefundStatus {
        /// Sent to the payment provider.
        Submitted = "submitted",
        /// Refunded.
        Success = "success",
        /// Failed.
        Error = "error",
    }
}

gaap_http::open_enum! {
    /// `refund_summary.status`. There is no `error` value.
    pub enum RefundAvailability {
        /// Not yet refundable (not captured yet).
        Pending = "pending",
        /// Refundable; see `amount_available`.
        Available = "available",
        /// Never refundable (failed, cancelled, error).
        Unavailable = "unavailable",
        /// Fully refunded.
        Full = "full",
    }
}

/// `refund_summary` of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundSummary {
    /// Availability.
    pub status: RefundAvailability,
    /// What can still be refunded; send it back as `refund_amount_available`.
    pub amount_available: Money,
    /// Sum of submitted and successful refunds.
    pub amount_submitted: Money,
}

/// `POST /v1/payments/{id}/refunds` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateRefundRequest {
    /// Amount to refund, 1..=10 000 000.
    pub amount: Money,
    /// What you believe is still refundable; Pay answers 412 P0604 if it differs, so a refund cannot be
    /// repeated by accident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_amount_available: Option<Money>,
}

/// A refund.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refund {
    /// The refund id.
    pub refund_id: String,
    /// When it was created.
    #[serde(with = "pay_time")]
    pub created_date: OffsetDateTime,
    /// Amount in pence.
    pub amount: Money,
    /// Status.
    pub status: RefundStatus,
    /// The payment, on search results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<String>,
    /// Settlement date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement_summary: Option<super::SettlementSummary>,
    /// Links (`self`, `payment`).
    #[serde(rename = "_links", default, skip_serializing_if = "Option::is_none")]
    pub links: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `_embedded` of a refund list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmbeddedRefunds {
    /// The refunds.
    #[serde(default)]
    pub refunds: Vec<Refund>,
}

/// `GET /v1/payments/{id}/refunds` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefundList {
    /// The payment.
    #[serde(default)]
    pub payment_id: String,
    /// The refunds.
    #[serde(rename = "_embedded", default)]
    pub embedded: EmbeddedRefunds,
    /// Links.
    #[serde(rename = "_links", default, skip_serializing_if = "Option::is_none")]
    pub links: Option<serde_json::Map<String, serde_json::Value>>,
}

impl RefundList {
    /// The refunds.
    #[must_use]
    pub fn refunds(&self) -> &[Refund] {
        &self.embedded.refunds
    }
}
