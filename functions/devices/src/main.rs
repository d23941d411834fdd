#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let service = lapor_notifications::lambda::service_from_env().await?;
    lapor_api::lambda::run(lapor_api::routes::finish(devices::router(service))).await
}
