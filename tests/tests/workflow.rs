//! The staff half end to end through `lapor-local`: actions with `If-Match`, the
//! timeline each role sees, the inbox, concurrent conflicting actions, and the SLA
//! sweeper.

use lapor_tests::{spawn_app, TestApp};
use serde_json::{json, Value};

fn report_body(privacy: &str) -> Value {
    json!({
        "subcategory_id": "jalan-rusak",
        "title": "Jalan berlubang",
        "description": "Jalan berlubang besar di depan balai desa, membahayakan pengendara.",
        "location": {"lat": -6.9824, "lon": 109.1364, "kecamatan_id": "kec-slawi"},
        "privacy": privacy
    })
}

/// A follow-up photo uploaded by the PIC of `token` and verified by media ingest.
async fn follow_up_photo(app: &TestApp, token: &str) -> String {
    let photo = lapor_media::samples::jpeg_with_gps(64, 48);
    app.verified_upload(token, "follow_up", "image/jpeg", photo)
        .await
}

async fn act(app: &TestApp, token: &str, id: &str, version: u64, body: Value) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/v1/reports/{id}/actions")))
        .bearer_auth(token)
        .header("If-Match", format!("\"{version}\""))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn ok(app: &TestApp, token: &str, id: &str, version: &mut u64, body: Value) -> Value {
    let response = act(app, token, id, *version, body.clone()).await;
    let status = response.status();
    let etag = response
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_owned());
    let value: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{body} -> {value}");
    *version += 1;
    assert_eq!(etag, Some(format!("\"{version}\"")));
    assert_eq!(value["version"], *version);
    value
}

