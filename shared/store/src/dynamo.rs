//! DynamoDB engine (in progress).
