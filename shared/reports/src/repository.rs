//! The report repository on the item-store port. Single-table keys (see
//! `shared/store/DESIGN.md`):
//!
//! | item | pk | sk | indexes |
//! | --- | --- | --- | --- |
//! | report | `REPORT#<id>` | `REPORT` | gsi1 `PUB` / `<created>#<id>` (not confidential); gsi2 `USER#<reporter>` / `<created>#<id>` |
//! | timeline entry | `REPORT#<id>` | `EVENT#<at>#<version>` | |
//! | support | `REPORT#<id>` | `SUPPORT#<user>` | |
//! | tracking code | `TRACK#<code>` | `TRACK` | |
//! | idempotency record | `IDEMP#<user>#<key>` | `IDEMP` | (ttl 7 days) |
//! | daily quota | `QUOTA#<user>` | `<WIB date>` | (ttl 2 days) |
//! | list entry | `LIST#<cat\|sub\|unit\|kec\|status>#<value>` | `<created>#<id>` | (not confidential) |
//! | map entry | `GEO#<geohash5>` | `<geohash9>#<id>` | (not confidential) |
//!
//! A submission writes all of its items in one transaction, so a report never exists
//! without its tracking code, its idempotency record or its list entries, and a retried
//! request finds the first one's record and answers with the same report.

use crate::geohash;
use crate::model::{Report, Reporter, TimelineEntry};
use crate::submission::{SubmitRequest, Violation};
use lapor_models::{
    Bounds, CategoryId, GeoPoint, Privacy, ReferenceData, ReportId, ReportStatus, Role,
    SubcategoryId, Timestamp, TrackingCode, UnitId, UserId, WorkingCalendar,
};
use lapor_store::{
    Condition, Cursor, Index, Item, ItemStore, Key, Query, SortCondition, StoreError, Update,
    WriteOp,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Settings of intake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeConfig {
    /// Submissions one citizen may make per WIB day.
    pub daily_limit: u32,
    /// Working days the admin has to verify a report.
    pub verification_days: u32,
    /// Working days the unit has to respond to an assigned report.
    pub response_days: u32,
    /// Working days from assignment to the unit's follow-up (resolution).
    pub follow_up_days: u32,
    /// Working days after resolution before the report closes by itself.
    pub auto_close_days: u32,
}

impl Default for IntakeConfig {
    fn default() -> Self {
        Self {
            daily_limit: 10,
            verification_days: 3,
            response_days: 3,
            follow_up_days: 5,
            auto_close_days: 10,
        }
    }
}

/// Why a repository call failed.
#[derive(Debug, thiserror::Error)]
pub enum RepositoryError {
    #[error("the idempotency key was used before with another request")]
    KeyReused,
    #[error("the daily submission limit is reached")]
    DailyLimit { retry_after_seconds: u64 },
    #[error("the request breaks {} rule(s)", .0.len())]
    Invalid(Vec<Violation>),
    #[error("no such report")]
    NotFound,
    #[error("a citizen cannot support their own report")]
    OwnReport,
    #[error("the cursor does not belong to this listing")]
    BadCursor,
    #[error("stored item {0} is not a valid record")]
    Corrupt(String, #[source] serde_json::Error),
    #[error("no free tracking code after several draws")]
    TrackingCodesExhausted,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl RepositoryError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, RepositoryError::Store(e) if e.is_retryable())
    }
}

/// What a submission did.
#[derive(Debug, Clone, PartialEq)]
pub enum SubmitOutcome {
    /// A new report.
    Created(Report),
    /// The same request was made before with this key: its report.
    Replayed(Report),
}

impl SubmitOutcome {
    pub fn report(&self) -> &Report {
        match self {
            SubmitOutcome::Created(r) | SubmitOutcome::Replayed(r) => r,
        }
    }
}

/// Filters of the public list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListFilter {
    pub category_id: Option<CategoryId>,
    pub subcategory_id: Option<SubcategoryId>,
    pub unit_id: Option<UnitId>,
    pub kecamatan_id: Option<UnitId>,
    pub status: Option<ReportStatus>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub bbox: Option<Bounds>,
}

/// A page of reports and where to go on.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportPage {
    pub items: Vec<Report>,
    pub cursor: Option<String>,
}

/// Queries one listing may make to fill a page when filters drop items.
const LIST_QUERY_BUDGET: usize = 5;
const IDEMPOTENCY_TTL_SECONDS: i64 = 7 * 24 * 3600;
const TRACKING_CODE_DRAWS: usize = 5;

