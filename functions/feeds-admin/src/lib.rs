//! The `feeds-admin` function: admins write the content feeds — create (a draft),
//! update, publish now, schedule for `publish_at`, unpublish, confirm a seeded item and
//! delete — and list every item of a kind in any state. Admin only: 401 without a
//! token, 403 for other roles, before any body is read.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use lapor_api::routes::require;
use lapor_api::{CallerExt, FieldError, JsonBody, Problem, RouteSpec, Text};
use lapor_feeds::errors::not_found;
use lapor_feeds::{FeedContent, FeedId, FeedItem, FeedKind, FeedRepository};
use lapor_models::{Role, Timestamp};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;

const ADMIN: &[Role] = &[Role::Admin];

/// The routes this function serves.
pub const ROUTES: &[RouteSpec] = &[
    RouteSpec::signed("GET", "/v1/admin/feeds/{kind}", ADMIN),
    RouteSpec::signed("POST", "/v1/admin/feeds/{kind}", ADMIN),
    RouteSpec::signed("GET", "/v1/admin/feeds/{kind}/{id}", ADMIN),
    RouteSpec::signed("PUT", "/v1/admin/feeds/{kind}/{id}", ADMIN),
    RouteSpec::signed("DELETE", "/v1/admin/feeds/{kind}/{id}", ADMIN),
    RouteSpec::signed("POST", "/v1/admin/feeds/{kind}/{id}/publish", ADMIN),
    RouteSpec::signed("POST", "/v1/admin/feeds/{kind}/{id}/schedule", ADMIN),
    RouteSpec::signed("POST", "/v1/admin/feeds/{kind}/{id}/unpublish", ADMIN),
    RouteSpec::signed("POST", "/v1/admin/feeds/{kind}/{id}/confirm", ADMIN),
];

pub const DEFAULT_PAGE: usize = 20;
pub const MAX_PAGE: usize = 100;

/// The router, for Lambda and for `lapor-local`.
pub fn router(repository: FeedRepository) -> Router {
    Router::new()
        .route("/v1/admin/feeds/{kind}", get(list).post(create))
        .route(
            "/v1/admin/feeds/{kind}/{id}",
            get(one).put(update).delete(remove),
        )
        .route("/v1/admin/feeds/{kind}/{id}/publish", post(publish))
        .route("/v1/admin/feeds/{kind}/{id}/schedule", post(schedule))
        .route("/v1/admin/feeds/{kind}/{id}/unpublish", post(unpublish))
        .route("/v1/admin/feeds/{kind}/{id}/confirm", post(confirm))
        .with_state(repository)
}

fn parse_kind(raw: &str) -> Result<FeedKind, Problem> {
    raw.parse().map_err(|_| {
        Problem::not_found(Text::owned(
            format!(
                "Jenis konten tidak dikenal. Pilihan: {}.",
                FeedKind::names()
            ),
            format!("Unknown content kind. Known: {}.", FeedKind::names()),
        ))
    })
}

fn parse_id(raw: &str) -> Result<FeedId, Problem> {
    raw.parse().map_err(|_| not_found())
}

fn content_of(kind: FeedKind, body: Value) -> Result<FeedContent, Problem> {
    let bytes = serde_json::to_vec(&body).map_err(|_| Problem::internal())?;
    FeedContent::from_json(kind, &bytes)
}

fn answer(status: StatusCode, item: &FeedItem, now: Timestamp) -> Response {
    let mut response = (status, Json(item.admin_view(now))).into_response();
    let headers = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", item.version)) {
        headers.insert(header::ETAG, etag);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if status == StatusCode::CREATED {
        if let Ok(location) =
            HeaderValue::from_str(&format!("/v1/admin/feeds/{}/{}", item.kind(), item.id))
        {
            headers.insert(header::LOCATION, location);
        }
    }
    response
}

/// `If-Match: "<version>"`, when sent.
fn expected_version(headers: &HeaderMap) -> Result<Option<u64>, Problem> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.parse().ok())
        .map(Some)
        .ok_or_else(|| {
            Problem::validation(vec![FieldError::new(
                "If-Match",
                "invalid",
                Text::new(
                    "If-Match harus ETag dari konten ini, misalnya \"3\".",
                    "If-Match must be this content's ETag, e.g. \"3\".",
                ),
            )])
        })
}

