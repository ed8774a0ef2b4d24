//! `/ws/echo`: the diagnostics echo of seeds 000 and 001.
//!
//! Plain mode answers each text frame `T` with `Echo: T` and each binary frame with itself.
//! `?format=json` speaks the original JSON echo: a `connection` frame first, then
//! `{type: "echo", message: "Server received: T", original_message: T, timestamp}`.

use super::is_capacity_error;
use crate::protocol::{EchoFrame, Timestamp};
use crate::server::{http::extract::ClientIp, shutdown::ShutdownListener, state::AppState};
use axum::{
    extract::{
        ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade},
        ConnectInfo, Query, State,
    },
    response::Response,
};
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EchoFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Deserialize)]
pub struct EchoQuery {
    #[serde(default)]
    format: EchoFormat,
}

pub async fn upgrade(
    upgrade: WebSocketUpgrade,
    Query(query): Query<EchoQuery>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ClientIp(ip): ClientIp,
    State(state): State<AppState>,
) -> Response {
    // Echo sockets count against the address's cap like every other socket.
    let Some(slot) = state.edge.open_socket(ip) else {
        return super::handshake::too_many_sockets();
    };
    let shutdown = state.shutdown.clone();
    super::configured(upgrade).on_upgrade(move |socket| async move {
        let _slot = slot;
        echo(socket, query.format, peer, shutdown).await
    })
}

/// The answer to one incoming frame, or `None` for frames that need none.
fn reply(format: EchoFormat, incoming: Message) -> Option<Message> {
    match (incoming, format) {
        (Message::Text(text), EchoFormat::Text) => {
            Some(Message::Text(format!("Echo: {}", text.as_str()).into()))
        }
        (Message::Text(text), EchoFormat::Json) => Some(json_frame(&EchoFrame::Echo {
            message: format!("Server received: {}", text.as_str()),
            original_message: text.to_string(),
            timestamp: Timestamp::now(),
        })),
        (Message::Binary(bytes), _) => Some(Message::Binary(bytes)),
        // Pings are answered by the WebSocket layer itself; closes end the loop.
        (Message::Ping(_) | Message::Pong(_) | Message::Close(_), _) => None,
    }
}

fn json_frame(frame: &EchoFrame) -> Message {
    let json = serde_json::to_string(frame).expect("echo frames always serialise");
    Message::Text(json.into())
}

async fn echo(
    mut socket: WebSocket,
    format: EchoFormat,
    peer: SocketAddr,
    mut shutdown: ShutdownListener,
) {
    tracing::info!(%peer, ?format, "echo socket connected");
    if format == EchoFormat::Json {
        let hello = json_frame(&EchoFrame::Connection {
            message: "Connected to WebSocket server".into(),
            timestamp: Timestamp::now(),
        });
        if socket.send(hello).await.is_err() {
            return;
        }
    }

    let mut frames = 0u64;
    let outcome = loop {
        let incoming = tokio::select! {
            incoming = socket.recv() => incoming,
            () = shutdown.stopping() => {
                let _ = socket.send(close(1001, "server shutting down")).await;
                break "server shutting down".to_string();
            }
        };
        match incoming {
            Some(Ok(Message::Close(frame))) => {
                break match frame {
                    Some(f) => format!("closed by client (code {})", f.code),
                    None => "closed by client".to_string(),
                };
            }
            Some(Ok(message)) => {
                frames += 1;
                if let Some(answer) = reply(format, message) {
                    if let Err(error) = socket.send(answer).await {
                        break format!("send failed: {error}");
                    }
                }
            }
            Some(Err(error)) => {
                let too_big = is_capacity_error(&error);
                if too_big {
                    let _ = socket.send(close(1009, "message too big")).await;
                }
                break format!("receive failed: {error}");
            }
            None => break "connection dropped".to_string(),
        }
    };
    tracing::info!(%peer, frames, outcome, "echo socket closed");
}

fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: Utf8Bytes::from_static(reason),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_mode_prefixes_echo() {
        let answer = reply(EchoFormat::Text, Message::Text("Hello 🚀".into())).unwrap();
        assert_eq!(answer, Message::Text("Echo: Hello 🚀".into()));
        let empty = reply(EchoFormat::Text, Message::Text("".into())).unwrap();
        assert_eq!(empty, Message::Text("Echo: ".into()));
    }

    #[test]
    fn binary_echoes_as_binary() {
        let bytes = axum::body::Bytes::from_static(&[0, 159, 146, 150]);
        assert_eq!(
            reply(EchoFormat::Json, Message::Binary(bytes.clone())),
            Some(Message::Binary(bytes))
        );
    }

    #[test]
    fn json_mode_speaks_seed_001() {
        let Some(Message::Text(text)) = reply(EchoFormat::Json, Message::Text("hi".into())) else {
            panic!("expected a text frame");
        };
        let frame: serde_json::Value = serde_json::from_str(text.as_str()).unwrap();
        assert_eq!(frame["type"], "echo");
        assert_eq!(frame["message"], "Server received: hi");
        assert_eq!(frame["original_message"], "hi");
        assert!(frame["timestamp"].as_str().unwrap().ends_with('Z'));
    }
}
