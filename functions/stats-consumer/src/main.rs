use aws_lambda_events::event::dynamodb::Event;
use lambda_runtime::{service_fn, LambdaEvent};
use lapor_api::config::{Env, StoreConfig};
use lapor_stats::StatsConsumer;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lapor_api::logging::init_lambda();
    let config = StoreConfig::from_source(&Env)?;
    let store = lapor_store::dynamo::connect(&config.table, config.endpoint.as_deref()).await;
    let consumer = StatsConsumer::new(Arc::new(store));
    let consumer = &consumer;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Event>| async move {
        Ok::<_, lambda_runtime::Error>(stats_consumer::handle(consumer, event.payload).await)
    }))
    .await
}
