//! The local engine of the object-storage port, for `lapor-local`: objects are files under
//! the data folder (`.lapor/objects/<key>`), and signed URLs point at `lapor-local` itself
//! (`PUT /local/uploads/{upload_id}`, `GET /local/media/{name}`, see [`crate::local`]).
//!
//! A signed URL carries a `token`: a compact HS256 token, signed with a key of its own in
//! the data folder (`.lapor/local-media-key`), whose claims bind the method, the object
//! key, the content type, the exact length and the expiry. [`LocalObjects::verify`]
//! refuses a tampered token, an expired one, another key, another type and another
//! length, each with its own [`LocalUrlError`].

use crate::objects::{expires_at, valid_key, ObjectError, ObjectStore, SignedRequest};
use async_trait::async_trait;
use lapor_api::local_token::{KeyError, LocalKey, TokenError};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Objects in a folder, with URLs signed for `lapor-local`.
#[derive(Debug, Clone)]
pub struct LocalObjects {
    root: PathBuf,
    key: Arc<LocalKey>,
    /// Where `lapor-local` listens (`http://127.0.0.1:3000`), once known; URLs are
    /// relative to the service until then.
    base_url: Arc<OnceLock<String>>,
}

/// Why a local signed URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocalUrlError {
    #[error("the URL carries no signature")]
    Missing,
    #[error("the signature does not match")]
    BadSignature,
    #[error("the URL has expired")]
    Expired,
    #[error("the URL was signed for another object or method")]
    WrongObject,
    #[error("the URL was signed for content type {expected}")]
    WrongType { expected: String },
    #[error("the URL was signed for exactly {expected} bytes")]
    WrongLength { expected: u64 },
}

/// What a verified URL allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub key: String,
    pub content_type: Option<String>,
    pub content_length: Option<u64>,
}

/// The media key's file in the data folder.
pub fn media_key_path(data_dir: &Path) -> PathBuf {
    data_dir.join("local-media-key")
}

impl LocalObjects {
    /// Objects under `data_dir/objects`, URLs signed with the key in
    /// `data_dir/local-media-key` (made on first use).
    pub fn open(data_dir: &Path) -> Result<Self, KeyError> {
        let key = LocalKey::load_or_create(&media_key_path(data_dir))?;
        Ok(Self::new(data_dir.join("objects"), key))
    }

    pub fn new(root: PathBuf, key: LocalKey) -> Self {
        Self {
            root,
            key: Arc::new(key),
            base_url: Arc::new(OnceLock::new()),
        }
    }

    /// Sets the address signed URLs start with (once; later calls are ignored).
    pub fn set_base_url(&self, base_url: &str) {
        let _ = self.base_url.set(base_url.trim_end_matches('/').to_owned());
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, key: &str) -> Result<PathBuf, ObjectError> {
        if valid_key(key) {
            Ok(self.root.join(key))
        } else {
            Err(ObjectError::InvalidKey(key.to_owned()))
        }
    }

    fn url(&self, path: &str, token: &str) -> String {
        let base = self.base_url.get().map(String::as_str).unwrap_or("");
        format!("{base}{path}?token={token}")
    }

    fn sign(&self, claims: Value) -> String {
        self.key.sign(&claims)
    }

    /// Checks a URL's token for a request of `method` on `key`, with the content type
    /// and length the request carries (uploads only).
    pub fn verify(
        &self,
        token: Option<&str>,
        method: &str,
        key: &str,
        content_type: Option<&str>,
        content_length: Option<u64>,
    ) -> Result<Grant, LocalUrlError> {
        self.check(token, method, &|k| k == key, content_type, content_length)
    }

    /// Checks an upload URL's token for the upload `upload_id`; the grant names the
    /// incoming key it was signed for.
    pub fn verify_upload(
        &self,
        token: Option<&str>,
        upload_id: &str,
        content_type: Option<&str>,
        content_length: Option<u64>,
    ) -> Result<Grant, LocalUrlError> {
        let matches = |k: &str| crate::repository::parse_incoming_key(k) == Some(upload_id);
        self.check(token, "PUT", &matches, content_type, content_length)
    }

