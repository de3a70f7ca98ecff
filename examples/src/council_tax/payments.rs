//! A payment's state moves only forward, along gaap-pay's state machine, whoever reports it (the return
//! page asking Pay, or a webhook) and in whatever order reports arrive. The receipt is sent once.

use gaap_pay::{PaymentState, Transition};

use super::App;
use crate::govuk;
use crate::store::{Records, StoreError};

/// How a state is written in the `pay_state` column: the status, then the code when there is one.
pub(crate) fn encode(state: PaymentState) -> String {
    match state.code() {
        Some(code) => format!("{} {code}", state.status()),
        None => state.status().to_owned(),
    }
}

/// [`encode`] backwards.
pub(crate) fn decode(stored: &str) -> Option<PaymentState> {
    match stored.split_once(' ') {
        Some((status, code)) => PaymentState::from_wire(status, Some(code)),
        None => PaymentState::from_wire(stored, None),
    }
}

/// Whether `to` can follow `from` through one or more legal transitions.
pub(crate) fn reachable(from: PaymentState, to: PaymentState) -> bool {
    let mut seen = vec![from];
    let mut next = 0;
    while let Some(&state) = seen.get(next) {
        next += 1;
        for edge in Transition::ALL.iter().filter(|t| t.from() == state) {
            if edge.to() == to {
                return true;
            }
            if !seen.contains(&edge.to()) {
                seen.push(edge.to());
            }
        }
    }
    false
}

/// What a report of a payment's state did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Advance {
    /// The payment moved to the reported state.
    Moved,
    /// The payment was already in it.
    Unchanged,
    /// The payment is past it (a late or out-of-order report); nothing changed.
    Refused {
        /// The state the payment stays in.
        current: PaymentState,
    },
    /// No such payment, or its stored state is unreadable.
    Unknown,
}

/// Moves the payment to `to` when that is forward from where it is. Two reports racing (on two replicas)
/// cannot both win: the update is conditional on the state read.
pub(crate) async fn advance(
    records: &Records,
    payment_id: &str,
    to: PaymentState,
) -> Result<Advance, StoreError> {
    for _ in 0..8 {
        let Some(stored) = records.pay_state(payment_id).await? else {
            return Ok(Advance::Unknown);
        };
        let Some(current) = decode(&stored) else { return Ok(Advance::Unknown) };
        if current == to {
            return Ok(Advance::Unchanged);
        }
        if !reachable(current, to) {
            return Ok(Advance::Refused { current });
        }
        let status = super::services::PaymentOutcome::of(to).status().to_owned();
        if records.advance_payment(payment_id, &stored, &encode(to), &status).await? {
            return Ok(Advance::Moved);
        }
    }
    Ok(Advance::Unknown)
}

/// The payment's state as stored.
pub(crate) async fn current(
    records: &Records,
    payment_id: &str,
) -> Result<Option<PaymentState>, StoreError> {
    Ok(records.pay_state(payment_id).await?.as_deref().and_then(decode))
}

/// Sends the receipt for a successful payment unless it was sent (or is being sent) already: one email per
/// payment, across reloads, webhooks and replicas. A failed send gives the claim back for a later try.
pub(crate) async fn send_receipt_once(app: &App, payment_id: &str) -> Result<(), String> {
    let records = &app.records;
    if !records.mark_receipt_sent(payment_id).await.map_err(|e| e.to_string())? {
        return Ok(());
    }
    let sent = async {
        let payment = records
            .payment(payment_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no payment {payment_id}"))?;
        let application = records
            .application(payment.application_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no application {}", payment.application_id))?;
        app.backends
            .send_receipt(
                &application.email,
                &payment.reference,
                &application.address,
                &govuk::pounds(application.amount_pence),
            )
            .await
            .map_err(|e| e.to_string())
    }
    .await;
    match sent {
        Ok(_) => Ok(()),
        Err(err) => {
            if let Err(release) = records.release_receipt(payment_id).await {
                super::log("cannot release a receipt claim", &release.to_string());
            }
            Err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gaap_pay::rules::state::FailureReason;

    #[test]
    fn states_round_trip_through_the_column() {
        for state in PaymentState::ALL {
            assert_eq!(decode(&encode(state)), Some(state), "{state:?}");
        }
        assert_eq!(decode("nonsense"), None);
    }

    #[test]
    fn only_forward_moves_are_reachable() {
        use PaymentState::*;
        assert!(reachable(Created, Started));
        assert!(reachable(Created, Success), "webhooks may skip states");
        assert!(reachable(Started, Failed(FailureReason::Rejected)));
        assert!(!reachable(Success, Started), "a late started never undoes success");
        assert!(!reachable(Success, Success));
        assert!(!reachable(Failed(FailureReason::Rejected), Success));
        assert!(!reachable(Submitted, Created));
        for finished in PaymentState::ALL.into_iter().filter(|s| s.finished()) {
            for to in PaymentState::ALL {
                assert!(!reachable(finished, to), "{finished:?} -> {to:?}");
            }
        }
    }
}
