//! `lapor-bench`: prints one table of figures, each beside a floor measured in the same
//! run on the same machine: cold start of every function against a hello-world
//! `lambda_runtime` binary, binary and zip sizes, and load on `lapor-local` against a
//! hello-world server of the same stack. Run through `tests/bench`, which builds the
//! binaries first. Every server binds 127.0.0.1 and every loop is bounded.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const STARTS: usize = 10;

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// A fake Lambda Runtime API: notes when `/invocation/next` is first polled, and never
/// answers it (the process is killed once measured).
async fn fake_runtime_api(port: u16, polled: Arc<Mutex<Option<Instant>>>) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let app = axum::Router::new().route(
        "/2018-06-01/runtime/invocation/next",
        axum::routing::get(move || {
            let polled = polled.clone();
            async move {
                if let Ok(mut first) = polled.lock() {
                    first.get_or_insert_with(Instant::now);
                }
                tokio::time::sleep(Duration::from_secs(30)).await;
                "{}"
            }
        }),
    );
    axum::serve(listener, app).await
}

/// Median milliseconds from spawning `binary` until it polls for its first invocation.
async fn cold_start(binary: &Path) -> Result<f64, String> {
    let mut samples = Vec::new();
    for _ in 0..STARTS {
        let port = free_port().map_err(|e| e.to_string())?;
        let polled = Arc::new(Mutex::new(None));
        let server = tokio::spawn(fake_runtime_api(port, polled.clone()));
        tokio::time::sleep(Duration::from_millis(20)).await;
        let started = Instant::now();
        let child = Command::new(binary)
            .env_clear()
            .envs(function_env(port))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("{}: {e}", binary.display()))?;
        let _child = Killed(child);
        let deadline = started + Duration::from_secs(10);
        let mut took = None;
        while Instant::now() < deadline {
            if let Some(at) = polled.lock().ok().and_then(|p| *p) {
                took = Some(at.duration_since(started).as_secs_f64() * 1000.0);
                break;
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        server.abort();
        samples.push(took.ok_or_else(|| format!("{} never polled", binary.display()))?);
    }
    samples.sort_by(f64::total_cmp);
    Ok(samples[samples.len() / 2])
}

/// What every function needs in its environment to start (no AWS is reached at start).
fn function_env(port: u16) -> Vec<(String, String)> {
    [
        ("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{port}")),
        ("AWS_LAMBDA_FUNCTION_NAME", "bench".into()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "1".into()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256".into()),
        ("AWS_LAMBDA_LOG_FORMAT", "JSON".into()),
        ("AWS_REGION", "ap-southeast-3".into()),
        ("AWS_ACCESS_KEY_ID", "bench".into()),
        ("AWS_SECRET_ACCESS_KEY", "bench".into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("LAPOR_TABLE", "lapor-bench".into()),
        ("LAPOR_MEDIA_BUCKET", "lapor-bench-media".into()),
        ("LAPOR_PUBLIC_BUCKET", "lapor-bench-public".into()),
        ("LAPOR_SITE_BUCKET", "lapor-bench-public".into()),
        ("LAPOR_NEWS_FEED_URL", "http://127.0.0.1:9/news.xml".into()),
        (
            "LAPOR_PODCAST_FEED_URL",
            "http://127.0.0.1:9/podcast.xml".into(),
        ),
        ("LAPOR_META_VERIFY_TOKEN", "bench".into()),
        ("LAPOR_META_APP_SECRET", "bench".into()),
        ("LAPOR_SMS_SENDER_ID", "LAPOR".into()),
        (
            "LAPOR_SHORT_LINK_BASE",
            "https://lapor.tegalkab.go.id/t".into(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn zip_size(binary: &Path) -> Option<u64> {
    let zip = std::env::temp_dir().join(format!("lapor-bench-{}.zip", std::process::id()));
    let script = "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_DEFLATED) as z: z.write(sys.argv[1], 'bootstrap')";
    let ok = Command::new("python3")
        .args(["-c", script])
        .arg(binary)
        .arg(&zip)
        .status()
        .ok()?
        .success();
    let size = ok
        .then(|| std::fs::metadata(&zip).ok().map(|m| m.len()))
        .flatten();
    let _ = std::fs::remove_file(&zip);
    size
}

struct Load {
    requests: usize,
    errors: usize,
    seconds: f64,
    latencies_ms: Vec<f64>,
}

impl Load {
    fn percentile(&self, p: f64) -> f64 {
        if self.latencies_ms.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies_ms.len() as f64 - 1.0) * p).round() as usize;
        self.latencies_ms[i]
    }
}

/// `concurrency` workers for `duration`, each sending what `request(worker, n)` builds.
async fn load<F>(concurrency: usize, duration: Duration, request: F) -> Load
where
    F: Fn(&reqwest::Client, usize, usize) -> reqwest::RequestBuilder + Send + Sync + 'static,
{
    let client = reqwest::Client::new();
    let request = Arc::new(request);
    let started = Instant::now();
    let workers = (0..concurrency).map(|worker| {
        let (client, request) = (client.clone(), request.clone());
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            let mut n = 0;
            while started.elapsed() < duration {
                let t = Instant::now();
                match request(&client, worker, n)
                    .timeout(Duration::from_secs(10))
                    .send()
                    .await
                {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    _ => errors += 1,
                }
                n += 1;
            }
            (latencies, errors)
        })
    });
    let mut all = Vec::new();
    let mut errors = 0;
    for (latencies, e) in futures::future::join_all(workers)
        .await
        .into_iter()
        .flatten()
    {
        all.extend(latencies);
        errors += e;
    }
    all.sort_by(f64::total_cmp);
    Load {
        requests: all.len(),
        errors,
        seconds: started.elapsed().as_secs_f64(),
        latencies_ms: all,
    }
}

async fn wait_up(url: &str) -> bool {
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if client.get(url).send().await.is_ok() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

fn row(name: &str, load: &Load) {
    println!(
        "| {name} | {:.0} | {:.2} | {:.2} | {} |",
        load.requests as f64 / load.seconds,
        load.percentile(0.5),
        load.percentile(0.99),
        load.errors
    );
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let bin_dir = PathBuf::from(
        std::env::var("LAPOR_BENCH_BIN_DIR").unwrap_or_else(|_| "target/release".into()),
    );
    let seconds: u64 = std::env::var("LAPOR_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let functions: Vec<String> = std::fs::read_dir("functions")
        .map_err(|e| format!("run from the repository root: {e}"))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("src/main.rs").exists())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();

    println!("## Cold start (median of {STARTS} starts until the first poll of the Runtime API) and size\n");
    let floor = cold_start(&bin_dir.join("hello-lambda")).await?;
    let floor_size = std::fs::metadata(bin_dir.join("hello-lambda"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!("| function | cold start ms | × floor | binary KiB | zip KiB |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| hello-lambda (floor) | {floor:.1} | 1.00 | {} | {} |",
        floor_size / 1024,
        zip_size(&bin_dir.join("hello-lambda")).unwrap_or(0) / 1024
    );
    let mut results = BTreeMap::new();
    for name in &functions {
        let path = bin_dir.join(name);
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let zip = zip_size(&path).unwrap_or(0);
        match cold_start(&path).await {
            Ok(ms) => {
                println!(
                    "| {name} | {ms:.1} | {:.2} | {} | {} |",
                    ms / floor,
                    size / 1024,
                    zip / 1024
                );
                results.insert(name.clone(), ms);
            }
            Err(e) => println!(
                "| {name} | failed: {e} | | {} | {} |",
                size / 1024,
                zip / 1024
            ),
        }
    }

    println!("\n## Load on lapor-local: 32 connections for {seconds} s\n");
    let duration = Duration::from_secs(seconds);
    let hello_port = free_port().map_err(|e| e.to_string())?;
    let _hello = Killed(
        Command::new(bin_dir.join("hello-http"))
            .env("HELLO_ADDR", format!("127.0.0.1:{hello_port}"))
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?,
    );
    let hello_url = format!("http://127.0.0.1:{hello_port}/");
    if !wait_up(&hello_url).await {
        return Err("hello-http did not start".into());
    }
    let floor_load = load(32, duration, move |c, _, _| c.get(&hello_url)).await;

    let data = std::env::temp_dir().join(format!("lapor-bench-data-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let port = free_port().map_err(|e| e.to_string())?;
    let local = bin_dir.join("lapor-local");
    let _local = Killed(
        Command::new(&local)
            .env("LAPOR_ADDR", format!("127.0.0.1:{port}"))
            .env("LAPOR_DATA_DIR", &data)
            .env("LAPOR_DAILY_REPORT_LIMIT", "100000000")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?,
    );
    let base = format!("http://127.0.0.1:{port}");
    if !wait_up(&format!("{base}/healthz")).await {
        return Err("lapor-local did not start".into());
    }
    let tokens: Vec<String> = (0..32)
        .map(|i| {
            Command::new(&local)
                .args(["token", "--role", "citizen", "--sub", &format!("bench-{i}")])
                .env("LAPOR_DATA_DIR", &data)
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
                .unwrap_or_default()
        })
        .collect();
    let tokens = Arc::new(tokens);
    let submit_base = base.clone();
    let submissions = load(32, duration, move |c, worker, n| {
        c.post(format!("{submit_base}/v1/reports"))
            .bearer_auth(&tokens[worker])
            .header("Idempotency-Key", format!("bench-{worker}-{n:08}"))
            .json(&serde_json::json!({
                "subcategory_id": "jalan-rusak",
                "description": format!("Beban uji {worker}-{n}: jalan berlubang di depan balai desa."),
                "location": {"lat": -6.9824, "lon": 109.1364, "kecamatan_id": "kec-slawi"}
            }))
    })
    .await;
    let read_base = base.clone();
    let reads = load(32, duration, move |c, _, _| {
        c.get(format!("{read_base}/v1/reports?limit=20"))
    })
    .await;
    let _ = std::fs::remove_dir_all(&data);
    println!("| server, request | requests/s | p50 ms | p99 ms | errors |");
    println!("|---|---:|---:|---:|---:|");
    row("hello-http GET / (floor)", &floor_load);
    row("lapor-local POST /v1/reports", &submissions);
    row("lapor-local GET /v1/reports?limit=20", &reads);
    println!(
        "\nSubmissions reach {:.1} % and list reads {:.1} % of the floor's throughput.",
        100.0 * submissions.requests as f64 / floor_load.requests.max(1) as f64,
        100.0 * reads.requests as f64 / floor_load.requests.max(1) as f64
    );
    Ok(())
}
