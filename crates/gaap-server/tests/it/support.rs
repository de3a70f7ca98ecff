//! Starting a server on a free loopback port.

use gaap_server::{Config, Logger, Server, ServerHandle};

/// Starts a server for `config` JSON (listen is forced to 127.0.0.1:0) and waits until it is ready.
pub(crate) async fn start(config: &str) -> ServerHandle {
    let mut config = Config::from_json(config).expect("config parses");
    config.listen = Some("127.0.0.1:0".parse().expect("addr"));
    let handle = Server::new(config).logger(Logger::off()).start().await.expect("server starts");
    handle.ready().await.expect("index loads");
    handle
}
