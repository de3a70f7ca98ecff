//! The resources Pay answers with: payments (with their links and next_url tokens), refunds and agreements.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use gaap_pay::rules::refund::{RefundEntry, refund_summary};
use gaap_pay::types::{AuthorisationMode, RefundStatus};
use gaap_pay::{Money, PaymentState};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::store::{Agreement, PayData, Payment, Refund};
use super::{PayError, PayState, Result, pay_time};

pub(super) fn refund_json(
    state: &PayState,
    payment_id: &str,
    r: &Refund,
    with_payment_id: bool,
) -> Value {
    let mut out = json!({
        "refund_id": r.refund_id, "created_date": pay_time(r.created_date), "amount": r.amount,
        "status": r.status, "settlement_summary": {},
        "_links": {"self": state.link(&format!("/v1/payments/{payment_id}/refunds/{}", r.refund_id), "GET"),
                   "payment": state.link(&format!("/v1/payments/{payment_id}"), "GET")},
    });
    if with_payment_id && let Some(obj) = out.as_object_mut() {
        obj.insert("payment_id".to_owned(), json!(payment_id));
    }
    out
}

pub(super) fn agreement_json(a: &Agreement) -> Value {
    let mut out = json!({
        "agreement_id": a.agreement_id, "reference": a.reference, "description": a.description,
        "status": a.status, "created_date": pay_time(a.created_date),
    });
    if let Some(obj) = out.as_object_mut() {
        if let Some(u) = &a.user_identifier {
            obj.insert("user_identifier".to_owned(), json!(u));
        }
        if let Some(c) = a.cancelled_date {
            obj.insert("cancelled_date".to_owned(), json!(pay_time(c)));
        }
        if let Some(card) = &a.card {
            obj.insert(
                "payment_instrument".to_owned(),
                json!({"type": "card", "card_details": card, "created_date": pay_time(a.created_date)}),
            );
        }
    }
    out
}

impl PayState {
    pub(super) fn link(&self, path: &str, method: &str) -> Value {
        json!({"href": format!("{}{path}", self.base_url), "method": method})
    }

    pub(super) fn refund_entries(p: &Payment) -> Vec<RefundEntry> {
        p.refunds
            .iter()
            .map(|r| RefundEntry {
                amount: Money::from_pence(r.amount),
                status: if r.status == RefundStatus::Success {
                    RefundStatus::Success
                } else {
                    RefundStatus::Submitted
                },
            })
            .collect()
    }

    pub(super) fn summary(p: &Payment) -> gaap_pay::types::RefundSummary {
        refund_summary(
            p.state.state(),
            p.captured_at.is_some(),
            Money::from_pence(p.amount),
            &Self::refund_entries(p),
        )
    }

