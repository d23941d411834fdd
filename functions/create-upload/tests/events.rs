//! `create-upload` as Lambda runs it: the sample API Gateway events in
//! `events/create-upload/` through the handler, over DynamoDB and S3 (moto).

use lapor_api::lambda::handle_event;
use lapor_media::{MediaPolicy, MediaService};
use serde_json::Value;
use std::sync::Arc;

async fn service() -> MediaService {
    let store = lapor_store::moto::fresh_store("uploads").await;
    let objects = lapor_media::moto::fresh_bucket().await;
    MediaService::new(Arc::new(store), Arc::new(objects), MediaPolicy::default())
}

async fn invoke(service: &MediaService, case: &str) -> (u16, Value) {
    let path = format!(
        "{}/../../events/create-upload/{case}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let event = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let app = lapor_api::routes::finish(create_upload::router(service.clone()));
    let response = handle_event(app, &event).await.unwrap();
    let body = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
    (response.status().as_u16(), body)
}

#[tokio::test]
async fn a_citizen_gets_a_put_url_signed_for_type_and_length_on_their_own_key() {
    let service = service().await;
    let (status, body) = invoke(&service, "create-photo").await;
    assert_eq!(status, 201, "{body}");
    let id = body["upload_id"].as_str().unwrap();
    assert_eq!(body["method"], "PUT");
    assert_eq!(body["headers"]["content-type"], "image/jpeg");
    assert_eq!(body["headers"]["content-length"], "2480000");
    let url = body["url"].as_str().unwrap();
    assert!(
        url.contains(&format!("/incoming/3f2a9c1e-citizen-siti/{id}?")),
        "{url}"
    );
    assert!(url.contains("X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost"));
    assert!(body["expires_at"].is_string());
    let record = service.uploads().get(id).await.unwrap().unwrap();
    assert_eq!(record.owner.as_str(), "3f2a9c1e-citizen-siti");
    assert_eq!(record.status.as_str(), "pending");
}

#[tokio::test]
async fn a_photo_over_the_limit_is_a_field_error_in_the_requested_language() {
    let service = service().await;
    let (status, body) = invoke(&service, "create-too-large").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "size_bytes");
    assert_eq!(body["errors"][0]["code"], "too_large");
    assert_eq!(body["errors"][0]["message"], "Photos may be at most 10 MB.");
    let (status, body) = invoke(&service, "create-unsupported-type").await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "content_type");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("Jenis berkas tidak didukung"));
}

#[tokio::test]
async fn an_anonymous_caller_must_sign_in() {
    let service = service().await;
    let (status, body) = invoke(&service, "create-anonymous").await;
    assert_eq!(status, 401);
    assert_eq!(body["type"], "urn:lapor:problem:unauthorized");
}
