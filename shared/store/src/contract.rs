//! The contract of the storage port: behaviour checks written once and run against every
//! engine ([`crate::sqlite::SqliteStore`], [`crate::dynamo::DynamoStore`]), so the two
//! cannot drift apart. Other crates' tests may run them too, against any [`ItemStore`].
//!
//! Each check writes only keys under the `prefix` it is given, so checks can share a
//! table. Change-stream checks read from the stream's end at their start and only look at
//! records of their own prefix. A check returns a [`Failure`] describing what differed;
//! it never panics.
//!
//! Use [`CHECKS`] / [`run_all`], or generate one `#[tokio::test]` per check with
//! [`contract_tests!`](crate::contract_tests).

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use serde_json::{json, Value};

use crate::{
    ChangeKind, ChangeRecord, ChangeStream, Condition, Cursor, Index, Item, ItemStore, Key, Page,
    Query, SortCondition, StoreError, StreamPosition, Update, WriteOp, MAX_TRANSACTION_OPS,
};

/// What a check found to differ from the contract.
#[derive(Debug)]
pub struct Failure(pub String);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failure {}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        let mut message = format!("unexpected store error: {error}");
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            message.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        Failure(message)
    }
}

/// The result of one check.
pub type Outcome = Result<(), Failure>;

/// A check's entry point.
pub type CheckFn = for<'a> fn(
    &'a dyn ItemStore,
    &'a dyn ChangeStream,
    &'a str,
) -> Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>;

/// One named check of the contract.
pub struct Check {
    pub name: &'static str,
    pub run: CheckFn,
}

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(Failure(format!($($msg)+)));
        }
    };
}

macro_rules! ensure_eq {
    ($left:expr, $right:expr, $($msg:tt)+) => {{
        let (left, right) = (&$left, &$right);
        if left != right {
            return Err(Failure(format!(
                "{}:\n  got:      {:?}\n  expected: {:?}",
                format!($($msg)+), left, right
            )));
        }
    }};
}

macro_rules! ensure_err {
    ($result:expr, $pattern:pat, $($msg:tt)+) => {
        match $result {
            Err($pattern) => {}
            other => {
                return Err(Failure(format!(
                    "{}: expected {}, got {:?}",
                    format!($($msg)+), stringify!($pattern), other
                )))
            }
        }
    };
}

macro_rules! checks {
    ($($name:ident),* $(,)?) => {
        /// Every check of the contract, by name.
        pub const CHECKS: &[Check] = &[
            $(Check { name: stringify!($name), run: |store, stream, prefix| Box::pin($name(store, stream, prefix)) },)*
        ];
    };
}

checks!(
    roundtrip_of_every_value_type,
    integral_numbers_read_back_as_integers,
    put_replaces_the_whole_item,
    not_exists_blocks_a_second_put,
    exists_requires_the_item,
    version_is_locks_optimistically,
    attribute_conditions,
    attribute_equals_null_needs_the_attribute,
    attribute_less_than_is_false_on_a_string,
    update_upserts_and_returns_all_new,
    update_adds_to_counters,
    update_sets_if_absent_and_removes,
    update_condition_can_forbid_the_upsert,
    update_refuses_key_attributes_and_bad_changes,
    delete_returns_the_old_item,
    conditional_delete,
    transaction_applies_every_operation,
    transaction_is_all_or_nothing,
    transaction_rejects_too_many_operations,
    transaction_rejects_two_operations_on_one_item,
    query_sort_conditions,
    query_descending,
    query_pages_through_three_pages,
    query_full_page_then_empty_page,
    index_pages_through_equal_sort_keys,
    sparse_index,
    strings_sort_in_utf8_byte_order,
    batch_get_keeps_order_and_skips_missing,
    key_attributes_must_be_non_empty_strings,
    malformed_cursor_is_invalid,
    change_stream_records_insert_modify_remove,
    change_stream_skips_failed_writes,
    change_stream_skips_unchanged_writes,
    change_stream_records_each_transaction_item,
    change_stream_resumes_from_a_position,
    concurrent_not_exists_puts_have_one_winner,
);

/// Generates one `#[tokio::test]` per check of the contract. `$setup` is an async function
/// taking the check's name and returning a value `h` with `h.store()` (an
/// `&dyn ItemStore`) and `h.stream()` (an `&dyn ChangeStream`) — see [`Harness`].
#[macro_export]
macro_rules! contract_tests {
    ($setup:path) => {
        $crate::contract_tests!(@tests $setup;
            roundtrip_of_every_value_type,
            integral_numbers_read_back_as_integers,
            put_replaces_the_whole_item,
            not_exists_blocks_a_second_put,
            exists_requires_the_item,
            version_is_locks_optimistically,
            attribute_conditions,
            attribute_equals_null_needs_the_attribute,
            attribute_less_than_is_false_on_a_string,
            update_upserts_and_returns_all_new,
            update_adds_to_counters,
            update_sets_if_absent_and_removes,
            update_condition_can_forbid_the_upsert,
            update_refuses_key_attributes_and_bad_changes,
            delete_returns_the_old_item,
            conditional_delete,
            transaction_applies_every_operation,
            transaction_is_all_or_nothing,
            transaction_rejects_too_many_operations,
            transaction_rejects_two_operations_on_one_item,
            query_sort_conditions,
            query_descending,
            query_pages_through_three_pages,
            query_full_page_then_empty_page,
            index_pages_through_equal_sort_keys,
            sparse_index,
            strings_sort_in_utf8_byte_order,
            batch_get_keeps_order_and_skips_missing,
            key_attributes_must_be_non_empty_strings,
            malformed_cursor_is_invalid,
            change_stream_records_insert_modify_remove,
            change_stream_skips_failed_writes,
            change_stream_skips_unchanged_writes,
            change_stream_records_each_transaction_item,
            change_stream_resumes_from_a_position,
            concurrent_not_exists_puts_have_one_winner,
        );
    };
    (@tests $setup:path; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let harness = $setup(stringify!($name)).await;
                let prefix = $crate::contract::unique_prefix(stringify!($name));
                let result = $crate::contract::$name(
                    $crate::contract::Harness::store(&harness),
                    $crate::contract::Harness::stream(&harness),
                    &prefix,
                )
                .await;
                let deviation =
                    $crate::contract::Harness::known_deviation(&harness, stringify!($name));
                match (result, deviation) {
                    (Ok(()), None) => {}
                    (Err(failure), None) => {
                        panic!("contract check {} failed: {}", stringify!($name), failure)
                    }
                    (Err(failure), Some(why)) => eprintln!(
                        "KNOWN DEVIATION of this engine in {}: {}\n  (the check failed with: {})",
                        stringify!($name), why, failure
                    ),
                    (Ok(()), Some(why)) => panic!(
                        "contract check {} now passes although listed as a known deviation ({}): \
                         remove the deviation",
                        stringify!($name), why
                    ),
                }
            }
        )*

        #[test]
        fn every_contract_check_has_a_test() {
            let listed: Vec<&str> = vec![$(stringify!($name)),*];
            let all: Vec<&str> = $crate::contract::CHECKS.iter().map(|c| c.name).collect();
            assert_eq!(listed, all, "contract_tests! and contract::CHECKS disagree");
        }
    };
}

/// What [`contract_tests!`](crate::contract_tests) runs a check on.
pub trait Harness {
    fn store(&self) -> &dyn ItemStore;
    fn stream(&self) -> &dyn ChangeStream;

