#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let service = lapor_notifications::lambda::service_from_env().await?;
    let reference = std::sync::Arc::new(lapor_models::ReferenceData::tegal()?);
    lapor_api::lambda::run(lapor_api::routes::finish(notification_admin::router(
        service, reference,
    )))
    .await
}
