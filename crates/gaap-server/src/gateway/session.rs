//! Sessions: random ids kept only as SHA-256 hashes, the cookies that carry them, and the store (SQLite for
//! one gateway, PostgreSQL for replicas) that also holds pending sign-ins and seen logout-token `jti`s.
//!
//! A session id is 32 random bytes, base64url. The store keys rows by the SHA-256 of the id, so a copy of the
//! table cannot be turned back into cookies.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex, RwLock};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SecureRandom as _;
use serde::{Deserialize, Serialize};

use super::config::SessionsUrl;
use super::headers::Trusted;

/// A boxed future, so the store trait can be used as `dyn Store`.
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A store failure (the message never holds a password).
#[derive(Debug, Clone, thiserror::Error)]
#[error("session store: {0}")]
pub(crate) struct StoreError(pub(crate) String);

gaap_http::secret_string! {
    /// A value that must not show in `Debug` output or logs.
    #[derive(Serialize, Deserialize)]
    #[serde(transparent)]
    pub(crate) struct Secret;
}

/// What a signed-in session holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SessionData {
    /// The One Login subject.
    pub(crate) sub: String,
    /// The One Login session id from the ID token, when sent.
    pub(crate) sid: Option<String>,
    /// The email address, when One Login gave one.
    pub(crate) email: Option<String>,
    /// Whether One Login verified it.
    pub(crate) email_verified: Option<bool>,
    /// The vector of trust achieved, e.g. `Cl.Cm` or `Cl.Cm.P2`.
    pub(crate) vtr: String,
    /// The `X-Gaap-Identity` value, when a core identity was verified.
    pub(crate) identity: Option<String>,
    /// The raw ID token, for `id_token_hint` at sign-out.
    pub(crate) id_token: Secret,
    /// The token the gateway's own forms carry (sign-out), compared in constant time.
    pub(crate) csrf: Secret,
}

/// A session row.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) data: Arc<SessionData>,
    /// Sign-in time, Unix seconds on the injected clock.
    pub(crate) created_at: i64,
    /// Last use, Unix seconds (updated at most once a minute).
    pub(crate) last_seen: i64,
    /// The trusted headers and vector of trust, worked out from `data` once.
    pub(crate) trusted: Arc<Trusted>,
}

impl Session {
    pub(crate) fn new(data: SessionData, created_at: i64, last_seen: i64) -> Self {
        let trusted = Arc::new(Trusted::new(&data));
        Self { data: Arc::new(data), created_at, last_seen, trusted }
    }
}

/// 32 random bytes, base64url without padding (43 characters).
pub(crate) fn new_token() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| StoreError("the system random generator failed".to_owned()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether a cookie value has the shape of [`new_token`]'s output; anything else is never looked up.
pub(crate) fn looks_like_token(value: &str) -> bool {
    value.len() == 43 && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The key a token is stored under: base64url(SHA-256(token)).
pub(crate) fn hash_token(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, token.as_bytes()))
}

/// The gateway's two cookies: the session, and the short-lived sign-in cookie that binds a pending sign-in
/// to the browser that started it. Over https both are `Secure` with the `__Host-` prefix.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cookies {
    secure: bool,
    pub(crate) session: &'static str,
    pub(crate) sign_in: &'static str,
}

impl Cookies {
    pub(crate) const fn new(secure: bool) -> Self {
        if secure {
            Self { secure, session: "__Host-gaap_session", sign_in: "__Host-gaap_signin" }
        } else {
            Self { secure, session: "gaap_session", sign_in: "gaap_signin" }
        }
    }

