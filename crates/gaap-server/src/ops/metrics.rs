//! Prometheus text exposition: requests by route and status, a latency histogram by route, and the index's
//! size and age.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Histogram bucket bounds, seconds.
const BUCKETS: [f64; 12] =
    [0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0];

#[derive(Debug, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

/// One route's counts: requests by status, and its latency.
#[derive(Debug, Default)]
struct Route {
    statuses: Vec<(u16, u64)>,
    latency: Histogram,
}

impl Route {
    fn record(&mut self, status: u16, took: Duration) {
        match self.statuses.iter_mut().find(|(s, _)| *s == status) {
            Some((_, n)) => *n += 1,
            None => self.statuses.push((status, 1)),
        }
        let h = &mut self.latency;
        let secs = took.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.counts[i] += 1;
            }
        }
        h.sum += secs;
        h.count += 1;
    }
}

/// By route. Looked up by `&str`, so recording a request allocates only the first time a route is seen.
#[derive(Debug, Default)]
struct Inner {
    routes: HashMap<Box<str>, Route>,
}

/// The counters.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    inner: Mutex<Inner>,
}

/// Index facts for the exposition.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct IndexFacts {
    pub(crate) ready: bool,
    pub(crate) addresses: usize,
    pub(crate) postcodes: usize,
    pub(crate) age_seconds: f64,
    pub(crate) loaded_unix: i64,
}

impl Metrics {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn record(&self, route: &str, status: u16, took: Duration) {
        let Ok(mut inner) = self.inner.lock() else { return };
        // One hash of the route for a route seen before (every request but the first).
        if let Some(r) = inner.routes.get_mut(route) {
            r.record(status, took);
        } else {
            let mut r = Route::default();
            r.record(status, took);
            inner.routes.insert(route.into(), r);
        }
    }

    pub(crate) fn render(&self, index: IndexFacts) -> String {
        let mut out = String::new();
        let label = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
        out.push_str(
            "# HELP gaap_http_requests_total HTTP requests answered, by route and status.\n",
        );
        out.push_str("# TYPE gaap_http_requests_total counter\n");
        if let Ok(inner) = self.inner.lock() {
            let mut routes: Vec<(&str, &Route)> =
                inner.routes.iter().map(|(k, v)| (k.as_ref(), v)).collect();
            routes.sort_by_key(|(k, _)| *k);
            for (route, r) in &routes {
                let mut statuses = r.statuses.clone();
                statuses.sort_unstable();
                for (status, n) in statuses {
                    let _ = writeln!(
                        out,
                        "gaap_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}",
                        label(route)
                    );
                }
            }
            out.push_str(
                "# HELP gaap_http_request_duration_seconds Time to answer a request, by route.\n",
            );
            out.push_str("# TYPE gaap_http_request_duration_seconds histogram\n");
            for (route, stats) in &routes {
                let h = &stats.latency;
                let r = label(route);
                for (bound, n) in BUCKETS.iter().zip(h.counts) {
                    let _ = writeln!(
                        out,
                        "gaap_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"{bound}\"}} {n}"
                    );
                }
                let _ = writeln!(
                    out,
                    "gaap_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "gaap_http_request_duration_seconds_sum{{route=\"{r}\"}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "gaap_http_request_duration_seconds_count{{route=\"{r}\"}} {}",
                    h.count
                );
            }
        }
        let gauges: [(&str, &str, f64); 5] = [
            (
                "gaap_address_index_ready",
                "1 once the address index has loaded.",
                f64::from(u8::from(index.ready)),
            ),
            (
                "gaap_address_index_addresses",
                "Addresses in the index in service.",
                index.addresses as f64,
            ),
            (
                "gaap_address_index_postcodes",
                "Postcodes in the index in service.",
                index.postcodes as f64,
            ),
            (
                "gaap_address_index_age_seconds",
                "Seconds since the index data was written (the file's modification time).",
                index.age_seconds,
            ),
            (
                "gaap_address_index_loaded_timestamp_seconds",
                "Unix time the index in service was loaded.",
                index.loaded_unix as f64,
            ),
        ];
        for (name, help, value) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histogram_and_gauges() {
        let m = Metrics::new();
        m.record("/search/places/v1/postcode", 200, Duration::from_micros(300));
        m.record("/search/places/v1/postcode", 200, Duration::from_millis(3));
        m.record("/search/places/v1/postcode", 400, Duration::from_micros(50));
        let text = m.render(IndexFacts {
            ready: true,
            addresses: 7,
            postcodes: 2,
            ..IndexFacts::default()
        });
        assert!(text.contains(
            "gaap_http_requests_total{route=\"/search/places/v1/postcode\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "gaap_http_request_duration_seconds_bucket{route=\"/search/places/v1/postcode\",le=\"0.0005\"} 2"
        ));
        assert!(text.contains(
            "gaap_http_request_duration_seconds_count{route=\"/search/places/v1/postcode\"} 3"
        ));
        assert!(text.contains("gaap_address_index_addresses 7\n"));
        assert!(text.contains("gaap_address_index_ready 1\n"));
    }
}
