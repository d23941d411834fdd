//! What a report is once stored, and the entries of its timeline.

use lapor_models::{
    CategoryId, Location, Privacy, ReportId, ReportStatus, Role, SubcategoryId, Timestamp,
    TrackingCode, UnitId, UserId,
};
use serde::{Deserialize, Serialize};

/// How the report reached the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    #[default]
    App,
    Web,
    Whatsapp,
    SocialMedia,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::App => "app",
            Channel::Web => "web",
            Channel::Whatsapp => "whatsapp",
            Channel::SocialMedia => "social_media",
        }
    }
}

/// Who reported: personal data, shown only to the reporter, admins, and (unless the
/// report is anonymous) the PICs of the assigned unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reporter {
    pub user_id: UserId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// A stored report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub id: ReportId,
    pub tracking_code: TrackingCode,
    pub status: ReportStatus,
    /// Raised by every change a PIC or admin acts on (`If-Match`); counts such as
    /// supports do not raise it.
    pub version: u64,
    pub category_id: CategoryId,
    pub subcategory_id: SubcategoryId,
    pub unit_id: UnitId,
    pub privacy: Privacy,
    pub channel: Channel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub description: String,
    pub location: Location,
    pub reporter: Reporter,
    #[serde(default)]
    pub media_ids: Vec<String>,
    #[serde(default)]
    pub support_count: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// When the current SLA stage is due.
    pub due_at: Timestamp,
}

impl Report {
    /// The id of the reporter.
    pub fn is_reported_by(&self, user: &UserId) -> bool {
        &self.reporter.user_id == user
    }
}

/// One recorded change of a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: Timestamp,
    /// What happened, e.g. `submitted`, `assigned`.
    pub kind: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<UnitId>,
    pub status: ReportStatus,
    /// Shown to the public and the reporter; internal notes are not.
    pub public: bool,
    /// Text for people, in Bahasa Indonesia.
    pub text: String,
}
