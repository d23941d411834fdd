use lambda_runtime::{service_fn, LambdaEvent};
use lapor_feeds::ingest::FeedSources;
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lapor_api::logging::init_lambda();
    let repository = lapor_feeds::lambda::repository_from_env().await?;
    let sources = FeedSources::from_source(&lapor_api::config::Env)?;
    let client = reqwest::Client::builder()
        .user_agent("LaporBupatiTegal-feed-ingest/1")
        .build()?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let (repository, client, sources) = (&repository, &client, &sources);
        async move {
            let report = feed_ingest::handle(repository, client, sources, &event.payload).await;
            serde_json::to_value(report).map_err(lambda_runtime::Error::from)
        }
    }))
    .await
}
