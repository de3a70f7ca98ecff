//! A resident's browser over plain HTTP (cookies kept, redirects not followed), walking the council tax
//! journey against the in-process sandbox; and throwaway PostgreSQL schemas.

use std::sync::Mutex;

use gaap_examples::council_tax::{self, Running, SandboxOptions};
use gaap_examples::store::{Database, Records};
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};

pub struct Journey {
    pub running: Running,
    pub browser: Client,
    /// The app's records, opened a second time for the test to read.
    pub records: Records,
    /// The SQLite file, when the app runs on one.
    pub database: Option<std::path::PathBuf>,
    /// The `Origin` a browser on the public URL sends.
    pub origin: String,
    csrf: Mutex<Option<String>>,
    _dir: tempfile::TempDir,
}

/// The app on a SQLite file in a temporary folder.
pub async fn start() -> Journey {
    start_with(SandboxOptions::default()).await
}

/// The app with `options`; a SQLite file in a temporary folder when `options.database` is the default.
pub async fn start_with(mut options: SandboxOptions) -> Journey {
    let dir = tempfile::tempdir().unwrap();
    if options.database == Database::Memory {
        options.database = Database::Sqlite(dir.path().join("council-tax.sqlite3"));
    }
    let database = match &options.database {
        Database::Sqlite(path) => Some(path.clone()),
        _ => None,
    };
    let records = options.database.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let running = council_tax::run_with_options(listener, options).await.unwrap();
    Journey::new(running, &records, database, dir).await
}

/// The app on PostgreSQL, in a schema of its own.
#[cfg(feature = "postgres")]
pub async fn start_on_postgres() -> Journey {
    let url = postgres_schema_url().await;
    start_with(SandboxOptions { database: Database::Postgres(url), ..SandboxOptions::default() })
        .await
}

/// A client that keeps cookies and does not follow redirects.
pub fn browser() -> Client {
    Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap()
}

/// A new, empty schema on the PostgreSQL server at GAAP_TEST_POSTGRES_URL, as a URL that uses it.
#[cfg(feature = "postgres")]
pub async fn postgres_schema_url() -> String {
    let url = std::env::var("GAAP_TEST_POSTGRES_URL").expect(
        "the postgres feature is on but GAAP_TEST_POSTGRES_URL is not set: point it at a throwaway \
         PostgreSQL server (scripts/test.sh starts one; or eval \"$(scripts/pg-start.sh)\")",
    );
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let schema = format!("council_tax_{}_{nanos}", std::process::id());
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .expect("PostgreSQL is reachable");
    tokio::spawn(connection);
    client.batch_execute(&format!("CREATE SCHEMA {schema}")).await.unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-c%20search_path%3D{schema}")
}

pub fn location(response: &Response) -> String {
    let to = response.headers().get("location").expect("a redirect").to_str().unwrap();
    response.url().join(to).unwrap().to_string()
}

pub fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("{start:?} not in {text}")) + start.len();
    let len = text[from..].find(end).unwrap();
    &text[from..from + len]
}

/// The CSRF token in a page's forms.
pub fn csrf_in(page: &str) -> String {
    between(page, "name=\"csrf_token\" value=\"", "\"").to_owned()
}

