//! Rate limits, sign-outs, roles, timeouts, socket caps, origins and headers, against the real
//! binary: each refusal with its exact answer, and nothing stored past a limit.

use crate::common;

use common::{
    chat::{agent_socket, history, login, start_visitor, visitor_socket, PASSWORD},
    get, get_json, post,
    ws::Client,
    TestServer,
};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn login_body(email: &str, password: &str) -> Value {
    json!({"email": email, "password": password})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_passwords_lock_the_account_even_for_the_right_one() {
    let server = TestServer::start_with(&["--demo"]).await;
    let url = server.http("/api/v1/auth/login");
    for _ in 0..5 {
        let wrong = post(&url, None, login_body("agent1@callcenter.com", "wrong")).await;
        assert_eq!(wrong.status, 401);
    }
    let right = post(&url, None, login_body("Agent1@CallCenter.com", PASSWORD)).await;
    assert_eq!(right.status, 429, "{}", right.body);
    assert_eq!(right.body["error"]["code"], "rate_limited");
    let wait: u64 = right.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=180).contains(&wait), "Retry-After {wait}");
    // Another account is not held up by it.
    login(&server, "agent2@callcenter.com").await;
    // The failures are logged, never the password.
    let (_, lines) = server.terminate().await;
    assert!(lines.iter().any(|l| l.contains("failed sign-in")));
    assert!(!lines
        .iter()
        .any(|l| l.contains("wrong") && l.contains("password=")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ins_are_limited_per_address() {
    let server = TestServer::start_with(&["--demo", "--rate-login-ip", "3/min"]).await;
    for n in 0..3 {
        let email = format!("nobody{n}@example.com");
        let reply = post(
            &server.http("/api/v1/auth/login"),
            None,
            login_body(&email, "x"),
        )
        .await;
        assert_eq!(reply.status, 401);
    }
    let reply = post(
        &server.http("/api/v1/auth/login"),
        None,
        login_body("agent1@callcenter.com", PASSWORD),
    )
    .await;
    assert_eq!(reply.status, 429);
    assert!(reply.header("retry-after").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversations_and_messages_past_their_limits_store_nothing() {
    let server = TestServer::start_with(&[
        "--demo",
        "--ai",
        "off",
        "--rate-start-ip",
        "2/min",
        "--rate-session-chat",
        "2/min",
    ])
    .await;
    let visitor = start_visitor(&server, Some("Ann")).await;
    start_visitor(&server, None).await;
    let refused = post(
        &server.http("/api/v1/chat/public/start"),
        None,
        json!({"widgetKey": "demo"}),
    )
    .await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.body["error"]["code"], "rate_limited");
    let (token, _) = login(&server, "agent1@callcenter.com").await;
    let sessions = get_json(&server.http("/api/v1/chat/sessions"), Some(&token)).await;
    assert_eq!(
        sessions.body.as_array().unwrap().len(),
        2,
        "the third was not started"
    );

    let message_url = server.http("/api/v1/chat/public/message");
    let send = |content: &str| {
        post(
            &message_url,
            None,
            json!({"sessionKey": visitor.key, "content": content}),
        )
    };
    assert_eq!(send("one").await.status, 200);
    // The socket shares the conversation's limit.
    let mut socket = visitor_socket(&server, &visitor.key).await;
    socket.send(json!({"type": "chat", "content": "two"})).await;
    socket.until("chat.message.new").await;
    let over = send("three").await;
    assert_eq!(over.status, 429);
    assert!(over.header("retry-after").is_some());
    socket
        .send(json!({"type": "chat", "content": "four"}))
        .await;
    let error = socket.until("error").await;
    assert_eq!(error["code"], "rate_limited", "{error}");
    // The socket stays open, and only the two within the limit were stored.
    socket.sync().await;
    let stored = history(&server, &token, &visitor.session_id).await;
    let contents: Vec<_> = stored.iter().map(|m| m["content"].clone()).collect();
    assert_eq!(contents, vec![json!("one"), json!("two")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_flooding_frames_is_told_and_stays_open() {
    let server = TestServer::start_with(&["--demo", "--rate-socket-frames", "5/min"]).await;
    let visitor = start_visitor(&server, None).await;
    let mut socket = visitor_socket(&server, &visitor.key).await;
    for _ in 0..5 {
        socket
            .send(json!({"type": "typing", "isTyping": true}))
            .await;
    }
    socket.send(json!({"type": "ping"})).await;
    let error = socket.until("error").await;
    assert_eq!(error["code"], "rate_limited");
    let words = error["message"].as_str().unwrap();
    assert!(
        words.starts_with("Too many attempts. Try again in "),
        "{words}"
    );
    // Still connected: a new socket of the same visitor is not needed to hear the agents.
    let (token, _) = login(&server, "agent1@callcenter.com").await;
    post(
        &server.http("/api/v1/chat/messages"),
        Some(&token),
        json!({"sessionId": visitor.session_id, "content": "Hello from the team"}),
    )
    .await;
    let message = socket.until_message_from("agent").await;
    assert_eq!(message["content"], "Hello from the team");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_beyond_the_slots_queue_and_then_hand_over() {
    // One answer at a time, slow enough that the second question's wait runs out.
    let server = TestServer::start_with(&[
        "--demo",
        "--max-answers",
        "1",
        "--answer-queue-secs",
        "1",
        "--ai-token-delay-ms",
        "3000",
    ])
    .await;
    let first = start_visitor(&server, None).await;
    let second = start_visitor(&server, None).await;
    let mut first_socket = visitor_socket(&server, &first.key).await;
    let mut second_socket = visitor_socket(&server, &second.key).await;
    first_socket
        .send(json!({"type": "chat", "content": "What are your opening hours?"}))
        .await;
    first_socket.until("stream-start").await;
    second_socket
        .send(json!({"type": "chat", "content": "Do you ship abroad?"}))
        .await;
    // Not left waiting in silence: a person is asked instead, and the session waits for them.
    let said = second_socket.until_message_from("ai").await;
    assert!(said["content"].as_str().unwrap().contains("busy"), "{said}");
    let (token, _) = login(&server, "agent1@callcenter.com").await;
    let session = get_json(&server.http("/api/v1/chat/sessions"), Some(&token)).await;
    let waiting = session
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == second.session_id)
        .unwrap()
        .clone();
    assert_eq!(waiting["status"], "pending");
}

async fn me(server: &TestServer, token: &str) -> u16 {
    get_json(&server.http("/api/v1/auth/me"), Some(token))
        .await
        .status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_ends_that_token_and_closes_its_sockets() {
    let server = TestServer::start_with(&["--demo"]).await;
    let (token, _) = login(&server, "agent1@callcenter.com").await;
    let (other, _) = login(&server, "agent1@callcenter.com").await;
    let mut socket = agent_socket(&server, &token).await;
    let mut other_socket = agent_socket(&server, &other).await;
    let out = post(&server.http("/api/v1/auth/logout"), Some(&token), json!({})).await;
    assert_eq!(out.status, 204);
    assert_eq!(socket.close_code().await, Some(4401));
    assert_eq!(me(&server, &token).await, 401);
    let refused = Client::try_connect(&server.ws(&format!("/ws?token={token}")), None).await;
    assert_eq!(refused.err(), Some(401));
    // The same agent's other sign-in stands.
    assert_eq!(me(&server, &other).await, 200);
    other_socket.sync().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_disables_a_colleague_who_is_signed_out_everywhere() {
    let server = TestServer::start_with(&["--demo"]).await;
    let (admin, profile) = login(&server, "agent1@callcenter.com").await;
    assert_eq!(profile["role"], "admin");
    let (agent, profile) = login(&server, "agent2@callcenter.com").await;
    assert_eq!(profile["role"], "agent");
    let agent_id = profile["id"].as_str().unwrap().to_string();

    // A plain agent may list the team but not manage it.
    let team = get_json(&server.http("/api/v1/agents"), Some(&agent)).await;
    assert_eq!(team.status, 200);
    assert!(team.body.as_array().unwrap().len() >= 2);
    let new = json!({"email": "new@callcenter.com", "name": "New", "password": "Password123!"});
    let forbidden = post(&server.http("/api/v1/agents"), Some(&agent), new.clone()).await;
    assert_eq!(forbidden.status, 403);
    assert_eq!(forbidden.body["error"]["code"], "forbidden");
    let path = format!("/api/v1/agents/{agent_id}/disable");
    assert_eq!(
        post(&server.http(&path), Some(&agent), json!({}))
            .await
            .status,
        403
    );
    let created = post(&server.http("/api/v1/agents"), Some(&admin), new).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["role"], "agent");

    let mut socket = agent_socket(&server, &agent).await;
    let disabled = post(&server.http(&path), Some(&admin), json!({})).await;
    assert_eq!(disabled.status, 200, "{}", disabled.body);
    assert_eq!(disabled.body["disabled"], true);
    assert_eq!(socket.close_code().await, Some(4401));
    assert_eq!(me(&server, &agent).await, 401);
    let again = post(
        &server.http("/api/v1/auth/login"),
        None,
        login_body("agent2@callcenter.com", PASSWORD),
    )
    .await;
    assert_eq!(again.status, 403);
    let enable = format!("/api/v1/agents/{agent_id}/enable");
    assert_eq!(
        post(&server.http(&enable), Some(&admin), json!({}))
            .await
            .status,
        200
    );
    login(&server, "agent2@callcenter.com").await;
    // The disable ended the old token for good.
    assert_eq!(me(&server, &agent).await, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_reset_from_the_command_line_ends_every_sign_in() {
    let server =
        TestServer::start_with(&["--demo", "--ws-ping-secs", "1", "--auth-recheck-secs", "1"])
            .await;
    let (token, _) = login(&server, "agent2@callcenter.com").await;
    let mut socket = agent_socket(&server, &token).await;
    let mut reset = common::command(&[
        "admin",
        "agent",
        "reset-password",
        "--email",
        "agent2@callcenter.com",
        "--database-url",
        &server.database_url(),
    ]);
    reset.stdin(std::process::Stdio::piped());
    let mut child = reset.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"A new password 1\n").await.unwrap();
    drop(stdin);
    assert!(child.wait().await.unwrap().success());
    assert_eq!(me(&server, &token).await, 401);
    // The open dashboard notices on its next check.
    assert_eq!(socket.close_code().await, Some(4401));
}

/// Reads until the server closes the connection; the bytes it sent.
async fn until_closed(stream: &mut tokio::net::TcpStream) -> Vec<u8> {
    let mut seen = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        stream.read_to_end(&mut seen),
    );
    read.await.expect("the server drops the connection").ok();
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_silent_connections_are_dropped() {
    let server = TestServer::start_with(&["--demo", "--header-read-timeout-secs", "1"]).await;
    let mut slow = tokio::net::TcpStream::connect(&server.addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut silent = tokio::net::TcpStream::connect(&server.addr).await.unwrap();
    until_closed(&mut slow).await;
    assert!(until_closed(&mut silent).await.is_empty());
    // A prompt client is served as ever.
    assert_eq!(get(&server.http("/healthz")).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_holds_only_so_many_sockets() {
    let server = TestServer::start_with(&["--demo", "--max-sockets-per-ip", "2"]).await;
    let visitor = start_visitor(&server, None).await;
    let url = server.ws(&format!("/ws/public/{}", visitor.key));
    let first = visitor_socket(&server, &visitor.key).await;
    let _second = visitor_socket(&server, &visitor.key).await;
    assert_eq!(Client::try_connect(&url, None).await.err(), Some(429));
    drop(first);
    // Its place is given back once it has closed.
    let mut again = loop {
        if let Ok(socket) = Client::try_connect(&url, None).await {
            break socket;
        }
        tokio::task::yield_now().await;
    };
    again.sync().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_origin_means_the_public_url_not_the_host_header() {
    let server = TestServer::start_with(&["--demo", "--public-url", "https://chat.example"]).await;
    let (token, _) = login(&server, "agent1@callcenter.com").await;
    let url = server.ws(&format!("/ws?token={token}"));
    // The forged pair that used to pass: Origin and Host both the attacker's.
    let mut forged = Client::try_connect_with(
        &url,
        &[("Origin", "https://evil.example"), ("Host", "evil.example")],
    )
    .await
    .unwrap();
    assert_eq!(forged.close_code().await, Some(4403));
    let mut own = Client::try_connect_with(&url, &[("Origin", "https://chat.example")])
        .await
        .unwrap();
    assert_eq!(own.next_frame().await.unwrap()["type"], "connection");
    // HSTS, since the public URL is https.
    let page = get(&server.http("/")).await;
    assert_eq!(
        page.header("strict-transport-security"),
        Some("max-age=31536000; includeSubDomains")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_allow_only_their_own_scripts_with_a_fresh_nonce() {
    let server = TestServer::start_with(&["--demo"]).await;
    let nonce_of = |page: &common::Reply| {
        let policy = page.header("content-security-policy").unwrap().to_string();
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap()
            .to_string();
        (policy, nonce)
    };
    for path in ["/", "/widget-demo", "/widget/demo", "/no-such-page"] {
        let page = get(&server.http(path)).await;
        let (policy, nonce) = nonce_of(&page);
        assert!(
            policy.contains("script-src 'self' 'nonce-"),
            "{path}: {policy}"
        );
        assert!(policy.contains("object-src 'none'"), "{path}: {policy}");
        // Every script of the page is a file of this server or carries the header's nonce.
        let tags: Vec<&str> = page
            .body
            .split("<script")
            .skip(1)
            .map(|rest| rest.split('>').next().unwrap_or_default())
            .collect();
        assert!(!tags.is_empty(), "{path}: the page has scripts");
        let own_nonce = format!("nonce=\"{nonce}\"");
        for tag in &tags {
            assert!(
                tag.contains(&own_nonce) || tag.contains("src=\"/"),
                "{path}: a script neither ours nor with the nonce: <script{tag}>"
            );
        }
        let again = get(&server.http(path)).await;
        assert_ne!(nonce_of(&again).1, nonce, "{path}: a new nonce per answer");
    }
    let dashboard = get(&server.http("/")).await;
    assert!(dashboard
        .header("content-security-policy")
        .unwrap()
        .ends_with("frame-ancestors 'none'"));
    assert_eq!(dashboard.header("strict-transport-security"), None);
}

/// `POST /api/v1/chat/public/start` over a plain socket with these extra header lines; the status.
async fn start_from(addr: &str, extra_headers: &str) -> u16 {
    let body = r#"{"widgetKey": "demo"}"#;
    let request = format!(
        "POST /api/v1/chat/public/start HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         {extra_headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
    let limits = ["--demo", "--rate-start-ip", "1/min"];
    let direct = TestServer::start_with(&limits).await;
    // Without --trust-proxy a made-up X-Forwarded-For changes nothing: one address, one start.
    assert_eq!(
        start_from(&direct.addr, "X-Forwarded-For: 203.0.113.1\r\n").await,
        200
    );
    assert_eq!(
        start_from(&direct.addr, "X-Forwarded-For: 203.0.113.2\r\n").await,
        429
    );

    let proxied = TestServer::start_with(&[&limits[..], &["--trust-proxy"]].concat()).await;
    // Behind the proxy each visitor is the address the proxy added last.
    let first = "X-Forwarded-For: 198.51.100.9, 203.0.113.1\r\n";
    assert_eq!(start_from(&proxied.addr, first).await, 200);
    assert_eq!(
        start_from(&proxied.addr, "X-Forwarded-For: 203.0.113.2\r\n").await,
        200
    );
    let again = "X-Forwarded-For: 203.0.113.7, 203.0.113.1\r\n";
    assert_eq!(start_from(&proxied.addr, again).await, 429);
}
