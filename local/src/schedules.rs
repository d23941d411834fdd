//! The in-process stand-in for EventBridge schedules: each scheduled function's
//! `run_once` on a fixed interval (`LAPOR_SWEEP_INTERVAL_SECS`, default one hour for the
//! SLA sweeper), first soon after start. A failed run is logged and retried at the next
//! tick; nothing else stops the loop but the process ending.

use crate::LocalApp;
use std::time::Duration;

/// Seconds between SLA sweeps.
pub fn sweep_interval() -> Duration {
    let seconds = std::env::var("LAPOR_SWEEP_INTERVAL_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(3600);
    Duration::from_secs(seconds)
}

/// Starts every schedule; the tasks end with the runtime.
pub fn spawn(app: &LocalApp) -> Vec<tokio::task::JoinHandle<()>> {
    let reports = app.reports.clone();
    let interval = sweep_interval();
    vec![tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(error) = sla_sweeper::run_once(&reports).await {
                tracing::warn!(error = %error, "sla sweep failed; retrying at the next tick");
            }
        }
    })]
}
