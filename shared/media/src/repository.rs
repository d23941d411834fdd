//! Upload records on the item-store port. Single-table keys (see
//! `shared/store/DESIGN.md`):
//!
//! | item | pk | sk | notes |
//! | --- | --- | --- | --- |
//! | upload | `UPLOAD#<upload_id>` | `UPLOAD` | ttl 2 days while pending or rejected; none once verified |
//! | daily upload quota | `UPLOADQUOTA#<user>` | `<WIB date>` | atomic counter, ttl 2 days |
//!
//! The upload item is read by report intake (`check_media` in `lapor-reports`): it holds
//! `owner` (the user id), `status` (`pending` | `verified` | `rejected`), `purpose`,
//! `content_type`, `size_bytes`, `key` (the incoming object), `created_at`; `reason` and
//! `reason_message` once rejected; `media_key` and, for photos, `thumbnail_key` once
//! verified. Status only ever leaves `pending` once, under a condition, so a redelivered
//! or concurrent ingest cannot change a decided upload.

use crate::errors::MediaError;
use crate::formats::Rejection;
use crate::policy::{ContentType, Purpose, ValidUpload};
use lapor_models::{Timestamp, UserId};
use lapor_store::{Condition, Item, ItemStore, Key, StoreError, Update, WriteOp, MAX_BATCH_GET};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

/// Seconds a pending or rejected upload record is kept.
const UPLOAD_TTL_SECONDS: i64 = 2 * 24 * 3600;

/// Where an upload is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UploadStatus {
    /// Signed; the file is not checked yet (maybe not even sent).
    Pending,
    /// Checked and stripped; it may be attached.
    Verified,
    /// Refused; the object is deleted and `reason` says why.
    Rejected,
}

impl UploadStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UploadStatus::Pending => "pending",
            UploadStatus::Verified => "verified",
            UploadStatus::Rejected => "rejected",
        }
    }
}

/// One upload record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    pub upload_id: String,
    pub owner: UserId,
    pub status: UploadStatus,
    pub purpose: Purpose,
    pub content_type: ContentType,
    pub size_bytes: u64,
    /// The object the client uploads (`incoming/<caller>/<upload_id>`).
    pub key: String,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<Timestamp>,
}

/// The upload id a request with this idempotency key gets: a UUID (version 8) made of
/// the SHA-256 of the owner and the key, so that no other owner's key can name it.
fn keyed_upload_id(owner: &UserId, key: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("upload\n{owner}\n{key}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// The table key of an upload.
pub fn upload_key(upload_id: &str) -> Key {
    Key::new(format!("UPLOAD#{upload_id}"), "UPLOAD")
}

/// The object key the client uploads to.
pub fn incoming_key(owner: &UserId, upload_id: &str) -> String {
    format!("incoming/{}/{upload_id}", key_segment(owner.as_str()))
}

/// The object key of the verified, stripped file.
pub fn media_key(upload_id: &str) -> String {
    format!("media/{upload_id}")
}

/// The object key of a photo's thumbnail.
pub fn thumbnail_key(upload_id: &str) -> String {
    format!("media/{upload_id}.thumb.jpg")
}

/// A user id as one safe key segment (characters outside `[A-Za-z0-9._@:-]` become `_`).
fn key_segment(user: &str) -> String {
    let segment: String = user
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._@:-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if segment == "." || segment == ".." {
        "_".to_owned()
    } else {
        segment
    }
}

/// The upload id of an incoming object key, if it is one.
pub fn parse_incoming_key(key: &str) -> Option<&str> {
    let mut parts = key.split('/');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("incoming"), Some(owner), Some(id), None) if !owner.is_empty() && valid_id(id) => {
            Some(id)
        }
        _ => None,
    }
}

/// Whether `id` looks like an upload id (a UUID).
pub fn valid_id(id: &str) -> bool {
    uuid::Uuid::try_parse(id).is_ok()
}

fn wib_date(at: Timestamp) -> String {
    at.in_wib().format("%Y-%m-%d").to_string()
}

