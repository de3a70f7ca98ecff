//! The compact-JWS operations the sandbox needs, on ring: HS256 verification (Notify keys), ES256 signing
//! (ID tokens, logout tokens, core identity) and RS/PS verification (One Login client assertions).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair as _};
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
    pub(crate) signing_input: &'a str,
    pub(crate) signature: Vec<u8>,
}

/// Splits and decodes a compact JWS; `None` when it is not three base64url JSON parts.
pub(crate) fn parse(token: &str) -> Option<Parsed<'_>> {
    let (signing_input, sig) = token.rsplit_once('.')?;
    let (h, c) = signing_input.split_once('.')?;
    let header: Value = serde_json::from_slice(&unb64(h)?).ok()?;
    let claims: Value = serde_json::from_slice(&unb64(c)?).ok()?;
    if !header.is_object() || !claims.is_object() {
        return None;
    }
    Some(Parsed { header, claims, signing_input, signature: unb64(sig)? })
}

/// Verifies an HS256 MAC in constant time.
pub(crate) fn verify_hs256(parsed: &Parsed<'_>, secret: &[u8]) -> bool {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    ring::hmac::verify(&key, parsed.signing_input.as_bytes(), &parsed.signature).is_ok()
}

/// Verifies an RS256/384/512 or PS256/384/512 signature with an RSA public key (PKCS#1 `RSAPublicKey` DER).
pub(crate) fn verify_rsa(parsed: &Parsed<'_>, alg: &str, rsa_public_key_der: &[u8]) -> bool {
    let params: &dyn signature::VerificationAlgorithm = match alg {
        "RS256" => &signature::RSA_PKCS1_2048_8192_SHA256,
        "RS384" => &signature::RSA_PKCS1_2048_8192_SHA384,
        "RS512" => &signature::RSA_PKCS1_2048_8192_SHA512,
        "PS256" => &signature::RSA_PSS_2048_8192_SHA256,
        "PS384" => &signature::RSA_PSS_2048_8192_SHA384,
        "PS512" => &signature::RSA_PSS_2048_8192_SHA512,
        _ => return false,
    };
    signature::UnparsedPublicKey::new(params, rsa_public_key_der)
        .verify(parsed.signing_input.as_bytes(), &parsed.signature)
        .is_ok()
}

/// An ES256 signing key with its `kid`.
pub(crate) struct EsKey {
    pair: EcdsaKeyPair,
    pub(crate) kid: String,
    rng: SystemRandom,
}

impl std::fmt::Debug for EsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EsKey").field("kid", &self.kid).field("private", &"[redacted]").finish()
    }
}

impl EsKey {
    /// A fresh P-256 key.
    pub(crate) fn generate(kid: String) -> Result<Self, String> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| "cannot generate a P-256 key".to_owned())?;
        let pair = EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            pkcs8.as_ref(),
            &rng,
        )
        .map_err(|_| "cannot load the generated P-256 key".to_owned())?;
        Ok(Self { pair, kid, rng })
    }

    /// The public key as a JWK with `kid`, `alg` and `use`.
    pub(crate) fn public_jwk(&self) -> Value {
        // Uncompressed point: 0x04 || x (32) || y (32).
        let point = self.pair.public_key().as_ref();
        let (x, y) = point.get(1..33).zip(point.get(33..65)).unwrap_or((&[], &[]));
        serde_json::json!({"kty": "EC", "crv": "P-256", "x": b64(x), "y": b64(y),
                           "kid": self.kid, "alg": "ES256", "use": "sig"})
    }

    /// Signs `claims` with the given header (which must say ES256).
    pub(crate) fn sign(&self, header: &Value, claims: &Value) -> Result<String, String> {
        let input = format!("{}.{}", b64(header.to_string()), b64(claims.to_string()));
        let sig = self
            .pair
            .sign(&self.rng, input.as_bytes())
            .map_err(|_| "ES256 signing failed".to_owned())?;
        Ok(format!("{input}.{}", b64(sig.as_ref())))
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

/// The RSA public key (PKCS#1 DER) from a PEM: `PUBLIC KEY` (SPKI), `RSA PUBLIC KEY` or a `PRIVATE KEY`.
pub(crate) fn rsa_public_key_from_pem(pem: &str) -> Option<Vec<u8>> {
    if let Some(spki) = pem_body(pem, "PUBLIC KEY") {
        return rsa_key_from_spki(&spki);
    }
    if let Some(pkcs1) = pem_body(pem, "RSA PUBLIC KEY") {
        return Some(pkcs1);
    }
    let pkcs8 = pem_body(pem, "PRIVATE KEY")?;
    let pair = ring::rsa::KeyPair::from_pkcs8(&pkcs8).ok()?;
    Some(pair.public().as_ref().to_vec())
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
    fn es256_tokens_parse_back() {
        let key = EsKey::generate("k1".to_owned()).unwrap();
        let token = key
            .sign(&serde_json::json!({"alg": "ES256", "kid": "k1"}), &serde_json::json!({"a": 1}))
            .unwrap();
        let parsed = parse(&token).unwrap();
        assert_eq!(parsed.claims["a"], 1);
        assert_eq!(parsed.signature.len(), 64);
        let jwk = key.public_jwk();
        let x = unb64(jwk["x"].as_str().unwrap()).unwrap();
        let y = unb64(jwk["y"].as_str().unwrap()).unwrap();
        let mut point = vec![4u8];
        point.extend(x);
        point.extend(y);
        let public = signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point);
        assert!(public.verify(parsed.signing_input.as_bytes(), &parsed.signature).is_ok());
    }

    #[test]
    fn hs256_rejects_a_wrong_secret() {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"right");
        let input = format!("{}.{}", b64(r#"{"alg":"HS256"}"#), b64(r#"{"iss":"x"}"#));
        let tag = ring::hmac::sign(&key, input.as_bytes());
        let token = format!("{input}.{}", b64(tag.as_ref()));
        let parsed = parse(&token).unwrap();
        assert!(verify_hs256(&parsed, b"right"));
        assert!(!verify_hs256(&parsed, b"wrong"));
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
