//! The dashboard's state: everything the panes share, fed by one agent socket, and what the
//! agent does with it.
//!
//! After every (re)connection the inbox, the team and the visitors on the site are fetched
//! again and the open conversation catches up with `afterSeq`, so whatever happened while the
//! socket was down shows up once.

mod alerts;
mod paging;
mod presence;
mod visitors;

pub use presence::MyStatus;

use super::search::{Found, Search};
use super::{Auth, EXPIRED};
use crate::app::chat::Draft;
use crate::client::api::{self, RequestError};
use crate::client::conversation::Conversation;
use crate::client::inbox::{Applied, Filter, Inbox};
use crate::client::live::LinkState;
use crate::client::socket::{self, Handlers, Socket};
use crate::client::transport::absolute_url;
use crate::client::typing::{later, now_ms, TypingThrottle, TYPING_ENDS_AFTER_MS};
use crate::client::visibility::page_visible;
use crate::protocol::{AttachmentPolicy, ClientCommand, SenderKind, ServerEvent, SessionStatus};
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
    /// The AI answer streaming now in each session (message id, text so far), so that a
    /// conversation opened mid-answer shows it from where it is.
    live_answers: StoredValue<std::collections::HashMap<String, (String, String)>>,
    /// Sessions whose visitor is typing now.
    pub visitors_typing: RwSignal<BTreeSet<String>>,
    /// Counts each session's "is typing" frames: the indicator goes when no newer one came in
    /// time.
    typing_heard: StoredValue<std::collections::HashMap<String, u64>>,
    pub socket: StoredValue<Option<Socket>>,
    /// Where the agent socket stands, for the "Live" indicator.
    pub link: RwSignal<LinkState>,
    /// The agent's own typing, so that the visitor sees it without a frame per keystroke.
    typing_throttle: StoredValue<TypingThrottle>,
    /// An assign or a close is on its way: their buttons wait for the answer.
    pub acting: RwSignal<bool>,
    pub problem: RwSignal<Option<String>>,
    /// News for this agent about their conversations ("Bob Chen took over …").
    pub notice: RwSignal<Option<String>>,
    /// Conversations this agent just changed, whose event is still to come (so that their own
    /// change is not news to them).
    own_changes: StoredValue<BTreeSet<String>>,
    /// Called with a 401 from any request: the token has expired.
    pub expired: Callback<()>,
    /// An earlier page of the open conversation is on its way: one at a time.
    loading_earlier: StoredValue<bool>,
    /// The agent's colleagues (themselves included) with their presence.
    pub team: RwSignal<Vec<crate::protocol::TeamMember>>,
    /// The visitors on the site now, by conversation: `online` while their page is in use,
    /// `away` while it is open but not. Whoever is not in it has left the site.
    pub visitors_on_site:
        RwSignal<std::collections::HashMap<String, crate::protocol::PresenceStatus>>,
    /// When this dashboard last told the server it is being used (ms).
    told_active_at: StoredValue<f64>,
    /// The tab is in front of the agent: only then are new messages read.
    page_visible: Signal<bool>,
    /// Alerts come with a short tone (the agent's choice, kept in this browser).
    pub sound_on: RwSignal<bool>,
    /// Opens a conversation by its id (the router's navigation, set by the workspace).
    pub open_conversation: StoredValue<Option<Callback<String>>>,
    /// What the agent may attach to a reply (nothing until the server says).
    pub attachments: RwSignal<AttachmentPolicy>,
    /// The search in the inbox's head and its results, kept while the agent opens results.
    pub search: Search,
    /// The message to go to once its conversation shows it (a chosen search result).
    pub found: RwSignal<Option<Found>>,
}

/// What an agent does to the open conversation with the buttons of its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Take it (from the queue, from a colleague after confirming, or reopen it).
    Assign,
    Unassign,
    /// Hand it to this colleague.
    Transfer(String),
    Close,
}

impl Desk {
    /// `on_signed_out` is told why the agent is signed out: a notice, or none for "Sign out".
    pub fn new(auth: &Auth, on_signed_out: Callback<Option<String>>) -> Self {
        Self {
            token: StoredValue::new(auth.token.clone()),
            me: StoredValue::new(auth.agent.clone()),
            inbox: RwSignal::new(Inbox::default()),
            filter: RwSignal::new(Filter::Open),
            selected: RwSignal::new(None),
            conversation: RwSignal::new(Conversation::default()),
            live_answers: StoredValue::new(Default::default()),
            visitors_typing: RwSignal::new(BTreeSet::new()),
            typing_heard: StoredValue::new(Default::default()),
            socket: StoredValue::new(None),
            link: RwSignal::new(LinkState::Connecting),
            typing_throttle: StoredValue::new(TypingThrottle::default()),
            acting: RwSignal::new(false),
            problem: RwSignal::new(None),
            notice: RwSignal::new(None),
            own_changes: StoredValue::new(BTreeSet::new()),
            loading_earlier: StoredValue::new(false),
            team: RwSignal::new(Vec::new()),
            visitors_on_site: RwSignal::new(Default::default()),
            told_active_at: StoredValue::new(0.0),
            page_visible: page_visible(),
            sound_on: RwSignal::new(Self::sound_was_on()),
            open_conversation: StoredValue::new(None),
            attachments: RwSignal::new(AttachmentPolicy::default()),
            search: Search::new(),
            found: RwSignal::new(None),
            expired: Callback::new(move |_| {
                on_signed_out.run(Some(EXPIRED.into()));
            }),
        }
    }

