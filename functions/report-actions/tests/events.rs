//! `report-actions` as Lambda runs it: sample API Gateway events from
//! `events/report-actions/` (their `REPORT_ID` replaced by a report filed through the
//! `submit-report` handler) over DynamoDB (moto).

use lapor_api::lambda::handle_event;
use lapor_models::{ReferenceData, WorkingCalendar};
use lapor_reports::repository::{IntakeConfig, ReportRepository};
use serde_json::Value;
use std::sync::Arc;

fn event(function: &str, case: &str) -> String {
    let path = format!(
        "{}/../../events/{function}/{case}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn setup() -> (ReportRepository, String) {
    let store = lapor_store::moto::fresh_store("actions").await;
    let repository = ReportRepository::new(
        Arc::new(store),
        Arc::new(ReferenceData::tegal().unwrap()),
        Arc::new(WorkingCalendar::indonesia().unwrap()),
        IntakeConfig::default(),
    );
    let app = lapor_api::routes::finish(submit_report::router(repository.clone()));
    let response = handle_event(app, &event("submit-report", "submit-public"))
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let report: Value = serde_json::from_slice(response.body()).unwrap();
    (repository, report["id"].as_str().unwrap().to_owned())
}

async fn act(repository: &ReportRepository, id: &str, case: &str) -> (u16, Value) {
    let app = lapor_api::routes::finish(report_actions::router(repository.clone()));
    let response = handle_event(app, &event("report-actions", case).replace("REPORT_ID", id))
        .await
        .unwrap();
    let body = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
    (response.status().as_u16(), body)
}

#[tokio::test]
async fn an_admin_verifies_and_the_units_pic_acknowledges_and_a_replay_is_stale() {
    let (repository, id) = setup().await;
    let (status, body) = act(&repository, &id, "verify-by-admin").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "assigned");
    assert_eq!(body["version"], 2);
    let (status, _) = act(&repository, &id, "verify-by-admin").await;
    assert_eq!(status, 412, "the same If-Match again is stale");
    let (status, body) = act(&repository, &id, "acknowledge-by-pic").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "in_progress");
    let (status, body) = act(&repository, &id, "forward-to-unknown-unit").await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "unit_id");
    assert_eq!(body["title"], "Invalid data");
}

#[tokio::test]
async fn an_action_without_if_match_is_refused_with_428() {
    let (repository, id) = setup().await;
    let (status, body) = act(&repository, &id, "verify-without-if-match").await;
    assert_eq!(status, 428);
    assert_eq!(body["type"], "urn:lapor:problem:precondition-required");
}
