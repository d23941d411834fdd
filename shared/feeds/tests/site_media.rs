//! Feed media published the way `feeds-admin` does it in AWS: the media bucket and the
//! public site bucket on S3 (moto, `MOTO_ENDPOINT`), the feed and upload records on one
//! store. A saved item's photo lands on the site bucket with its type and a stable URL;
//! a site bucket that cannot be written fails the save and writes no item, and the retried
//! save succeeds once; deleting the item removes the files, and a delete that cannot
//! remove them keeps the item.

use async_trait::async_trait;
use lapor_feeds::media::SiteMedia;
use lapor_feeds::{FeedContent, FeedKind, FeedRepository, RepositoryError};
use lapor_media::{
    samples, MediaPolicy, MediaService, ObjectError, ObjectStore, Purpose, SignedRequest,
    UploadRequest,
};
use lapor_models::{ReferenceData, Timestamp, UserId};
use lapor_store::ItemStore;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The site bucket, which a test can make unreachable.
struct Site {
    inner: Arc<dyn ObjectStore>,
    down: AtomicBool,
}

impl Site {
    fn check(&self) -> Result<(), ObjectError> {
        if self.down.load(Ordering::SeqCst) {
            Err(ObjectError::Unavailable(
                "the site bucket is unreachable".into(),
            ))
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl ObjectStore for Site {
    async fn put(&self, key: &str, content_type: &str, bytes: Vec<u8>) -> Result<(), ObjectError> {
        self.check()?;
        self.inner.put(key, content_type, bytes).await
    }
    async fn get(&self, key: &str) -> Result<Vec<u8>, ObjectError> {
        self.inner.get(key).await
    }
    async fn delete(&self, key: &str) -> Result<(), ObjectError> {
        self.check()?;
        self.inner.delete(key).await
    }
    async fn copy(&self, from: &str, to: &str) -> Result<(), ObjectError> {
        self.check()?;
        self.inner.copy(from, to).await
    }
    async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        content_length: u64,
        expires: Duration,
    ) -> Result<SignedRequest, ObjectError> {
        self.inner
            .presign_put(key, content_type, content_length, expires)
            .await
    }
    async fn presign_get(
        &self,
        key: &str,
        expires: Duration,
    ) -> Result<SignedRequest, ObjectError> {
        self.inner.presign_get(key, expires).await
    }
}

#[tokio::test]
async fn a_saved_items_photo_is_on_the_site_bucket_and_a_failed_copy_writes_no_item() {
    let store: Arc<dyn ItemStore> = Arc::new(lapor_store::moto::fresh_store("feed-media").await);
    let media_bucket: Arc<dyn ObjectStore> = Arc::new(lapor_media::moto::fresh_bucket().await);
    let site_bucket = lapor_media::moto::fresh_bucket().await;
    let site_client = site_bucket.client().clone();
    let site_name = site_bucket.bucket().to_owned();
    let site = Arc::new(Site {
        inner: Arc::new(site_bucket),
        down: AtomicBool::new(true),
    });

    // An admin's photo, uploaded and verified as media-ingest does it.
    let media = MediaService::new(store.clone(), media_bucket.clone(), MediaPolicy::default());
    let photo = samples::jpeg_with_gps(400, 300);
    let signed = media
        .create_upload(
            &UserId::new("admin-1").unwrap(),
            &UploadRequest {
                content_type: "image/jpeg".into(),
                size_bytes: photo.len() as u64,
                purpose: Purpose::Feed,
            },
            Timestamp::now(),
        )
        .await
        .unwrap();
    let record = media
        .uploads()
        .get(&signed.upload_id)
        .await
        .unwrap()
        .unwrap();
    media_bucket
        .put(&record.key, "image/jpeg", photo)
        .await
        .unwrap();
    media.ingest(&record.key).await.unwrap();
    let upload_id = signed.upload_id;

    let site_media = SiteMedia::new(media.uploads().clone(), media_bucket.clone(), site.clone());
    site_media.set_base_url("https://d111111abcdef8.cloudfront.net/");
    let feeds = FeedRepository::new(store.clone(), Arc::new(ReferenceData::tegal().unwrap()))
        .with_site_media(site_media);
    let content = FeedContent::from_value(
        FeedKind::Infographic,
        serde_json::json!({"title": "Jalan mantap", "image_id": upload_id, "caption": "DPUPR"}),
    )
    .unwrap();

    let failed = feeds.create(content.clone(), Timestamp::now()).await;
    assert!(
        matches!(&failed, Err(RepositoryError::Media(e)) if e.is_retryable()),
        "{failed:?}"
    );
    let admin_list = feeds
        .list_admin(FeedKind::Infographic, 10, None)
        .await
        .unwrap();
    assert!(admin_list.items.is_empty(), "no item written");

    site.down.store(false, Ordering::SeqCst);
    let item = feeds.create(content, Timestamp::now()).await.unwrap();
    assert_eq!(item.media.len(), 1);
    let published = &item.media[0];
    assert_eq!(
        published.url,
        format!("https://d111111abcdef8.cloudfront.net/feed-{upload_id}.jpg")
    );
    assert_eq!(
        published.thumbnail_url.as_deref(),
        Some(format!("https://d111111abcdef8.cloudfront.net/feed-{upload_id}.thumb.jpg").as_str())
    );
    let object = site_client
        .get_object()
        .bucket(&site_name)
        .key(format!("feed-{upload_id}.jpg"))
        .send()
        .await
        .unwrap();
    assert_eq!(object.content_type(), Some("image/jpeg"));
    let bytes = object.body.collect().await.unwrap().into_bytes();
    let verified = media_bucket
        .get(&format!("media/{upload_id}"))
        .await
        .unwrap();
    assert_eq!(bytes.as_ref(), verified.as_slice());
    let stored = feeds
        .get(FeedKind::Infographic, &item.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.media, item.media, "the URLs are kept with the item");

    // Deleting while the site bucket is down keeps the item, to be deleted again.
    site.down.store(true, Ordering::SeqCst);
    let failed = feeds.delete(FeedKind::Infographic, &item.id).await;
    assert!(matches!(&failed, Err(RepositoryError::Media(e)) if e.is_retryable()));
    assert!(feeds
        .get(FeedKind::Infographic, &item.id)
        .await
        .unwrap()
        .is_some());
    site.down.store(false, Ordering::SeqCst);
    assert!(feeds.delete(FeedKind::Infographic, &item.id).await.unwrap());
    for key in [
        format!("feed-{upload_id}.jpg"),
        format!("feed-{upload_id}.thumb.jpg"),
    ] {
        let gone = site_client
            .get_object()
            .bucket(&site_name)
            .key(&key)
            .send()
            .await;
        assert!(gone.is_err(), "{key} is still on the site");
    }
}
