//! Instagram Graph API: `GET /{ig-user-id}/media?fields=id,caption,permalink,timestamp,
//! media_type,media_url`, newest first, paged by `paging.cursors.after` while
//! `paging.next` is present. `caption` is absent on media without one; `media_url` on
//! media flagged for copyright. A deleted media is simply no longer listed (the webhook
//! and the Graph error `100/33` tell it).

use super::{
    graph_error, graph_next, id_of, json, str_at, time, AdapterError, ApiRequest, AuthStyle,
    FetchedPage,
};
use crate::model::FetchedPost;
use serde_json::Value;

pub const FIELDS: &str = "id,caption,permalink,timestamp,media_type,media_url";
pub const PAGE_SIZE: &str = "50";

pub fn request(base: &str, ig_user_id: &str, page: Option<&str>) -> ApiRequest {
    let mut query = vec![
        ("fields".to_owned(), FIELDS.to_owned()),
        ("limit".to_owned(), PAGE_SIZE.to_owned()),
    ];
    if let Some(after) = page {
        query.push(("after".to_owned(), after.to_owned()));
    }
    ApiRequest {
        method: http::Method::GET,
        url: format!("{base}/{ig_user_id}/media"),
        query,
        json_body: None,
        auth: AuthStyle::Bearer,
    }
}

pub fn parse(body: &[u8]) -> Result<FetchedPage, AdapterError> {
    let value = json(body)?;
    if let Some(error) = graph_error(&value) {
        return Err(error);
    }
    let data = value
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| AdapterError::Malformed("no data array".into()))?;
    let mut posts = Vec::with_capacity(data.len());
    for media in data {
        let (Some(id), Some(published_at)) = (
            media.get("id").and_then(id_of),
            str_at(media, "/timestamp").and_then(time),
        ) else {
            return Err(AdapterError::Malformed(
                "a media without id or timestamp".into(),
            ));
        };
        posts.push(FetchedPost {
            id,
            text: str_at(media, "/caption").unwrap_or("").to_owned(),
            url: str_at(media, "/permalink").map(str::to_owned),
            published_at,
            media_type: str_at(media, "/media_type").map(str::to_owned),
            media_url: str_at(media, "/media_url").map(str::to_owned),
            deleted: false,
        });
    }
    Ok(FetchedPage {
        posts,
        gone: Vec::new(),
        next: graph_next(&value),
        newest_id: None,
    })
}
