//! A GOV.UK One Login relying party: build the authorize request (state, nonce), read the callback, exchange
//! the code with `private_key_jwt`, validate the ID token and read userinfo.
//!
//! Runs against the in-process sandbox with its sign-in page skipped, so the "browser" here is a
//! reqwest client that does not follow redirects. In a web app you redirect the user's browser to
//! `request.url`, keep `request.pending` in the session, and handle the callback the same way.
//! `cargo run --example one-login-rp`
#![allow(clippy::print_stdout)]

use gaap_identity::{AuthorizeRequest, CallbackOutcome, Client, ClientKey, Scope};
use gaap_sandbox::{ClientConfig, Config, Sandbox};

const REDIRECT_URI: &str = "http://127.0.0.1:8080/callback";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut config = Config::default();
    config.one_login.auto_sign_in = true;
    config.one_login.clients = vec![ClientConfig {
        redirect_uris: vec![REDIRECT_URI.to_owned()],
        ..ClientConfig::default()
    }];
    let sandbox = Sandbox::start(config).await?;
    let creds = &sandbox.credentials().one_login;

    let client = Client::builder(&creds.issuer, &creds.client_id)
        .redirect_uri(REDIRECT_URI)
        .signing_key(ClientKey::from_pem(creds.private_key_pem.expose())?)
        .insecure_allow_http_loopback(true) // the sandbox is plain http on 127.0.0.1
        .build()?;
    let request = client.authorize(&AuthorizeRequest::new().scope(Scope::Email)).await?;
    println!("1. send the browser to {}", request.url);

    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let response = browser.get(request.url.as_str()).send().await?;
    let location =
        response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let callback = url::Url::parse(location)?;
    println!("2. One Login sends it back to {}", callback.path());

    match request.pending.callback(callback.query().unwrap_or_default())? {
        CallbackOutcome::Code(code) => {
            let tokens = client.exchange_code(&request.pending, code).await?;
            println!("3. ID token valid: sub {}, vot {}", tokens.claims.sub, tokens.claims.vot);
            let info = client.userinfo(&tokens).await?;
            println!("4. userinfo: {} ({})", info.email.unwrap_or_default(), info.sub);
        }
        CallbackOutcome::AccessDenied { description } => println!("access denied: {description:?}"),
        other => println!("sign-in failed: {other:?}"),
    }
    sandbox.shutdown().await;
    Ok(())
}
