//! Request and response bodies of the v2 API, with Notify's JSON keys.

mod personalisation;
mod status;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

pub use personalisation::{IntoPersonalisation, Personalisation, personalisation_of};
pub use status::{NotificationStatus, NotificationType};

pub use crate::rules::postal_address::Postage;

/// `POST /v2/notifications/sms`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmsRequest {
    /// The recipient.
    pub phone_number: String,
    /// The template.
    pub template_id: Uuid,
    /// Values for the template's placeholders.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personalisation: Option<Personalisation>,
    /// Your reference (at most 1,000 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// A sender other than the service default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sms_sender_id: Option<Uuid>,
}

impl SmsRequest {
    /// A request with the required fields.
    #[must_use]
    pub fn new(phone_number: impl Into<String>, template_id: Uuid) -> Self {
        Self {
            phone_number: phone_number.into(),
            template_id,
            personalisation: None,
            reference: None,
            sms_sender_id: None,
        }
    }

    /// Sets the personalisation: pairs (`[("name", "Ada")]`), a map, or a [`Personalisation`]; see
    /// [`IntoPersonalisation`], and [`personalisation_of`] for a struct of your own.
    #[must_use]
    pub fn personalisation(mut self, values: impl IntoPersonalisation) -> Self {
        self.personalisation = Some(values.into_personalisation());
        self
    }

    /// Sets the reference.
    #[must_use]
    pub fn reference(mut self, reference: impl Into<String>) -> Self {
        self.reference = Some(reference.into());
        self
    }
}

/// `POST /v2/notifications/email`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmailRequest {
    /// The recipient.
    pub email_address: String,
    /// The template.
    pub template_id: Uuid,
    /// Values for the template's placeholders.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personalisation: Option<Personalisation>,
    /// Your reference (at most 1,000 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// A reply-to address other than the service default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_reply_to_id: Option<Uuid>,
    /// An `https` URL for the one-click unsubscribe header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub one_click_unsubscribe_url: Option<String>,
    /// Personalisation keys Notify should strip of links and markdown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sanitise_content_for: Option<Vec<String>>,
}

impl EmailRequest {
    /// A request with the required fields.
    #[must_use]
    pub fn new(email_address: impl Into<String>, template_id: Uuid) -> Self {
        Self {
            email_address: email_address.into(),
            template_id,
            personalisation: None,
            reference: None,
            email_reply_to_id: None,
            one_click_unsubscribe_url: None,
            sanitise_content_for: None,
        }
    }

    /// Sets the personalisation: pairs (`[("name", "Ada")]`), a map, or a [`Personalisation`]; see
    /// [`IntoPersonalisation`], and [`personalisation_of`] for a struct of your own.
    #[must_use]
    pub fn personalisation(mut self, values: impl IntoPersonalisation) -> Self {
        self.personalisation = Some(values.into_personalisation());
        self
    }

    /// Sets the reference.
    #[must_use]
    pub fn reference(mut self, reference: impl Into<String>) -> Self {
        self.reference = Some(reference.into());
        self
    }
}

/// `POST /v2/notifications/letter` for a template letter. The address goes in the
/// personalisation as `address_line_1` … `address_line_7` (or `postcode` as the last line).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LetterRequest {
    /// The template.
    pub template_id: Uuid,
    /// Address lines and placeholder values.
    pub personalisation: Personalisation,
    /// Your reference (at most 1,000 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// `POST /v2/notifications/letter` with a PDF (`content` is the base64 PDF).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrecompiledLetterRequest {
    /// Your reference (required for precompiled letters).
    pub reference: String,
    /// The PDF, base64-encoded.
    pub content: String,
    /// `first`, `second` (Notify's default) or `economy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postage: Option<Postage>,
}

/// A template reference in a response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateRef {
    /// Template id.
    pub id: Uuid,
    /// Version used.
    pub version: i64,
    /// The template's URI.
    pub uri: String,
}

/// `content` of an SMS response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsContent {
    /// The text as sent.
    pub body: String,
    /// The sender.
    pub from_number: Option<String>,
}

/// Response to [`SmsRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsResponse {
    /// Notification id.
    pub id: Uuid,
    /// Your reference.
    pub reference: Option<String>,
    /// What was sent.
    pub content: SmsContent,
    /// The notification's URI.
    pub uri: String,
    /// The template used.
    pub template: TemplateRef,
    /// Scheduled time (always null for the public API).
    #[serde(default)]
    pub scheduled_for: Option<String>,
}

/// `content` of an email response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailContent {
    /// The body as sent.
    pub body: String,
    /// The subject.
    pub subject: String,
    /// The sender address.
    pub from_email: String,
    /// The one-click unsubscribe URL, if given.
    #[serde(default)]
    pub one_click_unsubscribe_url: Option<String>,
}

