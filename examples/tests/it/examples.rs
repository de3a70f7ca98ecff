//! Every small example in examples/README.md runs to completion and prints what it promises.
//! `cargo test` builds the examples next to the test binary (target/<profile>/examples/).

use std::path::PathBuf;
use std::process::Command;

fn run_example(name: &str, args: &[&str]) -> String {
    let deps = std::env::current_exe().unwrap().parent().unwrap().to_path_buf();
    let binary: PathBuf = deps
        .parent()
        .unwrap()
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(binary.is_file(), "{} was not built (cargo test builds examples)", binary.display());
    let output = Command::new(&binary).args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{name} failed ({}):\n{stdout}\n{stderr}", output.status);
    stdout
}

#[test]
fn pay_webhook_receiver_verifies_a_real_delivery_and_refuses_a_forged_one() {
    let out = run_example("pay-webhook-receiver", &[]);
    assert!(out.contains("paid: success"), "{out}");
    assert!(out.contains("webhook verified: card_payment_succeeded for "), "{out}");
    assert!(out.contains("a forged delivery gets 401 Unauthorized"), "{out}");
}

#[test]
fn one_login_rp_signs_in_and_reads_userinfo() {
    let out = run_example("one-login-rp", &[]);
    assert!(out.contains("2. One Login sends it back to /callback"), "{out}");
    assert!(out.contains("3. ID token valid: sub urn:fdc:gov.uk:2022:"), "{out}");
    assert!(out.contains("4. userinfo: test@example.com"), "{out}");
}

#[test]
fn notify_send_sends_an_email_and_a_text_and_shows_a_refusal() {
    let out = run_example("notify-send", &[]);
    assert!(out.contains(": \"Hello Ann\""), "{out}");
    assert!(out.contains(": \"Your code is 4821\""), "{out}");
    assert_eq!(out.matches("status of ").count(), 2, "{out}");
    assert!(out.contains("refused (400): phone_number "), "{out}");
}

#[test]
fn address_lookup_lists_addresses_and_the_council_for_an_embedded_postcode() {
    let out = run_example("address-lookup", &["sw1a2aa"]);
    assert!(
        out.starts_with("SW1A 2AA: geographic postcode in district SW1, sector SW1A 2"),
        "{out}"
    );
    assert!(out.contains("local authority (GSS code): E09000033"), "{out}");
    assert!(out.contains("  UPRN 9"), "synthetic UPRNs start with 9: {out}");

    let outside = run_example("address-lookup", &["ZE3 9JZ"]);
    assert!(outside.contains("not in the embedded data"), "{outside}");
    let invalid = run_example("address-lookup", &["not a postcode"]);
    assert!(invalid.contains("is not a postcode"), "{invalid}");
}

#[test]
fn content_publish_validates_publishes_routes_and_renders() {
    let out = run_example("content-publish", &[]);
    assert!(out.contains("refused: routes_must_include_base_path"), "{out}");
    assert!(out.contains("draft saved: lock_version 1, state draft"), "{out}");
    assert!(out.contains("published: version 1, state published"), "{out}");
    assert!(out.contains("/pay-council-tax -> 200 /pay-council-tax"), "{out}");
    assert!(out.contains("/pay-council-tax/online -> 303 /pay-council-tax"), "{out}");
    assert!(out.contains("/not-here -> 404"), "{out}");
    assert!(out.contains("<div class=\"govuk-inset-text call-to-action\">"), "{out}");
}
