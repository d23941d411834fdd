//! The `submit-report` function: a signed-in citizen files a report (exactly once per
//! `Idempotency-Key`, however often a weak connection makes the app retry) or supports
//! someone else's ("saya juga mengalami"). It only writes; reads live in `reports-read`.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use lapor_api::routes::require;
use lapor_api::{CallerExt, JsonBody, Problem, RouteSpec, Text};
use lapor_models::{Caller, ReportId, Role, Timestamp};
use lapor_reports::repository::ReportRepository;
use lapor_reports::{ReportView, Reporter, SubmitOutcome, SubmitRequest, Viewer};
use serde_json::json;

const CITIZEN: &[Role] = &[Role::Citizen];

/// The routes this function serves.
pub const ROUTES: &[RouteSpec] = &[
    RouteSpec::signed("POST", "/v1/reports", CITIZEN),
    RouteSpec::signed("POST", "/v1/reports/{id}/support", CITIZEN),
];

/// The router, for Lambda and for `lapor-local`.
pub fn router(repository: ReportRepository) -> Router {
    Router::new()
        .route("/v1/reports", post(submit))
        .route("/v1/reports/{id}/support", post(support))
        .with_state(repository)
}

fn etag(version: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

async fn submit(
    State(repository): State<ReportRepository>,
    CallerExt(caller): CallerExt,
    headers: HeaderMap,
    body: Result<JsonBody<SubmitRequest>, Problem>,
) -> Result<Response, Problem> {
    require(&caller, CITIZEN)?;
    let Caller::Citizen { user, phone } = &caller else {
        return Err(Problem::forbidden());
    };
    let key = lapor_api::idempotency::required_key(&headers)?;
    let JsonBody(request) = body?;
    let reporter = Reporter {
        user_id: user.clone(),
        phone: phone.clone(),
    };
    let outcome = repository
        .submit(reporter, &key, &request, Timestamp::now())
        .await?;
    let report = outcome.report();
    let view = ReportView::new(report, Viewer::Full);
    let mut response = (StatusCode::CREATED, Json(view)).into_response();
    let out = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(&format!("/v1/reports/{}", report.id)) {
        out.insert(header::LOCATION, location);
    }
    out.insert(header::ETAG, etag(report.version));
    if matches!(outcome, SubmitOutcome::Replayed(_)) {
        out.insert("idempotent-replayed", HeaderValue::from_static("true"));
    } else {
        tracing::info!(report_id = %report.id, unit_id = %report.unit_id, status = %report.status, "report submitted");
    }
    Ok(response)
}

async fn support(
    State(repository): State<ReportRepository>,
    CallerExt(caller): CallerExt,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    require(&caller, CITIZEN)?;
    let user = caller.user().ok_or_else(Problem::unauthorized)?;
    let id: ReportId = id.parse().map_err(|_| {
        Problem::not_found(Text::new("Laporan tidak ditemukan.", "Report not found."))
    })?;
    let (count, added) = repository.support(&id, user).await?;
    let status = if added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(json!({ "report_id": id, "support_count": count, "supported": true })),
    )
        .into_response())
}
