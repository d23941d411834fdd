//! The `report-actions` function: every change a person makes to a report after it was
//! filed — the admin's verification and disposition, the PIC's acknowledgement,
//! responses, notes, forwards and resolution, the reporter's confirmation, reopening and
//! rating — through `POST /v1/reports/{id}/actions` with `If-Match: "<version>"`.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use lapor_api::{CallerExt, FieldError, JsonBody, Problem, RouteSpec, Text};
use lapor_models::{ReportId, Role, Timestamp};
use lapor_reports::repository::ReportRepository;
use lapor_reports::workflow::{Action, WorkflowError};
use lapor_reports::{ReportView, Viewer};
use serde_json::json;

/// The routes this function serves.
pub const ROUTES: &[RouteSpec] = &[RouteSpec::signed(
    "POST",
    "/v1/reports/{id}/actions",
    &[Role::Citizen, Role::Pic, Role::Admin],
)];

/// The router, for Lambda and for `lapor-local`.
pub fn router(repository: ReportRepository) -> Router {
    Router::new()
        .route("/v1/reports/{id}/actions", post(act))
        .with_state(repository)
}

fn not_found() -> Problem {
    Problem::not_found(Text::new("Laporan tidak ditemukan.", "Report not found."))
}

/// The version in `If-Match` (`"7"`, `W/"7"` or `7`).
pub fn expected_version(headers: &HeaderMap) -> Result<u64, Problem> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Err(Problem::new(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition-required",
            Text::new("Versi laporan diperlukan", "Report version required"),
        )
        .detail(Text::new(
            "Kirim header If-Match berisi versi laporan (ETag) yang terakhir Anda lihat.",
            "Send If-Match with the report version (ETag) you last saw.",
        )));
    };
    value
        .to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.parse::<u64>().ok())
        .ok_or_else(|| {
            Problem::validation(vec![FieldError::new(
                "If-Match",
                "invalid",
                Text::new(
                    "If-Match harus berisi versi laporan, misalnya \"3\".",
                    "If-Match must hold the report version, e.g. \"3\".",
                ),
            )])
        })
}

fn problem(error: WorkflowError) -> Problem {
    match error {
        WorkflowError::NotFound => not_found(),
        WorkflowError::Forbidden => Problem::forbidden(),
        WorkflowError::VersionMismatch { current } => Problem::new(
            StatusCode::PRECONDITION_FAILED,
            "stale-version",
            Text::new("Laporan sudah berubah", "The report has changed"),
        )
        .detail(Text::new(
            "Laporan telah diubah oleh orang lain. Muat ulang laporan lalu coba lagi.",
            "Someone else changed the report. Reload it and try again.",
        ))
        .with("current_version", json!(current)),
        WorkflowError::NotAllowed {
            action,
            status,
            allowed,
            reason,
        } => {
            let detail = match reason {
                Some((id, en)) => Text::new(id, en),
                None => Text::owned(
                    format!(
                        "Tindakan {action} tidak dapat dilakukan saat laporan berstatus {status}."
                    ),
                    format!("{action} is not possible while the report is {status}."),
                ),
            };
            Problem::new(
                StatusCode::CONFLICT,
                "action-not-allowed",
                Text::new("Tindakan tidak dapat dilakukan", "Action not allowed"),
            )
            .detail(detail)
            .with("status", json!(status))
            .with("allowed_actions", json!(allowed))
        }
        WorkflowError::Invalid(violations) => {
            Problem::validation(violations.into_iter().map(FieldError::from).collect())
        }
        WorkflowError::Repository(error) => Problem::from(error),
    }
}

async fn act(
    State(repository): State<ReportRepository>,
    CallerExt(caller): CallerExt,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<JsonBody<Action>, Problem>,
) -> Result<Response, Problem> {
    lapor_api::routes::require(&caller, &[Role::Citizen, Role::Pic, Role::Admin])?;
    let id: ReportId = id.parse().map_err(|_| not_found())?;
    let version = expected_version(&headers)?;
    let JsonBody(action) = body?;
    let report = repository
        .act(&id, version, &caller, &action, Timestamp::now())
        .await
        .map_err(problem)?;
    tracing::info!(report_id = %id, action = action.kind().as_str(), role = caller.role().as_str(), version = report.version, "report action");
    // After a forward the PIC's unit may no longer see a confidential report: answer
    // with its new state only.
    let body = match Viewer::of(&caller, &report) {
        Some(viewer) => json!(ReportView::new(&report, viewer)),
        None => json!({
            "id": report.id, "status": report.status, "version": report.version,
            "unit_id": report.unit_id,
        }),
    };
    let mut response = Json(body).into_response();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", report.version)) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    Ok(response)
}
