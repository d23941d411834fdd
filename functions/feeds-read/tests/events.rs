//! The feeds-read function answering the sample API Gateway events in `events/feeds-read/`.

use lapor_api::lambda::handle_event;
use lapor_feeds::FeedRepository;
use lapor_models::{ReferenceData, Timestamp};
use lapor_store::sqlite::SqliteStore;
use serde_json::Value;
use std::sync::Arc;

async fn invoke(case: &str) -> (u16, http::HeaderMap, Value) {
    let path = format!(
        "{}/../../events/feeds-read/{case}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let event = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let repository = FeedRepository::new(
        Arc::new(SqliteStore::in_memory().unwrap()),
        Arc::new(ReferenceData::tegal().unwrap()),
    );
    lapor_feeds::seed::seed_emergency_numbers(&repository, Timestamp::now())
        .await
        .unwrap();
    let app = lapor_api::routes::finish(feeds_read::router(repository));
    let response = handle_event(app, &event).await.unwrap();
    let body = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
    (response.status().as_u16(), response.headers().clone(), body)
}

#[tokio::test]
async fn the_home_screen_is_cacheable_and_lists_the_seeded_emergency_numbers() {
    let (status, headers, body) = invoke("home").await;
    assert_eq!(status, 200);
    assert!(headers.contains_key("etag"));
    assert!(headers["cache-control"]
        .to_str()
        .unwrap()
        .contains("public"));
    assert!(body["emergency"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["number"] == "112"));
}

#[tokio::test]
async fn a_filtered_umkm_list_answers_an_empty_page() {
    let (status, _, body) = invoke("list-umkm-filtered").await;
    assert_eq!(status, 200);
    assert_eq!(body["items"], serde_json::json!([]));
}

#[tokio::test]
async fn an_unknown_list_parameter_is_a_field_error_in_english() {
    let (status, headers, body) = invoke("list-unknown-parameter").await;
    assert_eq!(status, 422);
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(body["errors"][0]["field"], "sort");
    assert_eq!(body["title"], "Invalid data");
}
