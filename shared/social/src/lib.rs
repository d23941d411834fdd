//! `#LaporBupatiTegal` tracking, written once for every function that touches it: PICs
//! post each follow-up on their unit's official account with the hashtag and the report's
//! tracking code; this crate finds those posts and links them to their reports.
//!
//! - [`text`]: the hashtag in any letter case or Unicode form, and every tracking code in
//!   a text (inside URLs too).
//! - [`adapters`]: one pure parser per platform of its real API response, and the
//!   request it needs.
//! - [`model`] and [`repository`]: the registry of official accounts, posts stored once
//!   per platform and id, links post ↔ report, per-account cursors, counters.
//! - [`poll`]: the scheduled poller over HTTP, with rate limits and bounded backoff.
//! - [`webhook`]: Meta's subscription challenge and signed notifications.

pub mod adapters;
pub mod errors;
pub mod lambda;
pub mod model;
pub mod poll;
pub mod repository;
pub mod text;
pub mod webhook;

pub use model::{Account, NewAccount, Platform, SocialPost};
pub use repository::{SocialError, SocialRepository};