pub(crate) fn object(value: Value) -> Item {
    match value {
        Value::Object(map) => map,
        _ => Item::new(),
    }
}

pub(crate) fn report_key(id: &ReportId) -> Key {
    Key::new(format!("REPORT#{id}"), "REPORT")
}

fn tracking_key(code: &TrackingCode) -> Key {
    Key::new(format!("TRACK#{code}"), "TRACK")
}

fn idempotency_key(user: &UserId, key: &str) -> Key {
    Key::new(format!("IDEMP#{user}#{key}"), "IDEMP")
}

pub(crate) fn created_sort_key(report: &Report) -> String {
    format!("{}#{}", report.created_at, report.id)
}

/// The WIB date of an instant, as `YYYY-MM-DD`.
pub(crate) fn wib_date(at: Timestamp) -> String {
    at.in_wib().format("%Y-%m-%d").to_string()
}

/// Seconds from `now` to the next midnight WIB.
fn seconds_to_wib_midnight(now: Timestamp) -> u64 {
    let wib = now.in_wib();
    let seconds_today = wib.time().num_seconds_from_midnight_u64();
    (24 * 3600 - seconds_today).max(1)
}

trait SecondsFromMidnight {
    fn num_seconds_from_midnight_u64(&self) -> u64;
}

impl SecondsFromMidnight for chrono::NaiveTime {
    fn num_seconds_from_midnight_u64(&self) -> u64 {
        use chrono::Timelike;
        u64::from(self.num_seconds_from_midnight())
    }
}

