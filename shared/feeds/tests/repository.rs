//! The feed repository over the SQLite store: publication states and scheduling, lists
//! that never repeat or skip while items are added, UMKM filters and search, validity
//! of announcements, upload checks, field-level violations and the emergency seed.

use lapor_feeds::model::{
    Announcement, Emergency, EmergencyService, Infographic, News, Priority, Umkm, UmkmCategory,
};
use lapor_feeds::{
    FeedContent, FeedId, FeedKind, FeedRepository, FeedState, ListFilter, RepositoryError,
};
use lapor_models::{ReferenceData, Timestamp};
use lapor_store::sqlite::SqliteStore;
use lapor_store::ItemStore;
use serde_json::json;
use std::collections::HashSet;
use std::sync::Arc;

fn setup() -> (FeedRepository, Arc<SqliteStore>) {
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let repository = FeedRepository::new(store.clone(), Arc::new(ReferenceData::tegal().unwrap()));
    (repository, store)
}

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_utc(
        Timestamp::parse("2026-12-01T00:00:00Z").unwrap().as_utc()
            + chrono::Duration::seconds(seconds),
    )
}

fn news(title: &str) -> FeedContent {
    FeedContent::News(News {
        title: title.to_owned(),
        summary: None,
        body: "<p>Isi berita</p>".to_owned(),
        image_id: None,
        image_url: None,
        source_link: None,
        published_at: None,
    })
}

async fn published(repository: &FeedRepository, content: FeedContent, when: Timestamp) -> FeedId {
    let item = repository.create(content, when).await.unwrap();
    repository
        .publish(item.kind(), &item.id, None, when)
        .await
        .unwrap();
    item.id
}

async fn ids(
    repository: &FeedRepository,
    kind: FeedKind,
    filter: &ListFilter,
    now: Timestamp,
) -> Vec<FeedId> {
    repository
        .list_public(kind, filter, 50, None, now)
        .await
        .unwrap()
        .items
        .iter()
        .map(|i| i.id)
        .collect()
}

#[tokio::test]
async fn a_scheduled_item_appears_only_once_its_publish_at_has_come() {
    let (repository, _) = setup();
    let item = repository.create(news("Jadwal"), at(0)).await.unwrap();
    let scheduled = repository
        .publish(FeedKind::News, &item.id, Some(at(3600)), at(0))
        .await
        .unwrap();
    assert_eq!(scheduled.state, FeedState::Scheduled);
    let none = ListFilter::default();
    for early in [at(0), at(3599)] {
        assert!(ids(&repository, FeedKind::News, &none, early)
            .await
            .is_empty());
        assert!(repository
            .get_public(FeedKind::News, &item.id, early)
            .await
            .unwrap()
            .is_none());
    }
    assert_eq!(
        ids(&repository, FeedKind::News, &none, at(3600)).await,
        vec![item.id]
    );
    let shown = repository
        .get_public(FeedKind::News, &item.id, at(3601))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(shown.state_at(at(3601)), FeedState::Published);
    assert_eq!(shown.published_at(), Some(at(3600)));
    // Visible now, so it cannot be scheduled again until unpublished.
    let again = repository
        .publish(FeedKind::News, &item.id, Some(at(9000)), at(4000))
        .await;
    assert!(matches!(again, Err(RepositoryError::AlreadyPublished)));
    repository
        .unpublish(FeedKind::News, &item.id, at(4000))
        .await
        .unwrap();
    assert!(ids(&repository, FeedKind::News, &none, at(5000))
        .await
        .is_empty());
}

#[tokio::test]
async fn drafts_and_unpublished_items_are_never_public() {
    let (repository, _) = setup();
    let draft = repository.create(news("Draf"), at(0)).await.unwrap();
    assert!(repository
        .get_public(FeedKind::News, &draft.id, at(10))
        .await
        .unwrap()
        .is_none());
    assert!(
        ids(&repository, FeedKind::News, &ListFilter::default(), at(10))
            .await
            .is_empty()
    );
    // The id of a news item read as another kind is not found.
    let id = published(&repository, news("Tayang"), at(1)).await;
    assert!(repository
        .get_public(FeedKind::Jalabia, &id, at(10))
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn paging_never_repeats_or_skips_an_item_while_items_are_added() {
    let (repository, _) = setup();
    let mut original = Vec::new();
    for i in 0..23 {
        original.push(published(&repository, news(&format!("Berita {i}")), at(i * 10)).await);
    }
    // Two items scheduled in the past of the listing's later pages' reads but after the
    // first read: they must become visible at the head, never inside the walk.
    let late = repository.create(news("Terjadwal"), at(0)).await.unwrap();
    repository
        .publish(FeedKind::News, &late.id, Some(at(1005)), at(0))
        .await
        .unwrap();

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut now = at(1000);
    let mut pages = 0;
    loop {
        let page = repository
            .list_public(
                FeedKind::News,
                &ListFilter::default(),
                5,
                cursor.as_deref(),
                now,
            )
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|i| i.id));
        pages += 1;
        // Between pages: new items are published, and time passes the schedule.
        now = Timestamp::from_utc(now.as_utc() + chrono::Duration::seconds(3));
        published(&repository, news(&format!("Baru {pages}")), now).await;
        cursor = page.cursor;
        if cursor.is_none() {
            break;
        }
        assert!(pages < 20, "the walk ends");
    }
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no item repeated");
    let mut expected = original.clone();
    expected.reverse();
    assert_eq!(
        seen, expected,
        "every item before the walk, newest first, none skipped"
    );
    // A fresh first page shows the new ones at the head.
    let head = repository
        .list_public(FeedKind::News, &ListFilter::default(), 3, None, now)
        .await
        .unwrap();
    assert!(head.items.iter().all(|i| !original.contains(&i.id)));
    assert!(
        ids(&repository, FeedKind::News, &ListFilter::default(), now)
            .await
            .contains(&late.id)
    );
}

