//! The `sla-sweeper` function: run hourly by EventBridge (and by `lapor-local`'s
//! in-process schedule), it sweeps the clock index once — see
//! [`lapor_reports::repository::ReportRepository::sweep`].

use lapor_models::Timestamp;
use lapor_reports::repository::ReportRepository;
use lapor_reports::workflow::{SweepOutcome, WorkflowError};

/// One scheduled run; the outcome is logged and returned to the scheduler.
pub async fn run_once(repository: &ReportRepository) -> Result<SweepOutcome, WorkflowError> {
    let outcome = repository.sweep(Timestamp::now()).await?;
    tracing::info!(
        examined = outcome.examined,
        escalated = outcome.escalated,
        closed = outcome.closed,
        raced = outcome.raced,
        "sla sweep"
    );
    Ok(outcome)
}
