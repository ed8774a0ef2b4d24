//! The diagnostics page's chat-session mode (seed 004's Test 1): start a visitor session, open
//! its socket by hand, send a message, and watch the conversation (the visitor on the right,
//! the AI and agents on the left) next to a log of every WebSocket frame.
//!
//! It uses the one-shot transport, not the reconnecting `client::Socket`: what the page shows
//! is exactly what the socket does.

use super::echo::Status;
use crate::app::chat::{MessageList, Viewer};
use crate::client::conversation::Conversation;
use crate::client::transport::{self, SocketEvent, SocketHandle};
use crate::client::{api, socket::new_client_message_id};
use crate::protocol::{
    ClientCommand, ClientFrame, ServerEvent, StartSessionRequest, StartSessionResponse,
};
use leptos::prelude::*;

#[derive(Debug, Clone)]
struct LogLine {
    id: usize,
    at: String,
    direction: &'static str,
    kind: String,
    raw: String,
}

#[component]
pub fn SessionTest() -> impl IntoView {
    let widget_key = RwSignal::new("demo".to_string());
    let started = RwSignal::new(None::<StartSessionResponse>);
    let problem = RwSignal::new(None::<String>);
    let status = RwSignal::new(Status::Disconnected);
    let conversation = RwSignal::new(Conversation::default());
    let log = RwSignal::new(Vec::<LogLine>::new());
    let next_id = StoredValue::new(0usize);
    let handle = StoredValue::new_local(None::<SocketHandle>);
    let draft = RwSignal::new(String::new());

    let record = move |direction: &'static str, kind: String, raw: String| {
        let id = next_id.get_value();
        next_id.set_value(id + 1);
        log.update(|l| {
            l.push(LogLine {
                id,
                at: transport::clock_time(),
                direction,
                kind,
                raw,
            })
        });
    };

    let start = move |_| {
        problem.set(None);
        let request = StartSessionRequest {
            widget_key: widget_key.get_untracked().trim().to_string(),
            visitor: None,
        };
        leptos::task::spawn_local(async move {
            match api::start_session(&request).await {
                Ok(response) => {
                    record(
                        "•",
                        "session started".into(),
                        format!("sessionId {}", response.session_id),
                    );
                    conversation.set(Conversation::default());
                    started.set(Some(response));
                }
                Err(error) => problem.set(Some(error.to_string())),
            }
        });
    };

    let connect = move |_| {
        let Some(session) = started.get_untracked() else {
            return;
        };
        if status.get_untracked() != Status::Disconnected {
            return;
        }
        let url = transport::absolute_url(&format!("/ws/public/{}", session.session_key));
        status.set(Status::Connecting);
        let on_event = move |event: SocketEvent| match event {
            SocketEvent::Opened => {
                status.set(Status::Connected);
                record("•", "open".into(), "WebSocket connected".into());
            }
            SocketEvent::Text(text) => {
                let parsed = serde_json::from_str::<ServerEvent>(&text);
                let kind = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(String::from))
                    .unwrap_or_else(|| "?".into());
                if let Ok(event) = parsed {
                    conversation.update(|c| {
                        c.apply(&event);
                    });
                }
                record("←", kind, text);
            }
            SocketEvent::Binary(bytes) => {
                record("←", "binary".into(), format!("{} bytes", bytes.len()))
            }
            SocketEvent::Closed { code, reason } => {
                status.set(Status::Disconnected);
                handle.set_value(None);
                record("•", "close".into(), format!("code {code} {reason}"));
            }
        };
        match transport::open(&url, on_event) {
            Ok(h) => handle.set_value(Some(h)),
            Err(error) => {
                status.set(Status::Disconnected);
                problem.set(Some(error));
            }
        }
    };

    let disconnect = move |_| {
        handle.with_value(|h| {
            if let Some(h) = h {
                h.close();
            }
        })
    };

    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let content = draft.get_untracked().trim().to_string();
        if content.is_empty() {
            return;
        }
        let id = new_client_message_id();
        let frame = ClientFrame {
            command: ClientCommand::Chat {
                session_id: None,
                content: content.clone(),
                client_message_id: Some(id.clone()),
            },
            timestamp: None,
        };
        let Ok(text) = serde_json::to_string(&frame) else {
            return;
        };
        let sent = handle.with_value(|h| h.as_ref().is_some_and(|h| h.send_text(text.clone())));
        if sent {
            conversation.update(|c| c.queue(id, content));
            record("→", "chat".into(), text);
            draft.set(String::new());
        }
    };

    let connected = move || status.get() == Status::Connected;

    view! {
        <div class="diagnostics">
            <section class="card diagnostics__controls">
                <label class="field">
                    <span class="field__label">"Widget key"</span>
                    <input type="text" name="widget-key" bind:value=widget_key />
                </label>
                <button type="button" class="button button--primary" on:click=start>
                    "Start Session"
                </button>
                <p class="diagnostics__session">
                    {move || match started.get() {
                        Some(s) => format!("Session ID: {}", s.session_id),
                        None => "No session yet".to_string(),
                    }}
                </p>
                <button
                    type="button"
                    class="button button--primary"
                    on:click=connect
                    disabled=move || started.with(Option::is_none) || status.get() != Status::Disconnected
                >
                    "Connect WebSocket"
                </button>
                <button type="button" class="button" on:click=disconnect disabled=move || !connected()>
                    "Disconnect"
                </button>
                <p class=move || status.get().class() role="status" aria-live="polite">
                    {move || status.get().label()}
                </p>
            </section>
            {move || problem.get().map(|p| view! { <p class="form__problem" role="alert">{p}</p> })}
            <div class="diagnostics__split">
                <section class="card diagnostics__chat" aria-label="Messages">
                    <MessageList
                        entries=Signal::derive(move || conversation.with(Conversation::entries))
                        viewer=Viewer::Visitor
                    />
                    <form class="diagnostics__composer" on:submit=send>
                        <label class="field field--grow">
                            <span class="field__label">"Message"</span>
                            <input type="text" name="message" bind:value=draft autocomplete="off" />
                        </label>
                        <button type="submit" class="button button--primary" disabled=move || !connected()>
                            "Send"
                        </button>
                    </form>
                </section>
                <section class="card diagnostics__log">
                    <h2>"WebSocket events"</h2>
                    <ol class="history" aria-label="WebSocket events">
                        <For each=move || log.get() key=|line| line.id let:line>
                            <li class="history__entry history__entry--event">
                                <span class="history__direction">{format!("{} {}", line.direction, line.kind)}</span>
                                <time class="history__time">{line.at}</time>
                                <span class="history__text">{line.raw}</span>
                            </li>
                        </For>
                    </ol>
                </section>
            </div>
        </div>
    }
}
