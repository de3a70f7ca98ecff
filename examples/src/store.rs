//! The council tax service's records: applications, payments, received Pay webhooks and residents'
//! sessions, in SQLite ([`Store`], one process) or PostgreSQL ([`PgStore`], shared by replicas). [`Records`]
//! is either; the app only talks to that.
//!
//! Both databases run the same SQL: parameters are written `$1`, `$2`, … in the order they appear, which
//! SQLite reads as positional too.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::{Connection, OptionalExtension, params};

/// A stored application: who asked to pay what for which property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    /// Row id, also used as the payment's `reference` suffix.
    pub id: i64,
    /// The One Login subject that signed in.
    pub subject: String,
    /// The email address the receipt goes to.
    pub email: String,
    /// The property's UPRN.
    pub uprn: String,
    /// The address as one line.
    pub address: String,
    /// The council's name.
    pub council: String,
    /// The council tax band letter.
    pub band: String,
    /// Amount due, in pence.
    pub amount_pence: u64,
}

/// A payment row: Pay's id and the latest status seen (from the API or a webhook).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRecord {
    /// Pay's `payment_id`.
    pub payment_id: String,
    /// The application it pays for.
    pub application_id: i64,
    /// The reference sent to Pay.
    pub reference: String,
    /// What the resident is told: `created`, `started`, `submitted`, `success`, `declined`, `cancelled`,
    /// `failed`, …
    pub status: String,
}

/// A session row: the session's data (JSON) and its times, Unix seconds on the app's clock.
#[derive(Debug, Clone)]
pub struct SessionRow {
    /// The session's data, as the app wrote it.
    pub data: String,
    /// When the session was created (at sign-in).
    pub created_at: i64,
    /// When it was last used.
    pub last_seen: i64,
}

/// Which database to use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Database {
    /// SQLite in memory: gone when the process ends.
    #[default]
    Memory,
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL URL (`postgres://user@host:port/db`); replicas share it.
    Postgres(String),
}

impl Database {
    /// `postgres://…` or `postgresql://…` is PostgreSQL; anything else is a SQLite file's path.
    #[must_use]
    pub fn parse(value: &str) -> Self {
        if value.starts_with("postgres://") || value.starts_with("postgresql://") {
            Self::Postgres(value.to_owned())
        } else {
            Self::Sqlite(PathBuf::from(value))
        }
    }

    /// Opens the database and creates the tables it lacks.
    ///
    /// # Errors
    /// When the database cannot be opened or reached.
    pub async fn open(&self) -> Result<Records, StoreError> {
        match self {
            Self::Memory => Ok(Records::Sqlite(Store::in_memory()?)),
            Self::Sqlite(path) => Ok(Records::Sqlite(Store::open(path)?)),
            Self::Postgres(url) => Ok(Records::Postgres(PgStore::connect(url).await?)),
        }
    }
}

impl From<Option<PathBuf>> for Database {
    fn from(path: Option<PathBuf>) -> Self {
        path.map_or(Self::Memory, Self::Sqlite)
    }
}

impl From<PathBuf> for Database {
    fn from(path: PathBuf) -> Self {
        Self::Sqlite(path)
    }
}

/// A database failure.
#[derive(Debug)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite failed.
    Sqlite(rusqlite::Error),
    /// PostgreSQL failed (the message never holds the URL's password).
    Postgres(tokio_postgres::Error),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(err) => write!(f, "SQLite: {err}"),
            Self::Postgres(err) => write!(f, "PostgreSQL: {err}"),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Sqlite(err) => Some(err),
            Self::Postgres(err) => Some(err),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        Self::Sqlite(err)
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(err: tokio_postgres::Error) -> Self {
        Self::Postgres(err)
    }
}

