//! Cognito tokens checked inside a function, for the routes API Gateway lets through
//! without an authorizer.
//!
//! An HTTP API cannot make its JWT authorizer optional: a route either demands a token
//! or never looks at one. `GET /v1/reports/{id}` serves everyone but shows the reporter
//! and the unit's PICs more, so in AWS it has no authorizer and the function checks a
//! `Bearer` token itself, exactly as the authorizer would: RS256 signature by a key of
//! the user pool's key set (`<issuer>/.well-known/jwks.json`), issuer, app client
//! (`aud` of an ID token, `client_id` of an access token), `token_use`, expiry.
//!
//! The key set is fetched on the first token, kept for the life of the process, and
//! fetched again (at most once a minute) when a token names a key it does not hold,
//! which is how Cognito rotates keys. When the key set cannot be fetched the caller gets
//! a retryable 503, never the public view of a report they are entitled to see.

use crate::config::{ConfigError, Source};
use crate::identity::Claims;
use aws_lc_rs::signature::{RsaPublicKeyComponents, RSA_PKCS1_2048_8192_SHA256};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, RwLock};

/// Variable naming the user pool's issuer, `https://cognito-idp.<region>.amazonaws.com/<pool id>`.
pub const ISSUER_VARIABLE: &str = "LAPOR_COGNITO_ISSUER";
/// Variable naming the app client whose tokens are accepted.
pub const CLIENT_ID_VARIABLE: &str = "LAPOR_COGNITO_CLIENT_ID";

/// A token names a key the process does not hold: fetch the key set again, but not more
/// often than this, so that forged key ids cannot make every request a fetch.
const REFETCH_INTERVAL: Duration = Duration::from_secs(60);
/// How long a key-set fetch may take before the request is answered 503.
const FETCH_TIMEOUT: Duration = Duration::from_secs(3);

/// Which user pool and app client a function trusts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CognitoConfig {
    pub issuer: String,
    pub client_id: String,
}

impl CognitoConfig {
    /// Both variables, or neither (then no token is checked in the function: routes
    /// without an authorizer treat every caller as anonymous).
    pub fn from_source(source: &dyn Source) -> Result<Option<Self>, ConfigError> {
        match (source.get(ISSUER_VARIABLE), source.get(CLIENT_ID_VARIABLE)) {
            (None, None) => Ok(None),
            (Some(issuer), Some(client_id)) => {
                let issuer = issuer.trim_end_matches('/').to_owned();
                if !(issuer.starts_with("https://") || issuer.starts_with("http://127.0.0.1")) {
                    return Err(ConfigError::Invalid {
                        name: ISSUER_VARIABLE.to_owned(),
                        value: issuer,
                        reason: "an https:// issuer URL is expected".to_owned(),
                    });
                }
                Ok(Some(Self { issuer, client_id }))
            }
            (None, Some(_)) => Err(ConfigError::Missing {
                name: ISSUER_VARIABLE.to_owned(),
                hint: "set together with LAPOR_COGNITO_CLIENT_ID",
            }),
            (Some(_), None) => Err(ConfigError::Missing {
                name: CLIENT_ID_VARIABLE.to_owned(),
                hint: "set together with LAPOR_COGNITO_ISSUER",
            }),
        }
    }

    /// Where the user pool publishes its signing keys.
    pub fn jwks_url(&self) -> String {
        format!("{}/.well-known/jwks.json", self.issuer)
    }
}

