use std::sync::Arc;
use std::time::Duration;

use gaap_address::{ApiKey, Backend, Error, OsPlacesClient, Postcode, RateLimitMode, Uprn};
use gaap_http::ManualClock;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

// Fixtures: real OS Places responses from DepartmentOfHealth-htbhf/htbhf-os-places-stub
// src/main/resources/responses (MIT; contains OS and Royal Mail data), via interop/address/make_fixtures.py.
fn fixture(name: &str) -> String {
    crate::data(&format!("os-places/{name}.json"))
}

fn client(server: &MockServer, clock: &ManualClock) -> OsPlacesClient {
    OsPlacesClient::builder(ApiKey::new("secret-key"))
        .base_url(format!("{}/search/places/v1/", server.uri()))
        .clock(Arc::new(clock.clone()))
        .rate_limit_mode(RateLimitMode::Fail)
        .build()
        .unwrap()
}

fn clock() -> ManualClock {
    ManualClock::at_unix(1_795_000_000)
}

#[tokio::test]
async fn missing_results_key_is_no_match() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/search/places/v1/postcode"))
        .and(query_param("postcode", "BS11AA"))
        .and(query_param("key", "secret-key"))
        .respond_with(ResponseTemplate::new(200).set_body_string(fixture("BS11AA-no-matches")))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server, &clock());
    let got = c.postcode(&Postcode::parse("BS1 1AA").unwrap()).await.unwrap();
    assert!(got.is_empty());
}

#[tokio::test]
async fn en_and_cy_duplicates_are_merged() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/search/places/v1/postcode"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(fixture("CH53QW-many-address-fields")),
        )
        .mount(&server)
        .await;
    let c = client(&server, &clock());
    let got = Backend::by_postcode(&c, &Postcode::parse("CH5 3QW").unwrap()).await.unwrap();
    assert_eq!(got.len(), 2, "4 rows, 2 UPRNs");
    let wellington = got.iter().find(|a| a.uprn == Uprn::new(200_002_515_110).unwrap()).unwrap();
    assert_eq!(wellington.post_town.as_deref(), Some("DEESIDE"));
    assert_eq!(wellington.welsh.as_ref().unwrap().post_town.as_deref(), Some("GLANNAU DYFRDWY"));
    assert_eq!(wellington.local_custodian_code, Some(6835));
    assert_eq!(wellington.classification.as_deref(), Some("CO01"));
}

#[tokio::test]
async fn pages_of_100_are_followed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/search/places/v1/postcode"))
        .and(query_param("offset", "0"))
        .and(query_param("maxresults", "100"))
        .respond_with(ResponseTemplate::new(200).set_body_string(fixture("paged-1")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/search/places/v1/postcode"))
        .and(query_param("offset", "100"))
        .respond_with(ResponseTemplate::new(200).set_body_string(fixture("paged-2")))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server, &clock());
    let got = c.postcode(&Postcode::parse("BS16 1AA").unwrap()).await.unwrap();
    assert_eq!(got.len(), 185);
}