fn umkm(name: &str, kecamatan: &str, category: UmkmCategory, products: &[&str]) -> FeedContent {
    FeedContent::Umkm(Umkm {
        business_name: name.to_owned(),
        owner_public_name: Some("Bu Sri".to_owned()),
        kecamatan_id: kecamatan.to_owned(),
        category,
        description: "Usaha rumahan sejak 2010.".to_owned(),
        products: products.iter().map(|p| p.to_string()).collect(),
        photo_ids: Vec::new(),
        whatsapp: Some("+62 812-3456-7890".to_owned()),
        phone: None,
        location: None,
        verified: true,
    })
}

#[tokio::test]
async fn umkm_lists_filter_by_kecamatan_and_category_and_search_by_words() {
    let (repository, _) = setup();
    let batik = published(
        &repository,
        umkm(
            "Batik Tulis Sri",
            "kec-slawi",
            UmkmCategory::Kerajinan,
            &["Batik tulis", "Kain"],
        ),
        at(1),
    )
    .await;
    let tahu = published(
        &repository,
        umkm(
            "Tahu Aci Pak Darso",
            "kec-adiwerna",
            UmkmCategory::Kuliner,
            &["Tahu aci"],
        ),
        at(2),
    )
    .await;
    let bakso = published(
        &repository,
        umkm(
            "Bakso Slawi",
            "kec-slawi",
            UmkmCategory::Kuliner,
            &["Bakso urat"],
        ),
        at(3),
    )
    .await;
    let now = at(10);
    let by = |k: Option<&str>, c: Option<UmkmCategory>, q: Option<&str>| ListFilter {
        kecamatan_id: k.map(str::to_owned),
        category: c,
        query: q.map(str::to_owned),
    };
    assert_eq!(
        ids(
            &repository,
            FeedKind::Umkm,
            &by(Some("kec-slawi"), None, None),
            now
        )
        .await,
        vec![bakso, batik]
    );
    assert_eq!(
        ids(
            &repository,
            FeedKind::Umkm,
            &by(None, Some(UmkmCategory::Kuliner), None),
            now
        )
        .await,
        vec![bakso, tahu]
    );
    assert_eq!(
        ids(
            &repository,
            FeedKind::Umkm,
            &by(Some("kec-slawi"), Some(UmkmCategory::Kuliner), None),
            now
        )
        .await,
        vec![bakso]
    );
    assert_eq!(
        ids(
            &repository,
            FeedKind::Umkm,
            &by(None, None, Some("BATIK")),
            now
        )
        .await,
        vec![batik]
    );
    assert_eq!(
        ids(
            &repository,
            FeedKind::Umkm,
            &by(None, None, Some("tahu aci")),
            now
        )
        .await,
        vec![tahu]
    );
    assert!(ids(
        &repository,
        FeedKind::Umkm,
        &by(None, None, Some("sate")),
        now
    )
    .await
    .is_empty());
    // Unpublishing takes it out of the search too; updating re-indexes the words.
    repository
        .unpublish(FeedKind::Umkm, &batik, at(11))
        .await
        .unwrap();
    assert!(ids(
        &repository,
        FeedKind::Umkm,
        &by(None, None, Some("batik")),
        at(12)
    )
    .await
    .is_empty());
    repository
        .update(
            FeedKind::Umkm,
            &bakso,
            umkm(
                "Mie Ayam Slawi",
                "kec-slawi",
                UmkmCategory::Kuliner,
                &["Mie ayam"],
            ),
            None,
            at(13),
        )
        .await
        .unwrap();
    assert!(ids(
        &repository,
        FeedKind::Umkm,
        &by(None, None, Some("bakso")),
        at(14)
    )
    .await
    .is_empty());
    assert_eq!(
        ids(
            &repository,
            FeedKind::Umkm,
            &by(None, None, Some("ayam")),
            at(14)
        )
        .await,
        vec![bakso]
    );
}

