//! `stats-consumer` as Lambda runs it: the sample DynamoDB stream batch in
//! `events/stats-consumer/` through the handler, over DynamoDB on moto, delivered twice.

use aws_lambda_events::event::dynamodb::Event;
use lapor_stats::StatsConsumer;
use lapor_store::{ItemStore, Key};
use std::sync::Arc;

fn event(case: &str) -> Event {
    let path = format!(
        "{}/../../events/stats-consumer/{case}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn counter(store: &dyn ItemStore, pk: &str, sk: &str, name: &str) -> i64 {
    store
        .get(&Key::new(pk, sk))
        .await
        .unwrap()
        .and_then(|item| item.get(name).and_then(|v| v.as_i64()))
        .unwrap_or(0)
}

#[tokio::test]
async fn a_batch_delivered_twice_is_counted_once() {
    let store = Arc::new(lapor_store::moto::fresh_store("stats").await);
    let consumer = StatsConsumer::new(store.clone());
    for _ in 0..2 {
        let response =
            stats_consumer::handle(&consumer, event("report-submitted-assigned-resolved")).await;
        assert!(response.batch_item_failures.is_empty());
    }
    let store = store.as_ref();
    assert_eq!(counter(store, "STATS#ALL", "total", "reports").await, 1);
    assert_eq!(counter(store, "STATS#ALL", "total", "responded").await, 1);
    assert_eq!(
        counter(store, "STATS#M#2026-03", "status#resolved", "reports").await,
        1
    );
    assert_eq!(
        counter(store, "STATS#M#2026-03", "status#submitted", "reports").await,
        0
    );
    assert_eq!(
        counter(store, "STATS#D#2026-03-02", "unit#dpupr", "resolved").await,
        1
    );
    let pic = "pic#dpupr#pic-dpupr-1";
    assert_eq!(
        counter(store, "STATS#M#2026-03", pic, "follow_ups").await,
        1
    );
    assert_eq!(
        counter(store, "STATS#D#2026-03-03", pic, "first_responses").await,
        1
    );
    assert_eq!(counter(store, "STATS#ALL", "sla#dpupr", "met").await, 1);
}

#[tokio::test]
async fn a_record_that_is_not_a_readable_report_is_answered_as_a_batch_item_failure() {
    let store = Arc::new(lapor_store::moto::fresh_store("stats").await);
    let consumer = StatsConsumer::new(store);
    let path = format!(
        "{}/../../events/stats-consumer/report-submitted-assigned-resolved.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    json["Records"][1]["dynamodb"]["NewImage"]["status"]["S"] = "lost".into();
    let sequence = json["Records"][1]["dynamodb"]["SequenceNumber"]
        .as_str()
        .map(str::to_owned);
    let batch: Event = serde_json::from_value(json).unwrap();
    let response = stats_consumer::handle(&consumer, batch).await;
    assert_eq!(response.batch_item_failures.len(), 1);
    assert_eq!(response.batch_item_failures[0].item_identifier, sequence);
}
