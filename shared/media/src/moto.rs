//! Test support for code that runs against S3: a fresh bucket on the `moto_server` that
//! `tests/run` starts (`MOTO_ENDPOINT`), with static test credentials. Without
//! `MOTO_ENDPOINT` it panics with the command to run, so a test can never pass by
//! silently skipping S3.

use crate::s3::S3Objects;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};

/// The moto endpoint, or a panic that says how to start it.
pub fn endpoint() -> String {
    std::env::var("MOTO_ENDPOINT").unwrap_or_else(|_| {
        panic!(
            "MOTO_ENDPOINT is not set: run ./tests/run, or start moto \
             (`.venv/bin/moto_server -H 127.0.0.1 -p 5123`) and set \
             MOTO_ENDPOINT=http://127.0.0.1:5123"
        )
    })
}

/// Objects in a new bucket on moto (region `ap-southeast-3`, path-style addressing).
pub async fn fresh_bucket() -> S3Objects {
    let config = aws_sdk_s3::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("ap-southeast-3"))
        .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
        .endpoint_url(endpoint())
        .force_path_style(true)
        .build();
    let client = aws_sdk_s3::Client::from_conf(config);
    let bucket = format!("lapor-media-{}", uuid::Uuid::new_v4().simple());
    let location = CreateBucketConfiguration::builder()
        .location_constraint(BucketLocationConstraint::from("ap-southeast-3"))
        .build();
    if let Err(error) = client
        .create_bucket()
        .bucket(&bucket)
        .create_bucket_configuration(location)
        .send()
        .await
    {
        panic!("cannot create bucket {bucket} on moto: {error:?}");
    }
    S3Objects::new(client, bucket)
}
