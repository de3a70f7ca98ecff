//! Local services: shipped data and Local Links Manager's resolution rules
//! (`alphagov/local-links-manager: app/lib/local_links_manager/link_resolver.rb`,
//! `spec/lib/local-links-manager/link_resolver_spec.rb`) and the frontend's SW1A 1AA vector
//! (`alphagov/frontend: spec/system/local_transactions_spec.rb`).

use gaap_content::local::{
    Authorities, Interactions, Link, LinkTable, LocalError, PROVIDING_INFORMATION_LGIL, Resolver,
    Services, Tier,
};

/// The frontend spec's fixture link for Westminster, LGSL 461, LGIL 8.
const BEAR_TAX: &str =
    "http://www.westminster.gov.uk/bear-the-cost-of-grizzly-ownership-2016-update";

fn link(slug: &str, lgsl: u32, lgil: u32, url: &str) -> Link {
    Link { authority_slug: slug.into(), lgsl, lgil, url: url.into() }
}

#[test]
fn shipped_authorities_have_gss_tier_and_parent() {
    let all = Authorities::embedded();
    assert!(all.all().len() > 350, "{}", all.all().len());
    let westminster = all.by_gss("E09000033").unwrap();
    assert_eq!(
        (westminster.slug.as_str(), westminster.tier, westminster.local_custodian_code),
        ("westminster", Tier::Unitary, Some(5990))
    );
    let rochford = all.by_slug("rochford").unwrap();
    assert_eq!(rochford.tier, Tier::District);
    assert_eq!(all.parent(rochford).unwrap().gss, "E10000012");
    assert_eq!(all.by_slug("cumberland").unwrap().snac, None);
    // Ordnance Survey's custodian code is never a council.
    assert!(all.by_custodian_code(7655).is_none());
    assert_eq!(all.by_custodian_code(5990).unwrap().slug, "westminster");
}

#[test]
fn shipped_services_and_interactions() {
    let services = Services::embedded();
    let parks = services.get(461).unwrap();
    assert_eq!(parks.tiers, [Tier::County, Tier::District, Tier::Unitary]);
    let blue_badge = services.get(279).unwrap();
    assert!(blue_badge.provided_by(Tier::County) && !blue_badge.provided_by(Tier::District));
    assert_eq!(
        Interactions::embedded().get(PROVIDING_INFORMATION_LGIL).unwrap().label,
        "Providing information"
    );
}

#[test]
fn sw1a_1aa_resolves_to_westminster_through_custodian_code() {
    // Reference flow: SW1A 1AA → local custodian code 5990 → westminster → lgsl 461 / lgil 8.
    let mut links = LinkTable::new();
    links.insert(link("westminster", 461, 8, BEAR_TAX));
    let lookup = |postcode: &str| {
        (postcode.replace(' ', "").eq_ignore_ascii_case("SW1A1AA"))
            .then(|| Authorities::embedded().by_custodian_code(5990).map(|a| a.gss.clone()))
            .flatten()
    };
    let resolver = Resolver::embedded(links, lookup);
    let resolved = resolver.resolve_postcode("SW1A 1AA", 461, Some(8)).unwrap();
    assert_eq!(resolved.authority.slug, "westminster");
    assert_eq!(resolved.url, BEAR_TAX);
    assert!(!resolved.homepage_fallback);
    assert_eq!(
        resolver.resolve_postcode("SW1A 2AA", 461, Some(8)).unwrap_err(),
        LocalError::PostcodeNotFound("SW1A 2AA".into())
    );
    assert!(matches!(
        resolver.resolve_postcode("not a postcode", 461, None),
        Err(LocalError::InvalidPostcode(_))
    ));
    assert_eq!(
        resolver.resolve_postcode("SW1A 1AA", 9999, None).unwrap_err(),
        LocalError::UnknownService(9999)
    );
}

#[cfg(feature = "address")]
#[test]
fn sw1a_1aa_resolves_to_westminster_with_gaap_address() {
    let mut links = LinkTable::new();
    links.insert(link("westminster", 461, 8, BEAR_TAX));
    let resolver = Resolver::embedded(links, gaap_content::local::AddressPostcodes);
    let resolved = resolver.resolve_postcode("SW1A 1AA", 461, Some(8)).unwrap();
    assert_eq!((resolved.authority.gss.as_str(), resolved.url.as_str()), ("E09000033", BEAR_TAX));
}

#[test]
fn county_service_falls_back_to_the_parent_county() {
    // A district (Rochford) has no link for a county service (libraries, 437); its county (Essex) does.
    let mut links = LinkTable::new();
    links.insert(link("essex", 437, 8, "https://www.essex.gov.uk/libraries"));
    let resolver = Resolver::embedded(links, |_: &str| Some("E07000075".to_owned()));
    let resolved = resolver.resolve_postcode("SS4 1BW", 437, Some(8)).unwrap();
    assert_eq!(resolved.authority.slug, "essex");
    assert_eq!(resolved.local_authority_slug, "rochford");
    assert_eq!(resolved.url, "https://www.essex.gov.uk/libraries");
    // Without an LGIL, the county is chosen as provider too.
    let resolved = resolver.resolve_postcode("SS4 1BW", 437, None).unwrap();
    assert_eq!(resolved.authority.slug, "essex");
}

#[test]
fn district_service_does_not_walk_to_the_county() {
    // Bins (524) are a district service: no district link means the district's homepage, not the county's.
    let mut links = LinkTable::new();
    links.insert(link("essex", 524, 8, "https://www.essex.gov.uk/bins"));
    let resolver = Resolver::embedded(links, |_: &str| Some("E07000075".to_owned()));
    let resolved = resolver.resolve_postcode("SS4 1BW", 524, Some(8)).unwrap();
    assert_eq!(resolved.authority.slug, "rochford");
    assert!(resolved.homepage_fallback);
    assert_eq!(resolved.url, "https://www.rochford.gov.uk/");
}

#[test]
fn without_lgil_the_lowest_lgil_other_than_8_wins() {
    let mut links = LinkTable::new();
    links.insert(link("westminster", 474, 8, "https://example.westminster.gov.uk/info"));
    links.insert(link("westminster", 474, 17, "https://example.westminster.gov.uk/report"));
    links.insert(link("westminster", 474, 4, "https://example.westminster.gov.uk/pay"));
    let resolver = Resolver::embedded(links, |_: &str| Some("E09000033".to_owned()));
    let resolved = resolver.resolve_postcode("SW1A 1AA", 474, None).unwrap();
    assert_eq!(
        (resolved.lgil, resolved.url.as_str()),
        (Some(4), "https://example.westminster.gov.uk/pay")
    );
    // A single link is used even when it is LGIL 8.
    let mut only = LinkTable::new();
    only.insert(link("westminster", 474, 8, "https://example.westminster.gov.uk/info"));
    let resolver = Resolver::embedded(only, |_: &str| Some("E09000033".to_owned()));
    assert_eq!(resolver.resolve_postcode("SW1A 1AA", 474, None).unwrap().lgil, Some(8));
}

#[test]
fn link_tables_load_from_csv() {
    let table = LinkTable::from_csv("authority_slug,lgsl,lgil,url\nwestminster,461,8,\"http://www.westminster.gov.uk/bear-the-cost-of-grizzly-ownership-2016-update\"\n").unwrap();
    let resolver = Resolver::embedded(table, |_: &str| Some("E09000033".to_owned()));
    assert_eq!(resolver.resolve_postcode("SW1A 1AA", 461, Some(8)).unwrap().url, BEAR_TAX);
    assert!(LinkTable::from_csv("a,b\nx,y\n").is_err());
}
