//! `feed-ingest`'s logic against recorded RSS and Atom documents (written for these
//! tests, in `fixtures/`) served by a real HTTP server on 127.0.0.1, over the SQLite store.

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use lapor_feeds::ingest::{run, FeedSources, IngestReport, Target};
use lapor_feeds::{FeedKind, FeedRepository, ListFilter};
use lapor_models::{ReferenceData, Timestamp};
use lapor_store::sqlite::SqliteStore;
use std::sync::Arc;
use std::time::Duration;

/// A loopback server of the fixtures; it stops itself after 30 s or when dropped.
struct FixtureServer {
    base: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn serve_fixtures() -> FixtureServer {
    let xml = |name: &'static str| {
        let body = fixture(name);
        get(move || {
            let body = body.clone();
            async move { ([("content-type", "application/rss+xml")], body) }
        })
    };
    let router = Router::new()
        .route("/news.xml", xml("news-rss.xml"))
        .route("/atom.xml", xml("news-atom.xml"))
        .route("/podcast.xml", xml("podcast-rss.xml"))
        .route("/malformed.xml", xml("malformed.xml"))
        .route("/down.xml", get(|| async { StatusCode::BAD_GATEWAY }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let _ = tokio::time::timeout(Duration::from_secs(30), axum::serve(listener, router)).await;
    });
    FixtureServer {
        base: format!("http://{addr}"),
        task,
    }
}

fn repository() -> FeedRepository {
    FeedRepository::new(
        Arc::new(SqliteStore::in_memory().unwrap()),
        Arc::new(ReferenceData::tegal().unwrap()),
    )
}

fn sources(server: &FixtureServer, news: &str, podcast: &str) -> FeedSources {
    FeedSources {
        news_url: Some(format!("{}{news}", server.base)),
        podcast_url: Some(format!("{}{podcast}", server.base)),
    }
}

fn source(report: &IngestReport, target: Target) -> &lapor_feeds::ingest::SourceReport {
    report
        .sources
        .iter()
        .find(|s| s.target == target)
        .expect("the feed was pulled")
}

async fn listed(repository: &FeedRepository, kind: FeedKind) -> Vec<serde_json::Value> {
    repository
        .list_public(kind, &ListFilter::default(), 50, None, Timestamp::now())
        .await
        .unwrap()
        .items
        .iter()
        .map(|i| i.public_view())
        .collect()
}

#[tokio::test]
async fn rss_news_is_stored_sanitized_newest_first_and_bad_entries_are_skipped() {
    let server = serve_fixtures().await;
    let repository = repository();
    let client = reqwest::Client::new();
    let report = run(
        &repository,
        &client,
        &sources(&server, "/news.xml", "/podcast.xml"),
        Timestamp::now(),
    )
    .await;

    let news = source(&report, Target::News);
    assert_eq!(news.error, None);
    assert_eq!(news.entries, 4);
    assert_eq!(news.added, 2);
    let skipped: Vec<(usize, &str)> = news
        .skipped
        .iter()
        .map(|s| (s.position, s.reason.as_str()))
        .collect();
    assert_eq!(skipped, vec![(1, "no title"), (2, "unreadable date")]);

    let items = listed(&repository, FeedKind::News).await;
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[0]["title"], "Bupati Tinjau Perbaikan Jalan di Slawi",
        "newest first"
    );
    assert_eq!(items[1]["title"], "Posyandu Serentak di 18 Kecamatan");
    let body = items[0]["body"].as_str().unwrap();
    for banned in [
        "<script",
        "document.cookie",
        "onclick",
        "onerror",
        "javascript:",
        "<iframe",
        "<style",
        "display:none",
    ] {
        assert!(!body.contains(banned), "{banned} survived in {body}");
    }
    assert!(body.contains("<strong>dimulai</strong>"), "{body}");
    assert!(
        body.contains(
            r#"<a href="https://example.test/detail" rel="nofollow noopener">detail</a>"#
        ),
        "{body}"
    );
    assert!(
        body.contains(r#"<img src="https://example.test/foto.jpg" alt="">"#),
        "{body}"
    );
    assert_eq!(
        items[0]["summary"],
        "Bupati meninjau perbaikan jalan & saluran di Slawi."
    );
    assert_eq!(items[0]["image_url"], "https://example.test/foto-utama.jpg");
    assert_eq!(
        items[0]["source_link"],
        "https://example.test/berita/jalan-slawi"
    );
    assert_eq!(items[0]["published_at"], "2026-12-01T01:00:00.000Z");

    let podcast = source(&report, Target::Podcast);
    assert_eq!((podcast.added, podcast.skipped.len()), (1, 1));
    assert_eq!(podcast.skipped[0].reason, "no audio enclosure");
    let episodes = listed(&repository, FeedKind::Podcast).await;
    assert_eq!(
        episodes[0]["audio_url"],
        "https://example.test/audio/ep12.mp3"
    );
    assert_eq!(episodes[0]["duration_seconds"], 2530);
    let description = episodes[0]["description"].as_str().unwrap();
    assert_eq!(
        description,
        "<p>Bincang santai tentang <strong>UMKM</strong>.</p>"
    );
}

