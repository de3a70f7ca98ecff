//! Raw HTTP/1.1 over loopback for the targets that fuzz a server's request parsing: the server runs in this
//! process (so its code is instrumented and any panic aborts the run), on a tokio runtime of its own.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::OnceLock;
use std::time::Duration;

/// A runtime that outlives every input; the servers are spawned on it.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("cannot build the runtime: {e}"))
    })
}

/// Percent-encodes `bytes` for a request target, keeping `&`, `=`, `,`, `:` and the unreserved characters
/// so that parameters still split as the fuzzer wrote them.
pub fn encode_query(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~&=,:".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Sends one request and returns the status code. Panics (a finding) when the server answers 5xx or closes
/// the connection without an answer: every bad input must get a typed 4xx.
pub fn send(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> u16 {
    let mut stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut request = head.into_bytes();
    request.extend_from_slice(body);
    stream.write_all(&request).unwrap_or_else(|e| panic!("write: {e}"));
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let status = std::str::from_utf8(response.get(9..12).unwrap_or_default())
        .ok()
        .and_then(|s| s.parse::<u16>().ok())
        .unwrap_or_else(|| {
            panic!(
                "no HTTP answer to {method} {target}: {:?}",
                String::from_utf8_lossy(&response[..response.len().min(200)])
            )
        });
    assert!(
        status < 500,
        "{method} {target} answered {status}: {}",
        String::from_utf8_lossy(&response[..response.len().min(600)])
    );
    status
}
