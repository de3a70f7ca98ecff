//! A payment's life: state changes through gaap-pay's state machine, the webhooks they cause, and expiry.

use gaap_pay::webhook::{EventType, WebhookMessage};
use gaap_pay::{PaymentEvent, PaymentState};
use time::OffsetDateTime;

use crate::outbound::DeliveryKind;

use super::store::{Event, Payment, Wire};
use super::{CAPTURABLE_EXPIRY, EXPIRY, IDEMPOTENCY_TTL, PayState, random_id, to_millis};

impl PayState {
    /// Moves a payment, recording the event and queueing the webhook it causes.
    pub(super) fn apply(&self, p: &mut Payment, event: PaymentEvent, now: OffsetDateTime) -> bool {
        let Ok(transition) = p.state.state().apply(event) else { return false };
        let to = transition.to();
        p.state = Wire::of(to);
        p.events.push(Event { state: p.state.clone(), at: now });
        let webhook = match (event, to) {
            (
                PaymentEvent::PayerConfirmed | PaymentEvent::ServiceCaptured,
                PaymentState::Success,
            ) => {
                // Sandbox capture completes at once: succeeded then captured.
                p.captured_at = Some(now);
                self.webhook(p, "card_payment_succeeded", now);
                Some("card_payment_captured")
            }
            (_, PaymentState::Failed(gaap_pay::rules::state::FailureReason::Expired)) => {
                Some("card_payment_expired")
            }
            (_, PaymentState::Failed(_)) => Some("card_payment_failed"),
            _ => None,
        };
        if let Some(event_type) = webhook {
            self.webhook(p, event_type, now);
        }
        self.touch();
        true
    }

    pub(super) fn webhook(&self, p: &Payment, event_type: &str, now: OffsetDateTime) {
        for hook in &self.cfg.webhooks {
            if !hook.subscriptions.is_empty() && !hook.subscriptions.iter().any(|s| s == event_type)
            {
                continue;
            }
            let mut resource = self.payment_resource(p, None);
            resource.links = None;
            let message = WebhookMessage {
                webhook_message_id: random_id(),
                created_date: to_millis(now),
                resource_id: p.payment_id.clone(),
                api_version: 1,
                resource_type: "payment".to_owned(),
                event_type: EventType::parse(event_type),
                resource,
            };
            let Ok(body) = serde_json::to_string(&message) else { continue };
            let signature = gaap_pay::webhook::sign(
                &gaap_pay::SigningSecret::new(self.webhook_secret.clone()),
                body.as_bytes(),
            );
            self.outbound.enqueue(
                DeliveryKind::PayWebhook,
                &hook.url,
                vec![
                    ("content-type".to_owned(), "application/json".to_owned()),
                    ("pay-signature".to_owned(), signature),
                ],
                body,
                now,
            );
        }
    }

    /// Expires what is due (the connector's sweeper).
    pub(crate) fn sweep(&self) {
        let now = self.clock.now();
        let mut data = self.lock();
        let data = &mut *data;
        for p in &mut data.payments {
            let state = p.state.state();
            let limit = if state == PaymentState::Capturable { CAPTURABLE_EXPIRY } else { EXPIRY };
            if state.cancellable() && now >= p.created_date + limit {
                self.apply(p, PaymentEvent::Expired, now);
            }
        }
        data.idempotency.retain(|_, v| now < v.at + IDEMPOTENCY_TTL);
    }
}
