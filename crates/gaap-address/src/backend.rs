//! One interface over the in-process index and the OS Places API.

use std::future::Future;

use crate::error::Error;
use crate::index::Index;
use crate::rules::geo::Coordinates;
use crate::types::address::Address;
use crate::types::postcode::Postcode;
use crate::types::uprn::Uprn;

/// A source of addresses. Implemented by [`Index`] (answers at once) and, with the `os-places` feature, by
/// `OsPlacesClient`.
pub trait Backend: Send + Sync {
    /// The addresses at a postcode, one per UPRN, Welsh twins merged, in premise order.
    fn by_postcode(
        &self,
        postcode: &Postcode,
    ) -> impl Future<Output = Result<Vec<Address>, Error>> + Send;

    /// The address with this UPRN.
    fn by_uprn(&self, uprn: Uprn) -> impl Future<Output = Result<Option<Address>, Error>> + Send;

    /// Free-text search, best first, with a score in (0, 1].
    fn find(
        &self,
        query: &str,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<(Address, f32)>, Error>> + Send;

    /// The closest address within `radius` metres.
    fn nearest(
        &self,
        at: Coordinates,
        radius: f64,
    ) -> impl Future<Output = Result<Option<Address>, Error>> + Send;
}

impl Backend for Index {
    fn by_postcode(
        &self,
        postcode: &Postcode,
    ) -> impl Future<Output = Result<Vec<Address>, Error>> + Send {
        std::future::ready(Ok(Index::by_postcode(self, postcode)))
    }

    fn by_uprn(&self, uprn: Uprn) -> impl Future<Output = Result<Option<Address>, Error>> + Send {
        std::future::ready(Ok(Index::by_uprn(self, uprn)))
    }

    fn find(
        &self,
        query: &str,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<(Address, f32)>, Error>> + Send {
        let hits = self.search(query, limit).into_iter().map(|h| (h.address, h.score)).collect();
        std::future::ready(Ok(hits))
    }

    fn nearest(
        &self,
        at: Coordinates,
        radius: f64,
    ) -> impl Future<Output = Result<Option<Address>, Error>> + Send {
        std::future::ready(Ok(Index::nearest(self, at, radius).map(|(a, _)| a)))
    }
}
