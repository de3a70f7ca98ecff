//! Send a file by email: the personalisation value for a file (`prepare_upload`).

use base64::Engine as _;
use serde_json::{Value, json};

use crate::Error;

/// The largest file Notify accepts: 2 MB (`DOCUMENT_UPLOAD_SIZE_LIMIT = 2 * 1024 * 1024`).
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;

/// Options for a file sent by email.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileOptions {
    /// The file name the recipient sees; must contain a `.` (Notify uses it for the type).
    pub filename: Option<String>,
    /// Ask the recipient to confirm their email before downloading (Notify's default: true).
    pub confirm_email_before_download: Option<bool>,
    /// How long Notify keeps the file, `"N weeks"` with N from 1 to 78 (default `"26 weeks"`).
    pub retention_period: Option<String>,
}

/// Builds the personalisation value for a file:
/// `{"file": base64, "filename": …, "confirm_email_before_download": …, "retention_period": …}`.
///
/// ```
/// let value = gaap_notify::prepare_upload(b"a,b\n1,2\n", &gaap_notify::FileOptions {
///     filename: Some("report.csv".into()),
///     ..Default::default()
/// }).unwrap();
/// assert_eq!(value["file"], "YSxiCjEsMgo=");
/// assert_eq!(value["filename"], "report.csv");
/// ```
///
/// # Errors
/// [`Error::InvalidRequest`] with `File is larger than 2MB` for files over [`MAX_FILE_BYTES`], or
/// when the retention period or file name break Notify's rules.
pub fn prepare_upload(contents: &[u8], options: &FileOptions) -> Result<Value, Error> {
    if contents.len() > MAX_FILE_BYTES {
        return Err(Error::InvalidRequest("File is larger than 2MB".to_owned()));
    }
    if let Some(name) = &options.filename
        && !name.contains('.')
    {
        return Err(Error::InvalidRequest(
            "filename must end with a file extension, like .csv".to_owned(),
        ));
    }
    if let Some(period) = &options.retention_period {
        let normalised = period.trim().to_lowercase();
        let weeks = normalised
            .strip_suffix(" weeks")
            .or_else(|| normalised.strip_suffix(" week"))
            .and_then(|n| n.parse::<u32>().ok());
        if !weeks.is_some_and(|w| (1..=78).contains(&w)) {
            return Err(Error::InvalidRequest(format!(
                "Unsupported value for retention_period '{period}'. Supported periods are from 1 to 78 weeks."
            )));
        }
    }
    Ok(json!({
        "file": base64::engine::general_purpose::STANDARD.encode(contents),
        "filename": options.filename,
        "confirm_email_before_download": options.confirm_email_before_download,
        "retention_period": options.retention_period,
    }))
}
