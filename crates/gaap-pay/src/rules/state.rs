//! The payment state machine as data: Pay's eight external statuses, the codes P0010–P0050 with Pay's
//! exact messages, and the legal transitions between them.
//!
//! Source: `alphagov/pay-connector` `ExternalChargeState.java` (statuses, codes, messages) and
//! `PaymentGatewayStateTransitions.java` projected onto external statuses. A [`PaymentState`] cannot hold an
//! impossible combination (a `failed` payment always has one of P0010/P0020/P0030; `cancelled` is always P0040,
//! `error` always P0050), and a [`Transition`] exists only for a legal edge, so an illegal transition cannot be
//! represented: [`PaymentState::apply`] is the only way to move and it refuses anything else.

use std::fmt;

/// Why a payment ended in `failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureReason {
    /// P0010: the card or payment method was rejected (declined, 3DS failed, aborted).
    Rejected,
    /// P0020: the payment expired (90 minutes, or 5 days when `capturable`).
    Expired,
    /// P0030: the payer pressed Cancel.
    CancelledByUser,
}

/// A payment's position in Pay's external lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentState {
    /// Created; the payer has not visited `next_url` yet.
    Created,
    /// The payer is on the card details page (also during 3DS).
    Started,
    /// The payment provider authorised; waiting for the payer to confirm.
    Submitted,
    /// Delayed capture: confirmed by the payer, waiting for the service to capture.
    Capturable,
    /// Confirmed; capture queued or done. Finished.
    Success,
    /// Failed, with its reason. Finished.
    Failed(FailureReason),
    /// Cancelled by the service (P0040). Finished.
    Cancelled,
    /// The payment provider returned an error (P0050); no money was taken. Finished.
    Error,
}

/// Something that happens to a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentEvent {
    /// The payer opened `next_url` (or MOTO/agreement authorisation began).
    PayerStarted,
    /// The payment provider authorised the card.
    Authorised,
    /// The payment provider rejected the card (P0010).
    Rejected,
    /// The payment expired (P0020).
    Expired,
    /// The payer cancelled (P0030).
    CancelledByUser,
    /// The service cancelled through `POST /v1/payments/{id}/cancel` or the admin tool (P0040).
    CancelledByService,
    /// The payment provider returned an error or timed out (P0050).
    GatewayError,
    /// The payer confirmed an immediately captured payment.
    PayerConfirmed,
    /// The payer confirmed a delayed-capture payment.
    PayerConfirmedDelayedCapture,
    /// The service captured a delayed-capture payment (`POST /v1/payments/{id}/capture`).
    ServiceCaptured,
}

impl PaymentEvent {
    /// Every event, for exhaustive tests.
    pub const ALL: [Self; 10] = [
        Self::PayerStarted,
        Self::Authorised,
        Self::Rejected,
        Self::Expired,
        Self::CancelledByUser,
        Self::CancelledByService,
        Self::GatewayError,
        Self::PayerConfirmed,
        Self::PayerConfirmedDelayedCapture,
        Self::ServiceCaptured,
    ];
}

impl PaymentState {
    /// Every state, for exhaustive tests.
    pub const ALL: [Self; 10] = [
        Self::Created,
        Self::Started,
        Self::Submitted,
        Self::Capturable,
        Self::Success,
        Self::Failed(FailureReason::Rejected),
        Self::Failed(FailureReason::Expired),
        Self::Failed(FailureReason::CancelledByUser),
        Self::Cancelled,
        Self::Error,
    ];

