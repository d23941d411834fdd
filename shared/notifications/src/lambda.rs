//! Building notifications in a Lambda function, once in init: the store, the SNS client
//! and the settings from the environment (`LAPOR_TABLE`, `LAPOR_LINK_BASE`,
//! `LAPOR_SMS_SENDER_ID`, `LAPOR_SMS_TYPE`, `LAPOR_FCM_APPLICATION_ARN`,
//! `LAPOR_APNS_APPLICATION_ARN`, `LAPOR_SNS_ENDPOINT` for tests).

use crate::service::{NotificationService, NotifyConfig};
use crate::sns::{SnsNotifier, SnsSettings};
use lapor_api::config::{ConfigError, Source, StoreConfig};
use std::sync::Arc;

/// Notification settings from the environment.
pub fn config_from(source: &dyn Source) -> Result<(NotifyConfig, SnsSettings), ConfigError> {
    let link_base = source
        .get("LAPOR_LINK_BASE")
        .unwrap_or_else(|| NotifyConfig::default().link_base);
    if !link_base.starts_with("https://") && !link_base.starts_with("http://") {
        return Err(ConfigError::Invalid {
            name: "LAPOR_LINK_BASE".into(),
            value: link_base,
            reason: "not an http(s) URL".into(),
        });
    }
    let sender_id = source
        .get("LAPOR_SMS_SENDER_ID")
        .unwrap_or_else(|| "LAPORTEGAL".into());
    if sender_id.is_empty()
        || sender_id.len() > 11
        || !sender_id.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(ConfigError::Invalid {
            name: "LAPOR_SMS_SENDER_ID".into(),
            value: sender_id,
            reason: "1 to 11 letters or digits".into(),
        });
    }
    let sms_type = source
        .get("LAPOR_SMS_TYPE")
        .unwrap_or_else(|| "Transactional".into());
    if sms_type != "Transactional" && sms_type != "Promotional" {
        return Err(ConfigError::Invalid {
            name: "LAPOR_SMS_TYPE".into(),
            value: sms_type,
            reason: "Transactional or Promotional".into(),
        });
    }
    Ok((
        NotifyConfig { link_base },
        SnsSettings {
            sender_id,
            sms_type,
            fcm_application_arn: source.get("LAPOR_FCM_APPLICATION_ARN"),
            apns_application_arn: source.get("LAPOR_APNS_APPLICATION_ARN"),
        },
    ))
}

/// The notification service of a Lambda function.
pub async fn service_from_env() -> Result<NotificationService, ConfigError> {
    let env = lapor_api::config::Env;
    let store_config = StoreConfig::from_source(&env)?;
    let (config, settings) = config_from(&env)?;
    let store =
        lapor_store::dynamo::connect(&store_config.table, store_config.endpoint.as_deref()).await;
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(endpoint) = env.get("LAPOR_SNS_ENDPOINT") {
        loader = loader.endpoint_url(endpoint);
    }
    let sdk = loader.load().await;
    let notifier = SnsNotifier::new(aws_sdk_sns::Client::new(&sdk), settings);
    Ok(NotificationService::new(
        Arc::new(store),
        Arc::new(notifier),
        config,
    ))
}
