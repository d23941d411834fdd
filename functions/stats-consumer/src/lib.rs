//! The `stats-consumer` function: fed by the table's DynamoDB stream, it counts each
//! report change exactly once ([`lapor_stats::StatsConsumer`]) and answers with batch
//! item failures so that Lambda retries only from the first record that failed
//! ([`lapor_consumers::lambda::handle_batch`]).

use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use lapor_stats::StatsConsumer;

/// Handles one stream batch.
pub async fn handle(consumer: &StatsConsumer, event: Event) -> DynamoDbEventResponse {
    lapor_consumers::lambda::handle_batch(consumer, event).await
}
