//! The counters equal a brute-force recomputation. A history of 10,000 reports with
//! random transitions is generated as report images written to an in-memory
//! `SqliteStore` (directly, not through `ReportRepository::act`, which would need
//! verified uploads for every resolve and take minutes; the transitions follow the
//! workflow's rules — see `support`), its change log is fed through the consumer with
//! some records delivered twice, and every counter item is compared with counters
//! computed here from the final reports (state-based rows) and the generated events
//! (event-based rows), written independently of `lapor_stats::facts`.

mod support;

use lapor_models::{ReferenceData, Role, Timestamp};
use lapor_reports::Report;
use lapor_stats::histogram;
use lapor_stats::summary::StatsReader;
use lapor_stats::StatsConsumer;
use lapor_store::sqlite::SqliteStore;
use lapor_store::{ChangeRecord, ChangeStream, ItemStore, Query};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use support::{generate, Event, Rng};

type Table = BTreeMap<(String, String), BTreeMap<String, i64>>;

fn add(table: &mut Table, pk: &str, sk: &str, attribute: &str, amount: i64) {
    if amount != 0 {
        *table
            .entry((pk.to_owned(), sk.to_owned()))
            .or_default()
            .entry(attribute.to_owned())
            .or_insert(0) += amount;
    }
}

fn wib(at: Timestamp, format: &str) -> String {
    at.in_wib().format(format).to_string()
}

fn partitions_of(at: Timestamp) -> Vec<String> {
    vec![
        "STATS#ALL".to_owned(),
        format!("STATS#M#{}", wib(at, "%Y-%m")),
        format!("STATS#D#{}", wib(at, "%Y-%m-%d")),
    ]
}

fn seconds(from: Timestamp, to: Timestamp) -> i64 {
    (to.as_utc() - from.as_utc()).num_seconds().max(0)
}

/// What the counters must hold, computed from the end state and the event log.
fn brute_force(reports: &[Report], events: &[Event]) -> Table {
    let mut table = Table::new();
    for r in reports {
        for pk in partitions_of(r.created_at) {
            for sk in ["total".to_owned(), format!("unit#{}", r.unit_id)] {
                add(&mut table, &pk, &sk, "reports", 1);
                add(
                    &mut table,
                    &pk,
                    &sk,
                    "responded",
                    r.first_response_at.is_some() as i64,
                );
                let resolved =
                    r.resolved_at.is_some() || r.closed_at.is_some() || r.reopen_count > 0;
                add(&mut table, &pk, &sk, "resolved", resolved as i64);
                add(
                    &mut table,
                    &pk,
                    &sk,
                    "reopened",
                    (r.reopen_count > 0) as i64,
                );
                add(&mut table, &pk, &sk, "reopens", i64::from(r.reopen_count));
                add(
                    &mut table,
                    &pk,
                    &sk,
                    "escalations",
                    i64::from(r.escalation_count),
                );
                if let Some(rating) = &r.rating {
                    add(&mut table, &pk, &sk, "rating_count", 1);
                    add(&mut table, &pk, &sk, "rating_sum", i64::from(rating.score));
                }
                if let Some(at) = r.first_response_at {
                    let b = histogram::bucket(seconds(r.created_at, at));
                    add(&mut table, &pk, &sk, &format!("frt.{b}"), 1);
                }
                if let Some(at) = r.resolved_at {
                    let b = histogram::bucket(seconds(r.created_at, at));
                    add(&mut table, &pk, &sk, &format!("res.{b}"), 1);
                }
            }
            add(
                &mut table,
                &pk,
                &format!("status#{}", r.status.as_str()),
                "reports",
                1,
            );
            add(
                &mut table,
                &pk,
                &format!("subcategory#{}", r.subcategory_id),
                "reports",
                1,
            );
            add(
                &mut table,
                &pk,
                &format!("channel#{}", r.channel.as_str()),
                "reports",
                1,
            );
            for sk in [
                format!("category#{}", r.category_id),
                format!("kecamatan#{}", r.location.kecamatan_id),
            ] {
                add(&mut table, &pk, &sk, "reports", 1);
                add(
                    &mut table,
                    &pk,
                    &sk,
                    "responded",
                    r.first_response_at.is_some() as i64,
                );
            }
        }
    }
    for e in events {
        for pk in partitions_of(e.at) {
            if let Some(met) = e.sla_met {
                let sk = format!("sla#{}", e.unit);
                add(&mut table, &pk, &sk, if met { "met" } else { "missed" }, 1);
            }
            let (Role::Pic, Some(actor)) = (e.role, &e.actor) else {
                continue;
            };
            let sk = format!("pic#{}#{actor}", e.unit);
            if ["acknowledge", "respond", "resolve"].contains(&e.kind.as_str()) {
                add(&mut table, &pk, &sk, "responses", 1);
            }
            if e.kind == "resolve" {
                add(&mut table, &pk, &sk, "follow_ups", 1);
            }
            if let Some(met) = e.sla_met {
                add(
                    &mut table,
                    &pk,
                    &sk,
                    if met { "sla_met" } else { "sla_missed" },
                    1,
                );
            }
            if let Some(s) = e.first_response_seconds {
                add(&mut table, &pk, &sk, "first_responses", 1);
                add(
                    &mut table,
                    &pk,
                    &sk,
                    &format!("frt.{}", histogram::bucket(s)),
                    1,
                );
            }
        }
    }
    table.retain(|_, row| {
        row.retain(|_, v| *v != 0);
        !row.is_empty()
    });
    table
}