    fn attributes(&self) -> &'static str {
        if self.secure {
            "; Path=/; HttpOnly; SameSite=Lax; Secure"
        } else {
            "; Path=/; HttpOnly; SameSite=Lax"
        }
    }

    /// `Set-Cookie` for a new session (a browser-session cookie; the server enforces expiry).
    pub(crate) fn set_session(&self, id: &str) -> String {
        format!("{}={id}{}", self.session, self.attributes())
    }

    /// `Set-Cookie` that removes the session cookie.
    pub(crate) fn clear_session(&self) -> String {
        format!("{}=; Max-Age=0{}", self.session, self.attributes())
    }

    /// `Set-Cookie` for the sign-in binding, living as long as a pending sign-in.
    pub(crate) fn set_sign_in(&self, value: &str, max_age: i64) -> String {
        format!("{}={value}; Max-Age={max_age}{}", self.sign_in, self.attributes())
    }

    /// Whether a cookie name is one of the gateway's (in either form): these never reach the upstream.
    pub(crate) fn is_ours(name: &str) -> bool {
        let name = name.strip_prefix("__Host-").unwrap_or(name);
        name == "gaap_session" || name == "gaap_signin"
    }
}

/// The value of cookie `name` in the request's `Cookie` headers (the first one wins).
pub(crate) fn read_cookie<'h>(headers: &'h axum::http::HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
}

