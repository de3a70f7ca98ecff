//! The OS Places API over HTTP: each resource, its parameters, OS's error envelope and key handling.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use gaap_address::{Address, Coordinates};
use serde_json::Value;

use crate::support;

fn embedded() -> &'static gaap_address::Index {
    gaap_address::embedded()
}

/// A postcode of the embedded data with at least `n` addresses, and those addresses.
fn postcode_with(n: usize) -> (String, Vec<Address>) {
    embedded()
        .postcodes()
        .iter()
        .map(|r| (r.postcode, embedded().by_postcode(&r.postcode)))
        .find(|(_, a)| a.len() >= n)
        .map(|(p, a)| (p.to_string(), a))
        .expect("a postcode with addresses")
}

async fn get(url: &str) -> (u16, Value) {
    let r = reqwest::get(url).await.expect("request");
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: {e}: {text}")))
}

fn uprns(body: &Value, view: &str) -> Vec<String> {
    body["results"]
        .as_array()
        .map(|a| a.iter().filter_map(|r| r[view]["UPRN"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn postcode_returns_every_address_with_os_header_and_types() {
    let server = support::start("{}").await;
    let (postcode, addresses) = postcode_with(3);
    let url = format!(
        "{}/search/places/v1/postcode?postcode={}&key=k",
        server.base_url(),
        postcode.replace(' ', "%20")
    );
    let (status, body) = get(&url).await;
    assert_eq!(status, 200, "{body}");
    let header = &body["header"];
    for field in [
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
        assert!(header.get(field).is_some(), "header lacks {field}: {header}");
    }
    assert_eq!(header["totalresults"], addresses.len());
    assert_eq!(header["dataset"], "DPA");
    assert_eq!(header["lr"], "EN,CY");
    assert_eq!(header["output_srs"], "EPSG:27700");
    assert!(!header["uri"].as_str().unwrap().contains("key="), "the key is not echoed");
    let want: Vec<String> = addresses.iter().map(|a| a.uprn.to_string()).collect();
    assert_eq!(uprns(&body, "DPA"), want);
    let first = &body["results"][0]["DPA"];
    assert!(first["UPRN"].is_string() && first["X_COORDINATE"].is_f64() && first["MATCH"].is_f64());
    assert_eq!(first["MATCH_DESCRIPTION"], "EXACT");
    assert_eq!(first["POSTCODE"], postcode);
    assert_eq!(first["LOCAL_CUSTODIAN_CODE"], 5990);
    assert_eq!(first["LOCAL_CUSTODIAN_CODE_DESCRIPTION"], "CITY OF WESTMINSTER");

    // Paging: maxresults and offset.
    let (_, page) = get(&format!("{url}&maxresults=1&offset=1")).await;
    assert_eq!(uprns(&page, "DPA"), want[1..2]);
    assert_eq!(page["header"]["totalresults"], addresses.len());
    // Both views, and WGS84 output.
    let (_, both) = get(&format!("{url}&dataset=DPA,LPI&output_srs=WGS84")).await;
    assert_eq!(both["header"]["totalresults"], addresses.len() * 2);
    assert_eq!(uprns(&both, "LPI").len(), addresses.len());
    let lat = both["results"][0]["DPA"]["LAT"].as_f64().unwrap();
    assert!((51.4..51.6).contains(&lat), "{lat}");
    // A partial postcode: the outward code and sector digit.
    let sector: String =
        postcode.replace(' ', "").chars().take(postcode.replace(' ', "").len() - 2).collect();
    let (status, partial) = get(&format!(
        "{}/search/places/v1/postcode?postcode={sector}&maxresults=100",
        server.base_url()
    ))
    .await;
    assert_eq!(status, 200);
    assert!(partial["header"]["totalresults"].as_u64().unwrap() >= addresses.len() as u64);
    // XML.
    let xml = reqwest::get(format!("{url}&format=XML")).await.unwrap();
    assert!(xml.headers()["content-type"].to_str().unwrap().starts_with("application/xml"));
    let text = xml.text().await.unwrap();
    assert!(
        text.contains("<AddressAPI><header>")
            && text.contains(&format!("<UPRN>{}</UPRN>", want[0])),
        "{text}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn an_empty_result_leaves_out_results_and_an_unknown_uprn_is_empty() {
    let server = support::start("{}").await;
    let base = format!("{}/search/places/v1", server.base_url());
    let (status, body) = get(&format!("{base}/postcode?postcode=ZE1%200AA")).await;
    assert_eq!(status, 200);
    assert_eq!(body["header"]["totalresults"], 0);
    assert!(body.get("results").is_none(), "{body}");
    for uprn in ["1", "0", "999999999999"] {
        let (status, body) = get(&format!("{base}/uprn?uprn={uprn}")).await;
        assert_eq!(status, 200, "{uprn}: {body}");
        assert_eq!(body["header"]["query"], format!("uprn={uprn}"));
        assert_eq!(body["header"]["totalresults"], 0);
        assert!(body.get("results").is_none(), "{body}");
    }
    // OS's own words for a UPRN that is not a number, and for an empty postcode.
    let (status, body) = get(&format!("{base}/uprn?uprn=12a")).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"],
        "Parameter uprn contains invalid characters. Valid characters are numeric with a maximum of 12 digits."
    );
    let (_, body) = get(&format!("{base}/postcode?postcode=")).await;
    assert_eq!(body["error"]["message"], "Parameter postcode cannot be empty.");

    let a = embedded().get(10).unwrap();
    let (status, body) = get(&format!("{base}/uprn?uprn={}", a.uprn)).await;
    assert_eq!(status, 200);
    assert_eq!(uprns(&body, "DPA"), [a.uprn.to_string()]);
    server.shutdown().await;
}

#[tokio::test]
async fn bad_parameters_get_os_400_naming_the_parameter() {
    let server = support::start("{}").await;
    let base = format!("{}/search/places/v1", server.base_url());
    let cases = [
        ("postcode", "postcode"),
        ("postcode?postcode=ZZ", "postcode"),
        ("postcode?postcode=SW1A1AA&maxresults=0", "maxresults"),
        ("postcode?postcode=SW1A1AA&maxresults=101", "maxresults"),
        ("postcode?postcode=SW1A1AA&offset=x", "offset"),
        ("postcode?postcode=SW1A1AA&format=CSV", "format"),
        ("postcode?postcode=SW1A1AA&dataset=XYZ", "dataset"),
        ("postcode?postcode=SW1A1AA&lr=DE", "lr"),
        ("postcode?postcode=SW1A1AA&output_srs=EPSG:9999", "output_srs"),
        ("postcode?postcode=SW1A1AA&fq=FOO:1", "fq"),
        ("uprn", "uprn"),
        ("uprn?uprn=abc", "uprn"),
        ("uprn?uprn=1234567890123", "uprn"),
        ("find", "query"),
        ("find?query=x&minmatch=2", "minmatch"),
        ("find?query=x&matchprecision=0", "matchprecision"),
        ("nearest", "point"),
        ("nearest?point=1", "point"),
        ("nearest?point=529090,179645&radius=1001", "radius"),
        ("nearest?point=529090,179645&radius=0", "radius"),
        ("nearest?point=529090,179645&srs=X", "srs"),
        ("radius?point=529090,179645&radius=5000", "radius"),
        ("bbox", "bbox"),
        ("bbox?bbox=1,2,3", "bbox"),
        ("bbox?bbox=529000,179000,531000,181000", "bbox"),
    ];
    for (path, name) in cases {
        let (status, body) = get(&format!("{base}/{path}")).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["error"]["statuscode"], 400, "{path}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(name), "{path}: {message}");
    }
    let client = reqwest::Client::new();
    for (content_type, body) in [
        ("application/json", "not json"),
        ("application/json", r#"{"type":"Point","coordinates":[1,2]}"#),
        ("text/plain", r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}"#),
    ] {
        let r = client
            .post(format!("{base}/polygon"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400);
        let v: Value = r.json().await.unwrap();
        assert!(v["error"]["message"].as_str().unwrap().contains("polygon"), "{v}");
    }
    let r = client.get(format!("{base}/polygon")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 405);
    let r = client.get(format!("{base}/nothing")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["statuscode"], 404);
    server.shutdown().await;
}

#[tokio::test]
async fn spatial_resources_agree_with_the_index() {
    let server = support::start("{}").await;
    let base = format!("{}/search/places/v1", server.base_url());
    let a = embedded().get(100).unwrap();
    let c = a.coordinates.unwrap();
    let (x, y) = (c.easting, c.northing);

    let want_box: Vec<String> = embedded()
        .within(Coordinates::new(x - 100.0, y - 100.0), Coordinates::new(x + 100.0, y + 100.0))
        .iter()
        .map(|a| a.uprn.to_string())
        .collect();
    let (status, body) = get(&format!(
        "{base}/bbox?bbox={},{},{},{}&maxresults=100",
        x - 100.0,
        y - 100.0,
        x + 100.0,
        y + 100.0
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["header"]["totalresults"], want_box.len());
    let mut got = uprns(&body, "DPA");
    got.sort();
    let mut want_sorted = want_box.clone();
    want_sorted.sort();
    want_sorted.truncate(100);
    if want_box.len() <= 100 {
        assert_eq!(got, want_sorted);
    }

    let (nearest, _) = embedded().nearest(c, 50.0).unwrap();
    let (_, body) = get(&format!("{base}/nearest?point={x},{y}&radius=50")).await;
    assert_eq!(uprns(&body, "DPA"), [nearest.uprn.to_string()]);

    // The same point in WGS84 (lat,lng as OS takes it) finds the same address within a few metres.
    let ll = c.to_wgs84();
    let (_, body) =
        get(&format!("{base}/nearest?point={},{}&srs=EPSG:4326&radius=5", ll.lat, ll.lng)).await;
    assert_eq!(body["header"]["totalresults"], 1, "{body}");

    let (_, body) = get(&format!("{base}/radius?point={x},{y}&radius=30&maxresults=100")).await;
    let n = body["header"]["totalresults"].as_u64().unwrap();
    let want = embedded()
        .within(Coordinates::new(x - 30.0, y - 30.0), Coordinates::new(x + 30.0, y + 30.0))
        .iter()
        .filter(|a| a.coordinates.unwrap().distance(&c) <= 30.0)
        .count();
    assert_eq!(n, want as u64);

    let square = serde_json::json!({"type": "Polygon", "coordinates": [[[x - 100.0, y - 100.0], [x + 100.0, y - 100.0], [x + 100.0, y + 100.0], [x - 100.0, y + 100.0], [x - 100.0, y - 100.0]]]});
    let r = reqwest::Client::new()
        .post(format!("{base}/polygon?srs=EPSG:27700"))
        .json(&square)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["header"]["totalresults"], want_box.len());

    // fq: a classification that matches nothing, and one with a wildcard that matches this address.
    let class = a.classification.clone().unwrap();
    let (_, body) = get(&format!("{base}/uprn?uprn={}&fq=CLASSIFICATION_CODE:ZZ*", a.uprn)).await;
    assert!(body.get("results").is_none());
    let (_, body) = get(&format!("{base}/uprn?uprn={}&fq=classification_code:{}*%20CLASSIFICATION_CODE:ZZ&fq=LOGICAL_STATUS_CODE:1", a.uprn, &class[..1])).await;
    assert_eq!(uprns(&body, "DPA"), [a.uprn.to_string()]);
    server.shutdown().await;
}

#[tokio::test]
async fn find_ranks_the_address_first_and_applies_minmatch() {
    let server = support::start("{}").await;
    let base = format!("{}/search/places/v1", server.base_url());
    let a = embedded().get(200).unwrap();
    let text = a.single_line();
    let (status, body) =
        get(&format!("{base}/find?query={}&maxresults=5", url_encode(&text))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(uprns(&body, "DPA")[0], a.uprn.to_string(), "{body}");
    let m = body["results"][0]["DPA"]["MATCH"].as_f64().unwrap();
    assert!(m > 0.5, "{m}");
    let (_, body) =
        get(&format!("{base}/find?query={}&minmatch=1&matchprecision=3", url_encode("zzzz qqqq")))
            .await;
    assert!(body.get("results").is_none(), "{body}");
    server.shutdown().await;
}

fn url_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn keys_are_checked_when_configured_and_limits_answer_429() {
    let server = support::start(
        r#"{"address": {"keys": [{"key": "good", "per_minute": 2}, {"key": "free"}]}}"#,
    )
    .await;
    let base = format!("{}/search/places/v1/postcode?postcode=SW1A1AA", server.base_url());
    let (status, body) = get(&base).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["statuscode"], 401);
    let (status, _) = get(&format!("{base}&key=bad")).await;
    assert_eq!(status, 401);
    for _ in 0..2 {
        let (status, _) = get(&format!("{base}&key=good")).await;
        assert_eq!(status, 200);
    }
    let r = reqwest::get(format!("{base}&key=good")).await.unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.headers().contains_key("retry-after"));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["statuscode"], 429);
    let r = reqwest::Client::new().get(&base).header("key", "free").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "the key header works too");
    server.shutdown().await;
}
