//! `/websocket-test`: the WebSocket diagnostics page. Two modes: a chat session as a visitor
//! (the chat testing guide's Test 1: start a session, connect, send, watch the AI answer and every event) and
//! the raw echo of the original FastAPI echo server.

mod controls;
mod echo;
mod log;
mod manual_socket;
mod session;

use leptos::prelude::*;
use leptos_meta::{Stylesheet, Title};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Session,
    Echo,
}

#[component]
pub fn Diagnostics() -> impl IntoView {
    let mode = RwSignal::new(Mode::Session);
    let tab = move |which: Mode, label: &'static str| {
        view! {
            <button
                type="button"
                class="tab"
                aria-pressed=move || (mode.get() == which).to_string()
                on:click=move |_| mode.set(which)
            >
                {label}
            </button>
        }
    };
    view! {
        <Title text="WebSocket diagnostics · Switchboard" />
        <Stylesheet href="/chat.css" />
        <main class="page diagnostics">
            <header class="diagnostics__header">
                <div>
                    <h1>"WebSocket diagnostics"</h1>
                    <p class="muted">"Try the hub by hand: as a visitor in a chat session, or with the raw echo endpoint."</p>
                </div>
                <div class="tabs" role="group" aria-label="Mode">
                    {tab(Mode::Session, "Chat session")}
                    {tab(Mode::Echo, "Echo")}
                </div>
            </header>
            {move || match mode.get() {
                Mode::Session => view! { <session::SessionTest /> }.into_any(),
                Mode::Echo => view! { <echo::EchoTest /> }.into_any(),
            }}
        </main>
    }
}