/// Where sessions, pending sign-ins and seen logout tokens live. Every method is one short statement; the
/// store is shared by replicas when it is PostgreSQL.
pub(crate) trait Store: Send + Sync + fmt::Debug {
    /// Saves a new session under `id_hash`.
    fn create<'a>(
        &'a self,
        id_hash: &'a str,
        s: &'a Session,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    /// The session under `id_hash`.
    fn get<'a>(&'a self, id_hash: &'a str) -> BoxFuture<'a, Result<Option<Session>, StoreError>>;
    /// Records a use of the session.
    fn touch<'a>(
        &'a self,
        id_hash: &'a str,
        last_seen: i64,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    /// Ends one session.
    fn delete<'a>(&'a self, id_hash: &'a str) -> BoxFuture<'a, Result<(), StoreError>>;
    /// Ends every session of a One Login session (`sid`), or of a subject when there is no `sid`.
    fn end_sessions<'a>(
        &'a self,
        sid: Option<&'a str>,
        sub: &'a str,
    ) -> BoxFuture<'a, Result<u64, StoreError>>;
    /// Drops sessions idle since `idle_before` or created before `created_before`.
    fn purge_sessions(
        &self,
        idle_before: i64,
        created_before: i64,
    ) -> BoxFuture<'_, Result<(), StoreError>>;
    /// Saves a pending sign-in under its state's hash, and drops those created before `stale_before`.
    fn put_pending<'a>(
        &'a self,
        state_hash: &'a str,
        data: &'a str,
        now: i64,
        stale_before: i64,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    /// Removes and returns a pending sign-in (data, created_at): a state is usable once.
    fn take_pending<'a>(
        &'a self,
        state_hash: &'a str,
    ) -> BoxFuture<'a, Result<Option<(String, i64)>, StoreError>>;
    /// Records a logout-token `jti` until `forget_after`; false when it is already recorded.
    fn first_use_jti<'a>(
        &'a self,
        jti: &'a str,
        forget_after: i64,
        now: i64,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS gaap_gateway_sessions (
    id_hash TEXT PRIMARY KEY,
    sub TEXT NOT NULL,
    sid TEXT,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS gaap_gateway_sessions_sub ON gaap_gateway_sessions (sub);
CREATE INDEX IF NOT EXISTS gaap_gateway_sessions_sid ON gaap_gateway_sessions (sid);
CREATE INDEX IF NOT EXISTS gaap_gateway_sessions_last_seen ON gaap_gateway_sessions (last_seen);
CREATE INDEX IF NOT EXISTS gaap_gateway_sessions_created_at ON gaap_gateway_sessions (created_at);
CREATE TABLE IF NOT EXISTS gaap_gateway_pending (
    state_hash TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS gaap_gateway_pending_created_at ON gaap_gateway_pending (created_at);
CREATE TABLE IF NOT EXISTS gaap_gateway_jtis (
    jti TEXT PRIMARY KEY,
    forget_after BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS gaap_gateway_jtis_forget_after ON gaap_gateway_jtis (forget_after);
";

const SQL_CREATE: &str = "INSERT INTO gaap_gateway_sessions (id_hash, sub, sid, data, created_at, last_seen) \
                          VALUES ($1, $2, $3, $4, $5, $6)";
const SQL_GET: &str =
    "SELECT data, created_at, last_seen FROM gaap_gateway_sessions WHERE id_hash = $1";
// SQLite numbers `$N` parameters in order of appearance, so every statement names them in order.
const SQL_TOUCH: &str = "UPDATE gaap_gateway_sessions SET last_seen = $1 WHERE id_hash = $2";
const SQL_DELETE: &str = "DELETE FROM gaap_gateway_sessions WHERE id_hash = $1";
const SQL_END_SID: &str = "DELETE FROM gaap_gateway_sessions WHERE sid = $1";
const SQL_END_SUB: &str = "DELETE FROM gaap_gateway_sessions WHERE sub = $1";
const SQL_PURGE: &str = "DELETE FROM gaap_gateway_sessions WHERE last_seen < $1 OR created_at < $2";
const SQL_PUT_PENDING: &str =
    "INSERT INTO gaap_gateway_pending (state_hash, data, created_at) VALUES ($1, $2, $3)";
const SQL_PURGE_PENDING: &str = "DELETE FROM gaap_gateway_pending WHERE created_at < $1";
const SQL_TAKE_PENDING: &str =
    "DELETE FROM gaap_gateway_pending WHERE state_hash = $1 RETURNING data, created_at";
const SQL_JTI: &str = "INSERT INTO gaap_gateway_jtis (jti, forget_after) VALUES ($1, $2) \
                       ON CONFLICT (jti) DO UPDATE SET forget_after = excluded.forget_after \
                       WHERE gaap_gateway_jtis.forget_after <= $3 RETURNING jti";
const SQL_PURGE_JTIS: &str = "DELETE FROM gaap_gateway_jtis WHERE forget_after <= $1";

fn decode_session(data: &str, created_at: i64, last_seen: i64) -> Result<Session, StoreError> {
    let data: SessionData = serde_json::from_str(data)
        .map_err(|e| StoreError(format!("a session row does not decode: {e}")))?;
    Ok(Session::new(data, created_at, last_seen))
}

fn encode_session(s: &Session) -> Result<String, StoreError> {
    serde_json::to_string(&*s.data).map_err(|e| StoreError(format!("cannot encode a session: {e}")))
}

/// Sessions in one SQLite file (WAL mode), for a single gateway process. Being the file's only writer, it
/// keeps the sessions it has read or written in memory too (written through, dropped with their rows), so a
/// signed-in request does not read the file.
pub(crate) struct SqliteStore {
    conn: Mutex<rusqlite::Connection>,
    cache: RwLock<HashMap<String, Session, DigestKeys>>,
}

/// Hashes a cache key, the base64url of a SHA-256 and so already uniform, by its first eight bytes instead
/// of SipHash over all 43. The map holds only sessions that exist, so a chosen cookie cannot crowd a bucket.
#[derive(Debug, Default, Clone, Copy)]
struct DigestKeys;

impl std::hash::BuildHasher for DigestKeys {
    type Hasher = DigestKeyHasher;
    fn build_hasher(&self) -> DigestKeyHasher {
        DigestKeyHasher(None)
    }
}

struct DigestKeyHasher(Option<u64>);

impl std::hash::Hasher for DigestKeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        // `str` writes its bytes, then a 0xff marker: only the first write counts.
        if self.0.is_none() {
            let mut first = [0u8; 8];
            let n = bytes.len().min(8);
            first[..n].copy_from_slice(&bytes[..n]);
            // Spreads the 6 bits a base64 character holds over the whole word (the map uses the top bits).
            self.0 = Some(u64::from_le_bytes(first).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        }
    }

    fn finish(&self) -> u64 {
        self.0.unwrap_or(0)
    }
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SqliteStore")
    }
}

fn sqlite_err(e: &rusqlite::Error) -> StoreError {
    StoreError(e.to_string())
}

impl SqliteStore {
    /// Opens (or creates, readable by its owner only) the file and its tables.
    pub(crate) fn open(path: &Path) -> Result<Self, StoreError> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            let _ = std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(path);
        }
        let conn = rusqlite::Connection::open(path)
            .map_err(|e| StoreError(format!("cannot open {}: {e}", path.display())))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;",
        )
        .and_then(|()| conn.execute_batch(SCHEMA))
        .map_err(|e| StoreError(format!("{}: {e}", path.display())))?;
        Ok(Self { conn: Mutex::new(conn), cache: RwLock::default() })
    }

    fn cached(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Session, DigestKeys>> {
        self.cache.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn cache_mut(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Session, DigestKeys>> {
        self.cache.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let conn = self.conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&conn).map_err(|e| sqlite_err(&e))
    }
}

fn ready<'a, T: Send + 'a>(value: T) -> BoxFuture<'a, T> {
    Box::pin(std::future::ready(value))
}

