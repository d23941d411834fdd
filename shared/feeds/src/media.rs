//! Feed images and media at stable public URLs. An admin names verified uploads
//! (`image_id`, `media_ids`, `photo_ids`); when the item is saved, each is copied from
//! the private media store to the public site (the CloudFront-served site bucket in AWS,
//! `<data>/public` locally) as `feed-<upload id>.<ext>` (and its thumbnail), and the item
//! keeps their URLs. The app then shows them straight from the CDN: the URLs never change
//! with the request, so an item's `ETag` and the CDN's copy stay valid, which short-lived
//! signed URLs would defeat. Copying again is harmless (same key, same bytes), so a
//! retried save never duplicates anything.
//!
//! Deleting an item removes its files from the site before the item, so that a failure
//! leaves the item to delete again rather than a file nobody can remove; an update
//! removes the files the new content no longer names. (An unpublished item keeps them:
//! it may be published again.) The CDN may serve a removed file until its cache expires.
//!
//! Only content meant for everyone is uploaded for the feeds (`purpose` `feed`), and the
//! keys carry random upload ids: a draft's image is reachable only by whoever holds its
//! URL, and nothing on the site lists it.

use lapor_media::{ContentType, MediaError, ObjectError, ObjectStore, UploadRepository};
use lapor_media::{Purpose, UploadStatus};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, OnceLock};

/// An upload as the public sees it once published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicMedia {
    pub upload_id: String,
    pub content_type: String,
    /// `photo` or `video`.
    pub kind: String,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
}

/// Why an upload could not be put on the public site.
#[derive(Debug, thiserror::Error)]
pub enum MediaPublishError {
    #[error("upload {0} is not a verified feed upload")]
    NotPublishable(String),
    #[error("the upload record could not be read")]
    Uploads(#[from] MediaError),
    #[error("the media could not be copied to the public site")]
    Objects(#[from] ObjectError),
}

impl MediaPublishError {
    pub fn is_retryable(&self) -> bool {
        match self {
            MediaPublishError::NotPublishable(_) => false,
            MediaPublishError::Uploads(e) => e.is_retryable(),
            MediaPublishError::Objects(e) => e.is_retryable(),
        }
    }
}

/// The public site key of an upload's file.
pub fn site_key(upload_id: &str, content_type: ContentType) -> String {
    let extension = match content_type {
        ContentType::Jpeg => "jpg",
        ContentType::Png => "png",
        ContentType::Webp => "webp",
        ContentType::Heic => "heic",
        ContentType::Mp4 => "mp4",
        ContentType::QuickTime => "mov",
    };
    format!("feed-{upload_id}.{extension}")
}

/// The public site key of an upload's thumbnail.
pub fn site_thumbnail_key(upload_id: &str) -> String {
    format!("feed-{upload_id}.thumb.jpg")
}

/// Copies feed uploads from the media store to the public site.
#[derive(Clone)]
pub struct SiteMedia {
    uploads: UploadRepository,
    media: Arc<dyn ObjectStore>,
    site: Arc<dyn ObjectStore>,
    /// Where the site is served (`https://<distribution>.cloudfront.net`); set once.
    base_url: Arc<OnceLock<String>>,
}

impl SiteMedia {
    pub fn new(
        uploads: UploadRepository,
        media: Arc<dyn ObjectStore>,
        site: Arc<dyn ObjectStore>,
    ) -> Self {
        Self {
            uploads,
            media,
            site,
            base_url: Arc::new(OnceLock::new()),
        }
    }

    /// Sets the address the site is served at (once; later calls are ignored).
    pub fn set_base_url(&self, base_url: &str) {
        let _ = self.base_url.set(base_url.trim_end_matches('/').to_owned());
    }

    fn url(&self, key: &str) -> String {
        let base = self.base_url.get().map(String::as_str).unwrap_or("");
        format!("{base}/{key}")
    }

    /// Removes a published upload (and its thumbnail) from the public site; removing what
    /// is not there succeeds.
    pub async fn remove(&self, media: &PublicMedia) -> Result<(), MediaPublishError> {
        if let Some(content_type) = ContentType::parse(&media.content_type) {
            self.site
                .delete(&site_key(&media.upload_id, content_type))
                .await?;
        }
        if media.thumbnail_url.is_some() {
            self.site
                .delete(&site_thumbnail_key(&media.upload_id))
                .await?;
        }
        Ok(())
    }

    /// Puts the verified feed upload `upload_id` (and its thumbnail) on the public site.
    pub async fn publish(&self, upload_id: &str) -> Result<PublicMedia, MediaPublishError> {
        let not_publishable = || MediaPublishError::NotPublishable(upload_id.to_owned());
        let upload = self
            .uploads
            .get(upload_id)
            .await?
            .ok_or_else(not_publishable)?;
        let (UploadStatus::Verified, Purpose::Feed, Some(media_key)) =
            (upload.status, upload.purpose, upload.media_key.as_deref())
        else {
            return Err(not_publishable());
        };
        let key = site_key(upload_id, upload.content_type);
        let bytes = self.media.get(media_key).await?;
        self.site
            .put(&key, upload.content_type.as_str(), bytes)
            .await?;
        let thumbnail_url = match upload.thumbnail_key.as_deref() {
            Some(thumbnail) => {
                let site_thumbnail = site_thumbnail_key(upload_id);
                let bytes = self.media.get(thumbnail).await?;
                self.site.put(&site_thumbnail, "image/jpeg", bytes).await?;
                Some(self.url(&site_thumbnail))
            }
            None => None,
        };
        Ok(PublicMedia {
            upload_id: upload_id.to_owned(),
            content_type: upload.content_type.as_str().to_owned(),
            kind: if upload.content_type.is_video() {
                "video"
            } else {
                "photo"
            }
            .to_owned(),
            url: self.url(&key),
            thumbnail_url,
        })
    }
}
