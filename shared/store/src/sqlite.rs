//! The embedded engine: [`SqliteStore`] keeps the single table in one SQLite database, for
//! local runs and tests, with the semantics of DynamoDB as the port exposes them.
//!
//! * `items(pk, sk, data, gsi1pk, gsi1sk, …, gsi4pk, gsi4sk, ttl)`: `data` is the item as
//!   JSON; the key columns copy the item's key attributes so that every query is an index
//!   search. An index column pair is filled only when the item has both attributes
//!   (DynamoDB's sparse indexes); each index is a partial SQL index on
//!   `(gsiNpk, gsiNsk, pk, sk)`.
//! * `changes(seq, kind, pk, sk, old_image, new_image, at)`: the change log, written in the
//!   same SQLite transaction as the change itself, so it never disagrees with the data. A
//!   write that leaves the item as it was records nothing (as DynamoDB Streams).
//!
//! Text compares with SQLite's `BINARY` collation, i.e. UTF-8 byte order, as DynamoDB.
//! Within an index partition, items with equal index sort keys come in table-key order;
//! DynamoDB leaves that order unspecified, so callers must not rely on it.
//!
//! All database work runs on the blocking pool (`spawn_blocking`) under one connection
//! mutex; writes take SQLite's write lock up front (`BEGIN IMMEDIATE`), so several stores
//! (or processes) on one file serialise their writes, waiting up to the busy timeout.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, TransactionBehavior};
use serde_json::{Number, Value};

use crate::rules::{self, invalid, CursorKey};
use crate::{
    ChangeKind, ChangeRecord, ChangeStream, Condition, Index, Item, ItemStore, Key, Page, Query,
    SortCondition, StoreError, StreamPosition, Update, WriteOp, PK, SK, TTL, VERSION,
};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS items (
    pk TEXT NOT NULL,
    sk TEXT NOT NULL,
    data TEXT NOT NULL,
    gsi1pk TEXT, gsi1sk TEXT,
    gsi2pk TEXT, gsi2sk TEXT,
    gsi3pk TEXT, gsi3sk TEXT,
    gsi4pk TEXT, gsi4sk TEXT,
    ttl INTEGER,
    PRIMARY KEY (pk, sk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_gsi1 ON items (gsi1pk, gsi1sk, pk, sk) WHERE gsi1pk IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_gsi2 ON items (gsi2pk, gsi2sk, pk, sk) WHERE gsi2pk IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_gsi3 ON items (gsi3pk, gsi3sk, pk, sk) WHERE gsi3pk IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_gsi4 ON items (gsi4pk, gsi4sk, pk, sk) WHERE gsi4pk IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_ttl ON items (ttl) WHERE ttl IS NOT NULL;
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    pk TEXT NOT NULL,
    sk TEXT NOT NULL,
    old_image TEXT,
    new_image TEXT,
    at INTEGER NOT NULL
);
";

/// How long a write waits for another connection's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The single table in an embedded SQLite database. Cheap to clone; clones share the
/// connection.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

fn sql_error(error: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            StoreError::Unavailable(Box::new(error))
        }
        _ => StoreError::Internal(Box::new(error)),
    }
}

fn json_error(error: serde_json::Error) -> StoreError {
    StoreError::Internal(Box::new(error))
}

