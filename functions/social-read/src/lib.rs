//! The `social-read` function: the `#LaporBupatiTegal` posts linked to one report (as the
//! caller may see the report: a confidential report's posts do not exist for the public),
//! and, for PICs and admins, the post list filtered by unit, platform, date and
//! linked/unlinked, from index partitions. It holds read rights only.

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use lapor_api::routes::require;
use lapor_api::{CallerExt, FieldError, Problem, RouteSpec, Text};
use lapor_models::{ReportId, Role, Timestamp, UnitId};
use lapor_social::repository::PostFilter;
use lapor_social::{Platform, SocialRepository};
use serde_json::{json, Value};
use std::collections::HashMap;

/// The routes this function serves.
pub const ROUTES: &[RouteSpec] = &[
    RouteSpec::optional("GET", "/v1/reports/{id}/social-posts"),
    RouteSpec::signed("GET", "/v1/social/posts", &[Role::Pic, Role::Admin]),
];

/// The router, for Lambda and for `lapor-local`.
pub fn router(repository: SocialRepository) -> Router {
    Router::new()
        .route("/v1/reports/{id}/social-posts", get(for_report))
        .route("/v1/social/posts", get(list))
        .with_state(repository)
}

pub const DEFAULT_PAGE: usize = 20;
pub const MAX_PAGE: usize = 100;

async fn for_report(
    State(repository): State<SocialRepository>,
    CallerExt(caller): CallerExt,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    let id: ReportId = id.parse().map_err(|_| {
        Problem::not_found(Text::new("Laporan tidak ditemukan.", "Report not found."))
    })?;
    let posts = repository.posts_for_report(&id, &caller).await?;
    Ok(Json(json!({ "items": posts })))
}

fn field(name: &str, code: &'static str, id: &str, en: &str) -> FieldError {
    FieldError::new(name, code, Text::owned(id.to_owned(), en.to_owned()))
}

async fn list(
    State(repository): State<SocialRepository>,
    CallerExt(caller): CallerExt,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, Problem> {
    require(&caller, &[Role::Pic, Role::Admin])?;
    const KNOWN: [&str; 7] = [
        "unit_id", "platform", "since", "until", "linked", "limit", "cursor",
    ];
    let mut errors: Vec<FieldError> = query
        .keys()
        .filter(|k| !KNOWN.contains(&k.as_str()))
        .map(|k| {
            field(
                k,
                "unknown_parameter",
                &format!(
                    "Parameter tidak dikenal. Yang dikenal: {}.",
                    KNOWN.join(", ")
                ),
                &format!("Unknown parameter. Known: {}.", KNOWN.join(", ")),
            )
        })
        .collect();
    let mut filter = PostFilter::default();
    if let Some(unit) = query.get("unit_id") {
        match unit
            .trim()
            .parse::<UnitId>()
            .ok()
            .filter(|u| repository.reports().reference().unit(u).is_some())
        {
            Some(unit) => filter.unit_id = Some(unit),
            None => errors.push(field(
                "unit_id",
                "unknown_unit",
                "Unit tidak dikenal; lihat GET /v1/units.",
                "Unknown unit; see GET /v1/units.",
            )),
        }
    }
    if let Some(platform) = query.get("platform") {
        match platform.parse::<Platform>() {
            Ok(p) => filter.platform = Some(p),
            Err(_) => errors.push(field(
                "platform",
                "unknown_platform",
                "Platform harus instagram, facebook, x, youtube, atau tiktok.",
                "Platform must be instagram, facebook, x, youtube or tiktok.",
            )),
        }
    }
    for name in ["since", "until"] {
        if let Some(raw) = query.get(name) {
            match Timestamp::parse(raw.trim()) {
                Ok(t) if name == "since" => filter.since = Some(t),
                Ok(t) => filter.until = Some(t),
                Err(_) => errors.push(field(
                    name,
                    "invalid",
                    "Waktu harus RFC 3339, misalnya 2026-12-01T00:00:00+07:00.",
                    "Time must be RFC 3339, e.g. 2026-12-01T00:00:00+07:00.",
                )),
            }
        }
    }
    if let Some(linked) = query.get("linked") {
        match linked.trim() {
            "true" => filter.linked = Some(true),
            "false" => filter.linked = Some(false),
            _ => errors.push(field(
                "linked",
                "invalid",
                "linked harus true atau false.",
                "linked must be true or false.",
            )),
        }
    }
    let limit = match query.get("limit").map(|l| l.trim().parse::<usize>()) {
        None => DEFAULT_PAGE,
        Some(Ok(n)) if (1..=MAX_PAGE).contains(&n) => n,
        Some(_) => {
            errors.push(field(
                "limit",
                "out_of_range",
                "limit harus bilangan bulat 1 sampai 100.",
                "limit must be a whole number from 1 to 100.",
            ));
            DEFAULT_PAGE
        }
    };
    if !errors.is_empty() {
        return Err(Problem::validation(errors));
    }
    let page = repository
        .list_posts(&filter, limit, query.get("cursor").map(String::as_str))
        .await?;
    Ok(Json(
        json!({ "items": page.items, "next_cursor": page.cursor }),
    ))
}
