use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Link, RefundSummary, pay_time};
use crate::Money;
use crate::rules::state::PaymentState;

gaap_http::open_enum! {
    /// `state.status` of a payment as Pay sends it.
    pub enum PaymentStatus {
        /// Created; the payer has not started.
        Created = "created",
        /// The payer is entering card details.
        Started = "started",
        /// Authorised; waiting for the payer to confirm.
        Submitted = "submitted",
        /// Delayed capture; waiting for the service.
        Capturable = "capturable",
        /// Paid.
        Success = "success",
        /// Failed (see `code`).
        Failed = "failed",
        /// Cancelled by the service.
        Cancelled = "cancelled",
        /// Payment provider error.
        Error = "error",
    }
}

gaap_http::open_enum! {
    /// The payer's page language.
    pub enum Language {
        /// English (the default).
        English = "en",
        /// Welsh.
        Welsh = "cy",
    }
}

gaap_http::open_enum! {
    /// How the payment is authorised.
    pub enum AuthorisationMode {
        /// The payer enters card details on Pay's pages (the default).
        Web = "web",
        /// The service sends card details to `POST /v1/auth` (MOTO).
        MotoApi = "moto_api",
        /// A recurring payment against an active agreement.
        Agreement = "agreement",
        /// Authorised outside Pay (telephone payment notifications); response only.
        External = "external",
    }
}

gaap_http::open_enum! {
    /// Why an agreement payment is taken.
    pub enum AgreementPaymentType {
        /// An instalment.
        Instalment = "instalment",
        /// A recurring payment.
        Recurring = "recurring",
        /// An unscheduled payment.
        Unscheduled = "unscheduled",
    }
}

gaap_http::open_enum! {
    /// The card type.
    pub enum CardType {
        /// Debit card.
        Debit = "debit",
        /// Credit card.
        Credit = "credit",
    }
}

/// A metadata value: string (≤100 characters), number or boolean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MetadataValue {
    /// A string.
    String(String),
    /// A number.
    Number(serde_json::Number),
    /// A boolean.
    Bool(bool),
}

/// An `Idempotency-Key` for one logical payment: generate it once, keep it with the request, and every retry
/// sends the same key. Pay allows 1–255 characters of letters, digits and hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// A fresh random key (a UUID v4).
    #[must_use]
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().to_string())
    }

    /// A key you chose (for example your own order id), checked against Pay's header rules.
    pub fn new(key: impl Into<String>) -> Result<Self, crate::rules::validate::Invalid> {
        let key = key.into();
        crate::rules::validate::validate_idempotency_key(&key)?;
        Ok(Self(key))
    }

    /// The key.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A billing address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// Line 1 (≤255).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    /// Line 2 (≤255).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// Postcode (≤25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    /// City (≤255).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// Details to prefill on the card page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrefilledCardholderDetails {
    /// The cardholder's name (≤255).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cardholder_name: Option<String>,
    /// The billing address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Address>,
}

/// `POST /v1/payments` body. Validate it with [`crate::rules::validate::validate_create_payment`] before
/// sending (the client does).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatePaymentRequest {
    /// Amount in pence, 1..=10 000 000.
    pub amount: Money,
    /// Your reference (1–255, no `<`, `>` or `|`).
    pub reference: String,
    /// Shown to the payer (1–255, no `<`, `>` or `|`).
    pub description: String,
    /// Where the payer goes after paying; required for `web`, forbidden for `moto_api` and `agreement`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    /// `en` or `cy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
    /// The payer's email (≤254), prefilled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Hold the payment as `capturable` until you capture it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delayed_capture: Option<bool>,
    /// A MOTO payment (account flag needed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moto: Option<bool>,
    /// 1–15 key-value pairs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, MetadataValue>>,
    /// Prefilled card page details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefilled_cardholder_details: Option<PrefilledCardholderDetails>,
    /// `web` (default), `moto_api` or `agreement`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorisation_mode: Option<AuthorisationMode>,
    /// Set up this agreement with this payment (26 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_up_agreement: Option<String>,
    /// Take a payment against this agreement (26 characters; `agreement` mode only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement_id: Option<String>,
    /// Why an agreement payment is taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement_payment_type: Option<AgreementPaymentType>,
    /// Sent as the `Idempotency-Key` header, never in the body. Set once per logical payment.
    #[serde(skip)]
    pub idempotency_key: Option<IdempotencyKey>,
}