/// Response to [`EmailRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailResponse {
    /// Notification id.
    pub id: Uuid,
    /// Your reference.
    pub reference: Option<String>,
    /// What was sent.
    pub content: EmailContent,
    /// The notification's URI.
    pub uri: String,
    /// The template used.
    pub template: TemplateRef,
    /// Scheduled time.
    #[serde(default)]
    pub scheduled_for: Option<String>,
    /// With `sanitise_content_for`: each key's value before and after.
    #[serde(default)]
    pub sanitised_content: Option<Value>,
}

/// `content` of a letter response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterContent {
    /// The body.
    pub body: String,
    /// The heading.
    pub subject: String,
}

/// Response to [`LetterRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterResponse {
    /// Notification id.
    pub id: Uuid,
    /// Your reference.
    pub reference: Option<String>,
    /// What was sent.
    pub content: LetterContent,
    /// The notification's URI.
    pub uri: String,
    /// The template used.
    pub template: TemplateRef,
    /// Scheduled time.
    #[serde(default)]
    pub scheduled_for: Option<String>,
}

/// Response to [`PrecompiledLetterRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrecompiledLetterResponse {
    /// Notification id.
    pub id: Uuid,
    /// Your reference.
    pub reference: Option<String>,
    /// The postage used.
    pub postage: Option<String>,
}

/// A notification (`GET /v2/notifications/{id}`). Datetimes are kept as Notify sends them
/// (`%Y-%m-%dT%H:%M:%S.%fZ`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    /// Notification id.
    pub id: Uuid,
    /// Your reference.
    #[serde(default)]
    pub reference: Option<String>,
    /// Email recipient.
    #[serde(default)]
    pub email_address: Option<String>,
    /// SMS recipient.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// Address line 1.
    #[serde(default)]
    pub line_1: Option<String>,
    /// Address line 2.
    #[serde(default)]
    pub line_2: Option<String>,
    /// Address line 3.
    #[serde(default)]
    pub line_3: Option<String>,
    /// Address line 4.
    #[serde(default)]
    pub line_4: Option<String>,
    /// Address line 5.
    #[serde(default)]
    pub line_5: Option<String>,
    /// Address line 6.
    #[serde(default)]
    pub line_6: Option<String>,
    /// Postcode (or last address line).
    #[serde(default)]
    pub postcode: Option<String>,
    /// `email`, `sms` or `letter`.
    #[serde(rename = "type")]
    pub notification_type: NotificationType,
    /// Status.
    pub status: NotificationStatus,
    /// The template used.
    pub template: TemplateRef,
    /// The body as sent.
    #[serde(default)]
    pub body: Option<String>,
    /// The subject (email, letter).
    #[serde(default)]
    pub subject: Option<String>,
    /// When Notify received it.
    pub created_at: String,
    /// The user who sent it from the web interface.
    #[serde(default)]
    pub created_by_name: Option<String>,
    /// When it was sent.
    #[serde(default)]
    pub sent_at: Option<String>,
    /// When it reached a final status.
    #[serde(default)]
    pub completed_at: Option<String>,
    /// Scheduled time.
    #[serde(default)]
    pub scheduled_for: Option<String>,
    /// Letter postage.
    #[serde(default)]
    pub postage: Option<String>,
    /// Letter estimated delivery. Notify adds the key for letters only, so it is left out when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_delivery: Option<String>,
    /// Email one-click unsubscribe URL.
    #[serde(default)]
    pub one_click_unsubscribe_url: Option<String>,
    /// Whether the cost data is ready.
    #[serde(default)]
    pub is_cost_data_ready: Option<bool>,
    /// Cost in pounds.
    #[serde(default)]
    pub cost_in_pounds: Option<f64>,
    /// Cost breakdown (fragments, rate, sheets, postage); [`CostDetails`] reads and writes its shape.
    #[serde(default)]
    pub cost_details: Option<Value>,
}

/// The `cost_details` object of a [`Notification`]: an SMS has the fragments, the international rate
/// multiplier and the rate; a letter has the sheets of paper and the postage; an email has none of them
/// (`{}`). A key Notify does not send for the type is `None` and left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CostDetails {
    /// SMS: fragments billed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billable_sms_fragments: Option<u64>,
    /// SMS: the international rate multiplier (1 for UK numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub international_rate_multiplier: Option<f64>,
    /// SMS: the rate per fragment, in pounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_rate: Option<f64>,
    /// Letter: sheets of paper billed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billable_sheets_of_paper: Option<u64>,
    /// Letter: the postage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postage: Option<String>,
}

/// Pagination links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Links {
    /// This page.
    pub current: String,
    /// The next (older) page. Notify leaves the key out when the page is empty, and so does serialising `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// One page of `GET /v2/notifications`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationsPage {
    /// Up to 250 notifications, newest first.
    pub notifications: Vec<Notification>,
    /// Pagination.
    pub links: Links,
}

