//! The visitor across conversations (docs/protocol.md, "History, identity, transcripts"): who
//! they are (the host page's word, and the anonymous visitor's key), the list of their earlier
//! conversations, opening one of them, and starting afresh.
//!
//! Until the host has said who the visitor is, no conversation is shown or listed: the stored
//! one may belong to a customer who has since signed out.

use super::MessengerState;
use crate::app::messenger::host::Identity;
use crate::app::messenger::saved::{Slots, VisitorSession};
use crate::client::conversation::Conversation;
use crate::client::history;
use crate::client::live::LinkState;
use crate::client::typing::TypingThrottle;
use crate::protocol::{
    ConversationSummary, SessionStatus, StartSessionResponse, VisitorCredentials, VisitorIdentity,
    VisitorRequest,
};
use leptos::prelude::*;

/// The visitor's conversations, as far as the messenger knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    /// Not asked yet: the host has not said who the visitor is.
    NotYet,
    Loading,
    /// Newest activity first.
    Loaded(Vec<ConversationSummary>),
    Failed,
}

/// What the messenger shows of the visitor's earlier conversations.
#[derive(Clone, Copy)]
pub struct VisitorHistory {
    pub listing: RwSignal<Listing>,
    /// The list is on screen, in place of the conversation.
    pub shown: RwSignal<bool>,
    /// The conversation being opened, while its key is on its way.
    pub opening: RwSignal<Option<String>>,
    /// Why the last opening did not work.
    pub problem: RwSignal<Option<String>>,
    /// Which request is the latest: an answer to an older one (asked for someone the page no
    /// longer says the visitor is) is dropped.
    round: StoredValue<u64>,
}

impl VisitorHistory {
    pub fn new() -> Self {
        Self {
            listing: RwSignal::new(Listing::NotYet),
            shown: RwSignal::new(false),
            opening: RwSignal::new(None),
            problem: RwSignal::new(None),
            round: StoredValue::new(0),
        }
    }

    fn next_round(self) -> u64 {
        self.round.update_value(|n| *n += 1);
        self.round.get_value()
    }

    fn is_round(self, round: u64) -> bool {
        self.round.try_get_value() == Some(round)
    }
}

impl MessengerState {
    /// Who visitor-level calls are about: the stored visitor key, and the customer the host
    /// page vouches for.
    pub(super) fn credentials(self) -> VisitorCredentials {
        VisitorCredentials {
            visitor_key: self.slots.with_value(Slots::visitor_key),
            identity: self.customer(),
        }
    }

    fn customer(self) -> Option<VisitorIdentity> {
        self.host.identity.with_untracked(|i| i.customer().cloned())
    }

    /// From the host's word on: the stored conversation when it is this visitor's, and the
    /// list of their conversations; again each time the page says someone else is signed in.
    pub(super) fn follow_identity(self) {
        Effect::new(move |before: Option<Identity>| {
            let identity = self.host.identity.get();
            if identity.is_known() {
                if before.as_ref().is_none_or(|b| !b.is_known()) {
                    self.resume_conversation(&identity);
                } else if before.as_ref() != Some(&identity) {
                    self.identity_changed(&identity);
                }
            }
            identity
        });
    }

    fn resume_conversation(self, identity: &Identity) {
        match self.slots.with_value(Slots::session) {
            Some(saved) if saved.shown_to(identity.user_id()) => self.connect(saved),
            Some(_) => self.forget_saved(),
            None => {}
        }
        self.list_conversations();
    }

    /// The page says another customer is signed in, or nobody: a conversation of someone else's
    /// goes, and the list is asked again for whoever this is.
    fn identity_changed(self, identity: &Identity) {
        let kept = self
            .session
            .with_untracked(|s| s.as_ref().is_none_or(|s| s.shown_to(identity.user_id())));
        if !kept {
            self.drop_conversation();
        }
        self.history.listing.set(Listing::NotYet);
        self.list_conversations();
    }

    /// Asks for the visitor's conversations (what was listed stays until the answer).
    pub fn list_conversations(self) {
        if !self.host.identity.with_untracked(Identity::is_known) {
            return;
        }
        let round = self.history.next_round();
        let credentials = self.credentials();
        if credentials.visitor_key.is_none() && credentials.identity.is_none() {
            // Nothing is stored for a visitor who has not written yet.
            self.history.listing.set(Listing::Loaded(Vec::new()));
            return;
        }
        let listed = self
            .history
            .listing
            .with_untracked(|l| matches!(l, Listing::Loaded(_)));
        if !listed {
            self.history.listing.set(Listing::Loading);
        }
        let request = VisitorRequest {
            widget_key: self.widget_key.get_value(),
            credentials,
        };
        leptos::task::spawn_local(async move {
            let answer = history::visitor_conversations(&request).await;
            if !self.history.is_round(round) {
                return;
            }
            match answer {
                Ok(found) => {
                    let sent = request.credentials.visitor_key;
                    self.slots.try_with_value(|s| {
                        keep_key(s, sent.as_deref(), found.visitor_key.as_deref())
                    });
                    if found.verified {
                        let user_id = request.credentials.identity.map(|i| i.user_id);
                        self.adopt_current(user_id, &found.conversations);
                    }
                    self.history
                        .listing
                        .set(Listing::Loaded(found.conversations));
                }
                Err(_) => self.history.listing.set(Listing::Failed),
            }
        });
    }

