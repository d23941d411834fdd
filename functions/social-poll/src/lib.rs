//! The `social-poll` function: run every 15 minutes by EventBridge (and by `lapor-local`'s
//! in-process schedule when accounts are registered), one pass of
//! [`lapor_social::poll::Poller::run`] over every active account.

pub mod credentials;

use lapor_models::Timestamp;
use lapor_social::poll::{PollRun, Poller};
use lapor_social::SocialError;

/// One scheduled run; the outcome is logged and returned to the scheduler.
pub async fn run_once(poller: &Poller) -> Result<PollRun, SocialError> {
    let run = poller.run(Timestamp::now()).await?;
    tracing::info!(
        accounts = run.accounts.len(),
        stored = run.stored(),
        failed = run.failed(),
        "social poll"
    );
    Ok(run)
}
