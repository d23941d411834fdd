//! A stand-in Cognito user pool for tests: an RSA signing key, its JSON Web Key Set
//! served on loopback at `<issuer>/.well-known/jwks.json` exactly where Cognito
//! publishes it, and RS256 tokens signed as Cognito signs them. The server counts the
//! key-set fetches and stops when the pool is dropped.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair, RsaKeyPair, RsaPublicKeyComponents, RSA_PKCS1_SHA256};
use axum::routing::get;
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use lapor_api::cognito::{CognitoConfig, TokenVerifier};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The app client id every test token is issued to.
pub const CLIENT_ID: &str = "lapor-app-client";

struct Published {
    keys: Mutex<Vec<Value>>,
    fetches: AtomicUsize,
    down: AtomicBool,
}

/// One user pool with its current signing key.
pub struct TestUserPool {
    pub issuer: String,
    key: RsaKeyPair,
    kid: String,
    published: Arc<Published>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

fn new_key() -> RsaKeyPair {
    RsaKeyPair::generate(KeySize::Rsa2048).expect("an RSA key is generated")
}

fn jwk(key: &RsaKeyPair, kid: &str) -> Value {
    let public = RsaPublicKeyComponents::<Vec<u8>>::from(key.public_key());
    json!({
        "alg": "RS256", "kty": "RSA", "use": "sig", "kid": kid,
        "n": URL_SAFE_NO_PAD.encode(public.n),
        "e": URL_SAFE_NO_PAD.encode(public.e),
    })
}

impl TestUserPool {
    /// A pool whose key set is served on a free loopback port.
    pub async fn start() -> Self {
        let key = new_key();
        let kid = "key-1".to_owned();
        let published = Arc::new(Published {
            keys: Mutex::new(vec![jwk(&key, &kid)]),
            fetches: AtomicUsize::new(0),
            down: AtomicBool::new(false),
        });
        let served = published.clone();
        let app = Router::new().route(
            "/pool/.well-known/jwks.json",
            get(move || {
                let served = served.clone();
                async move {
                    served.fetches.fetch_add(1, Ordering::SeqCst);
                    if served.down.load(Ordering::SeqCst) {
                        return Err(axum::http::StatusCode::BAD_GATEWAY);
                    }
                    let keys = served.keys.lock().map(|k| k.clone()).unwrap_or_default();
                    Ok(Json(json!({ "keys": keys })))
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let address = listener.local_addr().expect("the bound address");
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stop.await;
                })
                .await;
        });
        Self {
            issuer: format!("http://{address}/pool"),
            key,
            kid,
            published,
            shutdown: Some(shutdown),
        }
    }

    /// A verifier that trusts this pool and [`CLIENT_ID`], as a function builds it.
    pub fn verifier(&self) -> Arc<TokenVerifier> {
        Arc::new(TokenVerifier::new(
            CognitoConfig {
                issuer: self.issuer.clone(),
                client_id: CLIENT_ID.to_owned(),
            },
            reqwest::Client::new(),
        ))
    }

    /// How often the key set was asked for.
    pub fn fetches(&self) -> usize {
        self.published.fetches.load(Ordering::SeqCst)
    }

    /// Makes the key-set endpoint fail (`true`) or answer again (`false`).
    pub fn set_down(&self, down: bool) {
        self.published.down.store(down, Ordering::SeqCst);
    }

    /// Replaces the signing key and publishes only the new one, as a key rotation does.
    pub fn rotate(&mut self, kid: &str) {
        self.key = new_key();
        self.kid = kid.to_owned();
        if let Ok(mut keys) = self.published.keys.lock() {
            *keys = vec![jwk(&self.key, kid)];
        }
    }

    /// The standard claims of a valid ID token of this pool for `sub`, to be adjusted.
    pub fn id_claims(&self, sub: &str, groups: &[&str]) -> Value {
        let now = chrono_now();
        json!({
            "sub": sub,
            "cognito:groups": groups,
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "token_use": "id",
            "auth_time": now,
            "iat": now,
            "exp": now + 3600,
        })
    }

    /// `claims` signed with the pool's current key.
    pub fn sign(&self, claims: &Value) -> String {
        sign_with(&self.key, &self.kid, claims)
    }

    /// `claims` signed with a key the pool never published, under the pool's key id.
    pub fn forge(&self, claims: &Value) -> String {
        sign_with(&new_key(), &self.kid, claims)
    }

    /// `claims` signed with the pool's key but naming key id `kid`.
    pub fn sign_as(&self, kid: &str, claims: &Value) -> String {
        sign_with(&self.key, kid, claims)
    }
}

impl Drop for TestUserPool {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

fn sign_with(key: &RsaKeyPair, kid: &str, claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(json!({"alg": "RS256", "kid": kid}).to_string());
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signed = format!("{header}.{payload}");
    let mut signature = vec![0; key.public_modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        signed.as_bytes(),
        &mut signature,
    )
    .expect("the token is signed");
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature))
}
