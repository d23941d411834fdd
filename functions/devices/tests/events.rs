//! `devices` as Lambda runs it: the sample API Gateway events in `events/devices/`.

use lapor_notifications::{NotificationService, NotifyConfig, Outbox};
use serde_json::Value;
use std::sync::Arc;

#[tokio::test]
async fn a_settings_body_that_is_not_a_boolean_is_refused_with_a_field_error() {
    let path = format!(
        "{}/../../events/devices/settings-not-a-boolean.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let event = std::fs::read_to_string(&path).unwrap();
    let dir = std::env::temp_dir().join(format!("lapor-devices-{}", uuid::Uuid::new_v4()));
    let store = Arc::new(lapor_store::sqlite::SqliteStore::in_memory().unwrap());
    let service = NotificationService::new(
        store,
        Arc::new(Outbox::new(&dir.join("outbox.jsonl"))),
        NotifyConfig::default(),
    );
    let response = lapor_api::lambda::handle_event(
        lapor_api::routes::finish(devices::router(service.clone())),
        &event,
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 422);
    let problem: Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(problem["errors"][0]["field"], "sms", "{problem}");
    let user = lapor_models::UserId::new("warga-1").unwrap();
    assert!(!service.directory().settings(&user).await.unwrap().sms);
}
