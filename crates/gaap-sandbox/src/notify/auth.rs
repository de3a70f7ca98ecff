//! Notify's API-key JWT check, in the order of alphagov/notifications-api:app/authentication/auth.py, with its
//! exact messages (reference: notify.md §2).

use subtle::ConstantTimeEq as _;
use uuid::Uuid;

use super::{ApiError, KeyType};
use crate::jwt;

/// The link Notify's undecodable-token message points at.
const TOKEN_EXAMPLE: &str = "Invalid token: make sure your API token matches the example at \
https://docs.notifications.service.gov.uk/rest-api.html#authorisation-header";

/// A service's API key as the server stores it.
#[derive(Debug, Clone)]
pub(crate) struct StoredKey {
    pub(crate) key_type: KeyType,
    pub(crate) secret: Uuid,
    pub(crate) revoked: bool,
}

fn auth_error(status: u16, message: &str) -> ApiError {
    ApiError::new(status, "AuthError", message)
}

/// Checks the `Authorization` header and returns the matched key's type.
pub(crate) fn authenticate(
    header: Option<&str>,
    service_id: Uuid,
    keys: &[StoredKey],
    now_unix: i64,
) -> Result<KeyType, ApiError> {
    let header = header
        .filter(|h| !h.is_empty())
        .ok_or_else(|| auth_error(401, "Unauthorized: authentication token must be provided"))?;
    // `header[:7].title() == "Bearer "`: the scheme is case-insensitive.
    let scheme = header.get(..7).unwrap_or(header);
    if !scheme.eq_ignore_ascii_case("bearer ") {
        return Err(auth_error(401, "Unauthorized: authentication bearer scheme must be used"));
    }
    let token = header.get(7..).unwrap_or_default().trim();
    let parsed = jwt::parse(token).ok_or_else(|| auth_error(403, TOKEN_EXAMPLE))?;
    let issuer = match parsed.claims.get("iss") {
        Some(serde_json::Value::String(iss)) => iss.clone(),
        Some(_) => {
            return Err(auth_error(403, "Invalid token: service id is not the right data type"));
        }
        None => return Err(auth_error(403, "Invalid token: iss field not provided")),
    };
    let issuer = Uuid::parse_str(&issuer)
        .map_err(|_| auth_error(403, "Invalid token: service id is not the right data type"))?;
    if issuer != service_id {
        return Err(auth_error(403, "Invalid token: service not found"));
    }
    if keys.is_empty() {
        return Err(auth_error(403, "Invalid token: service has no API keys"));
    }
    if parsed.header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
        return Err(auth_error(403, "Invalid token: algorithm used is not HS256"));
    }
    for key in keys {
        let secret = key.secret.hyphenated().to_string();
        if jwt::verify_hs256(token, secret.as_bytes()).is_err() {
            continue;
        }
        // A missing `iat` ends as "API key not found" (the TODO quirk noted in auth.py).
        let Some(iat) = parsed.claims.get("iat").and_then(serde_json::Value::as_i64) else {
            return Err(auth_error(403, "Invalid token: API key not found"));
        };
        if now_unix > iat + 30 || iat > now_unix + 30 {
            return Err(auth_error(
                403,
                "Error: Your system clock must be accurate to within 30 seconds",
            ));
        }
        if key.revoked {
            return Err(auth_error(403, "Invalid token: API key revoked"));
        }
        return Ok(key.key_type);
    }
    Err(auth_error(403, "Invalid token: API key not found"))
}

/// Splits `{name}-{service_id}-{secret}` from the end, as the official clients do (`key[-73:-37]`, `key[-36:]`).
#[cfg(test)]
#[must_use]
pub(crate) fn split_key(key: &str) -> Option<(Uuid, Uuid)> {
    let len = key.len();
    let service = key.get(len.checked_sub(73)?..len - 37)?;
    let secret = key.get(len - 36..)?;
    Some((Uuid::parse_str(service).ok()?, Uuid::parse_str(secret).ok()?))
}

