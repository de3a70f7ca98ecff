//! What every request shares: the configuration, the address index (swapped whole on reload), the
//! metrics, the rate limiter, the clock and the logger. Nothing here is per-user, so replicas share nothing
//! but the index file.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use gaap_address::{Index, InputFormat, Loader};
use gaap_http::SharedClock;
use time::OffsetDateTime;
use tokio::sync::watch;

use crate::Error;
use crate::config::Config;
use crate::ops::limit::RateLimiter;
use crate::ops::log::Logger;
use crate::ops::metrics::Metrics;

/// Where the served index came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IndexSource {
    /// gaap-address's embedded Westminster data.
    Embedded,
    /// A file (a saved index, or an input file read at start).
    File(PathBuf),
}

/// An index in service: the embedded one, or one loaded from a file.
#[derive(Debug, Clone)]
pub(crate) enum IndexRef {
    Embedded(&'static Index),
    Owned(Arc<Index>),
}

impl Deref for IndexRef {
    type Target = Index;
    fn deref(&self) -> &Index {
        match self {
            Self::Embedded(i) => i,
            Self::Owned(i) => i,
        }
    }
}

/// The index in service and when it was loaded.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    pub(crate) index: IndexRef,
    pub(crate) loaded_at: OffsetDateTime,
    /// The file's modification time when it was read, to notice a changed file.
    pub(crate) modified: Option<SystemTime>,
    /// The data's own date: the file's modification time, or the load time for embedded data.
    pub(crate) data_time: OffsetDateTime,
}

/// Loading state, watched by `/readyz` and [`crate::ServerHandle::ready`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Status {
    Loading,
    Ready,
    Failed(String),
}

#[derive(Debug)]
pub(crate) struct IndexCell {
    current: RwLock<Option<Loaded>>,
    status: watch::Sender<Status>,
    pub(crate) source: IndexSource,
}

impl IndexCell {
    fn new(source: IndexSource) -> Self {
        Self { current: RwLock::new(None), status: watch::Sender::new(Status::Loading), source }
    }

    /// The index in service, or `None` while the first load runs.
    pub(crate) fn get(&self) -> Option<Loaded> {
        self.current.read().ok().and_then(|g| g.clone())
    }

    pub(crate) fn status(&self) -> Status {
        self.status.borrow().clone()
    }

    fn put(&self, loaded: Loaded) {
        if let Ok(mut g) = self.current.write() {
            *g = Some(loaded);
        }
        self.status.send_replace(Status::Ready);
    }

    pub(crate) async fn wait_ready(&self) -> Result<(), Error> {
        let mut rx = self.status.subscribe();
        let status = rx
            .wait_for(|s| *s != Status::Loading)
            .await
            .map(|s| s.clone())
            .unwrap_or(Status::Failed("server stopped".into()));
        match status {
            Status::Failed(e) => Err(Error::Index(e)),
            _ => Ok(()),
        }
    }
}

/// State shared by every handler.
#[derive(Debug, Clone)]
pub(crate) struct AppState {
    pub(crate) config: Arc<Config>,
    pub(crate) public_url: Arc<str>,
    pub(crate) clock: SharedClock,
    pub(crate) logger: Logger,
    pub(crate) index: Arc<IndexCell>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) limiter: Arc<RateLimiter>,
    /// One load at a time: the poller, SIGHUP and `ServerHandle::reload` take turns, so an older load can
    /// never finish last and put a stale index back in service.
    reloading: Arc<tokio::sync::Mutex<()>>,
}

