//! Facebook Page posts: `GET /{page-id}/posts?fields=id,message,created_time,
//! permalink_url&since=<unix>`, newest first, paged by `paging.cursors.after` while
//! `paging.next` is present. `message` is absent on posts without text.

use super::graph::{self, Fields};
use super::{AdapterError, ApiRequest, FetchedPage};
use crate::model::PollCursor;

pub const FIELDS: Fields = Fields {
    requested: "id,message,created_time,permalink_url",
    time: "/created_time",
    text: "/message",
    url: "/permalink_url",
    media_type: None,
    media_url: None,
};

pub fn request(base: &str, page_id: &str, cursor: &PollCursor, page: Option<&str>) -> ApiRequest {
    graph::request(base, page_id, "posts", &FIELDS, cursor.newest_at, page)
}

pub fn parse(body: &[u8]) -> Result<FetchedPage, AdapterError> {
    graph::parse(body, &FIELDS)
}
