//! `submit-report` as Lambda runs it: the sample API Gateway events in
//! `events/submit-report/` through the handler, over DynamoDB (moto).

use lapor_api::lambda::handle_event;
use lapor_models::{ReferenceData, WorkingCalendar};
use lapor_reports::repository::{IntakeConfig, ReportRepository};
use serde_json::Value;
use std::sync::Arc;

async fn repository() -> ReportRepository {
    let store = lapor_store::moto::fresh_store("submit").await;
    ReportRepository::new(
        Arc::new(store),
        Arc::new(ReferenceData::tegal().unwrap()),
        Arc::new(WorkingCalendar::indonesia().unwrap()),
        IntakeConfig::default(),
    )
}

fn event(case: &str) -> String {
    let path = format!(
        "{}/../../events/submit-report/{case}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn invoke(repository: &ReportRepository, case: &str) -> (u16, http::HeaderMap, Value) {
    let app = lapor_api::routes::finish(submit_report::router(repository.clone()));
    let response = handle_event(app, &event(case)).await.unwrap();
    let body = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
    (response.status().as_u16(), response.headers().clone(), body)
}

#[tokio::test]
async fn a_citizen_event_files_a_report_once_even_when_redelivered() {
    let repository = repository().await;
    let (status, headers, first) = invoke(&repository, "submit-public").await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["status"], "submitted");
    assert_eq!(first["unit_id"], "dpupr");
    assert_eq!(first["reporter"]["phone"], "+6281234567890");
    assert_eq!(headers["etag"], "\"1\"");
    let (status, headers, again) = invoke(&repository, "submit-public").await;
    assert_eq!(status, 201);
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["tracking_code"], first["tracking_code"]);
}

#[tokio::test]
async fn a_report_outside_the_regency_is_refused_in_english_when_asked() {
    let (status, headers, problem) = invoke(&repository().await, "submit-outside-regency").await;
    assert_eq!(status, 422);
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(problem["title"], "Invalid data");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"location"), "{fields:?}");
    assert!(fields.contains(&"description"), "{fields:?}");
}

#[tokio::test]
async fn an_event_without_an_idempotency_key_is_refused() {
    let (status, _, problem) = invoke(&repository().await, "submit-without-idempotency-key").await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "Idempotency-Key");
}

#[tokio::test]
async fn a_pic_cannot_file_a_report() {
    let (status, _, _) = invoke(&repository().await, "submit-as-pic").await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn malformed_json_is_a_bad_request() {
    let (status, _, problem) = invoke(&repository().await, "submit-malformed-json").await;
    assert_eq!(status, 400);
    assert_eq!(problem["type"], "urn:lapor:problem:bad-request");
}

#[tokio::test]
async fn supporting_an_unknown_report_is_not_found() {
    let (status, _, _) = invoke(&repository().await, "support-unknown-report").await;
    assert_eq!(status, 404);
}
