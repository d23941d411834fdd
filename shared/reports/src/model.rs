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
    /// When the report was last assigned to its current unit (its clocks start then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_at: Option<Timestamp>,
    /// The unit's first acknowledgement, response or resolution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_response_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<Timestamp>,
    /// Times the reporter reopened it (counted against the unit).
    #[serde(default)]
    pub reopen_count: u32,
    /// Times it was flagged overdue.
    #[serde(default)]
    pub escalation_count: u32,
    /// The SLA stage already flagged, so that one overdue stage is flagged once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalated_stage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
    /// The last change, for consumers of the change stream (notifications, statistics).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event: Option<LastEvent>,
}

/// The reporter's rating after resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub score: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub at: Timestamp,
}

/// What happened last to a report, carried on the report so that a change-stream
/// consumer reads it from the new image alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastEvent {
    /// e.g. `submitted`, `assigned`, `forwarded`, `escalated`, `reopened`, `resolved`.
    pub kind: String,
    pub at: Timestamp,
    pub role: Role,
    /// The staff member (PIC or admin) who acted, for their unit's statistics and the
    /// leaderboard; never set for citizens, whose identity stays private.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<lapor_models::UserId>,
    /// The report's version after this change.
    pub version: u64,
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
    /// Detail for staff only (a forward's reason, a rejection's grounds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_note: Option<String>,
    /// Evidence attached (upload ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media_ids: Vec<String>,
}

impl TimelineEntry {
    /// The entry as a citizen or the public sees it: public entries only, without notes.
    pub fn for_public(&self) -> Option<TimelineEntry> {
        self.public.then(|| TimelineEntry {
            internal_note: None,
            ..self.clone()
        })
    }
}
