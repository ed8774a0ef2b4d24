//! The diagnostics page's echo mode, as seed 000's test page did: connect to any endpoint,
//! send, read the history with direction and time, disconnect.

use crate::client::transport::{self as socket, SocketEvent, SocketHandle};
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Status {
    Disconnected,
    Connecting,
    Connected,
}

impl Status {
    pub(super) fn label(self) -> &'static str {
        match self {
            Self::Disconnected => "Disconnected",
            Self::Connecting => "Connecting…",
            Self::Connected => "Connected",
        }
    }

    pub(super) fn class(self) -> &'static str {
        match self {
            Self::Disconnected => "status status--off",
            Self::Connecting => "status status--pending",
            Self::Connected => "status status--on",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Sent,
    Received,
    Event,
}

#[derive(Debug, Clone)]
struct Entry {
    id: usize,
    direction: Direction,
    at: String,
    text: String,
}

#[component]
pub fn EchoTest() -> impl IntoView {
    let endpoint = RwSignal::new("/ws/echo".to_string());
    let draft = RwSignal::new(String::new());
    let status = RwSignal::new(Status::Disconnected);
    let history = RwSignal::new(Vec::<Entry>::new());
    let socket_handle = StoredValue::new_local(None::<SocketHandle>);
    let next_id = StoredValue::new(0usize);

    let record = move |direction: Direction, text: String| {
        let id = next_id.get_value();
        next_id.set_value(id + 1);
        history.update(|h| {
            h.push(Entry {
                id,
                direction,
                at: socket::clock_time(),
                text,
            })
        });
    };

    let connect = move |_| {
        if status.get_untracked() != Status::Disconnected {
            return;
        }
        let url = socket::absolute_url(&endpoint.get_untracked());
        status.set(Status::Connecting);
        record(Direction::Event, format!("Connecting to {url}"));
        let on_event = move |event: SocketEvent| match event {
            SocketEvent::Opened => {
                status.set(Status::Connected);
                record(Direction::Event, "Connected".into());
            }
            SocketEvent::Text(text) => record(Direction::Received, text),
            SocketEvent::Binary(bytes) => record(
                Direction::Received,
                format!("[binary, {} bytes]", bytes.len()),
            ),
            SocketEvent::Closed { code, reason } => {
                status.set(Status::Disconnected);
                socket_handle.set_value(None);
                let reason = if reason.is_empty() {
                    String::new()
                } else {
                    format!(": {reason}")
                };
                record(
                    Direction::Event,
                    format!("Disconnected (code {code}{reason})"),
                );
            }
        };
        match socket::open(&url, on_event) {
            Ok(handle) => socket_handle.set_value(Some(handle)),
            Err(problem) => {
                status.set(Status::Disconnected);
                record(Direction::Event, format!("Could not connect: {problem}"));
            }
        }
    };

    let disconnect = move |_| {
        socket_handle.with_value(|handle| {
            if let Some(handle) = handle {
                handle.close();
            }
        });
    };

    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = draft.get_untracked();
        let sent = socket_handle
            .with_value(|handle| handle.as_ref().is_some_and(|h| h.send_text(text.clone())));
        if sent {
            record(Direction::Sent, text);
            draft.set(String::new());
        }
    };

    let connected = move || status.get() == Status::Connected;

    view! {
        <div class="diagnostics">
            <header class="diagnostics__mode-header">
                <p class="muted">
                    "Connect to an endpoint, send frames, and read every frame both ways. "
                    <code>"/ws/echo"</code>" answers each text frame with "<code>"Echo: …"</code>
                    "; "<code>"/ws/echo?format=json"</code>" speaks the JSON echo."
                </p>
                <p class=move || status.get().class() role="status" aria-live="polite">
                    {move || status.get().label()}
                </p>
            </header>

            <section class="card diagnostics__controls">
                <label class="field field--grow">
                    <span class="field__label">"Endpoint"</span>
                    <input type="text" name="endpoint" bind:value=endpoint
                        disabled=move || status.get() != Status::Disconnected />
                </label>
                <button type="button" class="button button--primary" on:click=connect
                    disabled=move || status.get() != Status::Disconnected>
                    "Connect"
                </button>
                <button type="button" class="button" on:click=disconnect
                    disabled=move || !connected()>
                    "Disconnect"
                </button>
            </section>

            <form class="card diagnostics__composer" on:submit=send>
                <label class="field field--grow">
                    <span class="field__label">"Message"</span>
                    <input type="text" name="message" bind:value=draft autocomplete="off" />
                </label>
                <button type="submit" class="button button--primary" disabled=move || !connected()>
                    "Send"
                </button>
            </form>

            <section class="card diagnostics__history">
                <header class="diagnostics__history-header">
                    <h2>"History"</h2>
                    <button type="button" class="button button--quiet"
                        on:click=move |_| history.set(Vec::new())>
                        "Clear"
                    </button>
                </header>
                <ol class="history" aria-label="History">
                    <For each=move || history.get() key=|entry| entry.id let:entry>
                        <li class=match entry.direction {
                            Direction::Sent => "history__entry history__entry--sent",
                            Direction::Received => "history__entry history__entry--received",
                            Direction::Event => "history__entry history__entry--event",
                        }>
                            <span class="history__direction">
                                {match entry.direction {
                                    Direction::Sent => "→ sent",
                                    Direction::Received => "← received",
                                    Direction::Event => "• event",
                                }}
                            </span>
                            <time class="history__time">{entry.at}</time>
                            <span class="history__text">{entry.text}</span>
                        </li>
                    </For>
                </ol>
            </section>
        </div>
    }
}
