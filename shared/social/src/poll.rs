//! The poller (`social-poll`, every 15 minutes): for each active account, read the posts
//! published since its cursor through its platform's adapter over HTTP, store them, then
//! move the cursor — only after the posts are stored, so a failure re-reads rather than
//! loses. Rate limits are respected: a 429 waits `Retry-After` (or X's
//! `x-rate-limit-reset`, or a doubling backoff) within a bound, and an account whose
//! usage headers (X's `x-rate-limit-remaining: 0`, Meta's `X-App-Usage` /
//! `X-Business-Use-Case-Usage` near 100 %) say stop is left for the next run. One failing
//! account never stops the others.

use crate::adapters::{self, AdapterError, ApiBases, ApiRequest, AuthStyle};
use crate::model::{Account, FetchedPost, PollCursor};
use crate::repository::{SocialError, SocialRepository};
use async_trait::async_trait;
use http::HeaderMap;
use lapor_models::Timestamp;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Where account tokens come from, by the account's credentials reference.
#[async_trait]
pub trait Credentials: Send + Sync {
    async fn token(&self, reference: &str) -> Result<String, CredentialError>;
}

/// The token could not be had.
#[derive(Debug, thiserror::Error)]
#[error("no credential under {reference}")]
pub struct CredentialError {
    pub reference: String,
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// Locally: the reference names an environment variable.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvCredentials;

#[async_trait]
impl Credentials for EnvCredentials {
    async fn token(&self, reference: &str) -> Result<String, CredentialError> {
        std::env::var(reference)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| CredentialError {
                reference: reference.to_owned(),
                source: None,
            })
    }
}

/// Tokens held in memory (read once from a file or a secret at start).
#[derive(Debug, Clone, Default)]
pub struct FixedCredentials(pub HashMap<String, String>);

#[async_trait]
impl Credentials for FixedCredentials {
    async fn token(&self, reference: &str) -> Result<String, CredentialError> {
        self.0
            .get(reference)
            .cloned()
            .ok_or_else(|| CredentialError {
                reference: reference.to_owned(),
                source: None,
            })
    }
}

/// Settings of the poller.
#[derive(Debug, Clone, PartialEq)]
pub struct PollConfig {
    pub bases: ApiBases,
    /// Most pages read from one account in one run.
    pub max_pages: usize,
    /// Most retries of one throttled call.
    pub max_retries: u32,
    /// Longest wait for one throttled call; a longer one leaves the account for the next run.
    pub max_wait: Duration,
    /// Timeout of one HTTP call.
    pub timeout: Duration,
}

impl Default for PollConfig {
    fn default() -> Self {
        Self {
            bases: ApiBases::default(),
            max_pages: 10,
            max_retries: 3,
            max_wait: Duration::from_secs(60),
            timeout: Duration::from_secs(20),
        }
    }
}

impl PollConfig {
    /// From the API base variables and `LAPOR_SOCIAL_MAX_PAGES`,
    /// `LAPOR_SOCIAL_MAX_WAIT_SECS`.
    pub fn from_source(
        source: &dyn lapor_api::config::Source,
    ) -> Result<Self, lapor_api::config::ConfigError> {
        use lapor_api::config::parsed_or;
        let defaults = Self::default();
        Ok(Self {
            bases: ApiBases::from_source(source),
            max_pages: parsed_or(source, "LAPOR_SOCIAL_MAX_PAGES", defaults.max_pages)?,
            max_retries: defaults.max_retries,
            max_wait: Duration::from_secs(parsed_or(
                source,
                "LAPOR_SOCIAL_MAX_WAIT_SECS",
                defaults.max_wait.as_secs(),
            )?),
            timeout: defaults.timeout,
        })
    }
}

