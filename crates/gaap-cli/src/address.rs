//! `gaap postcode` and `gaap address`: postcode checks, and building and querying an address index.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use gaap_address::{
    Address, Index, InputFormat, LoadReport, Loader, MatchOptions, NoteKind, Postcode, Strictness,
    Uprn,
};
use serde_json::{Value, json};

use crate::output::{self, Outcome};

/// `gaap postcode [--historic] INPUT...`
#[derive(Debug, Args)]
pub(crate) struct PostcodeArgs {
    /// Accept terminated forms (W1M-style outcodes, NPT).
    #[arg(long)]
    historic: bool,
    /// Postcodes to check.
    #[arg(required = true)]
    inputs: Vec<String>,
}

/// Address index tools.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Build an index file from AddressBase, OS Places JSON, Code-Point Open or gaap CSV files.
    Build {
        /// Input format of PATHS: addressbase, os-places, codepoint or gaap-csv.
        #[arg(long, value_name = "FORMAT", required_unless_present = "inputs")]
        format: Option<String>,
        /// An input of its own format, as FORMAT=PATH (repeat to build one index from several shapes).
        #[arg(long = "input", value_name = "FORMAT=PATH")]
        inputs: Vec<String>,
        /// The index file to write.
        #[arg(long, value_name = "INDEX")]
        out: PathBuf,
        /// Fail (exit 1, no index written) when any record or value could not be kept.
        #[arg(long)]
        strict: bool,
        /// Input files, in --format.
        #[arg(required_unless_present = "inputs", requires = "format")]
        paths: Vec<PathBuf>,
    },
    /// The addresses at a postcode, or the address with a UPRN.
    Lookup {
        /// Index file (default: the embedded Westminster data).
        #[arg(long, value_name = "INDEX")]
        index: Option<PathBuf>,
        /// A postcode or a UPRN.
        key: String,
    },
    /// Free-text typeahead search.
    Search {
        /// Index file (default: the embedded Westminster data).
        #[arg(long, value_name = "INDEX")]
        index: Option<PathBuf>,
        /// Most results to print.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// The query.
        query: String,
    },
    /// Match a CSV of messy addresses (columns id,address) to UPRNs; writes id,uprn,score as CSV.
    Match {
        /// Index file (default: the embedded Westminster data).
        #[arg(long, value_name = "INDEX")]
        index: Option<PathBuf>,
        /// Scores below this get an empty uprn.
        #[arg(long, default_value_t = 0.8)]
        threshold: f32,
        /// The input CSV (`-` for standard input).
        input: String,
    },
    /// Generate deterministic synthetic addresses as gaap CSV (national-shaped above council scale).
    Synth {
        /// How many addresses.
        #[arg(long)]
        addresses: usize,
        /// Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output CSV file.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// Runs `gaap postcode`.
pub(crate) fn run_postcode(args: &PostcodeArgs) -> Outcome {
    let strictness = if args.historic { Strictness::Historic } else { Strictness::Strict };
    let mut outcome = Outcome::Passed;
    for input in &args.inputs {
        let line = match Postcode::parse_with(input, strictness) {
            Ok(pc) => json!({
                "input": input,
                "valid": true,
                "postcode": pc.as_str(),
                "outward": pc.outward(),
                "inward": pc.inward(),
                "area": pc.area(),
                "district": pc.district(),
                "sector": pc.sector(),
                "kind": pc.kind().as_str(),
            }),
            Err(e) => {
                outcome = outcome.and(Outcome::Invalid);
                json!({"input": input, "valid": false, "error": e.describe(input)})
            }
        };
        if let Err(e) = output::emit(&line) {
            return output::fail(e);
        }
    }
    outcome
}

/// Runs `gaap address ...`.
pub(crate) fn run(cmd: Command) -> Outcome {
    match cmd {
        Command::Build { format, inputs, out, strict, paths } => {
            build(format.as_deref(), &inputs, &out, strict, &paths)
        }
        Command::Lookup { index, key } => with_index(index.as_deref(), |i| lookup(i, &key)),
        Command::Search { index, limit, query } => {
            with_index(index.as_deref(), |i| search(i, &query, limit))
        }
        Command::Match { index, threshold, input } => {
            with_index(index.as_deref(), |i| match_csv(i, &input, threshold))
        }
        Command::Synth { addresses, seed, out } => synth(addresses, seed, &out),
    }
}

fn with_index(path: Option<&Path>, f: impl FnOnce(&Index) -> Outcome) -> Outcome {
    match path {
        None => f(gaap_address::embedded()),
        Some(p) => match Index::open(p) {
            Ok(index) => f(&index),
            Err(e) => output::fail(e),
        },
    }
}

fn progress(len: u64, template: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// Tells the user on stderr what one input gave: counts, then the first examples of each kind.
fn print_report(r: &LoadReport) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "{}: {} records: {} taken, {} merged, {} rejected{}; fields: {} taken, {} merged, {} rejected",
        r.file,
        r.records,
        r.taken,
        r.merged,
        r.rejected,
        if r.skipped > 0 { format!(", {} skipped", r.skipped) } else { String::new() },
        r.fields_taken,
        r.fields_merged,
        r.fields_rejected,
    );
    if !r.ignored.is_empty() {
        let _ = writeln!(err, "  ignored (not address components): {}", r.ignored.join(", "));
    }
    for note in &r.examples {
        let kind = match note.kind {
            NoteKind::RecordMerged => "record merged",
            NoteKind::RecordRejected => "record rejected",
            NoteKind::FieldMerged => "field merged",
            NoteKind::FieldRejected => "field rejected",
            _ => "note",
        };
        let _ = writeln!(err, "  {kind} at {}: {}", note.at, note.message);
    }
}