impl SqliteStore {
    /// Opens (creating when missing) the database file at `path`, in WAL mode.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(sql_error)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(sql_error)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "SQLite did not switch to WAL journaling");
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(sql_error)?;
        Self::init(conn)
    }

    /// A private database in memory, gone when the store (and its clones) are dropped.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory().map_err(sql_error)?)
    }

    fn init(conn: Connection) -> Result<Self, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sql_error)?;
        conn.execute_batch(SCHEMA).map_err(sql_error)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `work` on the blocking pool with the connection.
    async fn with<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().map_err(|_| {
                StoreError::Internal("the SQLite connection lock is poisoned".into())
            })?;
            work(&mut conn)
        })
        .await
        .map_err(|e| StoreError::Internal(Box::new(e)))?
    }

    /// Runs `work` in one write transaction, committed when it returns `Ok`.
    async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql_error)?;
            let out = work(&tx)?;
            tx.commit().map_err(sql_error)?;
            Ok(out)
        })
        .await
    }

    /// Deletes the items whose numeric `ttl` attribute (epoch seconds) is before `now`, as
    /// DynamoDB's time-to-live does in the background (recording `REMOVE` changes).
    /// Returns how many items were deleted.
    pub async fn purge_expired(&self, now: i64) -> Result<usize, StoreError> {
        self.write(move |tx| {
            let expired: Vec<(String, String)> = {
                let mut stmt = tx
                    .prepare("SELECT pk, sk FROM items WHERE ttl IS NOT NULL AND ttl < ?1")
                    .map_err(sql_error)?;
                let rows = stmt
                    .query_map([now], |row| Ok((row.get(0)?, row.get(1)?)))
                    .map_err(sql_error)?;
                rows.collect::<Result<_, _>>().map_err(sql_error)?
            };
            for (pk, sk) in &expired {
                let key = Key::new(pk.clone(), sk.clone());
                if let Some(old) = load(tx, &key)? {
                    remove(tx, &key, &old)?;
                }
            }
            Ok(expired.len())
        })
        .await
    }
}

fn load(conn: &Connection, key: &Key) -> Result<Option<Item>, StoreError> {
    let data: Option<String> = conn
        .prepare_cached("SELECT data FROM items WHERE pk = ?1 AND sk = ?2")
        .and_then(|mut stmt| {
            stmt.query_row(params![key.pk, key.sk], |row| row.get(0))
                .optional()
        })
        .map_err(sql_error)?;
    data.map(|d| serde_json::from_str(&d).map_err(json_error))
        .transpose()
}

/// The index column value of an item: both attributes present, else neither (sparse).
fn index_columns(item: &Item, index: Index) -> (Option<&str>, Option<&str>) {
    let pk = item
        .get(index.partition_attribute())
        .and_then(Value::as_str);
    let sk = item.get(index.sort_attribute()).and_then(Value::as_str);
    match (pk, sk) {
        (Some(pk), Some(sk)) => (Some(pk), Some(sk)),
        _ => (None, None),
    }
}

fn ttl_column(item: &Item) -> Option<i64> {
    let ttl = item.get(TTL)?;
    ttl.as_i64().or_else(|| ttl.as_f64().map(|f| f as i64))
}

/// Writes `item` over `old` and records the change, unless nothing changed.
fn store(conn: &Connection, key: &Key, item: &Item, old: Option<&Item>) -> Result<(), StoreError> {
    if old == Some(item) {
        return Ok(());
    }
    let data = serde_json::to_string(item).map_err(json_error)?;
    let [g1, g2, g3, g4] = Index::ALL.map(|index| index_columns(item, index));
    conn.prepare_cached(
        "INSERT OR REPLACE INTO items
         (pk, sk, data, gsi1pk, gsi1sk, gsi2pk, gsi2sk, gsi3pk, gsi3sk, gsi4pk, gsi4sk, ttl)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            key.pk,
            key.sk,
            data,
            g1.0,
            g1.1,
            g2.0,
            g2.1,
            g3.0,
            g3.1,
            g4.0,
            g4.1,
            ttl_column(item)
        ])
    })
    .map_err(sql_error)?;
    let kind = if old.is_some() {
        ChangeKind::Modify
    } else {
        ChangeKind::Insert
    };
    record(conn, kind, key, old, Some(item))
}

fn remove(conn: &Connection, key: &Key, old: &Item) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM items WHERE pk = ?1 AND sk = ?2")
        .and_then(|mut stmt| stmt.execute(params![key.pk, key.sk]))
        .map_err(sql_error)?;
    record(conn, ChangeKind::Remove, key, Some(old), None)
}

fn kind_name(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Insert => "INSERT",
        ChangeKind::Modify => "MODIFY",
        ChangeKind::Remove => "REMOVE",
    }
}

