//! The workflow rules (publishing-api `docs/model.md`, `app/commands/v2/*.rb`) and the router (content-store
//! `app/lib/find_by_path.rb`), as ONE suite run against every backend: SQLite always, PostgreSQL with the
//! `postgres` feature (GAAP_TEST_POSTGRES_URL must then be set, or the tests fail).

use std::collections::BTreeMap;
use std::sync::Arc;

use gaap_content::Error;
use gaap_content::store::{
    ContentStore, EditionState, PublishOptions, Publisher, Storage, UnpublishOptions,
};
use gaap_content::types::PublisherItem;
use gaap_http::ManualClock;
use serde_json::{Value, json};

const DOC: &str = "a2c4477b-90fa-4838-a989-ca6004462c04";
const OTHER: &str = "b3d5588c-01ab-4949-8a9a-db7115573d15";
const START: i64 = 1_795_000_000; // 2026-11-18T11:06:40Z

type Factory<S> = Arc<dyn Fn() -> S + Send + Sync>;

fn item(base_path: &str, extra: Value) -> PublisherItem {
    let mut v = json!({
        "base_path": base_path,
        "title": "Pay your Council Tax",
        "schema_name": "answer",
        "document_type": "answer",
        "publishing_app": "publisher",
        "rendering_app": "frontend",
        "routes": [{"path": base_path, "type": "exact"}],
        "details": {"body": [{"content_type": "text/govspeak", "content": "Pay by 1 April"}]},
        "update_type": "major",
        "change_note": "First version"
    });
    if let Value::Object(map) = extra {
        for (k, val) in map {
            v[k] = val;
        }
    }
    PublisherItem::from_json(&serde_json::to_vec(&v).unwrap()).unwrap()
}

fn publisher<S: Storage>(factory: &Factory<S>) -> (Publisher<S>, ManualClock) {
    let clock = ManualClock::at_unix(START);
    (Publisher::with_clock(factory(), Arc::new(clock.clone())), clock)
}

#[track_caller]
fn refused(result: Result<impl std::fmt::Debug, Error>) -> (u16, Option<&'static str>, String) {
    let err = result.expect_err("expected a refusal");
    let command = err.command().unwrap_or_else(|| panic!("not a command error: {err}"));
    (command.code, command.error_code, command.message.clone())
}

fn major() -> PublishOptions {
    PublishOptions { update_type: Some("major".into()), ..PublishOptions::default() }
}

fn states<S: Storage>(p: &Publisher<S>) -> Vec<(u64, EditionState)> {
    p.editions(DOC).unwrap().iter().map(|e| (e.user_facing_version, e.state)).collect()
}

pub(crate) fn put_creates_first_draft<S: Storage>(f: &Factory<S>) {
    let (p, _) = publisher(f);
    let written = p.put_content(DOC, &item("/council-tax", json!({}))).unwrap();
    assert_eq!(
        (written.edition.user_facing_version, written.edition.state, written.lock_version),
        (1, EditionState::Draft, 1)
    );
    assert_eq!(written.edition.content_store, Some(ContentStore::Draft));
    // A second PUT updates the same draft.
    let written =
        p.put_content(DOC, &item("/council-tax", json!({"title": "Pay Council Tax"}))).unwrap();
    assert_eq!((written.edition.user_facing_version, written.lock_version), (1, 2));
    assert_eq!(states(&p), [(1, EditionState::Draft)]);
}

pub(crate) fn major_publish_sets_dates_and_keeps_change_note<S: Storage>(f: &Factory<S>) {
    let (p, clock) = publisher(f);
    p.put_content(DOC, &item("/council-tax", json!({}))).unwrap();
    clock.advance(std::time::Duration::from_secs(3600));
    let published = p.publish(DOC, &major()).unwrap().edition;
    assert_eq!(published.state, EditionState::Published);
    assert_eq!(published.content_store, Some(ContentStore::Live));
    assert_eq!(published.public_updated_at.as_deref(), Some("2026-11-18T12:06:40Z"));
    assert_eq!(published.first_published_at.as_deref(), Some("2026-11-18T12:06:40Z"));
    assert_eq!(published.change_note.as_deref(), Some("First version"));
}

