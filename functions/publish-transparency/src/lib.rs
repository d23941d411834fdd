//! The `publish-transparency` function: run daily at 06:00 WIB by EventBridge Scheduler
//! (and by `lapor-local`'s in-process schedule) and on demand by an admin
//! (`POST /v1/admin/transparency/publish`), it publishes the public site — see
//! [`lapor_stats::publish::Publisher`]. It also serves the latest summary
//! (`GET /v1/stats/summary`, with `ETag`) and the leaderboard of a month
//! (`GET /v1/leaderboard?period=YYYY-MM`, read from that month's counters).

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use lapor_api::routes::require;
use lapor_api::{CallerExt, FieldError, Problem, RouteSpec, Text};
use lapor_media::ObjectError;
use lapor_models::{Role, Timestamp};
use lapor_stats::publish::{PublishError, Published, Publisher};
use lapor_stats::summary::{parse_month, StatsReader};
use serde_json::json;
use std::collections::HashMap;

/// The routes this function serves.
pub const ROUTES: &[RouteSpec] = &[
    RouteSpec::signed("POST", "/v1/admin/transparency/publish", &[Role::Admin]),
    RouteSpec::public("GET", "/v1/stats/summary"),
    RouteSpec::public("GET", "/v1/leaderboard"),
];

/// The router, for Lambda and for `lapor-local`.
pub fn router(publisher: Publisher) -> Router {
    Router::new()
        .route("/v1/admin/transparency/publish", post(publish_now))
        .route("/v1/stats/summary", get(summary))
        .route("/v1/leaderboard", get(leaderboard))
        .with_state(publisher)
}

/// One scheduled run.
pub async fn run_scheduled(publisher: &Publisher) -> Result<Published, PublishError> {
    publisher.publish(Timestamp::now()).await
}

fn publish_problem(error: PublishError) -> Problem {
    if error.is_retryable() {
        tracing::warn!(error = %error, cause = ?std::error::Error::source(&error).map(|s| s.to_string()), "publication failed; retryable");
        Problem::unavailable()
    } else {
        tracing::error!(error = %error, cause = ?std::error::Error::source(&error).map(|s| s.to_string()), "publication failed");
        Problem::internal()
    }
}

fn object_problem(error: ObjectError) -> Problem {
    publish_problem(PublishError::Objects(error))
}

fn published_body(published: &Published) -> serde_json::Value {
    json!({
        "generated_at": published.generated_at,
        "files": published.files,
        "counter_items_read": published.counter_reads.items,
        "open_data_items_read": published.open_data_reads.items,
        "csv_rows": published.csv_rows,
    })
}

async fn publish_now(
    State(publisher): State<Publisher>,
    CallerExt(caller): CallerExt,
) -> Result<Response, Problem> {
    require(&caller, &[Role::Admin])?;
    let published = publisher
        .publish(Timestamp::now())
        .await
        .map_err(publish_problem)?;
    Ok((StatusCode::OK, Json(published_body(&published))).into_response())
}

async fn summary(
    State(publisher): State<Publisher>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    match publisher.latest_summary().await.map_err(object_problem)? {
        Some(bytes) => Ok(lapor_api::cache::cached_json(&headers, bytes, 300)),
        None => Err(Problem::not_found(Text::new(
            "Ringkasan belum diterbitkan. Ringkasan terbit setiap hari pukul 06.00 WIB.",
            "No summary has been published yet. It is published daily at 06:00 WIB.",
        ))),
    }
}

async fn leaderboard(
    State(publisher): State<Publisher>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let mut errors = Vec::new();
    for name in query.keys().filter(|n| n.as_str() != "period") {
        errors.push(FieldError::new(
            name.clone(),
            "unknown_parameter",
            Text::new(
                "Parameter tidak dikenal. Yang dikenal: period.",
                "Unknown parameter. Known: period.",
            ),
        ));
    }
    let period = match query.get("period") {
        None => Some(lapor_stats::facts::wib_month(Timestamp::now())),
        Some(raw) => {
            let parsed = parse_month(raw);
            if parsed.is_none() {
                errors.push(FieldError::new(
                    "period",
                    "invalid",
                    Text::new(
                        "period harus bulan dengan format YYYY-MM, misalnya 2026-12.",
                        "period must be a month as YYYY-MM, e.g. 2026-12.",
                    ),
                ));
            }
            parsed
        }
    };
    let Some(period) = period.filter(|_| errors.is_empty()) else {
        return Err(Problem::validation(errors));
    };
    let board = StatsReader::new(publisher.store().as_ref())
        .leaderboard(publisher.reference(), &period)
        .await?;
    let body = serde_json::to_vec(&board).map_err(|error| {
        tracing::error!(error = %error, "leaderboard could not be encoded");
        Problem::internal()
    })?;
    Ok(lapor_api::cache::cached_json(&headers, body, 300))
}