fn record(
    conn: &Connection,
    kind: ChangeKind,
    key: &Key,
    old: Option<&Item>,
    new: Option<&Item>,
) -> Result<(), StoreError> {
    let image = |item: Option<&Item>| item.map(serde_json::to_string).transpose();
    let old = image(old).map_err(json_error)?;
    let new = image(new).map_err(json_error)?;
    let at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    conn.prepare_cached(
        "INSERT INTO changes (kind, pk, sk, old_image, new_image, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .and_then(|mut stmt| stmt.execute(params![kind_name(kind), key.pk, key.sk, old, new, at]))
    .map_err(sql_error)?;
    Ok(())
}

/// DynamoDB's `=`: numbers compare by value, maps and lists element-wise.
fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => numbers_equal(x, y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| values_equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| values_equal(v, w)))
        }
        _ => a == b,
    }
}

fn numbers_equal(x: &Number, y: &Number) -> bool {
    match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
        (Some(a), Some(b), _, _) => a == b,
        (_, _, Some(a), Some(b)) => a == b,
        _ => x.as_f64() == y.as_f64(),
    }
}

fn number_less_than(value: &Value, bound: i64) -> bool {
    match value {
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i < bound,
            (None, Some(_), _) => false,
            (None, None, Some(f)) => f < bound as f64,
            _ => false,
        },
        _ => false,
    }
}

/// Evaluates a condition against the item as it is now (`None`: no such item).
fn holds(condition: &Condition, current: Option<&Item>) -> bool {
    let attribute = |name: &str| current.and_then(|item| item.get(name));
    match condition {
        Condition::Exists => current.is_some(),
        Condition::NotExists => current.is_none(),
        Condition::VersionIs(version) => {
            attribute(VERSION).is_some_and(|v| values_equal(v, &Value::from(*version)))
        }
        Condition::AttributeEquals(name, value) => {
            attribute(name).is_some_and(|v| values_equal(v, value))
        }
        Condition::AttributeNotExists(name) => attribute(name).is_none(),
        Condition::AttributeLessThan(name, bound) => {
            attribute(name).is_some_and(|v| number_less_than(v, *bound))
        }
        Condition::And(conditions) => conditions.iter().all(|c| holds(c, current)),
        Condition::Or(conditions) => conditions.iter().any(|c| holds(c, current)),
    }
}

fn holds_optional(condition: Option<&Condition>, current: Option<&Item>) -> bool {
    condition.is_none_or(|c| holds(c, current))
}

fn add_numbers(current: &Number, delta: i64) -> Result<Value, StoreError> {
    if let Some(i) = current.as_i64() {
        let sum = i128::from(i) + i128::from(delta);
        if let Ok(sum) = i64::try_from(sum) {
            return Ok(Value::from(sum));
        }
        if let Ok(sum) = u64::try_from(sum) {
            return Ok(Value::from(sum));
        }
        return Ok(rules::normalize(Value::from(sum as f64)));
    }
    if let Some(u) = current.as_u64() {
        let sum = i128::from(u) + i128::from(delta);
        if let Ok(sum) = i64::try_from(sum) {
            return Ok(Value::from(sum));
        }
        if let Ok(sum) = u64::try_from(sum) {
            return Ok(Value::from(sum));
        }
        return Ok(rules::normalize(Value::from(sum as f64)));
    }
    let f = current.as_f64().unwrap_or(0.0) + delta as f64;
    let value = Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| invalid("the sum is not a finite number"))?;
    rules::validate_value(&value)?;
    Ok(rules::normalize(value))
}

