//! GSM-7, the SMS alphabet: one message of 160 characters. A single character outside it
//! turns the whole message into UCS-2 (70 characters a segment), so every text is
//! transliterated here to the GSM-7 basic set before it is sent — curly quotes to straight
//! ones, dashes to `-`, accented letters to plain ones, emoji and anything unknown
//! dropped, whitespace collapsed. The output uses no escape (extension) characters
//! either, so each character costs exactly one of the 160.

/// The GSM 03.38 basic character set (without the escape to the extension table).
const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// Characters of the extension table: each costs two septets.
const EXTENSION: &str = "^{}\\[~]|€\u{c}";

/// Whether `c` is in the GSM-7 basic set.
pub fn is_basic(c: char) -> bool {
    BASIC.contains(c)
}

/// Whether the whole text can be sent as GSM-7 (basic or extension characters).
pub fn is_gsm7(text: &str) -> bool {
    text.chars().all(|c| is_basic(c) || EXTENSION.contains(c))
}

/// SMS segments the text takes: GSM-7 160 septets (153 a part when split), else UCS-2
/// 70 UTF-16 units (67 a part).
pub fn segments(text: &str) -> usize {
    let (units, single, part) = if is_gsm7(text) {
        let septets: usize = text
            .chars()
            .map(|c| if EXTENSION.contains(c) { 2 } else { 1 })
            .sum();
        (septets, 160, 153)
    } else {
        (text.encode_utf16().count(), 70, 67)
    };
    if units <= single {
        1
    } else {
        units.div_ceil(part)
    }
}

/// A plain-ASCII stand-in for a character, when there is one.
fn transliterate(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '`' | '\u{B4}' => "'",
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{AB}' | '\u{BB}' => {
            "\""
        }
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '~' => "-",
        '\u{2026}' => "...",
        '[' | '{' => "(",
        ']' | '}' => ")",
        '\\' | '|' => "/",
        '€' => "EUR",
        '\u{2022}' | '\u{B7}' => "-",
        '\u{D7}' => "x",
        'À'..='Å' | 'Ā' | 'Ă' | 'Ą' => "A",
        'à'..='å' | 'ā' | 'ă' | 'ą' | 'ª' => "a",
        'Æ' => "AE",
        'æ' => "ae",
        'Ç' | 'Ć' | 'Ĉ' | 'Ċ' | 'Č' => "C",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'Ď' | 'Đ' | 'Ð' => "D",
        'ď' | 'đ' | 'ð' => "d",
        'È'..='Ë' | 'Ē' | 'Ĕ' | 'Ė' | 'Ę' | 'Ě' => "E",
        'è'..='ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'Ĝ' | 'Ğ' | 'Ġ' | 'Ģ' => "G",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'Ĥ' | 'Ħ' => "H",
        'ĥ' | 'ħ' => "h",
        'Ì'..='Ï' | 'Ĩ' | 'Ī' | 'Ĭ' | 'Į' | 'İ' => "I",
        'ì'..='ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'Ĵ' => "J",
        'ĵ' => "j",
        'Ķ' => "K",
        'ķ' => "k",
        'Ĺ' | 'Ļ' | 'Ľ' | 'Ŀ' | 'Ł' => "L",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'Ñ' | 'Ń' | 'Ņ' | 'Ň' => "N",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'Ò'..='Ö' | 'Ø' | 'Ō' | 'Ŏ' | 'Ő' => "O",
        'ò'..='ö' | 'ø' | 'ō' | 'ŏ' | 'ő' | 'º' => "o",
        'Œ' => "OE",
        'œ' => "oe",
        'Ŕ' | 'Ŗ' | 'Ř' => "R",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'Ś' | 'Ŝ' | 'Ş' | 'Š' => "S",
        'ś' | 'ŝ' | 'ş' | 'š' => "s",
        'ß' => "ss",
        'Ţ' | 'Ť' | 'Ŧ' => "T",
        'ţ' | 'ť' | 'ŧ' => "t",
        'Ù'..='Ü' | 'Ũ' | 'Ū' | 'Ŭ' | 'Ů' | 'Ű' | 'Ų' => "U",
        'ù'..='ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'Ŵ' => "W",
        'ŵ' => "w",
        'Ý' | 'Ŷ' | 'Ÿ' => "Y",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'Ź' | 'Ż' | 'Ž' => "Z",
        'ź' | 'ż' | 'ž' => "z",
        '²' => "2",
        '³' => "3",
        '¹' => "1",
        '°' => "o",
        _ => return None,
    })
}

/// The text in plain GSM-7 basic characters: ASCII letters, digits and punctuation,
/// transliterated where possible, other characters dropped, all whitespace (line breaks
/// included) collapsed to single spaces and trimmed.
pub fn to_gsm7(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let push = |s: &str, out: &mut String| {
        for c in s.chars() {
            if c == ' ' {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
            } else {
                out.push(c);
            }
        }
    };
    for c in text.chars() {
        if c.is_whitespace() {
            push(" ", &mut out);
        } else if c.is_ascii_graphic() && is_basic(c) {
            out.push(c);
        } else if let Some(plain) = transliterate(c) {
            push(plain, &mut out);
        }
        // Anything else (emoji, other scripts, controls) is dropped.
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn curly_quotes_accents_and_emoji_become_plain_gsm7() {
        let text = to_gsm7("“Jalan” rusak 🚧 di depan Café — ‘parah’…\n\tsekali");
        assert_eq!(text, "\"Jalan\" rusak di depan Cafe - 'parah'... sekali");
        assert!(text.chars().all(is_basic));
    }

    #[test]
    fn one_character_outside_gsm7_makes_a_long_text_take_three_ucs2_segments() {
        let plain = "a".repeat(160);
        assert_eq!(segments(&plain), 1);
        assert_eq!(segments(&format!("{}😀", "a".repeat(140))), 3);
        assert_eq!(segments(&"a".repeat(161)), 2);
        assert_eq!(segments(&"[".repeat(80)), 1);
        assert_eq!(segments(&"[".repeat(81)), 2);
    }

    proptest! {
        #[test]
        fn transliteration_always_yields_basic_gsm7(text in "\\PC{0,300}") {
            let out = to_gsm7(&text);
            prop_assert!(out.chars().all(is_basic), "{out:?}");
            prop_assert!(!out.contains("  "));
            prop_assert!(out.chars().count() <= text.chars().count() * 3);
        }
    }
}
