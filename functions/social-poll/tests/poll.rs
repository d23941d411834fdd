//! The poller end to end against a fake social API served on 127.0.0.1 by this test
//! (bounded: it stops itself): two accounts, X rate-limited once (429, then success after
//! `Retry-After`), a third account without credentials; posts linked to the right reports;
//! a second run stores nothing new.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use lapor_models::{ReferenceData, Timestamp, UserId, WorkingCalendar};
use lapor_reports::repository::{IntakeConfig, ReportRepository};
use lapor_reports::{Report, Reporter, SubmitRequest};
use lapor_social::adapters::ApiBases;
use lapor_social::poll::{FixedCredentials, PollConfig, Poller};
use lapor_social::{NewAccount, Platform, SocialRepository};
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// reqwest's rustls has no bundled provider: the process-wide aws-lc-rs one.
fn client() -> reqwest::Client {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    reqwest::Client::new()
}

#[derive(Clone)]
struct Fake {
    public_code: String,
    confidential_code: String,
    x_calls: Arc<AtomicUsize>,
}

async fn instagram_media(
    State(fake): State<Fake>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    assert_eq!(
        headers.get("authorization").and_then(|v| v.to_str().ok()),
        Some("Bearer ig-token")
    );
    if query.get("after").map(String::as_str) == Some("AFTER1") {
        return Json(json!({
            "data": [{
                "id": "ig-3", "caption": "Tanpa tagar LBT-22222A", "permalink": "https://www.instagram.com/p/3/",
                "timestamp": "2026-11-28T01:00:00+0000", "media_type": "IMAGE"
            }],
            "paging": {"cursors": {"before": "B", "after": "AFTER2"}}
        }))
        .into_response();
    }
    Json(json!({
        "data": [
            {
                "id": "ig-1",
                "caption": format!("Jalan sudah ditambal ({}). ＃laporbupatitegal", fake.public_code.to_lowercase()),
                "permalink": "https://www.instagram.com/p/1/",
                "timestamp": "2026-11-30T03:00:00+0000",
                "media_type": "IMAGE",
                "media_url": "https://cdn.example/1.jpg"
            },
            {
                "id": "ig-2", "caption": "Apel pagi", "permalink": "https://www.instagram.com/p/2/",
                "timestamp": "2026-11-29T03:00:00+0000", "media_type": "IMAGE"
            }
        ],
        "paging": {"cursors": {"before": "B", "after": "AFTER1"}, "next": "https://graph.example/next"}
    }))
    .into_response()
}

async fn x_tweets(State(fake): State<Fake>) -> Response {
    if fake.x_calls.fetch_add(1, Ordering::SeqCst) == 0 {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "1")],
            Json(json!({"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429})),
        )
            .into_response();
    }
    Json(json!({
        "data": [{
            "id": "1863000000000000002",
            "text": format!(
                "Dua laporan ditindaklanjuti: https://lapor.tegalkab.go.id/lacak/{} dan {} #LaporBupatiTegal",
                fake.public_code, fake.confidential_code.replace('-', "")
            ),
            "created_at": "2026-11-30T04:00:00.000Z"
        }],
        "meta": {"result_count": 1, "newest_id": "1863000000000000002", "oldest_id": "1863000000000000002"}
    }))
    .into_response()
}

/// Serves the fake API on a loopback port until the test ends or 60 s pass.
async fn serve(fake: Fake) -> (String, tokio::task::JoinHandle<()>) {
    let app = Router::new()
        .route("/{ig_user}/media", get(instagram_media))
        .route("/2/users/{id}/tweets", get(x_tweets))
        .with_state(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(tokio::time::sleep(Duration::from_secs(60)))
            .await;
    });
    (format!("http://{addr}"), server)
}

