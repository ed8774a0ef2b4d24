//! The diagnostics page's chat-session mode (the chat testing guide's Test 1): start a visitor session, open
//! its socket by hand, send a message, and watch the conversation (the visitor on the right,
//! the AI and agents on the left) next to a log of every WebSocket frame.
//!
//! It uses the one-shot transport, not the reconnecting `client::Socket`: what the page shows
//! is exactly what the socket does.

use super::controls::{ConnectionStatus, DisconnectButton, MessageForm};
use super::log::Log;
use super::manual_socket::ManualSocket;
use crate::app::chat::{MessageList, Viewer};
use crate::client::conversation::Conversation;
use crate::client::transport::{self, SocketEvent};
use crate::client::{api, socket::new_client_message_id};
use crate::protocol::{
    ClientCommand, ClientFrame, ServerEvent, StartSessionRequest, StartSessionResponse,
};
use leptos::prelude::*;

/// One line of the WebSocket events: a frame, or what happened to the session or the socket.
#[derive(Debug, Clone)]
struct LogLine {
    direction: &'static str,
    kind: String,
    raw: String,
}

/// The session mode's state: the session, its socket, the conversation and the frames.
#[derive(Clone, Copy)]
struct SessionMode {
    widget_key: RwSignal<String>,
    started: RwSignal<Option<StartSessionResponse>>,
    problem: RwSignal<Option<String>>,
    socket: ManualSocket,
    conversation: RwSignal<Conversation>,
    log: Log<LogLine>,
    draft: RwSignal<String>,
}

impl SessionMode {
    fn new() -> Self {
        Self {
            widget_key: RwSignal::new("demo".to_string()),
            started: RwSignal::new(None),
            problem: RwSignal::new(None),
            socket: ManualSocket::new(),
            conversation: RwSignal::new(Conversation::default()),
            log: Log::new(),
            draft: RwSignal::new(String::new()),
        }
    }

    fn record(self, direction: &'static str, kind: String, raw: String) {
        self.log.push(LogLine {
            direction,
            kind,
            raw,
        });
    }

    fn start(self) {
        self.problem.set(None);
        let request = StartSessionRequest {
            widget_key: self.widget_key.get_untracked().trim().to_string(),
            visitor: None,
            test: true,
            credentials: Default::default(),
        };
        leptos::task::spawn_local(async move {
            match api::start_session(&request).await {
                Ok(response) => {
                    self.record(
                        "•",
                        "session started".into(),
                        format!("sessionId {}", response.session_id),
                    );
                    self.conversation.set(Conversation::default());
                    self.started.set(Some(response));
                }
                Err(error) => self.problem.set(Some(error.to_string())),
            }
        });
    }

    fn connect(self) {
        let Some(session) = self.started.get_untracked() else {
            return;
        };
        if !self.socket.try_begin() {
            return;
        }
        let url = transport::absolute_url(&format!("/ws/public/{}", session.session_key));
        if let Err(error) = self.socket.open(&url, move |event| self.on_event(event)) {
            self.problem.set(Some(error));
        }
    }

    fn on_event(self, event: SocketEvent) {
        match event {
            SocketEvent::Opened => self.record("•", "open".into(), "WebSocket connected".into()),
            SocketEvent::Text(text) => self.receive(text),
            SocketEvent::Binary(bytes) => {
                self.record("←", "binary".into(), format!("{} bytes", bytes.len()))
            }
            SocketEvent::Closed { code, reason } => {
                self.record("•", "close".into(), format!("code {code} {reason}"))
            }
        }
    }

    /// A text frame: into the log under its `type`, and into the conversation if it is an event.
    fn receive(self, text: String) {
        let parsed = serde_json::from_str::<ServerEvent>(&text);
        let kind = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(String::from))
            .unwrap_or_else(|| "?".into());
        if let Ok(event) = parsed {
            self.conversation.update(|c| {
                c.apply(&event);
            });
        }
        self.record("←", kind, text);
    }

    fn send(self) {
        let content = self.draft.get_untracked().trim().to_string();
        if content.is_empty() {
            return;
        }
        let id = new_client_message_id();
        let frame = ClientFrame {
            command: ClientCommand::Chat {
                session_id: None,
                content: content.clone(),
                client_message_id: Some(id.clone()),
                attachments: Vec::new(),
            },
            timestamp: None,
        };
        let Ok(text) = serde_json::to_string(&frame) else {
            return;
        };
        if self.socket.send_text(text.clone()) {
            self.conversation
                .update(|c| c.queue(id, content, Vec::new()));
            self.record("→", "chat".into(), text);
            self.draft.set(String::new());
        }
    }
}

#[component]
pub fn SessionTest() -> impl IntoView {
    let mode = SessionMode::new();
    view! {
        <div class="diagnostics">
            <SessionControls mode />
            {move || mode.problem.get().map(|p| view! { <p class="form__problem" role="alert">{p}</p> })}
            <div class="diagnostics__split">
                <section class="card diagnostics__chat" aria-label="Messages">
                    <MessageList
                        entries=Signal::derive(move || mode.conversation.with(Conversation::entries))
                        viewer=Viewer::Visitor
                    />
                    <MessageForm
                        class="diagnostics__composer"
                        draft=mode.draft
                        socket=mode.socket
                        on_send=Callback::new(move |()| mode.send())
                    />
                </section>
                <FramesLog log=mode.log />
            </div>
        </div>
    }
}

/// The widget key, "Start Session", the session's id, and the socket's buttons and status.
#[component]
fn SessionControls(mode: SessionMode) -> impl IntoView {
    let can_connect = move || mode.started.with(Option::is_some) && mode.socket.is_disconnected();
    view! {
        <section class="card diagnostics__controls">
            <label class="field">
                <span class="field__label">"Widget key"</span>
                <input type="text" name="widget-key" bind:value=mode.widget_key />
            </label>
            <button type="button" class="button button--primary" on:click=move |_| mode.start()>
                "Start Session"
            </button>
            <p class="diagnostics__session">
                {move || match mode.started.get() {
                    Some(s) => format!("Session ID: {}", s.session_id),
                    None => "No session yet".to_string(),
                }}
            </p>
            <p class="diagnostics__note">
                "A test conversation: the assistant answers it, and it stays out of the agents' inbox."
            </p>
            <button
                type="button"
                class="button button--primary"
                on:click=move |_| mode.connect()
                disabled=move || !can_connect()
            >
                "Connect WebSocket"
            </button>
            <DisconnectButton socket=mode.socket />
            <ConnectionStatus socket=mode.socket />
        </section>
    }
}

/// Every frame and socket event, oldest first.
#[component]
fn FramesLog(log: Log<LogLine>) -> impl IntoView {
    view! {
        <section class="card diagnostics__log">
            <h2>"WebSocket events"</h2>
            <ol class="history" aria-label="WebSocket events">
                <For each=move || log.lines.get() key=|logged| logged.id let:logged>
                    <li class="history__entry history__entry--event">
                        <span class="history__direction">
                            {format!("{} {}", logged.line.direction, logged.line.kind)}
                        </span>
                        <time class="history__time">{logged.at}</time>
                        <span class="history__text">{logged.line.raw}</span>
                    </li>
                </For>
            </ol>
        </section>
    }
}