impl CreatePaymentRequest {
    /// A `web` payment of `amount` that returns the payer to `return_url`.
    #[must_use]
    pub fn new(
        amount: Money,
        reference: impl Into<String>,
        description: impl Into<String>,
        return_url: impl Into<String>,
    ) -> Self {
        Self {
            amount,
            reference: reference.into(),
            description: description.into(),
            return_url: Some(return_url.into()),
            language: None,
            email: None,
            delayed_capture: None,
            moto: None,
            metadata: None,
            prefilled_cardholder_details: None,
            authorisation_mode: None,
            set_up_agreement: None,
            agreement_id: None,
            agreement_payment_type: None,
            idempotency_key: None,
        }
    }

    /// A `moto_api` payment (no `return_url`): the service takes the card details itself and sends them with
    /// `Client::authorise_moto` (feature `client`) and the payment's [`Payment::moto_one_time_token`]. The account must
    /// have MOTO payments turned on.
    #[must_use]
    pub fn moto_api(
        amount: Money,
        reference: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        let mut req = Self::new(amount, reference, description, String::new());
        req.return_url = None;
        req.authorisation_mode = Some(AuthorisationMode::MotoApi);
        req
    }

    /// A recurring payment against an active agreement (no `return_url`).
    #[must_use]
    pub fn for_agreement(
        amount: Money,
        reference: impl Into<String>,
        description: impl Into<String>,
        agreement_id: impl Into<String>,
    ) -> Self {
        let mut req = Self::new(amount, reference, description, String::new());
        req.return_url = None;
        req.authorisation_mode = Some(AuthorisationMode::Agreement);
        req.agreement_id = Some(agreement_id.into());
        req
    }

    /// Attaches a freshly generated `Idempotency-Key`, unless one is already set. Call it once per logical
    /// payment and keep the request: the client then retries the create safely and reuses the key each time.
    #[must_use]
    pub fn with_idempotency_key(mut self) -> Self {
        if self.idempotency_key.is_none() {
            self.idempotency_key = Some(IdempotencyKey::generate());
        }
        self
    }

    /// Adds a metadata pair.
    #[must_use]
    pub fn with_metadata(mut self, key: impl Into<String>, value: MetadataValue) -> Self {
        self.metadata.get_or_insert_with(BTreeMap::new).insert(key.into(), value);
        self
    }
}

/// A payment's `state`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// The status.
    pub status: PaymentStatus,
    /// Whether the payment can change no further.
    pub finished: bool,
    /// Pay's message, on failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// P0010–P0050, on failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// On failed agreement payments: whether a retry may succeed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_retry: Option<bool>,
}

impl State {
    /// The model state, when the status and code are a combination Pay can produce.
    #[must_use]
    pub fn model(&self) -> Option<PaymentState> {
        PaymentState::from_wire(self.status.as_str(), self.code.as_deref())
    }
}

impl From<PaymentState> for State {
    fn from(state: PaymentState) -> Self {
        Self {
            status: PaymentStatus::parse(state.status()),
            finished: state.finished(),
            message: state.message().map(str::to_owned),
            code: state.code().map(str::to_owned),
            can_retry: None,
        }
    }
}

/// `settlement_summary` of a payment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementSummary {
    /// When capture was submitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_submit_time: Option<String>,
    /// Capture date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_date: Option<String>,
    /// Settlement date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_date: Option<String>,
}

/// `card_details` of a payment. Pay always writes its seven card fields, `null` when unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardDetails {
    /// Last four digits.
    #[serde(default)]
    pub last_digits_card_number: Option<String>,
    /// First six digits.
    #[serde(default)]
    pub first_digits_card_number: Option<String>,
    /// Cardholder name.
    #[serde(default)]
    pub cardholder_name: Option<String>,
    /// `MM/YY`.
    #[serde(default)]
    pub expiry_date: Option<String>,
    /// Billing address.
    #[serde(default)]
    pub billing_address: Option<Address>,
    /// Card brand, such as `Visa`.
    #[serde(default)]
    pub card_brand: Option<String>,
    /// `debit` or `credit`.
    #[serde(default)]
    pub card_type: Option<CardType>,
    /// `Apple Pay` or `Google Pay`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wallet_type: Option<String>,
}

