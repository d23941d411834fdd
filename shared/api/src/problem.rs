//! RFC 9457 problem details (`application/problem+json`). Every error a client sees is a
//! [`Problem`] with its title and detail in Bahasa Indonesia and in English; the body is
//! Indonesian unless the request asked for English (`Accept-Language: en`), which
//! [`localize`] applies as a middleware. Nothing internal (causes, SQL, SDK messages) is
//! ever put in a problem: causes go to the logs.

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::borrow::Cow;

/// A text in both languages the service speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub id: Cow<'static, str>,
    pub en: Cow<'static, str>,
}

impl Text {
    pub const fn new(id: &'static str, en: &'static str) -> Self {
        Self {
            id: Cow::Borrowed(id),
            en: Cow::Borrowed(en),
        }
    }

    pub fn owned(id: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            id: Cow::Owned(id.into()),
            en: Cow::Owned(en.into()),
        }
    }

    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::Indonesian => &self.id,
            Language::English => &self.en,
        }
    }
}

/// The language of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    Indonesian,
    English,
}

impl Language {
    /// English when the first language the client lists is English; Indonesian otherwise.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let first = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().to_ascii_lowercase());
        match first {
            Some(tag) if tag == "en" || tag.starts_with("en-") || tag.starts_with("en;") => {
                Language::English
            }
            _ => Language::Indonesian,
        }
    }
}

/// One invalid field of a request, e.g. `location.lat`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path of the field in the request (`location.lat`, `media_ids[2]`), or the
    /// header or query parameter name.
    pub field: String,
    /// A stable machine code, e.g. `out_of_bounds`, `too_long`, `required`.
    pub code: &'static str,
    pub message: Text,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, message: Text) -> Self {
        Self {
            field: field.into(),
            code,
            message,
        }
    }
}

/// A problem to answer with.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub status: StatusCode,
    /// A short, stable kebab-case name; the `type` member is `urn:lapor:problem:<kind>`.
    pub kind: &'static str,
    pub title: Text,
    pub detail: Option<Text>,
    pub errors: Vec<FieldError>,
    /// Extra members (e.g. `allowed_actions`), the same in both languages.
    pub extra: serde_json::Map<String, Value>,
    /// Seconds to wait before retrying (429, 503).
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, kind: &'static str, title: Text) -> Self {
        Self {
            status,
            kind,
            title,
            detail: None,
            errors: Vec::new(),
            extra: serde_json::Map::new(),
            retry_after: None,
        }
    }

    pub fn detail(mut self, detail: Text) -> Self {
        self.detail = Some(detail);
        self
    }

    pub fn field_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }

    pub fn with(mut self, name: &str, value: Value) -> Self {
        self.extra.insert(name.to_owned(), value);
        self
    }

    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// The request is malformed or fails validation; the fields say where.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            Text::new("Data tidak valid", "Invalid data"),
        )
        .detail(Text::new(
            "Periksa kembali isian yang ditandai.",
            "Check the fields listed in errors.",
        ))
        .field_errors(errors)
    }

    pub fn bad_request(detail: Text) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            Text::new(
                "Permintaan tidak dapat dibaca",
                "The request cannot be read",
            ),
        )
        .detail(detail)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            Text::new("Perlu masuk", "Sign-in required"),
        )
        .detail(Text::new(
            "Silakan masuk ke aplikasi terlebih dahulu.",
            "Please sign in first.",
        ))
    }

    pub fn invalid_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid-token",
            Text::new("Token tidak sah", "Invalid token"),
        )
        .detail(Text::new(
            "Token masuk tidak sah atau sudah kedaluwarsa. Silakan masuk kembali.",
            "The sign-in token is invalid or expired. Please sign in again.",
        ))
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            Text::new("Akses ditolak", "Access denied"),
        )
        .detail(Text::new(
            "Anda tidak memiliki hak untuk tindakan ini.",
            "You are not allowed to do this.",
        ))
    }

    pub fn not_found(what: Text) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            Text::new("Tidak ditemukan", "Not found"),
        )
        .detail(what)
    }

    /// A list's `cursor` that is not one of that list's (422 on the `cursor` field).
    pub fn bad_cursor() -> Self {
        Self::validation(vec![FieldError::new(
            "cursor",
            "invalid",
            Text::new(
                "Cursor tidak berlaku untuk daftar ini.",
                "The cursor does not belong to this list.",
            ),
        )])
    }

    /// No route has this path.
    pub fn route_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "route-not-found",
            Text::new("Alamat tidak dikenal", "Unknown address"),
        )
        .detail(Text::new(
            "Tidak ada layanan di alamat ini.",
            "There is no service at this address.",
        ))
    }

    /// The path exists but not with this method.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            Text::new("Metode tidak diizinkan", "Method not allowed"),
        )
        .detail(Text::new(
            "Alamat ini tidak menerima metode tersebut.",
            "This address does not accept that method.",
        ))
    }

    pub fn too_many_requests(retry_after: u64, detail: Text) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-requests",
            Text::new("Terlalu banyak permintaan", "Too many requests"),
        )
        .detail(detail)
        .retry_after(retry_after)
    }

    /// A dependency (the store, a queue) failed in a way a retry may cure.
    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            Text::new("Layanan sedang sibuk", "Service busy"),
        )
        .detail(Text::new(
            "Layanan sedang sibuk. Silakan coba lagi sebentar lagi; data Anda tidak hilang.",
            "The service is busy. Please try again shortly; nothing you sent was lost.",
        ))
        .retry_after(5)
    }

    /// Something failed that the client cannot cure; the cause is in the logs only.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            Text::new("Terjadi kesalahan", "Something went wrong"),
        )
        .detail(Text::new(
            "Terjadi kesalahan di sisi layanan. Silakan coba lagi nanti.",
            "The service failed. Please try again later.",
        ))
    }

    /// The `type` member.
    pub fn type_uri(&self) -> String {
        format!("urn:lapor:problem:{}", self.kind)
    }

    /// The JSON body in one language.
    pub fn body(&self, language: Language) -> Value {
        let mut body = json!({
            "type": self.type_uri(),
            "title": self.title.get(language),
            "status": self.status.as_u16(),
        });
        if let Some(object) = body.as_object_mut() {
            if let Some(detail) = &self.detail {
                object.insert("detail".into(), Value::from(detail.get(language)));
            }
            if !self.errors.is_empty() {
                let errors = self
                    .errors
                    .iter()
                    .map(|e| {
                        json!({
                            "field": e.field,
                            "code": e.code,
                            "message": e.message.get(language),
                        })
                    })
                    .collect::<Vec<_>>();
                object.insert("errors".into(), Value::from(errors));
            }
            for (name, value) in &self.extra {
                object.insert(name.clone(), value.clone());
            }
        }
        body
    }

    /// The response in one language.
    pub fn to_response(&self, language: Language) -> Response {
        let body = serde_json::to_vec(&self.body(language)).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        headers.insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(match language {
                Language::Indonesian => "id",
                Language::English => "en",
            }),
        );
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response.extensions_mut().insert(self.clone());
        response
    }
}

