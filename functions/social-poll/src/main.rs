use lambda_runtime::{service_fn, LambdaEvent};
use lapor_social::poll::{EnvCredentials, PollConfig, Poller};
use serde_json::Value;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lapor_api::logging::init_lambda();
    // reqwest's rustls without a bundled provider: the process-wide aws-lc-rs one.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let repository = lapor_social::lambda::repository_from_env().await?;
    let poller = Poller {
        repository,
        client: reqwest::Client::builder()
            .user_agent("LaporBupatiTegal-social-poll/1")
            .build()?,
        // The Lambda environment carries the tokens named by the accounts' references
        // (resolved from SSM parameters at deploy time).
        credentials: Arc::new(EnvCredentials),
        config: PollConfig::from_source(&lapor_api::config::Env)?,
    };
    let poller = &poller;
    lambda_runtime::run(service_fn(move |_: LambdaEvent<Value>| async move {
        let run = social_poll::run_once(poller).await?;
        serde_json::to_value(run).map_err(lambda_runtime::Error::from)
    }))
    .await
}
