//! Report intake end to end through `lapor-local`: submission exactly once, the views
//! each caller gets, lists, tracking, nearby reports and support.

use lapor_tests::{spawn_app, spawn_app_with, IntakeConfig, TempDir, TestApp};
use serde_json::{json, Value};
use std::collections::HashSet;

fn body(subcategory: &str, kecamatan: &str, privacy: &str) -> Value {
    json!({
        "subcategory_id": subcategory,
        "title": "Jalan berlubang di Jl. Raya Slawi",
        "description": "Jalan berlubang besar di depan balai desa, sudah dua minggu dan membahayakan pengendara.",
        "location": {"lat": -6.9824, "lon": 109.1364, "kecamatan_id": kecamatan,
                     "desa": "Procot", "address": "Jl. Raya Slawi No. 10, depan rumah Bu Siti"},
        "privacy": privacy
    })
}

fn road(privacy: &str) -> Value {
    body("jalan-rusak", "kec-slawi", privacy)
}

fn citizen(app: &TestApp, sub: &str) -> String {
    app.token("citizen", sub, None)
}

async fn submitted(app: &TestApp, token: &str, body: &Value) -> Value {
    let key = uuid::Uuid::new_v4().to_string();
    let response = app.submit(token, &key, body).await;
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_submission_answers_201_with_the_report_routed_and_due() {
    let (app, _dir) = spawn_app().await;
    let token = citizen(&app, "siti");
    let response = app.submit(&token, "key-00000001", &road("public")).await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let report: Value = response.json().await.unwrap();
    for field in [
        "id",
        "tracking_code",
        "status",
        "unit_id",
        "privacy",
        "version",
        "created_at",
        "due_at",
    ] {
        assert!(!report[field].is_null(), "{field} missing");
    }
    assert_eq!(
        location,
        format!("/v1/reports/{}", report["id"].as_str().unwrap())
    );
    assert_eq!(report["status"], "submitted");
    assert_eq!(report["unit_id"], "dpupr");
    assert_eq!(report["version"], 1);
    assert!(report["tracking_code"]
        .as_str()
        .unwrap()
        .starts_with("LBT-"));
    assert!(report["due_at"].as_str().unwrap() > report["created_at"].as_str().unwrap());
    assert!(
        report["due_at"]
            .as_str()
            .unwrap()
            .ends_with("16:59:59.000Z"),
        "deadlines end 23:59:59 WIB"
    );
}

#[tokio::test]
async fn a_district_matter_goes_to_the_kecamatan_and_an_emergency_skips_verification() {
    let (app, _dir) = spawn_app().await;
    let token = citizen(&app, "budi");
    let reference = &app.app.reference;
    let to_district = reference
        .categories
        .iter()
        .flat_map(|c| &c.subcategories)
        .find(|s| s.routes_to_district)
        .unwrap();
    let report = submitted(
        &app,
        &token,
        &body(to_district.id.as_str(), "kec-adiwerna", "public"),
    )
    .await;
    assert_eq!(report["unit_id"], "kec-adiwerna");
    let urgent = reference
        .categories
        .iter()
        .find(|c| c.skip_verification)
        .unwrap();
    let sub = &urgent.subcategories[0];
    let report = submitted(&app, &token, &body(sub.id.as_str(), "kec-slawi", "public")).await;
    assert_eq!(report["status"], "assigned");
    assert_eq!(report["unit_id"], sub.unit_id.as_str());
}

#[tokio::test]
async fn the_same_key_and_body_return_the_same_report_and_another_body_is_refused() {
    let (app, _dir) = spawn_app().await;
    let token = citizen(&app, "siti");
    let first: Value = app
        .submit(&token, "retry-key-1", &road("public"))
        .await
        .json()
        .await
        .unwrap();
    let again = app.submit(&token, "retry-key-1", &road("public")).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["tracking_code"], first["tracking_code"]);
    let other = app.submit(&token, "retry-key-1", &road("anonymous")).await;
    assert_eq!(other.status(), 422);
    let problem: Value = other.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "Idempotency-Key");
    assert_eq!(problem["errors"][0]["code"], "key_reused");
}

