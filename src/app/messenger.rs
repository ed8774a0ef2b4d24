//! The customer's messenger: the page inside the iframe that `widget.js` adds to a shop.
//!
//! It has its own document shell and its own small WASM bundle (feature `messenger`), so a
//! shop's visitors never download the dashboard. The server renders it with the tenant's name
//! and greeting; the same setup travels in a `data-setup` attribute for hydration.
//!
//! The visitor's session key lives in localStorage (per widget key), so a reload or another
//! page of the shop shows the same conversation. The host page and the messenger talk through
//! `postMessage`: the host says when the widget is opened or closed, the messenger reports its
//! unread count (for the bubble's badge) and asks to be closed.

use crate::app::chat::{Composer, MessageList, Viewer};
use crate::client::conversation::Conversation;
use crate::client::live::LinkState;
use crate::client::socket::{self, Handlers, Socket};
use crate::client::typing::{now_ms, TypingThrottle};
use crate::client::{api, storage, transport::absolute_url};
use crate::protocol::{
    AgentRef, ClientCommand, SenderKind, ServerEvent, SessionStatus, StartSessionRequest,
    WidgetConfig,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the server knows when it renders the messenger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessengerSetup {
    pub widget_key: String,
    pub config: WidgetConfig,
}

/// The visitor's conversation, as kept in localStorage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VisitorSession {
    session_key: String,
    session_id: String,
}

/// The messenger's HTML document. `options` name the messenger's own bundle.
pub fn messenger_shell(options: LeptosOptions, setup: MessengerSetup) -> impl IntoView {
    let title = format!("Chat with {}", setup.config.tenant_name);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <title>{title}</title>
                <link rel="stylesheet" href="/chat.css" />
                <link rel="stylesheet" href="/messenger.css" />
                <HydrationScripts options />
            </head>
            <body class="messenger-page">
                <Messenger setup />
            </body>
        </html>
    }
}

