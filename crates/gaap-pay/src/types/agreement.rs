use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{CardDetails, Link, pay_time};
use crate::Money;

gaap_http::open_enum! {
    /// An agreement's status.
    pub enum AgreementStatus {
        /// Created; not yet set up by a payment.
        Created = "created",
        /// Active; recurring payments can be taken.
        Active = "active",
        /// Cancelled by the service or the payer.
        Cancelled = "cancelled",
        /// A recurring payment failed with `can_retry=false`.
        Inactive = "inactive",
    }
}

gaap_http::open_enum! {
    /// A dispute's status.
    pub enum DisputeStatus {
        /// Evidence is needed.
        NeedsResponse = "needs_response",
        /// Evidence is being reviewed.
        UnderReview = "under_review",
        /// Lost.
        Lost = "lost",
        /// Won.
        Won = "won",
    }
}

gaap_http::open_enum! {
    /// Why the payer disputed.
    pub enum DisputeReason {
        /// Credit not processed.
        CreditNotProcessed = "credit_not_processed",
        /// Duplicate.
        Duplicate = "duplicate",
        /// Fraudulent.
        Fraudulent = "fraudulent",
        /// General.
        General = "general",
        /// Product not received.
        ProductNotReceived = "product_not_received",
        /// Product unacceptable.
        ProductUnacceptable = "product_unacceptable",
        /// Unrecognised.
        Unrecognised = "unrecognised",
        /// Subscription cancelled.
        SubscriptionCancelled = "subscription_cancelled",
        /// Other.
        Other = "other",
    }
}

/// `POST /v1/agreements` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateAgreementRequest {
    /// Your reference (1–255).
    pub reference: String,
    /// Description (1–255).
    pub description: String,
    /// Your id for the payer (1–255).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_identifier: Option<String>,
}

/// The card saved on an agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentInstrument {
    /// `card`.
    #[serde(rename = "type", default)]
    pub instrument_type: String,
    /// The card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_details: Option<CardDetails>,
    /// When saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<String>,
}

/// A recurring payments agreement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    /// 26 characters.
    pub agreement_id: String,
    /// Your reference.
    #[serde(default)]
    pub reference: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Status.
    pub status: AgreementStatus,
    /// Your id for the payer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_identifier: Option<String>,
    /// When created.
    #[serde(with = "pay_time")]
    pub created_date: OffsetDateTime,
    /// When cancelled.
    #[serde(default, with = "pay_time::option", skip_serializing_if = "Option::is_none")]
    pub cancelled_date: Option<OffsetDateTime>,
    /// The saved card, once set up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_instrument: Option<PaymentInstrument>,
}

/// A dispute (chargeback).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dispute {
    /// The dispute id.
    pub dispute_id: String,
    /// The disputed payment.
    pub payment_id: String,
    /// Disputed amount.
    pub amount: Money,
    /// Dispute fee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee: Option<Money>,
    /// Net amount (negative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_amount: Option<Money>,
    /// When opened.
    #[serde(with = "pay_time")]
    pub created_date: OffsetDateTime,
    /// Evidence deadline.
    #[serde(default, with = "pay_time::option", skip_serializing_if = "Option::is_none")]
    pub evidence_due_date: Option<OffsetDateTime>,
    /// Reason.
    pub reason: DisputeReason,
    /// Status.
    pub status: DisputeStatus,
    /// Settlement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement_summary: Option<super::SettlementSummary>,
    /// Links (`payment`).
    #[serde(rename = "_links", default, skip_serializing_if = "Option::is_none")]
    pub links: Option<std::collections::BTreeMap<String, Link>>,
}

/// `POST /v1/auth` body: card details for a `moto_api` payment. Card number and CVC are redacted in Debug.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthoriseRequest {
    /// From the payment's `auth_url_post.params.one_time_token`; single use.
    pub one_time_token: String,
    /// 12–19 digits.
    pub card_number: String,
    /// 3–4 digits.
    pub cvc: String,
    /// `MM/YY`, in the future.
    pub expiry_date: String,
    /// ≤255 characters.
    pub cardholder_name: String,
}

impl fmt::Debug for AuthoriseRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthoriseRequest")
            .field("one_time_token", &"[REDACTED]")
            .field("card_number", &"[REDACTED]")
            .field("cvc", &"[REDACTED]")
            .field("expiry_date", &self.expiry_date)
            .field("cardholder_name", &self.cardholder_name)
            .finish()
    }
}
