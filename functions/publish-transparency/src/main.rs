use lambda_runtime::{service_fn, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lapor_api::logging::init_lambda();
    let publisher = publish_transparency::lambda::publisher_from_env().await?;
    let publisher = &publisher;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        publish_transparency::handle_lambda_event(publisher, event.payload).await
    }))
    .await
}
