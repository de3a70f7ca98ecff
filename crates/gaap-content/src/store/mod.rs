//! The publishing workflow (publishing-api's commands) over a [`Storage`] backend.
//!
//! * A document is `(content_id, locale)` with a lock version; it has at most one draft and at most one
//!   published-or-unpublished edition, plus superseded ones (enforced in code and by unique indexes).
//! * `put_content` creates or updates the draft; `publish` (major, minor, republish) supersedes the live
//!   edition; `unpublish` (gone, redirect, withdrawal, vanish); `discard_draft`.
//! * `previous_version` is checked against the lock version: a mismatch answers publishing-api's 409.
//! * Paths are reserved per publishing app; two documents may not hold one base_path on one content store.
//! * Link sets apply to all locales and have their own lock version.
//!
//! Backends: `SqliteStorage` (feature `sqlite`, bundled SQLite) and `PostgresStorage` (feature `postgres`).

#[cfg(feature = "postgres")]
mod postgres;
mod router;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod schema;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::collections::BTreeMap;
use std::sync::Arc;

use gaap_http::{Clock, SystemClock};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;

#[cfg(feature = "postgres")]
pub use postgres::PostgresStorage;
pub use router::{Resolution, RouteEntry, Router};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStorage;

use crate::error::{CommandError, Error};
use crate::rules::{self, MAX_BASE_PATH_BYTES, is_absolute_path, is_canonical_uuid};
use crate::types::{PublisherItem, SchemaName, UpdateType};

/// `state` of an edition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EditionState {
    /// Being edited.
    Draft,
    /// Live.
    Published,
    /// Taken down (still the live edition, with an unpublishing).
    Unpublished,
    /// Replaced by a later publish.
    Superseded,
}

impl EditionState {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Unpublished => "unpublished",
            Self::Superseded => "superseded",
        }
    }
}

/// Which content store an edition is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContentStore {
    /// The draft stack (previews).
    Draft,
    /// The live site.
    Live,
}

impl ContentStore {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Live => "live",
        }
    }
}

/// `type` of an unpublishing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnpublishingType {
    /// 410 Gone.
    Gone,
    /// Redirect to `alternative_path`.
    Redirect,
    /// Still readable, with a withdrawn notice.
    Withdrawal,
    /// 404, removed.
    Vanish,
    /// Replaced by another document at the same path (system only).
    Substitute,
}

impl UnpublishingType {
    /// Parses a type a user may request (`substitute` is system only).
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "gone" => Some(Self::Gone),
            "redirect" => Some(Self::Redirect),
            "withdrawal" => Some(Self::Withdrawal),
            "vanish" => Some(Self::Vanish),
            _ => None,
        }
    }
}

/// The unpublishing of an edition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unpublishing {
    /// Kind.
    #[serde(rename = "type")]
    pub kind: UnpublishingType,
    /// Why (required for withdrawals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// Where to go instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternative_path: Option<String>,
    /// When.
    pub unpublished_at: String,
}

/// One edition of a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edition {
    /// Document id.
    pub content_id: String,
    /// Document locale.
    pub locale: String,
    /// 1 for the first draft, +1 for each draft after a publish.
    pub user_facing_version: u64,
    /// State.
    pub state: EditionState,
    /// Content store it is on, if any.
    pub content_store: Option<ContentStore>,
    /// Canonical path.
    pub base_path: Option<String>,
    /// What the publisher sent.
    pub item: serde_json::Value,
    /// Update type used to publish it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_type: Option<String>,
    /// Change note (kept for major updates only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_note: Option<String>,
    /// Last major update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_updated_at: Option<String>,
    /// First publication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_published_at: Option<String>,
    /// When this edition was published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    /// Set when unpublished.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unpublishing: Option<Unpublishing>,
}