pub(crate) fn minor_publish_drops_change_note<S: Storage>(f: &Factory<S>) {
    let (p, clock) = publisher(f);
    p.put_content(DOC, &item("/council-tax", json!({}))).unwrap();
    p.publish(DOC, &major()).unwrap();
    p.put_content(DOC, &item("/council-tax", json!({"change_note": "Typo"}))).unwrap();
    clock.advance(std::time::Duration::from_secs(86_400));
    let minor = PublishOptions { update_type: Some("minor".into()), ..PublishOptions::default() };
    let published = p.publish(DOC, &minor).unwrap().edition;
    assert_eq!(published.change_note, None);
    // A minor update keeps the last major update's public date.
    assert_eq!(published.public_updated_at.as_deref(), Some("2026-11-18T11:06:40Z"));
    let republish =
        PublishOptions { update_type: Some("republish".into()), ..PublishOptions::default() };
    p.put_content(DOC, &item("/council-tax", json!({}))).unwrap();
    assert_eq!(
        p.publish(DOC, &republish).unwrap().edition.update_type.as_deref(),
        Some("republish")
    );
}

pub(crate) fn user_facing_version_and_one_draft_one_live<S: Storage>(f: &Factory<S>) {
    let (p, _) = publisher(f);
    p.put_content(DOC, &item("/council-tax", json!({}))).unwrap();
    p.publish(DOC, &major()).unwrap();
    let draft = p.put_content(DOC, &item("/council-tax", json!({"title": "v2"}))).unwrap().edition;
    assert_eq!(draft.user_facing_version, 2);
    assert_eq!(states(&p), [(1, EditionState::Published), (2, EditionState::Draft)]);
    p.publish(DOC, &major()).unwrap();
    assert_eq!(states(&p), [(1, EditionState::Superseded), (2, EditionState::Published)]);
    p.put_content(DOC, &item("/council-tax", json!({"title": "v3"}))).unwrap();
    p.put_content(DOC, &item("/council-tax", json!({"title": "v3 again"}))).unwrap();
    assert_eq!(
        states(&p),
        [(1, EditionState::Superseded), (2, EditionState::Published), (3, EditionState::Draft)]
    );
    // Locales are separate documents.
    let welsh = p.put_content(DOC, &item("/treth-gyngor", json!({"locale": "cy"}))).unwrap();
    assert_eq!((welsh.edition.user_facing_version, welsh.lock_version), (1, 1));
}

pub(crate) fn stale_previous_version_is_409<S: Storage>(f: &Factory<S>) {
    let (p, _) = publisher(f);
    for _ in 0..4 {
        p.put_content(DOC, &item("/council-tax", json!({}))).unwrap();
    }
    let (code, error_code, message) =
        refused(p.put_content(DOC, &item("/council-tax", json!({"previous_version": "3"}))));
    assert_eq!(code, 409);
    assert_eq!(error_code, None);
    assert_eq!(
        message,
        "A lock-version conflict occurred. The `previous_version` you've sent (3) is not the same as the current lock version of the edition (4)."
    );
    let err =
        p.put_content(DOC, &item("/council-tax", json!({"previous_version": "3"}))).unwrap_err();
    assert_eq!(
        err.command().unwrap().envelope()["error"]["fields"]["previous_version"],
        json!(["does not match"])
    );
    assert_eq!(
        p.put_content(DOC, &item("/council-tax", json!({"previous_version": "4"})))
            .unwrap()
            .lock_version,
        5
    );
    let stale = PublishOptions { previous_version: Some(1), ..major() };
    assert_eq!(refused(p.publish(DOC, &stale)).0, 409);
}

