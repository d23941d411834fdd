//! Rules both engines share: request validation, DynamoDB's number normalisation, and the
//! query cursor format. Every call is validated here before it reaches an engine, so a call
//! refused by DynamoDB is refused the same way, with [`StoreError::Invalid`], by SQLite —
//! and DynamoDB is never sent a request we already know it would reject.

use std::collections::HashSet;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{Number, Value};

use crate::{
    Condition, Cursor, Index, Item, Key, Query, SortCondition, StoreError, Update, WriteOp,
    MAX_BATCH_GET, MAX_TRANSACTION_OPS, PK, SK,
};

pub(crate) fn invalid(message: impl Into<String>) -> StoreError {
    StoreError::Invalid(message.into())
}

/// Whether the attribute is a key attribute of the table or of one of its indexes.
fn is_index_key_attribute(name: &str) -> bool {
    Index::ALL
        .iter()
        .any(|index| index.partition_attribute() == name || index.sort_attribute() == name)
}

pub(crate) fn validate_key(key: &Key) -> Result<(), StoreError> {
    if key.pk.is_empty() {
        return Err(invalid("the key attribute pk is an empty string"));
    }
    if key.sk.is_empty() {
        return Err(invalid("the key attribute sk is an empty string"));
    }
    Ok(())
}

/// A key attribute of the table (`required`) or of an index: a non-empty string.
fn key_attribute<'a>(
    item: &'a Item,
    name: &str,
    required: bool,
) -> Result<Option<&'a str>, StoreError> {
    match item.get(name) {
        None if required => Err(invalid(format!("the item has no key attribute {name}"))),
        None => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Err(invalid(format!(
            "the key attribute {name} is an empty string"
        ))),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(format!("the key attribute {name} is not a string"))),
    }
}

/// Checks a whole item about to be written and returns its key.
pub(crate) fn validate_item(item: &Item) -> Result<Key, StoreError> {
    let pk = key_attribute(item, PK, true)?.unwrap_or_default();
    let sk = key_attribute(item, SK, true)?.unwrap_or_default();
    for index in Index::ALL {
        key_attribute(item, index.partition_attribute(), false)?;
        key_attribute(item, index.sort_attribute(), false)?;
    }
    for (name, value) in item {
        validate_attribute_name(name)?;
        validate_value(value)?;
    }
    Ok(Key::new(pk, sk))
}

fn validate_attribute_name(name: &str) -> Result<(), StoreError> {
    if name.is_empty() {
        return Err(invalid("an attribute name is empty"));
    }
    Ok(())
}

/// DynamoDB numbers hold 38 significant digits in magnitudes 1E-130 to 9.9E+125.
pub(crate) fn validate_value(value: &Value) -> Result<(), StoreError> {
    match value {
        Value::Number(n) => {
            if n.is_f64() {
                let f = n.as_f64().unwrap_or(f64::NAN);
                let magnitude = f.abs();
                if !f.is_finite() || (magnitude != 0.0 && !(1e-130..1e126).contains(&magnitude)) {
                    return Err(invalid(format!(
                        "the number {n} is outside DynamoDB's range"
                    )));
                }
            }
            Ok(())
        }
        Value::Array(values) => values.iter().try_for_each(validate_value),
        Value::Object(map) => map.values().try_for_each(validate_value),
        Value::Null | Value::Bool(_) | Value::String(_) => Ok(()),
    }
}

/// DynamoDB stores numbers as decimals and hands them back in canonical form, so a float
/// with an integral value (`2.0`) comes back as an integer (`2`). Both engines store
/// numbers normalised this way, so an item reads back the same on both.
pub(crate) fn normalize(value: Value) -> Value {
    match value {
        Value::Number(n) => Value::Number(normalize_number(n)),
        Value::Array(values) => Value::Array(values.into_iter().map(normalize).collect()),
        Value::Object(map) => Value::Object(normalize_item(map)),
        other => other,
    }
}