    /// The payment resource; `token` is a fresh next_url token when one applies.
    pub(super) fn payment_json(
        &self,
        p: &Payment,
        token: Option<&str>,
        now: OffsetDateTime,
    ) -> Value {
        let state = p.state.state();
        let mut st = json!({"status": state.status(), "finished": state.finished()});
        if let (Some(code), Some(message), Some(obj)) =
            (state.code(), state.message(), st.as_object_mut())
        {
            obj.insert("code".to_owned(), json!(code));
            obj.insert("message".to_owned(), json!(message));
        }
        let summary = Self::summary(p);
        let id = &p.payment_id;
        let mut links = json!({
            "self": self.link(&format!("/v1/payments/{id}"), "GET"),
            "events": self.link(&format!("/v1/payments/{id}/events"), "GET"),
            "refunds": self.link(&format!("/v1/payments/{id}/refunds"), "GET"),
        });
        if let Some(links) = links.as_object_mut() {
            if let Some(token) = token {
                links.insert("next_url".to_owned(), self.link(&format!("/secure/{token}"), "GET"));
                links.insert(
                    "next_url_post".to_owned(),
                    json!({"type": "application/x-www-form-urlencoded", "params": {"chargeTokenId": token},
                           "href": format!("{}/secure", self.base_url), "method": "POST"}),
                );
            }
            if !state.finished() && p.mode() != AuthorisationMode::Agreement {
                links.insert(
                    "cancel".to_owned(),
                    json!({"href": format!("{}/v1/payments/{id}/cancel", self.base_url), "method": "POST",
                           "type": "", "params": {}}),
                );
            }
            if let Some(token) = &p.one_time_token
                && !p.one_time_token_used
                && state == PaymentState::Created
            {
                links.insert(
                    "auth_url_post".to_owned(),
                    json!({"type": "application/json", "params": {"one_time_token": token},
                           "href": format!("{}/v1/auth", self.base_url), "method": "POST"}),
                );
            }
            if state == PaymentState::Capturable {
                links.insert(
                    "capture".to_owned(),
                    json!({"href": format!("{}/v1/payments/{id}/capture", self.base_url), "method": "POST",
                           "type": "", "params": {}}),
                );
            }
        }
        let mut settlement = json!({});
        if let (Some(at), Some(obj)) = (p.captured_at, settlement.as_object_mut()) {
            obj.insert("capture_submit_time".to_owned(), json!(pay_time(at)));
            obj.insert("captured_date".to_owned(), json!(at.date().to_string()));
        }
        let mut out = json!({
            "amount": p.amount,
            "description": p.field("description"),
            "reference": p.field("reference"),
            "language": p.field("language").cloned().unwrap_or(json!("en")),
            "state": st,
            "payment_id": id,
            "payment_provider": "sandbox",
            "created_date": pay_time(p.created_date),
            "refund_summary": {"status": summary.status.as_str(), "amount_available": summary.amount_available.pence(),
                               "amount_submitted": summary.amount_submitted.pence()},
            "settlement_summary": settlement,
            "delayed_capture": p.delayed_capture(),
            "moto": p.field("moto").and_then(Value::as_bool).unwrap_or(false),
            "authorisation_mode": p.mode().as_str(),
            "_links": links,
        });
        if let Some(obj) = out.as_object_mut() {
            for key in ["email", "return_url", "metadata", "agreement_id", "agreement_payment_type"]
            {
                if let Some(v) = p.field(key) {
                    obj.insert(key.to_owned(), v.clone());
                }
            }
            if let Some(v) = p.field("set_up_agreement") {
                obj.insert("agreement_id".to_owned(), v.clone());
            }
            if p.card.is_some() || state != PaymentState::Created {
                obj.insert("provider_id".to_owned(), json!(p.provider_id));
            }
            if let Some(card) = &p.card {
                obj.insert("card_details".to_owned(), card.clone());
                obj.insert("card_brand".to_owned(), card["card_brand"].clone());
            }
            if state.finished() || now < p.created_date {
                // nothing else to add
            }
        }
        out
    }

    /// A fresh single-use next_url token when the payment may still be paid through the web.
    pub(super) fn mint_token(data: &mut PayData, p: &Payment) -> Option<String> {
        let state = p.state.state();
        if state.finished()
            || state == PaymentState::Capturable
            || p.mode() != AuthorisationMode::Web
        {
            return None;
        }
        let token = uuid::Uuid::new_v4().to_string();
        data.tokens.insert(token.clone(), p.payment_id.clone());
        Some(token)
    }

    pub(super) fn payment_response(
        &self,
        data: &mut PayData,
        id: &str,
        status: StatusCode,
    ) -> Result<Response> {
        let now = self.clock.now();
        let p =
            data.payment(id).cloned().ok_or_else(|| PayError::new(404, "P0200", "Not found"))?;
        let token = Self::mint_token(data, &p);
        let body = self.payment_json(&p, token.as_deref(), now);
        let mut response = (status, axum::Json(body)).into_response();
        if status == StatusCode::CREATED
            && let Ok(location) = format!("{}/v1/payments/{id}", self.base_url).parse()
        {
            response.headers_mut().insert(header::LOCATION, location);
        }
        Ok(response)
    }
}
