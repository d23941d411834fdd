//! The platforms' APIs as pure functions: for each, the request that reads an account's
//! newest posts (one page, from a page token) and the parser of the platform's real
//! response shape into [`FetchedPost`]s, the next page token, and the API's own error
//! body. Nothing here does I/O: [`crate::poll`] sends the requests.

pub mod facebook;
pub mod graph;
pub mod instagram;
pub mod tiktok;
pub mod x;
pub mod youtube;

use crate::model::{Account, FetchedPost, Platform, PollCursor};
use lapor_models::Timestamp;
use serde_json::Value;

/// Where each platform's API lives; configurable so that tests point at loopback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiBases {
    pub graph: String,
    pub x: String,
    pub youtube: String,
    pub tiktok: String,
}

impl Default for ApiBases {
    fn default() -> Self {
        Self {
            graph: "https://graph.facebook.com/v21.0".into(),
            x: "https://api.x.com".into(),
            youtube: "https://www.googleapis.com".into(),
            tiktok: "https://open.tiktokapis.com".into(),
        }
    }
}

impl ApiBases {
    /// Every base at one address (a fake API server in tests).
    pub fn all_at(base: &str) -> Self {
        let base = base.trim_end_matches('/').to_owned();
        Self {
            graph: base.clone(),
            x: base.clone(),
            youtube: base.clone(),
            tiktok: base,
        }
    }

    /// From `LAPOR_SOCIAL_GRAPH_BASE_URL`, `…_X_…`, `…_YOUTUBE_…`, `…_TIKTOK_…`.
    pub fn from_source(source: &dyn lapor_api::config::Source) -> Self {
        let defaults = Self::default();
        let pick = |name: &str, default: String| {
            source
                .get(name)
                .map(|v| v.trim().trim_end_matches('/').to_owned())
                .filter(|v| !v.is_empty())
                .unwrap_or(default)
        };
        Self {
            graph: pick("LAPOR_SOCIAL_GRAPH_BASE_URL", defaults.graph),
            x: pick("LAPOR_SOCIAL_X_BASE_URL", defaults.x),
            youtube: pick("LAPOR_SOCIAL_YOUTUBE_BASE_URL", defaults.youtube),
            tiktok: pick("LAPOR_SOCIAL_TIKTOK_BASE_URL", defaults.tiktok),
        }
    }
}

/// How the credential goes with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthStyle {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `key=<api key>` in the query (YouTube Data API).
    ApiKeyQuery,
}

/// One HTTP request an adapter needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiRequest {
    pub method: http::Method,
    pub url: String,
    pub query: Vec<(String, String)>,
    pub json_body: Option<Value>,
    pub auth: AuthStyle,
}

/// One page of an account's posts, newest first as every platform returns them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FetchedPage {
    pub posts: Vec<FetchedPost>,
    /// Ids the platform reports as gone (deleted) in this answer.
    pub gone: Vec<String>,
    /// The token of the next (older) page, if any.
    pub next: Option<String>,
    /// The newest id of the answer (X's `meta.newest_id`).
    pub newest_id: Option<String>,
}

/// Why an answer is not a page of posts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdapterError {
    /// The platform's own error body.
    #[error("the platform refused the call ({code}): {message}")]
    Api {
        code: String,
        message: String,
        /// The platform says to slow down (Meta codes 4, 17, 32, 613; quota errors).
        throttled: bool,
    },
    /// The body is not the documented shape.
    #[error("the answer is not the documented shape: {0}")]
    Malformed(String),
}

/// The request for one page of `account`'s posts.
pub fn request(
    bases: &ApiBases,
    account: &Account,
    cursor: &PollCursor,
    page: Option<&str>,
) -> ApiRequest {
    match account.platform {
        Platform::Instagram => instagram::request(&bases.graph, &account.account_id, page),
        Platform::Facebook => facebook::request(&bases.graph, &account.account_id, cursor, page),
        Platform::X => x::request(&bases.x, &account.account_id, cursor, page),
        Platform::Youtube => youtube::request(&bases.youtube, &account.account_id, page),
        Platform::Tiktok => tiktok::request(&bases.tiktok, page),
    }
}

/// Parses one answer of `account`'s platform.
pub fn parse(account: &Account, body: &[u8]) -> Result<FetchedPage, AdapterError> {
    match account.platform {
        Platform::Instagram => instagram::parse(body),
        Platform::Facebook => facebook::parse(body),
        Platform::X => x::parse(body, &account.handle),
        Platform::Youtube => youtube::parse(body),
        Platform::Tiktok => tiktok::parse(body),
    }
}

pub(crate) fn json(body: &[u8]) -> Result<Value, AdapterError> {
    serde_json::from_slice(body).map_err(|e| AdapterError::Malformed(e.to_string()))
}

pub(crate) fn str_at<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str)
}

/// An id is a string, or a number some APIs send.
pub(crate) fn id_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// RFC 3339, or Meta's `2024-11-05T03:04:05+0000`.
pub(crate) fn time(text: &str) -> Option<Timestamp> {
    Timestamp::parse(text).ok().or_else(|| {
        chrono::DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%z")
            .ok()
            .map(|t| Timestamp::from_utc(t.with_timezone(&chrono::Utc)))
    })
}

/// Meta's Graph API error body: `{"error": {"message", "type", "code", "error_subcode"}}`.
pub(crate) fn graph_error(value: &Value) -> Option<AdapterError> {
    let error = value.get("error")?;
    let code = error.get("code").and_then(Value::as_i64).unwrap_or(0);
    let subcode = error.get("error_subcode").and_then(Value::as_i64);
    Some(AdapterError::Api {
        code: match subcode {
            Some(sub) => format!("{code}/{sub}"),
            None => code.to_string(),
        },
        message: str_at(error, "/message").unwrap_or("").to_owned(),
        throttled: matches!(code, 4 | 17 | 32 | 613 | 80001..=80009),
    })
}

/// Meta's paging: the `after` cursor, only while `paging.next` says a page follows.
pub(crate) fn graph_next(value: &Value) -> Option<String> {
    value.pointer("/paging/next")?;
    str_at(value, "/paging/cursors/after").map(str::to_owned)
}

/// The platform error in a non-success body, whichever platform's shape it has.
pub fn parse_error_only(body: &[u8]) -> Option<AdapterError> {
    let value = json(body).ok()?;
    if let Some(error) = graph_error(&value) {
        if value.pointer("/error/errors").is_none() {
            return Some(error);
        }
    }
    youtube::parse(body)
        .err()
        .filter(|e| matches!(e, AdapterError::Api { .. }))
        .or_else(|| tiktok::parse(body).err())
        .or_else(|| x::parse(body, "").err())
}