impl Edition {
    fn typed_item(&self) -> Result<PublisherItem, Error> {
        let bytes = serde_json::to_vec(&self.item)
            .map_err(|e| Error::Decode { body: String::new(), source: e })?;
        PublisherItem::from_json(&bytes)
            .map_err(|e| Error::Decode { body: self.item.to_string(), source: e })
    }
}

/// A link set: links of a content_id for all locales.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkSet {
    /// Document id.
    pub content_id: String,
    /// Lock version of the link set.
    pub lock_version: i64,
    /// Link type → target content_ids, in order.
    pub links: BTreeMap<String, Vec<String>>,
}

/// A successful write: the edition written, the document's new lock version, and warnings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Written {
    /// The edition after the command.
    pub edition: Edition,
    /// The document's lock version after the command.
    pub lock_version: i64,
    /// Non-fatal problems (e.g. "Content Item Blocking Publish").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// A database transaction with the primitives the workflow needs. Every method runs inside the transaction
/// that [`Storage::transaction`] opened; an error rolls it back.
pub trait Tx {
    /// Locks the document row (creating it at lock version 0) and returns its lock version.
    fn lock_document(&mut self, content_id: &str, locale: &str) -> Result<i64, Error>;
    /// Sets the document's lock version.
    fn set_lock_version(
        &mut self,
        content_id: &str,
        locale: &str,
        lock_version: i64,
    ) -> Result<(), Error>;
    /// Editions of a content_id, of one locale or all, ordered by locale and version.
    fn editions(&mut self, content_id: &str, locale: Option<&str>) -> Result<Vec<Edition>, Error>;
    /// Inserts or replaces an edition, keyed by (content_id, locale, user_facing_version).
    fn put_edition(&mut self, edition: &Edition) -> Result<(), Error>;
    /// Deletes an edition.
    fn delete_edition(
        &mut self,
        content_id: &str,
        locale: &str,
        user_facing_version: u64,
    ) -> Result<(), Error>;
    /// Editions on `store` whose base_path is `base_path`.
    fn editions_at_path(
        &mut self,
        base_path: &str,
        store: ContentStore,
    ) -> Result<Vec<Edition>, Error>;
    /// Editions on `store`.
    fn editions_on(&mut self, store: ContentStore) -> Result<Vec<Edition>, Error>;
    /// Who holds a path reservation.
    fn reservation(&mut self, base_path: &str) -> Result<Option<String>, Error>;
    /// Reserves a path for an app, or frees it (`None`).
    fn set_reservation(
        &mut self,
        base_path: &str,
        publishing_app: Option<&str>,
    ) -> Result<(), Error>;
    /// Locks and reads a link set.
    fn link_set(&mut self, content_id: &str) -> Result<Option<LinkSet>, Error>;
    /// Writes a link set.
    fn put_link_set(&mut self, link_set: &LinkSet) -> Result<(), Error>;
}

/// A storage backend: runs a closure in one serialisable transaction.
pub trait Storage: Send + Sync {
    /// Runs `work` in a transaction, committing on `Ok` and rolling back on `Err`.
    fn transaction<R>(
        &self,
        work: &mut dyn FnMut(&mut dyn Tx) -> Result<R, Error>,
    ) -> Result<R, Error>;
}

/// Options of a publish.
#[derive(Debug, Clone, Default)]
pub struct PublishOptions {
    /// `major`, `minor` or `republish`; falls back to the draft's `update_type`.
    pub update_type: Option<String>,
    /// Locale, `en` by default.
    pub locale: Option<String>,
    /// Lock version the caller saw.
    pub previous_version: Option<i64>,
}

/// Options of an unpublish.
#[derive(Debug, Clone, Default)]
pub struct UnpublishOptions {
    /// `gone`, `redirect`, `withdrawal` or `vanish`.
    pub kind: String,
    /// Why (required for withdrawals).
    pub explanation: Option<String>,
    /// Where to send users (redirects; optional for gone).
    pub alternative_path: Option<String>,
    /// Keep an existing draft.
    pub allow_draft: bool,
    /// Delete an existing draft.
    pub discard_drafts: bool,
    /// Locale, `en` by default.
    pub locale: Option<String>,
    /// Lock version the caller saw.
    pub previous_version: Option<i64>,
}