    fn check(
        &self,
        token: Option<&str>,
        method: &str,
        key_matches: &dyn Fn(&str) -> bool,
        content_type: Option<&str>,
        content_length: Option<u64>,
    ) -> Result<Grant, LocalUrlError> {
        let token = token
            .filter(|t| !t.is_empty())
            .ok_or(LocalUrlError::Missing)?;
        let claims = self.key.verify(token).map_err(|error| match error {
            TokenError::Expired => LocalUrlError::Expired,
            _ => LocalUrlError::BadSignature,
        })?;
        if claims.get("exp").and_then(Value::as_i64).is_none() {
            return Err(LocalUrlError::BadSignature);
        }
        let key = claims
            .get("k")
            .and_then(Value::as_str)
            .filter(|k| key_matches(k))
            .ok_or(LocalUrlError::WrongObject)?
            .to_owned();
        if claims.get("m").and_then(Value::as_str) != Some(method) {
            return Err(LocalUrlError::WrongObject);
        }
        let signed_type = claims.get("t").and_then(Value::as_str).map(str::to_owned);
        let signed_length = claims.get("l").and_then(Value::as_u64);
        if let Some(expected) = &signed_type {
            let sent = content_type.map(|t| t.trim().to_ascii_lowercase());
            if sent.as_deref() != Some(expected.as_str()) {
                return Err(LocalUrlError::WrongType {
                    expected: expected.clone(),
                });
            }
        }
        if let Some(expected) = signed_length {
            if content_length != Some(expected) {
                return Err(LocalUrlError::WrongLength { expected });
            }
        }
        Ok(Grant {
            key,
            content_type: signed_type,
            content_length: signed_length,
        })
    }

    async fn write_atomically(&self, path: &Path, bytes: &[u8]) -> Result<(), ObjectError> {
        let io = |e: std::io::Error| ObjectError::Internal(Box::new(e));
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(io)?;
        }
        let partial = path.with_extension(format!("{}.part", uuid::Uuid::new_v4().simple()));
        tokio::fs::write(&partial, bytes).await.map_err(io)?;
        if let Err(error) = tokio::fs::rename(&partial, path).await {
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(io(error));
        }
        Ok(())
    }
}

/// The route path for an object key: uploads under `incoming/`, reads under `media/`.
fn route_for(method: &str, key: &str) -> Option<String> {
    let last = key.rsplit('/').next()?;
    match method {
        "PUT" if key.starts_with("incoming/") => Some(format!("/local/uploads/{last}")),
        "GET" if key.strip_prefix("media/").is_some_and(|n| !n.contains('/')) => {
            Some(format!("/local/media/{last}"))
        }
        _ => None,
    }
}

