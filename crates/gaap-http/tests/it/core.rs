//! The shared send-with-retry loop, the per-attempt timeout and the rate-limit wait, with a recording sleeper:
//! no test sleeps on real time.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use gaap_http::reqwest::Method;
use gaap_http::{
    AttemptOutcome, ClientConfig, Clock, ConfigError, ManualClock, RecordingSleeper, RetryDecision,
    RetryPolicy, Sent, TokenBucket, outcome_of, send_with_retry,
};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const UA: &str = "gaap-test/0.0.1";

fn config(server: &MockServer, clock: &ManualClock, timeout: Duration) -> ClientConfig {
    let mut config = ClientConfig::new(server.uri(), timeout, Duration::from_secs(5));
    config.clock = Arc::new(clock.clone());
    config
}

fn clock() -> ManualClock {
    ManualClock::at_unix(1_795_000_000)
}

/// Sends `verb /thing` once through the loop with `policy`'s decision for an `idempotent` request, and
/// returns the last status (or transport error), the attempts, the outcomes seen and the waits slept.
async fn run(
    server: &MockServer,
    config: &ClientConfig,
    verb: Method,
    idempotent: bool,
    policy: RetryPolicy,
) -> (Sent, u32, Vec<AttemptOutcome>, Vec<Duration>) {
    let sleeper = RecordingSleeper::new();
    let (http, _) = config.http_client(UA, |b| b).unwrap();
    let url = format!("{}/thing", server.uri());
    let seen = Mutex::new(Vec::new());
    let decide = |attempt, sent: &Sent| {
        let outcome = outcome_of(sent, config.clock.as_ref());
        seen.lock().unwrap().push(outcome);
        policy.decide(idempotent, attempt, outcome, 1.0)
    };
    let request = |_| Ok::<_, ConfigError>(http.request(verb.clone(), &url));
    let (sent, attempts) = send_with_retry(&sleeper, None, request, decide).await.unwrap();
    let seen = seen.into_inner().unwrap();
    (sent, attempts, seen, sleeper.waits())
}

#[tokio::test]
async fn retries_on_the_crates_decision_and_waits_through_the_sleeper() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/thing"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/thing"))
        .respond_with(ResponseTemplate::new(200).set_body_string("done"))
        .expect(1)
        .mount(&server)
        .await;
    let config = config(&server, &clock(), Duration::from_secs(5));
    let (sent, attempts, seen, waits) =
        run(&server, &config, Method::GET, true, RetryPolicy::new(4)).await;
    let response = sent.unwrap();
    assert_eq!((response.status.as_u16(), response.body.as_slice()), (200, b"done".as_slice()));
    assert_eq!(attempts, 3);
    assert_eq!(seen[0], AttemptOutcome::Status { status: 503, retry_after: None });
    assert_eq!(waits, [Duration::from_millis(200), Duration::from_millis(400)]);
}

#[tokio::test]
async fn a_post_that_may_not_be_repeated_is_sent_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/thing"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let config = config(&server, &clock(), Duration::from_secs(5));
    let (sent, attempts, _, waits) =
        run(&server, &config, Method::POST, false, RetryPolicy::new(4)).await;
    assert_eq!(sent.unwrap().status.as_u16(), 503);
    assert_eq!(attempts, 1);
    assert!(waits.is_empty());
}

#[tokio::test]
async fn retry_after_is_read_on_the_injected_clock() {
    let server = MockServer::start().await;
    let clock = clock();
    // An HTTP date 30 s after the manual clock's time.
    let at = clock.now() + time::Duration::seconds(30);
    let date = at.format(&time::format_description::well_known::Rfc2822).unwrap();
    Mock::given(method("GET"))
        .and(path("/thing"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", date.as_str()))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/thing"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let config = config(&server, &clock, Duration::from_secs(5));
    let (sent, attempts, seen, waits) =
        run(&server, &config, Method::GET, true, RetryPolicy::new(2)).await;
    assert_eq!(sent.unwrap().status.as_u16(), 204);
    assert_eq!(attempts, 2);
    let thirty = Some(Duration::from_secs(30));
    assert_eq!(seen[0], AttemptOutcome::Status { status: 429, retry_after: thirty });
    assert_eq!(waits, [Duration::from_secs(30)]);
}

#[tokio::test]
async fn each_attempt_has_its_own_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/thing"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/thing"))
        .respond_with(ResponseTemplate::new(200).set_body_string("quick"))
        .expect(1)
        .mount(&server)
        .await;
    let config = config(&server, &clock(), Duration::from_millis(200));
    let (sent, attempts, seen, _) =
        run(&server, &config, Method::GET, true, RetryPolicy::immediate(3)).await;
    assert_eq!(seen[0], AttemptOutcome::Timeout);
    assert_eq!(attempts, 2);
    assert_eq!(sent.unwrap().body, b"quick");
}

#[tokio::test]
async fn a_timed_out_post_is_not_resent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/thing"))
        .respond_with(ResponseTemplate::new(201).set_delay(Duration::from_secs(2)))
        .expect(1)
        .mount(&server)
        .await;
    let config = config(&server, &clock(), Duration::from_millis(200));
    let (sent, attempts, seen, _) =
        run(&server, &config, Method::POST, false, RetryPolicy::immediate(3)).await;
    assert!(sent.unwrap_err().is_timeout());
    assert_eq!((attempts, seen), (1, vec![AttemptOutcome::Timeout]));
}

#[tokio::test]
async fn the_bucket_spaces_sends_through_the_sleeper_on_the_injected_clock() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/thing"))
        .respond_with(ResponseTemplate::new(201))
        .expect(62)
        .mount(&server)
        .await;
    let clock = clock();
    let config = config(&server, &clock, Duration::from_secs(5));
    let (http, _) = config.http_client(UA, |b| b).unwrap();
    let bucket = TokenBucket::new(60, Arc::new(clock.clone()));
    let sleeper = RecordingSleeper::advancing(clock.clone());
    let url = format!("{}/thing", server.uri());
    for _ in 0..62 {
        let request = |_| Ok::<_, ConfigError>(http.post(&url));
        let (sent, attempts) =
            send_with_retry(&sleeper, Some(&bucket), request, |_, _| RetryDecision::Stop)
                .await
                .unwrap();
        assert_eq!((sent.unwrap().status.as_u16(), attempts), (201, 1));
    }
    assert_eq!(sleeper.waits(), [Duration::from_secs(1), Duration::from_secs(1)]);
    assert_eq!(clock.unix_seconds(), 1_795_000_002);
}

#[tokio::test]
async fn the_config_builds_the_client_a_gaap_crate_sends_with() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/thing"))
        .and(header("user-agent", "my-service/1.0 gaap-test/0.0.1"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let mut config = config(&server, &clock(), Duration::from_secs(5));
    config.base_url = format!("{}/v2", server.uri());
    config.user_agent = Some("my-service/1.0".to_owned());
    let base = config.base().unwrap();
    assert!(base.path().ends_with("/v2/"));
    let (http, sent_as) = config.http_client(UA, |b| b).unwrap();
    assert_eq!(sent_as, "my-service/1.0 gaap-test/0.0.1");
    let status = http.get(base.join("thing").unwrap()).send().await.unwrap().status();
    assert_eq!(status.as_u16(), 200);

    config.base_url = "not a url".to_owned();
    let err = config.base().unwrap_err();
    assert!(matches!(err, ConfigError::BaseUrl { .. }), "{err:?}");
    assert!(std::error::Error::source(&err).is_some());
    assert!(err.to_string().contains("not a url"), "{err}");
}
