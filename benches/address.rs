//! gaap-address: postcode parsing, postcode lookup, typeahead and matching at council scale (150k synthetic
//! addresses on the embedded Westminster postcodes), plus an optional larger run.
//! Run: `cargo bench -p gaap-benches --bench address`. Set `GAAP_BENCH_ADDRESSES=3000000` for a national-shaped
//! run built in memory, or `GAAP_BENCH_INDEX=PATH` to load a saved national index (see `national`); build
//! time, file size, load time and latency percentiles are printed on stderr.
//! Targets (issue 6): postcode lookup p99 <= 50 us; typeahead p99 <= 2 ms at council scale, <= 20 ms national;
//! matching >= 10,000 records/s.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use gaap_address::synth::{self, Rng};
use gaap_address::{Address, Index, IndexBuilder, MatchOptions, Postcode};

const COUNCIL: usize = 150_000;

fn build(n: usize, seed: u64) -> (Index, Duration) {
    let seeds = synth::seed_postcodes_for(n, seed);
    let start = Instant::now();
    let mut b = IndexBuilder::new();
    synth::generate_with(&seeds, n, seed, |a| b.add_address(a));
    let index = b.build();
    (index, start.elapsed())
}

/// Typeahead queries as people type them: number + partial street, street + outward, a typo.
fn queries(index: &Index, n: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            let a: Address = index.get(rng.below(index.len())).unwrap();
            let street = a.thoroughfare.clone().unwrap_or_default();
            let num = a.building_number.map(|n| n.to_string()).unwrap_or_default();
            match i % 4 {
                0 => {
                    let mut q = format!("{num} {street}");
                    q.truncate(q.len().saturating_sub(3).max(4));
                    q
                }
                1 => format!(
                    "{street} {}",
                    a.postcode.map(|p| p.outward().to_owned()).unwrap_or_default()
                ),
                2 => {
                    let mut s = street;
                    if s.len() > 5 {
                        s.remove(3);
                    }
                    format!("{num} {s}")
                }
                _ => a.single_line(),
            }
        })
        .collect()
}

/// Messy versions of real addresses: lower case, no commas, an abbreviation, sometimes no town.
fn messy(index: &Index, n: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| {
            let a = index.get(rng.below(index.len())).unwrap();
            let mut s = a
                .single_line()
                .to_lowercase()
                .replace(',', "")
                .replace(" street", " st")
                .replace("flat ", "flt ");
            if rng.below(3) == 0 {
                s = s.replace(" london", "");
            }
            s
        })
        .collect()
}

fn percentiles(label: &str, mut samples: Vec<Duration>) {
    samples.sort_unstable();
    let at = |p: f64| samples[((samples.len() as f64 - 1.0) * p) as usize];
    eprintln!(
        "{label}: n={} p50={:?} p95={:?} p99={:?} max={:?}",
        samples.len(),
        at(0.50),
        at(0.95),
        at(0.99),
        samples[samples.len() - 1]
    );
}

fn latency_report(label: &str, index: &Index) {
    let pcs: Vec<Postcode> = index.postcodes().iter().map(|p| p.postcode).collect();
    let mut rng = Rng::new(5);
    let samples = (0..20_000)
        .map(|_| {
            let pc = pcs[rng.below(pcs.len())];
            let t = Instant::now();
            black_box(index.by_postcode(&pc));
            t.elapsed()
        })
        .collect();
    percentiles(&format!("{label} postcode lookup"), samples);
    let qs = queries(index, 2_000, 6);
    let samples: Vec<Duration> = qs
        .iter()
        .map(|q| {
            let t = Instant::now();
            black_box(index.search(q, 10));
            t.elapsed()
        })
        .collect();
    if std::env::var_os("GAAP_BENCH_SLOWEST").is_some() {
        // The slow tail, to see what drives it.
        let mut worst: Vec<(Duration, &String)> = samples.iter().copied().zip(&qs).collect();
        worst.sort_unstable_by_key(|w| std::cmp::Reverse(w.0));
        for (d, q) in worst.iter().take(30) {
            eprintln!("{label} slow typeahead {d:?} {q:?}");
        }
    }
    percentiles(&format!("{label} typeahead top-10"), samples);
    let inputs = messy(index, 20_000, 7);
    let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let t = Instant::now();
    black_box(index.match_batch(&refs, MatchOptions::default()));
    let secs = t.elapsed().as_secs_f64();
    eprintln!(
        "{label} match_batch: {:.0} records/s (20,000 records, all cores)",
        refs.len() as f64 / secs
    );
}