impl IntoResponse for Problem {
    /// Indonesian; [`localize`] re-renders it when the client asked for English.
    fn into_response(self) -> Response {
        self.to_response(Language::Indonesian)
    }
}

/// Middleware: renders problems in the language the request asked for.
pub async fn localize(request: Request, next: Next) -> Response {
    let language = Language::from_headers(request.headers());
    let response = next.run(request).await;
    if language == Language::Indonesian {
        return response;
    }
    match response.extensions().get::<Problem>() {
        Some(problem) => problem.to_response(language),
        None => response,
    }
}

/// The fallback for paths no route serves.
pub async fn route_not_found() -> Problem {
    Problem::route_not_found()
}

/// The fallback for known paths called with a method they do not serve.
pub async fn method_not_allowed() -> Problem {
    Problem::method_not_allowed()
}

impl From<lapor_models::Violation> for FieldError {
    fn from(v: lapor_models::Violation) -> Self {
        FieldError::new(v.field, v.code, Text::owned(v.message_id, v.message_en))
    }
}

impl From<lapor_store::StoreError> for Problem {
    /// A store failure as clients see it: 503 with `Retry-After` when a retry may
    /// succeed, 500 otherwise. The cause is logged, never sent.
    fn from(error: lapor_store::StoreError) -> Self {
        if error.is_retryable() {
            tracing::warn!(error = %error, cause = ?std::error::Error::source(&error).map(|s| s.to_string()), "store unavailable");
            Problem::unavailable()
        } else {
            tracing::error!(error = %error, cause = ?std::error::Error::source(&error).map(|s| s.to_string()), "store failed");
            Problem::internal()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_validation_problem_lists_fields_in_the_requested_language() {
        let problem = Problem::validation(vec![FieldError::new(
            "location.lat",
            "out_of_bounds",
            Text::new("Lokasi di luar wilayah", "Location outside the regency"),
        )]);
        let id = problem.body(Language::Indonesian);
        assert_eq!(id["status"], 422);
        assert_eq!(id["type"], "urn:lapor:problem:validation");
        assert_eq!(id["title"], "Data tidak valid");
        assert_eq!(id["errors"][0]["field"], "location.lat");
        assert_eq!(id["errors"][0]["message"], "Lokasi di luar wilayah");
        let en = problem.body(Language::English);
        assert_eq!(en["title"], "Invalid data");
        assert_eq!(en["errors"][0]["message"], "Location outside the regency");
    }

    #[test]
    fn english_is_chosen_only_when_it_comes_first() {
        let mut headers = HeaderMap::new();
        assert_eq!(Language::from_headers(&headers), Language::Indonesian);
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("en-US,en;q=0.9"),
        );
        assert_eq!(Language::from_headers(&headers), Language::English);
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("id-ID,en;q=0.5"),
        );
        assert_eq!(Language::from_headers(&headers), Language::Indonesian);
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("EN"));
        assert_eq!(Language::from_headers(&headers), Language::English);
    }

    #[test]
    fn a_busy_store_answers_503_with_retry_after() {
        let response = Problem::unavailable().into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "5");
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
    }
}