    /// Whatever arrived while the tab was hidden is read when the agent comes back to it.
    pub fn read_on_return(self) {
        Effect::new(move |_| {
            if self.page_visible.get() {
                self.mark_read();
            }
        });
    }

    /// Opens the agent socket. After every (re)connection the inbox, the team and the visitors
    /// on the site are fetched again and the open conversation catches up.
    pub fn connect(self) {
        let token = self.token.get_value();
        let handlers = Handlers {
            url: Box::new(move || absolute_url(&format!("/ws?token={token}"))),
            on_open: Box::new(move || {
                self.refresh_inbox();
                self.refresh_team();
                self.refresh_visitors();
                self.refresh_attachment_policy();
                self.catch_up();
            }),
            on_event: Box::new(move |event| self.on_event(event)),
            on_refused: Box::new(move |code| {
                if code == 4401 {
                    self.expired.run(());
                } else {
                    self.problem.set(Some(
                        "This page's origin may not open the agents' socket.".into(),
                    ));
                }
            }),
        };
        self.socket
            .set_value(Some(socket::connect(handlers, self.link)));
    }

    /// A socket refused before the upgrade (an expired token after a restart) only looks like a
    /// failed connection: at the second attempt, ask the REST API whether the token still holds.
    pub fn check_token_while_reconnecting(self) {
        if let LinkState::Reconnecting { attempt } = self.link.get() {
            if attempt == 2 {
                let token = self.token.get_value();
                leptos::task::spawn_local(async move {
                    if let Err(error) = api::me(&token).await {
                        if error.is_unauthorized() {
                            self.expired.run(());
                        }
                    }
                });
            }
        }
    }

    /// Closes the socket for good (sign-out, or the workspace goes away).
    pub fn disconnect(self) {
        if let Some(live) = self.socket.try_get_value().flatten() {
            live.stop();
        }
    }

    /// Answers a failed request: back to sign-in on 401, else a notice.
    pub fn fail(&self, error: RequestError) {
        if error.is_unauthorized() {
            self.expired.run(());
        } else {
            self.problem.set(Some(error.to_string()));
        }
    }

    /// Opens a conversation (its address is `/conversations/{id}`; the page follows it): the
    /// answer streaming in it now shows at once, the history is fetched.
    pub fn open(self, id: String) {
        if self.selected.get_untracked().as_deref() == Some(id.as_str()) {
            return;
        }
        // A message to go to in another conversation is no longer wanted.
        if self
            .found
            .with_untracked(|f| f.as_ref().is_some_and(|f| f.session_id != id))
        {
            self.found.set(None);
        }
        let mut conversation = Conversation::default();
        if let Some((message_id, text)) = self.live_answers.with_value(|a| a.get(&id).cloned()) {
            let session_id = id.clone();
            conversation.apply(&ServerEvent::StreamStart {
                message_id: message_id.clone(),
                session_id: session_id.clone(),
            });
            conversation.apply(&ServerEvent::StreamToken {
                message_id,
                session_id,
                token: text,
            });
        }
        self.conversation.set(conversation);
        self.selected.set(Some(id));
        self.catch_up();
    }

    /// Back to the inbox alone (the address `/`).
    pub fn close_conversation(self) {
        if self.selected.get_untracked().is_some() {
            self.selected.set(None);
            self.conversation.set(Conversation::default());
        }
    }

    /// Follows every answer streaming in the tenant, for [`Desk::open`].
    fn follow_answers(self, event: &ServerEvent) {
        self.live_answers.update_value(|answers| match event {
            ServerEvent::StreamStart {
                message_id,
                session_id,
            } => {
                answers.insert(session_id.clone(), (message_id.clone(), String::new()));
            }
            ServerEvent::StreamToken {
                message_id,
                session_id,
                token,
            } => {
                if let Some((id, text)) = answers.get_mut(session_id) {
                    if id == message_id {
                        text.push_str(token);
                    }
                }
            }
            ServerEvent::StreamEnd { session_id, .. } => {
                answers.remove(session_id);
            }
            _ => {}
        });
    }