fn council(c: &mut Criterion) {
    if let Some(path) = std::env::var_os("GAAP_BENCH_INDEX") {
        national(c, std::path::Path::new(&path));
        return;
    }
    let (index, took) = build(COUNCIL, 1);
    eprintln!(
        "council build: {} addresses, {} postcodes in {took:?}",
        index.len(),
        index.postcode_count()
    );
    let bytes = index.to_bytes();
    let t = Instant::now();
    let back = Index::from_bytes(&bytes).unwrap();
    eprintln!("council index: {} bytes, load {:?}", bytes.len(), t.elapsed());
    drop(back);
    latency_report("council", &index);

    let inputs = ["sw1a1aa", "SW1A 1AA", " ec4a 2ah ", "W1M 4ZZ", "nonsense"];
    let mut g = c.benchmark_group("address");
    g.throughput(Throughput::Elements(inputs.len() as u64));
    g.bench_function("postcode_parse_5", |b| {
        b.iter(|| {
            for i in inputs {
                let _ = black_box(Postcode::parse(black_box(i)));
            }
        });
    });
    g.throughput(Throughput::Elements(1));
    lookups(&mut g, &index, "council");
    let m = messy(&index, 1_000, 3);
    let refs: Vec<&str> = m.iter().map(String::as_str).collect();
    g.throughput(Throughput::Elements(refs.len() as u64));
    g.sample_size(10);
    g.bench_function("match_batch_1000", |b| {
        b.iter(|| black_box(index.match_batch(&refs, MatchOptions::default())))
    });
    g.finish();

    if let Some(n) =
        std::env::var("GAAP_BENCH_ADDRESSES").ok().and_then(|v| v.parse::<usize>().ok())
    {
        drop(index);
        let (big, took) = build(n, 11);
        eprintln!(
            "large build: {} addresses, {} postcodes in {took:?}",
            big.len(),
            big.postcode_count()
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("large.idx");
        let t = Instant::now();
        big.save(&path).unwrap();
        eprintln!(
            "large save: {:?}, {} bytes",
            t.elapsed(),
            std::fs::metadata(&path).unwrap().len()
        );
        drop(big);
        let t = Instant::now();
        let big = Index::open(&path).unwrap();
        eprintln!("large load: {:?}", t.elapsed());
        latency_report("large", &big);
    }
}

/// A saved national index (`gaap address synth --addresses 30000000` then `gaap address build`): load time,
/// latency percentiles and criterion medians for postcode lookup and typeahead.
fn national(c: &mut Criterion, path: &std::path::Path) {
    let t = Instant::now();
    let index = Index::open(path).unwrap();
    eprintln!(
        "national load: {} addresses, {} postcodes from {} bytes in {:?}",
        index.len(),
        index.postcode_count(),
        std::fs::metadata(path).unwrap().len(),
        t.elapsed()
    );
    latency_report("national", &index);
    let mut g = c.benchmark_group("address_national");
    lookups(&mut g, &index, "national");
    g.finish();
}

/// Criterion medians for postcode lookup and top-10 typeahead.
fn lookups(g: &mut BenchmarkGroup<'_, WallTime>, index: &Index, scale: &str) {
    let pcs: Vec<Postcode> = index.postcodes().iter().map(|p| p.postcode).collect();
    let mut i = 0usize;
    g.bench_function(format!("postcode_lookup_{scale}"), |b| {
        b.iter(|| {
            i = (i + 7919) % pcs.len();
            black_box(index.by_postcode(&pcs[i]).len())
        });
    });
    let qs = queries(index, 512, 2);
    let mut j = 0usize;
    g.bench_function(format!("typeahead_{scale}_top10"), |b| {
        b.iter(|| {
            j = (j + 1) % qs.len();
            black_box(index.search(&qs[j], 10).len())
        });
    });
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! { name = benches; config = config(); targets = council }
criterion_main!(benches);
