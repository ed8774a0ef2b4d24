//! The messenger's state and what it does: the visitor's conversation, started on the first
//! message, its socket, and what the header and footer show. `history` is the visitor across
//! conversations (who they are, their earlier ones), `visit` where they are.

mod history;
mod visit;

pub use history::Listing;
use history::VisitorHistory;

use super::host::{self, HostReports};
use super::saved::{Slots, VisitorSession};
use super::EmailLink;
use crate::app::chat::Draft;
use crate::client::api::{self, HistoryPage, RequestError};
use crate::client::conversation::{Conversation, Entry};
use crate::client::live::{Indicator, LinkState};
use crate::client::socket::{self, Handlers, Socket};
use crate::client::time::when_back;
use crate::client::transport::absolute_url;
use crate::client::typing::{later, now_ms, TypingThrottle, TYPING_ENDS_AFTER_MS};
use crate::client::visibility::page_visible;
use crate::protocol::{
    AgentRef, ClientCommand, SenderKind, ServerEvent, Session, SessionStatus, StartSessionRequest,
    TeamState,
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
    /// What the host page reports: where the visitor is, and that they use the page.
    host: HostReports,
    /// When the server last heard that the visitor is using the page (ms since the epoch).
    told_active_at: StoredValue<f64>,
    /// The host page is in front of the visitor: what arrives meanwhile is seen.
    page_visible: Signal<bool>,
    /// The last `seq` the visitor has seen here (the bubble's badge counts after it).
    seen_seq: RwSignal<u64>,
    /// The last `seq` the server knows the visitor has seen (their read receipt).
    reported_seq: StoredValue<u64>,
    /// The furthest `seq` an agent has read: "Seen" under the visitor's messages up to it.
    pub team_read_seq: RwSignal<u64>,
    /// Counts the conversations held: a socket or an answer of one let go is not listened to.
    link_round: StoredValue<u64>,
    /// The visitor's earlier conversations, and the list of them on screen.
    pub history: VisitorHistory,
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
    /// When the team is back, as the page was served (RFC 3339), for after hydration.
    first_back_at: StoredValue<Option<String>>,
    /// Whether a person can join now (the team's state, not the socket's).
    pub team_available: RwSignal<bool>,
    /// Out of office hours: when the team is back, in the visitor's own time ("on Monday at
    /// 08:00"); worked out in the browser, which knows the visitor's time zone.
    pub back_at: RwSignal<Option<String>>,
    /// The email address the visitor left for a reply, once they did.
    pub contact: RwSignal<Option<String>>,
    /// The address is on its way to the server.
    pub sending_contact: RwSignal<bool>,
}

impl MessengerState {
    pub fn new(widget_key: String, team: TeamState) -> Self {
        Self {
            team_available: RwSignal::new(team.available),
            back_at: RwSignal::new(None),
            contact: RwSignal::new(None),
            sending_contact: RwSignal::new(false),
            first_back_at: StoredValue::new(team.back_at),
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
            page_visible: page_visible(),
            host: HostReports::new(),
            told_active_at: StoredValue::new(0.0),
            seen_seq: RwSignal::new(0),
            reported_seq: StoredValue::new(0),
            team_read_seq: RwSignal::new(0),
            link_round: StoredValue::new(0),
            history: VisitorHistory::new(),
            waiting: StoredValue::new(Vec::new()),
            starting: RwSignal::new(false),
            typing_throttle: StoredValue::new(TypingThrottle::default()),
            typing_heard: StoredValue::new(0),
            shown_state_at: StoredValue::new(String::new()),
            loading_earlier: StoredValue::new(false),
        }
    }

