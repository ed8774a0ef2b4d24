//! Presence (docs/design.md, "Presence"): an agent is online while a dashboard of theirs is
//! open and used, away when idle or when they say so, offline once none is open (also when the
//! node holding it dies); available or busy is their own word; visitors hear whether a person
//! can join. Times are short here (flags), and tests wait for the events, never for a clock.

use crate::common;

use common::{
    chat::{agent_socket, login, start_visitor, visitor_socket},
    get_json, request,
    ws::Client,
    TestServer,
};
use serde_json::{json, Value};

/// Reads `socket` until an `agent.presence` for `name` that `wanted` accepts.
async fn until_presence(socket: &mut Client, name: &str, wanted: impl Fn(&Value) -> bool) -> Value {
    loop {
        let event = socket.until("agent.presence").await;
        if event["agent"]["name"] == name && wanted(&event) {
            return event;
        }
    }
}

fn status(status: &'static str) -> impl Fn(&Value) -> bool {
    move |event| event["status"] == status
}

async fn set(server: &TestServer, token: &str, body: Value) -> common::JsonReply {
    request(
        "PUT",
        &server.http("/api/v1/agents/me/presence"),
        Some(token),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn agents_are_online_while_connected_then_away_when_they_say_so_and_offline_when_gone() {
    let server = TestServer::start_with(&["--demo", "--ai", "off"]).await;
    let (alice, _) = login(&server, "agent1@callcenter.com").await;
    let (bob, _) = login(&server, "agent2@callcenter.com").await;
    let mut desk = agent_socket(&server, &alice).await;
    until_presence(&mut desk, "Alice Martin", status("online")).await;
    let team = get_json(&server.http("/api/v1/agents"), Some(&alice)).await;
    let of = |name: &str| {
        team.body
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (
            of("Alice Martin")["status"].clone(),
            of("Alice Martin")["availability"].clone()
        ),
        (json!("online"), json!("available"))
    );
    assert_eq!(of("Bob Chen")["status"], "offline");

    let bob_desk = agent_socket(&server, &bob).await;
    until_presence(&mut desk, "Bob Chen", status("online")).await;
    let busy = set(&server, &bob, json!({"availability": "busy"})).await;
    assert_eq!(
        (
            busy.status,
            busy.body["availability"].clone(),
            busy.body["status"].clone()
        ),
        (200, json!("busy"), json!("online"))
    );
    until_presence(&mut desk, "Bob Chen", |e| e["availability"] == "busy").await;
    set(&server, &bob, json!({"away": true})).await;
    until_presence(&mut desk, "Bob Chen", |e| {
        e["status"] == "away" && e["availability"] == "busy"
    })
    .await;
    set(
        &server,
        &bob,
        json!({"away": false, "availability": "available"}),
    )
    .await;
    until_presence(&mut desk, "Bob Chen", |e| {
        e["status"] == "online" && e["availability"] == "available"
    })
    .await;
    for bad in [json!({"availability": "sleeping"}), json!({"away": "yes"})] {
        assert_eq!(set(&server, &bob, bad.clone()).await.status, 422, "{bad}");
    }
    drop(bob_desk);
    until_presence(&mut desk, "Bob Chen", status("offline")).await;
}

/// Idle after a second, looked at ten times a second.
pub const QUICK_IDLE: &[&str] = &[
    "--demo",
    "--ai",
    "off",
    "--presence-idle-secs",
    "1",
    "--presence-sweep-ms",
    "100",
];

#[tokio::test]
async fn an_unused_dashboard_goes_away_and_comes_back_with_use() {
    let server = TestServer::start_with(QUICK_IDLE).await;
    let (alice, _) = login(&server, "agent1@callcenter.com").await;
    let (bob, _) = login(&server, "agent2@callcenter.com").await;
    let mut desk = agent_socket(&server, &alice).await;
    let mut bob_desk = agent_socket(&server, &bob).await;
    until_presence(&mut desk, "Bob Chen", status("online")).await;
    until_presence(&mut desk, "Bob Chen", status("away")).await;
    bob_desk.send(json!({"type": "activity"})).await;
    until_presence(&mut desk, "Bob Chen", status("online")).await;
}

#[tokio::test]
async fn visitors_hear_whether_a_person_can_join() {
    let server = TestServer::start_with(&["--demo", "--ai", "off"]).await;
    let widget = get_json(&server.http("/api/v1/chat/public/widget/demo"), None).await;
    assert_eq!(widget.body["teamAvailable"], false, "nobody is signed in");
    let visitor = start_visitor(&server, None).await;
    let mut socket = visitor_socket(&server, &visitor.key).await;
    assert_eq!(socket.until("team.availability").await["available"], false);

    let (alice, _) = login(&server, "agent1@callcenter.com").await;
    let desk = agent_socket(&server, &alice).await;
    assert_eq!(socket.until("team.availability").await["available"], true);
    let widget = get_json(&server.http("/api/v1/chat/public/widget/demo"), None).await;
    assert_eq!(widget.body["teamAvailable"], true);
    set(&server, &alice, json!({"availability": "busy"})).await;
    assert_eq!(socket.until("team.availability").await["available"], false);
    set(&server, &alice, json!({"availability": "available"})).await;
    assert_eq!(socket.until("team.availability").await["available"], true);
    drop(desk);
    assert_eq!(socket.until("team.availability").await["available"], false);
}

/// A visitor writing into a closed conversation gets the agent who had it while that agent is
/// at their desk, and the queue once they are gone.
#[tokio::test]
async fn a_closed_conversation_reopens_to_its_agent_only_while_they_are_at_their_desk() {
    let server = TestServer::start_with(&["--demo", "--ai", "off"]).await;
    let (alice, _) = login(&server, "agent1@callcenter.com").await;
    let (bob, _) = login(&server, "agent2@callcenter.com").await;
    let mut watcher = agent_socket(&server, &bob).await;
    let desk = agent_socket(&server, &alice).await;
    until_presence(&mut watcher, "Alice Martin", status("online")).await;
    let visitor = start_visitor(&server, Some("Dana")).await;
    let mut socket = visitor_socket(&server, &visitor.key).await;
    let act = |action: &str| {
        let url = server.http(&format!(
            "/api/v1/chat/sessions/{}/{action}",
            visitor.session_id
        ));
        let token = alice.clone();
        async move { request("POST", &url, Some(&token), Some(json!({}))).await }
    };
    assert_eq!(act("assign").await.status, 200);
    assert_eq!(act("close").await.status, 200);
    let back = reopen_with(&mut socket, "One more thing").await;
    assert_eq!(
        back["session"]["status"], "active",
        "Alice is at her desk: {back}"
    );

    assert_eq!(act("close").await.status, 200);
    drop(desk);
    // Her dashboard is gone: the next message goes to the queue.
    until_presence(&mut watcher, "Alice Martin", status("offline")).await;
    let queued = reopen_with(&mut socket, "Hello again?").await;
    assert_eq!(queued["session"]["status"], "pending", "{queued}");
}

/// The visitor writes into their closed conversation; where it stands after (the update that
/// follows their message: events of a session arrive in the order they happened).
async fn reopen_with(socket: &mut Client, content: &str) -> Value {
    socket
        .send(json!({"type": "chat", "content": content}))
        .await;
    loop {
        let message = socket.until("chat.message.new").await;
        if message["message"]["content"] == content {
            break;
        }
    }
    socket.until("chat.session.updated").await
}
