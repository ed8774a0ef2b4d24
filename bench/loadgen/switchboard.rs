//! Switchboard's side of a run: signing in an agent and starting visitors through the REST API
//! of docs/protocol.md, and the frames its sockets speak.

use serde_json::{json, Value};

/// The demo tenant's agent every agent socket of a run signs in as.
const AGENT: (&str, &str) = ("agent1@callcenter.com", "Password123!");

fn post(agent: &ureq::Agent, url: &str, body: Value) -> anyhow::Result<Value> {
    let mut response = agent.post(url).send_json(body)?;
    Ok(response.body_mut().read_json()?)
}

/// An agent's JWT, for `/ws?token=`.
pub async fn agent_token(base: &str) -> anyhow::Result<String> {
    let url = format!("{base}/api/v1/auth/login");
    tokio::task::spawn_blocking(move || {
        let reply = post(
            &ureq::Agent::new_with_defaults(),
            &url,
            json!({"email": AGENT.0, "password": AGENT.1}),
        )?;
        reply["token"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow::anyhow!("no token in {reply}"))
    })
    .await?
}

/// Starts `count` visitor conversations of the demo tenant; returns their session keys, for
/// `/ws/public/{key}`.
pub async fn start_visitors(base: &str, count: usize) -> anyhow::Result<Vec<String>> {
    let url = format!("{base}/api/v1/chat/public/start");
    tokio::task::spawn_blocking(move || {
        let http = ureq::Agent::new_with_defaults();
        (0..count)
            .map(|i| {
                let reply = post(
                    &http,
                    &url,
                    json!({"widgetKey": "demo", "visitor": {"name": format!("Bench visitor {i}")}}),
                )?;
                reply["sessionKey"]
                    .as_str()
                    .map(str::to_string)
                    .ok_or_else(|| anyhow::anyhow!("no sessionKey in {reply}"))
            })
            .collect()
    })
    .await?
}

/// A visitor's chat frame, with a `clientMessageId` as the widget sends.
pub fn chat_frame(content: &str, client_message_id: &str) -> String {
    json!({"type": "chat", "content": content, "clientMessageId": client_message_id}).to_string()
}

pub fn ws_url(base: &str, path: &str) -> String {
    format!("{}{path}", base.replacen("http", "ws", 1))
}
