//! The caller a function sees in Lambda, from API Gateway events whose authorizer
//! claims arrive as strings.

use axum::routing::get;
use axum::Router;
use lapor_api::lambda::handle_event;
use lapor_api::CallerExt;
use lapor_models::Caller;

fn whoami() -> Router {
    Router::new().route(
        "/whoami",
        get(|CallerExt(caller): CallerExt| async move {
            match caller {
                Caller::Anonymous => "anonymous".to_owned(),
                Caller::Citizen { user, .. } => format!("citizen {user}"),
                Caller::Pic { user, unit } => format!("pic {user} {unit}"),
                Caller::Admin { user } => format!("admin {user}"),
            }
        }),
    )
}

async fn call(fixture: &str) -> (u16, String) {
    let path = format!("{}/tests/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
    let event = std::fs::read_to_string(path).unwrap();
    let response = handle_event(whoami(), &event).await.unwrap();
    (
        response.status().as_u16(),
        String::from_utf8(response.body().to_vec()).unwrap(),
    )
}

#[tokio::test]
async fn groups_given_as_the_http_apis_bracketed_string_make_an_admin() {
    assert_eq!(
        call("admin-and-pic-groups-as-string.json").await,
        (200, "admin 7d1e-admin".into())
    );
}

#[tokio::test]
async fn groups_given_as_a_json_array_string_make_a_citizen() {
    assert_eq!(
        call("citizen-groups-as-json-array-string.json").await,
        (200, "citizen c-1".into())
    );
}

#[tokio::test]
async fn a_request_without_an_authorizer_is_anonymous() {
    assert_eq!(call("no-authorizer.json").await, (200, "anonymous".into()));
}

#[tokio::test]
async fn a_pic_token_without_a_unit_is_forbidden() {
    let (status, body) = call("pic-without-unit.json").await;
    assert_eq!(status, 403);
    assert!(body.contains("urn:lapor:problem:forbidden"), "{body}");
}
