//! The public summary (`summary.json`, `GET /v1/stats/summary`) and how it is read from
//! the counters alone, in a bounded number of store calls whatever the number of
//! reports: the all-time partition and the current month's partition (each one query,
//! paged; their rows are bounded by the reference data and the number of PICs), the
//! monthly totals of the last [`TREND_MONTHS`] months and the daily totals of the last
//! [`TREND_DAYS`] days (two batch reads), and the hashtag-post counters of the units
//! and PICs (batch reads).
//!
//! Schema, version [`SCHEMA_VERSION`] (documented field by field in `shared/stats/SCHEMA.md`); a
//! field is only ever added within a version; a rename or removal raises it.

use crate::facts::{self, wib_day, wib_month, ALL};
use crate::histogram::{self, Histogram};
use crate::leaderboard::{self, Leaderboard};
use chrono::{Datelike, Duration, Months, NaiveDate};
use lapor_models::{ReferenceData, ReportStatus, Timestamp, UnitId};
use lapor_store::{Item, ItemStore, Key, Query, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::str::FromStr;

/// The version of the summary's schema.
pub const SCHEMA_VERSION: u32 = 1;
/// Months in the monthly trend.
pub const TREND_MONTHS: usize = 12;
/// Days in the daily trend.
pub const TREND_DAYS: usize = 30;

/// A duration distribution read from a histogram.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Durations {
    /// Samples counted.
    pub count: i64,
    /// Median in seconds (within ±9.05 %; see `error_bound`), `null` without samples.
    pub median_seconds: Option<f64>,
    pub p90_seconds: Option<f64>,
}

impl Durations {
    pub fn of(histogram: &Histogram) -> Self {
        Self {
            count: histogram.total(),
            median_seconds: histogram.quantile(0.5).map(round1),
            p90_seconds: histogram.quantile(0.9).map(round1),
        }
    }
}

/// SLA compliance: resolutions on or before the due time, and after it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sla {
    pub met: i64,
    pub missed: i64,
    /// `met / (met + missed)`, `null` without resolutions.
    pub compliance: Option<f64>,
}

impl Sla {
    pub fn new(met: i64, missed: i64) -> Self {
        Self {
            met,
            missed,
            compliance: ratio(met, met + missed),
        }
    }
}

/// The measures of a set of reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Measures {
    pub reports: i64,
    /// Reports with a first response from the unit ("ditindaklanjuti").
    pub responded: i64,
    /// `responded / reports`.
    pub follow_up_rate: Option<f64>,
    /// Reports resolved at least once.
    pub resolved: i64,
    /// Reports reopened at least once by the reporter.
    pub reopened: i64,
    /// `reopened / resolved`.
    pub reopen_rate: Option<f64>,
    pub rating_count: i64,
    /// Average rating 1–5.
    pub rating_average: Option<f64>,
    /// Times reports were flagged overdue.
    pub escalations: i64,
    /// From creation to the first response.
    pub first_response: Durations,
    /// From creation to the (latest) resolution.
    pub resolution: Durations,
}

impl Measures {
    /// From a `total` or `unit#…` counter row.
    pub fn of(row: &Counters) -> Self {
        let reports = row.get("reports");
        let responded = row.get("responded");
        let resolved = row.get("resolved");
        let reopened = row.get("reopened");
        let rating_count = row.get("rating_count");
        Self {
            reports,
            responded,
            follow_up_rate: ratio(responded, reports),
            resolved,
            reopened,
            reopen_rate: ratio(reopened, resolved),
            rating_count,
            rating_average: ratio(row.get("rating_sum"), rating_count).map(round4),
            escalations: row.get("escalations"),
            first_response: Durations::of(&row.histogram("frt")),
            resolution: Durations::of(&row.histogram("res")),
        }
    }
}

/// Count of one value of one dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Count {
    pub id: String,
    /// The name in the reference data (Bahasa Indonesia).
    pub name: String,
    pub reports: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responded: Option<i64>,
}

/// One unit's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitSummary {
    pub id: String,
    pub name: String,
    /// `agency`, `district` or `partner`.
    pub kind: String,
    #[serde(flatten)]
    pub measures: Measures,
    pub sla: Sla,
}

/// One point of a trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// `YYYY-MM` or `YYYY-MM-DD` (WIB).
    pub period: String,
    pub reports: i64,
    pub responded: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    pub monthly: Vec<TrendPoint>,
    pub daily: Vec<TrendPoint>,
}

