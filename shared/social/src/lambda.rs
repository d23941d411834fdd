//! The social repository as a Lambda function builds it at start: from the environment,
//! over DynamoDB, once per process.

use crate::repository::SocialRepository;
use lapor_api::config::{Env, StoreConfig};
use lapor_models::{ReferenceData, WorkingCalendar};
use lapor_reports::lambda::StartError;
use lapor_reports::repository::{IntakeConfig, ReportRepository};
use std::sync::Arc;

/// The repository over the DynamoDB table named by `LAPOR_TABLE`.
pub async fn repository_from_env() -> Result<SocialRepository, StartError> {
    let store_config = StoreConfig::from_source(&Env)?;
    let store: Arc<dyn lapor_store::ItemStore> = Arc::new(
        lapor_store::dynamo::connect(&store_config.table, store_config.endpoint.as_deref()).await,
    );
    let reports = ReportRepository::new(
        store.clone(),
        Arc::new(ReferenceData::tegal()?),
        Arc::new(WorkingCalendar::indonesia()?),
        IntakeConfig::from_source(&Env)?,
    );
    Ok(SocialRepository::new(store, reports))
}
