//! Page tokens for clients: a store [`Cursor`] bound to the partition it continues, as
//! opaque base64url text. A token handed back for another listing (another partition) is
//! refused instead of silently reading the wrong partition.

use crate::Cursor;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// The token is not one this listing handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the page token does not belong to this listing")]
pub struct BadPageToken;

#[derive(Serialize, Deserialize)]
struct Token {
    p: String,
    c: String,
}

/// The token for continuing `partition` after `cursor` (none when the listing ended).
pub fn encode(partition: &str, cursor: Option<Cursor>) -> Option<String> {
    let json = serde_json::to_vec(&Token {
        p: partition.to_owned(),
        c: cursor?.0,
    })
    .ok()?;
    Some(URL_SAFE_NO_PAD.encode(json))
}

/// The cursor in `text`, if it was made for `partition`.
pub fn decode(partition: &str, text: Option<&str>) -> Result<Option<Cursor>, BadPageToken> {
    let Some(text) = text else { return Ok(None) };
    let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| BadPageToken)?;
    let token: Token = serde_json::from_slice(&bytes).map_err(|_| BadPageToken)?;
    if token.p != partition {
        return Err(BadPageToken);
    }
    Ok(Some(Cursor(token.c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_continues_its_own_partition_only() {
        let token = encode("LIST#unit#dpupr", Some(Cursor("abc".into()))).unwrap();
        assert_eq!(
            decode("LIST#unit#dpupr", Some(&token)),
            Ok(Some(Cursor("abc".into())))
        );
        assert_eq!(decode("LIST#unit#dinsos", Some(&token)), Err(BadPageToken));
        assert_eq!(
            decode("LIST#unit#dpupr", Some("not base64!")),
            Err(BadPageToken)
        );
        assert_eq!(decode("x", None), Ok(None));
        assert_eq!(encode("x", None), None);
    }
}