/// The error bound of the durations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBound {
    /// Largest relative error of a median or p90 of one minute or more.
    pub duration_relative: f64,
    /// Largest absolute error (seconds) of one under a minute.
    pub duration_absolute_under_a_minute_seconds: f64,
}

/// The public summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub schema_version: u32,
    pub generated_at: Timestamp,
    pub service: String,
    /// The WIB month of `this_month` and of the leaderboard.
    pub month: String,
    pub totals: Measures,
    pub sla: Sla,
    pub this_month: Measures,
    pub trend: Trend,
    pub by_status: Vec<Count>,
    pub by_category: Vec<Count>,
    pub by_subcategory: Vec<Count>,
    pub by_kecamatan: Vec<Count>,
    pub by_channel: Vec<Count>,
    pub by_unit: Vec<UnitSummary>,
    pub leaderboard: Leaderboard,
    pub error_bound: ErrorBound,
}

/// The numeric attributes of one counter item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters(pub BTreeMap<String, i64>);

impl Counters {
    pub fn of(item: &Item) -> Self {
        Self(
            item.iter()
                .filter(|(name, _)| !matches!(name.as_str(), "pk" | "sk" | "type" | "ttl"))
                .filter_map(|(name, value)| Some((name.clone(), value.as_i64()?)))
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> i64 {
        self.0.get(name).copied().unwrap_or(0)
    }

    pub fn histogram(&self, name: &str) -> Histogram {
        Histogram::from_attributes(name, self.0.iter().map(|(k, v)| (k, *v)))
    }

    pub fn add(&mut self, other: &Counters) {
        for (name, value) in &other.0 {
            *self.0.entry(name.clone()).or_insert(0) += value;
        }
    }
}

/// One counter partition: row key (`sk`) → counters.
pub type Partition = BTreeMap<String, Counters>;

pub fn ratio(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator > 0).then(|| round4(numerator as f64 / denominator as f64))
}

pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Reads counters.
#[derive(Clone)]
pub struct StatsReader<'a> {
    store: &'a dyn ItemStore,
}

impl<'a> StatsReader<'a> {
    pub fn new(store: &'a dyn ItemStore) -> Self {
        Self { store }
    }

