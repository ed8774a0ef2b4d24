//! The open conversation: who the visitor is, who holds it, the history with the AI's answers
//! streaming in, "Assign to me", "Close", the composer and typing both ways.

use super::desk::{Action, Desk};
use super::labels::{visitor_name, StatusPill};
use crate::app::chat::{Composer, MessageList, Viewer};
use crate::client::conversation::Conversation;
use crate::protocol::{Session, SessionStatus};
use leptos::prelude::*;

#[component]
pub fn ConversationPane(desk: Desk) -> impl IntoView {
    let session = Memo::new(move |_| {
        let id = desk.selected.get()?;
        desk.inbox.with(|i| i.get(&id).cloned())
    });
    view! {
        <section class="conversation" aria-label="Conversation view">
            {move || match session.get() {
                None => view! { <NoConversation /> }.into_any(),
                Some(session) => view! { <ConversationHead desk session /> }.into_any(),
            }}
            <Show when=move || desk.selected.with(Option::is_some)>
                <ConversationThread desk session />
            </Show>
        </section>
    }
}

/// What the pane shows before the agent opens a conversation.
#[component]
fn NoConversation() -> impl IntoView {
    view! {
        <div class="conversation__empty">
            <h2>"No conversation open"</h2>
            <p class="muted">"Pick one in the inbox. New ones appear there the moment a visitor writes."</p>
        </div>
    }
}

/// Who the visitor is, the status, who holds the conversation, and the buttons that change that.
#[component]
fn ConversationHead(desk: Desk, session: Session) -> impl IntoView {
    let me = desk.me.with_value(|m| m.id.clone());
    let mine = session.assigned_agent.as_ref().is_some_and(|a| a.id == me);
    let closed = session.status == SessionStatus::Closed;
    let holder = match &session.assigned_agent {
        Some(_) if mine => "Assigned to you".to_string(),
        Some(agent) => format!("Assigned to {}", agent.name),
        None => "Unassigned".to_string(),
    };
    let email = session.visitor.email.clone();
    let button = move |action: Action, class: &'static str, label: &'static str| {
        view! {
            <button
                type="button"
                class=class
                disabled=move || desk.acting.get()
                on:click=move |_| desk.act(action)
            >
                {label}
            </button>
        }
    };
    view! {
        <header class="conversation__head">
            <div class="conversation__who">
                <h2>{visitor_name(&session)}</h2>
                <p class="muted">
                    {email.map(|e| format!("{e} · "))}
                    <StatusPill status=session.status />
                    " "
                    <span class="conversation__holder">{holder}</span>
                </p>
            </div>
            <div class="conversation__actions">
                {(!mine && !closed).then(|| button(Action::Assign, "button button--primary", "Assign to me"))}
                {(!closed).then(|| button(Action::Close, "button", "Close"))}
            </div>
        </header>
    }
}

/// The messages, the visitor's typing, and the reply box (or why there is none).
#[component]
fn ConversationThread(desk: Desk, session: Memo<Option<Session>>) -> impl IntoView {
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
    let send = Callback::new(move |content: String| desk.send_reply(content));
    let typing = Callback::new(move |typing: bool| desk.send_typing(typing));
    view! {
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
    }
}
