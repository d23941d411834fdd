//! The records of social tracking: the platforms, an official account of a unit, a post
//! as stored, and the per-account polling cursor.

use lapor_models::{ReportId, Timestamp, UnitId};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A platform the service reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Instagram,
    Facebook,
    X,
    Youtube,
    Tiktok,
}

impl Platform {
    pub const ALL: [Platform; 5] = [
        Platform::Instagram,
        Platform::Facebook,
        Platform::X,
        Platform::Youtube,
        Platform::Tiktok,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Instagram => "instagram",
            Platform::Facebook => "facebook",
            Platform::X => "x",
            Platform::Youtube => "youtube",
            Platform::Tiktok => "tiktok",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Platform::Instagram => "Instagram",
            Platform::Facebook => "Facebook",
            Platform::X => "X",
            Platform::Youtube => "YouTube",
            Platform::Tiktok => "TikTok",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not one of the platforms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown platform")]
pub struct UnknownPlatform;

impl FromStr for Platform {
    type Err = UnknownPlatform;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Platform::ALL
            .into_iter()
            .find(|p| p.as_str() == s.trim().to_ascii_lowercase())
            .ok_or(UnknownPlatform)
    }
}

/// An official account of a unit, as registered by an admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub platform: Platform,
    /// The platform's id of the account: the IG user id, the Page id, the X user id, the
    /// YouTube uploads playlist id (`UU…`), the TikTok open id.
    pub account_id: String,
    /// The public handle, e.g. `dpupr.tegalkab`.
    pub handle: String,
    pub unit_id: UnitId,
    /// Where the access token is kept: an SSM parameter name in AWS, an environment
    /// variable name locally. Never the token itself.
    pub credentials_ref: String,
    /// The PIC who runs the account, for the per-PIC counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pic_id: Option<String>,
    pub active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// An account as an admin registers it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    pub platform: String,
    pub account_id: String,
    pub handle: String,
    pub unit_id: String,
    pub credentials_ref: String,
    #[serde(default)]
    pub pic_id: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// The changes an admin makes to an account; absent fields stay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountPatch {
    #[serde(default)]
    pub handle: Option<String>,
    #[serde(default)]
    pub unit_id: Option<String>,
    #[serde(default)]
    pub credentials_ref: Option<String>,
    #[serde(default)]
    pub pic_id: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
}

/// One post as a platform returned it, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedPost {
    pub id: String,
    /// Caption, message, tweet text, or title and description.
    pub text: String,
    pub url: Option<String>,
    pub published_at: Timestamp,
    pub media_type: Option<String>,
    pub media_url: Option<String>,
    /// The platform says the post is gone (deleted or made private).
    pub deleted: bool,
}

/// A stored post of an official account carrying the hashtag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SocialPost {
    pub platform: Platform,
    pub post_id: String,
    pub account_id: String,
    pub handle: String,
    pub unit_id: UnitId,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_url: Option<String>,
    pub published_at: Timestamp,
    pub first_seen_at: Timestamp,
    pub updated_at: Timestamp,
    #[serde(default)]
    pub deleted: bool,
    /// The tracking codes found in the text.
    #[serde(default)]
    pub tracking_codes: Vec<String>,
    /// The reports the post is linked to.
    #[serde(default)]
    pub report_ids: Vec<ReportId>,
}

/// Where polling of one account stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollCursor {
    /// The newest publication time stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newest_at: Option<Timestamp>,
    /// The newest post id, for platforms that page by id (X's `since_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_id: Option<String>,
}
