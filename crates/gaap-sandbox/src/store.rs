//! Optional SQLite persistence: each service's state is one JSON document in a `state` table, written by the
//! background ticker when it changed and on shutdown.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::Error;

/// Where state lives: nowhere (memory) or a SQLite file.
#[derive(Debug)]
pub(crate) struct Store {
    #[cfg(feature = "sqlite")]
    conn: Option<std::sync::Mutex<rusqlite::Connection>>,
}

impl Store {
    /// Opens (and creates) the state file, or keeps state in memory when `path` is `None`.
    pub(crate) fn open(path: Option<&Path>) -> Result<Self, Error> {
        #[cfg(feature = "sqlite")]
        {
            let conn = match path {
                None => None,
                Some(path) => {
                    let conn = rusqlite::Connection::open(path).map_err(|e| {
                        Error::State(format!("cannot open {}: {e}", path.display()))
                    })?;
                    conn.execute_batch(
                        "CREATE TABLE IF NOT EXISTS state (service TEXT PRIMARY KEY, json TEXT NOT NULL);",
                    )
                    .map_err(|e| Error::State(e.to_string()))?;
                    Some(std::sync::Mutex::new(conn))
                }
            };
            Ok(Self { conn })
        }
        #[cfg(not(feature = "sqlite"))]
        match path {
            None => Ok(Self {}),
            Some(path) => Err(Error::State(format!(
                "cannot keep the state in {}: gaap-sandbox was built without its `sqlite` feature \
                 (add `features = [\"sqlite\"]` to the gaap-sandbox dependency)",
                path.display()
            ))),
        }
    }

    /// The saved state of `service`, if any.
    pub(crate) fn load<T: DeserializeOwned>(&self, service: &str) -> Result<Option<T>, Error> {
        #[cfg(feature = "sqlite")]
        if let Some(conn) = &self.conn {
            let conn = conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let json: Option<String> = conn
                .query_row("SELECT json FROM state WHERE service = ?1", [service], |row| row.get(0))
                .map(Some)
                .or_else(|e| {
                    if matches!(e, rusqlite::Error::QueryReturnedNoRows) {
                        Ok(None)
                    } else {
                        Err(e)
                    }
                })
                .map_err(|e| Error::State(e.to_string()))?;
            return json
                .map(|j| {
                    serde_json::from_str(&j).map_err(|e| Error::State(format!("{service}: {e}")))
                })
                .transpose();
        }
        let _ = service;
        Ok(None)
    }

    /// Saves the state of `service`.
    pub(crate) fn save(&self, service: &str, json: &str) -> Result<(), Error> {
        #[cfg(feature = "sqlite")]
        if let Some(conn) = &self.conn {
            let conn = conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            conn.execute(
                "INSERT INTO state (service, json) VALUES (?1, ?2) ON CONFLICT(service) DO UPDATE SET json = ?2",
                [service, json],
            )
            .map_err(|e| Error::State(e.to_string()))?;
        }
        let _ = (service, json);
        Ok(())
    }
}
