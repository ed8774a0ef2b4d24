//! The dashboard's inbox: the tenant's conversations, newest activity first, a page at a time
//! (open ones and closed ones, each with the address of its next page), kept up to date by the
//! events of the agent's socket. Unread counts come from the server when the list is fetched
//! and grow here with each customer message of a conversation that is not open.

use crate::protocol::{SenderKind, ServerEvent};
use crate::protocol::{Session, SessionStatus, Visit};

/// The inbox's views; each means one thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// Waiting for a person, held by nobody (`pending`, unassigned).
    Unassigned,
    /// The assistant has it (`bot`).
    Ai,
    /// Open, held by the signed-in agent.
    Mine,
    /// Every open conversation.
    Open,
    Closed,
}

impl Filter {
    pub const ALL: [Filter; 5] = [
        Filter::Unassigned,
        Filter::Ai,
        Filter::Mine,
        Filter::Open,
        Filter::Closed,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Filter::Unassigned => "Unassigned",
            Filter::Ai => "AI",
            Filter::Mine => "Mine",
            Filter::Open => "All open",
            Filter::Closed => "Closed",
        }
    }

    pub fn admits(self, session: &Session, me: &str) -> bool {
        let status = session.status;
        let held_by_me = session.assigned_agent.as_ref().is_some_and(|a| a.id == me);
        match self {
            Filter::Unassigned => {
                status == SessionStatus::Pending && session.assigned_agent.is_none()
            }
            Filter::Ai => status == SessionStatus::Bot,
            Filter::Mine => status != SessionStatus::Closed && held_by_me,
            Filter::Open => status != SessionStatus::Closed,
            Filter::Closed => status == SessionStatus::Closed,
        }
    }
}

/// What an event meant for the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Changed,
    Unchanged,
    /// The event names a conversation this list has never seen: fetch the list again.
    Unknown,
}

/// The first pages of the inbox, as fetched after sign-in and after every reconnect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxPages {
    pub open: Vec<Session>,
    /// The address of the next page of open conversations, if there are more.
    pub next_open: Option<String>,
    pub closed: Vec<Session>,
    pub next_closed: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inbox {
    sessions: Vec<Session>,
    next_open: Option<String>,
    next_closed: Option<String>,
    /// A next page is on its way.
    pub loading: bool,
}

impl Inbox {
    /// Replaces the list with a fresh fetch. What the socket told since the fetch began stays:
    /// a session known in a newer state than fetched keeps it, and one updated after everything
    /// fetched (started while the fetch was under way) is kept.
    pub fn replace_all(&mut self, pages: InboxPages) {
        let fetched: Vec<Session> = pages.open.into_iter().chain(pages.closed).collect();
        let newest = fetched
            .iter()
            .map(|s| s.updated_at.0.clone())
            .max()
            .unwrap_or_default();
        let mut known = std::mem::take(&mut self.sessions);
        known.retain(|s| match fetched.iter().find(|f| f.id == s.id) {
            Some(f) => s.updated_at.0 > f.updated_at.0,
            None => s.updated_at.0 > newest,
        });
        self.sessions = known;
        self.next_open = pages.next_open;
        self.next_closed = pages.next_closed;
        self.add_page(fetched);
    }

    /// Adds a next page of `filter`'s list; `next` is the address of the one after it.
    pub fn append_page(&mut self, filter: Filter, sessions: Vec<Session>, next: Option<String>) {
        match filter {
            Filter::Closed => self.next_closed = next,
            _ => self.next_open = next,
        }
        self.add_page(sessions);
    }

    /// Fetched sessions join the list; one this list knows in a newer state keeps it.
    fn add_page(&mut self, sessions: Vec<Session>) {
        for session in sessions {
            match self.sessions.iter_mut().find(|s| s.id == session.id) {
                Some(known) if known.updated_at.0 > session.updated_at.0 => {}
                Some(known) => *known = session,
                None => self.sessions.push(session),
            }
        }
        self.sort();
    }

    /// Where the next page of `filter`'s list is, if it has more.
    pub fn next_page(&self, filter: Filter) -> Option<&str> {
        match filter {
            Filter::Closed => self.next_closed.as_deref(),
            _ => self.next_open.as_deref(),
        }
    }

    /// Whether every conversation of `filter` is here (its count is then exact).
    pub fn complete(&self, filter: Filter) -> bool {
        self.next_page(filter).is_none()
    }

    pub fn get(&self, id: &str) -> Option<&Session> {
        self.sessions.iter().find(|s| s.id == id)
    }

    pub fn view(&self, filter: Filter, me: &str) -> Vec<Session> {
        self.sessions
            .iter()
            .filter(|s| filter.admits(s, me))
            .cloned()
            .collect()
    }

