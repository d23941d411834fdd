//! The content feeds in `lapor-local`: the emergency numbers seeded on first start, and
//! `feed-ingest` on an in-process schedule — started only when `LAPOR_NEWS_FEED_URL`
//! or `LAPOR_PODCAST_FEED_URL` is set, every `LAPOR_FEED_INGEST_INTERVAL_SECS`
//! (default 15 minutes), first soon after start. Nothing else is exposed for it.

use crate::LocalApp;
use lapor_api::config::{ConfigError, Env};
use lapor_feeds::ingest::FeedSources;
use lapor_feeds::{FeedRepository, RepositoryError};
use lapor_models::Timestamp;
use std::time::Duration;

/// Seeds the public emergency numbers if they were never seeded.
pub async fn seed(feeds: &FeedRepository) -> Result<usize, RepositoryError> {
    lapor_feeds::seed::seed_emergency_numbers(feeds, Timestamp::now()).await
}

/// Seconds between two pulls of the feeds.
pub fn ingest_interval() -> Duration {
    let seconds = std::env::var("LAPOR_FEED_INGEST_INTERVAL_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(900);
    Duration::from_secs(seconds)
}

/// Starts the feed ingest schedule when a feed URL is configured.
pub fn spawn_ingest(app: &LocalApp) -> Result<Option<tokio::task::JoinHandle<()>>, ConfigError> {
    let sources = FeedSources::from_source(&Env)?;
    if sources.is_empty() {
        return Ok(None);
    }
    let feeds = app.feeds.clone();
    let client = reqwest::Client::new();
    let interval = ingest_interval();
    Ok(Some(tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let report =
                lapor_feeds::ingest::run(&feeds, &client, &sources, Timestamp::now()).await;
            tracing::info!(sources = report.sources.len(), "feed ingest ran");
        }
    })))
}
