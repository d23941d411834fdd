//! JSON request bodies: parsed with the path of the offending field, so that a wrong
//! type or a missing member is reported field by field as a problem, never as a 500 or
//! as a bare text error.

use crate::problem::{FieldError, Problem, Text};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

/// Largest JSON body any route accepts (64 KiB: descriptions are at most 4,000 characters;
/// media travel through signed uploads, never through a function).
pub const MAX_JSON_BODY: usize = 64 * 1024;

/// A JSON body of type `T`.
#[derive(Debug, Clone)]
pub struct JsonBody<T>(pub T);

impl<T, S> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.to_ascii_lowercase());
        if let Some(content_type) = content_type {
            let essence = content_type.split(';').next().unwrap_or("").trim();
            if essence != "application/json" && !essence.ends_with("+json") {
                return Err(Problem::new(
                    axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported-media-type",
                    Text::new("Format tidak didukung", "Unsupported format"),
                )
                .detail(Text::new(
                    "Kirim data dalam format JSON (Content-Type: application/json).",
                    "Send JSON (Content-Type: application/json).",
                )));
            }
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|_| {
            Problem::bad_request(Text::new(
                "Isi permintaan tidak dapat dibaca.",
                "The request body could not be read.",
            ))
        })?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Parses a JSON body, reporting a problem that names the field at fault.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    if bytes.len() > MAX_JSON_BODY {
        return Err(Problem::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            Text::new("Data terlalu besar", "Payload too large"),
        )
        .detail(Text::owned(
            format!("Isi permintaan melebihi {} KiB.", MAX_JSON_BODY / 1024),
            format!("The request body exceeds {} KiB.", MAX_JSON_BODY / 1024),
        )));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Problem::bad_request(Text::new(
            "Isi permintaan kosong; kirim data JSON.",
            "The request body is empty; send JSON.",
        )));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    let value = match parsed {
        Ok(value) => value,
        Err(error) => {
            let path = error.path().to_string();
            let inner = error.into_inner();
            return Err(if inner.is_syntax() || inner.is_eof() {
                Problem::bad_request(Text::owned(
                    format!(
                        "JSON tidak valid (baris {}, kolom {}).",
                        inner.line(),
                        inner.column()
                    ),
                    format!(
                        "Malformed JSON (line {}, column {}).",
                        inner.line(),
                        inner.column()
                    ),
                ))
            } else {
                let field = if path == "." { String::new() } else { path };
                Problem::validation(vec![describe_data_error(field, &inner.to_string())])
            });
        }
    };
    if deserializer.end().is_err() {
        return Err(Problem::bad_request(Text::new(
            "Ada data tambahan setelah JSON.",
            "There is trailing data after the JSON.",
        )));
    }
    Ok(value)
}

/// Turns serde's message for a data error into a field error with Indonesian text.
fn describe_data_error(field: String, message: &str) -> FieldError {
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or_default();
        let field = if field.is_empty() {
            name.to_owned()
        } else {
            format!("{field}.{name}")
        };
        return FieldError::new(
            field,
            "required",
            Text::new("Wajib diisi.", "This field is required."),
        );
    }
    if message.starts_with("unknown field `") {
        // The path already ends with the unknown member.
        return FieldError::new(
            field,
            "unknown_field",
            Text::new("Kolom ini tidak dikenal.", "Unknown field."),
        );
    }
    if message.starts_with("unknown variant") {
        let allowed = message.split("expected ").nth(1).unwrap_or("").to_owned();
        return FieldError::new(
            field,
            "not_allowed",
            Text::owned(
                format!("Nilai tidak dikenal; pilihan: {allowed}."),
                format!("Unknown value; expected {allowed}."),
            ),
        );
    }
    if message.starts_with("invalid type") {
        let expected = message.split("expected ").nth(1).unwrap_or("").to_owned();
        return FieldError::new(
            field,
            "wrong_type",
            Text::owned(
                format!("Jenis data salah; seharusnya {expected}."),
                format!("Wrong type; expected {expected}."),
            ),
        );
    }
    FieldError::new(
        field,
        "invalid",
        Text::new("Nilai tidak valid.", "Invalid value."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        inner: Inner,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        lat: f64,
    }

    #[test]
    fn a_wrong_type_names_the_nested_field() {
        let problem = parse_json::<Body>(br#"{"name":"x","inner":{"lat":"south"}}"#).unwrap_err();
        assert_eq!(problem.status.as_u16(), 422);
        assert_eq!(problem.errors[0].field, "inner.lat");
        assert_eq!(problem.errors[0].code, "wrong_type");
    }

    #[test]
    fn a_missing_member_is_reported_as_required() {
        let problem = parse_json::<Body>(br#"{"name":"x","inner":{}}"#).unwrap_err();
        assert_eq!(problem.errors[0].field, "inner.lat");
        assert_eq!(problem.errors[0].code, "required");
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        let problem = parse_json::<Body>(br#"{"name":"#).unwrap_err();
        assert_eq!(problem.status.as_u16(), 400);
        let problem = parse_json::<Body>(b"").unwrap_err();
        assert_eq!(problem.status.as_u16(), 400);
    }

    #[test]
    fn an_unknown_member_is_named() {
        let problem =
            parse_json::<Body>(br#"{"name":"x","inner":{"lat":1},"extra":1}"#).unwrap_err();
        assert_eq!(problem.errors[0].field, "extra");
        assert_eq!(problem.errors[0].code, "unknown_field");
    }
}
