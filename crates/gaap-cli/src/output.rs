//! The output convention every command follows: results as one JSON object per line on stdout, human messages
//! and progress on stderr, and exit codes 0 (passed), 1 (processed and found invalid), 2 (usage or I/O error).

use std::io::{self, Read, Write};
use std::process::ExitCode;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The check passed.
    Passed,
    /// The input was processed and found invalid.
    Invalid,
    /// Bad usage, or an I/O failure.
    Failed,
}

impl Outcome {
    /// `Passed` when `ok`, else `Invalid`.
    pub(crate) fn from_valid(ok: bool) -> Self {
        if ok { Self::Passed } else { Self::Invalid }
    }

    /// The worse of two outcomes.
    pub(crate) fn and(self, other: Self) -> Self {
        match (self, other) {
            (Self::Failed, _) | (_, Self::Failed) => Self::Failed,
            (Self::Invalid, _) | (_, Self::Invalid) => Self::Invalid,
            _ => Self::Passed,
        }
    }
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Passed => ExitCode::SUCCESS,
            Outcome::Invalid => ExitCode::from(1),
            Outcome::Failed => ExitCode::from(2),
        }
    }
}

/// Writes one JSON value as one line on stdout.
pub(crate) fn emit(value: &impl serde::Serialize) -> io::Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer(&mut out, value)?;
    out.write_all(b"\n")
}

/// Prints a usage or I/O error on stderr and returns [`Outcome::Failed`].
pub(crate) fn fail(message: impl std::fmt::Display) -> Outcome {
    let _ = writeln!(io::stderr(), "gaap: {message}");
    Outcome::Failed
}

/// The error and each of its sources, joined with `: ` ("cannot bind …: Address already in use").
pub(crate) fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        // A wrapper that already prints its source (`{0}`) would repeat it.
        if !message.ends_with(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

/// Reads a file argument, where `-` (or no argument) means standard input.
pub(crate) fn read_input(path: Option<&str>) -> io::Result<Vec<u8>> {
    match path {
        None | Some("-") => {
            let mut buf = Vec::new();
            io::stdin().lock().read_to_end(&mut buf)?;
            Ok(buf)
        }
        Some(path) => std::fs::read(path)
            .map_err(|e| io::Error::new(e.kind(), format!("cannot read {path}: {e}"))),
    }
}
