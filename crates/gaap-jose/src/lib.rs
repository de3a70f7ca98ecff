#![doc = include_str!("../README.md")]
//!
//! ## The API in brief
//!
//! JWS compact serialisation and JWK/JWKS on [ring], with algorithms pinned by the caller.
//!
//! The identity, notify and sandbox crates of gaap sign and verify their tokens here.
//!
//! - Sign and verify HS256, RS256/384/512, PS256/384/512 and ES256 ([`sign`], [`sign_json`],
//!   [`verify`], [`verify_with_jwks`]).
//! - Every verification takes an explicit allow-list of [`Algorithm`]s. `alg: none`, key confusion
//!   (an RSA public key offered as an HMAC secret), a `crit` header, malformed base64url, trailing data
//!   and tokens over [`MAX_TOKEN_LEN`] are each a distinct [`Error`] variant.
//! - [`Jwk`] and [`JwkSet`] hold RSA and EC P-256 public keys, with lookup by `kid` and RFC 7638
//!   thumbprints; [`SigningKey`] loads PKCS#8 PEM/DER private keys or generates P-256 keys.
//!
//! ```
//! use gaap_jose::{Algorithm, Header, JwkSet, SigningKey};
//! use serde_json::json;
//!
//! # fn main() -> Result<(), gaap_jose::Error> {
//! let key = SigningKey::generate_es256()?.with_kid("key-1");
//! let token = gaap_jose::sign_json(
//!     &Header::new(Algorithm::ES256).with_kid("key-1").with_typ("JWT"),
//!     &json!({ "sub": "urn:fdc:gov.uk:2022:example", "aud": "my-service" }),
//!     &key,
//! )?;
//!
//! // The verifier publishes or receives the public key as a JWK Set.
//! let jwks = JwkSet::new(key.public_jwk().into_iter().collect());
//! let verified = gaap_jose::verify_with_jwks(&token, &jwks, &[Algorithm::ES256])?;
//! let claims: serde_json::Value = verified.claims()?;
//! assert_eq!(claims["aud"], "my-service");
//!
//! // Another algorithm than the allow-list names is refused before any key is used.
//! let err = gaap_jose::verify_with_jwks(&token, &jwks, &[Algorithm::RS256]).unwrap_err();
//! assert!(matches!(err, gaap_jose::Error::AlgorithmNotAllowed { .. }));
//! # Ok(())
//! # }
//! ```

mod alg;
pub mod base64url;
mod error;
mod header;
mod jwk;
mod jws;
mod key;
mod pem;

pub use alg::{Algorithm, KeyKind, UnknownAlgorithm};
pub use error::{Error, Part};
pub use header::Header;
pub use jwk::{Jwk, JwkKey, JwkSet};
pub use jws::{
    MAX_TOKEN_LEN, Verified, decode_header_unverified, sign, sign_json, verify, verify_with_jwks,
};
pub use key::{SigningKey, VerifyingKey};
