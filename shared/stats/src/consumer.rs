//! The statistics consumer of the change stream: each change of a report item becomes
//! counter additions ([`crate::facts::deltas`]) applied **exactly once**, however often
//! the record is delivered. The additions are split into parts of at most
//! [`OPS_PER_PART`] counter updates; each part is one transaction together with a claim
//! item `STATSDONE#<record id>#<part>` written only if it does not exist. A redelivered
//! record finds its claims and changes nothing; a record whose first parts were applied
//! before a failure applies only the rest. Claims expire (`ttl`) after
//! [`CLAIM_TTL_SECONDS`], long after the stream's 24-hour retention.
//!
//! Other items (timeline entries, list entries, the counters and claims themselves) are
//! ignored.

use crate::facts::{deltas, Deltas};
use async_trait::async_trait;
use lapor_consumers::{ChangeHandler, HandlerError};
use lapor_reports::Report;
use lapor_store::{ChangeRecord, Condition, Item, ItemStore, Key, StoreError, Update, WriteOp};
use serde_json::Value;
use std::sync::Arc;

/// Counter updates per transaction (the claim makes the 25th operation).
pub const OPS_PER_PART: usize = lapor_store::MAX_TRANSACTION_OPS - 1;
/// How long a claim is kept: 7 days.
pub const CLAIM_TTL_SECONDS: i64 = 7 * 24 * 3600;

/// Why a record could not be counted.
#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    #[error("the image of {0} is not a report")]
    Corrupt(String, #[source] serde_json::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What applying a record did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Parts written now.
    pub parts_written: usize,
    /// Parts found already claimed (a redelivery).
    pub parts_skipped: usize,
}

/// The statistics consumer.
#[derive(Clone)]
pub struct StatsConsumer {
    store: Arc<dyn ItemStore>,
}

/// Whether an image is a report item.
fn is_report(item: &Item) -> bool {
    item.get("type").and_then(Value::as_str) == Some("report")
        && item.get("sk").and_then(Value::as_str) == Some("REPORT")
}

fn parse(item: &Item) -> Result<Report, StatsError> {
    let key = item
        .get("pk")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_owned();
    serde_json::from_value(Value::Object(item.clone())).map_err(|e| StatsError::Corrupt(key, e))
}

/// The claim key of one part of one record.
pub fn claim_key(record_id: &str, part: usize) -> Key {
    Key::new(format!("STATSDONE#{record_id}#{part}"), "CLAIM")
}

/// The transactions of a record's additions: one per part, claim first.
pub fn transactions(record_id: &str, deltas: &Deltas, now_epoch: i64) -> Vec<Vec<WriteOp>> {
    let updates: Vec<WriteOp> = deltas
        .rows
        .iter()
        .map(|((pk, sk), attributes)| {
            let mut updates: Vec<Update> = attributes
                .iter()
                .map(|(name, amount)| Update::Add(name.clone(), *amount))
                .collect();
            updates.push(Update::SetIfAbsent("type".into(), Value::from("stats")));
            WriteOp::Update {
                key: Key::new(pk.clone(), sk.clone()),
                updates,
                condition: None,
            }
        })
        .collect();
    updates
        .chunks(OPS_PER_PART)
        .enumerate()
        .map(|(part, chunk)| {
            let key = claim_key(record_id, part);
            let mut claim = Item::new();
            claim.insert("pk".into(), Value::from(key.pk));
            claim.insert("sk".into(), Value::from(key.sk));
            claim.insert("type".into(), Value::from("stats_claim"));
            claim.insert("ttl".into(), Value::from(now_epoch + CLAIM_TTL_SECONDS));
            let mut ops = vec![WriteOp::Put {
                item: claim,
                condition: Some(Condition::NotExists),
            }];
            ops.extend(chunk.iter().cloned());
            ops
        })
        .collect()
}

impl StatsConsumer {
    pub fn new(store: Arc<dyn ItemStore>) -> Self {
        Self { store }
    }

    /// Counts one change record exactly once.
    pub async fn apply(&self, record: &ChangeRecord) -> Result<Applied, StatsError> {
        let old = match &record.old_image {
            Some(item) if is_report(item) => Some(parse(item)?),
            _ => None,
        };
        let new = match &record.new_image {
            Some(item) if is_report(item) => Some(parse(item)?),
            _ => None,
        };
        if old.is_none() && new.is_none() {
            return Ok(Applied::default());
        }
        let deltas = deltas(old.as_ref(), new.as_ref());
        let now = chrono::Utc::now().timestamp();
        let mut applied = Applied::default();
        for ops in transactions(&record.id, &deltas, now) {
            match self.store.transact_write(ops).await {
                Ok(()) => applied.parts_written += 1,
                Err(StoreError::TransactionCanceled { failed }) if failed == [0] => {
                    applied.parts_skipped += 1
                }
                Err(error) => return Err(error.into()),
            }
        }
        Ok(applied)
    }
}

#[async_trait]
impl ChangeHandler for StatsConsumer {
    async fn handle(&self, record: &ChangeRecord) -> Result<(), HandlerError> {
        match self.apply(record).await {
            Ok(_) => Ok(()),
            Err(StatsError::Store(error)) if error.is_retryable() => Err(HandlerError::retryable(
                format!("statistics of record {} not written", record.id),
            )
            .with_source(error)),
            Err(error) => Err(HandlerError::permanent(format!(
                "statistics of record {} cannot be counted",
                record.id
            ))
            .with_source(error)),
        }
    }
}
