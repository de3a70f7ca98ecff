//! Nothing a client sends makes the OS Places API fail: arbitrary parameters on every resource, and arbitrary
//! bodies for the polygon, get an answer below 500 in OS's shape.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use serde_json::Value;

use crate::support;

const RESOURCES: [&str; 6] = ["postcode", "uprn", "find", "nearest", "bbox", "radius"];
const PARAMS: [&str; 17] = [
    "postcode",
    "uprn",
    "query",
    "point",
    "bbox",
    "radius",
    "format",
    "dataset",
    "lr",
    "output_srs",
    "srs",
    "fq",
    "maxresults",
    "offset",
    "minmatch",
    "matchprecision",
    "key",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9.,\\- ]{0,40}",
        "[A-Za-z0-9 :*]{0,12}",
        Just("SW1A 1AA".to_owned()),
        Just("529090,179645".to_owned()),
        Just("EPSG:4326".to_owned()),
        Just("-1".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("NaN".to_owned()),
    ]
}

fn check(status: u16, body: &str) -> Result<(), TestCaseError> {
    prop_assert!(status < 500, "{status}: {body}");
    if status >= 400 {
        let v: Value =
            serde_json::from_str(body).map_err(|e| TestCaseError::fail(format!("{e}: {body}")))?;
        prop_assert_eq!(v["error"]["statuscode"].as_u64(), Some(u64::from(status)), "{}", body);
    }
    Ok(())
}

#[test]
fn arbitrary_parameters_and_bodies_never_get_a_server_error() {
    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let server = rt.block_on(support::start("{}"));
    let base = format!("{}/search/places/v1", server.base_url());
    let client = reqwest::Client::new();
    let config =
        ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() };
    proptest!(config, |(
        resource in proptest::sample::select(RESOURCES.to_vec()),
        params in proptest::collection::vec((proptest::sample::select(PARAMS.to_vec()), value()), 0..6),
    )| {
        let query: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
        let url = format!("{base}/{resource}?{query}");
        let (status, body) = rt.block_on(async {
            let r = client.get(&url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        });
        check(status, &body)?;
    });
    let config =
        ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() };
    proptest!(config, |(
        body in prop_oneof![
            any::<String>(),
            "\\{\"type\":\"(Polygon|MultiPolygon|Feature)\",\"(coordinates|geometry)\":[\\[\\]0-9.,\\-e{}\":a-z ]{0,80}\\}",
        ],
        srs in proptest::sample::select(vec!["BNG", "EPSG:4326", "EPSG:3857", "EPSG:4258"]),
    )| {
        let (status, text) = rt.block_on(async {
            let r = client
                .post(format!("{base}/polygon?srs={srs}"))
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        });
        check(status, &text)?;
    });
    rt.block_on(server.shutdown());
}
