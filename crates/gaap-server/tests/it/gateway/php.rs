//! The docs' PHP site (docs/gateway/php-site) behind the gateway, served by PHP's built-in server (Debian
//! package php-cli). Feature `interop` runs it with a reqwest browser; feature `browser` runs it in headless
//! Chromium with axe-core on the gateway's own pages (needs GAAP_NODE_MODULES and GAAP_CHROMIUM). Both
//! fail, not skip, when a tool is missing.

#![cfg(any(feature = "interop", feature = "browser"))]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use super::{Choice, Env};

/// The example site's folder.
fn site() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/gateway/php-site")
}

/// `php -S` on a free port, until dropped.
pub(crate) struct Php {
    pub(crate) url: String,
    child: Child,
}

impl Drop for Php {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Php {
    pub(crate) async fn start() -> Self {
        let port = super::free_port();
        let child = Command::new("php")
            .arg("-S")
            .arg(format!("127.0.0.1:{port}"))
            .arg("-t")
            .arg(site())
            .arg(site().join("index.php"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run php ({e}): install Debian's php-cli to run the gateway's PHP tests"
                )
            });
        let php = Self { url: format!("http://127.0.0.1:{port}"), child };
        // PHP's server gives no sign of readiness but listening.
        for _ in 0..500 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return php;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("php -S did not start listening on {port}");
    }
}

#[cfg(feature = "interop")]
#[tokio::test]
async fn the_php_site_reads_the_trusted_headers_and_signs_out_with_its_own_form() {
    let php = Php::start().await;
    let env = Env::start_with(|c| c["upstream"] = php.url.clone().into()).await;
    let mut browser = env.browser();
    assert_eq!(browser.sign_in("/account", &Choice::default()).await.status, 303);

    let url = format!("{}/account?format=json", env.url);
    let page =
        browser.send(|c| c.get(&url).header("X-Gaap-Sub", "urn:fdc:gov.uk:2022:attacker")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let seen = page.json();
    assert_eq!(seen["headers"]["x-gaap-sub"], super::SUB, "{seen}");
    assert_eq!(seen["headers"]["x-gaap-email"], "test@example.com");
    assert_eq!(seen["headers"]["x-gaap-email-verified"], "true");
    assert_eq!(seen["headers"]["x-gaap-vot"], "Cl.Cm");
    assert_eq!(seen["headers"]["x-forwarded-proto"], "http");
    assert!(seen["headers"].get("x-gaap-identity").is_none());

    // Step up to the identity route: the PHP page decodes X-Gaap-Identity.
    let back = browser.sign_in("/apply", &Choice::default()).await;
    assert_eq!(back.status, 303, "{}", back.body);
    let html = browser.get("/apply").await;
    assert!(html.body.contains("<strong id=\"name\">GEOFFREY HEARNSHAW</strong>"), "{}", html.body);
    assert!(html.body.contains("<strong id=\"birth-date\">1955-04-19</strong>"), "{}", html.body);

    // The PHP page's own sign-out form carries the gateway's token.
    let csrf = html
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let url = format!("{}/_gaap/sign-out", env.url);
    let out = browser.send(|c| c.post(&url).form(&[("csrf", csrf.as_str())])).await;
    assert_eq!(out.status, 303);
    assert!(out.location().starts_with(&format!("{}logout?", browser.issuer)));
    assert_eq!(browser.get("/account").await.status, 302);
}

#[cfg(feature = "browser")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_signs_in_through_the_gateway_to_the_php_site_with_axe_on_the_gateway_pages() {
    let php = Php::start().await;
    let env = Env::start_with(|c| c["upstream"] = php.url.clone().into()).await;
    let (url, issuer) = (env.url.clone(), env.sandbox.credentials().one_login.issuer.clone());
    let args = vec![url, issuer, super::SUB.to_owned()];
    crate::support::browser_script("gateway.mjs", args, "gateway journey passed").await;
}
