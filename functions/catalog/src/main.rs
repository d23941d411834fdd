use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let data = lapor_models::ReferenceData::tegal()?;
    let catalog = Arc::new(catalog::Catalog::new(&data));
    lapor_api::lambda::run(lapor_api::routes::finish(catalog::router(catalog))).await
}