fn input_format(name: &str) -> Result<InputFormat, String> {
    InputFormat::from_name(name).ok_or_else(|| {
        format!("unknown format {name:?}: use addressbase, os-places, codepoint or gaap-csv")
    })
}

/// The inputs to build from: each path in `format`, then each `FORMAT=PATH`.
fn build_inputs(
    format: Option<&str>,
    inputs: &[String],
    paths: &[PathBuf],
) -> Result<Vec<(InputFormat, PathBuf)>, String> {
    let mut all = Vec::with_capacity(paths.len() + inputs.len());
    if let Some(name) = format {
        let f = input_format(name)?;
        all.extend(paths.iter().map(|p| (f, p.clone())));
    }
    for input in inputs {
        let (name, path) =
            input.split_once('=').ok_or_else(|| format!("--input {input:?}: write FORMAT=PATH"))?;
        all.push((input_format(name)?, PathBuf::from(path)));
    }
    Ok(all)
}

fn build(
    format: Option<&str>,
    inputs: &[String],
    out: &Path,
    strict: bool,
    paths: &[PathBuf],
) -> Outcome {
    let inputs = match build_inputs(format, inputs, paths) {
        Ok(i) => i,
        Err(e) => return output::fail(e),
    };
    let total: u64 =
        inputs.iter().filter_map(|(_, p)| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
    let bar = progress(total, "{bar:30} {bytes}/{total_bytes} read ({bytes_per_sec}) {msg}");
    let mut loader = Loader::new();
    let mut reports: Vec<LoadReport> = Vec::with_capacity(paths.len());
    for (format, path) in &inputs {
        bar.set_message(path.display().to_string());
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) => {
                bar.abandon();
                return output::fail(format!("cannot read {}: {e}", path.display()));
            }
        };
        let reader = std::io::BufReader::with_capacity(1 << 20, bar.wrap_read(file));
        match loader.read(*format, &path.display().to_string(), reader) {
            Ok(report) => reports.push(report),
            Err(e) => {
                bar.abandon();
                return output::fail(e);
            }
        }
    }
    bar.finish_and_clear();
    reports.iter().for_each(print_report);
    let clean = reports.iter().all(LoadReport::is_clean);
    let records: usize = reports.iter().map(|r| r.taken).sum();
    if strict && !clean {
        let _ = writeln!(
            std::io::stderr(),
            "gaap: --strict: some records or values could not be kept (above); {} not written",
            out.display()
        );
        let summary = json!({ "records": records, "written": false, "files": reports });
        return match output::emit(&summary) {
            Ok(()) => Outcome::Invalid,
            Err(e) => output::fail(e),
        };
    }
    let index = loader.into_builder().build();
    if let Err(e) = index.save(out) {
        return output::fail(e);
    }
    let summary = json!({
        "records": records,
        "addresses": index.len(),
        "postcodes": index.postcode_count(),
        "out": out.display().to_string(),
        "files": reports,
    });
    match output::emit(&summary) {
        Ok(()) => Outcome::Passed,
        Err(e) => output::fail(e),
    }
}

fn address_json(a: &Address) -> Value {
    json!({
        "uprn": a.uprn.get(),
        "lines": a.lines(),
        "postcode": a.postcode.map(|p| p.to_string()),
    })
}

