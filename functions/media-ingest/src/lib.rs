//! The `media-ingest` function: S3 calls it for every object created under `incoming/`.
//! Each record's object is ingested by [`lapor_media::MediaService::ingest`] (verified
//! and stripped, or rejected and deleted).
//!
//! Failures: every record of an event is tried; if any failed for a reason a retry may
//! cure (or an unexpected one), the invocation fails naming the failed keys, so that
//! Lambda's asynchronous retries and then its on-failure destination keep the event.
//! Redelivering the whole event is safe: ingest changes nothing for an upload already
//! decided.

use aws_lambda_events::event::s3::S3Event;
use lapor_media::{IngestOutcome, MediaService};
use serde_json::{json, Value};

/// Why an invocation failed.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{} of the event's objects could not be ingested: {}", .keys.len(), .keys.join(", "))]
    Failed { keys: Vec<String> },
}

/// Decodes an S3 event key (URL-encoded, with `+` for spaces).
pub fn decode_key(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Ingests every created object of the event; a summary of what was done.
pub async fn handle(service: &MediaService, event: S3Event) -> Result<Value, IngestError> {
    let mut verified = 0;
    let mut rejected = 0;
    let mut unchanged = 0;
    let mut ignored = 0;
    let mut failed = Vec::new();
    for record in event.records {
        let created = record
            .event_name
            .as_deref()
            .is_some_and(|name| name.starts_with("ObjectCreated:"));
        let key = record.s3.object.key.as_deref().and_then(decode_key);
        let (true, Some(key)) = (created, key) else {
            ignored += 1;
            continue;
        };
        match service.ingest(&key).await {
            Ok(IngestOutcome::Verified { .. }) => verified += 1,
            Ok(IngestOutcome::Rejected { .. }) => rejected += 1,
            Ok(IngestOutcome::AlreadyDecided { .. }) | Ok(IngestOutcome::Orphan { .. }) => {
                unchanged += 1
            }
            Ok(IngestOutcome::Ignored { .. }) => ignored += 1,
            Err(error) => {
                tracing::error!(key = %key, retryable = error.is_retryable(), error = %error, cause = ?std::error::Error::source(&error).map(|s| s.to_string()), "ingest failed");
                failed.push(key);
            }
        }
    }
    if !failed.is_empty() {
        return Err(IngestError::Failed { keys: failed });
    }
    Ok(json!({
        "verified": verified,
        "rejected": rejected,
        "unchanged": unchanged,
        "ignored": ignored,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_keys_are_url_decoded() {
        assert_eq!(
            decode_key("incoming/user%40x/abc+d").as_deref(),
            Some("incoming/user@x/abc d")
        );
        assert_eq!(decode_key("bad%zz"), None);
    }
}
