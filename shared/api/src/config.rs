//! Typed configuration from the environment. A function reads its whole configuration
//! once at start; a missing or malformed variable stops it there with a message that
//! names the variable, never later on a request.

use std::str::FromStr;

/// Why the configuration cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {name} is required ({hint})")]
    Missing { name: String, hint: &'static str },
    #[error("environment variable {name}={value:?} is not valid: {reason}")]
    Invalid {
        name: String,
        value: String,
        reason: String,
    },
}

/// Where values come from: the process environment, or a map in tests.
pub trait Source {
    fn get(&self, name: &str) -> Option<String>;
}

/// The process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct Env;

impl Source for Env {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl Source for std::collections::HashMap<String, String> {
    fn get(&self, name: &str) -> Option<String> {
        std::collections::HashMap::get(self, name).cloned()
    }
}

/// A required variable.
pub fn required(
    source: &dyn Source,
    name: &str,
    hint: &'static str,
) -> Result<String, ConfigError> {
    source.get(name).ok_or_else(|| ConfigError::Missing {
        name: name.to_owned(),
        hint,
    })
}

/// An optional variable parsed as `T`, with a default.
pub fn parsed_or<T>(source: &dyn Source, name: &str, default: T) -> Result<T, ConfigError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    match source.get(name) {
        None => Ok(default),
        Some(value) => value
            .trim()
            .parse()
            .map_err(|e: T::Err| ConfigError::Invalid {
                name: name.to_owned(),
                reason: e.to_string(),
                value,
            }),
    }
}

/// The configuration every function reading the store has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConfig {
    /// The DynamoDB table (`LAPOR_TABLE`).
    pub table: String,
    /// An endpoint override for DynamoDB (`LAPOR_DYNAMODB_ENDPOINT`), for tests against moto.
    pub endpoint: Option<String>,
}

impl StoreConfig {
    pub fn from_source(source: &dyn Source) -> Result<Self, ConfigError> {
        Ok(Self {
            table: required(source, "LAPOR_TABLE", "the DynamoDB table name")?,
            endpoint: source.get("LAPOR_DYNAMODB_ENDPOINT"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn a_missing_table_is_named_in_the_error() {
        let env: HashMap<String, String> = HashMap::new();
        let error = StoreConfig::from_source(&env).unwrap_err();
        assert!(error.to_string().contains("LAPOR_TABLE"), "{error}");
    }

    #[test]
    fn a_malformed_number_is_named_with_its_value() {
        let env = HashMap::from([("LAPOR_DAILY_LIMIT".to_owned(), "ten".to_owned())]);
        let error = parsed_or::<u32>(&env, "LAPOR_DAILY_LIMIT", 10).unwrap_err();
        assert!(matches!(error, ConfigError::Invalid { .. }));
        assert!(error.to_string().contains("\"ten\""));
        let env = HashMap::new();
        assert_eq!(parsed_or::<u32>(&env, "LAPOR_DAILY_LIMIT", 10).unwrap(), 10);
    }
}