/// Every counter item of the partitions, as stored (zero attributes left out).
async fn stored(store: &SqliteStore, partitions: &BTreeSet<String>) -> Table {
    let mut table = Table::new();
    for pk in partitions {
        let mut cursor = None;
        loop {
            let page = store
                .query(Query::table(pk.clone()).limit(1000).after(cursor.take()))
                .await
                .unwrap();
            for item in &page.items {
                let sk = item["sk"].as_str().unwrap().to_owned();
                assert_eq!(item["type"], "stats", "{pk}/{sk}");
                for (name, value) in item {
                    if let (false, Some(n)) = (
                        ["pk", "sk", "type"].contains(&name.as_str()),
                        value.as_i64(),
                    ) {
                        if n != 0 {
                            add(&mut table, pk, &sk, name, n);
                        }
                    }
                }
            }
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
    }
    table
}

async fn change_log(store: &SqliteStore) -> Vec<ChangeRecord> {
    let mut records = Vec::new();
    let mut position = None;
    loop {
        let (page, next) = store.read_changes(position.as_ref(), 1000).await.unwrap();
        if page.is_empty() {
            return records;
        }
        records.extend(page);
        position = Some(next);
    }
}

/// Every WIB day and month from 2025-12 to 2027-01, and all time.
fn every_partition() -> BTreeSet<String> {
    let mut set = BTreeSet::from(["STATS#ALL".to_owned()]);
    let mut day = chrono::NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
    while day < chrono::NaiveDate::from_ymd_opt(2027, 2, 1).unwrap() {
        set.insert(format!("STATS#D#{}", day.format("%Y-%m-%d")));
        set.insert(format!("STATS#M#{}", day.format("%Y-%m")));
        day = day.succ_opt().unwrap();
    }
    set
}

#[tokio::test]
async fn counters_equal_a_brute_force_recount_of_10000_reports_with_redelivered_records() {
    let reference = ReferenceData::tegal().unwrap();
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let mut rng = Rng::new(20_261_204);
    let (reports, events) = generate(&store, &reference, &mut rng, 10_000, 6).await;
    let records = change_log(&store).await;
    assert!(records.len() > 30_000, "only {} changes", records.len());
    assert!(events
        .iter()
        .any(|e| e.kind == "resolve" && e.sla_met == Some(false)));
    assert!(events
        .iter()
        .any(|e| e.kind == "resolve" && e.sla_met == Some(true)));
    assert!(reports
        .iter()
        .any(|r| r.reopen_count > 0 && r.rating.is_some()));

    let consumer = StatsConsumer::new(store.clone());
    let mut redelivered = 0;
    let mut skipped = 0;
    for (i, record) in records.iter().enumerate() {
        let applied = consumer.apply(record).await.unwrap();
        assert_eq!(applied.parts_skipped, 0);
        // Redeliver some records at once, and some much later (as after a crash that
        // re-reads an old checkpoint).
        if rng.chance(7) {
            let again = consumer.apply(record).await.unwrap();
            assert_eq!(again.parts_written, 0);
            skipped += again.parts_skipped;
            redelivered += 1;
        }
        if i >= 500 && rng.chance(3) {
            let old = &records[i - 1 - rng.below(500) as usize];
            let again = consumer.apply(old).await.unwrap();
            assert_eq!(again.parts_written, 0);
            redelivered += 1;
        }
    }
    assert!(redelivered > 2_000 && skipped > 0);

    let expected = brute_force(&reports, &events);
    let actual = stored(&store, &every_partition()).await;
    let expected_keys: BTreeSet<_> = expected.keys().collect();
    let actual_keys: BTreeSet<_> = actual.keys().collect();
    assert_eq!(
        expected_keys
            .difference(&actual_keys)
            .take(5)
            .collect::<Vec<_>>(),
        Vec::<&&(String, String)>::new(),
        "rows missing"
    );
    assert_eq!(
        actual_keys
            .difference(&expected_keys)
            .take(5)
            .collect::<Vec<_>>(),
        Vec::<&&(String, String)>::new(),
        "rows that should not be there"
    );
    for (key, row) in &expected {
        assert_eq!(Some(row), actual.get(key), "row {key:?}");
    }
    assert!(expected.len() > 10_000, "{} rows", expected.len());

    // The summary read back from the counters agrees with the reports.
    let now = support::ts(1_767_200_400 + 340 * 86_400);
    let summary = StatsReader::new(store.as_ref())
        .summary(&reference, now)
        .await
        .unwrap();
    assert_eq!(summary.totals.reports, 10_000);
    let responded = reports
        .iter()
        .filter(|r| r.first_response_at.is_some())
        .count() as i64;
    assert_eq!(summary.totals.responded, responded);
    let rated: Vec<i64> = reports
        .iter()
        .filter_map(|r| r.rating.as_ref().map(|x| i64::from(x.score)))
        .collect();
    let average = rated.iter().sum::<i64>() as f64 / rated.len() as f64;
    assert!((summary.totals.rating_average.unwrap() - average).abs() < 1e-4);
    let mut frt: Vec<i64> = reports
        .iter()
        .filter_map(|r| r.first_response_at.map(|at| seconds(r.created_at, at)))
        .collect();
    frt.sort();
    for (q, read) in [
        (0.5, summary.totals.first_response.median_seconds),
        (0.9, summary.totals.first_response.p90_seconds),
    ] {
        let exact = frt[((q * frt.len() as f64).ceil() as usize).max(1) - 1] as f64;
        let read = read.unwrap();
        assert!(
            (read - exact).abs() <= exact * histogram::RELATIVE_ERROR + 30.0,
            "q {q}: read {read}, exact {exact}"
        );
    }
    let met = events.iter().filter(|e| e.sla_met == Some(true)).count() as i64;
    let missed = events.iter().filter(|e| e.sla_met == Some(false)).count() as i64;
    assert_eq!((summary.sla.met, summary.sla.missed), (met, missed));
    let by_status: i64 = summary.by_status.iter().map(|c| c.reports).sum();
    assert_eq!(by_status, 10_000);
    let by_kecamatan: i64 = summary.by_kecamatan.iter().map(|c| c.reports).sum();
    assert_eq!(by_kecamatan, 10_000);
    assert!(!summary.leaderboard.pics.is_empty());
    let json = serde_json::to_value(&summary).unwrap();
    assert_eq!(json["schema_version"], Value::from(1));
}

#[tokio::test]
async fn a_record_whose_first_part_was_applied_before_a_failure_applies_only_the_rest() {
    let reference = ReferenceData::tegal().unwrap();
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let mut rng = Rng::new(7);
    // One report forwarded to another unit: many rows change at once.
    let mut report = support::new_report(&mut rng, &reference, support::ts(1_780_000_000), 1);
    report.status = lapor_models::ReportStatus::Assigned;
    let item = lapor_reports::repository::report_item(&report).unwrap();
    store.put(item, None).await.unwrap();
    let mut moved = report.clone();
    moved.version += 1;
    moved.status = lapor_models::ReportStatus::Resolved;
    moved.first_response_at = Some(support::ts(1_780_000_600));
    moved.resolved_at = Some(support::ts(1_780_000_600));
    moved.unit_id = "dinsos".parse().unwrap();
    moved.last_event = Some(lapor_reports::LastEvent {
        kind: "resolve".into(),
        at: support::ts(1_780_000_600),
        role: Role::Pic,
        actor: lapor_models::UserId::new("pic-9"),
        version: moved.version,
    });
    store
        .put(
            lapor_reports::repository::report_item(&moved).unwrap(),
            None,
        )
        .await
        .unwrap();
    let records = change_log(&store).await;
    let consumer = StatsConsumer::new(store.clone());
    consumer.apply(&records[0]).await.unwrap();
    let record = &records[1];
    let old: Report =
        serde_json::from_value(Value::Object(record.old_image.clone().unwrap())).unwrap();
    let new: Report =
        serde_json::from_value(Value::Object(record.new_image.clone().unwrap())).unwrap();
    let deltas = lapor_stats::facts::deltas(Some(&old), Some(&new));
    let parts = lapor_stats::consumer::transactions(&record.id, &deltas, 0);
    assert!(parts.len() >= 2, "{} parts", parts.len());
    assert!(parts
        .iter()
        .all(|p| p.len() <= lapor_store::MAX_TRANSACTION_OPS));
    // The first part lands, then the consumer "crashes"; the redelivery finishes it.
    store.transact_write(parts[0].clone()).await.unwrap();
    let applied = consumer.apply(record).await.unwrap();
    assert_eq!(applied.parts_skipped, 1);
    assert_eq!(applied.parts_written, parts.len() - 1);
    let expected = brute_force(
        &[moved.clone()],
        &[support::Event {
            at: support::ts(1_780_000_600),
            kind: "resolve".into(),
            role: Role::Pic,
            actor: Some("pic-9".into()),
            unit: report.unit_id.to_string(),
            sla_met: Some(support::ts(1_780_000_600) <= report.due_at),
            first_response_seconds: Some(600),
        }],
    );
    let partitions: BTreeSet<String> = expected.keys().map(|(pk, _)| pk.clone()).collect();
    assert_eq!(stored(&store, &partitions).await, expected);
}
