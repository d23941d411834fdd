//! The staff and citizen half of a report's life: the actions admins, the PICs of the
//! assigned unit and the reporter may take, in which statuses, and what each changes —
//! status, unit, SLA clock, timeline — applied atomically and only on the version the
//! caller last saw (`If-Match`). The SLA sweeper's own actions (escalate, auto-close) go
//! through the same path.

use crate::model::{LastEvent, Rating, Report, TimelineEntry};
use crate::repository::{
    created_sort_key, decode_cursor, encode_cursor, object, parse_report, report_item, report_key,
    timeline_item, ReportPage, ReportRepository, RepositoryError,
};
use crate::submission::Violation;
use lapor_models::{Caller, Privacy, ReportId, ReportStatus, Role, Timestamp, UnitId};
use lapor_store::{Condition, Index, Item, Key, Query, SortCondition, StoreError, Update, WriteOp};
use serde::Deserialize;
use serde_json::json;

/// Longest text of an action (a response, a note, a reason).
pub const ACTION_TEXT_MAX: usize = 2000;

/// An action as the client sends it: `{"action": "verify"}`, `{"action": "forward",
/// "unit_id": "dinsos", "reason": "..."}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    Verify,
    RequestInfo {
        question: String,
    },
    ProvideInfo {
        text: String,
    },
    Reassign {
        unit_id: String,
        reason: String,
    },
    Reject {
        reason: String,
    },
    Archive {
        #[serde(default)]
        reason: Option<String>,
    },
    Acknowledge {
        #[serde(default)]
        text: Option<String>,
    },
    Respond {
        text: String,
    },
    Note {
        text: String,
    },
    Forward {
        unit_id: String,
        reason: String,
    },
    Resolve {
        text: String,
        media_ids: Vec<String>,
    },
    Confirm,
    Reopen {
        reason: String,
    },
    Rate {
        score: u8,
        #[serde(default)]
        comment: Option<String>,
    },
}

/// The action's name, without its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    Verify,
    RequestInfo,
    ProvideInfo,
    Reassign,
    Reject,
    Archive,
    Acknowledge,
    Respond,
    Note,
    Forward,
    Resolve,
    Confirm,
    Reopen,
    Rate,
    /// The sweeper flags an overdue stage.
    Escalate,
    /// The sweeper closes a resolution the reporter did not answer.
    AutoClose,
}

/// Who may take an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    Admin,
    UnitPic,
    StaffOfReport,
    Reporter,
    System,
}

