//! `#LaporBupatiTegal` tracking end to end through `lapor-local`: an admin registers an
//! official account, a citizen files a public report, the poller reads a fake Instagram
//! API on loopback whose post names the report's tracking code with the hashtag, and the
//! post shows on `/v1/reports/{id}/social-posts` with a public timeline entry.

use axum::routing::get;
use axum::{Json, Router};
use lapor_social::adapters::ApiBases;
use lapor_social::poll::{FixedCredentials, PollConfig, Poller};
use lapor_tests::spawn_app;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

#[tokio::test]
async fn a_follow_up_post_with_the_hashtag_shows_on_its_public_report() {
    let (app, _dir) = spawn_app().await;
    let admin = app.token("admin", "admin-1", None);
    let created = app
        .client
        .post(app.url("/v1/admin/social-accounts"))
        .bearer_auth(&admin)
        .json(&json!({
            "platform": "instagram", "account_id": "17841405822304914",
            "handle": "@dpupr.tegalkab", "unit_id": "dpupr", "credentials_ref": "LAPOR_IG_DPUPR"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);

    let citizen = app.token("citizen", "warga-1", None);
    let filed = app
        .submit(
            &citizen,
            "e2e-social-1",
            &json!({
                "subcategory_id": "jalan-rusak",
                "title": "Jalan berlubang di Jl. Raya Slawi",
                "description": "Jalan berlubang besar di depan balai desa Procot, membahayakan pengendara motor.",
                "location": {"lat": -6.9824, "lon": 109.1364, "kecamatan_id": "kec-slawi", "desa": "Procot"},
                "privacy": "public", "media_ids": [], "channel": "app"
            }),
        )
        .await;
    assert_eq!(filed.status(), 201);
    let report: Value = filed.json().await.unwrap();
    let id = report["id"].as_str().unwrap().to_owned();
    let code = report["tracking_code"].as_str().unwrap().to_owned();

    let caption = format!("Jalan Procot sudah ditambal. Kode {code} ＃LaporBupatiTegal");
    let fake = Router::new().route(
        "/{ig_user}/media",
        get(move || {
            let caption = caption.clone();
            async move {
                Json(json!({
                    "data": [{
                        "id": "17895695668004550", "caption": caption,
                        "permalink": "https://www.instagram.com/p/C9x1AbCdEfG/",
                        "timestamp": "2026-11-30T03:15:20+0000", "media_type": "IMAGE"
                    }],
                    "paging": {"cursors": {"before": "A", "after": "B"}}
                }))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, fake)
            .with_graceful_shutdown(tokio::time::sleep(Duration::from_secs(60)))
            .await;
    });
    let poller = Poller {
        repository: app.app.social.clone(),
        client: reqwest::Client::new(),
        credentials: Arc::new(FixedCredentials(HashMap::from([(
            "LAPOR_IG_DPUPR".to_owned(),
            "token".to_owned(),
        )]))),
        config: PollConfig {
            bases: ApiBases::all_at(&base),
            ..PollConfig::default()
        },
    };
    let run = poller.run(lapor_models::Timestamp::now()).await.unwrap();
    assert_eq!((run.stored(), run.failed()), (1, 0), "{run:?}");

    let posts: Value = app
        .get(&format!("/v1/reports/{id}/social-posts"))
        .await
        .json()
        .await
        .unwrap();
    let items = posts["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{posts}");
    assert_eq!(items[0]["url"], "https://www.instagram.com/p/C9x1AbCdEfG/");
    let seen: Value = app
        .get(&format!("/v1/reports/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let entry = seen["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "social_post")
        .cloned()
        .unwrap_or_else(|| panic!("no social entry in {seen}"));
    assert_eq!(entry["public"], true);
    assert!(entry["text"]
        .as_str()
        .unwrap()
        .contains("Instagram @dpupr.tegalkab"));

    let again = poller.run(lapor_models::Timestamp::now()).await.unwrap();
    assert_eq!(again.stored(), 0);
    server.abort();
}
