//! Automatic assignment (docs/design.md, "Routing"): with `assignment: auto`, a conversation
//! that needs a person goes to the available online agent with the fewest active ones, under
//! the capacity, ties to whoever waited longest; the rest wait in the queue, oldest first, for
//! the next agent who becomes available or frees a slot. Every wait here is for an event.

use crate::common;

use common::{
    chat::{agent_socket, history, login, start_visitor, visitor_socket, Visitor},
    post, request,
    ws::Client,
    TestServer,
};
use serde_json::{json, Value};

pub async fn set_routing(server: &TestServer, admin: &str, body: Value) -> common::JsonReply {
    request(
        "PUT",
        &server.http("/api/v1/settings/routing"),
        Some(admin),
        Some(body),
    )
    .await
}

pub async fn set_presence(server: &TestServer, token: &str, body: Value) {
    let reply = request(
        "PUT",
        &server.http("/api/v1/agents/me/presence"),
        Some(token),
        Some(body),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// Reads an agent socket until `name` has `status` and `availability`.
pub async fn until_presence(desk: &mut Client, name: &str, status: &str, availability: &str) {
    loop {
        let event = desk.until("agent.presence").await;
        if event["agent"]["name"] == name
            && event["status"] == status
            && event["availability"] == availability
        {
            return;
        }
    }
}

/// A visitor whose conversation (AI off: waiting for a person from the start) is watched.
struct Waiting {
    visitor: Visitor,
    socket: Client,
}

async fn new_conversation(server: &TestServer) -> Waiting {
    let visitor = start_visitor(server, None).await;
    let socket = visitor_socket(server, &visitor.key).await;
    Waiting { visitor, socket }
}

/// The name of the agent the conversation is given to, when it is.
async fn assigned_to(waiting: &mut Waiting) -> String {
    let event = waiting.socket.until("chat.session.assigned").await;
    event["agent"]["name"].as_str().unwrap().to_string()
}

/// The name of the agent a conversation is given to, as a dashboard that was open before it
/// started hears it (a visitor socket opened after the start may have missed the event).
async fn assigned_on(desk: &mut Client, session_id: &str) -> String {
    loop {
        let event = desk.until("chat.session.assigned").await;
        if event["sessionId"] == session_id {
            return event["agent"]["name"].as_str().unwrap().to_string();
        }
    }
}

async fn close(server: &TestServer, token: &str, session_id: &str) {
    let reply = post(
        &server.http(&format!("/api/v1/chat/sessions/{session_id}/close")),
        Some(token),
        json!({}),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// How many times the thread says someone joined: once per assignment.
async fn joins(server: &TestServer, token: &str, session_id: &str) -> usize {
    history(server, token, session_id)
        .await
        .iter()
        .filter(|m| {
            m["sender"]["kind"] == "system"
                && m["content"]
                    .as_str()
                    .is_some_and(|c| c.ends_with("joined the conversation"))
        })
        .count()
}

#[tokio::test]
async fn routing_settings_are_for_admins_and_checked() {
    let server = TestServer::start_with(&["--demo", "--ai", "off"]).await;
    let (alice, _) = login(&server, "agent1@callcenter.com").await;
    let (bob, _) = login(&server, "agent2@callcenter.com").await;
    let shown = common::get_json(&server.http("/api/v1/settings/routing"), Some(&alice)).await;
    assert_eq!(shown.body, json!({"assignment": "manual", "capacity": 3}));
    for bad in [
        json!({"assignment": "auto", "capacity": 0}),
        json!({"assignment": "auto", "capacity": 101}),
    ] {
        let refused = set_routing(&server, &alice, bad).await;
        assert_eq!(
            (refused.status, refused.body["error"]["code"].clone()),
            (422, json!("invalid_settings"))
        );
    }
    let refused = set_routing(
        &server,
        &alice,
        json!({"assignment": "sometimes", "capacity": 2}),
    )
    .await;
    assert_eq!(refused.status, 422);
    let not_admin = set_routing(&server, &bob, json!({"assignment": "auto", "capacity": 2})).await;
    assert_eq!(not_admin.status, 403);
    let saved = set_routing(
        &server,
        &alice,
        json!({"assignment": "auto", "capacity": 2}),
    )
    .await;
    assert_eq!(saved.body, json!({"assignment": "auto", "capacity": 2}));
    let shown = common::get_json(&server.http("/api/v1/settings/routing"), Some(&alice)).await;
    assert_eq!(shown.body, json!({"assignment": "auto", "capacity": 2}));
}

#[tokio::test]
async fn auto_assignment_is_fair_keeps_to_the_capacity_and_serves_the_queue_oldest_first() {
    let server = TestServer::start_with(&["--demo", "--ai", "off"]).await;
    let (alice, _) = login(&server, "agent1@callcenter.com").await;
    let (bob, _) = login(&server, "agent2@callcenter.com").await;
    set_routing(
        &server,
        &alice,
        json!({"assignment": "auto", "capacity": 2}),
    )
    .await;
    let mut alice_desk = agent_socket(&server, &alice).await;
    let _bob_desk = agent_socket(&server, &bob).await;
    until_presence(&mut alice_desk, "Bob Chen", "online", "available").await;

    // Fewest first; of equals, whoever waited longest: they take turns.
    let mut names = Vec::new();
    let mut conversations = Vec::new();
    for _ in 0..4 {
        let waiting = new_conversation(&server).await;
        names.push(assigned_on(&mut alice_desk, &waiting.visitor.session_id).await);
        conversations.push(waiting);
    }
    assert_eq!(
        names[0..2].iter().filter(|n| *n == "Alice Martin").count(),
        1,
        "{names:?}"
    );
    assert_eq!(names[2..4], names[0..2], "turns: {names:?}");

    // Both full: the next two wait in the queue.
    let mut fifth = new_conversation(&server).await;
    let mut sixth = new_conversation(&server).await;
    let queue = common::get_json(
        &server.http("/api/v1/chat/sessions?view=unassigned"),
        Some(&alice),
    )
    .await;
    assert_eq!(queue.body.as_array().unwrap().len(), 2, "{}", queue.body);

    // Alice frees a slot: the oldest waiting conversation is hers, the next still waits.
    let alices = names.iter().position(|n| n == "Alice Martin").unwrap();
    close(&server, &alice, &conversations[alices].visitor.session_id).await;
    assert_eq!(assigned_to(&mut fifth).await, "Alice Martin");
    // Bob is busy: a slot he frees is not filled, one Alice frees is.
    set_presence(&server, &bob, json!({"availability": "busy"})).await;
    until_presence(&mut alice_desk, "Bob Chen", "online", "busy").await;
    let bobs = names.iter().position(|n| n == "Bob Chen").unwrap();
    close(&server, &bob, &conversations[bobs].visitor.session_id).await;
    close(&server, &alice, &fifth.visitor.session_id).await;
    assert_eq!(assigned_to(&mut sixth).await, "Alice Martin");
    // Available again, Bob has the fewest: the next one is his.
    set_presence(&server, &bob, json!({"availability": "available"})).await;
    until_presence(&mut alice_desk, "Bob Chen", "online", "available").await;
    let seventh = new_conversation(&server).await;
    assert_eq!(
        assigned_on(&mut alice_desk, &seventh.visitor.session_id).await,
        "Bob Chen"
    );
    for waiting in [&fifth, &sixth, &seventh] {
        assert_eq!(joins(&server, &alice, &waiting.visitor.session_id).await, 1);
    }
}

#[tokio::test]
async fn with_manual_assignment_conversations_wait_until_the_tenant_switches_to_auto() {
    let server = TestServer::start_with(&["--demo", "--ai", "off"]).await;
    let (alice, _) = login(&server, "agent1@callcenter.com").await;
    let mut desk = agent_socket(&server, &alice).await;
    let mut waiting = new_conversation(&server).await;
    desk.until("chat.session.started").await;
    let queue = common::get_json(
        &server.http("/api/v1/chat/sessions?view=unassigned"),
        Some(&alice),
    )
    .await;
    assert_eq!(queue.body.as_array().unwrap().len(), 1);
    // Switching to auto hands out what waits, at once.
    set_routing(
        &server,
        &alice,
        json!({"assignment": "auto", "capacity": 1}),
    )
    .await;
    assert_eq!(assigned_to(&mut waiting).await, "Alice Martin");
    assert_eq!(joins(&server, &alice, &waiting.visitor.session_id).await, 1);
}