#[tokio::test]
async fn two_hundred_concurrent_submissions_with_one_key_make_exactly_one_report() {
    let (app, _dir) = spawn_app().await;
    let token = citizen(&app, "impatient");
    let body = road("public");
    let responses =
        futures::future::join_all((0..200).map(|_| app.submit(&token, "one-key-for-all", &body)))
            .await;
    let mut ids = HashSet::new();
    for response in responses {
        assert_eq!(response.status(), 201);
        let report: Value = response.json().await.unwrap();
        ids.insert(report["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 1);
    let mine: Value = app
        .get_as(Some(&token), "/v1/me/reports")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn two_hundred_citizens_at_once_get_two_hundred_reports_with_distinct_codes() {
    let (app, _dir) = spawn_app().await;
    let body = road("public");
    let tokens: Vec<String> = (0..200)
        .map(|i| citizen(&app, &format!("warga-{i}")))
        .collect();
    let responses = futures::future::join_all(
        tokens
            .iter()
            .map(|t| app.submit(t, "first-report-key", &body)),
    )
    .await;
    let mut ids = HashSet::new();
    let mut codes = HashSet::new();
    for response in responses {
        assert_eq!(response.status(), 201);
        let report: Value = response.json().await.unwrap();
        ids.insert(report["id"].as_str().unwrap().to_owned());
        codes.insert(report["tracking_code"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 200);
    assert_eq!(codes.len(), 200);
}

#[tokio::test]
async fn submission_needs_a_citizen_and_an_idempotency_key() {
    let (app, _dir) = spawn_app().await;
    let anonymous = app
        .client
        .post(app.url("/v1/reports"))
        .header("Idempotency-Key", "k-12345678")
        .json(&road("public"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let pic = app.token("pic", "pic-1", Some("dpupr"));
    assert_eq!(
        app.submit(&pic, "k-12345678", &road("public"))
            .await
            .status(),
        403
    );
    let token = citizen(&app, "siti");
    let no_key = app
        .client
        .post(app.url("/v1/reports"))
        .bearer_auth(&token)
        .json(&road("public"))
        .send()
        .await
        .unwrap();
    assert_eq!(no_key.status(), 422);
    let problem: Value = no_key.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "Idempotency-Key");
    assert_eq!(
        app.submit(&token, "short", &road("public")).await.status(),
        422
    );
}

#[tokio::test]
async fn submission_is_rejected_when_location_is_outside_the_regency() {
    let (app, _dir) = spawn_app().await;
    let mut outside = road("public");
    outside["location"]["lat"] = json!(-6.2);
    outside["location"]["lon"] = json!(106.8);
    let response = app
        .submit(&citizen(&app, "siti"), "key-outside-1", &outside)
        .await;
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "location");
    assert_eq!(problem["errors"][0]["code"], "out_of_bounds");
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("Kabupaten Tegal"));
    let mine: Value = app
        .get_as(Some(&citizen(&app, "siti")), "/v1/me/reports")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        mine["items"].as_array().unwrap().is_empty(),
        "nothing was written"
    );
}

#[tokio::test]
async fn submission_is_rejected_when_a_media_id_is_not_a_verified_upload_of_the_caller() {
    let (app, _dir) = spawn_app().await;
    let mut with_media = road("public");
    with_media["media_ids"] = json!(["upload-that-does-not-exist"]);
    let response = app
        .submit(&citizen(&app, "siti"), "key-media-001", &with_media)
        .await;
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "media_ids[0]");
    assert_eq!(problem["errors"][0]["code"], "unknown_media");
}

#[tokio::test]
async fn submission_with_a_wrong_type_or_unknown_field_names_the_field() {
    let (app, _dir) = spawn_app().await;
    let token = citizen(&app, "siti");
    let mut wrong = road("public");
    wrong["location"]["lat"] = json!("south");
    let problem: Value = app
        .submit(&token, "key-wrong-01", &wrong)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(problem["errors"][0]["field"], "location.lat");
    let mut unknown = road("public");
    unknown["reporter_name"] = json!("Siti");
    let problem: Value = app
        .submit(&token, "key-wrong-02", &unknown)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(problem["errors"][0]["field"], "reporter_name");
    let mut privacy = road("public");
    privacy["privacy"] = json!("secret");
    let problem: Value = app
        .submit(&token, "key-wrong-03", &privacy)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(problem["errors"][0]["field"], "privacy");
}

#[tokio::test]
async fn the_daily_limit_answers_429_with_retry_after_but_a_retry_still_replays() {
    let dir = TempDir::new("limit");
    let app = spawn_app_with(
        dir.path(),
        IntakeConfig {
            daily_limit: 2,
            ..IntakeConfig::default()
        },
    )
    .await;
    let token = citizen(&app, "rajin");
    assert_eq!(
        app.submit(&token, "daily-key-1", &road("public"))
            .await
            .status(),
        201
    );
    assert_eq!(
        app.submit(&token, "daily-key-2", &road("public"))
            .await
            .status(),
        201
    );
    let third = app.submit(&token, "daily-key-3", &road("public")).await;
    assert_eq!(third.status(), 429);
    let retry_after: u64 = third.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=86_400).contains(&retry_after));
    assert_eq!(
        app.submit(&token, "daily-key-1", &road("public"))
            .await
            .status(),
        201
    );
    let other = citizen(&app, "lain");
    assert_eq!(
        app.submit(&other, "daily-key-3", &road("public"))
            .await
            .status(),
        201
    );
}

/// Who asks, in the privacy matrix.
#[derive(Debug, Clone, Copy)]
enum Asker {
    Nobody,
    OtherCitizen,
    Reporter,
    UnitPic,
    OtherPic,
    Admin,
}

const ASKERS: [Asker; 6] = [
    Asker::Nobody,
    Asker::OtherCitizen,
    Asker::Reporter,
    Asker::UnitPic,
    Asker::OtherPic,
    Asker::Admin,
];

fn token_of(app: &TestApp, asker: Asker) -> Option<String> {
    match asker {
        Asker::Nobody => None,
        Asker::OtherCitizen => Some(app.token("citizen", "tetangga", None)),
        Asker::Reporter => Some(app.token("citizen", "pelapor", None)),
        Asker::UnitPic => Some(app.token("pic", "pic-dpupr", Some("dpupr"))),
        Asker::OtherPic => Some(app.token("pic", "pic-dinsos", Some("dinsos"))),
        Asker::Admin => Some(app.token("admin", "admin-prokompim", None)),
    }
}

#[tokio::test]
async fn privacy_matrix_every_role_by_every_mode_by_every_endpoint() {
    let (app, _dir) = spawn_app().await;
    let reporter_token = app.app.key.sign(&lapor_api::local_token::local_claims(
        "citizen",
        "pelapor",
        None,
        Some("+6281234567890"),
        1,
    ));
    for privacy in ["public", "anonymous", "confidential"] {
        let report = submitted(&app, &reporter_token, &road(privacy)).await;
        let id = report["id"].as_str().unwrap();
        let code = report["tracking_code"].as_str().unwrap();
        for asker in ASKERS {
            let token = token_of(&app, asker);
            let context = format!("{privacy} report, {asker:?}");
            // One report.
            let response = app
                .get_as(token.as_deref(), &format!("/v1/reports/{id}"))
                .await;
            let sees_all = matches!(asker, Asker::Reporter | Asker::Admin);
            let unit = matches!(asker, Asker::UnitPic);
            let exists = privacy != "confidential" || sees_all || unit;
            if !exists {
                assert_eq!(response.status(), 404, "{context}");
                let text = response.text().await.unwrap();
                assert!(!text.contains("Jalan berlubang"), "{context}");
            } else {
                assert_eq!(response.status(), 200, "{context}");
                let text = response.text().await.unwrap();
                let view: Value = serde_json::from_str(&text).unwrap();
                let identity_shown = sees_all || (unit && privacy != "anonymous");
                assert_eq!(
                    !view["reporter"].is_null(),
                    identity_shown,
                    "{context}: reporter"
                );
                assert_eq!(
                    text.contains("+6281234567890"),
                    identity_shown,
                    "{context}: phone"
                );
                assert_eq!(
                    text.contains("pelapor"),
                    identity_shown,
                    "{context}: user id"
                );
                let public_view = !(sees_all || unit);
                if public_view && privacy == "anonymous" {
                    assert!(view["location"]["address"].is_null(), "{context}: address");
                    let lat = view["location"]["lat"].as_f64().unwrap();
                    assert_eq!((lat * 1000.0).round() / 1000.0, lat, "{context}: rounded");
                } else {
                    assert!(text.contains("depan rumah Bu Siti"), "{context}: address");
                }
            }
            // Tracking by code: status only, for anyone holding it.
            let response = app
                .get_as(token.as_deref(), &format!("/v1/reports/track/{code}"))
                .await;
            assert_eq!(response.status(), 200, "{context}");
            let text = response.text().await.unwrap();
            assert!(
                !text.contains("pelapor") && !text.contains("+62"),
                "{context}: track leaks identity"
            );
            assert!(
                !text.contains("Jalan berlubang besar"),
                "{context}: track shows content"
            );
        }
        // Public list and nearby: never confidential, never identity.
        let list = app.get("/v1/reports?limit=100").await.text().await.unwrap();
        assert_eq!(
            list.contains(id),
            privacy != "confidential",
            "{privacy}: list"
        );
        assert!(
            !list.contains("pelapor") && !list.contains("+62"),
            "{privacy}: list leaks"
        );
        let near = app
            .get("/v1/reports/nearby?lat=-6.9824&lon=109.1364&radius_m=100")
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(
            near.contains(id),
            privacy != "confidential",
            "{privacy}: nearby"
        );
        assert!(
            !near.contains("pelapor") && !near.contains("+62"),
            "{privacy}: nearby leaks"
        );
        // Own list: every mode, with identity.
        let mine = app
            .get_as(Some(&reporter_token), "/v1/me/reports")
            .await
            .text()
            .await
            .unwrap();
        assert!(mine.contains(id), "{privacy}: mine");
        let others = app
            .get_as(
                token_of(&app, Asker::OtherCitizen).as_deref(),
                "/v1/me/reports",
            )
            .await
            .text()
            .await
            .unwrap();
        assert!(!others.contains(id), "{privacy}: another citizen's list");
    }
}

#[tokio::test]
async fn the_public_list_filters_by_index_and_pages_without_repeats() {
    let (app, _dir) = spawn_app().await;
    let token = citizen(&app, "rajin");
    let mut ids = Vec::new();
    for i in 0..7 {
        let report = if i % 2 == 0 {
            submitted(&app, &token, &road("public")).await
        } else {
            submitted(
                &app,
                &citizen(&app, &format!("c{i}")),
                &body("jalan-rusak", "kec-tarub", "public"),
            )
            .await
        };
        ids.push(report["id"].as_str().unwrap().to_owned());
    }
    submitted(&app, &citizen(&app, "rahasia"), &road("confidential")).await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let path = match &cursor {
            Some(c) => format!("/v1/reports?limit=3&cursor={c}"),
            None => "/v1/reports?limit=3".to_owned(),
        };
        let page: Value = app.get(&path).await.json().await.unwrap();
        for item in page["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let mut expected = ids.clone();
    expected.reverse();
    assert_eq!(
        seen, expected,
        "newest first, each exactly once, no confidential"
    );
    let tarub: Value = app
        .get("/v1/reports?kecamatan_id=kec-tarub")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tarub["items"].as_array().unwrap().len(), 3);
    let by_status: Value = app
        .get("/v1/reports?status=submitted&unit_id=dpupr")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_status["items"].as_array().unwrap().len(), 7);
    let future: Value = app
        .get("/v1/reports?since=2099-01-01T00:00:00Z")
        .await
        .json()
        .await
        .unwrap();
    assert!(future["items"].as_array().unwrap().is_empty());
    let past: Value = app
        .get("/v1/reports?until=2020-01-01T00:00:00%2B07:00")
        .await
        .json()
        .await
        .unwrap();
    assert!(past["items"].as_array().unwrap().is_empty());
    let bbox: Value = app
        .get("/v1/reports?bbox=109.13,-6.99,109.14,-6.98")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(bbox["items"].as_array().unwrap().len(), 7);
    let elsewhere: Value = app
        .get("/v1/reports?bbox=109.0,-7.2,109.01,-7.19")
        .await
        .json()
        .await
        .unwrap();
    assert!(elsewhere["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn list_parameters_that_make_no_sense_are_field_errors() {
    let (app, _dir) = spawn_app().await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("status=done", "status"),
        ("since=yesterday", "since"),
        ("bbox=1,2,3", "bbox"),
        ("colour=red", "colour"),
        ("cursor=not-a-cursor", "cursor"),
    ] {
        let response = app.get(&format!("/v1/reports?{query}")).await;
        assert_eq!(response.status(), 422, "{query}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], field, "{query}");
    }
}

#[tokio::test]
async fn nearby_shows_open_reports_within_the_radius_only() {
    let (app, _dir) = spawn_app().await;
    let token = citizen(&app, "siti");
    let here = submitted(&app, &token, &road("public")).await;
    let mut far = road("public");
    far["location"]["lat"] = json!(-6.9924);
    submitted(&app, &citizen(&app, "budi"), &far).await;
    let near: Value = app
        .get("/v1/reports/nearby?lat=-6.9826&lon=109.1365&radius_m=100&subcategory_id=jalan-rusak")
        .await
        .json()
        .await
        .unwrap();
    let items = near["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], here["id"]);
    assert!(items[0]["distance_m"].as_f64().unwrap() < 100.0);
    let other_kind: Value = app
        .get("/v1/reports/nearby?lat=-6.9826&lon=109.1365&subcategory_id=pju-mati")
        .await
        .json()
        .await
        .unwrap();
    assert!(other_kind["items"].as_array().unwrap().is_empty());
    for (query, field) in [
        ("lat=-6.98", "lon"),
        ("lat=-6.98&lon=109.1&radius_m=501", "radius_m"),
        ("lat=-6.2&lon=106.8", "lat"),
    ] {
        let response = app.get(&format!("/v1/reports/nearby?{query}")).await;
        assert_eq!(response.status(), 422, "{query}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], field, "{query}");
    }
}

#[tokio::test]
async fn support_is_counted_once_per_citizen_and_shown_on_the_report() {
    let (app, _dir) = spawn_app().await;
    let report = submitted(&app, &citizen(&app, "siti"), &road("public")).await;
    let id = report["id"].as_str().unwrap();
    let path = format!("/v1/reports/{id}/support");
    let neighbour = citizen(&app, "tetangga");
    let first = app
        .client
        .post(app.url(&path))
        .bearer_auth(&neighbour)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 201);
    let again = app
        .client
        .post(app.url(&path))
        .bearer_auth(&neighbour)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["support_count"], 1);
    let own = app
        .client
        .post(app.url(&path))
        .bearer_auth(citizen(&app, "siti"))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 409);
    let view: Value = app
        .get(&format!("/v1/reports/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["support_count"], 1);
    let unknown = app
        .client
        .post(app.url("/v1/reports/0190f1e2-7a1b-7c3d-8e4f-123456789abc/support"))
        .bearer_auth(&neighbour)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn tracking_shows_the_public_timeline_and_forgives_how_the_code_is_typed() {
    let (app, _dir) = spawn_app().await;
    let report = submitted(&app, &citizen(&app, "siti"), &road("public")).await;
    let code = report["tracking_code"]
        .as_str()
        .unwrap()
        .to_lowercase()
        .replace('-', "");
    let tracked: Value = app
        .get(&format!("/v1/reports/track/{code}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tracked["tracking_code"], report["tracking_code"]);
    assert_eq!(tracked["status"], "submitted");
    assert_eq!(tracked["timeline"][0]["kind"], "submitted");
    assert!(tracked["timeline"][0]["text"]
        .as_str()
        .unwrap()
        .contains("menunggu verifikasi"));
    assert_eq!(app.get("/v1/reports/track/LBT-2222222").await.status(), 404);
    assert_eq!(app.get("/v1/reports/track/LBT-222222").await.status(), 404);
}
