//! The `reports-read` function: every read of reports, each shaped for who asks — one
//! report, its public status by tracking code, the public list with filters, a citizen's
//! own reports, and open reports nearby (shown before submitting, to avoid duplicates).
//! It holds read rights only.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use lapor_api::routes::require;
use lapor_api::{CallerExt, FieldError, Problem, RouteSpec, Text};
use lapor_media::MediaService;
use lapor_models::{
    Bounds, GeoPoint, ReportId, ReportStatus, Role, SubcategoryId, Timestamp, TrackingCode,
};
use lapor_reports::repository::{ListFilter, ReportPage, ReportRepository};
use lapor_reports::{ReportView, Viewer};
use serde_json::{json, Value};
use std::collections::HashMap;

/// The routes this function serves.
pub const ROUTES: &[RouteSpec] = &[
    RouteSpec::public("GET", "/v1/reports"),
    RouteSpec::optional("GET", "/v1/reports/{id}"),
    RouteSpec::public("GET", "/v1/reports/track/{tracking_code}"),
    RouteSpec::public("GET", "/v1/reports/nearby"),
    RouteSpec::signed("GET", "/v1/me/reports", &[Role::Citizen]),
    RouteSpec::signed("GET", "/v1/inbox", &[Role::Pic, Role::Admin]),
];

/// What the reads need: the reports, and the media service for short-lived links to
/// their photos and videos.
#[derive(Clone)]
pub struct ReadState {
    pub reports: ReportRepository,
    pub media: MediaService,
}

impl axum::extract::FromRef<ReadState> for ReportRepository {
    fn from_ref(state: &ReadState) -> Self {
        state.reports.clone()
    }
}

impl axum::extract::FromRef<ReadState> for MediaService {
    fn from_ref(state: &ReadState) -> Self {
        state.media.clone()
    }
}

/// The router, for Lambda and for `lapor-local`.
pub fn router(reports: ReportRepository, media: MediaService) -> Router {
    Router::new()
        .route("/v1/reports", get(list))
        .route("/v1/reports/nearby", get(nearby))
        .route("/v1/reports/{id}", get(one))
        .route("/v1/reports/track/{tracking_code}", get(track))
        .route("/v1/me/reports", get(mine))
        .route("/v1/inbox", get(inbox))
        .with_state(ReadState { reports, media })
}

pub const DEFAULT_PAGE: usize = 20;
pub const MAX_PAGE: usize = 100;
pub const DEFAULT_RADIUS_M: f64 = 50.0;
pub const MAX_RADIUS_M: f64 = 500.0;

fn not_found() -> Problem {
    Problem::not_found(Text::new("Laporan tidak ditemukan.", "Report not found."))
}

/// Query parameters, each parsed with its own field error; unknown ones are refused so
/// that a typo never silently widens a list.
struct Params {
    values: HashMap<String, String>,
    errors: Vec<FieldError>,
}

impl Params {
    fn new(values: HashMap<String, String>, known: &[&str]) -> Self {
        let mut errors = Vec::new();
        for name in values.keys() {
            if !known.contains(&name.as_str()) {
                errors.push(FieldError::new(
                    name.clone(),
                    "unknown_parameter",
                    Text::owned(
                        format!(
                            "Parameter tidak dikenal. Yang dikenal: {}.",
                            known.join(", ")
                        ),
                        format!("Unknown parameter. Known: {}.", known.join(", ")),
                    ),
                ));
            }
        }
        Self { values, errors }
    }

    fn parse<T>(&mut self, name: &str, id: &str, en: &str) -> Option<T>
    where
        T: std::str::FromStr,
    {
        let raw = self.values.get(name)?;
        match raw.trim().parse() {
            Ok(value) => Some(value),
            Err(_) => {
                self.errors.push(FieldError::new(
                    name,
                    "invalid",
                    Text::owned(id.to_owned(), en.to_owned()),
                ));
                None
            }
        }
    }

