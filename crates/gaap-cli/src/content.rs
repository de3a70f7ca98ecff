//! `gaap content`: validate content items, render govspeak, build JSON-LD, and run the publishing workflow on
//! a SQLite file. A refused workflow command prints publishing-api's error envelope and exits 1.

use std::io::Write;

use clap::Subcommand;
use gaap_content::govspeak::{self, Mode};
use gaap_content::store::{PublishOptions, Publisher, SqliteStorage, UnpublishOptions};
use gaap_content::types::PublisherItem;
use gaap_content::{Error, rules};
use serde_json::{Value, json};

use crate::output::{self, Outcome};

/// GOV.UK content items.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Validate a publisher content item; prints `{"valid":…,"errors":[{"error_code","message"}]}`.
    Validate {
        /// Content item JSON, or `-` for standard input.
        file: String,
    },
    /// Render govspeak (or a content item's govspeak bodies) to HTML on standard output.
    Render {
        /// `compat` (GOV.UK govspeak classes) or `frontend` (govuk-frontend classes).
        #[arg(long, default_value = "compat")]
        mode: Mode,
        /// `en` or `cy` labels.
        #[arg(long, default_value = "en")]
        locale: String,
        /// Govspeak text or content item JSON, or `-` for standard input.
        file: String,
    },
    /// Print a content item's schema.org JSON-LD.
    Jsonld {
        /// Site the item is published on.
        #[arg(long, default_value = "https://www.gov.uk")]
        website_root: String,
        /// A providing organisation as `NAME=URL` (repeatable); publisher items carry only link ids.
        #[arg(long = "provider", value_name = "NAME=URL")]
        providers: Vec<String>,
        /// Content item JSON (publisher or frontend shape), or `-`.
        file: String,
    },
    /// Create or update the draft of a content item.
    Put {
        /// SQLite database file (created if missing).
        #[arg(long)]
        db: String,
        /// The item's content_id, when the file has none.
        #[arg(long)]
        content_id: Option<String>,
        /// Content item JSON, or `-`.
        file: String,
    },
    /// Publish the draft.
    Publish {
        /// SQLite database file.
        #[arg(long)]
        db: String,
        /// `major`, `minor` or `republish`.
        #[arg(long)]
        update_type: Option<String>,
        /// Locale.
        #[arg(long)]
        locale: Option<String>,
        /// Lock version last seen.
        #[arg(long)]
        previous_version: Option<i64>,
        /// Document id.
        content_id: String,
    },
    /// Unpublish the live edition.
    Unpublish {
        /// SQLite database file.
        #[arg(long)]
        db: String,
        /// `gone`, `redirect`, `withdrawal` or `vanish`.
        #[arg(long = "type")]
        kind: String,
        /// Why (required for withdrawal).
        #[arg(long)]
        explanation: Option<String>,
        /// Where to send users (redirect).
        #[arg(long)]
        alternative_path: Option<String>,
        /// Keep an existing draft.
        #[arg(long)]
        allow_draft: bool,
        /// Delete an existing draft.
        #[arg(long)]
        discard_drafts: bool,
        /// Locale.
        #[arg(long)]
        locale: Option<String>,
        /// Lock version last seen.
        #[arg(long)]
        previous_version: Option<i64>,
        /// Document id.
        content_id: String,
    },
    /// Discard the draft.
    Discard {
        /// SQLite database file.
        #[arg(long)]
        db: String,
        /// Locale.
        #[arg(long)]
        locale: Option<String>,
        /// Lock version last seen.
        #[arg(long)]
        previous_version: Option<i64>,
        /// Document id.
        content_id: String,
    },
    /// Print every edition of a document, one JSON line each, with its `state`.
    Show {
        /// SQLite database file.
        #[arg(long)]
        db: String,
        /// Document id.
        content_id: String,
    },
}

/// Runs a `gaap content` command.
pub(crate) fn run(cmd: Command) -> Outcome {
    match cmd {
        Command::Validate { file } => validate(&file),
        Command::Render { mode, locale, file } => render(mode, &locale, &file),
        Command::Jsonld { website_root, providers, file } => {
            jsonld(&website_root, &providers, &file)
        }
        Command::Put { db, content_id, file } => put(&db, content_id.as_deref(), &file),
        Command::Publish { db, update_type, locale, previous_version, content_id } => {
            with_publisher(&db, |p| {
                let options = PublishOptions {
                    update_type: update_type.clone(),
                    locale: locale.clone(),
                    previous_version,
                };
                p.publish(&content_id, &options)
                    .map(|w| summary(&w.edition, w.lock_version, &w.warnings))
            })
        }
        Command::Unpublish {
            db,
            kind,
            explanation,
            alternative_path,
            allow_draft,
            discard_drafts,
            locale,
            previous_version,
            content_id,
        } => with_publisher(&db, |p| {
            let options = UnpublishOptions {
                kind: kind.clone(),
                explanation: explanation.clone(),
                alternative_path: alternative_path.clone(),
                allow_draft,
                discard_drafts,
                locale: locale.clone(),
                previous_version,
            };
            p.unpublish(&content_id, &options)
                .map(|w| summary(&w.edition, w.lock_version, &w.warnings))
        }),
        Command::Discard { db, locale, previous_version, content_id } => with_publisher(&db, |p| {
            p.discard_draft(&content_id, locale.as_deref(), previous_version).map(
                |lock| json!({"content_id": content_id, "discarded": true, "lock_version": lock}),
            )
        }),
        Command::Show { db, content_id } => show(&db, &content_id),
    }
}

fn read(file: &str) -> Result<Vec<u8>, Outcome> {
    output::read_input(Some(file)).map_err(output::fail)
}

