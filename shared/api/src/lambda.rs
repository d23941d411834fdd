//! Running a router in Lambda: logging set up once, the caller read from API Gateway's
//! request context (or, on routes without an authorizer, from a token checked against
//! the user pool by [`crate::cognito`]), then `lambda_http` serving the same router
//! `lapor-local` mounts.

use crate::cognito::{CognitoConfig, TokenVerifier};
use crate::config::Env;
use axum::body::Bytes;
use axum::Router;
use http_body_util::BodyExt;
use std::sync::Arc;
use tower::ServiceExt;

/// The router as Lambda serves it: with the caller taken from API Gateway's authorizer.
pub fn app(router: Router) -> Router {
    app_with(router, None)
}

/// The router as Lambda serves it, checking tokens sent to routes without an
/// authorizer with `verifier`.
pub fn app_with(router: Router, verifier: Option<Arc<TokenVerifier>>) -> Router {
    router.layer(axum::middleware::from_fn_with_state(
        verifier,
        crate::identity::lambda_identity,
    ))
}

/// The token verifier the environment asks for (see [`CognitoConfig::from_source`]).
pub fn verifier_from_env() -> Result<Option<Arc<TokenVerifier>>, lambda_http::Error> {
    let Some(config) = CognitoConfig::from_source(&Env)? else {
        return Ok(None);
    };
    // reqwest's rustls without a bundled provider: the process-wide aws-lc-rs one.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let client = reqwest::Client::builder()
        .user_agent("lapor-token-verifier/1")
        .build()?;
    Ok(Some(Arc::new(TokenVerifier::new(config, client))))
}

/// Serves `router` as this Lambda function until the runtime stops it.
pub async fn run(router: Router) -> Result<(), lambda_http::Error> {
    crate::logging::init_lambda();
    let verifier = verifier_from_env()?;
    lambda_http::run(app_with(router, verifier)).await
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
    handle_event_with(router, None, event).await
}

/// [`handle_event`] with tokens on routes without an authorizer checked by `verifier`.
pub async fn handle_event_with(
    router: Router,
    verifier: Option<Arc<TokenVerifier>>,
    event: &str,
) -> Result<http::Response<Bytes>, EventError> {
    let request = lambda_http::request::from_str(event)?;
    let response = match app_with(router, verifier).oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.map_err(EventError::Body)?.to_bytes();
    Ok(http::Response::from_parts(parts, bytes))
}
