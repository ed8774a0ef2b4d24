//! A catalogue of hostile inputs, each with the exact refusal it must get, then a check that
//! none of them changed anything: the tenant's conversations and every message are as before.

use crate::common;

use common::{
    chat::{agent_socket, login, start_visitor, visitor_socket},
    get_json, request,
    ws::Client,
    TestServer,
};
use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::{json, Value};

const SECRET: &str = "a-test-secret-that-is-long-enough-for-hs256";

/// A token signed with `secret`, for `sub` as `role`, expiring at `exp`.
fn token(secret: &str, sub: &str, tid: &str, role: &str, exp: u64) -> String {
    let claims =
        json!({"sub": sub, "tid": tid, "role": role, "iat": 1, "exp": exp, "jti": "j", "ver": 0});
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn code_of(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["error"]["code"].as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Everything the tenant's agent can see: each conversation and its messages.
async fn everything(server: &TestServer, token: &str) -> Value {
    let sessions = get_json(&server.http("/api/v1/chat/sessions"), Some(token)).await;
    let mut all = Vec::new();
    for session in sessions.body.as_array().unwrap() {
        let id = session["id"].as_str().unwrap();
        let path = format!("/api/v1/chat/sessions/{id}/messages");
        let messages = get_json(&server.http(&path), Some(token)).await.body;
        all.push(json!({"id": id, "status": session["status"], "messages": messages}));
    }
    Value::Array(all)
}

struct Case {
    what: &'static str,
    method: &'static str,
    path: String,
    token: Option<String>,
    body: Option<Value>,
    status: u16,
    code: &'static str,
}

fn case(
    what: &'static str,
    method: &'static str,
    path: impl Into<String>,
    token: Option<&str>,
    body: Option<Value>,
    (status, code): (u16, &'static str),
) -> Case {
    Case {
        what,
        method,
        path: path.into(),
        token: token.map(str::to_string),
        body,
        status,
        code,
    }
}

/// The REST cases; `agent` is a plain agent's token, `visitor` a visitor's, `key` its
/// session key and `session` its id.
fn rest_cases(agent: &str, visitor: &str, key: &str, session: &str) -> Vec<Case> {
    let far = u64::MAX / 2;
    let forged = token(
        "another-secret-another-secret-another",
        "a",
        "t",
        "agent",
        far,
    );
    let expired = token(SECRET, "a", "t", "agent", 1);
    let unknown_agent = token(SECRET, "nobody", "nobody", "agent", far);
    let msg = |content: Value| json!({"sessionKey": key, "content": content});
    let start = |visitor: Value| json!({"widgetKey": "demo", "visitor": visitor});
    let sessions = "/api/v1/chat/sessions";
    let messages = format!("{sessions}/{session}/messages");
    vec![
        case(
            "login without a password",
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "a@b.c"})),
            (422, "invalid_body"),
        ),
        case(
            "login with numbers",
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({"email": 1, "password": 2})),
            (422, "invalid_body"),
        ),
        case(
            "login with a 10 kB email",
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "a".repeat(10_000), "password": "x"})),
            (401, "invalid_credentials"),
        ),
        case(
            "me without a token",
            "GET",
            "/api/v1/auth/me",
            None,
            None,
            (401, "unauthorized"),
        ),
        case(
            "me with a forged token",
            "GET",
            "/api/v1/auth/me",
            Some(&forged),
            None,
            (401, "unauthorized"),
        ),
        case(
            "me with an expired token",
            "GET",
            "/api/v1/auth/me",
            Some(&expired),
            None,
            (401, "token_expired"),
        ),
        case(
            "me with a token for nobody",
            "GET",
            "/api/v1/auth/me",
            Some(&unknown_agent),
            None,
            (401, "unauthorized"),
        ),
        case(
            "me with a visitor's token",
            "GET",
            "/api/v1/auth/me",
            Some(visitor),
            None,
            (401, "unauthorized"),
        ),
        case(
            "me with garbage",
            "GET",
            "/api/v1/auth/me",
            Some("not.a.jwt"),
            None,
            (401, "unauthorized"),
        ),
        case(
            "logout without a token",
            "POST",
            "/api/v1/auth/logout",
            None,
            None,
            (401, "unauthorized"),
        ),
        case(
            "start on an unknown widget",
            "POST",
            "/api/v1/chat/public/start",
            None,
            Some(json!({"widgetKey": "nope"})),
            (404, "not_found"),
        ),
        case(
            "start with a 101-character name",
            "POST",
            "/api/v1/chat/public/start",
            None,
            Some(start(json!({"name": "n".repeat(101)}))),
            (422, "invalid_visitor"),
        ),
        case(
            "start with a control character",
            "POST",
            "/api/v1/chat/public/start",
            None,
            Some(start(json!({"name": "Ann\u{0007}"}))),
            (422, "invalid_visitor"),
        ),
        case(
            "start with a malformed email",
            "POST",
            "/api/v1/chat/public/start",
            None,
            Some(start(json!({"email": "not-an-email"}))),
            (422, "invalid_visitor"),
        ),
        case(
            "start with a 300-character email",
            "POST",
            "/api/v1/chat/public/start",
            None,
            Some(start(
                json!({"email": format!("{}@x.example", "a".repeat(300))}),
            )),
            (422, "invalid_visitor"),
        ),
        case(
            "start with a name that is an object",
            "POST",
            "/api/v1/chat/public/start",
            None,
            Some(start(json!({"name": {"x": 1}}))),
            (422, "invalid_body"),
        ),
        case(
            "message for an unknown key",
            "POST",
            "/api/v1/chat/public/message",
            None,
            Some(json!({"sessionKey": "nope", "content": "hi"})),
            (404, "not_found"),
        ),
        case(
            "empty message",
            "POST",
            "/api/v1/chat/public/message",
            None,
            Some(msg(json!(""))),
            (422, "content_empty"),
        ),
        case(
            "blank message",
            "POST",
            "/api/v1/chat/public/message",
            None,
            Some(msg(json!(" \n\t "))),
            (422, "content_empty"),
        ),
        case(
            "zero-width message",
            "POST",
            "/api/v1/chat/public/message",
            None,
            Some(msg(json!("\u{200b}\u{200d}\u{feff}"))),
            (422, "content_empty"),
        ),
        case(
            "message over the limit",
            "POST",
            "/api/v1/chat/public/message",
            None,
            Some(msg(json!("x".repeat(10_001)))),
            (422, "content_too_long"),
        ),
        case(
            "message that is a number",
            "POST",
            "/api/v1/chat/public/message",
            None,
            Some(msg(json!(42))),
            (422, "invalid_body"),
        ),
        case(
            "message with a long clientMessageId",
            "POST",
            "/api/v1/chat/public/message",
            None,
            Some(json!({"sessionKey": key, "content": "hi", "clientMessageId": "c".repeat(65)})),
            (422, "invalid_client_message_id"),
        ),
        case(
            "message with an empty clientMessageId",
            "POST",
            "/api/v1/chat/public/message",
            None,
            Some(json!({"sessionKey": key, "content": "hi", "clientMessageId": ""})),
            (422, "invalid_client_message_id"),
        ),
        case(
            "history of an unknown key",
            "GET",
            "/api/v1/chat/public/session/nope",
            None,
            None,
            (404, "not_found"),
        ),
        case(
            "sessions without a token",
            "GET",
            sessions,
            None,
            None,
            (401, "unauthorized"),
        ),
        case(
            "sessions with a visitor's token",
            "GET",
            sessions,
            Some(visitor),
            None,
            (401, "unauthorized"),
        ),
        case(
            "messages of another tenant's or no session",
            "GET",
            format!("{sessions}/not-a-session/messages"),
            Some(agent),
            None,
            (404, "not_found"),
        ),
        case(
            "messages after 2^63",
            "GET",
            format!("{messages}?afterSeq=9223372036854775808"),
            Some(agent),
            None,
            (422, "invalid_seq"),
        ),
        case(
            "messages after -1",
            "GET",
            format!("{messages}?afterSeq=-1"),
            Some(agent),
            None,
            (400, "invalid_query"),
        ),
        case(
            "messages after a word",
            "GET",
            format!("{messages}?afterSeq=abc"),
            Some(agent),
            None,
            (400, "invalid_query"),
        ),
        case(
            "messages after 2^64",
            "GET",
            format!("{messages}?afterSeq=18446744073709551616"),
            Some(agent),
            None,
            (400, "invalid_query"),
        ),
        case(
            "reply to no session",
            "POST",
            "/api/v1/chat/messages",
            Some(agent),
            Some(json!({"sessionId": "nope", "content": "hi"})),
            (404, "not_found"),
        ),
        case(
            "reply with invisible content",
            "POST",
            "/api/v1/chat/messages",
            Some(agent),
            Some(json!({"sessionId": session, "content": "\u{2060}\u{200b}"})),
            (422, "content_empty"),
        ),
        case(
            "reply without a session",
            "POST",
            "/api/v1/chat/messages",
            Some(agent),
            Some(json!({"content": "hi"})),
            (422, "invalid_body"),
        ),
        case(
            "assign no session",
            "POST",
            format!("{sessions}/nope/assign"),
            Some(agent),
            None,
            (404, "not_found"),
        ),
        case(
            "close no session",
            "POST",
            format!("{sessions}/nope/close"),
            Some(agent),
            None,
            (404, "not_found"),
        ),
        case(
            "read mark past 2^63",
            "POST",
            format!("{sessions}/{session}/read"),
            Some(agent),
            Some(json!({"seq": u64::MAX})),
            (422, "invalid_seq"),
        ),
        case(
            "read mark of a word",
            "POST",
            format!("{sessions}/{session}/read"),
            Some(agent),
            Some(json!({"seq": "ten"})),
            (422, "invalid_body"),
        ),
        case(
            "a plain agent adds an agent",
            "POST",
            "/api/v1/agents",
            Some(agent),
            Some(json!({"email": "x@y.example", "name": "X", "password": "Password123!"})),
            (403, "forbidden"),
        ),
        case(
            "a plain agent disables an agent",
            "POST",
            "/api/v1/agents/someone/disable",
            Some(agent),
            None,
            (403, "forbidden"),
        ),
        case(
            "an unknown API path",
            "GET",
            "/api/v1/teleport",
            None,
            None,
            (404, "not_found"),
        ),
    ]
}