fn emit(value: &Value, outcome: Outcome) -> Outcome {
    match output::emit(value) {
        Ok(()) => outcome,
        Err(err) => output::fail(err),
    }
}

fn validate(file: &str) -> Outcome {
    let bytes = match read(file) {
        Ok(b) => b,
        Err(outcome) => return outcome,
    };
    let result = rules::validate_any_json(&bytes);
    let line = match &result {
        Ok(_) => json!({"valid": true}),
        Err(errors) => json!({"valid": false, "errors": errors}),
    };
    emit(&line, Outcome::from_valid(result.is_ok()))
}

fn render(mode: Mode, locale: &str, file: &str) -> Outcome {
    let bytes = match read(file) {
        Ok(b) => b,
        Err(outcome) => return outcome,
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return output::fail(format!("{file}: not UTF-8 text"));
    };
    let options =
        govspeak::Options { mode, locale: locale.to_owned(), ..govspeak::Options::default() };
    // A content item renders its govspeak bodies; anything else is govspeak, except a file named
    // `.json`, which must be a content item.
    let sources: Vec<String> = match PublisherItem::from_json(text.as_bytes()) {
        Ok(item) => item
            .details
            .as_ref()
            .map(|d| {
                d.bodies().into_iter().filter_map(|b| b.govspeak().map(str::to_owned)).collect()
            })
            .unwrap_or_default(),
        Err(err) if is_json_name(file) => {
            let what = match err.classify() {
                serde_json::error::Category::Data => "is not a publisher content item",
                _ => "is not valid JSON",
            };
            let _ = writeln!(std::io::stderr(), "gaap: {file} {what}: {err}");
            return Outcome::Invalid;
        }
        Err(_) => vec![text],
    };
    let mut out = std::io::stdout().lock();
    for source in sources {
        if let Err(err) = out.write_all(govspeak::render_with(&source, &options).as_bytes()) {
            return output::fail(err);
        }
    }
    Outcome::Passed
}

/// Whether a file argument names a JSON file (`.json`, any case).
fn is_json_name(file: &str) -> bool {
    std::path::Path::new(file).extension().is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

fn jsonld(website_root: &str, providers: &[String], file: &str) -> Outcome {
    let mut organisations = Vec::new();
    for provider in providers {
        let Some((name, url)) = provider.split_once('=') else {
            return output::fail(format!("--provider {provider:?}: expected NAME=URL"));
        };
        organisations.push(gaap_content::jsonld::Organisation {
            name: name.to_owned(),
            url: url.to_owned(),
        });
    }
    let bytes = match read(file) {
        Ok(b) => b,
        Err(outcome) => return outcome,
    };
    match gaap_content::jsonld::json_ld_for_file_with(&bytes, website_root, organisations) {
        Ok(value) => emit(&value, Outcome::Passed),
        Err(err) => output::fail(format!("{file}: not a content item: {err}")),
    }
}

fn summary(
    edition: &gaap_content::store::Edition,
    lock_version: i64,
    warnings: &[String],
) -> Value {
    json!({
        "content_id": edition.content_id,
        "locale": edition.locale,
        "user_facing_version": edition.user_facing_version,
        "state": edition.state,
        "content_store": edition.content_store,
        "base_path": edition.base_path,
        "lock_version": lock_version,
        "warnings": warnings,
    })
}

fn refused(err: &Error) -> Outcome {
    match err.command() {
        Some(command) => {
            let _ = writeln!(std::io::stderr().lock(), "gaap: {}", command.message);
            emit(&command.envelope(), Outcome::Invalid)
        }
        None => output::fail(err),
    }
}

fn with_publisher(
    db: &str,
    work: impl FnOnce(&Publisher<SqliteStorage>) -> Result<Value, Error>,
) -> Outcome {
    let storage = match SqliteStorage::open(db) {
        Ok(s) => s,
        Err(err) => return output::fail(format!("{db}: {err}")),
    };
    match work(&Publisher::new(storage)) {
        Ok(value) => emit(&value, Outcome::Passed),
        Err(err) => refused(&err),
    }
}

fn put(db: &str, content_id: Option<&str>, file: &str) -> Outcome {
    let bytes = match read(file) {
        Ok(b) => b,
        Err(outcome) => return outcome,
    };
    let item = match rules::validate_json(&bytes) {
        Ok(item) => item,
        Err(errors) => {
            let command = gaap_content::CommandError::from_validation(&errors);
            let _ = writeln!(std::io::stderr().lock(), "gaap: {}", command.message);
            return emit(&command.envelope(), Outcome::Invalid);
        }
    };
    let Some(id) = content_id.map(str::to_owned).or_else(|| item.content_id.clone()) else {
        return output::fail(format!("{file}: no content_id in the item; pass --content-id"));
    };
    with_publisher(db, |p| {
        p.put_content(&id, &item).map(|w| summary(&w.edition, w.lock_version, &w.warnings))
    })
}

fn show(db: &str, content_id: &str) -> Outcome {
    let storage = match SqliteStorage::open(db) {
        Ok(s) => s,
        Err(err) => return output::fail(format!("{db}: {err}")),
    };
    match Publisher::new(storage).editions(content_id) {
        Ok(editions) if editions.is_empty() => {
            let message = format!("Item with content_id {content_id} and locale en does not exist");
            let _ = writeln!(std::io::stderr().lock(), "gaap: {message}");
            emit(&json!({"error": {"code": 404, "message": message}}), Outcome::Invalid)
        }
        Ok(editions) => {
            for edition in &editions {
                let line = serde_json::to_value(edition).unwrap_or(Value::Null);
                if let Err(err) = output::emit(&line) {
                    return output::fail(err);
                }
            }
            Outcome::Passed
        }
        Err(err) => refused(&err),
    }
}