    /// The external status string: one of `created`, `started`, `submitted`, `capturable`, `success`,
    /// `failed`, `cancelled`, `error`.
    #[must_use]
    pub const fn status(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Started => "started",
            Self::Submitted => "submitted",
            Self::Capturable => "capturable",
            Self::Success => "success",
            Self::Failed(_) => "failed",
            Self::Cancelled => "cancelled",
            Self::Error => "error",
        }
    }

    /// `state.finished`, derived from the status: true for success, failed, cancelled and error.
    #[must_use]
    pub const fn finished(self) -> bool {
        matches!(self, Self::Success | Self::Failed(_) | Self::Cancelled | Self::Error)
    }

    /// `state.code`: P0010–P0050 for failures, `None` otherwise.
    #[must_use]
    pub const fn code(self) -> Option<&'static str> {
        match self {
            Self::Failed(FailureReason::Rejected) => Some("P0010"),
            Self::Failed(FailureReason::Expired) => Some("P0020"),
            Self::Failed(FailureReason::CancelledByUser) => Some("P0030"),
            Self::Cancelled => Some("P0040"),
            Self::Error => Some("P0050"),
            _ => None,
        }
    }

    /// `state.message`, Pay's exact wording, for failures.
    #[must_use]
    pub const fn message(self) -> Option<&'static str> {
        match self {
            Self::Failed(FailureReason::Rejected) => Some("Payment method rejected"),
            Self::Failed(FailureReason::Expired) => Some("Payment expired"),
            Self::Failed(FailureReason::CancelledByUser) => {
                Some("Payment was cancelled by the user")
            }
            Self::Cancelled => Some("Payment was cancelled by the service"),
            Self::Error => Some("Payment provider returned an error"),
            _ => None,
        }
    }

    /// Reads a wire `state` back into the model; `None` for an unknown status or an impossible code.
    ///
    /// Webhook payloads may carry the ledger's v2 vocabulary (`declined`, `timedout`); they are mapped by code.
    #[must_use]
    pub fn from_wire(status: &str, code: Option<&str>) -> Option<Self> {
        let state = match (status, code) {
            ("created", None) => Self::Created,
            ("started", None) => Self::Started,
            ("submitted", None) => Self::Submitted,
            ("capturable", None) => Self::Capturable,
            ("success", None) => Self::Success,
            ("failed" | "declined", Some("P0010")) => Self::Failed(FailureReason::Rejected),
            ("failed" | "timedout", Some("P0020")) => Self::Failed(FailureReason::Expired),
            ("failed" | "cancelled", Some("P0030")) => Self::Failed(FailureReason::CancelledByUser),
            ("cancelled", Some("P0040")) => Self::Cancelled,
            ("error", Some("P0050")) => Self::Error,
            _ => return None,
        };
        Some(state)
    }

    /// Whether `POST /v1/payments/{id}/cancel` can succeed (204): any unfinished payment.
    /// Otherwise Pay answers 400 P0501 "Cancellation of payment failed".
    #[must_use]
    pub const fn cancellable(self) -> bool {
        !self.finished()
    }

    /// What `POST /v1/payments/{id}/capture` does in this state.
    #[must_use]
    pub const fn capture(self) -> CaptureOutcome {
        match self {
            Self::Capturable => CaptureOutcome::Captures,
            // Capture is idempotent: a payment already approved for capture answers 204 again.
            Self::Success => CaptureOutcome::AlreadyCaptured,
            _ => CaptureOutcome::NotCapturable,
        }
    }

    /// The transition `event` causes from this state, or [`IllegalTransition`].
    pub fn apply(self, event: PaymentEvent) -> Result<Transition, IllegalTransition> {
        Transition::ALL
            .iter()
            .copied()
            .find(|t| t.from() == self && t.event() == event)
            .ok_or(IllegalTransition { from: self, event })
    }
}

impl fmt::Display for PaymentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code() {
            Some(code) => write!(f, "{} ({code})", self.status()),
            None => f.write_str(self.status()),
        }
    }
}

/// The result of a capture request in a given state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureOutcome {
    /// 204: the payment moves from `capturable` to `success`.
    Captures,
    /// 204: already captured or queued for capture; nothing changes.
    AlreadyCaptured,
    /// 409 P1003 "Payment cannot be captured".
    NotCapturable,
}

/// An event that has no legal edge from the current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("illegal payment transition: {event:?} from {from}")]
pub struct IllegalTransition {
    /// The state the payment was in.
    pub from: PaymentState,
    /// The event that was refused.
    pub event: PaymentEvent,
}

macro_rules! transitions {
    ($($name:ident: $from:expr, $event:ident => $to:expr;)*) => {
        /// A legal edge of the payment state machine. Only legal edges have a variant.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Transition {
            $(
                #[doc = concat!("`", stringify!($from), "` on `", stringify!($event), "` to `", stringify!($to), "`.")]
                $name,
            )*
        }

        impl Transition {
            /// Every legal edge.
            pub const ALL: &'static [Self] = &[$(Self::$name,)*];

            /// The state the edge leaves.
            #[must_use]
            pub const fn from(self) -> PaymentState {
                match self { $(Self::$name => $from,)* }
            }

            /// The event that drives the edge.
            #[must_use]
            pub const fn event(self) -> PaymentEvent {
                match self { $(Self::$name => PaymentEvent::$event,)* }
            }

            /// The state the edge reaches.
            #[must_use]
            pub const fn to(self) -> PaymentState {
                match self { $(Self::$name => $to,)* }
            }
        }
    };
}

