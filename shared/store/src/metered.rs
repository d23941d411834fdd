//! Request units: an [`ItemStore`] wrapper that charges every call the read and write
//! units DynamoDB would charge for it, computed from the real items by DynamoDB's
//! published rules, so that each operation's cost can be measured on any engine and held
//! to the budget written in `DESIGN.md`.
//!
//! Rules applied: an item's size is the sum of its attribute names and values (strings
//! in UTF-8 bytes, numbers about one byte per two significant digits plus one, booleans
//! and nulls one byte, lists and maps three bytes plus one per element plus their
//! contents). A strongly consistent read costs one unit per 4 KB (at least one, also for
//! a missing item); an index query is eventually consistent, half that; a query is
//! charged on the summed size of what it returns. A write costs one unit per 1 KB of the
//! larger of the item before and after; inside a transaction twice that. Every global
//! secondary index the item enters, stays in or leaves costs its own write (two when
//! its keys change).

use crate::{Condition, Index, Item, ItemStore, Key, Page, Query, StoreError, Update, WriteOp};
use async_trait::async_trait;
use serde_json::Value;
use std::sync::Mutex;

/// Read and write units, as DynamoDB bills them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Units {
    pub read: f64,
    pub write: f64,
}

/// The size in bytes DynamoDB counts for a value.
pub fn value_size(value: &Value) -> usize {
    match value {
        Value::Null | Value::Bool(_) => 1,
        Value::String(s) => s.len(),
        Value::Number(n) => {
            let digits = n
                .to_string()
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>();
            let significant = digits
                .trim_start_matches('0')
                .trim_end_matches('0')
                .len()
                .max(1);
            significant.div_ceil(2) + 1
        }
        Value::Array(items) => 3 + items.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        Value::Object(map) => {
            3 + map
                .iter()
                .map(|(k, v)| 1 + k.len() + value_size(v))
                .sum::<usize>()
        }
    }
}

/// The size in bytes DynamoDB counts for an item.
pub fn item_size(item: &Item) -> usize {
    item.iter().map(|(k, v)| k.len() + value_size(v)).sum()
}

fn write_units(bytes: usize) -> f64 {
    bytes.div_ceil(1024).max(1) as f64
}

fn read_units(bytes: usize) -> f64 {
    bytes.div_ceil(4096).max(1) as f64
}

fn index_keys(item: Option<&Item>, index: Index) -> Option<(Value, Value)> {
    let item = item?;
    Some((
        item.get(index.partition_attribute())?.clone(),
        item.get(index.sort_attribute())?.clone(),
    ))
}

/// Units of writing `new` over `old` (either may be absent), indexes included.
pub fn write_cost(old: Option<&Item>, new: Option<&Item>, transactional: bool) -> f64 {
    let size = old.map_or(0, item_size).max(new.map_or(0, item_size));
    let mut units = write_units(size) * if transactional { 2.0 } else { 1.0 };
    for index in Index::ALL {
        match (index_keys(old, index), index_keys(new, index)) {
            (None, None) => {}
            (Some(_), None) => units += write_units(old.map_or(0, item_size)),
            (None, Some(_)) => units += write_units(new.map_or(0, item_size)),
            (Some(a), Some(b)) if a == b => units += write_units(size),
            (Some(_), Some(_)) => {
                units +=
                    write_units(old.map_or(0, item_size)) + write_units(new.map_or(0, item_size))
            }
        }
    }
    units
}

/// A store that charges each call's units to a running total.
pub struct MeteredStore<S> {
    inner: S,
    total: Mutex<Units>,
}

impl<S: ItemStore> MeteredStore<S> {
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            total: Mutex::new(Units::default()),
        }
    }

    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// The units charged since the last call, and a fresh start.
    pub fn take(&self) -> Units {
        match self.total.lock() {
            Ok(mut total) => std::mem::take(&mut *total),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        }
    }

    fn charge(&self, read: f64, write: f64) {
        let mut total = match self.total.lock() {
            Ok(total) => total,
            Err(poisoned) => poisoned.into_inner(),
        };
        total.read += read;
        total.write += write;
    }

    /// The item as it is before a write (read from the engine without charging: DynamoDB
    /// needs no read to write).
    async fn before(&self, key: Option<Key>) -> Result<Option<Item>, StoreError> {
        match key {
            Some(key) => self.inner.get(&key).await,
            None => Ok(None),
        }
    }
}

