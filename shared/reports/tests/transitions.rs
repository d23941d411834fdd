//! The transition table, exhaustively: every status × every action × every role, each
//! answered as the table written here (independently of the code) says.

use lapor_models::{
    Caller, ReferenceData, ReportStatus, Timestamp, UnitId, UserId, WorkingCalendar,
};
use lapor_reports::repository::{IntakeConfig, ReportRepository};
use lapor_reports::workflow::{Action, WorkflowError};
use lapor_reports::{Reporter, SubmitRequest};
use lapor_store::sqlite::SqliteStore;
use lapor_store::{ItemStore, Key, Update};
use serde_json::json;
use std::sync::Arc;

fn repository(store: Arc<SqliteStore>) -> ReportRepository {
    ReportRepository::new(
        store,
        Arc::new(ReferenceData::tegal().unwrap()),
        Arc::new(WorkingCalendar::indonesia().unwrap()),
        IntakeConfig {
            daily_limit: 10_000,
            ..IntakeConfig::default()
        },
    )
}

fn user(id: &str) -> UserId {
    UserId::new(id).unwrap()
}

fn unit(id: &str) -> UnitId {
    id.parse().unwrap()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Reporter,
    OtherCitizen,
    UnitPic,
    OtherPic,
    Admin,
}

const WHO: [Who; 5] = [
    Who::Reporter,
    Who::OtherCitizen,
    Who::UnitPic,
    Who::OtherPic,
    Who::Admin,
];

fn caller(who: Who) -> Caller {
    match who {
        Who::Reporter => Caller::Citizen {
            user: user("pelapor"),
            phone: None,
        },
        Who::OtherCitizen => Caller::Citizen {
            user: user("tetangga"),
            phone: None,
        },
        Who::UnitPic => Caller::Pic {
            user: user("pic-dpupr"),
            unit: unit("dpupr"),
        },
        Who::OtherPic => Caller::Pic {
            user: user("pic-dinsos"),
            unit: unit("dinsos"),
        },
        Who::Admin => Caller::Admin {
            user: user("admin"),
        },
    }
}

fn actions() -> Vec<(&'static str, Action)> {
    vec![
        ("verify", Action::Verify),
        (
            "request_info",
            Action::RequestInfo {
                question: "Mohon foto lebih jelas.".into(),
            },
        ),
        (
            "provide_info",
            Action::ProvideInfo {
                text: "Foto sudah saya tambahkan.".into(),
            },
        ),
        (
            "reassign",
            Action::Reassign {
                unit_id: "disperkim".into(),
                reason: "Kewenangan Disperkim.".into(),
            },
        ),
        (
            "reject",
            Action::Reject {
                reason: "Bukan pelayanan publik.".into(),
            },
        ),
        ("archive", Action::Archive { reason: None }),
        ("acknowledge", Action::Acknowledge { text: None }),
        (
            "respond",
            Action::Respond {
                text: "Tim akan survei besok.".into(),
            },
        ),
        (
            "note",
            Action::Note {
                text: "Anggaran pemeliharaan tersedia.".into(),
            },
        ),
        (
            "forward",
            Action::Forward {
                unit_id: "disperkim".into(),
                reason: "Jalan lingkungan.".into(),
            },
        ),
        (
            "resolve",
            Action::Resolve {
                text: "Sudah ditambal.".into(),
                media_ids: vec!["evidence-1".into()],
            },
        ),
        ("confirm", Action::Confirm),
        (
            "reopen",
            Action::Reopen {
                reason: "Lubang muncul lagi.".into(),
            },
        ),
        (
            "rate",
            Action::Rate {
                score: 5,
                comment: None,
            },
        ),
    ]
}

