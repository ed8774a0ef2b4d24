//! A WebSocket client for tests that reads JSON frames and waits for the one it expects.

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::{
    connect_async,
    tungstenite::{client::IntoClientRequest, Message},
    MaybeTlsStream, WebSocketStream,
};

/// How long a test waits for a frame before failing (a limit on failure, not a pause).
pub const FRAME_LIMIT: Duration = Duration::from_secs(20);

pub struct Client {
    pub socket: WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>,
}

impl Client {
    pub async fn connect(url: &str) -> Self {
        Self::try_connect(url, None)
            .await
            .expect("handshake succeeds")
    }

    /// The handshake's HTTP status on refusal.
    pub async fn try_connect(url: &str, origin: Option<&str>) -> Result<Self, u16> {
        let headers: Vec<(&str, &str)> = origin.map(|o| ("Origin", o)).into_iter().collect();
        Self::try_connect_with(url, &headers).await
    }

    /// With these request headers (an `Origin`, a forged `Host`).
    pub async fn try_connect_with(url: &str, headers: &[(&str, &str)]) -> Result<Self, u16> {
        let mut request = url.into_client_request().expect("a valid URL");
        for (name, value) in headers {
            let name: tokio_tungstenite::tungstenite::http::HeaderName = name.parse().unwrap();
            request.headers_mut().insert(name, value.parse().unwrap());
        }
        match connect_async(request).await {
            Ok((socket, _)) => Ok(Self { socket }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                Err(response.status().as_u16())
            }
            Err(e) => panic!("handshake failed without an HTTP answer: {e}"),
        }
    }

    pub async fn send(&mut self, frame: Value) {
        self.socket
            .send(Message::text(frame.to_string()))
            .await
            .expect("send");
    }

    pub async fn send_text(&mut self, text: &str) {
        self.socket.send(Message::text(text)).await.expect("send");
    }

    /// The next JSON frame, skipping pings; `None` once the socket closed.
    pub async fn next_frame(&mut self) -> Option<Value> {
        loop {
            let message = tokio::time::timeout(FRAME_LIMIT, self.socket.next())
                .await
                .expect("a frame arrives in time")?;
            match message.ok()? {
                Message::Text(text) => {
                    return Some(serde_json::from_str(&text).expect("JSON frame"))
                }
                Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// Reads frames until one of type `kind` arrives; returns it. Frames before it are returned
    /// in `skipped` order through [`Client::until_with`].
    pub async fn until(&mut self, kind: &str) -> Value {
        self.until_with(kind).await.0
    }

    pub async fn until_with(&mut self, kind: &str) -> (Value, Vec<Value>) {
        let mut skipped = Vec::new();
        loop {
            let frame = self.next_frame().await.unwrap_or_else(|| {
                panic!("socket closed while waiting for {kind}; saw {skipped:?}")
            });
            if frame["type"] == kind {
                return (frame, skipped);
            }
            skipped.push(frame);
        }
    }

    /// Sends a ping frame and reads until the pong: everything sent before it has been handled.
    pub async fn sync(&mut self) -> Vec<Value> {
        self.send(json!({"type": "ping"})).await;
        self.until_with("pong").await.1
    }

    /// The close code the server sent, reading past other frames.
    pub async fn close_code(&mut self) -> Option<u16> {
        loop {
            let message = tokio::time::timeout(FRAME_LIMIT, self.socket.next())
                .await
                .expect("the close arrives in time");
            match message {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return None,
            }
        }
    }
}

impl Client {
    /// Reads until a `chat.message.new` from a sender of `kind` (`customer`, `ai`, …).
    pub async fn until_message_from(&mut self, kind: &str) -> Value {
        loop {
            let frame = self.until("chat.message.new").await;
            if frame["message"]["sender"]["kind"] == kind {
                return frame["message"].clone();
            }
        }
    }

    /// Sends a visitor's question and checks that no AI answer starts streaming in reply.
    pub async fn assert_no_answer(&mut self, question: &str) {
        self.send(json!({"type": "chat", "content": question}))
            .await;
        let frames = self.sync().await;
        assert!(
            frames.iter().all(|f| f["type"] != "stream-start"),
            "the assistant answered although it should be silent: {frames:?}"
        );
    }
}

impl Client {
    /// Reads until the visitor is told a human will come, checking on the way that the session
    /// became `pending`; returns the frames read before it.
    pub async fn until_handed_over(&mut self) -> Vec<Value> {
        let (answer, before) = self.until_with("human-escalation-response").await;
        assert!(
            answer["message"].as_str().unwrap().contains("human"),
            "{answer}"
        );
        let updated = before
            .iter()
            .find(|f| f["type"] == "chat.session.updated")
            .expect("the visitor sees the status change first");
        assert_eq!(updated["session"]["status"], "pending");
        before
    }
}
