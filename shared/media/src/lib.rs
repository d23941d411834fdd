//! Media, written once for every function that touches photos and videos: the upload
//! policy ([`policy`]), signed direct uploads to object storage through a narrow port
//! ([`objects`], engines [`s3`] and [`localfs`]), the upload records ([`repository`]),
//! ingest that checks a file's magic bytes and completeness and strips its location
//! metadata ([`formats`]) and makes a thumbnail ([`thumbnail`]), and short-lived read
//! URLs ([`service::MediaService::media_links`]).
//!
//! Photos and videos never pass through a function: the phone PUTs them to a signed URL
//! under `incoming/<caller>/<upload_id>`; the object-created event runs
//! [`service::MediaService::ingest`], which publishes a stripped copy under
//! `media/<upload_id>` (and `media/<upload_id>.thumb.jpg`) and records the upload
//! `verified`, or records it `rejected` with the reason, and deletes the incoming object.

pub mod errors;
pub mod formats;
pub mod lambda;
pub mod local;
pub mod localfs;
#[doc(hidden)]
pub mod moto;
pub mod objects;
pub mod policy;
pub mod repository;
pub mod s3;
#[doc(hidden)]
pub mod samples;
pub mod service;
pub mod thumbnail;

pub use errors::MediaError;
pub use objects::{ObjectError, ObjectStore, SignedRequest};
pub use policy::{ContentType, MediaPolicy, Purpose, UploadRequest};
pub use repository::{Upload, UploadRepository, UploadStatus};
pub use service::{IngestOutcome, MediaLink, MediaService, SignedUpload};