pub(crate) fn normalize_item(item: Item) -> Item {
    item.into_iter().map(|(k, v)| (k, normalize(v))).collect()
}

fn normalize_number(n: Number) -> Number {
    if !n.is_f64() {
        return n;
    }
    let Some(f) = n.as_f64() else { return n };
    if f.fract() == 0.0 {
        // 2^63 and 2^64 are exact in f64.
        if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
            return Number::from(f as i64);
        }
        if (0.0..18_446_744_073_709_551_616.0).contains(&f) {
            return Number::from(f as u64);
        }
    }
    n
}

/// Parses a DynamoDB number string: an `i64` if it is one, else a `u64`, else an `f64`.
pub(crate) fn parse_number(text: &str) -> Result<Value, StoreError> {
    if let Ok(i) = text.parse::<i64>() {
        return Ok(Value::from(i));
    }
    if let Ok(u) = text.parse::<u64>() {
        return Ok(Value::from(u));
    }
    text.parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map(|n| normalize(Value::Number(n)))
        .ok_or_else(|| invalid(format!("{text:?} is not a number")))
}

pub(crate) fn validate_condition(condition: &Condition) -> Result<(), StoreError> {
    match condition {
        Condition::Exists | Condition::NotExists | Condition::VersionIs(_) => Ok(()),
        Condition::AttributeEquals(name, value) => {
            validate_attribute_name(name)?;
            validate_value(value)
        }
        Condition::AttributeNotExists(name) | Condition::AttributeLessThan(name, _) => {
            validate_attribute_name(name)
        }
        Condition::And(conditions) | Condition::Or(conditions) => {
            if conditions.is_empty() {
                return Err(invalid("an And or Or condition holds no condition"));
            }
            conditions.iter().try_for_each(validate_condition)
        }
    }
}

fn validate_optional_condition(condition: Option<&Condition>) -> Result<(), StoreError> {
    condition.map_or(Ok(()), validate_condition)
}

pub(crate) fn validate_updates(updates: &[Update]) -> Result<(), StoreError> {
    if updates.is_empty() {
        return Err(invalid("an update holds no change"));
    }
    let mut seen = HashSet::new();
    for update in updates {
        let name = update_attribute(update);
        validate_attribute_name(name)?;
        if name == PK || name == SK {
            return Err(invalid(format!(
                "the key attribute {name} cannot be updated"
            )));
        }
        if !seen.insert(name) {
            return Err(invalid(format!(
                "two changes of one update touch the attribute {name}"
            )));
        }
        match update {
            Update::Set(_, value) | Update::SetIfAbsent(_, value) => {
                if is_index_key_attribute(name) {
                    match value {
                        Value::String(s) if !s.is_empty() => {}
                        _ => {
                            return Err(invalid(format!(
                                "the index key attribute {name} must be a non-empty string"
                            )))
                        }
                    }
                }
                validate_value(value)?;
            }
            Update::Add(_, _) if is_index_key_attribute(name) => {
                return Err(invalid(format!(
                    "the index key attribute {name} is a string and cannot be added to"
                )));
            }
            Update::Add(_, _) | Update::Remove(_) => {}
        }
    }
    Ok(())
}

pub(crate) fn update_attribute(update: &Update) -> &str {
    match update {
        Update::Set(name, _)
        | Update::SetIfAbsent(name, _)
        | Update::Remove(name)
        | Update::Add(name, _) => name,
    }
}

pub(crate) fn validate_write(op: &WriteOp) -> Result<Key, StoreError> {
    match op {
        WriteOp::Put { item, condition } => {
            validate_optional_condition(condition.as_ref())?;
            validate_item(item)
        }
        WriteOp::Update {
            key,
            updates,
            condition,
        } => {
            validate_key(key)?;
            validate_optional_condition(condition.as_ref())?;
            validate_updates(updates)?;
            Ok(key.clone())
        }
        WriteOp::Delete { key, condition } => {
            validate_key(key)?;
            validate_optional_condition(condition.as_ref())?;
            Ok(key.clone())
        }
        WriteOp::Check { key, condition } => {
            validate_key(key)?;
            validate_condition(condition)?;
            Ok(key.clone())
        }
    }
}