    pub fn count(&self, filter: Filter, me: &str) -> usize {
        self.sessions
            .iter()
            .filter(|s| filter.admits(s, me))
            .count()
    }

    /// What waits for agent `me`: conversations in the queue, and theirs with unread messages.
    pub fn waiting_for(&self, me: &str) -> usize {
        self.sessions
            .iter()
            .filter(|s| {
                let queued = s.status == SessionStatus::Pending && s.assigned_agent.is_none();
                let mine_unread = s.status == SessionStatus::Active
                    && s.unread_count > 0
                    && s.assigned_agent.as_ref().is_some_and(|a| a.id == me);
                !s.test && (queued || mine_unread)
            })
            .count()
    }

    pub fn mark_read(&mut self, id: &str) {
        if let Some(session) = self.sessions.iter_mut().find(|s| s.id == id) {
            session.unread_count = 0;
        }
    }

    /// What the visitor's widget last reported (`visitor.visit`) replaces what the conversation
    /// knew. Not activity: the list keeps its order. False for a conversation not listed here
    /// (nothing to fetch for it: the visit comes with the session when it is listed).
    pub fn set_visit(&mut self, session_id: &str, visit: Visit) -> bool {
        let Some(session) = self.sessions.iter_mut().find(|s| s.id == session_id) else {
            return false;
        };
        session.visit = Some(visit);
        true
    }

    /// Applies an event of the agent's socket; `open` is the conversation on screen, whose
    /// messages are read as they arrive.
    pub fn apply(&mut self, event: &ServerEvent, open: Option<&str>) -> Applied {
        match event {
            ServerEvent::SessionStarted { session } | ServerEvent::SessionUpdated { session } => {
                self.upsert(session.clone());
                Applied::Changed
            }
            ServerEvent::MessageNew { message } => {
                let Some(session) = self
                    .sessions
                    .iter_mut()
                    .find(|s| s.id == message.session_id)
                else {
                    return Applied::Unknown;
                };
                if session
                    .last_message
                    .as_ref()
                    .is_some_and(|last| last.seq >= message.seq)
                {
                    return Applied::Unchanged;
                }
                if message.sender.kind == SenderKind::Customer
                    && open != Some(message.session_id.as_str())
                {
                    session.unread_count += 1;
                }
                session.updated_at = message.created_at.clone();
                session.last_message = Some(message.clone());
                self.sort();
                Applied::Changed
            }
            ServerEvent::Read {
                session_id,
                reader,
                seq,
            } => {
                let Some(session) = self.sessions.iter_mut().find(|s| &s.id == session_id) else {
                    return Applied::Unchanged;
                };
                let mark = match reader.kind {
                    SenderKind::Customer => &mut session.visitor_read_seq,
                    _ => &mut session.team_read_seq,
                };
                if *seq <= *mark {
                    return Applied::Unchanged;
                }
                *mark = *seq;
                Applied::Changed
            }
            ServerEvent::SessionAssigned { session_id, agent }
            | ServerEvent::AgentJoined { session_id, agent } => {
                let Some(session) = self.sessions.iter_mut().find(|s| &s.id == session_id) else {
                    return Applied::Unknown;
                };
                session.assigned_agent = Some(agent.clone());
                session.status = SessionStatus::Active;
                Applied::Changed
            }
            _ => Applied::Unchanged,
        }
    }

    /// Broadcast copies of a session carry no per-agent unread count and may lack the last
    /// message: keep what this list knows.
    fn upsert(&mut self, mut session: Session) {
        if let Some(known) = self.sessions.iter_mut().find(|s| s.id == session.id) {
            session.unread_count = known.unread_count;
            // Read marks only move forward; a copy read before the latest `chat.read` lags.
            session.visitor_read_seq = session.visitor_read_seq.max(known.visitor_read_seq);
            session.team_read_seq = session.team_read_seq.max(known.team_read_seq);
            if session.last_message.is_none() {
                session.last_message = known.last_message.take();
            }
            // A visit is never forgotten on the server: a copy without one predates it.
            if session.visit.is_none() {
                session.visit = known.visit.take();
            }
            *known = session;
        } else {
            self.sessions.push(session);
        }
        self.sort();
    }

