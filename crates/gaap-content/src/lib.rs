#![doc = include_str!("../README.md")]
//!
//! ## The API in brief
//!
//! GOV.UK-compatible content for councils and departments: a typed content model, publishing-api's
//! validation rules, govspeak rendering, JSON-LD, a publishing workflow on SQLite (or PostgreSQL), and the
//! postcode → council → service URL bridge for LGSL local services.
//!
//! ```
//! use gaap_content::govspeak::{render, Mode};
//! use gaap_content::rules::validate_json;
//!
//! let item = br#"{
//!   "content_id": "a2c4477b-90fa-4838-a989-ca6004462c04",
//!   "base_path": "/pay-council-tax", "title": "Pay your Council Tax",
//!   "schema_name": "answer", "document_type": "answer",
//!   "publishing_app": "publisher", "rendering_app": "frontend",
//!   "routes": [{"path": "/pay-council-tax", "type": "exact"}],
//!   "details": {"body": [{"content_type": "text/govspeak", "content": "^Pay by 1 April^"}]}
//! }"#;
//! let item = validate_json(item).expect("valid item");
//! assert_eq!(item.base_path.as_deref(), Some("/pay-council-tax"));
//!
//! let html = render("^Pay by 1 April^", Mode::Compat);
//! assert!(html.contains(r#"class="application-notice info-notice""#));
//! ```
//!
//! Modules:
//!
//! * [`types`]: [`PublisherItem`] and [`FrontendItem`] with typed [`Details`]; JSON Schemas via schemars.
//! * [`rules`]: publishing-api's validators, each failure with its `error_code`.
//! * [`govspeak`]: govspeak → HTML, `Compat` (GOV.UK classes) or `Frontend` (govuk-frontend classes), sanitised.
//! * [`jsonld`]: schema.org `GovernmentService`, `FAQPage` or `Article`.
//! * [`store`]: the publishing workflow ([`store::Publisher`]) on SQLite or PostgreSQL, and the router.
//! * [`local`]: LGSL/LGIL, local authorities, and postcode → council → service URL.

mod error;
pub mod govspeak;
pub mod jsonld;
pub mod local;
pub mod rules;
pub mod store;
pub mod types;

pub use error::{CommandError, Error};

pub use rules::{ValidationError, validate, validate_json};
pub use types::{Details, FrontendItem, PublisherItem, SchemaName, UpdateType};
