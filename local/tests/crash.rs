//! Fault test: `lapor-local` killed with SIGKILL in the middle of a burst of
//! submissions. After a restart every report that was answered `201` is there, and
//! retrying every request (same idempotency keys) creates no duplicate.

use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(data_dir: &std::path::Path, port: u16) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_lapor-local"))
        .env("LAPOR_ADDR", format!("127.0.0.1:{port}"))
        .env("LAPOR_DATA_DIR", data_dir)
        .env("LAPOR_DAILY_REPORT_LIMIT", "1000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("lapor-local starts");
    Server(child)
}

async fn wait_until_up(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("lapor-local did not start within 30 s");
}

fn token(data_dir: &std::path::Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_lapor-local"))
        .args(["token", "--role", "citizen", "--sub", "warga-tahan-banting"])
        .env("LAPOR_DATA_DIR", data_dir)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn body(i: usize) -> serde_json::Value {
    serde_json::json!({
        "subcategory_id": "jalan-rusak",
        "description": format!("Laporan nomor {i}: jalan berlubang di depan balai desa."),
        "location": {"lat": -6.9824, "lon": 109.1364, "kecamatan_id": "kec-slawi"}
    })
}

async fn submit(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    i: usize,
) -> Option<(u16, String)> {
    let response = client
        .post(format!("{base}/v1/reports"))
        .bearer_auth(token)
        .header("Idempotency-Key", format!("crash-test-key-{i:04}"))
        .json(&body(i))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .ok()?;
    let status = response.status().as_u16();
    let value: serde_json::Value = response.json().await.ok()?;
    Some((status, value["id"].as_str().unwrap_or_default().to_owned()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_answered_201_survive_a_sigkill_and_retries_make_no_duplicates() {
    const BURST: usize = 120;
    let dir = std::env::temp_dir().join(format!("lapor-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let client = reqwest::Client::new();
    let token = token(&dir);

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start(&dir, port);
    wait_until_up(&client, &base).await;
    let burst = {
        let client = client.clone();
        let base = base.clone();
        let token = token.clone();
        tokio::spawn(async move {
            let tasks: Vec<_> = (0..BURST)
                .map(|i| {
                    let (client, base, token) = (client.clone(), base.clone(), token.clone());
                    tokio::spawn(async move { (i, submit(&client, &base, &token, i).await) })
                })
                .collect();
            let mut answered = HashMap::new();
            for task in tasks {
                if let Ok((i, Some((201, id)))) = task.await {
                    answered.insert(i, id);
                }
            }
            answered
        })
    };
    // Kill it while the burst is in flight.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let _ = server.0.kill();
    let _ = server.0.wait();
    let answered = burst.await.unwrap();
    drop(server);

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let _server = start(&dir, port);
    wait_until_up(&client, &base).await;
    for (i, id) in &answered {
        let response = client
            .get(format!("{base}/v1/reports/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            200,
            "report {i} was answered 201 but is gone"
        );
    }
    let mut ids = HashSet::new();
    for i in 0..BURST {
        let (status, id) = submit(&client, &base, &token, i)
            .await
            .expect("the retry is answered");
        assert_eq!(status, 201, "retry {i}");
        if let Some(first) = answered.get(&i) {
            assert_eq!(&id, first, "retry {i} made another report");
        }
        ids.insert(id);
    }
    assert_eq!(ids.len(), BURST);
    let mine: serde_json::Value = client
        .get(format!("{base}/v1/me/reports?limit=100"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut total = mine["items"].as_array().unwrap().len();
    let mut cursor = mine["next_cursor"].as_str().map(str::to_owned);
    while let Some(c) = cursor {
        let page: serde_json::Value = client
            .get(format!("{base}/v1/me/reports?limit=100&cursor={c}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        total += page["items"].as_array().unwrap().len();
        cursor = page["next_cursor"].as_str().map(str::to_owned);
    }
    assert_eq!(total, BURST, "no duplicates, none lost");
    eprintln!(
        "{} of {BURST} were answered before the kill",
        answered.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
