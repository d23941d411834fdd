//! The catalog function answering the sample API Gateway events in `events/catalog/`.

use catalog::{router, Catalog};
use lapor_api::lambda::handle_event;
use lapor_models::ReferenceData;
use serde_json::Value;
use std::sync::Arc;

async fn invoke(case: &str) -> (u16, http::HeaderMap, Value) {
    let path = format!(
        "{}/../../events/catalog/{case}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let event = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let catalog = Arc::new(Catalog::new(&ReferenceData::tegal().unwrap()));
    let app = lapor_api::routes::finish(router(catalog));
    let response = handle_event(app, &event).await.unwrap();
    let body = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
    (response.status().as_u16(), response.headers().clone(), body)
}

#[tokio::test]
async fn categories_list_all_28_with_166_subcategories() {
    let (status, headers, body) = invoke("list-categories").await;
    assert_eq!(status, 200);
    assert!(headers.contains_key("etag"));
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 28);
    let subcategories: usize = items
        .iter()
        .map(|c| c["subcategories"].as_array().unwrap().len())
        .sum();
    assert_eq!(subcategories, 166);
    assert!(items[0]["subcategories"][0]["id"].is_string());
    assert!(items[0]["subcategories"][0]["name"].is_string());
}

#[tokio::test]
async fn units_filtered_by_kind_list_the_18_kecamatan() {
    let (status, _, body) = invoke("list-districts").await;
    assert_eq!(status, 200);
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 18);
    assert!(items.iter().all(|u| u["kind"] == "district"));
}

#[tokio::test]
async fn an_unknown_unit_kind_is_a_field_error_in_the_requested_language() {
    let (status, headers, body) = invoke("list-units-bad-kind").await;
    assert_eq!(status, 422);
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(body["errors"][0]["field"], "kind");
    assert_eq!(body["title"], "Invalid data");
}
