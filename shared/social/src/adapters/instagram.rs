//! Instagram Graph API: `GET /{ig-user-id}/media?fields=id,caption,permalink,timestamp,
//! media_type,media_url`, newest first, paged by `paging.cursors.after` while
//! `paging.next` is present. `caption` is absent on media without one; `media_url` on
//! media flagged for copyright. A deleted media is simply no longer listed (the webhook
//! and the Graph error `100/33` tell it).

use super::graph::{self, Fields};
use super::{AdapterError, ApiRequest, FetchedPage};

pub const FIELDS: Fields = Fields {
    requested: "id,caption,permalink,timestamp,media_type,media_url",
    time: "/timestamp",
    text: "/caption",
    url: "/permalink",
    media_type: Some("/media_type"),
    media_url: Some("/media_url"),
};

pub fn request(base: &str, ig_user_id: &str, page: Option<&str>) -> ApiRequest {
    graph::request(base, ig_user_id, "media", &FIELDS, None, page)
}

pub fn parse(body: &[u8]) -> Result<FetchedPage, AdapterError> {
    graph::parse(body, &FIELDS)
}
