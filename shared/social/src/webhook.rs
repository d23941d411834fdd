//! Meta's webhooks for real-time Page and Instagram updates: the subscription challenge
//! (`hub.mode=subscribe`, `hub.verify_token`, echo `hub.challenge`), the signature check
//! of a notification (`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with
//! the app secret>`, compared in constant time), and what a verified notification asks:
//! a Page feed post added, edited or removed, or an Instagram account to read again
//! (Instagram notifications carry ids, not captions).

use crate::model::{FetchedPost, Platform};
use crate::repository::{SocialError, SocialRepository};
use hmac::{Hmac, Mac};
use lapor_models::Timestamp;
use serde::Serialize;
use serde_json::Value;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The app's webhook settings.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecrets {
    pub verify_token: String,
    pub app_secret: String,
}

impl std::fmt::Debug for WebhookSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecrets { .. }")
    }
}

impl WebhookSecrets {
    /// From `LAPOR_META_VERIFY_TOKEN` and `LAPOR_META_APP_SECRET`; `None` when either is
    /// unset (the webhook then refuses everything).
    pub fn from_source(source: &dyn lapor_api::config::Source) -> Option<Self> {
        let verify_token = source
            .get("LAPOR_META_VERIFY_TOKEN")
            .filter(|v| !v.is_empty())?;
        let app_secret = source
            .get("LAPOR_META_APP_SECRET")
            .filter(|v| !v.is_empty())?;
        Some(Self {
            verify_token,
            app_secret,
        })
    }
}

/// Why a webhook call is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WebhookRefusal {
    #[error("the webhook is not configured")]
    NotConfigured,
    #[error("not a subscription request")]
    NotSubscribe,
    #[error("the verify token does not match")]
    BadVerifyToken,
    #[error("no challenge to echo")]
    NoChallenge,
    #[error("no signature")]
    MissingSignature,
    #[error("the signature does not match")]
    BadSignature,
    #[error("the body is not a notification")]
    Malformed,
}

fn equal(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// The challenge to echo when the subscription request carries the verify token.
pub fn verify_subscription(
    secrets: Option<&WebhookSecrets>,
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&str>,
) -> Result<String, WebhookRefusal> {
    let secrets = secrets.ok_or(WebhookRefusal::NotConfigured)?;
    if mode != Some("subscribe") {
        return Err(WebhookRefusal::NotSubscribe);
    }
    if !equal(
        token.unwrap_or("").as_bytes(),
        secrets.verify_token.as_bytes(),
    ) {
        return Err(WebhookRefusal::BadVerifyToken);
    }
    challenge
        .filter(|c| !c.is_empty() && c.len() <= 256)
        .map(str::to_owned)
        .ok_or(WebhookRefusal::NoChallenge)
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The hex signature Meta sends for `body` (`sha256=` not included).
pub fn sign(app_secret: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length.
    let mut mac = match Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks `X-Hub-Signature-256` against the raw body, in constant time.
pub fn verify_signature(
    secrets: Option<&WebhookSecrets>,
    header: Option<&str>,
    body: &[u8],
) -> Result<(), WebhookRefusal> {
    let secrets = secrets.ok_or(WebhookRefusal::NotConfigured)?;
    let header = header
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .ok_or(WebhookRefusal::MissingSignature)?;
    let given = header
        .strip_prefix("sha256=")
        .and_then(hex_decode)
        .ok_or(WebhookRefusal::BadSignature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secrets.app_secret.as_bytes())
        .map_err(|_| WebhookRefusal::NotConfigured)?;
    mac.update(body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&given)
        .map_err(|_| WebhookRefusal::BadSignature)
}

/// One thing a verified notification asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookEvent {
    /// A Page post added or edited.
    Upsert {
        platform: Platform,
        account_id: String,
        post: FetchedPost,
    },
    /// A Page post removed.
    Remove {
        platform: Platform,
        account_id: String,
        post_id: String,
    },
    /// An Instagram account changed: read it again at the next poll.
    PollAccount {
        platform: Platform,
        account_id: String,
    },
}

fn created_time(value: Option<&Value>) -> Option<Timestamp> {
    match value? {
        Value::Number(n) => n
            .as_i64()
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            .map(Timestamp::from_utc),
        Value::String(s) => crate::adapters::time(s),
        _ => None,
    }
}

/// The events of a notification body (`{"object": "page"|"instagram", "entry": [...]}`).
pub fn parse_notification(
    body: &[u8],
    now: Timestamp,
) -> Result<Vec<WebhookEvent>, WebhookRefusal> {
    let value: Value = serde_json::from_slice(body).map_err(|_| WebhookRefusal::Malformed)?;
    let object = value
        .get("object")
        .and_then(Value::as_str)
        .ok_or(WebhookRefusal::Malformed)?;
    let entries = value
        .get("entry")
        .and_then(Value::as_array)
        .ok_or(WebhookRefusal::Malformed)?;
    let mut events = Vec::new();
    for entry in entries {
        let Some(account_id) = entry.get("id").and_then(crate::adapters::id_of) else {
            continue;
        };
        match object {
            "page" => {
                for change in entry
                    .get("changes")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if change.get("field").and_then(Value::as_str) != Some("feed") {
                        continue;
                    }
                    let v = change.get("value").unwrap_or(&Value::Null);
                    let Some(post_id) = v.get("post_id").and_then(crate::adapters::id_of) else {
                        continue;
                    };
                    match v.get("verb").and_then(Value::as_str) {
                        Some("remove") => events.push(WebhookEvent::Remove {
                            platform: Platform::Facebook,
                            account_id: account_id.clone(),
                            post_id,
                        }),
                        Some("add" | "edited") => events.push(WebhookEvent::Upsert {
                            platform: Platform::Facebook,
                            account_id: account_id.clone(),
                            post: FetchedPost {
                                url: Some(format!("https://www.facebook.com/{post_id}")),
                                id: post_id,
                                text: v
                                    .get("message")
                                    .and_then(Value::as_str)
                                    .unwrap_or("")
                                    .to_owned(),
                                published_at: created_time(v.get("created_time")).unwrap_or(now),
                                media_type: v
                                    .get("item")
                                    .and_then(Value::as_str)
                                    .map(str::to_owned),
                                media_url: v
                                    .get("photo")
                                    .or_else(|| v.get("link"))
                                    .and_then(Value::as_str)
                                    .map(str::to_owned),
                                deleted: false,
                            },
                        }),
                        _ => {}
                    }
                }
            }
            "instagram" => events.push(WebhookEvent::PollAccount {
                platform: Platform::Instagram,
                account_id,
            }),
            _ => {}
        }
    }
    Ok(events)
}

/// What applying a notification did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WebhookOutcome {
    pub events: usize,
    pub stored: usize,
    pub updated: usize,
    pub linked: usize,
    pub removed: usize,
    pub polls_requested: usize,
    /// Events about accounts not registered (or inactive), ignored.
    pub ignored: usize,
}

