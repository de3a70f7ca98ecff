//! Keep-alive HTTP/1.1 connections to the upstream.
//!
//! A connection goes back to the pool when the response body it carried has been read to its end (or had
//! none), from the body itself, so no task is spawned per request to wait for that. A request that finds
//! an idle connection closed before anything was written is sent again on another; one that fails after
//! it was written is not. Connections idle for longer than [`IDLE_FOR`] are closed.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, Response};
use hyper::body::{Bytes, Frame, Incoming, SizeHint};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;

use super::proxy::{ProxyError, error_chain};

/// How long an idle connection may wait for its next request.
pub(crate) const IDLE_FOR: Duration = Duration::from_secs(30);
/// Idle connections kept at most; more are closed.
const MAX_IDLE: usize = 256;

/// Idle connections to one upstream, the most recently used last.
#[derive(Debug)]
pub(crate) struct Pool {
    /// `host:port` to connect to.
    addr: String,
    connect_timeout: Duration,
    idle: Mutex<Vec<Idle>>,
}

#[derive(Debug)]
struct Idle {
    sender: SendRequest<Body>,
    since: Instant,
}

impl Idle {
    fn usable(&self, now: Instant) -> bool {
        !self.sender.is_closed() && now.saturating_duration_since(self.since) < IDLE_FOR
    }
}

impl Pool {
    /// A pool; inside a tokio runtime it also closes connections idle for [`IDLE_FOR`] in the
    /// background (outside one, they are dropped when next found in the pool).
    pub(crate) fn new(addr: String, connect_timeout: Duration) -> Arc<Self> {
        let pool = Arc::new(Self { addr, connect_timeout, idle: Mutex::new(Vec::new()) });
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let weak = Arc::downgrade(&pool);
            runtime.spawn(async move {
                let mut tick = tokio::time::interval(IDLE_FOR / 2);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                loop {
                    tick.tick().await;
                    let Some(pool) = weak.upgrade() else { return };
                    pool.close_idle(Instant::now());
                }
            });
        }
        pool
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Idle>> {
        self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Closes the connections idle for [`IDLE_FOR`] at `now`, and those the upstream has closed.
    fn close_idle(&self, now: Instant) {
        self.idle().retain(|i| i.usable(now));
    }

    /// The most recently used idle connection that is still open and fresh.
    fn checkout(&self) -> Option<SendRequest<Body>> {
        let now = Instant::now();
        let mut idle = self.idle();
        while let Some(i) = idle.pop() {
            if i.usable(now) {
                return Some(i.sender);
            }
        }
        None
    }

    fn put(&self, sender: SendRequest<Body>) {
        if sender.is_closed() {
            return;
        }
        let mut idle = self.idle();
        if idle.len() < MAX_IDLE {
            idle.push(Idle { sender, since: Instant::now() });
        }
    }

    async fn connect(&self) -> Result<SendRequest<Body>, ProxyError> {
        let tcp = match tokio::time::timeout(
            self.connect_timeout,
            tokio::net::TcpStream::connect(&self.addr),
        )
        .await
        {
            Err(_) => {
                return Err(ProxyError::Connect(format!(
                    "no connection to {} within {} ms",
                    self.addr,
                    self.connect_timeout.as_millis()
                )));
            }
            Ok(Err(e)) => return Err(ProxyError::Connect(format!("{}: {e}", self.addr))),
            Ok(Ok(tcp)) => tcp,
        };
        // No Nagle: a request's headers go out at once.
        let _ = tcp.set_nodelay(true);
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
            .await
            .map_err(|e| ProxyError::Connect(error_chain(&e)))?;
        // Ends when the upstream closes the connection or every handle to it is dropped.
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(sender)
    }

    /// Sends `request` (its URI in origin form, `Host` set) and returns the response, whose body puts the
    /// connection back when it has been read.
    pub(crate) async fn send(
        self: &Arc<Self>,
        mut request: Request<Body>,
    ) -> Result<Response<Body>, ProxyError> {
        loop {
            let (mut sender, reused) = match self.checkout() {
                Some(s) => (s, true),
                None => (self.connect().await?, false),
            };
            if let Err(e) = sender.ready().await {
                if reused {
                    continue;
                }
                return Err(ProxyError::Connect(error_chain(&e)));
            }
            match sender.try_send_request(request).await {
                Ok(response) => {
                    let (parts, body) = response.into_parts();
                    let body = Returning { body, back: Some((sender, Arc::clone(self))) };
                    return Ok(Response::from_parts(parts, Body::new(body)));
                }
                Err(mut e) => match e.take_message() {
                    // Closed before the request was written: another connection can take it.
                    Some(unsent) if reused => request = unsent,
                    _ => return Err(ProxyError::Other(error_chain(e.error()))),
                },
            }
        }
    }
}

/// A response body that returns its connection to the pool once read to the end.
struct Returning {
    body: Incoming,
    back: Option<(SendRequest<Body>, Arc<Pool>)>,
}

impl Returning {
    fn give_back(&mut self) {
        if let Some((sender, pool)) = self.back.take() {
            pool.put(sender);
        }
    }
}

impl hyper::body::Body for Returning {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let this = self.get_mut();
        let frame = ready!(Pin::new(&mut this.body).poll_frame(cx));
        match &frame {
            None => this.give_back(),
            // A connection that failed mid-body is not reused.
            Some(Err(_)) => this.back = None,
            Some(Ok(_)) => {}
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

impl Drop for Returning {
    fn drop(&mut self) {
        // A body with nothing in it (a redirect, a 204, a HEAD) may never be polled; one dropped part-read
        // leaves its connection unusable, so that connection is closed.
        if hyper::body::Body::is_end_stream(&self.body) {
            self.give_back();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    use super::*;

    /// A raw HTTP/1.1 upstream counting its connections. Each answer is `body` with a Content-Length; after
    /// one answer it closes the connection when `close_after_one` is set (without saying so, as a server
    /// whose keep-alive timer ran out would).
    async fn upstream(
        body: &'static str,
        close_after_one: Arc<AtomicBool>,
    ) -> (String, Arc<AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&accepted);
        tokio::spawn(async move {
            loop {
                let Ok((mut tcp, _)) = listener.accept().await else { return };
                count.fetch_add(1, Ordering::SeqCst);
                let close = Arc::clone(&close_after_one);
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 1024];
                    loop {
                        while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                            match tcp.read(&mut chunk).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                            }
                        }
                        buf.clear();
                        let answer = format!(
                            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        if tcp.write_all(answer.as_bytes()).await.is_err() {
                            return;
                        }
                        if close.load(Ordering::SeqCst) {
                            return;
                        }
                    }
                });
            }
        });
        (addr, accepted)
    }