    /// Assigns the open conversation to the agent, or closes it. The answer is the session;
    /// the socket's events say the same to others.
    pub fn act(self, action: Action) {
        let Some(id) = self.selected.get_untracked() else {
            return;
        };
        let token = self.token.get_value();
        self.acting.set(true);
        self.own_changes.update_value(|c| {
            c.insert(id.clone());
        });
        leptos::task::spawn_local(async move {
            let result = match &action {
                Action::Close => api::close(&token, &id).await,
                Action::Assign => api::assign(&token, &id).await,
                Action::Unassign => api::unassign(&token, &id).await,
                Action::Transfer(to) => api::transfer(&token, &id, to).await,
            };
            match result {
                Ok(session) => {
                    let event = ServerEvent::SessionUpdated { session };
                    self.inbox.update(|i| {
                        i.apply(&event, Some(&id));
                    });
                }
                Err(error) => {
                    self.own_changes.update_value(|c| {
                        c.remove(&id);
                    });
                    self.fail(error)
                }
            }
            self.acting.set(false);
        });
    }

    /// The agent's reply to the open conversation, shown as "sending" until the server has it.
    pub fn send_reply(self, draft: Draft) {
        let Some(id) = self.selected.get_untracked() else {
            return;
        };
        let Draft {
            content,
            attachments,
        } = draft;
        let client_id = socket::new_client_message_id();
        let ids = attachments.iter().map(|a| a.id.clone()).collect();
        self.conversation
            .update(|c| c.queue(client_id.clone(), content.clone(), attachments));
        if let Some(live) = self.socket.get_value() {
            live.send(ClientCommand::Chat {
                session_id: Some(id),
                content,
                client_message_id: Some(client_id),
                attachments: ids,
            });
        }
    }

    /// What the tenant lets its agents attach (the admin may have changed it): after every
    /// (re)connection, with the rest.
    fn refresh_attachment_policy(self) {
        let token = self.token.get_value();
        leptos::task::spawn_local(async move {
            if let Ok(me) = api::me(&token).await {
                self.attachments.set(me.attachments);
            }
        });
    }

    /// Tells the open conversation's visitor about the agent's typing, throttled.
    pub fn send_typing(self, typing: bool) {
        let (Some(id), Some(live)) = (self.selected.get_untracked(), self.socket.get_value())
        else {
            return;
        };
        if self
            .typing_throttle
            .try_update_value(|t| t.should_send(typing, now_ms()))
            .unwrap_or(false)
        {
            live.send(ClientCommand::Typing {
                session_id: Some(id),
                is_typing: typing,
            });
        }
    }

    /// Reads the open conversation up to its last message (the visitor's "Seen" and the
    /// agent's unread count follow), if the tab is in front of the agent.
    fn mark_read(self) {
        if !self.page_visible.get_untracked() {
            return;
        }
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

    /// Tells the agent when a colleague takes one of their conversations or hands them one.
    fn note_change_of_hands(self, event: &ServerEvent) {
        let ServerEvent::SessionUpdated { session } = event else {
            return;
        };
        if self
            .own_changes
            .try_update_value(|c| c.remove(&session.id))
            .unwrap_or(false)
        {
            return;
        }
        let me = self.me.with_value(|m| m.id.clone());
        let before = self.inbox.with_untracked(|i| {
            i.get(&session.id)
                .and_then(|s| s.assigned_agent.as_ref().map(|a| a.id.clone()))
        });
        let after = session.assigned_agent.as_ref();
        let visitor = super::labels::visitor_name(session);
        let news = match (before.as_deref() == Some(me.as_str()), after) {
            (true, Some(other)) if other.id != me => Some(format!(
                "{} took over your conversation with {visitor}.",
                other.name
            )),
            (false, Some(mine)) if mine.id == me && session.status == SessionStatus::Active => {
                Some(format!("A conversation with {visitor} was handed to you."))
            }
            _ => None,
        };
        if news.is_some() {
            self.notice.set(news);
        }
    }

    /// Shows or hides "… is typing" for a conversation. The visitor's page reminds every few
    /// seconds while they type; without a reminder, they stopped (or their page went away).
    fn visitor_typing(self, session_id: String, typing: bool) {
        self.visitors_typing.update(|t| {
            if typing {
                t.insert(session_id.clone());
            } else {
                t.remove(&session_id);
            }
        });
        let heard = self
            .typing_heard
            .try_update_value(|h| {
                let n = h.entry(session_id.clone()).or_default();
                *n += 1;
                *n
            })
            .unwrap_or_default();
        if typing {
            later(TYPING_ENDS_AFTER_MS, move || {
                let latest = self
                    .typing_heard
                    .try_with_value(|h| h.get(&session_id) == Some(&heard));
                if latest == Some(true) {
                    self.visitors_typing.update(|t| {
                        t.remove(&session_id);
                    });
                }
            });
        }
    }

    fn on_event(self, event: ServerEvent) {
        if let ServerEvent::AgentPresence { .. } = &event {
            return self.apply_presence(&event);
        }
        if let ServerEvent::VisitorPresence { .. } | ServerEvent::VisitorVisit { .. } = &event {
            return self.apply_visitor(&event);
        }
        if let Some(alert) = self.alert_of(&event) {
            self.raise(alert);
        }
        self.note_change_of_hands(&event);
        self.follow_answers(&event);
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
            } if sender.kind == SenderKind::Customer => self.visitor_typing(session_id, is_typing),
            ServerEvent::Error { message, .. } => self.problem.set(Some(message)),
            _ => {}
        }
    }
}