#[tokio::test]
async fn only_announcements_valid_now_are_listed() {
    let (repository, _) = setup();
    let announcement = |from: i64, until: Option<i64>| {
        FeedContent::Announcement(Announcement {
            title: "Pemadaman bergilir".to_owned(),
            body: "<p>Info PLN</p>".to_owned(),
            valid_from: at(from),
            valid_until: until.map(at),
            priority: Priority::High,
        })
    };
    let expired = published(&repository, announcement(0, Some(50)), at(1)).await;
    let current = published(&repository, announcement(0, Some(500)), at(2)).await;
    let open_ended = published(&repository, announcement(10, None), at(3)).await;
    let future = published(&repository, announcement(300, None), at(4)).await;
    let listed = ids(
        &repository,
        FeedKind::Announcement,
        &ListFilter::default(),
        at(100),
    )
    .await;
    assert_eq!(listed, vec![open_ended, current]);
    assert!(!listed.contains(&expired) && !listed.contains(&future));
}

#[tokio::test]
async fn images_must_be_verified_uploads_made_for_the_feeds() {
    let (repository, store) = setup();
    for (id, status, purpose) in [
        ("up-ok", "verified", "feed"),
        ("up-pending", "pending", "feed"),
        ("up-report", "verified", "report"),
    ] {
        let item = json!({"pk": format!("UPLOAD#{id}"), "sk": "UPLOAD", "owner": "admin-1", "status": status, "purpose": purpose});
        store
            .put(item.as_object().unwrap().clone(), None)
            .await
            .unwrap();
    }
    let infographic = |image: &str| {
        FeedContent::Infographic(Infographic {
            title: "APBD 2026".to_owned(),
            image_id: image.to_owned(),
            caption: None,
        })
    };
    for (image, code) in [
        ("up-missing", "unknown_upload"),
        ("up-pending", "upload_not_verified"),
        ("up-report", "wrong_purpose"),
    ] {
        match repository.create(infographic(image), at(0)).await {
            Err(RepositoryError::Invalid(violations)) => {
                assert_eq!(violations.len(), 1);
                assert_eq!(
                    (violations[0].field.as_str(), violations[0].code),
                    ("image_id", code)
                );
            }
            other => panic!("{image}: {other:?}"),
        }
    }
    assert!(repository.create(infographic("up-ok"), at(0)).await.is_ok());
}

#[tokio::test]
async fn every_broken_rule_is_reported_with_its_field() {
    let (repository, _) = setup();
    let content = FeedContent::News(News {
        title: "  ".to_owned(),
        summary: None,
        body: "<script>alert(1)</script>".to_owned(),
        image_id: None,
        image_url: Some("http://insecure.example/a.jpg".to_owned()),
        source_link: Some("javascript:alert(1)".to_owned()),
        published_at: None,
    });
    let Err(RepositoryError::Invalid(violations)) = repository.create(content, at(0)).await else {
        panic!("refused");
    };
    let fields: Vec<(&str, &str)> = violations
        .iter()
        .map(|v| (v.field.as_str(), v.code))
        .collect();
    assert_eq!(
        fields,
        vec![
            ("title", "required"),
            ("body", "required"),
            ("image_url", "invalid_url"),
            ("source_link", "invalid_url")
        ]
    );
    let emergency = FeedContent::Emergency(Emergency {
        name: "Damkar".to_owned(),
        number: "11a".to_owned(),
        service: EmergencyService::Fire,
        twenty_four_hours: true,
        kecamatan_id: Some("kec-atlantis".to_owned()),
        note: None,
    });
    let Err(RepositoryError::Invalid(violations)) = repository.create(emergency, at(0)).await
    else {
        panic!("refused");
    };
    let fields: Vec<&str> = violations.iter().map(|v| v.field.as_str()).collect();
    assert_eq!(fields, vec!["number", "kecamatan_id"]);
}

#[tokio::test]
async fn the_emergency_numbers_are_seeded_once_for_admins_to_confirm() {
    let (repository, _) = setup();
    let written = lapor_feeds::seed::seed_emergency_numbers(&repository, at(0))
        .await
        .unwrap();
    assert_eq!(written, lapor_feeds::seed::emergency_numbers().len());
    let listed = repository
        .list_public(FeedKind::Emergency, &ListFilter::default(), 50, None, at(1))
        .await
        .unwrap()
        .items;
    assert_eq!(listed.len(), written);
    assert!(listed.iter().all(|i| i.needs_confirmation));
    let numbers: Vec<String> = listed
        .iter()
        .filter_map(|i| match &i.content {
            FeedContent::Emergency(e) => Some(e.number.clone()),
            _ => None,
        })
        .collect();
    for number in ["112", "110", "113", "118", "119", "123"] {
        assert!(numbers.iter().any(|n| n == number), "{number} seeded");
    }
    let first = listed[0].id;
    repository
        .delete(FeedKind::Emergency, &first)
        .await
        .unwrap();
    let confirmed = repository
        .confirm(FeedKind::Emergency, &listed[1].id, at(2))
        .await
        .unwrap();
    assert!(!confirmed.needs_confirmation);
    assert_eq!(
        lapor_feeds::seed::seed_emergency_numbers(&repository, at(3))
            .await
            .unwrap(),
        0
    );
    assert!(
        repository
            .get(FeedKind::Emergency, &first)
            .await
            .unwrap()
            .is_none(),
        "a deleted entry does not come back"
    );
}
