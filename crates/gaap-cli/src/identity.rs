//! `gaap identity`: offline GOV.UK One Login token checks with the gaap-identity rules.

use std::time::Duration;

use clap::Subcommand;
use gaap_identity::rules::{
    self, CoreIdentityExpectations, Expectations, verify_core_identity, verify_id_token,
    verify_logout_token,
};
use gaap_identity::{Algorithm, DidDocument, Jwk, JwkSet, TokenError, Vtr};
use serde_json::{Map, Value, json};

use crate::output::{self, Outcome};

/// GOV.UK One Login token checks.
// The `verify-*` names are the CLI contract.
#[allow(clippy::enum_variant_names)]
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Validate an ID token with One Login's rules (pinned alg, iss, aud, exp, future iat, nonce, vot).
    VerifyIdToken {
        /// The OP's JWK Set (`{"keys": [...]}`) or a single JWK, as JSON.
        #[arg(long, value_name = "FILE")]
        jwks: String,
        /// The expected issuer, exactly (One Login's ends with `/`).
        #[arg(long, value_name = "ISS")]
        issuer: String,
        /// Our client id.
        #[arg(long = "client-id", value_name = "ID")]
        client_id: String,
        /// The nonce sent in the authorize request.
        #[arg(long, value_name = "N")]
        nonce: String,
        /// The `vtr` sent, as JSON, e.g. `["Cl.Cm.P2"]` (default `["Cl.Cm"]`).
        #[arg(long, value_name = "JSON")]
        vtr: Option<String>,
        /// The time of the check, in seconds since the epoch (default: now).
        #[arg(long, value_name = "EPOCH")]
        now: Option<i64>,
        /// Clock-skew leeway in seconds, at most 60 (default 30).
        #[arg(long, value_name = "SECS", default_value_t = 30)]
        leeway: u64,
        /// The one accepted algorithm: ES256 (One Login's default) or RS256.
        #[arg(long, value_name = "ALG", default_value = "ES256")]
        alg: Algorithm,
        /// The token, or `-` to read it from standard input.
        token: String,
    },
    /// Validate a core identity JWT against a DID document (ES256 only).
    VerifyCoreIdentity {
        /// The DID document (`did.json`).
        #[arg(long, value_name = "FILE")]
        did: String,
        /// The identity issuer, e.g. `https://identity.integration.account.gov.uk/`.
        #[arg(long, value_name = "ISS")]
        issuer: String,
        /// Our client id.
        #[arg(long = "client-id", value_name = "ID")]
        client_id: String,
        /// The ID token's `sub`.
        #[arg(long, value_name = "SUB")]
        sub: String,
        /// The `vtr` sent, as JSON (default `["Cl.Cm.P2"]`).
        #[arg(long, value_name = "JSON")]
        vtr: Option<String>,
        /// The time of the check, in seconds since the epoch (default: now).
        #[arg(long, value_name = "EPOCH")]
        now: Option<i64>,
        /// Clock-skew leeway in seconds, at most 60 (default 30).
        #[arg(long, value_name = "SECS", default_value_t = 30)]
        leeway: u64,
        /// The token, or `-` to read it from standard input.
        token: String,
    },
    /// Validate a back-channel logout token (replay is not checked: there is no store between runs).
    VerifyLogoutToken {
        /// The OP's JWK Set or a single JWK, as JSON.
        #[arg(long, value_name = "FILE")]
        jwks: String,
        /// The expected issuer, exactly.
        #[arg(long, value_name = "ISS")]
        issuer: String,
        /// Our client id.
        #[arg(long = "client-id", value_name = "ID")]
        client_id: String,
        /// The time of the check, in seconds since the epoch (default: now).
        #[arg(long, value_name = "EPOCH")]
        now: Option<i64>,
        /// Clock-skew leeway in seconds, at most 60 (default 30).
        #[arg(long, value_name = "SECS", default_value_t = 30)]
        leeway: u64,
        /// The one accepted algorithm: ES256 (One Login's) or RS256.
        #[arg(long, value_name = "ALG", default_value = "ES256")]
        alg: Algorithm,
        /// The token, or `-` to read it from standard input.
        token: String,
    },
}

/// Runs a `gaap identity` command.
pub(crate) fn run(cmd: Command) -> Outcome {
    match checked(cmd) {
        Ok(result) => report(&result),
        Err(usage) => output::fail(usage),
    }
}