/// Constant-time equality of two secrets.
pub(crate) fn secrets_equal(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::b64;

    fn token(secret: &str, claims: &serde_json::Value, alg: &str) -> String {
        let input = format!(
            "{}.{}",
            b64(format!(r#"{{"typ":"JWT","alg":"{alg}"}}"#)),
            b64(claims.to_string())
        );
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
        format!("{input}.{}", b64(ring::hmac::sign(&key, input.as_bytes()).as_ref()))
    }

    fn keys(secret: Uuid) -> Vec<StoredKey> {
        vec![StoredKey { key_type: KeyType::Test, secret, revoked: false }]
    }

    #[test]
    fn splits_the_python_client_fixture() {
        // alphagov/notifications-python-client:tests/conftest.py.
        let (service, secret) = split_key(
            "key_name-c745a8d8-b48a-4b0d-96e5-dbea0165ebd1-8b3aa916-ec82-434e-b0c5-d5d9b371d6a3",
        )
        .unwrap();
        assert_eq!(service.to_string(), "c745a8d8-b48a-4b0d-96e5-dbea0165ebd1");
        assert_eq!(secret.to_string(), "8b3aa916-ec82-434e-b0c5-d5d9b371d6a3");
        assert!(split_key("short").is_none());
    }

    #[test]
    fn accepts_a_fresh_token_and_rejects_skew() {
        let (sid, secret) = (Uuid::new_v4(), Uuid::new_v4());
        let good =
            token(&secret.to_string(), &serde_json::json!({"iss": sid, "iat": 1000}), "HS256");
        let header = format!("bearer {good}");
        assert_eq!(authenticate(Some(&header), sid, &keys(secret), 1030).unwrap(), KeyType::Test);
        let err = authenticate(Some(&header), sid, &keys(secret), 1031).unwrap_err();
        assert_eq!(err.message(), "Error: Your system clock must be accurate to within 30 seconds");
        let err = authenticate(Some(&header), sid, &keys(secret), 969).unwrap_err();
        assert_eq!(err.status, 403);
    }

    #[test]
    fn reports_notifys_messages() {
        let (sid, secret) = (Uuid::new_v4(), Uuid::new_v4());
        let k = keys(secret);
        assert_eq!(authenticate(None, sid, &k, 0).unwrap_err().status, 401);
        assert_eq!(
            authenticate(Some("Basic abc"), sid, &k, 0).unwrap_err().message(),
            "Unauthorized: authentication bearer scheme must be used"
        );
        assert_eq!(
            authenticate(Some("Bearer nope"), sid, &k, 0).unwrap_err().message(),
            TOKEN_EXAMPLE
        );
        let no_iss = token(&secret.to_string(), &serde_json::json!({"iat": 0}), "HS256");
        assert_eq!(
            authenticate(Some(&format!("Bearer {no_iss}")), sid, &k, 0).unwrap_err().message(),
            "Invalid token: iss field not provided"
        );
        let other = token(
            &secret.to_string(),
            &serde_json::json!({"iss": Uuid::new_v4(), "iat": 0}),
            "HS256",
        );
        assert_eq!(
            authenticate(Some(&format!("Bearer {other}")), sid, &k, 0).unwrap_err().message(),
            "Invalid token: service not found"
        );
        let wrong = token("wrong", &serde_json::json!({"iss": sid, "iat": 0}), "HS256");
        assert_eq!(
            authenticate(Some(&format!("Bearer {wrong}")), sid, &k, 0).unwrap_err().message(),
            "Invalid token: API key not found"
        );
        let hs512 = token(&secret.to_string(), &serde_json::json!({"iss": sid, "iat": 0}), "HS512");
        assert_eq!(
            authenticate(Some(&format!("Bearer {hs512}")), sid, &k, 0).unwrap_err().message(),
            "Invalid token: algorithm used is not HS256"
        );
    }
}
