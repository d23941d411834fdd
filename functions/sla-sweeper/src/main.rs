use lambda_runtime::{service_fn, LambdaEvent};
use serde_json::{json, Value};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lapor_api::logging::init_lambda();
    let repository = lapor_reports::lambda::repository_from_env().await?;
    let repository = &repository;
    lambda_runtime::run(service_fn(move |_: LambdaEvent<Value>| async move {
        let outcome = sla_sweeper::run_once(repository).await?;
        Ok::<Value, lambda_runtime::Error>(json!({
            "examined": outcome.examined,
            "escalated": outcome.escalated,
            "closed": outcome.closed,
            "raced": outcome.raced,
        }))
    }))
    .await
}
