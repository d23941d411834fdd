//! The media operations, written once for the functions and for `lapor-local`: signing an
//! upload, ingesting an uploaded object, and handing out short-lived read URLs.
//!
//! Ingest is idempotent and safe to redeliver: a decided upload (verified or rejected)
//! is never changed again (only its leftover incoming object is deleted); a pending
//! one is (re)processed from its incoming object, which is deleted only after the record
//! says `verified` or `rejected` — so a crash anywhere in between completes on the next
//! delivery, and the stripped copy under `media/` is written before the record points
//! at it.

use crate::errors::MediaError;
use crate::formats::{sanitize, Rejection};
use crate::objects::{ObjectError, ObjectStore};
use crate::policy::{ContentType, MediaPolicy, UploadRequest};
use crate::repository::{
    media_key, parse_incoming_key, thumbnail_key, Upload, UploadRepository, UploadStatus,
};
use crate::thumbnail::thumbnail;
use lapor_models::{Timestamp, UserId};
use lapor_store::ItemStore;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// What `POST /v1/uploads` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignedUpload {
    pub upload_id: String,
    pub url: String,
    pub method: &'static str,
    pub headers: BTreeMap<String, String>,
    pub expires_at: Timestamp,
    pub content_type: ContentType,
    pub size_bytes: u64,
    pub status: UploadStatus,
}

/// What one ingest did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestOutcome {
    Verified {
        upload_id: String,
    },
    Rejected {
        upload_id: String,
        reason: String,
    },
    /// The upload was decided before (a redelivery): nothing changed.
    AlreadyDecided {
        upload_id: String,
        status: UploadStatus,
    },
    /// No upload record owns this object: the object was deleted.
    Orphan {
        key: String,
    },
    /// Not an incoming object: left alone.
    Ignored {
        key: String,
    },
}

/// Short-lived read URLs of one verified upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MediaLink {
    pub upload_id: String,
    pub content_type: ContentType,
    /// `photo` or `video`.
    pub kind: &'static str,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
    pub expires_at: Timestamp,
}

/// Media on a store and an object store.
#[derive(Clone)]
pub struct MediaService {
    uploads: UploadRepository,
    objects: Arc<dyn ObjectStore>,
    policy: MediaPolicy,
}

impl MediaService {
    pub fn new(
        store: Arc<dyn ItemStore>,
        objects: Arc<dyn ObjectStore>,
        policy: MediaPolicy,
    ) -> Self {
        Self {
            uploads: UploadRepository::new(store),
            objects,
            policy,
        }
    }

    pub fn uploads(&self) -> &UploadRepository {
        &self.uploads
    }

    pub fn objects(&self) -> &Arc<dyn ObjectStore> {
        &self.objects
    }

    pub fn policy(&self) -> &MediaPolicy {
        &self.policy
    }

    /// Records a pending upload for `owner` and signs the URL to send it to.
    pub async fn create_upload(
        &self,
        owner: &UserId,
        request: &UploadRequest,
        now: Timestamp,
    ) -> Result<SignedUpload, MediaError> {
        self.create_upload_keyed(owner, request, now, None).await
    }

    /// [`MediaService::create_upload`] under an idempotency key: a retry with the same
    /// key and request gets the same upload, with a freshly signed URL, and is not
    /// counted against the quota again.
    pub async fn create_upload_keyed(
        &self,
        owner: &UserId,
        request: &UploadRequest,
        now: Timestamp,
        idempotency_key: Option<&str>,
    ) -> Result<SignedUpload, MediaError> {
        let valid = request
            .validate(&self.policy)
            .map_err(MediaError::Invalid)?;
        let upload = self
            .uploads
            .create(owner, valid, self.policy.daily_quota, now, idempotency_key)
            .await?;
        let signed = self
            .objects
            .presign_put(
                &upload.key,
                upload.content_type.as_str(),
                upload.size_bytes,
                Duration::from_secs(self.policy.upload_url_seconds),
            )
            .await?;
        Ok(SignedUpload {
            upload_id: upload.upload_id,
            url: signed.url,
            method: signed.method,
            headers: signed.headers,
            expires_at: signed.expires_at,
            content_type: upload.content_type,
            size_bytes: upload.size_bytes,
            status: upload.status,
        })
    }

    /// Checks, strips and publishes the object uploaded at `key`, or rejects it.
    pub async fn ingest(&self, key: &str) -> Result<IngestOutcome, MediaError> {
        let Some(upload_id) = parse_incoming_key(key) else {
            tracing::warn!(key, "object outside incoming/ ignored");
            return Ok(IngestOutcome::Ignored {
                key: key.to_owned(),
            });
        };
        let upload = match self.uploads.get(upload_id).await? {
            Some(upload) if upload.key == key => upload,
            _ => {
                tracing::warn!(upload_id, "object without an upload record deleted");
                self.objects.delete(key).await?;
                return Ok(IngestOutcome::Orphan {
                    key: key.to_owned(),
                });
            }
        };
        if upload.status != UploadStatus::Pending {
            // Decided before: only finish the clean-up a crash may have left undone.
            self.objects.delete(key).await?;
            return Ok(IngestOutcome::AlreadyDecided {
                upload_id: upload.upload_id,
                status: upload.status,
            });
        }
        let bytes = match self.objects.get(key).await {
            Ok(bytes) => bytes,
            Err(ObjectError::NotFound(_)) => {
                let rejection = Rejection::new(
                    "missing",
                    "Berkas tidak ditemukan. Silakan unggah ulang.",
                    "The file was not found. Please upload it again.",
                );
                return self.reject(&upload, rejection).await;
            }
            Err(error) => return Err(error.into()),
        };
        match self.process(&upload, &bytes) {
            Ok((clean, thumb)) => self.publish(&upload, clean, thumb).await,
            Err(rejection) => self.reject(&upload, rejection).await,
        }
    }

