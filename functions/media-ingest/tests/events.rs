//! `media-ingest` as Lambda runs it: the sample S3 notification in
//! `events/media-ingest/`, pointed at an upload made in the test, over DynamoDB and S3
//! (moto).

use aws_lambda_events::event::s3::S3Event;
use lapor_media::{samples, MediaPolicy, MediaService, ObjectStore, Purpose, UploadRequest};
use lapor_models::{Timestamp, UserId};
use serde_json::Value;
use std::sync::Arc;

fn sample_event(key: &str) -> S3Event {
    let path = format!(
        "{}/../../events/media-ingest/object-created.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut event: Value = serde_json::from_str(&text).unwrap();
    event["Records"][0]["s3"]["object"]["key"] = Value::from(key.replace('@', "%40"));
    serde_json::from_value(event).unwrap()
}

#[tokio::test]
async fn an_object_created_event_verifies_the_upload_once_even_when_redelivered() {
    let store = lapor_store::moto::fresh_store("ingest").await;
    let objects = Arc::new(lapor_media::moto::fresh_bucket().await);
    let service = MediaService::new(Arc::new(store), objects.clone(), MediaPolicy::default());
    let photo = samples::jpeg_with_gps(120, 90);
    let owner = UserId::new("citizen@tegal").unwrap();
    let request = UploadRequest {
        content_type: "image/jpeg".into(),
        size_bytes: photo.len() as u64,
        purpose: Purpose::Report,
    };
    let signed = service
        .create_upload(&owner, &request, Timestamp::now())
        .await
        .unwrap();
    let key = format!("incoming/citizen@tegal/{}", signed.upload_id);
    objects.put(&key, "image/jpeg", photo).await.unwrap();

    let summary = media_ingest::handle(&service, sample_event(&key))
        .await
        .unwrap();
    assert_eq!(summary["verified"], 1, "{summary}");
    let record = service
        .uploads()
        .get(&signed.upload_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.status.as_str(), "verified");
    let summary = media_ingest::handle(&service, sample_event(&key))
        .await
        .unwrap();
    assert_eq!(summary["unchanged"], 1, "{summary}");
    assert_eq!(
        service
            .uploads()
            .get(&signed.upload_id)
            .await
            .unwrap()
            .unwrap(),
        record
    );
}