/// The `Set-Cookie` headers of a response.
pub fn set_cookies(response: &Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

impl Journey {
    /// A resident's browser for an app already running on `database`.
    pub async fn new(
        running: Running,
        database: &Database,
        file: Option<std::path::PathBuf>,
        dir: tempfile::TempDir,
    ) -> Self {
        let records = database.open().await.unwrap();
        let origin = running.url.clone();
        Journey {
            running,
            browser: browser(),
            records,
            database: file,
            origin,
            csrf: Mutex::new(None),
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.url)
    }

    pub async fn get(&self, url: &str) -> Response {
        self.browser.get(url).send().await.unwrap()
    }

    /// A POST to anywhere (the sandbox's pages), with no `Origin`.
    pub async fn post(&self, url: &str, form: &[(&str, &str)]) -> Response {
        self.browser.post(url).form(form).send().await.unwrap()
    }

    /// A form on the app's page, as a browser sends it: from the app's origin, with the session's token.
    pub async fn submit(&self, path: &str, form: &[(&str, &str)]) -> Response {
        let token = self.token().await;
        let mut fields = form.to_vec();
        fields.push(("csrf_token", &token));
        self.browser
            .post(self.url(path))
            .header("Origin", &self.origin)
            .form(&fields)
            .send()
            .await
            .unwrap()
    }

    /// The session's CSRF token, read once from the postcode page.
    pub async fn token(&self) -> String {
        if let Some(token) = self.csrf.lock().unwrap().clone() {
            return token;
        }
        let page = self.get(&self.url("/postcode")).await.text().await.unwrap();
        let token = csrf_in(&page);
        *self.csrf.lock().unwrap() = Some(token.clone());
        token
    }

    /// Signs in on the sandbox's One Login page as sandbox user `user` with the given outcome; returns
    /// the callback's response.
    pub async fn sign_in_as(&self, user: &str, outcome: &str) -> Response {
        *self.csrf.lock().unwrap() = None;
        let to_one_login = self.get(&self.url("/start")).await;
        assert_eq!(location(&to_one_login), self.url("/sign-in"));
        let authorize = location(&self.get(&self.url("/sign-in")).await);
        let back = self.one_login(&authorize, user, outcome).await;
        self.get(&back).await
    }

    /// On the sandbox's One Login page at `authorize`: sign in; returns where it sends the browser back.
    pub async fn one_login(&self, authorize: &str, user: &str, outcome: &str) -> String {
        let page = self.get(authorize).await.text().await.unwrap();
        let request_id = between(&page, "name=\"request_id\" value=\"", "\"");
        let action = reqwest::Url::parse(authorize).unwrap().join("/authorize/sign-in").unwrap();
        let back = self
            .post(
                action.as_str(),
                &[("request_id", request_id), ("user", user), ("outcome", outcome)],
            )
            .await;
        location(&back)
    }

    pub async fn sign_in(&self, outcome: &str) -> Response {
        self.sign_in_as("0", outcome).await
    }

    /// Postcode → first address → amount due page.
    pub async fn choose_address(&self, postcode: &str) -> String {
        let to_address = self.submit("/postcode", &[("postcode", postcode)]).await;
        assert_eq!(location(&to_address), self.url("/address"));
        let page = self.get(&self.url("/address")).await.text().await.unwrap();
        let uprn =
            between(&page, "id=\"uprn\" name=\"uprn\" type=\"radio\" value=\"", "\"").to_owned();
        let to_amount = self.submit("/address", &[("uprn", &uprn)]).await;
        assert_eq!(location(&to_amount), self.url("/amount-due"));
        self.get(&self.url("/amount-due")).await.text().await.unwrap()
    }

    /// Continue to payment and fill in the sandbox card page; returns the URL Pay sends the payer back to
    /// (not yet visited).
    pub async fn pay_until_return(&self, card: &str, action: &str) -> String {
        let to_pay = self.submit("/pay", &[]).await;
        assert_eq!(to_pay.status(), StatusCode::SEE_OTHER);
        let card_page = location(&self.get(&location(&to_pay)).await);
        let form = [
            ("cardNo", card),
            ("expiryMonth", "12"),
            ("expiryYear", "30"),
            ("cardholderName", "Test"),
            ("cvc", "123"),
            ("action", action),
        ];
        let submitted = self.post(&card_page, &form).await;
        let back_url = if submitted.status() == StatusCode::SEE_OTHER {
            // Authorised: confirm, and Pay redirects to the return URL.
            location(&self.post(&format!("{card_page}/confirm"), &[]).await)
        } else {
            // Declined or cancelled: Pay's page links back with Continue.
            let page = submitted.text().await.unwrap();
            between(&page, "class=\"govuk-link\" href=\"", "\">Continue").replace("&amp;", "&")
        };
        assert!(
            back_url.starts_with(&self.running.url),
            "Pay sends the payer back to the service: {back_url}"
        );
        back_url
    }

    /// Continue to payment, then the sandbox card page; returns the service page Pay sends the payer back to.
    pub async fn pay(&self, card: &str, action: &str) -> Response {
        let back_url = self.pay_until_return(card, action).await;
        self.get(&back_url).await
    }

    /// The sandbox outbox's notifications with `reference`.
    pub async fn receipts(&self, reference: &str) -> Vec<serde_json::Value> {
        let outbox: serde_json::Value =
            reqwest::get(&self.running.outbox_json_url).await.unwrap().json().await.unwrap();
        outbox["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["reference"] == reference)
            .cloned()
            .collect()
    }

    /// Runs the sandbox's clock until the app has recorded a webhook for `payment_id`; returns the
    /// deliveries the sandbox made for it.
    pub async fn webhooks_for(&self, payment_id: &str) -> Vec<gaap_sandbox::Delivery> {
        let sandbox = self.running.sandbox.handle();
        for _ in 0..1000 {
            sandbox.run_due().await;
            let sent: Vec<_> = sandbox
                .deliveries()
                .into_iter()
                .filter(|d| d.url.ends_with("/webhooks/pay") && d.body.contains(payment_id))
                .collect();
            if !sent.is_empty() && self.records.webhook_count(payment_id).await.unwrap() > 0 {
                return sent;
            }
            tokio::task::yield_now().await;
        }
        panic!("the sandbox sent no webhook for {payment_id} that the app recorded");
    }
}
