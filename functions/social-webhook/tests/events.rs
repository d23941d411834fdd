//! `social-webhook` as Lambda runs it: the sample API Gateway events in
//! `events/social-webhook/` through the handler, over the SQLite store. The signed
//! sample is signed with the app secret `lapor-app-secret`.

use lapor_api::lambda::handle_event;
use lapor_models::{ReferenceData, WorkingCalendar};
use lapor_reports::repository::{IntakeConfig, ReportRepository};
use lapor_social::webhook::WebhookSecrets;
use lapor_social::{NewAccount, Platform, SocialRepository};
use serde_json::json;
use std::sync::Arc;

fn event(case: &str) -> String {
    let path = format!(
        "{}/../../events/social-webhook/{case}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn social() -> SocialRepository {
    let store: Arc<dyn lapor_store::ItemStore> =
        Arc::new(lapor_store::sqlite::SqliteStore::in_memory().unwrap());
    let reports = ReportRepository::new(
        store.clone(),
        Arc::new(ReferenceData::tegal().unwrap()),
        Arc::new(WorkingCalendar::indonesia().unwrap()),
        IntakeConfig::default(),
    );
    let social = SocialRepository::new(store, reports);
    let account: NewAccount = serde_json::from_value(json!({
        "platform": "facebook", "account_id": "104857361234567", "handle": "dpupr.tegalkab",
        "unit_id": "dpupr", "credentials_ref": "FB_TOKEN"
    }))
    .unwrap();
    social
        .create_account(&account, lapor_models::Timestamp::now())
        .await
        .unwrap();
    social
}

async fn status_of(social: &SocialRepository, case: &str) -> (u16, Vec<u8>) {
    let app = lapor_api::routes::finish(social_webhook::router(
        social.clone(),
        Some(WebhookSecrets {
            verify_token: "lapor-verify-token".into(),
            app_secret: "lapor-app-secret".into(),
        }),
    ));
    let response = handle_event(app, &event(case)).await.unwrap();
    (response.status().as_u16(), response.body().to_vec())
}

const POST_ID: &str = "104857361234567_912345678901234";

#[tokio::test]
async fn the_sample_challenge_is_echoed() {
    let social = social().await;
    let (status, body) = status_of(&social, "challenge").await;
    assert_eq!((status, &body[..]), (200, &b"1158201444"[..]));
}

#[tokio::test]
async fn the_signed_sample_is_stored_and_the_others_are_refused() {
    let social = social().await;
    for case in ["notify-bad-signature", "notify-unsigned"] {
        let (status, _) = status_of(&social, case).await;
        assert_eq!(status, 401, "{case}");
        assert!(social
            .post(Platform::Facebook, POST_ID)
            .await
            .unwrap()
            .is_none());
    }
    let (status, _) = status_of(&social, "notify-signed").await;
    assert_eq!(status, 200);
    assert!(social
        .post(Platform::Facebook, POST_ID)
        .await
        .unwrap()
        .is_some());
}
