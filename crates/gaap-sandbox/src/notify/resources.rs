//! The notification resource Notify answers with: status and times on the sandbox clock, cost data.

use std::time::Duration;

use gaap_notify::{CostDetails, NotificationStatus, TemplateRef};
use serde::{Serialize, Serializer};
use serde_json::Value;
use time::OffsetDateTime;

use crate::config::TemplateKind;

use super::store::{Notification, Outcome};
use super::{NotifyState, Result, to_json};

/// Notify's `DATETIME_FORMAT`, `%Y-%m-%dT%H:%M:%S.%fZ`.
pub(super) fn notify_time(t: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

/// The resource keys a letter's `address_line_1`..`address_line_6` and `postcode` values go to.
const ADDRESS_KEYS: [&str; 7] =
    ["line_1", "line_2", "line_3", "line_4", "line_5", "line_6", "postcode"];

/// The notification resource as Notify serialises it: gaap-notify's [`gaap_notify::Notification`], with a
/// letter's address values echoed as they were sent. `Notification.serialize` reads them straight from the
/// personalisation, so a value sent as a number, boolean or list comes back as one, where the type holds text;
/// those few values are kept aside and put back when the resource is serialised.
#[derive(Debug)]
pub(super) struct Resource {
    pub(super) notification: gaap_notify::Notification,
    echoed: Vec<(&'static str, Value)>,
}

impl Serialize for Resource {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        if self.echoed.is_empty() {
            return self.notification.serialize(serializer);
        }
        let mut value =
            serde_json::to_value(&self.notification).map_err(serde::ser::Error::custom)?;
        if let Some(fields) = value.as_object_mut() {
            for (key, sent) in &self.echoed {
                fields.insert((*key).to_owned(), sent.clone());
            }
        }
        value.serialize(serializer)
    }
}

impl NotifyState {
    pub(super) fn root(&self) -> String {
        format!("{}/", self.base_url.trim_end_matches('/'))
    }

    /// The URI of a notification, as a send response gives it.
    pub(super) fn notification_uri(&self, id: uuid::Uuid) -> String {
        format!("{}v2/notifications/{id}", self.root())
    }

    /// The template reference a response carries, with Notify's template URI.
    pub(super) fn template_ref(&self, id: uuid::Uuid, version: u32) -> TemplateRef {
        TemplateRef {
            id,
            version: i64::from(version),
            uri: format!("{}services/{}/templates/{id}", self.root(), self.cfg.service_id),
        }
    }

    pub(super) fn status_of(&self, n: &Notification, now: OffsetDateTime) -> NotificationStatus {
        let sending = n.created_at + Duration::from_secs(self.cfg.sending_after_seconds);
        let done = n.created_at + Duration::from_secs(self.cfg.delivered_after_seconds);
        if n.kind == TemplateKind::Letter {
            // Public letter statuses: created|sending → accepted, delivered → received.
            return if now >= done {
                NotificationStatus::Received
            } else {
                NotificationStatus::Accepted
            };
        }
        if now >= done {
            match n.outcome {
                Outcome::Delivered if n.international => NotificationStatus::Sent,
                Outcome::Delivered => NotificationStatus::Delivered,
                Outcome::TemporaryFailure => NotificationStatus::TemporaryFailure,
                Outcome::PermanentFailure => NotificationStatus::PermanentFailure,
            }
        } else if now >= sending {
            NotificationStatus::Sending
        } else {
            NotificationStatus::Created
        }
    }

    pub(super) fn times(
        &self,
        n: &Notification,
        now: OffsetDateTime,
    ) -> (Option<OffsetDateTime>, Option<OffsetDateTime>) {
        let sending = n.created_at + Duration::from_secs(self.cfg.sending_after_seconds);
        let done = n.created_at + Duration::from_secs(self.cfg.delivered_after_seconds);
        ((now >= sending).then_some(sending), (now >= done).then_some(done))
    }

    /// The cost in pounds and the `cost_details` Notify gives for a notification.
    fn cost(n: &Notification) -> (f64, CostDetails) {
        match n.kind {
            TemplateKind::Sms => {
                let rate = 0.0227;
                let multiplier = if n.international { 2.0 } else { 1.0 };
                let fragments = n.fragments as f64;
                let details = CostDetails {
                    billable_sms_fragments: Some(n.fragments as u64),
                    international_rate_multiplier: Some(multiplier),
                    sms_rate: Some(rate),
                    ..CostDetails::default()
                };
                ((fragments * rate * multiplier * 10_000.0).round() / 10_000.0, details)
            }
            TemplateKind::Letter => {
                let details = CostDetails {
                    billable_sheets_of_paper: Some(1),
                    postage: n.postage.clone(),
                    ..CostDetails::default()
                };
                (0.68, details)
            }
            TemplateKind::Email => (0.0, CostDetails::default()),
        }
    }

    /// The notification resource (`Notification.serialize_with_cost_data`).
    pub(super) fn notification_resource(
        &self,
        n: &Notification,
        now: OffsetDateTime,
    ) -> Result<Resource> {
        let (sent_at, completed_at) = self.times(n, now);
        // Notify reads these straight from the personalisation (`Notification.serialize`), so the postcode
        // is never also a `line_N`.
        let line = |i: usize| n.letter_fields.get(i).and_then(Value::as_str).map(str::to_owned);
        let echoed = ADDRESS_KEYS
            .iter()
            .zip(&n.letter_fields)
            .filter(|(_, sent)| !sent.is_null() && !sent.is_string())
            .map(|(key, sent)| (*key, sent.clone()))
            .collect();
        let (cost, details) = Self::cost(n);
        let estimated_delivery = (n.kind == TemplateKind::Letter).then(|| {
            let estimate = (n.created_at + Duration::from_secs(3 * 86_400)).date();
            format!("{estimate}T16:00:00.000000Z")
        });
        let notification = gaap_notify::Notification {
            id: n.id,
            reference: n.reference.clone(),
            email_address: n.email_address.clone(),
            phone_number: n.phone_number.clone(),
            line_1: line(0),
            line_2: line(1),
            line_3: line(2),
            line_4: line(3),
            line_5: line(4),
            line_6: line(5),
            postcode: line(6),
            notification_type: n.kind.into(),
            status: self.status_of(n, now),
            template: self.template_ref(n.template_id, n.template_version),
            body: Some(n.body.clone()),
            subject: n.subject.clone(),
            created_at: notify_time(n.created_at),
            created_by_name: None,
            sent_at: sent_at.map(notify_time),
            completed_at: completed_at.map(notify_time),
            scheduled_for: None,
            postage: n.postage.clone(),
            estimated_delivery,
            one_click_unsubscribe_url: n.one_click_unsubscribe_url.clone(),
            is_cost_data_ready: Some(true),
            cost_in_pounds: Some(cost),
            cost_details: Some(to_json(&details)?),
        };
        Ok(Resource { notification, echoed })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_notify_datetimes() {
        let t = time::macros::datetime!(2026-11-22 09:05:07.123456 UTC);
        assert_eq!(notify_time(t), "2026-11-22T09:05:07.123456Z");
    }
}
