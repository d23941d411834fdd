//! The S3 engine of the object-storage port. Upload URLs are SigV4 query-presigned PUTs
//! whose signature covers `content-type` and `content-length` (S3 then refuses any other
//! type or length), for at most 15 minutes.

use crate::objects::{expires_at, valid_key, ObjectError, ObjectStore, SignedRequest};
use crate::policy::MAX_UPLOAD_URL_SECONDS;
use async_trait::async_trait;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;
use std::collections::BTreeMap;
use std::time::Duration;

/// Objects in one S3 bucket.
#[derive(Debug, Clone)]
pub struct S3Objects {
    client: Client,
    bucket: String,
}

/// An S3 client from the environment's AWS configuration; `endpoint` overrides the
/// service endpoint (path-style addressing, for moto).
pub async fn connect(bucket: &str, endpoint: Option<&str>) -> S3Objects {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    let mut builder = aws_sdk_s3::config::Builder::from(&config);
    if let Some(endpoint) = endpoint {
        builder = builder.endpoint_url(endpoint).force_path_style(true);
    }
    S3Objects::new(Client::from_conf(builder.build()), bucket)
}

impl S3Objects {
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
        }
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    pub fn client(&self) -> &Client {
        &self.client
    }
}

fn check(key: &str) -> Result<(), ObjectError> {
    if valid_key(key) {
        Ok(())
    } else {
        Err(ObjectError::InvalidKey(key.to_owned()))
    }
}

/// Maps an SDK failure: transport and throttling failures may be retried.
fn sdk_error<E>(error: SdkError<E, HttpResponse>) -> ObjectError
where
    E: std::error::Error + Send + Sync + 'static,
{
    let retryable = match &error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            status == 429 || status >= 500
        }
        _ => false,
    };
    if retryable {
        ObjectError::Unavailable(Box::new(error))
    } else {
        ObjectError::Internal(Box::new(error))
    }
}

#[async_trait]
impl ObjectStore for S3Objects {
    async fn put(&self, key: &str, content_type: &str, bytes: Vec<u8>) -> Result<(), ObjectError> {
        check(key)?;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, ObjectError> {
        check(key)?;
        let output = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(output) => output,
            Err(SdkError::ServiceError(service)) if service.err().is_no_such_key() => {
                return Err(ObjectError::NotFound(key.to_owned()))
            }
            Err(error) => return Err(sdk_error(error)),
        };
        let bytes = output
            .body
            .collect()
            .await
            .map_err(|e| ObjectError::Unavailable(Box::new(e)))?;
        Ok(bytes.into_bytes().to_vec())
    }

    async fn delete(&self, key: &str) -> Result<(), ObjectError> {
        check(key)?;
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    async fn copy(&self, from: &str, to: &str) -> Result<(), ObjectError> {
        check(from)?;
        check(to)?;
        // Valid keys hold only visible ASCII; those S3 wants escaped in a copy source
        // never occur in the keys this service makes, but escape them anyway.
        let source: String = format!("{}/{from}", self.bucket)
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        match self
            .client
            .copy_object()
            .bucket(&self.bucket)
            .key(to)
            .copy_source(source)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(service)) if service.raw().status().as_u16() == 404 => {
                Err(ObjectError::NotFound(from.to_owned()))
            }
            Err(error) => Err(sdk_error(error)),
        }
    }

    async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        content_length: u64,
        expires: Duration,
    ) -> Result<SignedRequest, ObjectError> {
        check(key)?;
        let expires = expires.min(Duration::from_secs(MAX_UPLOAD_URL_SECONDS));
        let config = PresigningConfig::expires_in(expires)
            .map_err(|e| ObjectError::Internal(Box::new(e)))?;
        let length =
            i64::try_from(content_length).map_err(|e| ObjectError::Internal(Box::new(e)))?;
        let presigned = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(length)
            .presigned(config)
            .await
            .map_err(sdk_error)?;
        let headers: BTreeMap<String, String> = presigned
            .headers()
            .map(|(name, value)| (name.to_ascii_lowercase(), value.to_owned()))
            .collect();
        Ok(SignedRequest {
            method: "PUT",
            url: presigned.uri().to_owned(),
            headers,
            expires_at: expires_at(expires),
        })
    }

    async fn presign_get(
        &self,
        key: &str,
        expires: Duration,
    ) -> Result<SignedRequest, ObjectError> {
        check(key)?;
        let config = PresigningConfig::expires_in(expires)
            .map_err(|e| ObjectError::Internal(Box::new(e)))?;
        let presigned = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(config)
            .await
            .map_err(sdk_error)?;
        Ok(SignedRequest {
            method: "GET",
            url: presigned.uri().to_owned(),
            headers: BTreeMap::new(),
            expires_at: expires_at(expires),
        })
    }
}