#[tokio::test]
async fn api_errors_keep_message_and_body() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(400).set_body_string(fixture("ZZ99ZZ-invalid-postcode")),
        )
        .mount(&server)
        .await;
    let c = client(&server, &clock());
    let err = c.postcode(&Postcode::parse("BS9 9ZZ").unwrap()).await.unwrap_err();
    match err {
        Error::Api { status, message, body } => {
            assert_eq!(status, 400);
            assert!(
                message.starts_with("Requested postcode must contain a minimum of the sector"),
                "{message}"
            );
            assert!(body.contains("statuscode"));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn six_hundred_a_minute_on_the_injected_clock() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/search/places/v1/uprn"))
        .respond_with(ResponseTemplate::new(200).set_body_string(fixture("SW1A1AA-single-address")))
        .expect(602)
        .mount(&server)
        .await;
    let clock = clock();
    let c = client(&server, &clock);
    let uprn = Uprn::new(10_033_544_614).unwrap();
    for _ in 0..600 {
        c.uprn(uprn).await.unwrap();
    }
    match c.uprn(uprn).await.unwrap_err() {
        Error::RateLimited { retry_after } => assert_eq!(retry_after, Duration::from_secs(60)),
        other => panic!("unexpected {other:?}"),
    }
    clock.advance(Duration::from_secs(30));
    assert!(matches!(c.uprn(uprn).await, Err(Error::RateLimited { .. })));
    clock.advance(Duration::from_secs(30));
    let palace = c.uprn(uprn).await.unwrap().unwrap();
    assert_eq!(palace.organisation.as_deref(), Some("BUCKINGHAM PALACE"));
    c.uprn(uprn).await.unwrap();
}

#[tokio::test]
async fn cache_serves_repeats_until_ttl() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/search/places/v1/postcode"))
        .respond_with(ResponseTemplate::new(200).set_body_string(fixture("SW1A1AA-single-address")))
        .expect(2)
        .mount(&server)
        .await;
    let clock = clock();
    let c = OsPlacesClient::builder(ApiKey::new("k"))
        .base_url(format!("{}/search/places/v1/", server.uri()))
        .clock(Arc::new(clock.clone()))
        .cache(Duration::from_secs(3600))
        .build()
        .unwrap();
    let pc = Postcode::parse("SW1A 1AA").unwrap();
    let first = c.postcode(&pc).await.unwrap();
    assert_eq!(c.postcode(&pc).await.unwrap(), first);
    clock.advance(Duration::from_secs(3601));
    assert_eq!(c.postcode(&pc).await.unwrap(), first);
}

#[test]
fn key_is_redacted_and_empty_key_rejected() {
    let key = ApiKey::new("super-secret");
    assert!(!format!("{key:?}").contains("super-secret"));
    let c = OsPlacesClient::builder(key).build().unwrap();
    assert!(!format!("{c:?}").contains("super-secret"));
    assert!(matches!(OsPlacesClient::builder(ApiKey::new(" ")).build(), Err(Error::Config(_))));
}

#[tokio::test]
async fn lookups_are_retried_by_the_policy_and_wait_through_the_sleeper() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/search/places/v1/uprn"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/search/places/v1/uprn"))
        .respond_with(ResponseTemplate::new(200).set_body_string(fixture("SW1A1AA-single-address")))
        .expect(1)
        .mount(&server)
        .await;
    let sleeper = gaap_http::RecordingSleeper::new();
    let c = OsPlacesClient::builder(ApiKey::new("k"))
        .base_url(format!("{}/search/places/v1/", server.uri()))
        .clock(Arc::new(clock()))
        .retry_policy(gaap_address::RetryPolicy::new(2))
        .sleeper(Arc::new(sleeper.clone()))
        .build()
        .unwrap();
    let palace = c.uprn(Uprn::new(10_033_544_614).unwrap()).await.unwrap().unwrap();
    assert_eq!(palace.organisation.as_deref(), Some("BUCKINGHAM PALACE"));
    assert_eq!(sleeper.waits().len(), 1);
    assert!(sleeper.waits()[0] <= Duration::from_millis(200));
}

#[tokio::test]
async fn a_spent_budget_is_waited_for_through_the_sleeper_on_the_injected_clock() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/search/places/v1/uprn"))
        .respond_with(ResponseTemplate::new(200).set_body_string(fixture("SW1A1AA-single-address")))
        .expect(3)
        .mount(&server)
        .await;
    let clock = clock();
    let sleeper = gaap_http::RecordingSleeper::advancing(clock.clone());
    let c = OsPlacesClient::builder(ApiKey::new("k"))
        .base_url(format!("{}/search/places/v1/", server.uri()))
        .clock(Arc::new(clock.clone()))
        .rate_per_minute(2)
        .sleeper(Arc::new(sleeper.clone()))
        .build()
        .unwrap();
    let uprn = Uprn::new(10_033_544_614).unwrap();
    for _ in 0..3 {
        c.uprn(uprn).await.unwrap();
    }
    assert_eq!(sleeper.waits(), [Duration::from_secs(60)]);
}
