//! Signing and ingest on both object-store engines: S3 (the real SDK against the
//! `moto_server` that `tests/run` starts, `MOTO_ENDPOINT`) and the local folder engine,
//! with upload records on the SQLite store. Files are generated in the tests.
//!
//! The S3 tests fail, never skip, without `MOTO_ENDPOINT`:
//! `.venv/bin/moto_server -H 127.0.0.1 -p 5123 &` then
//! `MOTO_ENDPOINT=http://127.0.0.1:5123 cargo test -p lapor-media --test ingest`.

use async_trait::async_trait;
use lapor_media::localfs::LocalObjects;
use lapor_media::repository::{media_key, thumbnail_key};
use lapor_media::s3::S3Objects;
use lapor_media::{
    samples, IngestOutcome, MediaPolicy, MediaService, ObjectError, ObjectStore, Purpose,
    UploadRequest, UploadStatus,
};
use lapor_models::{Timestamp, UserId};
use lapor_store::sqlite::SqliteStore;
use lapor_store::{Condition, Item, ItemStore, Key, Page, Query, StoreError, Update, WriteOp};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A fresh bucket on moto.
async fn s3_objects() -> S3Objects {
    lapor_media::moto::fresh_bucket().await
}

fn local_objects() -> LocalObjects {
    let root = std::env::temp_dir().join(format!("lapor-media-{}", uuid::Uuid::new_v4()));
    LocalObjects::new(root, lapor_api::local_token::LocalKey::generate())
}

/// The store, wrapped so that a test can make the next record update fail once, as a
/// crash between publishing the file and recording it would.
struct Flaky {
    inner: SqliteStore,
    fail_next_update: AtomicBool,
}

#[async_trait]
impl ItemStore for Flaky {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }
    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.inner.batch_get(keys).await
    }
    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError> {
        self.inner.put(item, condition).await
    }
    async fn update(
        &self,
        key: &Key,
        updates: Vec<Update>,
        condition: Option<Condition>,
    ) -> Result<Item, StoreError> {
        if self.fail_next_update.swap(false, Ordering::SeqCst) {
            return Err(StoreError::Unavailable("the process died here".into()));
        }
        self.inner.update(key, updates, condition).await
    }
    async fn delete(
        &self,
        key: &Key,
        condition: Option<Condition>,
    ) -> Result<Option<Item>, StoreError> {
        self.inner.delete(key, condition).await
    }
    async fn transact_write(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        self.inner.transact_write(ops).await
    }
    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.inner.query(query).await
    }
}

struct Rig {
    service: MediaService,
    objects: Arc<dyn ObjectStore>,
    store: Arc<Flaky>,
}

fn rig(objects: Arc<dyn ObjectStore>) -> Rig {
    let store = Arc::new(Flaky {
        inner: SqliteStore::in_memory().unwrap(),
        fail_next_update: AtomicBool::new(false),
    });
    let service = MediaService::new(store.clone(), objects.clone(), MediaPolicy::default());
    Rig {
        service,
        objects,
        store,
    }
}

fn citizen() -> UserId {
    UserId::new("citizen-1").unwrap()
}

/// Signs an upload of `bytes` as `content_type` and "uploads" it to its incoming key;
/// returns the upload id and the key.
async fn upload(rig: &Rig, content_type: &str, bytes: Vec<u8>) -> (String, String) {
    let request = UploadRequest {
        content_type: content_type.into(),
        size_bytes: bytes.len() as u64,
        purpose: Purpose::Report,
    };
    let signed = rig
        .service
        .create_upload(&citizen(), &request, Timestamp::now())
        .await
        .unwrap();
    let record = rig
        .service
        .uploads()
        .get(&signed.upload_id)
        .await
        .unwrap()
        .unwrap();
    rig.objects
        .put(&record.key, content_type, bytes)
        .await
        .unwrap();
    (signed.upload_id, record.key)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn a_jpeg_with_gps_comes_out_without_it_and_with_a_thumbnail(rig: Rig) {
    let (id, key) = upload(&rig, "image/jpeg", samples::jpeg_with_gps(800, 600)).await;
    let outcome = rig.service.ingest(&key).await.unwrap();
    assert_eq!(
        outcome,
        IngestOutcome::Verified {
            upload_id: id.clone()
        }
    );
    let record = rig.service.uploads().get(&id).await.unwrap().unwrap();
    assert_eq!(record.status, UploadStatus::Verified);
    assert_eq!(record.media_key.as_deref(), Some(media_key(&id).as_str()));
    assert_eq!(
        record.thumbnail_key.as_deref(),
        Some(thumbnail_key(&id).as_str())
    );
    let published = rig.objects.get(&media_key(&id)).await.unwrap();
    assert!(!contains(&published, b"Exif\0\0"));
    assert!(!contains(&published, samples::GPS_MARKER));
    let decoded = image::load_from_memory(&published).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (800, 600));
    let thumb = rig.objects.get(&thumbnail_key(&id)).await.unwrap();
    let thumb = image::load_from_memory(&thumb).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (320, 240));
    assert!(matches!(
        rig.objects.get(&key).await,
        Err(ObjectError::NotFound(_))
    ));
}

