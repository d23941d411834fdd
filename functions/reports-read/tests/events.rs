//! `reports-read` as Lambda runs it: the sample API Gateway events in
//! `events/reports-read/` through the handler, over DynamoDB (moto), after a report was
//! filed through the `submit-report` handler with its sample event.

use lapor_api::lambda::handle_event;
use lapor_models::{ReferenceData, WorkingCalendar};
use lapor_reports::repository::{IntakeConfig, ReportRepository};
use serde_json::Value;
use std::sync::Arc;

async fn repository() -> ReportRepository {
    let store = lapor_store::moto::fresh_store("read").await;
    ReportRepository::new(
        Arc::new(store),
        Arc::new(ReferenceData::tegal().unwrap()),
        Arc::new(WorkingCalendar::indonesia().unwrap()),
        IntakeConfig::default(),
    )
}

fn event(function: &str, case: &str) -> String {
    let path = format!(
        "{}/../../events/{function}/{case}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn read(repository: &ReportRepository, event: &str) -> (u16, Value) {
    let store = lapor_store::moto::fresh_store("read-media").await;
    let media = lapor_media::MediaService::new(
        Arc::new(store),
        Arc::new(lapor_media::moto::fresh_bucket().await),
        lapor_media::MediaPolicy::default(),
    );
    let app = lapor_api::routes::finish(reports_read::router(repository.clone(), media));
    let response = handle_event(app, event).await.unwrap();
    let body = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
    (response.status().as_u16(), body)
}

async fn file_report(repository: &ReportRepository) -> Value {
    let app = lapor_api::routes::finish(submit_report::router(repository.clone()));
    let response = handle_event(app, &event("submit-report", "submit-public"))
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    serde_json::from_slice(response.body()).unwrap()
}

#[tokio::test]
async fn the_public_list_shows_the_report_without_its_reporter() {
    let repository = repository().await;
    let filed = file_report(&repository).await;
    let (status, body) = read(&repository, &event("reports-read", "list-public")).await;
    assert_eq!(status, 200);
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], filed["id"]);
    assert!(items[0]["reporter"].is_null());
    assert!(!body.to_string().contains("+62"));
}

#[tokio::test]
async fn the_reporter_sees_their_own_reports_with_identity() {
    let repository = repository().await;
    let filed = file_report(&repository).await;
    let (status, body) = read(&repository, &event("reports-read", "my-reports")).await;
    assert_eq!(status, 200);
    assert_eq!(body["items"][0]["id"], filed["id"]);
    assert_eq!(body["items"][0]["reporter"]["phone"], "+6281234567890");
}

#[tokio::test]
async fn nearby_finds_the_report_filed_at_that_point() {
    let repository = repository().await;
    let filed = file_report(&repository).await;
    let (status, body) = read(&repository, &event("reports-read", "nearby")).await;
    assert_eq!(status, 200);
    assert_eq!(body["items"][0]["id"], filed["id"]);
}

#[tokio::test]
async fn an_anonymous_caller_reading_an_unknown_report_gets_404() {
    let (status, body) = read(
        &repository().await,
        &event("reports-read", "get-anonymous-caller"),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["type"], "urn:lapor:problem:not-found");
}

#[tokio::test]
async fn an_unknown_tracking_code_is_not_found() {
    let (status, _) = read(&repository().await, &event("reports-read", "track-unknown")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_bad_status_and_limit_are_both_reported() {
    let (status, body) = read(
        &repository().await,
        &event("reports-read", "list-bad-status"),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
}