fn seconds_to_wib_midnight(now: Timestamp) -> u64 {
    use chrono::Timelike;
    let seconds_today = u64::from(now.in_wib().time().num_seconds_from_midnight());
    (24 * 3600 - seconds_today).max(1)
}

/// Upload records on the store.
#[derive(Clone)]
pub struct UploadRepository {
    store: Arc<dyn ItemStore>,
}

impl UploadRepository {
    pub fn new(store: Arc<dyn ItemStore>) -> Self {
        Self { store }
    }

    /// Records a new pending upload, counting it against the owner's daily quota, in
    /// one transaction: both or neither. With an idempotency key the upload id is derived
    /// from the owner and the key, so that a retried request finds the upload the first
    /// one made (and is not counted again) when it asks for the same file, and is refused
    /// when it asks for another.
    pub async fn create(
        &self,
        owner: &UserId,
        upload: ValidUpload,
        daily_quota: u32,
        now: Timestamp,
        idempotency_key: Option<&str>,
    ) -> Result<Upload, MediaError> {
        let upload_id = match idempotency_key {
            Some(key) => keyed_upload_id(owner, key),
            None => uuid::Uuid::now_v7().to_string(),
        };
        let record = Upload {
            key: incoming_key(owner, &upload_id),
            upload_id,
            owner: owner.clone(),
            status: UploadStatus::Pending,
            purpose: upload.purpose,
            content_type: upload.content_type,
            size_bytes: upload.size_bytes,
            created_at: now,
            reason: None,
            reason_message: None,
            media_key: None,
            thumbnail_key: None,
            decided_at: None,
        };
        let epoch = now.as_utc().timestamp();
        let mut item = to_item(&record)?;
        item.insert("ttl".into(), Value::from(epoch + UPLOAD_TTL_SECONDS));
        let ops = vec![
            WriteOp::Put {
                item,
                condition: Some(Condition::NotExists),
            },
            WriteOp::Update {
                key: Key::new(format!("UPLOADQUOTA#{owner}"), wib_date(now)),
                updates: vec![
                    Update::Add("count".into(), 1),
                    Update::SetIfAbsent("ttl".into(), Value::from(epoch + 2 * 24 * 3600)),
                    Update::SetIfAbsent("type".into(), Value::from("upload_quota")),
                ],
                condition: Some(Condition::Or(vec![
                    Condition::AttributeNotExists("count".into()),
                    Condition::AttributeLessThan("count".into(), i64::from(daily_quota)),
                ])),
            },
        ];
        match self.store.transact_write(ops).await {
            Ok(()) => Ok(record),
            Err(StoreError::TransactionCanceled { failed })
                if failed.contains(&0) && idempotency_key.is_some() =>
            {
                let existing = self
                    .get(&record.upload_id)
                    .await?
                    .ok_or(MediaError::KeyReused)?;
                let same = existing.owner == record.owner
                    && existing.content_type == record.content_type
                    && existing.size_bytes == record.size_bytes
                    && existing.purpose == record.purpose;
                if same {
                    Ok(existing)
                } else {
                    Err(MediaError::KeyReused)
                }
            }
            Err(StoreError::TransactionCanceled { failed }) if failed.contains(&1) => {
                Err(MediaError::QuotaExceeded {
                    retry_after_seconds: seconds_to_wib_midnight(now),
                })
            }
            Err(error) => Err(error.into()),
        }
    }

    pub async fn get(&self, upload_id: &str) -> Result<Option<Upload>, MediaError> {
        match self.store.get(&upload_key(upload_id)).await? {
            Some(item) => from_item(item).map(Some),
            None => Ok(None),
        }
    }

