//! `publish-transparency` as Lambda runs it: the sample events in
//! `events/publish-transparency/` through the handler, over DynamoDB and S3 on moto,
//! after the sample stream batch of `events/stats-consumer/` was counted.

use lapor_models::ReferenceData;
use lapor_stats::{Publisher, StatsConsumer};
use serde_json::Value;
use std::sync::Arc;

fn event(function: &str, case: &str) -> Value {
    let path = format!(
        "{}/../../events/{function}/{case}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn publisher() -> Publisher {
    let store = Arc::new(lapor_store::moto::fresh_store("transparency").await);
    let consumer = StatsConsumer::new(store.clone());
    let batch = serde_json::from_value(event(
        "stats-consumer",
        "report-submitted-assigned-resolved",
    ))
    .unwrap();
    let response = lapor_consumers::lambda::handle_batch(&consumer, batch).await;
    assert!(response.batch_item_failures.is_empty());
    let bucket = lapor_media::moto::fresh_bucket().await;
    Publisher::new(
        store,
        Arc::new(bucket),
        Arc::new(ReferenceData::tegal().unwrap()),
    )
}

async fn http(publisher: &Publisher, case: &str) -> (u64, Value) {
    let answer =
        publish_transparency::handle_lambda_event(publisher, event("publish-transparency", case))
            .await
            .unwrap();
    let body = answer["body"].as_str().unwrap_or("null");
    (
        answer["statusCode"].as_u64().unwrap(),
        serde_json::from_str(body).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn the_daily_schedule_publishes_the_site_to_the_bucket() {
    let publisher = publisher().await;
    let answer = publish_transparency::handle_lambda_event(
        &publisher,
        event("publish-transparency", "daily"),
    )
    .await
    .unwrap();
    assert_eq!(answer["files"].as_array().unwrap().len(), 4, "{answer}");
    let summary: Value =
        serde_json::from_slice(&publisher.objects().get("summary.json").await.unwrap()).unwrap();
    assert_eq!(summary["totals"]["reports"], 1);
    let html = publisher.objects().get("index.html").await.unwrap();
    assert!(String::from_utf8(html).unwrap().contains("Transparansi"));
    let (status, body) = http(&publisher, "summary").await;
    assert_eq!(status, 200);
    assert_eq!(body["schema_version"], 1);
}

#[tokio::test]
async fn only_an_admin_publishes_on_demand() {
    let publisher = publisher().await;
    let (status, body) = http(&publisher, "publish-as-citizen").await;
    assert_eq!(
        (status, body["type"].as_str()),
        (403, Some("urn:lapor:problem:forbidden"))
    );
    let (status, body) = http(&publisher, "publish-as-admin").await;
    assert_eq!(status, 200, "{body}");
    assert!(body["counter_items_read"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn the_leaderboard_of_a_month_ranks_its_pics_and_refuses_a_bad_period() {
    let publisher = publisher().await;
    let (status, body) = http(&publisher, "leaderboard-march").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["pics"][0]["pic_id"], "pic-dpupr-1");
    assert_eq!(body["pics"][0]["follow_ups_with_evidence"], 1);
    assert_eq!(body["units"][0]["unit_id"], "dpupr");
    let (status, body) = http(&publisher, "leaderboard-bad-period").await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "period");
}