/// The workflow over a storage backend. Cheap to clone.
#[derive(Debug)]
pub struct Publisher<S> {
    storage: Arc<S>,
    clock: Arc<dyn Clock>,
}

impl<S> Clone for Publisher<S> {
    fn clone(&self) -> Self {
        Self { storage: Arc::clone(&self.storage), clock: Arc::clone(&self.clock) }
    }
}

fn not_found(content_id: &str, locale: &str) -> Error {
    CommandError::new(
        404,
        None,
        format!("Item with content_id {content_id} and locale {locale} does not exist"),
    )
    .into()
}

fn check_version(current: i64, previous: Option<i64>) -> Result<(), Error> {
    match previous {
        Some(previous) if previous != current => Err(CommandError::new(
            409,
            None,
            format!(
                "A lock-version conflict occurred. The `previous_version` you've sent ({previous}) is not the same as the current lock version of the edition ({current})."
            ),
        )
        .field("previous_version", "does not match")
        .into()),
        _ => Ok(()),
    }
}

fn conflict_at(base_path: &str, other: &Edition) -> Error {
    CommandError::new(
        422,
        Some("conflict"),
        format!(
            "base path={base_path} conflicts with content_id={} and locale={}",
            other.content_id, other.locale
        ),
    )
    .into()
}

fn is_substitutable(edition: &Edition) -> bool {
    edition.unpublishing.is_some()
        || matches!(
            edition.item.get("schema_name").and_then(|s| s.as_str()),
            Some("gone" | "redirect" | "vanish" | "coming_soon" | "unpublishing")
        )
}

impl<S: Storage> Publisher<S> {
    /// A workflow on `storage` using the system clock.
    pub fn new(storage: S) -> Self {
        Self::with_clock(storage, Arc::new(SystemClock))
    }

    /// A workflow with an injected clock (timestamps of publishes and unpublishings).
    pub fn with_clock(storage: S, clock: Arc<dyn Clock>) -> Self {
        Self { storage: Arc::new(storage), clock }
    }

    /// The backend.
    pub fn storage(&self) -> &S {
        &self.storage
    }

    fn now(&self) -> String {
        self.clock.now().format(&Rfc3339).unwrap_or_default()
    }

