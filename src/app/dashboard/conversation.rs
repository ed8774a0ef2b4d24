//! The open conversation: who the visitor is, who holds it, the history with the AI's answers
//! streaming in, "Assign to me", "Close", the composer and typing both ways.

use super::inbox::{status_label, visitor_name};
use super::workspace::Desk;
use crate::app::chat::{Composer, MessageList, Viewer};
use crate::client::api;
use crate::client::conversation::Conversation;
use crate::client::socket;
use crate::client::typing::{now_ms, TypingThrottle};
use crate::protocol::{ClientCommand, ServerEvent, Session, SessionStatus};
use leptos::prelude::*;

#[component]
pub fn ConversationPane(desk: Desk) -> impl IntoView {
    let session = Memo::new(move |_| {
        let id = desk.selected.get()?;
        desk.inbox.with(|i| i.get(&id).cloned())
    });
    let me = desk.me.with_value(|m| m.id.clone());
    let busy = RwSignal::new(false);
    let throttle = StoredValue::new(TypingThrottle::default());

    // Assign and close answer with the session; the socket's events say the same to others.
    let act = move |close: bool| {
        let Some(id) = desk.selected.get_untracked() else {
            return;
        };
        let token = desk.token.get_value();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = if close {
                api::close(&token, &id).await
            } else {
                api::assign(&token, &id).await
            };
            match result {
                Ok(session) => {
                    let event = ServerEvent::SessionUpdated { session };
                    desk.inbox.update(|i| {
                        i.apply(&event, Some(&id));
                    });
                }
                Err(error) => desk.fail(error),
            }
            busy.set(false);
        });
    };

    let send = Callback::new(move |content: String| {
        let Some(id) = desk.selected.get_untracked() else {
            return;
        };
        let client_id = socket::new_client_message_id();
        desk.conversation
            .update(|c| c.queue(client_id.clone(), content.clone()));
        if let Some(live) = desk.socket.get_value() {
            live.send(ClientCommand::Chat {
                session_id: Some(id),
                content,
                client_message_id: Some(client_id),
            });
        }
    });
    let typing = Callback::new(move |typing: bool| {
        let (Some(id), Some(live)) = (desk.selected.get_untracked(), desk.socket.get_value())
        else {
            return;
        };
        if throttle
            .try_update_value(|t| t.should_send(typing, now_ms()))
            .unwrap_or(false)
        {
            live.send(ClientCommand::Typing {
                session_id: Some(id),
                is_typing: typing,
            });
        }
    });

    let header = move |session: Session| {
        let mine = session.assigned_agent.as_ref().is_some_and(|a| a.id == me);
        let closed = session.status == SessionStatus::Closed;
        let holder = match &session.assigned_agent {
            Some(_) if mine => "Assigned to you".to_string(),
            Some(agent) => format!("Assigned to {}", agent.name),
            None => "Unassigned".to_string(),
        };
        let email = session.visitor.email.clone();
        view! {
            <header class="conversation__head">
                <div class="conversation__who">
                    <h2>{visitor_name(&session)}</h2>
                    <p class="muted">
                        {email.map(|e| format!("{e} · "))}
                        <span class=format!("pill pill--{}", status_label(session.status).to_lowercase())>
                            {status_label(session.status)}
                        </span>
                        " "
                        <span class="conversation__holder">{holder}</span>
                    </p>
                </div>
                <div class="conversation__actions">
                    {(!mine && !closed).then(|| view! {
                        <button
                            type="button"
                            class="button button--primary"
                            disabled=move || busy.get()
                            on:click=move |_| act(false)
                        >
                            "Assign to me"
                        </button>
                    })}
                    {(!closed).then(|| view! {
                        <button
                            type="button"
                            class="button"
                            disabled=move || busy.get()
                            on:click=move |_| act(true)
                        >
                            "Close"
                        </button>
                    })}
                </div>
            </header>
        }
    };

    let visitor = Signal::derive(move || session.get().map(|s| visitor_name(&s)));
    let visitor_typing = move || {
        let id = desk.selected.get()?;
        desk.visitors_typing
            .with(|t| t.contains(&id))
            .then(|| format!("{} is typing…", visitor.get().unwrap_or_default()))
    };
    let closed = Signal::derive(move || {
        session
            .get()
            .is_some_and(|s| s.status == SessionStatus::Closed)
    });

    view! {
        <section class="conversation" aria-label="Conversation view">
            {move || match session.get() {
                None => view! {
                    <div class="conversation__empty">
                        <h2>"No conversation open"</h2>
                        <p class="muted">"Pick one in the inbox. New ones appear there the moment a visitor writes."</p>
                    </div>
                }
                .into_any(),
                Some(session) => header(session).into_any(),
            }}
            <Show when=move || desk.selected.with(Option::is_some)>
                <MessageList
                    entries=Signal::derive(move || desk.conversation.with(Conversation::entries))
                    viewer=Viewer::Agent
                    visitor_name=visitor
                />
                <div class="conversation__foot">
                    <p class="typing">{visitor_typing}</p>
                    <Show
                        when=move || !closed.get()
                        fallback=|| view! { <p class="muted">"This conversation is closed. The visitor reopens it by writing again."</p> }
                    >
                        <Composer on_send=send on_typing=typing placeholder="Reply to the visitor… (Enter sends, Shift+Enter for a new line)" />
                    </Show>
                </div>
            </Show>
        </section>
    }
}
