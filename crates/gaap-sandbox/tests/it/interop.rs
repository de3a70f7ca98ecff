//! Acceptance against the official clients (feature `interop`). The tools come from the environment the test
//! runner sets up; when the feature is on and a tool is missing, these tests fail with a message saying what
//! to install, never skip.

use std::path::{Path, PathBuf};
use std::process::Command;

use gaap_sandbox::{Config, KeyType, Sandbox, SandboxHandle};

fn python() -> String {
    std::env::var("GAAP_PYTHON").unwrap_or_else(|_| {
        panic!("GAAP_PYTHON is not set: point it at a python3 with interop/requirements.txt installed (feature `interop`)")
    })
}

fn node_modules() -> PathBuf {
    let dir = std::env::var("GAAP_NODE_MODULES").unwrap_or_else(|_| {
        panic!("GAAP_NODE_MODULES is not set: point it at interop/node_modules after `npm install` (feature `interop`)")
    });
    let dir = PathBuf::from(dir);
    for package in ["notifications-node-client", "openid-client"] {
        assert!(
            dir.join(package).is_dir(),
            "{package} is missing from GAAP_NODE_MODULES ({}): run npm install in interop",
            dir.display()
        );
    }
    dir
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../interop/sandbox").join(name)
}

async fn sandbox() -> SandboxHandle {
    Sandbox::start(Config::default()).await.unwrap()
}

/// Runs a command off the async runtime (the sandbox keeps serving) and fails with its output.
async fn run(mut command: Command) {
    let output = tokio::task::spawn_blocking(move || command.output()).await.unwrap().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "exit {:?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status.code()
    );
    assert!(
        stdout.contains("OK") || stdout.contains("passed"),
        "no success line\n{stdout}\n{stderr}"
    );
}

fn node(name: &str, credentials: &str) -> Command {
    let modules = node_modules();
    let mut c = Command::new("node");
    c.arg(script(name)).arg(credentials).env("NODE_PATH", &modules);
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_python_client_unmodified() {
    let h = sandbox().await;
    let mut c = Command::new(python());
    c.arg(script("notify_python.py")).arg(h.credentials_json());
    run(c).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_node_client_unmodified() {
    let h = sandbox().await;
    run(node("notify_node.mjs", &h.credentials_json())).await;
}

/// A sandbox set up as the clients' own integration suites expect (interop/sandbox/upstream-suites.json), with
/// PDFs ready at once so the scripts barely wait.
async fn suite_sandbox() -> SandboxHandle {
    let mut config = Config::from_file(&script("upstream-suites.json")).unwrap();
    config.notify.sending_after_seconds = 0;
    Sandbox::start(config).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_python_client_through_its_suites_steps() {
    let h = suite_sandbox().await;
    let mut c = Command::new(python());
    c.arg(script("notify_suite_python.py"))
        .arg(h.credentials_json())
        .arg(h.notify_api_key(KeyType::Team));
    run(c).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_node_client_through_its_suites_steps() {
    let h = suite_sandbox().await;
    let mut c = node("notify_suite_node.mjs", &h.credentials_json());
    c.arg(h.notify_api_key(KeyType::Team));
    run(c).await;
}

/// Schemathesis on live payments (see the hooks file): completed card payments, refunds, agreements and MOTO
/// payments, against the sandbox's own Pay document; with `GAAP_PAY_PUBLICAPI_SPEC` set to a copy of GOV.UK
/// Pay's own publicapi_spec.json (not shipped), against Pay's own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_on_live_payments_finds_no_5xx_and_no_schema_breaks() {
    let mut config = Config::default();
    config.pay.moto = true;
    config.pay.post_rate_limit_per_second = 0;
    config.pay.get_rate_limit_per_second = 0;
    let h = Sandbox::start(config).await.unwrap();
    let mut c = Command::new("sh");
    c.arg(script("schemathesis_pay_spec.sh")).arg(python()).arg(h.credentials_json());
    run(c).await;
}

/// One Login driven as the simulator's own test relying party drives it (jose defaults, fractional dates).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_login_as_the_simulators_test_rp_drives_it() {
    let mut config = Config::default();
    config.one_login.auto_sign_in = true;
    let h = Sandbox::start(config).await.unwrap();
    run(node("onelogin_micro_rp.mjs", &h.credentials_json())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openid_client_code_flow_with_private_key_jwt_and_pkce() {
    let h = sandbox().await;
    run(node("openid_client.mjs", &h.credentials_json())).await;
}

/// openid-client's own `ClientSecretPost` against a client registered with an Argon2id hash of its secret.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openid_client_code_flow_with_client_secret_post() {
    use argon2::password_hash::{PasswordHasher as _, SaltString};
    let secret = "openid-client-secret-for-the-sandbox";
    let salt = SaltString::from_b64("b3BlbmlkY2xpZW50c2FsdA").unwrap();
    let hash = argon2::Argon2::default().hash_password(secret.as_bytes(), &salt).unwrap();
    let mut config = Config::default();
    let client = &mut config.one_login.clients[0];
    client.token_auth_method = gaap_sandbox::TokenAuthMethod::ClientSecretPost;
    client.client_secret_hash = Some(gaap_sandbox::ClientSecretHash::new(hash.to_string()));
    client.identity_verification_supported = false;
    let h = Sandbox::start(config).await.unwrap();
    let mut c = node("openid_client.mjs", &h.credentials_json());
    c.env("GAAP_ONE_LOGIN_CLIENT_SECRET", secret);
    run(c).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_5xx_and_no_schema_breaks() {
    let h = sandbox().await;
    let mut c = Command::new("sh");
    c.arg(script("schemathesis.sh")).arg(python()).arg(h.credentials_json());
    run(c).await;
}
