//! The leaderboard of one WIB month — the figures behind the regent's awards to the most
//! active PICs — ranked by a documented score, read from the month's counter partition.
//!
//! **PIC score** = `1 × responses + 3 × follow_ups + 20 × sla_compliance +
//! 20 × speed + 2 × hashtag_posts`, where `responses` counts acknowledgements, responses and
//! resolutions in the month, `follow_ups` resolutions (each carries photo or video
//! evidence), `sla_compliance` = resolutions on time ÷ resolutions (0 without any),
//! `speed` = `24 / (24 + median first-response hours)` (1 for an immediate answer,
//! 0.5 after a day; 0 without first responses), and `hashtag_posts` the posts of
//! the PIC with the `#LaporBupatiTegal` hashtag (all time: the social counters are not
//! kept per month).
//! PICs are not rated individually (the reporter rates the report, which counts for the
//! unit).
//!
//! **Unit score** = `30 × follow_up_rate + 25 × sla_compliance + 20 × speed +
//! 15 × rating + 0.5 × follow_ups + 1 × hashtag_posts`, where `follow_up_rate` =
//! reports of the month with a first response ÷ reports of the month, `speed` as above
//! from the unit's median first-response time, `rating` = `(average − 1) / 4` (0 without
//! ratings), `follow_ups` the resolutions of the unit's PICs in the month.
//!
//! Ties are broken by id; scores are rounded to two decimals. Units without reports or
//! activity in the month, and PICs without activity, are left out.

use crate::summary::{ratio, unit_name, Counters, Partition};
use lapor_models::ReferenceData;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How the scores are computed, as published.
pub const SCORING: &str = "PIC: 1×tanggapan + 3×tindak lanjut berbukti + 20×kepatuhan SLA + 20×kecepatan + 2×unggahan #LaporBupatiTegal. Unit: 30×tingkat tindak lanjut + 25×kepatuhan SLA + 20×kecepatan + 15×nilai + 0,5×tindak lanjut berbukti + 1×unggahan. Kecepatan = 24/(24 + median jam tanggapan pertama).";

/// One ranked PIC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PicEntry {
    pub rank: usize,
    /// The PIC's staff id.
    pub pic_id: String,
    pub unit_id: String,
    pub unit_name: String,
    pub responses: i64,
    pub follow_ups_with_evidence: i64,
    pub first_responses: i64,
    pub median_first_response_seconds: Option<f64>,
    pub sla_compliance: Option<f64>,
    pub hashtag_posts: i64,
    pub score: f64,
}

/// One ranked unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitEntry {
    pub rank: usize,
    pub unit_id: String,
    pub unit_name: String,
    pub reports: i64,
    pub follow_up_rate: Option<f64>,
    pub median_first_response_seconds: Option<f64>,
    pub sla_compliance: Option<f64>,
    pub rating_average: Option<f64>,
    pub follow_ups_with_evidence: i64,
    pub hashtag_posts: i64,
    pub score: f64,
}

/// The leaderboard of a month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Leaderboard {
    /// `YYYY-MM` (WIB).
    pub period: String,
    pub scoring: String,
    pub pics: Vec<PicEntry>,
    pub units: Vec<UnitEntry>,
}

fn speed(median_seconds: Option<f64>) -> f64 {
    median_seconds.map_or(0.0, |s| 24.0 / (24.0 + s / 3600.0))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Ranks the PICs and units of one month's partition.
pub fn rank(
    reference: &ReferenceData,
    period: &str,
    rows: &Partition,
    unit_posts: &BTreeMap<String, i64>,
    pic_posts: &BTreeMap<String, i64>,
) -> Leaderboard {
    let mut follow_ups_by_unit: BTreeMap<String, i64> = BTreeMap::new();
    let mut pics: Vec<PicEntry> = rows
        .iter()
        .filter_map(|(sk, c)| {
            let (unit, user) = sk.strip_prefix("pic#")?.split_once('#')?;
            let follow_ups = c.get("follow_ups");
            *follow_ups_by_unit.entry(unit.to_owned()).or_insert(0) += follow_ups;
            let median = c.histogram("frt").quantile(0.5);
            let sla = ratio(c.get("sla_met"), c.get("sla_met") + c.get("sla_missed"));
            let posts = pic_posts.get(user).copied().unwrap_or(0);
            let score = c.get("responses") as f64
                + 3.0 * follow_ups as f64
                + 20.0 * sla.unwrap_or(0.0)
                + 20.0 * speed(median)
                + 2.0 * posts as f64;
            Some(PicEntry {
                rank: 0,
                pic_id: user.to_owned(),
                unit_id: unit.to_owned(),
                unit_name: unit_name(reference, unit),
                responses: c.get("responses"),
                follow_ups_with_evidence: follow_ups,
                first_responses: c.get("first_responses"),
                median_first_response_seconds: median.map(|m| (m * 10.0).round() / 10.0),
                sla_compliance: sla,
                hashtag_posts: posts,
                score: round2(score),
            })
        })
        .filter(|p| p.responses > 0 || p.hashtag_posts > 0)
        .collect();
    pics.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.pic_id.cmp(&b.pic_id))
            .then_with(|| a.unit_id.cmp(&b.unit_id))
    });
    for (i, p) in pics.iter_mut().enumerate() {
        p.rank = i + 1;
    }
    let empty = Counters::default();
    let mut units: Vec<UnitEntry> = reference
        .units
        .iter()
        .map(|u| {
            let id = u.id.to_string();
            let c = rows.get(&format!("unit#{id}")).unwrap_or(&empty);
            let sla = rows.get(&format!("sla#{id}")).unwrap_or(&empty);
            let follow_up_rate = ratio(c.get("responded"), c.get("reports"));
            let median = c.histogram("frt").quantile(0.5);
            let sla_compliance = ratio(sla.get("met"), sla.get("met") + sla.get("missed"));
            let rating = ratio(c.get("rating_sum"), c.get("rating_count"));
            let follow_ups = follow_ups_by_unit.get(&id).copied().unwrap_or(0);
            let posts = unit_posts.get(&id).copied().unwrap_or(0);
            let score = 30.0 * follow_up_rate.unwrap_or(0.0)
                + 25.0 * sla_compliance.unwrap_or(0.0)
                + 20.0 * speed(median)
                + 15.0 * rating.map_or(0.0, |r| (r - 1.0) / 4.0)
                + 0.5 * follow_ups as f64
                + posts as f64;
            UnitEntry {
                rank: 0,
                unit_id: id,
                unit_name: u.name.clone(),
                reports: c.get("reports"),
                follow_up_rate,
                median_first_response_seconds: median.map(|m| (m * 10.0).round() / 10.0),
                sla_compliance,
                rating_average: rating,
                follow_ups_with_evidence: follow_ups,
                hashtag_posts: posts,
                score: round2(score),
            }
        })
        .filter(|u| u.reports > 0 || u.follow_ups_with_evidence > 0 || u.sla_compliance.is_some())
        .collect();
    units.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.unit_id.cmp(&b.unit_id))
    });
    for (i, u) in units.iter_mut().enumerate() {
        u.rank = i + 1;
    }
    Leaderboard {
        period: period.to_owned(),
        scoring: SCORING.to_owned(),
        pics,
        units,
    }
}
