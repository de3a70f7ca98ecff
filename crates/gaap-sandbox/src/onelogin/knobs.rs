//! The simulator's error knobs: what the config file, `POST /config` and the sign-in page can make One Login get
//! wrong on purpose (the simulator's `IdTokenError`, `CoreIdentityError` and `AuthoriseError`).

use super::errors::OAuthError;
use gaap_http::OpenEnum;

gaap_http::open_enum! {
    /// A fault in the ID token (the simulator's `idTokenErrors`).
    ///
    /// A wrong `iss` or `aud`; an `HS256` header naming an unknown key; 32 random bytes for a signature;
    /// expired a day ago; issued a day ahead; a `nonce` or a `vot` other than the request's.
    pub(crate) enum IdTokenError {
        InvalidIss = "INVALID_ISS", InvalidAud = "INVALID_AUD", InvalidAlgHeader = "INVALID_ALG_HEADER",
        InvalidSignature = "INVALID_SIGNATURE", TokenExpired = "TOKEN_EXPIRED",
        TokenNotValidYet = "TOKEN_NOT_VALID_YET", NonceNotMatching = "NONCE_NOT_MATCHING",
        IncorrectVot = "INCORRECT_VOT",
    }
}

gaap_http::open_enum! {
    /// A fault in the core identity JWT (the simulator's `coreIdentityErrors`).
    ///
    /// An `HS256` header naming an unknown key; 32 random bytes for a signature; a wrong `iss`, `aud` or
    /// `sub`; expired a day ago.
    pub(crate) enum CoreIdentityError {
        InvalidAlgHeader = "INVALID_ALG_HEADER", InvalidSignature = "INVALID_SIGNATURE", InvalidIss = "INVALID_ISS",
        InvalidAud = "INVALID_AUD", IncorrectSub = "INCORRECT_SUB", TokenExpired = "TOKEN_EXPIRED",
    }
}

gaap_http::open_enum! {
    /// An error `/authorize` answers every request with (the simulator's `authoriseErrors`).
    pub(crate) enum AuthoriseError {
        AccessDenied = "ACCESS_DENIED", TemporarilyUnavailable = "TEMPORARILY_UNAVAILABLE",
    }
}

impl AuthoriseError {
    /// The error code and description of the redirect, the simulator's words.
    pub(crate) fn redirect(&self) -> (OAuthError, &'static str) {
        match self {
            Self::TemporarilyUnavailable => {
                (OAuthError::TemporarilyUnavailable, "Temporarily unavailable")
            }
            // Knob names are read with `known`, so `Unknown` never gets here; it would deny access.
            Self::AccessDenied | Self::Unknown(_) => (
                OAuthError::AccessDenied,
                "Access denied by resource owner or authorization server",
            ),
        }
    }
}

/// The error knobs in force.
#[derive(Debug, Clone, Default)]
pub(crate) struct Knobs {
    pub(crate) id_token_errors: Vec<IdTokenError>,
    pub(crate) core_identity_errors: Vec<CoreIdentityError>,
    pub(crate) authorise_error: Option<AuthoriseError>,
}

/// Reads knob names (the config file's, or the sign-in page's); the first unknown name, otherwise.
pub(crate) fn parse_all<T: OpenEnum>(names: &[String]) -> Result<Vec<T>, String> {
    names.iter().map(|n| T::known(n).ok_or_else(|| n.clone())).collect()
}

impl Knobs {
    /// The knobs of the config file; why one is not a knob the simulator knows, otherwise.
    pub(crate) fn from_config(cfg: &crate::config::OneLoginConfig) -> Result<Self, String> {
        let unknown = |what: &str, name: String, known: &[&str]| {
            format!("one_login.{what}: {name} is not one of {}", known.join(", "))
        };
        let authorise_error = match &cfg.authorise_error {
            None => None,
            Some(name) => Some(AuthoriseError::known(name).ok_or_else(|| {
                unknown("authorise_error", name.clone(), AuthoriseError::WIRE_VALUES)
            })?),
        };
        Ok(Self {
            id_token_errors: parse_all(&cfg.id_token_errors)
                .map_err(|n| unknown("id_token_errors", n, IdTokenError::WIRE_VALUES))?,
            core_identity_errors: parse_all(&cfg.core_identity_errors)
                .map_err(|n| unknown("core_identity_errors", n, CoreIdentityError::WIRE_VALUES))?,
            authorise_error,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knob_names_are_the_simulators() {
        assert_eq!(
            IdTokenError::known("TOKEN_NOT_VALID_YET"),
            Some(IdTokenError::TokenNotValidYet)
        );
        assert_eq!(
            CoreIdentityError::known("INCORRECT_SUB"),
            Some(CoreIdentityError::IncorrectSub)
        );
        assert_eq!(CoreIdentityError::known("INCORRECT_VOT"), None);
        assert_eq!(serde_json::to_value(AuthoriseError::AccessDenied).unwrap(), "ACCESS_DENIED");
        assert_eq!(IdTokenError::WIRE_VALUES.len(), 8);
        let cfg = crate::config::OneLoginConfig {
            id_token_errors: vec!["INVALID_AUD".to_owned(), "NOPE".to_owned()],
            ..Default::default()
        };
        let err = Knobs::from_config(&cfg).unwrap_err();
        assert!(err.contains("one_login.id_token_errors: NOPE is not one of INVALID_ISS"), "{err}");
    }
}
