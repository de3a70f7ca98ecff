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

/// Runs `interop/browser/<script>` with node against a running server, as the browser checks do, and returns
/// its stdout once it exited 0 and printed `success`. Needs GAAP_NODE_MODULES (playwright-core and axe-core)
/// and GAAP_CHROMIUM, and fails, never skips, without them.
#[cfg(feature = "browser")]
#[allow(clippy::print_stdout)]
pub(crate) async fn browser_script(script: &str, args: Vec<String>, success: &str) -> String {
    use std::path::PathBuf;

    fn required_env(name: &str, what: &str) -> PathBuf {
        let value = std::env::var_os(name)
            .unwrap_or_else(|| panic!("the browser test needs {name}: {what}"));
        let path = PathBuf::from(value);
        assert!(path.exists(), "{name}={} does not exist: {what}", path.display());
        path
    }
    let modules =
        required_env("GAAP_NODE_MODULES", "interop/node_modules with playwright-core and axe-core");
    let chromium = required_env("GAAP_CHROMIUM", "a Chromium binary, e.g. /usr/bin/chromium");
    for package in ["playwright-core", "axe-core"] {
        assert!(modules.join(package).is_dir(), "{package} is not in {}", modules.display());
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../interop/browser").join(script);
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node")
            .arg(path)
            .args(args)
            .env("GAAP_NODE_MODULES", &modules)
            .env("GAAP_CHROMIUM", &chromium)
            .output()
            .expect("cannot run node")
    })
    .await
    .expect("the node runner");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}\n{stderr}");
    assert!(output.status.success(), "{script} failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains(success), "{script} did not say {success:?}:\n{stdout}");
    stdout
}
