use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    use lapor_api::config::{required, Env, Source, StoreConfig};
    let store_config = StoreConfig::from_source(&Env)?;
    let bucket = required(&Env, "LAPOR_MEDIA_BUCKET", "the media S3 bucket name")?;
    // One DynamoDB client for the whole process, shared by reports and media.
    let store: Arc<dyn lapor_store::ItemStore> = Arc::new(
        lapor_store::dynamo::connect(&store_config.table, store_config.endpoint.as_deref()).await,
    );
    let objects = lapor_media::s3::connect(&bucket, Env.get("LAPOR_S3_ENDPOINT").as_deref()).await;
    let media = lapor_media::MediaService::new(
        store.clone(),
        Arc::new(objects),
        lapor_media::MediaPolicy::from_source(&Env)?,
    );
    let reports = lapor_reports::lambda::repository_on(store)?;
    lapor_api::lambda::run(lapor_api::routes::finish(reports_read::router(
        reports, media,
    )))
    .await
}