async fn a_png_declared_as_jpeg_is_rejected_and_deleted(rig: Rig) {
    let (id, key) = upload(&rig, "image/jpeg", samples::png(40, 30)).await;
    let outcome = rig.service.ingest(&key).await.unwrap();
    assert_eq!(
        outcome,
        IngestOutcome::Rejected {
            upload_id: id.clone(),
            reason: "type_mismatch".into()
        }
    );
    let record = rig.service.uploads().get(&id).await.unwrap().unwrap();
    assert_eq!(record.status, UploadStatus::Rejected);
    assert_eq!(record.reason.as_deref(), Some("type_mismatch"));
    assert!(record.reason_message.unwrap().contains("image/png"));
    assert!(record.media_key.is_none());
    assert!(matches!(
        rig.objects.get(&key).await,
        Err(ObjectError::NotFound(_))
    ));
    assert!(matches!(
        rig.objects.get(&media_key(&id)).await,
        Err(ObjectError::NotFound(_))
    ));
}

async fn a_truncated_file_is_rejected(rig: Rig) {
    let whole = samples::jpeg_with_gps(64, 64);
    let cut = whole[..whole.len() - 100].to_vec();
    let (id, key) = upload(&rig, "image/jpeg", cut).await;
    let outcome = rig.service.ingest(&key).await.unwrap();
    assert_eq!(
        outcome,
        IngestOutcome::Rejected {
            upload_id: id,
            reason: "truncated".into()
        }
    );
}

async fn a_small_valid_mp4_passes_without_its_location(rig: Rig) {
    let video = samples::mp4_with_location();
    let (id, key) = upload(&rig, "video/mp4", video.clone()).await;
    let outcome = rig.service.ingest(&key).await.unwrap();
    assert_eq!(
        outcome,
        IngestOutcome::Verified {
            upload_id: id.clone()
        }
    );
    let record = rig.service.uploads().get(&id).await.unwrap().unwrap();
    assert!(record.thumbnail_key.is_none());
    let published = rig.objects.get(&media_key(&id)).await.unwrap();
    assert_eq!(published.len(), video.len());
    assert!(!contains(&published, samples::GPS_MARKER));
}

async fn the_same_event_twice_is_harmless(rig: Rig) {
    let (id, key) = upload(&rig, "image/jpeg", samples::jpeg_with_gps(50, 40)).await;
    rig.service.ingest(&key).await.unwrap();
    let first = rig.service.uploads().get(&id).await.unwrap().unwrap();
    let published = rig.objects.get(&media_key(&id)).await.unwrap();
    let again = rig.service.ingest(&key).await.unwrap();
    assert_eq!(
        again,
        IngestOutcome::AlreadyDecided {
            upload_id: id.clone(),
            status: UploadStatus::Verified
        }
    );
    assert_eq!(
        rig.service.uploads().get(&id).await.unwrap().unwrap(),
        first
    );
    assert_eq!(rig.objects.get(&media_key(&id)).await.unwrap(), published);
    // A rejected upload stays rejected too.
    let (bad, bad_key) = upload(&rig, "image/png", samples::jpeg_with_gps(8, 8)).await;
    rig.service.ingest(&bad_key).await.unwrap();
    let again = rig.service.ingest(&bad_key).await.unwrap();
    assert_eq!(
        again,
        IngestOutcome::AlreadyDecided {
            upload_id: bad,
            status: UploadStatus::Rejected
        }
    );
}

async fn a_crash_between_copy_and_record_update_completes_on_redelivery(rig: Rig) {
    let (id, key) = upload(&rig, "image/webp", samples::webp_with_exif(64, 32)).await;
    rig.store.fail_next_update.store(true, Ordering::SeqCst);
    let crashed = rig.service.ingest(&key).await.unwrap_err();
    assert!(crashed.is_retryable());
    // The stripped copy is out, the record still pending, the upload still there.
    assert!(rig.objects.get(&media_key(&id)).await.is_ok());
    let record = rig.service.uploads().get(&id).await.unwrap().unwrap();
    assert_eq!(record.status, UploadStatus::Pending);
    assert!(rig.objects.get(&key).await.is_ok());
    let outcome = rig.service.ingest(&key).await.unwrap();
    assert_eq!(
        outcome,
        IngestOutcome::Verified {
            upload_id: id.clone()
        }
    );
    let published = rig.objects.get(&media_key(&id)).await.unwrap();
    assert!(!contains(&published, b"EXIF"));
    assert!(matches!(
        rig.objects.get(&key).await,
        Err(ObjectError::NotFound(_))
    ));
}

