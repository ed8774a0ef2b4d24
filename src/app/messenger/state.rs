//! The messenger's state and what it does: the visitor's conversation, started on the first
//! message, its socket, and what the header and footer show.

use super::host;
use super::saved::{Slots, VisitorSession};
use crate::client::api::{self, HistoryPage, RequestError};
use crate::client::conversation::{Conversation, Entry};
use crate::client::live::{Indicator, LinkState};
use crate::client::socket::{self, Handlers, Socket};
use crate::client::transport::absolute_url;
use crate::client::typing::{later, now_ms, TypingThrottle, TYPING_ENDS_AFTER_MS};
use crate::protocol::{
    AgentRef, ClientCommand, SenderKind, ServerEvent, Session, SessionStatus, StartSessionRequest,
    StartSessionResponse,
};
use leptos::prelude::*;

/// What the messenger calls a working link.
const ONLINE: &str = "Online";

/// Everything the messenger's parts share. All signals: `Copy`, so every closure can hold it.
#[derive(Clone, Copy)]
pub struct MessengerState {
    widget_key: StoredValue<String>,
    slots: StoredValue<Slots>,
    /// The visitor's conversation, once there is one.
    session: RwSignal<Option<VisitorSession>>,
    status: RwSignal<Option<SessionStatus>>,
    agent: RwSignal<Option<AgentRef>>,
    pub conversation: RwSignal<Conversation>,
    link: RwSignal<LinkState>,
    socket: StoredValue<Option<Socket>>,
    /// The name of the agent who is typing now.
    pub agent_typing: RwSignal<Option<String>>,
    pub notice: RwSignal<Option<String>>,
    asked_for_human: RwSignal<bool>,
    /// Until the host says otherwise; a messenger opened as a page of its own is always open.
    is_open: RwSignal<bool>,
    seen_seq: RwSignal<u64>,
    /// Frames written before the conversation exists, sent once it does.
    waiting: StoredValue<Vec<ClientCommand>>,
    starting: RwSignal<bool>,
    typing_throttle: StoredValue<TypingThrottle>,
    /// Counts the agent's "is typing" frames: the indicator goes when no newer one came in time.
    typing_heard: StoredValue<u64>,
    /// The `updatedAt` of the session state shown, so that an older answer (a history fetch
    /// that crossed a live update) never replaces a newer one.
    shown_state_at: StoredValue<String>,
    /// An earlier page is on its way: one at a time.
    loading_earlier: StoredValue<bool>,
    /// Whether a person can join now (the team's state, not the socket's).
    pub team_available: RwSignal<bool>,
}

impl MessengerState {
    pub fn new(widget_key: String, team_available: bool) -> Self {
        Self {
            team_available: RwSignal::new(team_available),
            slots: StoredValue::new(Slots::new(&widget_key)),
            widget_key: StoredValue::new(widget_key),
            session: RwSignal::new(None),
            status: RwSignal::new(None),
            agent: RwSignal::new(None),
            conversation: RwSignal::new(Conversation::default()),
            link: RwSignal::new(LinkState::Connecting),
            socket: StoredValue::new(None),
            agent_typing: RwSignal::new(None),
            notice: RwSignal::new(None),
            asked_for_human: RwSignal::new(false),
            is_open: RwSignal::new(true),
            seen_seq: RwSignal::new(0),
            waiting: StoredValue::new(Vec::new()),
            starting: RwSignal::new(false),
            typing_throttle: StoredValue::new(TypingThrottle::default()),
            typing_heard: StoredValue::new(0),
            shown_state_at: StoredValue::new(String::new()),
            loading_earlier: StoredValue::new(false),
        }
    }

    /// After hydration: the read mark, the stored conversation, the host page.
    pub fn resume(self) {
        self.seen_seq.set(self.slots.with_value(Slots::seen));
        if let Some(visitor) = self.slots.with_value(Slots::session) {
            self.connect(visitor);
        }
        host::listen(self.is_open);
        // Before a conversation (and its socket) exists, each opening of the widget asks
        // whether a person can join now; the socket's `team.availability` follows it after.
        Effect::new(move |_| {
            if self.is_open.get() && self.session.with_untracked(Option::is_none) {
                self.ask_team();
            }
        });
    }

