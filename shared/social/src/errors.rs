//! How social tracking's failures reach clients: problems with the field at fault, in
//! Bahasa Indonesia and English; internal failures are logged with their cause and
//! answered without detail.

use crate::repository::SocialError;
use crate::webhook::WebhookRefusal;
use lapor_api::{FieldError, Problem, Text};

impl From<SocialError> for Problem {
    fn from(error: SocialError) -> Self {
        match error {
            SocialError::Invalid(violations) => {
                Problem::validation(violations.into_iter().map(FieldError::from).collect())
            }
            SocialError::AccountExists => Problem::new(
                http::StatusCode::CONFLICT,
                "account-exists",
                Text::new("Akun sudah terdaftar", "Account already registered"),
            )
            .detail(Text::new(
                "Akun resmi ini sudah terdaftar; ubah dengan PATCH.",
                "This official account is already registered; change it with PATCH.",
            )),
            SocialError::AccountNotFound => {
                Problem::not_found(Text::new("Akun tidak ditemukan.", "Account not found."))
            }
            SocialError::ReportNotFound => {
                Problem::not_found(Text::new("Laporan tidak ditemukan.", "Report not found."))
            }
            SocialError::BadCursor => Problem::bad_cursor(),
            SocialError::Reports(error) => Problem::from(error),
            SocialError::Store(error) => Problem::from(error),
            error @ SocialError::Corrupt(..) => {
                tracing::error!(error = %error, "social repository failed");
                Problem::internal()
            }
        }
    }
}

impl From<WebhookRefusal> for Problem {
    fn from(refusal: WebhookRefusal) -> Self {
        let status = match refusal {
            // A deployment without Meta secrets has no webhook: it does not exist.
            WebhookRefusal::NotConfigured => http::StatusCode::NOT_FOUND,
            WebhookRefusal::MissingSignature | WebhookRefusal::BadSignature => {
                http::StatusCode::UNAUTHORIZED
            }
            WebhookRefusal::BadVerifyToken => http::StatusCode::FORBIDDEN,
            WebhookRefusal::NotSubscribe
            | WebhookRefusal::NoChallenge
            | WebhookRefusal::Malformed => http::StatusCode::BAD_REQUEST,
        };
        let (kind, id, en) = match refusal {
            WebhookRefusal::NotConfigured => (
                "webhook-not-configured",
                "Webhook belum dikonfigurasi.",
                "The webhook is not configured.",
            ),
            WebhookRefusal::NotSubscribe => (
                "webhook-not-subscribe",
                "Permintaan bukan langganan (hub.mode=subscribe).",
                "Not a subscription request (hub.mode=subscribe).",
            ),
            WebhookRefusal::BadVerifyToken => (
                "webhook-verify-token",
                "Token verifikasi tidak cocok.",
                "The verify token does not match.",
            ),
            WebhookRefusal::NoChallenge => (
                "webhook-no-challenge",
                "hub.challenge tidak ada.",
                "hub.challenge is missing.",
            ),
            WebhookRefusal::MissingSignature => (
                "webhook-signature-missing",
                "Tanda tangan X-Hub-Signature-256 tidak ada.",
                "The X-Hub-Signature-256 signature is missing.",
            ),
            WebhookRefusal::BadSignature => (
                "webhook-signature-invalid",
                "Tanda tangan X-Hub-Signature-256 tidak cocok.",
                "The X-Hub-Signature-256 signature does not match.",
            ),
            WebhookRefusal::Malformed => (
                "webhook-malformed",
                "Isi notifikasi tidak dikenali.",
                "The notification body is not recognised.",
            ),
        };
        Problem::new(status, kind, Text::new(id, en))
    }
}