const SQLITE_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS applications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subject TEXT NOT NULL,
    uprn TEXT NOT NULL,
    address TEXT NOT NULL,
    council TEXT NOT NULL,
    band TEXT NOT NULL,
    amount_pence INTEGER NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE TABLE IF NOT EXISTS payments (
    payment_id TEXT PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    reference TEXT NOT NULL,
    status TEXT NOT NULL,
    pay_state TEXT NOT NULL DEFAULT 'created',
    receipt_sent INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE TABLE IF NOT EXISTS pay_webhooks (
    webhook_message_id TEXT PRIMARY KEY,
    resource_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    outcome TEXT NOT NULL DEFAULT 'received',
    received_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_last_seen ON sessions (last_seen);
CREATE TABLE IF NOT EXISTS settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
";

/// Columns added since the first version, for SQLite files made by it.
const SQLITE_ADDED_COLUMNS: [(&str, &str, &str); 3] = [
    ("applications", "email", "TEXT NOT NULL DEFAULT ''"),
    ("payments", "pay_state", "TEXT NOT NULL DEFAULT 'created'"),
    ("pay_webhooks", "outcome", "TEXT NOT NULL DEFAULT 'received'"),
];

/// For rows written before `pay_state` existed: a state from the status shown. Finished payments get a
/// finished state, so no late report can move them.
const PAY_STATE_FROM_STATUS: &str = "UPDATE payments SET pay_state = CASE status
    WHEN 'declined' THEN 'failed P0010'
    WHEN 'cancelled' THEN 'cancelled P0040'
    WHEN 'failed' THEN 'error P0050'
    ELSE status END";

const POSTGRES_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS applications (
    id BIGSERIAL PRIMARY KEY,
    subject TEXT NOT NULL,
    uprn TEXT NOT NULL,
    address TEXT NOT NULL,
    council TEXT NOT NULL,
    band TEXT NOT NULL,
    amount_pence BIGINT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS payments (
    payment_id TEXT PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications(id),
    reference TEXT NOT NULL,
    status TEXT NOT NULL,
    pay_state TEXT NOT NULL DEFAULT 'created',
    receipt_sent INTEGER NOT NULL DEFAULT 0,
    seq BIGSERIAL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS pay_webhooks (
    webhook_message_id TEXT PRIMARY KEY,
    resource_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    outcome TEXT NOT NULL DEFAULT 'received',
    received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_last_seen ON sessions (last_seen);
CREATE TABLE IF NOT EXISTS settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
";

// The statements both databases run.
const INSERT_APPLICATION: &str = "INSERT INTO applications (subject, uprn, address, council, band, amount_pence, email) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
const SELECT_APPLICATION: &str = "SELECT id, subject, uprn, address, council, band, amount_pence, email FROM applications WHERE id = $1";
const INSERT_PAYMENT: &str = "INSERT INTO payments (payment_id, application_id, reference, status, pay_state) VALUES ($1, $2, $3, $4, 'created')";
const SELECT_PAYMENT: &str =
    "SELECT payment_id, application_id, reference, status FROM payments WHERE payment_id = $1";
const SELECT_PAY_STATE: &str = "SELECT pay_state FROM payments WHERE payment_id = $1";
const ADVANCE_PAYMENT: &str =
    "UPDATE payments SET pay_state = $1, status = $2 WHERE payment_id = $3 AND pay_state = $4";
const CLAIM_RECEIPT: &str =
    "UPDATE payments SET receipt_sent = 1 WHERE payment_id = $1 AND receipt_sent = 0";
const RELEASE_RECEIPT: &str = "UPDATE payments SET receipt_sent = 0 WHERE payment_id = $1";
const INSERT_WEBHOOK: &str = "INSERT INTO pay_webhooks (webhook_message_id, resource_id, event_type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
const SET_WEBHOOK_OUTCOME: &str =
    "UPDATE pay_webhooks SET outcome = $1 WHERE webhook_message_id = $2";
const COUNT_WEBHOOKS: &str = "SELECT COUNT(*) FROM pay_webhooks WHERE resource_id = $1";
const INSERT_SESSION: &str =
    "INSERT INTO sessions (id_hash, data, created_at, last_seen) VALUES ($1, $2, $3, $4)";
const SELECT_SESSION: &str = "SELECT data, created_at, last_seen FROM sessions WHERE id_hash = $1";
const UPDATE_SESSION: &str = "UPDATE sessions SET data = $1 WHERE id_hash = $2";
const TOUCH_SESSION: &str = "UPDATE sessions SET last_seen = $1 WHERE id_hash = $2";
const DELETE_SESSION: &str = "DELETE FROM sessions WHERE id_hash = $1";
const PURGE_SESSIONS: &str = "DELETE FROM sessions WHERE last_seen < $1 OR created_at < $2";
const COUNT_SESSIONS: &str = "SELECT COUNT(*) FROM sessions";
const TRIM_SESSIONS: &str = "DELETE FROM sessions WHERE id_hash IN (SELECT id_hash FROM sessions ORDER BY last_seen LIMIT $1)";
const INSERT_SETTING: &str =
    "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING";
const SELECT_SETTING: &str = "SELECT value FROM settings WHERE name = $1";

/// Builds a row type from a row of either database; `$get` is `get` (SQLite) or `try_get` (PostgreSQL).
macro_rules! application_from {
    ($row:expr, $get:ident) => {
        Application {
            id: $row.$get(0)?,
            subject: $row.$get(1)?,
            uprn: $row.$get(2)?,
            address: $row.$get(3)?,
            council: $row.$get(4)?,
            band: $row.$get(5)?,
            amount_pence: u64::try_from($row.$get::<_, i64>(6)?).unwrap_or(0),
            email: $row.$get(7)?,
        }
    };
}

macro_rules! payment_from {
    ($row:expr, $get:ident) => {
        PaymentRecord {
            payment_id: $row.$get(0)?,
            application_id: $row.$get(1)?,
            reference: $row.$get(2)?,
            status: $row.$get(3)?,
        }
    };
}

macro_rules! session_from {
    ($row:expr, $get:ident) => {
        SessionRow { data: $row.$get(0)?, created_at: $row.$get(1)?, last_seen: $row.$get(2)? }
    };
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn pence(amount: u64) -> i64 {
    i64::try_from(amount).unwrap_or(i64::MAX)
}

/// The SQLite store; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

impl Store {
    /// Opens (or creates) the database at `path`.
    ///
    /// # Errors
    /// When SQLite cannot open the file or create the tables.
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        let conn = Connection::open(path)?;
        // Tests read the file while the app writes it.
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Self::init(conn)
    }

    /// An in-memory database, for tests and throwaway runs.
    ///
    /// # Errors
    /// When SQLite cannot create the tables.
    pub fn in_memory() -> rusqlite::Result<Self> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> rusqlite::Result<Self> {
        conn.execute_batch("PRAGMA foreign_keys = ON;")?;
        conn.execute_batch(SQLITE_SCHEMA)?;
        for (table, column, declaration) in SQLITE_ADDED_COLUMNS {
            let present: bool = conn.query_row(
                "SELECT COUNT(*) > 0 FROM pragma_table_info($1) WHERE name = $2",
                params![table, column],
                |row| row.get(0),
            )?;
            if !present {
                conn.execute_batch(&format!(
                    "ALTER TABLE {table} ADD COLUMN {column} {declaration}"
                ))?;
                if column == "pay_state" {
                    conn.execute_batch(PAY_STATE_FROM_STATUS)?;
                }
            }
        }
        Ok(Self { conn: Arc::new(Mutex::new(conn)) })
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        let conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        f(&conn)
    }

    fn execute(&self, sql: &str, values: impl rusqlite::Params) -> rusqlite::Result<u64> {
        self.with(|conn| conn.execute(sql, values).map(|n| n as u64))
    }

    fn scalar(&self, sql: &str, values: impl rusqlite::Params) -> rusqlite::Result<u64> {
        self.with(|conn| conn.query_row(sql, values, |row| row.get::<_, i64>(0)).map(count))
    }

    /// Records an application and returns it with its id.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn add_application(&self, mut application: Application) -> rusqlite::Result<Application> {
        let a = &application;
        let values = params![
            a.subject,
            a.uprn,
            a.address,
            a.council,
            a.band,
            pence(a.amount_pence),
            a.email
        ];
        application.id =
            self.with(|conn| conn.query_row(INSERT_APPLICATION, values, |row| row.get(0)))?;
        Ok(application)
    }

    /// Finds an application by id.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn application(&self, id: i64) -> rusqlite::Result<Option<Application>> {
        self.with(|conn| {
            conn.query_row(SELECT_APPLICATION, [id], |row| Ok(application_from!(row, get)))
                .optional()
        })
    }

    /// Records a payment created for an application.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn add_payment(&self, p: &PaymentRecord) -> rusqlite::Result<()> {
        self.execute(INSERT_PAYMENT, params![p.payment_id, p.application_id, p.reference, p.status])
            .map(|_| ())
    }

    /// Finds a payment by Pay's id.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn payment(&self, payment_id: &str) -> rusqlite::Result<Option<PaymentRecord>> {
        self.with(|conn| {
            conn.query_row(SELECT_PAYMENT, [payment_id], |row| Ok(payment_from!(row, get)))
                .optional()
        })
    }

    /// The latest payment made for an application.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn payment_for_application(
        &self,
        application_id: i64,
    ) -> rusqlite::Result<Option<PaymentRecord>> {
        self.with(|conn| {
            conn.query_row(
                "SELECT payment_id, application_id, reference, status FROM payments WHERE application_id = $1 ORDER BY rowid DESC LIMIT 1",
                [application_id],
                |row| Ok(payment_from!(row, get)),
            )
            .optional()
        })
    }

    /// Every payment whose latest status is `status`.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn payments_with_status(&self, status: &str) -> rusqlite::Result<Vec<PaymentRecord>> {
        self.with(|conn| {
            let mut statement = conn.prepare(
                "SELECT payment_id, application_id, reference, status FROM payments WHERE status = $1 ORDER BY rowid",
            )?;
            let rows = statement.query_map([status], |row| Ok(payment_from!(row, get)))?;
            rows.collect()
        })
    }

    /// Pay's state for a payment as [`Records::advance_payment`] wrote it (`success`, `failed P0010`, …).
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn pay_state(&self, payment_id: &str) -> rusqlite::Result<Option<String>> {
        self.with(|conn| {
            conn.query_row(SELECT_PAY_STATE, [payment_id], |row| row.get(0)).optional()
        })
    }

    fn advance_payment(
        &self,
        payment_id: &str,
        from: &str,
        to: &str,
        status: &str,
    ) -> rusqlite::Result<bool> {
        self.execute(ADVANCE_PAYMENT, params![to, status, payment_id, from]).map(|n| n > 0)
    }

    /// Marks the receipt for a payment as sent; true only the first time, so a reload of the return
    /// page, a webhook or another replica never sends a second email.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn mark_receipt_sent(&self, payment_id: &str) -> rusqlite::Result<bool> {
        self.execute(CLAIM_RECEIPT, [payment_id]).map(|n| n > 0)
    }

    /// Records a verified webhook delivery once; returns false when this message id was already seen
    /// (Pay retries deliveries, so receivers dedupe by `webhook_message_id`).
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn record_webhook(
        &self,
        message_id: &str,
        resource_id: &str,
        event_type: &str,
    ) -> rusqlite::Result<bool> {
        self.execute(INSERT_WEBHOOK, params![message_id, resource_id, event_type]).map(|n| n > 0)
    }

    /// How many webhook deliveries were recorded for a payment.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn webhook_count(&self, resource_id: &str) -> rusqlite::Result<u64> {
        self.scalar(COUNT_WEBHOOKS, [resource_id])
    }

    /// What was done with a recorded webhook: `received`, `applied`, `ignored` (out of order, or a state
    /// the payment already has) or `unknown` (no such payment or state).
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn webhook_outcome(&self, message_id: &str) -> rusqlite::Result<Option<String>> {
        self.with(|conn| {
            conn.query_row(
                "SELECT outcome FROM pay_webhooks WHERE webhook_message_id = $1",
                [message_id],
                |row| row.get(0),
            )
            .optional()
        })
    }

    /// How many sessions the database holds.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn session_count(&self) -> rusqlite::Result<u64> {
        self.scalar(COUNT_SESSIONS, [])
    }

    fn session(&self, id_hash: &str) -> rusqlite::Result<Option<SessionRow>> {
        self.with(|conn| {
            conn.query_row(SELECT_SESSION, [id_hash], |row| Ok(session_from!(row, get))).optional()
        })
    }

    fn setting(&self, name: &str, default: &str) -> rusqlite::Result<String> {
        self.execute(INSERT_SETTING, [name, default])?;
        self.with(|conn| conn.query_row(SELECT_SETTING, [name], |row| row.get(0)))
    }
}