/// The item after `updates`, starting from `current` or, when missing, from its key.
fn apply_updates(
    current: Option<&Item>,
    key: &Key,
    updates: &[Update],
) -> Result<Item, StoreError> {
    let mut item = current.cloned().unwrap_or_else(|| {
        let mut item = Item::new();
        item.insert(PK.to_owned(), Value::from(key.pk.clone()));
        item.insert(SK.to_owned(), Value::from(key.sk.clone()));
        item
    });
    for update in updates {
        match update {
            Update::Set(name, value) => {
                item.insert(name.clone(), rules::normalize(value.clone()));
            }
            Update::SetIfAbsent(name, value) => {
                item.entry(name.clone())
                    .or_insert_with(|| rules::normalize(value.clone()));
            }
            Update::Remove(name) => {
                item.remove(name);
            }
            Update::Add(name, delta) => {
                let sum = match item.get(name) {
                    None => Value::from(*delta),
                    Some(Value::Number(n)) => add_numbers(n, *delta)?,
                    Some(_) => {
                        return Err(invalid(format!(
                            "the attribute {name} is not a number and cannot be added to"
                        )))
                    }
                };
                item.insert(name.clone(), sum);
            }
        }
    }
    Ok(item)
}

fn sort_clause(column: &str, sort: &SortCondition, sql: &mut String, args: &mut Vec<String>) {
    let mut arg = |sql: &mut String, op: &str, value: &str| {
        args.push(value.to_owned());
        sql.push_str(&format!(" AND {column} {op} ?{}", args.len()));
    };
    match sort {
        SortCondition::Equals(v) => arg(sql, "=", v),
        SortCondition::BeginsWith(prefix) => {
            arg(sql, ">=", prefix);
            if let Some(upper) = rules::prefix_upper_bound(prefix) {
                arg(sql, "<", &upper);
            }
        }
        SortCondition::Between(low, high) => {
            arg(sql, ">=", low);
            arg(sql, "<=", high);
        }
        SortCondition::LessThan(v) => arg(sql, "<", v),
        SortCondition::LessOrEqual(v) => arg(sql, "<=", v),
        SortCondition::GreaterThan(v) => arg(sql, ">", v),
        SortCondition::GreaterOrEqual(v) => arg(sql, ">=", v),
    }
}

/// The SQL and arguments of one query page (fetching one row more than the limit, to know
/// whether more follow).
pub(crate) fn query_sql(query: &Query, cursor: Option<&CursorKey>) -> (String, Vec<String>) {
    let (partition, sort) = rules::query_attributes(query.index);
    let mut args = vec![query.partition.clone()];
    let mut sql = format!("SELECT data FROM items WHERE {partition} = ?1");
    if let Some(condition) = &query.sort {
        sort_clause(sort, condition, &mut sql, &mut args);
    }
    let (op, dir) = if query.ascending {
        (">", "ASC")
    } else {
        ("<", "DESC")
    };
    if let Some(cursor) = cursor {
        match &cursor.index {
            None => {
                args.push(cursor.key.sk.clone());
                sql.push_str(&format!(" AND sk {op} ?{}", args.len()));
            }
            Some((_, _, index_sort)) => {
                args.extend([
                    index_sort.clone(),
                    cursor.key.pk.clone(),
                    cursor.key.sk.clone(),
                ]);
                let n = args.len();
                sql.push_str(&format!(
                    " AND ({sort}, pk, sk) {op} (?{}, ?{}, ?{n})",
                    n - 2,
                    n - 1
                ));
            }
        }
    }
    let limit = i64::try_from(query.limit.saturating_add(1)).unwrap_or(i64::MAX);
    if query.index.is_some() {
        sql.push_str(&format!(
            " ORDER BY {sort} {dir}, pk {dir}, sk {dir} LIMIT {limit}"
        ));
    } else {
        sql.push_str(&format!(" ORDER BY sk {dir} LIMIT {limit}"));
    }
    (sql, args)
}

