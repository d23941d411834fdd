//! The app's content feeds, written once for every function that touches them: the seven
//! kinds (`news`, `announcement`, `infographic`, `podcast`, `jalabia`, `umkm`,
//! `emergency`) with typed, validated contents ([`model`]), their publication states and
//! the repository on the item-store port that lists only what is visible now
//! ([`repository`]), the HTML allow-list ([`sanitize`]), the pull of the regency's news
//! feed and the podcast feed ([`ingest`]), and the public emergency numbers seeded for
//! admins to confirm ([`seed`]), and feed uploads copied to the public site at stable
//! URLs ([`media`]).

pub mod errors;
pub mod ingest;
pub mod kind;
pub mod lambda;
pub mod media;
pub mod model;
pub mod repository;
pub mod sanitize;
pub mod seed;
pub mod text;

pub use kind::FeedKind;
pub use model::{FeedContent, FeedId, FeedItem, FeedState, Violation};
pub use repository::{FeedPage, FeedRepository, ListFilter, RepositoryError};