/// The public site as `lapor-local` serves it at `/public/{name}` (S3 serves it in AWS).
pub fn public_site_router(publisher: Publisher) -> Router {
    Router::new()
        .route("/public/{name}", get(public_file))
        .with_state(publisher)
}

/// The route `lapor-local` serves for the public site.
pub const PUBLIC_SITE_ROUTE: RouteSpec = RouteSpec::public("GET", "/public/{name}");

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("json") => "application/json",
        Some("csv") => "text/csv; charset=utf-8",
        // Feed media (`lapor_feeds::media`).
        Some("jpg") => "image/jpeg",
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        Some("heic") => "image/heic",
        Some("mp4") => "video/mp4",
        Some("mov") => "video/quicktime",
        _ => "application/octet-stream",
    }
}

async fn public_file(
    State(publisher): State<Publisher>,
    Path(name): Path<String>,
) -> Result<Response, Problem> {
    let not_found = || {
        Problem::not_found(Text::new(
            "Berkas tidak ditemukan di situs publik.",
            "No such file on the public site.",
        ))
    };
    match publisher.objects().get(&name).await {
        Ok(bytes) => {
            let mut response = (StatusCode::OK, bytes).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(&name)),
            );
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            );
            Ok(response)
        }
        Err(ObjectError::NotFound(_)) | Err(ObjectError::InvalidKey(_)) => Err(not_found()),
        Err(error) => Err(object_problem(error)),
    }
}

/// Runs one Lambda event: an API Gateway HTTP API (v2) request goes through the router;
/// anything else (the scheduler's event) publishes. Returns the JSON to answer with.
pub async fn handle_lambda_event(
    publisher: &Publisher,
    event: serde_json::Value,
) -> Result<serde_json::Value, lambda_runtime::Error> {
    if event
        .get("requestContext")
        .and_then(|c| c.get("http"))
        .is_some()
    {
        let response = lapor_api::lambda::handle_event(
            lapor_api::routes::finish(router(publisher.clone())),
            &event.to_string(),
        )
        .await?;
        let mut headers = serde_json::Map::new();
        for (name, value) in response.headers() {
            if let Ok(value) = value.to_str() {
                headers.insert(name.as_str().to_owned(), json!(value));
            }
        }
        return Ok(json!({
            "statusCode": response.status().as_u16(),
            "headers": headers,
            "body": String::from_utf8_lossy(response.body()),
            "isBase64Encoded": false,
        }));
    }
    let published = run_scheduled(publisher).await?;
    Ok(published_body(&published))
}

pub mod lambda {
    //! The publisher as the Lambda function builds it at start, from the environment:
    //! the table (`LAPOR_TABLE`), the public site bucket (`LAPOR_PUBLIC_BUCKET`, with
    //! `LAPOR_S3_ENDPOINT` to point at moto). Done once, in init.

    use lapor_api::config::{required, ConfigError, Env, StoreConfig};
    use lapor_models::{ReferenceData, ReferenceError};
    use lapor_stats::Publisher;
    use std::sync::Arc;

    /// Why the function could not start.
    #[derive(Debug, thiserror::Error)]
    pub enum StartError {
        #[error("configuration")]
        Config(#[from] ConfigError),
        #[error("reference data")]
        Reference(#[from] ReferenceError),
    }

    pub async fn publisher_from_env() -> Result<Publisher, StartError> {
        let store_config = StoreConfig::from_source(&Env)?;
        let bucket = required(
            &Env,
            "LAPOR_PUBLIC_BUCKET",
            "the public site S3 bucket name",
        )?;
        let endpoint = lapor_api::config::Source::get(&Env, "LAPOR_S3_ENDPOINT");
        let store =
            lapor_store::dynamo::connect(&store_config.table, store_config.endpoint.as_deref())
                .await;
        let objects = lapor_media::s3::connect(&bucket, endpoint.as_deref()).await;
        Ok(Publisher::new(
            Arc::new(store),
            Arc::new(objects),
            Arc::new(ReferenceData::tegal()?),
        ))
    }
}