/// Applies the events of a verified notification. A replayed notification changes
/// nothing: posts are stored once and links are conditional.
pub async fn apply(
    repository: &SocialRepository,
    events: &[WebhookEvent],
    now: Timestamp,
) -> Result<WebhookOutcome, SocialError> {
    let mut outcome = WebhookOutcome {
        events: events.len(),
        ..WebhookOutcome::default()
    };
    for event in events {
        let (platform, account_id) = match event {
            WebhookEvent::Upsert {
                platform,
                account_id,
                ..
            }
            | WebhookEvent::Remove {
                platform,
                account_id,
                ..
            }
            | WebhookEvent::PollAccount {
                platform,
                account_id,
            } => (*platform, account_id),
        };
        let Some(account) = repository
            .account(platform, account_id)
            .await?
            .filter(|a| a.active)
        else {
            outcome.ignored += 1;
            continue;
        };
        match event {
            WebhookEvent::Upsert { post, .. } => {
                let recorded = repository.record(&account, post, now).await?;
                outcome.stored += usize::from(recorded.created);
                outcome.updated += usize::from(recorded.updated);
                outcome.linked += recorded.linked;
            }
            WebhookEvent::Remove { post_id, .. } => {
                if repository.mark_deleted(platform, post_id, now).await? {
                    outcome.removed += 1;
                }
            }
            WebhookEvent::PollAccount { .. } => {
                repository.request_poll(&account, now).await?;
                outcome.polls_requested += 1;
            }
        }
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets() -> WebhookSecrets {
        WebhookSecrets {
            verify_token: "token-rahasia".into(),
            app_secret: "app-secret".into(),
        }
    }

    #[test]
    fn the_challenge_is_echoed_only_with_the_verify_token() {
        let s = secrets();
        assert_eq!(
            verify_subscription(
                Some(&s),
                Some("subscribe"),
                Some("token-rahasia"),
                Some("1158201444")
            ),
            Ok("1158201444".into())
        );
        assert_eq!(
            verify_subscription(Some(&s), Some("subscribe"), Some("salah"), Some("1")),
            Err(WebhookRefusal::BadVerifyToken)
        );
        assert_eq!(
            verify_subscription(
                Some(&s),
                Some("unsubscribe"),
                Some("token-rahasia"),
                Some("1")
            ),
            Err(WebhookRefusal::NotSubscribe)
        );
        assert_eq!(
            verify_subscription(None, Some("subscribe"), Some("token-rahasia"), Some("1")),
            Err(WebhookRefusal::NotConfigured)
        );
    }

    #[test]
    fn a_signature_is_accepted_only_when_it_is_the_hmac_of_the_raw_body() {
        let s = secrets();
        let body = br#"{"object":"page","entry":[]}"#;
        let good = format!("sha256={}", sign("app-secret", body));
        assert_eq!(verify_signature(Some(&s), Some(&good), body), Ok(()));
        let other_body = br#"{"object":"page","entry":[] }"#;
        assert_eq!(
            verify_signature(Some(&s), Some(&good), other_body),
            Err(WebhookRefusal::BadSignature)
        );
        assert_eq!(
            verify_signature(Some(&s), Some("sha256=zz"), body),
            Err(WebhookRefusal::BadSignature)
        );
        assert_eq!(
            verify_signature(Some(&s), Some(&good.replace("sha256=", "sha1=")), body),
            Err(WebhookRefusal::BadSignature)
        );
        assert_eq!(
            verify_signature(Some(&s), None, body),
            Err(WebhookRefusal::MissingSignature)
        );
    }

    #[test]
    fn page_feed_changes_become_upserts_and_removals() {
        let body = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/facebook/deleted.json"
        ))
        .unwrap();
        let events = parse_notification(&body, Timestamp::now()).unwrap();
        assert_eq!(
            events,
            vec![WebhookEvent::Remove {
                platform: Platform::Facebook,
                account_id: "104857361234567".into(),
                post_id: "104857361234567_912345678901234".into(),
            }]
        );
        assert_eq!(
            parse_notification(b"[1,2]", Timestamp::now()),
            Err(WebhookRefusal::Malformed)
        );
    }
}
