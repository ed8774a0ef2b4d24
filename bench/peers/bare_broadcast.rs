//! The limit for fan-out: a bare tokio broadcast server. Every text frame a publisher sends on
//! `/pub` is forwarded as it is to every socket on `/sub`, through one `tokio::sync::broadcast`
//! channel: no store, no serialisation, no routing. `make bench` measures Switchboard's
//! visitor → agents fan-out against it.
//!
//! Usage: `bare-broadcast ADDR` (for example 127.0.0.1:4101).

use axum::{
    extract::{
        ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade},
        State,
    },
    response::Response,
    routing::get,
    Router,
};
use tokio::sync::broadcast;

/// As deep as Switchboard's per-subscriber buffer, so both drop a subscriber at the same lag.
const BUFFER: usize = 1024;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:4101".into());
    let (frames, _) = broadcast::channel::<Utf8Bytes>(BUFFER);
    let app = Router::new()
        .route("/pub", get(publisher))
        .route("/sub", get(subscriber))
        .with_state(frames);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on {}", listener.local_addr()?);
    axum::serve(listener, app).await
}

async fn publisher(
    upgrade: WebSocketUpgrade,
    State(frames): State<broadcast::Sender<Utf8Bytes>>,
) -> Response {
    upgrade.on_upgrade(move |mut socket: WebSocket| async move {
        while let Some(Ok(message)) = socket.recv().await {
            match message {
                Message::Text(text) => {
                    let _ = frames.send(text);
                }
                Message::Close(_) => return,
                _ => {}
            }
        }
    })
}

async fn subscriber(
    upgrade: WebSocketUpgrade,
    State(frames): State<broadcast::Sender<Utf8Bytes>>,
) -> Response {
    let mut frames = frames.subscribe();
    upgrade.on_upgrade(move |mut socket: WebSocket| async move {
        loop {
            tokio::select! {
                frame = frames.recv() => match frame {
                    Ok(text) => {
                        if socket.send(Message::Text(text)).await.is_err() {
                            return;
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                incoming = socket.recv() => match incoming {
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                    Some(Ok(_)) => {}
                },
            }
        }
    })
}