/// The PostgreSQL store, for replicas that share one database; cheap to clone.
#[derive(Clone)]
pub struct PgStore {
    client: Arc<tokio_postgres::Client>,
}

impl fmt::Debug for PgStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects (without TLS: the database is expected on the host or a private network) and creates the
    /// tables it lacks. Replicas starting together may race to create them; the loser's error is retried.
    ///
    /// # Errors
    /// When the server cannot be reached or refuses the schema.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                eprintln!("council-tax: the PostgreSQL connection ended: {err}");
            }
        });
        let client = Arc::new(client);
        let mut tries = 0;
        loop {
            match client.batch_execute(POSTGRES_SCHEMA).await {
                Ok(()) => break,
                Err(_) if tries < 3 => tries += 1,
                Err(err) => return Err(err.into()),
            }
        }
        Ok(Self { client })
    }

    async fn execute(
        &self,
        sql: &str,
        values: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<u64, StoreError> {
        Ok(self.client.execute(sql, values).await?)
    }

    async fn one(
        &self,
        sql: &str,
        values: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Option<tokio_postgres::Row>, StoreError> {
        Ok(self.client.query_opt(sql, values).await?)
    }

    async fn scalar(
        &self,
        sql: &str,
        values: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<u64, StoreError> {
        let row = self.client.query_one(sql, values).await?;
        Ok(count(row.try_get(0)?))
    }

    /// Every payment whose latest status is `status`.
    ///
    /// # Errors
    /// On a PostgreSQL failure.
    pub async fn payments_with_status(
        &self,
        status: &str,
    ) -> Result<Vec<PaymentRecord>, StoreError> {
        let rows = self.client.query(
            "SELECT payment_id, application_id, reference, status FROM payments WHERE status = $1 ORDER BY seq",
            &[&status],
        ).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(payment_from!(row, try_get));
        }
        Ok(out)
    }
}

/// The app's records, in SQLite or PostgreSQL.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Records {
    /// One process, one SQLite database.
    Sqlite(Store),
    /// Any number of processes sharing a PostgreSQL database.
    Postgres(PgStore),
}

