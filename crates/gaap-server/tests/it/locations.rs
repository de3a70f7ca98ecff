//! The GOV.UK-compatible local-authority API and `/v1/locations` over HTTP, bodies compared exactly.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use gaap_address::{Postcode, embedded};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support;

/// A client that shows redirects instead of following them.
fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn get(base: &str, path: &str) -> (StatusCode, Option<String>, Value) {
    let response = client().get(format!("{base}{path}")).send().await.unwrap();
    let status = response.status();
    let location = response.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() };
    (status, location, body)
}

/// A real Westminster postcode from the embedded data that has addresses.
fn westminster_postcode() -> Postcode {
    let index = embedded();
    index.postcodes().iter().map(|r| r.postcode).find(|p| !index.by_postcode(p).is_empty()).unwrap()
}

/// A small index of gaap CSV: W8 4AA split between Westminster (5990) and Kensington and Chelsea (5600),
/// SS4 1BW in Rochford (1550) with one of Ordnance Survey's own records (7655), EC1A 9ZZ with only such a
/// record, and N1 9ZZ with a code no council has (9999).
fn write_index(dir: &Path) -> String {
    let csv = "uprn,building_number,thoroughfare,post_town,postcode,easting,northing,local_custodian_code\n\
               100000000001,1,KENSINGTON CHURCH STREET,LONDON,W8 4AA,525600,180000,5990\n\
               100000000002,2,KENSINGTON CHURCH STREET,LONDON,W8 4AA,525610,180010,5600\n\
               100000000003,3,KENSINGTON CHURCH STREET,LONDON,W8 4AA,525620,180020,7655\n\
               100000000004,10,SOUTH STREET,ROCHFORD,SS4 1BW,587000,190500,1550\n\
               100000000005,12,SOUTH STREET,ROCHFORD,SS4 1BW,587010,190510,7655\n\
               100000000006,1,ORDNANCE WAY,LONDON,EC1A 9ZZ,532000,181000,7655\n\
               100000000007,1,NOWHERE LANE,LONDON,N1 9ZZ,531000,183000,9999\n";
    let path = dir.join("addresses.csv");
    std::fs::write(&path, csv).unwrap();
    path.display().to_string()
}

fn links_csv(dir: &Path) -> String {
    let csv = "authority_slug,lgsl,lgil,url\n\
               essex,1,8,https://www.essex.gov.uk/home-education\n\
               rochford,57,8,https://www.rochford.gov.uk/council-tax\n\
               rochford,57,4,https://www.rochford.gov.uk/council-tax/pay\n";
    let path = dir.join("links.csv");
    std::fs::write(&path, csv).unwrap();
    path.display().to_string()
}

async fn start_with_files() -> (tempfile::TempDir, gaap_server::ServerHandle) {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({
        "address": {"index": write_index(dir.path())},
        "locations": {"links": links_csv(dir.path())},
    });
    let server = support::start(&config.to_string()).await;
    (dir, server)
}

#[tokio::test]
async fn a_westminster_postcode_redirects_to_westminster_in_any_spelling() {
    let server = support::start("{}").await;
    let postcode = westminster_postcode();
    let spellings = [
        postcode.to_string(),
        postcode.compact(),
        postcode.to_string().to_lowercase(),
        format!(" {}-]", postcode.compact().to_lowercase()),
    ];
    for spelling in spellings {
        let query = format!("/api/local-authority?postcode={}", spelling.replace(' ', "%20"));
        let (status, location, body) = get(server.base_url(), &query).await;
        assert_eq!(status, StatusCode::FOUND, "{spelling:?}");
        assert_eq!(location.as_deref(), Some("/api/local-authority/westminster"));
        assert_eq!(body, Value::Null);
    }
    server.shutdown().await;
}

#[tokio::test]
async fn slugs_answer_frontends_shape_with_the_county_above_a_district() {
    let server = support::start("{}").await;
    let (status, _, body) = get(server.base_url(), "/api/local-authority/westminster").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"local_authority": {
            "name": "City of Westminster",
            "homepage_url": "https://www.westminster.gov.uk/",
            "tier": "unitary",
            "slug": "westminster",
        }})
    );
    let (status, _, body) = get(server.base_url(), "/api/local-authority/rochford").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"local_authority": {
            "name": "Rochford District Council",
            "homepage_url": "https://www.rochford.gov.uk/",
            "tier": "district",
            "slug": "rochford",
            "parent": {
                "name": "Essex County Council",
                "homepage_url": "https://www.essex.gov.uk/",
                "tier": "county",
                "slug": "essex",
            },
        }})
    );
    let (status, _, body) = get(server.base_url(), "/api/local-authority/essex").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["local_authority"]["tier"], "county");
    assert!(body["local_authority"].get("parent").is_none());

    let (status, _, body) = get(server.base_url(), "/api/local-authority/foo").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"errors": {"local_authority_slug": ["Not found"]}}));
    server.shutdown().await;
}