impl Store for SqliteStore {
    fn create<'a>(
        &'a self,
        id_hash: &'a str,
        s: &'a Session,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        let done = encode_session(s).and_then(|data| {
            self.with(|c| {
                c.prepare_cached(SQL_CREATE)?
                    .execute(rusqlite::params![
                        id_hash,
                        s.data.sub,
                        s.data.sid,
                        data,
                        s.created_at,
                        s.last_seen
                    ])
                    .map(drop)
            })
        });
        if done.is_ok() {
            self.cache_mut().insert(id_hash.to_owned(), s.clone());
        }
        ready(done)
    }

    fn get<'a>(&'a self, id_hash: &'a str) -> BoxFuture<'a, Result<Option<Session>, StoreError>> {
        use rusqlite::OptionalExtension as _;
        if let Some(s) = self.cached().get(id_hash) {
            return ready(Ok(Some(s.clone())));
        }
        let row = self.with(|c| {
            c.prepare_cached(SQL_GET)?
                .query_row([id_hash], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
                })
                .optional()
        });
        let session = row.and_then(|row| row.map(|(d, c, l)| decode_session(&d, c, l)).transpose());
        if let Ok(Some(s)) = &session {
            self.cache_mut().insert(id_hash.to_owned(), s.clone());
        }
        ready(session)
    }

    fn touch<'a>(
        &'a self,
        id_hash: &'a str,
        last_seen: i64,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        let done = self.with(|c| {
            c.prepare_cached(SQL_TOUCH)?.execute(rusqlite::params![last_seen, id_hash]).map(drop)
        });
        if let Some(s) = self.cache_mut().get_mut(id_hash) {
            s.last_seen = last_seen;
        }
        ready(done)
    }

    fn delete<'a>(&'a self, id_hash: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        self.cache_mut().remove(id_hash);
        ready(self.with(|c| c.prepare_cached(SQL_DELETE)?.execute([id_hash]).map(drop)))
    }

    fn end_sessions<'a>(
        &'a self,
        sid: Option<&'a str>,
        sub: &'a str,
    ) -> BoxFuture<'a, Result<u64, StoreError>> {
        self.cache_mut().retain(|_, s| match sid {
            Some(sid) => s.data.sid.as_deref() != Some(sid),
            None => s.data.sub != sub,
        });
        ready(self.with(|c| {
            let n = match sid {
                Some(sid) => c.prepare_cached(SQL_END_SID)?.execute([sid])?,
                None => c.prepare_cached(SQL_END_SUB)?.execute([sub])?,
            };
            Ok(u64::try_from(n).unwrap_or(u64::MAX))
        }))
    }

    fn purge_sessions(
        &self,
        idle_before: i64,
        created_before: i64,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.cache_mut()
            .retain(|_, s| s.last_seen >= idle_before && s.created_at >= created_before);
        ready(self.with(|c| {
            c.prepare_cached(SQL_PURGE)?.execute([idle_before, created_before]).map(drop)
        }))
    }

    fn put_pending<'a>(
        &'a self,
        state_hash: &'a str,
        data: &'a str,
        now: i64,
        stale_before: i64,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        ready(self.with(|c| {
            c.prepare_cached(SQL_PURGE_PENDING)?.execute([stale_before])?;
            c.prepare_cached(SQL_PUT_PENDING)?
                .execute(rusqlite::params![state_hash, data, now])
                .map(drop)
        }))
    }

    fn take_pending<'a>(
        &'a self,
        state_hash: &'a str,
    ) -> BoxFuture<'a, Result<Option<(String, i64)>, StoreError>> {
        use rusqlite::OptionalExtension as _;
        ready(self.with(|c| {
            c.prepare_cached(SQL_TAKE_PENDING)?
                .query_row([state_hash], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
                .optional()
        }))
    }

    fn first_use_jti<'a>(
        &'a self,
        jti: &'a str,
        forget_after: i64,
        now: i64,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        use rusqlite::OptionalExtension as _;
        ready(self.with(|c| {
            c.prepare_cached(SQL_PURGE_JTIS)?.execute([now])?;
            let row = c
                .prepare_cached(SQL_JTI)?
                .query_row(rusqlite::params![jti, forget_after, now], |r| r.get::<_, String>(0))
                .optional()?;
            Ok(row.is_some())
        }))
    }
}

