//! gaap-jose: verify and sign per algorithm, and the parsing in front of every verification.
//! Run: `cargo bench --bench jose`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use gaap_jose::{Algorithm, Header, Jwk, JwkSet, SigningKey, VerifyingKey, base64url};

/// RFC 7515 A.1-A.3 tokens and keys (the same vectors as crates/gaap-jose/tests/it).
const A1_KEY: &str =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
const A1_TOKEN: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const A2_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
const A3_TOKEN: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
const A2_PEM: &str = include_str!("../crates/gaap-jose/tests/it/data/rfc7515_a2_rsa.pem");
const A3_PEM: &str = include_str!("../crates/gaap-jose/tests/it/data/rfc7515_a3_ec.pem");

fn verify(c: &mut Criterion) {
    let hmac = VerifyingKey::hmac(base64url::decode(A1_KEY).unwrap());
    let rsa = SigningKey::from_pkcs8_pem(A2_PEM).unwrap().verifying_key();
    let ec_jwk = SigningKey::from_pkcs8_pem(A3_PEM).unwrap().public_jwk().unwrap();
    let jwks = JwkSet::new(vec![ec_jwk]);
    let mut group = c.benchmark_group("jose/verify");
    group.bench_function("HS256", |b| {
        b.iter(|| gaap_jose::verify(black_box(A1_TOKEN), &hmac, &[Algorithm::HS256]).unwrap())
    });
    group.bench_function("RS256", |b| {
        b.iter(|| gaap_jose::verify(black_box(A2_TOKEN), &rsa, &[Algorithm::RS256]).unwrap())
    });
    group.bench_function("ES256 via JWKS", |b| {
        b.iter(|| {
            gaap_jose::verify_with_jwks(black_box(A3_TOKEN), &jwks, &[Algorithm::ES256]).unwrap()
        })
    });
    group.bench_function("rejected alg none", |b| {
        let none = "eyJhbGciOiJub25lIn0.e30.";
        b.iter(|| gaap_jose::verify(black_box(none), &hmac, &[Algorithm::HS256]).unwrap_err())
    });
    group.finish();
}

fn sign(c: &mut Criterion) {
    let claims = serde_json::json!({"iss": "bench", "sub": "user", "exp": 1_900_000_000});
    let keys = [
        (Algorithm::HS256, SigningKey::hmac(base64url::decode(A1_KEY).unwrap())),
        (Algorithm::RS256, SigningKey::from_pkcs8_pem(A2_PEM).unwrap()),
        (Algorithm::PS256, SigningKey::from_pkcs8_pem(A2_PEM).unwrap()),
        (Algorithm::ES256, SigningKey::from_pkcs8_pem(A3_PEM).unwrap()),
    ];
    let mut group = c.benchmark_group("jose/sign");
    for (alg, key) in &keys {
        let header = Header::new(*alg).with_typ("JWT");
        group.bench_function(alg.as_str(), |b| {
            b.iter(|| gaap_jose::sign_json(&header, black_box(&claims), key).unwrap())
        });
    }
    group.finish();
}

fn keys(c: &mut Criterion) {
    let jwk = SigningKey::from_pkcs8_pem(A2_PEM).unwrap().public_jwk().unwrap();
    let json = serde_json::to_string(&jwk).unwrap();
    let mut group = c.benchmark_group("jose/keys");
    group.bench_function("parse RSA JWK", |b| b.iter(|| Jwk::from_json(black_box(&json)).unwrap()));
    group.bench_function("RFC 7638 thumbprint", |b| b.iter(|| black_box(&jwk).thumbprint()));
    group.bench_function("load PKCS#8 PEM (RSA)", |b| {
        b.iter(|| SigningKey::from_pkcs8_pem(black_box(A2_PEM)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, verify, sign, keys);
criterion_main!(benches);
