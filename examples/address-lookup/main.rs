//! Look up a postcode in gaap-address's embedded dataset: validate it, list its addresses in Royal Mail
//! order, and find the council that serves it.
//!
//! `cargo run --example address-lookup -- "SW1A 2AA"`. The embedded data holds the real Code-Point Open
//! postcodes of Westminster, with synthetic addresses on them.
#![allow(clippy::print_stdout)]

use gaap_address::{Postcode, embedded};

fn main() {
    let typed = std::env::args().nth(1).unwrap_or_else(|| "sw1a 2aa".to_owned());
    // `parse_fixed` also repairs the usual slips (O for 0, I for 1) before the strict check.
    let postcode = match Postcode::parse_fixed(&typed) {
        Ok(postcode) => postcode,
        Err(err) => {
            println!("{typed:?} is not a postcode: {err}");
            return;
        }
    };
    println!(
        "{postcode}: {} postcode in district {}, sector {}",
        postcode.kind(),
        postcode.district(),
        postcode.sector()
    );

    let index = embedded();
    match index.admin_district(&postcode) {
        Some(gss) => println!("local authority (GSS code): {gss}"),
        None => println!("not in the embedded data (it covers Westminster, E09000033)"),
    }
    for address in index.by_postcode(&postcode) {
        println!("  UPRN {}: {}", address.uprn, address.lines().join(", "));
    }

    // Typeahead over the same index, tolerant of typos.
    for hit in index.search("grosvenor plce", 3) {
        println!(
            "search \"grosvenor plce\": {} (score {:.2})",
            hit.address.single_line(),
            hit.score
        );
    }
}
