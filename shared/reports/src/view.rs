//! What each caller may see of a report. The reporter and admins see everything; the
//! PICs of the assigned unit see everything but the reporter when the report is
//! anonymous; everyone else sees the public view — no reporter data at all, an anonymous
//! report's place blurred to about 100 m, and a confidential report not at all.

use crate::model::{Channel, Report, Reporter};
use lapor_models::{
    Caller, CategoryId, Location, Privacy, ReportId, ReportStatus, SubcategoryId, Timestamp,
    TrackingCode, UnitId,
};
use serde::Serialize;

/// How much of a report a caller may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// The reporter or an admin: everything.
    Full,
    /// A PIC of the assigned unit: everything but an anonymous reporter's identity.
    Unit,
    /// Anyone else.
    Public,
}

impl Viewer {
    /// The view `caller` gets of `report`; `None` when the report does not exist for them.
    pub fn of(caller: &Caller, report: &Report) -> Option<Viewer> {
        let viewer = match caller {
            Caller::Admin { .. } => Viewer::Full,
            Caller::Citizen { user, .. } if report.is_reported_by(user) => Viewer::Full,
            Caller::Pic { unit, .. } if unit == &report.unit_id => Viewer::Unit,
            _ => Viewer::Public,
        };
        if viewer == Viewer::Public && report.privacy == Privacy::Confidential {
            None
        } else {
            Some(viewer)
        }
    }
}

/// A report as one caller sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportView {
    pub id: ReportId,
    pub tracking_code: TrackingCode,
    pub status: ReportStatus,
    pub version: u64,
    pub category_id: CategoryId,
    pub subcategory_id: SubcategoryId,
    pub unit_id: UnitId,
    pub privacy: Privacy,
    pub channel: Channel,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub description: String,
    pub location: Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporter: Option<Reporter>,
    pub media_ids: Vec<String>,
    pub support_count: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub due_at: Timestamp,
}

impl ReportView {
    pub fn new(report: &Report, viewer: Viewer) -> Self {
        let reporter = match viewer {
            Viewer::Full => Some(report.reporter.clone()),
            Viewer::Unit if report.privacy != Privacy::Anonymous => Some(report.reporter.clone()),
            _ => None,
        };
        let location = if viewer == Viewer::Public && report.privacy == Privacy::Anonymous {
            let rounded = report.location.point().rounded(3);
            Location {
                lat: rounded.lat,
                lon: rounded.lon,
                kecamatan_id: report.location.kecamatan_id.clone(),
                desa: report.location.desa.clone(),
                address: None,
            }
        } else {
            report.location.clone()
        };
        // An anonymous reporter's own photos may carry clues; the public sees them only
        // once media ingest has stripped them (media ids point to stripped copies).
        Self {
            id: report.id,
            tracking_code: report.tracking_code.clone(),
            status: report.status,
            version: report.version,
            category_id: report.category_id.clone(),
            subcategory_id: report.subcategory_id.clone(),
            unit_id: report.unit_id.clone(),
            privacy: report.privacy,
            channel: report.channel,
            title: report.title.clone(),
            description: report.description.clone(),
            location,
            reporter,
            media_ids: report.media_ids.clone(),
            support_count: report.support_count,
            created_at: report.created_at,
            updated_at: report.updated_at,
            due_at: report.due_at,
        }
    }
}
