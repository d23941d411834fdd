//! `lapor-local`: the whole service on one machine. Every function's router mounted
//! unchanged behind one listener, the embedded SQLite store under the data folder
//! (`.lapor/` by default), tokens signed with a local key, reference data seeded on
//! first start, everything kept across restarts.

pub mod feeds;
pub mod notifications;
pub mod schedules;
pub mod seed;
pub mod transparency;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use lapor_api::config::{ConfigError, Env};
use lapor_api::local_token::{KeyError, LocalKey};
use lapor_api::RouteSpec;
use lapor_models::{CalendarError, ReferenceData, ReferenceError, WorkingCalendar};
use lapor_reports::repository::{IntakeConfig, ReportRepository};
use lapor_store::sqlite::SqliteStore;
use lapor_store::{ItemStore, StoreError};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The OpenAPI 3.1 document of every route.
pub const OPENAPI_JSON: &str = include_str!("../openapi.json");

/// Routes `lapor-local` serves itself, beside the functions' routes.
pub const LOCAL_ROUTES: &[RouteSpec] = &[
    RouteSpec::public("GET", "/healthz"),
    RouteSpec::public("GET", "/openapi.json"),
    // The object endpoints standing in for S3 (served by `lapor_media::local`).
    lapor_media::local::ROUTES[0],
    lapor_media::local::ROUTES[1],
    // The public transparency site standing in for its S3 bucket.
    publish_transparency::PUBLIC_SITE_ROUTE,
];

/// Every route of every function, as declared by the function crates.
pub fn function_routes() -> Vec<(&'static str, RouteSpec)> {
    let mut routes = Vec::new();
    routes.extend(catalog::ROUTES.iter().map(|r| ("catalog", *r)));
    routes.extend(submit_report::ROUTES.iter().map(|r| ("submit-report", *r)));
    routes.extend(reports_read::ROUTES.iter().map(|r| ("reports-read", *r)));
    routes.extend(
        report_actions::ROUTES
            .iter()
            .map(|r| ("report-actions", *r)),
    );
    routes.extend(feeds_read::ROUTES.iter().map(|r| ("feeds-read", *r)));
    routes.extend(feeds_admin::ROUTES.iter().map(|r| ("feeds-admin", *r)));
    routes.extend(
        notification_admin::ROUTES
            .iter()
            .map(|r| ("notification-admin", *r)),
    );
    routes.extend(devices::ROUTES.iter().map(|r| ("devices", *r)));
    routes.extend(create_upload::ROUTES.iter().map(|r| ("create-upload", *r)));
    routes.extend(social_read::ROUTES.iter().map(|r| ("social-read", *r)));
    routes.extend(social_admin::ROUTES.iter().map(|r| ("social-admin", *r)));
    routes.extend(
        social_webhook::ROUTES
            .iter()
            .map(|r| ("social-webhook", *r)),
    );
    routes.extend(
        publish_transparency::ROUTES
            .iter()
            .map(|r| ("publish-transparency", *r)),
    );
    routes
}

/// How `lapor-local` is set up, from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalConfig {
    /// `LAPOR_ADDR`, default `127.0.0.1:3000`.
    pub addr: SocketAddr,
    /// `LAPOR_DATA_DIR`, default `./.lapor`.
    pub data_dir: PathBuf,
}

