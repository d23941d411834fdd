//! The `catalog` function: the regency's reference data for the app's pickers —
//! categories with their subcategories, and the units that handle reports. Public,
//! cacheable, read from the data embedded in the binary (no store access at all).

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use lapor_api::cache::cached_json;
use lapor_api::{FieldError, Problem, RouteSpec, Text};
use lapor_models::{ReferenceData, UnitKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The routes this function serves.
pub const ROUTES: &[RouteSpec] = &[
    RouteSpec::public("GET", "/v1/categories"),
    RouteSpec::public("GET", "/v1/units"),
];

/// Reference data changes with a deployment only: an hour of caching is safe.
const MAX_AGE_SECONDS: u32 = 3600;

/// The bodies, serialized once at start.
#[derive(Debug)]
pub struct Catalog {
    categories: Vec<u8>,
    units: Vec<Unit>,
}

#[derive(Debug, Clone, Serialize)]
struct Unit {
    id: String,
    kind: UnitKind,
    name: String,
    short_name: String,
}

#[derive(Serialize)]
struct SubcategoryView<'a> {
    id: &'a str,
    name: &'a str,
    unit_id: &'a str,
    routes_to_district: bool,
}

#[derive(Serialize)]
struct CategoryView<'a> {
    id: &'a str,
    name: &'a str,
    skip_verification: bool,
    subcategories: Vec<SubcategoryView<'a>>,
}

impl Catalog {
    pub fn new(data: &ReferenceData) -> Self {
        let categories: Vec<CategoryView> = data
            .categories
            .iter()
            .map(|c| CategoryView {
                id: c.id.as_str(),
                name: &c.name,
                skip_verification: c.skip_verification,
                subcategories: c
                    .subcategories
                    .iter()
                    .map(|s| SubcategoryView {
                        id: s.id.as_str(),
                        name: &s.name,
                        unit_id: s.unit_id.as_str(),
                        routes_to_district: s.routes_to_district,
                    })
                    .collect(),
            })
            .collect();
        Self {
            categories: serde_json::to_vec(&serde_json::json!({ "items": categories }))
                .unwrap_or_default(),
            units: data
                .units
                .iter()
                .map(|u| Unit {
                    id: u.id.to_string(),
                    kind: u.kind,
                    name: u.name.clone(),
                    short_name: u.short_name.clone(),
                })
                .collect(),
        }
    }
}

/// The router, for Lambda and for `lapor-local`.
pub fn router(catalog: Arc<Catalog>) -> Router {
    Router::new()
        .route("/v1/categories", get(categories))
        .route("/v1/units", get(units))
        .with_state(catalog)
}

async fn categories(State(catalog): State<Arc<Catalog>>, headers: HeaderMap) -> Response {
    cached_json(&headers, catalog.categories.clone(), MAX_AGE_SECONDS)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitFilter {
    kind: Option<String>,
}

async fn units(
    State(catalog): State<Arc<Catalog>>,
    headers: HeaderMap,
    query: Result<Query<UnitFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Problem> {
    let Query(filter) = query.map_err(|_| {
        Problem::validation(vec![FieldError::new(
            "query",
            "unknown_parameter",
            Text::new(
                "Parameter yang dikenal hanya `kind`.",
                "The only known parameter is `kind`.",
            ),
        )])
    })?;
    let kind = match filter.kind.as_deref() {
        None => None,
        Some(text) => Some(
            serde_json::from_value::<UnitKind>(serde_json::Value::from(text)).map_err(|_| {
                Problem::validation(vec![FieldError::new(
                    "kind",
                    "not_allowed",
                    Text::new(
                        "Pilihan: agency, district, partner.",
                        "Expected agency, district or partner.",
                    ),
                )])
            })?,
        ),
    };
    let items: Vec<&Unit> = catalog
        .units
        .iter()
        .filter(|u| kind.is_none_or(|k| u.kind == k))
        .collect();
    let body = serde_json::to_vec(&serde_json::json!({ "items": items })).map_err(|error| {
        tracing::error!(%error, "units did not serialize");
        Problem::internal()
    })?;
    Ok(cached_json(&headers, body, MAX_AGE_SECONDS))
}