    fn limit(&mut self) -> usize {
        match self.parse::<usize>(
            "limit",
            "limit harus bilangan bulat 1 sampai 100.",
            "limit must be a whole number from 1 to 100.",
        ) {
            Some(n) if (1..=MAX_PAGE).contains(&n) => n,
            Some(_) => {
                self.errors.push(FieldError::new(
                    "limit",
                    "out_of_range",
                    Text::new("limit harus 1 sampai 100.", "limit must be from 1 to 100."),
                ));
                DEFAULT_PAGE
            }
            None => DEFAULT_PAGE,
        }
    }

    fn timestamp(&mut self, name: &str) -> Option<Timestamp> {
        let raw = self.values.get(name)?;
        match Timestamp::parse(raw.trim()) {
            Ok(t) => Some(t),
            Err(_) => {
                self.errors.push(FieldError::new(
                    name,
                    "invalid",
                    Text::new(
                        "Waktu harus RFC 3339, misalnya 2026-12-01T00:00:00+07:00.",
                        "Time must be RFC 3339, e.g. 2026-12-01T00:00:00+07:00.",
                    ),
                ));
                None
            }
        }
    }

    fn finish(self) -> Result<HashMap<String, String>, Problem> {
        if self.errors.is_empty() {
            Ok(self.values)
        } else {
            Err(Problem::validation(self.errors))
        }
    }
}

fn page_body(page: ReportPage, viewer: Viewer) -> Value {
    let items: Vec<ReportView> = page
        .items
        .iter()
        .map(|r| ReportView::new(r, viewer))
        .collect();
    json!({ "items": items, "next_cursor": page.cursor })
}

fn parse_bbox(raw: &str) -> Option<Bounds> {
    let parts: Vec<f64> = raw
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .ok()?;
    let [min_lon, min_lat, max_lon, max_lat] = parts.as_slice() else {
        return None;
    };
    let bounds = Bounds {
        min_lat: *min_lat,
        max_lat: *max_lat,
        min_lon: *min_lon,
        max_lon: *max_lon,
    };
    bounds.is_valid().then_some(bounds)
}

async fn list(
    State(repository): State<ReportRepository>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let mut params = Params::new(
        query,
        &[
            "category_id",
            "subcategory_id",
            "unit_id",
            "kecamatan_id",
            "status",
            "since",
            "until",
            "bbox",
            "limit",
            "cursor",
        ],
    );
    let unknown_id = "Id tidak dikenal.";
    let unknown_en = "Unknown id.";
    let filter = ListFilter {
        category_id: params.parse("category_id", unknown_id, unknown_en),
        subcategory_id: params.parse("subcategory_id", unknown_id, unknown_en),
        unit_id: params.parse("unit_id", unknown_id, unknown_en),
        kecamatan_id: params.parse("kecamatan_id", unknown_id, unknown_en),
        status: params.values.get("status").and_then(|s| {
            let parsed = serde_json::from_value::<ReportStatus>(Value::from(s.as_str())).ok();
            if parsed.is_none() {
                params.errors.push(FieldError::new(
                    "status",
                    "not_allowed",
                    Text::new("Status tidak dikenal.", "Unknown status."),
                ));
            }
            parsed
        }),
        since: params.timestamp("since"),
        until: params.timestamp("until"),
        bbox: params.values.get("bbox").and_then(|raw| {
            let parsed = parse_bbox(raw);
            if parsed.is_none() {
                params.errors.push(FieldError::new(
                    "bbox",
                    "invalid",
                    Text::new(
                        "bbox: min_lon,min_lat,max_lon,max_lat dalam derajat.",
                        "bbox: min_lon,min_lat,max_lon,max_lat in degrees.",
                    ),
                ));
            }
            parsed
        }),
    };
    let limit = params.limit();
    let values = params.finish()?;
    let page = repository
        .list_public(&filter, limit, values.get("cursor").map(String::as_str))
        .await?;
    Ok(Json(page_body(page, Viewer::Public)).into_response())
}

