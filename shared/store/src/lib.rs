//! The storage port: an item store with DynamoDB semantics, written once and run on two
//! engines — DynamoDB in production ([`dynamo::DynamoStore`]) and embedded SQLite locally
//! ([`sqlite::SqliteStore`]). Repositories in other crates are written against
//! [`ItemStore`] only.
//!
//! The model is DynamoDB's single-table design: every item has a partition key `pk` and a
//! sort key `sk` (strings); up to [`Index::ALL`] global secondary indexes are kept on the
//! attributes `gsiNpk`/`gsiNsk` (sparse: an item without `gsiNpk` is not in index N).
//! Items are JSON objects; numbers map to DynamoDB `N`, strings to `S`, booleans to `BOOL`,
//! null to `NULL`, arrays to `L`, objects to `M`.
//!
//! Conditions and updates are typed ([`Condition`], [`Update`]): there is no parser of
//! DynamoDB's expression language anywhere.
//!
//! The change stream ([`ChangeStream`]) is DynamoDB Streams in production (read by
//! [`dynamo::DynamoChangeStream`], or received by Lambda and converted by
//! [`dynamo::change_from_lambda_record`]) and a change log table in SQLite.
//!
//! [`contract`] holds the behaviour checks both engines pass; `DESIGN.md` describes the
//! table, its indexes, stream and time-to-live.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[doc(hidden)]
pub mod contract;
pub mod dynamo;
pub mod metered;
#[doc(hidden)]
pub mod moto;
pub mod page_token;
mod rules;
pub mod sqlite;

/// One stored item: a JSON object holding at least the `pk` and `sk` string attributes.
pub type Item = serde_json::Map<String, Value>;

/// Attribute names of the table's primary key.
pub const PK: &str = "pk";
pub const SK: &str = "sk";
/// The attribute a [`Condition::VersionIs`] looks at.
pub const VERSION: &str = "version";
/// The attribute DynamoDB's time-to-live reads (epoch seconds).
pub const TTL: &str = "ttl";
/// Most operations one transactional write may hold (DynamoDB's limit is 100; the
/// product keeps to 25 so that every transaction also fits the older limit and stays cheap).
pub const MAX_TRANSACTION_OPS: usize = 25;
/// Most keys one batch read may hold.
pub const MAX_BATCH_GET: usize = 100;

/// The primary key of an item.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
        }
    }

    /// The key of an item, if it carries `pk` and `sk` as strings.
    pub fn of(item: &Item) -> Option<Key> {
        Some(Key {
            pk: item.get(PK)?.as_str()?.to_owned(),
            sk: item.get(SK)?.as_str()?.to_owned(),
        })
    }
}

/// The table's global secondary indexes. Each is keyed on the string attributes
/// `gsiNpk` (partition) and `gsiNsk` (sort) and projects all attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Index {
    Gsi1,
    Gsi2,
    Gsi3,
    Gsi4,
}

impl Index {
    pub const ALL: [Index; 4] = [Index::Gsi1, Index::Gsi2, Index::Gsi3, Index::Gsi4];

    /// The index name, as in the DynamoDB table definition.
    pub fn name(self) -> &'static str {
        match self {
            Index::Gsi1 => "gsi1",
            Index::Gsi2 => "gsi2",
            Index::Gsi3 => "gsi3",
            Index::Gsi4 => "gsi4",
        }
    }

    pub fn partition_attribute(self) -> &'static str {
        match self {
            Index::Gsi1 => "gsi1pk",
            Index::Gsi2 => "gsi2pk",
            Index::Gsi3 => "gsi3pk",
            Index::Gsi4 => "gsi4pk",
        }
    }

    pub fn sort_attribute(self) -> &'static str {
        match self {
            Index::Gsi1 => "gsi1sk",
            Index::Gsi2 => "gsi2sk",
            Index::Gsi3 => "gsi3sk",
            Index::Gsi4 => "gsi4sk",
        }
    }
}

/// A condition a write must meet, checked atomically with the write.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// The item exists.
    Exists,
    /// No item with this key exists.
    NotExists,
    /// The item exists and its `version` attribute equals this number.
    VersionIs(u64),
    /// The item exists and the attribute equals this value.
    AttributeEquals(String, Value),
    /// The item has no such attribute (true also when the item does not exist).
    AttributeNotExists(String),
    /// The item exists and the numeric attribute is below this bound.
    AttributeLessThan(String, i64),
    /// All of these hold.
    And(Vec<Condition>),
    /// At least one of these holds.
    Or(Vec<Condition>),
}

/// One change an update makes to an item. An update of a missing item creates it
/// (DynamoDB's upsert), unless a condition says otherwise.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    /// Set the attribute to the value.
    Set(String, Value),
    /// Set the attribute only when it is absent.
    SetIfAbsent(String, Value),
    /// Remove the attribute.
    Remove(String),
    /// Add to a number attribute, starting from 0 when absent.
    Add(String, i64),
}

/// How a query narrows the sort key within one partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortCondition {
    Equals(String),
    BeginsWith(String),
    /// Inclusive on both ends.
    Between(String, String),
    LessThan(String),
    LessOrEqual(String),
    GreaterThan(String),
    GreaterOrEqual(String),
}