    /// The records of these uploads that exist, in the order asked.
    pub async fn get_many(&self, upload_ids: &[String]) -> Result<Vec<Upload>, MediaError> {
        let mut ids: Vec<&String> = Vec::new();
        for id in upload_ids {
            if valid_id(id) && !ids.contains(&id) {
                ids.push(id);
            }
        }
        let mut found = Vec::new();
        for chunk in ids.chunks(MAX_BATCH_GET) {
            let keys: Vec<Key> = chunk.iter().map(|id| upload_key(id)).collect();
            for item in self.store.batch_get(&keys).await? {
                found.push(from_item(item)?);
            }
        }
        let mut ordered = Vec::new();
        for id in upload_ids {
            if let Some(position) = found.iter().position(|u| &u.upload_id == id) {
                ordered.push(found.swap_remove(position));
            }
        }
        Ok(ordered)
    }

    /// Marks a pending upload verified. `false` when it was no longer pending.
    pub async fn mark_verified(
        &self,
        upload_id: &str,
        media: &str,
        thumbnail: Option<&str>,
        now: Timestamp,
    ) -> Result<bool, MediaError> {
        let mut updates = vec![
            Update::Set("status".into(), Value::from("verified")),
            Update::Set("media_key".into(), Value::from(media)),
            Update::Set("decided_at".into(), Value::from(now.to_rfc3339())),
            Update::Remove("ttl".into()),
        ];
        if let Some(thumbnail) = thumbnail {
            updates.push(Update::Set("thumbnail_key".into(), Value::from(thumbnail)));
        }
        self.decide(upload_id, updates).await
    }

    /// Marks a pending upload rejected with its reason. `false` when it was no longer
    /// pending.
    pub async fn mark_rejected(
        &self,
        upload_id: &str,
        rejection: &Rejection,
        now: Timestamp,
    ) -> Result<bool, MediaError> {
        let updates = vec![
            Update::Set("status".into(), Value::from("rejected")),
            Update::Set("reason".into(), Value::from(rejection.code)),
            Update::Set(
                "reason_message".into(),
                Value::from(rejection.message_id.clone()),
            ),
            Update::Set("decided_at".into(), Value::from(now.to_rfc3339())),
        ];
        self.decide(upload_id, updates).await
    }

    async fn decide(&self, upload_id: &str, updates: Vec<Update>) -> Result<bool, MediaError> {
        let condition = Condition::AttributeEquals("status".into(), Value::from("pending"));
        match self
            .store
            .update(&upload_key(upload_id), updates, Some(condition))
            .await
        {
            Ok(_) => Ok(true),
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(error) => Err(error.into()),
        }
    }
}

fn to_item(upload: &Upload) -> Result<Item, MediaError> {
    let key = upload_key(&upload.upload_id);
    let Value::Object(mut item) =
        serde_json::to_value(upload).map_err(|e| MediaError::Corrupt(key.pk.clone(), e))?
    else {
        return Err(MediaError::Corrupt(
            key.pk,
            serde::ser::Error::custom("not an object"),
        ));
    };
    item.insert("pk".into(), Value::from(key.pk));
    item.insert("sk".into(), Value::from(key.sk));
    item.insert("type".into(), Value::from("upload"));
    Ok(item)
}

fn from_item(item: Item) -> Result<Upload, MediaError> {
    let pk = item
        .get("pk")
        .and_then(Value::as_str)
        .unwrap_or("UPLOAD#?")
        .to_owned();
    serde_json::from_value(Value::Object(item)).map_err(|e| MediaError::Corrupt(pk, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incoming_keys_carry_the_owner_and_parse_back_to_the_id() {
        let owner = UserId::new("local-citizen-1").unwrap();
        let id = uuid::Uuid::now_v7().to_string();
        let key = incoming_key(&owner, &id);
        assert_eq!(key, format!("incoming/local-citizen-1/{id}"));
        assert_eq!(parse_incoming_key(&key), Some(id.as_str()));
        let odd = UserId::new("a/b?c").unwrap();
        assert_eq!(incoming_key(&odd, &id), format!("incoming/a_b_c/{id}"));
        assert_eq!(parse_incoming_key("media/x"), None);
        assert_eq!(parse_incoming_key("incoming/u/not-a-uuid"), None);
        assert_eq!(parse_incoming_key(&format!("incoming/u/{id}/x")), None);
    }
}
