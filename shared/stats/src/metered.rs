//! A store wrapper that counts what a caller reads — calls and items — so that the
//! publisher can log, and the benchmark print, the read cost of one publication.

use async_trait::async_trait;
use lapor_store::{Condition, Item, ItemStore, Key, Page, Query, StoreError, Update, WriteOp};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Reads counted so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadCount {
    /// Read calls (get, batch get, query page).
    pub calls: u64,
    /// Items returned.
    pub items: u64,
    /// Bytes of the items returned (their JSON), for capacity estimates.
    pub bytes: u64,
}

/// An [`ItemStore`] that counts reads and passes everything through.
pub struct MeteredStore {
    inner: Arc<dyn ItemStore>,
    calls: AtomicU64,
    items: AtomicU64,
    bytes: AtomicU64,
}

impl MeteredStore {
    pub fn new(inner: Arc<dyn ItemStore>) -> Self {
        Self {
            inner,
            calls: AtomicU64::new(0),
            items: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
        }
    }

    pub fn reads(&self) -> ReadCount {
        ReadCount {
            calls: self.calls.load(Ordering::Relaxed),
            items: self.items.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
        }
    }

    fn count<'a>(&self, items: impl IntoIterator<Item = &'a Item>) {
        self.calls.fetch_add(1, Ordering::Relaxed);
        for item in items {
            self.items.fetch_add(1, Ordering::Relaxed);
            let size = serde_json::to_vec(item).map(|v| v.len()).unwrap_or(0);
            self.bytes.fetch_add(size as u64, Ordering::Relaxed);
        }
    }
}

#[async_trait]
impl ItemStore for MeteredStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let item = self.inner.get(key).await?;
        self.count(item.iter());
        Ok(item)
    }

    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        let items = self.inner.batch_get(keys).await?;
        self.count(items.iter());
        Ok(items)
    }

    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError> {
        self.inner.put(item, condition).await
    }

    async fn update(
        &self,
        key: &Key,
        updates: Vec<Update>,
        condition: Option<Condition>,
    ) -> Result<Item, StoreError> {
        self.inner.update(key, updates, condition).await
    }

    async fn delete(
        &self,
        key: &Key,
        condition: Option<Condition>,
    ) -> Result<Option<Item>, StoreError> {
        self.inner.delete(key, condition).await
    }

    async fn transact_write(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        self.inner.transact_write(ops).await
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        let page = self.inner.query(query).await?;
        self.count(page.items.iter());
        Ok(page)
    }
}
