//! Why a media operation failed, and how that reaches clients: as problems in Bahasa
//! Indonesia and English, with the field at fault; causes go to the logs only.

use crate::localfs::LocalUrlError;
use crate::objects::ObjectError;
use axum::http::StatusCode;
use lapor_api::{FieldError, Problem, Text};
use lapor_store::StoreError;

/// Why a media operation failed.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("the upload request breaks {} rule(s)", .0.len())]
    Invalid(Vec<FieldError>),
    #[error("the idempotency key was used for another upload")]
    KeyReused,
    #[error("the daily upload quota is used up")]
    QuotaExceeded { retry_after_seconds: u64 },
    #[error("stored item {0} is not a valid upload record")]
    Corrupt(String, #[source] serde_json::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Objects(#[from] ObjectError),
}

impl MediaError {
    /// Whether the same call may succeed later (a redelivery, a client retry).
    pub fn is_retryable(&self) -> bool {
        match self {
            MediaError::Store(e) => e.is_retryable(),
            MediaError::Objects(e) => e.is_retryable(),
            _ => false,
        }
    }
}

impl From<MediaError> for Problem {
    fn from(error: MediaError) -> Self {
        match error {
            MediaError::Invalid(errors) => Problem::validation(errors),
            MediaError::KeyReused => Problem::validation(vec![FieldError::new(
                "Idempotency-Key",
                "key_reused",
                Text::new(
                    "Kunci ini sudah dipakai untuk unggahan lain. Buat kunci baru untuk berkas baru.",
                    "This key was used for another upload. Use a new key for a new file.",
                ),
            )]),
            MediaError::QuotaExceeded {
                retry_after_seconds,
            } => Problem::too_many_requests(
                retry_after_seconds,
                Text::new(
                    "Batas unggahan harian tercapai. Silakan unggah lagi besok.",
                    "The daily upload limit is reached. Please upload again tomorrow.",
                ),
            ),
            MediaError::Store(error) => Problem::from(error),
            MediaError::Objects(error) if error.is_retryable() => {
                tracing::warn!(error = %error, cause = ?std::error::Error::source(&error).map(|s| s.to_string()), "object storage unavailable");
                Problem::unavailable()
            }
            error => {
                tracing::error!(error = %error, cause = ?std::error::Error::source(&error).map(|s| s.to_string()), "media failed");
                Problem::internal()
            }
        }
    }
}

impl From<LocalUrlError> for Problem {
    fn from(error: LocalUrlError) -> Self {
        match error {
            LocalUrlError::Missing | LocalUrlError::BadSignature => Problem::new(
                StatusCode::FORBIDDEN,
                "signature-invalid",
                Text::new("Tanda tangan tidak sah", "Invalid signature"),
            )
            .detail(Text::new(
                "Alamat unggahan ini tidak sah atau telah diubah. Minta alamat baru.",
                "This signed address is invalid or was altered. Ask for a new one.",
            )),
            LocalUrlError::Expired => Problem::new(
                StatusCode::FORBIDDEN,
                "signature-expired",
                Text::new("Alamat kedaluwarsa", "Address expired"),
            )
            .detail(Text::new(
                "Alamat ini sudah kedaluwarsa. Minta alamat unggahan baru.",
                "This address has expired. Ask for a new upload address.",
            )),
            LocalUrlError::WrongObject => Problem::new(
                StatusCode::FORBIDDEN,
                "signature-mismatch",
                Text::new("Alamat tidak cocok", "Address mismatch"),
            )
            .detail(Text::new(
                "Alamat ini ditandatangani untuk berkas lain.",
                "This address was signed for another file.",
            )),
            LocalUrlError::WrongType { expected } => Problem::new(
                StatusCode::BAD_REQUEST,
                "upload-type-mismatch",
                Text::new("Jenis berkas tidak sesuai", "Wrong content type"),
            )
            .detail(Text::owned(
                format!("Alamat ini hanya menerima Content-Type {expected}."),
                format!("This address only accepts Content-Type {expected}."),
            ))
            .field_errors(vec![FieldError::new(
                "Content-Type",
                "mismatch",
                Text::owned(format!("Harus {expected}."), format!("Must be {expected}.")),
            )]),
            LocalUrlError::WrongLength { expected } => Problem::new(
                StatusCode::BAD_REQUEST,
                "upload-length-mismatch",
                Text::new("Ukuran berkas tidak sesuai", "Wrong length"),
            )
            .detail(Text::owned(
                format!("Alamat ini hanya menerima berkas tepat {expected} byte."),
                format!("This address only accepts exactly {expected} bytes."),
            ))
            .field_errors(vec![FieldError::new(
                "Content-Length",
                "mismatch",
                Text::owned(format!("Harus {expected}."), format!("Must be {expected}.")),
            )]),
        }
    }
}