/// Why the key set could not be had.
#[derive(Debug, thiserror::Error)]
pub enum KeySetError {
    #[error("fetching the key set from {url} failed")]
    Fetch {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("the key set at {url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("the key set is not a JSON Web Key Set")]
    Parse(#[source] serde_json::Error),
}

/// Why a token does not identify a caller.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not a well-formed JWT")]
    Malformed,
    #[error("the token is signed with {0:?}, not RS256")]
    Algorithm(String),
    #[error("the user pool holds no signing key {0:?}")]
    UnknownKey(String),
    #[error("the token's signature does not verify")]
    Signature,
    #[error("the token was issued by {0:?}, not by this user pool")]
    Issuer(String),
    #[error("the token was issued to another app client")]
    Audience,
    #[error("the token is neither an ID token nor an access token")]
    TokenUse,
    #[error("the token has expired")]
    Expired,
    #[error("the token was issued in the future")]
    IssuedInTheFuture,
    #[error("the user pool's signing keys are unavailable")]
    KeysUnavailable(#[source] KeySetError),
}

impl TokenError {
    /// A retry may succeed (the key set could not be fetched); every other error is the
    /// token's fault.
    pub fn is_retryable(&self) -> bool {
        matches!(self, TokenError::KeysUnavailable(_))
    }
}

#[derive(Deserialize)]
struct KeySet {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kid: Option<String>,
    kty: String,
    n: Option<String>,
    e: Option<String>,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
}

type Key = RsaPublicKeyComponents<Vec<u8>>;

#[derive(Default)]
struct Cache {
    keys: HashMap<String, Key>,
    fetched_at: Option<Instant>,
}

/// Checks Cognito tokens against one user pool and app client. One per process.
pub struct TokenVerifier {
    config: CognitoConfig,
    client: reqwest::Client,
    cache: RwLock<Cache>,
    refetch_interval: Duration,
    /// Held while fetching, so that a burst of requests fetches the key set once.
    fetching: Mutex<()>,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenVerifier")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl TokenVerifier {
    pub fn new(config: CognitoConfig, client: reqwest::Client) -> Self {
        Self {
            config,
            client,
            cache: RwLock::new(Cache::default()),
            refetch_interval: REFETCH_INTERVAL,
            fetching: Mutex::new(()),
        }
    }

    /// Sets how soon after a fetch a token naming an unknown key may fetch the key set
    /// again (one minute unless set).
    pub fn with_refetch_interval(mut self, interval: Duration) -> Self {
        self.refetch_interval = interval;
        self
    }

    /// The claims of `token` if it is a valid token of this user pool and app client at
    /// `now` (seconds since the epoch).
    pub async fn verify(&self, token: &str, now: i64) -> Result<Claims, TokenError> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let header: Header = decode_json(header)?;
        if header.alg != "RS256" {
            return Err(TokenError::Algorithm(header.alg));
        }
        let kid = header.kid.ok_or(TokenError::Malformed)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TokenError::Malformed)?;
        let key = self.key(&kid).await?;
        let signed = &token[..header_and_payload_len(token)];
        key.verify(&RSA_PKCS1_2048_8192_SHA256, signed.as_bytes(), &signature)
            .map_err(|_| TokenError::Signature)?;
        let payload: Value = decode_json(payload)?;
        self.check_claims(&payload, now)?;
        Ok(Claims::from_json(&payload))
    }

    fn check_claims(&self, payload: &Value, now: i64) -> Result<(), TokenError> {
        let text = |name: &str| payload.get(name).and_then(Value::as_str);
        let issuer = text("iss").unwrap_or_default();
        if issuer != self.config.issuer {
            return Err(TokenError::Issuer(issuer.to_owned()));
        }
        let client = match text("token_use") {
            Some("id") => text("aud"),
            Some("access") => text("client_id"),
            _ => return Err(TokenError::TokenUse),
        };
        if client != Some(self.config.client_id.as_str()) {
            return Err(TokenError::Audience);
        }
        let expires = payload.get("exp").and_then(Value::as_i64);
        if expires.is_none_or(|exp| exp <= now) {
            return Err(TokenError::Expired);
        }
        // A minute of clock skew between Cognito and Lambda is tolerated.
        if payload
            .get("iat")
            .and_then(Value::as_i64)
            .is_some_and(|iat| iat > now + 60)
        {
            return Err(TokenError::IssuedInTheFuture);
        }
        Ok(())
    }

    async fn key(&self, kid: &str) -> Result<Key, TokenError> {
        let refetch_due = {
            let cache = self.cache.read().await;
            if let Some(key) = cache.keys.get(kid) {
                return Ok(key.clone());
            }
            cache
                .fetched_at
                .is_none_or(|at| at.elapsed() >= self.refetch_interval)
        };
        if !refetch_due {
            return Err(TokenError::UnknownKey(kid.to_owned()));
        }
        let _fetching = self.fetching.lock().await;
        // Another request may have fetched the set while this one waited.
        {
            let cache = self.cache.read().await;
            if let Some(key) = cache.keys.get(kid) {
                return Ok(key.clone());
            }
            if cache
                .fetched_at
                .is_some_and(|at| at.elapsed() < self.refetch_interval)
            {
                return Err(TokenError::UnknownKey(kid.to_owned()));
            }
        }
        let keys = self.fetch().await.map_err(TokenError::KeysUnavailable)?;
        let found = keys.get(kid).cloned();
        *self.cache.write().await = Cache {
            keys,
            fetched_at: Some(Instant::now()),
        };
        found.ok_or_else(|| TokenError::UnknownKey(kid.to_owned()))
    }

    async fn fetch(&self) -> Result<HashMap<String, Key>, KeySetError> {
        let url = self.config.jwks_url();
        let fetch_error = |source| KeySetError::Fetch {
            url: url.clone(),
            source,
        };
        let response = self
            .client
            .get(&url)
            .timeout(FETCH_TIMEOUT)
            .send()
            .await
            .map_err(fetch_error)?;
        if !response.status().is_success() {
            return Err(KeySetError::Status {
                url: url.clone(),
                status: response.status().as_u16(),
            });
        }
        let body = response.bytes().await.map_err(fetch_error)?;
        let set: KeySet = serde_json::from_slice(&body).map_err(KeySetError::Parse)?;
        tracing::info!(
            keys = set.keys.len(),
            "fetched the user pool's signing keys"
        );
        Ok(set
            .keys
            .into_iter()
            .filter(|jwk| jwk.kty == "RSA")
            .filter_map(|jwk| {
                let n = URL_SAFE_NO_PAD.decode(jwk.n?).ok()?;
                let e = URL_SAFE_NO_PAD.decode(jwk.e?).ok()?;
                Some((jwk.kid?, RsaPublicKeyComponents { n, e }))
            })
            .collect())
    }
}

fn decode_json<T: serde::de::DeserializeOwned>(part: &str) -> Result<T, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| TokenError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed)
}