impl ActionKind {
    pub const ALL: [ActionKind; 16] = [
        ActionKind::Verify,
        ActionKind::RequestInfo,
        ActionKind::ProvideInfo,
        ActionKind::Reassign,
        ActionKind::Reject,
        ActionKind::Archive,
        ActionKind::Acknowledge,
        ActionKind::Respond,
        ActionKind::Note,
        ActionKind::Forward,
        ActionKind::Resolve,
        ActionKind::Confirm,
        ActionKind::Reopen,
        ActionKind::Rate,
        ActionKind::Escalate,
        ActionKind::AutoClose,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Verify => "verify",
            ActionKind::RequestInfo => "request_info",
            ActionKind::ProvideInfo => "provide_info",
            ActionKind::Reassign => "reassign",
            ActionKind::Reject => "reject",
            ActionKind::Archive => "archive",
            ActionKind::Acknowledge => "acknowledge",
            ActionKind::Respond => "respond",
            ActionKind::Note => "note",
            ActionKind::Forward => "forward",
            ActionKind::Resolve => "resolve",
            ActionKind::Confirm => "confirm",
            ActionKind::Reopen => "reopen",
            ActionKind::Rate => "rate",
            ActionKind::Escalate => "escalate",
            ActionKind::AutoClose => "auto_close",
        }
    }

    fn actor(self) -> Actor {
        use ActionKind::*;
        match self {
            Verify | RequestInfo | Reassign | Reject | Archive => Actor::Admin,
            Acknowledge | Respond | Forward | Resolve => Actor::UnitPic,
            Note => Actor::StaffOfReport,
            ProvideInfo | Confirm | Reopen | Rate => Actor::Reporter,
            Escalate | AutoClose => Actor::System,
        }
    }

    /// The statuses the action may be taken in.
    pub fn from_statuses(self) -> &'static [ReportStatus] {
        use ActionKind::*;
        use ReportStatus as S;
        match self {
            Verify | RequestInfo => &[S::Submitted],
            ProvideInfo => &[S::NeedsInfo],
            Reassign => &[S::Submitted, S::Assigned, S::InProgress],
            Reject => &[S::Submitted, S::NeedsInfo, S::Assigned],
            Archive => &[S::Submitted, S::NeedsInfo, S::Closed, S::Rejected],
            Acknowledge => &[S::Assigned],
            Respond | Forward | Resolve => &[S::Assigned, S::InProgress],
            Note => &[
                S::Submitted,
                S::NeedsInfo,
                S::Assigned,
                S::InProgress,
                S::Resolved,
            ],
            Confirm | Reopen => &[S::Resolved],
            Rate => &[S::Resolved, S::Closed],
            Escalate => &[S::Submitted, S::Assigned, S::InProgress],
            AutoClose => &[S::Resolved],
        }
    }

    /// The status after the action (`None`: it stays).
    pub fn to_status(self) -> Option<ReportStatus> {
        use ActionKind::*;
        use ReportStatus as S;
        match self {
            Verify | Reassign | Forward => Some(S::Assigned),
            RequestInfo => Some(S::NeedsInfo),
            ProvideInfo => Some(S::Submitted),
            Reject => Some(S::Rejected),
            Archive => Some(S::Archived),
            Acknowledge | Reopen => Some(S::InProgress),
            Resolve => Some(S::Resolved),
            Confirm | AutoClose => Some(S::Closed),
            Respond | Note | Rate | Escalate => None,
        }
    }

    /// Whether `caller` holds the role this action needs on this report.
    pub fn permitted(self, caller: &Caller, report: &Report) -> bool {
        match (self.actor(), caller) {
            (Actor::Admin, Caller::Admin { .. }) => true,
            (Actor::UnitPic, Caller::Pic { unit, .. }) => unit == &report.unit_id,
            (Actor::StaffOfReport, Caller::Admin { .. }) => true,
            (Actor::StaffOfReport, Caller::Pic { unit, .. }) => unit == &report.unit_id,
            (Actor::Reporter, Caller::Citizen { user, .. }) => report.is_reported_by(user),
            _ => false,
        }
    }

    /// Whether the action may be taken in this status.
    pub fn allowed_in(self, status: ReportStatus) -> bool {
        self.from_statuses().contains(&status)
    }
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Verify => ActionKind::Verify,
            Action::RequestInfo { .. } => ActionKind::RequestInfo,
            Action::ProvideInfo { .. } => ActionKind::ProvideInfo,
            Action::Reassign { .. } => ActionKind::Reassign,
            Action::Reject { .. } => ActionKind::Reject,
            Action::Archive { .. } => ActionKind::Archive,
            Action::Acknowledge { .. } => ActionKind::Acknowledge,
            Action::Respond { .. } => ActionKind::Respond,
            Action::Note { .. } => ActionKind::Note,
            Action::Forward { .. } => ActionKind::Forward,
            Action::Resolve { .. } => ActionKind::Resolve,
            Action::Confirm => ActionKind::Confirm,
            Action::Reopen { .. } => ActionKind::Reopen,
            Action::Rate { .. } => ActionKind::Rate,
        }
    }
}

/// The actions `caller` may take on `report` now (for 409 answers and for the app's
/// buttons).
pub fn allowed_actions(caller: &Caller, report: &Report) -> Vec<&'static str> {
    ActionKind::ALL
        .into_iter()
        .filter(|k| k.actor() != Actor::System)
        .filter(|k| k.permitted(caller, report) && k.allowed_in(report.status))
        .filter(|k| *k != ActionKind::Rate || report.rating.is_none())
        .map(ActionKind::as_str)
        .collect()
}

