//! The compact-JWS operations the sandbox needs, on ring: HS256 verification (Notify keys), ES256 signing
//! (ID tokens, logout tokens, core identity) and RS/PS verification (One Login client assertions).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gaap_jose::Algorithm;
use serde_json::Value;

/// base64url without padding.
pub(crate) fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url without padding.
pub(crate) fn unb64(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()
}

/// A compact JWS split into its parts, not yet verified.
#[derive(Debug)]
pub(crate) struct Parsed<'a> {
    pub(crate) header: Value,
    pub(crate) claims: Value,
    _token: std::marker::PhantomData<&'a str>,
}

/// Splits and decodes a compact JWS; `None` when it is not three base64url JSON parts.
pub(crate) fn parse(token: &str) -> Option<Parsed<'_>> {
    let (signing_input, sig) = token.rsplit_once('.')?;
    let (h, c) = signing_input.split_once('.')?;
    unb64(sig)?;
    let header: Value = serde_json::from_slice(&unb64(h)?).ok()?;
    let claims: Value = serde_json::from_slice(&unb64(c)?).ok()?;
    if !header.is_object() || !claims.is_object() {
        return None;
    }
    Some(Parsed { header, claims, _token: std::marker::PhantomData })
}

/// Verifies an HS256 token with `secret` through gaap-jose (constant-time MAC check, HS256 only).
pub(crate) fn verify_hs256(token: &str, secret: &[u8]) -> Result<(), gaap_jose::Error> {
    gaap_jose::verify(token, &gaap_jose::VerifyingKey::hmac(secret.to_vec()), &[Algorithm::HS256])
        .map(|_| ())
}

/// The algorithms One Login accepts for `private_key_jwt` (no ES256, no HS*).
pub(crate) const CLIENT_ASSERTION_ALGS: [Algorithm; 6] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];

/// Verifies a client assertion with the client's RSA key through gaap-jose, pinned to RS*/PS*.
pub(crate) fn verify_rsa(token: &str, key: &gaap_jose::VerifyingKey) -> bool {
    gaap_jose::verify(token, key, &CLIENT_ASSERTION_ALGS).is_ok()
}

/// An ES256 signing key (gaap-jose); the `kid` is given at each signature, as it follows the issuer.
#[derive(Debug)]
pub(crate) struct EsKey {
    key: gaap_jose::SigningKey,
}

impl EsKey {
    /// A fresh P-256 key.
    pub(crate) fn generate() -> Result<Self, String> {
        let key = gaap_jose::SigningKey::generate_es256().map_err(|e| e.to_string())?;
        Ok(Self { key })
    }

    /// The public key as a JWK with `alg` and `use`.
    pub(crate) fn public_jwk(&self) -> Option<gaap_jose::Jwk> {
        self.key.public_jwk().map(|jwk| jwk.with_alg(Algorithm::ES256).with_use("sig"))
    }

    /// Signs `claims` as ES256 with `kid` and an optional `typ`.
    pub(crate) fn sign(
        &self,
        kid: &str,
        typ: Option<&str>,
        claims: &impl serde::Serialize,
    ) -> Result<String, String> {
        let mut header = gaap_jose::Header::new(Algorithm::ES256).with_kid(kid.to_owned());
        if let Some(typ) = typ {
            header = header.with_typ(typ);
        }
        gaap_jose::sign_json(&header, claims, &self.key).map_err(|e| e.to_string())
    }
}

/// Reads the body of the first PEM block with the given label.
pub(crate) fn pem_body(pem: &str, label: &str) -> Option<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem.find(&begin)? + begin.len();
    let stop = start + pem.get(start..)?.find(&end)?;
    let text: String = pem.get(start..stop)?.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// Reads one DER TLV at the start of `input`: (tag, contents, rest).
fn der_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let (bytes, rest) = rest.split_at_checked(n)?;
        (bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b)), rest)
    };
    let (contents, rest) = rest.split_at_checked(len)?;
    Some((tag, contents, rest))
}

