#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let repository = lapor_social::lambda::repository_from_env().await?;
    lapor_api::lambda::run(lapor_api::routes::finish(social_admin::router(repository))).await
}
