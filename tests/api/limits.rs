//! What the server bounds when the open internet pushes: a flood of wrong sign-ins, visitors'
//! names and addresses, invisible or oversized content, numbers that overflow, methods that
//! files do not answer, and `--demo` on a real shop's database.

use crate::common;

use common::{
    chat::{history, login, start_visitor},
    get, get_json, post, request, TestServer,
};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How many wrong sign-ins arrive at once.
const FLOOD: usize = 500;

/// The most the server may hold in memory through the flood (each argon2 check takes 19 MiB:
/// unbounded, 500 at once would take about 9.5 GB).
const MOST_RSS_KIB: u64 = 300 * 1024;

/// `POST /api/v1/auth/login` over a plain socket; the status of the answer.
async fn wrong_login(addr: &str, n: usize) -> u16 {
    let body = format!(r#"{{"email": "nobody{n}@example.com", "password": "wrong password {n}"}}"#);
    let request = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    let answer = String::from_utf8_lossy(&answer);
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|status| status.parse().ok())
        .expect("an HTTP status line")
}

/// The most memory the process has held, from the kernel (VmHWM, in KiB).
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .expect("VmHWM in /proc/PID/status")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_login_flood_keeps_memory_bounded_and_health_answering() {
    let server = TestServer::start_with(&[
        "--demo",
        "--max-password-checks",
        "2",
        // Memory is measured here; the limits on sign-ins have their own tests (safety.rs).
        "--rate-login-ip",
        "off",
    ])
    .await;
    let addr = server.addr.clone();
    let flood: Vec<_> = (0..FLOOD)
        .map(|n| {
            let addr = addr.clone();
            tokio::spawn(async move { wrong_login(&addr, n).await })
        })
        .collect();

    // Health answers while the flood is being worked through.
    let mut answered_during = 0;
    while flood.iter().any(|login| !login.is_finished()) {
        assert_eq!(get(&server.http("/healthz")).await.status, 200);
        answered_during += 1;
    }
    let mut statuses = Vec::new();
    for login in flood {
        statuses.push(login.await.expect("login task"));
    }
    assert!(answered_during > 0, "/healthz was asked during the flood");
    assert!(
        statuses.iter().all(|&status| status == 401),
        "every wrong sign-in is refused as such: {:?}",
        statuses.iter().filter(|&&s| s != 401).collect::<Vec<_>>()
    );
    let peak = peak_rss_kib(server.pid());
    assert!(
        peak < MOST_RSS_KIB,
        "peak RSS {peak} KiB through {FLOOD} wrong sign-ins"
    );
}

/// The status and error code of an answer.
fn refusal(reply: &common::JsonReply) -> (u16, &str) {
    (
        reply.status,
        reply.body["error"]["code"].as_str().unwrap_or_default(),
    )
}

