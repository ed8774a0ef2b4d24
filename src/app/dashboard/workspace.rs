//! The signed-in dashboard: the top bar with the "Live" indicator, the inbox and the open
//! conversation, all fed by one agent socket.
//!
//! After every (re)connection the inbox is fetched again and the open conversation catches up
//! with `afterSeq`, so whatever happened while the socket was down shows up once.

use super::{conversation::ConversationPane, inbox::InboxPane, Auth, EXPIRED};
use crate::client::conversation::Conversation;
use crate::client::inbox::{Applied, Filter, Inbox};
use crate::client::live::LinkState;
use crate::client::socket::{self, Handlers, Socket};
use crate::client::{api, transport::absolute_url};
use crate::protocol::{SenderKind, ServerEvent};
use leptos::prelude::*;
use std::collections::BTreeSet;

/// Everything the panes share. All signals: `Copy`, so every closure can hold it.
#[derive(Clone, Copy)]
pub struct Desk {
    pub token: StoredValue<String>,
    pub me: StoredValue<crate::protocol::AgentProfile>,
    pub inbox: RwSignal<Inbox>,
    pub filter: RwSignal<Filter>,
    pub selected: RwSignal<Option<String>>,
    pub conversation: RwSignal<Conversation>,
    /// Sessions whose visitor is typing now.
    pub visitors_typing: RwSignal<BTreeSet<String>>,
    pub socket: StoredValue<Option<Socket>>,
    pub problem: RwSignal<Option<String>>,
    /// Called with a 401 from any request: the token has expired.
    pub expired: Callback<()>,
}

impl Desk {
    /// Answers a failed request: back to sign-in on 401, else a notice.
    pub fn fail(&self, error: api::ApiError) {
        if error.is_unauthorized() {
            self.expired.run(());
        } else {
            self.problem.set(Some(error.to_string()));
        }
    }

    pub fn refresh_inbox(self) {
        let token = self.token.get_value();
        leptos::task::spawn_local(async move {
            match api::sessions(&token).await {
                Ok(sessions) => self.inbox.update(|i| i.replace_all(sessions)),
                Err(error) => self.fail(error),
            }
        });
    }

    /// Fetches what the open conversation lacks (all of it, or the tail after a reconnect)
    /// and marks it read.
    pub fn catch_up(self) {
        let Some(id) = self.selected.get_untracked() else {
            return;
        };
        let token = self.token.get_value();
        let after = self.conversation.with_untracked(Conversation::last_seq);
        leptos::task::spawn_local(async move {
            match api::messages(&token, &id, after).await {
                Ok(messages) => {
                    if self.selected.get_untracked().as_deref() == Some(id.as_str()) {
                        self.conversation.update(|c| c.load(messages));
                        self.mark_read();
                    }
                }
                Err(error) => self.fail(error),
            }
        });
    }

    pub fn open(self, id: String) {
        if self.selected.get_untracked().as_deref() == Some(id.as_str()) {
            return;
        }
        self.conversation.set(Conversation::default());
        self.selected.set(Some(id));
        self.catch_up();
    }

    fn mark_read(self) {
        let Some(id) = self.selected.get_untracked() else {
            return;
        };
        let Some(seq) = self
            .conversation
            .with_untracked(|c| c.last_message().map(|m| m.seq))
        else {
            return;
        };
        self.inbox.update(|i| i.mark_read(&id));
        let token = self.token.get_value();
        leptos::task::spawn_local(async move {
            if let Err(error) = api::mark_read(&token, &id, seq).await {
                self.fail(error);
            }
        });
    }

    fn on_event(self, event: ServerEvent) {
        let open = self.selected.get_untracked();
        let applied = self.inbox.try_update(|i| i.apply(&event, open.as_deref()));
        if applied == Some(Applied::Unknown) {
            self.refresh_inbox();
        }
        let session_of_event = match &event {
            ServerEvent::MessageNew { message } => Some(message.session_id.as_str()),
            ServerEvent::StreamStart { session_id, .. }
            | ServerEvent::StreamToken { session_id, .. } => Some(session_id.as_str()),
            _ => None,
        };
        if let ServerEvent::MessageNew { message } = &event {
            if message.sender.kind == SenderKind::Customer {
                self.visitors_typing.update(|t| {
                    t.remove(&message.session_id);
                });
            }
        }
        if session_of_event.is_some() && session_of_event == open.as_deref() {
            let changed = self.conversation.try_update(|c| c.apply(&event));
            if changed == Some(true) && matches!(event, ServerEvent::MessageNew { .. }) {
                self.mark_read();
            }
        }
        match event {
            ServerEvent::Typing {
                session_id,
                sender,
                is_typing,
            } if sender.kind == SenderKind::Customer => self.visitors_typing.update(|t| {
                if is_typing {
                    t.insert(session_id);
                } else {
                    t.remove(&session_id);
                }
            }),
            ServerEvent::Error { message, .. } => self.problem.set(Some(message)),
            _ => {}
        }
    }
}

