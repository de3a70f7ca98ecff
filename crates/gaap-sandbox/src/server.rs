//! The HTTP plumbing: a loopback listener whose connections can be reset on purpose, and the fault-injection
//! middleware in front of every service.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use crate::fault::{FAULT_HEADER, FaultConfig, FaultKind};
use crate::notify::ApiError;
use crate::onelogin::{OAuthError, oauth_error};
use crate::pay::PayError;

/// Which platform a router stands in for; decides the shape of injected error bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    Notify,
    Pay,
    OneLogin,
}

impl Service {
    /// The platform's own error body for an injected status: its rate-limit error for a 429, its
    /// unexpected-failure error otherwise.
    fn fault_response(self, status: StatusCode) -> Response {
        let limited = status == StatusCode::TOO_MANY_REQUESTS;
        let mut response = match self {
            Self::Notify if limited => ApiError::new(
                429,
                "RateLimitError",
                "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
            )
            .into_response(),
            Self::Notify => {
                ApiError::new(status.as_u16(), "Exception", "Internal server error").into_response()
            }
            Self::Pay if limited => {
                PayError::new(429, "P0900", "Too many requests").into_response()
            }
            Self::Pay => {
                PayError::new(status.as_u16(), "P0999", "GOV.UK Pay is unavailable").into_response()
            }
            Self::OneLogin if limited => {
                oauth_error(status, &OAuthError::TemporarilyUnavailable, "Too many requests")
            }
            Self::OneLogin => oauth_error(status, &OAuthError::ServerError, "Injected fault"),
        };
        response.headers_mut().insert("sandbox-fault-injected", HeaderValue::from_static("true"));
        response
    }
}

/// State of the fault middleware.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FaultLayer {
    pub(crate) service: Service,
    pub(crate) config: FaultConfig,
}

/// Applies the configured and requested faults.
pub(crate) async fn inject_faults(
    State(layer): State<FaultLayer>,
    request: Request,
    next: Next,
) -> Response {
    let requested = request
        .headers()
        .get(FAULT_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(FaultConfig::parse_header)
        .transpose();
    let requested = match requested {
        Ok(r) => r.unwrap_or_default(),
        Err(message) => {
            return (StatusCode::BAD_REQUEST, format!("{FAULT_HEADER}: {message}")).into_response();
        }
    };
    let config = layer.config.merge(requested);
    if config.is_off() {
        return next.run(request).await;
    }
    let draw = config.draw();
    if let Some(latency) = draw.latency {
        tokio::time::sleep(latency).await;
    }
    let kill = request.extensions().get::<ConnectInfo<ConnKill>>().map(|c| c.0.clone());
    match draw.kind {
        None => next.run(request).await,
        Some(FaultKind::TooManyRequests) => {
            layer.service.fault_response(StatusCode::TOO_MANY_REQUESTS)
        }
        Some(FaultKind::ServerError { after_handler }) => {
            if after_handler {
                let _ = next.run(request).await;
            }
            layer.service.fault_response(StatusCode::SERVICE_UNAVAILABLE)
        }
        Some(FaultKind::Reset { after_handler }) => {
            if after_handler {
                let _ = next.run(request).await;
            }
            match kill {
                Some(kill) => {
                    kill.kill();
                    let mut response = Response::new(Body::empty());
                    response
                        .headers_mut()
                        .insert(header::CONNECTION, HeaderValue::from_static("close"));
                    response
                }
                // Served without the resettable listener: the nearest thing is a 502.
                None => layer.service.fault_response(StatusCode::BAD_GATEWAY),
            }
        }
    }
}

/// Lets a handler reset the TCP connection it was called on.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConnKill(Arc<AtomicBool>);

impl ConnKill {
    fn kill(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn is_killed(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl axum::extract::connect_info::Connected<IncomingStream<'_, ResettableListener>> for ConnKill {
    fn connect_info(stream: IncomingStream<'_, ResettableListener>) -> Self {
        stream.io().kill.clone()
    }
}

/// A TCP listener whose connections carry a [`ConnKill`] switch.
#[derive(Debug)]
pub(crate) struct ResettableListener {
    inner: TcpListener,
}

impl ResettableListener {
    pub(crate) async fn bind(port: u16) -> io::Result<Self> {
        Ok(Self { inner: TcpListener::bind(("127.0.0.1", port)).await? })
    }

    pub(crate) fn addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

impl Listener for ResettableListener {
    type Io = KillableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, addr)) => {
                    let _ = stream.set_nodelay(true);
                    return (
                        KillableStream { stream, kill: ConnKill::default(), lingered: false },
                        addr,
                    );
                }
                // Accept errors (EMFILE and friends) are transient: back off briefly, as axum's own loop does.
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(10)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// A TCP stream that fails every read and write once killed, and closes with a reset (linger 0).
#[derive(Debug)]
pub(crate) struct KillableStream {
    stream: TcpStream,
    kill: ConnKill,
    lingered: bool,
}

impl KillableStream {
    fn check(&mut self) -> io::Result<()> {
        if !self.kill.is_killed() {
            return Ok(());
        }
        if !self.lingered {
            self.lingered = true;
            #[allow(deprecated)]
            let _ = self.stream.set_linger(Some(std::time::Duration::ZERO));
        }
        Err(io::Error::from(io::ErrorKind::ConnectionReset))
    }
}

impl AsyncRead for KillableStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Err(e) = this.check() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut this.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if let Err(e) = this.check() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut this.stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Err(e) = this.check() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut this.stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Err(e) = this.check() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut this.stream).poll_shutdown(cx)
    }
}

/// Serves `router` on `listener` until `shutdown` fires.
pub(crate) fn spawn_server(
    listener: ResettableListener,
    router: Router,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut shutdown = shutdown;
        let app = router.into_make_service_with_connect_info::<ConnKill>();
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = shutdown.wait_for(|stop| *stop).await;
            })
            .await;
    })
}
