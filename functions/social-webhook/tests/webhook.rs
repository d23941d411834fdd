//! The Meta webhook through its router over the SQLite store: the subscription
//! challenge, a good signature (the post is stored and linked), a bad one and a missing
//! one (refused with a problem, nothing stored), and a replayed body (nothing new).

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use lapor_models::{ReferenceData, Timestamp, UserId, WorkingCalendar};
use lapor_reports::repository::{IntakeConfig, ReportRepository};
use lapor_reports::{Report, Reporter, SubmitRequest};
use lapor_social::webhook::{sign, WebhookSecrets};
use lapor_social::{NewAccount, Platform, SocialRepository};
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

const SECRET: &str = "meta-app-secret";

async fn setup() -> (SocialRepository, Report) {
    let store: Arc<dyn lapor_store::ItemStore> =
        Arc::new(lapor_store::sqlite::SqliteStore::in_memory().unwrap());
    let reports = ReportRepository::new(
        store.clone(),
        Arc::new(ReferenceData::tegal().unwrap()),
        Arc::new(WorkingCalendar::indonesia().unwrap()),
        IntakeConfig::default(),
    );
    let request: SubmitRequest = serde_json::from_value(json!({
        "subcategory_id": "jalan-rusak",
        "title": "Jalan berlubang",
        "description": "Jalan berlubang besar di depan balai desa Procot, membahayakan pengendara motor.",
        "location": {"lat": -6.9824, "lon": 109.1364, "kecamatan_id": "kec-slawi", "desa": "Procot"},
        "privacy": "public", "media_ids": [], "channel": "app"
    }))
    .unwrap();
    let reporter = Reporter {
        user_id: UserId::new("warga-1").unwrap(),
        phone: None,
    };
    let report = reports
        .submit(reporter, "k1", &request, Timestamp::now())
        .await
        .unwrap()
        .report()
        .clone();
    let social = SocialRepository::new(store, reports);
    let account: NewAccount = serde_json::from_value(json!({
        "platform": "facebook", "account_id": "104857361234567", "handle": "dpupr.tegalkab",
        "unit_id": "dpupr", "credentials_ref": "FB_TOKEN"
    }))
    .unwrap();
    social
        .create_account(&account, Timestamp::now())
        .await
        .unwrap();
    (social, report)
}

fn app(social: &SocialRepository) -> axum::Router {
    lapor_api::routes::finish(social_webhook::router(
        social.clone(),
        Some(WebhookSecrets {
            verify_token: "verify-me".into(),
            app_secret: SECRET.into(),
        }),
    ))
}

fn body_for(report: &Report) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "object": "page",
        "entry": [{
            "id": "104857361234567",
            "time": 1796032800,
            "changes": [{
                "field": "feed",
                "value": {
                    "item": "status", "verb": "add",
                    "post_id": "104857361234567_912345678901234",
                    "message": format!("Sudah diperbaiki {} #LaporBupatiTegal", report.tracking_code),
                    "created_time": 1796032800
                }
            }]
        }]
    }))
    .unwrap()
}

async fn post(social: &SocialRepository, body: &[u8], signature: Option<String>) -> (u16, Value) {
    let mut request = Request::post("/v1/webhooks/meta").header("content-type", "application/json");
    if let Some(signature) = signature {
        request = request.header("x-hub-signature-256", signature);
    }
    let response = app(social)
        .oneshot(request.body(Body::from(body.to_vec())).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

const POST_ID: &str = "104857361234567_912345678901234";

#[tokio::test]
async fn the_subscription_challenge_is_echoed_only_with_the_verify_token() {
    let (social, _) = setup().await;
    let good = app(&social)
        .oneshot(
            Request::get("/v1/webhooks/meta?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(good.status(), 200);
    assert_eq!(
        &good.into_body().collect().await.unwrap().to_bytes()[..],
        b"1158201444"
    );
    let bad = app(&social)
        .oneshot(
            Request::get(
                "/v1/webhooks/meta?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1",
            )
            .body(Body::empty())
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(bad.status(), 403);
    assert_eq!(bad.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn a_well_signed_notification_stores_and_links_the_post() {
    let (social, report) = setup().await;
    let body = body_for(&report);
    let (status, outcome) = post(
        &social,
        &body,
        Some(format!("sha256={}", sign(SECRET, &body))),
    )
    .await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(
        (outcome["stored"].as_u64(), outcome["linked"].as_u64()),
        (Some(1), Some(1))
    );
    let stored = social
        .post(Platform::Facebook, POST_ID)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.report_ids, vec![report.id]);
}

#[tokio::test]
async fn a_bad_signature_is_refused_and_nothing_is_stored() {
    let (social, report) = setup().await;
    let body = body_for(&report);
    let wrong = format!("sha256={}", sign("another-secret", &body));
    let (status, problem) = post(&social, &body, Some(wrong)).await;
    assert_eq!(status, 401);
    assert_eq!(
        problem["type"],
        "urn:lapor:problem:webhook-signature-invalid"
    );
    assert!(social
        .post(Platform::Facebook, POST_ID)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_missing_signature_is_refused_and_nothing_is_stored() {
    let (social, report) = setup().await;
    let (status, problem) = post(&social, &body_for(&report), None).await;
    assert_eq!(status, 401);
    assert_eq!(
        problem["type"],
        "urn:lapor:problem:webhook-signature-missing"
    );
    assert!(social
        .post(Platform::Facebook, POST_ID)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_replayed_notification_changes_nothing() {
    let (social, report) = setup().await;
    let body = body_for(&report);
    let signature = format!("sha256={}", sign(SECRET, &body));
    let (first, _) = post(&social, &body, Some(signature.clone())).await;
    let (again, outcome) = post(&social, &body, Some(signature)).await;
    assert_eq!((first, again), (200, 200));
    assert_eq!(
        (
            outcome["stored"].as_u64(),
            outcome["linked"].as_u64(),
            outcome["updated"].as_u64()
        ),
        (Some(0), Some(0), Some(0))
    );
    let entries = social
        .reports()
        .timeline(&report.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "social_post")
        .count();
    assert_eq!(entries, 1);
    assert_eq!(
        social.counts("unit", "dpupr").await.unwrap().linked_posts,
        1
    );
}
