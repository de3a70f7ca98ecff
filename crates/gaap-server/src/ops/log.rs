//! Log lines: one JSON object a line (`ts`, `level`, `msg` and the fields), on stderr by default.

use std::io::Write;
use std::sync::{Arc, Mutex};

/// Where log lines go.
#[derive(Clone)]
pub struct Logger {
    sink: Arc<Mutex<Box<dyn Write + Send>>>,
}

impl std::fmt::Debug for Logger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Logger")
    }
}

impl Logger {
    /// JSON lines on stderr.
    #[must_use]
    pub fn stderr() -> Self {
        Self::to(std::io::stderr())
    }

    /// JSON lines into any writer (a file, or a buffer in tests).
    #[must_use]
    pub fn to(w: impl Write + Send + 'static) -> Self {
        Self { sink: Arc::new(Mutex::new(Box::new(w))) }
    }

    /// Discards every line.
    #[must_use]
    pub fn off() -> Self {
        Self::to(std::io::sink())
    }

    pub(crate) fn info(&self, msg: &str, fields: &[(&str, &str)]) {
        self.line("info", msg, fields);
    }

    pub(crate) fn warn(&self, msg: &str, fields: &[(&str, &str)]) {
        self.line("warn", msg, fields);
    }

    pub(crate) fn error(&self, msg: &str, fields: &[(&str, &str)]) {
        self.line("error", msg, fields);
    }

    fn line(&self, level: &str, msg: &str, fields: &[(&str, &str)]) {
        let mut map = serde_json::Map::new();
        let ts = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        map.insert("ts".into(), ts.into());
        map.insert("level".into(), level.into());
        map.insert("msg".into(), msg.into());
        for (k, v) in fields {
            map.insert((*k).to_owned(), (*v).into());
        }
        let mut text = serde_json::Value::Object(map).to_string();
        text.push('\n');
        if let Ok(mut w) = self.sink.lock() {
            let _ = w.write_all(text.as_bytes());
            let _ = w.flush();
        }
    }
}
