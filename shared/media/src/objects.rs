//! The object-storage port: the few operations media needs, on two engines — S3 in
//! production ([`crate::s3::S3Objects`]) and a folder of the data directory locally
//! ([`crate::localfs::LocalObjects`]). Both sign upload URLs bound to one key, one content
//! type and one exact length, and read URLs bound to one key, each for a short time.

use async_trait::async_trait;
use lapor_models::Timestamp;
use std::collections::BTreeMap;
use std::time::Duration;

/// Why an object-store call failed.
#[derive(Debug, thiserror::Error)]
pub enum ObjectError {
    /// No object has this key.
    #[error("no object {0}")]
    NotFound(String),
    /// The key is not one this service writes (empty segment, `..`, absolute...).
    #[error("invalid object key {0:?}")]
    InvalidKey(String),
    /// The storage could not be reached or throttled; a retry may succeed.
    #[error("object storage is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Any other failure.
    #[error("object storage failed")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ObjectError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, ObjectError::Unavailable(_))
    }
}

/// A signed request the client makes itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    pub method: &'static str,
    pub url: String,
    /// The headers the client must send exactly as given.
    pub headers: BTreeMap<String, String>,
    pub expires_at: Timestamp,
}

/// The object-storage port.
#[async_trait]
pub trait ObjectStore: Send + Sync {
    /// Writes the object (replacing any object with this key).
    async fn put(&self, key: &str, content_type: &str, bytes: Vec<u8>) -> Result<(), ObjectError>;

    /// Reads the whole object.
    async fn get(&self, key: &str) -> Result<Vec<u8>, ObjectError>;

    /// Deletes the object; deleting a missing object succeeds.
    async fn delete(&self, key: &str) -> Result<(), ObjectError>;

    /// Copies an object to another key (replacing any object there).
    async fn copy(&self, from: &str, to: &str) -> Result<(), ObjectError>;

    /// A URL on which the client PUTs exactly `content_length` bytes of `content_type`
    /// to `key`, valid for `expires`.
    async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        content_length: u64,
        expires: Duration,
    ) -> Result<SignedRequest, ObjectError>;

    /// A URL on which the client GETs `key`, valid for `expires`.
    async fn presign_get(&self, key: &str, expires: Duration)
        -> Result<SignedRequest, ObjectError>;
}

/// Whether `key` is a key this service may use: relative, `/`-separated segments of
/// visible ASCII, none empty, `.` or `..`.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 512
        && key.bytes().all(|b| b.is_ascii_graphic())
        && !key.contains('\\')
        && key
            .split('/')
            .all(|segment| !segment.is_empty() && segment != "." && segment != "..")
}

pub(crate) fn expires_at(expires: Duration) -> Timestamp {
    let now = chrono::Utc::now();
    let delta = chrono::Duration::from_std(expires).unwrap_or(chrono::Duration::zero());
    Timestamp::from_utc(now + delta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_could_leave_the_storage_root_are_invalid() {
        assert!(valid_key("incoming/u-1/0190-abc"));
        assert!(valid_key("media/0190-abc.thumb.jpg"));
        for bad in [
            "",
            "/media/x",
            "media//x",
            "media/../x",
            "./x",
            "a b",
            "a\\b",
        ] {
            assert!(!valid_key(bad), "{bad:?}");
        }
    }
}
