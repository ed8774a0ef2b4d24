//! A conversation's whole life (docs/design.md, "A conversation's life"): taken, taken over,
//! transferred, unassigned, closed, reopened by the visitor; each change a line in the thread
//! that the visitor and every agent see, and the state both sides are told.

use crate::common;

use common::{chat, get_json, post, ws::Client, TestServer};
use serde_json::{json, Value};

async fn login(server: &TestServer, email: &str) -> String {
    chat::login(server, email).await.0
}

/// A visitor who has written once, with their socket; the session's id.
async fn visitor(server: &TestServer) -> (String, Client) {
    let visitor = chat::start_visitor(server, Some("Dana")).await;
    let mut socket = chat::visitor_socket(server, &visitor.key).await;
    socket
        .send(json!({"type": "chat", "content": "Hello"}))
        .await;
    socket.until("chat.message.new").await;
    (visitor.session_id, socket)
}

/// `POST /api/v1/chat/sessions/{id}/{action}` as the agent whose token this is.
async fn act(
    server: &TestServer,
    token: &str,
    id: &str,
    action: &str,
    body: Value,
) -> common::JsonReply {
    post(
        &server.http(&format!("/api/v1/chat/sessions/{id}/{action}")),
        Some(token),
        body,
    )
    .await
}

/// Reads the visitor's socket until the session is in `status`; the session then.
async fn until_status(socket: &mut Client, status: &str) -> Value {
    loop {
        let frame = socket.until("chat.session.updated").await;
        if frame["session"]["status"] == status {
            return frame["session"].clone();
        }
    }
}

