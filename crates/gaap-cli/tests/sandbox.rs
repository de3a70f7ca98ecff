//! `gaap sandbox` and `gaap serve` start-up failures: a taken port is named with the OS's reason.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::process::Command;

/// Runs gaap with one of its ports already taken; returns the exit code and stderr.
fn with_port_taken(args: impl FnOnce(u16) -> Vec<String>) -> (Option<i32>, String, u16) {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let out = Command::new(env!("CARGO_BIN_EXE_gaap")).args(args(port)).output().unwrap();
    drop(taken);
    (out.status.code(), String::from_utf8(out.stderr).unwrap(), port)
}

#[cfg(feature = "sandbox")]
#[test]
fn sandbox_bind_error_names_the_address_and_the_os_error() {
    let (code, stderr, port) = with_port_taken(|port| {
        ["sandbox", "--notify-port", &port.to_string(), "--pay-port", "0", "--one-login-port", "0"]
            .map(str::to_owned)
            .to_vec()
    });
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot bind the notify port on 127.0.0.1:{port}: ")),
        "{stderr}"
    );
    assert!(stderr.to_lowercase().contains("in use"), "the OS's reason: {stderr}");
}

#[cfg(feature = "server")]
#[test]
fn serve_bind_error_names_the_address_and_the_os_error() {
    let (code, stderr, port) = with_port_taken(|port| {
        vec!["serve".into(), "--listen".into(), format!("127.0.0.1:{port}")]
    });
    assert_ne!(code, Some(0), "{stderr}");
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");
    assert!(stderr.to_lowercase().contains("in use"), "the OS's reason: {stderr}");
}
