//! Property tests for the parsers: nothing panics on untrusted input, and round trips hold.

use gaap_identity::rules::{Expectations, cache_max_age, verify_id_token, verify_logout_token};
use gaap_identity::{Credential, JwkSet, LevelOfConfidence, Vtr};
use proptest::prelude::*;

use crate::support::*;

fn any_vtr() -> impl Strategy<Value = Vtr> {
    let level = prop::option::of(prop_oneof![
        Just(LevelOfConfidence::P0),
        Just(LevelOfConfidence::P1),
        Just(LevelOfConfidence::P2),
        Just(LevelOfConfidence::P3)
    ]);
    (prop_oneof![Just(Credential::Cl), Just(Credential::ClCm)], level)
        .prop_filter_map("P1+ needs Cl.Cm", |(c, l)| Vtr::new(c, l).ok())
}

proptest! {
    #[test]
    fn vtr_round_trips_through_its_param(vtr in any_vtr()) {
        prop_assert_eq!(Vtr::from_param(&vtr.to_param()).unwrap(), vtr);
        prop_assert_eq!(vtr.to_string().parse::<Vtr>().unwrap(), vtr);
    }

    #[test]
    fn vtr_components_parse_in_any_order(vtr in any_vtr(), rotate in 0usize..3) {
        let mut parts: Vec<String> = vtr.to_string().split('.').map(str::to_owned).collect();
        let len = parts.len();
        parts.rotate_left(rotate % len);
        prop_assert_eq!(parts.join(".").parse::<Vtr>().unwrap(), vtr);
    }

    #[test]
    fn vtr_parser_never_panics(s in "\\PC{0,40}") {
        let _ = s.parse::<Vtr>();
        let _ = Vtr::from_param(&s);
        let _ = Vtr::from_authorize_param(Some(&s));
    }

    #[test]
    fn the_authorize_reading_agrees_with_the_client_param(vtr in any_vtr(), noise in "[a-z]{1,3}") {
        prop_assert_eq!(Vtr::from_authorize_param(Some(&vtr.to_param())).unwrap(), vtr);
        // One Login ignores components it does not know, where the client's parser refuses them.
        let noisy = format!("[\"{vtr}.{noise}\", \"Cl\"]");
        prop_assert_eq!(Vtr::from_authorize_param(Some(&noisy)).unwrap(), vtr);
        let strict = format!("{vtr}.{noise}");
        prop_assert!(strict.parse::<Vtr>().is_err());
    }

    #[test]
    fn cl_with_identity_level_is_always_refused(level in 1u8..=3) {
        let vtr = format!("Cl.P{level}");
        prop_assert!(vtr.parse::<Vtr>().is_err());
    }

    #[test]
    fn token_validation_never_panics(token in "[A-Za-z0-9_.-]{0,200}") {
        let keys = JwkSet::default();
        let expect = Expectations::new(ISSUER, CLIENT_ID);
        prop_assert!(verify_id_token(&token, &keys, &expect, NONCE, &Vtr::default(), NOW).is_err());
        prop_assert!(verify_logout_token(&token, &keys, &expect, NOW).is_err());
    }

    #[test]
    fn mangled_valid_token_never_verifies(cut in 0usize..400, byte in any::<u8>()) {
        let key = OpKey::es256("k");
        let token = key.sign(&id_claims(ISSUER));
        let mut bytes = token.into_bytes();
        let i = cut % bytes.len();
        prop_assume!(bytes[i] != byte && byte.is_ascii_graphic());
        bytes[i] = byte;
        let mangled = String::from_utf8(bytes).unwrap();
        let result = verify_id_token(&mangled, &jwks(&[&key]), &Expectations::new(ISSUER, CLIENT_ID), NONCE, &Vtr::default(), NOW);
        // A change in header or payload can only survive if it decodes to the same JSON (e.g. base64 slack bits).
        if let Ok(claims) = result {
            prop_assert_eq!(claims.sub, SUB);
        }
    }

    #[test]
    fn cache_control_parser_never_panics(h in "\\PC{0,60}") {
        let _ = cache_max_age(&h);
    }

    #[test]
    fn max_age_is_read_among_other_directives(n in 0u64..10_000_000) {
        let header = format!("public, max-age={n}, must-revalidate");
        prop_assert_eq!(cache_max_age(&header), Some(std::time::Duration::from_secs(n)));
    }
}

#[test]
fn cache_control_no_store_means_no_reuse() {
    assert_eq!(cache_max_age("no-store"), Some(std::time::Duration::ZERO));
    assert_eq!(cache_max_age("max-age=3600, private"), Some(std::time::Duration::from_secs(3600)));
    assert_eq!(cache_max_age("private"), None);
}

#[test]
fn vtr_parsing_follows_the_simulator_grammar() {
    // govuk-one-login/simulator src/validators/vtr-validator.ts: C components sorted, one P level.
    assert_eq!("Cm.Cl".parse::<Vtr>().unwrap(), Vtr::default());
    assert_eq!("Cl".parse::<Vtr>().unwrap(), Vtr::authentication(Credential::Cl));
    assert_eq!("Cl.P0".parse::<Vtr>().unwrap().level(), Some(LevelOfConfidence::P0));
    assert!("Cl.P2".parse::<Vtr>().is_err());
    assert!("Cm".parse::<Vtr>().is_err());
    assert!("Cl.Cm.P2.P1".parse::<Vtr>().is_err());
    assert!(Vtr::from_param(r#"["Cl.Cm","Cl"]"#).is_err());
    assert_eq!(Vtr::from_param(r#"["Cl.Cm.P2"]"#).unwrap().expected_id_token_vot(), "Cl.Cm");
}
