//! The hub end to end: the real server, real WebSocket and HTTP clients. Seed 004's tests 4 and
//! 5 (customer, two agents, assignment, replies, live fan-out), the chat API integration guide's frames, bad input,
//! refused handshakes, idempotent sends and resume.

use crate::common;

use common::{
    chat::{agent_socket, history, login, start_visitor, visitor_socket, PASSWORD},
    get_json, post,
    ws::Client,
    TestServer,
};
use serde_json::{json, Value};

/// The hub's own behaviour, without the AI answering in between (tests/api/ai.rs covers that).
const AI_OFF: &[&str] = &["--demo", "--ai", "off"];

#[tokio::test]
async fn seed_004_test_4_visitor_and_agent_talk_live() {
    let server = TestServer::start_with(AI_OFF).await;
    let (token, agent) = login(&server, "agent1@callcenter.com").await;
    let mut agent_ws = agent_socket(&server, &token).await;

    // 1-2. The customer writes; the agent's inbox learns of the conversation and the message.
    let visitor = start_visitor(&server, Some("Dana")).await;
    let started = agent_ws.until("chat.session.started").await;
    assert_eq!(started["session"]["id"], visitor.session_id);
    assert_eq!(
        started["session"]["status"], "pending",
        "with the AI off, agents get it at once"
    );
    let mut visitor_ws = visitor_socket(&server, &visitor.key).await;
    visitor_ws
        .send(json!({"type": "chat", "content": "I have a question about pricing"}))
        .await;
    let seen = agent_ws.until("chat.message.new").await;
    assert_eq!(
        seen["message"]["content"],
        "I have a question about pricing"
    );
    assert_eq!(seen["message"]["sender"]["kind"], "customer");
    assert_eq!(seen["message"]["seq"], 1);
    let echoed = visitor_ws.until("chat.message.new").await;
    assert_eq!(echoed["message"]["id"], seen["message"]["id"]);

    // 3. The agent takes it.
    let assigned = post(
        &server.http(&format!(
            "/api/v1/chat/sessions/{}/assign",
            visitor.session_id
        )),
        Some(&token),
        json!({}),
    )
    .await;
    assert_eq!(assigned.status, 200, "{}", assigned.body);
    assert_eq!(assigned.body["status"], "active");
    assert_eq!(assigned.body["assignedAgent"]["name"], agent["name"]);

    // 4. The customer sees who joined ("Connected to NAME").
    let joined = visitor_ws.until("chat.session.assigned").await;
    assert_eq!(joined["agent"]["name"], agent["name"]);
    assert_eq!(
        visitor_ws.until("chat.agent.joined").await["agent"]["id"],
        agent["id"]
    );

    // 5-6. The agent answers; the customer sees it at once, from an agent, not the AI.
    let reply = post(
        &server.http("/api/v1/chat/messages"),
        Some(&token),
        json!({"sessionId": visitor.session_id, "content": "Hello! I'm here to help with pricing."}),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let got = loop {
        let frame = visitor_ws.until("chat.message.new").await;
        if frame["message"]["sender"]["kind"] == "agent" {
            break frame;
        }
    };
    assert_eq!(
        got["message"]["content"],
        "Hello! I'm here to help with pricing."
    );
    assert_eq!(got["message"]["sender"]["name"], agent["name"]);

    // 7. And back.
    visitor_ws
        .send(json!({"type": "chat", "content": "Great, thanks!"}))
        .await;
    let back = loop {
        let frame = agent_ws.until("chat.message.new").await;
        if frame["message"]["content"] == "Great, thanks!" {
            break frame;
        }
    };
    assert_eq!(back["message"]["sender"]["kind"], "customer");

    // The stored history is the conversation, in order, with no gaps.
    let messages = history(&server, &token, &visitor.session_id).await;
    let seqs: Vec<u64> = messages
        .iter()
        .map(|m| m["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
    let kinds: Vec<&str> = messages
        .iter()
        .map(|m| m["sender"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["customer", "system", "agent", "customer"]);
}

#[tokio::test]
async fn seed_004_test_5_two_agents_see_everything_live() {
    let server = TestServer::start_with(AI_OFF).await;
    let (token1, agent1) = login(&server, "agent1@callcenter.com").await;
    let (token2, _) = login(&server, "agent2@callcenter.com").await;
    let mut ws1 = agent_socket(&server, &token1).await;
    let mut ws2 = agent_socket(&server, &token2).await;

    let visitor = start_visitor(&server, None).await;
    let reply = post(
        &server.http("/api/v1/chat/public/message"),
        None,
        json!({"sessionKey": visitor.key, "content": "Is anyone there?"}),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    for ws in [&mut ws1, &mut ws2] {
        assert_eq!(
            ws.until("chat.message.new").await["message"]["content"],
            "Is anyone there?"
        );
    }

    // Agent 1 takes it over a socket-less REST call; agent 2 sees the assignment live.
    post(
        &server.http(&format!(
            "/api/v1/chat/sessions/{}/assign",
            visitor.session_id
        )),
        Some(&token1),
        json!({}),
    )
    .await;
    let seen = ws2.until("chat.session.assigned").await;
    assert_eq!(seen["sessionId"], visitor.session_id);
    assert_eq!(seen["agent"]["id"], agent1["id"]);

    // Agent 1 replies over the socket; agent 2 watches it happen.
    ws1.send(json!({"type": "chat", "sessionId": visitor.session_id, "content": "On it!"}))
        .await;
    let watched = loop {
        let frame = ws2.until("chat.message.new").await;
        if frame["message"]["sender"]["kind"] == "agent" {
            break frame;
        }
    };
    assert_eq!(watched["message"]["content"], "On it!");

    // Each agent received each message once.
    let frames = ws2.sync().await;
    assert!(frames
        .iter()
        .all(|f| f["type"] != "chat.message.new" || f["message"]["content"] != "On it!"));

    // The inbox lists it, assigned to agent 1, for agent 2 as well.
    let inbox = get_json(&server.http("/api/v1/chat/sessions"), Some(&token2)).await;
    let listed = &inbox.body.as_array().unwrap()[0];
    assert_eq!(listed["id"], visitor.session_id);
    assert_eq!(listed["assignedAgent"]["id"], agent1["id"]);
    assert_eq!(listed["lastMessage"]["content"], "On it!");
}

#[tokio::test]
async fn seed_003_frames_over_the_token_socket_and_its_root_alias() {
    // With the assistant on, as the chat API integration guide's server has it; its answers are covered in tests/api/ai.rs.
    let server = TestServer::start_with(&["--demo", "--ai-token-delay-ms", "0"]).await;
    let visitor = start_visitor(&server, None).await;
    for path in [
        format!("/ws?token={}", visitor.token),
        format!("/?token={}", visitor.token),
    ] {
        let mut socket = Client::connect(&server.ws(&path)).await;
        let hello = socket.next_frame().await.unwrap();
        assert_eq!(hello["type"], "connection");
        assert!(hello["message"].is_string() && hello["timestamp"].is_string());

        socket
            .send(json!({"type": "chat", "content": "Your message here", "timestamp": "2025-09-12T10:00:00.000Z"}))
            .await;
        // The assistant's answer to an earlier round may arrive first.
        let message = loop {
            let frame = socket.until("chat.message.new").await;
            if frame["message"]["sender"]["kind"] == "customer" {
                break frame;
            }
        };
        assert_eq!(message["message"]["content"], "Your message here");
        assert!(message["timestamp"].as_str().unwrap().ends_with('Z'));

        socket
            .send(json!({"type": "ping", "timestamp": "2025-09-12T10:00:00.000Z"}))
            .await;
        assert_eq!(socket.until("pong").await["type"], "pong");
    }

    let mut socket = visitor_socket(&server, &visitor.key).await;
    let (token, _) = login(&server, "agent2@callcenter.com").await;
    let mut agent_ws = agent_socket(&server, &token).await;
    socket
        .send(json!({"type": "human-escalation", "reason": "Need human assistance"}))
        .await;
    socket.until_handed_over().await;
    let updated = agent_ws.until("chat.session.updated").await;
    assert_eq!(updated["session"]["status"], "pending");
}

#[tokio::test]
async fn bad_frames_get_errors_keep_the_socket_and_store_nothing() {
    let server = TestServer::start_with(AI_OFF).await;
    let visitor = start_visitor(&server, None).await;
    let (token, _) = login(&server, "agent1@callcenter.com").await;
    let mut socket = visitor_socket(&server, &visitor.key).await;

    let cases = [
        ("{not json", "invalid_json"),
        (r#"{"type": "teleport"}"#, "unknown_type"),
        (r#"{"content": "no type"}"#, "invalid_frame"),
        (r#"{"type": "chat"}"#, "invalid_frame"),
        (r#"{"type": "chat", "content": 42}"#, "invalid_frame"),
        (r#"{"type": "typing", "isTyping": "yes"}"#, "invalid_frame"),
        (r#"{"type": "chat", "content": ""}"#, "content_empty"),
        (r#"{"type": "chat", "content": "   "}"#, "content_empty"),
        (
            r#"{"type": "chat", "content": "hi", "clientMessageId": ""}"#,
            "invalid_client_message_id",
        ),
    ];
    for (frame, code) in cases {
        socket.send_text(frame).await;
        let error = socket.until("error").await;
        assert_eq!(error["code"], code, "for {frame}");
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let too_long = json!({"type": "chat", "content": "x".repeat(10_001)});
    socket.send(too_long).await;
    assert_eq!(socket.until("error").await["code"], "content_too_long");
    // Exactly 10,000 characters is fine.
    socket
        .send(json!({"type": "chat", "content": "é".repeat(10_000)}))
        .await;
    assert_eq!(socket.until("chat.message.new").await["message"]["seq"], 1);

    // Still open, and only the one good message was stored.
    socket.sync().await;
    assert_eq!(history(&server, &token, &visitor.session_id).await.len(), 1);

    // An agent naming another tenant's session is told it does not exist.
    let mut agent_ws = agent_socket(&server, &token).await;
    agent_ws
        .send(json!({"type": "chat", "sessionId": "0190aaaa-0000-7000-8000-000000000000", "content": "hi"}))
        .await;
    assert_eq!(agent_ws.until("error").await["code"], "not_found");
    agent_ws
        .send(json!({"type": "chat", "content": "no session"}))
        .await;
    assert_eq!(agent_ws.until("error").await["code"], "invalid_frame");
    agent_ws.sync().await;
}

#[tokio::test]
async fn another_tenants_ids_are_not_found() {
    let server = TestServer::start_with(AI_OFF).await;
    // A second tenant with its own agent, made with the admin commands.
    let url = server.database_url();
    let out = common::command(&[
        "admin",
        "tenant",
        "create",
        "Other Shop",
        "--database-url",
        &url,
    ])
    .stdout(std::process::Stdio::piped())
    .output()
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let other_key = stdout.lines().last().unwrap().trim().to_string();
    let mut child = common::command(&[
        "admin",
        "agent",
        "create",
        "--tenant",
        &other_key,
        "--email",
        "eve@other.example",
        "--name",
        "Eve",
        "--database-url",
        &url,
    ])
    .stdin(std::process::Stdio::piped())
    .stdout(std::process::Stdio::null())
    .spawn()
    .unwrap();
    {
        use tokio::io::AsyncWriteExt;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(format!("{PASSWORD}\n").as_bytes())
            .await
            .unwrap();
    }
    assert!(child.wait().await.unwrap().success());

    let visitor = start_visitor(&server, None).await;
    let (eve, _) = login(&server, "eve@other.example").await;
    for (method, path) in [
        (
            "GET",
            format!("/api/v1/chat/sessions/{}/messages", visitor.session_id),
        ),
        (
            "POST",
            format!("/api/v1/chat/sessions/{}/assign", visitor.session_id),
        ),
        (
            "POST",
            format!("/api/v1/chat/sessions/{}/close", visitor.session_id),
        ),
    ] {
        let reply = common::request(method, &server.http(&path), Some(&eve), Some(json!({}))).await;
        assert_eq!(reply.status, 404, "{method} {path}: {}", reply.body);
        assert_eq!(reply.body["error"]["code"], "not_found");
    }
    let reply = post(
        &server.http("/api/v1/chat/messages"),
        Some(&eve),
        json!({"sessionId": visitor.session_id, "content": "sneaky"}),
    )
    .await;
    assert_eq!(reply.status, 404);
    let inbox = get_json(&server.http("/api/v1/chat/sessions"), Some(&eve)).await;
    assert_eq!(inbox.body, json!([]));
    // And Eve's socket never hears of the demo tenant's conversations.
    let mut eve_ws = agent_socket(&server, &eve).await;
    post(
        &server.http("/api/v1/chat/public/message"),
        None,
        json!({"sessionKey": visitor.key, "content": "private"}),
    )
    .await;
    // Only her own tenant's news: her own presence.
    let frames = eve_ws.sync().await;
    assert!(
        frames
            .iter()
            .all(|f| f["type"] == "agent.presence" && !f.to_string().contains(&visitor.session_id)),
        "{frames:?}"
    );
}

#[tokio::test]
async fn refused_handshakes_never_see_an_event() {
    let secret = "t".repeat(40);
    let server = TestServer::start_env(AI_OFF, &[("SWITCHBOARD_JWT_SECRET", &secret)]).await;
    let forged = forge(&"f".repeat(40), 3600);
    let expired = forge(&secret, -10);
    for path in [
        "/ws".to_string(),
        "/ws?token=".to_string(),
        "/ws?token=garbage".to_string(),
        format!("/ws?token={forged}"),
        format!("/ws?token={expired}"),
        "/ws/public/no-such-key".to_string(),
        format!("/?token={forged}"),
    ] {
        let refused = Client::try_connect(&server.ws(&path), None).await.err();
        assert_eq!(refused, Some(401), "{path}");
    }
    let expired_rest = get_json(&server.http("/api/v1/auth/me"), Some(&expired)).await;
    assert_eq!(expired_rest.status, 401);
    assert_eq!(expired_rest.body["error"]["code"], "token_expired");

    // A page on a foreign origin is told 4403, with no event before it.
    let visitor = start_visitor(&server, None).await;
    let mut socket = Client::try_connect(
        &server.ws(&format!("/ws/public/{}", visitor.key)),
        Some("https://evil.example"),
    )
    .await
    .unwrap();
    assert_eq!(socket.close_code().await, Some(4403));
    // Its own origin is welcome.
    let own = format!("http://{}", server.addr);
    let mut socket = Client::try_connect(
        &server.ws(&format!("/ws/public/{}", visitor.key)),
        Some(&own),
    )
    .await
    .unwrap();
    assert_eq!(socket.next_frame().await.unwrap()["type"], "connection");
}

/// A JWT for the first demo agent signed with `secret`, expiring `ttl` seconds from now.
fn forge(secret: &str, ttl: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let claims = json!({"sub": "someone", "tid": "some-tenant", "role": "agent", "iat": now, "exp": now + ttl});
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

#[tokio::test]
async fn an_expiring_token_closes_its_socket_with_4401() {
    let server =
        TestServer::start_with(&["--demo", "--ai", "off", "--agent-token-ttl-secs", "1"]).await;
    let (token, _) = login(&server, "agent1@callcenter.com").await;
    let mut socket = agent_socket(&server, &token).await;
    assert_eq!(socket.close_code().await, Some(4401));
}

#[tokio::test]
async fn resending_a_client_message_id_stores_nothing_new() {
    let server = TestServer::start_with(AI_OFF).await;
    let visitor = start_visitor(&server, None).await;
    let (token, _) = login(&server, "agent1@callcenter.com").await;
    let mut socket = visitor_socket(&server, &visitor.key).await;
    let frame = json!({"type": "chat", "content": "only once", "clientMessageId": "c-1"});
    socket.send(frame.clone()).await;
    let first = socket.until("chat.message.new").await;
    socket.send(frame).await;
    let again = socket.until("chat.message.new").await;
    assert_eq!(
        first["message"], again["message"],
        "the stored message comes back"
    );
    assert_eq!(again["message"]["clientMessageId"], "c-1");

    // Over REST too, even from another connection.
    let rest = post(
        &server.http("/api/v1/chat/public/message"),
        None,
        json!({"sessionKey": visitor.key, "content": "only once", "clientMessageId": "c-1"}),
    )
    .await;
    assert_eq!(rest.body["id"], first["message"]["id"]);
    assert_eq!(history(&server, &token, &visitor.session_id).await.len(), 1);
}

#[tokio::test]
async fn close_and_read_marks() {
    let server = TestServer::start_with(AI_OFF).await;
    let (token, _) = login(&server, "agent1@callcenter.com").await;
    let (token2, _) = login(&server, "agent2@callcenter.com").await;
    let mut other_agent = agent_socket(&server, &token2).await;
    let visitor = start_visitor(&server, None).await;
    let mut visitor_ws = visitor_socket(&server, &visitor.key).await;
    for text in ["one", "two", "three"] {
        post(
            &server.http("/api/v1/chat/public/message"),
            None,
            json!({"sessionKey": visitor.key, "content": text}),
        )
        .await;
    }
    let unread = |body: &Value| body.as_array().unwrap()[0]["unreadCount"].as_u64().unwrap();
    let inbox = get_json(&server.http("/api/v1/chat/sessions"), Some(&token)).await;
    assert_eq!(unread(&inbox.body), 3);
    let read = post(
        &server.http(&format!(
            "/api/v1/chat/sessions/{}/read",
            visitor.session_id
        )),
        Some(&token),
        json!({"seq": 2}),
    )
    .await;
    assert_eq!(read.body["unreadCount"], 1);
    let inbox = get_json(&server.http("/api/v1/chat/sessions"), Some(&token)).await;
    assert_eq!(unread(&inbox.body), 1);
    // Read marks are per agent.
    let inbox2 = get_json(&server.http("/api/v1/chat/sessions"), Some(&token2)).await;
    assert_eq!(unread(&inbox2.body), 3);

    let closed = post(
        &server.http(&format!(
            "/api/v1/chat/sessions/{}/close",
            visitor.session_id
        )),
        Some(&token),
        json!({}),
    )
    .await;
    assert_eq!(closed.body["status"], "closed");
    assert_eq!(
        visitor_ws.until("chat.session.updated").await["session"]["status"],
        "closed"
    );
    assert_eq!(
        other_agent.until("chat.session.updated").await["session"]["status"],
        "closed"
    );
    // An agent cannot write into a closed conversation; the visitor reopens it by writing.
    let refused = post(
        &server.http("/api/v1/chat/messages"),
        Some(&token),
        json!({"sessionId": visitor.session_id, "content": "late"}),
    )
    .await;
    assert_eq!(refused.status, 409);
    visitor_ws
        .send(json!({"type": "chat", "content": "one more thing"}))
        .await;
    assert_eq!(
        visitor_ws.until("chat.session.updated").await["session"]["status"],
        "pending"
    );
}

#[tokio::test]
async fn rest_errors_follow_the_contract() {
    let server = TestServer::start_with(AI_OFF).await;
    let wrong = post(
        &server.http("/api/v1/auth/login"),
        None,
        json!({"email": "agent1@callcenter.com", "password": "nope"}),
    )
    .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.body["error"]["code"], "invalid_credentials");
    let unknown = post(
        &server.http("/api/v1/auth/login"),
        None,
        json!({"email": "nobody@example.com", "password": PASSWORD}),
    )
    .await;
    assert_eq!(unknown.status, 401);
    assert_eq!(
        unknown.body, wrong.body,
        "unknown emails and wrong passwords look the same"
    );

    let no_token = get_json(&server.http("/api/v1/chat/sessions"), None).await;
    assert_eq!(no_token.status, 401);
    assert_eq!(no_token.body["error"]["code"], "unauthorized");

    let bad_key = post(
        &server.http("/api/v1/chat/public/start"),
        None,
        json!({"widgetKey": "nope"}),
    )
    .await;
    assert_eq!(bad_key.status, 404);
    let missing = post(&server.http("/api/v1/chat/public/start"), None, json!({})).await;
    assert_eq!(missing.status, 422);
    assert_eq!(missing.body["error"]["code"], "invalid_body");

    let visitor = start_visitor(&server, None).await;
    let too_long = post(
        &server.http("/api/v1/chat/public/message"),
        None,
        json!({"sessionKey": visitor.key, "content": "x".repeat(10_001)}),
    )
    .await;
    assert_eq!(
        (too_long.status, too_long.body["error"]["code"].as_str()),
        (422, Some("content_too_long"))
    );

    let (token, agent) = login(&server, "agent1@callcenter.com").await;
    let me = get_json(&server.http("/api/v1/auth/me"), Some(&token)).await;
    assert_eq!(me.body["agent"], agent);
    assert_eq!(me.body["tenant"]["name"], "Demo");

    // The visitor's own history, by key; an unknown key is not found.
    post(
        &server.http("/api/v1/chat/public/message"),
        None,
        json!({"sessionKey": visitor.key, "content": "hello"}),
    )
    .await;
    let own = get_json(
        &server.http(&format!("/api/v1/chat/public/session/{}", visitor.key)),
        None,
    )
    .await;
    assert_eq!(own.body["session"]["id"], visitor.session_id);
    assert_eq!(own.body["messages"][0]["content"], "hello");
    let nope = get_json(&server.http("/api/v1/chat/public/session/unknown"), None).await;
    assert_eq!(nope.status, 404);

    // afterSeq returns the tail only.
    for text in ["two", "three"] {
        post(
            &server.http("/api/v1/chat/public/message"),
            None,
            json!({"sessionKey": visitor.key, "content": text}),
        )
        .await;
    }
    let tail = get_json(
        &server.http(&format!(
            "/api/v1/chat/sessions/{}/messages?afterSeq=1",
            visitor.session_id
        )),
        Some(&token),
    )
    .await;
    let contents: Vec<&str> = tail
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(contents, ["two", "three"]);

    let api_404 = get_json(&server.http("/api/v1/nothing/here"), None).await;
    assert_eq!(api_404.status, 404);
    assert_eq!(api_404.body["error"]["code"], "not_found");
}

#[tokio::test]
async fn the_server_pings_idle_sockets_and_drops_silent_ones() {
    use futures::StreamExt;
    use tokio_tungstenite::tungstenite::Message;

    let server = TestServer::start_with(&["--demo", "--ai", "off", "--ws-ping-secs", "1"]).await;
    let visitor = start_visitor(&server, None).await;

    // A live client keeps reading, so it sees the server's pings and tungstenite answers them.
    let mut live = visitor_socket(&server, &visitor.key).await;
    let live_reader = tokio::spawn(async move {
        let mut pings = 0;
        while pings < 4 {
            match tokio::time::timeout(common::ws::FRAME_LIMIT, live.socket.next()).await {
                Ok(Some(Ok(Message::Ping(payload)))) => {
                    assert!(payload.is_empty());
                    pings += 1;
                }
                Ok(Some(Ok(_))) => {}
                other => panic!("the live socket should stay up, got {other:?}"),
            }
        }
        live
    });

    // A client that never reads never answers: the server drops it and logs why.
    let mut log = server.log_lines();
    let mut silent = visitor_socket(&server, &visitor.key).await;
    let dropped = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while let Ok(line) = log.recv().await {
            if line.contains("no answer to pings") {
                return true;
            }
        }
        false
    })
    .await
    .unwrap_or(false);
    assert!(dropped, "the silent socket was dropped");

    // The live client was pinged again and again and is still served.
    let mut live = live_reader.await.unwrap();
    live.sync().await;

    // When the silent client finally reads, it finds the pings it ignored, then the end.
    let mut ended = false;
    for _ in 0..100 {
        match tokio::time::timeout(common::ws::FRAME_LIMIT, silent.socket.next()).await {
            // The pings it ignored, and what it was told on opening (its presence, say).
            Ok(Some(Ok(Message::Ping(_) | Message::Text(_)))) => continue,
            Ok(Some(Ok(Message::Close(_)) | Err(_)) | None) => {
                ended = true;
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(ended, "the silent socket was closed by the server");
}

#[tokio::test]
async fn a_visitor_that_reconnects_again_and_again_misses_nothing_and_sees_nothing_twice() {
    // 150 messages of one visitor as fast as they go: past the rate limits, which are not
    // what this checks.
    let server = TestServer::start_with(&[
        "--demo",
        "--ai",
        "off",
        "--rate-session-chat",
        "off",
        "--rate-message-ip",
        "off",
    ])
    .await;
    let visitor = start_visitor(&server, None).await;
    const TOTAL: u64 = 150;

    // The producer writes while the consumer keeps dropping and resuming its socket.
    let url = server.http("/api/v1/chat/public/message");
    let key = visitor.key.clone();
    let producer = tokio::spawn(async move {
        for i in 1..=TOTAL {
            let reply = post(
                &url,
                None,
                json!({"sessionKey": key, "content": format!("m{i}")}),
            )
            .await;
            assert_eq!(reply.status, 200);
        }
    });

    let mut last = 0u64;
    let mut reconnects = 0;
    let mut received = Vec::new();
    while last < TOTAL {
        let mut socket =
            Client::connect(&server.ws(&format!("/ws/public/{}?lastSeq={last}", visitor.key)))
                .await;
        assert_eq!(socket.next_frame().await.unwrap()["type"], "connection");
        // Read a few messages (1 to 7), then drop the connection without a goodbye.
        let batch = 1 + (reconnects % 7);
        for _ in 0..batch {
            let frame = socket.until("chat.message.new").await;
            let seq = frame["message"]["seq"].as_u64().unwrap();
            assert_eq!(seq, last + 1, "in order, no gap, no repeat");
            assert_eq!(frame["message"]["content"], format!("m{seq}"));
            received.push(seq);
            last = seq;
            if last == TOTAL {
                break;
            }
        }
        drop(socket);
        reconnects += 1;
    }
    producer.await.unwrap();
    assert_eq!(received, (1..=TOTAL).collect::<Vec<_>>());
    assert!(reconnects >= 20, "the test reconnected {reconnects} times");
}

#[tokio::test]
async fn a_socket_that_stops_reading_is_closed_with_4000_and_slows_nobody() {
    // A flood on purpose: past the frame limits, which are not what this checks.
    let server = TestServer::start_with(&[
        "--demo",
        "--ai",
        "off",
        "--rate-socket-frames",
        "off",
        "--rate-session-typing",
        "off",
    ])
    .await;
    let (token, _) = login(&server, "agent1@callcenter.com").await;
    let (token2, _) = login(&server, "agent2@callcenter.com").await;
    let mut stuck = agent_socket(&server, &token).await;
    let mut reading = agent_socket(&server, &token2).await;
    let visitor = start_visitor(&server, None).await;
    let mut visitor_ws = visitor_socket(&server, &visitor.key).await;

    // Far more events than the kernel's socket buffers and the broker's queue hold together,
    // sent in batches that the reading agent keeps up with, while the stuck one reads nothing.
    const BATCHES: usize = 120;
    const BATCH: usize = 500;
    let mut seen = 0;
    for batch in 1..=BATCHES {
        for i in 0..BATCH {
            visitor_ws
                .send(json!({"type": "typing", "isTyping": i % 2 == 0}))
                .await;
        }
        while seen < batch * BATCH {
            let frame = reading
                .next_frame()
                .await
                .expect("the reading agent stays connected");
            if frame["type"] == "chat.typing" {
                seen += 1;
            }
        }
    }
    assert_eq!(stuck.close_code().await, Some(4000));
    reading.sync().await;
}
