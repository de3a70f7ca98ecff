//! Matching many strings over the available cores.

use super::retrieval::{MatchOptions, MatchResult};
use crate::index::Index;

/// Fewest inputs worth spreading over threads.
const MIN_PARALLEL: usize = 64;

impl Index {
    /// Matches many strings, spread over the available cores. Results are in input order, one per input.
    ///
    /// # Panics
    /// Only if matching one of the strings panics (a bug): the panic is raised again here rather than that
    /// worker's results being dropped, so no result is ever paired with the wrong input.
    #[must_use]
    pub fn match_batch(&self, inputs: &[&str], options: MatchOptions) -> Vec<MatchResult> {
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        in_chunks(inputs, threads, |i| self.match_address(i, options))
    }
}

/// `f` over every input, in input order, with the inputs split into one chunk per thread. A worker's panic is
/// re-raised on the calling thread once the other workers have finished.
fn in_chunks<T: Send>(inputs: &[&str], threads: usize, f: impl Fn(&str) -> T + Sync) -> Vec<T> {
    if threads <= 1 || inputs.len() < MIN_PARALLEL {
        return inputs.iter().map(|i| f(i)).collect();
    }
    let chunk = inputs.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = inputs
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|i| f(i)).collect::<Vec<T>>()))
            .collect();
        let mut out = Vec::with_capacity(inputs.len());
        for handle in handles {
            match handle.join() {
                Ok(part) => out.extend(part),
                // Dropping the chunk would shift every later result onto the wrong input.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::{MIN_PARALLEL, in_chunks};

    fn inputs(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{i}")).collect()
    }

    #[test]
    fn chunks_keep_input_order_and_count() {
        let owned = inputs(1_000);
        let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
        for threads in [1, 2, 3, 7, 64] {
            let out = in_chunks(&refs, threads, |s| s.parse::<usize>().unwrap());
            assert_eq!(out, (0..1_000).collect::<Vec<_>>(), "{threads} threads");
        }
    }

    #[test]
    fn a_panicking_worker_is_raised_not_dropped() {
        let owned = inputs(4 * MIN_PARALLEL);
        let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
        // The second of four chunks panics; the old code returned the other three chunks' results, 3/4 as many
        // as inputs, with every later result paired with the wrong input.
        let caught = std::panic::catch_unwind(|| {
            in_chunks(&refs, 4, |s| {
                let n: usize = s.parse().unwrap();
                assert_ne!(n, MIN_PARALLEL + 5, "worker fails on purpose");
                n
            })
        });
        let panic = caught.expect_err("the worker's panic reaches the caller");
        let message = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        assert!(message.contains("worker fails on purpose"), "{message}");
    }

    #[test]
    fn match_batch_answers_each_input_in_order() {
        let index = crate::embedded();
        let owned: Vec<String> = (0..200)
            .map(|i| index.get(i * 7 % index.len()).unwrap().single_line().to_lowercase())
            .collect();
        let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
        let batch = index.match_batch(&refs, super::MatchOptions::default());
        let one_by_one: Vec<_> =
            refs.iter().map(|i| index.match_address(i, super::MatchOptions::default())).collect();
        assert_eq!(batch, one_by_one);
    }
}
