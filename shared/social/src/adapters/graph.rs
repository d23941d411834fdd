//! What Facebook Page posts and Instagram media share, as Meta's Graph API serves both:
//! `GET /{node}/{edge}?fields=…&limit=50[&since][&after]` with a bearer token, answers
//! `{"data": [...], "paging": {...}}` or a Graph error. Each adapter names its edge and
//! which fields carry the time, the text, the link and the media.

use super::{
    graph_error, graph_next, id_of, json, str_at, time, AdapterError, ApiRequest, AuthStyle,
    FetchedPage,
};
use crate::model::FetchedPost;
use lapor_models::Timestamp;
use serde_json::Value;

/// Items asked for per page.
pub const PAGE_SIZE: &str = "50";

/// Where one platform keeps what a post is made of.
pub struct Fields {
    /// The `fields` parameter.
    pub requested: &'static str,
    /// JSON pointers into one item.
    pub time: &'static str,
    pub text: &'static str,
    pub url: &'static str,
    pub media_type: Option<&'static str>,
    pub media_url: Option<&'static str>,
}

/// One page of `edge` of `node`, newer than `since` when given, after `page` when given.
pub fn request(
    base: &str,
    node: &str,
    edge: &str,
    fields: &Fields,
    since: Option<Timestamp>,
    page: Option<&str>,
) -> ApiRequest {
    let mut query = vec![
        ("fields".to_owned(), fields.requested.to_owned()),
        ("limit".to_owned(), PAGE_SIZE.to_owned()),
    ];
    if let Some(since) = since {
        query.push(("since".to_owned(), since.as_utc().timestamp().to_string()));
    }
    if let Some(after) = page {
        query.push(("after".to_owned(), after.to_owned()));
    }
    ApiRequest {
        method: http::Method::GET,
        url: format!("{base}/{node}/{edge}"),
        query,
        json_body: None,
        auth: AuthStyle::Bearer,
    }
}

/// One answer: the posts of `data`, the next page's cursor, or the Graph error.
pub fn parse(body: &[u8], fields: &Fields) -> Result<FetchedPage, AdapterError> {
    let value = json(body)?;
    if let Some(error) = graph_error(&value) {
        return Err(error);
    }
    let data = value
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| AdapterError::Malformed("no data array".into()))?;
    let mut posts = Vec::with_capacity(data.len());
    for item in data {
        let (Some(id), Some(published_at)) = (
            item.get("id").and_then(id_of),
            str_at(item, fields.time).and_then(time),
        ) else {
            return Err(AdapterError::Malformed(format!(
                "an item without id or {}",
                fields.time.trim_start_matches('/')
            )));
        };
        let optional =
            |pointer: Option<&str>| pointer.and_then(|p| str_at(item, p)).map(str::to_owned);
        posts.push(FetchedPost {
            id,
            text: str_at(item, fields.text).unwrap_or("").to_owned(),
            url: str_at(item, fields.url).map(str::to_owned),
            published_at,
            media_type: optional(fields.media_type),
            media_url: optional(fields.media_url),
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
