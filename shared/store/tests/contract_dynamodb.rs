//! Runs the storage contract against [`DynamoStore`] on moto (a local DynamoDB emulator),
//! one test per check, each on its own freshly created table.
//!
//! Needs `MOTO_ENDPOINT` (e.g. `http://127.0.0.1:5123`); without it every test fails, so
//! a run without the emulator can never pass by accident:
//!
//! ```sh
//! .venv/bin/moto_server -H 127.0.0.1 -p 5123 &
//! MOTO_ENDPOINT=http://127.0.0.1:5123 cargo test -p lapor-store --test contract_dynamodb
//! ```

use aws_config::{BehaviorVersion, Region};
use aws_sdk_dynamodb::config::Credentials;
use lapor_store::contract::Harness;
use lapor_store::dynamo::{create_table, DynamoChangeStream, DynamoStore};
use lapor_store::{ChangeStream, ItemStore};

struct Dynamo {
    store: DynamoStore,
    stream: DynamoChangeStream,
}

impl Harness for Dynamo {
    fn store(&self) -> &dyn ItemStore {
        &self.store
    }
    fn stream(&self) -> &dyn ChangeStream {
        &self.stream
    }

    /// Where moto differs from DynamoDB. These checks still run here and must fail (the
    /// test fails once moto is fixed); they pass on the SQLite engine, which follows
    /// DynamoDB.
    fn known_deviation(&self, check: &str) -> Option<&'static str> {
        match check {
            // DynamoDB Streams writes no record for a PutItem/UpdateItem that leaves the
            // item unchanged; moto records a MODIFY with equal images for each.
            "change_stream_skips_unchanged_writes" => {
                Some("moto writes stream records for writes that change nothing")
            }
            // In DynamoDB `#a = :null` is false when `a` is missing (a missing attribute
            // has no type, so it equals nothing); moto treats missing as NULL.
            "attribute_equals_null_needs_the_attribute" => {
                Some("moto evaluates `missing = NULL` as true")
            }
            // In DynamoDB `#a < :n` is false when `a` is a string; moto fails with an
            // HTTP 500 (a Python TypeError comparing str and Decimal).
            "attribute_less_than_is_false_on_a_string" => {
                Some("moto answers HTTP 500 to comparing a string with a number")
            }
            _ => None,
        }
    }
}

async fn setup(name: &str) -> Dynamo {
    let endpoint = std::env::var("MOTO_ENDPOINT").unwrap_or_else(|_| {
        panic!(
            "MOTO_ENDPOINT is not set: start moto (`.venv/bin/moto_server -H 127.0.0.1 -p 5123`) \
             and run with MOTO_ENDPOINT=http://127.0.0.1:5123"
        )
    });
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("ap-southeast-3"))
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .endpoint_url(endpoint)
        .load()
        .await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let streams = aws_sdk_dynamodbstreams::Client::new(&config);
    let table = lapor_store::contract::unique_prefix(&format!("lapor-{name}"));
    create_table(&client, &table)
        .await
        .unwrap_or_else(|e| panic!("create table {table}: {e:?}"));
    // Creating it again is a no-op.
    create_table(&client, &table)
        .await
        .unwrap_or_else(|e| panic!("create table {table} again: {e:?}"));
    let store = DynamoStore::new(client, table);
    let stream = store.change_stream(streams);
    Dynamo { store, stream }
}

lapor_store::contract_tests!(setup);
