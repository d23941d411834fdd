//! X API v2 user timeline: `GET /2/users/:id/tweets?tweet.fields=created_at&since_id=…
//! &pagination_token=…`: `data[]` (`id`, `text`, `created_at`), `meta.newest_id`,
//! `meta.next_token`; no `data` when nothing is new. Deleted posts a response refers to
//! come in `errors[]` with `resource_type` `tweet` and a not-found `type`. Errors of the
//! whole call are RFC 7807 bodies (`title`, `detail`, `status`).

use super::{id_of, json, str_at, time, AdapterError, ApiRequest, AuthStyle, FetchedPage};
use crate::model::{FetchedPost, PollCursor};
use serde_json::Value;

pub fn request(base: &str, user_id: &str, cursor: &PollCursor, page: Option<&str>) -> ApiRequest {
    let mut query = vec![
        ("max_results".to_owned(), "100".to_owned()),
        ("tweet.fields".to_owned(), "created_at".to_owned()),
    ];
    if let Some(since) = &cursor.since_id {
        query.push(("since_id".to_owned(), since.clone()));
    }
    if let Some(token) = page {
        query.push(("pagination_token".to_owned(), token.to_owned()));
    }
    ApiRequest {
        method: http::Method::GET,
        url: format!("{base}/2/users/{user_id}/tweets"),
        query,
        json_body: None,
        auth: AuthStyle::Bearer,
    }
}

pub fn parse(body: &[u8], handle: &str) -> Result<FetchedPage, AdapterError> {
    let value = json(body)?;
    if value.get("data").is_none() && value.get("meta").is_none() {
        if let Some(title) = str_at(&value, "/title") {
            let status = value.get("status").and_then(Value::as_i64).unwrap_or(0);
            return Err(AdapterError::Api {
                code: status.to_string(),
                message: format!("{title}: {}", str_at(&value, "/detail").unwrap_or("")),
                throttled: status == 429,
            });
        }
        if let Some(first) = value.pointer("/errors/0") {
            return Err(AdapterError::Api {
                code: str_at(first, "/title").unwrap_or("error").to_owned(),
                message: str_at(first, "/detail")
                    .or_else(|| str_at(first, "/message"))
                    .unwrap_or("")
                    .to_owned(),
                throttled: false,
            });
        }
        return Err(AdapterError::Malformed("neither data nor meta".into()));
    }
    let handle = handle.trim_start_matches('@');
    let mut posts = Vec::new();
    for tweet in value
        .get("data")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(id), Some(published_at)) = (
            tweet.get("id").and_then(id_of),
            str_at(tweet, "/created_at").and_then(time),
        ) else {
            return Err(AdapterError::Malformed(
                "a post without id or created_at".into(),
            ));
        };
        posts.push(FetchedPost {
            url: Some(format!("https://x.com/{handle}/status/{id}")),
            id,
            text: str_at(tweet, "/text").unwrap_or("").to_owned(),
            published_at,
            media_type: None,
            media_url: None,
            deleted: false,
        });
    }
    let gone = value
        .get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|e| {
            str_at(e, "/resource_type") == Some("tweet")
                && str_at(e, "/type").is_some_and(|t| t.ends_with("resource-not-found"))
        })
        .filter_map(|e| e.get("resource_id").and_then(id_of))
        .collect();
    Ok(FetchedPage {
        posts,
        gone,
        next: str_at(&value, "/meta/next_token").map(str::to_owned),
        newest_id: str_at(&value, "/meta/newest_id").map(str::to_owned),
    })
}