fn lookup(index: &Index, key: &str) -> Outcome {
    let trimmed = key.trim();
    let found: Vec<Address> = if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit())
    {
        match Uprn::parse(trimmed) {
            Ok(uprn) => index.by_uprn(uprn).into_iter().collect(),
            Err(e) => return invalid(e),
        }
    } else {
        match Postcode::parse_fixed(trimmed) {
            Ok(pc) => index.by_postcode(&pc),
            Err(e) => return invalid(e.describe(trimmed)),
        }
    };
    for a in &found {
        if let Err(e) = output::emit(&address_json(a)) {
            return output::fail(e);
        }
    }
    if found.is_empty() {
        let _ = writeln!(std::io::stderr(), "gaap: no addresses for {trimmed}");
        return Outcome::Invalid;
    }
    Outcome::Passed
}

fn invalid(e: impl std::fmt::Display) -> Outcome {
    let _ = writeln!(std::io::stderr(), "gaap: {e}");
    Outcome::Invalid
}

fn search(index: &Index, query: &str, limit: usize) -> Outcome {
    let hits = index.search(query, limit);
    for h in &hits {
        let mut v = address_json(&h.address);
        v["score"] = json!((f64::from(h.score) * 10_000.0).round() / 10_000.0);
        if let Err(e) = output::emit(&v) {
            return output::fail(e);
        }
    }
    Outcome::from_valid(!hits.is_empty())
}

fn match_csv(index: &Index, input: &str, threshold: f32) -> Outcome {
    if !(0.0..=1.0).contains(&threshold) {
        return output::fail("--threshold must be between 0 and 1");
    }
    let bytes = match output::read_input(Some(input)) {
        Ok(b) => b,
        Err(e) => return output::fail(e),
    };
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(bytes.as_slice());
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => return output::fail(format!("{input}: {e}")),
    };
    let find = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let (Some(id_col), Some(address_col)) = (find("id"), find("address")) else {
        return output::fail(format!("{input}: the CSV needs the columns id,address"));
    };
    let mut rows: Vec<(String, String)> = Vec::new();
    for record in rdr.records() {
        match record {
            Ok(r) => rows.push((
                r.get(id_col).unwrap_or_default().to_owned(),
                r.get(address_col).unwrap_or_default().to_owned(),
            )),
            Err(e) => return output::fail(format!("{input}: {e}")),
        }
    }
    let bar = progress(rows.len() as u64, "{bar:30} {pos}/{len} matched ({per_sec})");
    let stdout = std::io::stdout();
    let mut w = csv::Writer::from_writer(stdout.lock());
    if let Err(e) = w.write_record(["id", "uprn", "score"]) {
        return output::fail(e);
    }
    let options = MatchOptions { threshold };
    for chunk in rows.chunks(2_000) {
        let inputs: Vec<&str> = chunk.iter().map(|(_, a)| a.as_str()).collect();
        let results = index.match_batch(&inputs, options);
        for ((id, _), r) in chunk.iter().zip(results) {
            let uprn = r.uprn.map(|u| u.to_string()).unwrap_or_default();
            if let Err(e) = w.write_record([id.as_str(), uprn.as_str(), &format!("{:.4}", r.score)])
            {
                return output::fail(e);
            }
        }
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    match w.flush() {
        Ok(()) => Outcome::Passed,
        Err(e) => output::fail(e),
    }
}

fn synth(addresses: usize, seed: u64, out: &Path) -> Outcome {
    let seeds = gaap_address::synth::seed_postcodes_for(addresses, seed);
    let file = match std::fs::File::create(out) {
        Ok(f) => f,
        Err(e) => return output::fail(format!("cannot write {}: {e}", out.display())),
    };
    let mut writer = match gaap_address::synth::GaapCsvWriter::new(
        std::io::BufWriter::with_capacity(1 << 20, file),
    ) {
        Ok(w) => w,
        Err(e) => return output::fail(e),
    };
    let bar = progress(addresses as u64, "{bar:30} {pos}/{len} addresses ({per_sec})");
    let mut written = 0usize;
    let mut failure: Option<gaap_address::Error> = None;
    gaap_address::synth::generate_with(&seeds, addresses, seed, |a| {
        if failure.is_none() {
            match writer.write(&a) {
                Ok(()) => written += 1,
                Err(e) => failure = Some(e),
            }
            if written.is_multiple_of(100_000) {
                bar.set_position(written as u64);
            }
        }
    });
    if let Some(e) = failure {
        bar.abandon();
        return output::fail(e);
    }
    if let Err(e) = writer.finish() {
        return output::fail(e);
    }
    bar.finish_and_clear();
    let summary = json!({"addresses": written, "postcodes": seeds.len(), "seed": seed, "out": out.display().to_string()});
    match output::emit(&summary) {
        Ok(()) => Outcome::Passed,
        Err(e) => output::fail(e),
    }
}
