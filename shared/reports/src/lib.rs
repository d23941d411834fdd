//! The report domain, written once for every function that touches reports: the rules a
//! submission must meet, where it is routed, what each kind of caller may see of it, and
//! the repository that stores it on the item-store port (exactly once per idempotency key,
//! with its tracking code, listing entries and map cell in one transaction).

pub mod errors;
pub mod geohash;
pub mod lambda;
pub mod model;
pub mod repository;
pub mod submission;
pub mod view;
pub mod workflow;

pub use model::{Channel, LastEvent, Rating, Report, Reporter, TimelineEntry};
pub use repository::{ListFilter, ReportRepository, RepositoryError, SubmitOutcome};
pub use submission::{NewReport, SubmitRequest, Violation};
pub use view::{ReportView, Viewer};
