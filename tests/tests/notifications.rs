//! Notifications end to end through `lapor-local`: the PIC directory and devices set up
//! through the API, a report submitted and verified, the change-log consumer run once,
//! and what reached the local outbox and `GET /v1/admin/notifications` — plus the SMS
//! budget of a report's life.

use lapor_notifications::gsm::{is_gsm7, segments};
use lapor_tests::{spawn_app, TestApp};
use serde_json::{json, Value};

async fn send(
    app: &TestApp,
    method: &str,
    token: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app
        .client
        .request(method.parse().unwrap(), app.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn act(app: &TestApp, token: &str, id: &str, version: u64, body: Value) -> Value {
    let response = app
        .client
        .post(app.url(&format!("/v1/reports/{id}/actions")))
        .bearer_auth(token)
        .header("If-Match", format!("\"{version}\""))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{body}");
    response.json().await.unwrap()
}

fn report_body(title: &str) -> Value {
    json!({
        "subcategory_id": "jalan-rusak",
        "title": title,
        "description": "Jalan berlubang besar di depan balai desa, membahayakan pengendara.",
        "location": {"lat": -6.9824, "lon": 109.1364, "kecamatan_id": "kec-slawi"},
        "privacy": "public"
    })
}

async fn add_pic(app: &TestApp, admin: &str, unit: &str, user: &str, phone: &str) {
    let (status, body) = send(
        app,
        "POST",
        admin,
        &format!("/v1/admin/units/{unit}/pics"),
        Some(json!({"user_id": user, "name": format!("PIC {user}"), "phone": phone})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

fn sms_entries(app: &TestApp) -> Vec<(String, String)> {
    app.app
        .notifications
        .outbox
        .entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.channel == "sms")
        .map(|e| (e.to, e.message))
        .collect()
}

#[tokio::test]
async fn a_verified_report_alerts_the_units_pics_once_by_sms_and_push_and_is_listed_for_admins() {
    let (app, _dir) = spawn_app().await;
    let admin = app.token("admin", "admin-prokompim", None);
    let citizen = app.token("citizen", "warga-1", None);
    let report: Value = app
        .submit(
            &citizen,
            "notif-key-0001",
            &report_body("“Jalan” rusak 🚧 parah"),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = report["id"].as_str().unwrap().to_owned();
    let code = report["tracking_code"].as_str().unwrap().to_owned();
    let unit = report["unit_id"].as_str().unwrap().to_owned();
    add_pic(&app, &admin, &unit, "pic-a", "0812-1111-2222").await;
    add_pic(&app, &admin, &unit, "pic-b", "+6281333344445").await;
    let pic_a = app.token("pic", "pic-a", Some(&unit));
    let (status, device) = send(
        &app,
        "POST",
        &pic_a,
        "/v1/devices",
        Some(json!({"platform": "fcm", "token": "fcm-token-pic-a"})),
    )
    .await;
    assert_eq!(status, 201, "{device}");
    let (status, again) = send(
        &app,
        "POST",
        &pic_a,
        "/v1/devices",
        Some(json!({"platform": "fcm", "token": "fcm-token-pic-a"})),
    )
    .await;
    assert_eq!((status, &again["id"]), (200, &device["id"]));
    let (status, _) = send(
        &app,
        "POST",
        &citizen,
        "/v1/devices",
        Some(json!({"platform": "apns", "token": "apns-token-warga"})),
    )
    .await;
    assert_eq!(status, 201);

    // Submission alone alerts nobody.
    app.app.run_consumers_once().await.unwrap();
    assert!(app.app.notifications.outbox.entries().unwrap().is_empty());

    act(&app, &admin, &id, 1, json!({"action": "verify"})).await;
    let pass = app.app.run_consumers_once().await.unwrap();
    assert_eq!(pass.dead_lettered, 0);
    let entries = app.app.notifications.outbox.entries().unwrap();
    let mut sms = sms_entries(&app);
    sms.sort();
    assert_eq!(sms.len(), 2, "{entries:?}");
    assert_eq!(sms[0].0, "+6281211112222");
    assert_eq!(sms[1].0, "+6281333344445");
    for (_, text) in &sms {
        assert!(is_gsm7(text) && text.chars().count() <= 160, "{text}");
        assert!(
            text.contains(&code) && text.contains("\"Jalan\" rusak parah"),
            "{text}"
        );
    }
    let pushes: Vec<_> = entries.iter().filter(|e| e.channel == "push").collect();
    assert_eq!(
        pushes.len(),
        2,
        "one to PIC A's phone, one to the reporter's"
    );
    for push in &pushes {
        let message: Value = serde_json::from_str(&push.message).unwrap();
        let fcm: Value = serde_json::from_str(message["GCM"].as_str().unwrap()).unwrap();
        assert_eq!(fcm["data"]["report_id"], id.as_str());
    }

    // Nothing twice: another pass, and the same record handled again.
    app.app.run_consumers_once().await.unwrap();
    std::fs::remove_file(app.app.notifications.runner.checkpoint_path()).unwrap();
    app.app.run_consumers_once().await.unwrap();
    assert_eq!(app.app.notifications.outbox.entries().unwrap().len(), 4);

    let path = format!("/v1/admin/notifications?report_id={id}");
    let (status, list) = send(&app, "GET", &admin, &path, None).await;
    assert_eq!(status, 200, "{list}");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 4, "{list}");
    assert!(
        items
            .iter()
            .all(|n| n["status"] == "sent" && n["attempts"] == 1),
        "{list}"
    );
    let channels: Vec<_> = items
        .iter()
        .map(|n| {
            (
                n["recipient"].as_str().unwrap(),
                n["channel"].as_str().unwrap(),
            )
        })
        .collect();
    for expected in [
        ("pic-a", "sms"),
        ("pic-a", "push"),
        ("pic-b", "sms"),
        ("warga-1", "push"),
    ] {
        assert!(channels.contains(&expected), "{channels:?}");
    }
    assert!(
        !list.to_string().contains("81211112222"),
        "phones are masked: {list}"
    );
    let (status, _) = send(&app, "GET", &citizen, &path, None).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn bad_pic_and_device_input_is_refused_with_field_errors_in_indonesian() {
    let (app, _dir) = spawn_app().await;
    let admin = app.token("admin", "admin-1", None);
    let citizen = app.token("citizen", "warga-2", None);
    let (status, problem) = send(
        &app,
        "POST",
        &admin,
        "/v1/admin/units/dpupr/pics",
        Some(json!({"user_id": "x", "name": "", "phone": "+6521234567"})),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<_> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "phone"]);
    assert!(problem["errors"][1]["message"]
        .as_str()
        .unwrap()
        .contains("Nomor HP"));
    let (status, _) = send(
        &app,
        "POST",
        &admin,
        "/v1/admin/units/no-such-unit/pics",
        Some(json!({"user_id": "x", "name": "A", "phone": "081234567890"})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = send(&app, "GET", &citizen, "/v1/admin/units/dpupr/pics", None).await;
    assert_eq!(status, 403);
    let (status, problem) = send(
        &app,
        "POST",
        &citizen,
        "/v1/devices",
        Some(json!({"platform": "sms", "token": ""})),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2);
    let (status, problem) = send(
        &app,
        "GET",
        &admin,
        "/v1/admin/notifications?report_id=nope",
        None,
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("report_id"))
    );
    let (status, settings) = send(
        &app,
        "PUT",
        &citizen,
        "/v1/me/notification-settings",
        Some(json!({"sms": true})),
    )
    .await;
    assert_eq!((status, settings), (200, json!({"sms": true})));
    let (status, settings) =
        send(&app, "GET", &citizen, "/v1/me/notification-settings", None).await;
    assert_eq!((status, settings), (200, json!({"sms": true})));
    let (status, _) = send(&app, "DELETE", &citizen, "/v1/devices/unknown", None).await;
    assert_eq!(status, 404);
}

/// The SMS budget of one report's life, which costs the same on any machine: one SMS
/// per PIC per assignment, none for a reporter who has the app.
#[tokio::test]
async fn a_report_lifecycle_costs_one_sms_per_pic_per_assignment_and_none_for_a_citizen_with_push()
{
    let (app, _dir) = spawn_app().await;
    let admin = app.token("admin", "admin-1", None);
    let citizen = app.token("citizen", "warga-3", None);
    send(
        &app,
        "PUT",
        &citizen,
        "/v1/me/notification-settings",
        Some(json!({"sms": true})),
    )
    .await;
    send(
        &app,
        "POST",
        &citizen,
        "/v1/devices",
        Some(json!({"platform": "fcm", "token": "fcm-warga-3"})),
    )
    .await;
    let report: Value = app
        .submit(&citizen, "notif-key-0003", &report_body("Lampu jalan mati di depan pasar Slawi, gelap gulita setiap malam sejak dua minggu lalu"))
        .await
        .json()
        .await
        .unwrap();
    let id = report["id"].as_str().unwrap().to_owned();
    let unit = report["unit_id"].as_str().unwrap().to_owned();
    let other = if unit == "disperkim" {
        "dpupr"
    } else {
        "disperkim"
    };
    for (u, user, phone) in [
        (unit.as_str(), "pic-1", "081200000001"),
        (unit.as_str(), "pic-2", "081200000002"),
        (other, "pic-3", "081200000003"),
    ] {
        add_pic(&app, &admin, u, user, phone).await;
    }
    let pic = app.token("pic", "pic-1", Some(&unit));
    let mut steps = Vec::new();
    for (v, (token, body)) in (1u64..).zip([
        (&admin, json!({"action": "verify"})),
        (&pic, json!({"action": "acknowledge"})),
        (
            &pic,
            json!({"action": "respond", "text": "Petugas dijadwalkan besok."}),
        ),
        (
            &pic,
            json!({"action": "forward", "unit_id": other, "reason": "Kewenangan unit lain."}),
        ),
    ]) {
        let before = sms_entries(&app).len();
        act(&app, token, &id, v, body.clone()).await;
        app.app.run_consumers_once().await.unwrap();
        let new: Vec<_> = sms_entries(&app).into_iter().skip(before).collect();
        let segments: usize = new.iter().map(|(_, text)| segments(text)).sum();
        steps.push((
            body["action"].as_str().unwrap().to_owned(),
            new.len(),
            segments,
        ));
    }
    println!("SMS per step of the lifecycle (action, messages, segments): {steps:?}");
    let total: usize = steps.iter().map(|s| s.2).sum();
    // verify: 2 PICs; acknowledge, respond: none; forward: 1 PIC of the other unit.
    assert_eq!(steps.iter().map(|s| s.2).collect::<Vec<_>>(), [2, 0, 0, 1]);
    assert_eq!(total, 3);
    let citizen_sms = sms_entries(&app)
        .into_iter()
        .filter(|(to, _)| !to.starts_with("+6281200000"))
        .count();
    assert_eq!(citizen_sms, 0, "the reporter has the app: push only");
}
