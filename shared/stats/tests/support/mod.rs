//! A generator of report histories for the statistics tests: reports made as the
//! repository makes them (`report_item`) and moved through random transitions that
//! follow the workflow's rules (the statuses each action is allowed in and leads to,
//! and the fields each action sets), written with `put` to an in-memory `SqliteStore`
//! so that its change log holds real old and new images.

#![allow(dead_code)]

use lapor_models::{
    CategoryId, Location, Privacy, ReferenceData, ReportId, ReportStatus, Role, SubcategoryId,
    Timestamp, TrackingCode, UnitId, UnitKind, UserId,
};
use lapor_reports::repository::report_item;
use lapor_reports::workflow::ActionKind;
use lapor_reports::{Channel, LastEvent, Rating, Report, Reporter};
use lapor_store::sqlite::SqliteStore;
use lapor_store::ItemStore;

/// SplitMix64: small, deterministic, good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// One event the generator made, as the brute force needs it.
#[derive(Debug, Clone)]
pub struct Event {
    pub at: Timestamp,
    pub kind: String,
    pub role: Role,
    pub actor: Option<String>,
    /// The unit the report was with when the action was taken.
    pub unit: String,
    /// For a resolve: whether it was on or before the due time running before it.
    pub sla_met: Option<bool>,
    /// Seconds from creation when this change set the first response.
    pub first_response_seconds: Option<i64>,
}

pub fn ts(seconds: i64) -> Timestamp {
    Timestamp::from_utc(chrono::DateTime::from_timestamp(seconds, 0).expect("valid time"))
}

/// A new report as intake makes it.
pub fn new_report(rng: &mut Rng, reference: &ReferenceData, at: Timestamp, n: usize) -> Report {
    let category = rng.pick(&reference.categories);
    let sub = rng.pick(&category.subcategories);
    let districts: Vec<&lapor_models::Unit> = reference
        .units
        .iter()
        .filter(|u| u.kind == UnitKind::District)
        .collect();
    let kecamatan = rng.pick(&districts).id.clone();
    let unit = reference.route(sub, &kecamatan);
    let privacy = match rng.below(10) {
        0 => Privacy::Confidential,
        1 | 2 => Privacy::Anonymous,
        _ => Privacy::Public,
    };
    let channel = *rng.pick(&[
        Channel::App,
        Channel::Web,
        Channel::Whatsapp,
        Channel::SocialMedia,
    ]);
    let status = if category.skip_verification {
        ReportStatus::Assigned
    } else {
        ReportStatus::Submitted
    };
    let lat = -6.9 - rng.below(30_000) as f64 / 100_000.0;
    let lon = 109.0 + rng.below(30_000) as f64 / 100_000.0;
    Report {
        id: ReportId::generate(),
        tracking_code: TrackingCode::generate("LBT").expect("a tracking code"),
        status,
        version: 1,
        category_id: category.id.clone(),
        subcategory_id: sub.id.clone(),
        unit_id: unit,
        privacy,
        channel,
        title: Some(format!("Laporan nomor {n}")),
        description: format!("Uraian laporan nomor {n}."),
        location: Location {
            lat,
            lon,
            kecamatan_id: kecamatan,
            desa: Some("Desa Contoh".into()),
            address: Some("Jalan Contoh".into()),
        },
        reporter: Reporter {
            user_id: UserId::new(format!("citizen-{}", n % 997)).expect("a user id"),
            phone: Some("+6281200000000".into()),
        },
        media_ids: Vec::new(),
        support_count: 0,
        created_at: at,
        updated_at: at,
        due_at: ts(at.as_utc().timestamp() + 3 * 86_400),
        assigned_at: (status == ReportStatus::Assigned).then_some(at),
        first_response_at: None,
        resolved_at: None,
        closed_at: None,
        reopen_count: 0,
        escalation_count: 0,
        escalated_stage: None,
        rating: None,
        last_event: Some(LastEvent {
            kind: if status == ReportStatus::Assigned {
                "assigned".into()
            } else {
                "submitted".into()
            },
            at,
            role: Role::Citizen,
            actor: None,
            version: 1,
        }),
    }
}