async fn system_lines(server: &TestServer, token: &str, id: &str) -> Vec<String> {
    let messages = get_json(
        &server.http(&format!("/api/v1/chat/sessions/{id}/messages")),
        Some(token),
    )
    .await;
    messages
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["sender"]["kind"] == "system")
        .map(|m| m["content"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn every_change_of_hands_is_a_line_in_the_thread_and_both_sides_agree() {
    let server = TestServer::start_with(&["--demo", "--ai", "off"]).await;
    let alice = login(&server, "agent1@callcenter.com").await;
    let bob = login(&server, "agent2@callcenter.com").await;
    let mut alices_desk = chat::agent_socket(&server, &alice).await;
    let (id, mut visitor) = visitor(&server).await;
    let alice_id = get_json(&server.http("/api/v1/auth/me"), Some(&alice))
        .await
        .body["agent"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    assert_eq!(
        act(&server, &alice, &id, "assign", json!({})).await.status,
        200
    );
    // Bob takes it from Alice: her desk hears it, the visitor's header follows.
    let taken = act(&server, &bob, &id, "assign", json!({})).await;
    assert_eq!(taken.body["assignedAgent"]["name"], "Bob Chen");
    loop {
        let assigned = alices_desk.until("chat.session.assigned").await;
        if assigned["agent"]["name"] == "Bob Chen" {
            break;
        }
    }
    let transferred = act(&server, &bob, &id, "transfer", json!({"agentId": alice_id})).await;
    assert_eq!(
        (
            transferred.status,
            transferred.body["assignedAgent"]["name"].clone()
        ),
        (200, json!("Alice Martin"))
    );
    let unassigned = act(&server, &alice, &id, "unassign", json!({})).await;
    assert_eq!(unassigned.body["status"], "pending");
    assert!(
        unassigned.body.get("assignedAgent").is_none(),
        "{}",
        unassigned.body
    );
    act(&server, &alice, &id, "assign", json!({})).await;
    let closed = act(&server, &alice, &id, "close", json!({})).await;
    assert_eq!(closed.body["status"], "closed");
    until_status(&mut visitor, "closed").await;

    // The visitor writes again: back to Alice, who can still sign in, and the widget hears it.
    visitor
        .send(json!({"type": "chat", "content": "One more thing"}))
        .await;
    let reopened = until_status(&mut visitor, "active").await;
    assert_eq!(reopened["assignedAgent"]["name"], "Alice Martin");

    // Closed again by Bob; Alice is disabled meanwhile: the next message goes to the queue.
    act(&server, &bob, &id, "close", json!({})).await;
    common::admin(
        &server,
        &["agent", "disable", "--email", "agent1@callcenter.com"],
    )
    .await;
    visitor
        .send(json!({"type": "chat", "content": "Hello again?"}))
        .await;
    let queued = until_status(&mut visitor, "pending").await;
    assert!(queued.get("assignedAgent").is_none(), "{queued}");

    assert_eq!(
        system_lines(&server, &bob, &id).await,
        [
            "Alice Martin joined the conversation",
            "Bob Chen took over from Alice Martin",
            "Transferred to Alice Martin by Bob Chen",
            "Unassigned by Alice Martin",
            "Alice Martin joined the conversation",
            "Closed by Alice Martin",
            "Reopened by the visitor",
            "Closed by Bob Chen",
            "Reopened by the visitor",
        ]
    );
}

#[tokio::test]
async fn changes_that_cannot_be_made_are_refused_and_change_nothing() {
    let server = TestServer::start_with(&["--demo", "--ai", "off"]).await;
    let alice = login(&server, "agent1@callcenter.com").await;
    let (id, _visitor) = visitor(&server).await;
    let unknown = act(
        &server,
        &alice,
        &id,
        "transfer",
        json!({"agentId": "no-such-agent"}),
    )
    .await;
    assert_eq!(
        (unknown.status, unknown.body["error"]["code"].clone()),
        (404, json!("not_found"))
    );
    // An agent of another tenant is no agent here.
    let (zoe, _) = chat::other_tenant_agent(&server).await;
    let zoe_id = get_json(&server.http("/api/v1/auth/me"), Some(&zoe))
        .await
        .body["agent"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let foreign = act(&server, &alice, &id, "transfer", json!({"agentId": zoe_id})).await;
    assert_eq!(foreign.status, 404);
    assert_eq!(
        act(&server, &zoe, &id, "unassign", json!({})).await.status,
        404
    );

    act(&server, &alice, &id, "close", json!({})).await;
    for action in ["unassign", "transfer"] {
        let refused = act(&server, &alice, &id, action, json!({"agentId": "x"})).await;
        assert_eq!(
            (refused.status, refused.body["error"]["code"].clone()),
            (409, json!("session_closed")),
            "{action}"
        );
    }
    let malformed = act(&server, &alice, &id, "transfer", json!({"agent": 1})).await;
    assert_eq!(malformed.status, 422);
    assert_eq!(
        system_lines(&server, &alice, &id).await,
        ["Closed by Alice Martin"],
        "nothing else happened"
    );
}

#[tokio::test]
async fn the_hand_over_words_stay_in_the_history() {
    let server = TestServer::start_with(&["--demo", "--ai-token-delay-ms", "0"]).await;
    let key = chat::start_visitor(&server, None).await.key;
    let mut socket = chat::visitor_socket(&server, &key).await;
    socket
        .send(json!({"type": "chat", "content": "I want to talk to a human"}))
        .await;
    socket.until("human-escalation-response").await;
    let history = get_json(
        &server.http(&format!("/api/v1/chat/public/session/{key}")),
        None,
    )
    .await;
    let last = history.body["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["sender"]["kind"], "ai");
    assert_eq!(
        last["content"],
        // Nobody is online: the hand-over does not promise someone at once.
        "Thanks, we've let the team know. No human agent is available right now: one will reply here as soon as the team is back."
    );
    assert_eq!(history.body["session"]["status"], "pending");
}

/// Reads the agent's socket until the visitor's typing is reported as `typing`.
async fn until_typing(desk: &mut Client, typing: bool) {
    loop {
        let frame = desk.until("chat.typing").await;
        if frame["sender"]["kind"] == "customer" && frame["isTyping"] == typing {
            return;
        }
    }
}

#[tokio::test]
async fn typing_ends_by_itself_when_the_typist_goes_quiet_or_away() {
    // The rule's time is a flag, so that the test waits for the event, not the clock.
    let server =
        TestServer::start_with(&["--demo", "--ai", "off", "--typing-timeout-ms", "200"]).await;
    let alice = login(&server, "agent1@callcenter.com").await;
    let mut desk = chat::agent_socket(&server, &alice).await;
    let (_, mut visitor) = visitor(&server).await;

    visitor
        .send(json!({"type": "typing", "isTyping": true}))
        .await;
    until_typing(&mut desk, true).await;
    // Nothing more from the visitor: the server ends it.
    until_typing(&mut desk, false).await;

    // A typist whose page goes away stops typing for everyone at once.
    visitor
        .send(json!({"type": "typing", "isTyping": true}))
        .await;
    until_typing(&mut desk, true).await;
    drop(visitor);
    until_typing(&mut desk, false).await;
}

#[tokio::test]
async fn the_inbox_is_listed_by_view_a_page_at_a_time() {
    let server = TestServer::start_with(&["--demo", "--ai", "off"]).await;
    let alice = login(&server, "agent1@callcenter.com").await;
    for _ in 0..3 {
        visitor(&server).await;
    }
    let list = |query: &str| {
        let url = server.http(&format!("/api/v1/chat/sessions{query}"));
        let token = alice.clone();
        async move { get_json(&url, Some(&token)).await }
    };
    let first = list("?view=unassigned&limit=2").await;
    assert_eq!(first.body.as_array().unwrap().len(), 2, "{}", first.body);
    let link = first.header("link").expect("a next page").to_string();
    let next = link
        .strip_prefix('<')
        .and_then(|l| l.split_once(">; rel=\"next\""))
        .map(|(path, _)| path.to_string())
        .unwrap();
    assert!(
        next.starts_with("/api/v1/chat/sessions?view=unassigned&before="),
        "{next}"
    );
    let second = get_json(&server.http(&next), Some(&alice)).await;
    assert_eq!(second.body.as_array().unwrap().len(), 1);
    assert!(
        second.header("link").is_none(),
        "the last page names no next one"
    );
    let all: Vec<_> = first
        .body
        .as_array()
        .unwrap()
        .iter()
        .chain(second.body.as_array().unwrap())
        .map(|s| s["id"].clone())
        .collect();
    let mut unique: Vec<String> = all.iter().map(|id| id.to_string()).collect();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 3, "each once: {all:?}");

    assert_eq!(list("?view=ai").await.body, json!([]));
    assert_eq!(
        list("").await.body.as_array().unwrap().len(),
        3,
        "no view: every session"
    );
    for bad in ["?limit=0", "?limit=101", "?before=not-a-cursor"] {
        let refused = list(bad).await;
        assert_eq!(
            (refused.status, refused.body["error"]["code"].clone()),
            (422, json!("invalid_page")),
            "{bad}"
        );
    }
}

/// The diagnostics page's conversations are tests: the assistant answers them, and no agent's
/// inbox, list or socket hears of them.
#[tokio::test]
async fn a_test_conversation_is_answered_and_stays_out_of_every_inbox() {
    let server = TestServer::start_with(&["--demo"]).await;
    let alice = login(&server, "agent1@callcenter.com").await;
    let mut desk = chat::agent_socket(&server, &alice).await;
    let started = post(
        &server.http("/api/v1/chat/public/start"),
        None,
        json!({"widgetKey": "demo", "test": true}),
    )
    .await;
    assert_eq!(started.status, 200, "{}", started.body);
    let test_id = started.body["sessionId"].as_str().unwrap().to_string();
    let key = started.body["sessionKey"].as_str().unwrap();
    let mut tester = chat::visitor_socket(&server, key).await;
    tester
        .send(json!({"type": "chat", "content": "Where can I park?"}))
        .await;
    let answer = tester.until_message_from("ai").await;
    assert!(!answer["content"].as_str().unwrap().is_empty());
    tester
        .send(json!({"type": "typing", "isTyping": true}))
        .await;
    tester
        .send(json!({"type": "chat", "content": "I want to talk to a human"}))
        .await;
    let handed = tester.until("human-escalation-response").await;
    assert!(
        handed["message"]
            .as_str()
            .unwrap()
            .contains("test conversation"),
        "the tester is told nobody comes: {handed}"
    );
    tester.sync().await;

    // A real visitor now: everything the desk hears before their message is theirs, not the test's.
    let (real_id, _real) = visitor(&server).await;
    let (message, before) = desk.until_with("chat.message.new").await;
    assert_eq!(message["message"]["sessionId"], real_id.as_str());
    let heard = serde_json::to_string(&before).unwrap();
    assert!(
        !heard.contains(&test_id),
        "the desk heard the test: {heard}"
    );

    for view in [
        "",
        "?view=unassigned",
        "?view=ai",
        "?view=open",
        "?view=closed",
    ] {
        let list = get_json(
            &server.http(&format!("/api/v1/chat/sessions{view}")),
            Some(&alice),
        )
        .await;
        assert!(
            !list.body.to_string().contains(&test_id),
            "{view}: {}",
            list.body
        );
    }
    let opened = get_json(
        &server.http(&format!("/api/v1/chat/sessions/{test_id}/messages")),
        Some(&alice),
    )
    .await;
    assert_eq!(opened.status, 404, "{}", opened.body);
    assert_eq!(
        act(&server, &alice, &test_id, "assign", json!({}))
            .await
            .status,
        404
    );
}

/// A long conversation opens at its newest messages and pages back, for agents and visitors.
#[tokio::test]
async fn a_long_history_opens_at_the_latest_and_pages_back() {
    let server = TestServer::start_with(&["--demo", "--ai", "off"]).await;
    let alice = login(&server, "agent1@callcenter.com").await;
    let visitor = chat::start_visitor(&server, Some("Dana")).await;
    for n in 1..=12 {
        let sent = post(
            &server.http("/api/v1/chat/public/message"),
            None,
            json!({"sessionKey": visitor.key, "content": format!("line {n}")}),
        )
        .await;
        assert_eq!(sent.status, 200, "{}", sent.body);
    }
    let seqs = |body: &Value| -> Vec<u64> {
        body.as_array()
            .unwrap()
            .iter()
            .map(|m| m["seq"].as_u64().unwrap())
            .collect()
    };
    let messages = format!("/api/v1/chat/sessions/{}/messages", visitor.session_id);
    let agent_page = |query: &str| {
        let url = server.http(&format!("{messages}{query}"));
        let token = alice.clone();
        async move { get_json(&url, Some(&token)).await }
    };
    let latest = agent_page(&format!("?beforeSeq={}&limit=5", i64::MAX)).await;
    assert_eq!(seqs(&latest.body), [8, 9, 10, 11, 12]);
    assert_eq!(
        seqs(&agent_page("?beforeSeq=8&limit=5").await.body),
        [3, 4, 5, 6, 7]
    );
    assert_eq!(seqs(&agent_page("?beforeSeq=3").await.body), [1, 2]);
    assert_eq!(seqs(&agent_page("?afterSeq=10").await.body), [11, 12]);
    assert_eq!(
        agent_page("").await.body.as_array().unwrap().len(),
        12,
        "from the start"
    );
    for (bad, status) in [
        ("?afterSeq=1&beforeSeq=5", 422),
        ("?limit=0", 422),
        ("?limit=501", 422),
        ("?beforeSeq=x", 400),
    ] {
        let refused = agent_page(bad).await;
        assert_eq!(refused.status, status, "{bad}: {}", refused.body);
    }

    let public = |query: &str| {
        let url = server.http(&format!(
            "/api/v1/chat/public/session/{}{query}",
            visitor.key
        ));
        async move { get_json(&url, None).await }
    };
    let opened = public("?limit=4").await;
    assert_eq!(
        seqs(&opened.body["messages"]),
        [9, 10, 11, 12],
        "the widget opens at the latest"
    );
    assert_eq!(opened.body["session"]["id"], visitor.session_id.as_str());
    assert_eq!(
        seqs(&public("?beforeSeq=9&limit=4").await.body["messages"]),
        [5, 6, 7, 8]
    );
    assert_eq!(
        public("").await.body["messages"].as_array().unwrap().len(),
        12
    );
}
