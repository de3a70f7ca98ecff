//! Acceptance against OS's own tools (feature `interop`): osdatahub, OS's Python client, with only its
//! endpoint changed; schemathesis against an OpenAPI document of OS's contract; and real recorded OS Places
//! responses, loaded as the index, coming back field for field.
#![cfg(feature = "interop")]
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::process::Command;

use gaap_address::Coordinates;
use serde_json::{Value, json};

use crate::support;

fn python() -> String {
    std::env::var("GAAP_PYTHON").unwrap_or_else(|_| {
        panic!("GAAP_PYTHON is not set: point it at a python3 with interop/requirements.txt installed (feature `interop`)")
    })
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../interop/address").join(name)
}

async fn run(mut command: Command, success: &str) -> String {
    let output = tokio::task::spawn_blocking(move || command.output()).await.unwrap().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains(success),
        "exit {:?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status.code()
    );
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn osdatahub_works_with_only_its_endpoint_changed() {
    let server = support::start("{}").await;
    let index = gaap_address::embedded();
    let (postcode, at_postcode) = index
        .postcodes()
        .iter()
        .map(|r| (r.postcode, index.by_postcode(&r.postcode)))
        .find(|(_, a)| a.len() >= 3)
        .unwrap();
    let a = &at_postcode[1];
    let c = a.coordinates.unwrap();
    let (nearest, _) = index.nearest(c, 50.0).unwrap();
    let square: Vec<String> = index
        .within(
            Coordinates::new(c.easting - 60.0, c.northing - 60.0),
            Coordinates::new(c.easting + 60.0, c.northing + 60.0),
        )
        .iter()
        .map(|a| a.uprn.to_string())
        .collect();
    let expect = json!({
        "postcode": postcode.to_string(),
        "postcode_uprns": at_postcode.iter().map(|a| a.uprn.to_string()).collect::<Vec<_>>(),
        "uprn": a.uprn.get(),
        "uprn_address": address_line(a),
        "find": a.single_line(),
        "find_uprn": a.uprn.to_string(),
        "point": [c.easting, c.northing],
        "nearest_uprn": nearest.uprn.to_string(),
        "polygon_uprns": square,
    });
    let mut command = Command::new(python());
    command.arg(script("osdatahub_check.py")).arg(server.base_url()).arg(expect.to_string());
    let out = run(command, "osdatahub passed").await;
    println!("{out}");
    server.shutdown().await;
}

/// OS's ADDRESS for a DPA record: every element, the building number on its own.
fn address_line(a: &gaap_address::Address) -> String {
    let number = a.building_number.map(|n| n.to_string());
    let postcode = a.postcode.map(|p| p.to_string());
    [
        &a.department,
        &a.organisation,
        &a.sub_building,
        &a.building_name,
        &number,
        &a.dependent_thoroughfare,
        &a.thoroughfare,
        &a.double_dependent_locality,
        &a.dependent_locality,
        &a.post_town,
        &postcode,
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect::<Vec<_>>()
    .join(", ")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_5xx_and_no_schema_breaks() {
    let server = support::start("{}").await;
    let mut command = Command::new("sh");
    command.arg(script("schemathesis.sh")).arg(python()).arg(server.base_url());
    let out = run(command, "passed").await;
    println!("{out}");
    assert!(!out.contains("Server error"), "{out}");
    server.shutdown().await;
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../gaap-address/tests/data/os-places")
}

/// Every recorded OS Places response, loaded as the index, comes back field for field for the same query
/// (the header's uri, epoch and lastupdate aside: they name the host and the data's date).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_os_places_responses_come_back_field_for_field() {
    let dir = fixtures();
    let config = json!({"address": {"index": dir}}).to_string();
    let server = support::start(&config).await;
    let mut checked = 0;
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries.iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
        let recorded: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let Some(query) = recorded["header"]["query"].as_str() else { continue };
        let Some(postcode) = query.strip_prefix("postcode=") else { continue };
        let offset = recorded["header"]["offset"].as_u64().unwrap_or(0);
        let total = recorded["header"]["totalresults"].as_u64().unwrap_or(0);
        let page = recorded["results"].as_array().map_or(0, Vec::len) as u64;
        if page < total && offset == 0 && total > 100 {
            // A first page of a larger result: only that page was recorded, so only its rows can match.
        }
        let url = format!(
            "{}/search/places/v1/postcode?postcode={postcode}&offset={offset}&maxresults={}",
            server.base_url(),
            recorded["header"]["maxresults"].as_u64().unwrap_or(100)
        );
        let got: Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
        for field in ["offset", "format", "dataset", "lr", "maxresults", "output_srs"] {
            assert_eq!(
                got["header"][field],
                recorded["header"][field],
                "{}: header {field}",
                path.display()
            );
        }
        let want = recorded["results"].as_array().cloned().unwrap_or_default();
        let have = got["results"].as_array().cloned().unwrap_or_default();
        if page == total {
            assert_eq!(
                got["header"]["totalresults"],
                recorded["header"]["totalresults"],
                "{}",
                path.display()
            );
            assert_eq!(have.len(), want.len(), "{}", path.display());
            assert_eq!(got.get("results").is_none(), recorded.get("results").is_none());
        }
        for (i, w) in want.iter().enumerate().take(have.len()) {
            assert_eq!(&have[i], w, "{} result {i}", path.display());
        }
        checked += want.len();
    }
    assert!(checked > 400, "only {checked} recorded results were compared");
    server.shutdown().await;
}
