//! The council tax service's records in SQLite: applications, payments and received Pay webhooks.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::{Connection, OptionalExtension, params};

/// A stored application: who asked to pay what for which property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    /// Row id, also used as the payment's `reference` suffix.
    pub id: i64,
    /// The One Login subject that signed in.
    pub subject: String,
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
    /// Latest status (`created`, `success`, `failed`, `cancelled`, ...).
    pub status: String,
}

/// The SQLite store; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS applications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subject TEXT NOT NULL,
    uprn TEXT NOT NULL,
    address TEXT NOT NULL,
    council TEXT NOT NULL,
    band TEXT NOT NULL,
    amount_pence INTEGER NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE TABLE IF NOT EXISTS payments (
    payment_id TEXT PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    reference TEXT NOT NULL,
    status TEXT NOT NULL,
    receipt_sent INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE TABLE IF NOT EXISTS pay_webhooks (
    webhook_message_id TEXT PRIMARY KEY,
    resource_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    received_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
";

impl Store {
    /// Opens (or creates) the database at `path`.
    ///
    /// # Errors
    /// When SQLite cannot open the file or create the tables.
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        Self::init(Connection::open(path)?)
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
        conn.execute_batch(SCHEMA)?;
        Ok(Self { conn: Arc::new(Mutex::new(conn)) })
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        let conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        f(&conn)
    }

    /// Records an application and returns it with its id.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn add_application(&self, mut application: Application) -> rusqlite::Result<Application> {
        self.with(|conn| {
            conn.execute(
                "INSERT INTO applications (subject, uprn, address, council, band, amount_pence) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    application.subject,
                    application.uprn,
                    application.address,
                    application.council,
                    application.band,
                    i64::try_from(application.amount_pence).unwrap_or(i64::MAX),
                ],
            )?;
            application.id = conn.last_insert_rowid();
            Ok(application)
        })
    }

    /// Finds an application by id.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn application(&self, id: i64) -> rusqlite::Result<Option<Application>> {
        self.with(|conn| {
            conn.query_row(
                "SELECT id, subject, uprn, address, council, band, amount_pence FROM applications WHERE id = ?1",
                [id],
                |row| {
                    Ok(Application {
                        id: row.get(0)?,
                        subject: row.get(1)?,
                        uprn: row.get(2)?,
                        address: row.get(3)?,
                        council: row.get(4)?,
                        band: row.get(5)?,
                        amount_pence: u64::try_from(row.get::<_, i64>(6)?).unwrap_or(0),
                    })
                },
            )
            .optional()
        })
    }

    /// Records a payment created for an application.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn add_payment(&self, payment: &PaymentRecord) -> rusqlite::Result<()> {
        self.with(|conn| {
            conn.execute(
                "INSERT INTO payments (payment_id, application_id, reference, status) VALUES (?1, ?2, ?3, ?4)",
                params![payment.payment_id, payment.application_id, payment.reference, payment.status],
            )?;
            Ok(())
        })
    }

    /// Updates a payment's status; returns whether the payment was known.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn set_payment_status(&self, payment_id: &str, status: &str) -> rusqlite::Result<bool> {
        self.with(|conn| {
            let changed = conn.execute(
                "UPDATE payments SET status = ?2, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE payment_id = ?1",
                params![payment_id, status],
            )?;
            Ok(changed > 0)
        })
    }

    /// Finds a payment by Pay's id.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn payment(&self, payment_id: &str) -> rusqlite::Result<Option<PaymentRecord>> {
        self.with(|conn| {
            conn.query_row(
                "SELECT payment_id, application_id, reference, status FROM payments WHERE payment_id = ?1",
                [payment_id],
                |row| {
                    Ok(PaymentRecord {
                        payment_id: row.get(0)?,
                        application_id: row.get(1)?,
                        reference: row.get(2)?,
                        status: row.get(3)?,
                    })
                },
            )
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
                "SELECT payment_id, application_id, reference, status FROM payments WHERE application_id = ?1 ORDER BY rowid DESC LIMIT 1",
                [application_id],
                |row| {
                    Ok(PaymentRecord {
                        payment_id: row.get(0)?,
                        application_id: row.get(1)?,
                        reference: row.get(2)?,
                        status: row.get(3)?,
                    })
                },
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
                "SELECT payment_id, application_id, reference, status FROM payments WHERE status = ?1 ORDER BY rowid",
            )?;
            let rows = statement.query_map([status], |row| {
                Ok(PaymentRecord {
                    payment_id: row.get(0)?,
                    application_id: row.get(1)?,
                    reference: row.get(2)?,
                    status: row.get(3)?,
                })
            })?;
            rows.collect()
        })
    }

    /// Marks the receipt for a payment as sent; true only the first time, so a reload of the return
    /// page never sends a second email.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn mark_receipt_sent(&self, payment_id: &str) -> rusqlite::Result<bool> {
        self.with(|conn| {
            let changed = conn.execute(
                "UPDATE payments SET receipt_sent = 1 WHERE payment_id = ?1 AND receipt_sent = 0",
                [payment_id],
            )?;
            Ok(changed > 0)
        })
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
        self.with(|conn| {
            let inserted = conn.execute(
                "INSERT OR IGNORE INTO pay_webhooks (webhook_message_id, resource_id, event_type) VALUES (?1, ?2, ?3)",
                params![message_id, resource_id, event_type],
            )?;
            Ok(inserted > 0)
        })
    }

    /// How many webhook deliveries were recorded for a payment.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn webhook_count(&self, resource_id: &str) -> rusqlite::Result<u64> {
        self.with(|conn| {
            conn.query_row(
                "SELECT COUNT(*) FROM pay_webhooks WHERE resource_id = ?1",
                [resource_id],
                |row| row.get::<_, i64>(0),
            )
            .map(|n| u64::try_from(n).unwrap_or(0))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn application() -> Application {
        Application {
            id: 0,
            subject: "urn:fdc:gov.uk:2022:abc".to_owned(),
            uprn: "900000000001".to_owned(),
            address: "1 Example Street, London, SW1A 1AA".to_owned(),
            council: "Westminster".to_owned(),
            band: "D".to_owned(),
            amount_pence: 98_765,
        }
    }

    #[test]
    fn application_and_payment_round_trip() {
        let store = Store::in_memory().unwrap();
        let stored = store.add_application(application()).unwrap();
        assert!(stored.id > 0);
        assert_eq!(store.application(stored.id).unwrap(), Some(stored.clone()));
        let payment = PaymentRecord {
            payment_id: "pay123".to_owned(),
            application_id: stored.id,
            reference: "CT-1".to_owned(),
            status: "created".to_owned(),
        };
        store.add_payment(&payment).unwrap();
        assert!(store.set_payment_status("pay123", "success").unwrap());
        assert!(!store.set_payment_status("unknown", "success").unwrap());
        assert_eq!(store.payment("pay123").unwrap().unwrap().status, "success");
        assert_eq!(
            store.payments_with_status("success").unwrap(),
            vec![PaymentRecord { status: "success".to_owned(), ..payment }]
        );
        assert_eq!(store.payment_for_application(stored.id).unwrap().unwrap().payment_id, "pay123");
        assert!(store.mark_receipt_sent("pay123").unwrap());
        assert!(!store.mark_receipt_sent("pay123").unwrap(), "a receipt is sent once");
    }

    #[test]
    fn webhook_deliveries_are_deduplicated_by_message_id() {
        let store = Store::in_memory().unwrap();
        assert!(store.record_webhook("m1", "pay123", "card_payment_succeeded").unwrap());
        assert!(!store.record_webhook("m1", "pay123", "card_payment_succeeded").unwrap());
        assert!(store.record_webhook("m2", "pay123", "card_payment_captured").unwrap());
        assert_eq!(store.webhook_count("pay123").unwrap(), 2);
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
}