#[tokio::test]
async fn a_second_run_over_the_same_documents_stores_nothing_twice() {
    let server = serve_fixtures().await;
    let repository = repository();
    let client = reqwest::Client::new();
    let feeds = sources(&server, "/news.xml", "/podcast.xml");
    run(&repository, &client, &feeds, Timestamp::now()).await;
    let again = run(&repository, &client, &feeds, Timestamp::now()).await;
    let news = source(&again, Target::News);
    assert_eq!((news.added, news.duplicates), (0, 2));
    assert_eq!(source(&again, Target::Podcast).duplicates, 1);
    assert_eq!(listed(&repository, FeedKind::News).await.len(), 2);
    assert_eq!(listed(&repository, FeedKind::Podcast).await.len(), 1);
}

#[tokio::test]
async fn an_atom_feed_is_read_and_an_entry_without_id_or_link_is_skipped() {
    let server = serve_fixtures().await;
    let repository = repository();
    let report = run(
        &repository,
        &reqwest::Client::new(),
        &sources(&server, "/atom.xml", "/podcast.xml"),
        Timestamp::now(),
    )
    .await;
    let news = source(&report, Target::News);
    assert_eq!((news.entries, news.added), (2, 1));
    assert_eq!(news.skipped[0].reason, "neither guid nor link");
    let items = listed(&repository, FeedKind::News).await;
    assert_eq!(
        items[0]["title"],
        "Pasar Murah Menjelang Natal dan Tahun Baru"
    );
    assert_eq!(
        items[0]["body"],
        "<p>Pasar murah <em>digelar</em> di alun-alun.</p>"
    );
    assert_eq!(
        items[0]["source_link"],
        "https://example.test/atom/pasar-murah"
    );
    assert_eq!(items[0]["published_at"], "2026-12-02T02:00:00.000Z");
}

#[tokio::test]
async fn a_malformed_document_keeps_its_complete_entries_and_does_not_stop_the_podcast() {
    let server = serve_fixtures().await;
    let repository = repository();
    let report = run(
        &repository,
        &reqwest::Client::new(),
        &sources(&server, "/malformed.xml", "/podcast.xml"),
        Timestamp::now(),
    )
    .await;
    let news = source(&report, Target::News);
    assert!(
        news.error
            .as_deref()
            .unwrap_or("")
            .contains("malformed XML"),
        "{:?}",
        news.error
    );
    assert_eq!(news.added, 1);
    let items = listed(&repository, FeedKind::News).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["title"], "Berita Utuh Sebelum Kerusakan");
    assert_eq!(source(&report, Target::Podcast).added, 1);
}

#[tokio::test]
async fn a_feed_that_answers_an_error_is_reported_and_the_other_feed_goes_on() {
    let server = serve_fixtures().await;
    let repository = repository();
    let report = run(
        &repository,
        &reqwest::Client::new(),
        &sources(&server, "/down.xml", "/podcast.xml"),
        Timestamp::now(),
    )
    .await;
    let news = source(&report, Target::News);
    assert!(
        news.error.as_deref().unwrap_or("").contains("502"),
        "{:?}",
        news.error
    );
    assert_eq!(news.added, 0);
    assert_eq!(source(&report, Target::Podcast).added, 1);
    assert_eq!(listed(&repository, FeedKind::Podcast).await.len(), 1);
}
