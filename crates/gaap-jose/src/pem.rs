//! A minimal PEM (RFC 7468) reader and writer, enough for one private key.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::Error;

/// Returns the label and DER bytes of the first PEM block in `text`.
pub(crate) fn decode(text: &str) -> Result<(String, Vec<u8>), Error> {
    const BEGIN: &str = "-----BEGIN ";
    const DASHES: &str = "-----";
    let start = text.find(BEGIN).ok_or_else(|| Error::invalid_key("no PEM BEGIN line"))?;
    let after_begin = &text[start + BEGIN.len()..];
    let label_end = after_begin
        .find(DASHES)
        .ok_or_else(|| Error::invalid_key("unterminated PEM BEGIN line"))?;
    let label = &after_begin[..label_end];
    let body_and_rest = &after_begin[label_end + DASHES.len()..];
    let end_line = format!("-----END {label}-----");
    let body_end = body_and_rest
        .find(&end_line)
        .ok_or_else(|| Error::invalid_key(format!("no PEM END line for {label}")))?;
    let body = &body_and_rest[..body_end];
    if body.contains(':') {
        return Err(Error::invalid_key("encrypted (Proc-Type) PEM is not supported"));
    }
    let compact: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let der =
        STANDARD.decode(compact).map_err(|_| Error::invalid_key("PEM body is not valid base64"))?;
    Ok((label.to_owned(), der))
}

/// Wraps DER bytes in a PEM block with 64-character lines.
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
