//! The `devices` function (signed-in users; SNS endpoint management and the table):
//! `POST /v1/devices` {`platform`: `fcm`|`apns`, `token`} registers the caller's device as
//! an SNS platform endpoint (the same token gives the same device, re-enabled if SNS had
//! disabled it), `DELETE /v1/devices/{id}` removes it on logout, and
//! `GET`/`PUT /v1/me/notification-settings` {`sms`: bool} read and set the SMS opt-in.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use lapor_api::{CallerExt, FieldError, JsonBody, Problem, RouteSpec, Text};
use lapor_models::{Caller, Role, Timestamp, UserId};
use lapor_notifications::directory::device_id;
use lapor_notifications::{
    Device, DirectoryError, NotificationService, Platform, SendError, Settings,
};
use serde::Deserialize;
use serde_json::json;

const SIGNED_IN: &[Role] = &[Role::Citizen, Role::Pic, Role::Admin];

/// The routes this function serves.
pub const ROUTES: &[RouteSpec] = &[
    RouteSpec::signed("POST", "/v1/devices", SIGNED_IN),
    RouteSpec::signed("DELETE", "/v1/devices/{id}", SIGNED_IN),
    RouteSpec::signed("GET", "/v1/me/notification-settings", SIGNED_IN),
    RouteSpec::signed("PUT", "/v1/me/notification-settings", SIGNED_IN),
];

/// Longest device token accepted (APNs tokens are 64 hex digits, FCM's about 160).
pub const TOKEN_MAX: usize = 4096;

/// The router, for Lambda and for `lapor-local`.
pub fn router(service: NotificationService) -> Router {
    Router::new()
        .route("/v1/devices", post(register))
        .route("/v1/devices/{id}", delete(remove))
        .route(
            "/v1/me/notification-settings",
            get(get_settings).put(put_settings),
        )
        .with_state(service)
}

fn user_of(caller: &Caller) -> Result<UserId, Problem> {
    lapor_api::routes::require(caller, SIGNED_IN)?;
    caller.user().cloned().ok_or_else(Problem::unauthorized)
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

fn send_problem(error: SendError) -> Problem {
    match error {
        SendError::NotConfigured(platform) => {
            tracing::warn!(platform, "push is not configured");
            Problem::unavailable()
        }
        SendError::Rejected(_) => Problem::validation(vec![FieldError::new(
            "token",
            "rejected",
            Text::new(
                "Token perangkat ditolak oleh layanan notifikasi.",
                "The push service refused the device token.",
            ),
        )]),
        other => {
            tracing::error!(error = %other, cause = ?std::error::Error::source(&other).map(|s| s.to_string()), "push service failed");
            Problem::unavailable()
        }
    }
}

/// A device as the client sends it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceInput {
    pub platform: String,
    pub token: String,
}

fn device_json(device: &Device) -> serde_json::Value {
    json!({
        "id": device.device_id, "platform": device.platform, "enabled": device.enabled,
        "created_at": device.created_at, "updated_at": device.updated_at,
    })
}

async fn register(
    State(service): State<NotificationService>,
    CallerExt(caller): CallerExt,
    body: Result<JsonBody<DeviceInput>, Problem>,
) -> Result<Response, Problem> {
    let user = user_of(&caller)?;
    let JsonBody(input) = body?;
    let mut errors = Vec::new();
    let platform = match input.platform.as_str() {
        "fcm" => Some(Platform::Fcm),
        "apns" => Some(Platform::Apns),
        _ => {
            errors.push(FieldError::new(
                "platform",
                "invalid",
                Text::new(
                    "Platform harus fcm atau apns.",
                    "Platform must be fcm or apns.",
                ),
            ));
            None
        }
    };
    let token = input.token.trim().to_owned();
    if token.is_empty() || token.len() > TOKEN_MAX || !token.bytes().all(|b| b.is_ascii_graphic()) {
        errors.push(FieldError::new(
            "token",
            "invalid",
            Text::new("Token perangkat tidak valid.", "Invalid device token."),
        ));
    }
    let (Some(platform), true) = (platform, errors.is_empty()) else {
        return Err(Problem::validation(errors));
    };
    let id = device_id(&user, platform, &token);
    let directory = service.directory();
    let existing = directory
        .device(&user, &id)
        .await
        .map_err(directory_problem)?;
    let endpoint = service
        .notifier()
        .register_device(
            platform,
            &token,
            user.as_str(),
            existing.as_ref().map(|d| d.endpoint.as_str()),
        )
        .await
        .map_err(send_problem)?;
    let now = Timestamp::now();
    let device = Device {
        device_id: id,
        user_id: user,
        platform,
        endpoint,
        enabled: true,
        created_at: existing.as_ref().map_or(now, |d| d.created_at),
        updated_at: now,
    };
    directory
        .put_device(&device)
        .await
        .map_err(directory_problem)?;
    tracing::info!(user_id = %device.user_id, device_id = %device.device_id, platform = platform.as_str(), new = existing.is_none(), "device registered");
    let status = if existing.is_none() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(device_json(&device))).into_response())
}

async fn remove(
    State(service): State<NotificationService>,
    CallerExt(caller): CallerExt,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let user = user_of(&caller)?;
    let not_found =
        || Problem::not_found(Text::new("Perangkat tidak ditemukan.", "Device not found."));
    let device = service
        .directory()
        .device(&user, &id)
        .await
        .map_err(directory_problem)?
        .ok_or_else(not_found)?;
    // The endpoint first: if SNS fails nothing changed and the client may retry.
    service
        .notifier()
        .remove_device(&device.endpoint)
        .await
        .map_err(send_problem)?;
    service
        .directory()
        .remove_device(&user, &id)
        .await
        .map_err(directory_problem)?;
    tracing::info!(user_id = %user, device_id = %id, "device removed");
    Ok(StatusCode::NO_CONTENT)
}

async fn get_settings(
    State(service): State<NotificationService>,
    CallerExt(caller): CallerExt,
) -> Result<Json<Settings>, Problem> {
    let user = user_of(&caller)?;
    let settings = service
        .directory()
        .settings(&user)
        .await
        .map_err(directory_problem)?;
    Ok(Json(settings))
}

/// The settings as the client sends them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsInput {
    pub sms: bool,
}

async fn put_settings(
    State(service): State<NotificationService>,
    CallerExt(caller): CallerExt,
    body: Result<JsonBody<SettingsInput>, Problem>,
) -> Result<Json<Settings>, Problem> {
    let user = user_of(&caller)?;
    let JsonBody(input) = body?;
    let settings = Settings { sms: input.sms };
    service
        .directory()
        .put_settings(&user, settings)
        .await
        .map_err(directory_problem)?;
    tracing::info!(user_id = %user, sms = settings.sms, "notification settings saved");
    Ok(Json(settings))
}
