//! Reading posts as people write them: the follow-up hashtag in any letter case or
//! Unicode form (full-width `＃` and letters included, NFKC), followed by a word
//! boundary, and every report tracking code in the text — with or without its dash, in
//! any case, on its own or inside a URL.

use lapor_models::ids::{TRACKING_ALPHABET, TRACKING_CODE_LEN};
use lapor_models::TrackingCode;
use unicode_normalization::UnicodeNormalization;

/// The text in Unicode compatibility form (NFKC): `＃ＬａｐｏｒＢｕｐａｔｉ` becomes `#LaporBupati`.
pub fn normalize(text: &str) -> String {
    text.nfkc().collect()
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether `text` carries `#<tag>` (the tag given with or without `#`), in any letter
/// case or Unicode form, ending at a word boundary (`#LaporBupatiTegal2` is another tag).
pub fn has_hashtag(text: &str, tag: &str) -> bool {
    let tag = normalize(tag.trim_start_matches(['#', '＃'])).to_lowercase();
    if tag.is_empty() {
        return false;
    }
    let text = normalize(text).to_lowercase();
    text.match_indices('#').any(|(at, _)| {
        text[at + 1..]
            .strip_prefix(tag.as_str())
            .is_some_and(|tail| tail.chars().next().is_none_or(|c| !is_word(c)))
    })
}

/// Dashes people put between prefix and symbols.
const DASHES: [char; 5] = ['-', '‐', '‑', '–', '—'];

/// Whether position `at` of `chars` starts a token: the start, a non-alphanumeric, or the
/// end of a percent-escape (`%2F` in a URL).
fn starts_token(chars: &[char], at: usize) -> bool {
    if at == 0 || !chars[at - 1].is_alphanumeric() {
        return true;
    }
    at >= 3
        && chars[at - 3] == '%'
        && chars[at - 2].is_ascii_hexdigit()
        && chars[at - 1].is_ascii_hexdigit()
}

/// Every tracking code with this prefix in `text`, once each, in order of appearance.
pub fn tracking_codes(text: &str, prefix: &str) -> Vec<TrackingCode> {
    let chars: Vec<char> = normalize(text)
        .chars()
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let prefix: Vec<char> = prefix.chars().map(|c| c.to_ascii_uppercase()).collect();
    let mut found: Vec<TrackingCode> = Vec::new();
    if prefix.is_empty() {
        return found;
    }
    let mut at = 0;
    while at + prefix.len() <= chars.len() {
        if chars[at..at + prefix.len()] == prefix[..] && starts_token(&chars, at) {
            let mut start = at + prefix.len();
            if chars.get(start).is_some_and(|c| DASHES.contains(c)) {
                start += 1;
            }
            let end = start + TRACKING_CODE_LEN;
            let symbols_ok = end <= chars.len()
                && chars[start..end]
                    .iter()
                    .all(|c| c.is_ascii() && TRACKING_ALPHABET.contains(&(*c as u8)));
            if symbols_ok && chars.get(end).is_none_or(|c| !c.is_alphanumeric()) {
                let symbols: String = chars[start..end].iter().collect();
                let prefix: String = prefix.iter().collect();
                if let Ok(code) = format!("{prefix}-{symbols}").parse::<TrackingCode>() {
                    if !found.contains(&code) {
                        found.push(code);
                    }
                }
                at = end;
                continue;
            }
        }
        at += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TAG: &str = "LaporBupatiTegal";

    #[test]
    fn the_hashtag_is_found_in_any_case_and_full_width() {
        assert!(has_hashtag("Sudah diperbaiki #laporbupatitegal", TAG));
        assert!(has_hashtag(
            "＃ＬａｐｏｒＢｕｐａｔｉＴｅｇａｌ selesai",
            TAG
        ));
        assert!(has_hashtag("(#LAPORBUPATITEGAL).", TAG));
        assert!(!has_hashtag("#LaporBupatiTegalKu", TAG));
        assert!(!has_hashtag("LaporBupatiTegal tanpa tanda pagar", TAG));
    }

    #[test]
    fn codes_are_found_with_or_without_dash_and_inside_urls() {
        let text = "Tindak lanjut lbt-7k3q9m dan https://lapor.tegalkab.go.id/t/LBT7K3Q9N?x=1 \
                    serta %2FLBT-22222A; bukan XLBT-7K3Q9P atau LBT-7K3Q9MM";
        let codes: Vec<String> = tracking_codes(text, "LBT")
            .into_iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(codes, ["LBT-7K3Q9M", "LBT-7K3Q9N", "LBT-22222A"]);
    }

    #[test]
    fn a_code_given_twice_is_returned_once() {
        assert_eq!(tracking_codes("LBT-7K3Q9M LBT7K3Q9M", "LBT").len(), 1);
    }

    fn code_strategy() -> impl Strategy<Value = String> {
        proptest::collection::vec(0usize..TRACKING_ALPHABET.len(), TRACKING_CODE_LEN).prop_map(
            |ix| {
                let symbols: String = ix.iter().map(|i| TRACKING_ALPHABET[*i] as char).collect();
                format!("LBT-{symbols}")
            },
        )
    }

    fn full_width(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                '!'..='~' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c),
                _ => c,
            })
            .collect()
    }

    fn mixed_case(s: &str, mask: u64) -> String {
        s.chars()
            .enumerate()
            .map(|(i, c)| {
                if mask >> (i % 64) & 1 == 1 {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                }
            })
            .collect()
    }

    proptest! {
        #[test]
        fn the_hashtag_survives_case_width_and_punctuation(
            mask in any::<u64>(),
            wide in any::<bool>(),
            before in "[ .,!?(\\[\"'\n]{0,3}",
            after in "[ .,!?)\\]\"'\n]{1,3}",
            words in "[a-z ]{0,20}",
        ) {
            let mut tag = format!("#{}", mixed_case(TAG, mask));
            if wide { tag = full_width(&tag); }
            let text = format!("{words}{before}{tag}{after}{words}");
            prop_assert!(has_hashtag(&text, TAG), "{text}");
            let at_the_end = format!("{words}{before}{tag}");
            prop_assert!(has_hashtag(&at_the_end, TAG), "{at_the_end}");
        }

        #[test]
        fn a_longer_tag_is_not_the_hashtag(suffix in "[a-zA-Z0-9_]{1,5}", mask in any::<u64>()) {
            let text = format!("#{}{suffix}", mixed_case(TAG, mask));
            prop_assert!(!has_hashtag(&text, TAG));
        }

        #[test]
        fn every_code_is_found_in_any_case_with_or_without_dash_and_in_urls(
            code in code_strategy(),
            mask in any::<u64>(),
            dash in any::<bool>(),
            wrapper in 0usize..6,
        ) {
            let written = if dash { code.clone() } else { code.replace('-', "") };
            let written = mixed_case(&written, mask);
            let text = match wrapper {
                0 => format!("Selesai {written}."),
                1 => format!("https://lapor.tegalkab.go.id/track/{written}"),
                2 => format!("https://x.id/t?code={written}&ref=ig"),
                3 => format!("({written}) #LaporBupatiTegal"),
                4 => full_width(&written),
                _ => format!("lihat%2F{written}"),
            };
            let found = tracking_codes(&text, "LBT");
            prop_assert_eq!(found.len(), 1, "{}", text);
            prop_assert_eq!(found[0].to_string(), code);
        }

        #[test]
        fn extraction_never_panics_and_finds_only_valid_codes(text in "\\PC{0,60}") {
            for code in tracking_codes(&text, "LBT") {
                prop_assert!(code.as_str().starts_with("LBT-"));
            }
            let _ = has_hashtag(&text, TAG);
        }
    }
}