    fn on_event(self, event: ServerEvent) {
        match &event {
            ServerEvent::MessageNew { message } => {
                if message.sender.kind == SenderKind::Agent {
                    self.agent_typing.set(None);
                }
                self.conversation.update(|c| {
                    c.apply(&event);
                });
            }
            ServerEvent::StreamStart { .. } | ServerEvent::StreamToken { .. } => {
                self.conversation.update(|c| {
                    c.apply(&event);
                });
            }
            ServerEvent::SessionAssigned { agent, .. } | ServerEvent::AgentJoined { agent, .. } => {
                self.agent.set(Some(agent.clone()));
                self.status.set(Some(SessionStatus::Active));
            }
            ServerEvent::SessionUpdated { session } => self.show_state(session),
            ServerEvent::TeamAvailability { available } => self.team_available.set(*available),
            ServerEvent::Typing {
                sender, is_typing, ..
            } if sender.kind == SenderKind::Agent => {
                let name = sender.name.clone().unwrap_or_else(|| "An agent".into());
                self.agent_typing.set(is_typing.then_some(name));
                self.typing_heard.update_value(|n| *n += 1);
                let heard = self.typing_heard.get_value();
                // The typist's page reminds every few seconds while they type; without a
                // reminder, they stopped (or their page went away).
                later(TYPING_ENDS_AFTER_MS, move || {
                    if self.typing_heard.try_get_value() == Some(heard) {
                        self.agent_typing.set(None);
                    }
                });
            }
            // The hand-over words usually arrive as the assistant's message first (stored, so a
            // reload keeps them): then they are not said twice.
            ServerEvent::HumanEscalationResponse { message } => {
                let said = self.conversation.with(|c| {
                    c.last_message()
                        .is_some_and(|m| m.sender.kind == SenderKind::Ai && &m.content == message)
                });
                if !said {
                    self.notice.set(Some(message.clone()))
                }
            }
            ServerEvent::Error { message, .. } => self.notice.set(Some(message.clone())),
            _ => {}
        }
    }

    /// Opens the conversation's socket, resuming after the last `seq` shown, and sends what
    /// waited for it.
    fn connect(self, visitor: VisitorSession) {
        let key = visitor.session_key.clone();
        // A first connection is live from now on, and the history's newest page comes by
        // REST (`on_open`); a reconnection asks the socket for what it missed.
        let url = move || match self.conversation.with_untracked(Conversation::last_seq) {
            0 => absolute_url(&format!("/ws/public/{key}")),
            after => absolute_url(&format!("/ws/public/{key}?lastSeq={after}")),
        };
        let key = visitor.session_key.clone();
        let handlers = Handlers {
            url: Box::new(url),
            on_open: Box::new(move || self.load_history(key.clone())),
            on_event: Box::new(move |event| self.on_event(event)),
            on_refused: Box::new(move |_| {
                self.notice
                    .set(Some("This chat cannot connect from this page.".into()))
            }),
        };
        let live = socket::connect(handlers, self.link);
        for command in self
            .waiting
            .try_update_value(std::mem::take)
            .unwrap_or_default()
        {
            live.send(command);
        }
        self.socket.set_value(Some(live));
        self.session.set(Some(visitor));
    }

    /// After every (re)connection: the session's status and anything the resume did not
    /// carry (a status change while offline).
    /// Shows where the conversation stands (who answers), unless what is shown is newer.
    fn show_state(self, session: &Session) {
        let at = &session.updated_at.0;
        // RFC 3339 UTC timestamps of one format compare as strings.
        if self.shown_state_at.with_value(|shown| at < shown) {
            return;
        }
        self.shown_state_at.set_value(at.clone());
        self.status.set(Some(session.status));
        self.agent.set(session.assigned_agent.clone());
    }

    fn ask_team(self) {
        let key = self.widget_key.get_value();
        leptos::task::spawn_local(async move {
            if let Ok(config) = api::widget_config(&key).await {
                self.team_available.set(config.team_available);
            }
        });
    }

    /// The messages before the first one shown (the history opens at its newest page).
    pub fn load_earlier(self) {
        let (Some(session), Some(first)) = (
            self.session.get_untracked(),
            self.conversation.with_untracked(Conversation::first_seq),
        ) else {
            return;
        };
        if self.loading_earlier.get_value() {
            return;
        }
        self.loading_earlier.set_value(true);
        leptos::task::spawn_local(async move {
            let page = HistoryPage::Before(first);
            if let Ok(history) = api::session_history(&session.session_key, page).await {
                self.conversation.update(|c| c.load(history.messages));
            }
            self.loading_earlier.set_value(false);
        });
    }

    fn load_history(self, session_key: String) {
        leptos::task::spawn_local(async move {
            match api::session_history(&session_key, HistoryPage::LATEST).await {
                Ok(history) => {
                    self.show_state(&history.session);
                    self.conversation.update(|c| c.load(history.messages));
                }
                // The conversation is gone (deleted): the next message starts a new one.
                Err(RequestError::Rejected { status: 404, .. }) => {
                    self.slots.try_with_value(Slots::forget_session);
                }
                Err(_) => {}
            }
        });
    }

