//! Wire types: algorithms, keys, `vtr`/`vot`, the claims request, metadata, claims and secrets.

mod claims;
pub(crate) mod core_identity;
mod discovery;
mod id_token;
mod oauth;
mod outcome;
mod secrets;
mod userinfo;
mod vtr;

pub use claims::{ClaimsRequest, Scope, UiLocale, VocabClaim};
pub use core_identity::{
    BirthDate, CoreIdentity, IdentityCredential, Name, NamePart, NamePartKind,
};
pub use discovery::ProviderMetadata;
pub use gaap_jose::{Algorithm, Jwk, JwkSet};
pub use id_token::{IdTokenClaims, LogoutTokenClaims};
pub use oauth::{OAuthErrorResponse, TokenResponse};
pub use outcome::{AuthorizeErrorCode, CallbackOutcome, IdentityOutcome, ReturnCode};
pub use secrets::{
    AccessToken, AuthorizationCode, ClientAssertion, ClientKey, IdToken, Nonce, PkceVerifier, State,
};
pub use userinfo::UserInfo;
pub use vtr::{Credential, LevelOfConfidence, Vtr, VtrError};

#[cfg(feature = "client")]
pub(crate) use secrets::random_token as secrets_random;
