//! Hot reload of the index: on SIGHUP, and when the index file's modification time changes (polled). The
//! new index is loaded beside the old one and swapped in whole, so no request sees a half-loaded index and
//! requests in flight finish on the one they started with.
//!
//! A replacement that does not load leaves the index in service, and is logged once: the poller does not
//! try the same modification time again, so a broken file is one error line, not one a poll. The poller
//! also picks up a file that was missing or broken when the server started.

use std::time::{Duration, SystemTime};

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::state::{AppState, IndexSource, Status};

/// Starts the reload watcher; it ends when `stop` turns true.
///
/// The SIGHUP handler is installed here, before the task starts, so a SIGHUP sent as soon as the server has
/// said it is listening reloads rather than ending the process (the default action of SIGHUP).
pub(crate) fn spawn(state: AppState, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    #[cfg(unix)]
    let mut hup = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(s) => Some(s),
        Err(e) => {
            state.logger.warn("cannot handle SIGHUP", &[("error", &e.to_string())]);
            None
        }
    };
    tokio::spawn(async move {
        let path = match state.index.source.clone() {
            IndexSource::File(path) => Some(path),
            IndexSource::Embedded => None,
        };
        let poll = if path.is_some() { state.config.address.reload_poll_ms } else { 0 };
        let mut tick = tokio::time::interval(Duration::from_millis(poll.max(50)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        // The modification time of the last file that failed to load, so it is tried once.
        let mut failed: Option<SystemTime> = None;
        loop {
            #[cfg(unix)]
            let hangup = async {
                match hup.as_mut() {
                    Some(s) => {
                        if s.recv().await.is_none() {
                            std::future::pending::<()>().await;
                        }
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            #[cfg(not(unix))]
            let hangup = std::future::pending::<()>();
            let polled = async {
                if poll == 0 {
                    std::future::pending::<()>().await;
                }
                tick.tick().await;
            };
            let (why, seen) = tokio::select! {
                _ = stop.wait_for(|s| *s) => return,
                () = hangup => ("SIGHUP", None),
                () = polled => {
                    let Some(path) = &path else { continue };
                    let now = std::fs::metadata(path).and_then(|m| m.modified()).ok();
                    if !changed(&state, now, failed) {
                        continue;
                    }
                    ("the file changed", now)
                }
            };
            if path.is_none() {
                state
                    .logger
                    .info("nothing to reload: the embedded index is in service", &[("why", why)]);
                continue;
            }
            state.logger.info("reloading the index", &[("why", why)]);
            match state.reload().await {
                Ok(()) => failed = None,
                Err(e) => {
                    failed = seen.or(failed);
                    state.logger.error(
                        "reload failed; the previous index stays in service",
                        &[("error", &e.to_string())],
                    );
                }
            }
        }
    })
}

/// Whether the file at modification time `now` should be loaded: it exists, the first load is over, and it
/// is neither the file in service nor one that already failed.
fn changed(state: &AppState, now: Option<SystemTime>, failed: Option<SystemTime>) -> bool {
    let Some(now) = now else { return false };
    if state.index.status() == Status::Loading || failed == Some(now) {
        return false;
    }
    state.index.get().is_none_or(|l| l.modified != Some(now))
}

/// The stop signals (SIGINT and SIGTERM), caught from the moment they are installed, so a signal that
/// arrives while the server is still starting stops it gracefully instead of killing the process.
#[derive(Debug)]
pub(crate) struct StopSignals {
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
}

impl StopSignals {
    /// Installs the handlers (inside a Tokio runtime).
    pub(crate) fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Self {
                int: signal(SignalKind::interrupt()).ok(),
                term: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        {
            Self {}
        }
    }

    /// Waits for Ctrl-C or SIGTERM.
    pub(crate) async fn wait(mut self) {
        #[cfg(unix)]
        {
            async fn next(s: Option<&mut tokio::signal::unix::Signal>) {
                match s {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            tokio::select! {
                () = next(self.int.as_mut()) => {}
                () = next(self.term.as_mut()) => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
