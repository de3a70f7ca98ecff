#![doc = include_str!("../README.md")]
//!
//! ## The API in brief
//!
//! A GOV.UK One Login relying party that is safe by default.
//!
//! - discovery (cached, https only) and a JWKS cache that honours `max-age` and refetches once,
//!   rate-limited, on an unknown `kid`;
//! - the authorize request with `state`, `nonce`, optional PKCE S256, a typed [`Vtr`], the `claims`
//!   request for the vocab URLs and `ui_locales`;
//! - the token exchange with `private_key_jwt` (RS256 or PS256), never following redirects;
//! - ID-token validation with One Login's rules (pinned algorithm, future `iat`, nonce, `vot`), userinfo
//!   `sub` matching, the core identity JWT through the DID document, typed return codes;
//! - the end-session URL and back-channel logout tokens with `jti` replay protection.
//!
//! The rules are also pure functions in [`rules`], for offline checks:
//!
//! ```
//! use gaap_identity::rules::{Expectations, verify_id_token};
//! use gaap_identity::{JwkSet, TokenError, Vtr};
//!
//! let keys = JwkSet::default();
//! let expect = Expectations::new("https://oidc.integration.account.gov.uk/", "my-client");
//! // An unsigned token is refused before any key is looked at.
//! let none = "eyJhbGciOiJub25lIn0.e30.";
//! let err = verify_id_token(none, &keys, &expect, "nonce", &Vtr::default(), 1_790_000_000).unwrap_err();
//! assert_eq!(err.kind(), "unsupported_algorithm");
//! ```
//!
//! The full flow:
//!
//! ```no_run
//! # async fn run() -> Result<(), gaap_identity::Error> {
//! use gaap_identity::{
//!     AuthorizeRequest, CallbackOutcome, Client, ClientKey, ClaimsRequest, IdentityOutcome, LevelOfConfidence,
//!     VocabClaim, Vtr,
//! };
//!
//! let client = Client::builder("https://oidc.integration.account.gov.uk/", "my-client-id")
//!     .redirect_uri("https://my-service.gov.uk/callback")
//!     .signing_key(ClientKey::from_pem("-----BEGIN PRIVATE KEY-----…")?.with_kid("my-key"))
//!     .identity(
//!         "https://identity.integration.account.gov.uk/",
//!         "https://identity.integration.account.gov.uk/.well-known/did.json",
//!     )
//!     .user_agent("my-service/1.0 (https://my-service.gov.uk)")
//!     .build()?;
//! let vtr = Vtr::identity(LevelOfConfidence::P2);
//! let request = client
//!     .authorize(
//!         &AuthorizeRequest::new()
//!             .vtr(vtr)
//!             .claims(ClaimsRequest::new().with(VocabClaim::CoreIdentityJwt).with(VocabClaim::ReturnCode)),
//!     )
//!     .await?;
//! // … redirect to request.url, keep request.pending in the session, then on the callback:
//! # let query = "";
//! match request.pending.callback(query)? {
//!     CallbackOutcome::Code(code) => {
//!         let tokens = client.exchange_code(&request.pending, code).await?;
//!         let info = client.userinfo(&tokens).await?;
//!         if let IdentityOutcome::Proven { identity, .. } = client.identity_outcome(&info, &vtr).await? {
//!             let _ = identity.birth_date();
//!         }
//!     }
//!     CallbackOutcome::AccessDenied { .. } => { /* restart, or identity fell short */ }
//!     _ => {}
//! }
//! # Ok(()) }
//! ```

mod authorize;
#[cfg(feature = "client")]
mod client;
mod error;
mod jws;
mod logout;
pub mod rules;
mod types;

pub use authorize::{AuthorizationRequest, AuthorizeRequest, PendingAuthorization};
#[cfg(feature = "client")]
pub use client::{Client, ClientBuilder, Tokens};
pub use error::{Error, TokenError, TokenKind};
#[cfg(feature = "client")]
/// The retry policy of the client's idempotent `GET`s (the code exchange is never resent).
pub use gaap_http::RetryPolicy;
pub use logout::{JtiStore, MemoryJtiStore, end_session_url};
pub use rules::DidDocument;
pub use types::*;
