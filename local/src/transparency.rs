//! Public transparency on one machine: the statistics consumer of the change log
//! (checkpoint in `<data>/checkpoints/stats`, dead letters in
//! `<data>/dead-letter/stats.jsonl`, polled every `LAPOR_CONSUMER_INTERVAL_MS`, default
//! 1000) and the publication of the public site to `<data>/public/` — soon after start,
//! then daily at 06:00 WIB as EventBridge Scheduler runs it in AWS — served at
//! `/public/{name}`.

use lapor_api::local_token::{KeyError, LocalKey};
use lapor_consumers::local::{LocalRunner, PassSummary, RetryPolicy, RunnerError};
use lapor_media::localfs::LocalObjects;
use lapor_models::{ReferenceData, Timestamp};
use lapor_stats::{Publisher, StatsConsumer};
use lapor_store::sqlite::SqliteStore;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The local transparency parts.
#[derive(Clone)]
pub struct LocalTransparency {
    pub publisher: Publisher,
    pub runner: Arc<LocalRunner>,
}

/// Seconds from `now` to the next 06:00 WIB (at least one).
pub fn seconds_to_next_publication(now: Timestamp) -> u64 {
    use chrono::Timelike;
    let wib = now.in_wib();
    let since_midnight = i64::from(wib.time().num_seconds_from_midnight());
    let six = 6 * 3600;
    let wait = if since_midnight < six {
        six - since_midnight
    } else {
        24 * 3600 - since_midnight + six
    };
    wait.max(1) as u64
}

impl LocalTransparency {
    pub fn new(
        store: Arc<SqliteStore>,
        reference: Arc<ReferenceData>,
        data_dir: &Path,
    ) -> Result<Self, KeyError> {
        let key = LocalKey::load_or_create(&lapor_media::localfs::media_key_path(data_dir))?;
        let objects = LocalObjects::new(data_dir.join("public"), key);
        let publisher = Publisher::new(store.clone(), Arc::new(objects), reference);
        let runner = Arc::new(LocalRunner::new(
            "stats",
            store.clone(),
            Arc::new(StatsConsumer::new(store)),
            data_dir,
            RetryPolicy::default(),
        ));
        Ok(Self { publisher, runner })
    }

    /// One pass of the statistics consumer over the change log.
    pub async fn count_once(&self) -> Result<PassSummary, RunnerError> {
        self.runner.run_once().await
    }

    /// Starts the consumer and the daily publication.
    pub fn spawn(&self) -> Vec<tokio::task::JoinHandle<()>> {
        let interval = std::env::var("LAPOR_CONSUMER_INTERVAL_MS")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|ms| *ms > 0)
            .unwrap_or(1000);
        let consumer = self.runner.clone().spawn(Duration::from_millis(interval));
        let this = self.clone();
        let publication = tokio::spawn(async move {
            let mut wait = Duration::from_secs(5);
            loop {
                tokio::time::sleep(wait).await;
                if let Err(error) = this.count_once().await {
                    tracing::warn!(error = %error, "statistics pass before publication failed");
                }
                if let Err(error) = this.publisher.publish(Timestamp::now()).await {
                    tracing::warn!(error = %error, cause = ?std::error::Error::source(&error).map(|s| s.to_string()), "publication failed; retrying in a minute");
                    wait = Duration::from_secs(60);
                    continue;
                }
                wait = Duration::from_secs(seconds_to_next_publication(Timestamp::now()));
            }
        });
        vec![consumer, publication]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_publication_is_at_six_in_the_morning_wib() {
        // 2026-12-04 05:00 WIB → one hour; 06:00 WIB → a full day.
        let five = Timestamp::parse("2026-12-03T22:00:00Z").unwrap();
        assert_eq!(seconds_to_next_publication(five), 3600);
        let six = Timestamp::parse("2026-12-03T23:00:00Z").unwrap();
        assert_eq!(seconds_to_next_publication(six), 24 * 3600);
    }
}
