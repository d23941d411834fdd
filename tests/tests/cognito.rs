//! `GET /v1/reports/{id}` in AWS has no authorizer (an HTTP API cannot make one
//! optional), so `reports-read` checks a Cognito token itself. These tests run the
//! Lambda handlers over DynamoDB (moto) with a stand-in user pool serving its key set on
//! loopback: each role sees what the privacy rules give it, every token the authorizer
//! would refuse is refused, and a key set that cannot be fetched asks for a retry rather
//! than showing less.

use lapor_api::cognito::TokenVerifier;
use lapor_api::lambda::handle_event_with;
use lapor_models::{ReferenceData, WorkingCalendar};
use lapor_reports::repository::{IntakeConfig, ReportRepository};
use lapor_tests::cognito::{TestUserPool, CLIENT_ID};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// The citizen of `events/submit-report/submit-public.json`.
const REPORTER: &str = "3f2a9c1e-citizen-siti";
const REPORTER_PHONE: &str = "+6281234567890";

async fn repository() -> ReportRepository {
    let store = lapor_store::moto::fresh_store("cognito").await;
    ReportRepository::new(
        Arc::new(store),
        Arc::new(ReferenceData::tegal().unwrap()),
        Arc::new(WorkingCalendar::indonesia().unwrap()),
        IntakeConfig::default(),
    )
}