/// Cases an admin's token meets: bad new agents, unknown or own ids.
fn admin_cases(admin: &str, admin_id: &str) -> Vec<Case> {
    let new = |email: &str, name: &str, password: &str| {
        Some(json!({"email": email, "name": name, "password": password}))
    };
    vec![
        case(
            "an agent with a malformed email",
            "POST",
            "/api/v1/agents",
            Some(admin),
            new("nope", "X", "Password123!"),
            (422, "invalid_agent"),
        ),
        case(
            "an agent with no name",
            "POST",
            "/api/v1/agents",
            Some(admin),
            new("x@y.example", " ", "Password123!"),
            (422, "invalid_agent"),
        ),
        case(
            "an agent with a short password",
            "POST",
            "/api/v1/agents",
            Some(admin),
            new("x@y.example", "X", "short"),
            (422, "invalid_agent"),
        ),
        case(
            "an agent that exists",
            "POST",
            "/api/v1/agents",
            Some(admin),
            new("agent2@callcenter.com", "X", "Password123!"),
            (409, "conflict"),
        ),
        case(
            "an agent with an unknown role",
            "POST",
            "/api/v1/agents",
            Some(admin),
            Some(
                json!({"email": "x@y.example", "name": "X", "password": "Password123!", "role": "owner"}),
            ),
            (422, "invalid_body"),
        ),
        case(
            "disabling nobody",
            "POST",
            "/api/v1/agents/nobody/disable",
            Some(admin),
            None,
            (404, "not_found"),
        ),
        case(
            "disabling oneself",
            "POST",
            format!("/api/v1/agents/{admin_id}/disable"),
            Some(admin),
            None,
            (403, "forbidden"),
        ),
    ]
}