#[component]
pub fn Messenger(setup: MessengerSetup) -> impl IntoView {
    let setup_json = serde_json::to_string(&setup).unwrap_or_default();
    let MessengerSetup { widget_key, config } = setup;
    let session_slot = format!("switchboard.{widget_key}.session");
    // The same slot, for the start of a conversation and for the resume after hydration.
    let (session_slot_for_start, resume_slot) = (session_slot.clone(), session_slot.clone());
    let seen_slot = format!("switchboard.{widget_key}.seen");

    let session = RwSignal::new(None::<VisitorSession>);
    let status = RwSignal::new(None::<SessionStatus>);
    let agent = RwSignal::new(None::<AgentRef>);
    let conversation = RwSignal::new(Conversation::default());
    let link = RwSignal::new(LinkState::Connecting);
    let socket = StoredValue::new(None::<Socket>);
    let agent_typing = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let asked_for_human = RwSignal::new(false);
    // Until the host says otherwise; a messenger opened as a page of its own is always open.
    let is_open = RwSignal::new(true);
    let seen_seq = RwSignal::new(0u64);
    // Frames written before the conversation exists, sent once it does.
    let waiting = StoredValue::new(Vec::<ClientCommand>::new());
    let starting = RwSignal::new(false);
    let typing_throttle = StoredValue::new(TypingThrottle::default());

    let on_event = move |event: ServerEvent| match &event {
        ServerEvent::MessageNew { message } => {
            if message.sender.kind == SenderKind::Agent {
                agent_typing.set(None);
            }
            conversation.update(|c| {
                c.apply(&event);
            });
        }
        ServerEvent::StreamStart { .. } | ServerEvent::StreamToken { .. } => {
            conversation.update(|c| {
                c.apply(&event);
            });
        }
        ServerEvent::SessionAssigned { agent: a, .. }
        | ServerEvent::AgentJoined { agent: a, .. } => {
            agent.set(Some(a.clone()));
            status.set(Some(SessionStatus::Active));
        }
        ServerEvent::SessionUpdated { session: s } => {
            status.set(Some(s.status));
            agent.set(s.assigned_agent.clone());
        }
        ServerEvent::Typing {
            sender, is_typing, ..
        } if sender.kind == SenderKind::Agent => {
            let name = sender.name.clone().unwrap_or_else(|| "An agent".into());
            agent_typing.set(is_typing.then_some(name));
        }
        ServerEvent::HumanEscalationResponse { message } => notice.set(Some(message.clone())),
        ServerEvent::Error { message, .. } => notice.set(Some(message.clone())),
        _ => {}
    };

    let connect = Callback::new(move |visitor: VisitorSession| {
        let key = visitor.session_key.clone();
        let url = move || {
            let after = conversation.with_untracked(Conversation::last_seq);
            absolute_url(&format!("/ws/public/{key}?lastSeq={after}"))
        };
        let key = visitor.session_key.clone();
        let forget = session_slot.clone();
        // After every (re)connection: the session's status and anything the resume did not
        // carry (a status change while offline).
        let on_open = move || {
            let key = key.clone();
            let forget = forget.clone();
            leptos::task::spawn_local(async move {
                match api::session_history(&key).await {
                    Ok(history) => {
                        status.set(Some(history.session.status));
                        agent.set(history.session.assigned_agent.clone());
                        conversation.update(|c| c.load(history.messages));
                    }
                    // The conversation is gone (deleted): the next message starts a new one.
                    Err(api::ApiError::Rejected { status: 404, .. }) => {
                        storage::remove(&forget);
                    }
                    Err(_) => {}
                }
            });
        };
        let handlers = Handlers {
            url: Box::new(url),
            on_open: Box::new(on_open),
            on_event: Box::new(on_event),
            on_refused: Box::new(move |_| {
                notice.set(Some("This chat cannot connect from this page.".into()))
            }),
        };
        let live = socket::connect(handlers, link);
        for command in waiting.try_update_value(std::mem::take).unwrap_or_default() {
            live.send(command);
        }
        socket.set_value(Some(live));
        session.set(Some(visitor));
    });

    // Sends now, or starts the conversation first.
    let start_key = widget_key.clone();
    let deliver = Callback::new(move |command: ClientCommand| {
        if let Some(live) = socket.get_value() {
            live.send(command);
            return;
        }
        waiting.update_value(|w| w.push(command));
        if starting.get_untracked() {
            return;
        }
        starting.set(true);
        let request = StartSessionRequest {
            widget_key: start_key.clone(),
            visitor: None,
        };
        let slot = session_slot_for_start.clone();
        leptos::task::spawn_local(async move {
            match api::start_session(&request).await {
                Ok(started) => {
                    let visitor = VisitorSession {
                        session_key: started.session_key,
                        session_id: started.session_id,
                    };
                    if let Ok(json) = serde_json::to_string(&visitor) {
                        storage::set(&slot, &json);
                    }
                    notice.set(None);
                    connect.run(visitor);
                }
                Err(error) => notice.set(Some(format!(
                    "Your message could not be sent yet: {error} It will go out with your next one."
                ))),
            }
            starting.set(false);
        });
    });

    let send_message = Callback::new(move |content: String| {
        let id = socket::new_client_message_id();
        conversation.update(|c| c.queue(id.clone(), content.clone()));
        deliver.run(ClientCommand::Chat {
            session_id: None,
            content,
            client_message_id: Some(id),
        });
    });

    let send_typing = Callback::new(move |typing: bool| {
        let Some(live) = socket.get_value() else {
            return;
        };
        let now = now_ms();
        if typing_throttle
            .try_update_value(|t| t.should_send(typing, now))
            .unwrap_or(false)
        {
            live.send(ClientCommand::Typing {
                session_id: None,
                is_typing: typing,
            });
        }
    });

    let talk_to_human = move |_| {
        asked_for_human.set(true);
        deliver.run(ClientCommand::HumanEscalation {
            reason: Some("The visitor asked for a person.".into()),
        });
    };

    // After hydration: the stored conversation, the read mark, the host page.
    let seen_at_start = seen_slot.clone();
    Effect::new(move |_| {
        seen_seq.set(
            storage::get(&seen_at_start)
                .and_then(|s| s.parse().ok())
                .unwrap_or(0),
        );
        if let Some(visitor) = storage::get(&resume_slot)
            .and_then(|raw| serde_json::from_str::<VisitorSession>(&raw).ok())
        {
            connect.run(visitor);
        }
        host::listen(is_open);
    });

    // What the visitor has seen, while the widget is open.
    let unread = Memo::new(move |_| {
        let seen = seen_seq.get();
        conversation.with(|c| {
            c.entries()
                .iter()
                .filter(|e| {
                    matches!(e, crate::client::conversation::Entry::Stored(m)
                        if m.seq > seen && matches!(m.sender.kind, SenderKind::Ai | SenderKind::Agent))
                })
                .count()
        })
    });
    Effect::new(move |_| {
        if is_open.get() {
            let last = conversation.with(Conversation::last_seq);
            if last > seen_seq.get_untracked() {
                seen_seq.set(last);
                storage::set(&seen_slot, &last.to_string());
            }
        }
    });
    Effect::new(move |_| host::report_unread(unread.get()));

    let tenant_name = config.tenant_name.clone();
    let ai_enabled = config.ai_enabled;
    let subtitle = move || match (status.get(), agent.get()) {
        (Some(SessionStatus::Active), Some(a)) => format!("Connected to {}", a.name),
        (Some(SessionStatus::Pending), _) => "Waiting for a team member…".to_string(),
        (Some(SessionStatus::Closed), _) => "This conversation is closed".to_string(),
        _ if ai_enabled => "AI assistant".to_string(),
        _ => "The team replies here".to_string(),
    };
    let connection = move || {
        if session.with(Option::is_none) {
            return ("online", "Online");
        }
        match link.get() {
            LinkState::Live => ("online", "Online"),
            LinkState::Connecting => ("waiting", "Connecting…"),
            LinkState::Reconnecting { .. } => ("waiting", "Reconnecting…"),
            LinkState::Refused { .. } => ("offline", "Offline"),
        }
    };
    let show_talk =
        move || !asked_for_human.get() && matches!(status.get(), None | Some(SessionStatus::Bot));
    let initial = tenant_name.chars().next().unwrap_or('S').to_string();

    view! {
        <div class="messenger" data-setup=setup_json>
            <header class="messenger__header">
                <span class="messenger__avatar" aria-hidden="true">{initial}</span>
                <div class="messenger__title">
                    <h1>{tenant_name}</h1>
                    <p class="messenger__subtitle">{subtitle}</p>
                </div>
                <span
                    class=move || format!("link link--{}", connection().0)
                    role="status"
                    title="Connection"
                >
                    {move || connection().1}
                </span>
                <button
                    class="messenger__close"
                    type="button"
                    aria-label="Minimize chat"
                    on:click=move |_| host::ask_to_close()
                >
                    "×"
                </button>
            </header>
            <MessageList
                entries=Signal::derive(move || conversation.with(Conversation::entries))
                viewer=Viewer::Visitor
                intro=Signal::stored(config.greeting.clone().or_else(|| Some("Hi! How can we help you today?".into())))
            />
            <div class="messenger__footer">
                {move || agent_typing.get().map(|name| view! {
                    <p class="typing" aria-live="polite">{format!("{name} is typing…")}</p>
                })}
                {move || notice.get().map(|text| view! { <p class="notice" role="status">{text}</p> })}
                <Show when=show_talk>
                    <button class="talk-to-human" type="button" on:click=talk_to_human>
                        "Talk to a human"
                    </button>
                </Show>
                <Composer on_send=send_message on_typing=send_typing placeholder="Type your message…" />
                <p class="messenger__brand">"Powered by Switchboard"</p>
            </div>
        </div>
    }
}