#[tokio::test]
async fn a_report_goes_through_its_whole_life_and_each_role_sees_its_timeline() {
    let (app, _dir) = spawn_app().await;
    let citizen = app.token("citizen", "pelapor", None);
    let admin = app.token("admin", "admin-prokompim", None);
    let dpupr = app.token("pic", "pic-dpupr", Some("dpupr"));
    let disperkim = app.token("pic", "pic-disperkim", Some("disperkim"));
    let report: Value = app
        .submit(&citizen, "life-key-0001", &report_body("public"))
        .await
        .json()
        .await
        .unwrap();
    let id = report["id"].as_str().unwrap().to_owned();
    let mut v = 1;
    let after = ok(&app, &admin, &id, &mut v, json!({"action": "verify"})).await;
    assert_eq!(after["status"], "assigned");
    let after = ok(&app, &dpupr, &id, &mut v, json!({"action": "acknowledge"})).await;
    assert_eq!(after["status"], "in_progress");
    ok(
        &app,
        &dpupr,
        &id,
        &mut v,
        json!({"action": "note", "text": "Rahasia dapur: anggaran habis."}),
    )
    .await;
    let after = ok(&app, &dpupr, &id, &mut v, json!({"action": "forward", "unit_id": "disperkim", "reason": "Jalan lingkungan, kewenangan Disperkim."})).await;
    assert_eq!(after["status"], "assigned");
    assert_eq!(after["unit_id"], "disperkim");
    // The old unit can no longer act.
    let refused = act(&app, &dpupr, &id, v, json!({"action": "acknowledge"})).await;
    assert_eq!(refused.status(), 403);
    ok(
        &app,
        &disperkim,
        &id,
        &mut v,
        json!({"action": "acknowledge"}),
    )
    .await;
    // Resolving needs evidence.
    let no_photo = act(
        &app,
        &disperkim,
        &id,
        v,
        json!({"action": "resolve", "text": "Sudah ditambal.", "media_ids": []}),
    )
    .await;
    assert_eq!(no_photo.status(), 422);
    let bukti_1 = follow_up_photo(&app, &disperkim).await;
    let bukti_2 = follow_up_photo(&app, &disperkim).await;
    let after = ok(&app, &disperkim, &id, &mut v, json!({"action": "resolve", "text": "Sudah ditambal dengan aspal.", "media_ids": [bukti_1]})).await;
    assert_eq!(after["status"], "resolved");
    let after = ok(
        &app,
        &citizen,
        &id,
        &mut v,
        json!({"action": "reopen", "reason": "Lubang muncul lagi setelah hujan."}),
    )
    .await;
    assert_eq!(after["status"], "in_progress");
    ok(&app, &disperkim, &id, &mut v, json!({"action": "resolve", "text": "Ditambal ulang dan dipadatkan.", "media_ids": [bukti_2]})).await;
    let after = ok(&app, &citizen, &id, &mut v, json!({"action": "confirm"})).await;
    assert_eq!(after["status"], "closed");
    ok(
        &app,
        &citizen,
        &id,
        &mut v,
        json!({"action": "rate", "score": 5, "comment": "Terima kasih, cepat."}),
    )
    .await;
    let again = act(
        &app,
        &citizen,
        &id,
        v,
        json!({"action": "rate", "score": 4}),
    )
    .await;
    assert_eq!(again.status(), 409);

    let kinds = |view: &Value| -> Vec<String> {
        view["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap().to_owned())
            .collect()
    };
    let staff: Value = app
        .get_as(Some(&admin), &format!("/v1/reports/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        kinds(&staff),
        [
            "submitted",
            "assigned",
            "acknowledge",
            "note",
            "forwarded",
            "acknowledge",
            "resolve",
            "reopened",
            "resolve",
            "confirm",
            "rate"
        ]
    );
    let staff_text = staff.to_string();
    assert!(staff_text.contains("Rahasia dapur") && staff_text.contains("kewenangan Disperkim"));
    for token in [Some(citizen.as_str()), None] {
        let view: Value = app
            .get_as(token, &format!("/v1/reports/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            kinds(&view),
            [
                "submitted",
                "assigned",
                "acknowledge",
                "forwarded",
                "acknowledge",
                "resolve",
                "reopened",
                "resolve",
                "confirm",
                "rate"
            ]
        );
        let text = view.to_string();
        assert!(!text.contains("Rahasia dapur"), "notes stay internal");
        assert!(
            !text.contains("kewenangan Disperkim"),
            "forward reasons stay internal"
        );
    }
    let unit_view: Value = app
        .get_as(Some(&disperkim), &format!("/v1/reports/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(unit_view.to_string().contains("Rahasia dapur"));
    let tracked: Value = app
        .get(&format!(
            "/v1/reports/track/{}",
            report["tracking_code"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tracked["status"], "closed");
    assert!(!tracked.to_string().contains("Rahasia dapur"));
}

#[tokio::test]
async fn stale_missing_and_misplaced_actions_are_refused_with_the_right_status() {
    let (app, _dir) = spawn_app().await;
    let citizen = app.token("citizen", "pelapor", None);
    let admin = app.token("admin", "admin", None);
    let other_pic = app.token("pic", "pic-dinsos", Some("dinsos"));
    let report: Value = app
        .submit(&citizen, "refuse-key-01", &report_body("public"))
        .await
        .json()
        .await
        .unwrap();
    let id = report["id"].as_str().unwrap();
    let stale = act(&app, &admin, id, 7, json!({"action": "verify"})).await;
    assert_eq!(stale.status(), 412);
    let body: Value = stale.json().await.unwrap();
    assert_eq!(body["current_version"], 1);
    let missing = app
        .client
        .post(app.url(&format!("/v1/reports/{id}/actions")))
        .bearer_auth(&admin)
        .json(&json!({"action": "verify"}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 428);
    let wrong_status = act(&app, &admin, id, 1, json!({"action": "archive"})).await;
    assert_eq!(
        wrong_status.status(),
        200,
        "archive is allowed from submitted"
    );
    let report: Value = app
        .submit(&citizen, "refuse-key-02", &report_body("public"))
        .await
        .json()
        .await
        .unwrap();
    let id = report["id"].as_str().unwrap();
    let not_now = act(&app, &citizen, id, 1, json!({"action": "confirm"})).await;
    assert_eq!(not_now.status(), 409);
    let body: Value = not_now.json().await.unwrap();
    assert_eq!(body["status"], "submitted");
    assert!(
        body["allowed_actions"].as_array().unwrap().is_empty(),
        "{body}"
    );
    let admin_409 = act(&app, &admin, id, 1, json!({"action": "rate", "score": 3})).await;
    assert_eq!(admin_409.status(), 403);
    let wrong_unit = act(
        &app,
        &other_pic,
        id,
        1,
        json!({"action": "note", "text": "x"}),
    )
    .await;
    assert_eq!(wrong_unit.status(), 403);
    let unknown = act(&app, &admin, id, 1, json!({"action": "teleport"})).await;
    assert_eq!(unknown.status(), 422);
    let no_reason = act(
        &app,
        &admin,
        id,
        1,
        json!({"action": "reject", "reason": "  "}),
    )
    .await;
    assert_eq!(no_reason.status(), 422);
    let body: Value = no_reason.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "reason");
    let anonymous = app
        .client
        .post(app.url(&format!("/v1/reports/{id}/actions")))
        .header("If-Match", "\"1\"")
        .json(&json!({"action": "verify"}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn fifty_concurrent_conflicting_actions_let_exactly_one_win_per_version() {
    let (app, _dir) = spawn_app().await;
    let citizen = app.token("citizen", "pelapor", None);
    let admin = app.token("admin", "admin", None);
    let report: Value = app
        .submit(&citizen, "race-key-0001", &report_body("public"))
        .await
        .json()
        .await
        .unwrap();
    let id = report["id"].as_str().unwrap().to_owned();
    let bodies: Vec<Value> = (0..50)
        .map(|i| match i % 3 {
            0 => json!({"action": "verify"}),
            1 => json!({"action": "note", "text": format!("catatan {i}")}),
            _ => json!({"action": "reject", "reason": format!("alasan {i}")}),
        })
        .collect();
    let responses =
        futures::future::join_all(bodies.iter().map(|b| act(&app, &admin, &id, 1, b.clone())))
            .await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 412).count(),
        49,
        "{statuses:?}"
    );
    let view: Value = app
        .get_as(Some(&admin), &format!("/v1/reports/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["version"], 2);
    assert_eq!(
        view["timeline"].as_array().unwrap().len(),
        2,
        "one entry for the submission, one for the winner"
    );
}

#[tokio::test]
async fn the_inbox_shows_a_units_reports_overdue_first_and_only_to_that_unit() {
    let (app, _dir) = spawn_app().await;
    let admin = app.token("admin", "admin", None);
    let pic = app.token("pic", "pic-dpupr", Some("dpupr"));
    let mut ids = Vec::new();
    for i in 0..3 {
        let citizen = app.token("citizen", &format!("warga-{i}"), None);
        let report: Value = app
            .submit(
                &citizen,
                "inbox-key-01",
                &report_body(if i == 2 { "anonymous" } else { "public" }),
            )
            .await
            .json()
            .await
            .unwrap();
        let id = report["id"].as_str().unwrap().to_owned();
        let mut v = 1;
        ok(&app, &admin, &id, &mut v, json!({"action": "verify"})).await;
        ids.push(id);
    }
    let inbox: Value = app
        .get_as(Some(&pic), "/v1/inbox")
        .await
        .json()
        .await
        .unwrap();
    let items = inbox["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    let dues: Vec<&str> = items
        .iter()
        .map(|i| i["due_at"].as_str().unwrap())
        .collect();
    let mut sorted = dues.clone();
    sorted.sort();
    assert_eq!(dues, sorted);
    assert!(items.iter().all(|i| i["allowed_actions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "acknowledge")));
    let anonymous = items.iter().find(|i| i["privacy"] == "anonymous").unwrap();
    assert!(
        anonymous["reporter"].is_null(),
        "an anonymous reporter stays hidden from the unit"
    );
    let other = app.token("pic", "pic-dinsos", Some("dinsos"));
    let theirs: Value = app
        .get_as(Some(&other), "/v1/inbox")
        .await
        .json()
        .await
        .unwrap();
    assert!(theirs["items"].as_array().unwrap().is_empty());
    assert_eq!(
        app.get_as(Some(&other), "/v1/inbox?unit_id=dpupr")
            .await
            .status(),
        403
    );
    let all: Value = app
        .get_as(Some(&admin), "/v1/inbox?unit_id=dpupr&status=assigned")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 3);
    let citizen = app.token("citizen", "warga-0", None);
    assert_eq!(app.get_as(Some(&citizen), "/v1/inbox").await.status(), 403);
}

#[tokio::test]
async fn the_sweeper_flags_an_overdue_report_once_and_closes_an_unanswered_resolution() {
    let (app, _dir) = spawn_app().await;
    let citizen = app.token("citizen", "pelapor", None);
    let admin = app.token("admin", "admin", None);
    let pic = app.token("pic", "pic-dpupr", Some("dpupr"));
    let late: Value = app
        .submit(&citizen, "sweep-key-001", &report_body("public"))
        .await
        .json()
        .await
        .unwrap();
    let late_id = late["id"].as_str().unwrap().to_owned();
    let done: Value = app
        .submit(&citizen, "sweep-key-002", &report_body("public"))
        .await
        .json()
        .await
        .unwrap();
    let done_id = done["id"].as_str().unwrap().to_owned();
    let mut v = 1;
    ok(&app, &admin, &done_id, &mut v, json!({"action": "verify"})).await;
    ok(
        &app,
        &pic,
        &done_id,
        &mut v,
        json!({"action": "acknowledge"}),
    )
    .await;
    let bukti_sweep = follow_up_photo(&app, &pic).await;
    ok(
        &app,
        &pic,
        &done_id,
        &mut v,
        json!({"action": "resolve", "text": "Selesai.", "media_ids": [bukti_sweep]}),
    )
    .await;

    let reports = &app.app.reports;
    let now = lapor_models::Timestamp::now();
    let nothing = reports.sweep(now).await.unwrap();
    assert_eq!(
        (nothing.escalated, nothing.closed),
        (0, 0),
        "nothing is due yet"
    );
    // Five weeks later every clock has run out.
    let later = lapor_models::Timestamp::from_utc(now.as_utc() + chrono::Duration::days(35));
    let first = reports.sweep(later).await.unwrap();
    assert_eq!((first.escalated, first.closed), (1, 1), "{first:?}");
    let second = reports.sweep(later).await.unwrap();
    assert_eq!(
        (second.escalated, second.closed),
        (0, 0),
        "a second pass changes nothing: {second:?}"
    );
    let view: Value = app
        .get_as(Some(&admin), &format!("/v1/reports/{late_id}"))
        .await
        .json()
        .await
        .unwrap();
    let escalations = view["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "escalated")
        .count();
    assert_eq!(escalations, 1);
    let closed: Value = app
        .get_as(Some(&citizen), &format!("/v1/reports/{done_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(closed["status"], "closed");
    assert_eq!(
        closed["timeline"].as_array().unwrap().last().unwrap()["kind"],
        "auto_closed"
    );
}
