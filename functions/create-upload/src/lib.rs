//! The `create-upload` function: a signed-in citizen, PIC or admin asks to upload one
//! photo or video and gets a short-lived URL to PUT it to, signed for the declared type
//! and exact length. The file then goes straight to object storage, never through a
//! function; `media-ingest` checks it when it lands. An optional `Idempotency-Key` makes
//! a retried request (a weak connection) get the same upload rather than a second one.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use lapor_api::routes::require;
use lapor_api::{CallerExt, JsonBody, Problem, RouteSpec};
use lapor_media::{MediaService, UploadRequest};
use lapor_models::{Role, Timestamp};

const UPLOADERS: &[Role] = &[Role::Citizen, Role::Pic, Role::Admin];

/// The routes this function serves.
pub const ROUTES: &[RouteSpec] = &[RouteSpec::signed("POST", "/v1/uploads", UPLOADERS)];

/// The router, for Lambda and for `lapor-local`.
pub fn router(service: MediaService) -> Router {
    Router::new()
        .route("/v1/uploads", post(create))
        .with_state(service)
}

async fn create(
    State(service): State<MediaService>,
    CallerExt(caller): CallerExt,
    headers: HeaderMap,
    body: Result<JsonBody<UploadRequest>, Problem>,
) -> Result<Response, Problem> {
    require(&caller, UPLOADERS)?;
    let user = caller.user().ok_or_else(Problem::unauthorized)?;
    let key = lapor_api::idempotency::optional_key(&headers)?;
    let JsonBody(request) = body?;
    let signed = service
        .create_upload_keyed(user, &request, Timestamp::now(), key.as_deref())
        .await?;
    tracing::info!(upload_id = %signed.upload_id, content_type = %signed.content_type, size_bytes = signed.size_bytes, purpose = request.purpose.as_str(), "upload signed");
    let mut response = (StatusCode::CREATED, Json(signed)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
