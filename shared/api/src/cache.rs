//! Cacheable JSON reads: a strong `ETag` over the body, `304 Not Modified` when the
//! client's `If-None-Match` matches, and a `Cache-Control` a CDN can honour.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// The strong entity tag of a body: the first 16 bytes of its SHA-256, in quotes.
pub fn etag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Whether `If-None-Match` names this tag (or `*`).
pub fn matches_if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

/// A JSON answer with `ETag` and `Cache-Control: public, max-age=<max_age>`, or `304`.
pub fn cached_json(request_headers: &HeaderMap, body: Vec<u8>, max_age: u32) -> Response {
    let etag = etag_of(&body);
    let cache_control = format!("public, max-age={max_age}, stale-while-revalidate=60");
    let mut response = if matches_if_none_match(request_headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = (StatusCode::OK, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    if let Ok(value) = HeaderValue::from_str(&cache_control) {
        headers.insert(header::CACHE_CONTROL, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matching_if_none_match_answers_304_without_a_body() {
        let body = br#"{"a":1}"#.to_vec();
        let etag = etag_of(&body);
        let mut headers = HeaderMap::new();
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&format!("\"x\", {etag}")).unwrap(),
        );
        let response = cached_json(&headers, body.clone(), 60);
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(response.headers()[header::ETAG], etag.as_str());
        let response = cached_json(&HeaderMap::new(), body, 60);
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers()[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("max-age=60"));
    }
}