async fn list(
    State(repository): State<FeedRepository>,
    CallerExt(caller): CallerExt,
    Path(kind): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    require(&caller, ADMIN)?;
    let kind = parse_kind(&kind)?;
    let limit = match query.get("limit").map(|l| l.trim().parse::<usize>()) {
        None => DEFAULT_PAGE,
        Some(Ok(n)) if (1..=MAX_PAGE).contains(&n) => n,
        Some(_) => {
            return Err(Problem::validation(vec![FieldError::new(
                "limit",
                "out_of_range",
                Text::new("limit harus 1 sampai 100.", "limit must be from 1 to 100."),
            )]))
        }
    };
    let now = Timestamp::now();
    let page = repository
        .list_admin(kind, limit, query.get("cursor").map(String::as_str))
        .await?;
    let items: Vec<Value> = page.items.iter().map(|i| i.admin_view(now)).collect();
    let mut response = Json(json!({ "items": items, "next_cursor": page.cursor })).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

async fn create(
    State(repository): State<FeedRepository>,
    CallerExt(caller): CallerExt,
    Path(kind): Path<String>,
    body: Result<JsonBody<Value>, Problem>,
) -> Result<Response, Problem> {
    require(&caller, ADMIN)?;
    let kind = parse_kind(&kind)?;
    let JsonBody(body) = body?;
    let content = content_of(kind, body)?;
    let now = Timestamp::now();
    let item = repository.create(content, now).await?;
    tracing::info!(feed_id = %item.id, kind = %kind, "feed item created");
    Ok(answer(StatusCode::CREATED, &item, now))
}

async fn one(
    State(repository): State<FeedRepository>,
    CallerExt(caller): CallerExt,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Response, Problem> {
    require(&caller, ADMIN)?;
    let kind = parse_kind(&kind)?;
    let id = parse_id(&id)?;
    let item = repository.get(kind, &id).await?.ok_or_else(not_found)?;
    Ok(answer(StatusCode::OK, &item, Timestamp::now()))
}

async fn update(
    State(repository): State<FeedRepository>,
    CallerExt(caller): CallerExt,
    Path((kind, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<JsonBody<Value>, Problem>,
) -> Result<Response, Problem> {
    require(&caller, ADMIN)?;
    let kind = parse_kind(&kind)?;
    let id = parse_id(&id)?;
    let expected = expected_version(&headers)?;
    let JsonBody(body) = body?;
    let content = content_of(kind, body)?;
    let now = Timestamp::now();
    let item = repository.update(kind, &id, content, expected, now).await?;
    Ok(answer(StatusCode::OK, &item, now))
}

async fn remove(
    State(repository): State<FeedRepository>,
    CallerExt(caller): CallerExt,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Response, Problem> {
    require(&caller, ADMIN)?;
    let kind = parse_kind(&kind)?;
    let id = parse_id(&id)?;
    if repository.delete(kind, &id).await? {
        tracing::info!(feed_id = %id, kind = %kind, "feed item deleted");
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The body of `publish` (optional) and `schedule`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct When {
    #[serde(default)]
    publish_at: Option<Timestamp>,
}

fn when_of(body: Result<JsonBody<Value>, Problem>) -> Result<When, Problem> {
    let JsonBody(value) = body?;
    let bytes = serde_json::to_vec(&value).map_err(|_| Problem::internal())?;
    lapor_api::body::parse_json(&bytes)
}

async fn publish(
    State(repository): State<FeedRepository>,
    CallerExt(caller): CallerExt,
    Path((kind, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, Problem> {
    require(&caller, ADMIN)?;
    let kind = parse_kind(&kind)?;
    let id = parse_id(&id)?;
    // No body publishes now.
    let when = if body.iter().all(u8::is_ascii_whitespace) {
        When::default()
    } else {
        when_of(lapor_api::body::parse_json::<Value>(&body).map(JsonBody))?
    };
    let now = Timestamp::now();
    let item = repository.publish(kind, &id, when.publish_at, now).await?;
    tracing::info!(feed_id = %id, kind = %kind, state = ?item.state, "feed item published");
    Ok(answer(StatusCode::OK, &item, now))
}

async fn schedule(
    State(repository): State<FeedRepository>,
    CallerExt(caller): CallerExt,
    Path((kind, id)): Path<(String, String)>,
    body: Result<JsonBody<Value>, Problem>,
) -> Result<Response, Problem> {
    require(&caller, ADMIN)?;
    let kind = parse_kind(&kind)?;
    let id = parse_id(&id)?;
    let when = when_of(body)?;
    let now = Timestamp::now();
    let at = match when.publish_at {
        Some(at) if at > now => at,
        Some(_) => {
            return Err(Problem::validation(vec![FieldError::new(
                "publish_at",
                "not_in_future",
                Text::new(
                    "Waktu tayang harus di masa depan; untuk tayang sekarang gunakan publish.",
                    "The publication time must be in the future; use publish to publish now.",
                ),
            )]))
        }
        None => {
            return Err(Problem::validation(vec![FieldError::new(
                "publish_at",
                "required",
                Text::new("Wajib diisi.", "This field is required."),
            )]))
        }
    };
    let item = repository.publish(kind, &id, Some(at), now).await?;
    Ok(answer(StatusCode::OK, &item, now))
}

async fn unpublish(
    State(repository): State<FeedRepository>,
    CallerExt(caller): CallerExt,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Response, Problem> {
    require(&caller, ADMIN)?;
    let kind = parse_kind(&kind)?;
    let id = parse_id(&id)?;
    let now = Timestamp::now();
    let item = repository.unpublish(kind, &id, now).await?;
    Ok(answer(StatusCode::OK, &item, now))
}

async fn confirm(
    State(repository): State<FeedRepository>,
    CallerExt(caller): CallerExt,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Response, Problem> {
    require(&caller, ADMIN)?;
    let kind = parse_kind(&kind)?;
    let id = parse_id(&id)?;
    let now = Timestamp::now();
    let item = repository.confirm(kind, &id, now).await?;
    Ok(answer(StatusCode::OK, &item, now))
}