    /// Opened from a follow-up email: its conversation becomes the one this messenger holds
    /// (before [`Self::resume`] reads it), or the visitor is told the link is too old.
    pub fn follow_link(self, link: EmailLink) {
        match link {
            EmailLink::Opens {
                session_key,
                session_id,
            } => {
                let visitor = VisitorSession {
                    session_key,
                    session_id,
                    user_id: None,
                };
                self.slots.with_value(|slots| {
                    // Another conversation's read mark would hide this one's unread answers.
                    if slots
                        .session()
                        .is_none_or(|known| known.session_id != visitor.session_id)
                    {
                        slots.save_seen(0);
                    }
                    slots.save_session(&visitor);
                });
                forget_link_in_address();
            }
            EmailLink::Expired => self.notice.set(Some(
                "This link has expired. Write here and the team will answer.".into(),
            )),
        }
    }

    /// After hydration: the read mark, the host page, and once it says who the visitor is,
    /// the stored conversation and the list of earlier ones.
    pub fn resume(self) {
        self.seen_seq.set(self.slots.with_value(Slots::seen));
        self.show_back_at(self.first_back_at.get_value().as_deref());
        self.follow_identity();
        host::listen(self.is_open, self.host);
        self.follow_visit();
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
            ServerEvent::TeamAvailability { available, back_at } => {
                self.team_available.set(*available);
                self.show_back_at(back_at.as_deref());
            }
            ServerEvent::Read { reader, seq, .. } if reader.kind == SenderKind::Agent => {
                self.team_read_seq.update(|s| *s = (*s).max(*seq));
            }
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
        let round = self.link_round.get_value();
        let current = move || self.link_round.try_get_value() == Some(round);
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
            on_open: Box::new(move || {
                if current() {
                    self.load_history(key.clone())
                }
            }),
            on_event: Box::new(move |event| {
                if current() {
                    self.on_event(event)
                }
            }),
            on_refused: Box::new(move |_| {
                if current() {
                    self.notice
                        .set(Some("This chat cannot connect from this page.".into()))
                }
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
        self.team_read_seq
            .update(|s| *s = (*s).max(session.team_read_seq));
        self.status.set(Some(session.status));
        self.agent.set(session.assigned_agent.clone());
    }

    fn ask_team(self) {
        let key = self.widget_key.get_value();
        leptos::task::spawn_local(async move {
            if let Ok(config) = api::widget_config(&key).await {
                self.team_available.set(config.team_available);
                self.show_back_at(config.back_at.as_deref());
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
            let answer = api::session_history(&session_key, HistoryPage::LATEST).await;
            // The visitor may have moved to another conversation meanwhile.
            let held = self
                .session
                .try_with_untracked(|s| s.as_ref().is_some_and(|s| s.session_key == session_key));
            if held != Some(true) {
                return;
            }
            match answer {
                Ok(history) => {
                    // After each (re)connection: what the server has; a receipt sent while
                    // the socket was down is sent again.
                    self.reported_seq
                        .set_value(history.session.visitor_read_seq);
                    self.contact.set(history.session.visitor.email.clone());
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
        self.start();
    }

    /// Starts the visitor's conversation, once: for their first message, or for a file they
    /// attach before writing anything (a file belongs to a conversation).
    pub fn start(self) {
        if self.socket.with_value(Option::is_some) || self.starting.get_untracked() {
            return;
        }
        self.starting.set(true);
        let request = StartSessionRequest {
            widget_key: self.widget_key.get_value(),
            visitor: None,
            test: false,
            credentials: self.credentials(),
        };
        leptos::task::spawn_local(async move {
            let answer = api::start_session(&request).await;
            match answer {
                Ok(started) => {
                    let credentials = request.credentials;
                    let user_id = credentials.identity.map(|i| i.user_id);
                    self.hold(started, credentials.visitor_key, user_id);
                }
                // Only files were waiting for it: they stay in the tray until removed.
                Err(error) if self.waiting.try_with_value(Vec::is_empty).unwrap_or(true) => {
                    self.notice.set(Some(format!(
                        "Your file could not be sent yet: {error} Then remove it and attach it again."
                    )))
                }
                Err(error) => self.notice.set(Some(format!(
                    "Your message could not be sent yet: {error} It will go out with your next one."
                ))),
            }
            self.starting.set(false);
        });
    }

    /// The key of the visitor's conversation, once there is one: where their files go.
    pub fn session_key(self) -> Option<String> {
        self.session
            .with(|s| s.as_ref().map(|s| s.session_key.clone()))
    }

    /// The visitor's message: shown as "sending" at once, delivered with the ids of its files.
    pub fn send_message(self, draft: Draft) {
        let Draft {
            content,
            attachments,
        } = draft;
        let id = socket::new_client_message_id();
        let ids = attachments.iter().map(|a| a.id.clone()).collect();
        self.conversation
            .update(|c| c.queue(id.clone(), content.clone(), attachments));
        self.deliver(ClientCommand::Chat {
            session_id: None,
            content,
            client_message_id: Some(id),
            attachments: ids,
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

    fn show_back_at(self, back_at: Option<&str>) {
        self.back_at.set(back_at.and_then(when_back));
    }

    /// Out of hours or with nobody here, a visitor in a conversation is asked where to reply,
    /// until they say.
    pub fn asks_for_contact(self) -> bool {
        !self.team_available.get()
            && self.session.with(Option::is_some)
            && self.contact.with(Option::is_none)
    }

    /// Leaves the visitor's email address for a reply.
    pub fn leave_contact(self, email: String) {
        let Some(session) = self.session.get_untracked() else {
            return;
        };
        self.sending_contact.set(true);
        leptos::task::spawn_local(async move {
            match api::leave_contact(&session.session_key, &email).await {
                Ok(_) => {
                    self.contact.set(Some(email));
                    self.notice.set(None);
                }
                Err(error) => self.notice.set(Some(error.to_string())),
            }
            self.sending_contact.set(false);
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

    /// What the visitor has seen: everything, while the widget is open and the page visible.
    pub fn mark_seen(self) {
        if !(self.is_open.get() && self.page_visible.get()) {
            return;
        }
        let last = self.conversation.with(Conversation::last_seq);
        if last > self.seen_seq.get_untracked() {
            self.seen_seq.set(last);
            self.slots.with_value(|slots| slots.save_seen(last));
        }
        self.report_seen(last);
    }

    /// Tells the team how far the visitor has seen (their "Seen"), once per new mark, over
    /// the conversation's socket.
    fn report_seen(self, last: u64) {
        let Some(live) = self.socket.get_value() else {
            return;
        };
        if last > self.reported_seq.get_value() && self.link.get_untracked() == LinkState::Live {
            self.reported_seq.set_value(last);
            live.send(ClientCommand::Read {
                session_id: None,
                seq: last,
            });
        }
    }

    /// Who answers, and whether a person can join now (the team's state: within its hours,
    /// someone online and available), or when the team is back.
    pub fn subtitle(self, ai_enabled: bool) -> String {
        use SessionStatus::{Active, Closed, Pending};
        let team = self.team_available.get();
        let back = if team { None } else { self.back_at.get() };
        match (self.status.get(), self.agent.get(), back) {
            (Some(Active), Some(a), _) => format!("Connected to {}", a.name),
            (Some(Closed), _, _) => "This conversation is closed".to_string(),
            (Some(Pending), _, Some(when)) => {
                format!("The team is back {when}: we'll reply here then")
            }
            (Some(Pending), _, None) if team => "Waiting for a team member…".into(),
            (Some(Pending), _, None) => {
                "The team is away right now: we'll reply here as soon as we're back".into()
            }
            (_, _, Some(when)) if ai_enabled => format!("AI assistant · the team is back {when}"),
            (_, _, Some(when)) => format!("The team is back {when}: leave a message"),
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

/// The link's key leaves the address bar (and the history) once the messenger keeps it.
fn forget_link_in_address() {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let path = window.location().pathname().unwrap_or_default();
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
        }
    }
}
