use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    use lapor_api::config::{required, Env, Source};
    let repository = lapor_feeds::lambda::repository_from_env().await?;
    // Saved items' uploads are copied from the media bucket to the public site bucket,
    // served by CloudFront at LAPOR_PUBLIC_SITE_URL.
    let media_bucket = required(&Env, "LAPOR_MEDIA_BUCKET", "the media S3 bucket name")?;
    let site_bucket = required(&Env, "LAPOR_SITE_BUCKET", "the public site S3 bucket name")?;
    let site_url = required(
        &Env,
        "LAPOR_PUBLIC_SITE_URL",
        "where the public site is served",
    )?;
    let endpoint = Env.get("LAPOR_S3_ENDPOINT");
    // One S3 client (one SDK configuration) for both buckets.
    let media = lapor_media::s3::connect(&media_bucket, endpoint.as_deref()).await;
    let site = lapor_media::s3::S3Objects::new(media.client().clone(), site_bucket);
    let site_media = lapor_feeds::media::SiteMedia::new(
        lapor_media::UploadRepository::new(repository.store().clone()),
        Arc::new(media),
        Arc::new(site),
    );
    site_media.set_base_url(&site_url);
    let repository = repository.with_site_media(site_media);
    lapor_api::lambda::run(lapor_api::routes::finish(feeds_admin::router(repository))).await
}