impl AppState {
    pub(crate) fn new(
        config: Config,
        public_url: String,
        clock: SharedClock,
        logger: Logger,
    ) -> Self {
        let source = match &config.address.index {
            Some(path) => IndexSource::File(path.clone()),
            None => IndexSource::Embedded,
        };
        let limiter = RateLimiter::new(&config.address, clock.clone());
        Self {
            config: Arc::new(config),
            public_url: public_url.into(),
            clock,
            logger,
            index: Arc::new(IndexCell::new(source)),
            metrics: Arc::new(Metrics::new()),
            limiter: Arc::new(limiter),
            reloading: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// Loads the index on a blocking thread; `/readyz` turns 200 when it is in.
    pub(crate) fn start_loading(&self) {
        let state = self.clone();
        tokio::spawn(async move {
            if let Err(e) = state.reload().await {
                state.logger.error("index load failed", &[("error", &e.to_string())]);
                state.index.status.send_replace(Status::Failed(e.to_string()));
            }
        });
    }

    /// Loads the index from its source and swaps it in. On failure the index in service stays.
    pub(crate) async fn reload(&self) -> Result<(), Error> {
        let _one_at_a_time = self.reloading.lock().await;
        let source = self.index.source.clone();
        let now = self.clock.now();
        let loaded = tokio::task::spawn_blocking(move || load(&source, now))
            .await
            .map_err(|e| Error::Index(format!("the loading thread failed: {e}")))??;
        let (addresses, postcodes) = (loaded.index.len(), loaded.index.postcode_count());
        self.index.put(loaded);
        self.logger.info(
            "index loaded",
            &[("addresses", &addresses.to_string()), ("postcodes", &postcodes.to_string())],
        );
        Ok(())
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Loads an index from its source.
pub(crate) fn load(source: &IndexSource, now: OffsetDateTime) -> Result<Loaded, Error> {
    match source {
        IndexSource::Embedded => Ok(Loaded {
            index: IndexRef::Embedded(gaap_address::embedded()),
            loaded_at: now,
            modified: None,
            data_time: now,
        }),
        IndexSource::File(path) => {
            let before = modified(path);
            let index = read_index(path)?;
            Ok(Loaded {
                index: IndexRef::Owned(Arc::new(index)),
                loaded_at: now,
                modified: before,
                data_time: before.map_or(now, OffsetDateTime::from),
            })
        }
    }
}

/// Reads a saved index, or builds one from input files: a `.json` file or a folder of them (OS Places
/// responses), or a CSV (gaap CSV, AddressBase, Code-Point Open, told apart by the first line).
pub(crate) fn read_index(path: &Path) -> Result<Index, Error> {
    let err = |e: gaap_address::Error| Error::Index(format!("{}: {e}", path.display()));
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| Error::Index(format!("{}: {e}", path.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("json")))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(Error::Index(format!("{} holds no .json files", path.display())));
        }
        let mut loader = Loader::new();
        for f in &files {
            loader.read_path(InputFormat::OsPlaces, f).map_err(err)?;
        }
        return Ok(loader.into_builder().build());
    }
    let mut head = [0u8; 512];
    let n = {
        use std::io::Read;
        let mut f = std::fs::File::open(path)
            .map_err(|e| Error::Index(format!("cannot open {}: {e}", path.display())))?;
        f.read(&mut head).map_err(|e| Error::Index(format!("{}: {e}", path.display())))?
    };
    let head = head.get(..n).unwrap_or_default();
    if head.starts_with(b"GAAPADDR") {
        return Index::open(path).map_err(err);
    }
    let format = sniff(head).ok_or_else(|| {
        Error::Index(format!(
            "{} is neither a gaap index nor a file the loader knows (OS Places JSON, AddressBase, \
             gaap CSV or Code-Point Open)",
            path.display()
        ))
    })?;
    let mut loader = Loader::new();
    loader.read_path(format, path).map_err(err)?;
    Ok(loader.into_builder().build())
}

fn sniff(head: &[u8]) -> Option<InputFormat> {
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let first = text.lines().next().unwrap_or_default().to_ascii_lowercase();
    if text.starts_with('{') {
        Some(InputFormat::OsPlaces)
    } else if first.split(',').any(|h| matches!(h.trim().trim_matches('"'), "uprn" | "postcode"))
        && !first.contains("lpi_key")
        && !first.contains("rm_organisation_name")
    {
        Some(InputFormat::GaapCsv)
    } else if first.starts_with(|c: char| c.is_ascii_digit())
        || first.contains("lpi_key")
        || first.contains("rm_organisation_name")
    {
        Some(InputFormat::AddressBase)
    } else if first.split(',').count() == 10 {
        Some(InputFormat::CodePoint)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_each_input_shape() {
        assert_eq!(sniff(b"{\"header\":{}}"), Some(InputFormat::OsPlaces));
        assert_eq!(sniff(b"uprn,postcode,thoroughfare\n1,SW1A 1AA,X"), Some(InputFormat::GaapCsv));
        assert_eq!(sniff(b"10,\"NAG Hub\",9999"), Some(InputFormat::AddressBase));
        assert_eq!(
            sniff(b"\"AB101AA\",10,394251,806376,\"S92000003\",\"\",\"S08000020\",\"\",\"S12000033\",\"S13002842\""),
            Some(InputFormat::CodePoint)
        );
        assert_eq!(sniff(b"hello world"), None);
    }
}
