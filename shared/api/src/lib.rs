//! HTTP plumbing shared by every function and by `lapor-local`: RFC 9457 problems in
//! Indonesian or English, the typed caller from identity claims (API Gateway's JWT
//! authorizer in AWS, a locally signed token on one machine), JSON bodies with
//! field-level errors, route declarations, typed configuration and logging.

pub mod body;
pub mod cache;
pub mod cognito;
pub mod config;
pub mod idempotency;
pub mod identity;
pub mod lambda;
pub mod local_token;
pub mod logging;
pub mod problem;
pub mod routes;

pub use body::JsonBody;
pub use identity::{claims_to_caller, CallerExt, Claims, IdentityError};
pub use problem::{FieldError, Problem, Text};
pub use routes::{Auth, RouteSpec};