#[async_trait]
impl ObjectStore for LocalObjects {
    async fn put(&self, key: &str, _content_type: &str, bytes: Vec<u8>) -> Result<(), ObjectError> {
        let path = self.path(key)?;
        self.write_atomically(&path, &bytes).await
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, ObjectError> {
        let path = self.path(key)?;
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(ObjectError::NotFound(key.to_owned()))
            }
            Err(e) => Err(ObjectError::Internal(Box::new(e))),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), ObjectError> {
        let path = self.path(key)?;
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(ObjectError::Internal(Box::new(e))),
        }
    }

    async fn copy(&self, from: &str, to: &str) -> Result<(), ObjectError> {
        let bytes = self.get(from).await?;
        let path = self.path(to)?;
        self.write_atomically(&path, &bytes).await
    }

    async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        content_length: u64,
        expires: Duration,
    ) -> Result<SignedRequest, ObjectError> {
        self.path(key)?;
        let route = route_for("PUT", key).ok_or_else(|| ObjectError::InvalidKey(key.to_owned()))?;
        let at = expires_at(expires);
        let content_type = content_type.trim().to_ascii_lowercase();
        let token = self.sign(json!({
            "m": "PUT",
            "k": key,
            "t": content_type,
            "l": content_length,
            "exp": at.as_utc().timestamp(),
        }));
        Ok(SignedRequest {
            method: "PUT",
            url: self.url(&route, &token),
            headers: BTreeMap::from([
                ("content-length".to_owned(), content_length.to_string()),
                ("content-type".to_owned(), content_type),
            ]),
            expires_at: at,
        })
    }

    async fn presign_get(
        &self,
        key: &str,
        expires: Duration,
    ) -> Result<SignedRequest, ObjectError> {
        self.path(key)?;
        let route = route_for("GET", key).ok_or_else(|| ObjectError::InvalidKey(key.to_owned()))?;
        let at = expires_at(expires);
        let token = self.sign(json!({
            "m": "GET",
            "k": key,
            "exp": at.as_utc().timestamp(),
        }));
        Ok(SignedRequest {
            method: "GET",
            url: self.url(&route, &token),
            headers: BTreeMap::new(),
            expires_at: at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects() -> LocalObjects {
        let root = std::env::temp_dir().join(format!("lapor-objects-{}", uuid::Uuid::new_v4()));
        LocalObjects::new(root, LocalKey::generate())
    }

    fn token_of(url: &str) -> &str {
        url.split("token=").nth(1).unwrap()
    }

    #[tokio::test]
    async fn a_signed_upload_url_binds_key_type_and_exact_length() {
        let objects = objects();
        let key = "incoming/u-1/abc";
        let signed = objects
            .presign_put(key, "image/jpeg", 1234, Duration::from_secs(60))
            .await
            .unwrap();
        assert!(signed.url.starts_with("/local/uploads/abc?token="));
        let token = Some(token_of(&signed.url));
        let ok = objects.verify(token, "PUT", key, Some("image/jpeg"), Some(1234));
        assert_eq!(ok.unwrap().content_length, Some(1234));
        assert_eq!(
            objects.verify(token, "PUT", key, Some("image/jpeg"), Some(1235)),
            Err(LocalUrlError::WrongLength { expected: 1234 })
        );
        assert_eq!(
            objects.verify(token, "PUT", key, Some("image/png"), Some(1234)),
            Err(LocalUrlError::WrongType {
                expected: "image/jpeg".into()
            })
        );
        assert_eq!(
            objects.verify(
                token,
                "PUT",
                "incoming/u-2/abc",
                Some("image/jpeg"),
                Some(1234)
            ),
            Err(LocalUrlError::WrongObject)
        );
        assert_eq!(
            objects.verify(token, "GET", key, None, None),
            Err(LocalUrlError::WrongObject)
        );
    }

    #[tokio::test]
    async fn an_expired_or_tampered_url_is_refused() {
        let objects = objects();
        let key = "media/abc";
        let signed = objects
            .presign_get(key, Duration::from_secs(60))
            .await
            .unwrap();
        let token = token_of(&signed.url).to_owned();
        assert!(objects.verify(Some(&token), "GET", key, None, None).is_ok());
        let at = token.rfind('.').unwrap() + 5;
        let swapped = if &token[at..=at] == "A" { "B" } else { "A" };
        let tampered = format!("{}{swapped}{}", &token[..at], &token[at + 1..]);
        assert_eq!(
            objects.verify(Some(&tampered), "GET", key, None, None),
            Err(LocalUrlError::BadSignature)
        );
        let expired = objects.sign(json!({"m": "GET", "k": key, "exp": 1}));
        assert_eq!(
            objects.verify(Some(&expired), "GET", key, None, None),
            Err(LocalUrlError::Expired)
        );
        assert_eq!(
            objects.verify(None, "GET", key, None, None),
            Err(LocalUrlError::Missing)
        );
    }

    #[tokio::test]
    async fn objects_are_files_written_whole_and_deleted_idempotently() {
        let objects = objects();
        objects
            .put("media/x", "image/jpeg", b"abc".to_vec())
            .await
            .unwrap();
        assert_eq!(objects.get("media/x").await.unwrap(), b"abc");
        objects.copy("media/x", "media/y").await.unwrap();
        objects.delete("media/x").await.unwrap();
        objects.delete("media/x").await.unwrap();
        assert!(matches!(
            objects.get("media/x").await,
            Err(ObjectError::NotFound(_))
        ));
        assert_eq!(objects.get("media/y").await.unwrap(), b"abc");
        assert!(matches!(
            objects.get("../etc/passwd").await,
            Err(ObjectError::InvalidKey(_))
        ));
        std::fs::remove_dir_all(objects.root()).ok();
    }
}