#[async_trait]
impl<S: ItemStore> ItemStore for MeteredStore<S> {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let item = self.inner.get(key).await?;
        self.charge(read_units(item.as_ref().map_or(0, item_size)), 0.0);
        Ok(item)
    }

    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        let items = self.inner.batch_get(keys).await?;
        let units: f64 = items.iter().map(|i| read_units(item_size(i))).sum();
        self.charge(units, 0.0);
        Ok(items)
    }

    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError> {
        let old = self.before(Key::of(&item)).await?;
        let result = self.inner.put(item.clone(), condition).await;
        let new = if result.is_ok() { Some(&item) } else { None };
        self.charge(0.0, write_cost(old.as_ref(), new.or(old.as_ref()), false));
        result
    }

    async fn update(
        &self,
        key: &Key,
        updates: Vec<Update>,
        condition: Option<Condition>,
    ) -> Result<Item, StoreError> {
        let old = self.before(Some(key.clone())).await?;
        let result = self.inner.update(key, updates, condition).await;
        let new = result.as_ref().ok();
        self.charge(0.0, write_cost(old.as_ref(), new.or(old.as_ref()), false));
        result
    }

    async fn delete(
        &self,
        key: &Key,
        condition: Option<Condition>,
    ) -> Result<Option<Item>, StoreError> {
        let old = self.before(Some(key.clone())).await?;
        let result = self.inner.delete(key, condition).await;
        self.charge(0.0, write_cost(old.as_ref(), None, false));
        result
    }

    async fn transact_write(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        let mut olds = Vec::with_capacity(ops.len());
        for op in &ops {
            olds.push(self.before(op.key()).await?);
        }
        let result = self.inner.transact_write(ops.clone()).await;
        let mut units = 0.0;
        for (op, old) in ops.iter().zip(&olds) {
            let new = match (&result, op) {
                (Err(_), _) => old.clone(),
                (Ok(()), WriteOp::Put { item, .. }) => Some(item.clone()),
                (Ok(()), WriteOp::Delete { .. }) => None,
                (Ok(()), WriteOp::Check { .. }) => old.clone(),
                (Ok(()), WriteOp::Update { key, .. }) => self.inner.get(key).await?,
            };
            units += match op {
                WriteOp::Check { .. } => write_units(old.as_ref().map_or(0, item_size)) * 2.0,
                _ => write_cost(old.as_ref(), new.as_ref(), true),
            };
        }
        self.charge(0.0, units);
        result
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        let eventually = query.index.is_some();
        let page = self.inner.query(query).await?;
        let bytes: usize = page.items.iter().map(item_size).sum();
        let units = read_units(bytes) * if eventually { 0.5 } else { 1.0 };
        self.charge(units, 0.0);
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(value: Value) -> Item {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn sizes_follow_dynamodbs_rules() {
        assert_eq!(value_size(&json!("abc")), 3);
        assert_eq!(value_size(&json!(true)), 1);
        assert_eq!(value_size(&json!(12345)), 4);
        assert_eq!(value_size(&json!(100)), 2);
        assert_eq!(value_size(&json!(["a", "b"])), 3 + 2 + 2);
        assert_eq!(
            item_size(&item(json!({"pk": "A", "sk": "B"}))),
            2 + 1 + 2 + 1
        );
    }

    #[test]
    fn a_small_put_into_one_index_costs_two_writes_and_doubles_in_a_transaction() {
        let new = item(json!({"pk": "A", "sk": "B", "gsi1pk": "X", "gsi1sk": "Y"}));
        assert_eq!(write_cost(None, Some(&new), false), 2.0);
        assert_eq!(write_cost(None, Some(&new), true), 3.0);
    }

    #[test]
    fn moving_an_index_key_costs_a_delete_and_a_put_in_the_index() {
        let old = item(json!({"pk": "A", "sk": "B", "gsi3pk": "INBOX#a", "gsi3sk": "1"}));
        let new = item(json!({"pk": "A", "sk": "B", "gsi3pk": "INBOX#b", "gsi3sk": "1"}));
        assert_eq!(write_cost(Some(&old), Some(&new), false), 3.0);
    }

    #[test]
    fn a_write_of_just_over_one_kilobyte_costs_two_units() {
        let big = item(json!({"pk": "A", "sk": "B", "text": "x".repeat(1100)}));
        assert_eq!(write_cost(None, Some(&big), false), 2.0);
    }
}
