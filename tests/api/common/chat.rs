//! A visitor and an agent of the demo tenant, as the contract's REST calls and sockets make them.

use super::{get_json, post, ws::Client, TestServer};
use serde_json::{json, Value};

/// The demo agents' password.
pub const PASSWORD: &str = "Password123!";

pub async fn login(server: &TestServer, email: &str) -> (String, Value) {
    let reply = post(
        &server.http("/api/v1/auth/login"),
        None,
        json!({"email": email, "password": PASSWORD}),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    (
        reply.body["token"].as_str().unwrap().to_string(),
        reply.body["agent"].clone(),
    )
}

pub struct Visitor {
    pub session_id: String,
    pub key: String,
    pub token: String,
}

pub async fn start_visitor(server: &TestServer, name: Option<&str>) -> Visitor {
    let visitor = match name {
        Some(name) => json!({"name": name}),
        None => json!({}),
    };
    let reply = post(
        &server.http("/api/v1/chat/public/start"),
        None,
        json!({"widgetKey": "demo", "visitor": visitor}),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    Visitor {
        session_id: reply.body["sessionId"].as_str().unwrap().into(),
        key: reply.body["sessionKey"].as_str().unwrap().into(),
        token: reply.body["token"].as_str().unwrap().into(),
    }
}

pub async fn agent_socket(server: &TestServer, token: &str) -> Client {
    let mut socket = Client::connect(&server.ws(&format!("/ws?token={token}"))).await;
    let hello = socket.next_frame().await.unwrap();
    assert_eq!(hello["type"], "connection", "connection comes first");
    socket
}

pub async fn visitor_socket(server: &TestServer, key: &str) -> Client {
    let mut socket = Client::connect(&server.ws(&format!("/ws/public/{key}"))).await;
    assert_eq!(socket.next_frame().await.unwrap()["type"], "connection");
    socket
}

pub async fn history(server: &TestServer, token: &str, session_id: &str) -> Vec<Value> {
    let reply = get_json(
        &server.http(&format!("/api/v1/chat/sessions/{session_id}/messages")),
        Some(token),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body.as_array().unwrap().clone()
}

/// Another tenant ("Other shop") with an agent of its own, Zoe (`zoe@other.example`): her token
/// and the tenant's widget key, for checks that one tenant never reaches another's.
pub async fn other_tenant_agent(server: &TestServer) -> (String, String) {
    let created = super::admin(server, &["tenant", "create", "Other shop"]).await;
    let widget_key = created.lines().last().unwrap().trim().to_string();
    let args = [
        "agent",
        "create",
        "--tenant",
        &widget_key,
        "--email",
        "zoe@other.example",
        "--name",
        "Zoe",
    ];
    super::admin_with_input(server, &args, "Password123!\n").await;
    let (token, _) = login(server, "zoe@other.example").await;
    (token, widget_key)
}