/// `_links` of a payment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentLinks {
    /// The payment itself.
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<Link>,
    /// Where to send the payer (single use; a fresh one on every GET).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_url: Option<Link>,
    /// The POST form of `next_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_url_post: Option<Link>,
    /// MOTO: where to send card details, with `one_time_token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_url_post: Option<Link>,
    /// The payment's events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Link>,
    /// The payment's refunds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunds: Option<Link>,
    /// Present while the payment can be cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel: Option<Link>,
    /// Present while the payment is `capturable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture: Option<Link>,
}

/// A payment, as returned by create, get and search, and as a webhook's `resource` (without `_links`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    /// 26 lower-case base32 characters.
    pub payment_id: String,
    /// Amount in pence.
    pub amount: Money,
    /// The description.
    #[serde(default)]
    pub description: String,
    /// Your reference.
    #[serde(default)]
    pub reference: String,
    /// The state.
    pub state: State,
    /// When it was created (UTC, milliseconds on the wire).
    #[serde(with = "pay_time")]
    pub created_date: OffsetDateTime,
    /// The language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
    /// The payer's email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The return URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    /// The payment provider (`sandbox`, `worldpay`, `stripe`, `adyen`, …); an open string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_provider: Option<String>,
    /// The provider's id for the payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    /// Delayed capture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delayed_capture: Option<bool>,
    /// MOTO.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moto: Option<bool>,
    /// Metadata, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, MetadataValue>>,
    /// Refund availability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_summary: Option<RefundSummary>,
    /// Settlement dates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement_summary: Option<SettlementSummary>,
    /// Card details, once entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_details: Option<CardDetails>,
    /// The card brand, as in `card_details` (Pay still sends this older top-level copy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_brand: Option<String>,
    /// The PSP fee (Stripe), once captured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee: Option<Money>,
    /// `amount - fee`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_amount: Option<Money>,
    /// Corporate card surcharge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corporate_card_surcharge: Option<Money>,
    /// Amount plus surcharge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<Money>,
    /// How it is authorised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorisation_mode: Option<AuthorisationMode>,
    /// The agreement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement_id: Option<String>,
    /// The agreement payment type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement_payment_type: Option<AgreementPaymentType>,
    /// Links.
    #[serde(rename = "_links", default, skip_serializing_if = "Option::is_none")]
    pub links: Option<PaymentLinks>,
}

impl Payment {
    /// The model state, when Pay sent a consistent status and code.
    #[must_use]
    pub fn model_state(&self) -> Option<PaymentState> {
        self.state.model()
    }

    /// The URL to send the payer to, if any.
    #[must_use]
    pub fn next_url(&self) -> Option<&str> {
        self.links.as_ref()?.next_url.as_ref().map(|l| l.href.as_str())
    }

    /// For a `moto_api` payment not yet authorised: the single-use `one_time_token` of its `auth_url_post` link,
    /// for [`crate::AuthoriseRequest`].
    #[must_use]
    pub fn moto_one_time_token(&self) -> Option<&str> {
        let params = self.links.as_ref()?.auth_url_post.as_ref()?.params.as_ref()?;
        params.get("one_time_token")?.as_str()
    }
}

/// One entry of `GET /v1/payments/{id}/events`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentEventRecord {
    /// The payment.
    #[serde(default)]
    pub payment_id: String,
    /// The state entered.
    pub state: State,
    /// When.
    #[serde(default)]
    pub updated: String,
    /// Links (`payment_url`).
    #[serde(rename = "_links", default, skip_serializing_if = "Option::is_none")]
    pub links: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `GET /v1/payments/{id}/events` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentEvents {
    /// The payment.
    #[serde(default)]
    pub payment_id: String,
    /// Events, oldest first.
    #[serde(default)]
    pub events: Vec<PaymentEventRecord>,
    /// Links (`self`).
    #[serde(rename = "_links", default, skip_serializing_if = "Option::is_none")]
    pub links: Option<serde_json::Map<String, serde_json::Value>>,
}
