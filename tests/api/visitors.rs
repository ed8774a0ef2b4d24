//! Who the visitor is and where (docs/protocol.md, "visit"): the widget's page reports and the
//! socket's User-Agent are stored on the conversation without moving it up the inbox, reach
//! the tenant's agents as `visitor.visit`, and the visitor's sockets count for their presence
//! (`visitor.presence`, `GET /api/v1/visitors`) under the same rules as an agent's.

use crate::common;

use common::{
    chat::{agent_socket, login, start_visitor},
    get_json,
    ws::Client,
    TestServer,
};
use serde_json::{json, Value};

const AI_OFF: &[&str] = &["--demo", "--ai", "off"];
const FIREFOX_WINDOWS: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

/// A visitor's socket that says it is Firefox on Windows.
async fn visitor_browser(server: &TestServer, key: &str) -> Client {
    let url = server.ws(&format!("/ws/public/{key}"));
    let mut socket = Client::try_connect_with(&url, &[("User-Agent", FIREFOX_WINDOWS)])
        .await
        .expect("the handshake succeeds");
    assert_eq!(socket.next_frame().await.unwrap()["type"], "connection");
    socket
}

/// Reads an agent socket until the session's visitor is `status`.
pub async fn until_visitor(desk: &mut Client, session_id: &str, status: &str) {
    loop {
        let event = desk.until("visitor.presence").await;
        if event["sessionId"] == session_id && event["status"] == status {
            return;
        }
    }
}