impl Records {
    /// Records an application and returns it with its id.
    ///
    /// # Errors
    /// On a database failure.
    pub async fn add_application(
        &self,
        mut application: Application,
    ) -> Result<Application, StoreError> {
        match self {
            Self::Sqlite(s) => Ok(s.add_application(application)?),
            Self::Postgres(p) => {
                let a = &application;
                let amount = pence(a.amount_pence);
                let row = p
                    .client
                    .query_one(
                        INSERT_APPLICATION,
                        &[&a.subject, &a.uprn, &a.address, &a.council, &a.band, &amount, &a.email],
                    )
                    .await?;
                application.id = row.try_get(0)?;
                Ok(application)
            }
        }
    }

    /// Finds an application by id.
    ///
    /// # Errors
    /// On a database failure.
    pub async fn application(&self, id: i64) -> Result<Option<Application>, StoreError> {
        match self {
            Self::Sqlite(s) => Ok(s.application(id)?),
            Self::Postgres(p) => match p.one(SELECT_APPLICATION, &[&id]).await? {
                Some(row) => Ok(Some(application_from!(row, try_get))),
                None => Ok(None),
            },
        }
    }

    /// Records a payment created for an application, in Pay's `created` state.
    ///
    /// # Errors
    /// On a database failure.
    pub async fn add_payment(&self, payment: &PaymentRecord) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(s) => Ok(s.add_payment(payment)?),
            Self::Postgres(p) => {
                let pr = payment;
                p.execute(
                    INSERT_PAYMENT,
                    &[&pr.payment_id, &pr.application_id, &pr.reference, &pr.status],
                )
                .await
                .map(|_| ())
            }
        }
    }

    /// Finds a payment by Pay's id.
    ///
    /// # Errors
    /// On a database failure.
    pub async fn payment(&self, payment_id: &str) -> Result<Option<PaymentRecord>, StoreError> {
        match self {
            Self::Sqlite(s) => Ok(s.payment(payment_id)?),
            Self::Postgres(p) => match p.one(SELECT_PAYMENT, &[&payment_id]).await? {
                Some(row) => Ok(Some(payment_from!(row, try_get))),
                None => Ok(None),
            },
        }
    }

    /// The latest payment made for an application.
    ///
    /// # Errors
    /// On a database failure.
    pub async fn payment_for_application(
        &self,
        application_id: i64,
    ) -> Result<Option<PaymentRecord>, StoreError> {
        match self {
            Self::Sqlite(s) => Ok(s.payment_for_application(application_id)?),
            Self::Postgres(p) => {
                let sql = "SELECT payment_id, application_id, reference, status FROM payments WHERE application_id = $1 ORDER BY seq DESC LIMIT 1";
                match p.one(sql, &[&application_id]).await? {
                    Some(row) => Ok(Some(payment_from!(row, try_get))),
                    None => Ok(None),
                }
            }
        }
    }

    /// Pay's state for a payment, as last written by [`Records::advance_payment`].
    ///
    /// # Errors
    /// On a database failure.
    pub async fn pay_state(&self, payment_id: &str) -> Result<Option<String>, StoreError> {
        match self {
            Self::Sqlite(s) => Ok(s.pay_state(payment_id)?),
            Self::Postgres(p) => match p.one(SELECT_PAY_STATE, &[&payment_id]).await? {
                Some(row) => Ok(Some(row.try_get(0)?)),
                None => Ok(None),
            },
        }
    }

    /// Moves a payment from Pay state `from` to `to` (showing `status`), only if it is still in `from`;
    /// false when another request moved it first.
    ///
    /// # Errors
    /// On a database failure.
    pub async fn advance_payment(
        &self,
        payment_id: &str,
        from: &str,
        to: &str,
        status: &str,
    ) -> Result<bool, StoreError> {
        match self {
            Self::Sqlite(s) => Ok(s.advance_payment(payment_id, from, to, status)?),
            Self::Postgres(p) => {
                Ok(p.execute(ADVANCE_PAYMENT, &[&to, &status, &payment_id, &from]).await? > 0)
            }
        }
    }

    /// Claims the receipt for a payment: true for exactly one caller, across replicas.
    ///
    /// # Errors
    /// On a database failure.
    pub async fn mark_receipt_sent(&self, payment_id: &str) -> Result<bool, StoreError> {
        match self {
            Self::Sqlite(s) => Ok(s.mark_receipt_sent(payment_id)?),
            Self::Postgres(p) => Ok(p.execute(CLAIM_RECEIPT, &[&payment_id]).await? > 0),
        }
    }

    /// Gives the claim back after the email could not be sent, so a later attempt sends it.
    ///
    /// # Errors
    /// On a database failure.
    pub async fn release_receipt(&self, payment_id: &str) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(s) => {
                s.execute(RELEASE_RECEIPT, [payment_id]).map(|_| ()).map_err(Into::into)
            }
            Self::Postgres(p) => p.execute(RELEASE_RECEIPT, &[&payment_id]).await.map(|_| ()),
        }
    }

    /// Records a verified webhook delivery once; false when its message id was seen before.
    ///
    /// # Errors
    /// On a database failure.
    pub async fn record_webhook(
        &self,
        message_id: &str,
        resource_id: &str,
        event_type: &str,
    ) -> Result<bool, StoreError> {
        match self {
            Self::Sqlite(s) => Ok(s.record_webhook(message_id, resource_id, event_type)?),
            Self::Postgres(p) => {
                Ok(p.execute(INSERT_WEBHOOK, &[&message_id, &resource_id, &event_type]).await? > 0)
            }
        }
    }

    /// Notes what was done with a recorded webhook (see [`Store::webhook_outcome`]).
    ///
    /// # Errors
    /// On a database failure.
    pub async fn set_webhook_outcome(
        &self,
        message_id: &str,
        outcome: &str,
    ) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(s) => s
                .execute(SET_WEBHOOK_OUTCOME, [outcome, message_id])
                .map(|_| ())
                .map_err(Into::into),
            Self::Postgres(p) => {
                p.execute(SET_WEBHOOK_OUTCOME, &[&outcome, &message_id]).await.map(|_| ())
            }
        }
    }

    /// How many webhook deliveries were recorded for a payment.
    ///
    /// # Errors
    /// On a database failure.
    pub async fn webhook_count(&self, resource_id: &str) -> Result<u64, StoreError> {
        match self {
            Self::Sqlite(s) => Ok(s.webhook_count(resource_id)?),
            Self::Postgres(p) => p.scalar(COUNT_WEBHOOKS, &[&resource_id]).await,
        }
    }

    /// Every payment whose latest status is `status`.
    ///
    /// # Errors
    /// On a database failure.
    pub async fn payments_with_status(
        &self,
        status: &str,
    ) -> Result<Vec<PaymentRecord>, StoreError> {
        match self {
            Self::Sqlite(s) => Ok(s.payments_with_status(status)?),
            Self::Postgres(p) => p.payments_with_status(status).await,
        }
    }

    /// Saves a new session under the hash of its id.
    ///
    /// # Errors
    /// On a database failure.
    pub async fn create_session(
        &self,
        id_hash: &str,
        data: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(s) => {
                s.execute(INSERT_SESSION, params![id_hash, data, now, now]).map(|_| ())?;
                Ok(())
            }
            Self::Postgres(p) => {
                p.execute(INSERT_SESSION, &[&id_hash, &data, &now, &now]).await.map(|_| ())
            }
        }
    }

    /// The session stored under `id_hash`.
    ///
    /// # Errors
    /// On a database failure.
    pub async fn session(&self, id_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        match self {
            Self::Sqlite(s) => Ok(s.session(id_hash)?),
            Self::Postgres(p) => match p.one(SELECT_SESSION, &[&id_hash]).await? {
                Some(row) => Ok(Some(session_from!(row, try_get))),
                None => Ok(None),
            },
        }
    }

    /// Replaces a session's data.
    ///
    /// # Errors
    /// On a database failure.
    pub async fn update_session(&self, id_hash: &str, data: &str) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(s) => Ok(s.execute(UPDATE_SESSION, [data, id_hash]).map(|_| ())?),
            Self::Postgres(p) => p.execute(UPDATE_SESSION, &[&data, &id_hash]).await.map(|_| ()),
        }
    }

    /// Records a use of a session.
    ///
    /// # Errors
    /// On a database failure.
    pub async fn touch_session(&self, id_hash: &str, now: i64) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(s) => Ok(s.execute(TOUCH_SESSION, params![now, id_hash]).map(|_| ())?),
            Self::Postgres(p) => p.execute(TOUCH_SESSION, &[&now, &id_hash]).await.map(|_| ()),
        }
    }

    /// Ends a session.
    ///
    /// # Errors
    /// On a database failure.
    pub async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(s) => Ok(s.execute(DELETE_SESSION, [id_hash]).map(|_| ())?),
            Self::Postgres(p) => p.execute(DELETE_SESSION, &[&id_hash]).await.map(|_| ()),
        }
    }

    /// Drops sessions idle since before `idle_before` or created before `created_before`, then the least
    /// recently used ones beyond `max`; returns how many were dropped.
    ///
    /// # Errors
    /// On a database failure.
    pub async fn sweep_sessions(
        &self,
        idle_before: i64,
        created_before: i64,
        max: u64,
    ) -> Result<u64, StoreError> {
        let over = |total: u64| i64::try_from(total.saturating_sub(max)).unwrap_or(i64::MAX);
        match self {
            Self::Sqlite(s) => {
                let mut dropped = s.execute(PURGE_SESSIONS, [idle_before, created_before])?;
                let excess = over(s.session_count()?);
                if excess > 0 {
                    dropped += s.execute(TRIM_SESSIONS, [excess])?;
                }
                Ok(dropped)
            }
            Self::Postgres(p) => {
                let mut dropped =
                    p.execute(PURGE_SESSIONS, &[&idle_before, &created_before]).await?;
                let excess = over(p.scalar(COUNT_SESSIONS, &[]).await?);
                if excess > 0 {
                    dropped += p.execute(TRIM_SESSIONS, &[&excess]).await?;
                }
                Ok(dropped)
            }
        }
    }

    /// How many sessions the database holds.
    ///
    /// # Errors
    /// On a database failure.
    pub async fn session_count(&self) -> Result<u64, StoreError> {
        match self {
            Self::Sqlite(s) => Ok(s.session_count()?),
            Self::Postgres(p) => p.scalar(COUNT_SESSIONS, &[]).await,
        }
    }

    /// The setting `name`, stored as `default` by whichever process asks first: replicas sharing the
    /// database read the same value.
    ///
    /// # Errors
    /// On a database failure.
    pub async fn setting(&self, name: &str, default: &str) -> Result<String, StoreError> {
        match self {
            Self::Sqlite(s) => Ok(s.setting(name, default)?),
            Self::Postgres(p) => {
                p.execute(INSERT_SETTING, &[&name, &default]).await?;
                let row = p.client.query_one(SELECT_SETTING, &[&name]).await?;
                Ok(row.try_get(0)?)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn application() -> Application {
        Application {
            id: 0,
            subject: "urn:fdc:gov.uk:2022:abc".to_owned(),
            email: "resident@example.com".to_owned(),
            uprn: "900000000001".to_owned(),
            address: "1 Example Street, London, SW1A 1AA".to_owned(),
            council: "Westminster".to_owned(),
            band: "D".to_owned(),
            amount_pence: 98_765,
        }
    }

    #[tokio::test]
    async fn application_and_payment_round_trip() {
        let records = Records::Sqlite(Store::in_memory().unwrap());
        let stored = records.add_application(application()).await.unwrap();
        assert!(stored.id > 0);
        assert_eq!(records.application(stored.id).await.unwrap(), Some(stored.clone()));
        let payment = PaymentRecord {
            payment_id: "pay123".to_owned(),
            application_id: stored.id,
            reference: "CT-1".to_owned(),
            status: "created".to_owned(),
        };
        records.add_payment(&payment).await.unwrap();
        assert_eq!(records.pay_state("pay123").await.unwrap().as_deref(), Some("created"));
        assert!(records.advance_payment("pay123", "created", "success", "success").await.unwrap());
        assert!(
            !records.advance_payment("pay123", "created", "started", "started").await.unwrap(),
            "a move from a state the payment has left does nothing"
        );
        assert_eq!(records.payment("pay123").await.unwrap().unwrap().status, "success");
        assert_eq!(
            records.payments_with_status("success").await.unwrap(),
            vec![PaymentRecord { status: "success".to_owned(), ..payment }]
        );
        assert_eq!(
            records.payment_for_application(stored.id).await.unwrap().unwrap().payment_id,
            "pay123"
        );
        assert!(records.mark_receipt_sent("pay123").await.unwrap());
        assert!(!records.mark_receipt_sent("pay123").await.unwrap(), "a receipt is sent once");
        records.release_receipt("pay123").await.unwrap();
        assert!(records.mark_receipt_sent("pay123").await.unwrap(), "a released claim is free");
    }

    #[tokio::test]
    async fn webhook_deliveries_are_deduplicated_by_message_id() {
        let store = Store::in_memory().unwrap();
        let records = Records::Sqlite(store.clone());
        assert!(records.record_webhook("m1", "pay123", "card_payment_succeeded").await.unwrap());
        assert!(!records.record_webhook("m1", "pay123", "card_payment_succeeded").await.unwrap());
        assert!(records.record_webhook("m2", "pay123", "card_payment_captured").await.unwrap());
        records.set_webhook_outcome("m2", "ignored").await.unwrap();
        assert_eq!(store.webhook_count("pay123").unwrap(), 2);
        assert_eq!(store.webhook_outcome("m1").unwrap().as_deref(), Some("received"));
        assert_eq!(store.webhook_outcome("m2").unwrap().as_deref(), Some("ignored"));
    }

    #[test]
    fn payment_for_unknown_application_is_rejected() {
        let store = Store::in_memory().unwrap();
        let orphan = PaymentRecord {
            payment_id: "p".to_owned(),
            application_id: 42,
            reference: "r".to_owned(),
            status: "created".to_owned(),
        };
        assert!(store.add_payment(&orphan).is_err());
    }

    #[tokio::test]
    async fn sessions_expire_and_are_capped() {
        let records = Records::Sqlite(Store::in_memory().unwrap());
        for (n, now) in [(1, 100), (2, 200), (3, 300), (4, 400)] {
            records.create_session(&format!("h{n}"), "{}", now).await.unwrap();
        }
        records.touch_session("h1", 450).await.unwrap();
        // Idle before 250 (h2) goes; then only the 2 most recently used stay.
        assert_eq!(records.sweep_sessions(250, 0, 2).await.unwrap(), 2);
        assert_eq!(records.session_count().await.unwrap(), 2);
        assert!(records.session("h1").await.unwrap().is_some());
        assert!(records.session("h4").await.unwrap().is_some());
        // Created before 150: h1 goes however recently it was used.
        assert_eq!(records.sweep_sessions(0, 150, 10).await.unwrap(), 1);
        records.update_session("h4", "{\"a\":1}").await.unwrap();
        assert_eq!(records.session("h4").await.unwrap().unwrap().data, "{\"a\":1}");
        records.delete_session("h4").await.unwrap();
        assert_eq!(records.session_count().await.unwrap(), 0);
    }

    #[tokio::test]
    async fn a_setting_keeps_its_first_value() {
        let records = Records::Sqlite(Store::in_memory().unwrap());
        assert_eq!(records.setting("k", "first").await.unwrap(), "first");
        assert_eq!(records.setting("k", "second").await.unwrap(), "first");
    }

    #[test]
    fn a_file_from_the_first_version_gets_the_new_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        let old = Connection::open(&path).unwrap();
        old.execute_batch(
            "CREATE TABLE applications (id INTEGER PRIMARY KEY AUTOINCREMENT, subject TEXT NOT NULL,
                 uprn TEXT NOT NULL, address TEXT NOT NULL, council TEXT NOT NULL, band TEXT NOT NULL,
                 amount_pence INTEGER NOT NULL);
             CREATE TABLE payments (payment_id TEXT PRIMARY KEY, application_id INTEGER NOT NULL,
                 reference TEXT NOT NULL, status TEXT NOT NULL, receipt_sent INTEGER NOT NULL DEFAULT 0);
             CREATE TABLE pay_webhooks (webhook_message_id TEXT PRIMARY KEY, resource_id TEXT NOT NULL,
                 event_type TEXT NOT NULL);
             INSERT INTO applications (subject, uprn, address, council, band, amount_pence)
                 VALUES ('s', 'u', 'a', 'c', 'D', 1);
             INSERT INTO payments VALUES ('p', 1, 'CT-000001', 'success', 1);",
        )
        .unwrap();
        drop(old);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.application(1).unwrap().unwrap().email, "");
        assert_eq!(store.pay_state("p").unwrap().as_deref(), Some("success"), "kept finished");
        assert_eq!(store.session_count().unwrap(), 0);
        drop(store);
        Store::open(&path).unwrap();
    }

    #[test]
    fn database_urls_and_paths() {
        assert_eq!(
            Database::parse("postgres://u@127.0.0.1:5432/db"),
            Database::Postgres("postgres://u@127.0.0.1:5432/db".to_owned())
        );
        assert_eq!(Database::parse("ct.sqlite3"), Database::Sqlite(PathBuf::from("ct.sqlite3")));
        assert_eq!(Database::from(None), Database::Memory);
    }
}