/// The PKCS#1 `RSAPublicKey` inside a `SubjectPublicKeyInfo` DER.
pub(crate) fn rsa_key_from_spki(spki: &[u8]) -> Option<Vec<u8>> {
    let (0x30, seq, _) = der_tlv(spki)? else { return None };
    let (0x30, _alg_id, rest) = der_tlv(seq)? else { return None };
    let (0x03, bits, _) = der_tlv(rest)? else { return None };
    let (&unused, key) = bits.split_first()?;
    (unused == 0).then(|| key.to_vec())
}

/// The RSA public key from a PEM: `PUBLIC KEY` (SPKI), `RSA PUBLIC KEY` (PKCS#1) or a PKCS#8 `PRIVATE KEY`.
pub(crate) fn rsa_public_key_from_pem(pem: &str) -> Option<gaap_jose::VerifyingKey> {
    if pem.contains("PRIVATE KEY") {
        let key = gaap_jose::SigningKey::from_pkcs8_pem(pem).ok()?;
        return (key.kind() == gaap_jose::KeyKind::Rsa).then(|| key.verifying_key());
    }
    let pkcs1 = match pem_body(pem, "PUBLIC KEY") {
        Some(spki) => rsa_key_from_spki(&spki)?,
        None => pem_body(pem, "RSA PUBLIC KEY")?,
    };
    // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
    let (0x30, seq, _) = der_tlv(&pkcs1)? else { return None };
    let (0x02, n, rest) = der_tlv(seq)? else { return None };
    let (0x02, e, _) = der_tlv(rest)? else { return None };
    let strip = |v: &[u8]| v.iter().skip_while(|b| **b == 0).copied().collect::<Vec<u8>>();
    let jwk = gaap_jose::Jwk::new(gaap_jose::JwkKey::Rsa { n: strip(n), e: strip(e) });
    gaap_jose::VerifyingKey::from_jwk(&jwk).ok()
}

/// SHA-256 left half, base64url: `at_hash` for ES256/RS256 tokens.
pub(crate) fn at_hash(access_token: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, access_token.as_bytes());
    b64(digest.as_ref().get(..16).unwrap_or_default())
}

/// `BASE64URL(SHA256(verifier))`, the PKCE S256 challenge.
pub(crate) fn pkce_s256(verifier: &str) -> String {
    b64(ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes()).as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn es256_tokens_verify_with_the_published_key() {
        let key = EsKey::generate().unwrap();
        let token = key.sign("k1", Some("JWT"), &serde_json::json!({"a": 1})).unwrap();
        let parsed = parse(&token).unwrap();
        assert_eq!(parsed.claims["a"], 1);
        assert_eq!(parsed.header["kid"], "k1");
        let published = serde_json::to_string(&key.public_jwk().unwrap()).unwrap();
        let jwk = gaap_jose::Jwk::from_json(published).unwrap();
        let verifying = gaap_jose::VerifyingKey::from_jwk(&jwk).unwrap();
        assert!(gaap_jose::verify(&token, &verifying, &[Algorithm::ES256]).is_ok());
    }

    #[test]
    fn hs256_rejects_a_wrong_secret() {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"right");
        let input = format!("{}.{}", b64(r#"{"alg":"HS256"}"#), b64(r#"{"iss":"x"}"#));
        let tag = ring::hmac::sign(&key, input.as_bytes());
        let token = format!("{input}.{}", b64(tag.as_ref()));
        assert!(verify_hs256(&token, b"right").is_ok());
        assert!(verify_hs256(&token, b"wrong").is_err());
    }

    #[test]
    fn pkce_matches_rfc7636_appendix_b() {
        // RFC 7636 Appendix B.
        assert_eq!(
            pkce_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn garbage_is_not_a_jws() {
        assert!(parse("a.b").is_none());
        assert!(parse("not-a-token").is_none());
        assert!(rsa_public_key_from_pem("nothing").is_none());
    }
}
