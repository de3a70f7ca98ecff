//! Matching many strings over the available cores.

use super::retrieval::{MatchOptions, MatchResult};
use crate::index::Index;

impl Index {
    /// Matches many strings, spread over the available cores. Results are in input order.
    #[must_use]
    pub fn match_batch(&self, inputs: &[&str], options: MatchOptions) -> Vec<MatchResult> {
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).max(1);
        if threads == 1 || inputs.len() < 64 {
            return inputs.iter().map(|i| self.match_address(i, options)).collect();
        }
        let chunk = inputs.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = inputs
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter().map(|i| self.match_address(i, options)).collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
        })
    }
}
