//! gaap-identity: ES256 ID-token validation with a warm JWKS (all One Login rules, pure function).
//! Run: `cargo bench --bench identity`. Compare with node jose: `node interop/oidc/bench-jose.mjs`
//! (same token, same key, same checks).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use gaap_identity::rules::{Expectations, parse_jwks, verify_id_token};
use gaap_identity::{LevelOfConfidence, Vtr};

/// A One Login-shaped ES256 ID token (claims as in the AUTH "ID token" example), signed once with a
/// throwaway P-256 key; the same token and JWK are in interop/oidc/bench-jose.mjs.
const TOKEN: &str = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImI5MTYyNjY3LWUwMjUtNGQ5My04YzViLWU1MzhlNmM3OTJhYyIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1cm46ZmRjOmdvdi51azoyMDIyOjU2UDRDTXNHaF8wMllPbFdwZDhQQU9JLTJzVmxCMm5zTlU3bWNMWlloWXc9IiwiYXVkIjoiSEdJT2dobzlISVJoZ29lcGRJT1BGZElVV2dld2kwanciLCJpc3MiOiJodHRwczovL29pZGMuaW50ZWdyYXRpb24uYWNjb3VudC5nb3YudWsvIiwidm90IjoiQ2wuQ20iLCJleHAiOjE3OTU2MDAxMjAsImlhdCI6MTc5NTYwMDAwMCwibm9uY2UiOiJuLTBTNl9XekEyTWoiLCJ2dG0iOiJodHRwczovL29pZGMuaW50ZWdyYXRpb24uYWNjb3VudC5nb3YudWsvdHJ1c3RtYXJrIiwic2lkIjoiNTBhOTA0MWI1ZDU3Y2I1MzYzMmEwZTkyNTk4NjRiNzEiLCJhdXRoX3RpbWUiOjE3OTU1OTk5OTUsImF0X2hhc2giOiJsUk1JVDZicGFDRmwyR2FVQmp1UTB3In0.nMKXOcXW-v8vZhKHfkFajxl0_L9t6xVwZkTqUpiGk0q4z6nS1AeEslQ2OEFZG7us7bcZuiuGQcEi_KRSTMOCZw";
const JWKS: &str = r#"{"keys": [{"kty": "EC", "x": "uXRaWTbTrtOM-huUwEiNoSqa9nJDKG4pvgT6aRiswoA", "y": "2XUh7M27JcTNn-RKRDisYEcXXRVNSFc10pI2axyWYOw", "crv": "P-256", "kid": "b9162667-e025-4d93-8c5b-e538e6c792ac", "alg": "ES256", "use": "sig"}]}"#;
const NOW: i64 = 1_795_600_030;

fn id_token(c: &mut Criterion) {
    let keys = parse_jwks(JWKS.as_bytes()).unwrap();
    let expect = Expectations::new(
        "https://oidc.integration.account.gov.uk/",
        "HGIOgho9HIRhgoepdIOPFdIUWgewi0jw",
    );
    let vtr = Vtr::identity(LevelOfConfidence::P2);
    verify_id_token(TOKEN, &keys, &expect, "n-0S6_WzA2Mj", &vtr, NOW).unwrap();
    let mut group = c.benchmark_group("identity/id_token");
    group.bench_function("ES256 warm JWKS", |b| {
        b.iter(|| {
            verify_id_token(black_box(TOKEN), &keys, &expect, "n-0S6_WzA2Mj", &vtr, NOW).unwrap()
        })
    });
    let (signed, _) = TOKEN.rsplit_once('.').unwrap();
    let forged = format!("{signed}.{}", "A".repeat(86));
    group.bench_function("ES256 zero signature (rejected before the curve math)", |b| {
        b.iter(|| {
            verify_id_token(black_box(&forged), &keys, &expect, "n-0S6_WzA2Mj", &vtr, NOW)
                .unwrap_err()
        })
    });
    group.bench_function("alg none refused", |b| {
        let none = "eyJhbGciOiJub25lIn0.e30.";
        b.iter(|| {
            verify_id_token(black_box(none), &keys, &expect, "n-0S6_WzA2Mj", &vtr, NOW).unwrap_err()
        })
    });
    group.bench_function("parse JWKS", |b| {
        b.iter(|| parse_jwks(black_box(JWKS.as_bytes())).unwrap())
    });
    group.finish();
}

criterion_group!(benches, id_token);
criterion_main!(benches);
