//! The configs in docs/gateway parse, and the documented one starts a gateway (with its sessions moved to a
//! temporary folder).

use std::path::PathBuf;

use gaap_server::{Config, Logger, Server};

fn docs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/gateway")
}

#[tokio::test]
async fn the_documented_gateway_config_starts() {
    let mut config = Config::from_file(&docs().join("gateway.json")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    config.listen = Some("127.0.0.1:0".parse().unwrap());
    let gateway = config.gateway.as_mut().unwrap();
    assert!(gateway.one_login.private_key_file.is_absolute(), "resolved beside the config file");
    gateway.sessions = Some(gaap_server::gateway::config::SessionsUrl::new(format!(
        "sqlite:{}",
        dir.path().join("s.sqlite3").display()
    )));
    let server = Server::new(config).logger(Logger::off()).start().await.unwrap();
    server.shutdown().await;

    let sandbox: gaap_sandbox::Config =
        gaap_sandbox::Config::from_file(&docs().join("sandbox.json")).unwrap();
    assert_eq!(
        sandbox.one_login.clients[0].redirect_uris,
        ["http://127.0.0.1:8080/_gaap/callback"]
    );
}

#[test]
fn an_unknown_gateway_key_is_refused_with_its_name() {
    let err = Config::from_json(
        r#"{"gateway": {"upstream": "http://127.0.0.1:1", "one_login": {"issuer": "https://x/",
            "client_id": "c", "private_key_file": "k.pem"}, "sesions": "sqlite:x"}}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("sesions"), "{err}");
}
