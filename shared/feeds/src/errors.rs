//! How the feed domain's failures reach clients: problems with the field at fault, in
//! Bahasa Indonesia and English.

use crate::repository::RepositoryError;
use lapor_api::{FieldError, Problem, Text};

/// The problem for an item that is not there (or not visible).
pub fn not_found() -> Problem {
    Problem::not_found(Text::new("Konten tidak ditemukan.", "Content not found."))
}

impl From<RepositoryError> for Problem {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::Invalid(violations) => {
                Problem::validation(violations.into_iter().map(FieldError::from).collect())
            }
            RepositoryError::NotFound => not_found(),
            RepositoryError::Conflict => Problem::new(
                http::StatusCode::CONFLICT,
                "conflict",
                Text::new("Konten sudah berubah", "Content changed"),
            )
            .detail(Text::new(
                "Konten ini diubah orang lain sementara itu. Muat ulang lalu coba lagi.",
                "Someone changed this content meanwhile. Reload and try again.",
            )),
            RepositoryError::AlreadyPublished => Problem::new(
                http::StatusCode::CONFLICT,
                "already-published",
                Text::new("Sudah tayang", "Already published"),
            )
            .detail(Text::new(
                "Konten ini sudah tayang. Tarik dulu (unpublish) sebelum menjadwalkan ulang.",
                "This content is already published. Unpublish it before scheduling it again.",
            )),
            RepositoryError::BadCursor => Problem::bad_cursor(),
            RepositoryError::Store(error) => Problem::from(error),
            RepositoryError::Media(error) if error.is_retryable() => {
                tracing::warn!(error = %error, cause = ?std::error::Error::source(&error).map(|s| s.to_string()), "feed media not published");
                Problem::unavailable()
            }
            error @ RepositoryError::Media(_) => {
                tracing::error!(error = %error, cause = ?std::error::Error::source(&error).map(|s| s.to_string()), "feed media not published");
                Problem::internal()
            }
            error @ RepositoryError::Corrupt(..) => {
                tracing::error!(error = %error, cause = ?std::error::Error::source(&error).map(|s| s.to_string()), "feed repository failed");
                Problem::internal()
            }
        }
    }
}
