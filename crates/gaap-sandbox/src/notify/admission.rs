//! Who may send to whom: API key and rate limit, smoke-test and simulated recipients, the team and guest
//! list.

use axum::http::HeaderMap;

use super::store::Outcome;
use super::{ApiError, KeyType, NotifyState, Result, rules};

/// Checks the rate limit (before the body is read, as Notify does) and the key.
pub(super) fn admit(state: &NotifyState, headers: &HeaderMap) -> Result<KeyType> {
    let key_type = state.authenticate(headers)?;
    let now = state.clock.now();
    let mut data = state.lock();
    if !state.take_token(&mut data, key_type, now) {
        return Err(ApiError::new(
            429,
            "RateLimitError",
            &format!(
                "Exceeded rate limit for key type {} of {} requests per 60 seconds",
                key_type.upper(),
                state.cfg.rate_limit_per_minute
            ),
        ));
    }
    Ok(key_type)
}

/// Smoke-test recipients: validated and answered, never stored (app/config.py `SIMULATED_*`).
pub(super) fn is_smoke_test(recipient: &str) -> bool {
    const NUMBERS: [&str; 3] = ["447700900000", "447700900111", "447700900222"];
    const EMAILS: [&str; 3] = [
        "simulate-delivered@notifications.service.gov.uk",
        "simulate-delivered-2@notifications.service.gov.uk",
        "simulate-delivered-3@notifications.service.gov.uk",
    ];
    NUMBERS.contains(&recipient) || EMAILS.contains(&recipient)
}

/// Test-key failure simulation, matched with `endswith` (app/celery/research_mode_tasks.py).
pub(super) fn simulated_outcome(key_type: KeyType, recipient: &str) -> Outcome {
    if key_type != KeyType::Test {
        return Outcome::Delivered;
    }
    if recipient.ends_with("7700900003") || recipient == "temp-fail@simulator.notify" {
        Outcome::TemporaryFailure
    } else if recipient.ends_with("7700900002") || recipient == "perm-fail@simulator.notify" {
        Outcome::PermanentFailure
    } else {
        Outcome::Delivered
    }
}

pub(super) fn team_allows(state: &NotifyState, recipient: &str) -> bool {
    state.cfg.team_recipients.iter().any(|allowed| {
        let normalised = rules::validate_phone(allowed)
            .map(|(n, _)| n)
            .or_else(|_| rules::validate_email(allowed))
            .unwrap_or_else(|_| allowed.to_lowercase());
        normalised == recipient
    })
}

pub(super) fn check_recipient_allowed(
    state: &NotifyState,
    key_type: KeyType,
    recipient: &str,
) -> Result<()> {
    if is_smoke_test(recipient) || key_type == KeyType::Test {
        return Ok(());
    }
    if key_type == KeyType::Team && !team_allows(state, recipient) {
        return Err(ApiError::bad_request(
            "Can’t send to this recipient using a team-only API key",
        ));
    }
    if key_type == KeyType::Normal && state.cfg.trial_mode && !team_allows(state, recipient) {
        return Err(ApiError::bad_request(
            "Can’t send to this recipient when service is in trial mode – see https://www.notifications.service.gov.uk/trial-mode",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_key_simulation_matches_the_docs() {
        assert_eq!(simulated_outcome(KeyType::Test, "447700900003"), Outcome::TemporaryFailure);
        assert_eq!(
            simulated_outcome(KeyType::Test, "perm-fail@simulator.notify"),
            Outcome::PermanentFailure
        );
        assert_eq!(simulated_outcome(KeyType::Normal, "447700900003"), Outcome::Delivered);
        assert!(is_smoke_test("simulate-delivered-2@notifications.service.gov.uk"));
    }
}
