//! The One Login service's closed vocabularies (error codes, the simulator's error knobs, response modes):
//! each an enum declared with [`wire_enum!`], which names each wire string once.

/// An enum with a fixed set of wire strings.
pub(crate) trait Wire: Copy + Eq + 'static {
    /// Every value, in the order the simulator lists them.
    const ALL: &'static [Self];

    /// The wire string.
    fn as_str(self) -> &'static str;

    /// The value with this wire string (exact match).
    fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == text)
    }

    /// Every wire string, in order.
    fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|v| v.as_str()).collect()
    }
}

/// Declares a closed vocabulary, `Variant = "wire"` for each value: a `#[non_exhaustive]` enum whose variants
/// each name their wire string once, with [`Wire`] (and so `parse` and `names`) and `serde::Serialize` as that
/// string.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($variant:ident = $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        $vis enum $name { $($variant,)+ }

        impl $crate::onelogin::wire::Wire for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];

            fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $wire,)+ }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::onelogin::wire::Wire::as_str(*self))
            }
        }
    };
}
pub(crate) use wire_enum;

/// The one `response_type` One Login takes, and publishes.
pub(crate) const RESPONSE_TYPE_CODE: &str = "code";
/// The one `grant_type` `/token` takes, and publishes.
pub(crate) const GRANT_AUTHORIZATION_CODE: &str = "authorization_code";
/// The scope every authorisation request must carry.
pub(crate) const SCOPE_OPENID: &str = "openid";
/// The one PKCE `code_challenge_method` One Login takes, and publishes.
pub(crate) const PKCE_S256: &str = "S256";
/// The `client_assertion_type` of `private_key_jwt` (RFC 7523).
pub(crate) const JWT_BEARER_ASSERTION: &str =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// The `prompt` value One Login refuses (it has no account chooser).
pub(crate) const PROMPT_SELECT_ACCOUNT: &str = "select_account";