pub(crate) fn publish_refusals<S: Storage>(f: &Factory<S>) {
    let (p, _) = publisher(f);
    assert_eq!(
        refused(p.publish(DOC, &major())),
        (404, None, format!("Item with content_id {DOC} and locale en does not exist"))
    );
    p.put_content(DOC, &item("/council-tax", json!({"update_type": null})))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        refused(p.publish(DOC, &PublishOptions::default())),
        (422, Some("update_type_missing"), "update_type is required".into())
    );
    let odd = PublishOptions { update_type: Some("huge".into()), ..PublishOptions::default() };
    assert_eq!(
        refused(p.publish(DOC, &odd)),
        (422, Some("update_type_invalid"), "An update_type of 'huge' is invalid".into())
    );
    p.publish(DOC, &major()).unwrap();
    assert_eq!(
        refused(p.publish(DOC, &major())),
        (409, None, "Cannot publish an already published edition".into())
    );
}

pub(crate) fn unpublish_types_and_refusals<S: Storage>(f: &Factory<S>) {
    let (p, _) = publisher(f);
    let gone = UnpublishOptions { kind: "gone".into(), ..UnpublishOptions::default() };
    assert_eq!(
        refused(p.unpublish(DOC, &gone)),
        (404, None, "Could not find an edition to unpublish".into())
    );
    let bad = UnpublishOptions { kind: "explode".into(), ..UnpublishOptions::default() };
    assert_eq!(
        refused(p.unpublish(DOC, &bad)),
        (422, Some("type_invalid"), "explode is not a valid unpublishing type".into())
    );
    let both = UnpublishOptions { allow_draft: true, discard_drafts: true, ..gone.clone() };
    assert_eq!(refused(p.unpublish(DOC, &both)).1, Some("conflicting_unpublishing_flags"));
    let withdrawal = UnpublishOptions { kind: "withdrawal".into(), ..UnpublishOptions::default() };
    assert_eq!(
        refused(p.unpublish(DOC, &withdrawal)).1,
        Some("explanation_missing_for_withdrawal")
    );
    let redirect = UnpublishOptions { kind: "redirect".into(), ..UnpublishOptions::default() };
    assert_eq!(refused(p.unpublish(DOC, &redirect)).1, Some("redirects_missing_for_redirect"));

    p.put_content(DOC, &item("/council-tax", json!({}))).unwrap();
    p.publish(DOC, &major()).unwrap();
    p.put_content(DOC, &item("/council-tax", json!({"title": "v2"}))).unwrap();
    assert_eq!(
        refused(p.unpublish(DOC, &gone)),
        (422, Some("cannot_unpublish_with_draft"), "Cannot unpublish with a draft present".into())
    );
    let keep = UnpublishOptions { allow_draft: true, ..gone };
    let e = p.unpublish(DOC, &keep).unwrap().edition;
    assert_eq!(e.state, EditionState::Unpublished);
    assert_eq!(states(&p), [(1, EditionState::Unpublished), (2, EditionState::Draft)]);

    let explained = UnpublishOptions {
        explanation: Some("Replaced by the new service".into()),
        discard_drafts: true,
        ..withdrawal
    };
    let e = p.unpublish(DOC, &explained).unwrap().edition;
    assert_eq!(states(&p), [(1, EditionState::Unpublished)]);
    let unpublishing = e.unpublishing.unwrap();
    assert_eq!(unpublishing.explanation.as_deref(), Some("Replaced by the new service"));
    let moved = UnpublishOptions { alternative_path: Some("/new-council-tax".into()), ..redirect };
    assert_eq!(
        p.unpublish(DOC, &moved).unwrap().edition.unpublishing.unwrap().alternative_path.as_deref(),
        Some("/new-council-tax")
    );
    let vanish = UnpublishOptions { kind: "vanish".into(), ..UnpublishOptions::default() };
    assert!(p.unpublish(DOC, &vanish).is_ok());
}