/// Socket frames and the `error` code each gets; the socket stays open through all of them.
fn frame_cases() -> Vec<(&'static str, String, &'static str)> {
    vec![
        ("not JSON", "{nope".into(), "invalid_json"),
        ("an array", "[1, 2]".into(), "invalid_frame"),
        ("a string", "\"chat\"".into(), "invalid_frame"),
        ("no type", r#"{"content": "hi"}"#.into(), "invalid_frame"),
        ("a numeric type", r#"{"type": 7}"#.into(), "invalid_frame"),
        (
            "an unknown type",
            r#"{"type": "teleport"}"#.into(),
            "unknown_type",
        ),
        (
            "chat without content",
            r#"{"type": "chat"}"#.into(),
            "invalid_frame",
        ),
        (
            "chat with empty content",
            r#"{"type": "chat", "content": ""}"#.into(),
            "content_empty",
        ),
        (
            "chat with zero-width content",
            json!({"type": "chat", "content": "\u{200b}\u{200c}"}).to_string(),
            "content_empty",
        ),
        (
            "chat over the limit",
            json!({"type": "chat", "content": "x".repeat(10_001)}).to_string(),
            "content_too_long",
        ),
        (
            "chat with a long clientMessageId",
            json!({"type": "chat", "content": "x", "clientMessageId": "c".repeat(65)}).to_string(),
            "invalid_client_message_id",
        ),
        (
            "typing with a string flag",
            r#"{"type": "typing", "isTyping": "yes"}"#.into(),
            "invalid_frame",
        ),
        (
            "a long reason",
            json!({"type": "human-escalation", "reason": "r".repeat(501)}).to_string(),
            "invalid_reason",
        ),
        (
            "deeply nested JSON",
            format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
            "invalid_json",
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_input_gets_its_exact_refusal_and_changes_nothing() {
    let server = TestServer::start_env(
        &["--demo", "--ai", "off"],
        &[("SWITCHBOARD_JWT_SECRET", SECRET)],
    )
    .await;
    let visitor = start_visitor(&server, Some("Ann")).await;
    let (admin, admin_profile) = login(&server, "agent1@callcenter.com").await;
    let (agent, _) = login(&server, "agent2@callcenter.com").await;
    let mut socket = visitor_socket(&server, &visitor.key).await;
    socket
        .send(json!({"type": "chat", "content": "A real question"}))
        .await;
    socket.until("chat.message.new").await;
    let before = everything(&server, &admin).await;

    let admin_id = admin_profile["id"].as_str().unwrap();
    let mut cases = rest_cases(&agent, &visitor.token, &visitor.key, &visitor.session_id);
    cases.extend(admin_cases(&admin, admin_id));
    let mut checked = 0;
    for case in &cases {
        let reply = request(
            case.method,
            &server.http(&case.path),
            case.token.as_deref(),
            case.body.clone(),
        )
        .await;
        assert_eq!(
            (
                reply.status,
                reply.body["error"]["code"].as_str().unwrap_or_default()
            ),
            (case.status, case.code),
            "{}: {}",
            case.what,
            reply.body
        );
        checked += 1;
    }

    // What a client library will not send: malformed JSON, the wrong type, a 3 MB body,
    // writes to pages and files.
    let addr = server.addr.clone();
    let raw_cases: Vec<(&str, String, Vec<u8>, u16, &str)> = vec![
        (
            "malformed JSON",
            "POST /api/v1/auth/login HTTP/1.1\r\nContent-Type: application/json".into(),
            b"{\"email\":".to_vec(),
            400,
            "invalid_json",
        ),
        (
            "JSON sent as text",
            "POST /api/v1/auth/login HTTP/1.1\r\nContent-Type: text/plain".into(),
            b"{}".to_vec(),
            415,
            "invalid_content_type",
        ),
        (
            "a 3 MB body",
            "POST /api/v1/chat/public/message HTTP/1.1\r\nContent-Type: application/json".into(),
            vec![b' '; 3 * 1024 * 1024],
            413,
            "body_too_large",
        ),
        (
            "DELETE a file",
            "DELETE /favicon.svg HTTP/1.1".into(),
            Vec::new(),
            405,
            "",
        ),
        ("POST a page", "POST / HTTP/1.1".into(), Vec::new(), 405, ""),
        (
            "PUT the widget script",
            "PUT /widget.js HTTP/1.1".into(),
            Vec::new(),
            405,
            "",
        ),
    ];
    for (what, head, body, status, code) in raw_cases {
        let (got, text) = common::raw_http(&addr, &head, &body).await;
        assert_eq!(
            (got, code_of(&text).as_str()),
            (status, code),
            "{what}: {text}"
        );
        checked += 1;
    }

    for (what, frame, code) in frame_cases() {
        socket.send_text(&frame).await;
        let error = socket.until("error").await;
        assert_eq!(error["code"], code, "{what}: {error}");
        checked += 1;
    }
    socket.sync().await;

    // An agent's frames: a session to name, and only one of the tenant's.
    let mut agent_ws = agent_socket(&server, &agent).await;
    for (what, frame, code) in [
        (
            "chat without a session",
            json!({"type": "chat", "content": "hi"}),
            "invalid_frame",
        ),
        (
            "chat to no session",
            json!({"type": "chat", "sessionId": "nope", "content": "hi"}),
            "not_found",
        ),
        (
            "typing in no session",
            json!({"type": "typing", "sessionId": "nope", "isTyping": true}),
            "not_found",
        ),
        (
            "an agent asking for a human",
            json!({"type": "human-escalation"}),
            "not_allowed",
        ),
    ] {
        agent_ws.send(frame).await;
        let error = agent_ws.until("error").await;
        assert_eq!(error["code"], code, "{what}: {error}");
        checked += 1;
    }

    // Handshakes.
    let far = u64::MAX / 2;
    for (what, path, status) in [
        ("a socket without a token", "/ws".to_string(), 401),
        (
            "a socket with a forged token",
            format!(
                "/ws?token={}",
                token("x".repeat(40).as_str(), "a", "t", "agent", far)
            ),
            401,
        ),
        (
            "a socket with an expired token",
            format!("/ws?token={}", token(SECRET, "a", "t", "agent", 1)),
            401,
        ),
        (
            "a socket for an unknown key",
            "/ws/public/nope".to_string(),
            401,
        ),
        (
            "a socket resuming past 2^63",
            format!("/ws/public/{}?lastSeq=9223372036854775808", visitor.key),
            422,
        ),
        (
            "a socket resuming at a word",
            format!("/ws/public/{}?lastSeq=abc", visitor.key),
            400,
        ),
    ] {
        let refused = Client::try_connect(&server.ws(&path), None).await;
        assert_eq!(refused.err(), Some(status), "{what}");
        checked += 1;
    }

    assert!(checked >= 50, "the catalogue has {checked} cases");
    assert_eq!(
        everything(&server, &admin).await,
        before,
        "nothing was changed"
    );
}
