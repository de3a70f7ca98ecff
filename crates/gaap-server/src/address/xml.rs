//! `format=XML`: the same response as XML, as OS Places writes it: an `AddressAPI` root holding `header`
//! and `results`, one element per field.

use std::fmt::Write as _;

use gaap_html::Escape;
use serde_json::Value;

use super::wire::{FieldRef, Response, Sink};

fn element(out: &mut String, name: &str, value: &Value) {
    match value {
        Value::Null => {
            let _ = write!(out, "<{name}/>");
        }
        Value::String(s) => {
            let _ = write!(out, "<{name}>");
            Escape::Xml.escape_into(out, s);
            let _ = write!(out, "</{name}>");
        }
        other => {
            let _ = write!(out, "<{name}>{other}</{name}>");
        }
    }
}

/// Writes each field as one element.
struct Elements<'o>(&'o mut String);

impl Sink for Elements<'_> {
    fn field(&mut self, name: &str, value: FieldRef<'_>) {
        let out = &mut *self.0;
        match value {
            FieldRef::Json(v) => element(out, name, v),
            FieldRef::Text(t) => {
                let _ = write!(out, "<{name}>");
                Escape::Xml.escape_into(out, t);
                let _ = write!(out, "</{name}>");
            }
            other => {
                let text = other.text().unwrap_or_default();
                let _ = write!(out, "<{name}>{text}</{name}>");
            }
        }
    }
}

/// The response as an XML document.
pub(crate) fn to_xml(response: &Response<'_>) -> String {
    let mut out = String::with_capacity(1024 + response.results.len() * 1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<AddressAPI>");
    out.push_str("<header>");
    if let Ok(Value::Object(header)) = serde_json::to_value(&response.header) {
        // The header's fields in OS's order, as serde wrote them for JSON.
        for key in [
            "uri",
            "query",
            "offset",
            "totalresults",
            "format",
            "dataset",
            "lr",
            "maxresults",
            "matchprecision",
            "epoch",
            "lastupdate",
            "output_srs",
        ] {
            if let Some(v) = header.get(key) {
                element(&mut out, key, v);
            }
        }
    }
    out.push_str("</header>");
    if !response.results.is_empty() {
        out.push_str("<results>");
        for record in &response.results {
            let key = record.view.key();
            let _ = write!(out, "<{key}>");
            record.visit(&mut Elements(&mut out));
            let _ = write!(out, "</{key}>");
        }
        out.push_str("</results>");
    }
    out.push_str("</AddressAPI>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::wire::{Field, Header, Record, View};

    #[test]
    fn escapes_text_and_leaves_out_empty_results() {
        let header = Header {
            uri: "http://x/postcode?postcode=A&b".into(),
            query: "postcode=A".into(),
            offset: 0,
            totalresults: 1,
            format: "XML",
            dataset: "DPA",
            lr: "EN,CY",
            maxresults: 100,
            matchprecision: 1,
            epoch: "1".into(),
            lastupdate: "2026-01-01".into(),
            output_srs: "EPSG:27700".into(),
        };
        let record = Record::from_fields(
            View::Dpa,
            false,
            vec![
                ("ADDRESS".into(), Field::Text("M&S <SHOP>".into())),
                ("X_COORDINATE".into(), Field::Float(529090.5)),
                ("BLPU_STATE_CODE".into(), Field::Json(Value::Null)),
            ],
        );
        let xml = to_xml(&Response { header: header.clone(), results: vec![record] });
        assert!(xml.contains("<uri>http://x/postcode?postcode=A&amp;b</uri>"), "{xml}");
        assert!(xml.contains("<DPA><ADDRESS>M&amp;S &lt;SHOP&gt;</ADDRESS><X_COORDINATE>529090.5</X_COORDINATE><BLPU_STATE_CODE/></DPA>"), "{xml}");
        let empty = to_xml(&Response { header, results: vec![] });
        assert!(!empty.contains("<results>"));
    }
}