pub(crate) fn discard_draft_rules<S: Storage>(f: &Factory<S>) {
    let (p, _) = publisher(f);
    let (code, error_code, message) = refused(p.discard_draft(DOC, None, None));
    assert_eq!(
        (code, error_code, message.as_str()),
        (
            404,
            Some("no_draft_to_discard"),
            "There is not a draft edition of this document to discard"
        )
    );
    p.put_content(DOC, &item("/council-tax", json!({}))).unwrap();
    p.publish(DOC, &major()).unwrap();
    assert_eq!(refused(p.discard_draft(DOC, None, None)).0, 422);
    p.put_content(
        DOC,
        &item(
            "/council-tax-2026",
            json!({"routes": [{"path": "/council-tax-2026", "type": "exact"}]}),
        ),
    )
    .unwrap();
    assert_eq!(refused(p.discard_draft(DOC, None, Some(1))).0, 409);
    p.discard_draft(DOC, None, None).unwrap();
    assert_eq!(states(&p), [(1, EditionState::Published)]);
    // The path only the draft used is free again: another app may reserve it.
    p.reserve_path("/council-tax-2026", "whitehall", false).unwrap();
}

pub(crate) fn path_reservations_and_base_path_conflicts<S: Storage>(f: &Factory<S>) {
    let (p, _) = publisher(f);
    p.reserve_path("/bins", "collections-publisher", false).unwrap();
    p.reserve_path("/bins", "collections-publisher", false).unwrap();
    assert_eq!(
        refused(p.reserve_path("/bins", "publisher", false)),
        (
            422,
            Some("base_path_already_in_use"),
            "/bins is already reserved by collections-publisher".into()
        )
    );
    assert_eq!(
        refused(p.put_content(DOC, &item("/bins", json!({})))),
        (
            422,
            Some("base_path_already_in_use"),
            "/bins is already reserved by collections-publisher".into()
        )
    );
    p.reserve_path("/bins", "publisher", true).unwrap();
    p.put_content(DOC, &item("/bins", json!({}))).unwrap();
    let long = format!("/{}", "a".repeat(600));
    assert_eq!(refused(p.reserve_path(&long, "publisher", false)).1, Some("base_path_too_long"));
    assert_eq!(
        refused(p.put_content(OTHER, &item("/bins", json!({})))),
        (
            422,
            Some("conflict"),
            format!("base path=/bins conflicts with content_id={DOC} and locale=en")
        )
    );
    // A live item blocks another document's publish unless it is substitutable.
    p.publish(DOC, &major()).unwrap();
    let warned = p.put_content(OTHER, &item("/bins", json!({}))).unwrap();
    assert!(
        warned.warnings.iter().any(|w| w.starts_with("Content Item Blocking Publish")),
        "{:?}",
        warned.warnings
    );
    assert_eq!(refused(p.publish(OTHER, &major())).1, Some("conflict"));
    let gone = UnpublishOptions { kind: "gone".into(), ..UnpublishOptions::default() };
    p.unpublish(DOC, &gone).unwrap();
    p.publish(OTHER, &major()).unwrap();
    let substituted = p.editions(DOC).unwrap();
    assert_eq!(
        substituted[0].unpublishing.as_ref().map(|u| u.kind),
        Some(gaap_content::store::UnpublishingType::Substitute)
    );
    assert_eq!(
        refused(p.put_content("NOT-A-UUID", &item("/x", json!({})))).1,
        Some("uuid_invalid")
    );
}

pub(crate) fn link_sets<S: Storage>(f: &Factory<S>) {
    let (p, _) = publisher(f);
    assert_eq!(p.links(DOC).unwrap(), None);
    let mut links = BTreeMap::new();
    links.insert("organisations".to_owned(), vec![OTHER.to_owned()]);
    links.insert("parent".to_owned(), vec![OTHER.to_owned()]);
    let set = p.patch_links(DOC, &links, None).unwrap();
    assert_eq!(set.lock_version, 1);
    assert_eq!(refused(p.patch_links(DOC, &links, Some(0))).0, 409);
    let mut remove = BTreeMap::new();
    remove.insert("parent".to_owned(), Vec::new());
    let set = p.patch_links(DOC, &remove, Some(1)).unwrap();
    assert_eq!(set.lock_version, 2);
    assert_eq!(set.links.keys().collect::<Vec<_>>(), ["organisations"]);
    assert_eq!(p.links(DOC).unwrap().unwrap(), set);
    let mut bad = BTreeMap::new();
    bad.insert("Bad Type".to_owned(), vec![OTHER.to_owned()]);
    assert_eq!(refused(p.patch_links(DOC, &bad, None)).2, "Invalid link type: Bad Type");
}

