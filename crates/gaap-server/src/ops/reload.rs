//! Hot reload of the index: on SIGHUP, and when the index file's modification time changes (polled). The
//! new index is loaded beside the old one and swapped in whole, so no request sees a half-loaded index and
//! requests in flight finish on the one they started with.

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::state::{AppState, IndexSource};

/// Starts the reload watcher; it ends when `stop` turns true.
pub(crate) fn spawn(state: AppState, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let IndexSource::File(path) = state.index.source.clone() else { return };
        let poll = state.config.address.reload_poll_ms;
        #[cfg(unix)]
        let mut hup =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
        let mut tick = tokio::time::interval(Duration::from_millis(poll.max(50)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            #[cfg(unix)]
            let hangup = async {
                match hup.as_mut() {
                    Some(s) => {
                        s.recv().await;
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
            let why = tokio::select! {
                _ = stop.wait_for(|s| *s) => return,
                () = hangup => "SIGHUP",
                () = polled => {
                    let now = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
                    let served = state.index.get().and_then(|l| l.modified);
                    if now.is_none() || now == served || state.index.get().is_none() {
                        continue;
                    }
                    "the file changed"
                }
            };
            state.logger.info("reloading the index", &[("why", why)]);
            if let Err(e) = state.reload().await {
                state.logger.error(
                    "reload failed; the previous index stays in service",
                    &[("error", &e.to_string())],
                );
            }
        }
    })
}

/// Waits for Ctrl-C or SIGTERM.
pub(crate) async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        let term = async {
            match term.as_mut() {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = term => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
