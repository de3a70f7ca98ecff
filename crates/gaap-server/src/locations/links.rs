//! The council's service links (`locations.links`), read once per server on the first request that needs
//! them. A file that cannot be read or parsed is logged as an error and every service then falls back to
//! the council's homepage, as Local Links Manager does for a council without links.

use std::path::Path;
use std::sync::Arc;

use gaap_content::local::{Link, LinkSource, LinkTable};
use tokio::sync::OnceCell;

use crate::ops::log::Logger;
use crate::state::AppState;

/// The links of one server, loaded on first use.
#[derive(Debug, Clone, Default)]
pub(crate) struct Links(Arc<OnceCell<SharedLinks>>);

/// A loaded table, cheap to hand to a resolver per request.
#[derive(Debug, Clone, Default)]
pub(crate) struct SharedLinks(Arc<LinkTable>);

impl LinkSource for SharedLinks {
    fn links(&self, authority_slug: &str, lgsl: u32) -> Vec<Link> {
        self.0.links(authority_slug, lgsl)
    }
}

impl Links {
    /// The table, reading the configured file the first time.
    pub(crate) async fn get(&self, state: &AppState) -> SharedLinks {
        self.0
            .get_or_init(|| async {
                let Some(path) = state.config.locations.links.clone() else {
                    return SharedLinks::default();
                };
                let logger = state.logger.clone();
                let table = tokio::task::spawn_blocking(move || load(&path, &logger))
                    .await
                    .unwrap_or_default();
                SharedLinks(Arc::new(table))
            })
            .await
            .clone()
    }
}

/// Reads `authority_slug,lgsl,lgil,url`; on failure logs why and answers an empty table.
fn load(path: &Path, logger: &Logger) -> LinkTable {
    let shown = path.display().to_string();
    let parsed = std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|text| LinkTable::from_csv(&text).map_err(|e| e.to_string()));
    match parsed {
        Ok(table) => {
            logger.info("service links loaded", &[("path", &shown)]);
            table
        }
        Err(error) => {
            logger.error(
                "service links not loaded; every service falls back to the council's homepage",
                &[("path", &shown), ("error", &error)],
            );
            LinkTable::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Default)]
    struct Buffer(Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_bad_file_is_logged_and_gives_no_links() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("links.csv");
        std::fs::write(&bad, "authority_slug,lgsl,lgil,url\nrochford,not-a-number,8,https://x\n")
            .unwrap();
        let buffer = Buffer::default();
        let table = load(&bad, &Logger::to(buffer.clone()));
        assert!(table.links("rochford", 1).is_empty());
        let missing = load(&dir.path().join("absent.csv"), &Logger::to(buffer.clone()));
        assert!(missing.links("rochford", 1).is_empty());
        let log = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        assert_eq!(log.lines().count(), 2, "{log}");
        assert!(log.lines().all(|l| l.contains("\"level\":\"error\"")), "{log}");
        assert!(log.contains("not a number"), "{log}");
    }

    #[test]
    fn a_good_file_loads() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("links.csv");
        std::fs::write(&good, "authority_slug,lgsl,lgil,url\nessex,1,8,https://essex.example/1\n")
            .unwrap();
        let table = load(&good, &Logger::off());
        assert_eq!(table.links("essex", 1).len(), 1);
    }
}
