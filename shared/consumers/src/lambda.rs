//! The Lambda side: a DynamoDB Streams event is converted record by record
//! ([`lapor_store::dynamo::change_from_lambda_record`]) and handed to the handler; every
//! record is tried, and the ones that failed are answered as batch item failures (their
//! sequence numbers), so Lambda retries from the first failure only and one bad record
//! never blocks the others. The event source mapping (`ReportBatchItemFailures`,
//! bounded retries, on-failure destination) sends what keeps failing to the dead-letter
//! queue.

use crate::ChangeHandler;
use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use lapor_store::dynamo::change_from_lambda_record;

/// Handles every record of `event`; the answer lists the failed ones.
pub async fn handle_batch(handler: &dyn ChangeHandler, event: Event) -> DynamoDbEventResponse {
    let mut response = DynamoDbEventResponse::default();
    for record in &event.records {
        let sequence = record.change.sequence_number.clone();
        let failed = match change_from_lambda_record(record) {
            Ok(change) => match handler.handle(&change).await {
                Ok(()) => false,
                Err(error) => {
                    tracing::warn!(sequence = ?sequence, key = %change.key.pk, retryable = error.retryable, error = %error, cause = ?std::error::Error::source(&error).map(|s| s.to_string()), "change record failed");
                    true
                }
            },
            Err(error) => {
                tracing::error!(sequence = ?sequence, event_id = %record.event_id, error = %error, "stream record could not be read");
                true
            }
        };
        if failed {
            let mut failure = DynamoDbBatchItemFailure::default();
            // Without a sequence number Lambda cannot retry from the record: report the
            // event id so that the whole batch is retried rather than the record lost.
            failure.item_identifier = Some(sequence.unwrap_or_else(|| record.event_id.clone()));
            response.batch_item_failures.push(failure);
        }
    }
    response
}