/// Why an action was refused.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    #[error("no such report for this caller")]
    NotFound,
    #[error("the caller may not take this action on this report")]
    Forbidden,
    #[error("the report is at version {current}, not the one the caller saw")]
    VersionMismatch { current: u64 },
    #[error("{action} is not allowed while the report is {status}")]
    NotAllowed {
        action: &'static str,
        status: ReportStatus,
        allowed: Vec<&'static str>,
        /// Why, when it is not only the status (e.g. the reopen window has passed).
        reason: Option<(&'static str, &'static str)>,
    },
    #[error("the action breaks {} rule(s)", .0.len())]
    Invalid(Vec<Violation>),
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}

impl From<StoreError> for WorkflowError {
    fn from(error: StoreError) -> Self {
        WorkflowError::Repository(RepositoryError::Store(error))
    }
}

fn required_text(field: &str, text: &str, violations: &mut Vec<Violation>) -> String {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        violations.push(Violation::new(
            field,
            "required",
            "Wajib diisi.",
            "This field is required.",
        ));
    } else if trimmed.chars().count() > ACTION_TEXT_MAX {
        violations.push(Violation::new(
            field,
            "too_long",
            format!("Paling banyak {ACTION_TEXT_MAX} karakter."),
            format!("At most {ACTION_TEXT_MAX} characters."),
        ));
    } else if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        violations.push(Violation::new(
            field,
            "control_characters",
            "Teks berisi karakter yang tidak diizinkan.",
            "The text holds characters that are not allowed.",
        ));
    }
    trimmed.to_owned()
}

/// What an action does to the report and its timeline, computed before writing.
struct Change {
    report: Report,
    entry: TimelineEntry,
}

/// A status or unit change moves the report's list entries.
fn list_moves(before: &Report, after: &Report) -> Vec<WriteOp> {
    if after.privacy == Privacy::Confidential {
        return Vec::new();
    }
    let sort = created_sort_key(after);
    let mut ops = Vec::new();
    let mut moved = |dimension: &str, old: String, new: String| {
        if old != new {
            ops.push(WriteOp::Delete {
                key: Key::new(format!("LIST#{dimension}#{old}"), sort.clone()),
                condition: None,
            });
            ops.push(WriteOp::Put {
                item: object(json!({
                    "pk": format!("LIST#{dimension}#{new}"),
                    "sk": sort.clone(),
                    "type": "list_entry",
                    "report_id": after.id,
                })),
                condition: None,
            });
        }
    };
    moved(
        "status",
        before.status.as_str().to_owned(),
        after.status.as_str().to_owned(),
    );
    moved(
        "unit",
        before.unit_id.to_string(),
        after.unit_id.to_string(),
    );
    ops
}

/// The updates that turn the stored item `old` into `new`: every attribute set that
/// changed, every attribute removed that is gone — except the counters other writers
/// add to concurrently (`support_count`), which an action never overwrites.
fn item_updates(old: &Item, new: &Item) -> Vec<Update> {
    const OWN_WRITERS: [&str; 3] = ["pk", "sk", "support_count"];
    let mut updates = Vec::new();
    for (name, value) in new {
        if !OWN_WRITERS.contains(&name.as_str()) && old.get(name) != Some(value) {
            updates.push(Update::Set(name.clone(), value.clone()));
        }
    }
    for name in old.keys() {
        if !OWN_WRITERS.contains(&name.as_str()) && !new.contains_key(name) {
            updates.push(Update::Remove(name.clone()));
        }
    }
    updates
}

/// Attempts of an action when only concurrent supports got in the way.
const ACTION_ATTEMPTS: usize = 3;

