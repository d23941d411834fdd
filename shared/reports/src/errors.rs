//! How the report domain's failures reach clients: as problems with the field at fault,
//! in Bahasa Indonesia and English.

use crate::repository::RepositoryError;
use lapor_api::{FieldError, Problem, Text};

impl From<RepositoryError> for Problem {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::Invalid(violations) => {
                Problem::validation(violations.into_iter().map(FieldError::from).collect())
            }
            RepositoryError::KeyReused => Problem::validation(vec![FieldError::new(
                "Idempotency-Key",
                "key_reused",
                Text::new(
                    "Kunci ini sudah dipakai untuk laporan lain. Buat kunci baru untuk laporan baru.",
                    "This key was used for another request. Use a new key for a new report.",
                ),
            )]),
            RepositoryError::DailyLimit {
                retry_after_seconds,
            } => Problem::too_many_requests(
                retry_after_seconds,
                Text::new(
                    "Batas laporan harian tercapai. Silakan melapor lagi besok.",
                    "The daily report limit is reached. Please report again tomorrow.",
                ),
            ),
            RepositoryError::NotFound => Problem::not_found(Text::new(
                "Laporan tidak ditemukan.",
                "Report not found.",
            )),
            RepositoryError::OwnReport => Problem::new(
                http::StatusCode::CONFLICT,
                "own-report",
                Text::new("Laporan milik sendiri", "Your own report"),
            )
            .detail(Text::new(
                "Dukungan hanya untuk laporan warga lain.",
                "Support is for other citizens' reports.",
            )),
            RepositoryError::BadCursor => Problem::bad_cursor(),
            RepositoryError::Store(error) => Problem::from(error),
            error @ (RepositoryError::Corrupt(..) | RepositoryError::TrackingCodesExhausted) => {
                tracing::error!(error = %error, "report repository failed");
                Problem::internal()
            }
        }
    }
}
