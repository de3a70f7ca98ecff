//! `gaap jose`: JWS and JWK tools.

use clap::Subcommand;
use gaap_jose::{Algorithm, Jwk, JwkSet};
use serde_json::{Value, json};

use crate::output::{self, Outcome};

/// JWS and JWK tools.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Verify a compact JWS against a JWK Set (or a single JWK) and print its header and claims.
    Verify {
        /// A JWK Set (`{"keys": [...]}`) or a single JWK, as JSON.
        #[arg(long, value_name = "FILE")]
        jwks: String,
        /// An algorithm to accept; repeat for several. Nothing else is accepted.
        #[arg(long = "alg", value_name = "ALG", required = true)]
        algs: Vec<Algorithm>,
        /// The token, or `-` to read it from standard input.
        token: String,
    },
}

/// Runs a `gaap jose` command.
pub(crate) fn run(cmd: Command) -> Outcome {
    match cmd {
        Command::Verify { jwks, algs, token } => verify(&jwks, &algs, &token),
    }
}

fn verify(jwks_path: &str, algs: &[Algorithm], token_arg: &str) -> Outcome {
    let jwks_bytes = match output::read_input(Some(jwks_path)) {
        Ok(bytes) => bytes,
        Err(err) => return output::fail(err),
    };
    let jwks = match load_jwks(&jwks_bytes) {
        Ok(jwks) => jwks,
        Err(err) => return output::fail(format!("{jwks_path}: {err}")),
    };
    let token = if token_arg == "-" {
        match output::read_input(None) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_owned(),
            Err(err) => return output::fail(err),
        }
    } else {
        token_arg.trim().to_owned()
    };
    let result = gaap_jose::verify_with_jwks(&token, &jwks, algs)
        .and_then(|verified| verified.claims::<Value>().map(|claims| (verified.header, claims)));
    let line = match &result {
        Ok((header, claims)) => json!({ "valid": true, "header": header, "claims": claims }),
        Err(err) => json!({ "valid": false, "error": err.kind(), "message": err.to_string() }),
    };
    match output::emit(&line) {
        Ok(()) => Outcome::from_valid(result.is_ok()),
        Err(err) => output::fail(err),
    }
}

/// Accepts `{"keys": [...]}` or one JWK object.
fn load_jwks(bytes: &[u8]) -> Result<JwkSet, gaap_jose::Error> {
    let is_set =
        serde_json::from_slice::<Value>(bytes).is_ok_and(|value| value.get("keys").is_some());
    if is_set {
        JwkSet::from_json(bytes)
    } else {
        Jwk::from_json(bytes).map(|jwk| JwkSet::new(vec![jwk]))
    }
}
