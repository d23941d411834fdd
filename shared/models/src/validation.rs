//! A broken rule of a request, said in both languages the service speaks. Domain crates
//! check requests whole and return every violation at once; the HTTP layer turns them
//! into field errors of a problem.

/// One broken rule: the field it concerns (`location.lat`, `media_ids[2]`), a stable
/// machine code (`out_of_bounds`), and the message in Bahasa Indonesia and in English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub field: String,
    pub code: &'static str,
    pub message_id: String,
    pub message_en: String,
}

impl Violation {
    pub fn new(
        field: impl Into<String>,
        code: &'static str,
        message_id: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code,
            message_id: message_id.into(),
            message_en: message_en.into(),
        }
    }
}
