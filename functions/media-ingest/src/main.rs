use aws_lambda_events::event::s3::S3Event;
use lambda_runtime::{service_fn, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lapor_api::logging::init_lambda();
    let service = lapor_media::lambda::service_from_env().await?;
    let service = &service;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<S3Event>| async move {
        media_ingest::handle(service, event.payload)
            .await
            .map_err(lambda_runtime::Error::from)
    }))
    .await
}