/// The partitions of the list entries of a report: `(dimension, value)`.
pub(crate) fn list_dimensions(report: &Report) -> [(&'static str, String); 5] {
    [
        ("cat", report.category_id.to_string()),
        ("sub", report.subcategory_id.to_string()),
        ("unit", report.unit_id.to_string()),
        ("kec", report.location.kecamatan_id.to_string()),
        ("status", report.status.as_str().to_owned()),
    ]
}

/// The report as a stored item, with its key and index attributes.
pub fn report_item(report: &Report) -> Result<Item, serde_json::Error> {
    let mut item = object(serde_json::to_value(report)?);
    let key = report_key(&report.id);
    item.insert("pk".into(), Value::from(key.pk));
    item.insert("sk".into(), Value::from(key.sk));
    item.insert("type".into(), Value::from("report"));
    if report.privacy != Privacy::Confidential {
        item.insert("gsi1pk".into(), Value::from("PUB"));
        item.insert("gsi1sk".into(), Value::from(created_sort_key(report)));
    }
    item.insert(
        "gsi2pk".into(),
        Value::from(format!("USER#{}", report.reporter.user_id)),
    );
    item.insert("gsi2sk".into(), Value::from(created_sort_key(report)));
    for (name, value) in clock_index_attributes(report) {
        if let Some(value) = value {
            item.insert(name.into(), Value::from(value));
        }
    }
    Ok(item)
}

/// The index attributes that follow a report's status and clock: gsi3 is the unit's
/// inbox (`INBOX#<unit>`, while the unit has something to do or to wait for), gsi4 the
/// service-wide clock index (`OPEN`, while an SLA clock runs); both sorted by due time
/// so that overdue reports come first. `None` means the attribute must be absent.
pub fn clock_index_attributes(report: &Report) -> [(&'static str, Option<String>); 4] {
    let due_key = format!("{}#{}", report.due_at, report.id);
    let in_inbox = matches!(
        report.status,
        ReportStatus::Assigned | ReportStatus::InProgress | ReportStatus::Resolved
    );
    let clock_runs = matches!(
        report.status,
        ReportStatus::Submitted
            | ReportStatus::NeedsInfo
            | ReportStatus::Assigned
            | ReportStatus::InProgress
            | ReportStatus::Resolved
    );
    [
        (
            "gsi3pk",
            in_inbox.then(|| format!("INBOX#{}", report.unit_id)),
        ),
        ("gsi3sk", in_inbox.then(|| due_key.clone())),
        ("gsi4pk", clock_runs.then(|| "OPEN".to_owned())),
        ("gsi4sk", clock_runs.then_some(due_key)),
    ]
}

pub(crate) fn parse_report(item: Item) -> Result<Report, RepositoryError> {
    let key = item
        .get("pk")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_owned();
    serde_json::from_value(Value::Object(item)).map_err(|e| RepositoryError::Corrupt(key, e))
}

/// Where a listing is in its partition: the partition it reads, and the store's cursor.
pub(crate) fn encode_cursor(partition: &str, cursor: Option<Cursor>) -> Option<String> {
    lapor_store::page_token::encode(partition, cursor)
}

pub(crate) fn decode_cursor(
    partition: &str,
    text: Option<&str>,
) -> Result<Option<Cursor>, RepositoryError> {
    lapor_store::page_token::decode(partition, text).map_err(|_| RepositoryError::BadCursor)
}

/// The report repository.
#[derive(Clone)]
pub struct ReportRepository {
    pub(crate) store: Arc<dyn ItemStore>,
    pub(crate) reference: Arc<ReferenceData>,
    pub(crate) calendar: Arc<WorkingCalendar>,
    pub(crate) config: IntakeConfig,
}

impl ReportRepository {
    pub fn new(
        store: Arc<dyn ItemStore>,
        reference: Arc<ReferenceData>,
        calendar: Arc<WorkingCalendar>,
        config: IntakeConfig,
    ) -> Self {
        Self {
            store,
            reference,
            calendar,
            config,
        }
    }

    pub fn reference(&self) -> &ReferenceData {
        &self.reference
    }

    /// Files a report exactly once per `(user, idempotency key)`.
    pub async fn submit(
        &self,
        reporter: Reporter,
        idempotency: &str,
        request: &SubmitRequest,
        now: Timestamp,
    ) -> Result<SubmitOutcome, RepositoryError> {
        let request_hash = hash_request(request);
        let idem_key = idempotency_key(&reporter.user_id, idempotency);
        if let Some(outcome) = self.replay(&idem_key, &request_hash).await? {
            return Ok(outcome);
        }
        let new = request
            .validate(&self.reference)
            .map_err(RepositoryError::Invalid)?;
        self.check_media(&reporter.user_id, &new.media_ids).await?;

        let sla = self.sla_for(&new.category_id);
        let (status, days) = if new.skip_verification {
            (ReportStatus::Assigned, sla.response_days)
        } else {
            (ReportStatus::Submitted, sla.verification_days)
        };
        let mut last_error = RepositoryError::TrackingCodesExhausted;
        for _ in 0..TRACKING_CODE_DRAWS {
            let tracking_code = TrackingCode::generate(&self.reference.region.tracking_prefix)
                .map_err(|_| RepositoryError::TrackingCodesExhausted)?;
            let report = Report {
                id: ReportId::generate(),
                tracking_code,
                status,
                version: 1,
                category_id: new.category_id.clone(),
                subcategory_id: new.subcategory_id.clone(),
                unit_id: new.unit_id.clone(),
                privacy: new.privacy,
                channel: new.channel,
                title: new.title.clone(),
                description: new.description.clone(),
                location: new.location.clone(),
                reporter: reporter.clone(),
                media_ids: new.media_ids.clone(),
                support_count: 0,
                created_at: now,
                updated_at: now,
                due_at: self.calendar.deadline_after(now, days),
                assigned_at: (status == ReportStatus::Assigned).then_some(now),
                first_response_at: None,
                resolved_at: None,
                closed_at: None,
                reopen_count: 0,
                escalation_count: 0,
                escalated_stage: None,
                rating: None,
                last_event: Some(crate::model::LastEvent {
                    kind: if status == ReportStatus::Assigned {
                        "assigned".into()
                    } else {
                        "submitted".into()
                    },
                    at: now,
                    role: Role::Citizen,
                    actor: None,
                    version: 1,
                }),
            };
            let ops = self.submission_ops(&report, &idem_key, &request_hash, now)?;
            match self.store.transact_write(ops).await {
                Ok(()) => return Ok(SubmitOutcome::Created(report)),
                Err(StoreError::TransactionCanceled { failed }) => {
                    if failed.contains(&2) {
                        // A concurrent request with the same key won the race.
                        return match self.replay(&idem_key, &request_hash).await? {
                            Some(outcome) => Ok(outcome),
                            None => Err(RepositoryError::Store(StoreError::Unavailable(
                                "the idempotency record vanished while being read".into(),
                            ))),
                        };
                    }
                    if failed.contains(&3) {
                        return Err(RepositoryError::DailyLimit {
                            retry_after_seconds: seconds_to_wib_midnight(now),
                        });
                    }
                    // The tracking code (or, astronomically unlikely, the id) is taken: draw again.
                    last_error = RepositoryError::TrackingCodesExhausted;
                }
                Err(error) => return Err(error.into()),
            }
        }
        Err(last_error)
    }

    /// The operations of one submission. Positions matter: 0 report, 1 tracking code,
    /// 2 idempotency record, 3 daily quota.
    fn submission_ops(
        &self,
        report: &Report,
        idem_key: &Key,
        request_hash: &str,
        now: Timestamp,
    ) -> Result<Vec<WriteOp>, RepositoryError> {
        let corrupt = |e| RepositoryError::Corrupt(format!("REPORT#{}", report.id), e);
        let epoch = now.as_utc().timestamp();
        let mut ops = vec![
            WriteOp::Put {
                item: report_item(report).map_err(corrupt)?,
                condition: Some(Condition::NotExists),
            },
            WriteOp::Put {
                item: object(json!({
                    "pk": tracking_key(&report.tracking_code).pk,
                    "sk": "TRACK",
                    "type": "tracking_code",
                    "report_id": report.id,
                })),
                condition: Some(Condition::NotExists),
            },
            WriteOp::Put {
                item: object(json!({
                    "pk": idem_key.pk,
                    "sk": idem_key.sk,
                    "type": "idempotency",
                    "request_hash": request_hash,
                    "report_id": report.id,
                    "ttl": epoch + IDEMPOTENCY_TTL_SECONDS,
                })),
                condition: Some(Condition::NotExists),
            },
            WriteOp::Update {
                key: Key::new(format!("QUOTA#{}", report.reporter.user_id), wib_date(now)),
                updates: vec![
                    Update::Add("count".into(), 1),
                    Update::SetIfAbsent("ttl".into(), Value::from(epoch + 2 * 24 * 3600)),
                    Update::SetIfAbsent("type".into(), Value::from("quota")),
                ],
                condition: Some(Condition::Or(vec![
                    Condition::AttributeNotExists("count".into()),
                    Condition::AttributeLessThan(
                        "count".into(),
                        i64::from(self.config.daily_limit),
                    ),
                ])),
            },
        ];
        let entry = TimelineEntry {
            at: now,
            kind: "submitted".into(),
            role: Role::Citizen,
            unit_id: Some(report.unit_id.clone()),
            status: report.status,
            public: true,
            internal_note: None,
            media_ids: report.media_ids.clone(),
            text: match report.status {
                ReportStatus::Assigned => format!(
                    "Laporan diterima dan langsung diteruskan ke {}.",
                    self.unit_name(&report.unit_id)
                ),
                _ => "Laporan diterima dan menunggu verifikasi admin.".to_owned(),
            },
        };
        ops.push(WriteOp::Put {
            item: timeline_item(&report.id, report.version, &entry).map_err(corrupt)?,
            condition: Some(Condition::NotExists),
        });
        if report.privacy != Privacy::Confidential {
            for (dimension, value) in list_dimensions(report) {
                ops.push(WriteOp::Put {
                    item: object(json!({
                        "pk": format!("LIST#{dimension}#{value}"),
                        "sk": created_sort_key(report),
                        "type": "list_entry",
                        "report_id": report.id,
                    })),
                    condition: None,
                });
            }
            let point = report.location.point();
            let cell = geohash::encode(point, 9);
            ops.push(WriteOp::Put {
                item: object(json!({
                    "pk": format!("GEO#{}", &cell[..5]),
                    "sk": format!("{cell}#{}", report.id),
                    "type": "map_entry",
                    "report_id": report.id,
                    "subcategory_id": report.subcategory_id,
                    "lat": point.lat,
                    "lon": point.lon,
                })),
                condition: None,
            });
        }
        Ok(ops)
    }

    fn unit_name(&self, unit: &UnitId) -> String {
        self.reference
            .unit(unit)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| unit.to_string())
    }

    async fn replay(
        &self,
        idem_key: &Key,
        request_hash: &str,
    ) -> Result<Option<SubmitOutcome>, RepositoryError> {
        let Some(record) = self.store.get(idem_key).await? else {
            return Ok(None);
        };
        if record.get("request_hash").and_then(Value::as_str) != Some(request_hash) {
            return Err(RepositoryError::KeyReused);
        }
        let id = record
            .get("report_id")
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<ReportId>().ok())
            .ok_or_else(|| {
                RepositoryError::Corrupt(
                    idem_key.pk.clone(),
                    serde::de::Error::custom("no report id"),
                )
            })?;
        match self.get(&id).await? {
            Some(report) => Ok(Some(SubmitOutcome::Replayed(report))),
            None => Err(RepositoryError::NotFound),
        }
    }

    /// The SLA limits of a category: the service's defaults, overridden per category in
    /// the reference data.
    pub fn sla_for(&self, category: &CategoryId) -> IntakeConfig {
        let mut sla = self.config.clone();
        if let Some(o) = self.reference.category(category).and_then(|c| c.sla) {
            sla.verification_days = o.verification_days.unwrap_or(sla.verification_days);
            sla.response_days = o.response_days.unwrap_or(sla.response_days);
            sla.follow_up_days = o.follow_up_days.unwrap_or(sla.follow_up_days);
            sla.auto_close_days = o.auto_close_days.unwrap_or(sla.auto_close_days);
        }
        sla
    }

    pub fn calendar(&self) -> &WorkingCalendar {
        &self.calendar
    }

    /// Every media id must be a verified upload of this user for a report.
    async fn check_media(&self, user: &UserId, ids: &[String]) -> Result<(), RepositoryError> {
        self.check_uploads(user, ids, "report").await
    }

    /// Every id must be a verified upload of `user` for `purpose`.
    pub(crate) async fn check_uploads(
        &self,
        user: &UserId,
        ids: &[String],
        purpose: &str,
    ) -> Result<(), RepositoryError> {
        if ids.is_empty() {
            return Ok(());
        }
        let keys: Vec<Key> = ids
            .iter()
            .map(|id| Key::new(format!("UPLOAD#{id}"), "UPLOAD"))
            .collect();
        let found = self.store.batch_get(&keys).await?;
        let mut violations = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let usable = found.iter().any(|item| {
                item.get("pk").and_then(Value::as_str) == Some(&format!("UPLOAD#{id}"))
                    && item.get("owner").and_then(Value::as_str) == Some(user.as_str())
                    && item.get("status").and_then(Value::as_str) == Some("verified")
                    && item.get("purpose").and_then(Value::as_str) == Some(purpose)
            });
            if !usable {
                violations.push(Violation::new(
                    format!("media_ids[{i}]"),
                    "unknown_media",
                    "Berkas tidak ditemukan atau belum selesai diperiksa.",
                    "Unknown file, or not yet verified.",
                ));
            }
        }
        if violations.is_empty() {
            Ok(())
        } else {
            Err(RepositoryError::Invalid(violations))
        }
    }

    pub async fn get(&self, id: &ReportId) -> Result<Option<Report>, RepositoryError> {
        match self.store.get(&report_key(id)).await? {
            Some(item) => parse_report(item).map(Some),
            None => Ok(None),
        }
    }

    pub async fn by_tracking_code(
        &self,
        code: &TrackingCode,
    ) -> Result<Option<Report>, RepositoryError> {
        let Some(item) = self.store.get(&tracking_key(code)).await? else {
            return Ok(None);
        };
        match item
            .get("report_id")
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<ReportId>().ok())
        {
            Some(id) => self.get(&id).await,
            None => Ok(None),
        }
    }

    /// The whole timeline, oldest first; callers filter it for the viewer.
    pub async fn timeline(&self, id: &ReportId) -> Result<Vec<TimelineEntry>, RepositoryError> {
        let mut entries = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .store
                .query(
                    Query::table(report_key(id).pk)
                        .sort(SortCondition::BeginsWith("EVENT#".into()))
                        .after(cursor),
                )
                .await?;
            for item in page.items {
                let key = item
                    .get("sk")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_owned();
                entries.push(
                    serde_json::from_value(Value::Object(item))
                        .map_err(|e| RepositoryError::Corrupt(key, e))?,
                );
            }
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(entries),
            }
        }
    }

    async fn load_all(&self, ids: Vec<ReportId>) -> Result<Vec<Report>, RepositoryError> {
        let mut reports = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(lapor_store::MAX_BATCH_GET) {
            let keys: Vec<Key> = chunk.iter().map(report_key).collect();
            for item in self.store.batch_get(&keys).await? {
                reports.push(parse_report(item)?);
            }
        }
        Ok(reports)
    }

    /// The public list, newest first: confidential reports never appear.
    pub async fn list_public(
        &self,
        filter: &ListFilter,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<ReportPage, RepositoryError> {
        let (index, partition) = if let Some(sub) = &filter.subcategory_id {
            (None, format!("LIST#sub#{sub}"))
        } else if let Some(kec) = &filter.kecamatan_id {
            (None, format!("LIST#kec#{kec}"))
        } else if let Some(unit) = &filter.unit_id {
            (None, format!("LIST#unit#{unit}"))
        } else if let Some(category) = &filter.category_id {
            (None, format!("LIST#cat#{category}"))
        } else if let Some(status) = &filter.status {
            (None, format!("LIST#status#{}", status.as_str()))
        } else {
            (Some(Index::Gsi1), "PUB".to_owned())
        };
        let sort = SortCondition::time_range(
            filter.since.map(|t| t.to_rfc3339()),
            filter.until.map(|t| t.to_rfc3339()),
        );
        let mut store_cursor = decode_cursor(&partition, cursor)?;
        let mut items = Vec::new();
        for _ in 0..LIST_QUERY_BUDGET {
            let remaining = limit.saturating_sub(items.len());
            if remaining == 0 {
                break;
            }
            let mut query = match index {
                Some(index) => Query::index(index, partition.clone()),
                None => Query::table(partition.clone()),
            }
            .descending()
            .limit(remaining)
            .after(store_cursor.take());
            query.sort = sort.clone();
            let page = self.store.query(query).await?;
            let ids: Vec<ReportId> = page
                .items
                .iter()
                .filter_map(|item| {
                    let field = if index.is_some() { "id" } else { "report_id" };
                    item.get(field)?.as_str()?.parse().ok()
                })
                .collect();
            let reports = if index.is_some() {
                page.items
                    .into_iter()
                    .map(parse_report)
                    .collect::<Result<Vec<_>, _>>()?
            } else {
                self.load_all(ids).await?
            };
            items.extend(reports.into_iter().filter(|r| matches_filter(r, filter)));
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

    /// One citizen's own reports, newest first, whatever their privacy.
    pub async fn list_by_reporter(
        &self,
        user: &UserId,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<ReportPage, RepositoryError> {
        let partition = format!("USER#{user}");
        let store_cursor = decode_cursor(&partition, cursor)?;
        let page = self
            .store
            .query(
                Query::index(Index::Gsi2, partition.clone())
                    .descending()
                    .limit(limit)
                    .after(store_cursor),
            )
            .await?;
        let items = page
            .items
            .into_iter()
            .map(parse_report)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ReportPage {
            items,
            cursor: encode_cursor(&partition, page.cursor),
        })
    }

    /// Open public reports within `radius_m` of `center`, nearest first, at most `limit`.
    pub async fn nearby(
        &self,
        center: GeoPoint,
        radius_m: f64,
        subcategory: Option<&SubcategoryId>,
        limit: usize,
    ) -> Result<Vec<(Report, f64)>, RepositoryError> {
        let mut ids = Vec::new();
        for cell in geohash::cells_covering(center, radius_m, 6) {
            let mut cursor = None;
            for _ in 0..LIST_QUERY_BUDGET {
                let page = self
                    .store
                    .query(
                        Query::table(format!("GEO#{}", &cell[..5]))
                            .sort(SortCondition::BeginsWith(cell.clone()))
                            .after(cursor.take()),
                    )
                    .await?;
                for item in &page.items {
                    let lat = item.get("lat").and_then(Value::as_f64);
                    let lon = item.get("lon").and_then(Value::as_f64);
                    let sub = item.get("subcategory_id").and_then(Value::as_str);
                    let (Some(lat), Some(lon)) = (lat, lon) else {
                        continue;
                    };
                    if subcategory.is_some_and(|s| Some(s.as_str()) != sub) {
                        continue;
                    }
                    if center.distance_m(GeoPoint { lat, lon }) > radius_m {
                        continue;
                    }
                    if let Some(id) = item
                        .get("report_id")
                        .and_then(Value::as_str)
                        .and_then(|s| s.parse::<ReportId>().ok())
                    {
                        ids.push(id);
                    }
                }
                match page.cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
        }
        let mut found: Vec<(Report, f64)> = self
            .load_all(ids)
            .await?
            .into_iter()
            .filter(|r| r.status.is_open() && r.privacy != Privacy::Confidential)
            .map(|r| {
                let d = center.distance_m(r.location.point());
                (r, d)
            })
            .collect();
        found.sort_by(|a, b| a.1.total_cmp(&b.1));
        found.truncate(limit);
        Ok(found)
    }

    /// "Saya juga mengalami": counted once per citizen. Returns the count and whether
    /// this call added to it.
    pub async fn support(
        &self,
        id: &ReportId,
        user: &UserId,
    ) -> Result<(u64, bool), RepositoryError> {
        let report = self.get(id).await?.ok_or(RepositoryError::NotFound)?;
        if report.is_reported_by(user) {
            return Err(RepositoryError::OwnReport);
        }
        if report.privacy == Privacy::Confidential {
            return Err(RepositoryError::NotFound);
        }
        let ops = vec![
            WriteOp::Put {
                item: object(json!({
                    "pk": report_key(id).pk,
                    "sk": format!("SUPPORT#{user}"),
                    "type": "support",
                    "at": Timestamp::now(),
                })),
                condition: Some(Condition::NotExists),
            },
            WriteOp::Update {
                key: report_key(id),
                updates: vec![Update::Add("support_count".into(), 1)],
                condition: Some(Condition::Exists),
            },
        ];
        match self.store.transact_write(ops).await {
            Ok(()) => Ok((report.support_count + 1, true)),
            Err(StoreError::TransactionCanceled { failed }) if failed.contains(&0) => {
                let current = self.get(id).await?.ok_or(RepositoryError::NotFound)?;
                Ok((current.support_count, false))
            }
            Err(StoreError::TransactionCanceled { .. }) => Err(RepositoryError::NotFound),
            Err(error) => Err(error.into()),
        }
    }
}

/// The timeline entry as a stored item.
pub fn timeline_item(
    id: &ReportId,
    version: u64,
    entry: &TimelineEntry,
) -> Result<Item, serde_json::Error> {
    let mut item = object(serde_json::to_value(entry)?);
    item.insert("pk".into(), Value::from(report_key(id).pk));
    item.insert(
        "sk".into(),
        Value::from(format!("EVENT#{}#{version:06}", entry.at)),
    );
    item.insert("type".into(), Value::from("timeline_entry"));
    Ok(item)
}

fn matches_filter(report: &Report, filter: &ListFilter) -> bool {
    report.privacy != Privacy::Confidential
        && filter
            .category_id
            .as_ref()
            .is_none_or(|c| c == &report.category_id)
        && filter
            .subcategory_id
            .as_ref()
            .is_none_or(|s| s == &report.subcategory_id)
        && filter.unit_id.as_ref().is_none_or(|u| u == &report.unit_id)
        && filter
            .kecamatan_id
            .as_ref()
            .is_none_or(|k| k == &report.location.kecamatan_id)
        && filter.status.is_none_or(|s| s == report.status)
        && filter.since.is_none_or(|t| report.created_at >= t)
        && filter.until.is_none_or(|t| report.created_at <= t)
        && filter
            .bbox
            .is_none_or(|b| b.contains(report.location.point()))
}

/// A stable hash of what the request asks for (the parsed request, so that key order or
/// spacing in the JSON does not matter).
pub fn hash_request(request: &SubmitRequest) -> String {
    let bytes = serde_json::to_vec(request).unwrap_or_default();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl IntakeConfig {
    /// From `LAPOR_DAILY_REPORT_LIMIT`, `LAPOR_VERIFICATION_DAYS`, `LAPOR_RESPONSE_DAYS`.
    pub fn from_source(
        source: &dyn lapor_api::config::Source,
    ) -> Result<Self, lapor_api::config::ConfigError> {
        use lapor_api::config::parsed_or;
        let defaults = Self::default();
        Ok(Self {
            daily_limit: parsed_or(source, "LAPOR_DAILY_REPORT_LIMIT", defaults.daily_limit)?,
            verification_days: parsed_or(
                source,
                "LAPOR_VERIFICATION_DAYS",
                defaults.verification_days,
            )?,
            response_days: parsed_or(source, "LAPOR_RESPONSE_DAYS", defaults.response_days)?,
            follow_up_days: parsed_or(source, "LAPOR_FOLLOW_UP_DAYS", defaults.follow_up_days)?,
            auto_close_days: parsed_or(source, "LAPOR_AUTO_CLOSE_DAYS", defaults.auto_close_days)?,
        })
    }
}
