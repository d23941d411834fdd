//! Logs: JSON lines in Lambda (CloudWatch reads them; `AWS_LAMBDA_LOG_FORMAT=Text`
//! switches to text), readable text on one machine. The level comes from
//! `AWS_LAMBDA_LOG_LEVEL`, then `RUST_LOG`, then `info`. Nothing personal (phone, NIK,
//! names) is ever logged: handlers log ids only.

use tracing_subscriber::filter::{EnvFilter, LevelFilter};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Text,
}

/// The format Lambda's advanced logging controls ask for; JSON unless told `Text`.
pub fn lambda_log_format(value: Option<&str>) -> LogFormat {
    match value {
        Some(v) if v.eq_ignore_ascii_case("text") => LogFormat::Text,
        _ => LogFormat::Json,
    }
}

fn level(value: Option<String>) -> LevelFilter {
    value
        .and_then(|v| v.parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO)
}

fn init(format: LogFormat, level: LevelFilter, with_time: bool) {
    let filter = EnvFilter::builder()
        .with_default_directive(level.into())
        .from_env_lossy();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    // A second init (tests, a binary calling twice) is harmless: the first one stays.
    let _ = match (format, with_time) {
        (LogFormat::Json, _) => builder.json().without_time().try_init(),
        (LogFormat::Text, true) => builder.try_init(),
        (LogFormat::Text, false) => builder.without_time().try_init(),
    };
}

/// Logging for a function in Lambda (Lambda stamps each line with its own time).
pub fn init_lambda() {
    let format = lambda_log_format(std::env::var("AWS_LAMBDA_LOG_FORMAT").ok().as_deref());
    let level = level(
        std::env::var("AWS_LAMBDA_LOG_LEVEL")
            .ok()
            .or_else(|| std::env::var("RUST_LOG").ok()),
    );
    init(format, level, false);
}

/// Logging for `lapor-local`: text with times.
pub fn init_local() {
    init(LogFormat::Text, level(std::env::var("RUST_LOG").ok()), true);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_logs_are_json_unless_text_is_asked_for() {
        assert_eq!(lambda_log_format(None), LogFormat::Json);
        assert_eq!(lambda_log_format(Some("JSON")), LogFormat::Json);
        assert_eq!(lambda_log_format(Some("Text")), LogFormat::Text);
    }

    #[test]
    fn an_unreadable_level_falls_back_to_info() {
        assert_eq!(level(Some("DEBUG".into())), LevelFilter::DEBUG);
        assert_eq!(level(Some("loud".into())), LevelFilter::INFO);
        assert_eq!(level(None), LevelFilter::INFO);
    }
}