fn pic_of(rng: &mut Rng, unit: &UnitId) -> String {
    format!("pic-{unit}-{}", rng.below(3))
}

/// Takes one random allowed action at `now`; `None` when none is allowed (or the
/// draw is a support, which changes no event).
pub fn step(
    rng: &mut Rng,
    reference: &ReferenceData,
    report: &Report,
    now: Timestamp,
) -> (Report, Option<Event>) {
    let mut after = report.clone();
    if rng.chance(8) && report.privacy != Privacy::Confidential {
        after.support_count += 1;
        return (after, None);
    }
    let allowed: Vec<ActionKind> = ActionKind::ALL
        .into_iter()
        .filter(|k| k.allowed_in(report.status))
        .filter(|k| *k != ActionKind::Rate || report.rating.is_none())
        .filter(|k| *k != ActionKind::Archive || rng.chance(20))
        .collect();
    if allowed.is_empty() {
        return (after, None);
    }
    let kind = *rng.pick(&allowed);
    let day = 86_400;
    let t = now.as_utc().timestamp();
    after.version += 1;
    after.updated_at = now;
    if let Some(status) = kind.to_status() {
        after.status = status;
    }
    let admin = Some("admin-1".to_owned());
    let pic = Some(pic_of(rng, &report.unit_id));
    let mut event_kind = kind.as_str().to_owned();
    let (role, actor) = match kind {
        ActionKind::Verify => {
            after.assigned_at = Some(now);
            after.due_at = ts(t + 3 * day);
            event_kind = "assigned".into();
            (Role::Admin, admin)
        }
        ActionKind::RequestInfo | ActionKind::Reject | ActionKind::Archive => (Role::Admin, admin),
        ActionKind::ProvideInfo | ActionKind::Confirm => {
            if kind == ActionKind::Confirm {
                after.closed_at = Some(now);
            }
            (Role::Citizen, None)
        }
        ActionKind::Reassign | ActionKind::Forward => {
            let others: Vec<&lapor_models::Unit> = reference
                .units
                .iter()
                .filter(|u| u.id != report.unit_id)
                .collect();
            after.unit_id = rng.pick(&others).id.clone();
            after.assigned_at = Some(now);
            after.due_at = ts(t + 3 * day);
            after.escalated_stage = None;
            if kind == ActionKind::Forward {
                event_kind = "forwarded".into();
                (Role::Pic, pic)
            } else {
                event_kind = "assigned".into();
                (Role::Admin, admin)
            }
        }
        ActionKind::Acknowledge | ActionKind::Respond | ActionKind::Note => {
            if kind != ActionKind::Note {
                after.first_response_at = report.first_response_at.or(Some(now));
            }
            if kind == ActionKind::Acknowledge {
                after.due_at = ts(t + 5 * day);
            }
            (Role::Pic, pic)
        }
        ActionKind::Resolve => {
            after.resolved_at = Some(now);
            after.first_response_at = report.first_response_at.or(Some(now));
            after.due_at = ts(t + 10 * day);
            after.escalated_stage = None;
            (Role::Pic, pic)
        }
        ActionKind::Reopen => {
            after.reopen_count += 1;
            after.resolved_at = None;
            after.escalated_stage = None;
            after.due_at = ts(t + 5 * day);
            event_kind = "reopened".into();
            (Role::Citizen, None)
        }
        ActionKind::Rate => {
            after.rating = Some(Rating {
                score: 1 + rng.below(5) as u8,
                comment: None,
                at: now,
            });
            (Role::Citizen, None)
        }
        ActionKind::Escalate => {
            after.escalation_count += 1;
            after.escalated_stage = Some("stage".into());
            event_kind = "escalated".into();
            (Role::Admin, None)
        }
        ActionKind::AutoClose => {
            after.closed_at = Some(now);
            event_kind = "auto_closed".into();
            (Role::Admin, None)
        }
    };
    after.last_event = Some(LastEvent {
        kind: event_kind.clone(),
        at: now,
        role,
        actor: actor
            .as_ref()
            .map(|a| UserId::new(a.clone()).expect("an id")),
        version: after.version,
    });
    let first = report.first_response_at.is_none() && after.first_response_at.is_some();
    let event = Event {
        at: now,
        kind: event_kind,
        role,
        actor,
        unit: report.unit_id.to_string(),
        sla_met: (kind == ActionKind::Resolve).then(|| now <= report.due_at),
        first_response_seconds: first.then(|| {
            (after.first_response_at.expect("set").as_utc() - after.created_at.as_utc())
                .num_seconds()
        }),
    };
    (after, Some(event))
}