async fn read_urls_are_given_for_verified_uploads_only(rig: Rig) {
    let (photo, photo_key) = upload(&rig, "image/png", samples::png_with_metadata(30, 20)).await;
    rig.service.ingest(&photo_key).await.unwrap();
    let (pending, _) = upload(&rig, "video/mp4", samples::mp4_with_location()).await;
    let links = rig
        .service
        .media_links(&[pending, photo.clone(), "not-an-id".into()])
        .await
        .unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].upload_id, photo);
    assert_eq!(links[0].kind, "photo");
    assert!(links[0].url.contains(&photo));
    assert!(links[0]
        .thumbnail_url
        .as_deref()
        .unwrap()
        .contains(".thumb.jpg"));
}

macro_rules! on_both_engines {
    ($($scenario:ident),* $(,)?) => {
        mod local_engine {
            $(
                #[tokio::test]
                async fn $scenario() {
                    super::$scenario(super::rig(std::sync::Arc::new(super::local_objects()))).await;
                }
            )*
        }
        mod s3_engine {
            $(
                #[tokio::test]
                async fn $scenario() {
                    super::$scenario(super::rig(std::sync::Arc::new(super::s3_objects().await))).await;
                }
            )*
        }
    };
}

on_both_engines!(
    a_jpeg_with_gps_comes_out_without_it_and_with_a_thumbnail,
    a_png_declared_as_jpeg_is_rejected_and_deleted,
    a_truncated_file_is_rejected,
    a_small_valid_mp4_passes_without_its_location,
    the_same_event_twice_is_harmless,
    a_crash_between_copy_and_record_update_completes_on_redelivery,
    read_urls_are_given_for_verified_uploads_only,
);

/// The query parameters of a URL, decoded enough for the ones S3 signs.
fn query(url: &str) -> Vec<(String, String)> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.replace("%3B", ";").replace("%2F", "/")))
        .collect()
}

#[tokio::test]
async fn the_s3_upload_url_signs_type_and_length_for_the_callers_key_for_at_most_15_minutes() {
    let objects = s3_objects().await;
    let bucket = objects.bucket().to_owned();
    let rig = rig(Arc::new(objects));
    let request = UploadRequest {
        content_type: "image/jpeg".into(),
        size_bytes: 123_456,
        purpose: Purpose::Report,
    };
    let signed = rig
        .service
        .create_upload(&citizen(), &request, Timestamp::now())
        .await
        .unwrap();
    let params = query(&signed.url);
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{name} missing from {}", signed.url))
    };
    assert_eq!(
        get("X-Amz-SignedHeaders"),
        "content-length;content-type;host"
    );
    let expires: u64 = get("X-Amz-Expires").parse().unwrap();
    assert!(expires <= 900 && expires > 0, "{expires}");
    assert_eq!(get("X-Amz-Algorithm"), "AWS4-HMAC-SHA256");
    let path = signed.url.split('?').next().unwrap();
    assert!(
        path.ends_with(&format!(
            "/{bucket}/incoming/citizen-1/{}",
            signed.upload_id
        )),
        "{path}"
    );
    assert_eq!(signed.method, "PUT");
    assert_eq!(signed.headers["content-type"], "image/jpeg");
    assert_eq!(signed.headers["content-length"], "123456");
    let lifetime = signed.expires_at.as_utc() - chrono::Utc::now();
    assert!(lifetime.num_seconds() <= 900);

    // The URL works: moto stores what is PUT to it.
    let bytes = samples::jpeg_with_gps(10, 10);
    let request = UploadRequest {
        content_type: "image/jpeg".into(),
        size_bytes: bytes.len() as u64,
        purpose: Purpose::Report,
    };
    let signed = rig
        .service
        .create_upload(&citizen(), &request, Timestamp::now())
        .await
        .unwrap();
    let mut put = reqwest::Client::new().put(&signed.url).body(bytes.clone());
    for (name, value) in &signed.headers {
        put = put.header(name, value);
    }
    let response = put.send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let record = rig
        .service
        .uploads()
        .get(&signed.upload_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rig.objects.get(&record.key).await.unwrap(), bytes);
}

#[tokio::test]
async fn the_daily_upload_quota_is_counted_per_caller() {
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let policy = MediaPolicy {
        daily_quota: 2,
        ..MediaPolicy::default()
    };
    let service = MediaService::new(store, Arc::new(local_objects()), policy);
    let request = UploadRequest {
        content_type: "image/png".into(),
        size_bytes: 10,
        purpose: Purpose::Feed,
    };
    let now = Timestamp::now();
    for _ in 0..2 {
        service
            .create_upload(&citizen(), &request, now)
            .await
            .unwrap();
    }
    let refused = service
        .create_upload(&citizen(), &request, now)
        .await
        .unwrap_err();
    assert!(matches!(
        refused,
        lapor_media::MediaError::QuotaExceeded { .. }
    ));
    let other = UserId::new("citizen-2").unwrap();
    assert!(service.create_upload(&other, &request, now).await.is_ok());
}