/// Filters for `GET /v2/notifications`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotificationFilter {
    /// Only this type.
    pub template_type: Option<NotificationType>,
    /// Only these statuses (the parameter may repeat).
    pub status: Vec<NotificationStatus>,
    /// Only this reference.
    pub reference: Option<String>,
    /// Include notifications sent from CSV uploads.
    pub include_jobs: bool,
}

/// A template (`GET /v2/template/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    /// Template id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// `email`, `sms` or `letter`.
    #[serde(rename = "type")]
    pub template_type: NotificationType,
    /// Created.
    pub created_at: String,
    /// Last updated.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Version.
    pub version: i64,
    /// Creator's email.
    #[serde(default)]
    pub created_by: Option<String>,
    /// Body.
    pub body: String,
    /// Subject (email, letter).
    #[serde(default)]
    pub subject: Option<String>,
    /// Letter contact block.
    #[serde(default)]
    pub letter_contact_block: Option<String>,
    /// Letter postage.
    #[serde(default)]
    pub postage: Option<String>,
    /// Every placeholder the template uses (for a letter, its contact block's too), by name, each
    /// `{"required": true}`.
    #[serde(default)]
    pub personalisation: Option<BTreeMap<String, TemplatePlaceholder>>,
}

/// One entry of a [`Template`]'s `personalisation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplatePlaceholder {
    /// Whether a value must be given (Notify marks every placeholder required).
    pub required: bool,
}

/// `GET /v2/templates`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateList {
    /// The templates.
    pub templates: Vec<Template>,
}

/// `POST /v2/template/{id}/preview`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplatePreview {
    /// Template id.
    pub id: Uuid,
    /// `email`, `sms` or `letter`.
    #[serde(rename = "type")]
    pub template_type: NotificationType,
    /// Version.
    pub version: i64,
    /// Rendered body.
    pub body: String,
    /// Rendered HTML (email only).
    #[serde(default)]
    pub html: Option<String>,
    /// Rendered subject.
    #[serde(default)]
    pub subject: Option<String>,
    /// Letter postage.
    #[serde(default)]
    pub postage: Option<String>,
}

/// A text message received on the service's inbound number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedText {
    /// Id.
    pub id: Uuid,
    /// The sender's number.
    pub user_number: String,
    /// The service's number.
    pub notify_number: String,
    /// Received.
    pub created_at: String,
    /// Service id.
    pub service_id: Uuid,
    /// The text.
    pub content: String,
}

/// One page of `GET /v2/received-text-messages`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedTextsPage {
    /// Up to 250 messages, newest first.
    pub received_text_messages: Vec<ReceivedText>,
    /// Pagination.
    pub links: Links,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_last_page_has_no_next_key_as_notify_sends_it() {
        let links = Links { current: "https://api/v2/notifications".to_owned(), next: None };
        assert_eq!(
            serde_json::to_value(&links).unwrap(),
            json!({"current": "https://api/v2/notifications"})
        );
        let read: Links = serde_json::from_value(json!({"current": "c", "next": "n"})).unwrap();
        assert_eq!(read.next.as_deref(), Some("n"));
    }

    #[test]
    fn cost_details_keep_each_types_keys() {
        let sms = CostDetails {
            billable_sms_fragments: Some(2),
            international_rate_multiplier: Some(1.0),
            sms_rate: Some(0.0227),
            ..CostDetails::default()
        };
        assert_eq!(
            serde_json::to_string(&sms).unwrap(),
            r#"{"billable_sms_fragments":2,"international_rate_multiplier":1.0,"sms_rate":0.0227}"#
        );
        let letter: CostDetails =
            serde_json::from_value(json!({"billable_sheets_of_paper": 1, "postage": "second"}))
                .unwrap();
        assert_eq!(letter.billable_sheets_of_paper, Some(1));
        assert_eq!(letter.postage.as_deref(), Some("second"));
        assert_eq!(serde_json::to_value(CostDetails::default()).unwrap(), json!({}));
    }

    #[test]
    fn a_templates_personalisation_reads_and_writes_notifys_shape() {
        let body = json!({
            "id": Uuid::nil(), "name": "n", "type": "email", "created_at": "2026-01-01T00:00:00.000000Z",
            "updated_at": null, "version": 1, "created_by": "a@b", "body": "Hi ((name))", "subject": "s",
            "letter_contact_block": null, "postage": null, "personalisation": {"name": {"required": true}},
        });
        let template: Template = serde_json::from_value(body.clone()).unwrap();
        let fields = template.personalisation.clone().unwrap_or_default();
        assert_eq!(fields.get("name"), Some(&TemplatePlaceholder { required: true }));
        assert_eq!(serde_json::to_value(&template).unwrap(), body);
    }
}