impl ReportRepository {
    fn unit_label(&self, unit: &UnitId) -> String {
        self.reference
            .unit(unit)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| unit.to_string())
    }

    /// Takes `action` on report `id` as `caller`, on the version the caller saw.
    pub async fn act(
        &self,
        id: &ReportId,
        expected_version: u64,
        caller: &Caller,
        action: &Action,
        now: Timestamp,
    ) -> Result<Report, WorkflowError> {
        for _ in 0..ACTION_ATTEMPTS {
            let Some(item) = self.store.get(&report_key(id)).await? else {
                return Err(WorkflowError::NotFound);
            };
            let report = parse_report(item.clone())?;
            let kind = action.kind();
            if crate::view::Viewer::of(caller, &report).is_none() {
                return Err(WorkflowError::NotFound);
            }
            if !kind.permitted(caller, &report) {
                return Err(WorkflowError::Forbidden);
            }
            if report.version != expected_version {
                return Err(WorkflowError::VersionMismatch {
                    current: report.version,
                });
            }
            if !kind.allowed_in(report.status) {
                return Err(WorkflowError::NotAllowed {
                    action: kind.as_str(),
                    status: report.status,
                    allowed: allowed_actions(caller, &report),
                    reason: None,
                });
            }
            let change = self.change(&report, caller, action, now).await?;
            match self.write(&item, &report, change).await? {
                Some(after) => return Ok(after),
                None => continue,
            }
        }
        Err(WorkflowError::Repository(RepositoryError::Store(
            StoreError::Unavailable("the report kept changing under the action".into()),
        )))
    }

    /// Writes a change on the version it was computed from. `None`: the version still
    /// matches but the item changed otherwise (a support): compute again.
    async fn write(
        &self,
        old_item: &Item,
        before: &Report,
        change: Change,
    ) -> Result<Option<Report>, WorkflowError> {
        let corrupt = |e| RepositoryError::Corrupt(format!("REPORT#{}", before.id), e);
        let mut new_item = report_item(&change.report).map_err(corrupt)?;
        // Counters written by others stay as stored.
        if let Some(count) = old_item.get("support_count") {
            new_item.insert("support_count".into(), count.clone());
        }
        let mut ops = vec![
            WriteOp::Update {
                key: report_key(&before.id),
                updates: item_updates(old_item, &new_item),
                condition: Some(Condition::VersionIs(before.version)),
            },
            WriteOp::Put {
                item: timeline_item(&before.id, change.report.version, &change.entry)
                    .map_err(corrupt)?,
                condition: Some(Condition::NotExists),
            },
        ];
        ops.extend(list_moves(before, &change.report));
        match self.store.transact_write(ops).await {
            Ok(()) => Ok(Some(change.report)),
            Err(StoreError::TransactionCanceled { failed }) if failed.contains(&0) => {
                match self.get(&before.id).await? {
                    Some(current) if current.version == before.version => Ok(None),
                    Some(current) => Err(WorkflowError::VersionMismatch {
                        current: current.version,
                    }),
                    None => Err(WorkflowError::NotFound),
                }
            }
            Err(StoreError::TransactionCanceled { .. }) => {
                // The timeline entry of this version exists: another writer of the same
                // version won.
                let current = self.get(&before.id).await?.ok_or(WorkflowError::NotFound)?;
                Err(WorkflowError::VersionMismatch {
                    current: current.version,
                })
            }
            Err(error) => Err(error.into()),
        }
    }

    /// What `action` makes of `report`.
    async fn change(
        &self,
        report: &Report,
        caller: &Caller,
        action: &Action,
        now: Timestamp,
    ) -> Result<Change, WorkflowError> {
        let kind = action.kind();
        let sla = self.sla_for(&report.category_id);
        let calendar = &self.calendar;
        let mut after = report.clone();
        after.version = report.version + 1;
        after.updated_at = now;
        if let Some(status) = kind.to_status() {
            after.status = status;
        }
        let mut violations = Vec::new();
        let mut public = true;
        let mut internal_note = None;
        let mut media_ids = Vec::new();
        let mut event = kind.as_str().to_owned();
        let text = match action {
            Action::Verify => {
                after.assigned_at = Some(now);
                after.due_at = calendar.deadline_after(now, sla.response_days);
                event = "assigned".into();
                format!(
                    "Laporan telah diverifikasi dan diteruskan ke {}.",
                    self.unit_label(&after.unit_id)
                )
            }
            Action::RequestInfo { question } => {
                let question = required_text("question", question, &mut violations);
                after.due_at = calendar.deadline_after(now, sla.auto_close_days);
                format!("Admin meminta keterangan tambahan: {question}")
            }
            Action::ProvideInfo { text } => {
                let text = required_text("text", text, &mut violations);
                after.due_at = calendar.deadline_after(now, sla.verification_days);
                format!("Pelapor melengkapi keterangan: {text}")
            }
            Action::Reassign { unit_id, reason } | Action::Forward { unit_id, reason } => {
                let reason = required_text("reason", reason, &mut violations);
                match unit_id
                    .parse::<UnitId>()
                    .ok()
                    .filter(|u| self.reference.unit(u).is_some())
                {
                    None => violations.push(Violation::new(
                        "unit_id",
                        "unknown_unit",
                        "Unit tidak dikenal; lihat GET /v1/units.",
                        "Unknown unit; see GET /v1/units.",
                    )),
                    Some(unit) if unit == report.unit_id => violations.push(Violation::new(
                        "unit_id",
                        "same_unit",
                        "Laporan sudah berada di unit ini.",
                        "The report is already with this unit.",
                    )),
                    Some(unit) => after.unit_id = unit,
                }
                after.assigned_at = Some(now);
                after.due_at = calendar.deadline_after(now, sla.response_days);
                after.escalated_stage = None;
                internal_note = Some(reason);
                event = if kind == ActionKind::Forward {
                    "forwarded".into()
                } else {
                    "assigned".into()
                };
                format!("Laporan dialihkan ke {}.", self.unit_label(&after.unit_id))
            }
            Action::Reject { reason } => {
                let reason = required_text("reason", reason, &mut violations);
                format!("Laporan tidak dapat diproses: {reason}")
            }
            Action::Archive { reason } => {
                internal_note = reason.as_ref().map(|r| r.trim().to_owned());
                "Laporan diarsipkan.".to_owned()
            }
            Action::Acknowledge { text } => {
                let base = assigned_base(report, now);
                after.due_at = calendar.deadline_after(base, sla.follow_up_days);
                after.first_response_at = report.first_response_at.or(Some(now));
                match text {
                    Some(text) => required_text("text", text, &mut violations),
                    None => format!(
                        "Laporan sedang ditindaklanjuti oleh {}.",
                        self.unit_label(&report.unit_id)
                    ),
                }
            }
            Action::Respond { text } => {
                after.first_response_at = report.first_response_at.or(Some(now));
                required_text("text", text, &mut violations)
            }
            Action::Note { text } => {
                public = false;
                required_text("text", text, &mut violations)
            }
            Action::Resolve {
                text,
                media_ids: ids,
            } => {
                let text = required_text("text", text, &mut violations);
                if ids.is_empty() {
                    violations.push(Violation::new(
                        "media_ids",
                        "required",
                        "Lampirkan minimal satu foto atau video tindak lanjut.",
                        "Attach at least one follow-up photo or video.",
                    ));
                } else if ids.len() > crate::submission::MEDIA_MAX {
                    violations.push(Violation::new(
                        "media_ids",
                        "too_many",
                        "Paling banyak 5 foto atau video.",
                        "At most 5 photos or videos.",
                    ));
                } else if let Some(user) = caller.user() {
                    match self.check_uploads(user, ids, "follow_up").await {
                        Ok(()) => {}
                        Err(RepositoryError::Invalid(found)) => violations.extend(found),
                        Err(error) => return Err(error.into()),
                    }
                }
                media_ids = ids.clone();
                after.resolved_at = Some(now);
                after.first_response_at = report.first_response_at.or(Some(now));
                after.due_at = calendar.deadline_after(now, sla.auto_close_days);
                after.escalated_stage = None;
                text
            }
            Action::Confirm => {
                after.closed_at = Some(now);
                "Pelapor mengonfirmasi laporan telah selesai.".to_owned()
            }
            Action::Reopen { reason } => {
                let reason = required_text("reason", reason, &mut violations);
                let resolved = report.resolved_at.unwrap_or(report.updated_at);
                let window_end = calendar.deadline_after(resolved, sla.auto_close_days);
                if now > window_end {
                    return Err(WorkflowError::NotAllowed {
                        action: kind.as_str(),
                        status: report.status,
                        allowed: allowed_actions(caller, report)
                            .into_iter()
                            .filter(|a| *a != "reopen")
                            .collect(),
                        reason: Some((
                            "Batas waktu membuka kembali (10 hari kerja setelah selesai) sudah lewat.",
                            "The window to reopen (10 working days after resolution) has passed.",
                        )),
                    });
                }
                after.reopen_count = report.reopen_count + 1;
                after.resolved_at = None;
                after.escalated_stage = None;
                after.due_at = calendar.deadline_after(now, sla.follow_up_days);
                event = "reopened".into();
                format!("Pelapor membuka kembali laporan: {reason}")
            }
            Action::Rate { score, comment } => {
                if report.rating.is_some() {
                    return Err(WorkflowError::NotAllowed {
                        action: kind.as_str(),
                        status: report.status,
                        allowed: allowed_actions(caller, report),
                        reason: Some((
                            "Laporan ini sudah dinilai.",
                            "This report was already rated.",
                        )),
                    });
                }
                if !(1..=5).contains(score) {
                    violations.push(Violation::new(
                        "score",
                        "out_of_range",
                        "Nilai 1 sampai 5.",
                        "Score from 1 to 5.",
                    ));
                }
                let comment = comment
                    .as_deref()
                    .map(|c| required_text("comment", c, &mut violations))
                    .filter(|c| !c.is_empty());
                after.rating = Some(Rating {
                    score: *score,
                    comment: comment.clone(),
                    at: now,
                });
                match comment {
                    Some(c) => format!("Pelapor memberi nilai {score}/5: {c}"),
                    None => format!("Pelapor memberi nilai {score}/5."),
                }
            }
        };
        if !violations.is_empty() {
            return Err(WorkflowError::Invalid(violations));
        }
        after.last_event = Some(LastEvent {
            kind: event.clone(),
            at: now,
            role: caller.role(),
            actor: match caller {
                Caller::Pic { user, .. } | Caller::Admin { user } => Some(user.clone()),
                _ => None,
            },
            version: after.version,
        });
        Ok(Change {
            entry: TimelineEntry {
                at: now,
                kind: event,
                role: caller.role(),
                unit_id: Some(after.unit_id.clone()),
                status: after.status,
                public,
                text,
                internal_note,
                media_ids,
            },
            report: after,
        })
    }

    /// A unit's inbox (or every unit's, for an admin without a unit): reports sorted by
    /// due time, so overdue ones come first.
    pub async fn inbox(
        &self,
        unit: Option<&UnitId>,
        status: Option<ReportStatus>,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<ReportPage, RepositoryError> {
        let (index, partition) = match unit {
            Some(unit) => (Index::Gsi3, format!("INBOX#{unit}")),
            None => (Index::Gsi4, "OPEN".to_owned()),
        };
        let mut store_cursor = decode_cursor(&partition, cursor)?;
        let mut items = Vec::new();
        for _ in 0..5 {
            let remaining = limit.saturating_sub(items.len());
            if remaining == 0 {
                break;
            }
            let page = self
                .store
                .query(
                    Query::index(index, partition.clone())
                        .limit(remaining)
                        .after(store_cursor.take()),
                )
                .await?;
            for item in page.items {
                let report = parse_report(item)?;
                if status.is_none_or(|s| s == report.status) {
                    items.push(report);
                }
            }
            store_cursor = page.cursor;
            if store_cursor.is_none() {
                break;
            }
        }
        Ok(ReportPage {
            items,
            cursor: encode_cursor(&partition, store_cursor),
        })
    }

    /// One pass of the SLA sweeper at `now`: every report whose clock ran out is either
    /// closed (a resolution the reporter left unanswered) or flagged once per stage
    /// (timeline entry and an `escalated` event for notifications). Reads the clock
    /// index only up to `now`; safe to run again at any time.
    pub async fn sweep(&self, now: Timestamp) -> Result<SweepOutcome, WorkflowError> {
        let mut outcome = SweepOutcome::default();
        let mut cursor = None;
        loop {
            let page = self
                .store
                .query(
                    Query::index(Index::Gsi4, "OPEN")
                        .sort(SortCondition::LessOrEqual(format!("{}~", now.to_rfc3339())))
                        .limit(100)
                        .after(cursor.take()),
                )
                .await?;
            for item in page.items {
                let report = parse_report(item)?;
                outcome.examined += 1;
                match self.sweep_one(&report, now).await {
                    Ok(Some(ActionKind::AutoClose)) => outcome.closed += 1,
                    Ok(Some(_)) => outcome.escalated += 1,
                    Ok(None) => {}
                    // Someone acted meanwhile: the next pass sees the new state.
                    Err(WorkflowError::VersionMismatch { .. }) => outcome.raced += 1,
                    Err(error) => return Err(error),
                }
            }
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(outcome),
            }
        }
    }

    async fn sweep_one(
        &self,
        report: &Report,
        now: Timestamp,
    ) -> Result<Option<ActionKind>, WorkflowError> {
        if report.due_at > now {
            return Ok(None);
        }
        let stage = sla_stage(report.status);
        let kind = match report.status {
            ReportStatus::Resolved => ActionKind::AutoClose,
            ReportStatus::Submitted | ReportStatus::Assigned | ReportStatus::InProgress => {
                if report.escalated_stage.as_deref() == Some(stage) {
                    return Ok(None);
                }
                ActionKind::Escalate
            }
            _ => return Ok(None),
        };
        let Some(old_item) = self.store.get(&report_key(&report.id)).await? else {
            return Ok(None);
        };
        let current = parse_report(old_item.clone())?;
        if current.version != report.version {
            return Err(WorkflowError::VersionMismatch {
                current: current.version,
            });
        }
        let mut after = current.clone();
        after.version = current.version + 1;
        after.updated_at = now;
        let (event, text) = if kind == ActionKind::AutoClose {
            after.status = ReportStatus::Closed;
            after.closed_at = Some(now);
            (
                "auto_closed",
                "Laporan ditutup otomatis karena tidak ada tanggapan pelapor dalam 10 hari kerja."
                    .to_owned(),
            )
        } else {
            after.escalation_count = current.escalation_count + 1;
            after.escalated_stage = Some(stage.to_owned());
            (
                "escalated",
                format!(
                    "Batas waktu {} terlewati; laporan dilaporkan ke pimpinan.",
                    stage_label(stage)
                ),
            )
        };
        after.last_event = Some(LastEvent {
            kind: event.to_owned(),
            at: now,
            role: Role::Admin,
            actor: None,
            version: after.version,
        });
        let change = Change {
            entry: TimelineEntry {
                at: now,
                kind: event.to_owned(),
                role: Role::Admin,
                unit_id: Some(after.unit_id.clone()),
                status: after.status,
                public: true,
                text,
                internal_note: None,
                media_ids: Vec::new(),
            },
            report: after,
        };
        match self.write(&old_item, &current, change).await? {
            Some(_) => Ok(Some(kind)),
            None => Ok(None),
        }
    }
}

/// The clock that runs in a status.
pub fn sla_stage(status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Submitted => "verification",
        ReportStatus::NeedsInfo => "information",
        ReportStatus::Assigned => "response",
        ReportStatus::InProgress => "follow_up",
        ReportStatus::Resolved => "confirmation",
        _ => "none",
    }
}

fn stage_label(stage: &str) -> &'static str {
    match stage {
        "verification" => "verifikasi",
        "response" => "tanggapan pertama",
        "follow_up" => "tindak lanjut",
        _ => "penanganan",
    }
}

/// When the unit's clocks started: the last assignment, or now.
fn assigned_base(report: &Report, now: Timestamp) -> Timestamp {
    report.assigned_at.unwrap_or(now)
}

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepOutcome {
    pub examined: usize,
    pub escalated: usize,
    pub closed: usize,
    pub raced: usize,
}
