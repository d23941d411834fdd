//! Times: stored and sent in UTC as RFC 3339, shown to people in WIB (UTC+7, the
//! regency's time zone, no daylight saving).

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// WIB, Western Indonesian Time, seconds east of UTC.
pub const WIB_OFFSET_SECONDS: i32 = 7 * 3600;

/// WIB as a chrono offset (checked when compiling).
pub const WIB: FixedOffset = match FixedOffset::east_opt(WIB_OFFSET_SECONDS) {
    Some(offset) => offset,
    None => panic!("WIB offset out of range"),
};

/// A point in time, serialized as RFC 3339 in UTC with a `Z` and millisecond precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    pub fn now() -> Self {
        Self(Utc::now())
    }

    pub fn from_utc(t: DateTime<Utc>) -> Self {
        Self(t)
    }

    pub fn as_utc(&self) -> DateTime<Utc> {
        self.0
    }

    /// RFC 3339 in UTC, e.g. `2026-12-04T09:30:00.000Z`; sorts as text in time order.
    pub fn to_rfc3339(&self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// The same instant in WIB.
    pub fn in_wib(&self) -> DateTime<FixedOffset> {
        self.0.with_timezone(&WIB)
    }

    /// How people in the regency read it, e.g. `04/12/2026 16:30 WIB`.
    pub fn display_wib(&self) -> String {
        format!("{} WIB", self.in_wib().format("%d/%m/%Y %H:%M"))
    }

    pub fn parse(s: &str) -> Result<Self, chrono::ParseError> {
        DateTime::parse_from_rfc3339(s).map(|t| Self(t.with_timezone(&Utc)))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Timestamp::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_sent_in_utc_and_shown_in_wib() {
        let t = Timestamp::parse("2026-12-04T09:30:00+00:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-12-04T09:30:00.000Z");
        assert_eq!(t.display_wib(), "04/12/2026 16:30 WIB");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"2026-12-04T09:30:00.000Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
    }

    #[test]
    fn a_wib_time_parses_to_the_same_instant() {
        let wib = Timestamp::parse("2026-12-04T16:30:00+07:00").unwrap();
        let utc = Timestamp::parse("2026-12-04T09:30:00Z").unwrap();
        assert_eq!(wib, utc);
    }
}