/// The table: which role may take which action in which status.
fn expected(status: ReportStatus, action: &str, who: Who) -> bool {
    use ReportStatus::*;
    let (role_ok, statuses): (bool, &[ReportStatus]) = match action {
        "verify" | "request_info" => (who == Who::Admin, &[Submitted]),
        "reassign" => (who == Who::Admin, &[Submitted, Assigned, InProgress]),
        "reject" => (who == Who::Admin, &[Submitted, NeedsInfo, Assigned]),
        "archive" => (who == Who::Admin, &[Submitted, NeedsInfo, Closed, Rejected]),
        "acknowledge" => (who == Who::UnitPic, &[Assigned]),
        "respond" | "forward" | "resolve" => (who == Who::UnitPic, &[Assigned, InProgress]),
        "note" => (
            matches!(who, Who::UnitPic | Who::Admin),
            &[Submitted, NeedsInfo, Assigned, InProgress, Resolved],
        ),
        "provide_info" => (who == Who::Reporter, &[NeedsInfo]),
        "confirm" | "reopen" => (who == Who::Reporter, &[Resolved]),
        "rate" => (who == Who::Reporter, &[Resolved, Closed]),
        other => panic!("no row for {other}"),
    };
    role_ok && statuses.contains(&status)
}

async fn report_in(
    repository: &ReportRepository,
    store: &SqliteStore,
    status: ReportStatus,
    n: usize,
) -> (lapor_models::ReportId, u64) {
    let request: SubmitRequest = serde_json::from_value(json!({
        "subcategory_id": "jalan-rusak",
        "description": "Jalan berlubang besar di depan balai desa.",
        "location": {"lat": -6.9824, "lon": 109.1364, "kecamatan_id": "kec-slawi"},
    }))
    .unwrap();
    let reporter = Reporter {
        user_id: user("pelapor"),
        phone: None,
    };
    let report = repository
        .submit(reporter, &format!("key-{n:08}"), &request, Timestamp::now())
        .await
        .unwrap()
        .report()
        .clone();
    // Put the report straight into the status under test (the table is about what
    // happens from each status, not how it was reached).
    let key = Key::new(format!("REPORT#{}", report.id), "REPORT");
    let store: &dyn ItemStore = store;
    store
        .update(
            &key,
            vec![
                Update::Set("status".into(), json!(status)),
                Update::Set("resolved_at".into(), json!(Timestamp::now())),
            ],
            None,
        )
        .await
        .unwrap();
    (report.id, report.version)
}

#[tokio::test]
async fn every_status_by_every_action_by_every_role_follows_the_table() {
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let repository = repository(store.clone());
    // A verified follow-up upload of the unit's PIC, so that `resolve` can succeed.
    let upload = json!({"pk": "UPLOAD#evidence-1", "sk": "UPLOAD", "owner": "pic-dpupr",
        "status": "verified", "purpose": "follow_up"});
    (store.as_ref() as &dyn ItemStore)
        .put(upload.as_object().unwrap().clone(), None)
        .await
        .unwrap();
    let mut n = 0;
    let mut checked = 0;
    for status in ReportStatus::ALL {
        for (name, action) in actions() {
            for who in WHO {
                n += 1;
                let (id, version) = report_in(&repository, &store, status, n).await;
                let result = repository
                    .act(&id, version, &caller(who), &action, Timestamp::now())
                    .await;
                let context = format!("{name} by {who:?} in {status}");
                let allowed = expected(status, name, who);
                match result {
                    Ok(after) => {
                        assert!(allowed, "{context}: allowed but the table says no");
                        assert_eq!(after.version, version + 1, "{context}");
                        if let Some(to) = action.kind().to_status() {
                            assert_eq!(after.status, to, "{context}");
                            assert!(
                                status.transition(to).is_ok(),
                                "{context}: the status machine refuses {status} -> {to}"
                            );
                        } else {
                            assert_eq!(after.status, status, "{context}");
                        }
                    }
                    Err(error) => {
                        assert!(!allowed, "{context}: refused with {error:?}");
                        let role_ok = ReportStatus::ALL.iter().any(|s| expected(*s, name, who));
                        match error {
                            WorkflowError::NotFound | WorkflowError::Forbidden => {
                                assert!(!role_ok, "{context}: {error:?} though the role may act")
                            }
                            WorkflowError::NotAllowed { allowed, .. } => {
                                assert!(role_ok, "{context}: 409 though the role may never act");
                                assert!(!allowed.contains(&name), "{context}: lists itself");
                            }
                            other => panic!("{context}: unexpected {other:?}"),
                        }
                    }
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 8 * 14 * 5);
}