    fn get() -> Request<Body> {
        Request::builder().uri("/page").header("host", "upstream").body(Body::empty()).unwrap()
    }

    async fn read(pool: &Arc<Pool>) -> String {
        let response = pool.send(get()).await.unwrap();
        assert_eq!(response.status(), 200);
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn a_connection_is_reused_once_its_body_is_read_and_a_closed_one_is_replaced() {
        let close = Arc::new(AtomicBool::new(false));
        let (addr, accepted) = upstream("hello", Arc::clone(&close)).await;
        let pool = Pool::new(addr, Duration::from_secs(5));
        for _ in 0..3 {
            assert_eq!(read(&pool).await, "hello");
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 1, "one keep-alive connection for all three");

        // The upstream now closes each connection after answering: every request still succeeds, each
        // on a new connection (found closed in the pool, or closed under the request before it was sent).
        close.store(true, Ordering::SeqCst);
        for _ in 0..3 {
            assert_eq!(read(&pool).await, "hello");
        }
        assert!(accepted.load(Ordering::SeqCst) >= 3, "closed connections are replaced");
    }

    #[tokio::test]
    async fn an_empty_body_gives_its_connection_back_unread_and_a_part_read_one_does_not() {
        let (addr, accepted) = upstream("", Arc::new(AtomicBool::new(false))).await;
        let pool = Pool::new(addr, Duration::from_secs(5));
        for _ in 0..3 {
            // Dropped without being polled, as hyper does with an empty body.
            drop(pool.send(get()).await.unwrap());
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 1);

        let (addr, accepted) = upstream("a body", Arc::new(AtomicBool::new(false))).await;
        let pool = Pool::new(addr, Duration::from_secs(5));
        drop(pool.send(get()).await.unwrap());
        assert!(pool.idle().is_empty(), "a body dropped unread closes its connection");
        assert_eq!(read(&pool).await, "a body");
        assert_eq!(accepted.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn an_idle_connection_is_closed_after_idle_for() {
        let (addr, accepted) = upstream("hello", Arc::new(AtomicBool::new(false))).await;
        let pool = Pool::new(addr, Duration::from_secs(5));
        assert_eq!(read(&pool).await, "hello");
        assert_eq!(pool.idle().len(), 1);
        // What the background task does every IDLE_FOR / 2, at times given to it.
        let now = Instant::now();
        pool.close_idle(now + IDLE_FOR - Duration::from_secs(1));
        assert_eq!(pool.idle().len(), 1, "not yet idle for long enough");
        pool.close_idle(now + IDLE_FOR);
        assert!(pool.idle().is_empty(), "closed once idle for IDLE_FOR");
        assert_eq!(read(&pool).await, "hello");
        assert_eq!(
            accepted.load(Ordering::SeqCst),
            2,
            "a new connection after the idle one closed"
        );
    }

    #[tokio::test]
    async fn nothing_listening_is_a_connect_error() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let pool = Pool::new(format!("127.0.0.1:{port}"), Duration::from_secs(5));
        let err = pool.send(get()).await.unwrap_err();
        assert!(matches!(err, ProxyError::Connect(ref m) if m.contains("127.0.0.1")), "{err:?}");
    }
}
