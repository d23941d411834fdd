//! Benchmark (ignored by default): publishes at 10,000, 50,000 and 100,000 reports and
//! prints what each publication read and how long it took. The summary and the dashboard
//! read counters only: their rows are bounded by the reference data and the PICs (units,
//! categories, subcategories, kecamatan, statuses, channels, PICs) in each partition
//! read, so the cost grows while a small history has not yet touched every such row and
//! stops growing once it has (here from 50,000 on: doubling the reports changes nothing).
//! The open-data CSVs read the public index over the current and previous month only.
//!
//! Run it (release mode; a few minutes):
//!
//! ```sh
//! cargo test -p lapor-stats --release --test benchmark -- --ignored --nocapture
//! ```

mod support;

use lapor_api::local_token::LocalKey;
use lapor_media::localfs::LocalObjects;
use lapor_models::ReferenceData;
use lapor_stats::{Published, Publisher, StatsConsumer};
use lapor_store::sqlite::SqliteStore;
use lapor_store::ChangeStream;
use std::sync::Arc;
use std::time::Instant;
use support::{generate_final, ts, Rng};

async fn publish_at(count: usize) -> Published {
    let reference = Arc::new(ReferenceData::tegal().unwrap());
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let mut rng = Rng::new(count as u64);
    let started = Instant::now();
    let written = generate_final(&store, &reference, &mut rng, count, 8).await;
    let consumer = StatsConsumer::new(store.clone());
    let mut position = None;
    let mut records = 0;
    loop {
        let (page, next) = store.read_changes(position.as_ref(), 1000).await.unwrap();
        if page.is_empty() {
            break;
        }
        for record in &page {
            // Only the reports' own records: the counters' records come after them.
            if record.key.sk == "REPORT" {
                consumer.apply(record).await.unwrap();
                records += 1;
            }
        }
        position = Some(next);
        if records >= written {
            break;
        }
    }
    let prepared = started.elapsed();
    let dir = std::env::temp_dir().join(format!("lapor-bench-{}", uuid::Uuid::new_v4()));
    let key = LocalKey::load_or_create(&dir.join("key")).unwrap();
    let publisher = Publisher::new(
        store.clone(),
        Arc::new(LocalObjects::new(dir.join("public"), key)),
        reference,
    );
    // 2026-11-27 12:00 WIB: the CSVs are October's and November's.
    let published = publisher.publish(ts(1_795_755_600)).await.unwrap();
    println!(
        "{count:>7} reports (prepared in {:.1?}): summary+page read {} counter items in {} calls ({} KB) in {} ms; \
         CSVs read {} index items in {} calls for {} rows; publication {} ms in all",
        prepared,
        published.counter_reads.items,
        published.counter_reads.calls,
        published.counter_reads.bytes / 1024,
        published.summary_millis,
        published.open_data_reads.items,
        published.open_data_reads.calls,
        published.csv_rows,
        published.total_millis,
    );
    let _ = std::fs::remove_dir_all(dir);
    published
}

#[tokio::test]
#[ignore = "benchmark: run with --release --ignored --nocapture"]
async fn publishing_reads_the_same_counters_at_50000_and_at_100000_reports() {
    let small = publish_at(10_000).await;
    let medium = publish_at(50_000).await;
    let large = publish_at(100_000).await;
    assert!(small.counter_reads.items <= medium.counter_reads.items);
    assert_eq!(large.counter_reads.calls, medium.counter_reads.calls);
    // Allow for a few rows (a PIC, a subcategory) the smaller history did not touch.
    assert!(
        large.counter_reads.items <= medium.counter_reads.items + 25,
        "{} counter items at 100,000 against {} at 50,000",
        large.counter_reads.items,
        medium.counter_reads.items
    );
}