/// A history of `count` reports created over 2026 (WIB), each moved up to `max_steps`
/// times, written to `store`. Returns the final reports and the events.
pub async fn generate(
    store: &SqliteStore,
    reference: &ReferenceData,
    rng: &mut Rng,
    count: usize,
    max_steps: u64,
) -> (Vec<Report>, Vec<Event>) {
    let start = 1_767_200_400; // 2025-12-31T17:00:00Z = 2026-01-01 00:00 WIB
    let span = 330 * 86_400;
    let mut reports = Vec::with_capacity(count);
    let mut events = Vec::new();
    for n in 0..count {
        let created = ts(start + rng.below(span) as i64);
        let mut report = new_report(rng, reference, created, n);
        store
            .put(report_item(&report).expect("an item"), None)
            .await
            .expect("put");
        let mut t = created.as_utc().timestamp();
        for _ in 0..rng.below(max_steps + 1) {
            // Minutes to days later, with a long tail.
            t += 60 + (rng.below(1_000) * rng.below(1_000)) as i64;
            let (after, event) = step(rng, reference, &report, ts(t));
            if after == report {
                continue;
            }
            store
                .put(report_item(&after).expect("an item"), None)
                .await
                .expect("put");
            events.extend(event);
            report = after;
        }
        reports.push(report);
    }
    (reports, events)
}

pub fn category(id: &CategoryId) -> String {
    id.to_string()
}

pub fn subcategory(id: &SubcategoryId) -> String {
    id.to_string()
}

/// As [`generate`], but each report is moved through its transitions in memory and
/// written as its last change only: the image before the last transition, then the
/// final one (at most two change records per report), fast enough for the
/// 100,000-report benchmark. Returns how many records were written.
pub async fn generate_final(
    store: &SqliteStore,
    reference: &ReferenceData,
    rng: &mut Rng,
    count: usize,
    max_steps: u64,
) -> usize {
    let start = 1_767_200_400;
    let span = 330 * 86_400;
    let mut records = 0;
    for n in 0..count {
        let created = ts(start + rng.below(span) as i64);
        let mut report = new_report(rng, reference, created, n);
        let submitted = report.last_event.clone();
        let mut before = None;
        let mut t = created.as_utc().timestamp();
        for _ in 0..rng.below(max_steps + 1) {
            t += 60 + (rng.below(1_000) * rng.below(1_000)) as i64;
            let next = step(rng, reference, &report, ts(t)).0;
            before = Some(std::mem::replace(&mut report, next));
        }
        // The last change arrives as the stream delivers it, with its old image (so the
        // counters of a forward go to the unit the PIC acted for), after an insert of
        // that old image standing for the submission (its event is the citizen's, so
        // that only the last change counts an event, as in production).
        let first = before.map(|mut old: Report| {
            old.last_event = submitted.clone();
            old
        });
        for image in first.iter().chain(std::iter::once(&report)) {
            store
                .put(report_item(image).expect("an item"), None)
                .await
                .expect("put");
            records += 1;
        }
    }
    records
}
