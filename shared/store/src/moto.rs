//! Test support for code that runs against DynamoDB: an SDK configuration pointing at the
//! `moto_server` that `tests/run` starts (`MOTO_ENDPOINT`), with static test credentials,
//! and a freshly created table per test. Without `MOTO_ENDPOINT` it panics with the
//! command to run, so a test can never pass by silently skipping DynamoDB.

use crate::dynamo::{create_table, DynamoStore};
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;

/// The moto endpoint, or a panic that says how to start it.
pub fn endpoint() -> String {
    std::env::var("MOTO_ENDPOINT").unwrap_or_else(|_| {
        panic!(
            "MOTO_ENDPOINT is not set: run ./tests/run, or start moto \
             (`.venv/bin/moto_server -H 127.0.0.1 -p 5123`) and set \
             MOTO_ENDPOINT=http://127.0.0.1:5123"
        )
    })
}

/// An SDK configuration for moto: region `ap-southeast-3` (Jakarta), test credentials.
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("ap-southeast-3"))
        .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
        .endpoint_url(endpoint())
        .load()
        .await
}

/// A store on a new table named after `name` (made unique), created as production's.
pub async fn fresh_store(name: &str) -> DynamoStore {
    let config = sdk_config().await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let table = crate::contract::unique_prefix(&format!("lapor-{name}"));
    if let Err(error) = create_table(&client, &table).await {
        panic!("cannot create table {table} on moto: {error:?}");
    }
    DynamoStore::new(client, table)
}
