//! YouTube Data API: `GET /youtube/v3/playlistItems?part=snippet&playlistId=<uploads>`,
//! newest first, paged by `nextPageToken`. The post is `snippet.resourceId.videoId`; its
//! text the title and description. A deleted or private video stays in the playlist as
//! "Deleted video" / "Private video" without an owner channel. Errors come as
//! `{"error": {"code", "message", "errors": [{"reason"}]}}`.

use super::{json, str_at, time, AdapterError, ApiRequest, AuthStyle, FetchedPage};
use crate::model::FetchedPost;
use serde_json::Value;

pub fn request(base: &str, uploads_playlist: &str, page: Option<&str>) -> ApiRequest {
    let mut query = vec![
        ("part".to_owned(), "snippet".to_owned()),
        ("playlistId".to_owned(), uploads_playlist.to_owned()),
        ("maxResults".to_owned(), "50".to_owned()),
    ];
    if let Some(token) = page {
        query.push(("pageToken".to_owned(), token.to_owned()));
    }
    ApiRequest {
        method: http::Method::GET,
        url: format!("{base}/youtube/v3/playlistItems"),
        query,
        json_body: None,
        auth: AuthStyle::ApiKeyQuery,
    }
}

pub fn parse(body: &[u8]) -> Result<FetchedPage, AdapterError> {
    let value = json(body)?;
    if let Some(error) = value.get("error") {
        let reason = str_at(error, "/errors/0/reason").unwrap_or("");
        return Err(AdapterError::Api {
            code: error
                .get("code")
                .and_then(Value::as_i64)
                .map(|c| format!("{c}/{reason}"))
                .unwrap_or_else(|| reason.to_owned()),
            message: str_at(error, "/message").unwrap_or("").to_owned(),
            throttled: matches!(
                reason,
                "quotaExceeded" | "rateLimitExceeded" | "userRateLimitExceeded"
            ),
        });
    }
    let items = value
        .get("items")
        .and_then(Value::as_array)
        .ok_or_else(|| AdapterError::Malformed("no items array".into()))?;
    let mut posts = Vec::with_capacity(items.len());
    for item in items {
        let snippet = item.get("snippet").unwrap_or(&Value::Null);
        let (Some(id), Some(published_at)) = (
            str_at(snippet, "/resourceId/videoId"),
            str_at(snippet, "/publishedAt").and_then(time),
        ) else {
            return Err(AdapterError::Malformed(
                "an item without videoId or publishedAt".into(),
            ));
        };
        let title = str_at(snippet, "/title").unwrap_or("");
        let description = str_at(snippet, "/description").unwrap_or("");
        let deleted = snippet.get("videoOwnerChannelId").is_none()
            && matches!(title, "Deleted video" | "Private video");
        posts.push(FetchedPost {
            id: id.to_owned(),
            text: if description.is_empty() {
                title.to_owned()
            } else {
                format!("{title}\n{description}")
            },
            url: Some(format!("https://www.youtube.com/watch?v={id}")),
            published_at,
            media_type: Some("VIDEO".into()),
            media_url: str_at(snippet, "/thumbnails/high/url")
                .or_else(|| str_at(snippet, "/thumbnails/default/url"))
                .map(str::to_owned),
            deleted,
        });
    }
    Ok(FetchedPage {
        posts,
        gone: Vec::new(),
        next: str_at(&value, "/nextPageToken").map(str::to_owned),
        newest_id: None,
    })
}
