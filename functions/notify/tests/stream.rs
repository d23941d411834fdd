//! `notify` as Lambda runs it, over DynamoDB and SNS on moto: the sample stream event in
//! `events/notify/`, pointed at reports and PICs made in the test; what was sent is read
//! back from moto (`/moto-api/data.json`).

use aws_lambda_events::event::dynamodb::Event;
use lapor_models::{Timestamp, UserId};
use lapor_notifications::gsm::{is_basic, segments};
use lapor_notifications::moto::{notifier, pushes_to, sms_to};
use lapor_notifications::{Device, NotificationService, NotifyConfig, Pic, Platform};
use serde_json::Value;
use std::sync::Arc;

fn sample() -> Value {
    let path = format!(
        "{}/../../events/notify/report-submitted-then-assigned.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// The sample's MODIFY (assignment) record, for a new report of `unit`, at `sequence`.
fn assignment(unit: &str, sequence: &str) -> (Value, String) {
    let mut record = sample()["Records"][1].clone();
    let id = uuid::Uuid::now_v7().to_string();
    let change = &mut record["dynamodb"];
    change["SequenceNumber"] = Value::from(sequence);
    change["Keys"]["pk"]["S"] = Value::from(format!("REPORT#{id}"));
    for image in ["NewImage", "OldImage"] {
        change[image]["pk"]["S"] = Value::from(format!("REPORT#{id}"));
        change[image]["id"]["S"] = Value::from(id.clone());
        change[image]["unit_id"]["S"] = Value::from(unit);
    }
    (record, id)
}

fn event(records: Vec<Value>) -> Event {
    serde_json::from_value(serde_json::json!({ "Records": records })).unwrap()
}

/// A phone number no other test uses.
fn fresh_phone() -> String {
    let n = uuid::Uuid::new_v4().as_u128() % 100_000_000;
    format!("+62812{n:08}")
}

async fn add_pic(service: &NotificationService, unit: &str, user: &str) -> Pic {
    let pic = Pic {
        unit_id: unit.into(),
        user_id: UserId::new(user).unwrap(),
        name: format!("PIC {user}"),
        phone: fresh_phone(),
        is_head: false,
        updated_at: Timestamp::now(),
    };
    service.directory().put_pic(&pic).await.unwrap();
    pic
}

async fn add_device(service: &NotificationService, user: &str, endpoint: Option<String>) -> Device {
    let user = UserId::new(user).unwrap();
    let token = format!("fcm-{}", uuid::Uuid::new_v4());
    let endpoint = match endpoint {
        Some(endpoint) => endpoint,
        None => service
            .notifier()
            .register_device(Platform::Fcm, &token, user.as_str(), None)
            .await
            .unwrap(),
    };
    let device = Device {
        device_id: lapor_notifications::directory::device_id(&user, Platform::Fcm, &token),
        user_id: user,
        platform: Platform::Fcm,
        endpoint,
        enabled: true,
        created_at: Timestamp::now(),
        updated_at: Timestamp::now(),
    };
    service.directory().put_device(&device).await.unwrap();
    device
}

async fn service(name: &str) -> NotificationService {
    let store = lapor_store::moto::fresh_store(name).await;
    NotificationService::new(
        Arc::new(store),
        Arc::new(notifier(name).await),
        NotifyConfig::default(),
    )
}

#[tokio::test]
async fn an_assignment_to_a_unit_with_two_pics_sends_two_gsm7_sms_and_the_push_once_even_when_replayed(
) {
    let service = service("notify-assign").await;
    let a = add_pic(&service, "dpupr", "pic-a").await;
    let b = add_pic(&service, "dpupr", "pic-b").await;
    let device = add_device(&service, "pic-a", None).await;
    let (record, id) = assignment("dpupr", "200000000000000000001");
    let batch = vec![sample()["Records"][0].clone(), record];

    let response = notify::handle(&service, event(batch.clone())).await;
    assert!(response.batch_item_failures.is_empty(), "{response:?}");
    for pic in [&a, &b] {
        let texts = sms_to(&pic.phone).await;
        assert_eq!(texts.len(), 1, "{texts:?}");
        let text = &texts[0];
        assert!(
            text.chars().count() <= 160 && text.chars().all(is_basic),
            "{text}"
        );
        assert_eq!(segments(text), 1);
        assert!(
            text.contains("LBT-7K3Q9M")
                && text.contains("https://lapor.tegalkab.go.id/t/LBT-7K3Q9M"),
            "{text}"
        );
        assert!(text.contains("\"Jalan\" berlubang"), "{text}");
    }
    let pushes = pushes_to(&device.endpoint).await;
    assert_eq!(pushes.len(), 1);
    let message: Value = serde_json::from_str(&pushes[0]).unwrap();
    let fcm: Value = serde_json::from_str(message["GCM"].as_str().unwrap()).unwrap();
    assert_eq!(fcm["data"]["report_id"], id.as_str());

    // The same batch again: nothing new is sent.
    let response = notify::handle(&service, event(batch)).await;
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(sms_to(&a.phone).await.len(), 1);
    assert_eq!(sms_to(&b.phone).await.len(), 1);
    assert_eq!(pushes_to(&device.endpoint).await.len(), 1);
}

#[tokio::test]
async fn a_send_failure_in_one_record_is_reported_alone_recorded_and_retried_until_sent() {
    let service = service("notify-failure").await;
    let good = add_pic(&service, "dpupr", "pic-good").await;
    let bad = add_pic(&service, "disperkim", "pic-bad").await;
    // An endpoint SNS does not know: publishing to it fails (NotFound).
    let gone = "arn:aws:sns:ap-southeast-3:123456789012:endpoint/GCM/none/00000000-0000-0000-0000-000000000000";
    let device = add_device(&service, "pic-bad", Some(gone.into())).await;
    let (first, _) = assignment("dpupr", "300000000000000000001");
    let (second, failing_report) = assignment("disperkim", "300000000000000000002");

    let response = notify::handle(&service, event(vec![first, second.clone()])).await;
    let failed: Vec<_> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone())
        .collect();
    assert_eq!(failed, [Some("300000000000000000002".to_owned())]);
    assert_eq!(sms_to(&good.phone).await.len(), 1);
    assert_eq!(
        sms_to(&bad.phone).await.len(),
        1,
        "the SMS of the failing record went out"
    );
    let report = failing_report.parse().unwrap();
    let list = service.list(&report).await.unwrap();
    let push = list.iter().find(|n| n.channel == "push").unwrap();
    assert_eq!((push.status.as_str(), push.attempts), ("failed", 1));
    assert!(push.error.as_deref().is_some_and(|e| !e.is_empty()));

    // Lambda retries the failed record; still failing, it is tried again and counted.
    let response = notify::handle(&service, event(vec![second.clone()])).await;
    assert_eq!(response.batch_item_failures.len(), 1);
    let list = service.list(&report).await.unwrap();
    assert_eq!(
        list.iter().find(|n| n.channel == "push").unwrap().attempts,
        2
    );

    // The device registers again (a working endpoint); the next retry sends the push
    // alone, and the SMS already sent is not sent again.
    let endpoint = service
        .notifier()
        .register_device(
            Platform::Fcm,
            &format!("fresh-{}", uuid::Uuid::new_v4()),
            "pic-bad",
            Some(gone),
        )
        .await
        .unwrap();
    service
        .directory()
        .put_device(&Device {
            endpoint: endpoint.clone(),
            ..device
        })
        .await
        .unwrap();
    let response = notify::handle(&service, event(vec![second])).await;
    assert!(response.batch_item_failures.is_empty(), "{response:?}");
    let list = service.list(&report).await.unwrap();
    let push = list.iter().find(|n| n.channel == "push").unwrap();
    assert_eq!((push.status.as_str(), push.attempts), ("sent", 3));
    assert_eq!(pushes_to(&endpoint).await.len(), 1);
    assert_eq!(sms_to(&bad.phone).await.len(), 1);
}

#[tokio::test]
async fn a_push_endpoint_sns_reports_disabled_is_pruned_and_not_retried() {
    let service = service("notify-disabled").await;
    add_pic(&service, "dpupr", "pic-x").await;
    let device = add_device(&service, "pic-x", None).await;
    lapor_notifications::moto::client()
        .await
        .set_endpoint_attributes()
        .endpoint_arn(&device.endpoint)
        .attributes("Enabled", "false")
        .send()
        .await
        .unwrap();
    let (record, id) = assignment("dpupr", "400000000000000000001");
    let response = notify::handle(&service, event(vec![record])).await;
    assert!(response.batch_item_failures.is_empty(), "{response:?}");
    let list = service.list(&id.parse().unwrap()).await.unwrap();
    let push = list.iter().find(|n| n.channel == "push").unwrap();
    assert_eq!(push.status, "skipped");
    assert!(service
        .directory()
        .devices(&device.user_id)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn the_quiet_hours_schedule_event_flushes_deferred_sms_and_a_stream_batch_still_works() {
    let service = service("notify-schedule").await;
    let path = format!(
        "{}/../../events/notify/quiet-hours-flush.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let event: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let answer = notify::handle_any(&service, event).await.unwrap();
    assert_eq!(answer["deferred_sent"], 0, "nothing was deferred yet");
    let path = format!(
        "{}/../../events/notify/report-submitted-then-assigned.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let batch: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let answer = notify::handle_any(&service, batch).await.unwrap();
    assert!(
        answer["batchItemFailures"].as_array().unwrap().is_empty(),
        "{answer}"
    );
}
