//! Two replicas of the council tax app behind nginx (docs/deploy/nginx-council-tax.conf, less TLS), sharing
//! one PostgreSQL database. A resident moves between them mid-journey; both receive Pay's webhooks; exactly
//! one receipt is sent. Needs GAAP_TEST_POSTGRES_URL and Debian's nginx at /usr/sbin/nginx; fails without.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use gaap_examples::council_tax::{self, Backends, Config};
use gaap_examples::store::Database;
use reqwest::header::ORIGIN;
use reqwest::{Client, StatusCode};

use crate::support::{between, browser, csrf_in, location, postgres_schema_url};

const NGINX: &str = "/usr/sbin/nginx";

/// nginx as a child in the foreground; stopped with SIGTERM (so the master takes its workers down).
struct Nginx {
    child: Child,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let stopped =
            Command::new("kill").args(["-TERM", &pid]).status().is_ok_and(|s| s.success());
        if !stopped {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// docs/deploy/nginx-council-tax.conf on loopback without TLS: the replicas' ports for 8091-8092, `listen`
/// on `port`, no `ssl_` lines, logs in `dir`.
fn site(port: u16, replicas: [u16; 2], dir: &Path) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/deploy/nginx-council-tax.conf");
    let template = std::fs::read_to_string(&path).unwrap();
    let mut out = String::new();
    for line in template.lines().filter(|l| !l.trim_start().starts_with('#')) {
        let t = line.trim_start();
        let line = if t.starts_with("listen ") {
            format!("    listen 127.0.0.1:{port};")
        } else if t.starts_with("ssl_") {
            continue;
        } else if t.starts_with("access_log ") {
            format!("    access_log {}/access.log upstreams;", dir.display())
        } else if t.starts_with("error_log ") {
            format!("    error_log {}/error.log warn;", dir.display())
        } else {
            line.replace("127.0.0.1:8091", &format!("127.0.0.1:{}", replicas[0]))
                .replace("127.0.0.1:8092", &format!("127.0.0.1:{}", replicas[1]))
        };
        out.push_str(&line);
        out.push('\n');
    }
    assert!(out.contains(&format!("server 127.0.0.1:{} ", replicas[1])), "{out}");
    out
}

async fn start_nginx(port: u16, replicas: [u16; 2], dir: &Path) -> Nginx {
    assert!(
        Path::new(NGINX).is_file(),
        "the replica test needs nginx at {NGINX} (Debian package nginx; .ci/install-system installs it)"
    );
    let d = dir.display();
    let conf = format!(
        "pid {d}/nginx.pid;\nerror_log {d}/error.log warn;\nworker_processes 1;\n\
         events {{ worker_connections 256; }}\nhttp {{\n\
         client_body_temp_path {d}/body;\nproxy_temp_path {d}/proxy;\nfastcgi_temp_path {d}/fastcgi;\n\
         uwsgi_temp_path {d}/uwsgi;\nscgi_temp_path {d}/scgi;\n\
         log_format upstreams '$request_method $uri $status $upstream_addr';\n{}}}\n",
        site(port, replicas, dir)
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let child = Command::new(NGINX)
        .arg("-p")
        .arg(dir)
        .arg("-e")
        .arg(dir.join("error.log"))
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .args(["-g", "daemon off;"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx starts");
    let mut nginx = Nginx { child };
    let start = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        if let Some(status) = nginx.child.try_wait().unwrap() {
            let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
            panic!("nginx exited ({status}):\n{log}");
        }
        assert!(start.elapsed() < Duration::from_secs(30), "nginx is not listening on {port}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    nginx
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// One replica: the app on its own listener, its own clients, the shared database and public URL.
async fn replica(
    creds: &gaap_sandbox::Credentials,
    public_url: &str,
    database: &str,
    form_action_origins: Vec<String>,
) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let mut config = Config::for_public_url(public_url);
    config.database = Database::Postgres(database.to_owned());
    config.form_action_origins = form_action_origins;
    let backends = Backends::for_sandbox(creds, public_url).unwrap();
    let router = council_tax::router(config, backends).await.unwrap();
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    (url, task)
}

async fn receipts(outbox: &str, reference: &str) -> usize {
    let body: serde_json::Value = reqwest::get(outbox).await.unwrap().json().await.unwrap();
    body["notifications"].as_array().unwrap().iter().filter(|n| n["reference"] == reference).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journey_split_across_two_replicas_behind_nginx_sends_one_receipt() {
    let dir = tempfile::tempdir().unwrap();
    // nginx's workers may run as another user when the test runs as root: they must reach the folder.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let front = free_port();
    let public_url = format!("http://127.0.0.1:{front}");
    let database = postgres_schema_url().await;
    // Webhooks wait in the sandbox's queue until the test lets them go (run_due).
    let sandbox =
        gaap_sandbox::Sandbox::start(council_tax::sandbox_config(&public_url).without_background())
            .await
            .unwrap();
    let creds = sandbox.credentials().clone();
    let origins: Vec<String> = [&creds.pay.base_url, &creds.one_login.issuer]
        .iter()
        .map(|u| reqwest::Url::parse(u).unwrap().origin().ascii_serialization())
        .collect();
    let (a, task_a) = replica(&creds, &public_url, &database, origins.clone()).await;
    let (b, task_b) = replica(&creds, &public_url, &database, origins).await;
    let port = |url: &str| url.rsplit(':').next().unwrap().parse::<u16>().unwrap();
    let _nginx = start_nginx(front, [port(&a), port(&b)], dir.path()).await;
    let outbox = format!("{}/_sandbox/outbox.json", creds.notify.base_url);

    let resident = browser();
    let get = |url: String| resident.get(url).send();
    let submit = |url: String, form: Vec<(&'static str, String)>| {
        resident.post(url).header(ORIGIN, &public_url).form(&form).send()
    };

    // Sign-in starts on A; One Login sends the browser back through nginx.
    let to_one_login = get(format!("{a}/sign-in")).await.unwrap();
    let authorize = location(&to_one_login);
    let page = get(authorize.clone()).await.unwrap().text().await.unwrap();
    let request_id = between(&page, "name=\"request_id\" value=\"", "\"").to_owned();
    let action = reqwest::Url::parse(&authorize).unwrap().join("/authorize/sign-in").unwrap();
    let form = [("request_id", request_id.as_str()), ("user", "0"), ("outcome", "success")];
    let back = location(&resident.post(action).form(&form).send().await.unwrap());
    assert!(back.starts_with(&format!("{public_url}/sign-in/callback?")), "{back}");
    let callback = get(back).await.unwrap();
    assert_eq!(callback.status(), StatusCode::SEE_OTHER, "signed in through nginx");

    // The session is in the database: B knows the resident, and A does too.
    let postcode_page = get(format!("{b}/postcode")).await.unwrap();
    assert_eq!(postcode_page.status(), StatusCode::OK, "B recognises the session");
    let token = csrf_in(&postcode_page.text().await.unwrap());
    let to_address = submit(
        format!("{a}/postcode"),
        vec![("postcode", "SW1A 2AA".into()), ("csrf_token", token.clone())],
    )
    .await
    .unwrap();
    assert_eq!(to_address.status(), StatusCode::SEE_OTHER, "A takes B's form");
    let address_page = get(format!("{b}/address")).await.unwrap().text().await.unwrap();
    let uprn = between(&address_page, "id=\"uprn\" name=\"uprn\" type=\"radio\" value=\"", "\"");
    let to_amount = submit(
        format!("{b}/address"),
        vec![("uprn", uprn.to_owned()), ("csrf_token", token.clone())],
    )
    .await
    .unwrap();
    assert_eq!(location(&to_amount), format!("{b}/amount-due"));
    for _ in 0..2 {
        let amount = get(format!("{public_url}/amount-due")).await.unwrap();
        assert_eq!(amount.status(), StatusCode::OK, "through nginx, whichever replica answers");
    }

    // Pay from A; Pay's card pages; back comes later.
    let to_pay = submit(format!("{a}/pay"), vec![("csrf_token", token.clone())]).await.unwrap();
    assert_eq!(to_pay.status(), StatusCode::SEE_OTHER);
    let card_page = location(&get(location(&to_pay)).await.unwrap());
    let card = [
        ("cardNo", "4444333322221111"),
        ("expiryMonth", "12"),
        ("expiryYear", "30"),
        ("cardholderName", "Test"),
        ("cvc", "123"),
        ("action", "pay"),
    ];
    let submitted = resident.post(&card_page).form(&card).send().await.unwrap();
    assert_eq!(submitted.status(), StatusCode::SEE_OTHER);
    let confirmed = resident.post(format!("{card_page}/confirm")).send().await.unwrap();
    let return_url = location(&confirmed);
    assert!(return_url.starts_with(&format!("{public_url}/payment-return/")), "{return_url}");

    // Pay's webhooks for the payment, before the resident is back: each goes to both replicas at once.
    let webhooks: Vec<_> = sandbox
        .deliveries()
        .into_iter()
        .filter(|d| d.url == format!("{public_url}/webhooks/pay"))
        .collect();
    assert!(webhooks.len() >= 2, "succeeded and captured: {webhooks:#?}");
    let pay_webhook = |url: String, delivery: &gaap_sandbox::Delivery| {
        let mut request = Client::new().post(url).body(delivery.body.clone());
        for (name, value) in &delivery.headers {
            request = request.header(name, value);
        }
        request.send()
    };
    let mut sends = Vec::new();
    for delivery in &webhooks {
        sends.push(pay_webhook(format!("{a}/webhooks/pay"), delivery));
        sends.push(pay_webhook(format!("{b}/webhooks/pay"), delivery));
    }
    for answer in futures_join(sends).await {
        assert_eq!(answer.unwrap().status(), StatusCode::OK);
    }
    let reference = "CT-000001";
    assert_eq!(receipts(&outbox, reference).await, 1, "one receipt, however many replicas heard");

    // The sandbox's own deliveries (through nginx), then the resident back on the return page.
    sandbox.run_due().await;
    let back = get(return_url).await.unwrap();
    let confirmation = location(&back);
    let page = get(confirmation.replace(&public_url, &b)).await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("<strong id=\"payment-reference\">{reference}</strong>")));
    assert_eq!(receipts(&outbox, reference).await, 1, "still one receipt");

    // nginx sent the resident's requests to both replicas.
    let access = std::fs::read_to_string(dir.path().join("access.log")).unwrap();
    for replica in [&a, &b] {
        let addr = replica.trim_start_matches("http://");
        assert!(access.contains(addr), "nginx used {addr}:\n{access}");
    }
    task_a.abort();
    task_b.abort();
}

/// Runs the requests concurrently and returns their results in order.
async fn futures_join<F>(futures: Vec<F>) -> Vec<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}
