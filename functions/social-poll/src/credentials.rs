//! Account tokens in AWS: each account's `credentials_ref` names an SSM parameter (a
//! SecureString) under the stage's prefix, `/lapor/<stage>/social/`, the only path the
//! function's role may read. A reference is either the parameter's name below the prefix
//! (`ig-dpupr`) or its full name (`/lapor/prod/social/ig-dpupr`); a full name outside the
//! prefix is refused before any call. Tokens are kept for a few minutes, so that a run
//! reads each parameter once and a rotated token is picked up by the next run.

use async_trait::async_trait;
use aws_sdk_ssm::Client;
use lapor_social::poll::{CredentialError, Credentials};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// How long a token read from SSM is reused.
const CACHE_FOR: Duration = Duration::from_secs(300);

/// Tokens read from SSM Parameter Store.
pub struct SsmCredentials {
    client: Client,
    prefix: String,
    cache: Mutex<HashMap<String, (String, Instant)>>,
}

/// Why a reference names no parameter this function may read.
#[derive(Debug, thiserror::Error)]
#[error("{reference} is not a parameter under {prefix}")]
pub struct OutsidePrefix {
    reference: String,
    prefix: String,
}

impl SsmCredentials {
    /// Reads parameters under `prefix` (made to end with `/`).
    pub fn new(client: Client, prefix: &str) -> Self {
        let prefix = format!("{}/", prefix.trim_end_matches('/'));
        Self {
            client,
            prefix,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// A client from the default chain; `endpoint` points it elsewhere (moto in tests).
    pub async fn connect(prefix: &str, endpoint: Option<&str>) -> Self {
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
        if let Some(endpoint) = endpoint {
            loader = loader.endpoint_url(endpoint);
        }
        Self::new(Client::new(&loader.load().await), prefix)
    }

    /// The full parameter name of `reference`.
    pub fn parameter_name(&self, reference: &str) -> Result<String, OutsidePrefix> {
        let name = if reference.starts_with('/') {
            reference.to_owned()
        } else {
            format!("{}{reference}", self.prefix)
        };
        let below = name.strip_prefix(&self.prefix).unwrap_or_default();
        if below.is_empty() || below.split('/').any(|part| part.is_empty() || part == "..") {
            return Err(OutsidePrefix {
                reference: reference.to_owned(),
                prefix: self.prefix.clone(),
            });
        }
        Ok(name)
    }
}

#[async_trait]
impl Credentials for SsmCredentials {
    async fn token(&self, reference: &str) -> Result<String, CredentialError> {
        let failed = |source: Box<dyn std::error::Error + Send + Sync>| CredentialError {
            reference: reference.to_owned(),
            source: Some(source),
        };
        let name = self
            .parameter_name(reference)
            .map_err(|e| failed(Box::new(e)))?;
        if let Some((token, read_at)) = self.cache.lock().await.get(&name) {
            if read_at.elapsed() < CACHE_FOR {
                return Ok(token.clone());
            }
        }
        let output = self
            .client
            .get_parameter()
            .name(&name)
            .with_decryption(true)
            .send()
            .await
            .map_err(|e| failed(Box::new(e)))?;
        let token = output
            .parameter
            .and_then(|p| p.value)
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| CredentialError {
                reference: reference.to_owned(),
                source: None,
            })?;
        self.cache
            .lock()
            .await
            .insert(name, (token.clone(), Instant::now()));
        Ok(token)
    }
}
