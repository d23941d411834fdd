//! Publication to the public site (an object store: an S3 bucket in AWS, the folder
//! `.lapor/public/` locally): `summary.json`, the open-data CSV of the current WIB month
//! and of the month before (so that a month's file is completed after it ends), and
//! `index.html` last, so the page never links to a file not yet written. The summary and
//! page read only counters (a bounded number of calls); the CSVs read the months' range
//! of the public index.

use crate::metered::{MeteredStore, ReadCount};
use crate::opendata::{self, OpenDataError};
use crate::summary::{last_months, StatsReader, Summary};
use lapor_media::{ObjectError, ObjectStore};
use lapor_models::{ReferenceData, Timestamp};
use lapor_store::{ItemStore, StoreError};
use std::sync::Arc;
use std::time::Instant;

/// The object key of the summary.
pub const SUMMARY_KEY: &str = "summary.json";
/// The object key of the dashboard.
pub const INDEX_KEY: &str = "index.html";

/// The object key of a month's CSV.
pub fn csv_key(month: &str) -> String {
    format!("reports-{month}.csv")
}

/// Why a publication failed; nothing is half-published that the page links to.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("the counters could not be read")]
    Store(#[from] StoreError),
    #[error("the open data could not be made")]
    OpenData(#[from] OpenDataError),
    #[error("the public site could not be written")]
    Objects(#[from] ObjectError),
    #[error("the summary could not be encoded")]
    Encode(#[from] serde_json::Error),
}

impl PublishError {
    pub fn is_retryable(&self) -> bool {
        match self {
            PublishError::Store(e) => e.is_retryable(),
            PublishError::OpenData(OpenDataError::Store(e)) => e.is_retryable(),
            PublishError::Objects(e) => e.is_retryable(),
            _ => false,
        }
    }
}

/// What a publication did and what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    pub generated_at: Timestamp,
    /// Keys written.
    pub files: Vec<String>,
    /// Reads of counters (summary, page).
    pub counter_reads: ReadCount,
    /// Reads of the public index (the CSVs).
    pub open_data_reads: ReadCount,
    /// Rows of the CSVs.
    pub csv_rows: usize,
    pub summary_millis: u128,
    pub total_millis: u128,
}

/// The publisher.
#[derive(Clone)]
pub struct Publisher {
    store: Arc<dyn ItemStore>,
    objects: Arc<dyn ObjectStore>,
    reference: Arc<ReferenceData>,
}

impl Publisher {
    pub fn new(
        store: Arc<dyn ItemStore>,
        objects: Arc<dyn ObjectStore>,
        reference: Arc<ReferenceData>,
    ) -> Self {
        Self {
            store,
            objects,
            reference,
        }
    }

    pub fn objects(&self) -> &Arc<dyn ObjectStore> {
        &self.objects
    }

    pub fn store(&self) -> &Arc<dyn ItemStore> {
        &self.store
    }

    pub fn reference(&self) -> &ReferenceData {
        &self.reference
    }

    /// The summary at `now`, from counters only, with what reading it cost.
    pub async fn summary(&self, now: Timestamp) -> Result<(Summary, ReadCount), StoreError> {
        let metered = MeteredStore::new(self.store.clone());
        let summary = StatsReader::new(&metered)
            .summary(&self.reference, now)
            .await?;
        Ok((summary, metered.reads()))
    }

    /// Publishes everything at `now`.
    pub async fn publish(&self, now: Timestamp) -> Result<Published, PublishError> {
        let started = Instant::now();
        let (summary, counter_reads) = self.summary(now).await?;
        let summary_millis = started.elapsed().as_millis();
        let metered = MeteredStore::new(self.store.clone());
        let mut files = Vec::new();
        let mut csv_rows = 0;
        for month in last_months(now, 2) {
            let (csv, rows) = opendata::month_csv(&metered, &self.reference, &month).await?;
            csv_rows += rows;
            let key = csv_key(&month);
            self.objects
                .put(&key, "text/csv; charset=utf-8", csv.into_bytes())
                .await?;
            files.push(key);
        }
        let json = serde_json::to_vec_pretty(&summary)?;
        self.objects
            .put(SUMMARY_KEY, "application/json", json)
            .await?;
        files.push(SUMMARY_KEY.to_owned());
        let html = crate::dashboard::render(&summary);
        self.objects
            .put(INDEX_KEY, "text/html; charset=utf-8", html.into_bytes())
            .await?;
        files.push(INDEX_KEY.to_owned());
        let published = Published {
            generated_at: now,
            files,
            counter_reads,
            open_data_reads: metered.reads(),
            csv_rows,
            summary_millis,
            total_millis: started.elapsed().as_millis(),
        };
        tracing::info!(
            files = published.files.len(),
            counter_items_read = published.counter_reads.items,
            counter_calls = published.counter_reads.calls,
            open_data_items_read = published.open_data_reads.items,
            csv_rows = published.csv_rows,
            millis = published.total_millis,
            "transparency published"
        );
        Ok(published)
    }

    /// The latest published summary, as stored (`None` before the first publication).
    pub async fn latest_summary(&self) -> Result<Option<Vec<u8>>, ObjectError> {
        match self.objects.get(SUMMARY_KEY).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(ObjectError::NotFound(_)) => Ok(None),
            Err(error) => Err(error),
        }
    }
}
