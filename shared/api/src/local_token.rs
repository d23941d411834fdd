//! Locally signed tokens for `lapor-local`: compact JWTs (HS256) with the same claims a
//! Cognito ID token carries, signed with a key kept in the data folder. They exist so
//! that one machine can play every role; they are never accepted in AWS, where API
//! Gateway's JWT authorizer checks Cognito's own tokens.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::path::Path;

type HmacSha256 = Hmac<Sha256>;

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not three base64url parts")]
    Malformed,
    #[error("the token is not signed with HS256")]
    WrongAlgorithm,
    #[error("the signature does not match")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
}

/// Why the key could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read or write the local key at {path}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the local key at {0} is not 64 hex characters")]
    Corrupt(String),
}

/// The local signing key (32 random bytes).
#[derive(Clone)]
pub struct LocalKey([u8; 32]);

impl std::fmt::Debug for LocalKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LocalKey(..)")
    }
}

impl LocalKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// A fresh random key.
    pub fn generate() -> Self {
        let a = uuid::Uuid::new_v4();
        let b = uuid::Uuid::new_v4();
        let mut bytes = [0u8; 32];
        bytes[..16].copy_from_slice(a.as_bytes());
        bytes[16..].copy_from_slice(b.as_bytes());
        Self(bytes)
    }

    /// The key in `path` (hex), made and saved there on first use.
    pub fn load_or_create(path: &Path) -> Result<Self, KeyError> {
        let io = |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let text = text.trim();
                let corrupt = || KeyError::Corrupt(path.display().to_string());
                if text.len() != 64 {
                    return Err(corrupt());
                }
                let mut bytes = [0u8; 32];
                for (i, byte) in bytes.iter_mut().enumerate() {
                    *byte =
                        u8::from_str_radix(&text[i * 2..i * 2 + 2], 16).map_err(|_| corrupt())?;
                }
                Ok(Self(bytes))
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(io)?;
                }
                let key = Self::generate();
                let hex: String = key.0.iter().map(|b| format!("{b:02x}")).collect();
                std::fs::write(path, hex).map_err(io)?;
                Ok(key)
            }
            Err(error) => Err(io(error)),
        }
    }

    fn mac(&self, data: &[u8]) -> HmacSha256 {
        // HMAC accepts keys of any length: this cannot fail.
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(data);
        mac
    }

    /// Signs a claims object as a compact JWT.
    pub fn sign(&self, claims: &Value) -> String {
        let header = URL_SAFE_NO_PAD.encode(json!({"alg": "HS256", "typ": "JWT"}).to_string());
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{payload}");
        let signature =
            URL_SAFE_NO_PAD.encode(self.mac(signing_input.as_bytes()).finalize().into_bytes());
        format!("{signing_input}.{signature}")
    }

    /// Checks a compact JWT and returns its claims.
    pub fn verify(&self, token: &str) -> Result<Value, TokenError> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let decode = |part: &str| {
            URL_SAFE_NO_PAD
                .decode(part)
                .map_err(|_| TokenError::Malformed)
        };
        let header: Value =
            serde_json::from_slice(&decode(header)?).map_err(|_| TokenError::Malformed)?;
        if header.get("alg").and_then(Value::as_str) != Some("HS256") {
            return Err(TokenError::WrongAlgorithm);
        }
        let signing_input_len = token.len() - signature.len() - 1;
        let signature = decode(signature)?;
        self.mac(&token.as_bytes()[..signing_input_len])
            .verify_slice(&signature)
            .map_err(|_| TokenError::BadSignature)?;
        let claims: Value =
            serde_json::from_slice(&decode(payload)?).map_err(|_| TokenError::Malformed)?;
        if let Some(exp) = claims.get("exp").and_then(Value::as_i64) {
            if exp < chrono::Utc::now().timestamp() {
                return Err(TokenError::Expired);
            }
        }
        Ok(claims)
    }
}

/// The claims of a local token for a role, as Cognito would issue them.
pub fn local_claims(
    role: &str,
    sub: &str,
    unit: Option<&str>,
    phone: Option<&str>,
    ttl_hours: i64,
) -> Value {
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({
        "sub": sub,
        "cognito:groups": [role],
        "iat": now,
        "exp": now + ttl_hours * 3600,
        "iss": "lapor-local",
        "token_use": "id",
    });
    if let Some(object) = claims.as_object_mut() {
        if let Some(unit) = unit {
            object.insert("custom:unit_id".into(), Value::from(unit));
        }
        if let Some(phone) = phone {
            object.insert("phone_number".into(), Value::from(phone));
        }
    }
    claims
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_token_verifies_and_keeps_its_claims() {
        let key = LocalKey::generate();
        let token = key.sign(&local_claims("pic", "u-1", Some("dpupr"), None, 1));
        let claims = key.verify(&token).unwrap();
        assert_eq!(claims["custom:unit_id"], "dpupr");
        assert_eq!(claims["cognito:groups"][0], "pic");
    }

    #[test]
    fn a_token_from_another_key_or_tampered_is_refused() {
        let key = LocalKey::generate();
        let other = LocalKey::generate();
        let token = other.sign(&local_claims("admin", "u-1", None, None, 1));
        assert_eq!(key.verify(&token), Err(TokenError::BadSignature));
        let mine = key.sign(&local_claims("citizen", "u-1", None, None, 1));
        let forged_payload =
            URL_SAFE_NO_PAD.encode(local_claims("admin", "u-1", None, None, 1).to_string());
        let parts: Vec<&str> = mine.split('.').collect();
        let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
        assert_eq!(key.verify(&forged), Err(TokenError::BadSignature));
        assert_eq!(key.verify("abc"), Err(TokenError::Malformed));
    }

    #[test]
    fn an_expired_token_is_refused() {
        let key = LocalKey::generate();
        let token = key.sign(&local_claims("citizen", "u-1", None, None, -1));
        assert_eq!(key.verify(&token), Err(TokenError::Expired));
    }

    #[test]
    fn an_unsigned_token_is_refused() {
        let key = LocalKey::generate();
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
        let payload = URL_SAFE_NO_PAD.encode(r#"{"sub":"x","cognito:groups":["admin"]}"#);
        assert_eq!(
            key.verify(&format!("{header}.{payload}.")),
            Err(TokenError::WrongAlgorithm)
        );
    }

    #[test]
    fn the_key_is_made_once_and_read_back() {
        let dir = std::env::temp_dir().join(format!("lapor-key-{}", uuid::Uuid::new_v4()));
        let path = dir.join("local-key");
        let a = LocalKey::load_or_create(&path).unwrap();
        let b = LocalKey::load_or_create(&path).unwrap();
        assert_eq!(a.0, b.0);
        std::fs::remove_dir_all(dir).ok();
    }
}
