//! What Notify stores: notifications as sent, received text messages, and the rate-limit counters,
//! persisted as one JSON document.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::config::TemplateKind;

use super::KeyType;
use super::rate_limit::{Bucket, DailyKey};

/// The final outcome a notification reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Outcome {
    Delivered,
    TemporaryFailure,
    PermanentFailure,
}

/// A stored notification.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Notification {
    pub(super) id: Uuid,
    pub(super) reference: Option<String>,
    pub(super) kind: TemplateKind,
    pub(super) key_type: KeyType,
    pub(super) template_id: Uuid,
    pub(super) template_version: u32,
    pub(super) email_address: Option<String>,
    pub(super) phone_number: Option<String>,
    pub(super) address: Vec<String>,
    pub(super) body: String,
    pub(super) subject: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub(super) created_at: OffsetDateTime,
    pub(super) outcome: Outcome,
    pub(super) postage: Option<String>,
    pub(super) one_click_unsubscribe_url: Option<String>,
    pub(super) fragments: usize,
    pub(super) international: bool,
    pub(super) precompiled: bool,
    /// A letter's `address_line_1`..`address_line_6` and `postcode` as sent, for `line_N` and `postcode`.
    #[serde(default)]
    pub(super) letter_fields: Vec<Value>,
    /// A precompiled letter's PDF as uploaded (base64), served back unchanged.
    #[serde(default)]
    pub(super) pdf: Option<String>,
    /// The SMS sender or email reply-to address the send used.
    #[serde(default)]
    pub(super) reply_to: Option<String>,
}

/// A received text message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ReceivedText {
    pub(super) id: Uuid,
    pub(super) user_number: String,
    pub(super) notify_number: String,
    #[serde(with = "time::serde::rfc3339")]
    pub(super) created_at: OffsetDateTime,
    pub(super) content: String,
}

/// Everything Notify remembers; persisted as one JSON document.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct NotifyData {
    pub(super) notifications: Vec<Notification>,
    #[serde(skip)]
    pub(super) index: HashMap<Uuid, usize>,
    pub(super) received: Vec<ReceivedText>,
    pub(super) buckets: HashMap<KeyType, Bucket>,
    pub(super) daily: HashMap<DailyKey, u64>,
}

impl NotifyData {
    pub(super) fn reindex(&mut self) {
        self.index = self.notifications.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
    }

    /// The notification with this id.
    pub(super) fn notification(&self, id: &Uuid) -> Option<&Notification> {
        self.index.get(id).and_then(|i| self.notifications.get(*i))
    }
}
