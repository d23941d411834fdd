//! Helpers for the end-to-end tests: [`spawn_app`] starts the whole local system on a
//! free loopback port with its own data folder, and hands back a client and tokens;
//! [`cognito::TestUserPool`] stands in for the Cognito user pool of the Lambda functions.

pub mod cognito;

use lapor_api::local_token::local_claims;
use lapor_local::LocalApp;
pub use lapor_reports::repository::IntakeConfig;
use std::path::{Path, PathBuf};

/// A data folder under the system's temp directory, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> Self {
        let path = std::env::temp_dir().join(format!("lapor-{label}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Self(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The local system serving on loopback.
pub struct TestApp {
    pub base: String,
    pub app: LocalApp,
    pub client: reqwest::Client,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A local token for a role (`citizen`, `pic`, `admin`).
    pub fn token(&self, role: &str, sub: &str, unit: Option<&str>) -> String {
        self.app.key.sign(&local_claims(role, sub, unit, None, 1))
    }

    /// POSTs JSON as the holder of `token`, with an idempotency key.
    pub async fn submit(
        &self,
        token: &str,
        key: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.client
            .post(self.url("/v1/reports"))
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST /v1/reports: {e}"))
    }

    /// GETs as the holder of `token`.
    pub async fn get_as(&self, token: Option<&str>, path: &str) -> reqwest::Response {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// Asks for a signed upload of `size` bytes of `content_type` for `purpose` as
    /// `token`; the signed upload (201 asserted).
    pub async fn sign_upload(
        &self,
        token: &str,
        purpose: &str,
        content_type: &str,
        size: usize,
    ) -> serde_json::Value {
        let response = self
            .client
            .post(self.url("/v1/uploads"))
            .bearer_auth(token)
            .json(&serde_json::json!({
                "content_type": content_type, "size_bytes": size, "purpose": purpose
            }))
            .send()
            .await
            .expect("POST /v1/uploads");
        assert_eq!(response.status(), 201, "{:?}", response.text().await);
        response.json().await.expect("a signed upload")
    }

    /// PUTs `bytes` to a signed upload's URL with the headers it was signed for.
    pub async fn put_upload(
        &self,
        signed: &serde_json::Value,
        bytes: Vec<u8>,
    ) -> reqwest::Response {
        let mut put = self
            .client
            .put(signed["url"].as_str().expect("a signed URL"))
            .body(bytes);
        if let Some(headers) = signed["headers"].as_object() {
            for (name, value) in headers {
                put = put.header(name.as_str(), value.as_str().unwrap_or_default());
            }
        }
        put.send().await.expect("PUT to the signed URL")
    }

    /// Waits (at most 10 s) until ingest has decided the upload; its status.
    pub async fn upload_decision(&self, upload_id: &str) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let record = self.app.media.uploads().get(upload_id).await;
            let status = record.ok().flatten().map(|r| r.status.as_str().to_owned());
            if let Some(status) = status.filter(|s| s != "pending") {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "ingest did not decide {upload_id} within 10 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Signs, PUTs and waits until ingest has verified an upload; its id.
    pub async fn verified_upload(
        &self,
        token: &str,
        purpose: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> String {
        let signed = self
            .sign_upload(token, purpose, content_type, bytes.len())
            .await;
        let upload_id = signed["upload_id"]
            .as_str()
            .expect("an upload id")
            .to_owned();
        let response = self.put_upload(&signed, bytes).await;
        assert_eq!(response.status(), 200, "{:?}", response.text().await);
        assert_eq!(self.upload_decision(&upload_id).await, "verified");
        upload_id
    }
}

/// Starts the local system in `data_dir` on a free loopback port.
pub async fn spawn_app_in(data_dir: &Path) -> TestApp {
    spawn_app_with(data_dir, IntakeConfig::default()).await
}

/// Starts the local system with these intake settings.
pub async fn spawn_app_with(data_dir: &Path, intake: IntakeConfig) -> TestApp {
    let app = LocalApp::open_with(data_dir, intake)
        .await
        .expect("the local app opens");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("the port's address");
    app.set_base_url(&format!("http://{addr}"));
    let router = app.router();
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    TestApp {
        base: format!("http://{addr}"),
        app,
        client: reqwest::Client::new(),
        server,
    }
}

/// Starts the local system with a fresh data folder, kept alive with the returned guard.
pub async fn spawn_app() -> (TestApp, TempDir) {
    let dir = TempDir::new("e2e");
    let app = spawn_app_in(dir.path()).await;
    (app, dir)
}
