//! The state machine: statuses and transitions follow `alphagov/pay-connector` `ExternalChargeState.java` and
//! `PaymentGatewayStateTransitions.java` (projected onto external statuses).

use std::collections::HashSet;

use gaap_pay::rules::state::{CaptureOutcome, FailureReason, IllegalTransition};
use gaap_pay::types::State;
use gaap_pay::{PaymentEvent, PaymentState, Transition};
use proptest::prelude::*;

fn event() -> impl Strategy<Value = PaymentEvent> {
    proptest::sample::select(PaymentEvent::ALL.to_vec())
}

/// The legal edges written out independently of the crate's table, from the reference's transition list.
fn legal(from: PaymentState, to: PaymentState) -> bool {
    use FailureReason::*;
    use PaymentState::*;
    matches!(
        (from, to),
        (Created, Started | Failed(Rejected | Expired | CancelledByUser) | Cancelled)
            | (Started, Submitted | Failed(_) | Cancelled | Error)
            | (Submitted, Success | Capturable | Failed(Expired | CancelledByUser) | Cancelled)
            | (Capturable, Success | Cancelled | Failed(Expired))
    )
}

proptest! {
    #[test]
    fn no_event_sequence_reaches_an_illegal_state(events in proptest::collection::vec(event(), 0..40)) {
        let mut state = PaymentState::Created;
        let mut finished_at = None;
        for (i, e) in events.into_iter().enumerate() {
            match state.apply(e) {
                Ok(t) => {
                    prop_assert_eq!(t.from(), state);
                    prop_assert_eq!(t.event(), e);
                    prop_assert!(legal(state, t.to()), "{:?} -> {:?}", state, t.to());
                    prop_assert!(finished_at.is_none(), "moved after finishing");
                    state = t.to();
                    if state.finished() { finished_at = Some(i); }
                }
                Err(IllegalTransition { from, event }) => {
                    prop_assert_eq!(from, state);
                    prop_assert_eq!(event, e);
                }
            }
            // Derived fields stay consistent in every reachable state.
            prop_assert_eq!(state.code().is_some(), state.finished() && state != PaymentState::Success);
            prop_assert_eq!(state.code().is_some(), state.message().is_some());
            let wire = State::from(state);
            prop_assert_eq!(wire.model(), Some(state));
            prop_assert_eq!(wire.finished, state.finished());
        }
    }
}

#[test]
fn edge_table_matches_the_reference_exactly() {
    let mut reachable = HashSet::new();
    for t in Transition::ALL {
        assert!(legal(t.from(), t.to()), "{t:?}");
        reachable.insert((t.from(), t.to()));
        assert!(!t.from().finished(), "{t:?} leaves a finished state");
    }
    for from in PaymentState::ALL {
        for to in PaymentState::ALL {
            assert_eq!(legal(from, to), reachable.contains(&(from, to)), "{from:?} -> {to:?}");
        }
    }
    // One edge per (state, event): the machine is deterministic.
    let keys: HashSet<_> = Transition::ALL.iter().map(|t| (t.from(), t.event())).collect();
    assert_eq!(keys.len(), Transition::ALL.len());
}

#[test]
fn happy_paths() {
    use PaymentEvent::*;
    let run = |events: &[PaymentEvent]| {
        events.iter().try_fold(PaymentState::Created, |s, e| s.apply(*e).map(Transition::to))
    };
    assert_eq!(run(&[PayerStarted, Authorised, PayerConfirmed]), Ok(PaymentState::Success));
    assert_eq!(
        run(&[PayerStarted, Authorised, PayerConfirmedDelayedCapture, ServiceCaptured]),
        Ok(PaymentState::Success)
    );
    assert_eq!(run(&[PayerStarted, GatewayError]).map(PaymentState::code), Ok(Some("P0050")));
    assert_eq!(run(&[Expired]).map(PaymentState::code), Ok(Some("P0020")));
    assert!(run(&[Authorised]).is_err());
    assert!(run(&[PayerStarted, Authorised, PayerConfirmed, ServiceCaptured]).is_err());
    assert_eq!(PaymentState::Success.capture(), CaptureOutcome::AlreadyCaptured);
}
