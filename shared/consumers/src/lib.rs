//! Consumers of the table's change stream, written once for every consumer (notifications
//! now, statistics later): the [`ChangeHandler`] port a consumer implements, the Lambda
//! adapter ([`lambda::handle_batch`]) that answers a DynamoDB Streams batch with batch
//! item failures, and the local runner ([`local::LocalRunner`]) that reads the SQLite
//! change log from a checkpoint file, retries with bounded backoff and sets aside what
//! keeps failing in a dead-letter file.
//!
//! A handler must be idempotent: both runners deliver a record at least once (Lambda
//! retries a batch from its first failed record; the local runner re-reads from its last
//! checkpoint after a crash).

use async_trait::async_trait;
use lapor_store::ChangeRecord;

pub mod lambda;
pub mod local;

/// Why a handler could not handle a record.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct HandlerError {
    /// Whether handling the same record again later may succeed.
    pub retryable: bool,
    /// What failed, without personal data (ids only).
    pub message: String,
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl HandlerError {
    /// A failure a later attempt may cure (a dependency down, throttling).
    pub fn retryable(message: impl Into<String>) -> Self {
        Self {
            retryable: true,
            message: message.into(),
            source: None,
        }
    }

    /// A failure no retry cures (a record that cannot be read).
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            retryable: false,
            message: message.into(),
            source: None,
        }
    }

    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }
}

/// A consumer of change records.
#[async_trait]
pub trait ChangeHandler: Send + Sync {
    /// Handles one record; called again for the same record after a failure or a
    /// redelivery, so it must not repeat its effects.
    async fn handle(&self, record: &ChangeRecord) -> Result<(), HandlerError>;
}
