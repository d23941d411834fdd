//! The sender port: an SMS to a phone number, a push to a platform endpoint, and the
//! registration of a device's endpoint. Two engines: SNS ([`crate::sns::SnsNotifier`]) in
//! AWS and against moto, and the local outbox ([`Outbox`]) that `lapor-local` delivers to.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A device's push platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// Firebase Cloud Messaging (Android).
    Fcm,
    /// Apple Push Notification service.
    Apns,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Fcm => "fcm",
            Platform::Apns => "apns",
        }
    }
}

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The push endpoint is disabled (the app was uninstalled or the token expired): the
    /// device is pruned, nothing is retried.
    #[error("the push endpoint is disabled")]
    EndpointDisabled,
    /// The request itself is refused; sending it again will not help.
    #[error("the message was refused: {0}")]
    Rejected(String),
    /// The sender is unreachable or failed; a later attempt may succeed.
    #[error("the sender is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Push is not configured for this platform.
    #[error("push is not configured for {0}")]
    NotConfigured(&'static str),
}

impl SendError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, SendError::Unavailable(_))
    }
}

/// Sends messages and manages push endpoints.
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Sends one SMS; the provider's message id.
    async fn send_sms(&self, phone: &str, text: &str) -> Result<String, SendError>;
    /// Publishes a push message (`MessageStructure: json`) to an endpoint.
    async fn send_push(&self, endpoint: &str, message: &str) -> Result<String, SendError>;
    /// The endpoint for a device token: the existing one re-enabled (with this token), or
    /// a new one.
    async fn register_device(
        &self,
        platform: Platform,
        token: &str,
        owner: &str,
        existing: Option<&str>,
    ) -> Result<String, SendError>;
    /// Removes an endpoint (logout); removing a missing one succeeds.
    async fn remove_device(&self, endpoint: &str) -> Result<(), SendError>;
}

/// The local engine: every message appended as one JSON line to a file
/// (`.lapor/outbox.jsonl`), endpoints named `local:<platform>:<hash of token>`.
#[derive(Debug, Clone)]
pub struct Outbox {
    path: PathBuf,
}

/// One line of the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub message_id: String,
    pub channel: String,
    /// A phone number (SMS) or an endpoint (push).
    pub to: String,
    pub message: String,
}

impl Outbox {
    pub fn new(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every entry written so far.
    pub fn entries(&self) -> std::io::Result<Vec<OutboxEntry>> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).map_err(std::io::Error::other))
            .collect()
    }

    fn append(&self, channel: &str, to: &str, message: &str) -> Result<String, SendError> {
        let id = uuid_like(&[channel, to, message, &now_nanos()]);
        let line = json!({"message_id": id, "channel": channel, "to": to, "message": message});
        let write = || -> std::io::Result<()> {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)?;
            file.write_all(format!("{line}\n").as_bytes())?;
            file.sync_data()
        };
        write().map_err(|e| SendError::Unavailable(Box::new(e)))?;
        Ok(id)
    }
}

fn now_nanos() -> String {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos().to_string())
        .unwrap_or_default()
}

/// A hex digest of the parts, for local ids.
fn uuid_like(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hash.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[async_trait]
impl Notifier for Outbox {
    async fn send_sms(&self, phone: &str, text: &str) -> Result<String, SendError> {
        self.append("sms", phone, text)
    }

    async fn send_push(&self, endpoint: &str, message: &str) -> Result<String, SendError> {
        self.append("push", endpoint, message)
    }

    async fn register_device(
        &self,
        platform: Platform,
        token: &str,
        _owner: &str,
        _existing: Option<&str>,
    ) -> Result<String, SendError> {
        Ok(format!(
            "local:{}:{}",
            platform.as_str(),
            uuid_like(&[platform.as_str(), token])
        ))
    }

    async fn remove_device(&self, _endpoint: &str) -> Result<(), SendError> {
        Ok(())
    }
}