pub(crate) fn router_precedence_and_canonical_redirects<S: Storage>(f: &Factory<S>) {
    let (p, _) = publisher(f);
    const GUIDE: &str = "c1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6";
    const PART: &str = "d1e2f3a4-b5c6-4d7e-9f90-a1b2c3d4e5f6";
    const GONE: &str = "e1e2f3a4-b5c6-4d7e-af90-a1b2c3d4e5f6";
    p.put_content(GUIDE, &item("/benefits", json!({"routes": [{"path": "/benefits", "type": "prefix"}, {"path": "/benefits.json", "type": "exact"}]}))).unwrap();
    p.put_content(PART, &item("/benefits/housing", json!({"routes": [{"path": "/benefits/housing", "type": "exact"}, {"path": "/benefits/housing/apply", "type": "exact"}]}))).unwrap();
    p.put_content(GONE, &item("/old-page", json!({}))).unwrap();
    for id in [GUIDE, PART, GONE] {
        p.publish(id, &major()).unwrap();
    }
    p.unpublish(GONE, &UnpublishOptions { kind: "gone".into(), ..UnpublishOptions::default() })
        .unwrap();
    let router = p.router(ContentStore::Live).unwrap();
    let r = router.resolve("/benefits").unwrap();
    assert_eq!((r.status, r.content_id.as_str(), r.location.as_deref()), (200, GUIDE, None));
    // Exact base_path beats the guide's prefix route.
    let r = router.resolve("/benefits/housing").unwrap();
    assert_eq!((r.status, r.content_id.as_str()), (200, PART));
    // An exact route beats the longest prefix, and answers 303 to the canonical path.
    let r = router.resolve("/benefits/housing/apply").unwrap();
    assert_eq!(
        (r.status, r.content_id.as_str(), r.location.as_deref()),
        (303, PART, Some("/benefits/housing"))
    );
    let r = router.resolve("/benefits.json").unwrap();
    assert_eq!((r.status, r.location.as_deref()), (303, Some("/benefits")));
    // The longest whole-segment prefix.
    let r = router.resolve("/benefits/housing/apply/more").unwrap();
    assert_eq!(
        (r.status, r.content_id.as_str(), r.location.as_deref()),
        (303, GUIDE, Some("/benefits"))
    );
    assert!(router.resolve("/benefitsx").is_none());
    assert_eq!(router.resolve("/old-page").unwrap().status, 410);
    // The draft stack holds nothing after publishing.
    assert!(p.router(ContentStore::Draft).unwrap().resolve("/benefits").is_none());
}

