//! The feed-ingest handler with the sample EventBridge scheduled event in
//! `events/feed-ingest/`.

use lapor_feeds::ingest::{FeedSources, Target};
use lapor_feeds::FeedRepository;
use lapor_models::ReferenceData;
use lapor_store::sqlite::SqliteStore;
use std::sync::Arc;

#[tokio::test]
async fn a_scheduled_event_pulls_every_configured_feed_and_reports_each() {
    let path = format!(
        "{}/../../events/feed-ingest/scheduled.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let event: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(event["detail-type"], "Scheduled Event");
    let repository = FeedRepository::new(
        Arc::new(SqliteStore::in_memory().unwrap()),
        Arc::new(ReferenceData::tegal().unwrap()),
    );
    // A port nothing listens on: the fetch fails, the run still reports both feeds.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}/feed.xml", listener.local_addr().unwrap());
    drop(listener);
    let sources = FeedSources {
        news_url: Some(closed.clone()),
        podcast_url: Some(closed),
    };
    let report = feed_ingest::handle(&repository, &reqwest::Client::new(), &sources, &event).await;
    assert_eq!(report.sources.len(), 2);
    assert_eq!(report.sources[0].target, Target::News);
    assert!(report
        .sources
        .iter()
        .all(|s| s.error.is_some() && s.added == 0));
    let none = feed_ingest::handle(
        &repository,
        &reqwest::Client::new(),
        &FeedSources::default(),
        &event,
    )
    .await;
    assert!(none.sources.is_empty());
}
