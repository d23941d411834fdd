//! Facebook Page posts: `GET /{page-id}/posts?fields=id,message,created_time,
//! permalink_url&since=<unix>`, newest first, paged by `paging.cursors.after` while
//! `paging.next` is present. `message` is absent on posts without text.

use super::{
    graph_error, graph_next, id_of, json, str_at, time, AdapterError, ApiRequest, AuthStyle,
    FetchedPage,
};
use crate::model::{FetchedPost, PollCursor};
use serde_json::Value;

pub const FIELDS: &str = "id,message,created_time,permalink_url";

pub fn request(base: &str, page_id: &str, cursor: &PollCursor, page: Option<&str>) -> ApiRequest {
    let mut query = vec![
        ("fields".to_owned(), FIELDS.to_owned()),
        ("limit".to_owned(), "50".to_owned()),
    ];
    if let Some(since) = cursor.newest_at {
        query.push(("since".to_owned(), since.as_utc().timestamp().to_string()));
    }
    if let Some(after) = page {
        query.push(("after".to_owned(), after.to_owned()));
    }
    ApiRequest {
        method: http::Method::GET,
        url: format!("{base}/{page_id}/posts"),
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
    for post in data {
        let (Some(id), Some(published_at)) = (
            post.get("id").and_then(id_of),
            str_at(post, "/created_time").and_then(time),
        ) else {
            return Err(AdapterError::Malformed(
                "a post without id or created_time".into(),
            ));
        };
        posts.push(FetchedPost {
            id,
            text: str_at(post, "/message").unwrap_or("").to_owned(),
            url: str_at(post, "/permalink_url").map(str::to_owned),
            published_at,
            media_type: None,
            media_url: None,
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
