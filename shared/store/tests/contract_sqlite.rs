//! Runs the storage contract against the embedded SQLite engine, once on a database file
//! (WAL mode) and once in memory, one test per check.

use lapor_store::contract::Harness;
use lapor_store::sqlite::SqliteStore;
use lapor_store::{ChangeStream, ItemStore};

/// A store on a fresh database file, removed when dropped.
struct FileStore {
    store: SqliteStore,
    dir: std::path::PathBuf,
}

impl Harness for FileStore {
    fn store(&self) -> &dyn ItemStore {
        &self.store
    }
    fn stream(&self) -> &dyn ChangeStream {
        &self.store
    }
}

impl Drop for FileStore {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

struct MemoryStore(SqliteStore);

impl Harness for MemoryStore {
    fn store(&self) -> &dyn ItemStore {
        &self.0
    }
    fn stream(&self) -> &dyn ChangeStream {
        &self.0
    }
}

mod file {
    use super::*;

    async fn setup(name: &str) -> FileStore {
        let dir = std::env::temp_dir().join(lapor_store::contract::unique_prefix(&format!(
            "lapor-store-{name}"
        )));
        std::fs::create_dir_all(&dir).expect("create the test directory");
        let store = SqliteStore::open(&dir.join("store.sqlite")).expect("open the database");
        FileStore { store, dir }
    }

    lapor_store::contract_tests!(setup);
}

mod in_memory {
    use super::*;

    async fn setup(_name: &str) -> MemoryStore {
        MemoryStore(SqliteStore::in_memory().expect("open the database"))
    }

    lapor_store::contract_tests!(setup);
}

/// All checks also pass one after another on one shared store (prefixes keep them apart).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_checks_share_one_store() {
    let store = SqliteStore::in_memory().expect("open the database");
    let prefix = lapor_store::contract::unique_prefix("shared");
    if let Err(failure) = lapor_store::contract::run_all(&store, &store, &prefix).await {
        panic!("{failure}");
    }
}

/// Two stores on one file see each other's writes and serialise their conditional writes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_connections_on_one_file() {
    use lapor_store::{Condition, Key, StoreError};
    let dir = std::env::temp_dir().join(lapor_store::contract::unique_prefix("lapor-store-two"));
    std::fs::create_dir_all(&dir).expect("create the test directory");
    let path = dir.join("store.sqlite");
    let a = SqliteStore::open(&path).expect("open a");
    let b = SqliteStore::open(&path).expect("open b");
    let item = serde_json::json!({"pk": "p", "sk": "s"});
    let serde_json::Value::Object(item) = item else {
        unreachable!()
    };
    a.put(item.clone(), Some(Condition::NotExists))
        .await
        .expect("first put");
    assert!(matches!(
        b.put(item.clone(), Some(Condition::NotExists)).await,
        Err(StoreError::ConditionFailed)
    ));
    assert_eq!(b.get(&Key::new("p", "s")).await.expect("get"), Some(item));
    let _ = std::fs::remove_dir_all(&dir);
}
