//! A whole template checked against personalisation, with the API's error messages
//! (notifications-api `check_placeholders`, `check_is_message_too_long`, `check_message_is_not_empty`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::email::render_email;
use super::placeholders::{self, FillOptions, missing_personalisation_message, placeholder_names};
use super::sms::{SmsOptions, render_sms};

/// A template's channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TemplateType {
    /// Text message.
    Sms,
    /// Email.
    Email,
    /// Letter.
    Letter,
}

impl TemplateType {
    /// The wire name (`sms`, `email`, `letter`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Email => "email",
            Self::Letter => "letter",
        }
    }
}

impl std::str::FromStr for TemplateType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "sms" => Ok(Self::Sms),
            "email" => Ok(Self::Email),
            "letter" => Ok(Self::Letter),
            other => Err(format!("unknown template type {other:?}: expected sms, email or letter")),
        }
    }
}

/// A template's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateContent {
    /// The channel.
    pub kind: TemplateType,
    /// Subject (email) or main heading (letter).
    pub subject: Option<String>,
    /// The body.
    pub body: String,
}

/// Options that change how a template renders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// SMS options (service-name prefix, encoding policy).
    pub sms: SmsOptions,
}

/// A rendered template, whatever the channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rendered {
    /// The body as sent: the SMS text, the email's plain text, or the letter's personalised
    /// markdown.
    pub body: String,
    /// The subject (email) or heading (letter).
    pub subject: Option<String>,
    /// The email's HTML body.
    pub html: Option<String>,
    /// Placeholders with no value, first-seen order.
    pub missing: Vec<String>,
    /// The API's rejection, if the message would be refused (`Missing personalisation: …`,
    /// `Your message is empty.`, or too long).
    pub error: Option<String>,
}

/// The address placeholders a letter always needs (the API's schema requires lines 1 and 2).
pub const LETTER_REQUIRED_ADDRESS_KEYS: [&str; 2] = ["address_line_1", "address_line_2"];

impl TemplateContent {
    /// The template's placeholder names, first-seen order, subject first (as Notify lists them).
    #[must_use]
    pub fn placeholders(&self) -> Vec<String> {
        let subject =
            self.subject.as_deref().filter(|_| self.kind != TemplateType::Sms).unwrap_or("");
        placeholder_names([subject, self.body.as_str()])
    }

    /// Renders with personalisation and reports what the API would reject.
    #[must_use]
    pub fn render(&self, values: &Map<String, Value>, options: &RenderOptions) -> Rendered {
        match self.kind {
            TemplateType::Sms => {
                // With no values at all, Notify's counter treats placeholders as empty; a render
                // shows them instead, so give the pipeline a map that matches no placeholder.
                let mut shown = Map::new();
                let values = if values.is_empty() {
                    shown.insert(String::from("\u{0}"), Value::Null);
                    &shown
                } else {
                    values
                };
                let sms = render_sms(&self.body, values, &options.sms);
                let missing = placeholders::missing(&self.placeholders(), values);
                let error = if !missing.is_empty() {
                    Some(missing_personalisation_message(&missing))
                } else if sms.too_long {
                    Some(sms.too_long_message())
                } else if sms.empty {
                    Some("Your message is empty.".to_owned())
                } else {
                    None
                };
                Rendered { body: sms.content, subject: None, html: None, missing, error }
            }
            TemplateType::Email => {
                let email = render_email(self.subject.as_deref().unwrap_or(""), &self.body, values);
                let error = if !email.missing.is_empty() {
                    Some(missing_personalisation_message(&email.missing))
                } else if email.too_long {
                    Some(email.too_long_message())
                } else if email.content.is_empty() {
                    Some("Your message is empty.".to_owned())
                } else {
                    None
                };
                Rendered {
                    body: email.plain_text,
                    subject: Some(email.subject),
                    html: Some(email.html),
                    missing: email.missing,
                    error,
                }
            }
            TemplateType::Letter => {
                let opts = FillOptions { markdown_lists: true, escape_html: false };
                let body =
                    super::text::py_strip(&placeholders::fill(&self.body, values, opts)).to_owned();
                let subject = self.subject.as_deref().map(|s| {
                    super::text::normalise_whitespace(&placeholders::fill(
                        s,
                        values,
                        FillOptions::default(),
                    ))
                });
                let missing = placeholders::missing(&self.placeholders(), values);
                let error =
                    (!missing.is_empty()).then(|| missing_personalisation_message(&missing));
                Rendered { body, subject, html: None, missing, error }
            }
        }
    }
}