async fn mine(
    State(repository): State<ReportRepository>,
    CallerExt(caller): CallerExt,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    require(&caller, &[Role::Citizen])?;
    let user = caller.user().ok_or_else(Problem::unauthorized)?;
    let mut params = Params::new(query, &["limit", "cursor"]);
    let limit = params.limit();
    let values = params.finish()?;
    let page = repository
        .list_by_reporter(user, limit, values.get("cursor").map(String::as_str))
        .await?;
    Ok(Json(page_body(page, Viewer::Full)).into_response())
}

async fn one(
    State(repository): State<ReportRepository>,
    State(media): State<MediaService>,
    CallerExt(caller): CallerExt,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id: ReportId = id.parse().map_err(|_| not_found())?;
    let report = repository.get(&id).await?.ok_or_else(not_found)?;
    let viewer = Viewer::of(&caller, &report).ok_or_else(not_found)?;
    // Staff of the report (its unit's PICs, admins) see internal notes; the reporter and
    // the public see the public entries without them.
    let staff = viewer != Viewer::Public && caller.role() != Role::Citizen;
    let timeline: Vec<_> = repository
        .timeline(&id)
        .await?
        .into_iter()
        .filter_map(|e| if staff { Some(e) } else { e.for_public() })
        .collect();
    let mut body = serde_json::to_value(ReportView::new(&report, viewer)).map_err(|error| {
        tracing::error!(%error, "report view did not serialize");
        Problem::internal()
    })?;
    // Short-lived links to the photos and videos: the report's own and the follow-up
    // evidence in the entries this viewer sees (stripped of location metadata at ingest).
    let mut media_ids = report.media_ids.clone();
    for entry in &timeline {
        media_ids.extend(entry.media_ids.iter().cloned());
    }
    let links = media.media_links(&media_ids).await?;
    if let Some(object) = body.as_object_mut() {
        object.insert("timeline".into(), json!(timeline));
        object.insert("media".into(), json!(links));
    }
    let mut response = Json(body).into_response();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", report.version)) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    Ok(response)
}

async fn track(
    State(repository): State<ReportRepository>,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    let code: TrackingCode = code.parse().map_err(|_| {
        Problem::not_found(Text::new(
            "Kode pelacakan tidak ditemukan. Periksa kembali kodenya, misalnya LBT-7K3Q9M.",
            "Tracking code not found. Check the code, e.g. LBT-7K3Q9M.",
        ))
    })?;
    let report = repository.by_tracking_code(&code).await?.ok_or_else(|| {
        Problem::not_found(Text::new(
            "Kode pelacakan tidak ditemukan.",
            "Tracking code not found.",
        ))
    })?;
    let timeline: Vec<_> = repository
        .timeline(&report.id)
        .await?
        .into_iter()
        .filter(|e| e.public)
        .map(|e| json!({ "at": e.at, "kind": e.kind, "status": e.status, "text": e.text }))
        .collect();
    let unit_name = repository
        .reference()
        .unit(&report.unit_id)
        .map(|u| u.name.clone());
    Ok(Json(json!({
        "tracking_code": report.tracking_code,
        "status": report.status,
        "category_id": report.category_id,
        "subcategory_id": report.subcategory_id,
        "unit_id": report.unit_id,
        "unit_name": unit_name,
        "created_at": report.created_at,
        "updated_at": report.updated_at,
        "due_at": report.due_at,
        "timeline": timeline,
    }))
    .into_response())
}

