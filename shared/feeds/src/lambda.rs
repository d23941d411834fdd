//! The feed repository as a Lambda function builds it at start: from the environment,
//! over DynamoDB. Done once per process, in init, never on a request.

use crate::repository::FeedRepository;
use lapor_api::config::{parsed_or, Env, StoreConfig};
use lapor_models::ReferenceData;
use std::sync::Arc;
use std::time::Duration;

/// Why a function could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("configuration")]
    Config(#[from] lapor_api::config::ConfigError),
    #[error("reference data")]
    Reference(#[from] lapor_models::ReferenceError),
}

/// Default `LAPOR_FEED_SETTLE_MS`: lists show what was visible this long ago, which
/// covers a write in flight and the index's replication lag.
pub const DEFAULT_SETTLE_MS: u64 = 2_000;

/// The repository over the DynamoDB table named by `LAPOR_TABLE`.
pub async fn repository_from_env() -> Result<FeedRepository, StartError> {
    let store_config = StoreConfig::from_source(&Env)?;
    let settle = parsed_or(&Env, "LAPOR_FEED_SETTLE_MS", DEFAULT_SETTLE_MS)?;
    let reference = Arc::new(ReferenceData::tegal()?);
    let store =
        lapor_store::dynamo::connect(&store_config.table, store_config.endpoint.as_deref()).await;
    Ok(FeedRepository::new(Arc::new(store), reference).with_settle(Duration::from_millis(settle)))
}
