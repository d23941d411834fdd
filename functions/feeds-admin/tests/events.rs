//! The feeds-admin function answering the sample API Gateway events in `events/feeds-admin/`.

use lapor_api::lambda::handle_event;
use lapor_feeds::FeedRepository;
use lapor_models::ReferenceData;
use lapor_store::sqlite::SqliteStore;
use serde_json::Value;
use std::sync::Arc;

async fn invoke(case: &str) -> (u16, http::HeaderMap, Value) {
    let path = format!(
        "{}/../../events/feeds-admin/{case}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let event = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let repository = FeedRepository::new(
        Arc::new(SqliteStore::in_memory().unwrap()),
        Arc::new(ReferenceData::tegal().unwrap()),
    );
    let app = lapor_api::routes::finish(feeds_admin::router(repository));
    let response = handle_event(app, &event).await.unwrap();
    let body = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
    (response.status().as_u16(), response.headers().clone(), body)
}

#[tokio::test]
async fn an_admin_creates_a_sanitized_draft() {
    let (status, headers, body) = invoke("create-news-as-admin").await;
    assert_eq!(status, 201);
    assert!(headers["location"]
        .to_str()
        .unwrap()
        .starts_with("/v1/admin/feeds/news/"));
    assert_eq!(body["state"], "draft");
    assert_eq!(body["body"], "<p>Jembatan <strong>diresmikan</strong>.</p>");
}

#[tokio::test]
async fn a_citizen_is_refused_with_403_and_the_anonymous_with_401() {
    assert_eq!(invoke("create-as-citizen").await.0, 403);
    assert_eq!(invoke("create-anonymous").await.0, 401);
}

#[tokio::test]
async fn an_invalid_emergency_number_lists_each_field() {
    let (status, _, body) = invoke("create-emergency-invalid").await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["name", "number"]);
}