/// Sessions in PostgreSQL, shared by every replica. One connection, pipelined, reopened when it drops.
pub(crate) struct PgStore {
    url: SessionsUrl,
    conn: RwLock<Option<Arc<PgConn>>>,
    reconnect: tokio::sync::Mutex<()>,
}

impl fmt::Debug for PgStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgStore").field("url", &self.url).finish_non_exhaustive()
    }
}

struct PgConn {
    client: tokio_postgres::Client,
    create: tokio_postgres::Statement,
    get: tokio_postgres::Statement,
    touch: tokio_postgres::Statement,
    delete: tokio_postgres::Statement,
    end_sid: tokio_postgres::Statement,
    end_sub: tokio_postgres::Statement,
    purge: tokio_postgres::Statement,
    put_pending: tokio_postgres::Statement,
    purge_pending: tokio_postgres::Statement,
    take_pending: tokio_postgres::Statement,
    jti: tokio_postgres::Statement,
    purge_jtis: tokio_postgres::Statement,
}

/// Whether an error means the connection is gone (closed, or the server ended it).
fn connection_lost(e: &tokio_postgres::Error) -> bool {
    use tokio_postgres::error::SqlState;
    e.is_closed()
        || e.code().is_some_and(|c| {
            *c == SqlState::ADMIN_SHUTDOWN
                || *c == SqlState::CRASH_SHUTDOWN
                || *c == SqlState::CANNOT_CONNECT_NOW
        })
}

fn pg_err(e: &tokio_postgres::Error) -> StoreError {
    // The driver's messages name no password; the URL is never part of them.
    match e.as_db_error() {
        Some(db) => StoreError(format!("PostgreSQL: {}: {}", db.code().code(), db.message())),
        None => StoreError(format!("PostgreSQL: {e}")),
    }
}

impl PgStore {
    /// Connects, creates the tables (once, under an advisory lock, so replicas can start together) and
    /// prepares the statements.
    pub(crate) async fn connect(url: SessionsUrl) -> Result<Self, StoreError> {
        let conn = Self::open(&url).await?;
        Ok(Self {
            url,
            conn: RwLock::new(Some(Arc::new(conn))),
            reconnect: tokio::sync::Mutex::new(()),
        })
    }

