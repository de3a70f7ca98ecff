//! SQLite storage (bundled SQLite, WAL, `BEGIN IMMEDIATE` transactions).

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::schema::SCHEMA;
use super::{ContentStore, Edition, LinkSet, Storage, Tx};
use crate::error::Error;

fn db(message: &'static str) -> impl Fn(rusqlite::Error) -> Error {
    move |e| Error::storage(message, e)
}

/// Storage in one SQLite file (or in memory). Open one per thread for concurrent writers; SQLite serialises
/// the write transactions.
#[derive(Debug)]
pub struct SqliteStorage {
    conn: Mutex<Connection>,
}

impl SqliteStorage {
    /// Opens (creating if needed) a database file, in WAL mode.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        let conn = Connection::open(path).map_err(db("opening the database"))?;
        Self::init(conn, true)
    }

    /// An in-memory database (tests, previews).
    pub fn in_memory() -> Result<Self, Error> {
        let conn = Connection::open_in_memory().map_err(db("opening the database"))?;
        Self::init(conn, false)
    }

    fn init(conn: Connection, wal: bool) -> Result<Self, Error> {
        conn.busy_timeout(Duration::from_secs(30)).map_err(db("setting the busy timeout"))?;
        if wal {
            conn.pragma_update(None, "journal_mode", "WAL").map_err(db("enabling WAL"))?;
            conn.pragma_update(None, "synchronous", "NORMAL").map_err(db("setting synchronous"))?;
        }
        conn.execute_batch(SCHEMA).map_err(db("creating the schema"))?;
        Ok(Self { conn: Mutex::new(conn) })
    }
}

impl Storage for SqliteStorage {
    fn transaction<R>(
        &self,
        work: &mut dyn FnMut(&mut dyn Tx) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let mut conn = self.conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db("starting a transaction"))?;
        let mut wrapper = SqliteTx { tx: &tx };
        let result = work(&mut wrapper)?;
        tx.commit().map_err(db("committing"))?;
        Ok(result)
    }
}

struct SqliteTx<'a> {
    tx: &'a rusqlite::Transaction<'a>,
}

fn decode(data: String) -> Result<Edition, Error> {
    serde_json::from_str(&data).map_err(|source| Error::Decode { body: data, source })
}

fn encode(edition: &Edition) -> Result<String, Error> {
    serde_json::to_string(edition).map_err(|source| Error::Decode { body: String::new(), source })
}

fn map_unique(e: rusqlite::Error) -> Error {
    if let rusqlite::Error::SqliteFailure(code, _) = &e
        && code.code == rusqlite::ErrorCode::ConstraintViolation
    {
        return crate::error::CommandError::new(422, Some("conflict"), format!("conflict: {e}"))
            .into();
    }
    Error::storage("writing an edition", e)
}