/// Loads the inputs (usage and I/O errors are `Err`) and runs the check.
fn checked(cmd: Command) -> Result<Result<Map<String, Value>, TokenError>, String> {
    match cmd {
        Command::VerifyIdToken { jwks, issuer, client_id, nonce, vtr, now, leeway, alg, token } => {
            let keys = load_jwks(&jwks)?;
            let vtr = parse_vtr(vtr.as_deref(), Vtr::default())?;
            let expect = Expectations::new(issuer, client_id)
                .with_alg(pinned(alg)?)
                .with_leeway(leeway_of(leeway)?);
            let token = read_token(&token)?;
            Ok(verify_id_token(&token, &keys, &expect, &nonce, &vtr, now_or_system(now))
                .map(|c| c.raw))
        }
        Command::VerifyCoreIdentity { did, issuer, client_id, sub, vtr, now, leeway, token } => {
            let bytes = output::read_input(Some(&did)).map_err(|e| e.to_string())?;
            let doc = DidDocument::from_json(&bytes)
                .map_err(|e| format!("{did}: not a DID document: {e}"))?;
            let vtr =
                parse_vtr(vtr.as_deref(), Vtr::identity(gaap_identity::LevelOfConfidence::P2))?;
            let expect =
                CoreIdentityExpectations::new(issuer, client_id).with_leeway(leeway_of(leeway)?);
            let token = read_token(&token)?;
            Ok(verify_core_identity(&token, &doc, &expect, &sub, &vtr, now_or_system(now))
                .map(|c| c.raw))
        }
        Command::VerifyLogoutToken { jwks, issuer, client_id, now, leeway, alg, token } => {
            let keys = load_jwks(&jwks)?;
            let expect = Expectations::new(issuer, client_id)
                .with_alg(pinned(alg)?)
                .with_leeway(leeway_of(leeway)?);
            let token = read_token(&token)?;
            Ok(verify_logout_token(&token, &keys, &expect, now_or_system(now)).map(|c| c.raw))
        }
    }
}

fn report(result: &Result<Map<String, Value>, TokenError>) -> Outcome {
    let line = match result {
        Ok(claims) => json!({ "valid": true, "claims": claims }),
        Err(err) => json!({ "valid": false, "error": err.kind(), "message": err.to_string() }),
    };
    match output::emit(&line) {
        Ok(()) => Outcome::from_valid(result.is_ok()),
        Err(err) => output::fail(err),
    }
}

fn pinned(alg: Algorithm) -> Result<Algorithm, String> {
    match alg {
        Algorithm::ES256 | Algorithm::RS256 => Ok(alg),
        other => Err(format!(
            "--alg {other}: One Login signs ID and logout tokens with ES256 or RS256 only"
        )),
    }
}

fn leeway_of(secs: u64) -> Result<Duration, String> {
    let leeway = Duration::from_secs(secs);
    if leeway > rules::MAX_LEEWAY {
        Err(format!("--leeway {secs}: at most 60 seconds"))
    } else {
        Ok(leeway)
    }
}

fn parse_vtr(arg: Option<&str>, default: Vtr) -> Result<Vtr, String> {
    arg.map_or(Ok(default), |json| Vtr::from_param(json).map_err(|e| format!("--vtr {json}: {e}")))
}

fn now_or_system(now: Option<i64>) -> i64 {
    now.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    })
}

fn read_token(arg: &str) -> Result<String, String> {
    if arg == "-" {
        let bytes = output::read_input(None).map_err(|e| e.to_string())?;
        Ok(String::from_utf8_lossy(&bytes).trim().to_owned())
    } else {
        Ok(arg.trim().to_owned())
    }
}

/// Accepts `{"keys": [...]}` (unsupported keys skipped) or one JWK object.
fn load_jwks(path: &str) -> Result<JwkSet, String> {
    let bytes = output::read_input(Some(path)).map_err(|e| e.to_string())?;
    let value: Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("{path}: not JSON: {e}"))?;
    if value.get("keys").is_some() {
        rules::parse_jwks(&bytes).map_err(|e| format!("{path}: not a JWK Set: {e}"))
    } else {
        serde_json::from_value::<Jwk>(value)
            .map(|jwk| JwkSet::new(vec![jwk]))
            .map_err(|e| format!("{path}: not a JWK: {e}"))
    }
}
