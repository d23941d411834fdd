//! DynamoDB request units per operation, measured by charging every store call by
//! DynamoDB's rules ([`lapor_store::metered`]) while the real repository runs on the
//! embedded engine. Each operation is held to the budget in `shared/store/DESIGN.md`
//! ("Request-unit budgets"); the measured figures are printed beside it.

use lapor_models::{Caller, ReferenceData, Timestamp, UnitId, UserId, WorkingCalendar};
use lapor_reports::repository::{IntakeConfig, ListFilter, ReportRepository};
use lapor_reports::workflow::Action;
use lapor_reports::{Reporter, SubmitRequest};
use lapor_store::metered::{MeteredStore, Units};
use lapor_store::sqlite::SqliteStore;
use lapor_store::ItemStore;
use serde_json::json;
use std::sync::Arc;

/// (operation, read budget, write budget): the budgets of DESIGN.md.
const BUDGETS: &[(&str, f64, f64)] = &[
    ("submit a report", 1.0, 26.0),
    ("replay a submission", 2.0, 0.0),
    ("get one report with its timeline", 2.0, 0.0),
    ("public list page of 20", 3.0, 0.0),
    ("public list page of 20 by unit", 21.0, 0.0),
    ("own reports page of 20", 2.0, 0.0),
    ("nearby reports", 1.0 + 30.0, 0.0),
    ("support a report", 1.0, 7.0),
    ("verify", 1.0, 18.0),
    ("acknowledge", 1.0, 22.0),
    ("respond", 1.0, 14.0),
    ("note", 1.0, 14.0),
    ("forward", 1.0, 26.0),
    ("resolve with evidence", 2.0, 22.0),
    ("reopen", 1.0, 22.0),
    ("confirm", 1.0, 18.0),
    ("rate", 1.0, 12.0),
    ("inbox page of 20", 3.0, 0.0),
];

fn budget(name: &str) -> (f64, f64) {
    BUDGETS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, r, w)| (*r, *w))
        .unwrap_or_else(|| panic!("no budget for {name}"))
}

struct Meter {
    store: Arc<MeteredStore<SqliteStore>>,
    rows: Vec<(String, Units)>,
}

impl Meter {
    fn record(&mut self, name: &str) {
        let units = self.store.take();
        self.rows.push((name.to_owned(), units));
    }
}

fn request(i: usize) -> SubmitRequest {
    serde_json::from_value(json!({
        "subcategory_id": "jalan-rusak",
        "title": "Jalan berlubang di depan balai desa Procot",
        "description": format!("Laporan {i}: jalan berlubang besar di depan balai desa, sudah dua minggu dan membahayakan pengendara motor terutama malam hari."),
        "location": {"lat": -6.9824 + (i as f64) * 0.00001, "lon": 109.1364, "kecamatan_id": "kec-slawi", "desa": "Procot", "address": "Jl. Raya Procot No. 12"},
    }))
    .unwrap()
}

