//! Send an email and a text message through GOV.UK Notify, read their status back, and see how a bad
//! phone number is refused, with Notify's own message.
//!
//! Runs against the in-process sandbox with its default templates, and prints the sandbox outbox where
//! the messages show up. `cargo run --example notify-send`
#![allow(clippy::print_stdout)]

use gaap_notify::{Client, EmailRequest, Error, Personalisation, SmsRequest};
use gaap_sandbox::{Config, Sandbox, default_template_ids};

fn values(pairs: &[(&str, &str)]) -> Personalisation {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).into())).collect()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start(Config::default()).await?;
    let creds = &sandbox.credentials().notify;
    // The key is `{name}-{service id}-{secret}`; each request carries a fresh HS256 JWT signed with it.
    let notify =
        Client::builder(creds.api_key.expose().parse()?).base_url(&creds.base_url).build()?;

    let email = EmailRequest::new("ann@example.com", default_template_ids::EMAIL)
        .personalisation(values(&[("name", "Ann"), ("reference number", "HB-1234")]))
        .reference("housing-benefit-1234");
    let sent = notify.send_email(&email).await?;
    println!("email {}: \"{}\"", sent.id, sent.content.subject);

    let sms = SmsRequest::new("07700 900123", default_template_ids::SMS)
        .personalisation(values(&[("code", "4821")]));
    let text = notify.send_sms(&sms).await?;
    println!("text {}: \"{}\"", text.id, text.content.body);

    for id in [sent.id, text.id] {
        let notification = notify.get_notification(id).await?;
        println!("status of {id}: {}", notification.status.as_str());
    }

    // Notify checks recipients server side; the error carries its envelope and message.
    let bad = SmsRequest::new("0772 34", default_template_ids::SMS)
        .personalisation(values(&[("code", "1")]));
    match notify.send_sms(&bad).await {
        Err(Error::Validation(err)) => {
            println!("refused ({}): {}", err.status, err.message().unwrap_or_default())
        }
        other => println!("unexpected: {other:?}"),
    }
    println!("outbox: {}/_sandbox/outbox", creds.base_url);
    sandbox.shutdown().await;
    Ok(())
}