    async fn open(url: &SessionsUrl) -> Result<PgConn, StoreError> {
        let (client, connection) = tokio_postgres::connect(url.expose(), tokio_postgres::NoTls)
            .await
            .map_err(|e| StoreError(format!("cannot connect to {}: {e}", url.redacted())))?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        client
            .batch_execute(&format!(
                "BEGIN; SELECT pg_advisory_xact_lock(7468001); {SCHEMA} COMMIT;"
            ))
            .await
            .map_err(|e| pg_err(&e))?;
        let p = |sql: &'static str| {
            let client = &client;
            async move { client.prepare(sql).await.map_err(|e| pg_err(&e)) }
        };
        Ok(PgConn {
            create: p(SQL_CREATE).await?,
            get: p(SQL_GET).await?,
            touch: p(SQL_TOUCH).await?,
            delete: p(SQL_DELETE).await?,
            end_sid: p(SQL_END_SID).await?,
            end_sub: p(SQL_END_SUB).await?,
            purge: p(SQL_PURGE).await?,
            put_pending: p(SQL_PUT_PENDING).await?,
            purge_pending: p(SQL_PURGE_PENDING).await?,
            take_pending: p(SQL_TAKE_PENDING).await?,
            jti: p(SQL_JTI).await?,
            purge_jtis: p(SQL_PURGE_JTIS).await?,
            client,
        })
    }

    /// A new connection in place of `dead` (unless another task has replaced it already).
    async fn reopen(&self, dead: &Arc<PgConn>) -> Result<Arc<PgConn>, StoreError> {
        let _guard = self.reconnect.lock().await;
        let current = self.conn.read().ok().and_then(|g| g.clone());
        if let Some(c) = current.filter(|c| !Arc::ptr_eq(c, dead) && !c.client.is_closed()) {
            return Ok(c);
        }
        let fresh = Arc::new(Self::open(&self.url).await?);
        if let Ok(mut g) = self.conn.write() {
            *g = Some(Arc::clone(&fresh));
        }
        Ok(fresh)
    }

    /// The live connection, reopened once if it has dropped.
    async fn conn(&self) -> Result<Arc<PgConn>, StoreError> {
        let current = self.conn.read().ok().and_then(|g| g.clone());
        if let Some(c) = current.filter(|c| !c.client.is_closed()) {
            return Ok(c);
        }
        let _guard = self.reconnect.lock().await;
        let current = self.conn.read().ok().and_then(|g| g.clone());
        if let Some(c) = current.filter(|c| !c.client.is_closed()) {
            return Ok(c);
        }
        let fresh = Arc::new(Self::open(&self.url).await?);
        if let Ok(mut g) = self.conn.write() {
            *g = Some(Arc::clone(&fresh));
        }
        Ok(fresh)
    }
}