    /// Why this engine is known to fail the check, when it is one that stands in for the
    /// real engine (an emulator) and differs from it there. Such a check still runs and
    /// must fail: the test reports the deviation, and fails once the check passes, so that
    /// the deviation entry is removed.
    fn known_deviation(&self, _check: &str) -> Option<&'static str> {
        None
    }
}

/// A key prefix no other run uses: the name, the process and a clock reading.
pub fn unique_prefix(name: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{name}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Runs every check, each under its own prefix below `prefix`; stops at the first failure.
pub async fn run_all(store: &dyn ItemStore, stream: &dyn ChangeStream, prefix: &str) -> Outcome {
    for check in CHECKS {
        let prefix = format!("{prefix}/{}", check.name);
        (check.run)(store, stream, &prefix)
            .await
            .map_err(|f| Failure(format!("{}: {f}", check.name)))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// helpers

fn obj(value: Value) -> Item {
    match value {
        Value::Object(map) => map,
        _ => Item::new(),
    }
}

fn item(pk: &str, sk: &str, rest: Value) -> Item {
    let mut item = obj(rest);
    item.insert("pk".into(), Value::from(pk));
    item.insert("sk".into(), Value::from(sk));
    item
}

fn sks(page: &[Item]) -> Vec<String> {
    page.iter()
        .filter_map(|i| i.get("sk").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

async fn all_pages(store: &dyn ItemStore, query: Query) -> Result<(Vec<Item>, usize), Failure> {
    let mut items = Vec::new();
    let mut cursor: Option<Cursor> = None;
    let mut pages = 0;
    loop {
        let page = store.query(query.clone().after(cursor)).await?;
        pages += 1;
        ensure!(
            page.items.len() <= query.limit,
            "a page holds {} items, more than the limit {}",
            page.items.len(),
            query.limit
        );
        ensure!(pages <= 1000, "the query never ends");
        items.extend(page.items);
        match page.cursor {
            Some(next) => cursor = Some(next),
            None => return Ok((items, pages)),
        }
    }
}

/// Reads the stream to its current end.
async fn stream_end(stream: &dyn ChangeStream) -> Result<Option<StreamPosition>, Failure> {
    let mut position = None;
    loop {
        let (records, next) = stream.read_changes(position.as_ref(), 1000).await?;
        position = Some(next);
        if records.is_empty() {
            return Ok(position);
        }
    }
}

/// The records after `from` of keys under `prefix`, waiting (a few seconds at most) until
/// at least `expected` have arrived, since DynamoDB Streams delivers with a small delay.
async fn changes_since(
    stream: &dyn ChangeStream,
    from: &Option<StreamPosition>,
    prefix: &str,
    expected: usize,
) -> Result<(Vec<ChangeRecord>, Option<StreamPosition>), Failure> {
    let mut position = from.clone();
    let mut found = Vec::new();
    for attempt in 0..40 {
        loop {
            let (records, next) = stream.read_changes(position.as_ref(), 1000).await?;
            position = Some(next);
            if records.is_empty() {
                break;
            }
            found.extend(records.into_iter().filter(|r| r.key.pk.starts_with(prefix)));
        }
        if found.len() >= expected {
            break;
        }
        if attempt < 39 {
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    Ok((found, position))
}

fn summary(records: &[ChangeRecord]) -> Vec<(ChangeKind, String)> {
    records.iter().map(|r| (r.kind, r.key.sk.clone())).collect()
}

/// Polls all futures to completion concurrently, in one task.
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

// ---------------------------------------------------------------------------------------
// items and values

/// Every JSON value type survives a put and reads back equal from get, batch_get and query.
pub async fn roundtrip_of_every_value_type(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#values");
    let original = item(
        &pk,
        "item",
        json!({
            "text": "héllo wörld — 中文 🌏",
            "empty": "",
            "int": 42,
            "negative": -17,
            "zero": 0,
            "max": i64::MAX,
            "min": i64::MIN,
            "umax": u64::MAX,
            "float": 1.5,
            "negative_float": -0.25,
            "tiny": 1.0e-100,
            "huge": 1.2345e100,
            "yes": true,
            "no": false,
            "nothing": null,
            "list": [1, "two", [3.5], {"four": 4}, null, true, ""],
            "map": {"a": {"b": {"c": [1, 2]}}, "unicode ключ": "значение", "empty": ""},
            "empty_list": [],
            "empty_map": {},
        }),
    );
    store.put(original.clone(), None).await?;
    let key = Key::new(pk.clone(), "item");
    ensure_eq!(store.get(&key).await?, Some(original.clone()), "get");
    ensure_eq!(
        store.batch_get(std::slice::from_ref(&key)).await?,
        vec![original.clone()],
        "batch_get"
    );
    ensure_eq!(
        store.query(Query::table(pk)).await?.items,
        vec![original],
        "query"
    );
    Ok(())
}

/// Numbers are decimals, as in DynamoDB: `2.0` reads back as the integer `2`.
pub async fn integral_numbers_read_back_as_integers(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#numbers");
    store
        .put(
            item(&pk, "n", json!({"two": 2.0, "minus": -3.0, "half": 0.5})),
            None,
        )
        .await?;
    let got = store.get(&Key::new(pk.clone(), "n")).await?;
    ensure_eq!(
        got,
        Some(item(&pk, "n", json!({"two": 2, "minus": -3, "half": 0.5}))),
        "integral floats"
    );
    let updated = store
        .update(
            &Key::new(pk.clone(), "n"),
            vec![Update::Set("two".into(), json!(4.0))],
            Some(Condition::AttributeEquals("minus".into(), json!(-3.0))),
        )
        .await?;
    ensure_eq!(
        updated.get("two"),
        Some(&json!(4)),
        "integral float set by update"
    );
    Ok(())
}

/// A put replaces the whole item; attributes it does not carry are gone.
pub async fn put_replaces_the_whole_item(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#replace");
    store
        .put(item(&pk, "x", json!({"a": 1, "b": 2})), None)
        .await?;
    store.put(item(&pk, "x", json!({"a": 3})), None).await?;
    ensure_eq!(
        store.get(&Key::new(pk.clone(), "x")).await?,
        Some(item(&pk, "x", json!({"a": 3}))),
        "after the second put"
    );
    ensure_eq!(
        store.get(&Key::new(pk, "missing")).await?,
        None,
        "missing item"
    );
    Ok(())
}

/// `NotExists` lets the first put through and refuses the second, leaving the item as is.
pub async fn not_exists_blocks_a_second_put(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#once");
    let first = item(&pk, "x", json!({"n": 1}));
    store.put(first.clone(), Some(Condition::NotExists)).await?;
    ensure_err!(
        store
            .put(item(&pk, "x", json!({"n": 2})), Some(Condition::NotExists))
            .await,
        StoreError::ConditionFailed,
        "second put"
    );
    ensure_eq!(
        store.get(&Key::new(pk, "x")).await?,
        Some(first),
        "item after"
    );
    Ok(())
}

/// `Exists` refuses a put of a missing item and lets a replacement through.
pub async fn exists_requires_the_item(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#exists");
    let key = Key::new(pk.clone(), "x");
    ensure_err!(
        store
            .put(item(&pk, "x", json!({"n": 1})), Some(Condition::Exists))
            .await,
        StoreError::ConditionFailed,
        "put of a missing item"
    );
    ensure_eq!(store.get(&key).await?, None, "nothing created");
    store.put(item(&pk, "x", json!({"n": 1})), None).await?;
    store
        .put(item(&pk, "x", json!({"n": 2})), Some(Condition::Exists))
        .await?;
    ensure_eq!(
        store.get(&key).await?,
        Some(item(&pk, "x", json!({"n": 2}))),
        "replaced"
    );
    Ok(())
}

/// `VersionIs` lets exactly the writer holding the current version through.
pub async fn version_is_locks_optimistically(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#version");
    let key = Key::new(pk.clone(), "x");
    ensure_err!(
        store
            .put(
                item(&pk, "x", json!({"version": 1})),
                Some(Condition::VersionIs(0))
            )
            .await,
        StoreError::ConditionFailed,
        "VersionIs on a missing item"
    );
    store
        .put(
            item(&pk, "x", json!({"version": 1, "v": "a"})),
            Some(Condition::NotExists),
        )
        .await?;
    store
        .put(
            item(&pk, "x", json!({"version": 2, "v": "b"})),
            Some(Condition::VersionIs(1)),
        )
        .await?;
    ensure_err!(
        store
            .put(
                item(&pk, "x", json!({"version": 2, "v": "stale"})),
                Some(Condition::VersionIs(1))
            )
            .await,
        StoreError::ConditionFailed,
        "stale put"
    );
    let after = store
        .update(
            &key,
            vec![
                Update::Add("version".into(), 1),
                Update::Set("v".into(), json!("c")),
            ],
            Some(Condition::VersionIs(2)),
        )
        .await?;
    ensure_eq!(
        after,
        item(&pk, "x", json!({"version": 3, "v": "c"})),
        "update"
    );
    ensure_err!(
        store
            .update(
                &key,
                vec![Update::Set("v".into(), json!("d"))],
                Some(Condition::VersionIs(2))
            )
            .await,
        StoreError::ConditionFailed,
        "stale update"
    );
    ensure_err!(
        store.delete(&key, Some(Condition::VersionIs(2))).await,
        StoreError::ConditionFailed,
        "stale delete"
    );
    ensure_eq!(store.get(&key).await?, Some(after), "item after");
    Ok(())
}

/// `AttributeEquals`, `AttributeNotExists`, `AttributeLessThan`, `And` and `Or`.
pub async fn attribute_conditions(store: &dyn ItemStore, _: &dyn ChangeStream, p: &str) -> Outcome {
    use Condition::*;
    let pk = format!("{p}#attr");
    let key = Key::new(pk.clone(), "x");
    let missing = Key::new(pk.clone(), "missing");
    let set = |v: i64| vec![Update::Set("touched".into(), json!(v))];
    store
        .put(
            item(
                &pk,
                "x",
                json!({"status": "open", "count": 5, "tags": ["a", {"b": 1}], "label": "7"}),
            ),
            None,
        )
        .await?;
    let cases: Vec<(Condition, bool, &str)> = vec![
        (
            AttributeEquals("status".into(), json!("open")),
            true,
            "equal string",
        ),
        (
            AttributeEquals("status".into(), json!("closed")),
            false,
            "different string",
        ),
        (
            AttributeEquals("count".into(), json!(5)),
            true,
            "equal number",
        ),
        (
            AttributeEquals("count".into(), json!("5")),
            false,
            "number vs string",
        ),
        (
            AttributeEquals("tags".into(), json!(["a", {"b": 1}])),
            true,
            "equal list",
        ),
        (
            AttributeEquals("absent".into(), json!("x")),
            false,
            "absent attribute",
        ),
        (
            AttributeNotExists("assignee".into()),
            true,
            "absent attribute not exists",
        ),
        (
            AttributeNotExists("status".into()),
            false,
            "present attribute not exists",
        ),
        (AttributeLessThan("count".into(), 6), true, "5 < 6"),
        (AttributeLessThan("count".into(), 5), false, "5 < 5"),
        (AttributeLessThan("count".into(), -10), false, "5 < -10"),
        (
            AttributeLessThan("absent".into(), 100),
            false,
            "absent < number",
        ),
        (
            And(vec![
                AttributeEquals("status".into(), json!("open")),
                AttributeLessThan("count".into(), 10),
            ]),
            true,
            "And of two holding",
        ),
        (
            And(vec![
                AttributeEquals("status".into(), json!("open")),
                AttributeLessThan("count".into(), 1),
            ]),
            false,
            "And with one failing",
        ),
        (
            Or(vec![
                AttributeNotExists("count".into()),
                AttributeLessThan("count".into(), 10),
            ]),
            true,
            "Or with the second holding",
        ),
        (
            Or(vec![
                AttributeNotExists("count".into()),
                AttributeLessThan("count".into(), 1),
            ]),
            false,
            "Or with none holding",
        ),
        (
            Or(vec![
                AttributeNotExists("quota".into()),
                AttributeLessThan("quota".into(), 1),
            ]),
            true,
            "Or on an absent attribute (a first daily counter)",
        ),
    ];
    for (i, (condition, expected, what)) in cases.into_iter().enumerate() {
        let result = store.update(&key, set(i as i64), Some(condition)).await;
        match (result, expected) {
            (Ok(after), true) => {
                ensure_eq!(after.get("touched"), Some(&json!(i as i64)), "{what}")
            }
            (Err(StoreError::ConditionFailed), false) => {}
            (other, _) => {
                return Err(Failure(format!(
                    "{what}: expected the condition to {}, got {other:?}",
                    if expected { "hold" } else { "fail" }
                )))
            }
        }
    }
    // On a missing item only AttributeNotExists holds.
    for condition in [
        AttributeEquals("status".into(), json!("open")),
        AttributeLessThan("count".into(), 100),
    ] {
        ensure_err!(
            store
                .update(&missing, set(1), Some(condition.clone()))
                .await,
            StoreError::ConditionFailed,
            "{condition:?} on a missing item"
        );
    }
    ensure_eq!(
        store.get(&missing).await?,
        None,
        "missing item stays missing"
    );
    store
        .put(
            item(&pk, "missing", json!({})),
            Some(AttributeNotExists("status".into())),
        )
        .await?;
    ensure!(
        store.get(&missing).await?.is_some(),
        "AttributeNotExists on a missing item holds"
    );
    Ok(())
}

/// `AttributeEquals(name, null)` holds only for an attribute that is there and `NULL`: a
/// missing attribute equals nothing.
pub async fn attribute_equals_null_needs_the_attribute(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#null");
    let key = Key::new(pk.clone(), "x");
    store
        .put(item(&pk, "x", json!({"present": null})), None)
        .await?;
    let touch = vec![Update::Set("touched".into(), json!(true))];
    store
        .update(
            &key,
            touch.clone(),
            Some(Condition::AttributeEquals("present".into(), json!(null))),
        )
        .await?;
    ensure_err!(
        store
            .update(
                &key,
                touch,
                Some(Condition::AttributeEquals("absent".into(), json!(null)))
            )
            .await,
        StoreError::ConditionFailed,
        "a missing attribute compared to null"
    );
    Ok(())
}

/// `AttributeLessThan` on an attribute that is not a number is false (DynamoDB compares
/// only values of one type), not an error.
pub async fn attribute_less_than_is_false_on_a_string(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#lessthan");
    let key = Key::new(pk.clone(), "x");
    store
        .put(item(&pk, "x", json!({"label": "7"})), None)
        .await?;
    ensure_err!(
        store
            .update(
                &key,
                vec![Update::Set("touched".into(), json!(true))],
                Some(Condition::AttributeLessThan("label".into(), 100))
            )
            .await,
        StoreError::ConditionFailed,
        "string < number"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// updates

/// An update of a missing item creates it from its key; every update returns the whole item.
pub async fn update_upserts_and_returns_all_new(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#upsert");
    let key = Key::new(pk.clone(), "x");
    let created = store
        .update(
            &key,
            vec![Update::Set("a".into(), json!({"nested": [1]}))],
            None,
        )
        .await?;
    ensure_eq!(
        created,
        item(&pk, "x", json!({"a": {"nested": [1]}})),
        "created"
    );
    ensure_eq!(store.get(&key).await?, Some(created), "stored");
    let updated = store
        .update(&key, vec![Update::Set("b".into(), json!("two"))], None)
        .await?;
    ensure_eq!(
        updated,
        item(&pk, "x", json!({"a": {"nested": [1]}, "b": "two"})),
        "ALL_NEW holds the untouched attributes too"
    );
    Ok(())
}

/// `Add` starts from 0, adds negatives, and refuses non-numbers.
pub async fn update_adds_to_counters(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#add");
    let key = Key::new(pk.clone(), "x");
    let add = |n: i64| vec![Update::Add("n".into(), n)];
    ensure_eq!(
        store.update(&key, add(5), None).await?,
        item(&pk, "x", json!({"n": 5})),
        "from a missing item"
    );
    ensure_eq!(
        store.update(&key, add(-7), None).await?,
        item(&pk, "x", json!({"n": -2})),
        "negative"
    );
    let both = store
        .update(
            &key,
            vec![Update::Add("n".into(), 2), Update::Add("m".into(), 3)],
            None,
        )
        .await?;
    ensure_eq!(
        both,
        item(&pk, "x", json!({"n": 0, "m": 3})),
        "missing attribute"
    );
    store
        .update(&key, vec![Update::Set("s".into(), json!("text"))], None)
        .await?;
    ensure_err!(
        store
            .update(&key, vec![Update::Add("s".into(), 1)], None)
            .await,
        StoreError::Invalid(_),
        "Add on a string"
    );
    ensure_eq!(
        store.get(&key).await?,
        Some(item(&pk, "x", json!({"n": 0, "m": 3, "s": "text"}))),
        "item after the refused Add"
    );
    Ok(())
}

/// `SetIfAbsent` sets only a missing attribute; `Remove` removes (a missing one quietly).
pub async fn update_sets_if_absent_and_removes(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#absent");
    let key = Key::new(pk.clone(), "x");
    let first = store
        .update(
            &key,
            vec![
                Update::SetIfAbsent("created".into(), json!("t1")),
                Update::Set("a".into(), json!(1)),
            ],
            None,
        )
        .await?;
    ensure_eq!(
        first,
        item(&pk, "x", json!({"created": "t1", "a": 1})),
        "set when absent"
    );
    let second = store
        .update(
            &key,
            vec![
                Update::SetIfAbsent("created".into(), json!("t2")),
                Update::Remove("a".into()),
            ],
            None,
        )
        .await?;
    ensure_eq!(
        second,
        item(&pk, "x", json!({"created": "t1"})),
        "kept when present, removed"
    );
    let third = store
        .update(
            &key,
            vec![
                Update::Remove("never".into()),
                Update::Set("b".into(), json!(null)),
            ],
            None,
        )
        .await?;
    ensure_eq!(
        third,
        item(&pk, "x", json!({"created": "t1", "b": null})),
        "remove of a missing attribute"
    );
    Ok(())
}

/// A condition that needs the item keeps an update from creating it.
pub async fn update_condition_can_forbid_the_upsert(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#noupsert");
    let key = Key::new(pk.clone(), "x");
    ensure_err!(
        store
            .update(
                &key,
                vec![Update::Set("a".into(), json!(1))],
                Some(Condition::Exists)
            )
            .await,
        StoreError::ConditionFailed,
        "update of a missing item with Exists"
    );
    ensure_eq!(store.get(&key).await?, None, "nothing created");
    let created = store
        .update(
            &key,
            vec![Update::Set("a".into(), json!(1))],
            Some(Condition::NotExists),
        )
        .await?;
    ensure_eq!(created, item(&pk, "x", json!({"a": 1})), "NotExists upsert");
    Ok(())
}

/// Updates may not touch `pk`/`sk`, be empty, touch one attribute twice, or give an index
/// key attribute a non-string or empty value.
pub async fn update_refuses_key_attributes_and_bad_changes(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#badupdate");
    let key = Key::new(pk.clone(), "x");
    store.put(item(&pk, "x", json!({"a": 1})), None).await?;
    let bad: Vec<(Vec<Update>, &str)> = vec![
        (vec![Update::Set("pk".into(), json!("other"))], "Set pk"),
        (vec![Update::Remove("sk".into())], "Remove sk"),
        (vec![Update::Add("sk".into(), 1)], "Add sk"),
        (vec![], "no change"),
        (
            vec![
                Update::Set("a".into(), json!(2)),
                Update::Remove("a".into()),
            ],
            "one attribute twice",
        ),
        (
            vec![Update::Set("gsi1pk".into(), json!(""))],
            "empty index key",
        ),
        (
            vec![Update::Set("gsi2sk".into(), json!(7))],
            "numeric index key",
        ),
        (vec![Update::Add("gsi3pk".into(), 1)], "Add to an index key"),
    ];
    for (updates, what) in bad {
        ensure_err!(
            store.update(&key, updates, None).await,
            StoreError::Invalid(_),
            "{what}"
        );
    }
    ensure_eq!(
        store.get(&key).await?,
        Some(item(&pk, "x", json!({"a": 1}))),
        "item untouched"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// delete

/// A delete returns the item as it was; deleting a missing item returns nothing.
pub async fn delete_returns_the_old_item(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#delete");
    let key = Key::new(pk.clone(), "x");
    let original = item(&pk, "x", json!({"a": [1, {"b": "c"}]}));
    store.put(original.clone(), None).await?;
    ensure_eq!(store.delete(&key, None).await?, Some(original), "old item");
    ensure_eq!(store.get(&key).await?, None, "gone");
    ensure_eq!(
        store.delete(&key, None).await?,
        None,
        "delete of a missing item"
    );
    Ok(())
}

/// A conditional delete deletes only when its condition holds.
pub async fn conditional_delete(store: &dyn ItemStore, _: &dyn ChangeStream, p: &str) -> Outcome {
    let pk = format!("{p}#cdelete");
    let key = Key::new(pk.clone(), "x");
    let original = item(&pk, "x", json!({"status": "open"}));
    store.put(original.clone(), None).await?;
    ensure_err!(
        store
            .delete(
                &key,
                Some(Condition::AttributeEquals("status".into(), json!("closed")))
            )
            .await,
        StoreError::ConditionFailed,
        "delete with a failing condition"
    );
    ensure_eq!(
        store.get(&key).await?,
        Some(original.clone()),
        "still there"
    );
    ensure_eq!(
        store
            .delete(
                &key,
                Some(Condition::AttributeEquals("status".into(), json!("open")))
            )
            .await?,
        Some(original),
        "delete with a holding condition"
    );
    ensure_err!(
        store.delete(&key, Some(Condition::Exists)).await,
        StoreError::ConditionFailed,
        "Exists delete of a missing item"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// transactions

/// A transaction whose conditions hold applies every put, update and delete.
pub async fn transaction_applies_every_operation(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#tx");
    let k = |sk: &str| Key::new(pk.clone(), sk);
    store
        .put(item(&pk, "upd", json!({"n": 1, "version": 4})), None)
        .await?;
    store.put(item(&pk, "del", json!({})), None).await?;
    store
        .put(item(&pk, "chk", json!({"open": true})), None)
        .await?;
    store
        .transact_write(vec![
            WriteOp::Put {
                item: item(&pk, "new", json!({"x": 1})),
                condition: Some(Condition::NotExists),
            },
            WriteOp::Update {
                key: k("upd"),
                updates: vec![Update::Add("n".into(), 1), Update::Add("version".into(), 1)],
                condition: Some(Condition::VersionIs(4)),
            },
            WriteOp::Delete {
                key: k("del"),
                condition: Some(Condition::Exists),
            },
            WriteOp::Check {
                key: k("chk"),
                condition: Condition::AttributeEquals("open".into(), json!(true)),
            },
            WriteOp::Update {
                key: k("upsert"),
                updates: vec![Update::Set("y".into(), json!(2))],
                condition: None,
            },
        ])
        .await?;
    ensure_eq!(
        store.get(&k("new")).await?,
        Some(item(&pk, "new", json!({"x": 1}))),
        "put"
    );
    ensure_eq!(
        store.get(&k("upd")).await?,
        Some(item(&pk, "upd", json!({"n": 2, "version": 5}))),
        "update"
    );
    ensure_eq!(store.get(&k("del")).await?, None, "delete");
    ensure_eq!(
        store.get(&k("chk")).await?,
        Some(item(&pk, "chk", json!({"open": true}))),
        "check"
    );
    ensure_eq!(
        store.get(&k("upsert")).await?,
        Some(item(&pk, "upsert", json!({"y": 2}))),
        "upsert"
    );
    Ok(())
}

/// When some conditions fail, nothing is written and the failed positions are reported.
pub async fn transaction_is_all_or_nothing(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#txfail");
    let k = |sk: &str| Key::new(pk.clone(), sk);
    let upd = item(&pk, "upd", json!({"version": 1}));
    let del = item(&pk, "del", json!({"a": 1}));
    store.put(upd.clone(), None).await?;
    store.put(del.clone(), None).await?;
    let result = store
        .transact_write(vec![
            WriteOp::Put {
                item: item(&pk, "new", json!({})),
                condition: Some(Condition::NotExists),
            },
            WriteOp::Update {
                key: k("upd"),
                updates: vec![Update::Set("b".into(), json!(1))],
                condition: Some(Condition::VersionIs(7)),
            },
            WriteOp::Delete {
                key: k("del"),
                condition: None,
            },
            WriteOp::Check {
                key: k("missing"),
                condition: Condition::Exists,
            },
        ])
        .await;
    match result {
        Err(StoreError::TransactionCanceled { failed }) => {
            ensure_eq!(failed, vec![1usize, 3], "failed positions")
        }
        other => {
            return Err(Failure(format!(
                "expected TransactionCanceled, got {other:?}"
            )))
        }
    }
    ensure_eq!(store.get(&k("new")).await?, None, "put not applied");
    ensure_eq!(store.get(&k("upd")).await?, Some(upd), "update not applied");
    ensure_eq!(store.get(&k("del")).await?, Some(del), "delete not applied");
    Ok(())
}

/// More than 25 operations (or none) is `Invalid`, and nothing is written.
pub async fn transaction_rejects_too_many_operations(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#txmany");
    let ops: Vec<WriteOp> = (0..=MAX_TRANSACTION_OPS)
        .map(|i| WriteOp::Put {
            item: item(&pk, &format!("{i:02}"), json!({})),
            condition: None,
        })
        .collect();
    ensure_err!(
        store.transact_write(ops).await,
        StoreError::Invalid(_),
        "26 operations"
    );
    ensure_eq!(
        store.query(Query::table(pk.clone())).await?.items,
        Vec::<Item>::new(),
        "nothing written"
    );
    ensure_err!(
        store.transact_write(vec![]).await,
        StoreError::Invalid(_),
        "no operation"
    );
    let ops: Vec<WriteOp> = (0..MAX_TRANSACTION_OPS)
        .map(|i| WriteOp::Put {
            item: item(&pk, &format!("{i:02}"), json!({})),
            condition: None,
        })
        .collect();
    store.transact_write(ops).await?;
    ensure_eq!(
        store.query(Query::table(pk)).await?.items.len(),
        MAX_TRANSACTION_OPS,
        "25 operations are fine"
    );
    Ok(())
}

/// Two operations on one item are `Invalid`, and nothing is written.
pub async fn transaction_rejects_two_operations_on_one_item(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#txdup");
    let result = store
        .transact_write(vec![
            WriteOp::Put {
                item: item(&pk, "other", json!({})),
                condition: None,
            },
            WriteOp::Put {
                item: item(&pk, "x", json!({})),
                condition: None,
            },
            WriteOp::Check {
                key: Key::new(pk.clone(), "x"),
                condition: Condition::NotExists,
            },
        ])
        .await;
    ensure_err!(result, StoreError::Invalid(_), "two operations on one item");
    ensure_eq!(
        store.query(Query::table(pk)).await?.items,
        Vec::<Item>::new(),
        "nothing written"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// queries

/// Each sort-key condition selects exactly its items, within the partition only.
pub async fn query_sort_conditions(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    use SortCondition::*;
    let pk = format!("{p}#sort");
    for sk in ["a", "b", "ba", "bb", "c"] {
        store.put(item(&pk, sk, json!({})), None).await?;
    }
    store
        .put(item(&format!("{pk}-other"), "b", json!({})), None)
        .await?;
    let cases: Vec<(Option<SortCondition>, Vec<&str>)> = vec![
        (None, vec!["a", "b", "ba", "bb", "c"]),
        (Some(Equals("b".into())), vec!["b"]),
        (Some(Equals("x".into())), vec![]),
        (Some(BeginsWith("b".into())), vec!["b", "ba", "bb"]),
        (Some(BeginsWith("ba".into())), vec!["ba"]),
        (
            Some(Between("ba".into(), "c".into())),
            vec!["ba", "bb", "c"],
        ),
        (Some(Between("b".into(), "b".into())), vec!["b"]),
        (Some(LessThan("b".into())), vec!["a"]),
        (Some(LessOrEqual("b".into())), vec!["a", "b"]),
        (Some(GreaterThan("bb".into())), vec!["c"]),
        (Some(GreaterOrEqual("bb".into())), vec!["bb", "c"]),
    ];
    for (sort, expected) in cases {
        let mut query = Query::table(pk.clone());
        query.sort = sort.clone();
        ensure_eq!(sks(&store.query(query).await?.items), expected, "{sort:?}");
    }
    ensure_err!(
        store
            .query(Query::table(pk).sort(Between("c".into(), "a".into())))
            .await,
        StoreError::Invalid(_),
        "reversed Between"
    );
    Ok(())
}

/// Descending queries return the sort order reversed, also with a sort condition.
pub async fn query_descending(store: &dyn ItemStore, _: &dyn ChangeStream, p: &str) -> Outcome {
    let pk = format!("{p}#desc");
    for sk in ["a", "b1", "b2", "b3", "c"] {
        store.put(item(&pk, sk, json!({})), None).await?;
    }
    ensure_eq!(
        sks(&store
            .query(Query::table(pk.clone()).descending())
            .await?
            .items),
        vec!["c", "b3", "b2", "b1", "a"],
        "descending"
    );
    ensure_eq!(
        sks(&store
            .query(
                Query::table(pk.clone())
                    .descending()
                    .sort(SortCondition::BeginsWith("b".into()))
            )
            .await?
            .items),
        vec!["b3", "b2", "b1"],
        "descending with BeginsWith"
    );
    let (items, _) = all_pages(store, Query::table(pk).descending().limit(2)).await?;
    ensure_eq!(
        sks(&items),
        vec!["c", "b3", "b2", "b1", "a"],
        "descending pages"
    );
    Ok(())
}

/// Paging with a limit returns every item exactly once, in order, over three pages.
pub async fn query_pages_through_three_pages(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#pages");
    let expected: Vec<String> = (0..7).map(|i| format!("item-{i:02}")).collect();
    for sk in expected.iter().rev() {
        store.put(item(&pk, sk, json!({"body": sk})), None).await?;
    }
    let first = store.query(Query::table(pk.clone()).limit(3)).await?;
    ensure_eq!(sks(&first.items), expected[..3].to_vec(), "first page");
    ensure!(first.cursor.is_some(), "the first page has no cursor");
    let second = store
        .query(Query::table(pk.clone()).limit(3).after(first.cursor))
        .await?;
    ensure_eq!(sks(&second.items), expected[3..6].to_vec(), "second page");
    ensure!(second.cursor.is_some(), "the second page has no cursor");
    let third = store
        .query(Query::table(pk.clone()).limit(3).after(second.cursor))
        .await?;
    ensure_eq!(sks(&third.items), expected[6..].to_vec(), "third page");
    ensure_eq!(third.cursor, None, "cursor after a partial last page");
    let (items, pages) = all_pages(
        store,
        Query::table(pk)
            .limit(3)
            .sort(SortCondition::GreaterThan("item-01".into())),
    )
    .await?;
    ensure_eq!(
        sks(&items),
        expected[2..].to_vec(),
        "pages with a sort condition"
    );
    ensure!(pages <= 3, "{pages} pages for 5 items of 3 a page");
    Ok(())
}

/// When the last page is exactly full its cursor may be set, but then the next page is
/// empty and has none.
pub async fn query_full_page_then_empty_page(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#full");
    for sk in ["a", "b", "c", "d"] {
        store.put(item(&pk, sk, json!({})), None).await?;
    }
    let first = store.query(Query::table(pk.clone()).limit(2)).await?;
    ensure_eq!(sks(&first.items), vec!["a", "b"], "first page");
    let second = store
        .query(Query::table(pk.clone()).limit(2).after(first.cursor))
        .await?;
    ensure_eq!(sks(&second.items), vec!["c", "d"], "second page");
    if let Some(cursor) = second.cursor {
        let third = store
            .query(Query::table(pk.clone()).limit(2).after(Some(cursor)))
            .await?;
        ensure_eq!(
            third,
            Page::default(),
            "page after an exactly full last page"
        );
    }
    let exact = store.query(Query::table(pk).limit(4)).await?;
    ensure_eq!(exact.items.len(), 4, "one exactly full page");
    Ok(())
}

/// On every index, paging through items with equal index sort keys returns each item once,
/// in index sort-key order (DynamoDB leaves the order of ties unspecified).
pub async fn index_pages_through_equal_sort_keys(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    for index in Index::ALL {
        let ipk = format!("{p}#{}", index.name());
        let mut expected = Vec::new();
        for i in 0..7 {
            let isk = if i % 3 == 0 {
                "2024-01-02"
            } else {
                "2024-01-01"
            };
            let mut it = item(
                &format!("{p}#owner-{}", i % 2),
                &format!("{}-{i}", index.name()),
                json!({}),
            );
            it.insert(index.partition_attribute().into(), json!(ipk));
            it.insert(index.sort_attribute().into(), json!(isk));
            store.put(it.clone(), None).await?;
            expected.push(it);
        }
        for ascending in [true, false] {
            let mut query = Query::index(index, ipk.clone()).limit(2);
            query.ascending = ascending;
            let (items, _) = all_pages(store, query).await?;
            let mut got_keys: Vec<Key> = items.iter().filter_map(Key::of).collect();
            got_keys.sort();
            let mut want_keys: Vec<Key> = expected.iter().filter_map(Key::of).collect();
            want_keys.sort();
            ensure_eq!(
                got_keys,
                want_keys,
                "{} ascending={ascending}: every item once",
                index.name()
            );
            let order: Vec<&str> = items
                .iter()
                .filter_map(|i| i.get(index.sort_attribute()).and_then(Value::as_str))
                .collect();
            let mut sorted = order.clone();
            sorted.sort();
            if !ascending {
                sorted.reverse();
            }
            ensure_eq!(
                order,
                sorted,
                "{} ascending={ascending}: index sort order",
                index.name()
            );
            let full: Vec<Item> = {
                let mut full = expected.clone();
                full.sort_by_key(Key::of);
                full
            };
            let mut got_items = items.clone();
            got_items.sort_by_key(Key::of);
            ensure_eq!(
                got_items,
                full,
                "{}: whole items are projected",
                index.name()
            );
        }
        let only_first_day = store
            .query(
                Query::index(index, ipk.clone()).sort(SortCondition::Equals("2024-01-01".into())),
            )
            .await?;
        ensure_eq!(
            only_first_day.items.len(),
            4,
            "{}: sort condition on the index",
            index.name()
        );
    }
    Ok(())
}

/// An item is in an index only while it has both index key attributes.
pub async fn sparse_index(store: &dyn ItemStore, _: &dyn ChangeStream, p: &str) -> Outcome {
    let pk = format!("{p}#sparse");
    let ipk = format!("{p}#sparse-index");
    store
        .put(
            item(&pk, "both", json!({"gsi1pk": ipk, "gsi1sk": "1"})),
            None,
        )
        .await?;
    store.put(item(&pk, "neither", json!({})), None).await?;
    store
        .put(item(&pk, "sort-only", json!({"gsi1sk": "2"})), None)
        .await?;
    store
        .put(item(&pk, "partition-only", json!({"gsi1pk": ipk})), None)
        .await?;
    store
        .put(
            item(&pk, "other-index", json!({"gsi2pk": ipk, "gsi2sk": "3"})),
            None,
        )
        .await?;
    let in_index = || async {
        Ok::<_, Failure>(sks(&store
            .query(Query::index(Index::Gsi1, ipk.clone()))
            .await?
            .items))
    };
    ensure_eq!(in_index().await?, vec!["both"], "sparse");
    store
        .update(
            &Key::new(pk.clone(), "both"),
            vec![Update::Remove("gsi1pk".into())],
            None,
        )
        .await?;
    ensure_eq!(
        in_index().await?,
        Vec::<String>::new(),
        "after removing gsi1pk"
    );
    store
        .update(
            &Key::new(pk.clone(), "neither"),
            vec![
                Update::Set("gsi1pk".into(), json!(ipk)),
                Update::Set("gsi1sk".into(), json!("0")),
            ],
            None,
        )
        .await?;
    ensure_eq!(in_index().await?, vec!["neither"], "after setting both");
    ensure_eq!(
        sks(&store
            .query(Query::index(Index::Gsi2, ipk.clone()))
            .await?
            .items),
        vec!["other-index"],
        "gsi2"
    );
    Ok(())
}

/// Sort keys order by UTF-8 bytes (= code points), not by locale or UTF-16.
pub async fn strings_sort_in_utf8_byte_order(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#bytes");
    let mut keys = vec![
        "b", "B", "a", "Z", "z", "é", "e", "~", "日本", "😀", "\u{FFFD}", "a b", "a-b", "A", "10",
        "9",
    ];
    for sk in &keys {
        store.put(item(&pk, sk, json!({})), None).await?;
    }
    keys.sort();
    ensure_eq!(
        sks(&store.query(Query::table(pk.clone())).await?.items),
        keys,
        "order"
    );
    ensure_eq!(
        sks(&store
            .query(Query::table(pk).sort(SortCondition::BeginsWith("日".into())))
            .await?
            .items),
        vec!["日本"],
        "BeginsWith a multibyte prefix"
    );
    Ok(())
}

/// batch_get returns the found items in the order of the keys and leaves missing ones out.
pub async fn batch_get_keeps_order_and_skips_missing(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#batch");
    let k = |sk: &str| Key::new(pk.clone(), sk);
    let mut items = Vec::new();
    for sk in ["1", "2", "3"] {
        let it = item(&pk, sk, json!({"n": sk}));
        store.put(it.clone(), None).await?;
        items.push(it);
    }
    let got = store
        .batch_get(&[k("3"), k("missing"), k("1"), k("2")])
        .await?;
    ensure_eq!(
        got,
        vec![items[2].clone(), items[0].clone(), items[1].clone()],
        "order"
    );
    ensure_eq!(store.batch_get(&[]).await?, Vec::<Item>::new(), "no keys");
    ensure_err!(
        store.batch_get(&[k("1"), k("1")]).await,
        StoreError::Invalid(_),
        "duplicate keys"
    );
    let many: Vec<Key> = (0..=crate::MAX_BATCH_GET)
        .map(|i| k(&i.to_string()))
        .collect();
    ensure_err!(
        store.batch_get(&many).await,
        StoreError::Invalid(_),
        "101 keys"
    );
    // 100 keys, most missing: still the found ones, in order.
    let mut hundred: Vec<Key> = (0..97).map(|i| k(&format!("none-{i}"))).collect();
    hundred.insert(10, k("2"));
    hundred.insert(50, k("1"));
    hundred.push(k("3"));
    let got = store.batch_get(&hundred).await?;
    ensure_eq!(
        got,
        vec![items[1].clone(), items[0].clone(), items[2].clone()],
        "100 keys"
    );
    Ok(())
}

/// Missing, empty or non-string key attributes are `Invalid`, and nothing is written.
pub async fn key_attributes_must_be_non_empty_strings(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#keys");
    let mut no_pk = item(&pk, "x", json!({}));
    no_pk.remove("pk");
    let mut no_sk = item(&pk, "x", json!({}));
    no_sk.remove("sk");
    let bad_items: Vec<(Item, &str)> = vec![
        (no_pk, "no pk"),
        (no_sk, "no sk"),
        (item(&pk, "", json!({})), "empty sk"),
        (item("", "x", json!({})), "empty pk"),
        (obj(json!({"pk": 1, "sk": "x"})), "numeric pk"),
        (obj(json!({"pk": pk, "sk": ["x"]})), "list sk"),
        (item(&pk, "x", json!({"gsi1pk": ""})), "empty gsi1pk"),
        (item(&pk, "x", json!({"gsi4sk": ""})), "empty gsi4sk"),
        (
            item(&pk, "x", json!({"gsi2pk": "a", "gsi2sk": 5})),
            "numeric gsi2sk",
        ),
        (item(&pk, "x", json!({"gsi3pk": null})), "null gsi3pk"),
    ];
    for (bad, what) in bad_items {
        ensure_err!(
            store.put(bad.clone(), None).await,
            StoreError::Invalid(_),
            "put: {what}"
        );
        ensure_err!(
            store
                .transact_write(vec![WriteOp::Put {
                    item: bad,
                    condition: None
                }])
                .await,
            StoreError::Invalid(_),
            "transaction put: {what}"
        );
    }
    for key in [Key::new("", "x"), Key::new(pk.clone(), "")] {
        ensure_err!(store.get(&key).await, StoreError::Invalid(_), "get {key:?}");
        ensure_err!(
            store.delete(&key, None).await,
            StoreError::Invalid(_),
            "delete {key:?}"
        );
        ensure_err!(
            store
                .update(&key, vec![Update::Set("a".into(), json!(1))], None)
                .await,
            StoreError::Invalid(_),
            "update {key:?}"
        );
        ensure_err!(
            store.batch_get(std::slice::from_ref(&key)).await,
            StoreError::Invalid(_),
            "batch_get {key:?}"
        );
    }
    ensure_err!(
        store.query(Query::table("")).await,
        StoreError::Invalid(_),
        "query of an empty partition"
    );
    ensure_err!(
        store.query(Query::table(pk.clone()).limit(0)).await,
        StoreError::Invalid(_),
        "limit 0"
    );
    ensure_eq!(
        store.query(Query::table(pk)).await?.items,
        Vec::<Item>::new(),
        "nothing written"
    );
    Ok(())
}

/// A cursor that is not one the store handed out is `Invalid`.
pub async fn malformed_cursor_is_invalid(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    use base64::Engine as _;
    let pk = format!("{p}#cursor");
    for sk in ["a", "b", "c"] {
        store
            .put(item(&pk, sk, json!({"gsi1pk": pk, "gsi1sk": sk})), None)
            .await?;
    }
    let encode =
        |v: Value| Cursor(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string()));
    let table_cursor = store.query(Query::table(pk.clone()).limit(1)).await?.cursor;
    let bad = vec![
        (Cursor("not base64 at all!".into()), "not base64"),
        (encode(json!([1, 2])), "not a map"),
        (encode(json!({"pk": pk})), "no sk"),
        (encode(json!({"pk": pk, "sk": 5})), "numeric sk"),
        (
            encode(json!({"pk": "another", "sk": "a"})),
            "another partition",
        ),
    ];
    for (cursor, what) in bad {
        ensure_err!(
            store
                .query(Query::table(pk.clone()).after(Some(cursor)))
                .await,
            StoreError::Invalid(_),
            "{what}"
        );
    }
    ensure_err!(
        store
            .query(Query::index(Index::Gsi1, pk.clone()).after(table_cursor))
            .await,
        StoreError::Invalid(_),
        "a table cursor on an index"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// change stream

/// Insert, modify and remove each record one change with the right images, in order.
pub async fn change_stream_records_insert_modify_remove(
    store: &dyn ItemStore,
    stream: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let start = stream_end(stream).await?;
    let pk = format!("{p}#changes");
    let key = Key::new(pk.clone(), "x");
    let v1 = item(&pk, "x", json!({"n": 1, "tags": ["a"]}));
    store.put(v1.clone(), None).await?;
    let v2 = store
        .update(&key, vec![Update::Add("n".into(), 1)], None)
        .await?;
    let v3 = item(&pk, "x", json!({"replaced": true}));
    store.put(v3.clone(), None).await?;
    store.delete(&key, None).await?;
    let (records, _) = changes_since(stream, &start, p, 4).await?;
    let expected = vec![
        (ChangeKind::Insert, None, Some(v1.clone())),
        (ChangeKind::Modify, Some(v1), Some(v2.clone())),
        (ChangeKind::Modify, Some(v2), Some(v3.clone())),
        (ChangeKind::Remove, Some(v3), None),
    ];
    let got: Vec<_> = records
        .iter()
        .map(|r| (r.kind, r.old_image.clone(), r.new_image.clone()))
        .collect();
    ensure_eq!(got, expected, "records");
    ensure!(
        records.iter().all(|r| r.key == key),
        "record keys: {records:?}"
    );
    let mut ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
    ids.dedup();
    ensure_eq!(ids.len(), 4, "record ids are unique");
    Ok(())
}

/// Writes refused by their condition (and deletes of missing items) record nothing.
pub async fn change_stream_skips_failed_writes(
    store: &dyn ItemStore,
    stream: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#failed");
    let key = Key::new(pk.clone(), "x");
    store
        .put(item(&pk, "x", json!({"version": 1})), None)
        .await?;
    let start = stream_end(stream).await?;
    let _ = store
        .put(item(&pk, "x", json!({})), Some(Condition::NotExists))
        .await;
    let _ = store
        .update(
            &key,
            vec![Update::Set("a".into(), json!(1))],
            Some(Condition::VersionIs(9)),
        )
        .await;
    let _ = store.delete(&key, Some(Condition::NotExists)).await;
    let _ = store.delete(&Key::new(pk.clone(), "missing"), None).await;
    let _ = store
        .transact_write(vec![
            WriteOp::Put {
                item: item(&pk, "tx", json!({})),
                condition: None,
            },
            WriteOp::Check {
                key: key.clone(),
                condition: Condition::NotExists,
            },
        ])
        .await;
    store.put(item(&pk, "marker", json!({})), None).await?;
    let (records, _) = changes_since(stream, &start, p, 1).await?;
    ensure_eq!(
        summary(&records),
        vec![(ChangeKind::Insert, "marker".to_owned())],
        "records"
    );
    Ok(())
}

/// A write that leaves the item exactly as it was records nothing (DynamoDB Streams
/// documents this for PutItem and UpdateItem).
pub async fn change_stream_skips_unchanged_writes(
    store: &dyn ItemStore,
    stream: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#unchanged");
    let key = Key::new(pk.clone(), "x");
    let original = item(&pk, "x", json!({"a": 1, "b": "two"}));
    store.put(original.clone(), None).await?;
    let start = stream_end(stream).await?;
    store.put(original, None).await?;
    store
        .update(&key, vec![Update::Set("a".into(), json!(1))], None)
        .await?;
    store
        .update(
            &key,
            vec![Update::SetIfAbsent("b".into(), json!("three"))],
            None,
        )
        .await?;
    store
        .update(&key, vec![Update::Remove("never".into())], None)
        .await?;
    store.put(item(&pk, "marker", json!({})), None).await?;
    let (records, _) = changes_since(stream, &start, p, 1).await?;
    ensure_eq!(
        summary(&records),
        vec![(ChangeKind::Insert, "marker".to_owned())],
        "records"
    );
    Ok(())
}

/// A transaction records one change per item it writes, none for a Check.
pub async fn change_stream_records_each_transaction_item(
    store: &dyn ItemStore,
    stream: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#txchanges");
    let k = |sk: &str| Key::new(pk.clone(), sk);
    let upd = item(&pk, "upd", json!({"n": 1}));
    let del = item(&pk, "del", json!({"d": true}));
    store.put(upd.clone(), None).await?;
    store.put(del.clone(), None).await?;
    store.put(item(&pk, "chk", json!({})), None).await?;
    let start = stream_end(stream).await?;
    let new = item(&pk, "new", json!({"fresh": "yes"}));
    store
        .transact_write(vec![
            WriteOp::Put {
                item: new.clone(),
                condition: None,
            },
            WriteOp::Update {
                key: k("upd"),
                updates: vec![Update::Add("n".into(), 1)],
                condition: None,
            },
            WriteOp::Delete {
                key: k("del"),
                condition: None,
            },
            WriteOp::Check {
                key: k("chk"),
                condition: Condition::Exists,
            },
        ])
        .await?;
    let (mut records, _) = changes_since(stream, &start, p, 3).await?;
    records.sort_by(|a, b| a.key.sk.cmp(&b.key.sk));
    let got: Vec<_> = records
        .iter()
        .map(|r| {
            (
                r.kind,
                r.key.sk.clone(),
                r.old_image.clone(),
                r.new_image.clone(),
            )
        })
        .collect();
    let expected = vec![
        (ChangeKind::Remove, "del".to_owned(), Some(del), None),
        (ChangeKind::Insert, "new".to_owned(), None, Some(new)),
        (
            ChangeKind::Modify,
            "upd".to_owned(),
            Some(upd),
            Some(item(&pk, "upd", json!({"n": 2}))),
        ),
    ];
    ensure_eq!(got, expected, "records");
    Ok(())
}

/// Reading from a position returns only the changes made after it, and reading with a
/// small limit continues where it stopped.
pub async fn change_stream_resumes_from_a_position(
    store: &dyn ItemStore,
    stream: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#resume");
    let start = stream_end(stream).await?;
    store.put(item(&pk, "a", json!({})), None).await?;
    store.put(item(&pk, "b", json!({})), None).await?;
    let (first, middle) = changes_since(stream, &start, p, 2).await?;
    ensure_eq!(
        summary(&first),
        vec![
            (ChangeKind::Insert, "a".to_owned()),
            (ChangeKind::Insert, "b".to_owned())
        ],
        "first read"
    );
    store.put(item(&pk, "c", json!({})), None).await?;
    store.delete(&Key::new(pk.clone(), "a"), None).await?;
    let (second, _) = changes_since(stream, &middle, p, 2).await?;
    ensure_eq!(
        summary(&second),
        vec![
            (ChangeKind::Insert, "c".to_owned()),
            (ChangeKind::Remove, "a".to_owned())
        ],
        "read from the position"
    );
    // One record at a time from the start.
    let mut position = start;
    let mut one_by_one = Vec::new();
    for _ in 0..50 {
        let (records, next) = stream.read_changes(position.as_ref(), 1).await?;
        ensure!(
            records.len() <= 1,
            "a read with limit 1 returned {} records",
            records.len()
        );
        if records.is_empty() && one_by_one.len() >= 4 {
            break;
        }
        one_by_one.extend(records.into_iter().filter(|r| r.key.pk.starts_with(p)));
        position = Some(next);
    }
    ensure_eq!(
        summary(&one_by_one),
        [summary(&first), summary(&second)].concat(),
        "reads of one record"
    );
    Ok(())
}

/// Of 16 concurrent `NotExists` puts of one key, exactly one succeeds.
pub async fn concurrent_not_exists_puts_have_one_winner(
    store: &dyn ItemStore,
    _: &dyn ChangeStream,
    p: &str,
) -> Outcome {
    let pk = format!("{p}#race");
    // Each writer retries a retryable failure (a busy engine) a few times, as clients
    // do; a writer whose attempt failed retryably may still have written, so it counts
    // as a possible winner.
    let attempts = (0..16)
        .map(|i| {
            let pk = pk.clone();
            async move {
                let mut uncertain = false;
                for _ in 0..5 {
                    match store
                        .put(
                            item(&pk, "x", json!({"writer": i})),
                            Some(Condition::NotExists),
                        )
                        .await
                    {
                        Err(e) if e.is_retryable() => {
                            uncertain = true;
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                        other => return (other, uncertain),
                    }
                }
                (
                    Err(StoreError::Unavailable("still busy after 5 tries".into())),
                    true,
                )
            }
        })
        .collect::<Vec<_>>();
    let results = join_all(attempts).await;
    let mut winners = Vec::new();
    let mut possible = Vec::new();
    for (i, (result, uncertain)) in results.into_iter().enumerate() {
        if uncertain {
            possible.push(i);
        }
        match result {
            Ok(()) => winners.push(i),
            Err(StoreError::ConditionFailed) => {}
            Err(e) if e.is_retryable() => {}
            Err(other) => return Err(Failure(format!("writer {i}: {other:?}"))),
        }
    }
    ensure!(winners.len() <= 1, "more than one winner: {winners:?}");
    let stored = store.get(&Key::new(pk.clone(), "x")).await?;
    let writer = stored
        .as_ref()
        .and_then(|item| item.get("writer"))
        .and_then(Value::as_u64)
        .map(|w| w as usize);
    match (winners.first(), writer) {
        (Some(&winner), Some(writer)) => ensure_eq!(writer, winner, "the winner's item"),
        (None, Some(writer)) => ensure!(
            possible.contains(&writer),
            "writer {writer} is stored but neither won nor saw a retryable failure"
        ),
        (_, None) => return Err(Failure("no writer's item is stored".into())),
    }
    Ok(())
}
