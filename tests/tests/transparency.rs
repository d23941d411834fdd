//! Public transparency through `lapor-local`: a report filed over HTTP is counted by the
//! statistics consumer of the change log, an admin publishes on demand, and the public
//! site (`/public/…`), the summary and the leaderboard routes serve the result.

use lapor_tests::spawn_app;
use serde_json::{json, Value};

#[tokio::test]
async fn a_filed_report_reaches_the_published_summary_dashboard_and_open_data() {
    let (app, _dir) = spawn_app().await;
    let citizen = app.token("citizen", "warga-transparansi", None);
    let filed = app
        .submit(
            &citizen,
            "transparency-1",
            &json!({
                "subcategory_id": "jalan-rusak",
                "title": "Jalan berlubang di depan pasar",
                "description": "Jalan berlubang besar di depan pasar Slawi.",
                "location": {"lat": -6.9824, "lon": 109.1364, "kecamatan_id": "kec-slawi"},
                "privacy": "public"
            }),
        )
        .await;
    assert_eq!(filed.status(), 201);
    let summary = app.app.transparency.count_once().await.unwrap();
    assert!(summary.handled >= 1 && summary.dead_lettered == 0);

    let citizen_publish = app
        .client
        .post(app.url("/v1/admin/transparency/publish"))
        .bearer_auth(&citizen)
        .send()
        .await
        .unwrap();
    assert_eq!(citizen_publish.status(), 403);
    let admin = app.token("admin", "admin-1", None);
    let published = app
        .client
        .post(app.url("/v1/admin/transparency/publish"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(published.status(), 200);
    let published: Value = published.json().await.unwrap();
    let csv_name = published["files"][1].as_str().unwrap().to_owned();

    let summary: Value = app.get("/v1/stats/summary").await.json().await.unwrap();
    assert_eq!(summary["schema_version"], 1);
    assert_eq!(summary["totals"]["reports"], 1);
    let page = app.get("/public/index.html").await;
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(page.text().await.unwrap().contains("Laporan per kecamatan"));
    let csv = app
        .get(&format!("/public/{csv_name}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.contains("Jalan berlubang di depan pasar"));
    assert_eq!(app.get("/public/nothing.json").await.status(), 404);
    let board = app.get("/v1/leaderboard").await;
    assert_eq!(board.status(), 200);
}
