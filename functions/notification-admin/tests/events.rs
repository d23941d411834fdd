//! `notification-admin` as Lambda runs it: the sample API Gateway events in
//! `events/notification-admin/`.

use lapor_notifications::{NotificationService, NotifyConfig, Outbox};
use serde_json::Value;
use std::sync::Arc;

#[tokio::test]
async fn an_admin_adding_a_pic_with_a_local_number_gets_it_stored_in_e164() {
    let path = format!(
        "{}/../../events/notification-admin/add-pic-local-number.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let event = std::fs::read_to_string(&path).unwrap();
    let dir = std::env::temp_dir().join(format!("lapor-admin-{}", uuid::Uuid::new_v4()));
    let store = Arc::new(lapor_store::sqlite::SqliteStore::in_memory().unwrap());
    let service = NotificationService::new(
        store,
        Arc::new(Outbox::new(&dir.join("outbox.jsonl"))),
        NotifyConfig::default(),
    );
    let reference = Arc::new(lapor_models::ReferenceData::tegal().unwrap());
    let router = lapor_api::routes::finish(notification_admin::router(service.clone(), reference));
    let response = lapor_api::lambda::handle_event(router.clone(), &event)
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let pic: Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(pic["phone"], "+6281234567890");
    // The same event again replaces rather than duplicates.
    let response = lapor_api::lambda::handle_event(router, &event)
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(service.directory().pics("dpupr").await.unwrap().len(), 1);
}