/// The host page around the iframe, through `postMessage`. Messages carry
/// `source: "switchboard"` (from us) or `source: "switchboard-host"` (from widget.js).
mod host {
    use leptos::prelude::*;

    #[cfg(feature = "hydrate")]
    fn parent() -> Option<web_sys::Window> {
        let window = web_sys::window()?;
        let parent = window.parent().ok()??;
        // A messenger opened as a page of its own is its own parent.
        (!js_sys::Object::is(&parent, &window)).then_some(parent)
    }

    #[cfg(feature = "hydrate")]
    fn post(kind: &str, count: Option<usize>) {
        use wasm_bindgen::JsValue;
        let Some(parent) = parent() else { return };
        let message = js_sys::Object::new();
        let set = |k: &str, v: JsValue| {
            let _ = js_sys::Reflect::set(&message, &JsValue::from_str(k), &v);
        };
        set("source", JsValue::from_str("switchboard"));
        set("type", JsValue::from_str(kind));
        if let Some(count) = count {
            set("count", JsValue::from_f64(count as f64));
        }
        // Only counts and requests travel; the host may be on any of the tenant's origins.
        let _ = parent.post_message(&message, "*");
    }

    /// Follows the host's "open"/"close" and tells it the messenger is ready.
    pub fn listen(is_open: RwSignal<bool>) {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsValue;
            let Some(parent) = parent() else { return };
            is_open.set(false);
            let handle = window_event_listener(leptos::ev::message, move |ev| {
                let from_parent = ev
                    .source()
                    .is_some_and(|source| js_sys::Object::is(&source, &parent));
                let field = |k: &str| {
                    js_sys::Reflect::get(&ev.data(), &JsValue::from_str(k))
                        .ok()
                        .and_then(|v| v.as_string())
                };
                if !from_parent || field("source").as_deref() != Some("switchboard-host") {
                    return;
                }
                match field("type").as_deref() {
                    Some("open") => is_open.set(true),
                    Some("close") => is_open.set(false),
                    _ => {}
                }
            });
            // The listener lives as long as the page.
            std::mem::forget(handle);
            post("ready", None);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = is_open;
    }

    pub fn report_unread(count: usize) {
        #[cfg(feature = "hydrate")]
        post("unread", Some(count));
        #[cfg(not(feature = "hydrate"))]
        let _ = count;
    }

    pub fn ask_to_close() {
        #[cfg(feature = "hydrate")]
        post("close", None);
    }
}