    /// The anonymous conversation on screen became the signed-in customer's (their key's
    /// conversations move to them): from now on it is shown to them only.
    fn adopt_current(self, user_id: Option<String>, found: &[ConversationSummary]) {
        let (Some(user_id), Some(mut held)) = (user_id, self.session.get_untracked()) else {
            return;
        };
        if held.user_id.is_none() && found.iter().any(|c| c.session_id == held.session_id) {
            held.user_id = Some(user_id);
            self.slots.try_with_value(|s| s.save_session(&held));
            self.session.set(Some(held));
        }
    }

    /// The visitor's conversations but the one on screen, newest first, as far as known.
    pub fn earlier(self) -> Listing {
        let current = self
            .session
            .with(|s| s.as_ref().map(|s| s.session_id.clone()));
        self.history.listing.with(|listing| match listing {
            Listing::Loaded(all) => Listing::Loaded(
                all.iter()
                    .filter(|c| Some(&c.session_id) != current.as_ref())
                    .cloned()
                    .collect(),
            ),
            other => other.clone(),
        })
    }

    /// Shows or hides the list; shown, it is asked again (the conversation just left is in it).
    pub fn show_history(self, shown: bool) {
        self.history.problem.set(None);
        self.history.shown.set(shown);
        if shown {
            self.list_conversations();
        }
    }

    /// Makes one of the visitor's earlier conversations the current one: a key of its own,
    /// kept as a new conversation's is, then its history and socket.
    pub fn open_earlier(self, session_id: String) {
        // One at a time, and not while a first message is starting a conversation.
        if self.history.opening.with_untracked(Option::is_some) || self.starting.get_untracked() {
            return;
        }
        self.history.opening.set(Some(session_id.clone()));
        self.history.problem.set(None);
        let request = VisitorRequest {
            widget_key: self.widget_key.get_value(),
            credentials: self.credentials(),
        };
        leptos::task::spawn_local(async move {
            let answer = history::open_conversation(&session_id, &request).await;
            match answer {
                Ok(opened) => {
                    self.drop_conversation();
                    let VisitorCredentials {
                        visitor_key,
                        identity,
                    } = request.credentials;
                    self.hold(opened, visitor_key, identity.map(|i| i.user_id));
                    self.history.shown.set(false);
                }
                Err(error) => self.history.problem.set(Some(format!(
                    "This conversation could not be opened: {error}"
                ))),
            }
            self.history.opening.set(None);
        });
    }

    /// The server started or opened the visitor's conversation: keep it (with the customer it
    /// belongs to, when the server verified them) and the visitor key, and connect.
    pub(super) fn hold(
        self,
        started: StartSessionResponse,
        sent_key: Option<String>,
        user_id: Option<String>,
    ) {
        let visitor = VisitorSession {
            session_key: started.session_key,
            session_id: started.session_id,
            user_id: user_id.filter(|_| started.verified),
        };
        self.slots.try_with_value(|slots| {
            slots.save_session(&visitor);
            keep_key(slots, sent_key.as_deref(), started.visitor_key.as_deref());
        });
        self.notice.set(None);
        self.connect(visitor);
    }

    /// "Start a new conversation": the current one is let go (the next message starts
    /// another, for the same visitor), the greeting shows again, and the list has the one left.
    pub fn start_new(self) {
        self.drop_conversation();
        self.history.shown.set(false);
        self.list_conversations();
        self.ask_team();
    }

    /// Lets go of the conversation on screen: its socket, what it showed and what waited for
    /// it, and its slot in localStorage.
    pub(super) fn drop_conversation(self) {
        if let Some(live) = self.socket.try_update_value(Option::take).flatten() {
            live.stop();
        }
        // Whatever the old socket or an old answer still says is not this conversation's.
        self.link_round.update_value(|n| *n += 1);
        self.session.set(None);
        self.status.set(None);
        self.agent.set(None);
        self.conversation.set(Conversation::default());
        self.link.set(LinkState::Connecting);
        self.agent_typing.set(None);
        self.notice.set(None);
        self.asked_for_human.set(false);
        self.contact.set(None);
        self.team_read_seq.set(0);
        self.reported_seq.set_value(0);
        self.shown_state_at.set_value(String::new());
        self.waiting.set_value(Vec::new());
        self.typing_throttle.set_value(TypingThrottle::default());
        self.forget_saved();
    }

    /// Forgets the stored conversation and its read mark (the next one starts at `seq` 1).
    fn forget_saved(self) {
        self.slots.try_with_value(|slots| {
            slots.forget_session();
            slots.save_seen(0);
        });
        self.seen_seq.set(0);
    }

    /// There is a conversation on screen.
    pub fn has_conversation(self) -> bool {
        self.session.with(Option::is_some)
    }

    /// The conversation on screen has ended (an agent closed it); writing reopens it.
    pub fn is_closed(self) -> bool {
        self.has_conversation() && self.status.get() == Some(SessionStatus::Closed)
    }

    /// Where the conversation on screen downloads as text.
    pub fn transcript_url(self) -> Option<String> {
        self.session
            .with(|s| s.as_ref().map(|s| history::transcript_url(&s.session_key)))
    }

    /// The signed-in customer's name, as the shop's page gives it, for the greeting.
    pub fn customer_name(self) -> Option<String> {
        self.host
            .identity
            .with(|i| i.customer().and_then(|c| c.name.clone()))
            .filter(|name| !name.trim().is_empty())
    }
}

/// Keeps the visitor key an answer hands back. None back means the key sent is unknown (or a
/// verified customer needs none): it is forgotten, unless another answer stored a newer one
/// meanwhile.
fn keep_key(slots: &Slots, sent: Option<&str>, got: Option<&str>) {
    match got {
        Some(key) => slots.keep_visitor_key(Some(key)),
        None if slots.visitor_key().as_deref() == sent => slots.forget_visitor_key(),
        None => {}
    }
}
