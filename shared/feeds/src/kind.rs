//! The kinds of content the app shows, as they appear in paths (`/v1/feeds/{kind}`).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One kind of feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedKind {
    News,
    Announcement,
    Infographic,
    Podcast,
    Jalabia,
    Umkm,
    Emergency,
}

impl FeedKind {
    pub const ALL: [FeedKind; 7] = [
        FeedKind::News,
        FeedKind::Announcement,
        FeedKind::Infographic,
        FeedKind::Podcast,
        FeedKind::Jalabia,
        FeedKind::Umkm,
        FeedKind::Emergency,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FeedKind::News => "news",
            FeedKind::Announcement => "announcement",
            FeedKind::Infographic => "infographic",
            FeedKind::Podcast => "podcast",
            FeedKind::Jalabia => "jalabia",
            FeedKind::Umkm => "umkm",
            FeedKind::Emergency => "emergency",
        }
    }

    /// The kinds' names joined for messages.
    pub fn names() -> String {
        FeedKind::ALL
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for FeedKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not a feed kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown feed kind {0:?}")]
pub struct UnknownKind(pub String);

impl FromStr for FeedKind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FeedKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownKind(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_path_name() {
        for kind in FeedKind::ALL {
            assert_eq!(kind.as_str().parse::<FeedKind>(), Ok(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        assert!("berita".parse::<FeedKind>().is_err());
    }
}
