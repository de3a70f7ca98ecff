//! gaap-pay's client against the sandbox.

use futures::StreamExt as _;
use gaap_pay::retry::RetryPolicy;
use gaap_pay::{ApiKey, Client, CreatePaymentRequest, Money};
use gaap_sandbox::{Config, FaultConfig, PayConfig};

use crate::common::{clock, start};

fn client(h: &gaap_sandbox::SandboxHandle, retry: RetryPolicy) -> Client {
    Client::builder(ApiKey::new(h.credentials().pay.api_key.expose()))
        .base_url(h.credentials().pay.base_url.clone())
        .retry_policy(retry)
        .build()
        .unwrap()
}

#[tokio::test]
async fn gaap_pay_creates_gets_and_cancels() {
    let clock = clock();
    let config = Config {
        pay: PayConfig { post_rate_limit_per_second: 0, ..PayConfig::default() },
        ..Config::default()
    };
    let h = start(config, &clock).await;
    let pay = client(&h, RetryPolicy::never());
    let request = CreatePaymentRequest::new(
        Money::from_pence(1250),
        "INV-1",
        "Parking permit",
        "https://council.example.gov.uk/paid",
    );
    let payment = pay.create_payment(&request).await.unwrap();
    assert!(payment.next_url().is_some());
    let got = pay.get_payment(&payment.payment_id).await.unwrap();
    assert_eq!(got.state.status.as_str(), "created");
    pay.cancel_payment(&payment.payment_id).await.unwrap();
    let got = pay.get_payment(&payment.payment_id).await.unwrap();
    assert!(got.state.finished);
    let found = pay.find_payments_by_reference("INV-1").await.unwrap();
    assert_eq!(found.len(), 1);
}

/// Acceptance: under 20% injected faults (resets and 5xx after the handler ran, 429s), 1,000 idempotent
/// creates through gaap-pay leave exactly 1,000 payments.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_idempotent_creates_under_faults_leave_a_thousand_payments() {
    let clock = clock();
    let config = Config {
        pay: PayConfig {
            post_rate_limit_per_second: 0,
            get_rate_limit_per_second: 0,
            ..PayConfig::default()
        },
        faults: FaultConfig {
            error_rate: 0.08,
            reset_rate: 0.08,
            rate_limit_rate: 0.04,
            ..FaultConfig::default()
        },
        ..Config::default()
    };
    let h = start(config, &clock).await;
    let pay = client(&h, RetryPolicy::immediate(30));
    let results: Vec<_> = futures::stream::iter(0..1000)
        .map(|i| {
            let pay = pay.clone();
            async move {
                let request = CreatePaymentRequest::new(
                    Money::from_pence(100 + i),
                    format!("REF-{i}"),
                    "Fault test",
                    "https://council.example.gov.uk/paid",
                )
                .with_idempotency_key();
                pay.create_payment(&request).await
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let failures: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(
        failures.is_empty(),
        "{} creates failed, first: {:?}",
        failures.len(),
        failures.first()
    );
    let mut ids: Vec<_> = results.into_iter().map(|r| r.unwrap().payment_id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1000);
    assert_eq!(h.payment_count(), 1000);
}