pub(crate) fn validate_transaction(ops: &[WriteOp]) -> Result<(), StoreError> {
    if ops.is_empty() {
        return Err(invalid("a transaction holds no operation"));
    }
    if ops.len() > MAX_TRANSACTION_OPS {
        return Err(invalid(format!(
            "a transaction holds {} operations, more than {MAX_TRANSACTION_OPS}",
            ops.len()
        )));
    }
    let mut keys = HashSet::new();
    for op in ops {
        let key = validate_write(op)?;
        if !keys.insert(key.clone()) {
            return Err(invalid(format!(
                "two operations of one transaction touch the item {}/{}",
                key.pk, key.sk
            )));
        }
    }
    Ok(())
}

pub(crate) fn validate_batch(keys: &[Key]) -> Result<(), StoreError> {
    if keys.len() > MAX_BATCH_GET {
        return Err(invalid(format!(
            "a batch read holds {} keys, more than {MAX_BATCH_GET}",
            keys.len()
        )));
    }
    let mut seen = HashSet::new();
    for key in keys {
        validate_key(key)?;
        if !seen.insert(key) {
            return Err(invalid(format!(
                "a batch read holds the key {}/{} twice",
                key.pk, key.sk
            )));
        }
    }
    Ok(())
}

/// The attribute names a query's key condition is on: (partition, sort).
pub(crate) fn query_attributes(index: Option<Index>) -> (&'static str, &'static str) {
    match index {
        None => (PK, SK),
        Some(index) => (index.partition_attribute(), index.sort_attribute()),
    }
}

pub(crate) fn validate_query(query: &Query) -> Result<Option<CursorKey>, StoreError> {
    if query.partition.is_empty() {
        return Err(invalid("the query's partition is an empty string"));
    }
    if query.limit == 0 {
        return Err(invalid("the query's limit is 0"));
    }
    if let Some(sort) = &query.sort {
        let operands: Vec<&String> = match sort {
            SortCondition::Equals(a)
            | SortCondition::BeginsWith(a)
            | SortCondition::LessThan(a)
            | SortCondition::LessOrEqual(a)
            | SortCondition::GreaterThan(a)
            | SortCondition::GreaterOrEqual(a) => vec![a],
            SortCondition::Between(low, high) => {
                if low > high {
                    return Err(invalid("the query's Between bounds are reversed"));
                }
                vec![low, high]
            }
        };
        if operands.iter().any(|s| s.is_empty()) {
            return Err(invalid("the query's sort condition holds an empty string"));
        }
    }
    let cursor = query
        .cursor
        .as_ref()
        .map(|c| CursorKey::decode(c, query.index))
        .transpose()?;
    if let Some(cursor) = &cursor {
        if cursor.partition() != query.partition {
            return Err(invalid("the cursor belongs to another partition"));
        }
    }
    Ok(cursor)
}

/// The position a query page ends at: the last item's table key and, on an index, its index
/// key — what DynamoDB calls `LastEvaluatedKey`. Encoded as base64url of its JSON map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CursorKey {
    pub key: Key,
    /// On an index: (index, partition value, sort value).
    pub index: Option<(Index, String, String)>,
}

impl CursorKey {
    /// The cursor of the item that ends a page.
    pub fn of(item: &Item, index: Option<Index>) -> Option<CursorKey> {
        let key = Key::of(item)?;
        let index = match index {
            None => None,
            Some(index) => Some((
                index,
                item.get(index.partition_attribute())?.as_str()?.to_owned(),
                item.get(index.sort_attribute())?.as_str()?.to_owned(),
            )),
        };
        Some(CursorKey { key, index })
    }

