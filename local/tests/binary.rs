//! The `lapor-local` binary as a newcomer runs it: started with no arguments, it serves
//! the reference data; stopped and started again, it keeps what it had.

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
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("lapor-local starts");
    Server(child)
}

/// GET over a plain TCP socket (the binary test needs no HTTP client crate).
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = text.split("\r\n\r\n").nth(1)?.to_owned();
    Some((status, body))
}

fn wait_until_up(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if get(port, "/healthz").is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("lapor-local did not answer on port {port} within 30 s");
}

#[test]
fn the_binary_serves_the_catalog_and_keeps_its_seed_across_a_restart() {
    let dir = std::env::temp_dir().join(format!("lapor-binary-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let port = free_port();
    let first_seed = {
        let _server = start(&dir, port);
        wait_until_up(port);
        let (status, body) = get(port, "/v1/units").unwrap();
        assert_eq!(status, 200);
        let units: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(units["items"].as_array().unwrap().len(), 50);
        let (_, health) = get(port, "/healthz").unwrap();
        let health: serde_json::Value = serde_json::from_str(&health).unwrap();
        health["seeded_at"].as_str().unwrap().to_owned()
    };
    let port = free_port();
    let _server = start(&dir, port);
    wait_until_up(port);
    let (_, health) = get(port, "/healthz").unwrap();
    let health: serde_json::Value = serde_json::from_str(&health).unwrap();
    assert_eq!(health["seeded_at"], first_seed.as_str());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_token_command_prints_a_token_and_refuses_a_pic_without_a_unit() {
    let dir = std::env::temp_dir().join(format!("lapor-token-{}", std::process::id()));
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_lapor-local"))
            .args(args)
            .env("LAPOR_DATA_DIR", &dir)
            .output()
            .unwrap()
    };
    let ok = run(&[
        "token",
        "--role",
        "pic",
        "--unit",
        "kec-slawi",
        "--sub",
        "pic-7",
    ]);
    assert!(ok.status.success());
    let token = String::from_utf8(ok.stdout).unwrap();
    assert_eq!(token.trim().split('.').count(), 3);
    let refused = run(&["token", "--role", "pic"]);
    assert_eq!(refused.status.code(), Some(2));
    let refused = run(&["token", "--role", "mayor"]);
    assert_eq!(refused.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
