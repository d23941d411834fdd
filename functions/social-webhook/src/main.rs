#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let repository = lapor_social::lambda::repository_from_env().await?;
    let secrets = lapor_social::webhook::WebhookSecrets::from_source(&lapor_api::config::Env);
    lapor_api::lambda::run(lapor_api::routes::finish(social_webhook::router(
        repository, secrets,
    )))
    .await
}
