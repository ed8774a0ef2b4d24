//! The diagnostics page's echo mode, as the original echo test page did: connect to any endpoint,
//! send, read the history with direction and time, disconnect.

use super::controls::{ConnectionStatus, DisconnectButton, MessageForm};
use super::log::Log;
use super::manual_socket::ManualSocket;
use crate::client::transport::{self, SocketEvent};
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Sent,
    Received,
    Event,
}

impl Direction {
    fn class(self) -> &'static str {
        match self {
            Direction::Sent => "history__entry history__entry--sent",
            Direction::Received => "history__entry history__entry--received",
            Direction::Event => "history__entry history__entry--event",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Direction::Sent => "→ sent",
            Direction::Received => "← received",
            Direction::Event => "• event",
        }
    }
}

/// One line of the history.
#[derive(Debug, Clone)]
struct Entry {
    direction: Direction,
    text: String,
}

/// The echo mode's state: the endpoint, the draft, the socket and its history.
#[derive(Clone, Copy)]
struct EchoMode {
    endpoint: RwSignal<String>,
    draft: RwSignal<String>,
    socket: ManualSocket,
    history: Log<Entry>,
}

impl EchoMode {
    fn new() -> Self {
        Self {
            endpoint: RwSignal::new("/ws/echo".to_string()),
            draft: RwSignal::new(String::new()),
            socket: ManualSocket::new(),
            history: Log::new(),
        }
    }

    fn record(self, direction: Direction, text: String) {
        self.history.push(Entry { direction, text });
    }

    fn connect(self) {
        if !self.socket.try_begin() {
            return;
        }
        let url = transport::absolute_url(&self.endpoint.get_untracked());
        self.record(Direction::Event, format!("Connecting to {url}"));
        if let Err(problem) = self.socket.open(&url, move |event| self.on_event(event)) {
            self.record(Direction::Event, format!("Could not connect: {problem}"));
        }
    }

    fn on_event(self, event: SocketEvent) {
        match event {
            SocketEvent::Opened => self.record(Direction::Event, "Connected".into()),
            SocketEvent::Text(text) => self.record(Direction::Received, text),
            SocketEvent::Binary(bytes) => self.record(
                Direction::Received,
                format!("[binary, {} bytes]", bytes.len()),
            ),
            SocketEvent::Closed { code, reason } => {
                let reason = if reason.is_empty() {
                    String::new()
                } else {
                    format!(": {reason}")
                };
                self.record(
                    Direction::Event,
                    format!("Disconnected (code {code}{reason})"),
                );
            }
        }
    }

    fn send(self) {
        let text = self.draft.get_untracked();
        if self.socket.send_text(text.clone()) {
            self.record(Direction::Sent, text);
            self.draft.set(String::new());
        }
    }
}

#[component]
pub fn EchoTest() -> impl IntoView {
    let echo = EchoMode::new();
    view! {
        <div class="diagnostics">
            <header class="diagnostics__mode-header">
                <p class="muted">
                    "Connect to an endpoint, send frames, and read every frame both ways. "
                    <code>"/ws/echo"</code>" answers each text frame with "<code>"Echo: …"</code>
                    "; "<code>"/ws/echo?format=json"</code>" speaks the JSON echo."
                </p>
                <ConnectionStatus socket=echo.socket />
            </header>
            <EchoControls echo />
            <MessageForm
                class="card diagnostics__composer"
                draft=echo.draft
                socket=echo.socket
                on_send=Callback::new(move |()| echo.send())
            />
            <EchoHistory history=echo.history />
        </div>
    }
}

/// The endpoint, "Connect" and "Disconnect".
#[component]
fn EchoControls(echo: EchoMode) -> impl IntoView {
    let idle = move || echo.socket.is_disconnected();
    view! {
        <section class="card diagnostics__controls">
            <label class="field field--grow">
                <span class="field__label">"Endpoint"</span>
                <input type="text" name="endpoint" bind:value=echo.endpoint
                    disabled=move || !idle() />
            </label>
            <button type="button" class="button button--primary" on:click=move |_| echo.connect()
                disabled=move || !idle()>
                "Connect"
            </button>
            <DisconnectButton socket=echo.socket />
        </section>
    }
}

/// Every frame both ways and what happened to the socket, oldest first.
#[component]
fn EchoHistory(history: Log<Entry>) -> impl IntoView {
    view! {
        <section class="card diagnostics__history">
            <header class="diagnostics__history-header">
                <h2>"History"</h2>
                <button type="button" class="button button--quiet" on:click=move |_| history.clear()>
                    "Clear"
                </button>
            </header>
            <ol class="history" aria-label="History">
                <For each=move || history.lines.get() key=|logged| logged.id let:logged>
                    <li class=logged.line.direction.class()>
                        <span class="history__direction">{logged.line.direction.label()}</span>
                        <time class="history__time">{logged.at}</time>
                        <span class="history__text">{logged.line.text}</span>
                    </li>
                </For>
            </ol>
        </section>
    }
}