    pub fn partition(&self) -> &str {
        match &self.index {
            None => &self.key.pk,
            Some((_, partition, _)) => partition,
        }
    }

    pub fn to_map(&self) -> Item {
        let mut map = Item::new();
        map.insert(PK.to_owned(), Value::from(self.key.pk.clone()));
        map.insert(SK.to_owned(), Value::from(self.key.sk.clone()));
        if let Some((index, partition, sort)) = &self.index {
            map.insert(
                index.partition_attribute().to_owned(),
                Value::from(partition.clone()),
            );
            map.insert(index.sort_attribute().to_owned(), Value::from(sort.clone()));
        }
        map
    }

    pub fn encode(&self) -> Result<Cursor, StoreError> {
        encode_cursor_map(&self.to_map())
    }

    /// Reads a cursor made by [`CursorKey::encode`] (or from DynamoDB's `LastEvaluatedKey`)
    /// for a query of `index`.
    pub fn decode(cursor: &Cursor, index: Option<Index>) -> Result<CursorKey, StoreError> {
        let malformed = || invalid("the cursor is malformed");
        let bytes = URL_SAFE_NO_PAD
            .decode(cursor.0.as_bytes())
            .map_err(|_| malformed())?;
        let map: Item = serde_json::from_slice(&bytes).map_err(|_| malformed())?;
        let text = |name: &str| -> Result<String, StoreError> {
            match map.get(name) {
                Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
                _ => Err(malformed()),
            }
        };
        let key = Key::new(text(PK)?, text(SK)?);
        let expected = 2 + usize::from(index.is_some()) * 2;
        if map.len() != expected {
            return Err(malformed());
        }
        let index = match index {
            None => None,
            Some(index) => Some((
                index,
                text(index.partition_attribute())?,
                text(index.sort_attribute())?,
            )),
        };
        Ok(CursorKey { key, index })
    }
}

pub(crate) fn encode_cursor_map(map: &Item) -> Result<Cursor, StoreError> {
    let json = serde_json::to_vec(map).map_err(|e| StoreError::Internal(Box::new(e)))?;
    Ok(Cursor(URL_SAFE_NO_PAD.encode(json)))
}

/// The smallest string above every string starting with `prefix` (UTF-8 byte order is code
/// point order), or `None` when no string is (the prefix is all U+10FFFF).
pub(crate) fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = match last as u32 {
            0xD7FF => Some('\u{E000}'),
            c => char::from_u32(c + 1),
        };
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_bounds_follow_code_points() {
        assert_eq!(prefix_upper_bound("ab").as_deref(), Some("ac"));
        assert_eq!(prefix_upper_bound("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_upper_bound("\u{D7FF}").as_deref(), Some("\u{E000}"));
        assert_eq!(prefix_upper_bound("\u{10FFFF}"), None);
    }

    #[test]
    fn integral_floats_become_integers() {
        assert_eq!(normalize(serde_json::json!(2.0)), serde_json::json!(2));
        assert_eq!(normalize(serde_json::json!(-0.0)), serde_json::json!(0));
        assert_eq!(normalize(serde_json::json!(1.5)), serde_json::json!(1.5));
        assert_eq!(parse_number("2.0").ok(), Some(serde_json::json!(2)));
        assert_eq!(
            parse_number("18446744073709551615").ok(),
            Some(serde_json::json!(u64::MAX))
        );
    }

    #[test]
    fn cursors_round_trip() {
        let cursor = CursorKey {
            key: Key::new("a", "b"),
            index: Some((Index::Gsi2, "p".into(), "s".into())),
        };
        let encoded = cursor.encode().unwrap();
        assert_eq!(
            CursorKey::decode(&encoded, Some(Index::Gsi2)).unwrap(),
            cursor
        );
        assert!(CursorKey::decode(&encoded, None).is_err());
        assert!(CursorKey::decode(&Cursor("%%".into()), None).is_err());
    }
}
