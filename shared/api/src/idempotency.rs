//! The `Idempotency-Key` header of the writes a weak connection makes the app retry:
//! 8 to 128 visible ASCII characters (a fresh UUID per request fits). The same key with
//! the same request gives the same result however often it is sent.

use crate::problem::{FieldError, Problem, Text};
use http::HeaderMap;

fn field(code: &'static str, id: &'static str, en: &'static str) -> Problem {
    Problem::validation(vec![FieldError::new(
        "Idempotency-Key",
        code,
        Text::new(id, en),
    )])
}

/// The header where a route requires it.
pub fn required_key(headers: &HeaderMap) -> Result<String, Problem> {
    optional_key(headers)?.ok_or_else(|| {
        field(
            "required",
            "Header Idempotency-Key wajib diisi (misalnya sebuah UUID baru untuk setiap laporan).",
            "The Idempotency-Key header is required (e.g. a fresh UUID per report).",
        )
    })
}

/// The header where a route takes it but does without.
pub fn optional_key(headers: &HeaderMap) -> Result<Option<String>, Problem> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or("").trim();
    if (8..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(Some(key.to_owned()))
    } else {
        Err(field(
            "invalid",
            "Idempotency-Key harus 8 sampai 128 karakter ASCII tanpa spasi.",
            "Idempotency-Key must be 8 to 128 ASCII characters without spaces.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(value: Option<&'static str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(value) = value {
            headers.insert("idempotency-key", HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn a_key_is_8_to_128_visible_ascii_characters() {
        let uuid = "6b1c2d2e-0d7a-4f0e-9c55-1f1b6c0f0a01";
        assert_eq!(
            optional_key(&headers(Some(uuid))).unwrap().as_deref(),
            Some(uuid)
        );
        assert_eq!(optional_key(&headers(None)).unwrap(), None);
        assert!(optional_key(&headers(Some("short"))).is_err());
        assert!(optional_key(&headers(Some("has a space inside"))).is_err());
        assert!(required_key(&headers(None)).is_err());
    }
}
