//! Two gateway replicas behind nginx, sharing a PostgreSQL session store (feature `postgres`: needs
//! GAAP_TEST_POSTGRES_URL, which scripts/test.sh sets, and /usr/sbin/nginx; fails without them).

#![cfg(feature = "postgres")]

use std::path::Path;
use std::process::{Child, Command, Stdio};

use super::{
    Browser, Choice, Logs, Upstream, clock, free_port, gateway_json, sandbox, start_gateway,
};

const NGINX: &str = "/usr/sbin/nginx";

/// The test database URL, with a fresh schema of its own as the search path.
pub(crate) async fn postgres_schema_url() -> String {
    let url = std::env::var("GAAP_TEST_POSTGRES_URL").expect(
        "the postgres feature is on but GAAP_TEST_POSTGRES_URL is not set: point it at a throwaway \
         PostgreSQL server (scripts/test.sh starts one; or eval \"$(scripts/pg-start.sh)\")",
    );
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let schema = format!("gaap_gw_{}_{nanos}", std::process::id());
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .expect("PostgreSQL is reachable");
    tokio::spawn(connection);
    client
        .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
        .await
        .unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-c%20search_path%3D{schema}")
}

/// nginx in front of `backends`, on `port`, until dropped.
struct Nginx {
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM, so the master stops its workers (SIGKILL would leave them running).
        let stopped = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        if !stopped {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

impl Nginx {
    async fn start(port: u16, backends: &[u16]) -> Self {
        assert!(
            Path::new(NGINX).exists(),
            "the replica test needs nginx at {NGINX} (Debian package nginx; .ci/install-system installs it)"
        );
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display();
        let servers: String =
            backends.iter().map(|p| format!("server 127.0.0.1:{p} max_fails=0;\n")).collect();
        let conf = format!(
            "worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n  access_log off;\n\
               client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;\n\
               uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
               upstream gateways {{\n{servers}  }}\n\
               server {{\n    listen 127.0.0.1:{port};\n\
                 location / {{\n      proxy_pass http://gateways;\n      proxy_http_version 1.1;\n\
                   proxy_set_header Connection \"\";\n      proxy_set_header Host $http_host;\n\
                   proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n\
                   proxy_buffering off;\n      proxy_request_buffering off;\n    }}\n  }}\n}}\n"
        );
        std::fs::write(dir.path().join("nginx.conf"), conf).unwrap();
        let child = Command::new(NGINX)
            .arg("-p")
            .arg(dir.path())
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .arg("-g")
            .arg("daemon off;")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("nginx starts");
        let nginx = Self { child, _dir: dir };
        // Wait for nginx to listen (it gives no other sign of readiness).
        for _ in 0..500 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return nginx;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("nginx did not start listening on {port}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_behind_nginx_share_sessions_and_back_channel_logout() {
    let clock = clock();
    let dir = tempfile::tempdir().unwrap();
    let (public, a, b) = (free_port(), free_port(), free_port());
    let public_url = format!("http://127.0.0.1:{public}");
    let (url_a, url_b) = (format!("http://127.0.0.1:{a}"), format!("http://127.0.0.1:{b}"));
    // One Login knows the public (nginx) URL; its logout tokens go to replica A alone.
    let sandbox = sandbox(&clock, &[url_a.clone(), public_url.clone()]).await;
    let upstream = Upstream::start().await;
    let sessions = postgres_schema_url().await;
    let config = gateway_json(&sandbox, dir.path(), &upstream.url, &sessions);
    let (logs_a, logs_b) = (Logs::default(), Logs::default());
    let replica_a = start_gateway(a, Some(&public_url), config.clone(), &clock, &logs_a).await;
    let replica_b = start_gateway(b, Some(&public_url), config, &clock, &logs_b).await;
    let _nginx = Nginx::start(public, &[a, b]).await;

    let issuer = sandbox.credentials().one_login.issuer.clone();
    let mut browser = Browser::new(&public_url, &issuer);
    browser.also = vec![url_a.clone(), url_b.clone()];

    // Sign in starting at replica A; the callback comes back through nginx.
    let start = browser.get(&format!("{url_a}/account")).await;
    assert_eq!(start.status, 302, "{}", start.body);
    assert_eq!(
        super::query(&start.location())["redirect_uri"],
        format!("{public_url}/_gaap/callback")
    );
    let callback = browser.sandbox_sign_in(&start.location(), &Choice::default()).await;
    assert!(callback.starts_with(&public_url), "{callback}");
    let back = browser.get(&callback).await;
    assert_eq!(back.status, 303, "{}", back.body);

    // Recognised by B directly, by A directly, and through nginx whichever replica answers.
    for url in [&url_b, &url_a, &public_url, &public_url, &public_url, &public_url] {
        let page = browser.get(&format!("{url}/account")).await;
        assert_eq!(page.status, 200, "{url}: {}", page.body);
        assert_eq!(page.echoed("x-gaap-sub").as_deref(), Some(super::SUB));
    }
    let via_nginx = browser.get(&format!("{public_url}/account")).await;
    let xff = via_nginx.echoed("x-forwarded-for").unwrap();
    assert_eq!(xff, "127.0.0.1, 127.0.0.1", "nginx's address is appended to the client's");
    assert_eq!(via_nginx.echoed("x-forwarded-host").unwrap(), format!("127.0.0.1:{public}"));

    // A second device signs in too (through B).
    let mut phone = Browser::new(&public_url, &issuer);
    phone.also = vec![url_a.clone(), url_b.clone()];
    let start = phone.get(&format!("{url_b}/")).await;
    let callback = phone.sandbox_sign_in(&start.location(), &Choice::default()).await;
    assert_eq!(phone.get(&callback).await.status, 303);
    assert_eq!(phone.get(&format!("{url_a}/")).await.status, 200);

    // One Login's logout token reaches replica A; both sessions end on both replicas.
    sandbox.back_channel_logout(super::SUB);
    sandbox.run_due().await;
    let delivery = sandbox
        .deliveries()
        .into_iter()
        .find(|d| d.url.ends_with("/_gaap/back-channel-logout"))
        .expect("a logout token was sent");
    assert!(delivery.url.starts_with(&url_a));
    assert_eq!(delivery.attempts.last().and_then(|a| a.status), Some(200));
    for (who, url) in [("laptop", &url_b), ("laptop", &url_a), ("laptop", &public_url)] {
        assert_eq!(browser.get(&format!("{url}/account")).await.status, 302, "{who} at {url}");
    }
    assert_eq!(phone.get(&format!("{url_b}/")).await.status, 302, "phone at B");

    // The same token replayed at replica B is refused: the jti is in the shared store.
    let replay = phone
        .send(|c| {
            c.post(format!("{url_b}/_gaap/back-channel-logout"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(delivery.body.clone())
        })
        .await;
    assert_eq!(replay.status, 400);
    assert!(logs_b.text().contains("replayed"), "{}", logs_b.text());

    // Sign-out through one replica ends the session for the other.
    let start = browser.get(&format!("{url_a}/account")).await;
    let callback = browser.sandbox_sign_in(&start.location(), &Choice::default()).await;
    assert_eq!(browser.get(&callback).await.status, 303);
    let stolen = browser.session().unwrap();
    let form = browser.get(&format!("{url_b}/_gaap/sign-out")).await;
    let csrf = form.body.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap();
    let csrf = csrf.to_owned();
    let out = browser
        .send(|c| c.post(format!("{url_b}/_gaap/sign-out")).form(&[("csrf", csrf.as_str())]))
        .await;
    assert_eq!(out.status, 303);
    assert!(browser.session().is_none());
    let mut thief = Browser::new(&url_a, &issuer);
    thief.jar.insert("gaap_session".to_owned(), stolen);
    assert_eq!(thief.get(&format!("{url_a}/account")).await.status, 302, "ended on A too");
    drop((replica_a, replica_b));
}
