//! Top-level content item shapes.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::{Details, Phase, Redirect, Route, SchemaName, UpdateType, nullable};

/// `previous_version`: the lock version the publisher last saw. The schema types it as a string;
/// publishing-api also accepts an integer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PreviousVersion {
    /// Sent as an integer.
    Number(u64),
    /// Sent as a string (as the schema declares).
    Text(String),
}

impl PreviousVersion {
    /// The number, if it is one.
    pub fn value(&self) -> Option<u64> {
        match self {
            Self::Number(n) => Some(*n),
            Self::Text(t) => t.trim().parse().ok(),
        }
    }
}

/// `access_limited`: who may see a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessLimited {
    /// User UIDs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<Vec<String>>,
    /// Organisation content_ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisations: Option<Vec<String>>,
    /// Deprecated here; send top-level `auth_bypass_ids`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_bypass_ids: Option<Vec<String>>,
}

/// What a publishing app sends to `PUT /v2/content/:content_id` (the `publisher_v2` schema), generic over the
/// `details` representation. Use [`PublisherItem`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublisherItemOf<D> {
    /// The document's id. A path parameter on the wire; accepted in the body for files and the CLI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_id: Option<String>,
    /// Canonical path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_path: Option<String>,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Summary.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub description: Option<Option<String>>,
    /// Format.
    pub schema_name: SchemaName,
    /// Finer label.
    pub document_type: String,
    /// Locale, `en` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// App that publishes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publishing_app: Option<String>,
    /// App that renders it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rendering_app: Option<String>,
    /// Routes served by the rendering app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<Route>>,
    /// Redirects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirects: Option<Vec<Redirect>>,
    /// Default update type for the publish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_type: Option<UpdateType>,
    /// Change note (kept for major updates only).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub change_note: Option<Option<String>>,
    /// Override of the public date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_updated_at: Option<String>,
    /// Override of the first publication date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_published_at: Option<String>,
    /// Last major or minor edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_edited_at: Option<String>,
    /// Editor who last edited it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_edited_by_editor_id: Option<String>,
    /// Service phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    /// Schema-specific fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<D>,
    /// Edition links: link type → content_ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<BTreeMap<String, Vec<String>>>,
    /// Draft visibility.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_limited: Option<AccessLimited>,
    /// Tokens that bypass draft authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_bypass_ids: Option<Vec<String>>,
    /// Analytics identifier.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub analytics_identifier: Option<Option<String>>,
    /// Part of a bulk operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulk_publishing: Option<bool>,
    /// Optimistic lock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_version: Option<PreviousVersion>,
}

/// A publisher item with typed `details`.
pub type PublisherItem = PublisherItemOf<Details>;

impl<'de> Deserialize<'de> for Details {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Without a schema name only the untyped form is possible; items decode details by schema.
        BTreeMap::<String, Value>::deserialize(d).map(Details::Other)
    }
}

impl PublisherItem {
    /// Parses an item, decoding `details` by `schema_name` and rejecting unknown keys.
    pub fn from_json(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        let raw: PublisherItemOf<Value> = serde_json::from_slice(bytes)?;
        raw.typed()
    }

    /// The locale, `en` when absent.
    pub fn locale(&self) -> &str {
        self.locale.as_deref().unwrap_or("en")
    }

    /// The description, if set and not null.
    pub fn description(&self) -> Option<&str> {
        self.description.as_ref().and_then(|d| d.as_deref())
    }
}

impl PublisherItemOf<Value> {
    /// Decodes `details` by `schema_name`.
    pub fn typed(self) -> Result<PublisherItem, serde_json::Error> {
        let details = match self.details {
            Some(value) => Some(Details::from_value(&self.schema_name, value)?),
            None => None,
        };
        Ok(PublisherItemOf {
            details,
            content_id: self.content_id,
            base_path: self.base_path,
            title: self.title,
            description: self.description,
            schema_name: self.schema_name,
            document_type: self.document_type,
            locale: self.locale,
            publishing_app: self.publishing_app,
            rendering_app: self.rendering_app,
            routes: self.routes,
            redirects: self.redirects,
            update_type: self.update_type,
            change_note: self.change_note,
            public_updated_at: self.public_updated_at,
            first_published_at: self.first_published_at,
            last_edited_at: self.last_edited_at,
            last_edited_by_editor_id: self.last_edited_by_editor_id,
            phase: self.phase,
            links: self.links,
            access_limited: self.access_limited,
            auth_bypass_ids: self.auth_bypass_ids,
            analytics_identifier: self.analytics_identifier,
            bulk_publishing: self.bulk_publishing,
            previous_version: self.previous_version,
        })
    }
}