#[tokio::test]
async fn a_visitor_is_bounded_and_well_formed() {
    let server = TestServer::start_with(&["--demo", "--ai", "off"]).await;
    let start = |visitor: serde_json::Value| {
        let url = server.http("/api/v1/chat/public/start");
        async move { post(&url, None, json!({"widgetKey": "demo", "visitor": visitor})).await }
    };
    let long_name = "N".repeat(101);
    let long_email = format!("{}@example.com", "a".repeat(250));
    for visitor in [
        json!({"name": long_name}),
        json!({"name": "Dana\u{0000}"}),
        json!({"email": "not an address"}),
        json!({"email": long_email}),
    ] {
        let reply = start(visitor.clone()).await;
        assert_eq!(refusal(&reply), (422, "invalid_visitor"), "{visitor}");
    }
    let sessions = get_json(
        &server.http("/api/v1/chat/sessions"),
        Some(&login(&server, "agent1@callcenter.com").await.0),
    )
    .await;
    assert_eq!(sessions.body, json!([]), "nothing was stored");

    let reply = start(json!({"name": " Dana ", "email": "dana@example.com"})).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

#[tokio::test]
async fn invisible_content_oversized_bodies_and_overflowing_numbers_are_refused() {
    let server = TestServer::start_with(&["--demo", "--ai", "off"]).await;
    let visitor = start_visitor(&server, Some("Dana")).await;
    let message = |content: &str| json!({"sessionKey": visitor.key, "content": content});
    let url = server.http("/api/v1/chat/public/message");
    let reply = post(&url, None, message("\u{200B}\u{200D}\u{FEFF} \u{2060}")).await;
    assert_eq!(refusal(&reply), (422, "content_empty"));
    // Over a plain socket, announced and not sent: the server refuses it from its
    // Content-Length before reading any of it.
    let body = json!({"sessionKey": visitor.key, "content": "x".repeat(3 << 20)}).to_string();
    let head = "POST /api/v1/chat/public/message HTTP/1.1\r\nContent-Type: application/json";
    let (status, answer) = common::raw_http(&server.addr, head, body.as_bytes()).await;
    assert_eq!(status, 413, "{answer}");
    assert!(answer.contains("body_too_large"), "{answer}");

    let (token, _) = login(&server, "agent1@callcenter.com").await;
    assert!(
        history(&server, &token, &visitor.session_id)
            .await
            .is_empty(),
        "nothing stored"
    );
    let beyond = format!(
        "/api/v1/chat/sessions/{}/messages?afterSeq={}",
        visitor.session_id,
        u64::MAX
    );
    let reply = get_json(&server.http(&beyond), Some(&token)).await;
    assert_eq!(refusal(&reply), (422, "invalid_seq"));
    let read = format!("/api/v1/chat/sessions/{}/read", visitor.session_id);
    let reply = post(&server.http(&read), Some(&token), json!({"seq": u64::MAX})).await;
    assert_eq!(refusal(&reply), (422, "invalid_seq"));
}

#[tokio::test]
async fn pages_and_files_answer_reads_only() {
    let server = TestServer::start_with(&["--demo", "--ai", "off"]).await;
    for path in ["/widget.js", "/", "/favicon.svg"] {
        let reply = request("DELETE", &server.http(path), None, None).await;
        assert_eq!(reply.status, 405, "DELETE {path}");
        let reply = request("POST", &server.http(path), None, Some(json!({}))).await;
        assert_eq!(reply.status, 405, "POST {path}");
    }
    assert_eq!(get(&server.http("/widget.js")).await.status, 200);
}

#[tokio::test]
async fn demo_mode_refuses_a_database_with_real_tenants() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::sqlite_url(dir.path());
    let created = common::command(&["admin", "tenant", "create", "Acme", "--database-url", &db])
        .output()
        .await
        .unwrap();
    assert!(created.status.success());
    let refused = common::command(&[
        "serve",
        "--demo",
        "--addr",
        "127.0.0.1:0",
        "--database-url",
        &db,
    ])
    .output()
    .await
    .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("--demo refuses a database that holds other tenants (Acme)"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_long_reason_is_refused_and_an_overflowing_resume_point_too() {
    let server = TestServer::start_with(&["--demo", "--ai", "off"]).await;
    let visitor = start_visitor(&server, Some("Dana")).await;
    let beyond = format!("/ws/public/{}?lastSeq={}", visitor.key, u64::MAX);
    let refused = common::ws::Client::try_connect(&server.ws(&beyond), None).await;
    assert_eq!(
        refused.err(),
        Some(422),
        "the socket is refused before the upgrade"
    );

    let mut ws = common::chat::visitor_socket(&server, &visitor.key).await;
    ws.send(json!({"type": "human-escalation", "reason": "r".repeat(501)}))
        .await;
    let error = ws.until("error").await;
    assert_eq!(error["code"], "invalid_reason");
    ws.send(json!({"type": "ping"})).await;
    ws.until("pong").await;
    let session = get_json(
        &server.http(&format!("/api/v1/chat/public/session/{}", visitor.key)),
        None,
    )
    .await;
    assert_eq!(
        session.body["session"]["status"], "pending",
        "--ai off: it waits as it did"
    );
}

#[tokio::test]
async fn every_answer_carries_the_safety_headers() {
    let server = TestServer::start_with(&["--demo", "--ai", "off"]).await;
    for path in [
        "/",
        "/widget-demo",
        "/widget.js",
        "/api/v1/chat/public/widget/demo",
        "/nowhere",
    ] {
        let reply = get(&server.http(path)).await;
        assert_eq!(
            reply.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            reply.header("referrer-policy"),
            Some("strict-origin-when-cross-origin"),
            "{path}"
        );
        let policy = reply.header("content-security-policy").unwrap_or_default();
        assert!(
            policy.ends_with("; frame-ancestors 'none'"),
            "{path}: the dashboard and every other page cannot be framed: {policy}"
        );
    }
    let messenger = get(&server.http("/widget/demo")).await;
    let policy = messenger
        .header("content-security-policy")
        .unwrap_or_default();
    assert!(
        policy.ends_with("; frame-ancestors 'self'"),
        "the messenger keeps the tenant's own policy: {policy}"
    );
    assert_eq!(messenger.header("x-content-type-options"), Some("nosniff"));
}