#[async_trait]
impl ItemStore for SqliteStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        rules::validate_key(key)?;
        let key = key.clone();
        self.with(move |conn| load(conn, &key)).await
    }

    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        rules::validate_batch(keys)?;
        let keys = keys.to_vec();
        self.with(move |conn| {
            let tx = conn.transaction().map_err(sql_error)?;
            let mut items = Vec::with_capacity(keys.len());
            for key in &keys {
                if let Some(item) = load(&tx, key)? {
                    items.push(item);
                }
            }
            Ok(items)
        })
        .await
    }

    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError> {
        let key = rules::validate_item(&item)?;
        if let Some(condition) = &condition {
            rules::validate_condition(condition)?;
        }
        let item = rules::normalize_item(item);
        self.write(move |tx| {
            let current = load(tx, &key)?;
            if !holds_optional(condition.as_ref(), current.as_ref()) {
                return Err(StoreError::ConditionFailed);
            }
            store(tx, &key, &item, current.as_ref())
        })
        .await
    }

    async fn update(
        &self,
        key: &Key,
        updates: Vec<Update>,
        condition: Option<Condition>,
    ) -> Result<Item, StoreError> {
        rules::validate_write(&WriteOp::Update {
            key: key.clone(),
            updates: updates.clone(),
            condition: condition.clone(),
        })?;
        let key = key.clone();
        self.write(move |tx| {
            let current = load(tx, &key)?;
            if !holds_optional(condition.as_ref(), current.as_ref()) {
                return Err(StoreError::ConditionFailed);
            }
            let item = apply_updates(current.as_ref(), &key, &updates)?;
            store(tx, &key, &item, current.as_ref())?;
            Ok(item)
        })
        .await
    }

    async fn delete(
        &self,
        key: &Key,
        condition: Option<Condition>,
    ) -> Result<Option<Item>, StoreError> {
        rules::validate_key(key)?;
        if let Some(condition) = &condition {
            rules::validate_condition(condition)?;
        }
        let key = key.clone();
        self.write(move |tx| {
            let current = load(tx, &key)?;
            if !holds_optional(condition.as_ref(), current.as_ref()) {
                return Err(StoreError::ConditionFailed);
            }
            if let Some(old) = &current {
                remove(tx, &key, old)?;
            }
            Ok(current)
        })
        .await
    }

    async fn transact_write(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        rules::validate_transaction(&ops)?;
        self.write(move |tx| {
            // Every op is on a different item, so each one's condition is checked against
            // the state before the transaction, as DynamoDB does.
            let mut currents = Vec::with_capacity(ops.len());
            let mut failed = Vec::new();
            for (position, op) in ops.iter().enumerate() {
                let key = op
                    .key()
                    .ok_or_else(|| invalid("a transaction operation has no key"))?;
                let current = load(tx, &key)?;
                let condition = match op {
                    WriteOp::Put { condition, .. }
                    | WriteOp::Update { condition, .. }
                    | WriteOp::Delete { condition, .. } => condition.as_ref(),
                    WriteOp::Check { condition, .. } => Some(condition),
                };
                if !holds_optional(condition, current.as_ref()) {
                    failed.push(position);
                }
                currents.push((key, current));
            }
            if !failed.is_empty() {
                return Err(StoreError::TransactionCanceled { failed });
            }
            for (op, (key, current)) in ops.into_iter().zip(currents) {
                match op {
                    WriteOp::Put { item, .. } => {
                        store(tx, &key, &rules::normalize_item(item), current.as_ref())?;
                    }
                    WriteOp::Update { updates, .. } => {
                        let item = apply_updates(current.as_ref(), &key, &updates)?;
                        store(tx, &key, &item, current.as_ref())?;
                    }
                    WriteOp::Delete { .. } => {
                        if let Some(old) = &current {
                            remove(tx, &key, old)?;
                        }
                    }
                    WriteOp::Check { .. } => {}
                }
            }
            Ok(())
        })
        .await
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        let cursor = rules::validate_query(&query)?;
        self.with(move |conn| {
            let (sql, args) = query_sql(&query, cursor.as_ref());
            let mut stmt = conn.prepare_cached(&sql).map_err(sql_error)?;
            let rows = stmt
                .query_map(params_from_iter(args.iter()), |row| row.get::<_, String>(0))
                .map_err(sql_error)?;
            let mut items = Vec::new();
            for row in rows {
                let data = row.map_err(sql_error)?;
                items.push(serde_json::from_str::<Item>(&data).map_err(json_error)?);
            }
            let more = items.len() > query.limit;
            items.truncate(query.limit);
            let cursor = match items.last() {
                Some(last) if more => Some(
                    CursorKey::of(last, query.index)
                        .ok_or_else(|| invalid("a stored item lacks its key attributes"))?
                        .encode()?,
                ),
                _ => None,
            };
            Ok(Page { items, cursor })
        })
        .await
    }
}