    /// Sends now, or starts the conversation first.
    fn deliver(self, command: ClientCommand) {
        if let Some(live) = self.socket.get_value() {
            live.send(command);
            return;
        }
        self.waiting.update_value(|w| w.push(command));
        if self.starting.get_untracked() {
            return;
        }
        self.starting.set(true);
        let request = StartSessionRequest {
            widget_key: self.widget_key.get_value(),
            visitor: None,
            test: false,
        };
        leptos::task::spawn_local(async move {
            match api::start_session(&request).await {
                Ok(started) => self.begin(started),
                Err(error) => self.notice.set(Some(format!(
                    "Your message could not be sent yet: {error} It will go out with your next one."
                ))),
            }
            self.starting.set(false);
        });
    }

    /// The server started the visitor's conversation: remember it and connect.
    fn begin(self, started: StartSessionResponse) {
        let visitor = VisitorSession {
            session_key: started.session_key,
            session_id: started.session_id,
        };
        self.slots
            .try_with_value(|slots| slots.save_session(&visitor));
        self.notice.set(None);
        self.connect(visitor);
    }

    pub fn send_message(self, content: String) {
        let id = socket::new_client_message_id();
        self.conversation
            .update(|c| c.queue(id.clone(), content.clone()));
        self.deliver(ClientCommand::Chat {
            session_id: None,
            content,
            client_message_id: Some(id),
        });
    }

    /// Tells the agent about the visitor's typing, throttled; only once a conversation exists.
    pub fn send_typing(self, typing: bool) {
        let Some(live) = self.socket.get_value() else {
            return;
        };
        let now = now_ms();
        if self
            .typing_throttle
            .try_update_value(|t| t.should_send(typing, now))
            .unwrap_or(false)
        {
            live.send(ClientCommand::Typing {
                session_id: None,
                is_typing: typing,
            });
        }
    }

    pub fn talk_to_human(self) {
        self.asked_for_human.set(true);
        self.deliver(ClientCommand::HumanEscalation {
            reason: Some("The visitor asked for a person.".into()),
        });
    }

    /// The AI's and agents' messages the visitor has not seen, for the bubble's badge.
    pub fn unread(self) -> usize {
        let seen = self.seen_seq.get();
        self.conversation.with(|c| {
            c.entries()
                .iter()
                .filter(|e| {
                    matches!(e, Entry::Stored(m)
                        if m.seq > seen && matches!(m.sender.kind, SenderKind::Ai | SenderKind::Agent))
                })
                .count()
        })
    }

    /// What the visitor has seen, while the widget is open.
    pub fn mark_seen(self) {
        if self.is_open.get() {
            let last = self.conversation.with(Conversation::last_seq);
            if last > self.seen_seq.get_untracked() {
                self.seen_seq.set(last);
                self.slots.with_value(|slots| slots.save_seen(last));
            }
        }
    }

    /// Who answers here, under the tenant's name.
    /// Who answers, and whether a person can join now (the team's state: someone online and
    /// available).
    pub fn subtitle(self, ai_enabled: bool) -> String {
        let team = self.team_available.get();
        match (self.status.get(), self.agent.get()) {
            (Some(SessionStatus::Active), Some(a)) => format!("Connected to {}", a.name),
            (Some(SessionStatus::Pending), _) if team => "Waiting for a team member…".into(),
            (Some(SessionStatus::Pending), _) => {
                "The team is away right now: we'll reply here as soon as we're back".into()
            }
            (Some(SessionStatus::Closed), _) => "This conversation is closed".to_string(),
            _ if ai_enabled && team => "AI assistant · a person can join".to_string(),
            _ if ai_enabled => "AI assistant · the team is away right now".to_string(),
            _ if team => "The team is here and replies in this chat".to_string(),
            _ => "The team is away right now: leave a message".to_string(),
        }
    }

    /// The connection indicator. Before the first message there is no socket yet, and the
    /// messenger is "Online" all the same.
    pub fn connection(self) -> Indicator {
        if self.session.with(Option::is_none) {
            return LinkState::Live.indicator(ONLINE);
        }
        self.link.with(|link| link.indicator(ONLINE))
    }

    /// The conversation's socket is down: what the visitor sends waits for it.
    pub fn offline(self) -> bool {
        self.session.with(Option::is_some) && self.link.with(|l| *l != LinkState::Live)
    }

    /// "Talk to a human" is offered until the visitor asks, while the AI answers.
    pub fn offers_human(self) -> bool {
        !self.asked_for_human.get() && matches!(self.status.get(), None | Some(SessionStatus::Bot))
    }
}
