//! Notifications on one machine: the notification service over the SQLite store with the
//! local outbox (`<data>/outbox.jsonl`) as its sender, the change-log consumer that feeds
//! it (checkpoint in `<data>/checkpoints/notify`, dead letters in
//! `<data>/dead-letter/notify.jsonl`), and the schedules that poll the change log
//! (`LAPOR_CONSUMER_INTERVAL_MS`, default 1000) and flush SMS deferred by quiet hours
//! (every minute).

use lapor_consumers::local::{LocalRunner, PassSummary, RetryPolicy, RunnerError};
use lapor_models::Timestamp;
use lapor_notifications::{NotificationService, NotifyConfig, Outbox};
use lapor_store::sqlite::SqliteStore;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The local notification parts.
#[derive(Clone)]
pub struct LocalNotifications {
    pub service: NotificationService,
    pub outbox: Outbox,
    pub runner: Arc<LocalRunner>,
}

impl LocalNotifications {
    pub fn new(store: Arc<SqliteStore>, data_dir: &Path) -> Self {
        let outbox = Outbox::new(&data_dir.join("outbox.jsonl"));
        let link_base = std::env::var("LAPOR_LINK_BASE")
            .ok()
            .filter(|v| v.starts_with("http"))
            .unwrap_or_else(|| NotifyConfig::default().link_base);
        let service = NotificationService::new(
            store.clone(),
            Arc::new(outbox.clone()),
            NotifyConfig { link_base },
        );
        let runner = Arc::new(LocalRunner::new(
            "notify",
            store,
            Arc::new(service.clone()),
            data_dir,
            RetryPolicy::default(),
        ));
        Self {
            service,
            outbox,
            runner,
        }
    }

    /// One pass of every consumer over the change log, then of the deferred SMS.
    pub async fn run_once(&self) -> Result<PassSummary, RunnerError> {
        let summary = self.runner.run_once().await?;
        if let Err(error) = self.service.flush_deferred(Timestamp::now()).await {
            tracing::warn!(error = %error, "deferred notifications could not be flushed");
        }
        Ok(summary)
    }

    /// Starts the consumer and the deferred-SMS schedule.
    pub fn spawn(&self) -> Vec<tokio::task::JoinHandle<()>> {
        let interval = std::env::var("LAPOR_CONSUMER_INTERVAL_MS")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|ms| *ms > 0)
            .unwrap_or(1000);
        let consumer = self.runner.clone().spawn(Duration::from_millis(interval));
        let service = self.service.clone();
        let flush = tokio::spawn(async move {
            let mut ticker = tokio::time::interval(Duration::from_secs(60));
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                if let Err(error) = service.flush_deferred(Timestamp::now()).await {
                    tracing::warn!(error = %error, "deferred notifications could not be flushed; retrying at the next tick");
                }
            }
        });
        vec![consumer, flush]
    }
}
