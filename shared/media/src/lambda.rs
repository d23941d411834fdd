//! The media service as a Lambda function builds it at start, from the environment:
//! the DynamoDB table (`LAPOR_TABLE`), the bucket (`LAPOR_MEDIA_BUCKET`, with
//! `LAPOR_S3_ENDPOINT` to point at moto) and the upload policy. Done once, in init.

use crate::policy::MediaPolicy;
use crate::service::MediaService;
use lapor_api::config::{required, ConfigError, Env, StoreConfig};
use std::sync::Arc;

/// Why a media function could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("configuration")]
    Config(#[from] ConfigError),
}

/// The media service over the table and bucket the environment names.
pub async fn service_from_env() -> Result<MediaService, StartError> {
    let store_config = StoreConfig::from_source(&Env)?;
    let policy = MediaPolicy::from_source(&Env)?;
    let bucket = required(&Env, "LAPOR_MEDIA_BUCKET", "the media S3 bucket name")?;
    let endpoint = lapor_api::config::Source::get(&Env, "LAPOR_S3_ENDPOINT");
    let store =
        lapor_store::dynamo::connect(&store_config.table, store_config.endpoint.as_deref()).await;
    let objects = crate::s3::connect(&bucket, endpoint.as_deref()).await;
    Ok(MediaService::new(
        Arc::new(store),
        Arc::new(objects),
        policy,
    ))
}
