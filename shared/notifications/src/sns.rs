//! The SNS engine of the sender port: SMS by `Publish` to a phone number (transactional,
//! with the sender id), push by `Publish` to a platform endpoint (`MessageStructure:
//! json`), devices by `CreatePlatformEndpoint` / `SetEndpointAttributes`. Endpoints SNS
//! reports disabled come back as [`SendError::EndpointDisabled`] so the caller prunes them.

use crate::notifier::{Notifier, Platform, SendError};
use async_trait::async_trait;
use aws_sdk_sns::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sns::types::MessageAttributeValue;
use aws_sdk_sns::Client;

/// SNS settings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SnsSettings {
    /// `AWS.SNS.SMS.SenderID` (1–11 letters or digits).
    pub sender_id: String,
    /// `AWS.SNS.SMS.SMSType`: `Transactional` or `Promotional`.
    pub sms_type: String,
    /// The FCM platform application, if push to Android is set up.
    pub fcm_application_arn: Option<String>,
    /// The APNs platform application, if push to iOS is set up.
    pub apns_application_arn: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SnsNotifier {
    client: Client,
    settings: SnsSettings,
}

impl SnsNotifier {
    pub fn new(client: Client, settings: SnsSettings) -> Self {
        Self { client, settings }
    }

    fn application(&self, platform: Platform) -> Result<&str, SendError> {
        match platform {
            Platform::Fcm => self.settings.fcm_application_arn.as_deref(),
            Platform::Apns => self.settings.apns_application_arn.as_deref(),
        }
        .ok_or(SendError::NotConfigured(platform.as_str()))
    }
}

fn string_attribute(value: &str) -> Result<MessageAttributeValue, SendError> {
    MessageAttributeValue::builder()
        .data_type("String")
        .string_value(value)
        .build()
        .map_err(|e| SendError::Rejected(e.to_string()))
}

/// Sorts an SDK error: disabled endpoints, requests SNS refuses, and the rest (retryable).
fn classify<E, R>(error: SdkError<E, R>) -> SendError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    if let SdkError::ServiceError(service) = &error {
        match service.err().code() {
            Some("EndpointDisabled") => return SendError::EndpointDisabled,
            Some("InvalidParameter")
            | Some("InvalidParameterValue")
            | Some("ParameterValueInvalid") => {
                return SendError::Rejected(service.err().code().unwrap_or_default().to_owned())
            }
            _ => {}
        }
    }
    SendError::Unavailable(Box::new(error))
}

#[async_trait]
impl Notifier for SnsNotifier {
    async fn send_sms(&self, phone: &str, text: &str) -> Result<String, SendError> {
        let mut request = self
            .client
            .publish()
            .phone_number(phone)
            .message(text)
            .message_attributes(
                "AWS.SNS.SMS.SMSType",
                string_attribute(&self.settings.sms_type)?,
            );
        if !self.settings.sender_id.is_empty() {
            request = request.message_attributes(
                "AWS.SNS.SMS.SenderID",
                string_attribute(&self.settings.sender_id)?,
            );
        }
        let out = request.send().await.map_err(classify)?;
        Ok(out.message_id().unwrap_or_default().to_owned())
    }

    async fn send_push(&self, endpoint: &str, message: &str) -> Result<String, SendError> {
        let out = self
            .client
            .publish()
            .target_arn(endpoint)
            .message_structure("json")
            .message(message)
            .send()
            .await
            .map_err(classify)?;
        Ok(out.message_id().unwrap_or_default().to_owned())
    }

    async fn register_device(
        &self,
        platform: Platform,
        token: &str,
        owner: &str,
        existing: Option<&str>,
    ) -> Result<String, SendError> {
        if let Some(arn) = existing {
            let enabled = self
                .client
                .set_endpoint_attributes()
                .endpoint_arn(arn)
                .attributes("Token", token)
                .attributes("Enabled", "true")
                .send()
                .await;
            match enabled {
                Ok(_) => return Ok(arn.to_owned()),
                // Deleted meanwhile: make a new one.
                Err(SdkError::ServiceError(e)) if e.err().code() == Some("NotFound") => {}
                Err(error) => return Err(classify(error)),
            }
        }
        let out = self
            .client
            .create_platform_endpoint()
            .platform_application_arn(self.application(platform)?)
            .token(token)
            .custom_user_data(owner)
            .send()
            .await
            .map_err(classify)?;
        let arn = out
            .endpoint_arn()
            .ok_or_else(|| SendError::Rejected("no endpoint arn".into()))?
            .to_owned();
        // An endpoint that existed for this token may be disabled: enable it.
        self.client
            .set_endpoint_attributes()
            .endpoint_arn(&arn)
            .attributes("Enabled", "true")
            .send()
            .await
            .map_err(classify)?;
        Ok(arn)
    }

    async fn remove_device(&self, endpoint: &str) -> Result<(), SendError> {
        self.client
            .delete_endpoint()
            .endpoint_arn(endpoint)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }
}
