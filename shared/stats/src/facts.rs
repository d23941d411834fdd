//! What one change of a report adds to the counters: the difference between what the
//! report counts for after the change and before it (state-based rows), plus what the
//! change's own event counts for (event-based rows). Counter items (single-table keys):
//!
//! | pk | sk | counts |
//! | --- | --- | --- |
//! | `STATS#ALL`, `STATS#M#<YYYY-MM>`, `STATS#D#<YYYY-MM-DD>` (WIB) | `total` | every report measure (below) |
//! | same | `status#<status>`, `category#<id>`, `subcategory#<id>`, `kecamatan#<id>`, `channel#<channel>` | `reports` (+ `responded` for category and kecamatan) |
//! | same | `unit#<id>` | every report measure, with the `frt.<b>`/`res.<b>` histograms |
//! | same | `sla#<unit>` | `met`, `missed`: resolutions on or before / after the due time then running |
//! | same | `pic#<unit>#<user>` (the unit the PIC acted for) | `responses`, `follow_ups`, `first_responses`, `frt.<b>`, `sla_met`, `sla_missed` |
//!
//! State-based rows (`total`, `status`, `category`, `subcategory`, `kecamatan`,
//! `channel`, `unit`) count each report in the partitions of the WIB day and month it
//! was **created**, as it is now (its current status and unit). Event-based rows (`sla`,
//! `pic`) count events in the partitions of the WIB day and month they **happened**.
//!
//! Report measures: `reports`; `responded` (has a first response — "ditindaklanjuti");
//! `resolved` (resolved at least once: `resolved_at`, `closed_at` or a reopen);
//! `reopened` (reopened at least once); `reopens` (times); `rating_count`, `rating_sum`;
//! `escalations` (times flagged overdue); `frt.<b>` (first response − creation) and
//! `res.<b>` (resolution − creation) histograms (see [`crate::histogram`]).
//!
//! PIC measures come from `last_event` when a change carries a new event (its version
//! differs from the old image's) by a PIC: `responses` (acknowledge, respond, resolve),
//! `follow_ups` (resolve — the workflow refuses a resolve without at least one photo or
//! video, so every one is a follow-up with evidence), `first_responses` and `frt.<b>`
//! (when the change sets the first response), `sla_met`/`sla_missed` (on resolve).

use crate::histogram;
use lapor_models::{ReportStatus, Role, Timestamp};
use lapor_reports::Report;
use std::collections::BTreeMap;

/// The counter partitions of all time.
pub const ALL: &str = "STATS#ALL";

/// The month partition (`YYYY-MM`, WIB).
pub fn month_partition(month: &str) -> String {
    format!("STATS#M#{month}")
}

/// The day partition (`YYYY-MM-DD`, WIB).
pub fn day_partition(day: &str) -> String {
    format!("STATS#D#{day}")
}

/// The WIB month of an instant (`YYYY-MM`).
pub fn wib_month(at: Timestamp) -> String {
    at.in_wib().format("%Y-%m").to_string()
}

/// The WIB day of an instant (`YYYY-MM-DD`).
pub fn wib_day(at: Timestamp) -> String {
    at.in_wib().format("%Y-%m-%d").to_string()
}

/// The three partitions an instant counts in.
pub fn partitions(at: Timestamp) -> [String; 3] {
    [
        ALL.to_owned(),
        month_partition(&wib_month(at)),
        day_partition(&wib_day(at)),
    ]
}

/// Counter changes: `(pk, sk)` → attribute → amount to add. Zero amounts are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deltas {
    pub rows: BTreeMap<(String, String), BTreeMap<String, i64>>,
}

impl Deltas {
    pub fn add(&mut self, pk: &str, sk: &str, attribute: &str, amount: i64) {
        if amount == 0 {
            return;
        }
        let row = self.rows.entry((pk.to_owned(), sk.to_owned())).or_default();
        let value = row.entry(attribute.to_owned()).or_insert(0);
        *value += amount;
        if *value == 0 {
            row.remove(attribute);
            if row.is_empty() {
                self.rows.remove(&(pk.to_owned(), sk.to_owned()));
            }
        }
    }

