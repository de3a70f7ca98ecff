//! The tables both storage backends create (SQLite and PostgreSQL read the same DDL).

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS documents (
    content_id TEXT NOT NULL,
    locale TEXT NOT NULL,
    lock_version BIGINT NOT NULL,
    PRIMARY KEY (content_id, locale)
);
CREATE TABLE IF NOT EXISTS editions (
    content_id TEXT NOT NULL,
    locale TEXT NOT NULL,
    user_facing_version BIGINT NOT NULL,
    state TEXT NOT NULL,
    content_store TEXT,
    base_path TEXT,
    data TEXT NOT NULL,
    PRIMARY KEY (content_id, locale, user_facing_version)
);
CREATE UNIQUE INDEX IF NOT EXISTS editions_one_per_store ON editions (content_id, locale, content_store)
    WHERE content_store IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS editions_path_per_store ON editions (base_path, content_store)
    WHERE content_store IS NOT NULL AND base_path IS NOT NULL;
CREATE TABLE IF NOT EXISTS path_reservations (
    base_path TEXT PRIMARY KEY,
    publishing_app TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS link_sets (
    content_id TEXT PRIMARY KEY,
    lock_version BIGINT NOT NULL,
    links TEXT NOT NULL
);
";