async fn nearby(
    State(repository): State<ReportRepository>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let mut params = Params::new(query, &["lat", "lon", "subcategory_id", "radius_m"]);
    for required in ["lat", "lon"] {
        if !params.values.contains_key(required) {
            params.errors.push(FieldError::new(
                required,
                "required",
                Text::new("Wajib diisi.", "This field is required."),
            ));
        }
    }
    let lat: Option<f64> = params.parse("lat", "Lintang harus angka.", "lat must be a number.");
    let lon: Option<f64> = params.parse("lon", "Bujur harus angka.", "lon must be a number.");
    let subcategory: Option<SubcategoryId> =
        params.parse("subcategory_id", "Id tidak dikenal.", "Unknown id.");
    let radius: f64 = params
        .parse(
            "radius_m",
            "radius_m harus angka.",
            "radius_m must be a number.",
        )
        .unwrap_or(DEFAULT_RADIUS_M);
    if !(1.0..=MAX_RADIUS_M).contains(&radius) {
        params.errors.push(FieldError::new(
            "radius_m",
            "out_of_range",
            Text::new(
                "radius_m 1 sampai 500 meter.",
                "radius_m from 1 to 500 metres.",
            ),
        ));
    }
    let point = lat.zip(lon).map(|(lat, lon)| GeoPoint { lat, lon });
    if let Some(p) = point {
        if !repository.reference().region.bounds.contains(p) {
            params.errors.push(FieldError::new(
                "lat",
                "out_of_bounds",
                Text::new(
                    "Titik di luar wilayah.",
                    "The point is outside the regency.",
                ),
            ));
        }
    }
    params.finish()?;
    let Some(point) = point else {
        return Err(Problem::internal());
    };
    let found = repository
        .nearby(point, radius, subcategory.as_ref(), DEFAULT_PAGE)
        .await?;
    let items: Vec<Value> = found
        .iter()
        .map(|(report, distance)| {
            let mut view = serde_json::to_value(ReportView::new(report, Viewer::Public))
                .unwrap_or(Value::Null);
            if let Some(object) = view.as_object_mut() {
                object.insert("distance_m".into(), json!(distance.round()));
            }
            view
        })
        .collect();
    Ok(Json(json!({ "items": items })).into_response())
}

/// A PIC's inbox (their unit's reports), or an admin's (every unit, or one with
/// `unit_id`): overdue first, then by due time; `status` narrows it.
async fn inbox(
    State(repository): State<ReportRepository>,
    CallerExt(caller): CallerExt,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    require(&caller, &[Role::Pic, Role::Admin])?;
    let mut params = Params::new(query, &["status", "unit_id", "limit", "cursor"]);
    let status = params.values.get("status").and_then(|s| {
        let parsed = serde_json::from_value::<ReportStatus>(Value::from(s.as_str())).ok();
        if parsed.is_none() {
            params.errors.push(FieldError::new(
                "status",
                "not_allowed",
                Text::new("Status tidak dikenal.", "Unknown status."),
            ));
        }
        parsed
    });
    let asked_unit: Option<lapor_models::UnitId> =
        params.parse("unit_id", "Id tidak dikenal.", "Unknown id.");
    if let Some(unit) = &asked_unit {
        if repository.reference().unit(unit).is_none() {
            params.errors.push(FieldError::new(
                "unit_id",
                "unknown_unit",
                Text::new("Unit tidak dikenal.", "Unknown unit."),
            ));
        }
    }
    let limit = params.limit();
    let values = params.finish()?;
    let unit = match (&caller, asked_unit) {
        (lapor_models::Caller::Pic { unit, .. }, None) => Some(unit.clone()),
        (lapor_models::Caller::Pic { unit, .. }, Some(asked)) if &asked == unit => Some(asked),
        (lapor_models::Caller::Pic { .. }, Some(_)) => return Err(Problem::forbidden()),
        (_, asked) => asked,
    };
    let page = repository
        .inbox(
            unit.as_ref(),
            status,
            limit,
            values.get("cursor").map(String::as_str),
        )
        .await?;
    let now = Timestamp::now();
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|report| {
            let viewer = Viewer::of(&caller, report).unwrap_or(Viewer::Public);
            let mut view =
                serde_json::to_value(ReportView::new(report, viewer)).unwrap_or(Value::Null);
            if let Some(object) = view.as_object_mut() {
                object.insert("overdue".into(), json!(report.due_at < now));
                object.insert(
                    "allowed_actions".into(),
                    json!(lapor_reports::workflow::allowed_actions(&caller, report)),
                );
            }
            view
        })
        .collect();
    Ok(Json(json!({ "items": items, "next_cursor": page.cursor })).into_response())
}
