//! Fault test: the store (DynamoDB, here moto behind a loopback proxy) goes away in the
//! middle of submissions. The citizen gets 503 with `Retry-After`, nothing is half
//! written, and the same request retried once the store is back files the report once.

use lapor_api::lambda::handle_event;
use lapor_models::{ReferenceData, WorkingCalendar};
use lapor_reports::repository::{IntakeConfig, ReportRepository};
use lapor_store::dynamo::{create_table, DynamoStore};
use lapor_store::{ItemStore, Key};
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};

/// A TCP proxy on 127.0.0.1 to `target` that can be cut: while down it closes every new
/// connection at once. It runs until the test's runtime ends.
struct Proxy {
    addr: std::net::SocketAddr,
    up: Arc<AtomicBool>,
}

impl Proxy {
    async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(true));
        let flag = up.clone();
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !flag.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let target = target.clone();
                tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Self { addr, up }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

fn event(case: &str) -> String {
    let path = format!(
        "{}/../../events/submit-report/{case}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[tokio::test]
async fn a_store_outage_answers_503_writes_nothing_and_the_retry_files_the_report_once() {
    let moto = lapor_store::moto::endpoint();
    let target = moto.trim_start_matches("http://").to_owned();
    let proxy = Proxy::start(target).await;
    let config = lapor_store::moto::sdk_config().await;
    // The table is made directly on moto; the function reaches it only through the proxy.
    let direct = aws_sdk_dynamodb::Client::new(&config);
    let table = lapor_store::contract::unique_prefix("lapor-outage");
    create_table(&direct, &table).await.unwrap();
    let proxied_config = config
        .into_builder()
        .endpoint_url(format!("http://{}", proxy.addr))
        .build();
    let proxied = DynamoStore::new(
        aws_sdk_dynamodb::Client::new(&proxied_config),
        table.clone(),
    );
    let repository = ReportRepository::new(
        Arc::new(proxied),
        Arc::new(ReferenceData::tegal().unwrap()),
        Arc::new(WorkingCalendar::indonesia().unwrap()),
        IntakeConfig::default(),
    );
    let app = || lapor_api::routes::finish(submit_report::router(repository.clone()));

    proxy.cut();
    let response = handle_event(app(), &event("submit-public")).await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "5");
    let problem: Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(problem["type"], "urn:lapor:problem:unavailable");
    assert!(
        !problem.to_string().contains("dispatch"),
        "no internal detail leaks"
    );

    // Nothing was written: no idempotency record, no quota, no report.
    let store = DynamoStore::new(direct, table);
    let idem = Key::new(
        "IDEMP#3f2a9c1e-citizen-siti#6b1c2d2e-0d7a-4f0e-9c55-1f1b6c0f0a01",
        "IDEMP",
    );
    assert!(store.get(&idem).await.unwrap().is_none());
    let page = store
        .query(lapor_store::Query::index(lapor_store::Index::Gsi1, "PUB"))
        .await
        .unwrap();
    assert!(page.items.is_empty());

    proxy.restore();
    let first = handle_event(app(), &event("submit-public")).await.unwrap();
    assert_eq!(first.status(), 201);
    let again = handle_event(app(), &event("submit-public")).await.unwrap();
    assert_eq!(again.status(), 201);
    let a: Value = serde_json::from_slice(first.body()).unwrap();
    let b: Value = serde_json::from_slice(again.body()).unwrap();
    assert_eq!(a["id"], b["id"]);
    let page = store
        .query(lapor_store::Query::index(lapor_store::Index::Gsi1, "PUB"))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1, "exactly one report");
}
