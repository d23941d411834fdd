//! Domain types of Lapor, shared by every function: identifiers, reports' states and
//! privacy, callers, places and times, and the regency's reference data (categories,
//! subcategories, units) loaded from the data files beside this crate.
//!
//! Everything here is pure: no I/O beyond parsing the embedded data files.

pub mod calendar;
pub mod caller;
pub mod geo;
pub mod ids;
pub mod reference;
pub mod report;
pub mod time;
pub mod validation;

pub use calendar::{CalendarError, WorkingCalendar};
pub use caller::{Caller, Role, UserId};
pub use geo::{Bounds, GeoPoint, Location};
pub use ids::{CategoryId, IdError, ReportId, SubcategoryId, TrackingCode, UnitId};
pub use reference::{
    Category, ReferenceData, ReferenceError, Region, SlaOverride, Subcategory, Unit, UnitKind,
};
pub use report::{IllegalTransition, Privacy, ReportStatus};
pub use time::Timestamp;
pub use validation::Violation;
