//! The `claims` request parameter: only its `userinfo` member's names matter, each must be one of the identity
//! claims One Login knows and one the client is registered for, and a parameter that is not JSON is refused
//! (the simulator's `parse-auth-request.ts` and `claims-validator.ts`).

use gaap_identity::VocabClaim;
use serde_json::Value;

/// The claims One Login can release through userinfo (the simulator's `VALID_CLAIMS`, in its order).
pub(crate) const VALID_CLAIMS: [&str; 5] = [
    VocabClaim::Passport.url(),
    VocabClaim::Address.url(),
    VocabClaim::DrivingPermit.url(),
    VocabClaim::CoreIdentityJwt.url(),
    VocabClaim::ReturnCode.url(),
];

/// Why a `claims` parameter is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ClaimsProblem {
    /// Not JSON: `invalid_request`, "Invalid Request", without the state.
    Malformed,
    /// A claim One Login does not know, or the client is not registered for.
    NotAllowed(Vec<String>),
}

/// The requested userinfo claim names, or why the request is refused.
pub(crate) fn requested(
    raw: Option<&str>,
    allowed: &[String],
) -> Result<Vec<String>, ClaimsProblem> {
    let Some(raw) = raw else { return Ok(Vec::new()) };
    let parsed: Value = serde_json::from_str(raw).map_err(|_| ClaimsProblem::Malformed)?;
    let names: Vec<String> = parsed
        .get("userinfo")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let refused: Vec<String> = names
        .iter()
        .filter(|n| !VALID_CLAIMS.contains(&n.as_str()) || !allowed.iter().any(|a| a == *n))
        .cloned()
        .collect();
    if refused.is_empty() { Ok(names) } else { Err(ClaimsProblem::NotAllowed(refused)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_registered_claims_pass() {
        let allowed = vec![VALID_CLAIMS[1].to_owned(), "made-up".to_owned()];
        let ask = |c: &str| requested(Some(c), &allowed);
        assert_eq!(
            ask(&format!("{{\"userinfo\":{{\"{}\":null}}}}", VALID_CLAIMS[1])),
            Ok(vec![VALID_CLAIMS[1].to_owned()])
        );
        assert!(matches!(
            ask(&format!("{{\"userinfo\":{{\"{}\":null}}}}", VALID_CLAIMS[0])),
            Err(ClaimsProblem::NotAllowed(_))
        ));
        assert!(matches!(
            ask("{\"userinfo\":{\"made-up\":null}}"),
            Err(ClaimsProblem::NotAllowed(_))
        ));
        assert_eq!(ask("{\"userinfo\""), Err(ClaimsProblem::Malformed));
        assert_eq!(ask("{\"id_token\":{}}"), Ok(Vec::new()));
        assert_eq!(requested(None, &allowed), Ok(Vec::new()));
    }
}
