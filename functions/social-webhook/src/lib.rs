//! The `social-webhook` function: Meta's webhook for real-time Page and Instagram updates.
//! `GET` answers the subscription challenge when the verify token matches; `POST` takes a
//! notification only when `X-Hub-Signature-256` is the HMAC-SHA256 of the raw body with
//! the app secret (checked in constant time) — anything else is refused with a problem
//! and nothing is stored. A replayed notification changes nothing.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use lapor_api::{Problem, RouteSpec};
use lapor_models::Timestamp;
use lapor_social::webhook::{self, WebhookSecrets};
use lapor_social::SocialRepository;
use std::collections::HashMap;
use std::sync::Arc;

/// The routes this function serves (Meta calls them; the signature is the check).
pub const ROUTES: &[RouteSpec] = &[
    RouteSpec::public("GET", "/v1/webhooks/meta"),
    RouteSpec::public("POST", "/v1/webhooks/meta"),
];

#[derive(Clone)]
struct Webhook {
    repository: SocialRepository,
    secrets: Option<Arc<WebhookSecrets>>,
}

/// The router; without secrets every call is refused.
pub fn router(repository: SocialRepository, secrets: Option<WebhookSecrets>) -> Router {
    Router::new()
        .route("/v1/webhooks/meta", get(challenge).post(notify))
        .with_state(Webhook {
            repository,
            secrets: secrets.map(Arc::new),
        })
}

async fn challenge(
    State(state): State<Webhook>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let echo = webhook::verify_subscription(
        state.secrets.as_deref(),
        query.get("hub.mode").map(String::as_str),
        query.get("hub.verify_token").map(String::as_str),
        query.get("hub.challenge").map(String::as_str),
    )?;
    Ok(([(axum::http::header::CONTENT_TYPE, "text/plain")], echo).into_response())
}

async fn notify(
    State(state): State<Webhook>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<webhook::WebhookOutcome>, Problem> {
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    if let Err(refusal) = webhook::verify_signature(state.secrets.as_deref(), signature, &body) {
        tracing::warn!(reason = %refusal, "meta webhook refused");
        return Err(refusal.into());
    }
    let now = Timestamp::now();
    let events = webhook::parse_notification(&body, now)?;
    let outcome = webhook::apply(&state.repository, &events, now).await?;
    tracing::info!(?outcome, "meta webhook applied");
    Ok(Json(outcome))
}
