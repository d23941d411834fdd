//! TikTok Display API: `POST /v2/video/list/?fields=id,title,video_description,
//! create_time,share_url,cover_image_url` with `{"max_count": 20, "cursor": <ms>}`:
//! `data.videos[]`, `data.cursor` (the next page's cursor), `data.has_more`, and always an
//! `error` object whose `code` is `ok` on success.

use super::{id_of, json, str_at, AdapterError, ApiRequest, AuthStyle, FetchedPage};
use crate::model::FetchedPost;
use lapor_models::Timestamp;
use serde_json::{json, Value};

pub const FIELDS: &str = "id,title,video_description,create_time,share_url,cover_image_url";

pub fn request(base: &str, page: Option<&str>) -> ApiRequest {
    let mut body = json!({ "max_count": 20 });
    if let Some(cursor) = page.and_then(|p| p.parse::<i64>().ok()) {
        body["cursor"] = Value::from(cursor);
    }
    ApiRequest {
        method: http::Method::POST,
        url: format!("{base}/v2/video/list/"),
        query: vec![("fields".to_owned(), FIELDS.to_owned())],
        json_body: Some(body),
        auth: AuthStyle::Bearer,
    }
}

pub fn parse(body: &[u8]) -> Result<FetchedPage, AdapterError> {
    let value = json(body)?;
    let code = str_at(&value, "/error/code").unwrap_or("ok");
    if code != "ok" {
        return Err(AdapterError::Api {
            code: code.to_owned(),
            message: str_at(&value, "/error/message").unwrap_or("").to_owned(),
            throttled: code == "rate_limit_exceeded",
        });
    }
    let data = value
        .get("data")
        .ok_or_else(|| AdapterError::Malformed("no data".into()))?;
    let mut posts = Vec::new();
    for video in data
        .get("videos")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let id = video.get("id").and_then(id_of);
        let created = video
            .get("create_time")
            .and_then(Value::as_i64)
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            .map(Timestamp::from_utc);
        let (Some(id), Some(published_at)) = (id, created) else {
            return Err(AdapterError::Malformed(
                "a video without id or create_time".into(),
            ));
        };
        let title = str_at(video, "/title").unwrap_or("");
        let description = str_at(video, "/video_description").unwrap_or("");
        posts.push(FetchedPost {
            id,
            text: match (title.is_empty(), description.is_empty()) {
                (false, false) if !description.contains(title) => format!("{title}\n{description}"),
                (_, false) => description.to_owned(),
                _ => title.to_owned(),
            },
            url: str_at(video, "/share_url").map(str::to_owned),
            published_at,
            media_type: Some("VIDEO".into()),
            media_url: str_at(video, "/cover_image_url").map(str::to_owned),
            deleted: false,
        });
    }
    let has_more = data
        .get("has_more")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok(FetchedPage {
        posts,
        gone: Vec::new(),
        next: if has_more {
            data.get("cursor").and_then(id_of)
        } else {
            None
        },
        newest_id: None,
    })
}
