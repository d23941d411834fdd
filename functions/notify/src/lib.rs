//! The `notify` function: DynamoDB Streams delivers batches of the table's changes; each
//! record is handed to [`lapor_notifications::NotificationService`] through the shared
//! consumer adapter, and the records that failed come back as batch item failures, so
//! Lambda retries from them alone and, after its bounded retries, sends them to the
//! dead-letter queue. Redelivery sends nothing twice (see the service). A schedule every
//! 15 minutes invokes it too, to send the citizen SMS held back during quiet hours.

use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use lapor_notifications::NotificationService;

/// Handles one batch of stream records.
pub async fn handle(service: &NotificationService, event: Event) -> DynamoDbEventResponse {
    lapor_consumers::lambda::handle_batch(service, event).await
}

/// Any invocation: a stream batch (it has `Records`), or the schedule's event, which sends
/// the SMS whose quiet hours are over.
pub async fn handle_any(
    service: &NotificationService,
    payload: serde_json::Value,
) -> Result<serde_json::Value, lambda_runtime::Error> {
    if payload.get("Records").is_some() {
        let batch: Event = serde_json::from_value(payload)?;
        Ok(serde_json::to_value(handle(service, batch).await)?)
    } else {
        let sent = service
            .flush_deferred(lapor_models::Timestamp::now())
            .await
            .map_err(|e| lambda_runtime::Error::from(e.to_string()))?;
        Ok(serde_json::json!({ "deferred_sent": sent }))
    }
}
