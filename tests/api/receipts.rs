//! Read receipts (docs/protocol.md, "chat.read"): the visitor's `read` frame and an agent's
//! read mark (REST or frame) each move their side's mark forward, never back and never past the
//! last message, and `chat.read` tells the other side and the tenant's agents.

use crate::common;

use common::{
    chat::{agent_socket, login, start_visitor, visitor_socket},
    get_json, post,
    ws::Client,
    TestServer,
};
use serde_json::{json, Value};

const AI_OFF: &[&str] = &["--demo", "--ai", "off"];

/// Reads `socket` until a `chat.read` by a reader of `kind`.
async fn until_read_by(socket: &mut Client, kind: &str) -> Value {
    loop {
        let event = socket.until("chat.read").await;
        if event["reader"]["kind"] == kind {
            return event;
        }
    }
}

async fn public_session(server: &TestServer, key: &str) -> Value {
    let reply = get_json(
        &server.http(&format!("/api/v1/chat/public/session/{key}")),
        None,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["session"].clone()
}

#[tokio::test]
async fn the_visitors_receipt_reaches_every_agent_and_the_agents_reaches_the_visitor() {
    let server = TestServer::start_with(AI_OFF).await;
    let (alice, alice_profile) = login(&server, "agent1@callcenter.com").await;
    let (bob, _) = login(&server, "agent2@callcenter.com").await;
    let mut alice_desk = agent_socket(&server, &alice).await;
    let mut bob_desk = agent_socket(&server, &bob).await;
    let visitor = start_visitor(&server, Some("Dana")).await;
    let mut page = visitor_socket(&server, &visitor.key).await;

    page.send(json!({"type": "chat", "content": "Where is my parcel?"}))
        .await;
    let question = page.until_message_from("customer").await;
    let reply = post(
        &server.http("/api/v1/chat/messages"),
        Some(&alice),
        json!({"sessionId": visitor.session_id, "content": "Let me look."}),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let answer = page.until_message_from("agent").await;
    let last = answer["seq"].as_u64().unwrap();

    // The visitor has seen Alice's answer: both agents hear it.
    page.send(json!({"type": "read", "seq": last})).await;
    for desk in [&mut alice_desk, &mut bob_desk] {
        let read = until_read_by(desk, "customer").await;
        assert_eq!(
            (read["sessionId"].clone(), read["seq"].clone()),
            (json!(visitor.session_id), json!(last))
        );
    }
    // Backwards, again, and past the last message: nothing moves, nobody hears anything.
    for seq in [1, last, last + 50] {
        page.send(json!({"type": "read", "seq": seq})).await;
    }
    page.sync().await;
    // Alice reads the question by frame: the visitor hears who read how far.
    let seq = question["seq"].as_u64().unwrap();
    alice_desk
        .send(json!({"type": "read", "sessionId": visitor.session_id, "seq": seq}))
        .await;
    let read = until_read_by(&mut page, "agent").await;
    assert_eq!(read["reader"]["id"], alice_profile["id"]);
    assert_eq!(read["reader"]["name"], "Alice Martin");
    assert_eq!(read["seq"], seq);
    // Bob's desk hears Alice's mark next: no visitor receipt came between.
    assert_eq!(bob_desk.until("chat.read").await["reader"]["kind"], "agent");

    let stored = public_session(&server, &visitor.key).await;
    assert_eq!(
        (
            stored["visitorReadSeq"].clone(),
            stored["teamReadSeq"].clone()
        ),
        (json!(last), json!(seq))
    );
    let inbox = get_json(&server.http("/api/v1/chat/sessions"), Some(&bob)).await;
    let listed = &inbox.body.as_array().unwrap()[0];
    assert_eq!(listed["visitorReadSeq"], last);
}

#[tokio::test]
async fn bad_read_frames_are_refused_and_change_nothing() {
    let server = TestServer::start_with(AI_OFF).await;
    let (alice, _) = login(&server, "agent1@callcenter.com").await;
    let mut desk = agent_socket(&server, &alice).await;
    let visitor = start_visitor(&server, None).await;
    let mut page = visitor_socket(&server, &visitor.key).await;
    page.send(json!({"type": "chat", "content": "hello"})).await;
    page.until_message_from("customer").await;

    let refusals = [
        (json!({"type": "read"}), "invalid_frame"),
        (json!({"type": "read", "seq": "one"}), "invalid_frame"),
        (json!({"type": "read", "seq": -1}), "invalid_frame"),
        (json!({"type": "read", "seq": u64::MAX}), "invalid_seq"),
    ];
    for (frame, code) in refusals {
        page.send(frame.clone()).await;
        let error = page.until("error").await;
        assert_eq!(error["code"], code, "{frame}");
    }
    // An agent names the session; another tenant's (or a made-up) session is not found.
    desk.send(json!({"type": "read", "seq": 1})).await;
    assert_eq!(desk.until("error").await["code"], "invalid_frame");
    desk.send(json!({"type": "read", "sessionId": "nope", "seq": 1}))
        .await;
    assert_eq!(desk.until("error").await["code"], "not_found");
    let over_rest = post(
        &server.http("/api/v1/chat/sessions/nope/read"),
        Some(&alice),
        json!({"seq": 1}),
    )
    .await;
    assert_eq!(over_rest.status, 404);

    let stored = public_session(&server, &visitor.key).await;
    assert_eq!(
        (
            stored["visitorReadSeq"].clone(),
            stored["teamReadSeq"].clone()
        ),
        (json!(0), json!(0))
    );
}
