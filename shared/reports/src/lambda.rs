//! The report repository as a Lambda function builds it at start: from the environment,
//! over DynamoDB. Done once per process, in init, never on a request.

use crate::repository::{IntakeConfig, ReportRepository};
use lapor_api::config::{Env, StoreConfig};
use lapor_models::{ReferenceData, WorkingCalendar};
use lapor_store::ItemStore;
use std::sync::Arc;

/// Why a function could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("configuration")]
    Config(#[from] lapor_api::config::ConfigError),
    #[error("reference data")]
    Reference(#[from] lapor_models::ReferenceError),
    #[error("working-day calendar")]
    Calendar(#[from] lapor_models::CalendarError),
}

/// The repository over the DynamoDB table named by `LAPOR_TABLE`.
pub async fn repository_from_env() -> Result<ReportRepository, StartError> {
    let store_config = StoreConfig::from_source(&Env)?;
    let store =
        lapor_store::dynamo::connect(&store_config.table, store_config.endpoint.as_deref()).await;
    repository_on(Arc::new(store))
}

/// The repository over a store the function already holds.
pub fn repository_on(store: Arc<dyn ItemStore>) -> Result<ReportRepository, StartError> {
    let intake = IntakeConfig::from_source(&Env)?;
    let reference = Arc::new(ReferenceData::tegal()?);
    let calendar = Arc::new(WorkingCalendar::indonesia()?);
    Ok(ReportRepository::new(store, reference, calendar, intake))
}
