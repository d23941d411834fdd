//! What the publication puts on the public site, from reports filed and handled through
//! the real `ReportRepository` on SQLite, counted by the statistics consumer through
//! the local runner, published to a folder: no personal or confidential data in any
//! file, the dashboard renders in headless Chromium without console errors (the
//! screenshot is kept in `target/transparency/`), and the routes answer as documented.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use lapor_api::local_token::{local_claims, LocalKey};
use lapor_consumers::local::{LocalRunner, RetryPolicy};
use lapor_media::localfs::LocalObjects;
use lapor_models::{Caller, ReferenceData, Timestamp, UserId, WorkingCalendar};
use lapor_reports::repository::{IntakeConfig, ReportRepository};
use lapor_reports::workflow::Action;
use lapor_reports::{Reporter, SubmitRequest};
use lapor_stats::{Publisher, StatsConsumer};
use lapor_store::sqlite::SqliteStore;
use lapor_store::ItemStore;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower::ServiceExt;

const PHONE: &str = "+6281377778888";
const REPORTER: &str = "reporter-id-5521";
const ANONYMOUS_NAME: &str = "Sutrisno Wibowokerto";
const SECRET: &str = "RAHASIA-KORUPSI-7731";

struct Fixture {
    dir: PathBuf,
    publisher: Publisher,
    key: LocalKey,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn submit_request(body: Value) -> SubmitRequest {
    serde_json::from_value(body).unwrap()
}

/// Three reports — public, anonymous, confidential — each carrying marker text, handled
/// to resolution and rated, counted, and published.
async fn fixture() -> Fixture {
    let dir = std::env::temp_dir().join(format!("lapor-transparency-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let reference = Arc::new(ReferenceData::tegal().unwrap());
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let repository = ReportRepository::new(
        store.clone(),
        reference.clone(),
        Arc::new(WorkingCalendar::indonesia().unwrap()),
        IntakeConfig::default(),
    );
    let reporter = Reporter {
        user_id: UserId::new(REPORTER).unwrap(),
        phone: Some(PHONE.into()),
    };
    let bodies = [
        json!({"subcategory_id": "jalan-rusak", "title": "Jalan berlubang, hubungi 0812-3456-7890",
               "description": format!("Nomor saya {PHONE}, jalan rusak parah."),
               "location": {"lat": -6.98241234, "lon": 109.13645678, "kecamatan_id": "kec-slawi", "desa": "Procot", "address": "Jl. Raya Slawi No. 10"},
               "privacy": "public"}),
        json!({"subcategory_id": "jalan-rusak", "title": format!("Laporan dari {ANONYMOUS_NAME}"),
               "description": format!("Saya {ANONYMOUS_NAME}, lampu jalan mati."),
               "location": {"lat": -6.91234567, "lon": 109.12345678, "kecamatan_id": "kec-kramat", "desa": "Kemantran", "address": format!("Rumah {ANONYMOUS_NAME}")},
               "privacy": "anonymous", "channel": "web"}),
        json!({"subcategory_id": "jalan-rusak", "title": SECRET,
               "description": format!("{SECRET}: pungutan liar di kantor desa."),
               "location": {"lat": -7.01, "lon": 109.2, "kecamatan_id": "kec-pangkah", "desa": "Pangkah", "address": "Kantor desa"},
               "privacy": "confidential"}),
    ];
    let now = Timestamp::now();
    let admin = Caller::Admin {
        user: UserId::new("admin-1").unwrap(),
    };
    let citizen = Caller::Citizen {
        user: reporter.user_id.clone(),
        phone: Some(PHONE.into()),
    };
    for (i, body) in bodies.into_iter().enumerate() {
        let outcome = repository
            .submit(
                reporter.clone(),
                &format!("key-{i}"),
                &submit_request(body),
                now,
            )
            .await
            .unwrap();
        let mut report = outcome.report().clone();
        if report.status == lapor_models::ReportStatus::Submitted {
            report = repository
                .act(&report.id, report.version, &admin, &Action::Verify, now)
                .await
                .unwrap();
        }
        let pic = Caller::Pic {
            user: UserId::new(format!("pic-{}", report.unit_id)).unwrap(),
            unit: report.unit_id.clone(),
        };
        report = repository
            .act(
                &report.id,
                report.version,
                &pic,
                &Action::Acknowledge { text: None },
                now,
            )
            .await
            .unwrap();
        let upload = format!("upload-{i}");
        store
            .put(
                json!({"pk": format!("UPLOAD#{upload}"), "sk": "UPLOAD", "owner": format!("pic-{}", report.unit_id),
                       "status": "verified", "purpose": "follow_up"})
                    .as_object()
                    .unwrap()
                    .clone(),
                None,
            )
            .await
            .unwrap();
        let resolve = Action::Resolve {
            text: "Sudah diperbaiki.".into(),
            media_ids: vec![upload],
        };
        report = repository
            .act(&report.id, report.version, &pic, &resolve, now)
            .await
            .unwrap();
        repository
            .act(
                &report.id,
                report.version,
                &citizen,
                &Action::Rate {
                    score: 4,
                    comment: Some(format!("Terima kasih, {ANONYMOUS_NAME}")),
                },
                now,
            )
            .await
            .unwrap();
    }
    let runner = LocalRunner::new(
        "stats",
        store.clone(),
        Arc::new(StatsConsumer::new(store.clone())),
        &dir,
        RetryPolicy::default(),
    );
    let pass = runner.run_once().await.unwrap();
    assert_eq!(pass.dead_lettered, 0);
    let key = LocalKey::load_or_create(&dir.join("key")).unwrap();
    let objects = LocalObjects::new(dir.join("public"), key.clone());
    let publisher = Publisher::new(store.clone(), Arc::new(objects), reference);
    publisher.publish(Timestamp::now()).await.unwrap();
    Fixture {
        dir,
        publisher,
        key,
    }
}

fn files(dir: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        found.push((
            path.file_name().unwrap().to_string_lossy().into_owned(),
            std::fs::read_to_string(&path).unwrap(),
        ));
    }
    found.sort();
    found
}

/// Runs of digits (with spaces, dots or dashes between them) that look like an
/// Indonesian phone number: `+62…`, `62…` or `08…` and at least 9 digits.
fn phone_numbers(text: &str) -> Vec<String> {
    let bytes: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit()
            || (bytes[i] == '+' && bytes.get(i + 1).is_some_and(|c| c.is_ascii_digit()))
        {
            let start = i;
            let mut digits = String::new();
            while i < bytes.len()
                && (bytes[i].is_ascii_digit()
                    || (bytes[i] == '+' && i == start)
                    || (matches!(bytes[i], ' ' | '-' | '.')
                        && bytes.get(i + 1).is_some_and(|c| c.is_ascii_digit())))
            {
                if bytes[i].is_ascii_digit() {
                    digits.push(bytes[i]);
                }
                i += 1;
            }
            if digits.len() >= 9 && (digits.starts_with("62") || digits.starts_with("08")) {
                found.push(bytes[start..i].iter().collect());
            }
        } else {
            i += 1;
        }
    }
    found
}

#[test]
fn the_phone_scanner_finds_the_formats_people_write() {
    assert_eq!(phone_numbers("a +6281377778888 b"), ["+6281377778888"]);
    assert_eq!(phone_numbers("0812-3456-7890"), ["0812-3456-7890"]);
    assert!(phone_numbers("2026-12-04 17:00, 109.136457").is_empty());
}

#[tokio::test]
async fn published_files_hold_no_phone_number_reporter_id_anonymous_name_or_confidential_content() {
    let fixture = fixture().await;
    let published = files(&fixture.dir.join("public"));
    let names: Vec<&str> = published.iter().map(|(n, _)| n.as_str()).collect();
    let month = lapor_stats::facts::wib_month(Timestamp::now());
    assert!(
        names.contains(&"summary.json") && names.contains(&"index.html"),
        "{names:?}"
    );
    assert!(
        names.contains(&format!("reports-{month}.csv").as_str()),
        "{names:?}"
    );
    for (name, text) in &published {
        assert_eq!(
            phone_numbers(text),
            Vec::<String>::new(),
            "phone number in {name}"
        );
        for marker in [
            PHONE,
            "81377778888",
            REPORTER,
            ANONYMOUS_NAME,
            "Wibowokerto",
            SECRET,
            "pungutan liar",
            "Jl. Raya Slawi",
            "Rumah ",
        ] {
            assert!(!text.contains(marker), "{marker:?} in {name}");
        }
    }
    // The confidential report is counted, never listed.
    let summary: Value = serde_json::from_str(
        &published
            .iter()
            .find(|(n, _)| n == "summary.json")
            .unwrap()
            .1,
    )
    .unwrap();
    assert_eq!(summary["schema_version"], 1);
    assert_eq!(summary["totals"]["reports"], 3);
    assert_eq!(summary["totals"]["responded"], 3);
    assert_eq!(summary["totals"]["rating_average"], 4.0);
    let csv = &published
        .iter()
        .find(|(n, _)| n.starts_with(&format!("reports-{month}")))
        .unwrap()
        .1;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert_eq!(lines[0], lapor_stats::opendata::HEADER);
    // The anonymous report's location is rounded to 3 decimals; the public one's is not.
    assert!(csv.contains("-6.912,109.123,"), "{csv}");
    assert!(csv.contains("-6.982412,109.136457,"), "{csv}");
    assert!(csv.contains("[disembunyikan]"), "{csv}");
}

fn target_dir() -> PathBuf {
    match std::env::var("CARGO_TARGET_DIR") {
        Ok(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
    }
}

#[tokio::test]
async fn the_dashboard_renders_in_headless_chromium_without_console_errors() {
    let chromium = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|name| {
            std::process::Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .unwrap_or_else(|| {
            panic!(
                "chromium is not installed: this test needs it to render the dashboard. \
                 Run ./tests/run (which installs it), or `apt-get install -y chromium`."
            )
        });
    let fixture = fixture().await;
    let page = fixture.dir.join("public/index.html");
    let html = std::fs::read_to_string(&page).unwrap();
    for outside in ["http://", "https://", "<script", "@import", "url("] {
        assert!(!html.contains(outside), "the page refers to {outside}");
    }
    assert!(html.contains("<html lang=\"id\">") && html.contains("Laporan per kecamatan"));
    assert_eq!(
        html.matches("<g><rect").count(),
        18,
        "one tile per kecamatan"
    );
    let shots = target_dir().join("transparency");
    std::fs::create_dir_all(&shots).unwrap();
    let screenshot = shots.join("dashboard.png");
    let _ = std::fs::remove_file(&screenshot);
    let profile = fixture.dir.join("chromium-profile");
    let output = tokio::time::timeout(
        std::time::Duration::from_secs(90),
        tokio::process::Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-extensions",
                "--enable-logging=stderr",
                "--v=0",
                "--hide-scrollbars",
                "--window-size=412,2600",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--screenshot={}", screenshot.display()))
            .arg(format!("file://{}", page.display()))
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("chromium finished within 90 s")
    .expect("chromium ran");
    let log = String::from_utf8_lossy(&output.stderr);
    let console: Vec<&str> = log
        .lines()
        .filter(|l| {
            l.contains("CONSOLE") || l.contains("Failed to load resource") || l.contains("Uncaught")
        })
        .collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    assert!(output.status.success(), "chromium failed: {log}");
    let png = std::fs::read(&screenshot).expect("a screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
}

async fn call(
    router: axum::Router,
    key: &LocalKey,
    method: &str,
    uri: &str,
    role: Option<&str>,
    if_none_match: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let app = lapor_api::routes::finish(router).layer(axum::middleware::from_fn_with_state(
        Arc::new(key.clone()),
        lapor_api::identity::local_identity,
    ));
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(role) = role {
        let unit = (role == "pic").then_some("dpupr");
        request = request.header(
            "authorization",
            format!(
                "Bearer {}",
                key.sign(&local_claims(role, &format!("{role}-1"), unit, None, 1))
            ),
        );
    }
    if let Some(tag) = if_none_match {
        request = request.header("if-none-match", tag);
    }
    let response = app
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    (
        status,
        headers,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn the_routes_publish_for_admins_only_and_serve_the_summary_and_leaderboard() {
    let fixture = fixture().await;
    let router = || publish_transparency::router(fixture.publisher.clone());
    let key = &fixture.key;
    let (status, _, body) = call(
        router(),
        key,
        "POST",
        "/v1/admin/transparency/publish",
        Some("citizen"),
        None,
    )
    .await;
    assert_eq!(
        (status, body["type"].as_str()),
        (StatusCode::FORBIDDEN, Some("urn:lapor:problem:forbidden"))
    );
    let (status, _, _) = call(
        router(),
        key,
        "POST",
        "/v1/admin/transparency/publish",
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, body) = call(
        router(),
        key,
        "POST",
        "/v1/admin/transparency/publish",
        Some("admin"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["files"].as_array().unwrap().len(), 4);

    let (status, headers, body) = call(router(), key, "GET", "/v1/stats/summary", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["totals"]["reports"], 3);
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let (status, _, _) = call(router(), key, "GET", "/v1/stats/summary", None, Some(&etag)).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);

    let month = lapor_stats::facts::wib_month(Timestamp::now());
    let (status, _, body) = call(
        router(),
        key,
        "GET",
        &format!("/v1/leaderboard?period={month}"),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["period"], month.as_str());
    let pics = body["pics"].as_array().unwrap();
    assert!(!pics.is_empty());
    assert_eq!(pics[0]["rank"], 1);
    assert!(pics[0]["follow_ups_with_evidence"].as_i64().unwrap() >= 1);
    assert!(!body["units"].as_array().unwrap().is_empty());

    let (status, _, body) = call(
        router(),
        key,
        "GET",
        "/v1/leaderboard?period=2026-13",
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "period");
    let (status, _, body) = call(
        router(),
        key,
        "GET",
        "/v1/leaderboard?periode=2026-12",
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["code"], "unknown_parameter");
}

#[tokio::test]
async fn the_summary_route_answers_404_before_the_first_publication() {
    let dir = std::env::temp_dir().join(format!("lapor-transparency-{}", uuid::Uuid::new_v4()));
    let key = LocalKey::load_or_create(&dir.join("key")).unwrap();
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let publisher = Publisher::new(
        store as Arc<dyn ItemStore>,
        Arc::new(LocalObjects::new(dir.join("public"), key.clone())),
        Arc::new(ReferenceData::tegal().unwrap()),
    );
    let (status, _, body) = call(
        publish_transparency::router(publisher),
        &key,
        "GET",
        "/v1/stats/summary",
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["detail"].as_str().unwrap().contains("06.00 WIB"));
    let _ = std::fs::remove_dir_all(dir);
}
