//! The content item model: what a publisher sends ([`PublisherItem`]) and what the content store serves
//! ([`FrontendItem`]), with typed `details` per schema ([`Details`]).
//!
//! Shapes follow publishing-api's `content_schemas/dist/formats/<schema>/{publisher_v2,frontend}/schema.json`.
//! Every object rejects unknown keys, as the schemas' `additionalProperties: false` does.

// `Option<Option<T>>` keeps "absent" apart from `null`, which the schemas (and round-trips) distinguish.
#![allow(clippy::option_option)]

mod details;
mod item;

pub use details::*;
pub use item::*;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

/// Deserialises a field that may be absent (`None`), `null` (`Some(None)`) or a value (`Some(Some(v))`).
pub(crate) fn nullable<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// `JsonSchema` for open enums: a string, with the known wire values as `examples`.
macro_rules! open_enum_schema {
    ($($name:ident),+) => {$(
        impl JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "examples": $name::WIRE_VALUES })
            }
        }
    )+};
}

open_enum_schema!(SchemaName, UpdateType, Phase);

gaap_http::open_enum! {
    /// `schema_name`: which format the item follows.
    #[derive(PartialOrd, Ord)]
    pub enum SchemaName {
        /// `answer`.
        Answer = "answer",
        /// `guide`.
        Guide = "guide",
        /// `transaction`.
        Transaction = "transaction",
        /// `local_transaction`.
        LocalTransaction = "local_transaction",
        /// `place`.
        Place = "place",
        /// `contact`.
        Contact = "contact",
        /// `organisation`.
        Organisation = "organisation",
        /// `step_by_step_nav`.
        StepByStepNav = "step_by_step_nav",
        /// `redirect`.
        Redirect = "redirect",
        /// `gone`.
        Gone = "gone",
        /// `vanish`.
        Vanish = "vanish",
    }
}

gaap_http::open_enum! {
    /// `update_type` of a publish.
    #[derive(PartialOrd, Ord)]
    pub enum UpdateType {
        /// A change users should be told about; sets `public_updated_at`.
        Major = "major",
        /// A correction; the change note is dropped.
        Minor = "minor",
        /// Re-sends the live edition downstream.
        Republish = "republish",
    }
}

gaap_http::open_enum! {
    /// `phase` of the service design.
    #[derive(PartialOrd, Ord)]
    pub enum Phase {
        /// Alpha.
        Alpha = "alpha",
        /// Beta.
        Beta = "beta",
        /// Live.
        Live = "live",
    }
}

/// `routes[].type` and `redirects[].type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RouteType {
    /// Matches the path only.
    Exact,
    /// Matches the path and every path below it, segment by segment.
    Prefix,
}

/// One `routes` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Absolute path.
    pub path: String,
    /// Exact or prefix.
    #[serde(rename = "type")]
    pub route_type: RouteType,
}

/// `redirects[].segments_mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SegmentsMode {
    /// Keep the rest of the path (prefix) or the query (exact).
    Preserve,
    /// Drop it.
    Ignore,
}

/// One `redirects` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Redirect {
    /// Absolute path redirected from.
    pub path: String,
    /// Exact or prefix.
    #[serde(rename = "type")]
    pub route_type: RouteType,
    /// Internal path or allow-listed https URL.
    pub destination: String,
    /// What happens to the rest of the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segments_mode: Option<SegmentsMode>,
}
