//! Identifiers: report ids, tracking codes that citizens type on a phone, and the
//! kebab-case ids of categories, subcategories and units from the reference data.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Why a string is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("empty identifier")]
    Empty,
    #[error("identifier too long ({0} characters)")]
    TooLong(usize),
    #[error("identifier has characters outside a-z, 0-9 and '-'")]
    BadCharacters,
    #[error("not a report id")]
    NotAReportId,
    #[error("not a tracking code")]
    NotATrackingCode,
}

/// The id of a report: a UUIDv7, so ids sort by creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReportId(uuid::Uuid);

impl ReportId {
    /// A new id, ordered after every id made earlier by this process.
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7())
    }

    pub fn as_uuid(&self) -> uuid::Uuid {
        self.0
    }
}

impl fmt::Display for ReportId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.as_hyphenated().fmt(f)
    }
}

impl FromStr for ReportId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::parse_str(s)
            .map(Self)
            .map_err(|_| IdError::NotAReportId)
    }
}

/// The alphabet of tracking codes: digits and capitals without the look-alikes
/// 0/O, 1/I/L and U (30 symbols).
pub const TRACKING_ALPHABET: &[u8; 30] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Symbols after the prefix.
pub const TRACKING_CODE_LEN: usize = 6;

/// A short code a citizen can read out and type on a phone, e.g. `LBT-7K3Q9M`: the
/// region's prefix (2 to 4 capitals), a dash, and six symbols of [`TRACKING_ALPHABET`].
/// Parsing forgives lower case, spaces and a missing dash.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TrackingCode(String);

impl TrackingCode {
    /// A code from 30 bits of randomness (a fresh UUIDv4's random bytes). Codes are not
    /// unique by construction: the caller claims them with a conditional write and draws
    /// again on a collision.
    pub fn generate(prefix: &str) -> Result<Self, IdError> {
        let random = uuid::Uuid::new_v4();
        let bytes = random.as_bytes();
        let mut n = u64::from_be_bytes([0, 0, 0, bytes[0], bytes[1], bytes[2], bytes[3], bytes[4]]);
        let mut code = String::with_capacity(prefix.len() + 1 + TRACKING_CODE_LEN);
        code.push_str(prefix);
        code.push('-');
        for _ in 0..TRACKING_CODE_LEN {
            let symbol = TRACKING_ALPHABET[(n % TRACKING_ALPHABET.len() as u64) as usize];
            code.push(symbol as char);
            n /= TRACKING_ALPHABET.len() as u64;
        }
        code.parse()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for TrackingCode {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let cleaned: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if !cleaned.is_ascii() {
            return Err(IdError::NotATrackingCode);
        }
        // With a dash, it separates prefix and symbols; without, the symbols are the
        // last six characters.
        let (prefix, symbols) = match cleaned.split_once('-') {
            Some((prefix, symbols)) => (prefix, symbols),
            None if cleaned.len() > TRACKING_CODE_LEN => {
                cleaned.split_at(cleaned.len() - TRACKING_CODE_LEN)
            }
            None => return Err(IdError::NotATrackingCode),
        };
        let valid = (2..=4).contains(&prefix.len())
            && prefix.bytes().all(|b| b.is_ascii_uppercase())
            && symbols.len() == TRACKING_CODE_LEN
            && symbols.bytes().all(|b| TRACKING_ALPHABET.contains(&b));
        if !valid {
            return Err(IdError::NotATrackingCode);
        }
        Ok(Self(format!("{prefix}-{symbols}")))
    }
}

impl TryFrom<String> for TrackingCode {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<TrackingCode> for String {
    fn from(code: TrackingCode) -> Self {
        code.0
    }
}

impl fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn check_slug(s: &str) -> Result<(), IdError> {
    if s.is_empty() {
        return Err(IdError::Empty);
    }
    if s.len() > 64 {
        return Err(IdError::TooLong(s.len()));
    }
    let valid = s
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if valid {
        Ok(())
    } else {
        Err(IdError::BadCharacters)
    }
}

macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                check_slug(s)?;
                Ok(Self(s.to_owned()))
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                check_slug(&value)?;
                Ok(Self(value))
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

slug_id!(
    /// The id of a complaint category, e.g. `jalan`.
    CategoryId
);
slug_id!(
    /// The id of a subcategory, e.g. `jalan-rusak`.
    SubcategoryId
);
slug_id!(
    /// The id of a unit (agency, district or partner institution), e.g. `kec-slawi`.
    UnitId
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn generated_tracking_codes_have_the_prefix_and_six_unambiguous_symbols() {
        for _ in 0..1000 {
            let code = TrackingCode::generate("LBT").unwrap();
            let s = code.as_str();
            assert_eq!(s.len(), 10);
            assert!(s.starts_with("LBT-"));
            assert!(s[4..].bytes().all(|b| TRACKING_ALPHABET.contains(&b)));
            for ambiguous in ['0', 'O', '1', 'I', 'L', 'U'] {
                assert!(!s[4..].contains(ambiguous), "{s}");
            }
        }
    }

    #[test]
    fn tracking_codes_typed_carelessly_still_parse() {
        let expected: TrackingCode = "LBT-7K3Q9M".parse().unwrap();
        for typed in ["lbt-7k3q9m", "LBT7K3Q9M", " lbt 7k3 q9m ", "Lbt-7K3Q9m"] {
            assert_eq!(typed.parse::<TrackingCode>().unwrap(), expected, "{typed}");
        }
    }

    #[test]
    fn tracking_codes_with_ambiguous_or_missing_symbols_are_refused() {
        for bad in [
            "LBT-7K3Q9",
            "LBT-7K3Q0M",
            "LBT-OK3Q9M",
            "123-7K3Q9M",
            "",
            "LBT-7K3Q9MM7K3Q9M",
        ] {
            assert!(bad.parse::<TrackingCode>().is_err(), "{bad}");
        }
    }

    #[test]
    fn slug_ids_refuse_upper_case_spaces_and_edges() {
        assert!("kec-slawi".parse::<UnitId>().is_ok());
        for bad in ["", "Kec-Slawi", "kec slawi", "-x", "x-", "kec_slawi"] {
            assert!(bad.parse::<UnitId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn report_ids_sort_by_creation() {
        let a = ReportId::generate();
        let b = ReportId::generate();
        assert!(a < b);
        assert_eq!(a.to_string().parse::<ReportId>().unwrap(), a);
    }

    proptest! {
        #[test]
        fn parsing_any_string_as_a_tracking_code_never_panics(s in ".{0,20}") {
            let _ = s.parse::<TrackingCode>();
        }

        #[test]
        fn a_tracking_code_survives_its_display(seed in 0u8..255) {
            let _ = seed;
            let code = TrackingCode::generate("LBT").unwrap();
            prop_assert_eq!(code.to_string().parse::<TrackingCode>().unwrap(), code);
        }
    }
}