/// Length of `header.payload`, the part of a JWT its signature covers.
fn header_and_payload_len(token: &str) -> usize {
    token.rfind('.').unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_verifier_is_configured_by_both_variables_or_neither() {
        assert_eq!(CognitoConfig::from_source(&source(&[])).unwrap(), None);
        let config = CognitoConfig::from_source(&source(&[
            (
                ISSUER_VARIABLE,
                "https://cognito-idp.ap-southeast-3.amazonaws.com/pool/",
            ),
            (CLIENT_ID_VARIABLE, "client"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(
            config.jwks_url(),
            "https://cognito-idp.ap-southeast-3.amazonaws.com/pool/.well-known/jwks.json"
        );
        assert!(CognitoConfig::from_source(&source(&[(CLIENT_ID_VARIABLE, "c")])).is_err());
        assert!(CognitoConfig::from_source(&source(&[(ISSUER_VARIABLE, "https://x")])).is_err());
        assert!(CognitoConfig::from_source(&source(&[
            (ISSUER_VARIABLE, "http://evil.example/pool"),
            (CLIENT_ID_VARIABLE, "c")
        ]))
        .is_err());
    }

    #[tokio::test]
    async fn malformed_tokens_are_refused_before_any_key_is_fetched() {
        let verifier = TokenVerifier::new(
            CognitoConfig {
                // Nothing listens here: a fetch would fail as KeysUnavailable.
                issuer: "http://127.0.0.1:9/pool".into(),
                client_id: "c".into(),
            },
            reqwest::Client::new(),
        );
        for token in ["", "a.b", "a.b.c.d", "!!.??.##"] {
            assert!(matches!(
                verifier.verify(token, 0).await,
                Err(TokenError::Malformed)
            ));
        }
        let none_alg = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"k"}"#),
            URL_SAFE_NO_PAD.encode(r#"{"sub":"u"}"#)
        );
        assert!(matches!(
            verifier.verify(&none_alg, 0).await,
            Err(TokenError::Algorithm(alg)) if alg == "none"
        ));
    }
}