pub use edges::Transition;

mod edges {
    use super::{FailureReason, PaymentEvent, PaymentState};
    use FailureReason::{CancelledByUser as ByUser, Expired as Exp, Rejected as Rej};
    use PaymentState::{
        Cancelled, Capturable, Created, Error as Err, Failed, Started, Submitted, Success,
    };

    transitions! {
        CreatedStart: Created, PayerStarted => Started;
        CreatedReject: Created, Rejected => Failed(Rej);
        CreatedExpire: Created, Expired => Failed(Exp);
        CreatedUserCancel: Created, CancelledByUser => Failed(ByUser);
        CreatedServiceCancel: Created, CancelledByService => Cancelled;
        StartedAuthorise: Started, Authorised => Submitted;
        StartedReject: Started, Rejected => Failed(Rej);
        StartedExpire: Started, Expired => Failed(Exp);
        StartedUserCancel: Started, CancelledByUser => Failed(ByUser);
        StartedServiceCancel: Started, CancelledByService => Cancelled;
        StartedGatewayError: Started, GatewayError => Err;
        SubmittedConfirm: Submitted, PayerConfirmed => Success;
        SubmittedConfirmDelayed: Submitted, PayerConfirmedDelayedCapture => Capturable;
        SubmittedExpire: Submitted, Expired => Failed(Exp);
        SubmittedUserCancel: Submitted, CancelledByUser => Failed(ByUser);
        SubmittedServiceCancel: Submitted, CancelledByService => Cancelled;
        CapturableCapture: Capturable, ServiceCaptured => Success;
        CapturableServiceCancel: Capturable, CancelledByService => Cancelled;
        CapturableExpire: Capturable, Expired => Failed(Exp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_pays_exact_strings() {
        let table: Vec<_> = PaymentState::ALL
            .iter()
            .map(|s| (s.status(), s.finished(), s.code(), s.message()))
            .collect();
        assert_eq!(
            table,
            [
                ("created", false, None, None),
                ("started", false, None, None),
                ("submitted", false, None, None),
                ("capturable", false, None, None),
                ("success", true, None, None),
                ("failed", true, Some("P0010"), Some("Payment method rejected")),
                ("failed", true, Some("P0020"), Some("Payment expired")),
                ("failed", true, Some("P0030"), Some("Payment was cancelled by the user")),
                ("cancelled", true, Some("P0040"), Some("Payment was cancelled by the service")),
                ("error", true, Some("P0050"), Some("Payment provider returned an error")),
            ]
        );
    }

    #[test]
    fn wire_round_trip() {
        for s in PaymentState::ALL {
            assert_eq!(PaymentState::from_wire(s.status(), s.code()), Some(s));
        }
        assert_eq!(PaymentState::from_wire("failed", Some("P0040")), None);
        assert_eq!(PaymentState::from_wire("success", Some("P0010")), None);
        assert_eq!(
            PaymentState::from_wire("declined", Some("P0010")),
            Some(PaymentState::Failed(FailureReason::Rejected))
        );
    }

    #[test]
    fn terminal_states_have_no_edges() {
        for s in PaymentState::ALL.into_iter().filter(|s| s.finished()) {
            for e in PaymentEvent::ALL {
                assert_eq!(s.apply(e), Err(IllegalTransition { from: s, event: e }));
            }
        }
    }

    #[test]
    fn capture_and_cancel_rules() {
        assert_eq!(PaymentState::Capturable.capture(), CaptureOutcome::Captures);
        assert_eq!(PaymentState::Success.capture(), CaptureOutcome::AlreadyCaptured);
        assert_eq!(PaymentState::Created.capture(), CaptureOutcome::NotCapturable);
        assert!(PaymentState::Submitted.cancellable());
        assert!(!PaymentState::Cancelled.cancellable());
        let t = PaymentState::Capturable.apply(PaymentEvent::ServiceCaptured);
        assert_eq!(t.map(Transition::to), Ok(PaymentState::Success));
    }
}