fn event(function: &str, case: &str) -> Value {
    let path = format!(
        "{}/../events/{function}/{case}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// Files a report with `privacy` through the `submit-report` handler.
async fn file(repository: &ReportRepository, privacy: &str) -> Value {
    let mut submit = event("submit-report", "submit-public");
    let mut body: Value = serde_json::from_str(submit["body"].as_str().unwrap()).unwrap();
    body["privacy"] = json!(privacy);
    submit["body"] = json!(body.to_string());
    submit["headers"]["idempotency-key"] = json!(uuid::Uuid::new_v4().to_string());
    let app = lapor_api::routes::finish(submit_report::router(repository.clone()));
    let response = lapor_api::lambda::handle_event(app, &submit.to_string())
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    serde_json::from_slice(response.body()).unwrap()
}

struct Answer {
    status: u16,
    retry_after: Option<String>,
    body: Value,
}

/// Runs `request` (an API Gateway event) through `reports-read` with `token` in its
/// `Authorization` header and no authorizer claims, as API Gateway delivers it.
async fn read(
    repository: &ReportRepository,
    verifier: Option<Arc<TokenVerifier>>,
    mut request: Value,
    token: Option<&str>,
) -> Answer {
    match token {
        Some(token) => request["headers"]["authorization"] = json!(format!("Bearer {token}")),
        None => {
            if let Some(headers) = request["headers"].as_object_mut() {
                headers.remove("authorization");
            }
        }
    }
    let store = lapor_store::moto::fresh_store("cognito-media").await;
    let media = lapor_media::MediaService::new(
        Arc::new(store),
        Arc::new(lapor_media::moto::fresh_bucket().await),
        lapor_media::MediaPolicy::default(),
    );
    let app = lapor_api::routes::finish(reports_read::router(repository.clone(), media));
    let response = handle_event_with(app, verifier, &request.to_string())
        .await
        .unwrap();
    Answer {
        status: response.status().as_u16(),
        retry_after: response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: serde_json::from_slice(response.body()).unwrap_or(Value::Null),
    }
}

fn get_report(id: &str) -> Value {
    let mut request = event("reports-read", "get-signed-in-reporter");
    let path = format!("/v1/reports/{id}");
    request["rawPath"] = json!(path);
    request["requestContext"]["http"]["path"] = json!(path);
    request["pathParameters"]["id"] = json!(id);
    request
}

fn reporter_token(pool: &TestUserPool) -> String {
    let mut claims = pool.id_claims(REPORTER, &["citizen"]);
    claims["phone_number"] = json!(REPORTER_PHONE);
    pool.sign(&claims)
}

fn pic_token(pool: &TestUserPool, unit: &str) -> String {
    let mut claims = pool.id_claims("pic-of-some-unit", &["pic"]);
    claims["custom:unit_id"] = json!(unit);
    pool.sign(&claims)
}

#[tokio::test]
async fn the_reporter_sees_their_anonymous_report_in_full_when_the_function_checks_the_token() {
    let (repository, pool) = (repository().await, TestUserPool::start().await);
    let filed = file(&repository, "anonymous").await;
    let id = filed["id"].as_str().unwrap();

    let mine = read(
        &repository,
        Some(pool.verifier()),
        get_report(id),
        Some(&reporter_token(&pool)),
    )
    .await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert_eq!(mine.body["reporter"]["phone"], REPORTER_PHONE);

    let public = read(&repository, Some(pool.verifier()), get_report(id), None).await;
    assert_eq!(public.status, 200);
    assert!(public.body["reporter"].is_null());
    assert!(!public.body.to_string().contains(REPORTER_PHONE));
}

#[tokio::test]
async fn a_confidential_report_exists_for_its_reporter_and_its_unit_only() {
    let (repository, pool) = (repository().await, TestUserPool::start().await);
    let filed = file(&repository, "confidential").await;
    let id = filed["id"].as_str().unwrap();
    let unit = filed["unit_id"].as_str().unwrap();
    let verifier = pool.verifier();

    let reporter = read(
        &repository,
        Some(verifier.clone()),
        get_report(id),
        Some(&reporter_token(&pool)),
    )
    .await;
    assert_eq!(reporter.status, 200);
    let own_pic = read(
        &repository,
        Some(verifier.clone()),
        get_report(id),
        Some(&pic_token(&pool, unit)),
    )
    .await;
    assert_eq!(own_pic.status, 200);
    assert_eq!(own_pic.body["reporter"]["phone"], REPORTER_PHONE);
    let other_unit = if unit == "kec-slawi" {
        "dinsos"
    } else {
        "kec-slawi"
    };
    let other_pic = read(
        &repository,
        Some(verifier.clone()),
        get_report(id),
        Some(&pic_token(&pool, other_unit)),
    )
    .await;
    assert_eq!(other_pic.status, 404);
    let public = read(&repository, Some(verifier), get_report(id), None).await;
    assert_eq!(public.status, 404);
}

#[tokio::test]
async fn the_units_pic_sees_an_anonymous_report_without_the_reporter() {
    let (repository, pool) = (repository().await, TestUserPool::start().await);
    let filed = file(&repository, "anonymous").await;
    let id = filed["id"].as_str().unwrap();
    let unit = filed["unit_id"].as_str().unwrap();
    let pic = read(
        &repository,
        Some(pool.verifier()),
        get_report(id),
        Some(&pic_token(&pool, unit)),
    )
    .await;
    assert_eq!(pic.status, 200);
    assert!(pic.body["reporter"].is_null());
    assert!(!pic.body.to_string().contains(REPORTER_PHONE));
    // The exact place is the unit's to see; the public gets it blurred.
    let public = read(&repository, Some(pool.verifier()), get_report(id), None).await;
    assert_eq!(pic.body["location"]["lat"], filed["location"]["lat"]);
    assert_ne!(public.body["location"]["lat"], filed["location"]["lat"]);
}

#[tokio::test]
async fn an_access_token_of_the_app_client_is_accepted_as_the_authorizer_would() {
    let (repository, pool) = (repository().await, TestUserPool::start().await);
    let filed = file(&repository, "anonymous").await;
    let mut claims = pool.id_claims(REPORTER, &["citizen"]);
    claims["token_use"] = json!("access");
    claims["client_id"] = json!(CLIENT_ID);
    claims.as_object_mut().unwrap().remove("aud");
    let answer = read(
        &repository,
        Some(pool.verifier()),
        get_report(filed["id"].as_str().unwrap()),
        Some(&pool.sign(&claims)),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["reporter"]["user_id"], REPORTER);
}

#[tokio::test]
async fn tokens_the_authorizer_would_refuse_are_refused_with_401() {
    let (repository, pool) = (repository().await, TestUserPool::start().await);
    let filed = file(&repository, "anonymous").await;
    let id = filed["id"].as_str().unwrap();
    let valid = pool.id_claims(REPORTER, &["citizen"]);
    let with = |name: &str, value: Value| {
        let mut claims = valid.clone();
        claims[name] = value;
        claims
    };
    let now = valid["iat"].as_i64().unwrap();
    let cases = [
        ("expired", pool.sign(&with("exp", json!(now - 1)))),
        (
            "issued to another client",
            pool.sign(&with("aud", json!("other-app"))),
        ),
        (
            "issued by another pool",
            pool.sign(&with("iss", json!("https://cognito-idp.example/other"))),
        ),
        (
            "issued in the future",
            pool.sign(&with("iat", json!(now + 3600))),
        ),
        (
            "not an id or access token",
            pool.sign(&with("token_use", json!("refresh"))),
        ),
        ("signed by another key", pool.forge(&valid)),
        (
            "naming an unpublished key",
            pool.sign_as("key-unknown", &valid),
        ),
        ("not a JWT", "not-a-token".to_owned()),
    ];
    for (case, token) in cases {
        let answer = read(
            &repository,
            Some(pool.verifier()),
            get_report(id),
            Some(&token),
        )
        .await;
        assert_eq!(answer.status, 401, "{case}: {}", answer.body);
        assert_eq!(
            answer.body["type"], "urn:lapor:problem:invalid-token",
            "{case}"
        );
    }
}

#[tokio::test]
async fn a_key_set_that_cannot_be_fetched_asks_for_a_retry_and_the_retry_succeeds() {
    let (repository, pool) = (repository().await, TestUserPool::start().await);
    let filed = file(&repository, "confidential").await;
    let id = filed["id"].as_str().unwrap();
    let verifier = pool.verifier();
    let token = reporter_token(&pool);

    pool.set_down(true);
    let failed = read(
        &repository,
        Some(verifier.clone()),
        get_report(id),
        Some(&token),
    )
    .await;
    assert_eq!(failed.status, 503, "{}", failed.body);
    assert!(failed.retry_after.is_some());

    pool.set_down(false);
    let retried = read(&repository, Some(verifier), get_report(id), Some(&token)).await;
    assert_eq!(retried.status, 200);
    assert_eq!(retried.body["reporter"]["phone"], REPORTER_PHONE);
}

#[tokio::test]
async fn the_key_set_is_fetched_once_and_unknown_key_ids_cannot_force_a_fetch_per_request() {
    let (repository, pool) = (repository().await, TestUserPool::start().await);
    let filed = file(&repository, "anonymous").await;
    let id = filed["id"].as_str().unwrap();
    let verifier = pool.verifier();
    let token = reporter_token(&pool);
    for _ in 0..5 {
        let answer = read(
            &repository,
            Some(verifier.clone()),
            get_report(id),
            Some(&token),
        )
        .await;
        assert_eq!(answer.status, 200);
    }
    assert_eq!(pool.fetches(), 1);
    let valid = pool.id_claims(REPORTER, &["citizen"]);
    for n in 0..10 {
        let forged = pool.sign_as(&format!("forged-{n}"), &valid);
        let answer = read(
            &repository,
            Some(verifier.clone()),
            get_report(id),
            Some(&forged),
        )
        .await;
        assert_eq!(answer.status, 401);
    }
    assert_eq!(
        pool.fetches(),
        1,
        "a forged key id within a minute fetches nothing"
    );
}

#[tokio::test]
async fn a_rotated_signing_key_is_fetched_when_a_token_first_names_it() {
    let (repository, mut pool) = (repository().await, TestUserPool::start().await);
    let filed = file(&repository, "anonymous").await;
    let id = filed["id"].as_str().unwrap();
    let verifier = Arc::new(
        TokenVerifier::new(
            lapor_api::cognito::CognitoConfig {
                issuer: pool.issuer.clone(),
                client_id: CLIENT_ID.to_owned(),
            },
            reqwest::Client::new(),
        )
        .with_refetch_interval(Duration::ZERO),
    );
    let before = read(
        &repository,
        Some(verifier.clone()),
        get_report(id),
        Some(&reporter_token(&pool)),
    )
    .await;
    assert_eq!(before.status, 200);
    pool.rotate("key-2");
    let after = read(
        &repository,
        Some(verifier),
        get_report(id),
        Some(&reporter_token(&pool)),
    )
    .await;
    assert_eq!(after.status, 200);
    assert_eq!(after.body["reporter"]["phone"], REPORTER_PHONE);
    assert_eq!(pool.fetches(), 2);
}

#[tokio::test]
async fn routes_that_never_ask_who_calls_ignore_the_token_and_the_key_set() {
    let (repository, pool) = (repository().await, TestUserPool::start().await);
    file(&repository, "public").await;
    pool.set_down(true);
    let list = read(
        &repository,
        Some(pool.verifier()),
        event("reports-read", "list-public"),
        Some("not-a-token"),
    )
    .await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(pool.fetches(), 0);
}

#[tokio::test]
async fn without_a_configured_user_pool_a_token_on_an_open_route_gives_the_public_view() {
    let (repository, pool) = (repository().await, TestUserPool::start().await);
    let filed = file(&repository, "anonymous").await;
    let answer = read(
        &repository,
        None,
        get_report(filed["id"].as_str().unwrap()),
        Some(&reporter_token(&pool)),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert!(answer.body["reporter"].is_null());
    assert_eq!(pool.fetches(), 0);
}