impl Store for PgStore {
    fn create<'a>(
        &'a self,
        id_hash: &'a str,
        s: &'a Session,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let data = encode_session(s)?;
            let c = self.conn().await?;
            c.client
                .execute(
                    &c.create,
                    &[&id_hash, &s.data.sub, &s.data.sid, &data, &s.created_at, &s.last_seen],
                )
                .await
                .map(drop)
                .map_err(|e| pg_err(&e))
        })
    }

    fn get<'a>(&'a self, id_hash: &'a str) -> BoxFuture<'a, Result<Option<Session>, StoreError>> {
        Box::pin(async move {
            let c = self.conn().await?;
            // A read is safe to repeat: when the connection has just dropped, reopen it and ask again.
            let row = match c.client.query_opt(&c.get, &[&id_hash]).await {
                Ok(row) => row,
                Err(e) if connection_lost(&e) || c.client.is_closed() => {
                    let c = self.reopen(&c).await?;
                    c.client.query_opt(&c.get, &[&id_hash]).await.map_err(|e| pg_err(&e))?
                }
                Err(e) => return Err(pg_err(&e)),
            };
            row.map(|r| {
                let data: String = r.try_get(0).map_err(|e| pg_err(&e))?;
                let created: i64 = r.try_get(1).map_err(|e| pg_err(&e))?;
                let seen: i64 = r.try_get(2).map_err(|e| pg_err(&e))?;
                decode_session(&data, created, seen)
            })
            .transpose()
        })
    }

    fn touch<'a>(
        &'a self,
        id_hash: &'a str,
        last_seen: i64,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let c = self.conn().await?;
            c.client
                .execute(&c.touch, &[&last_seen, &id_hash])
                .await
                .map(drop)
                .map_err(|e| pg_err(&e))
        })
    }

    fn delete<'a>(&'a self, id_hash: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let c = self.conn().await?;
            c.client.execute(&c.delete, &[&id_hash]).await.map(drop).map_err(|e| pg_err(&e))
        })
    }

    fn end_sessions<'a>(
        &'a self,
        sid: Option<&'a str>,
        sub: &'a str,
    ) -> BoxFuture<'a, Result<u64, StoreError>> {
        Box::pin(async move {
            let c = self.conn().await?;
            match sid {
                Some(sid) => c.client.execute(&c.end_sid, &[&sid]).await,
                None => c.client.execute(&c.end_sub, &[&sub]).await,
            }
            .map_err(|e| pg_err(&e))
        })
    }

    fn purge_sessions(
        &self,
        idle_before: i64,
        created_before: i64,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(async move {
            let c = self.conn().await?;
            c.client
                .execute(&c.purge, &[&idle_before, &created_before])
                .await
                .map(drop)
                .map_err(|e| pg_err(&e))
        })
    }

    fn put_pending<'a>(
        &'a self,
        state_hash: &'a str,
        data: &'a str,
        now: i64,
        stale_before: i64,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let c = self.conn().await?;
            c.client.execute(&c.purge_pending, &[&stale_before]).await.map_err(|e| pg_err(&e))?;
            c.client
                .execute(&c.put_pending, &[&state_hash, &data, &now])
                .await
                .map(drop)
                .map_err(|e| pg_err(&e))
        })
    }

    fn take_pending<'a>(
        &'a self,
        state_hash: &'a str,
    ) -> BoxFuture<'a, Result<Option<(String, i64)>, StoreError>> {
        Box::pin(async move {
            let c = self.conn().await?;
            let row = c
                .client
                .query_opt(&c.take_pending, &[&state_hash])
                .await
                .map_err(|e| pg_err(&e))?;
            row.map(|r| {
                Ok((r.try_get(0).map_err(|e| pg_err(&e))?, r.try_get(1).map_err(|e| pg_err(&e))?))
            })
            .transpose()
        })
    }

    fn first_use_jti<'a>(
        &'a self,
        jti: &'a str,
        forget_after: i64,
        now: i64,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            let c = self.conn().await?;
            c.client.execute(&c.purge_jtis, &[&now]).await.map_err(|e| pg_err(&e))?;
            let row = c
                .client
                .query_opt(&c.jti, &[&jti, &forget_after, &now])
                .await
                .map_err(|e| pg_err(&e))?;
            Ok(row.is_some())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(sub: &str, sid: &str, at: i64) -> Session {
        Session::new(
            SessionData {
                sub: sub.to_owned(),
                sid: Some(sid.to_owned()),
                email: Some("a@example.com".to_owned()),
                email_verified: Some(true),
                vtr: "Cl.Cm".to_owned(),
                identity: None,
                id_token: Secret::new("id-token-secret".to_owned()),
                csrf: Secret::new("csrf-secret".to_owned()),
            },
            at,
            at,
        )
    }

    #[tokio::test]
    async fn sqlite_sessions_pending_and_jtis() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.sqlite3")).unwrap();
        exercise(&store).await;
    }

    /// Needs GAAP_TEST_POSTGRES_URL (feature `postgres`); fails without it.
    #[cfg(feature = "postgres")]
    #[tokio::test]
    async fn postgres_sessions_pending_and_jtis() {
        let url = std::env::var("GAAP_TEST_POSTGRES_URL")
            .expect("the postgres feature is on but GAAP_TEST_POSTGRES_URL is not set");
        let schema = format!("gaap_gw_unit_{}", std::process::id());
        let (client, connection) =
            tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        client
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            ))
            .await
            .unwrap();
        let sep = if url.contains('?') { '&' } else { '?' };
        let url =
            format!("{url}{sep}options=-c%20search_path%3D{schema}&application_name={schema}");
        let store = PgStore::connect(SessionsUrl::new(url)).await.unwrap();
        exercise(&store).await;
        // The server drops the connection: the next read reopens it.
        store.create("kept", &session("dave", "s8", 500)).await.unwrap();
        client
            .execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                &[&schema],
            )
            .await
            .unwrap();
        assert_eq!(store.get("kept").await.unwrap().unwrap().data.sub, "dave");
        // Two stores on one database (two replicas) see each other's rows.
        let other = PgStore::connect(store.url.clone()).await.unwrap();
        store.create("shared", &session("carol", "s9", 500)).await.unwrap();
        assert_eq!(other.get("shared").await.unwrap().unwrap().data.sub, "carol");
        assert!(!other.first_use_jti("j", 10_000, 350).await.unwrap(), "jtis are shared");
    }

    async fn exercise(store: &dyn Store) {
        store.create("h1", &session("alice", "s1", 100)).await.unwrap();
        store.create("h2", &session("alice", "s2", 100)).await.unwrap();
        store.create("h3", &session("bob", "s3", 100)).await.unwrap();
        assert_eq!(store.get("h1").await.unwrap().unwrap().data.sub, "alice");
        store.touch("h1", 150).await.unwrap();
        assert_eq!(store.get("h1").await.unwrap().unwrap().last_seen, 150);
        assert_eq!(store.end_sessions(Some("s2"), "alice").await.unwrap(), 1);
        assert!(store.get("h2").await.unwrap().is_none());
        assert_eq!(store.end_sessions(None, "alice").await.unwrap(), 1);
        assert!(store.get("h1").await.unwrap().is_none());
        store.purge_sessions(120, 0).await.unwrap();
        assert!(store.get("h3").await.unwrap().is_none());

        store.put_pending("p", "{}", 10, 0).await.unwrap();
        assert_eq!(store.take_pending("p").await.unwrap(), Some(("{}".to_owned(), 10)));
        assert_eq!(store.take_pending("p").await.unwrap(), None, "a state is taken once");

        assert!(store.first_use_jti("j", 200, 10).await.unwrap());
        assert!(!store.first_use_jti("j", 200, 20).await.unwrap());
        assert!(store.first_use_jti("j", 400, 300).await.unwrap(), "forgotten after its time");
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let debug = format!("{:?}", session("alice", "s1", 1));
        assert!(!debug.contains("id-token-secret") && !debug.contains("csrf-secret"), "{debug}");
    }

    #[test]
    fn tokens_and_cookies() {
        let t = new_token().unwrap();
        assert!(looks_like_token(&t));
        assert!(!looks_like_token("short"));
        assert_ne!(hash_token(&t), t);
        let c = Cookies::new(true);
        assert!(c.set_session(&t).starts_with("__Host-gaap_session="));
        assert!(c.set_session(&t).contains("Secure") && c.set_session(&t).contains("HttpOnly"));
        assert!(!Cookies::new(false).set_session(&t).contains("Secure"));
        assert!(Cookies::is_ours("__Host-gaap_signin") && !Cookies::is_ours("PHPSESSID"));
        let mut h = axum::http::HeaderMap::new();
        h.append("cookie", "a=1; gaap_session=xyz".parse().unwrap());
        assert_eq!(read_cookie(&h, "gaap_session"), Some("xyz"));
        assert_eq!(read_cookie(&h, "b"), None);
    }
}
