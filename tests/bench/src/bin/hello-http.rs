//! The floor for load: the same HTTP stack as `lapor-local` (axum on tokio) answering a
//! fixed JSON body. Listens on `HELLO_ADDR` (127.0.0.1 only).

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::var("HELLO_ADDR").unwrap_or_else(|_| "127.0.0.1:3900".into());
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let app = axum::Router::new().route(
        "/",
        axum::routing::get(|| async { axum::Json(serde_json::json!({"items": []})) }),
    );
    axum::serve(listener, app).await
}
