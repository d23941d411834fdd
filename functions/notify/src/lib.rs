//! The `notify` function: DynamoDB Streams delivers batches of the table's changes; each
//! record is handed to [`lapor_notifications::NotificationService`] through the shared
//! consumer adapter, and the records that failed come back as batch item failures, so
//! Lambda retries from them alone and, after its bounded retries, sends them to the
//! dead-letter queue. Redelivery sends nothing twice (see the service).

use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use lapor_notifications::NotificationService;

/// Handles one batch of stream records.
pub async fn handle(service: &NotificationService, event: Event) -> DynamoDbEventResponse {
    lapor_consumers::lambda::handle_batch(service, event).await
}