    /// `PUT /v2/content/:content_id`: creates or replaces the draft.
    pub fn put_content(&self, content_id: &str, item: &PublisherItem) -> Result<Written, Error> {
        if !is_canonical_uuid(content_id) {
            return Err(CommandError::new(
                422,
                Some("uuid_invalid"),
                "content_id is not a canonical UUID",
            )
            .into());
        }
        if let Some(body_id) = &item.content_id
            && body_id != content_id
        {
            return Err(CommandError::new(
                422,
                Some("validation_failed"),
                "content_id in the body does not match the path",
            )
            .into());
        }
        let errors = rules::validate(item);
        if !errors.is_empty() {
            return Err(CommandError::from_validation(&errors).into());
        }
        let locale = item.locale().to_owned();
        let mut stored = serde_json::to_value(item)
            .map_err(|e| Error::Decode { body: String::new(), source: e })?;
        if let Some(map) = stored.as_object_mut() {
            map.remove("previous_version");
            map.insert("content_id".into(), content_id.into());
        }
        let previous = item
            .previous_version
            .as_ref()
            .and_then(|p| p.value())
            .and_then(|v| i64::try_from(v).ok());
        let publishing_app = item.publishing_app.clone().unwrap_or_default();
        self.storage.transaction(&mut |tx| {
            let lock = tx.lock_document(content_id, &locale)?;
            check_version(lock, previous)?;
            let mut warnings = Vec::new();
            if let Some(base_path) = &item.base_path {
                match tx.reservation(base_path)? {
                    Some(owner) if owner != publishing_app => {
                        return Err(CommandError::new(
                            422,
                            Some("base_path_already_in_use"),
                            format!("{base_path} is already reserved by {owner}"),
                        )
                        .into());
                    }
                    Some(_) => {}
                    None => tx.set_reservation(base_path, Some(&publishing_app))?,
                }
                for other in tx.editions_at_path(base_path, ContentStore::Draft)? {
                    if other.content_id != content_id || other.locale != locale {
                        return Err(conflict_at(base_path, &other));
                    }
                }
                for other in tx.editions_at_path(base_path, ContentStore::Live)? {
                    if other.content_id != content_id || other.locale != locale {
                        warnings.push(format!(
                            "Content Item Blocking Publish: base path={base_path} is live for content_id={} and locale={}",
                            other.content_id, other.locale
                        ));
                    }
                }
            }
            let editions = tx.editions(content_id, Some(&locale))?;
            let draft = editions.iter().find(|e| e.state == EditionState::Draft);
            let live = editions
                .iter()
                .find(|e| matches!(e.state, EditionState::Published | EditionState::Unpublished));
            let version = match (draft, live) {
                (Some(d), _) => d.user_facing_version,
                (None, Some(l)) => l.user_facing_version + 1,
                (None, None) => editions.iter().map(|e| e.user_facing_version).max().unwrap_or(0) + 1,
            };
            let edition = Edition {
                content_id: content_id.to_owned(),
                locale: locale.clone(),
                user_facing_version: version,
                state: EditionState::Draft,
                content_store: Some(ContentStore::Draft),
                base_path: item.base_path.clone(),
                item: stored.clone(),
                update_type: item.update_type.as_ref().map(|u| u.as_str().to_owned()),
                change_note: item.change_note.clone().flatten(),
                public_updated_at: item.public_updated_at.clone(),
                first_published_at: item
                    .first_published_at
                    .clone()
                    .or_else(|| live.and_then(|l| l.first_published_at.clone())),
                published_at: None,
                unpublishing: None,
            };
            if let Some(old) = draft
                && old.base_path != edition.base_path
                && let Some(old_path) = &old.base_path
            {
                free_path_if_unused(tx, old_path, content_id, &editions, version)?;
            }
            tx.put_edition(&edition)?;
            tx.set_lock_version(content_id, &locale, lock + 1)?;
            Ok(Written { edition, lock_version: lock + 1, warnings })
        })
    }

