//! The content feeds end to end through `lapor-local`: admin-only writes (401/403),
//! validation problems per field in both languages, publication and scheduling as the
//! public sees them, `ETag`/`If-None-Match` on every read, and the seeded emergency
//! numbers on the home screen; an item's image served from the public site at a URL that
//! stays the same from read to read.

use lapor_media::ObjectStore;
use lapor_tests::{spawn_app, TestApp};
use serde_json::{json, Value};

fn admin(app: &TestApp) -> String {
    app.token("admin", "admin-feeds", None)
}

async fn create(app: &TestApp, token: &str, kind: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/v1/admin/feeds/{kind}")))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn action(
    app: &TestApp,
    token: &str,
    kind: &str,
    id: &str,
    action: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url(&format!("/v1/admin/feeds/{kind}/{id}/{action}")))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

fn news_body(title: &str) -> Value {
    json!({"title": title, "body": "<p>Isi <b>berita</b></p><script>alert(1)</script>"})
}

#[tokio::test]
async fn admin_routes_refuse_the_anonymous_with_401_and_other_roles_with_403() {
    let (app, _dir) = spawn_app().await;
    let anonymous = app
        .client
        .post(app.url("/v1/admin/feeds/news"))
        .json(&news_body("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(
        anonymous.headers()["content-type"],
        "application/problem+json"
    );
    for role in ["citizen", "pic"] {
        let unit = (role == "pic").then_some("kec-slawi");
        let token = app.token(role, "someone", unit);
        assert_eq!(
            create(&app, &token, "news", &news_body("x")).await.status(),
            403,
            "{role}"
        );
        let listed = app.get_as(Some(&token), "/v1/admin/feeds/news").await;
        assert_eq!(listed.status(), 403, "{role}");
    }
}

#[tokio::test]
async fn a_published_item_is_public_with_an_etag_and_answers_304_when_unchanged() {
    let (app, _dir) = spawn_app().await;
    let token = admin(&app);
    let created = create(&app, &token, "news", &news_body("Jalan Slawi diperbaiki")).await;
    assert_eq!(created.status(), 201);
    let item: Value = created.json().await.unwrap();
    let id = item["id"].as_str().unwrap().to_owned();
    assert_eq!(item["state"], "draft");
    assert_eq!(
        item["body"], "<p>Isi <strong>berita</strong></p>",
        "sanitized on the way in"
    );
    assert_eq!(
        app.get(&format!("/v1/feeds/news/{id}")).await.status(),
        404,
        "a draft is not public"
    );

    let published = action(&app, &token, "news", &id, "publish", None).await;
    assert_eq!(published.status(), 200);
    let list = app.get("/v1/feeds/news").await;
    assert_eq!(list.status(), 200);
    let etag = list.headers()["etag"].to_str().unwrap().to_owned();
    assert!(list.headers()["cache-control"]
        .to_str()
        .unwrap()
        .starts_with("public, max-age="));
    let body: Value = list.json().await.unwrap();
    assert_eq!(body["items"][0]["id"], id.as_str());
    assert_eq!(body["items"][0]["title"], "Jalan Slawi diperbaiki");

    let again = app
        .client
        .get(app.url("/v1/feeds/news"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());
    let one = app.get(&format!("/v1/feeds/news/{id}")).await;
    let one_etag = one.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(one.status(), 200);
    let again = app
        .client
        .get(app.url(&format!("/v1/feeds/news/{id}")))
        .header("if-none-match", &one_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    // A change gives a new tag; unpublishing takes it away.
    action(&app, &token, "news", &id, "unpublish", None).await;
    let after = app
        .client
        .get(app.url("/v1/feeds/news"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 200);
    let body: Value = after.json().await.unwrap();
    assert_eq!(body["items"], json!([]));
    assert_eq!(app.get(&format!("/v1/feeds/news/{id}")).await.status(), 404);
}

#[tokio::test]
async fn a_scheduled_item_stays_hidden_until_its_time() {
    let (app, _dir) = spawn_app().await;
    let token = admin(&app);
    let item: Value = create(
        &app,
        &token,
        "jalabia",
        &json!({"title": "Jalabia edisi Desember", "body": "Isi"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let id = item["id"].as_str().unwrap();
    let past = action(
        &app,
        &token,
        "jalabia",
        id,
        "schedule",
        Some(json!({"publish_at": "2020-01-01T00:00:00+07:00"})),
    )
    .await;
    assert_eq!(past.status(), 422);
    let scheduled = action(
        &app,
        &token,
        "jalabia",
        id,
        "schedule",
        Some(json!({"publish_at": "2099-01-01T00:00:00+07:00"})),
    )
    .await;
    assert_eq!(scheduled.status(), 200);
    let scheduled: Value = scheduled.json().await.unwrap();
    assert_eq!(scheduled["state"], "scheduled");
    assert_eq!(
        app.get(&format!("/v1/feeds/jalabia/{id}")).await.status(),
        404
    );
    let list: Value = app.get("/v1/feeds/jalabia").await.json().await.unwrap();
    assert_eq!(list["items"], json!([]));
    let admin_view: Value = app
        .get_as(Some(&token), &format!("/v1/admin/feeds/jalabia/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(admin_view["publish_at"], "2098-12-31T17:00:00.000Z");
}

#[tokio::test]
async fn invalid_content_is_refused_field_by_field_in_either_language() {
    let (app, _dir) = spawn_app().await;
    let token = admin(&app);
    let body = json!({"business_name": "", "kecamatan_id": "kec-atlantis", "category": "kuliner",
                      "description": "Warung", "whatsapp": "abc"});
    let response = create(&app, &token, "umkm", &body).await;
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["business_name", "kecamatan_id", "whatsapp"]);
    assert_eq!(problem["errors"][0]["message"], "Wajib diisi.");
    let english: Value = app
        .client
        .post(app.url("/v1/admin/feeds/umkm"))
        .bearer_auth(&token)
        .header("accept-language", "en")
        .json(&json!({"business_name": "Warung", "kecamatan_id": "kec-slawi", "category": "kuliner", "description": "x", "phone": "0283", "colour": "red"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(english["errors"][0]["field"], "colour");
    assert_eq!(english["errors"][0]["code"], "unknown_field");
    assert_eq!(english["title"], "Invalid data");
    let unknown_kind = app.get("/v1/feeds/berita").await;
    assert_eq!(unknown_kind.status(), 404);
    let bad_filter = app.get("/v1/feeds/umkm?category=mobil&q=a").await;
    assert_eq!(bad_filter.status(), 422);
    let problem: Value = bad_filter.json().await.unwrap();
    let mut fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(fields, vec!["category", "q"]);
}

#[tokio::test]
async fn the_home_screen_shows_the_seeded_emergency_numbers_to_be_confirmed() {
    let (app, _dir) = spawn_app().await;
    let home = app.get("/v1/home").await;
    assert_eq!(home.status(), 200);
    let etag = home.headers()["etag"].to_str().unwrap().to_owned();
    let body: Value = home.json().await.unwrap();
    let emergency = body["emergency"].as_array().unwrap();
    assert!(emergency
        .iter()
        .any(|e| e["number"] == "112" && e["needs_confirmation"] == true));
    assert!(body["latest"]["news"].is_array());
    let again = app
        .client
        .get(app.url("/v1/home"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    let token = admin(&app);
    let id = emergency[0]["id"].as_str().unwrap();
    let confirmed: Value = action(&app, &token, "emergency", id, "confirm", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(confirmed["needs_confirmation"], false);
    let one: Value = app
        .get(&format!("/v1/feeds/emergency/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(one.get("needs_confirmation").is_none());
}

#[tokio::test]
async fn an_items_image_is_on_the_public_site_at_a_stable_url_until_replaced_or_deleted() {
    let (app, _dir) = spawn_app().await;
    let admin = admin(&app);
    let photo = lapor_media::samples::png(320, 200);
    let image_id = app
        .verified_upload(&admin, "feed", "image/png", photo)
        .await;
    let response = create(
        &app,
        &admin,
        "infographic",
        &json!({"title": "Capaian jalan mantap 2026", "image_id": image_id, "caption": "Data DPUPR"}),
    )
    .await;
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
    let created: Value = response.json().await.unwrap();
    let id = created["id"].as_str().unwrap();
    let published = action(&app, &admin, "infographic", id, "publish", None).await;
    assert_eq!(published.status(), 200);

    let first = app.get(&format!("/v1/feeds/infographic/{id}")).await;
    assert_eq!(first.status(), 200);
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let item: Value = first.json().await.unwrap();
    let media = &item["media"][0];
    assert_eq!(media["upload_id"], json!(image_id));
    assert_eq!(media["content_type"], "image/png");
    let url = media["url"].as_str().unwrap();
    assert_eq!(url, format!("{}/public/feed-{image_id}.png", app.base));
    assert!(!url.contains("token="), "a stable URL, not a signed one");

    // The file is there for anyone, as ingest left it (re-encoded, metadata stripped).
    let file = app.client.get(url).send().await.unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.headers()["content-type"], "image/png");
    let bytes = file.bytes().await.unwrap();
    let verified = app
        .app
        .media_objects
        .get(&format!("media/{image_id}"))
        .await
        .unwrap();
    assert_eq!(bytes.as_ref(), verified.as_slice());
    let thumbnail = media["thumbnail_url"].as_str().unwrap();
    assert_eq!(
        app.client.get(thumbnail).send().await.unwrap().status(),
        200
    );

    // Reading again gives the same URL and the same ETag: 304 for the app and the CDN.
    let again = app
        .client
        .get(app.url(&format!("/v1/feeds/infographic/{id}")))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    let listed: Value = app.get("/v1/feeds/infographic").await.json().await.unwrap();
    assert_eq!(listed["items"][0]["media"][0]["url"], json!(url));

    // A new image replaces the old one on the site.
    let second_id = app
        .verified_upload(
            &admin,
            "feed",
            "image/png",
            lapor_media::samples::png(200, 100),
        )
        .await;
    let replaced = app
        .client
        .put(app.url(&format!("/v1/admin/feeds/infographic/{id}")))
        .bearer_auth(&admin)
        .json(&json!({"title": "Capaian jalan mantap 2026", "image_id": second_id, "caption": "Data DPUPR"}))
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.status(), 200, "{:?}", replaced.text().await);
    let replaced: Value = replaced.json().await.unwrap();
    let second_url = replaced["media"][0]["url"].as_str().unwrap().to_owned();
    assert_eq!(app.client.get(url).send().await.unwrap().status(), 404);
    assert_eq!(
        app.client.get(thumbnail).send().await.unwrap().status(),
        404
    );
    assert_eq!(
        app.client.get(&second_url).send().await.unwrap().status(),
        200
    );

    // Deleting the item takes its image off the public site.
    let deleted = app
        .client
        .delete(app.url(&format!("/v1/admin/feeds/infographic/{id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success(), "{}", deleted.status());
    assert_eq!(
        app.client.get(&second_url).send().await.unwrap().status(),
        404
    );
}

#[tokio::test]
async fn a_report_photo_cannot_be_made_public_through_a_feed_item() {
    let (app, _dir) = spawn_app().await;
    let admin = admin(&app);
    let photo = lapor_media::samples::png(64, 64);
    let report_photo = app
        .verified_upload(&admin, "report", "image/png", photo)
        .await;
    let response = create(
        &app,
        &admin,
        "infographic",
        &json!({"title": "Infografis", "image_id": report_photo, "caption": "x"}),
    )
    .await;
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "image_id");
    assert_eq!(problem["errors"][0]["code"], "wrong_purpose");
    let site = app.app.data_dir.join("public");
    let copied = std::fs::read_dir(&site)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|e| e.file_name().to_string_lossy().starts_with("feed-"))
        })
        .unwrap_or(false);
    assert!(!copied, "nothing reached the public site");
}
