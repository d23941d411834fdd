//! The upload policy: which files may be uploaded, for what, how large, and how many per
//! caller per day. Checked when an upload is signed (`POST /v1/uploads`), before any
//! object exists; ingest checks the file itself against what was declared here.

use lapor_api::config::{parsed_or, ConfigError, Source};
use lapor_api::{FieldError, Text};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A content type the service accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ContentType {
    #[serde(rename = "image/jpeg")]
    Jpeg,
    #[serde(rename = "image/png")]
    Png,
    #[serde(rename = "image/webp")]
    Webp,
    #[serde(rename = "image/heic")]
    Heic,
    #[serde(rename = "video/mp4")]
    Mp4,
    #[serde(rename = "video/quicktime")]
    QuickTime,
}

impl ContentType {
    pub const ALL: [ContentType; 6] = [
        ContentType::Jpeg,
        ContentType::Png,
        ContentType::Webp,
        ContentType::Heic,
        ContentType::Mp4,
        ContentType::QuickTime,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContentType::Jpeg => "image/jpeg",
            ContentType::Png => "image/png",
            ContentType::Webp => "image/webp",
            ContentType::Heic => "image/heic",
            ContentType::Mp4 => "video/mp4",
            ContentType::QuickTime => "video/quicktime",
        }
    }

    /// The content type named `s` (case-insensitive, parameters ignored).
    pub fn parse(s: &str) -> Option<Self> {
        let essence = s
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        Self::ALL.into_iter().find(|t| t.as_str() == essence)
    }

    pub fn is_video(self) -> bool {
        matches!(self, ContentType::Mp4 | ContentType::QuickTime)
    }

    /// Whether ingest makes a thumbnail of this type.
    pub fn has_thumbnail(self) -> bool {
        matches!(
            self,
            ContentType::Jpeg | ContentType::Png | ContentType::Webp
        )
    }
}

impl fmt::Display for ContentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an upload will be attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// A citizen's report.
    Report,
    /// A PIC's (or admin's) follow-up on a report.
    FollowUp,
    /// An item of the public feed.
    Feed,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Report => "report",
            Purpose::FollowUp => "follow_up",
            Purpose::Feed => "feed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Purpose::Report, Purpose::FollowUp, Purpose::Feed]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// Limits of uploads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaPolicy {
    /// Largest photo, in bytes (`LAPOR_MEDIA_PHOTO_MAX_BYTES`, default 10 MB).
    pub photo_max_bytes: u64,
    /// Largest video, in bytes (`LAPOR_MEDIA_VIDEO_MAX_BYTES`, default 100 MB).
    pub video_max_bytes: u64,
    /// Uploads one caller may sign per WIB day (`LAPOR_MEDIA_DAILY_QUOTA`, default 30).
    pub daily_quota: u32,
    /// Life of a signed upload URL in seconds (`LAPOR_MEDIA_UPLOAD_URL_SECONDS`,
    /// default and most 900).
    pub upload_url_seconds: u64,
    /// Life of a signed read URL in seconds (`LAPOR_MEDIA_READ_URL_SECONDS`, default 300,
    /// most 3600).
    pub read_url_seconds: u64,
}

/// The longest a signed upload URL may live (15 minutes).
pub const MAX_UPLOAD_URL_SECONDS: u64 = 900;
/// The longest a signed read URL may live (1 hour).
pub const MAX_READ_URL_SECONDS: u64 = 3600;

impl Default for MediaPolicy {
    fn default() -> Self {
        Self {
            photo_max_bytes: 10 * 1000 * 1000,
            video_max_bytes: 100 * 1000 * 1000,
            daily_quota: 30,
            upload_url_seconds: MAX_UPLOAD_URL_SECONDS,
            read_url_seconds: 300,
        }
    }
}

impl MediaPolicy {
    pub fn from_source(source: &dyn Source) -> Result<Self, ConfigError> {
        let default = Self::default();
        let policy = Self {
            photo_max_bytes: parsed_or(
                source,
                "LAPOR_MEDIA_PHOTO_MAX_BYTES",
                default.photo_max_bytes,
            )?,
            video_max_bytes: parsed_or(
                source,
                "LAPOR_MEDIA_VIDEO_MAX_BYTES",
                default.video_max_bytes,
            )?,
            daily_quota: parsed_or(source, "LAPOR_MEDIA_DAILY_QUOTA", default.daily_quota)?,
            upload_url_seconds: parsed_or(
                source,
                "LAPOR_MEDIA_UPLOAD_URL_SECONDS",
                default.upload_url_seconds,
            )?,
            read_url_seconds: parsed_or(
                source,
                "LAPOR_MEDIA_READ_URL_SECONDS",
                default.read_url_seconds,
            )?,
        };
        let invalid = |name: &str, value: u64, reason: &str| ConfigError::Invalid {
            name: name.to_owned(),
            value: value.to_string(),
            reason: reason.to_owned(),
        };
        if !(1..=MAX_UPLOAD_URL_SECONDS).contains(&policy.upload_url_seconds) {
            return Err(invalid(
                "LAPOR_MEDIA_UPLOAD_URL_SECONDS",
                policy.upload_url_seconds,
                "must be 1 to 900",
            ));
        }
        if !(1..=MAX_READ_URL_SECONDS).contains(&policy.read_url_seconds) {
            return Err(invalid(
                "LAPOR_MEDIA_READ_URL_SECONDS",
                policy.read_url_seconds,
                "must be 1 to 3600",
            ));
        }
        Ok(policy)
    }