/// An expanded link in frontend output. Expanded links allow extra keys (`additionalProperties: true`),
/// which are kept in `other`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExpandedLink {
    /// Target id.
    pub content_id: String,
    /// Target title.
    pub title: String,
    /// Target locale.
    pub locale: String,
    /// Target path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_path: Option<String>,
    /// Target document type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    /// Target schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_name: Option<String>,
    /// Content API path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_path: Option<String>,
    /// Target public date.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub public_updated_at: Option<Option<String>>,
    /// Analytics identifier.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub analytics_identifier: Option<Option<String>>,
    /// Nested expanded links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<BTreeMap<String, Vec<ExpandedLink>>>,
    /// Any other keys (`details`, deprecated `api_url`/`web_url`, …).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// `withdrawn_notice` of a withdrawn item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawnNotice {
    /// Why it was withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn_at: Option<String>,
}

/// What the content store serves (the `frontend` schema), generic over `details`. Use [`FrontendItem`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FrontendItemOf<D> {
    /// Document id.
    pub content_id: String,
    /// Canonical path.
    pub base_path: String,
    /// Title.
    pub title: String,
    /// Summary (required, nullable).
    pub description: Option<String>,
    /// Format.
    pub schema_name: SchemaName,
    /// Finer label.
    pub document_type: String,
    /// Locale.
    pub locale: String,
    /// Last major change (required, nullable).
    pub public_updated_at: Option<String>,
    /// Last write.
    pub updated_at: String,
    /// First publication.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub first_published_at: Option<Option<String>>,
    /// Schema-specific fields.
    pub details: D,
    /// Expanded links.
    pub links: BTreeMap<String, Vec<ExpandedLink>>,
    /// Service phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    /// Publishing app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publishing_app: Option<String>,
    /// Rendering app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rendering_app: Option<String>,
    /// Analytics identifier.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub analytics_identifier: Option<Option<String>>,
    /// Request id.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub publishing_request_id: Option<Option<String>>,
    /// Scheduled publishing time.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub publishing_scheduled_at: Option<Option<String>>,
    /// Delay between scheduled and actual publishing.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub scheduled_publishing_delay_seconds: Option<Option<i64>>,
    /// Present when withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn_notice: Option<WithdrawnNotice>,
}

/// A frontend item with typed `details`.
pub type FrontendItem = FrontendItemOf<Details>;

impl FrontendItem {
    /// Parses an item, decoding `details` by `schema_name` and rejecting unknown keys.
    pub fn from_json(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        let raw: FrontendItemOf<Value> = serde_json::from_slice(bytes)?;
        let details = Details::from_value(&raw.schema_name, raw.details)?;
        Ok(FrontendItemOf {
            details,
            content_id: raw.content_id,
            base_path: raw.base_path,
            title: raw.title,
            description: raw.description,
            schema_name: raw.schema_name,
            document_type: raw.document_type,
            locale: raw.locale,
            public_updated_at: raw.public_updated_at,
            updated_at: raw.updated_at,
            first_published_at: raw.first_published_at,
            links: raw.links,
            phase: raw.phase,
            publishing_app: raw.publishing_app,
            rendering_app: raw.rendering_app,
            analytics_identifier: raw.analytics_identifier,
            publishing_request_id: raw.publishing_request_id,
            publishing_scheduled_at: raw.publishing_scheduled_at,
            scheduled_publishing_delay_seconds: raw.scheduled_publishing_delay_seconds,
            withdrawn_notice: raw.withdrawn_notice,
        })
    }
}

/// JSON Schemas (draft 2020-12, from schemars) for the publisher and frontend shapes.
pub fn json_schemas() -> BTreeMap<&'static str, schemars::Schema> {
    let mut out = BTreeMap::new();
    out.insert("publisher_item", schemars::schema_for!(PublisherItem));
    out.insert("frontend_item", schemars::schema_for!(FrontendItem));
    out
}
