//! Notifications: PICs alerted by push and SMS when work reaches their unit, reporters
//! kept informed, nothing sent twice. [`service`] is the change-stream consumer and the
//! channel policy; [`message`] the texts and push payloads; [`gsm`] the SMS alphabet;
//! [`directory`] the PICs, devices and settings on the store; [`notifier`] the sender
//! port with its local outbox engine and [`sns`] its SNS engine; [`lambda`] builds
//! everything from the environment.

pub mod directory;
pub mod gsm;
pub mod lambda;
pub mod message;
#[doc(hidden)]
pub mod moto;
pub mod notifier;
pub mod service;
pub mod sns;

pub use directory::{Device, Directory, DirectoryError, Pic, Settings};
pub use notifier::{Notifier, Outbox, Platform, SendError};
pub use service::{NotificationService, NotifyConfig};