    /// The largest file of this type.
    pub fn max_bytes(&self, content_type: ContentType) -> u64 {
        if content_type.is_video() {
            self.video_max_bytes
        } else {
            self.photo_max_bytes
        }
    }
}

/// A request to sign an upload, as the client sends it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadRequest {
    pub content_type: String,
    pub size_bytes: u64,
    pub purpose: Purpose,
}

/// An upload request that meets the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidUpload {
    pub content_type: ContentType,
    pub size_bytes: u64,
    pub purpose: Purpose,
}

fn megabytes(bytes: u64) -> String {
    let mb = bytes as f64 / 1_000_000.0;
    if mb.fract() == 0.0 {
        format!("{mb:.0} MB")
    } else {
        format!("{mb:.1} MB")
    }
}

impl UploadRequest {
    /// The request checked against the policy, or every field at fault.
    pub fn validate(&self, policy: &MediaPolicy) -> Result<ValidUpload, Vec<FieldError>> {
        let mut errors = Vec::new();
        let content_type = ContentType::parse(&self.content_type);
        if content_type.is_none() {
            let allowed = ContentType::ALL.map(ContentType::as_str).join(", ");
            errors.push(FieldError::new(
                "content_type",
                "not_allowed",
                Text::owned(
                    format!("Jenis berkas tidak didukung; pilihan: {allowed}."),
                    format!("Unsupported file type; expected one of {allowed}."),
                ),
            ));
        }
        if self.size_bytes == 0 {
            errors.push(FieldError::new(
                "size_bytes",
                "empty",
                Text::new("Berkas kosong.", "The file is empty."),
            ));
        }
        if let Some(content_type) = content_type {
            let max = policy.max_bytes(content_type);
            if self.size_bytes > max {
                let (id, en) = if content_type.is_video() {
                    ("Video", "Videos")
                } else {
                    ("Foto", "Photos")
                };
                errors.push(FieldError::new(
                    "size_bytes",
                    "too_large",
                    Text::owned(
                        format!("{id} paling besar {}.", megabytes(max)),
                        format!("{en} may be at most {}.", megabytes(max)),
                    ),
                ));
            }
        }
        match content_type {
            Some(content_type) if errors.is_empty() => Ok(ValidUpload {
                content_type,
                size_bytes: self.size_bytes,
                purpose: self.purpose,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn request(content_type: &str, size_bytes: u64) -> UploadRequest {
        UploadRequest {
            content_type: content_type.into(),
            size_bytes,
            purpose: Purpose::Report,
        }
    }

    fn codes(result: Result<ValidUpload, Vec<FieldError>>) -> Vec<(String, &'static str)> {
        result
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn upload_is_refused_when_the_size_exceeds_the_photo_limit() {
        let policy = MediaPolicy::default();
        assert!(request("image/jpeg", 10_000_000).validate(&policy).is_ok());
        assert_eq!(
            codes(request("image/jpeg", 10_000_001).validate(&policy)),
            vec![("size_bytes".into(), "too_large")]
        );
        // The same size is fine for a video.
        assert!(request("video/mp4", 10_000_001).validate(&policy).is_ok());
        assert_eq!(
            codes(request("video/quicktime", 100_000_001).validate(&policy)),
            vec![("size_bytes".into(), "too_large")]
        );
    }

    #[test]
    fn upload_is_refused_for_a_type_outside_the_list_or_an_empty_file() {
        let policy = MediaPolicy::default();
        assert_eq!(
            codes(request("application/pdf", 10).validate(&policy)),
            vec![("content_type".into(), "not_allowed")]
        );
        assert_eq!(
            codes(request("image/png", 0).validate(&policy)),
            vec![("size_bytes".into(), "empty")]
        );
        let valid = request("IMAGE/PNG; charset=binary", 5).validate(&policy);
        assert_eq!(valid.unwrap().content_type, ContentType::Png);
    }

    #[test]
    fn limits_come_from_the_environment_and_url_lives_are_bounded() {
        let env = HashMap::from([
            ("LAPOR_MEDIA_PHOTO_MAX_BYTES".to_owned(), "2000".to_owned()),
            ("LAPOR_MEDIA_DAILY_QUOTA".to_owned(), "3".to_owned()),
        ]);
        let policy = MediaPolicy::from_source(&env).unwrap();
        assert_eq!(policy.photo_max_bytes, 2000);
        assert_eq!(policy.daily_quota, 3);
        assert_eq!(policy.upload_url_seconds, 900);
        let env = HashMap::from([(
            "LAPOR_MEDIA_UPLOAD_URL_SECONDS".to_owned(),
            "3600".to_owned(),
        )]);
        let error = MediaPolicy::from_source(&env).unwrap_err();
        assert!(error.to_string().contains("LAPOR_MEDIA_UPLOAD_URL_SECONDS"));
    }
}
