use lambda_runtime::{service_fn, LambdaEvent};
use lapor_api::config::{Env, Source};
use lapor_social::poll::{Credentials, EnvCredentials, PollConfig, Poller};
use serde_json::Value;
use social_poll::credentials::SsmCredentials;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lapor_api::logging::init_lambda();
    // reqwest's rustls without a bundled provider: the process-wide aws-lc-rs one.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let repository = lapor_social::lambda::repository_from_env().await?;
    // In AWS each account's credentials reference names an SSM parameter under
    // LAPOR_SOCIAL_CREDENTIALS_PREFIX; without it (a bare runtime on one machine) the
    // reference names an environment variable.
    let credentials: Arc<dyn Credentials> = match Env.get("LAPOR_SOCIAL_CREDENTIALS_PREFIX") {
        Some(prefix) => Arc::new(
            SsmCredentials::connect(&prefix, Env.get("LAPOR_SSM_ENDPOINT").as_deref()).await,
        ),
        None => Arc::new(EnvCredentials),
    };
    let poller = Poller {
        repository,
        client: reqwest::Client::builder()
            .user_agent("LaporBupatiTegal-social-poll/1")
            .build()?,
        credentials,
        config: PollConfig::from_source(&lapor_api::config::Env)?,
    };
    let poller = &poller;
    lambda_runtime::run(service_fn(move |_: LambdaEvent<Value>| async move {
        let run = social_poll::run_once(poller).await?;
        serde_json::to_value(run).map_err(lambda_runtime::Error::from)
    }))
    .await
}
