//! Each platform adapter against recorded responses shaped like the real APIs:
//! pagination, missing optional fields, a deleted post, an error body.

use lapor_models::Timestamp;
use lapor_social::adapters::{self, AdapterError, ApiBases};
use lapor_social::model::{Account, PollCursor};
use lapor_social::Platform;

fn fixture(platform: &str, name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/{platform}/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn account(platform: Platform) -> Account {
    Account {
        platform,
        account_id: "17841405822304914".into(),
        handle: "dpupr.tegalkab".into(),
        unit_id: "dpupr".parse().unwrap(),
        credentials_ref: "LAPOR_TOKEN_DPUPR".into(),
        pic_id: None,
        active: true,
        created_at: Timestamp::now(),
        updated_at: Timestamp::now(),
    }
}

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

#[test]
fn instagram_media_pages_by_the_after_cursor_until_next_is_absent() {
    let acc = account(Platform::Instagram);
    let first = adapters::parse(&acc, &fixture("instagram", "page1")).unwrap();
    assert_eq!(first.posts.len(), 2);
    assert_eq!(first.posts[0].id, "17895695668004550");
    assert_eq!(first.posts[0].published_at, at("2026-11-30T03:15:20Z"));
    assert_eq!(first.posts[0].media_type.as_deref(), Some("IMAGE"));
    assert_eq!(first.next.as_deref(), Some("QVFIUjRtcG"));
    let last = adapters::parse(&acc, &fixture("instagram", "page2")).unwrap();
    assert_eq!(last.next, None, "no paging.next: the last page");
    assert_eq!(last.posts[0].text, "", "a media without caption");
    assert_eq!(last.posts[0].media_url, None, "media_url may be absent");
}

#[test]
fn instagram_errors_are_the_graph_error_body() {
    let acc = account(Platform::Instagram);
    match adapters::parse(&acc, &fixture("instagram", "error")) {
        Err(AdapterError::Api {
            code, throttled, ..
        }) => {
            assert_eq!(code, "190/463");
            assert!(!throttled);
        }
        other => panic!("{other:?}"),
    }
    match adapters::parse(&acc, &fixture("instagram", "deleted")) {
        Err(AdapterError::Api { code, .. }) => assert_eq!(code, "100/33"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn instagram_request_asks_for_the_documented_fields_and_the_next_page() {
    let acc = account(Platform::Instagram);
    let request = adapters::request(
        &ApiBases::all_at("http://127.0.0.1:9"),
        &acc,
        &PollCursor::default(),
        Some("QVFIUjRtcG"),
    );
    assert_eq!(request.url, "http://127.0.0.1:9/17841405822304914/media");
    assert!(request.query.contains(&(
        "fields".into(),
        "id,caption,permalink,timestamp,media_type,media_url".into()
    )));
    assert!(request
        .query
        .contains(&("after".into(), "QVFIUjRtcG".into())));
}

#[test]
fn facebook_posts_without_message_parse_and_the_empty_last_page_ends_paging() {
    let acc = account(Platform::Facebook);
    let first = adapters::parse(&acc, &fixture("facebook", "page1")).unwrap();
    assert_eq!(first.posts.len(), 2);
    assert!(first.posts[0].text.contains("lbt7k3q9n"));
    assert_eq!(first.posts[1].text, "");
    assert_eq!(first.next.as_deref(), Some("Q2c4U1pXNU"));
    let last = adapters::parse(&acc, &fixture("facebook", "page2")).unwrap();
    assert!(last.posts.is_empty());
    assert_eq!(last.next, None);
}

#[test]
fn facebook_application_limit_is_a_throttled_error() {
    let acc = account(Platform::Facebook);
    assert!(matches!(
        adapters::parse(&acc, &fixture("facebook", "error")),
        Err(AdapterError::Api {
            throttled: true,
            ..
        })
    ));
}

#[test]
fn facebook_request_sends_since_from_the_cursor() {
    let acc = account(Platform::Facebook);
    let cursor = PollCursor {
        newest_at: Some(at("2026-11-30T10:00:00Z")),
        since_id: None,
    };
    let request = adapters::request(&ApiBases::default(), &acc, &cursor, None);
    assert!(request.url.ends_with("/17841405822304914/posts"));
    assert!(request
        .query
        .contains(&("since".into(), "1796032800".into())));
}

#[test]
fn x_timeline_carries_newest_id_next_token_and_links_to_the_post() {
    let acc = account(Platform::X);
    let first = adapters::parse(&acc, &fixture("x", "page1")).unwrap();
    assert_eq!(first.posts.len(), 2);
    assert_eq!(first.newest_id.as_deref(), Some("1863000000000000002"));
    assert_eq!(
        first.next.as_deref(),
        Some("7140dibdnow9c7btw421dyz6jism75z99gyxd8egarsc4")
    );
    assert_eq!(
        first.posts[0].url.as_deref(),
        Some("https://x.com/dpupr.tegalkab/status/1863000000000000002")
    );
    let empty = adapters::parse(&acc, &fixture("x", "page2")).unwrap();
    assert!(empty.posts.is_empty() && empty.next.is_none());
}

#[test]
fn x_reports_deleted_posts_and_its_problem_bodies() {
    let acc = account(Platform::X);
    let page = adapters::parse(&acc, &fixture("x", "deleted")).unwrap();
    assert_eq!(page.gone, ["1862999999999999999"]);
    assert_eq!(page.posts.len(), 1);
    assert!(matches!(
        adapters::parse(&acc, &fixture("x", "error")),
        Err(AdapterError::Api {
            throttled: true,
            ..
        })
    ));
    let cursor = PollCursor {
        newest_at: None,
        since_id: Some("1863000000000000002".into()),
    };
    let request = adapters::request(&ApiBases::default(), &acc, &cursor, None);
    assert_eq!(
        request.url,
        "https://api.x.com/2/users/17841405822304914/tweets"
    );
    assert!(request
        .query
        .contains(&("since_id".into(), "1863000000000000002".into())));
}

#[test]
fn youtube_uploads_page_by_token_and_mark_deleted_videos() {
    let acc = account(Platform::Youtube);
    let first = adapters::parse(&acc, &fixture("youtube", "page1")).unwrap();
    assert_eq!(first.posts[0].id, "dQw4w9WgXcQ");
    assert!(first.posts[0]
        .text
        .starts_with("Tindak lanjut laporan LBT-7K3Q9P\n"));
    assert_eq!(first.next.as_deref(), Some("EAAaBlBUOkNBVQ"));
    let last = adapters::parse(&acc, &fixture("youtube", "page2")).unwrap();
    assert!(
        last.posts[0].deleted,
        "Deleted video without an owner channel"
    );
    assert_eq!(last.next, None);
    assert!(matches!(
        adapters::parse(&acc, &fixture("youtube", "error")),
        Err(AdapterError::Api {
            throttled: true,
            ..
        })
    ));
}

#[test]
fn tiktok_video_list_pages_by_cursor_while_has_more() {
    let acc = account(Platform::Tiktok);
    let first = adapters::parse(&acc, &fixture("tiktok", "page1")).unwrap();
    assert_eq!(first.next.as_deref(), Some("1796004000000"));
    assert!(first.posts[0].text.contains("LBT-7K3Q9M"));
    let last = adapters::parse(&acc, &fixture("tiktok", "page2")).unwrap();
    assert_eq!(last.next, None);
    assert_eq!(last.posts[0].text, "", "title and description are optional");
    assert_eq!(last.posts[0].url, None);
    match adapters::parse(&acc, &fixture("tiktok", "error")) {
        Err(AdapterError::Api { code, .. }) => assert_eq!(code, "access_token_invalid"),
        other => panic!("{other:?}"),
    }
    let request = adapters::request(
        &ApiBases::default(),
        &acc,
        &PollCursor::default(),
        Some("1796004000000"),
    );
    assert_eq!(request.method, http::Method::POST);
    assert_eq!(request.json_body.unwrap()["cursor"], 1796004000000i64);
}

#[test]
fn a_body_that_is_not_the_documented_shape_is_malformed_for_every_platform() {
    for platform in Platform::ALL {
        let acc = account(platform);
        assert!(
            matches!(
                adapters::parse(&acc, b"{\"unexpected\": true}"),
                Err(AdapterError::Malformed(_))
            ),
            "{platform}"
        );
    }
}