impl SqliteTx<'_> {
    fn query_editions(
        &self,
        sql: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<Edition>, Error> {
        let mut stmt = self.tx.prepare_cached(sql).map_err(db("reading editions"))?;
        let rows = stmt
            .query_map(args, |row| row.get::<_, String>(0))
            .map_err(db("reading editions"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db("reading editions"))?;
        rows.into_iter().map(decode).collect()
    }
}

impl Tx for SqliteTx<'_> {
    fn lock_document(&mut self, content_id: &str, locale: &str) -> Result<i64, Error> {
        self.tx
            .execute(
                "INSERT INTO documents (content_id, locale, lock_version) VALUES (?1, ?2, 0) ON CONFLICT DO NOTHING",
                params![content_id, locale],
            )
            .map_err(db("creating a document"))?;
        self.tx
            .query_row(
                "SELECT lock_version FROM documents WHERE content_id = ?1 AND locale = ?2",
                params![content_id, locale],
                |r| r.get(0),
            )
            .map_err(db("reading a document"))
    }

    fn set_lock_version(
        &mut self,
        content_id: &str,
        locale: &str,
        lock_version: i64,
    ) -> Result<(), Error> {
        self.tx
            .execute(
                "UPDATE documents SET lock_version = ?3 WHERE content_id = ?1 AND locale = ?2",
                params![content_id, locale, lock_version],
            )
            .map_err(db("updating a document"))?;
        Ok(())
    }

    fn editions(&mut self, content_id: &str, locale: Option<&str>) -> Result<Vec<Edition>, Error> {
        match locale {
            Some(locale) => self.query_editions(
                "SELECT data FROM editions WHERE content_id = ?1 AND locale = ?2 ORDER BY user_facing_version",
                &[&content_id, &locale],
            ),
            None => self.query_editions(
                "SELECT data FROM editions WHERE content_id = ?1 ORDER BY locale, user_facing_version",
                &[&content_id],
            ),
        }
    }

    fn put_edition(&mut self, e: &Edition) -> Result<(), Error> {
        let data = encode(e)?;
        let version = i64::try_from(e.user_facing_version).unwrap_or(i64::MAX);
        self.tx
            .execute(
                "INSERT INTO editions (content_id, locale, user_facing_version, state, content_store, base_path, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (content_id, locale, user_facing_version) DO UPDATE SET
                   state = excluded.state, content_store = excluded.content_store,
                   base_path = excluded.base_path, data = excluded.data",
                params![
                    e.content_id,
                    e.locale,
                    version,
                    e.state.as_str(),
                    e.content_store.map(ContentStore::as_str),
                    e.base_path,
                    data
                ],
            )
            .map_err(map_unique)?;
        Ok(())
    }

    fn delete_edition(
        &mut self,
        content_id: &str,
        locale: &str,
        user_facing_version: u64,
    ) -> Result<(), Error> {
        let version = i64::try_from(user_facing_version).unwrap_or(i64::MAX);
        self.tx
            .execute(
                "DELETE FROM editions WHERE content_id = ?1 AND locale = ?2 AND user_facing_version = ?3",
                params![content_id, locale, version],
            )
            .map_err(db("deleting an edition"))?;
        Ok(())
    }

    fn editions_at_path(
        &mut self,
        base_path: &str,
        store: ContentStore,
    ) -> Result<Vec<Edition>, Error> {
        self.query_editions(
            "SELECT data FROM editions WHERE base_path = ?1 AND content_store = ?2",
            &[&base_path, &store.as_str()],
        )
    }

    fn editions_on(&mut self, store: ContentStore) -> Result<Vec<Edition>, Error> {
        self.query_editions(
            "SELECT data FROM editions WHERE content_store = ?1 ORDER BY content_id, locale",
            &[&store.as_str()],
        )
    }

    fn reservation(&mut self, base_path: &str) -> Result<Option<String>, Error> {
        self.tx
            .query_row(
                "SELECT publishing_app FROM path_reservations WHERE base_path = ?1",
                params![base_path],
                |r| r.get(0),
            )
            .optional()
            .map_err(db("reading a path reservation"))
    }

    fn set_reservation(
        &mut self,
        base_path: &str,
        publishing_app: Option<&str>,
    ) -> Result<(), Error> {
        match publishing_app {
            Some(app) => self.tx.execute(
                "INSERT INTO path_reservations (base_path, publishing_app) VALUES (?1, ?2)
                 ON CONFLICT (base_path) DO UPDATE SET publishing_app = excluded.publishing_app",
                params![base_path, app],
            ),
            None => self
                .tx
                .execute("DELETE FROM path_reservations WHERE base_path = ?1", params![base_path]),
        }
        .map_err(db("writing a path reservation"))?;
        Ok(())
    }

    fn link_set(&mut self, content_id: &str) -> Result<Option<LinkSet>, Error> {
        let row: Option<(i64, String)> = self
            .tx
            .query_row(
                "SELECT lock_version, links FROM link_sets WHERE content_id = ?1",
                params![content_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db("reading a link set"))?;
        row.map(|(lock_version, links)| {
            let parsed = serde_json::from_str(&links)
                .map_err(|source| Error::Decode { body: links.clone(), source })?;
            Ok(LinkSet { content_id: content_id.to_owned(), lock_version, links: parsed })
        })
        .transpose()
    }

    fn put_link_set(&mut self, set: &LinkSet) -> Result<(), Error> {
        let links = serde_json::to_string(&set.links)
            .map_err(|source| Error::Decode { body: String::new(), source })?;
        self.tx
            .execute(
                "INSERT INTO link_sets (content_id, lock_version, links) VALUES (?1, ?2, ?3)
                 ON CONFLICT (content_id) DO UPDATE SET lock_version = excluded.lock_version, links = excluded.links",
                params![set.content_id, set.lock_version, links],
            )
            .map_err(db("writing a link set"))?;
        Ok(())
    }
}
