//! One browser WebSocket, driven by a task that owns it: the component keeps a [`SocketHandle`]
//! to send and close, and learns what happens through a callback of [`SocketEvent`]s.

use futures::channel::mpsc;

/// What the owning task reports, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketEvent {
    Opened,
    Text(String),
    Binary(Vec<u8>),
    /// The socket is gone, by either side's choice or a failure (code 1006).
    Closed {
        code: u16,
        reason: String,
    },
}

// Only the browser task reads these.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Outgoing {
    Text(String),
    Close,
}

/// Sends frames to, and closes, the socket its task owns. Cheap to clone.
#[derive(Clone)]
pub struct SocketHandle {
    outgoing: mpsc::UnboundedSender<Outgoing>,
}

impl SocketHandle {
    /// Queues a text frame; false when the socket is already gone.
    pub fn send_text(&self, text: String) -> bool {
        self.outgoing.unbounded_send(Outgoing::Text(text)).is_ok()
    }

    /// Closes the socket normally (code 1000).
    pub fn close(&self) {
        let _ = self.outgoing.unbounded_send(Outgoing::Close);
    }
}

/// Turns a path such as `/ws/echo` into a `ws://` or `wss://` URL on the page's own host.
/// Absolute `ws://` and `wss://` URLs pass through unchanged.
pub fn absolute_url(endpoint: &str) -> String {
    if endpoint.starts_with("ws://") || endpoint.starts_with("wss://") {
        return endpoint.to_string();
    }
    let (scheme, host) = page_origin();
    let path = if endpoint.starts_with('/') {
        endpoint.to_string()
    } else {
        format!("/{endpoint}")
    };
    format!("{scheme}://{host}{path}")
}

#[cfg(feature = "hydrate")]
fn page_origin() -> (&'static str, String) {
    let location = web_sys::window().expect("a browser window").location();
    let secure = location.protocol().map(|p| p == "https:").unwrap_or(false);
    let host = location.host().unwrap_or_default();
    (if secure { "wss" } else { "ws" }, host)
}

#[cfg(not(feature = "hydrate"))]
fn page_origin() -> (&'static str, String) {
    ("ws", "127.0.0.1:3000".to_string())
}

/// The local wall-clock time as `HH:MM:SS.mmm`, for logs a person reads.
pub fn clock_time() -> String {
    #[cfg(feature = "hydrate")]
    {
        let now = js_sys::Date::new_0();
        format!(
            "{:02}:{:02}:{:02}.{:03}",
            now.get_hours(),
            now.get_minutes(),
            now.get_seconds(),
            now.get_milliseconds()
        )
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}

/// Opens a WebSocket to `url` and spawns the task that owns it. `on_event` is called with
/// `Opened` once the handshake succeeds, with each incoming frame, and finally with `Closed`.
#[cfg(feature = "hydrate")]
pub fn open(url: &str, on_event: impl Fn(SocketEvent) + 'static) -> Result<SocketHandle, String> {
    use futures::{SinkExt, StreamExt};
    use gloo_net::websocket::{futures::WebSocket, Message, State, WebSocketError};

    let mut socket = WebSocket::open(url).map_err(|e| e.to_string())?;
    let (outgoing, mut queued) = mpsc::unbounded::<Outgoing>();

    leptos::task::spawn_local(async move {
        // `poll_ready` resolves once the socket leaves the CONNECTING state, either way.
        let ready = futures::future::poll_fn(|cx| socket.poll_ready_unpin(cx)).await;
        if ready.is_err() || !matches!(socket.state(), State::Open) {
            let (code, reason) = first_close(&mut socket).await;
            on_event(SocketEvent::Closed { code, reason });
            return;
        }
        on_event(SocketEvent::Opened);

        let (mut sink, stream) = socket.split();
        let mut stream = stream.fuse();
        loop {
            futures::select! {
                command = queued.next() => match command {
                    Some(Outgoing::Text(text)) => {
                        if sink.send(Message::Text(text)).await.is_err() {
                            on_event(SocketEvent::Closed { code: 1006, reason: "send failed".into() });
                            return;
                        }
                    }
                    Some(Outgoing::Close) | None => {
                        if let Ok(socket) = sink.reunite(stream.into_inner()) {
                            let _ = socket.close(Some(1000), Some("closed by the client"));
                        }
                        on_event(SocketEvent::Closed { code: 1000, reason: "closed by you".into() });
                        return;
                    }
                },
                incoming = stream.next() => match incoming {
                    Some(Ok(Message::Text(text))) => on_event(SocketEvent::Text(text)),
                    Some(Ok(Message::Bytes(bytes))) => on_event(SocketEvent::Binary(bytes)),
                    Some(Err(WebSocketError::ConnectionClose(close))) => {
                        on_event(SocketEvent::Closed { code: close.code, reason: close.reason });
                        return;
                    }
                    Some(Err(_)) => {}
                    None => {
                        on_event(SocketEvent::Closed { code: 1006, reason: String::new() });
                        return;
                    }
                },
            }
        }
    });

    Ok(SocketHandle { outgoing })
}

#[cfg(not(feature = "hydrate"))]
pub fn open(_url: &str, _on_event: impl Fn(SocketEvent) + 'static) -> Result<SocketHandle, String> {
    Err("WebSockets open in the browser only".into())
}

/// Reads a socket that failed to open until its close event, for the code and reason.
#[cfg(feature = "hydrate")]
async fn first_close(socket: &mut gloo_net::websocket::futures::WebSocket) -> (u16, String) {
    use futures::StreamExt;
    use gloo_net::websocket::WebSocketError;

    while let Some(item) = socket.next().await {
        if let Err(WebSocketError::ConnectionClose(close)) = item {
            return (close.code, close.reason);
        }
    }
    (1006, String::new())
}
