//! The channel policy on the embedded store with the local outbox: who gets which
//! channel for which event, quiet hours for reporters' SMS, and escalations to the unit
//! head and the regent's staff.

use lapor_models::{Timestamp, UserId};
use lapor_notifications::directory::STAFF_UNIT;
use lapor_notifications::{
    Device, NotificationService, NotifyConfig, Outbox, Pic, Platform, Settings,
};
use lapor_store::sqlite::SqliteStore;
use lapor_store::{ChangeKind, ChangeRecord, Item, Key};
use serde_json::{json, Value};
use std::sync::Arc;

struct Fixture {
    service: NotificationService,
    outbox: Outbox,
    dir: std::path::PathBuf,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn fixture() -> Fixture {
    let dir = std::env::temp_dir().join(format!("lapor-notify-{}", uuid::Uuid::new_v4()));
    let outbox = Outbox::new(&dir.join("outbox.jsonl"));
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let service =
        NotificationService::new(store, Arc::new(outbox.clone()), NotifyConfig::default());
    Fixture {
        service,
        outbox,
        dir,
    }
}

fn image(kind: &str, version: u64) -> Item {
    let id = "01890a5d-ac96-774b-bcce-b302099a8057";
    let value = json!({
        "pk": format!("REPORT#{id}"), "sk": "REPORT", "type": "report", "id": id,
        "tracking_code": "LBT-7K3Q9M", "status": "assigned", "version": version,
        "category_id": "jalan", "subcategory_id": "jalan-rusak", "unit_id": "dpupr",
        "privacy": "public", "channel": "app", "title": "Jalan berlubang",
        "description": "Jalan berlubang besar.",
        "location": {"lat": -6.98, "lon": 109.13, "kecamatan_id": "kec-slawi"},
        "reporter": {"user_id": "warga", "phone": "+6281299990000"},
        "created_at": "2026-03-02T02:00:00.000Z", "updated_at": "2026-03-02T02:00:00.000Z",
        "due_at": "2026-03-09T02:00:00.000Z",
        "last_event": {"kind": kind, "at": "2026-03-02T03:00:00.000Z", "role": "admin", "version": version},
    });
    match value {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

fn change(kind: &str, version: u64) -> ChangeRecord {
    let new = image(kind, version);
    ChangeRecord {
        id: version.to_string(),
        kind: ChangeKind::Modify,
        key: Key::of(&new).unwrap(),
        old_image: Some(image("submitted", version - 1)),
        new_image: Some(new),
    }
}

async fn pic(f: &Fixture, unit: &str, user: &str, phone: &str, head: bool) {
    let pic = Pic {
        unit_id: unit.into(),
        user_id: UserId::new(user).unwrap(),
        name: user.into(),
        phone: phone.into(),
        is_head: head,
        updated_at: Timestamp::now(),
    };
    f.service.directory().put_pic(&pic).await.unwrap();
}

fn sms(f: &Fixture) -> Vec<String> {
    f.outbox
        .entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.channel == "sms")
        .map(|e| e.to)
        .collect()
}

fn at(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

#[tokio::test]
async fn a_reporter_who_opted_in_without_the_app_gets_an_sms_after_quiet_hours_only() {
    let f = fixture();
    let reporter = UserId::new("warga").unwrap();
    f.service
        .directory()
        .put_settings(&reporter, Settings { sms: true })
        .await
        .unwrap();
    let night = at("2026-03-02T22:30:00+07:00");
    let outcome = f
        .service
        .on_change(&change("resolve", 5), night)
        .await
        .unwrap();
    assert_eq!((outcome.deferred, outcome.sent), (1, 0));
    assert!(sms(&f).is_empty());
    // Redelivered at night: still one deferred notification, nothing sent.
    let again = f
        .service
        .on_change(&change("resolve", 5), night)
        .await
        .unwrap();
    assert_eq!(again.already_done, 1);
    assert_eq!(
        f.service
            .flush_deferred(at("2026-03-03T05:59:00+07:00"))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        f.service
            .flush_deferred(at("2026-03-03T06:00:00+07:00"))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        f.service
            .flush_deferred(at("2026-03-03T07:00:00+07:00"))
            .await
            .unwrap(),
        0
    );
    assert_eq!(sms(&f), ["+6281299990000"]);

    // A question the reporter must answer goes at once, even at night.
    let outcome = f
        .service
        .on_change(&change("request_info", 6), night)
        .await
        .unwrap();
    assert_eq!(outcome.sent, 1);
}

#[tokio::test]
async fn a_reporter_with_a_device_or_without_opt_in_gets_no_sms() {
    let f = fixture();
    let day = at("2026-03-02T10:00:00+07:00");
    let outcome = f
        .service
        .on_change(&change("acknowledge", 4), day)
        .await
        .unwrap();
    assert_eq!(outcome.planned, 0, "no opt-in, no device: nothing");
    let reporter = UserId::new("warga").unwrap();
    f.service
        .directory()
        .put_settings(&reporter, Settings { sms: true })
        .await
        .unwrap();
    f.service
        .directory()
        .put_device(&Device {
            device_id: "d1".into(),
            user_id: reporter,
            platform: Platform::Apns,
            endpoint: "local:apns:d1".into(),
            enabled: true,
            created_at: day,
            updated_at: day,
        })
        .await
        .unwrap();
    let outcome = f
        .service
        .on_change(&change("respond", 5), day)
        .await
        .unwrap();
    assert_eq!(outcome.sent, 1);
    assert!(sms(&f).is_empty(), "push only for a reporter with the app");
}

#[tokio::test]
async fn an_escalation_goes_to_the_unit_head_and_the_regents_staff_not_to_every_pic() {
    let f = fixture();
    pic(&f, "dpupr", "kepala", "+6281200000001", true).await;
    pic(&f, "dpupr", "staf", "+6281200000002", false).await;
    pic(&f, STAFF_UNIT, "prokompim", "+6281200000003", false).await;
    let day = at("2026-03-02T10:00:00+07:00");
    f.service
        .on_change(&change("escalated", 3), day)
        .await
        .unwrap();
    let mut to = sms(&f);
    to.sort();
    assert_eq!(to, ["+6281200000001", "+6281200000003"]);
    // Other changes of the report (a support, a note) notify nobody.
    let mut same = change("escalated", 3);
    same.old_image = same.new_image.clone();
    assert_eq!(f.service.on_change(&same, day).await.unwrap().planned, 0);
}