/// 8 writers race on one item: every successful write advanced exactly one lock version (no two writes won
/// the same version) and every writer's writes all landed (none lost).
pub(crate) fn eight_writers_race<S: Storage + 'static>(f: &Factory<S>) {
    const WRITERS: usize = 8;
    const WRITES_EACH: usize = 5;
    let (p, _) = publisher(f);
    p.put_content(DOC, &item("/race", json!({}))).unwrap();
    let start = p.lock_version(DOC, "en").unwrap();
    let barrier = Arc::new(std::sync::Barrier::new(WRITERS));
    let handles: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let f = Arc::clone(f);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let p = Publisher::new(f());
                barrier.wait();
                let mut wins = Vec::new();
                let mut conflicts = 0usize;
                while wins.len() < WRITES_EACH {
                    let seen = p.lock_version(DOC, "en").unwrap();
                    let title = format!("writer {writer} write {}", wins.len());
                    let body = item(
                        "/race",
                        json!({"title": title, "previous_version": seen.to_string()}),
                    );
                    match p.put_content(DOC, &body) {
                        Ok(written) => {
                            assert_eq!(written.lock_version, seen + 1);
                            wins.push((seen, title));
                        }
                        Err(e) if e.command().is_some_and(|c| c.code == 409) => conflicts += 1,
                        Err(e) => panic!("writer {writer}: {e}"),
                    }
                }
                (wins, conflicts)
            })
        })
        .collect();
    let mut all: Vec<(i64, String)> = Vec::new();
    for h in handles {
        let (wins, _conflicts) = h.join().unwrap();
        all.extend(wins);
    }
    all.sort();
    let versions: Vec<i64> = all.iter().map(|(v, _)| *v).collect();
    let expected: Vec<i64> = (start..start + (WRITERS * WRITES_EACH) as i64).collect();
    assert_eq!(versions, expected, "each lock version won exactly once");
    let end = p.lock_version(DOC, "en").unwrap();
    assert_eq!(end, start + (WRITERS * WRITES_EACH) as i64, "no update lost");
    let last_title = &all.last().unwrap().1;
    let draft = p.editions(DOC).unwrap().pop().unwrap();
    assert_eq!(draft.item["title"], json!(last_title));
}

macro_rules! suite {
    ($name:ident, $factory:expr) => {
        mod $name {
            use super::*;

            #[test]
            fn put_creates_first_draft() {
                super::put_creates_first_draft(&$factory);
            }
            #[test]
            fn major_publish_sets_dates_and_keeps_change_note() {
                super::major_publish_sets_dates_and_keeps_change_note(&$factory);
            }
            #[test]
            fn minor_publish_drops_change_note() {
                super::minor_publish_drops_change_note(&$factory);
            }
            #[test]
            fn user_facing_version_and_one_draft_one_live() {
                super::user_facing_version_and_one_draft_one_live(&$factory);
            }
            #[test]
            fn stale_previous_version_is_409() {
                super::stale_previous_version_is_409(&$factory);
            }
            #[test]
            fn publish_refusals() {
                super::publish_refusals(&$factory);
            }
            #[test]
            fn unpublish_types_and_refusals() {
                super::unpublish_types_and_refusals(&$factory);
            }
            #[test]
            fn discard_draft_rules() {
                super::discard_draft_rules(&$factory);
            }
            #[test]
            fn path_reservations_and_base_path_conflicts() {
                super::path_reservations_and_base_path_conflicts(&$factory);
            }
            #[test]
            fn link_sets() {
                super::link_sets(&$factory);
            }
            #[test]
            fn router_precedence_and_canonical_redirects() {
                super::router_precedence_and_canonical_redirects(&$factory);
            }
            #[test]
            fn eight_writers_race() {
                super::eight_writers_race(&$factory);
            }
        }
    };
}

fn sqlite() -> Factory<gaap_content::store::SqliteStorage> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("content.db");
    // Keep the directory alive for the factory's lifetime.
    let dir = Arc::new(dir);
    Arc::new(move || {
        let _keep = &dir;
        gaap_content::store::SqliteStorage::open(&path).unwrap()
    })
}

suite!(on_sqlite, sqlite());

#[cfg(feature = "postgres")]
fn postgres() -> Factory<gaap_content::store::PostgresStorage> {
    let url = std::env::var("GAAP_TEST_POSTGRES_URL").expect(
        "the postgres feature is on but GAAP_TEST_POSTGRES_URL is not set: point it at a throwaway PostgreSQL server",
    );
    let schema = format!("gaap_test_{}", uuid::Uuid::new_v4().simple());
    Arc::new(move || {
        gaap_content::store::PostgresStorage::connect_in_schema(&url, Some(&schema)).unwrap()
    })
}

#[cfg(feature = "postgres")]
suite!(on_postgres, postgres());
