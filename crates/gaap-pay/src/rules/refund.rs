//! Refund availability and the `refund_amount_available` check, as Pay's connector computes them.
//!
//! Sources: `alphagov/pay-connector` `DefaultExternalRefundAvailabilityCalculator.java`, `RefundCalculator.java`
//! and `RefundService.java` (check order and messages).

use crate::Money;
use crate::rules::state::PaymentState;
use crate::types::{RefundAvailability, RefundStatus, RefundSummary};

/// A refund already made against a payment, as far as availability is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundEntry {
    /// The refund amount.
    pub amount: Money,
    /// Its status; `submitted` and `success` count against what is left.
    pub status: RefundStatus,
}

/// Computes `refund_summary` for a payment.
///
/// `capture_confirmed` is whether the payment provider has confirmed capture (internal `CAPTURED`): a `success`
/// payment whose capture is still in flight is `pending`. Refunds are `available` (something left) or `full`
/// only once captured; unfinished payments are `pending`; failed, cancelled and error are `unavailable`.
#[must_use]
pub fn refund_summary(
    state: PaymentState,
    capture_confirmed: bool,
    total_amount: Money,
    refunds: &[RefundEntry],
) -> RefundSummary {
    let submitted = refunds
        .iter()
        .filter(|r| matches!(r.status, RefundStatus::Submitted | RefundStatus::Success))
        .fold(Money::ZERO, |acc, r| acc.checked_add(r.amount).unwrap_or(acc));
    let left = total_amount.checked_sub(submitted).unwrap_or(Money::ZERO);
    let status = match state {
        PaymentState::Success if capture_confirmed => {
            if left.pence() > 0 {
                RefundAvailability::Available
            } else {
                RefundAvailability::Full
            }
        }
        PaymentState::Created
        | PaymentState::Started
        | PaymentState::Submitted
        | PaymentState::Capturable
        | PaymentState::Success => RefundAvailability::Pending,
        PaymentState::Failed(_) | PaymentState::Cancelled | PaymentState::Error => {
            RefundAvailability::Unavailable
        }
    };
    let amount_available = if status == RefundAvailability::Available { left } else { Money::ZERO };
    RefundSummary { status, amount_available, amount_submitted: submitted }
}

/// Why Pay refuses a refund, with the status, code and description it answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RefundRefusal {
    /// 400 P0603: the payment is not refundable now (`pending`, `full` or `unavailable`).
    #[error("The payment is not available for refund. Payment refund status: {0}")]
    NotAvailable(String),
    /// 400 P0603: the payment is disputed.
    #[error("The payment is disputed and cannot be refunded")]
    Disputed,
    /// 412 P0604: `refund_amount_available` differs from what is actually left. Someone else refunded first.
    #[error("Refund amount available mismatch.")]
    AmountAvailableMismatch {
        /// What the caller expected.
        expected: Money,
        /// What is actually left.
        actual: Money,
    },
    /// 400 P0603: the amount is more than what is left.
    #[error("The payment is not available for refund. Payment refund status: amount_not_available")]
    AmountNotAvailable,
}

impl RefundRefusal {
    /// The HTTP status Pay answers.
    #[must_use]
    pub const fn http_status(&self) -> u16 {
        match self {
            Self::AmountAvailableMismatch { .. } => 412,
            _ => 400,
        }
    }

    /// Pay's error code.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::AmountAvailableMismatch { .. } => "P0604",
            _ => "P0603",
        }
    }
}

/// Checks a refund request as the connector does, in its order: availability, then
/// `refund_amount_available` (if given), then the amount.
pub fn check_refund(
    summary: &RefundSummary,
    disputed: bool,
    amount: Money,
    refund_amount_available: Option<Money>,
) -> Result<(), RefundRefusal> {
    if summary.status != RefundAvailability::Available {
        return Err(RefundRefusal::NotAvailable(summary.status.as_str().to_owned()));
    }
    if disputed {
        return Err(RefundRefusal::Disputed);
    }
    if let Some(expected) = refund_amount_available
        && expected != summary.amount_available
    {
        return Err(RefundRefusal::AmountAvailableMismatch {
            expected,
            actual: summary.amount_available,
        });
    }
    if amount > summary.amount_available {
        return Err(RefundRefusal::AmountNotAvailable);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(p: i64, status: RefundStatus) -> RefundEntry {
        RefundEntry { amount: Money::from_pence(p), status }
    }

    #[test]
    fn availability_follows_connector() {
        let total = Money::from_pence(1000);
        let s = refund_summary(
            PaymentState::Success,
            true,
            total,
            &[entry(300, RefundStatus::Success)],
        );
        assert_eq!(s.status, RefundAvailability::Available);
        assert_eq!(s.amount_available.pence(), 700);
        assert_eq!(s.amount_submitted.pence(), 300);

        let errored = [entry(300, RefundStatus::Error), entry(1000, RefundStatus::Submitted)];
        let s = refund_summary(PaymentState::Success, true, total, &errored);
        assert_eq!((s.status, s.amount_submitted.pence()), (RefundAvailability::Full, 1000));

        let s = refund_summary(PaymentState::Success, false, total, &[]);
        assert_eq!(s.status, RefundAvailability::Pending);
        let s = refund_summary(PaymentState::Capturable, false, total, &[]);
        assert_eq!(s.status, RefundAvailability::Pending);
        let s = refund_summary(PaymentState::Cancelled, false, total, &[]);
        assert_eq!(s.status, RefundAvailability::Unavailable);
    }

    #[test]
    fn check_order_and_messages() {
        let total = Money::from_pence(1000);
        let s = refund_summary(
            PaymentState::Success,
            true,
            total,
            &[entry(400, RefundStatus::Success)],
        );
        assert_eq!(
            check_refund(&s, false, Money::from_pence(600), Some(Money::from_pence(600))),
            Ok(())
        );
        let stale = check_refund(&s, false, Money::from_pence(100), Some(Money::from_pence(1000)));
        let err = stale.err();
        assert_eq!(err.as_ref().map(RefundRefusal::http_status), Some(412));
        assert_eq!(err.as_ref().map(RefundRefusal::code), Some("P0604"));
        assert_eq!(
            err.map(|e| e.to_string()).as_deref(),
            Some("Refund amount available mismatch.")
        );
        let too_much = check_refund(&s, false, Money::from_pence(601), None).err();
        assert_eq!(
            too_much.map(|e| e.to_string()).as_deref(),
            Some(
                "The payment is not available for refund. Payment refund status: amount_not_available"
            )
        );
        let pending = refund_summary(PaymentState::Submitted, false, total, &[]);
        let err = check_refund(&pending, false, Money::from_pence(1), None).err();
        assert_eq!(
            err.map(|e| e.to_string()).as_deref(),
            Some("The payment is not available for refund. Payment refund status: pending")
        );
        assert_eq!(
            check_refund(&s, true, Money::from_pence(1), None),
            Err(RefundRefusal::Disputed)
        );
    }
}
