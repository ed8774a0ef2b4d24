//! The practical limit for `/ws/echo`: the smallest axum WebSocket echo server, answering each
//! text frame `T` with `Echo: T` as the original FastAPI echo server does, and nothing else (no state, no
//! limits, no logging). `make bench` measures Switchboard's echo against it.
//!
//! Usage: `bare-axum-echo ADDR` (for example 127.0.0.1:4100).

use axum::{
    extract::ws::{Message, WebSocket, WebSocketUpgrade},
    response::Response,
    routing::get,
    Router,
};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:4100".into());
    let app = Router::new().route("/ws", get(upgrade));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on {}", listener.local_addr()?);
    axum::serve(listener, app).await
}

async fn upgrade(upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(echo)
}

async fn echo(mut socket: WebSocket) {
    while let Some(Ok(message)) = socket.recv().await {
        let answer = match message {
            Message::Text(text) => Message::Text(format!("Echo: {}", text.as_str()).into()),
            Message::Close(_) => return,
            _ => continue,
        };
        if socket.send(answer).await.is_err() {
            return;
        }
    }
}