/// Why one account could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    #[error(transparent)]
    Credentials(#[from] CredentialError),
    #[error("the call failed")]
    Http(#[from] reqwest::Error),
    #[error("the platform answered {status}")]
    Status {
        status: u16,
        #[source]
        error: Option<AdapterError>,
    },
    #[error("still throttled after the allowed waits")]
    RateLimited,
    #[error(transparent)]
    Adapter(#[from] AdapterError),
    #[error(transparent)]
    Social(#[from] SocialError),
}

/// What one run did with one account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AccountRun {
    pub platform: String,
    pub account_id: String,
    pub fetched: usize,
    pub stored: usize,
    pub updated: usize,
    pub linked: usize,
    pub deleted: usize,
    /// Calls answered 429 and waited for.
    pub throttled: usize,
    /// The platform's usage said to stop before the pages ran out.
    pub stopped_by_usage: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PollRun {
    pub accounts: Vec<AccountRun>,
}

impl PollRun {
    pub fn stored(&self) -> usize {
        self.accounts.iter().map(|a| a.stored).sum()
    }
    pub fn failed(&self) -> usize {
        self.accounts.iter().filter(|a| a.error.is_some()).count()
    }
}

/// The poller: the repository, one HTTP client, the credentials, the settings.
#[derive(Clone)]
pub struct Poller {
    pub repository: SocialRepository,
    pub client: reqwest::Client,
    pub credentials: Arc<dyn Credentials>,
    pub config: PollConfig,
}

/// What to do after an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    Proceed,
    /// Read no further pages of this account in this run.
    StopAfterThis,
    /// Wait, then send again.
    Wait(Duration),
}

/// Meta's usage headers: the highest percentage, and the time to regain access (minutes).
fn meta_usage(headers: &HeaderMap) -> (f64, f64) {
    let mut highest: f64 = 0.0;
    let mut regain: f64 = 0.0;
    let mut visit = |value: &Value| {
        for name in ["call_count", "total_cputime", "total_time"] {
            if let Some(n) = value.get(name).and_then(Value::as_f64) {
                highest = highest.max(n);
            }
        }
        if let Some(n) = value
            .get("estimated_time_to_regain_access")
            .and_then(Value::as_f64)
        {
            regain = regain.max(n);
        }
    };
    if let Some(app) = header_json(headers, "x-app-usage") {
        visit(&app);
    }
    if let Some(Value::Object(business)) = header_json(headers, "x-business-use-case-usage") {
        for entries in business.values() {
            for entry in entries.as_array().into_iter().flatten() {
                visit(entry);
            }
        }
    }
    (highest, regain)
}

fn header_json(headers: &HeaderMap, name: &str) -> Option<Value> {
    serde_json::from_str(headers.get(name)?.to_str().ok()?).ok()
}

fn header_number(headers: &HeaderMap, name: &str) -> Option<i64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// How long a throttled answer asks to wait: `Retry-After` seconds, else X's reset time,
/// else a doubling backoff from one second.
pub fn throttle_wait(headers: &HeaderMap, attempt: u32, now: Timestamp) -> Duration {
    if let Some(seconds) = header_number(headers, "retry-after") {
        return Duration::from_secs(seconds.max(0) as u64);
    }
    if let Some(reset) = header_number(headers, "x-rate-limit-reset") {
        let left = reset - now.as_utc().timestamp();
        return Duration::from_secs(left.max(0) as u64);
    }
    Duration::from_secs(1u64 << attempt.min(6))
}

/// What the usage headers of a successful answer say.
pub fn usage_decision(headers: &HeaderMap) -> RateDecision {
    if header_number(headers, "x-rate-limit-remaining") == Some(0) {
        return RateDecision::StopAfterThis;
    }
    let (highest, regain) = meta_usage(headers);
    if highest >= 95.0 || regain > 0.0 {
        return RateDecision::StopAfterThis;
    }
    RateDecision::Proceed
}

impl Poller {
    /// One run over every active account.
    pub async fn run(&self, now: Timestamp) -> Result<PollRun, SocialError> {
        let accounts = self.repository.active_accounts().await?;
        let mut run = PollRun::default();
        for account in accounts {
            let mut outcome = AccountRun {
                platform: account.platform.to_string(),
                account_id: account.account_id.clone(),
                ..AccountRun::default()
            };
            if let Err(error) = self.poll_account(&account, now, &mut outcome).await {
                tracing::warn!(
                    platform = %account.platform,
                    account = %account.account_id,
                    error = %error,
                    cause = ?std::error::Error::source(&error).map(ToString::to_string),
                    "polling an account failed; the others go on"
                );
                outcome.error = Some(error.to_string());
            }
            run.accounts.push(outcome);
        }
        Ok(run)
    }

    /// Reads, stores, then moves the cursor of one account.
    pub async fn poll_account(
        &self,
        account: &Account,
        now: Timestamp,
        outcome: &mut AccountRun,
    ) -> Result<(), PollError> {
        let token = self.credentials.token(&account.credentials_ref).await?;
        let cursor = self.repository.cursor(account).await?;
        let mut posts: Vec<FetchedPost> = Vec::new();
        let mut gone: Vec<String> = Vec::new();
        let mut newest_id = None;
        let mut page_token: Option<String> = None;
        for page_number in 0..self.config.max_pages.max(1) {
            let request =
                adapters::request(&self.config.bases, account, &cursor, page_token.as_deref());
            let (body, decision) = self.send(&request, &token, now, outcome).await?;
            let page = adapters::parse(account, &body)?;
            if page_number == 0 {
                newest_id = page.newest_id.clone();
            }
            let reached_known = cursor
                .newest_at
                .is_some_and(|known| page.posts.iter().any(|p| p.published_at < known));
            posts.extend(page.posts.into_iter().filter(|p| {
                cursor.newest_at.is_none_or(|known| p.published_at >= known) || p.deleted
            }));
            gone.extend(page.gone);
            if decision == RateDecision::StopAfterThis {
                outcome.stopped_by_usage = true;
                break;
            }
            match page.next {
                Some(next) if !reached_known => page_token = Some(next),
                _ => break,
            }
        }
        outcome.fetched = posts.len();
        let mut newest_at = cursor.newest_at;
        for post in &posts {
            let recorded = self.repository.record(account, post, now).await?;
            outcome.stored += usize::from(recorded.created);
            outcome.updated += usize::from(recorded.updated);
            outcome.linked += recorded.linked;
            outcome.deleted += usize::from(post.deleted);
            if !post.deleted {
                newest_at = newest_at.max(Some(post.published_at));
            }
        }
        for id in &gone {
            if self
                .repository
                .mark_deleted(account.platform, id, now)
                .await?
            {
                outcome.deleted += 1;
            }
        }
        let next_cursor = PollCursor {
            newest_at,
            since_id: newest_id.or(cursor.since_id.clone()),
        };
        if next_cursor != cursor {
            self.repository.save_cursor(account, &next_cursor).await?;
        }
        Ok(())
    }

    /// Sends one request, waiting out throttling within the bounds.
    async fn send(
        &self,
        request: &ApiRequest,
        token: &str,
        now: Timestamp,
        outcome: &mut AccountRun,
    ) -> Result<(Vec<u8>, RateDecision), PollError> {
        for attempt in 0..=self.config.max_retries {
            let mut builder = self
                .client
                .request(request.method.clone(), &request.url)
                .timeout(self.config.timeout)
                .query(&request.query);
            builder = match request.auth {
                AuthStyle::Bearer => builder.bearer_auth(token),
                AuthStyle::ApiKeyQuery => builder.query(&[("key", token)]),
            };
            if let Some(body) = &request.json_body {
                builder = builder.json(body);
            }
            let response = builder.send().await?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.bytes().await?.to_vec();
            if status.as_u16() == 429 {
                outcome.throttled += 1;
                let wait = throttle_wait(&headers, attempt, now);
                if attempt == self.config.max_retries || wait > self.config.max_wait {
                    return Err(PollError::RateLimited);
                }
                tokio::time::sleep(wait).await;
                continue;
            }
            if !status.is_success() {
                let error = adapters::parse_error_only(&body);
                if error.as_ref().is_some_and(|e| {
                    matches!(
                        e,
                        AdapterError::Api {
                            throttled: true,
                            ..
                        }
                    )
                }) {
                    return Err(PollError::RateLimited);
                }
                return Err(PollError::Status {
                    status: status.as_u16(),
                    error,
                });
            }
            return Ok((body, usage_decision(&headers)));
        }
        Err(PollError::RateLimited)
    }
}