#[tokio::test]
async fn missing_empty_and_invalid_postcodes_are_400_and_unknown_ones_404() {
    let server = support::start("{}").await;
    let invalid = json!({"errors": {"postcode": ["This isn't a valid postcode."]}});
    for query in ["", "?postcode=", "?postcode=ZZZ", "?postcode=%20%20", "?postcode=SW1A1AAA"] {
        let (status, _, body) =
            get(server.base_url(), &format!("/api/local-authority{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(body, invalid, "{query}");
    }
    // A valid postcode outside the embedded Westminster data.
    let (status, _, body) = get(server.base_url(), "/api/local-authority?postcode=SW121ZZ").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"errors": {"postcode": ["We couldn't find this postcode."]}}));
    server.shutdown().await;
}

#[tokio::test]
async fn a_split_postcode_lists_each_address_with_its_council() {
    let (_dir, server) = start_with_files().await;
    let (status, _, body) = get(server.base_url(), "/api/local-authority?postcode=w84aa").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"addresses": [
            {
                "address": "1 KENSINGTON CHURCH STREET, LONDON, W8 4AA",
                "local_authority_slug": "westminster",
                "local_authority_name": "City of Westminster",
            },
            {
                "address": "2 KENSINGTON CHURCH STREET, LONDON, W8 4AA",
                "local_authority_slug": "kensington-and-chelsea",
                "local_authority_name": "Royal Borough of Kensington and Chelsea",
            },
        ]})
    );
    // Ordnance Survey's own record (7655) does not make Rochford's postcode a split one.
    let (status, location, _) =
        get(server.base_url(), "/api/local-authority?postcode=SS41BW").await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(location.as_deref(), Some("/api/local-authority/rochford"));

    let no_council =
        json!({"errors": {"postcode": ["We couldn't find a council for this postcode."]}});
    for postcode in ["EC1A9ZZ", "N19ZZ"] {
        let (status, _, body) =
            get(server.base_url(), &format!("/api/local-authority?postcode={postcode}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{postcode}");
        assert_eq!(body, no_council, "{postcode}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn local_services_follow_local_links_managers_fallbacks() {
    let (_dir, server) = start_with_files().await;
    let base = server.base_url();
    let essex = json!({
        "name": "Essex County Council",
        "homepage_url": "https://www.essex.gov.uk/",
        "country_name": "England",
        "tier": "county",
        "slug": "essex",
        "gss": "E10000012",
        "snac": "22",
    });
    let rochford = json!({
        "name": "Rochford District Council",
        "homepage_url": "https://www.rochford.gov.uk/",
        "country_name": "England",
        "tier": "district",
        "slug": "rochford",
        "gss": "E07000075",
        "snac": "22UL",
    });

    // A county service asked for in a district: the county's link.
    let (status, _, body) = get(base, "/api/local-services/1?postcode=SS4%201BW&lgil=8").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({
            "local_authority": essex,
            "local_interaction": {
                "lgsl_code": 1,
                "lgil_code": 8,
                "url": "https://www.essex.gov.uk/home-education",
            },
        })
    );
    // Without an LGIL the only link is chosen.
    let (_, _, body) = get(base, "/api/local-services/1?postcode=SS41BW").await;
    assert_eq!(body["local_interaction"]["url"], "https://www.essex.gov.uk/home-education");

    // The district's own service: the lowest LGIL other than 8 when there are several.
    let (status, _, body) = get(base, "/api/local-services/57?postcode=SS41BW").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({
            "local_authority": rochford,
            "local_interaction": {
                "lgsl_code": 57,
                "lgil_code": 4,
                "url": "https://www.rochford.gov.uk/council-tax/pay",
            },
        })
    );

    // No link at all: the council's homepage, as the authority alone.
    let (status, _, body) = get(base, "/api/local-services/55?postcode=SS41BW").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"local_authority": rochford}));

    // A split postcode asks the user to choose, as /api/local-authority does.
    let (status, _, body) = get(base, "/api/local-services/57?postcode=W84AA").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["addresses"].as_array().unwrap().len(), 2);

    for (path, status, field, message) in [
        ("/api/local-services/abc?postcode=SS41BW", 400, "lgsl", "This isn't a valid LGSL code."),
        ("/api/local-services/999999?postcode=SS41BW", 404, "lgsl", "Not found"),
        (
            "/api/local-services/57?postcode=SS41BW&lgil=x",
            400,
            "lgil",
            "This isn't a valid LGIL code.",
        ),
        ("/api/local-services/57", 400, "postcode", "This isn't a valid postcode."),
        (
            "/api/local-services/57?postcode=SW121ZZ",
            404,
            "postcode",
            "We couldn't find this postcode.",
        ),
    ] {
        let (got, _, body) = get(base, path).await;
        assert_eq!(got.as_u16(), status, "{path}");
        assert_eq!(body, json!({"errors": {field: [message]}}), "{path}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn without_a_links_file_every_service_is_the_homepage() {
    let server = support::start("{}").await;
    let postcode = westminster_postcode().compact();
    let (status, _, body) =
        get(server.base_url(), &format!("/api/local-services/57?postcode={postcode}&lgil=8")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"local_authority": {
            "name": "City of Westminster",
            "homepage_url": "https://www.westminster.gov.uk/",
            "country_name": "England",
            "tier": "unitary",
            "slug": "westminster",
            "gss": "E09000033",
            "snac": "00BK",
        }})
    );
    server.shutdown().await;
}