    /// Every row of a counter partition (one query, paged).
    pub async fn partition(&self, pk: &str) -> Result<Partition, StoreError> {
        let mut rows = Partition::new();
        let mut cursor = None;
        loop {
            let page = self
                .store
                .query(Query::table(pk).limit(1000).after(cursor.take()))
                .await?;
            for item in &page.items {
                if let Some(sk) = item.get("sk").and_then(Value::as_str) {
                    rows.insert(sk.to_owned(), Counters::of(item));
                }
            }
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(rows),
            }
        }
    }

    /// The `total` rows of some partitions, in the order given (zeros when absent).
    pub async fn totals(&self, pks: &[String]) -> Result<Vec<Counters>, StoreError> {
        let mut found: BTreeMap<String, Counters> = BTreeMap::new();
        for chunk in pks.chunks(lapor_store::MAX_BATCH_GET) {
            let keys: Vec<Key> = chunk
                .iter()
                .map(|pk| Key::new(pk.clone(), "total"))
                .collect();
            for item in self.store.batch_get(&keys).await? {
                if let Some(pk) = item.get("pk").and_then(Value::as_str) {
                    found.insert(pk.to_owned(), Counters::of(&item));
                }
            }
        }
        Ok(pks
            .iter()
            .map(|pk| found.remove(pk).unwrap_or_default())
            .collect())
    }

    /// Hashtag posts per unit and per PIC, from the social counters
    /// (`SOCIALSTATS#unit#<id>` / `SOCIALSTATS#pic#<id>`, sk `STATS`, attribute `posts`).
    pub async fn hashtag_posts(
        &self,
        kind: &str,
        ids: &[String],
    ) -> Result<BTreeMap<String, i64>, StoreError> {
        let mut posts = BTreeMap::new();
        for chunk in ids.chunks(lapor_store::MAX_BATCH_GET) {
            let keys: Vec<Key> = chunk
                .iter()
                .map(|id| Key::new(format!("SOCIALSTATS#{kind}#{id}"), "STATS"))
                .collect();
            for item in self.store.batch_get(&keys).await? {
                let id = item
                    .get("pk")
                    .and_then(Value::as_str)
                    .and_then(|pk| pk.strip_prefix(&format!("SOCIALSTATS#{kind}#")))
                    .map(str::to_owned);
                if let (Some(id), Some(n)) = (id, item.get("posts").and_then(Value::as_i64)) {
                    posts.insert(id, n);
                }
            }
        }
        Ok(posts)
    }

    /// The leaderboard of one WIB month (`YYYY-MM`).
    pub async fn leaderboard(
        &self,
        reference: &ReferenceData,
        month: &str,
    ) -> Result<Leaderboard, StoreError> {
        let rows = self.partition(&facts::month_partition(month)).await?;
        self.leaderboard_of(reference, month, &rows).await
    }

    async fn leaderboard_of(
        &self,
        reference: &ReferenceData,
        month: &str,
        rows: &Partition,
    ) -> Result<Leaderboard, StoreError> {
        let unit_ids: Vec<String> = reference.units.iter().map(|u| u.id.to_string()).collect();
        let pic_ids: Vec<String> = rows
            .keys()
            .filter_map(|sk| sk.strip_prefix("pic#"))
            .filter_map(|rest| rest.split_once('#').map(|(_, user)| user.to_owned()))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let unit_posts = self.hashtag_posts("unit", &unit_ids).await?;
        let pic_posts = self.hashtag_posts("pic", &pic_ids).await?;
        Ok(leaderboard::rank(
            reference,
            month,
            rows,
            &unit_posts,
            &pic_posts,
        ))
    }

    /// The whole summary at `now`.
    pub async fn summary(
        &self,
        reference: &ReferenceData,
        now: Timestamp,
    ) -> Result<Summary, StoreError> {
        let all = self.partition(ALL).await?;
        let month = wib_month(now);
        let month_rows = self.partition(&facts::month_partition(&month)).await?;
        let months = last_months(now, TREND_MONTHS);
        let days = last_days(now, TREND_DAYS);
        let monthly = self
            .totals(
                &months
                    .iter()
                    .map(|m| facts::month_partition(m))
                    .collect::<Vec<_>>(),
            )
            .await?;
        let daily = self
            .totals(
                &days
                    .iter()
                    .map(|d| facts::day_partition(d))
                    .collect::<Vec<_>>(),
            )
            .await?;
        let point = |period: &String, c: &Counters| TrendPoint {
            period: period.clone(),
            reports: c.get("reports"),
            responded: c.get("responded"),
        };
        let leaderboard = self.leaderboard_of(reference, &month, &month_rows).await?;
        let empty = Counters::default();
        let (met, missed) = all
            .iter()
            .filter(|(sk, _)| sk.starts_with("sla#"))
            .fold((0, 0), |(m, x), (_, c)| {
                (m + c.get("met"), x + c.get("missed"))
            });
        Ok(Summary {
            schema_version: SCHEMA_VERSION,
            generated_at: now,
            service: reference.region.service_name.clone(),
            month,
            totals: Measures::of(all.get("total").unwrap_or(&empty)),
            sla: Sla::new(met, missed),
            this_month: Measures::of(month_rows.get("total").unwrap_or(&empty)),
            trend: Trend {
                monthly: months
                    .iter()
                    .zip(&monthly)
                    .map(|(m, c)| point(m, c))
                    .collect(),
                daily: days.iter().zip(&daily).map(|(d, c)| point(d, c)).collect(),
            },
            by_status: ReportStatus::ALL
                .iter()
                .map(|s| Count {
                    id: s.as_str().to_owned(),
                    name: status_label(*s).to_owned(),
                    reports: all
                        .get(&format!("status#{}", s.as_str()))
                        .map(|c| c.get("reports"))
                        .unwrap_or(0),
                    responded: None,
                })
                .collect(),
            by_category: counts(&all, "category", true, |id| {
                reference
                    .categories
                    .iter()
                    .find(|c| c.id.as_str() == id)
                    .map(|c| c.name.clone())
            }),
            by_subcategory: counts(&all, "subcategory", false, |id| {
                id.parse()
                    .ok()
                    .and_then(|s| reference.subcategory(&s))
                    .map(|(_, s)| s.name.clone())
            }),
            by_kecamatan: reference
                .units
                .iter()
                .filter(|u| u.kind == lapor_models::UnitKind::District)
                .map(|u| {
                    let row = all.get(&format!("kecamatan#{}", u.id));
                    Count {
                        id: u.id.to_string(),
                        name: u.name.clone(),
                        reports: row.map(|c| c.get("reports")).unwrap_or(0),
                        responded: Some(row.map(|c| c.get("responded")).unwrap_or(0)),
                    }
                })
                .collect(),
            by_channel: counts(&all, "channel", false, |id| {
                Some(channel_label(id).to_owned())
            }),
            by_unit: reference
                .units
                .iter()
                .map(|u| {
                    let row = all.get(&format!("unit#{}", u.id)).unwrap_or(&empty);
                    let sla = all.get(&format!("sla#{}", u.id)).unwrap_or(&empty);
                    UnitSummary {
                        id: u.id.to_string(),
                        name: u.name.clone(),
                        kind: unit_kind(u.kind).to_owned(),
                        measures: Measures::of(row),
                        sla: Sla::new(sla.get("met"), sla.get("missed")),
                    }
                })
                .collect(),
            leaderboard,
            error_bound: ErrorBound {
                duration_relative: round4(histogram::RELATIVE_ERROR),
                duration_absolute_under_a_minute_seconds: 30.0,
            },
        })
    }
}

