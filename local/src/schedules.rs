//! The in-process stand-in for EventBridge schedules: each scheduled function's
//! `run_once` on a fixed interval (`LAPOR_SWEEP_INTERVAL_SECS`, default one hour for the
//! SLA sweeper), and `social-poll` every `LAPOR_SOCIAL_POLL_INTERVAL_SECS` (default 15
//! minutes, a no-op while no account is registered), first soon after start. A failed run is logged and retried at the next
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
    vec![
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                if let Err(error) = sla_sweeper::run_once(&reports).await {
                    tracing::warn!(error = %error, "sla sweep failed; retrying at the next tick");
                }
            }
        }),
        spawn_social_poll(app),
    ]
}

/// Seconds between social polls (`LAPOR_SOCIAL_POLL_INTERVAL_SECS`, default 15 minutes).
pub fn social_poll_interval() -> Duration {
    let seconds = std::env::var("LAPOR_SOCIAL_POLL_INTERVAL_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(900);
    Duration::from_secs(seconds)
}

/// `social-poll` on its interval. A tick reads the platforms only when active accounts
/// are registered; tokens come from the environment variables the accounts name.
fn spawn_social_poll(app: &LocalApp) -> tokio::task::JoinHandle<()> {
    let repository = app.social.clone();
    let interval = social_poll_interval();
    tokio::spawn(async move {
        let config = match lapor_social::poll::PollConfig::from_source(&lapor_api::config::Env) {
            Ok(config) => config,
            Err(error) => {
                tracing::warn!(error = %error, "social poll settings are not valid; not polling");
                return;
            }
        };
        let poller = lapor_social::poll::Poller {
            repository: repository.clone(),
            client: reqwest::Client::new(),
            credentials: std::sync::Arc::new(lapor_social::poll::EnvCredentials),
            config,
        };
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match repository.active_accounts().await {
                Ok(accounts) if accounts.is_empty() => continue,
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(error = %error, "social accounts unreadable; retrying at the next tick");
                    continue;
                }
            }
            if let Err(error) = poller.run(lapor_models::Timestamp::now()).await {
                tracing::warn!(error = %error, "social poll failed; retrying at the next tick");
            }
        }
    })
}