/// The conversation as the agents' inbox lists it.
async fn session(server: &TestServer, token: &str, id: &str) -> Value {
    let reply = get_json(&server.http("/api/v1/chat/sessions"), Some(token)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let listed = reply.body.as_array().expect("a list");
    listed
        .iter()
        .find(|s| s["id"] == id)
        .expect("listed")
        .clone()
}

async fn present(server: &TestServer, token: &str) -> Value {
    let reply = get_json(&server.http("/api/v1/visitors"), Some(token)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

fn boots_page() -> Value {
    json!({
        "type": "visit",
        "url": "https://shop.example/boots?colour=red",
        "title": "Red boots · Shop",
        "referrer": "https://search.example/?q=red+boots",
        "language": "nl-NL",
        "timeZone": "Europe/Amsterdam",
    })
}

#[tokio::test]
async fn the_page_the_visitor_is_on_reaches_the_agents_and_stays_on_the_conversation() {
    let server = TestServer::start_with(AI_OFF).await;
    let (alice, _) = login(&server, "agent1@callcenter.com").await;
    let visitor = start_visitor(&server, Some("Dana")).await;
    let before = session(&server, &alice, &visitor.session_id).await;
    let mut desk = agent_socket(&server, &alice).await;
    let mut widget = visitor_browser(&server, &visitor.key).await;
    until_visitor(&mut desk, &visitor.session_id, "online").await;

    widget.send(boots_page()).await;
    let told = desk.until("visitor.visit").await;
    assert_eq!(told["sessionId"], visitor.session_id.as_str());
    let visit = &told["visit"];
    assert_eq!(visit["pageUrl"], "https://shop.example/boots?colour=red");
    assert_eq!(visit["pageTitle"], "Red boots · Shop");
    assert_eq!(visit["referrer"], "https://search.example/?q=red+boots");
    assert_eq!(
        (&visit["browser"], &visit["os"]),
        (&json!("Firefox 133"), &json!("Windows 10"))
    );
    assert_eq!(
        (&visit["language"], &visit["timeZone"]),
        (&json!("nl-NL"), &json!("Europe/Amsterdam"))
    );

    // The next page of the shop: a new page and title; where they came from stays.
    widget
        .send(json!({"type": "visit", "url": "https://shop.example/checkout", "title": "Checkout"}))
        .await;
    let next = desk.until("visitor.visit").await;
    assert_eq!(next["visit"]["pageTitle"], "Checkout");
    assert_eq!(
        next["visit"]["referrer"],
        "https://search.example/?q=red+boots"
    );

    let stored = session(&server, &alice, &visitor.session_id).await;
    assert_eq!(stored["visit"]["pageUrl"], "https://shop.example/checkout");
    assert_eq!(stored["visit"]["browser"], "Firefox 133");
    assert_eq!(
        stored["updatedAt"], before["updatedAt"],
        "browsing does not move the conversation up the inbox"
    );
}

#[tokio::test]
async fn a_bad_page_report_is_refused_and_changes_nothing() {
    let server = TestServer::start_with(AI_OFF).await;
    let (alice, _) = login(&server, "agent1@callcenter.com").await;
    let visitor = start_visitor(&server, None).await;
    let mut widget = visitor_browser(&server, &visitor.key).await;
    widget.send(boots_page()).await;
    let long = format!("https://shop.example/{}", "a".repeat(3000));
    for bad in [
        json!({"type": "visit", "url": "javascript:alert(1)"}),
        json!({"type": "visit", "url": long}),
        json!({"type": "visit", "title": "Boots\u{7}"}),
        json!({"type": "visit", "language": "<script>"}),
        json!({"type": "visit", "timeZone": "Mars/Olympus_Mons"}),
        json!({"type": "visit", "url": 7}),
    ] {
        widget.send(bad.clone()).await;
        let error = widget.until("error").await;
        assert!(
            ["invalid_visit", "invalid_frame"].contains(&error["code"].as_str().unwrap()),
            "{bad}: {error}"
        );
    }
    let stored = session(&server, &alice, &visitor.session_id).await;
    assert_eq!(
        stored["visit"]["pageUrl"],
        "https://shop.example/boots?colour=red"
    );
    assert_eq!(stored["visit"]["language"], "nl-NL");

    // An agent's socket has no page to report.
    let mut desk = agent_socket(&server, &alice).await;
    desk.send(boots_page()).await;
    assert_eq!(desk.until("error").await["code"], "not_allowed");
}

#[tokio::test]
async fn a_visitor_is_online_while_a_page_is_open_away_when_idle_and_offline_once_gone() {
    let server = TestServer::start_with(crate::presence::QUICK_IDLE).await;
    let (alice, _) = login(&server, "agent1@callcenter.com").await;
    let visitor = start_visitor(&server, None).await;
    let mut desk = agent_socket(&server, &alice).await;
    assert_eq!(present(&server, &alice).await, json!([]));

    let first_tab = visitor_browser(&server, &visitor.key).await;
    let mut second_tab = visitor_browser(&server, &visitor.key).await;
    until_visitor(&mut desk, &visitor.session_id, "online").await;
    until_visitor(&mut desk, &visitor.session_id, "away").await;
    assert_eq!(
        present(&server, &alice).await,
        json!([{"sessionId": visitor.session_id, "status": "away"}])
    );

    // One tab closed, the other still open and used: still on the site, never offline.
    drop(first_tab);
    second_tab.send(json!({"type": "activity"})).await;
    loop {
        let event = desk.until("visitor.presence").await;
        assert_ne!(event["status"], "offline", "one tab is still open: {event}");
        if event["sessionId"] == visitor.session_id.as_str() && event["status"] == "online" {
            break;
        }
    }
    assert_eq!(
        present(&server, &alice).await[0]["sessionId"],
        visitor.session_id.as_str()
    );

    // The last one closed: they left now, which the agents are told and the panel keeps.
    drop(second_tab);
    let left = desk.until("visitor.visit").await;
    assert!(left["visit"]["seenAt"].is_string(), "{left}");
    until_visitor(&mut desk, &visitor.session_id, "offline").await;
    assert_eq!(present(&server, &alice).await, json!([]));
    let stored = session(&server, &alice, &visitor.session_id).await;
    assert_eq!(
        stored["visit"]["seenAt"], left["visit"]["seenAt"],
        "when they left: {stored}"
    );
}