pub fn unit_kind(kind: lapor_models::UnitKind) -> &'static str {
    match kind {
        lapor_models::UnitKind::Agency => "agency",
        lapor_models::UnitKind::District => "district",
        lapor_models::UnitKind::Partner => "partner",
    }
}

/// The rows `<dimension>#<id>` of a partition as counts, most reports first.
fn counts(
    rows: &Partition,
    dimension: &str,
    with_responded: bool,
    name: impl Fn(&str) -> Option<String>,
) -> Vec<Count> {
    let prefix = format!("{dimension}#");
    let mut counts: Vec<Count> = rows
        .iter()
        .filter_map(|(sk, c)| {
            let id = sk.strip_prefix(&prefix)?;
            (c.get("reports") > 0).then(|| Count {
                id: id.to_owned(),
                name: name(id).unwrap_or_else(|| id.to_owned()),
                reports: c.get("reports"),
                responded: with_responded.then(|| c.get("responded")),
            })
        })
        .collect();
    counts.sort_by(|a, b| b.reports.cmp(&a.reports).then_with(|| a.id.cmp(&b.id)));
    counts
}

/// The status as the public reads it.
pub fn status_label(status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Submitted => "Menunggu verifikasi",
        ReportStatus::NeedsInfo => "Menunggu keterangan",
        ReportStatus::Assigned => "Diteruskan ke unit",
        ReportStatus::InProgress => "Sedang ditindaklanjuti",
        ReportStatus::Resolved => "Selesai ditindaklanjuti",
        ReportStatus::Closed => "Ditutup",
        ReportStatus::Rejected => "Ditolak",
        ReportStatus::Archived => "Diarsipkan",
    }
}

/// The channel as the public reads it.
pub fn channel_label(channel: &str) -> &'static str {
    match channel {
        "app" => "Aplikasi",
        "web" => "Situs web",
        "whatsapp" => "WhatsApp",
        "social_media" => "Media sosial",
        _ => "Lainnya",
    }
}

/// The last `n` WIB months up to `now`'s, oldest first.
pub fn last_months(now: Timestamp, n: usize) -> Vec<String> {
    let today = now.in_wib().date_naive();
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    (0..n)
        .rev()
        .filter_map(|back| first.checked_sub_months(Months::new(back as u32)))
        .map(|d| d.format("%Y-%m").to_string())
        .collect()
}

/// The last `n` WIB days up to `now`'s, oldest first.
pub fn last_days(now: Timestamp, n: usize) -> Vec<String> {
    let today = now.in_wib().date_naive();
    (0..n as i64)
        .rev()
        .map(|back| {
            (today - Duration::days(back))
                .format("%Y-%m-%d")
                .to_string()
        })
        .collect()
}

/// A month `YYYY-MM` as given by a client, checked.
pub fn parse_month(text: &str) -> Option<String> {
    let date = NaiveDate::from_str(&format!("{}-01", text.trim())).ok()?;
    (date.format("%Y-%m").to_string() == text.trim()).then(|| text.trim().to_owned())
}

/// Today's WIB date (for file names and the dashboard).
pub fn today(now: Timestamp) -> String {
    wib_day(now)
}

/// The unit's name, or its id.
pub fn unit_name(reference: &ReferenceData, id: &str) -> String {
    id.parse::<UnitId>()
        .ok()
        .and_then(|u| reference.unit(&u).map(|u| u.name.clone()))
        .unwrap_or_else(|| id.to_owned())
}
