//! The `feeds-read` function: the public reads of the content feeds — one kind's list
//! newest first (UMKM with kecamatan, category and text search; announcements valid
//! now), one item, and the home screen. Every answer carries an `ETag`, answers
//! `If-None-Match` with 304 and may be kept by a CDN for a minute.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use lapor_api::cache::cached_json;
use lapor_api::{FieldError, Problem, RouteSpec, Text};
use lapor_feeds::errors::not_found;
use lapor_feeds::model::UmkmCategory;
use lapor_feeds::{FeedId, FeedKind, FeedPage, FeedRepository, ListFilter};
use lapor_models::Timestamp;
use serde_json::{json, Value};
use std::collections::HashMap;

/// The routes this function serves.
pub const ROUTES: &[RouteSpec] = &[
    RouteSpec::public("GET", "/v1/feeds/{kind}"),
    RouteSpec::public("GET", "/v1/feeds/{kind}/{id}"),
    RouteSpec::public("GET", "/v1/home"),
];

/// Seconds a client or CDN may keep an answer.
pub const MAX_AGE: u32 = 60;
pub const DEFAULT_PAGE: usize = 20;
pub const MAX_PAGE: usize = 50;

/// The router, for Lambda and for `lapor-local`.
pub fn router(repository: FeedRepository) -> Router {
    Router::new()
        .route("/v1/feeds/{kind}", get(list))
        .route("/v1/feeds/{kind}/{id}", get(one))
        .route("/v1/home", get(home))
        .with_state(repository)
}

/// The kind in a path, or a 404 naming the kinds there are.
pub fn parse_kind(raw: &str) -> Result<FeedKind, Problem> {
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

fn json_bytes(value: &Value) -> Result<Vec<u8>, Problem> {
    serde_json::to_vec(value).map_err(|error| {
        tracing::error!(%error, "feed view did not serialize");
        Problem::internal()
    })
}

fn page_body(page: &FeedPage) -> Value {
    let items: Vec<Value> = page.items.iter().map(|i| i.public_view()).collect();
    json!({ "items": items, "next_cursor": page.cursor })
}

fn field(name: &str, code: &'static str, id: String, en: String) -> FieldError {
    FieldError::new(name, code, Text::owned(id, en))
}

/// Query parameters of a list, each checked with its own field error.
fn list_params(
    kind: FeedKind,
    query: &HashMap<String, String>,
) -> Result<(ListFilter, usize), Problem> {
    let mut known = vec!["limit", "cursor"];
    match kind {
        FeedKind::Umkm => known.extend(["kecamatan_id", "category", "q"]),
        FeedKind::Emergency => known.push("kecamatan_id"),
        _ => {}
    }
    let mut errors = Vec::new();
    for name in query.keys() {
        if !known.contains(&name.as_str()) {
            errors.push(field(
                name,
                "unknown_parameter",
                format!(
                    "Parameter tidak dikenal. Yang dikenal: {}.",
                    known.join(", ")
                ),
                format!("Unknown parameter. Known: {}.", known.join(", ")),
            ));
        }
    }
    let limit = match query.get("limit").map(|l| l.trim().parse::<usize>()) {
        None => DEFAULT_PAGE,
        Some(Ok(n)) if (1..=MAX_PAGE).contains(&n) => n,
        Some(_) => {
            errors.push(field(
                "limit",
                "out_of_range",
                format!("limit harus bilangan bulat 1 sampai {MAX_PAGE}."),
                format!("limit must be a whole number from 1 to {MAX_PAGE}."),
            ));
            DEFAULT_PAGE
        }
    };
    let mut filter = ListFilter::default();
    if let Some(kecamatan) = query
        .get("kecamatan_id")
        .filter(|_| known.contains(&"kecamatan_id"))
    {
        filter.kecamatan_id = Some(kecamatan.trim().to_owned());
    }
    if let Some(category) = query
        .get("category")
        .filter(|_| known.contains(&"category"))
    {
        match category.trim().parse::<UmkmCategory>() {
            Ok(c) => filter.category = Some(c),
            Err(_) => errors.push(field(
                "category",
                "not_allowed",
                "Kategori usaha tidak dikenal.".to_owned(),
                "Unknown business category.".to_owned(),
            )),
        }
    }
    if let Some(q) = query.get("q").filter(|_| known.contains(&"q")) {
        if lapor_feeds::text::tokens(q).is_empty() {
            errors.push(field(
                "q",
                "too_short",
                format!(
                    "Kata pencarian minimal {} huruf.",
                    lapor_feeds::text::TOKEN_MIN
                ),
                format!(
                    "Search words need at least {} letters.",
                    lapor_feeds::text::TOKEN_MIN
                ),
            ));
        } else {
            filter.query = Some(q.clone());
        }
    }
    if errors.is_empty() {
        Ok((filter, limit))
    } else {
        Err(Problem::validation(errors))
    }
}

async fn list(
    State(repository): State<FeedRepository>,
    Path(kind): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let kind = parse_kind(&kind)?;
    let (filter, limit) = list_params(kind, &query)?;
    let page = repository
        .list_public(
            kind,
            &filter,
            limit,
            query.get("cursor").map(String::as_str),
            Timestamp::now(),
        )
        .await?;
    Ok(cached_json(
        &headers,
        json_bytes(&page_body(&page))?,
        MAX_AGE,
    ))
}

async fn one(
    State(repository): State<FeedRepository>,
    Path((kind, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let kind = parse_kind(&kind)?;
    let id: FeedId = id.parse().map_err(|_| not_found())?;
    let item = repository
        .get_public(kind, &id, Timestamp::now())
        .await?
        .ok_or_else(not_found)?;
    Ok(cached_json(
        &headers,
        json_bytes(&item.public_view())?,
        MAX_AGE,
    ))
}

async fn home(
    State(repository): State<FeedRepository>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let home = repository.home(Timestamp::now()).await?;
    let mut latest = serde_json::Map::new();
    for (kind, items) in &home.latest {
        latest.insert(
            kind.as_str().to_owned(),
            Value::from(items.iter().map(|i| i.public_view()).collect::<Vec<_>>()),
        );
    }
    let body = json!({
        "latest": latest,
        "announcements": home.announcements.iter().map(|i| i.public_view()).collect::<Vec<_>>(),
        "emergency": home.emergency.iter().map(|i| i.public_view()).collect::<Vec<_>>(),
    });
    Ok(cached_json(&headers, json_bytes(&body)?, MAX_AGE))
}
