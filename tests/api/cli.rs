//! `switchboard serve` as an operator meets it: every refusal is one clear line on stderr and a
//! non-zero exit; a good start serves pages and health checks; SIGTERM and Ctrl-C stop it cleanly.

use crate::common;

use common::{command, get, sqlite_url, TestServer};
use std::process::Output;

async fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = command(args);
    for (key, value) in env {
        cmd.env(key, value);
    }
    tokio::time::timeout(std::time::Duration::from_secs(60), cmd.output())
        .await
        .expect("the command ends by itself")
        .expect("the command runs")
}

/// Asserts a refusal: the exit code, and exactly one line on stderr containing `needle`.
fn assert_refused(output: &Output, code: i32, needle: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "stderr: {stderr}");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("switchboard: "))
        .collect();
    assert_eq!(lines.len(), 1, "one line for the operator, got: {stderr}");
    assert!(
        lines[0].contains(needle),
        "{:?} should mention {needle:?}",
        lines[0]
    );
}

#[tokio::test]
async fn a_bad_flag_is_one_line_and_exit_2() {
    let output = run(&["serve", "--no-such-flag"], &[]).await;
    assert_refused(&output, 2, "--no-such-flag");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");

    let output = run(&["serve", "--addr", "not-an-address", "--demo"], &[]).await;
    assert_refused(&output, 2, "not-an-address");
}

#[tokio::test]
async fn a_missing_or_short_jwt_secret_is_refused_without_demo() {
    let data = tempfile::tempdir().unwrap();
    let url = sqlite_url(data.path());
    let args = ["serve", "--addr", "127.0.0.1:0", "--database-url", &url];

    let output = run(&args, &[]).await;
    assert_refused(&output, 1, "SWITCHBOARD_JWT_SECRET is not set");

    let output = run(&args, &[("SWITCHBOARD_JWT_SECRET", "too-short")]).await;
    assert_refused(&output, 1, "at least 32");
}

#[tokio::test]
async fn an_unreadable_database_path_is_refused() {
    let output = run(
        &[
            "serve",
            "--demo",
            "--addr",
            "127.0.0.1:0",
            "--database-url",
            "sqlite:///no/such/directory/switchboard.db",
        ],
        &[],
    )
    .await;
    assert_refused(&output, 1, "cannot open the database");
}

#[tokio::test]
async fn an_address_in_use_is_refused() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let data = tempfile::tempdir().unwrap();
    let url = sqlite_url(data.path());
    let output = run(
        &["serve", "--demo", "--addr", &addr, "--database-url", &url],
        &[],
    )
    .await;
    assert_refused(&output, 1, &format!("cannot listen on {addr}"));
}

#[tokio::test]
async fn env_vars_configure_serve_like_flags() {
    let data = tempfile::tempdir().unwrap();
    let url = sqlite_url(data.path());
    let secret = "s".repeat(40);
    let mut child = command(&["serve"])
        .env("SWITCHBOARD_ADDR", "127.0.0.1:0")
        .env("DATABASE_URL", &url)
        .env("SWITCHBOARD_JWT_SECRET", &secret)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Started without --demo but with a long secret: it serves, and the database file exists.
    let stderr = child.stderr.take().unwrap();
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(stderr).lines();
    let mut listening = false;
    while let Ok(Some(line)) = lines.next_line().await {
        if line.contains("listening") {
            listening = true;
            break;
        }
    }
    assert!(listening, "the server started from env vars alone");
    assert!(data.path().join("switchboard.db").exists());
    common::signal(child.id().unwrap(), "TERM");
    assert!(child.wait().await.unwrap().success());
}

#[tokio::test]
async fn pages_health_and_readiness_answer() {
    let server = TestServer::start().await;

    let health = get(&server.http("/healthz")).await;
    assert_eq!(health.status, 200);
    assert!(health.body.contains("\"ok\""));
    let ready = get(&server.http("/readyz")).await;
    assert_eq!(ready.status, 200);
    assert!(ready.body.contains("\"database\":\"ok\""), "{}", ready.body);

    for (path, marker) in [
        ("/", "Sign in"),
        ("/websocket-test", "WebSocket diagnostics"),
        ("/websocket-test.html", "WebSocket diagnostics"),
        ("/static/websocket_test.html", "WebSocket diagnostics"),
        ("/widget-demo", "data-widget-key=\"demo\""),
        ("/widget-demo.html", "Northwind"),
    ] {
        let page = get(&server.http(path)).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(page.body.contains(marker), "{path} should contain {marker}");
    }

    let loader = get(&server.http("/widget.js")).await;
    assert_eq!(loader.status, 200);
    assert!(loader.body.contains("data-widget-key"));

    let missing = get(&server.http("/no/such/page")).await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("This page does not exist"));
}

#[tokio::test]
async fn sigint_stops_the_server_cleanly() {
    let server = TestServer::start().await;
    common::signal(server.pid(), "INT");
    let (status, logs) = server.terminate_after_signal().await;
    assert!(status.success(), "{status:?}");
    assert!(logs.join("\n").contains("Ctrl-C received"));
}