#[tokio::test]
async fn every_operation_stays_within_its_request_unit_budget() {
    let store = Arc::new(MeteredStore::new(SqliteStore::in_memory().unwrap()));
    let repository = ReportRepository::new(
        store.clone(),
        Arc::new(ReferenceData::tegal().unwrap()),
        Arc::new(WorkingCalendar::indonesia().unwrap()),
        IntakeConfig {
            daily_limit: 1000,
            ..IntakeConfig::default()
        },
    );
    let mut meter = Meter {
        store: store.clone(),
        rows: Vec::new(),
    };
    let reporter = |n: usize| Reporter {
        user_id: UserId::new(format!("warga-{n}")).unwrap(),
        phone: Some("+6281234567890".into()),
    };
    let now = Timestamp::now();
    // Background: 30 reports so that pages are full.
    let mut ids = Vec::new();
    for i in 0..30 {
        let outcome = repository
            .submit(reporter(i % 3), &format!("key-{i:06}"), &request(i), now)
            .await
            .unwrap();
        ids.push(outcome.report().id);
    }
    store.take();

    repository
        .submit(reporter(7), "key-measured", &request(99), now)
        .await
        .unwrap();
    meter.record("submit a report");
    let report = repository
        .submit(reporter(7), "key-measured", &request(99), now)
        .await
        .unwrap()
        .report()
        .clone();
    meter.record("replay a submission");
    repository.get(&report.id).await.unwrap();
    repository.timeline(&report.id).await.unwrap();
    meter.record("get one report with its timeline");
    let page = repository
        .list_public(&ListFilter::default(), 20, None)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 20);
    meter.record("public list page of 20");
    let by_unit = ListFilter {
        unit_id: Some("dpupr".parse().unwrap()),
        ..ListFilter::default()
    };
    let page = repository.list_public(&by_unit, 20, None).await.unwrap();
    assert_eq!(page.items.len(), 20);
    meter.record("public list page of 20 by unit");
    repository
        .list_by_reporter(&UserId::new("warga-0").unwrap(), 20, None)
        .await
        .unwrap();
    meter.record("own reports page of 20");
    let near = repository
        .nearby(report.location.point(), 100.0, None, 20)
        .await
        .unwrap();
    assert!(!near.is_empty());
    meter.record("nearby reports");
    repository
        .support(&report.id, &UserId::new("tetangga").unwrap())
        .await
        .unwrap();
    meter.record("support a report");

    let admin = Caller::Admin {
        user: UserId::new("admin").unwrap(),
    };
    let pic = Caller::Pic {
        user: UserId::new("pic-dpupr").unwrap(),
        unit: "dpupr".parse::<UnitId>().unwrap(),
    };
    let other_pic = Caller::Pic {
        user: UserId::new("pic-disperkim").unwrap(),
        unit: "disperkim".parse::<UnitId>().unwrap(),
    };
    let citizen = Caller::Citizen {
        user: UserId::new("warga-7").unwrap(),
        phone: None,
    };
    let evidence = json!({"pk": "UPLOAD#bukti", "sk": "UPLOAD", "owner": "pic-disperkim", "status": "verified", "purpose": "follow_up"});
    (store.inner() as &dyn ItemStore)
        .put(evidence.as_object().unwrap().clone(), None)
        .await
        .unwrap();
    let mut version = report.version;
    let steps: Vec<(&str, &Caller, Action)> = vec![
        ("verify", &admin, Action::Verify),
        ("acknowledge", &pic, Action::Acknowledge { text: None }),
        (
            "respond",
            &pic,
            Action::Respond {
                text: "Tim survei besok pagi.".into(),
            },
        ),
        (
            "note",
            &pic,
            Action::Note {
                text: "Material tersedia di gudang.".into(),
            },
        ),
        (
            "forward",
            &pic,
            Action::Forward {
                unit_id: "disperkim".into(),
                reason: "Jalan lingkungan.".into(),
            },
        ),
        (
            "resolve with evidence",
            &other_pic,
            Action::Resolve {
                text: "Sudah ditambal.".into(),
                media_ids: vec!["bukti".into()],
            },
        ),
        (
            "reopen",
            &citizen,
            Action::Reopen {
                reason: "Lubang muncul lagi.".into(),
            },
        ),
        ("confirm", &citizen, Action::Confirm),
        (
            "rate",
            &citizen,
            Action::Rate {
                score: 5,
                comment: Some("Cepat.".into()),
            },
        ),
    ];
    for (name, caller, action) in steps {
        if name == "reopen" {
            // Reopen is measured; the report is then resolved again, unmeasured.
            let after = repository
                .act(&report.id, version, caller, &action, now)
                .await
                .unwrap();
            version = after.version;
            meter.record(name);
            let again = Action::Resolve {
                text: "Ditambal ulang.".into(),
                media_ids: vec!["bukti".into()],
            };
            version = repository
                .act(&report.id, version, &other_pic, &again, now)
                .await
                .unwrap()
                .version;
            store.take();
            continue;
        }
        version = repository
            .act(&report.id, version, caller, &action, now)
            .await
            .unwrap()
            .version;
        meter.record(name);
    }
    for id in ids.iter().take(22) {
        let current = repository.get(id).await.unwrap().unwrap();
        repository
            .act(id, current.version, &admin, &Action::Verify, now)
            .await
            .unwrap();
    }
    store.take();
    let inbox = repository
        .inbox(Some(&"dpupr".parse().unwrap()), None, 20, None)
        .await
        .unwrap();
    assert_eq!(inbox.items.len(), 20);
    meter.record("inbox page of 20");

    println!("\n| operation | read units | budget | write units | budget |");
    println!("|---|---:|---:|---:|---:|");
    let mut over = Vec::new();
    for (name, units) in &meter.rows {
        let (read, write) = budget(name);
        println!(
            "| {name} | {:.1} | {read:.1} | {:.1} | {write:.1} |",
            units.read, units.write
        );
        if units.read > read || units.write > write {
            over.push(format!("{name}: {units:?} over ({read}, {write})"));
        }
    }
    assert!(over.is_empty(), "over budget: {over:#?}");
    assert_eq!(
        meter.rows.len(),
        BUDGETS.len(),
        "every budgeted operation was measured"
    );
}