    fn sort(&mut self) {
        // RFC 3339 UTC timestamps of one format sort as strings.
        self.sessions
            .sort_by(|a, b| b.updated_at.0.cmp(&a.updated_at.0).then(b.id.cmp(&a.id)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{AgentRef, Message, Sender, Timestamp, Visitor};

    fn session(id: &str, at: &str) -> Session {
        Session {
            id: id.into(),
            status: SessionStatus::Bot,
            assigned_agent: None,
            visitor: Visitor::default(),
            last_message: None,
            unread_count: 0,
            visitor_read_seq: 0,
            team_read_seq: 0,
            visit: None,
            created_at: Timestamp(at.into()),
            updated_at: Timestamp(at.into()),
            test: false,
            visitor_id: None,
            verified_user_id: None,
        }
    }

    fn customer_message(session: &str, seq: u64, at: &str) -> ServerEvent {
        ServerEvent::MessageNew {
            message: Message {
                id: format!("{session}-{seq}"),
                session_id: session.into(),
                seq,
                client_message_id: None,
                sender: Sender {
                    kind: SenderKind::Customer,
                    id: None,
                    name: None,
                },
                content: "hi".into(),
                created_at: Timestamp(at.into()),
                offers_human: false,
                source: None,
                attachments: Vec::new(),
            },
        }
    }

    fn pages(open: Vec<Session>) -> InboxPages {
        InboxPages {
            open,
            ..InboxPages::default()
        }
    }

    fn ids(inbox: &Inbox, filter: Filter) -> Vec<String> {
        inbox.view(filter, "me").into_iter().map(|s| s.id).collect()
    }

    #[test]
    fn new_messages_reorder_the_inbox_and_count_unread_unless_open() {
        let mut inbox = Inbox::default();
        inbox.replace_all(pages(vec![
            session("a", "2026-11-23T10:00:00.000Z"),
            session("b", "2026-11-23T11:00:00.000Z"),
        ]));
        assert_eq!(ids(&inbox, Filter::Open), ["b", "a"]);
        let event = customer_message("a", 1, "2026-11-23T12:00:00.000Z");
        assert_eq!(inbox.apply(&event, None), Applied::Changed);
        // The same message again (a catch-up overlapping the live event) counts once.
        assert_eq!(inbox.apply(&event, None), Applied::Unchanged);
        assert_eq!(ids(&inbox, Filter::Open), ["a", "b"]);
        assert_eq!(inbox.get("a").unwrap().unread_count, 1);
        inbox.apply(
            &customer_message("a", 2, "2026-11-23T12:01:00.000Z"),
            Some("a"),
        );
        assert_eq!(inbox.get("a").unwrap().unread_count, 1);
        assert_eq!(
            inbox.apply(&customer_message("zz", 1, "2026-11-23T12:02:00.000Z"), None),
            Applied::Unknown
        );
    }

    #[test]
    fn pages_add_up_and_a_refetch_keeps_what_the_socket_said_since() {
        let mut inbox = Inbox::default();
        inbox.replace_all(InboxPages {
            open: vec![session("b", "2026-11-23T11:00:00.000Z")],
            next_open: Some("/api/v1/chat/sessions?view=open&before=x".into()),
            ..InboxPages::default()
        });
        assert!(!inbox.complete(Filter::Open) && inbox.complete(Filter::Closed));
        assert_eq!(
            inbox.next_page(Filter::Mine),
            Some("/api/v1/chat/sessions?view=open&before=x")
        );
        inbox.append_page(
            Filter::Open,
            vec![session("a", "2026-11-23T10:00:00.000Z")],
            None,
        );
        assert_eq!(ids(&inbox, Filter::Open), ["b", "a"]);
        assert!(inbox.complete(Filter::Open));

        // While a refetch is under way: "c" starts, "a" is taken (newer than fetched).
        let taken = Session {
            status: SessionStatus::Active,
            updated_at: Timestamp("2026-11-23T12:00:00.000Z".into()),
            ..session("a", "2026-11-23T10:00:00.000Z")
        };
        inbox.apply(&ServerEvent::SessionUpdated { session: taken }, None);
        inbox.apply(
            &ServerEvent::SessionStarted {
                session: session("c", "2026-11-23T12:01:00.000Z"),
            },
            None,
        );
        inbox.replace_all(pages(vec![
            session("b", "2026-11-23T11:00:00.000Z"),
            session("a", "2026-11-23T10:00:00.000Z"),
        ]));
        assert_eq!(ids(&inbox, Filter::Open), ["c", "a", "b"]);
        assert_eq!(inbox.get("a").unwrap().status, SessionStatus::Active);
    }

    #[test]
    fn assignment_moves_a_conversation_from_the_ai_to_mine() {
        let mut inbox = Inbox::default();
        inbox.apply(
            &ServerEvent::SessionStarted {
                session: session("a", "2026-11-23T10:00:00.000Z"),
            },
            None,
        );
        assert_eq!(ids(&inbox, Filter::Ai), ["a"]);
        let agent = AgentRef {
            id: "me".into(),
            name: "Me".into(),
        };
        inbox.apply(
            &ServerEvent::SessionAssigned {
                session_id: "a".into(),
                agent,
            },
            None,
        );
        assert!(ids(&inbox, Filter::Ai).is_empty());
        assert_eq!(ids(&inbox, Filter::Mine), ["a"]);
        assert_eq!(inbox.get("a").unwrap().status, SessionStatus::Active);
    }

    #[test]
    fn what_waits_is_the_queue_and_my_unread_conversations() {
        let held = |id: &str, by: &str, unread: u64| Session {
            status: SessionStatus::Active,
            assigned_agent: Some(AgentRef {
                id: by.into(),
                name: by.into(),
            }),
            unread_count: unread,
            ..session(id, "2026-11-23T10:00:00.000Z")
        };
        let queued = Session {
            status: SessionStatus::Pending,
            ..session("q", "2026-11-23T10:00:00.000Z")
        };
        let mut inbox = Inbox::default();
        inbox.replace_all(pages(vec![
            queued,
            held("mine", "me", 2),
            held("read", "me", 0),
            held("theirs", "bob", 5),
            session("ai", "2026-11-23T10:00:00.000Z"),
        ]));
        assert_eq!(inbox.waiting_for("me"), 2);
    }

    #[test]
    fn read_marks_only_move_forward() {
        let mut inbox = Inbox::default();
        inbox.replace_all(pages(vec![session("a", "2026-11-23T10:00:00.000Z")]));
        let read = |kind, seq| ServerEvent::Read {
            session_id: "a".into(),
            reader: Sender {
                kind,
                id: None,
                name: None,
            },
            seq,
        };
        assert_eq!(
            inbox.apply(&read(SenderKind::Customer, 3), None),
            Applied::Changed
        );
        assert_eq!(
            inbox.apply(&read(SenderKind::Customer, 2), None),
            Applied::Unchanged
        );
        inbox.apply(&read(SenderKind::Agent, 2), None);
        // A copy of the session fetched before those events keeps the newer marks.
        inbox.apply(
            &ServerEvent::SessionUpdated {
                session: session("a", "2026-11-23T10:00:01.000Z"),
            },
            None,
        );
        let a = inbox.get("a").unwrap();
        assert_eq!((a.visitor_read_seq, a.team_read_seq), (3, 2));
    }

    #[test]
    fn a_visit_replaces_the_last_one_and_outlives_copies_without_it() {
        let mut inbox = Inbox::default();
        inbox.replace_all(pages(vec![
            session("a", "2026-11-23T10:00:00.000Z"),
            session("b", "2026-11-23T11:00:00.000Z"),
        ]));
        let visit = |url: &str| Visit {
            page_url: Some(url.into()),
            ..Visit::default()
        };
        assert!(inbox.set_visit("a", visit("https://shop.example/mugs")));
        assert!(inbox.set_visit("a", visit("https://shop.example/cart")));
        assert!(!inbox.set_visit("zz", visit("https://shop.example/")));
        let a = inbox.get("a").unwrap();
        assert_eq!(a.visit, Some(visit("https://shop.example/cart")));
        // Not activity: the order stays.
        assert_eq!(ids(&inbox, Filter::Open), ["b", "a"]);
        // A broadcast copy without the visit keeps the one known.
        inbox.apply(
            &ServerEvent::SessionUpdated {
                session: session("a", "2026-11-23T10:00:01.000Z"),
            },
            None,
        );
        assert_eq!(
            inbox.get("a").unwrap().visit,
            Some(visit("https://shop.example/cart"))
        );
    }

    #[test]
    fn each_view_means_one_thing() {
        let with = |id: &str, status, holder: Option<&str>| Session {
            status,
            assigned_agent: holder.map(|h| AgentRef {
                id: h.into(),
                name: h.into(),
            }),
            ..session(id, "2026-11-23T10:00:00.000Z")
        };
        let mut inbox = Inbox::default();
        inbox.replace_all(pages(vec![
            with("ai", SessionStatus::Bot, None),
            with("queue", SessionStatus::Pending, None),
            with("mine", SessionStatus::Active, Some("me")),
            with("theirs", SessionStatus::Active, Some("bob")),
            with("done", SessionStatus::Closed, Some("me")),
        ]));
        let sorted = |filter| {
            let mut v = ids(&inbox, filter);
            v.sort();
            v
        };
        assert_eq!(sorted(Filter::Unassigned), ["queue"]);
        assert_eq!(sorted(Filter::Ai), ["ai"]);
        assert_eq!(sorted(Filter::Mine), ["mine"]);
        assert_eq!(sorted(Filter::Open), ["ai", "mine", "queue", "theirs"]);
        assert_eq!(sorted(Filter::Closed), ["done"]);
    }
}
