//! The resources Pay answers with: payments (with their links and next_url tokens), refunds and agreements.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use gaap_pay::rules::refund::{RefundEntry, refund_summary};
use gaap_pay::types::{
    Agreement as AgreementResource, AgreementPaymentType, AuthorisationMode, CardDetails, Language,
    Link, Payment as PaymentResource, PaymentInstrument, PaymentLinks, Refund as RefundResource,
    RefundStatus, SettlementSummary, State,
};
use gaap_pay::{Money, PaymentState};
use serde_json::{Map, Value};

use super::store::{Agreement, PayData, Payment, Refund};
use super::{PayError, PayState, Result, pay_time, to_millis};

/// A refund resource; `with_payment_id` on search results.
pub(super) fn refund_json(
    state: &PayState,
    payment_id: &str,
    r: &Refund,
    with_payment_id: bool,
) -> RefundResource {
    RefundResource {
        refund_id: r.refund_id.clone(),
        created_date: to_millis(r.created_date),
        amount: Money::from_pence(r.amount),
        status: r.status.clone(),
        payment_id: with_payment_id.then(|| payment_id.to_owned()),
        settlement_summary: Some(SettlementSummary::default()),
        links: Some(state.link_map(&[
            ("self", &format!("/v1/payments/{payment_id}/refunds/{}", r.refund_id)),
            ("payment", &format!("/v1/payments/{payment_id}")),
        ])),
    }
}

/// An agreement resource, with its saved card once a payment has set it up.
pub(super) fn agreement_json(a: &Agreement) -> AgreementResource {
    AgreementResource {
        agreement_id: a.agreement_id.clone(),
        reference: a.reference.clone(),
        description: a.description.clone(),
        status: a.status.clone(),
        user_identifier: a.user_identifier.clone(),
        created_date: to_millis(a.created_date),
        cancelled_date: a.cancelled_date.map(to_millis),
        payment_instrument: a.card.as_ref().map(|card| PaymentInstrument {
            instrument_type: "card".to_owned(),
            card_details: Some(card.clone()),
            created_date: Some(pay_time(a.created_date)),
        }),
    }
}

impl PayState {
    /// Named GET links, for the resources whose `_links` gaap-pay keeps as a JSON object.
    pub(super) fn link_map(&self, links: &[(&str, &str)]) -> Map<String, Value> {
        links
            .iter()
            .map(|(name, path)| {
                let link = self.get_link(path);
                let mut object = Map::new();
                object.insert("href".to_owned(), Value::String(link.href));
                object.insert("method".to_owned(), Value::String(link.method));
                ((*name).to_owned(), Value::Object(object))
            })
            .collect()
    }

    /// A GET link to `path` under the sandbox's base URL.
    pub(super) fn get_link(&self, path: &str) -> Link {
        Link::get(format!("{}{path}", self.base_url))
    }

    /// A POST link with its body's content type and parameters, as Pay writes `next_url_post`, `cancel`,
    /// `capture` and `auth_url_post`.
    fn post_link(&self, path: &str, content_type: &str, params: &[(&str, &str)]) -> Link {
        let mut link = Link::post(format!("{}{path}", self.base_url));
        link.content_type = Some(content_type.to_owned());
        link.params = Some(
            params.iter().map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned()))).collect(),
        );
        link
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

    /// A payment's `_links`; `token` is a fresh next_url token when one applies.
    fn payment_links(&self, p: &Payment, token: Option<&str>) -> PaymentLinks {
        let state = p.state.state();
        let id = &p.payment_id;
        let mut links = PaymentLinks {
            self_link: Some(self.get_link(&format!("/v1/payments/{id}"))),
            events: Some(self.get_link(&format!("/v1/payments/{id}/events"))),
            refunds: Some(self.get_link(&format!("/v1/payments/{id}/refunds"))),
            ..PaymentLinks::default()
        };
        if let Some(token) = token {
            links.next_url = Some(self.get_link(&format!("/secure/{token}")));
            links.next_url_post = Some(self.post_link(
                "/secure",
                "application/x-www-form-urlencoded",
                &[("chargeTokenId", token)],
            ));
        }
        if !state.finished() && p.mode() != AuthorisationMode::Agreement {
            links.cancel = Some(self.post_link(&format!("/v1/payments/{id}/cancel"), "", &[]));
        }
        if let Some(token) = &p.one_time_token
            && !p.one_time_token_used
            && state == PaymentState::Created
        {
            links.auth_url_post =
                Some(self.post_link("/v1/auth", "application/json", &[("one_time_token", token)]));
        }
        if state == PaymentState::Capturable {
            links.capture = Some(self.post_link(&format!("/v1/payments/{id}/capture"), "", &[]));
        }
        links
    }

    /// The payment resource, as gaap-pay reads it; `token` is a fresh next_url token when one applies.
    pub(super) fn payment_resource(&self, p: &Payment, token: Option<&str>) -> PaymentResource {
        let state = p.state.state();
        let text = |key: &str| p.field(key).and_then(Value::as_str).map(str::to_owned);
        let card: Option<CardDetails> = p.card.clone();
        PaymentResource {
            payment_id: p.payment_id.clone(),
            amount: Money::from_pence(p.amount),
            description: text("description").unwrap_or_default(),
            reference: text("reference").unwrap_or_default(),
            state: State::from(state),
            created_date: to_millis(p.created_date),
            language: Some(text("language").map_or(Language::English, |l| Language::parse(&l))),
            email: text("email"),
            return_url: text("return_url"),
            payment_provider: Some("sandbox".to_owned()),
            provider_id: (p.card.is_some() || state != PaymentState::Created)
                .then(|| p.provider_id.clone()),
            delayed_capture: Some(p.delayed_capture()),
            moto: Some(p.field("moto").and_then(Value::as_bool).unwrap_or(false)),
            metadata: p.field("metadata").and_then(|m| serde_json::from_value(m.clone()).ok()),
            refund_summary: Some(Self::summary(p)),
            settlement_summary: Some(SettlementSummary {
                capture_submit_time: p.captured_at.map(pay_time),
                captured_date: p.captured_at.map(|at| at.date().to_string()),
                settled_date: None,
            }),
            card_brand: card.as_ref().and_then(|c| c.card_brand.clone()),
            card_details: card,
            fee: None,
            net_amount: None,
            corporate_card_surcharge: None,
            total_amount: None,
            authorisation_mode: Some(p.mode()),
            agreement_id: text("set_up_agreement").or_else(|| text("agreement_id")),
            agreement_payment_type: text("agreement_payment_type")
                .map(|t| AgreementPaymentType::parse(&t)),
            links: Some(self.payment_links(p, token)),
        }
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
        let p =
            data.payment(id).cloned().ok_or_else(|| PayError::new(404, "P0200", "Not found"))?;
        let token = Self::mint_token(data, &p);
        let body = self.payment_resource(&p, token.as_deref());
        let mut response = (status, axum::Json(body)).into_response();
        if status == StatusCode::CREATED
            && let Ok(location) = format!("{}/v1/payments/{id}", self.base_url).parse()
        {
            response.headers_mut().insert(header::LOCATION, location);
        }
        Ok(response)
    }
}
