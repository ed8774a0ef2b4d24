//! The open conversation: who the visitor is, who holds it, the history with the AI's answers
//! streaming in, "Assign to me", "Close", "Download transcript", the composer and typing both
//! ways, and beside the thread the side panel about the visitor.

use super::desk::{Action, Desk};
use super::labels::{visitor_name, StatusPill};
use super::search::GoToFound;
use super::transcript::TranscriptDownload;
use super::visitor::VisitorPanel;
use crate::app::chat::{Composer, Draft, MessageList, Uploader, Viewer};
use crate::client::api;
use crate::client::conversation::Conversation;
use crate::client::live::LinkState;
use crate::client::upload::Destination;
use crate::protocol::{AgentRef, Session, SessionStatus, TeamMember};
use leptos::prelude::*;

#[component]
pub fn ConversationPane(desk: Desk) -> impl IntoView {
    let session = Memo::new(move |_| {
        let id = desk.selected.get()?;
        desk.inbox.with(|i| i.get(&id).cloned())
    });
    // The head is drawn anew whenever its session changes. The visit changes with every page
    // the visitor opens and is the side panel's: without it, the head (and a choice half made
    // in it, such as "Transfer to…") stays as it is.
    let head = Memo::new(move |_| session.get().map(|s| Session { visit: None, ..s }));
    view! {
        <section class="conversation" aria-label="Conversation view">
            {move || match head.get() {
                Some(session) => view! { <ConversationHead desk session /> }.into_any(),
                None if desk.selected.with(Option::is_some) => view! { <UnlistedHead desk /> }.into_any(),
                None => view! { <NoConversation /> }.into_any(),
            }}
            <GoToFound desk />
            <Show when=move || desk.selected.with(Option::is_some)>
                <div class="conversation__body">
                    <VisitorPanel desk session />
                    <div class="conversation__thread">
                        <ConversationThread desk session />
                    </div>
                </div>
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

/// The head of a conversation the inbox does not list (yet: it is still loading, or an old closed
/// one opened from a search): its messages show, its details once the inbox lists it.
#[component]
fn UnlistedHead(desk: Desk) -> impl IntoView {
    let id = desk.selected.get_untracked().unwrap_or_default();
    view! {
        <header class="conversation__head">
            <div class="conversation__who">
                <a class="conversation__back" href="/">"← All conversations"</a>
                <h2>"Conversation"</h2>
                <p class="muted">"Who holds it shows here once the inbox lists it (an older one: “Load more conversations” in the inbox)."</p>
            </div>
            <div class="conversation__tools">
                <TranscriptDownload desk session_id=id />
            </div>
        </header>
    }
}

/// Who the visitor is, the status, who holds the conversation, and the buttons that change that.
#[component]
fn ConversationHead(desk: Desk, session: Session) -> impl IntoView {
    let me = desk.me.with_value(|m| m.id.clone());
    let mine = session.assigned_agent.as_ref().is_some_and(|a| a.id == me);
    let holder = match &session.assigned_agent {
        Some(_) if mine => "Assigned to you".to_string(),
        Some(agent) => format!("Assigned to {}", agent.name),
        None => "Unassigned".to_string(),
    };
    let email = session.visitor.email.clone();
    let session_id = session.id.clone();
    view! {
        <header class="conversation__head">
            <div class="conversation__who">
                // On a phone the open conversation fills the screen: this leads back.
                <a class="conversation__back" href="/">"← All conversations"</a>
                <h2>{visitor_name(&session)}</h2>
                <p class="muted">
                    {email.map(|e| format!("{e} · "))}
                    <StatusPill status=session.status />
                    " "
                    <span class="conversation__holder">{holder}</span>
                </p>
            </div>
            <div class="conversation__tools">
                <HeadActions desk session />
                <TranscriptDownload desk session_id />
            </div>
        </header>
    }
}

/// What the agent can do with the conversation as it stands: take it (asking first when a
/// colleague has it), give it back to the queue, hand it to a colleague, close or reopen it.
#[component]
fn HeadActions(desk: Desk, session: Session) -> impl IntoView {
    let me = desk.me.with_value(|m| m.id.clone());
    let holder = session.assigned_agent.clone();
    let mine = holder.as_ref().is_some_and(|a| a.id == me);
    let closed = session.status == SessionStatus::Closed;
    let confirming = RwSignal::new(false);
    let button = move |action: Action, class: &'static str, label: &'static str| {
        view! {
            <button
                type="button"
                class=class
                disabled=move || desk.acting.get()
                on:click=move |_| desk.act(action.clone())
            >
                {label}
            </button>
        }
    };
    let take = match (&holder, closed, mine) {
        (_, true, _) => Some(button(Action::Assign, "button button--primary", "Reopen").into_any()),
        (Some(_), false, true) => None,
        (Some(colleague), false, false) => {
            let name = colleague.name.clone();
            Some(view! { <TakeOver desk name confirming /> }.into_any())
        }
        (None, false, _) => {
            Some(button(Action::Assign, "button button--primary", "Assign to me").into_any())
        }
    };
    view! {
        <div class="conversation__actions">
            {take}
            <Show when=move || !confirming.get()>
                {(!closed && holder.is_some()).then(|| button(Action::Unassign, "button", "Unassign"))}
                {(!closed).then(|| view! { <Transfer desk holder=session.assigned_agent.clone() /> })}
                {(!closed).then(|| button(Action::Close, "button", "Close"))}
            </Show>
        </div>
    }
}

/// "Take over", then a confirmation: the colleague who has the conversation is told.
#[component]
fn TakeOver(desk: Desk, name: String, confirming: RwSignal<bool>) -> impl IntoView {
    let question = format!("{name} has this conversation. Take it over? They will be told.");
    view! {
        <Show
            when=move || confirming.get()
            fallback=move || view! {
                <button type="button" class="button button--primary" on:click=move |_| confirming.set(true)>
                    "Take over"
                </button>
            }
        >
            <span class="conversation__confirm" role="group" aria-label="Confirm take-over">
                <span>{question.clone()}</span>
                <button type="button" class="button button--primary" disabled=move || desk.acting.get()
                    on:click=move |_| { confirming.set(false); desk.act(Action::Assign) }>
                    "Take it over"
                </button>
                <button type="button" class="button button--quiet" on:click=move |_| confirming.set(false)>"Cancel"</button>
            </span>
        </Show>
    }
}

/// "Transfer to" a colleague who can sign in, other than whoever has it now.
#[component]
fn Transfer(desk: Desk, holder: Option<AgentRef>) -> impl IntoView {
    let team = RwSignal::new(Vec::<TeamMember>::new());
    let chosen = RwSignal::new(String::new());
    Effect::new(move |_| {
        let token = desk.token.get_value();
        leptos::task::spawn_local(async move {
            if let Ok(members) = api::team(&token).await {
                team.set(members);
            }
        });
    });
    let holder_id = holder.map(|h| h.id);
    let colleagues = move || {
        team.get()
            .into_iter()
            .filter(|m| !m.disabled && Some(&m.id) != holder_id.as_ref())
            .collect::<Vec<_>>()
    };
    let transfer = move |_| {
        let to = chosen.get();
        if !to.is_empty() {
            desk.act(Action::Transfer(to));
        }
    };
    view! {
        <span class="conversation__transfer">
            <select aria-label="Transfer to" prop:value=move || chosen.get()
                on:change=move |ev| chosen.set(event_target_value(&ev))>
                <option value="">"Transfer to…"</option>
                {move || colleagues().into_iter().map(|m| view! {
                    <option value=m.id.clone()>{m.name.clone()}</option>
                }).collect_view()}
            </select>
            <button type="button" class="button" on:click=transfer
                disabled=move || desk.acting.get() || chosen.with(String::is_empty)>
                "Transfer"
            </button>
        </span>
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
    let send = Callback::new(move |draft: Draft| desk.send_reply(draft));
    let typing = Callback::new(move |typing: bool| desk.send_typing(typing));
    // The agent's files go to the open conversation; opening another empties the tray.
    let uploader = Uploader {
        destination: Signal::derive(move || {
            let id = desk.selected.get()?;
            Some(Destination::agent(desk.token.get_value(), id))
        }),
        prepare: None,
        signed_out: Some(desk.expired),
    };
    view! {
        <MessageList
            entries=Signal::derive(move || desk.conversation.with(Conversation::entries))
            viewer=Viewer::Agent
            visitor_name=visitor
            offline=Signal::derive(move || desk.link.get() != LinkState::Live)
            has_earlier=Signal::derive(move || desk.conversation.with(Conversation::has_earlier))
            on_earlier=Callback::new(move |()| desk.load_earlier())
            seen_up_to=Signal::derive(move || session.with(|s| s.as_ref().map_or(0, |s| s.visitor_read_seq)))
        />
        <div class="conversation__foot">
            <p class="typing">{visitor_typing}</p>
            <Show
                when=move || !closed.get()
                fallback=|| view! { <p class="muted">"This conversation is closed. The visitor reopens it by writing again."</p> }
            >
                <Composer
                    on_send=send
                    on_typing=typing
                    placeholder="Reply to the visitor… (Enter sends, Shift+Enter for a new line)"
                    policy=desk.attachments
                    uploader
                />
            </Show>
        </div>
    }
}
