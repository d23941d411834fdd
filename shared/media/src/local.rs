//! The routes `lapor-local` serves in place of S3: the upload receiver for the URLs
//! [`crate::localfs::LocalObjects`] signs (`PUT /local/uploads/{upload_id}?token=...`)
//! and the reader of verified media (`GET /local/media/{name}?token=...`). After a
//! stored upload, the same ingest code that S3 → `media-ingest` runs in AWS runs here
//! in a spawned task.

use crate::formats::sniff;
use crate::localfs::LocalObjects;
use crate::objects::{ObjectError, ObjectStore};
use crate::service::MediaService;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::Router;
use lapor_api::{Problem, RouteSpec, Text};

/// The routes of the local object endpoints (public: the signature is the credential).
pub const ROUTES: &[RouteSpec] = &[
    RouteSpec::public("PUT", "/local/uploads/{upload_id}"),
    RouteSpec::public("GET", "/local/media/{name}"),
];

/// What the local object routes need.
#[derive(Clone)]
pub struct LocalMedia {
    pub objects: LocalObjects,
    pub service: MediaService,
}

/// The router of the local object endpoints.
pub fn router(state: LocalMedia) -> Router {
    Router::new()
        .route("/local/uploads/{upload_id}", put(receive))
        .route("/local/media/{name}", get(serve))
        .with_state(state)
}

fn token(query: &Option<String>) -> Option<&str> {
    query
        .as_deref()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
}

async fn receive(
    State(state): State<LocalMedia>,
    Path(upload_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let content_length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let grant =
        state
            .objects
            .verify_upload(token(&query), &upload_id, content_type, content_length)?;
    let expected = grant.content_length.unwrap_or(0);
    let limit = usize::try_from(expected).unwrap_or(usize::MAX);
    let incomplete = || {
        Problem::bad_request(Text::new(
            "Isi unggahan tidak lengkap atau melebihi ukuran yang ditandatangani.",
            "The upload body is incomplete or longer than the signed length.",
        ))
    };
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| incomplete())?;
    if bytes.len() as u64 != expected {
        return Err(incomplete());
    }
    let stored_type = grant.content_type.clone().unwrap_or_default();
    state
        .objects
        .put(&grant.key, &stored_type, bytes.to_vec())
        .await
        .map_err(crate::errors::MediaError::from)?;
    let service = state.service.clone();
    let key = grant.key.clone();
    tokio::spawn(async move {
        match service.ingest(&key).await {
            Ok(outcome) => tracing::debug!(?outcome, "local ingest done"),
            Err(error) => {
                tracing::error!(error = %error, cause = ?std::error::Error::source(&error).map(|s| s.to_string()), "local ingest failed")
            }
        }
    });
    Ok(StatusCode::OK.into_response())
}

async fn serve(
    State(state): State<LocalMedia>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    let key = format!("media/{name}");
    state
        .objects
        .verify(token(&query), "GET", &key, None, None)?;
    let bytes = match state.objects.get(&key).await {
        Ok(bytes) => bytes,
        Err(ObjectError::NotFound(_)) | Err(ObjectError::InvalidKey(_)) => {
            return Err(Problem::not_found(Text::new(
                "Berkas tidak ditemukan.",
                "File not found.",
            )))
        }
        Err(error) => return Err(crate::errors::MediaError::from(error).into()),
    };
    let content_type = sniff(&bytes)
        .map(|t| t.as_str())
        .unwrap_or("application/octet-stream");
    let mut response = bytes.into_response();
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=60"),
    );
    Ok(response)
}