#[tokio::test]
async fn locations_answer_locations_apis_shape() {
    let (_dir, server) = start_with_files().await;
    let at = |e, n| gaap_address::Coordinates::new(e, n).to_wgs84();
    let (a, b) = (at(587_000.0, 190_500.0), at(587_010.0, 190_510.0));
    let (status, _, body) = get(server.base_url(), "/v1/locations?postcode=ss4%201bw").await;
    assert_eq!(status, StatusCode::OK);
    // The average counts every address; the results leave out Ordnance Survey's own (7655).
    assert_eq!(
        body,
        json!({
            "average_latitude": (a.lat + b.lat) / 2.0,
            "average_longitude": (a.lng + b.lng) / 2.0,
            "results": [{
                "postcode": "SS4 1BW",
                "address": "10 SOUTH STREET, ROCHFORD, SS4 1BW",
                "latitude": a.lat,
                "longitude": a.lng,
                "local_custodian_code": 1550,
                "uprn": "100000000004",
                "line_1": "10 SOUTH STREET",
                "line_2": "",
                "line_3": "",
                "post_town": "ROCHFORD",
            }],
        })
    );
    let invalid = json!({"errors": {"postcode": ["This postcode is invalid"]}});
    for query in ["", "?postcode=", "?postcode=AAA%201AA"] {
        let (status, _, body) = get(server.base_url(), &format!("/v1/locations{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(body, invalid, "{query}");
    }
    let (status, _, body) = get(server.base_url(), "/v1/locations?postcode=E18QS").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"errors": {"postcode": ["No results found for given postcode"]}}));
    server.shutdown().await;
}

#[tokio::test]
async fn locations_of_a_westminster_postcode_carry_each_uprn() {
    let server = support::start("{}").await;
    let postcode = westminster_postcode();
    let expected = embedded().by_postcode(&postcode);
    let (status, _, body) =
        get(server.base_url(), &format!("/v1/locations?postcode={}", postcode.compact())).await;
    assert_eq!(status, StatusCode::OK);
    let results = body["results"].as_array().unwrap();
    assert_eq!(results.len(), expected.len());
    for (got, want) in results.iter().zip(&expected) {
        assert_eq!(got["uprn"], want.uprn.to_string());
        assert_eq!(got["address"], want.single_line());
        assert_eq!(got["postcode"], postcode.to_string());
    }
    assert!(body["average_latitude"].as_f64().is_some_and(|l| (51.4..51.6).contains(&l)));

    // A postcode without addresses answers its own position and no results, as locations-api does
    // for a postcode it knows only from ONS data.
    let index = embedded();
    if let Some(bare) = index.postcodes().iter().find(|r| index.by_postcode(&r.postcode).is_empty())
    {
        let (status, _, body) =
            get(server.base_url(), &format!("/v1/locations?postcode={}", bare.postcode.compact()))
                .await;
        assert_eq!(status, StatusCode::OK);
        let centre = bare.coordinates.unwrap().to_wgs84();
        assert_eq!(
            body,
            json!({"average_latitude": centre.lat, "average_longitude": centre.lng, "results": []})
        );
    }
    server.shutdown().await;
}
