//! The `feed-ingest` function: run by an EventBridge schedule, it pulls the regency's
//! news feed and the podcast feed (`LAPOR_NEWS_FEED_URL`, `LAPOR_PODCAST_FEED_URL`)
//! into the content feeds through [`lapor_feeds::ingest::run`]. The event itself
//! carries nothing the run needs; it is only logged.

use lapor_feeds::ingest::{FeedSources, IngestReport};
use lapor_feeds::FeedRepository;
use lapor_models::Timestamp;
use serde_json::Value;

/// Handles one scheduled event: pulls every configured feed.
pub async fn handle(
    repository: &FeedRepository,
    client: &reqwest::Client,
    sources: &FeedSources,
    event: &Value,
) -> IngestReport {
    let event_id = event.get("id").and_then(|v| v.as_str()).unwrap_or("");
    let time = event.get("time").and_then(|v| v.as_str()).unwrap_or("");
    tracing::info!(event_id, time, "scheduled feed ingest");
    lapor_feeds::ingest::run(repository, client, sources, Timestamp::now()).await
}