    /// The stripped file and its thumbnail, or why the upload is refused.
    fn process(
        &self,
        upload: &Upload,
        bytes: &[u8],
    ) -> Result<(Vec<u8>, Option<Vec<u8>>), Rejection> {
        if bytes.len() as u64 != upload.size_bytes {
            return Err(Rejection::new(
                "size_mismatch",
                format!(
                    "Ukuran berkas ({} byte) tidak sesuai dengan yang dinyatakan ({} byte).",
                    bytes.len(),
                    upload.size_bytes
                ),
                format!(
                    "The file's size ({} bytes) differs from the declared size ({} bytes).",
                    bytes.len(),
                    upload.size_bytes
                ),
            ));
        }
        let clean = sanitize(upload.content_type, bytes)?;
        let thumb = thumbnail(upload.content_type, &clean).map_err(|error| {
            tracing::info!(upload_id = %upload.upload_id, error = %error, cause = ?std::error::Error::source(&error).map(|s| s.to_string()), "photo does not decode");
            Rejection::new(
                "corrupt",
                "Foto rusak atau tidak dapat dibaca.",
                "The photo is damaged or cannot be read.",
            )
        })?;
        Ok((clean, thumb))
    }

    async fn publish(
        &self,
        upload: &Upload,
        clean: Vec<u8>,
        thumb: Option<Vec<u8>>,
    ) -> Result<IngestOutcome, MediaError> {
        let id = &upload.upload_id;
        let media = media_key(id);
        self.objects
            .put(&media, upload.content_type.as_str(), clean)
            .await?;
        let thumbnail = match thumb {
            Some(bytes) => {
                let key = thumbnail_key(id);
                self.objects.put(&key, "image/jpeg", bytes).await?;
                Some(key)
            }
            None => None,
        };
        let changed = self
            .uploads
            .mark_verified(id, &media, thumbnail.as_deref(), Timestamp::now())
            .await?;
        self.objects.delete(&upload.key).await?;
        if changed {
            tracing::info!(upload_id = %id, content_type = %upload.content_type, "upload verified");
            Ok(IngestOutcome::Verified {
                upload_id: id.clone(),
            })
        } else {
            self.already_decided(id).await
        }
    }

    async fn reject(
        &self,
        upload: &Upload,
        rejection: Rejection,
    ) -> Result<IngestOutcome, MediaError> {
        let id = &upload.upload_id;
        let changed = self
            .uploads
            .mark_rejected(id, &rejection, Timestamp::now())
            .await?;
        self.objects.delete(&upload.key).await?;
        if changed {
            tracing::info!(upload_id = %id, reason = rejection.code, "upload rejected");
            Ok(IngestOutcome::Rejected {
                upload_id: id.clone(),
                reason: rejection.code.to_owned(),
            })
        } else {
            self.already_decided(id).await
        }
    }

    async fn already_decided(&self, id: &str) -> Result<IngestOutcome, MediaError> {
        let status = self
            .uploads
            .get(id)
            .await?
            .map(|u| u.status)
            .unwrap_or(UploadStatus::Pending);
        Ok(IngestOutcome::AlreadyDecided {
            upload_id: id.to_owned(),
            status,
        })
    }

    /// Short-lived read URLs (the file and, for photos, its thumbnail) of the verified
    /// uploads among `upload_ids`, in their order; others are left out. They live
    /// `LAPOR_MEDIA_READ_URL_SECONDS` (default 5 minutes). Whether the caller may see
    /// the media at all is for the caller of this function to decide.
    pub async fn media_links(&self, upload_ids: &[String]) -> Result<Vec<MediaLink>, MediaError> {
        let expires = Duration::from_secs(self.policy.read_url_seconds);
        let mut links = Vec::new();
        for upload in self.uploads.get_many(upload_ids).await? {
            let (UploadStatus::Verified, Some(media)) = (upload.status, &upload.media_key) else {
                continue;
            };
            let file = self.objects.presign_get(media, expires).await?;
            let thumbnail_url = match &upload.thumbnail_key {
                Some(key) => Some(self.objects.presign_get(key, expires).await?.url),
                None => None,
            };
            links.push(MediaLink {
                upload_id: upload.upload_id.clone(),
                content_type: upload.content_type,
                kind: if upload.content_type.is_video() {
                    "video"
                } else {
                    "photo"
                },
                url: file.url,
                thumbnail_url,
                expires_at: file.expires_at,
            });
        }
        Ok(links)
    }
}
