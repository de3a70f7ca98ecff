//! The notification resource Notify answers with: status and times on the sandbox clock, cost data.

use std::time::Duration;

use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::config::TemplateKind;

use super::NotifyState;
use super::store::{Notification, Outcome};

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

impl NotifyState {
    pub(super) fn root(&self) -> String {
        format!("{}/", self.base_url.trim_end_matches('/'))
    }

    pub(super) fn status_of(&self, n: &Notification, now: OffsetDateTime) -> &'static str {
        let sending = n.created_at + Duration::from_secs(self.cfg.sending_after_seconds);
        let done = n.created_at + Duration::from_secs(self.cfg.delivered_after_seconds);
        if n.kind == TemplateKind::Letter {
            // Public letter statuses: created|sending → accepted, delivered → received.
            return if now >= done { "received" } else { "accepted" };
        }
        if now >= done {
            match n.outcome {
                Outcome::Delivered if n.international => "sent",
                Outcome::Delivered => "delivered",
                Outcome::TemporaryFailure => "temporary-failure",
                Outcome::PermanentFailure => "permanent-failure",
            }
        } else if now >= sending {
            "sending"
        } else {
            "created"
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

    pub(super) fn notification_json(&self, n: &Notification, now: OffsetDateTime) -> Value {
        let (sent_at, completed_at) = self.times(n, now);
        // Notify reads these straight from the personalisation (`Notification.serialize`), so the postcode
        // is never also a `line_N`.
        let line = |i: usize| -> Value { n.letter_fields.get(i).cloned().unwrap_or(Value::Null) };
        let (cost, details) = match n.kind {
            TemplateKind::Sms => {
                let rate = 0.0227;
                let multiplier = if n.international { 2.0 } else { 1.0 };
                let fragments = n.fragments as f64;
                (
                    (fragments * rate * multiplier * 10_000.0).round() / 10_000.0,
                    json!({"billable_sms_fragments": n.fragments, "international_rate_multiplier": multiplier,
                           "sms_rate": rate}),
                )
            }
            TemplateKind::Letter => {
                (0.68, json!({"billable_sheets_of_paper": 1, "postage": n.postage}))
            }
            TemplateKind::Email => (0.0, json!({})),
        };
        let postcode = line(6);
        let mut out = json!({
            "id": n.id, "reference": n.reference,
            "email_address": n.email_address, "phone_number": n.phone_number,
            "line_1": line(0), "line_2": line(1), "line_3": line(2), "line_4": line(3), "line_5": line(4),
            "line_6": line(5), "postcode": postcode,
            "type": n.kind.as_str(), "status": self.status_of(n, now),
            "template": {"version": n.template_version, "id": n.template_id,
                         "uri": format!("{}services/{}/templates/{}", self.root(), self.cfg.service_id, n.template_id)},
            "body": n.body, "subject": n.subject,
            "created_at": notify_time(n.created_at), "created_by_name": null,
            "sent_at": sent_at.map(notify_time), "completed_at": completed_at.map(notify_time),
            "scheduled_for": null, "postage": n.postage,
            "one_click_unsubscribe_url": n.one_click_unsubscribe_url,
            "is_cost_data_ready": true, "cost_in_pounds": cost, "cost_details": details,
        });
        if n.kind == TemplateKind::Letter
            && let Some(obj) = out.as_object_mut()
        {
            let estimate = (n.created_at + Duration::from_secs(3 * 86_400)).date();
            obj.insert(
                "estimated_delivery".to_owned(),
                json!(format!("{estimate}T16:00:00.000000Z")),
            );
        }
        out
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
