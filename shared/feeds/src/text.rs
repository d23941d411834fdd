//! Text as the feeds keep it: cleaned of control characters and trimmed, and folded into
//! search tokens for the UMKM directory's text search (lower case, letters and digits
//! only, common Indonesian and English words left out).

/// Words too common to search by.
const STOPWORDS: &[&str] = &[
    "dan", "yang", "di", "ke", "dari", "untuk", "dengan", "atau", "ini", "itu", "the", "and",
    "for", "of", "kami", "kita", "juga", "ada", "pada", "dalam", "oleh", "akan",
];

/// Shortest token that is indexed and searched.
pub const TOKEN_MIN: usize = 3;

/// The search tokens of a text, in order of first appearance, without repeats.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let folded: String = text
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    for word in folded.split_whitespace() {
        if word.chars().count() < TOKEN_MIN || STOPWORDS.contains(&word) {
            continue;
        }
        let word: String = word.chars().take(40).collect();
        if !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// Text as people typed it: trimmed, line ends unified; `None` when it holds control
/// characters other than line breaks and tabs.
pub fn clean(text: &str) -> Option<String> {
    let text = text.replace("\r\n", "\n");
    let trimmed = text.trim();
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return None;
    }
    Some(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_fold_case_and_punctuation_and_skip_short_and_common_words() {
        assert_eq!(
            tokens("Batik Tulis & Kerajinan di SLAWI, batik-tulis!"),
            vec!["batik", "tulis", "kerajinan", "slawi"]
        );
        assert_eq!(tokens("Es teh di"), vec!["teh"]);
    }
}