fn parse_kind(kind: &str) -> Result<ChangeKind, StoreError> {
    match kind {
        "INSERT" => Ok(ChangeKind::Insert),
        "MODIFY" => Ok(ChangeKind::Modify),
        "REMOVE" => Ok(ChangeKind::Remove),
        other => Err(StoreError::Internal(
            format!("unknown change kind {other:?} in the change log").into(),
        )),
    }
}

#[async_trait]
impl ChangeStream for SqliteStore {
    async fn read_changes(
        &self,
        position: Option<&StreamPosition>,
        limit: usize,
    ) -> Result<(Vec<ChangeRecord>, StreamPosition), StoreError> {
        if limit == 0 {
            return Err(invalid("a change read's limit is 0"));
        }
        let after: i64 = match position {
            None => 0,
            Some(p) => {
                p.0.parse()
                    .map_err(|_| invalid("the stream position is malformed"))?
            }
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with(move |conn| {
            type Row = (i64, String, String, String, Option<String>, Option<String>);
            let rows: Vec<Row> = {
                let mut stmt = conn
                    .prepare_cached(
                        "SELECT seq, kind, pk, sk, old_image, new_image FROM changes
                         WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                    )
                    .map_err(sql_error)?;
                let rows = stmt
                    .query_map(params![after, limit], |row| {
                        Ok((
                            row.get(0)?,
                            row.get(1)?,
                            row.get(2)?,
                            row.get(3)?,
                            row.get(4)?,
                            row.get(5)?,
                        ))
                    })
                    .map_err(sql_error)?;
                rows.collect::<Result<_, _>>().map_err(sql_error)?
            };
            let image = |text: Option<String>| -> Result<Option<Item>, StoreError> {
                text.map(|t| serde_json::from_str(&t).map_err(json_error))
                    .transpose()
            };
            let mut last = after;
            let mut records = Vec::with_capacity(rows.len());
            for (seq, kind, pk, sk, old, new) in rows {
                last = seq;
                records.push(ChangeRecord {
                    id: seq.to_string(),
                    kind: parse_kind(&kind)?,
                    key: Key::new(pk, sk),
                    old_image: image(old)?,
                    new_image: image(new)?,
                });
            }
            Ok((records, StreamPosition(last.to_string())))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(conn: &Connection, query: &Query, cursor: Option<&CursorKey>) -> String {
        let (sql, args) = query_sql(query, cursor);
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt
            .query_map(params_from_iter(args.iter()), |row| row.get::<_, String>(3))
            .unwrap();
        rows.collect::<Result<Vec<_>, _>>().unwrap().join("; ")
    }

    #[test]
    fn every_query_is_an_index_search() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        let sorts = [
            None,
            Some(SortCondition::Equals("a".into())),
            Some(SortCondition::BeginsWith("a".into())),
            Some(SortCondition::Between("a".into(), "b".into())),
            Some(SortCondition::LessThan("a".into())),
            Some(SortCondition::GreaterOrEqual("a".into())),
        ];
        let mut indexes: Vec<Option<Index>> = Index::ALL.map(Some).to_vec();
        indexes.push(None);
        for index in indexes {
            for sort in &sorts {
                for ascending in [true, false] {
                    let mut query = Query::table("p");
                    query.index = index;
                    query.sort = sort.clone();
                    query.ascending = ascending;
                    let cursor = CursorKey {
                        key: Key::new("x", "y"),
                        index: index.map(|i| (i, "p".to_owned(), "s".to_owned())),
                    };
                    for cursor in [None, Some(&cursor)] {
                        let plan = plan(&conn, &query, cursor);
                        assert!(plan.contains("SEARCH"), "{query:?}: {plan}");
                        assert!(!plan.contains("SCAN"), "{query:?}: {plan}");
                        assert!(!plan.contains("TEMP B-TREE"), "{query:?}: {plan}");
                    }
                }
            }
        }
    }
}
