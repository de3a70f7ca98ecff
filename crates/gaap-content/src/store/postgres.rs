//! PostgreSQL storage (feature `postgres`): row locks on the document (`SELECT … FOR UPDATE`) serialise
//! writers of one document; unique indexes enforce one edition per content store and one item per path.

use std::sync::Mutex;

use postgres::{Client, NoTls};

use super::schema::SCHEMA;
use super::{ContentStore, Edition, LinkSet, Storage, Tx};
use crate::error::{CommandError, Error};

fn db(message: &'static str) -> impl Fn(postgres::Error) -> Error {
    move |e| {
        if e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION) {
            return CommandError::new(422, Some("conflict"), format!("conflict: {e}")).into();
        }
        Error::storage(message, e)
    }
}

/// Storage in a PostgreSQL database. One connection per value: open one per thread for concurrent writers.
///
/// # Blocking
///
/// This storage is synchronous: it uses the `postgres` crate, which waits on each query, so
/// [`connect`](Self::connect) and every [`Publisher`](super::Publisher) call over it block the calling
/// thread until the database answers. From async code (an axum handler, a Tokio task) do not call it on the
/// task itself: move the work to a blocking thread with `tokio::task::spawn_blocking` (the publisher is
/// `Send + Sync`; share it in an `Arc`):
///
/// ```no_run
/// # async fn handler(url: String) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
/// use std::sync::Arc;
/// use gaap_content::store::{PostgresStorage, Publisher};
///
/// let publisher = tokio::task::spawn_blocking(move || {
///     PostgresStorage::connect(&url).map(|storage| Arc::new(Publisher::new(storage)))
/// })
/// .await??;
/// let for_task = Arc::clone(&publisher);
/// let id = "a2c4477b-90fa-4838-a989-ca6004462c04";
/// let editions = tokio::task::spawn_blocking(move || for_task.editions(id)).await??;
/// # let _ = editions;
/// # Ok(())
/// # }
/// ```
pub struct PostgresStorage {
    client: Mutex<Client>,
}

impl std::fmt::Debug for PostgresStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStorage").finish_non_exhaustive()
    }
}

impl PostgresStorage {
    /// Connects (`postgres://user:pass@host/db`, no TLS: use a local socket or loopback) and creates the tables.
    pub fn connect(url: &str) -> Result<Self, Error> {
        Self::connect_in_schema(url, None)
    }

    /// Like [`connect`](Self::connect), keeping the tables in `schema` (created if needed).
    pub fn connect_in_schema(url: &str, schema: Option<&str>) -> Result<Self, Error> {
        let mut client = Client::connect(url, NoTls).map_err(db("connecting"))?;
        let mut tx = client.transaction().map_err(db("starting a transaction"))?;
        // Serialise schema creation between concurrent first connections.
        tx.execute("SELECT pg_advisory_xact_lock(7427161)", &[])
            .map_err(db("locking the schema"))?;
        if let Some(schema) = schema {
            if !schema.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                || schema.is_empty()
            {
                return Err(Error::Config(format!("invalid schema name {schema:?}")));
            }
            tx.batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS {schema}; SET search_path TO {schema}"
            ))
            .map_err(db("creating the schema"))?;
        }
        tx.batch_execute(SCHEMA).map_err(db("creating the tables"))?;
        tx.commit().map_err(db("committing the schema"))?;
        if let Some(schema) = schema {
            client
                .batch_execute(&format!("SET search_path TO {schema}"))
                .map_err(db("setting the search path"))?;
        }
        Ok(Self { client: Mutex::new(client) })
    }
}

impl Storage for PostgresStorage {
    fn transaction<R>(
        &self,
        work: &mut dyn FnMut(&mut dyn Tx) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let mut client = self.client.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let tx = client.transaction().map_err(db("starting a transaction"))?;
        let mut wrapper = PgTx { tx };
        let result = work(&mut wrapper)?;
        wrapper.tx.commit().map_err(db("committing"))?;
        Ok(result)
    }
}

struct PgTx<'a> {
    tx: postgres::Transaction<'a>,
}

fn decode(data: String) -> Result<Edition, Error> {
    serde_json::from_str(&data).map_err(|source| Error::Decode { body: data, source })
}