    fn add_everywhere(&mut self, at: Timestamp, sk: &str, attribute: &str, amount: i64) {
        for pk in partitions(at) {
            self.add(&pk, sk, attribute, amount);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

fn seconds_between(from: Timestamp, to: Timestamp) -> i64 {
    (to.as_utc() - from.as_utc()).num_seconds().max(0)
}

/// The report measures of one report, as `(attribute, amount)`.
pub fn report_measures(report: &Report) -> Vec<(String, i64)> {
    let mut measures = vec![("reports".to_owned(), 1)];
    let mut flag = |name: &str, on: bool| {
        if on {
            measures.push((name.to_owned(), 1));
        }
    };
    flag("responded", report.first_response_at.is_some());
    flag(
        "resolved",
        report.resolved_at.is_some() || report.closed_at.is_some() || report.reopen_count > 0,
    );
    flag("reopened", report.reopen_count > 0);
    if report.reopen_count > 0 {
        measures.push(("reopens".to_owned(), i64::from(report.reopen_count)));
    }
    if let Some(rating) = &report.rating {
        measures.push(("rating_count".to_owned(), 1));
        measures.push(("rating_sum".to_owned(), i64::from(rating.score)));
    }
    if report.escalation_count > 0 {
        measures.push(("escalations".to_owned(), i64::from(report.escalation_count)));
    }
    if let Some(at) = report.first_response_at {
        let b = histogram::bucket(seconds_between(report.created_at, at));
        measures.push((histogram::attribute("frt", b), 1));
    }
    if let Some(at) = report.resolved_at {
        let b = histogram::bucket(seconds_between(report.created_at, at));
        measures.push((histogram::attribute("res", b), 1));
    }
    measures
}

/// Adds (sign 1) or removes (sign −1) what a report counts for in the state-based rows.
fn state(deltas: &mut Deltas, report: &Report, sign: i64) {
    let at = report.created_at;
    let measures = report_measures(report);
    for (attribute, amount) in &measures {
        deltas.add_everywhere(at, "total", attribute, sign * amount);
        deltas.add_everywhere(
            at,
            &format!("unit#{}", report.unit_id),
            attribute,
            sign * amount,
        );
    }
    let responded = i64::from(report.first_response_at.is_some());
    deltas.add_everywhere(
        at,
        &format!("status#{}", report.status.as_str()),
        "reports",
        sign,
    );
    for sk in [
        format!("category#{}", report.category_id),
        format!("kecamatan#{}", report.location.kecamatan_id),
    ] {
        deltas.add_everywhere(at, &sk, "reports", sign);
        deltas.add_everywhere(at, &sk, "responded", sign * responded);
    }
    deltas.add_everywhere(
        at,
        &format!("subcategory#{}", report.subcategory_id),
        "reports",
        sign,
    );
    deltas.add_everywhere(
        at,
        &format!("channel#{}", report.channel.as_str()),
        "reports",
        sign,
    );
}

/// Whether the new image carries an event the old one did not.
fn new_event(old: Option<&Report>, new: &Report) -> bool {
    let version = |r: &Report| r.last_event.as_ref().map(|e| e.version);
    match new.last_event.as_ref() {
        None => false,
        Some(_) => old.is_none_or(|old| version(old) != version(new)),
    }
}

/// What the event of a change counts for.
fn event(deltas: &mut Deltas, old: Option<&Report>, new: &Report) {
    let Some(last) = new.last_event.as_ref() else {
        return;
    };
    let at = last.at;
    let resolved = last.kind == "resolve" && new.status == ReportStatus::Resolved;
    // The due time running before the resolution (the follow-up deadline).
    let sla_met = match (resolved, old, new.resolved_at) {
        (true, Some(old), Some(resolved_at)) => Some(resolved_at <= old.due_at),
        _ => None,
    };
    // The unit that acted: the one the report was with (a forward moves it away).
    let unit = old.map_or(&new.unit_id, |o| &o.unit_id);
    if let Some(met) = sla_met {
        let sk = format!("sla#{unit}");
        deltas.add_everywhere(at, &sk, if met { "met" } else { "missed" }, 1);
    }
    if last.role != Role::Pic {
        return;
    }
    let Some(actor) = &last.actor else { return };
    let sk = format!("pic#{unit}#{actor}");
    if matches!(last.kind.as_str(), "acknowledge" | "respond" | "resolve") {
        deltas.add_everywhere(at, &sk, "responses", 1);
    }
    if resolved {
        deltas.add_everywhere(at, &sk, "follow_ups", 1);
    }
    if let Some(met) = sla_met {
        deltas.add_everywhere(at, &sk, if met { "sla_met" } else { "sla_missed" }, 1);
    }
    let first = old.is_none_or(|o| o.first_response_at.is_none());
    if let (true, Some(first_at)) = (first, new.first_response_at) {
        deltas.add_everywhere(at, &sk, "first_responses", 1);
        let b = histogram::bucket(seconds_between(new.created_at, first_at));
        deltas.add_everywhere(at, &sk, &histogram::attribute("frt", b), 1);
    }
}

/// What a change of a report (old and new image, either may be absent) adds to the counters.
pub fn deltas(old: Option<&Report>, new: Option<&Report>) -> Deltas {
    let mut deltas = Deltas::default();
    if let Some(old) = old {
        state(&mut deltas, old, -1);
    }
    if let Some(new) = new {
        state(&mut deltas, new, 1);
        if new_event(old, new) {
            event(&mut deltas, old, new);
        }
    }
    deltas
}