/// Why `lapor-local` cannot start.
#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error("LAPOR_ADDR={0:?} is not an address such as 127.0.0.1:3000")]
    BadAddress(String),
    #[error("the reference data is not valid")]
    Reference(#[from] ReferenceError),
    #[error("the local store could not be opened or seeded")]
    Store(#[from] StoreError),
    #[error("the content feeds could not be seeded")]
    Feeds(#[from] lapor_feeds::RepositoryError),
    #[error("the working-day calendar is not valid")]
    Calendar(#[from] CalendarError),
    #[error("the configuration is not valid")]
    Config(#[from] ConfigError),
    #[error("the local signing key is not usable")]
    Key(#[from] KeyError),
    #[error("cannot create the data folder {path}")]
    DataDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot listen on {addr}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

impl LocalConfig {
    pub fn from_env() -> Result<Self, LocalError> {
        let addr = match std::env::var("LAPOR_ADDR") {
            Ok(text) if !text.trim().is_empty() => text
                .trim()
                .parse()
                .map_err(|_| LocalError::BadAddress(text))?,
            _ => SocketAddr::from(([127, 0, 0, 1], 3000)),
        };
        let data_dir = match std::env::var("LAPOR_DATA_DIR") {
            Ok(dir) if !dir.trim().is_empty() => PathBuf::from(dir),
            _ => PathBuf::from(".lapor"),
        };
        Ok(Self { addr, data_dir })
    }
}

/// The running parts of the local system.
#[derive(Clone)]
pub struct LocalApp {
    pub store: Arc<SqliteStore>,
    pub key: Arc<LocalKey>,
    pub reference: Arc<ReferenceData>,
    pub reports: ReportRepository,
    /// Media: uploads signed for, stored in and read from `<data>/objects`.
    pub media: lapor_media::MediaService,
    pub media_objects: lapor_media::localfs::LocalObjects,
    pub feeds: lapor_feeds::FeedRepository,
    pub notifications: notifications::LocalNotifications,
    /// `#LaporBupatiTegal` tracking: official accounts, posts, links to reports.
    pub social: lapor_social::SocialRepository,
    /// Statistics consumer and the public transparency site (`<data>/public`).
    pub transparency: transparency::LocalTransparency,
    pub data_dir: PathBuf,
}

/// The signing key's file in the data folder.
pub fn key_path(data_dir: &Path) -> PathBuf {
    data_dir.join("local-signing-key")
}

impl LocalApp {
    /// Opens (or makes) the data folder, the store and the key, and seeds the
    /// reference data if this is the first start.
    pub async fn open(data_dir: &Path) -> Result<Self, LocalError> {
        Self::open_with(data_dir, IntakeConfig::from_source(&Env)?).await
    }

    /// As [`LocalApp::open`], with intake settings given rather than read from the
    /// environment.
    pub async fn open_with(data_dir: &Path, intake: IntakeConfig) -> Result<Self, LocalError> {
        std::fs::create_dir_all(data_dir).map_err(|source| LocalError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
        let reference = Arc::new(ReferenceData::tegal()?);
        let store = Arc::new(SqliteStore::open(&data_dir.join("store.sqlite"))?);
        let key = Arc::new(LocalKey::load_or_create(&key_path(data_dir))?);
        seed::seed_reference_data(store.as_ref() as &dyn ItemStore, &reference).await?;
        let calendar = Arc::new(WorkingCalendar::indonesia()?);
        let reports = ReportRepository::new(store.clone(), reference.clone(), calendar, intake);
        let media_objects = lapor_media::localfs::LocalObjects::open(data_dir)?;
        let media = lapor_media::MediaService::new(
            store.clone(),
            Arc::new(media_objects.clone()),
            lapor_media::MediaPolicy::from_source(&Env)?,
        );
        let transparency =
            transparency::LocalTransparency::new(store.clone(), reference.clone(), data_dir)?;
        // Feed uploads are copied to the public site (`<data>/public`, served on /public/).
        let site_media = lapor_feeds::media::SiteMedia::new(
            lapor_media::UploadRepository::new(store.clone()),
            Arc::new(media_objects.clone()),
            transparency.publisher.objects().clone(),
        );
        let feeds = lapor_feeds::FeedRepository::new(store.clone(), reference.clone())
            .with_site_media(site_media);
        feeds::seed(&feeds).await?;
        let notifications = notifications::LocalNotifications::new(store.clone(), data_dir);
        let social = lapor_social::SocialRepository::new(store.clone(), reports.clone());
        Ok(Self {
            store,
            key,
            reference,
            reports,
            media,
            media_objects,
            feeds,
            notifications,
            social,
            transparency,
            data_dir: data_dir.to_path_buf(),
        })
    }

    /// One pass of every change-stream consumer (notifications), synchronously: what
    /// the background loop does, for tests that drive it deterministically.
    pub async fn run_consumers_once(
        &self,
    ) -> Result<lapor_consumers::local::PassSummary, lapor_consumers::local::RunnerError> {
        self.notifications.run_once().await
    }

    /// Tells the parts that hand out URLs where the service listens
    /// (`http://127.0.0.1:3000`): signed object URLs, and the public site's feed media.
    pub fn set_base_url(&self, base_url: &str) {
        let base_url = base_url.trim_end_matches('/');
        self.media_objects.set_base_url(base_url);
        if let Some(site_media) = self.feeds.site_media() {
            site_media.set_base_url(&format!("{base_url}/public"));
        }
    }

    /// Every route of the service, with local identity.
    pub fn router(&self) -> Router {
        let catalog = Arc::new(catalog::Catalog::new(&self.reference));
        let local = Router::new()
            .route("/healthz", get(healthz))
            .route("/openapi.json", get(openapi))
            .with_state(self.clone());
        let app = Router::new()
            .merge(local)
            .merge(catalog::router(catalog))
            .merge(submit_report::router(self.reports.clone()))
            .merge(reports_read::router(
                self.reports.clone(),
                self.media.clone(),
            ))
            .merge(create_upload::router(self.media.clone()))
            .merge(lapor_media::local::router(lapor_media::local::LocalMedia {
                objects: self.media_objects.clone(),
                service: self.media.clone(),
            }))
            .merge(report_actions::router(self.reports.clone()))
            .merge(feeds_read::router(self.feeds.clone()))
            .merge(feeds_admin::router(self.feeds.clone()))
            .merge(notification_admin::router(
                self.notifications.service.clone(),
                self.reference.clone(),
            ))
            .merge(devices::router(self.notifications.service.clone()))
            .merge(social_read::router(self.social.clone()))
            .merge(publish_transparency::router(
                self.transparency.publisher.clone(),
            ))
            .merge(publish_transparency::public_site_router(
                self.transparency.publisher.clone(),
            ))
            .merge(social_admin::router(self.social.clone()))
            .merge(social_webhook::router(
                self.social.clone(),
                lapor_social::webhook::WebhookSecrets::from_source(&Env),
            ));
        lapor_api::routes::finish(app).layer(axum::middleware::from_fn_with_state(
            self.key.clone(),
            lapor_api::identity::local_identity,
        ))
    }
}

async fn healthz(
    State(app): State<LocalApp>,
) -> Result<Json<serde_json::Value>, lapor_api::Problem> {
    let seeded = seed::seed_marker(app.store.as_ref() as &dyn ItemStore)
        .await
        .map_err(|error| {
            tracing::error!(error = %error, "health check could not read the store");
            lapor_api::Problem::unavailable()
        })?;
    Ok(Json(serde_json::json!({
        "status": "ok",
        "store": "sqlite",
        "seeded_at": seeded,
    })))
}

async fn openapi(headers: HeaderMap) -> Response {
    lapor_api::cache::cached_json(&headers, OPENAPI_JSON.as_bytes().to_vec(), 60)
}

/// Serves until Ctrl-C (or SIGTERM).
pub async fn serve(config: LocalConfig) -> Result<(), LocalError> {
    let app = LocalApp::open(&config.data_dir).await?;
    app.set_base_url(&format!("http://{}", config.addr));
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| LocalError::Bind {
            addr: config.addr,
            source,
        })?;
    let _schedules = schedules::spawn(&app);
    let _consumers = app.notifications.spawn();
    let _transparency = app.transparency.spawn();
    let _feed_ingest = feeds::spawn_ingest(&app)?;
    tracing::info!(addr = %config.addr, data_dir = %config.data_dir.display(), "lapor-local is serving");
    axum::serve(listener, app.router())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|source| LocalError::Bind {
            addr: config.addr,
            source,
        })
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