#[component]
pub fn Workspace(auth: Auth, on_signed_out: Callback<Option<String>>) -> impl IntoView {
    let link = RwSignal::new(LinkState::Connecting);
    let desk = Desk {
        token: StoredValue::new(auth.token.clone()),
        me: StoredValue::new(auth.agent.clone()),
        inbox: RwSignal::new(Inbox::default()),
        filter: RwSignal::new(Filter::All),
        selected: RwSignal::new(None),
        conversation: RwSignal::new(Conversation::default()),
        visitors_typing: RwSignal::new(BTreeSet::new()),
        socket: StoredValue::new(None),
        problem: RwSignal::new(None),
        expired: Callback::new(move |_| {
            on_signed_out.run(Some(EXPIRED.into()));
        }),
    };

    // The socket opens after hydration (effects run in the browser only).
    Effect::new(move |_| {
        let token = desk.token.get_value();
        let handlers = Handlers {
            url: Box::new(move || absolute_url(&format!("/ws?token={token}"))),
            on_open: Box::new(move || {
                desk.refresh_inbox();
                desk.catch_up();
            }),
            on_event: Box::new(move |event| desk.on_event(event)),
            on_refused: Box::new(move |code| {
                if code == 4401 {
                    desk.expired.run(());
                } else {
                    desk.problem.set(Some(
                        "This page's origin may not open the agents' socket.".into(),
                    ));
                }
            }),
        };
        desk.socket.set_value(Some(socket::connect(handlers, link)));
    });
    // A socket refused before the upgrade (an expired token after a restart) only looks like a
    // failed connection: ask the REST API whether the token still holds.
    Effect::new(move |_| {
        if let LinkState::Reconnecting { attempt } = link.get() {
            if attempt == 2 {
                let token = desk.token.get_value();
                leptos::task::spawn_local(async move {
                    if let Err(error) = api::me(&token).await {
                        if error.is_unauthorized() {
                            desk.expired.run(());
                        }
                    }
                });
            }
        }
    });
    on_cleanup(move || {
        if let Some(live) = desk.socket.try_get_value().flatten() {
            live.stop();
        }
    });

    let indicator = move || match link.get() {
        LinkState::Live => ("online", "Live"),
        LinkState::Connecting => ("waiting", "Connecting…"),
        LinkState::Reconnecting { .. } => ("waiting", "Reconnecting…"),
        LinkState::Refused { .. } => ("offline", "Offline"),
    };
    let sign_out = move |_| on_signed_out.run(None);
    let name = auth.agent.name.clone();
    let initials: String = name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect();

    view! {
        <div class="workspace">
            <header class="topbar">
                <div class="topbar__brand">
                    <span class="brand-mark brand-mark--small" aria-hidden="true">"S"</span>
                    <span>"Switchboard"</span>
                </div>
                <span
                    class=move || format!("link link--{} topbar__link", indicator().0)
                    role="status"
                    aria-label="Connection"
                >
                    {move || indicator().1}
                </span>
                <div class="topbar__me">
                    <span class="avatar" aria-hidden="true">{initials}</span>
                    <span class="topbar__name">{name}</span>
                    <button type="button" class="button button--quiet" on:click=sign_out>
                        "Sign out"
                    </button>
                </div>
            </header>
            {move || desk.problem.get().map(|text| view! {
                <p class="banner" role="alert">
                    {text}
                    <button type="button" class="button button--quiet" on:click=move |_| desk.problem.set(None)>
                        "Dismiss"
                    </button>
                </p>
            })}
            <div class="workspace__panes">
                <InboxPane desk />
                <ConversationPane desk />
            </div>
        </div>
    }
}
