//! The local side (`lapor-local`): a runner per consumer reads the SQLite change log
//! after its checkpoint, hands each record to the handler, and moves the checkpoint on
//! after each page. The checkpoint is a file (`<data>/checkpoints/<consumer>`), not an
//! item: writing it to the store would itself be a change. A failing record is retried
//! with bounded backoff; after the last attempt (or at once, when the failure is not
//! retryable) it is appended to `<data>/dead-letter/<consumer>.jsonl` with its images
//! and the error, and the runner moves on. Nothing is lost: the checkpoint passes a
//! record only once it was handled or written to the dead-letter file.

use crate::{ChangeHandler, HandlerError};
use lapor_store::{ChangeRecord, ChangeStream, StoreError, StreamPosition};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// How hard a runner tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per record before it goes to the dead-letter file (at least 1).
    pub max_attempts: u32,
    /// Wait before the second attempt; doubled for each further one.
    pub first_backoff: Duration,
    /// Longest wait between two attempts.
    pub max_backoff: Duration,
    /// Records read per page.
    pub page_size: usize,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            first_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            page_size: 100,
        }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt `attempt` (1-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.first_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// Why a pass stopped early. The checkpoint stays before the record it stopped at.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    #[error("the change log could not be read")]
    Store(#[from] StoreError),
    #[error("the checkpoint {path} could not be read or written")]
    Checkpoint {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the dead-letter file {path} could not be written")]
    DeadLetter {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassSummary {
    /// Records handled successfully.
    pub handled: usize,
    /// Records that needed more than one attempt and then succeeded.
    pub retried: usize,
    /// Records written to the dead-letter file.
    pub dead_lettered: usize,
}

/// One consumer of the local change log.
pub struct LocalRunner {
    name: String,
    stream: Arc<dyn ChangeStream>,
    handler: Arc<dyn ChangeHandler>,
    data_dir: PathBuf,
    policy: RetryPolicy,
    /// One pass at a time (the schedule and a test may both ask).
    running: tokio::sync::Mutex<()>,
}

impl LocalRunner {
    /// A runner named `name` (a file name: letters, digits, `-`).
    pub fn new(
        name: &str,
        stream: Arc<dyn ChangeStream>,
        handler: Arc<dyn ChangeHandler>,
        data_dir: &Path,
        policy: RetryPolicy,
    ) -> Self {
        Self {
            name: name.to_owned(),
            stream,
            handler,
            data_dir: data_dir.to_path_buf(),
            policy: RetryPolicy {
                max_attempts: policy.max_attempts.max(1),
                page_size: policy.page_size.max(1),
                ..policy
            },
            running: tokio::sync::Mutex::new(()),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// `<data>/checkpoints/<consumer>`: the last position handled.
    pub fn checkpoint_path(&self) -> PathBuf {
        self.data_dir.join("checkpoints").join(&self.name)
    }

    /// `<data>/dead-letter/<consumer>.jsonl`: one JSON line per record given up on.
    pub fn dead_letter_path(&self) -> PathBuf {
        self.data_dir
            .join("dead-letter")
            .join(format!("{}.jsonl", self.name))
    }

    fn checkpoint_error(&self, source: std::io::Error) -> RunnerError {
        RunnerError::Checkpoint {
            path: self.checkpoint_path().display().to_string(),
            source,
        }
    }

    fn read_checkpoint(&self) -> Result<Option<StreamPosition>, RunnerError> {
        match std::fs::read_to_string(self.checkpoint_path()) {
            Ok(text) if text.trim().is_empty() => Ok(None),
            Ok(text) => Ok(Some(StreamPosition(text.trim().to_owned()))),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(self.checkpoint_error(error)),
        }
    }

    /// Writes the checkpoint whole or not at all (a temporary file renamed over it).
    fn write_checkpoint(&self, position: &StreamPosition) -> Result<(), RunnerError> {
        let path = self.checkpoint_path();
        let write = || -> std::io::Result<()> {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let temporary = path.with_extension("tmp");
            std::fs::write(&temporary, position.0.as_bytes())?;
            std::fs::rename(&temporary, &path)
        };
        write().map_err(|e| self.checkpoint_error(e))
    }

    fn dead_letter(
        &self,
        record: &ChangeRecord,
        error: &HandlerError,
        attempts: u32,
    ) -> Result<(), RunnerError> {
        let path = self.dead_letter_path();
        let line = json!({
            "consumer": self.name,
            "record": {
                "id": record.id,
                "kind": record.kind,
                "key": record.key,
                "old_image": record.old_image,
                "new_image": record.new_image,
            },
            "error": error.to_string(),
            "retryable": error.retryable,
            "attempts": attempts,
            "at_epoch_seconds": epoch_seconds(),
        });
        let write = || -> std::io::Result<()> {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)?;
            let mut text = line.to_string();
            text.push('\n');
            file.write_all(text.as_bytes())?;
            file.sync_data()
        };
        write().map_err(|source| RunnerError::DeadLetter {
            path: path.display().to_string(),
            source,
        })
    }

    /// Handles one record with bounded retries; `Ok(attempts)` when handled,
    /// `Err((error, attempts))` when given up on.
    async fn attempt(&self, record: &ChangeRecord) -> Result<u32, (HandlerError, u32)> {
        let mut attempt = 1;
        loop {
            match self.handler.handle(record).await {
                Ok(()) => return Ok(attempt),
                Err(error) if !error.retryable || attempt >= self.policy.max_attempts => {
                    return Err((error, attempt))
                }
                Err(error) => {
                    tracing::warn!(consumer = %self.name, record = %record.id, key = %record.key.pk, attempt, error = %error, "change record failed; retrying");
                    tokio::time::sleep(self.policy.backoff(attempt)).await;
                    attempt += 1;
                }
            }
        }
    }

    /// Reads and handles every change after the checkpoint, then returns.
    pub async fn run_once(&self) -> Result<PassSummary, RunnerError> {
        let _one_at_a_time = self.running.lock().await;
        let mut summary = PassSummary::default();
        let mut position = self.read_checkpoint()?;
        loop {
            let (records, next) = self
                .stream
                .read_changes(position.as_ref(), self.policy.page_size)
                .await?;
            if records.is_empty() {
                return Ok(summary);
            }
            for record in &records {
                match self.attempt(record).await {
                    Ok(1) => summary.handled += 1,
                    Ok(_) => {
                        summary.handled += 1;
                        summary.retried += 1;
                    }
                    Err((error, attempts)) => {
                        tracing::error!(consumer = %self.name, record = %record.id, key = %record.key.pk, attempts, error = %error, "change record given up; written to the dead-letter file");
                        self.dead_letter(record, &error, attempts)?;
                        summary.dead_lettered += 1;
                    }
                }
            }
            // Every record of the page is done (handled or set aside). A crash before
            // this line re-handles the page: handlers are idempotent.
            self.write_checkpoint(&next)?;
            position = Some(next);
        }
    }

    /// Runs a pass every `interval` until the runtime ends; a failed pass is logged and
    /// tried again at the next tick.
    pub fn spawn(self: Arc<Self>, interval: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                if let Err(error) = self.run_once().await {
                    tracing::warn!(consumer = %self.name, error = %error, cause = ?std::error::Error::source(&error).map(|s| s.to_string()), "consumer pass failed; retrying at the next tick");
                }
            }
        })
    }
}

/// Seconds since the epoch, for the dead-letter line.
fn epoch_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_trait::async_trait;
    use lapor_store::sqlite::SqliteStore;
    use lapor_store::ItemStore;
    use std::sync::Mutex;

    /// A consumer that records what it saw and fails for items whose `fail` attribute
    /// says how many times it should still fail (`-1`: always; `"permanent"`: at once).
    #[derive(Default)]
    struct Recorder {
        seen: Mutex<Vec<String>>,
        failures: Mutex<std::collections::HashMap<String, i64>>,
    }

    #[async_trait]
    impl ChangeHandler for Recorder {
        async fn handle(&self, record: &ChangeRecord) -> Result<(), HandlerError> {
            let item = record.new_image.clone().unwrap_or_default();
            let key = record.key.pk.clone();
            self.seen.lock().unwrap().push(key.clone());
            if item.get("fail").and_then(|v| v.as_str()) == Some("permanent") {
                return Err(HandlerError::permanent("unreadable"));
            }
            let budget = item.get("fail").and_then(|v| v.as_i64()).unwrap_or(0);
            let mut failures = self.failures.lock().unwrap();
            let used = failures.entry(key).or_insert(0);
            if budget < 0 || *used < budget {
                *used += 1;
                return Err(HandlerError::retryable("dependency down"));
            }
            Ok(())
        }
    }

    fn dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("lapor-consumers-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    async fn put(store: &SqliteStore, pk: &str, fail: serde_json::Value) {
        let item = json!({"pk": pk, "sk": "X", "fail": fail});
        store
            .put(item.as_object().unwrap().clone(), None)
            .await
            .unwrap();
    }

    fn fast() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            first_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(4),
            page_size: 2,
        }
    }

    #[tokio::test]
    async fn a_record_that_keeps_failing_goes_to_the_dead_letter_file_and_the_others_are_handled() {
        let store = Arc::new(SqliteStore::in_memory().unwrap());
        let handler = Arc::new(Recorder::default());
        let data = dir();
        let runner = LocalRunner::new("test", store.clone(), handler.clone(), &data, fast());
        put(&store, "A", json!(0)).await;
        put(&store, "B", json!(-1)).await;
        put(&store, "C", json!(1)).await;
        put(&store, "D", json!("permanent")).await;
        put(&store, "E", json!(0)).await;

        let summary = runner.run_once().await.unwrap();
        assert_eq!(
            summary,
            PassSummary {
                handled: 3,
                retried: 1,
                dead_lettered: 2
            }
        );
        let seen = handler.seen.lock().unwrap().clone();
        assert_eq!(seen, ["A", "B", "B", "B", "C", "C", "D", "E"]);
        let letters = std::fs::read_to_string(runner.dead_letter_path()).unwrap();
        let letters: Vec<serde_json::Value> = letters
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(letters.len(), 2);
        assert_eq!(letters[0]["record"]["key"]["pk"], "B");
        assert_eq!(letters[0]["attempts"], 3);
        assert_eq!(letters[0]["record"]["new_image"]["fail"], -1);
        assert_eq!(letters[1]["record"]["key"]["pk"], "D");
        assert_eq!(letters[1]["attempts"], 1);

        // The checkpoint is past everything: a second pass reads nothing again.
        let again = runner.run_once().await.unwrap();
        assert_eq!(again, PassSummary::default());
        assert_eq!(handler.seen.lock().unwrap().len(), seen.len());
        let _ = std::fs::remove_dir_all(data);
    }

    #[tokio::test]
    async fn a_new_runner_continues_from_the_checkpoint_file() {
        let store = Arc::new(SqliteStore::in_memory().unwrap());
        let data = dir();
        put(&store, "A", json!(0)).await;
        let first = Arc::new(Recorder::default());
        LocalRunner::new("cp", store.clone(), first.clone(), &data, fast())
            .run_once()
            .await
            .unwrap();
        put(&store, "B", json!(0)).await;
        let second = Arc::new(Recorder::default());
        let runner = LocalRunner::new("cp", store.clone(), second.clone(), &data, fast());
        assert_eq!(runner.run_once().await.unwrap().handled, 1);
        assert_eq!(*second.seen.lock().unwrap(), ["B"]);
        assert!(runner.checkpoint_path().is_file());
        let _ = std::fs::remove_dir_all(data);
    }

    #[test]
    fn backoff_doubles_and_stays_bounded() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.backoff(1), Duration::from_millis(100));
        assert_eq!(policy.backoff(2), Duration::from_millis(200));
        assert_eq!(policy.backoff(40), Duration::from_secs(2));
    }
}
