#![doc = include_str!("../README.md")]
//!
//! ## The API in brief
//!
//! UK postcodes, UPRNs and addresses for public services: strict postcode validation, Royal Mail PAF
//! formatting, an in-process address index (postcode and UPRN lookup, nearest, typeahead, batch matching) and
//! an OS Places API client behind the same [`Backend`] trait.
//!
//! ```
//! use gaap_address::{Postcode, PostcodeKind, Uprn};
//!
//! let pc = Postcode::parse("sw1a1aa")?;
//! assert_eq!(pc.as_str(), "SW1A 1AA");
//! assert_eq!((pc.outward(), pc.inward(), pc.area(), pc.district(), pc.sector()), ("SW1A", "1AA", "SW", "SW1", "SW1A 1"));
//! assert_eq!(pc.kind(), PostcodeKind::Geographic);
//! assert_eq!(gaap_address::fix("SW1A 1A0"), "SW1A 1AO");
//! assert_eq!(Uprn::parse("000100023336956")?.get(), 100_023_336_956);
//!
//! // The embedded default: real Code-Point Open postcodes for Westminster with synthetic addresses.
//! let index = gaap_address::embedded();
//! assert_eq!(index.admin_district(&pc), Some("E09000033"));
//! let at_palace = index.by_postcode(&pc);
//! assert!(!at_palace.is_empty());
//! let hits = index.search("buckingham gate", 5);
//! # let _ = hits;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Data: the embedded postcodes are Code-Point Open (OS OpenData, OGL v3); see `data/NOTICE`. Contains OS data
//! © Crown copyright and database right 2025; contains Royal Mail data © Royal Mail copyright and database right
//! 2025; contains National Statistics data © Crown copyright and database right 2025. The embedded addresses
//! are synthetic (UPRNs 900000000000 and up).

mod backend;
#[cfg(feature = "os-places")]
mod client;
mod embedded;
mod error;
pub mod index;
pub mod rules;
pub mod synth;
pub mod types;

pub use backend::Backend;
#[cfg(feature = "os-places")]
pub use client::{
    ApiKey, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_RATE_PER_MINUTE, DEFAULT_TIMEOUT,
    OsPlacesClient, OsPlacesClientBuilder, RateLimitMode,
};
pub use embedded::{EMBEDDED_DISTRICT, admin_district, embedded, embedded_postcodes};
pub use error::{Error, PostcodeError, UprnError};
/// The retry policy of the OS Places client: lookups are idempotent `GET`s.
#[cfg(feature = "os-places")]
pub use gaap_http::RetryPolicy;
pub use index::{
    EXAMPLES_PER_KIND, Index, IndexBuilder, InputFormat, LoadNote, LoadReport, Loader,
    MatchOptions, MatchResult, NoteKind, PostcodeInfo, PostcodeRecord, SearchHit,
};
pub use rules::geo::{
    Coordinates, LatLng, from_web_mercator, point_in_polygon, polygon_area, to_web_mercator,
};
pub use rules::paf::{Formatted, PafElements};
pub use types::address::{Address, Language, NumberLabel, WelshNames};
pub use types::postcode::{Postcode, PostcodeKind, Strictness, fix, normalise};
pub use types::source::{RecordView, SourceRecord, SourceValue};
pub use types::uprn::Uprn;
