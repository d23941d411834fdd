#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let repository = lapor_feeds::lambda::repository_from_env().await?;
    lapor_api::lambda::run(lapor_api::routes::finish(feeds_read::router(repository))).await
}
