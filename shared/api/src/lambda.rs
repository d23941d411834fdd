//! Running a router in Lambda: logging set up once, the caller read from API Gateway's
//! request context, then `lambda_http` serving the same router `lapor-local` mounts.

use axum::body::Bytes;
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

/// The router as Lambda serves it: with the caller taken from API Gateway's authorizer.
pub fn app(router: Router) -> Router {
    router.layer(axum::middleware::from_fn(crate::identity::lambda_identity))
}

/// Serves `router` as this Lambda function until the runtime stops it.
pub async fn run(router: Router) -> Result<(), lambda_http::Error> {
    crate::logging::init_lambda();
    lambda_http::run(app(router)).await
}

/// Why an event could not be handled.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("the event is not an API Gateway request")]
    Parse(#[from] serde_json::Error),
    #[error("the response body could not be read")]
    Body(#[source] axum::Error),
}

/// Runs one API Gateway HTTP API (v2) event, as JSON, through the router exactly as
/// `lambda_http` does, and returns the response with its whole body. Used by the
/// handler tests that replay `events/<function>/*.json`.
pub async fn handle_event(
    router: Router,
    event: &str,
) -> Result<http::Response<Bytes>, EventError> {
    let request = lambda_http::request::from_str(event)?;
    let response = match app(router).oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.map_err(EventError::Body)?.to_bytes();
    Ok(http::Response::from_parts(parts, bytes))
}
