//! The `notification-admin` function (admins only, table access only): the PIC
//! directory of each unit — `POST /v1/admin/units/{id}/pics` {`user_id`, `name`, `phone`,
//! `is_head`}, `GET` the list, `DELETE …/pics/{user_id}` — and
//! `GET /v1/admin/notifications?report_id=`: what was sent about a report, on which
//! channel, to whom, and how it went. The unit id `pimpinan` holds the regent's staff,
//! who receive escalations.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use lapor_api::{CallerExt, FieldError, JsonBody, Problem, RouteSpec, Text};
use lapor_models::{ReferenceData, ReportId, Role, Timestamp, UserId};
use lapor_notifications::directory::{normalize_phone, DirectoryError, NAME_MAX};
use lapor_notifications::service::NotifyError;
use lapor_notifications::{Directory, NotificationService, Pic};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

/// The routes this function serves.
pub const ROUTES: &[RouteSpec] = &[
    RouteSpec::signed("POST", "/v1/admin/units/{id}/pics", &[Role::Admin]),
    RouteSpec::signed("GET", "/v1/admin/units/{id}/pics", &[Role::Admin]),
    RouteSpec::signed(
        "DELETE",
        "/v1/admin/units/{id}/pics/{user_id}",
        &[Role::Admin],
    ),
    RouteSpec::signed("GET", "/v1/admin/notifications", &[Role::Admin]),
];

/// What the routes need.
#[derive(Clone)]
pub struct AdminState {
    pub service: NotificationService,
    pub reference: Arc<ReferenceData>,
}

/// The router, for Lambda and for `lapor-local`.
pub fn router(service: NotificationService, reference: Arc<ReferenceData>) -> Router {
    Router::new()
        .route("/v1/admin/units/{id}/pics", get(list_pics).post(put_pic))
        .route("/v1/admin/units/{id}/pics/{user_id}", delete(remove_pic))
        .route("/v1/admin/notifications", get(list_notifications))
        .with_state(AdminState { service, reference })
}

fn unit_not_found() -> Problem {
    Problem::not_found(Text::new("Unit tidak ditemukan.", "Unit not found."))
}

fn directory_problem(error: DirectoryError) -> Problem {
    match error {
        DirectoryError::Store(e) => Problem::from(e),
        DirectoryError::Corrupt(key, e) => {
            tracing::error!(key = %key, error = %e, "corrupt directory item");
            Problem::internal()
        }
    }
}

fn known_unit(state: &AdminState, unit: &str) -> Result<(), Problem> {
    if Directory::is_known_unit(&state.reference, unit) {
        Ok(())
    } else {
        Err(unit_not_found())
    }
}

/// A PIC as the client sends it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PicInput {
    pub user_id: String,
    pub name: String,
    pub phone: String,
    #[serde(default)]
    pub is_head: bool,
}

fn pic_json(pic: &Pic) -> serde_json::Value {
    json!({
        "unit_id": pic.unit_id, "user_id": pic.user_id, "name": pic.name,
        "phone": pic.phone, "is_head": pic.is_head, "updated_at": pic.updated_at,
    })
}

async fn put_pic(
    State(state): State<AdminState>,
    CallerExt(caller): CallerExt,
    Path(unit): Path<String>,
    body: Result<JsonBody<PicInput>, Problem>,
) -> Result<Response, Problem> {
    lapor_api::routes::require(&caller, &[Role::Admin])?;
    known_unit(&state, &unit)?;
    let JsonBody(input) = body?;
    let mut errors = Vec::new();
    let user = UserId::new(input.user_id.trim());
    if user.is_none() {
        errors.push(FieldError::new(
            "user_id",
            "invalid",
            Text::new("Id pengguna tidak valid.", "Invalid user id."),
        ));
    }
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "name",
            "invalid",
            Text::new(
                "Nama wajib diisi, paling banyak 100 karakter.",
                "Name is required, at most 100 characters.",
            ),
        ));
    }
    let phone = normalize_phone(&input.phone);
    if phone.is_none() {
        errors.push(FieldError::new(
            "phone",
            "invalid_phone",
            Text::new(
                "Nomor HP harus nomor seluler Indonesia, misalnya +6281234567890.",
                "The phone must be an Indonesian mobile number, e.g. +6281234567890.",
            ),
        ));
    }
    let (Some(user), Some(phone), true) = (user, phone, errors.is_empty()) else {
        return Err(Problem::validation(errors));
    };
    let pic = Pic {
        unit_id: unit.clone(),
        user_id: user,
        name,
        phone,
        is_head: input.is_head,
        updated_at: Timestamp::now(),
    };
    let created = state
        .service
        .directory()
        .put_pic(&pic)
        .await
        .map_err(directory_problem)?;
    tracing::info!(unit = %unit, user_id = %pic.user_id, created, "pic saved");
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(pic_json(&pic))).into_response())
}

async fn list_pics(
    State(state): State<AdminState>,
    CallerExt(caller): CallerExt,
    Path(unit): Path<String>,
) -> Result<Json<serde_json::Value>, Problem> {
    lapor_api::routes::require(&caller, &[Role::Admin])?;
    known_unit(&state, &unit)?;
    let pics = state
        .service
        .directory()
        .pics(&unit)
        .await
        .map_err(directory_problem)?;
    Ok(Json(json!({
        "unit_id": unit,
        "items": pics.iter().map(pic_json).collect::<Vec<_>>(),
    })))
}

async fn remove_pic(
    State(state): State<AdminState>,
    CallerExt(caller): CallerExt,
    Path((unit, user)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    lapor_api::routes::require(&caller, &[Role::Admin])?;
    known_unit(&state, &unit)?;
    let not_found = || Problem::not_found(Text::new("PIC tidak ditemukan.", "PIC not found."));
    let user = UserId::new(user).ok_or_else(not_found)?;
    let removed = state
        .service
        .directory()
        .remove_pic(&unit, &user)
        .await
        .map_err(directory_problem)?;
    if removed {
        tracing::info!(unit = %unit, user_id = %user, "pic removed");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found())
    }
}

/// The query of the notifications list.
#[derive(Debug, Deserialize)]
pub struct NotificationsQuery {
    #[serde(default)]
    pub report_id: Option<String>,
}

async fn list_notifications(
    State(state): State<AdminState>,
    CallerExt(caller): CallerExt,
    query: Result<Query<NotificationsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<serde_json::Value>, Problem> {
    lapor_api::routes::require(&caller, &[Role::Admin])?;
    let report = query
        .ok()
        .and_then(|Query(q)| q.report_id)
        .and_then(|r| r.trim().parse::<ReportId>().ok())
        .ok_or_else(|| {
            Problem::validation(vec![FieldError::new(
                "report_id",
                "invalid",
                Text::new(
                    "report_id wajib diisi dengan id laporan.",
                    "report_id must be a report id.",
                ),
            )])
        })?;
    let items = state.service.list(&report).await.map_err(|error| match error {
        NotifyError::Store(e) => Problem::from(e),
        other => {
            tracing::error!(report_id = %report, error = %other, "notifications could not be listed");
            Problem::internal()
        }
    })?;
    Ok(Json(json!({"report_id": report, "items": items})))
}
