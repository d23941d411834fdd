//! The `social-admin` function: admins register, list, change and deactivate the
//! official social-media accounts of the units (platform, account id, handle, the
//! reference to its credentials — never the token itself — and the active flag).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::{Json, Router};
use lapor_api::routes::require;
use lapor_api::{CallerExt, JsonBody, Problem, RouteSpec, Text};
use lapor_models::{Role, Timestamp};
use lapor_social::model::AccountPatch;
use lapor_social::{Account, NewAccount, Platform, SocialRepository};
use serde_json::{json, Value};

const ADMIN: &[Role] = &[Role::Admin];

/// The routes this function serves.
pub const ROUTES: &[RouteSpec] = &[
    RouteSpec::signed("GET", "/v1/admin/social-accounts", ADMIN),
    RouteSpec::signed("POST", "/v1/admin/social-accounts", ADMIN),
    RouteSpec::signed(
        "PATCH",
        "/v1/admin/social-accounts/{platform}/{account_id}",
        ADMIN,
    ),
    RouteSpec::signed(
        "DELETE",
        "/v1/admin/social-accounts/{platform}/{account_id}",
        ADMIN,
    ),
];

/// The router, for Lambda and for `lapor-local`.
pub fn router(repository: SocialRepository) -> Router {
    Router::new()
        .route("/v1/admin/social-accounts", get(list).post(create))
        .route(
            "/v1/admin/social-accounts/{platform}/{account_id}",
            patch(update).delete(deactivate),
        )
        .with_state(repository)
}

fn not_found() -> Problem {
    Problem::not_found(Text::new("Akun tidak ditemukan.", "Account not found."))
}

async fn list(
    State(repository): State<SocialRepository>,
    CallerExt(caller): CallerExt,
) -> Result<Json<Value>, Problem> {
    require(&caller, ADMIN)?;
    let accounts = repository.list_accounts().await?;
    Ok(Json(json!({ "items": accounts })))
}

async fn create(
    State(repository): State<SocialRepository>,
    CallerExt(caller): CallerExt,
    body: Result<JsonBody<NewAccount>, Problem>,
) -> Result<(StatusCode, Json<Account>), Problem> {
    // Who asks is checked before what they sent.
    require(&caller, ADMIN)?;
    let JsonBody(new) = body?;
    let account = repository.create_account(&new, Timestamp::now()).await?;
    Ok((StatusCode::CREATED, Json(account)))
}

async fn update(
    State(repository): State<SocialRepository>,
    CallerExt(caller): CallerExt,
    Path((platform, account_id)): Path<(String, String)>,
    body: Result<JsonBody<AccountPatch>, Problem>,
) -> Result<Json<Account>, Problem> {
    require(&caller, ADMIN)?;
    let JsonBody(patch) = body?;
    let platform: Platform = platform.parse().map_err(|_| not_found())?;
    let account = repository
        .update_account(platform, &account_id, &patch, Timestamp::now())
        .await?;
    Ok(Json(account))
}

async fn deactivate(
    State(repository): State<SocialRepository>,
    CallerExt(caller): CallerExt,
    Path((platform, account_id)): Path<(String, String)>,
) -> Result<Json<Account>, Problem> {
    require(&caller, ADMIN)?;
    let platform: Platform = platform.parse().map_err(|_| not_found())?;
    let account = repository
        .deactivate_account(platform, &account_id, Timestamp::now())
        .await?;
    Ok(Json(account))
}