    /// `POST /v2/content/:content_id/publish`.
    pub fn publish(&self, content_id: &str, options: &PublishOptions) -> Result<Written, Error> {
        let locale = options.locale.clone().unwrap_or_else(|| "en".to_owned());
        let now = self.now();
        self.storage.transaction(&mut |tx| {
            let lock = tx.lock_document(content_id, &locale)?;
            let editions = tx.editions(content_id, Some(&locale))?;
            if editions.is_empty() {
                return Err(not_found(content_id, &locale));
            }
            check_version(lock, options.previous_version)?;
            let Some(mut draft) = editions.iter().find(|e| e.state == EditionState::Draft).cloned()
            else {
                let live = editions.iter().any(|e| e.state == EditionState::Published);
                return Err(if live {
                    CommandError::new(409, None, "Cannot publish an already published edition")
                        .into()
                } else {
                    not_found(content_id, &locale)
                });
            };
            let update_type = options
                .update_type
                .clone()
                .or_else(|| draft.update_type.clone())
                .unwrap_or_default();
            if update_type.trim().is_empty() {
                return Err(CommandError::new(
                    422,
                    Some("update_type_missing"),
                    "update_type is required",
                )
                .field("update_type", "is invalid")
                .into());
            }
            let parsed = UpdateType::parse(&update_type);
            if !parsed.is_known() {
                return Err(CommandError::new(
                    422,
                    Some("update_type_invalid"),
                    format!("An update_type of '{update_type}' is invalid"),
                )
                .field("update_type", "must be one of [\"major\", \"minor\", \"republish\"]")
                .into());
            }
            if let Some(base_path) = &draft.base_path {
                for mut other in tx.editions_at_path(base_path, ContentStore::Live)? {
                    if other.content_id == content_id && other.locale == locale {
                        continue;
                    }
                    if !is_substitutable(&other) {
                        return Err(conflict_at(base_path, &other));
                    }
                    other.state = EditionState::Unpublished;
                    other.content_store = None;
                    other.unpublishing = Some(Unpublishing {
                        kind: UnpublishingType::Substitute,
                        explanation: None,
                        alternative_path: None,
                        unpublished_at: now.clone(),
                    });
                    tx.put_edition(&other)?;
                }
            }
            let previous_live = editions
                .iter()
                .find(|e| matches!(e.state, EditionState::Published | EditionState::Unpublished));
            if let Some(previous) = previous_live {
                let mut superseded = previous.clone();
                superseded.state = EditionState::Superseded;
                superseded.content_store = None;
                tx.put_edition(&superseded)?;
            }
            draft.state = EditionState::Published;
            draft.content_store = Some(ContentStore::Live);
            draft.published_at = Some(now.clone());
            draft.update_type = Some(parsed.as_str().to_owned());
            if parsed == UpdateType::Major {
                if draft.item.get("public_updated_at").is_none() {
                    draft.public_updated_at = Some(now.clone());
                }
            } else {
                draft.change_note = None;
                if draft.public_updated_at.is_none() {
                    draft.public_updated_at = previous_live
                        .and_then(|p| p.public_updated_at.clone())
                        .or(Some(now.clone()));
                }
            }
            if draft.first_published_at.is_none() {
                draft.first_published_at = Some(now.clone());
            }
            tx.put_edition(&draft)?;
            tx.set_lock_version(content_id, &locale, lock + 1)?;
            Ok(Written { edition: draft.clone(), lock_version: lock + 1, warnings: Vec::new() })
        })
    }

    /// `POST /v2/content/:content_id/unpublish`.
    pub fn unpublish(
        &self,
        content_id: &str,
        options: &UnpublishOptions,
    ) -> Result<Written, Error> {
        let Some(kind) = UnpublishingType::parse(&options.kind) else {
            return Err(CommandError::new(
                422,
                Some("type_invalid"),
                format!("{} is not a valid unpublishing type", options.kind),
            )
            .into());
        };
        if options.allow_draft && options.discard_drafts {
            return Err(CommandError::new(
                422,
                Some("conflicting_unpublishing_flags"),
                "allow_draft and discard_drafts cannot be used together",
            )
            .into());
        }
        if kind == UnpublishingType::Withdrawal
            && options.explanation.as_deref().is_none_or(|e| e.trim().is_empty())
        {
            return Err(CommandError::new(
                422,
                Some("explanation_missing_for_withdrawal"),
                "Explanation can't be blank",
            )
            .field("explanation", "can't be blank")
            .into());
        }
        if kind == UnpublishingType::Redirect {
            match options.alternative_path.as_deref() {
                None | Some("") => {
                    return Err(CommandError::new(
                        422,
                        Some("redirects_missing_for_redirect"),
                        "Redirects can't be blank",
                    )
                    .field("redirects", "can't be blank")
                    .into());
                }
                Some(path)
                    if !path.starts_with('/')
                        || !is_absolute_path(path.split(['?', '#']).next().unwrap_or(path)) =>
                {
                    if !path.starts_with("https://") {
                        return Err(CommandError::new(
                            422,
                            Some("redirect_destination_invalid"),
                            format!("Redirects destination invalid ({path})"),
                        )
                        .into());
                    }
                }
                Some(_) => {}
            }
        }
        let locale = options.locale.clone().unwrap_or_else(|| "en".to_owned());
        let now = self.now();
        self.storage.transaction(&mut |tx| {
            let lock = tx.lock_document(content_id, &locale)?;
            let editions = tx.editions(content_id, Some(&locale))?;
            let Some(live) = editions
                .iter()
                .find(|e| matches!(e.state, EditionState::Published | EditionState::Unpublished))
            else {
                return Err(
                    CommandError::new(404, None, "Could not find an edition to unpublish").into()
                );
            };
            if let Some(draft) = editions.iter().find(|e| e.state == EditionState::Draft) {
                if options.discard_drafts {
                    tx.delete_edition(content_id, &locale, draft.user_facing_version)?;
                } else if !options.allow_draft {
                    return Err(CommandError::new(
                        422,
                        Some("cannot_unpublish_with_draft"),
                        "Cannot unpublish with a draft present",
                    )
                    .into());
                }
            }
            check_version(lock, options.previous_version)?;
            let mut edition = live.clone();
            edition.state = EditionState::Unpublished;
            edition.unpublishing = Some(Unpublishing {
                kind,
                explanation: options.explanation.clone(),
                alternative_path: options.alternative_path.clone(),
                unpublished_at: now.clone(),
            });
            tx.put_edition(&edition)?;
            tx.set_lock_version(content_id, &locale, lock + 1)?;
            Ok(Written { edition, lock_version: lock + 1, warnings: Vec::new() })
        })
    }