async fn file(reports: &ReportRepository, privacy: &str, user: &str) -> Report {
    let request: SubmitRequest = serde_json::from_value(json!({
        "subcategory_id": "jalan-rusak",
        "title": "Jalan berlubang",
        "description": "Jalan berlubang besar di depan balai desa Procot, membahayakan pengendara motor.",
        "location": {"lat": -6.9824, "lon": 109.1364, "kecamatan_id": "kec-slawi", "desa": "Procot"},
        "privacy": privacy,
        "media_ids": [],
        "channel": "app"
    }))
    .unwrap();
    let reporter = Reporter {
        user_id: UserId::new(user).unwrap(),
        phone: None,
    };
    reports
        .submit(reporter, &format!("key-{user}"), &request, Timestamp::now())
        .await
        .unwrap()
        .report()
        .clone()
}

fn account(platform: &str, id: &str, reference: &str) -> NewAccount {
    serde_json::from_value(json!({
        "platform": platform,
        "account_id": id,
        "handle": format!("@dpupr.{platform}"),
        "unit_id": "dpupr",
        "credentials_ref": reference,
        "pic_id": "pic-dpupr-1"
    }))
    .unwrap()
}

#[tokio::test]
async fn the_poller_links_new_posts_waits_out_a_rate_limit_and_stores_nothing_twice() {
    let store: Arc<dyn lapor_store::ItemStore> =
        Arc::new(lapor_store::sqlite::SqliteStore::in_memory().unwrap());
    let reports = ReportRepository::new(
        store.clone(),
        Arc::new(ReferenceData::tegal().unwrap()),
        Arc::new(WorkingCalendar::indonesia().unwrap()),
        IntakeConfig::default(),
    );
    let public = file(&reports, "public", "warga-1").await;
    let confidential = file(&reports, "confidential", "warga-2").await;
    let social = SocialRepository::new(store.clone(), reports.clone());
    let now = Timestamp::now();
    for new in [
        account("instagram", "ig-dpupr", "IG_TOKEN"),
        account("x", "x-dpupr", "X_TOKEN"),
        account("tiktok", "tt-dpupr", "TIKTOK_TOKEN_NOT_SET"),
    ] {
        social.create_account(&new, now).await.unwrap();
    }
    let fake = Fake {
        public_code: public.tracking_code.to_string(),
        confidential_code: confidential.tracking_code.to_string(),
        x_calls: Arc::new(AtomicUsize::new(0)),
    };
    let (base, server) = serve(fake.clone()).await;
    let poller = Poller {
        repository: social.clone(),
        client: client(),
        credentials: Arc::new(FixedCredentials(HashMap::from([
            ("IG_TOKEN".to_owned(), "ig-token".to_owned()),
            ("X_TOKEN".to_owned(), "x-token".to_owned()),
        ]))),
        config: PollConfig {
            bases: ApiBases::all_at(&base),
            max_wait: Duration::from_secs(5),
            ..PollConfig::default()
        },
    };

    let first = social_poll::run_once(&poller).await.unwrap();
    let by = |platform: &str| {
        first
            .accounts
            .iter()
            .find(|a| a.platform == platform)
            .cloned()
            .unwrap()
    };
    let (ig, x, tiktok) = (by("instagram"), by("x"), by("tiktok"));
    assert_eq!(
        (ig.error.as_deref(), ig.stored, ig.linked),
        (None, 1, 1),
        "{ig:?}"
    );
    assert_eq!(
        (x.error.as_deref(), x.stored, x.linked, x.throttled),
        (None, 1, 2, 1),
        "{x:?}"
    );
    assert!(
        tiktok.error.is_some(),
        "the account without credentials fails alone"
    );
    assert_eq!(fake.x_calls.load(Ordering::SeqCst), 2);

    let ig_post = social
        .post(Platform::Instagram, "ig-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ig_post.report_ids, vec![public.id]);
    assert!(
        social
            .post(Platform::Instagram, "ig-2")
            .await
            .unwrap()
            .is_none(),
        "no hashtag: not kept"
    );
    assert!(social
        .post(Platform::Instagram, "ig-3")
        .await
        .unwrap()
        .is_none());
    let x_post = social
        .post(Platform::X, "1863000000000000002")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(x_post.report_ids.len(), 2);
    assert!(x_post.report_ids.contains(&confidential.id));

    let social_entries = |timeline: Vec<lapor_reports::TimelineEntry>| {
        timeline
            .into_iter()
            .filter(|e| e.kind == "social_post")
            .collect::<Vec<_>>()
    };
    let public_entries = social_entries(reports.timeline(&public.id).await.unwrap());
    assert_eq!(public_entries.len(), 2);
    assert!(public_entries.iter().all(|e| e.public));
    assert!(social_entries(reports.timeline(&confidential.id).await.unwrap()).is_empty());
    let counts = social.counts("unit", "dpupr").await.unwrap();
    assert_eq!((counts.posts, counts.linked_posts), (2, 3));
    assert_eq!(social.counts("pic", "pic-dpupr-1").await.unwrap(), counts);

    let second = social_poll::run_once(&poller).await.unwrap();
    assert_eq!(second.stored(), 0);
    assert!(second
        .accounts
        .iter()
        .all(|a| a.linked == 0 && a.updated == 0));
    assert_eq!(
        social_entries(reports.timeline(&public.id).await.unwrap()).len(),
        2
    );
    assert_eq!(social.counts("unit", "dpupr").await.unwrap(), counts);
    let cursor = social
        .cursor(
            &social
                .account(Platform::X, "x-dpupr")
                .await
                .unwrap()
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(cursor.since_id.as_deref(), Some("1863000000000000002"));
    server.abort();
}

#[tokio::test]
async fn a_rate_limit_longer_than_the_bound_leaves_the_account_for_the_next_run() {
    let app = Router::new().route(
        "/2/users/{id}/tweets",
        get(|| async {
            (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "3600")],
                "{}",
            )
                .into_response()
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(tokio::time::sleep(Duration::from_secs(30)))
            .await;
    });
    let store: Arc<dyn lapor_store::ItemStore> =
        Arc::new(lapor_store::sqlite::SqliteStore::in_memory().unwrap());
    let reports = ReportRepository::new(
        store.clone(),
        Arc::new(ReferenceData::tegal().unwrap()),
        Arc::new(WorkingCalendar::indonesia().unwrap()),
        IntakeConfig::default(),
    );
    let social = SocialRepository::new(store, reports);
    social
        .create_account(&account("x", "x-dpupr", "X_TOKEN"), Timestamp::now())
        .await
        .unwrap();
    let poller = Poller {
        repository: social.clone(),
        client: client(),
        credentials: Arc::new(FixedCredentials(HashMap::from([(
            "X_TOKEN".to_owned(),
            "x".to_owned(),
        )]))),
        config: PollConfig {
            bases: ApiBases::all_at(&base),
            max_wait: Duration::from_secs(2),
            ..PollConfig::default()
        },
    };
    let started = std::time::Instant::now();
    let run = social_poll::run_once(&poller).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(run.failed(), 1);
    let acc = social
        .account(Platform::X, "x-dpupr")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        social.cursor(&acc).await.unwrap(),
        Default::default(),
        "no cursor moved"
    );
    server.abort();
}

#[test]
fn usage_headers_near_the_limit_stop_paging() {
    use lapor_social::poll::{usage_decision, RateDecision};
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "x-app-usage",
        r#"{"call_count":96,"total_cputime":10,"total_time":12}"#
            .parse()
            .unwrap(),
    );
    assert_eq!(usage_decision(&headers), RateDecision::StopAfterThis);
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "x-business-use-case-usage",
        r#"{"104857361234567":[{"type":"pages","call_count":20,"total_cputime":5,"total_time":5,"estimated_time_to_regain_access":0}]}"#.parse().unwrap(),
    );
    assert_eq!(usage_decision(&headers), RateDecision::Proceed);
    headers.insert("x-rate-limit-remaining", "0".parse().unwrap());
    assert_eq!(usage_decision(&headers), RateDecision::StopAfterThis);
}