fn version(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl PgTx<'_> {
    fn query_editions(
        &mut self,
        sql: &str,
        args: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<Edition>, Error> {
        let rows = self.tx.query(sql, args).map_err(db("reading editions"))?;
        rows.into_iter()
            .map(|row| row.try_get::<_, String>(0).map_err(db("reading editions")).and_then(decode))
            .collect()
    }
}

impl Tx for PgTx<'_> {
    fn lock_document(&mut self, content_id: &str, locale: &str) -> Result<i64, Error> {
        self.tx
            .execute(
                "INSERT INTO documents (content_id, locale, lock_version) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING",
                &[&content_id, &locale],
            )
            .map_err(db("creating a document"))?;
        let row = self
            .tx
            .query_one(
                "SELECT lock_version FROM documents WHERE content_id = $1 AND locale = $2 FOR UPDATE",
                &[&content_id, &locale],
            )
            .map_err(db("locking a document"))?;
        row.try_get(0).map_err(db("reading a document"))
    }

    fn set_lock_version(
        &mut self,
        content_id: &str,
        locale: &str,
        lock_version: i64,
    ) -> Result<(), Error> {
        self.tx
            .execute(
                "UPDATE documents SET lock_version = $3 WHERE content_id = $1 AND locale = $2",
                &[&content_id, &locale, &lock_version],
            )
            .map_err(db("updating a document"))?;
        Ok(())
    }

    fn editions(&mut self, content_id: &str, locale: Option<&str>) -> Result<Vec<Edition>, Error> {
        match locale {
            Some(locale) => self.query_editions(
                "SELECT data FROM editions WHERE content_id = $1 AND locale = $2 ORDER BY user_facing_version",
                &[&content_id, &locale],
            ),
            None => self.query_editions(
                "SELECT data FROM editions WHERE content_id = $1 ORDER BY locale, user_facing_version",
                &[&content_id],
            ),
        }
    }

    fn put_edition(&mut self, e: &Edition) -> Result<(), Error> {
        let data = serde_json::to_string(e)
            .map_err(|source| Error::Decode { body: String::new(), source })?;
        self.tx
            .execute(
                "INSERT INTO editions (content_id, locale, user_facing_version, state, content_store, base_path, data)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (content_id, locale, user_facing_version) DO UPDATE SET
                   state = excluded.state, content_store = excluded.content_store,
                   base_path = excluded.base_path, data = excluded.data",
                &[
                    &e.content_id,
                    &e.locale,
                    &version(e.user_facing_version),
                    &e.state.as_str(),
                    &e.content_store.map(ContentStore::as_str),
                    &e.base_path,
                    &data,
                ],
            )
            .map_err(db("writing an edition"))?;
        Ok(())
    }

    fn delete_edition(
        &mut self,
        content_id: &str,
        locale: &str,
        user_facing_version: u64,
    ) -> Result<(), Error> {
        self.tx
            .execute(
                "DELETE FROM editions WHERE content_id = $1 AND locale = $2 AND user_facing_version = $3",
                &[&content_id, &locale, &version(user_facing_version)],
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
            "SELECT data FROM editions WHERE base_path = $1 AND content_store = $2",
            &[&base_path, &store.as_str()],
        )
    }

    fn editions_on(&mut self, store: ContentStore) -> Result<Vec<Edition>, Error> {
        self.query_editions(
            "SELECT data FROM editions WHERE content_store = $1 ORDER BY content_id, locale",
            &[&store.as_str()],
        )
    }

    fn reservation(&mut self, base_path: &str) -> Result<Option<String>, Error> {
        let row = self
            .tx
            .query_opt(
                "SELECT publishing_app FROM path_reservations WHERE base_path = $1",
                &[&base_path],
            )
            .map_err(db("reading a path reservation"))?;
        row.map(|r| r.try_get(0).map_err(db("reading a path reservation"))).transpose()
    }

    fn set_reservation(
        &mut self,
        base_path: &str,
        publishing_app: Option<&str>,
    ) -> Result<(), Error> {
        match publishing_app {
            Some(app) => self.tx.execute(
                "INSERT INTO path_reservations (base_path, publishing_app) VALUES ($1, $2)
                 ON CONFLICT (base_path) DO UPDATE SET publishing_app = excluded.publishing_app",
                &[&base_path, &app],
            ),
            None => {
                self.tx.execute("DELETE FROM path_reservations WHERE base_path = $1", &[&base_path])
            }
        }
        .map_err(db("writing a path reservation"))?;
        Ok(())
    }

    fn link_set(&mut self, content_id: &str) -> Result<Option<LinkSet>, Error> {
        // Create-then-lock so two first writers of one link set serialise on the row.
        self.tx
            .execute(
                "INSERT INTO link_sets (content_id, lock_version, links) VALUES ($1, 0, '{}') ON CONFLICT DO NOTHING",
                &[&content_id],
            )
            .map_err(db("creating a link set"))?;
        let row = self
            .tx
            .query_one(
                "SELECT lock_version, links FROM link_sets WHERE content_id = $1 FOR UPDATE",
                &[&content_id],
            )
            .map_err(db("reading a link set"))?;
        let lock_version: i64 = row.try_get(0).map_err(db("reading a link set"))?;
        if lock_version == 0 {
            return Ok(None);
        }
        let links: String = row.try_get(1).map_err(db("reading a link set"))?;
        let parsed = serde_json::from_str(&links)
            .map_err(|source| Error::Decode { body: links.clone(), source })?;
        Ok(Some(LinkSet { content_id: content_id.to_owned(), lock_version, links: parsed }))
    }

    fn put_link_set(&mut self, set: &LinkSet) -> Result<(), Error> {
        let links = serde_json::to_string(&set.links)
            .map_err(|source| Error::Decode { body: String::new(), source })?;
        self.tx
            .execute(
                "INSERT INTO link_sets (content_id, lock_version, links) VALUES ($1, $2, $3)
                 ON CONFLICT (content_id) DO UPDATE SET lock_version = excluded.lock_version, links = excluded.links",
                &[&set.content_id, &set.lock_version, &links],
            )
            .map_err(db("writing a link set"))?;
        Ok(())
    }
}