    /// `POST /v2/content/:content_id/discard-draft`.
    pub fn discard_draft(
        &self,
        content_id: &str,
        locale: Option<&str>,
        previous_version: Option<i64>,
    ) -> Result<i64, Error> {
        let locale = locale.unwrap_or("en").to_owned();
        self.storage.transaction(&mut |tx| {
            let lock = tx.lock_document(content_id, &locale)?;
            let editions = tx.editions(content_id, Some(&locale))?;
            let Some(draft) = editions.iter().find(|e| e.state == EditionState::Draft) else {
                let has_live = editions.iter().any(|e| {
                    matches!(e.state, EditionState::Published | EditionState::Unpublished)
                });
                return Err(CommandError::new(
                    if has_live { 422 } else { 404 },
                    Some("no_draft_to_discard"),
                    "There is not a draft edition of this document to discard",
                )
                .into());
            };
            check_version(lock, previous_version)?;
            tx.delete_edition(content_id, &locale, draft.user_facing_version)?;
            if let Some(path) = &draft.base_path {
                free_path_if_unused(tx, path, content_id, &editions, draft.user_facing_version)?;
            }
            tx.set_lock_version(content_id, &locale, lock + 1)?;
            Ok(lock + 1)
        })
    }

    /// The document's current lock version (0 for a document never written).
    pub fn lock_version(&self, content_id: &str, locale: &str) -> Result<i64, Error> {
        self.storage.transaction(&mut |tx| tx.lock_document(content_id, locale))
    }

    /// Every edition of a content_id, all locales, oldest first.
    pub fn editions(&self, content_id: &str) -> Result<Vec<Edition>, Error> {
        self.storage.transaction(&mut |tx| tx.editions(content_id, None))
    }

    /// `PUT /paths/:base_path`: reserves a path for an app.
    pub fn reserve_path(
        &self,
        base_path: &str,
        publishing_app: &str,
        override_existing: bool,
    ) -> Result<(), Error> {
        if base_path.len() > MAX_BASE_PATH_BYTES {
            return Err(CommandError::new(
                422,
                Some("base_path_too_long"),
                "Base path over 512 bytes",
            )
            .into());
        }
        if !is_absolute_path(base_path) {
            return Err(
                CommandError::new(422, Some("base_path_invalid"), "Base path is invalid").into()
            );
        }
        if publishing_app.is_empty() {
            return Err(CommandError::new(
                422,
                Some("publishing_app_missing"),
                "Publishing app can't be blank",
            )
            .into());
        }
        self.storage.transaction(&mut |tx| match tx.reservation(base_path)? {
            Some(owner) if owner != publishing_app && !override_existing => Err(CommandError::new(
                422,
                Some("base_path_already_in_use"),
                format!("{base_path} is already reserved by {owner}"),
            )
            .into()),
            _ => tx.set_reservation(base_path, Some(publishing_app)),
        })
    }