impl SortCondition {
    /// Sort keys that start with an RFC 3339 time (`<time>#<id>`), from `since` to `until`
    /// inclusive; `None` when neither bound is given. `~` sorts after every character a
    /// key continues with, so a key at exactly `until` is kept.
    pub fn time_range(since: Option<String>, until: Option<String>) -> Option<Self> {
        match (since, until) {
            (Some(since), Some(until)) => Some(SortCondition::Between(since, format!("{until}~"))),
            (Some(since), None) => Some(SortCondition::GreaterOrEqual(since)),
            (None, Some(until)) => Some(SortCondition::LessOrEqual(format!("{until}~"))),
            (None, None) => None,
        }
    }
}

/// An opaque position in a query's results, handed back to continue the query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor(pub String);

/// A key-condition query over the table or one index.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub index: Option<Index>,
    pub partition: String,
    pub sort: Option<SortCondition>,
    /// Sort-key order: ascending when true.
    pub ascending: bool,
    /// Most items in one page (at least 1).
    pub limit: usize,
    pub cursor: Option<Cursor>,
}

impl Query {
    /// A query of the table's partition `pk`, ascending, 100 items a page.
    pub fn table(partition: impl Into<String>) -> Self {
        Self {
            index: None,
            partition: partition.into(),
            sort: None,
            ascending: true,
            limit: 100,
            cursor: None,
        }
    }

    /// A query of one partition of an index, ascending, 100 items a page.
    pub fn index(index: Index, partition: impl Into<String>) -> Self {
        Self {
            index: Some(index),
            ..Self::table(partition)
        }
    }

    pub fn sort(mut self, condition: SortCondition) -> Self {
        self.sort = Some(condition);
        self
    }

    pub fn descending(mut self) -> Self {
        self.ascending = false;
        self
    }

    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    pub fn after(mut self, cursor: Option<Cursor>) -> Self {
        self.cursor = cursor;
        self
    }
}

/// One page of query results; `cursor` is set when more items may follow.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    pub items: Vec<Item>,
    pub cursor: Option<Cursor>,
}

/// One operation of a transactional write.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOp {
    Put {
        item: Item,
        condition: Option<Condition>,
    },
    Update {
        key: Key,
        updates: Vec<Update>,
        condition: Option<Condition>,
    },
    Delete {
        key: Key,
        condition: Option<Condition>,
    },
    /// Only checks the condition; writes nothing.
    Check { key: Key, condition: Condition },
}

impl WriteOp {
    pub fn key(&self) -> Option<Key> {
        match self {
            WriteOp::Put { item, .. } => Key::of(item),
            WriteOp::Update { key, .. }
            | WriteOp::Delete { key, .. }
            | WriteOp::Check { key, .. } => Some(key.clone()),
        }
    }
}

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The write's condition did not hold; nothing was written.
    #[error("the write's condition did not hold")]
    ConditionFailed,
    /// A transactional write was refused whole; `failed` lists the positions of the
    /// operations whose condition did not hold.
    #[error("the transaction was cancelled (conditions failed at {failed:?})")]
    TransactionCanceled { failed: Vec<usize> },
    /// The call itself is not valid (missing key attribute, too many operations,
    /// two operations on one item, an empty update, a bad cursor...). Not retryable.
    #[error("invalid store request: {0}")]
    Invalid(String),
    /// The store could not be reached or throttled the call; retrying later may succeed.
    #[error("the store is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Any other failure of the engine.
    #[error("the store failed")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// Whether the same call may succeed if sent again later.
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

/// The item store port.
#[async_trait]
pub trait ItemStore: Send + Sync {
    /// Strongly consistent read of one item.
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError>;

    /// Reads up to [`MAX_BATCH_GET`] items (strongly consistent); missing keys are left
    /// out. Order follows `keys`; a key given twice is [`StoreError::Invalid`].
    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError>;

    /// Writes the whole item (replacing any item with its key) if the condition holds.
    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError>;

    /// Applies the updates if the condition holds and returns the item as it is after them.
    async fn update(
        &self,
        key: &Key,
        updates: Vec<Update>,
        condition: Option<Condition>,
    ) -> Result<Item, StoreError>;

    /// Deletes the item if the condition holds; returns it as it was, if it existed.
    async fn delete(
        &self,
        key: &Key,
        condition: Option<Condition>,
    ) -> Result<Option<Item>, StoreError>;

    /// Applies all operations or none (at most [`MAX_TRANSACTION_OPS`], each on a different item).
    async fn transact_write(&self, ops: Vec<WriteOp>) -> Result<(), StoreError>;

    /// A key-condition query over the table or one index.
    async fn query(&self, query: Query) -> Result<Page, StoreError>;
}

/// What kind of change a [`ChangeRecord`] records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChangeKind {
    Insert,
    Modify,
    Remove,
}

/// One change of one item, with its images before and after, as DynamoDB Streams
/// delivers it (`NEW_AND_OLD_IMAGES`) and as the SQLite change log records it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRecord {
    /// Unique, and increasing within one item's history.
    pub id: String,
    pub kind: ChangeKind,
    pub key: Key,
    pub old_image: Option<Item>,
    pub new_image: Option<Item>,
}

/// A reader of the table's change stream from a stored position.
#[async_trait]
pub trait ChangeStream: Send + Sync {
    /// Changes after `position` (from the oldest when `None`), at most `limit`, in the
    /// order they were made for each item, with the position to continue from.
    async fn read_changes(
        &self,
        position: Option<&StreamPosition>,
        limit: usize,
    ) -> Result<(Vec<ChangeRecord>, StreamPosition), StoreError>;
}

/// An opaque position in a change stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamPosition(pub String);