    /// `PATCH /v2/links/:content_id`: merges link types into the link set (an empty list deletes a type).
    pub fn patch_links(
        &self,
        content_id: &str,
        links: &BTreeMap<String, Vec<String>>,
        previous_version: Option<i64>,
    ) -> Result<LinkSet, Error> {
        if !is_canonical_uuid(content_id) {
            return Err(CommandError::new(
                422,
                Some("uuid_invalid"),
                "content_id is not a canonical UUID",
            )
            .into());
        }
        for (link_type, targets) in links {
            if link_type.is_empty()
                || !link_type.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            {
                return Err(CommandError::new(
                    422,
                    Some("validation_failed"),
                    format!("Invalid link type: {link_type}"),
                )
                .into());
            }
            if let Some(bad) = targets.iter().find(|t| !is_canonical_uuid(t)) {
                return Err(CommandError::new(
                    422,
                    Some("uuid_invalid"),
                    format!("{bad} is not a canonical UUID"),
                )
                .into());
            }
        }
        self.storage.transaction(&mut |tx| {
            let current = tx.link_set(content_id)?;
            let lock = current.as_ref().map_or(0, |l| l.lock_version);
            check_version(lock, previous_version)?;
            let mut set = current.unwrap_or_else(|| LinkSet {
                content_id: content_id.to_owned(),
                lock_version: 0,
                links: BTreeMap::new(),
            });
            for (link_type, targets) in links {
                if targets.is_empty() {
                    set.links.remove(link_type);
                } else {
                    set.links.insert(link_type.clone(), targets.clone());
                }
            }
            set.lock_version = lock + 1;
            tx.put_link_set(&set)?;
            Ok(set)
        })
    }

    /// `GET /v2/links/:content_id`.
    pub fn links(&self, content_id: &str) -> Result<Option<LinkSet>, Error> {
        self.storage.transaction(&mut |tx| tx.link_set(content_id))
    }

    /// Builds the router of a content store from its editions.
    pub fn router(&self, store: ContentStore) -> Result<Router, Error> {
        let editions = self.storage.transaction(&mut |tx| tx.editions_on(store))?;
        let mut entries = Vec::with_capacity(editions.len());
        for edition in editions {
            let item = edition.typed_item()?;
            let Some(base_path) = item.base_path.clone() else { continue };
            entries.push(RouteEntry {
                content_id: edition.content_id.clone(),
                locale: edition.locale.clone(),
                base_path,
                routes: item.routes.clone().unwrap_or_default(),
                redirects: item.redirects.clone().unwrap_or_default(),
                unpublishing: edition.unpublishing.clone(),
                is_redirect: item.schema_name == SchemaName::Redirect,
            });
        }
        Ok(Router::new(entries))
    }
}

/// Frees a reservation that only the discarded or moved draft used.
fn free_path_if_unused(
    tx: &mut dyn Tx,
    path: &str,
    content_id: &str,
    editions: &[Edition],
    except_version: u64,
) -> Result<(), Error> {
    let used_by_self = editions.iter().any(|e| {
        e.user_facing_version != except_version
            && e.base_path.as_deref() == Some(path)
            && e.content_store.is_some()
    });
    let used_by_others =
        [ContentStore::Draft, ContentStore::Live].into_iter().try_fold(false, |acc, store| {
            Ok::<bool, Error>(
                acc || tx.editions_at_path(path, store)?.iter().any(|e| e.content_id != content_id),
            )
        })?;
    if !used_by_self && !used_by_others {
        tx.set_reservation(path, None)?;
    }
    Ok(())
}
