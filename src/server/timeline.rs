//! The one path by which anything changes in a conversation: **store it, then publish it** on
//! the broker. The hub and the AI assistant both write through here, and nothing else writes a
//! message or a session's state, or publishes an event.
//!
//! Within a session, a change and its publications happen under one lock, so that on a node
//! events leave in `seq` order.

use crate::protocol::{AgentRef, Sender, SenderKind, ServerEvent, Session, SessionStatus, Visit};
use crate::server::{
    attachments::urls::UrlSigner,
    broker::{DynBroker, Event, Topic},
    store::{Appended, DynStore, NewMessage, NewSession, Reader, SessionChange, StoreResult},
};
use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
};

/// Who hears an event.
#[derive(Debug, Clone, Copy)]
pub enum Audience<'a> {
    /// The session's visitor sockets and the tenant's agents.
    Conversation {
        tenant_id: &'a str,
        session_id: &'a str,
    },
    /// The session's visitor sockets only.
    Visitor { session_id: &'a str },
    /// The tenant's agents only.
    Agents { tenant_id: &'a str },
}

impl<'a> Audience<'a> {
    /// Who hears a conversation's events: its visitor and the tenant's agents, or, for a test
    /// conversation from the diagnostics page, its visitor alone.
    pub fn of_session(tenant_id: &'a str, session_id: &'a str, test: bool) -> Self {
        if test {
            Self::Visitor { session_id }
        } else {
            Self::Conversation {
                tenant_id,
                session_id,
            }
        }
    }

    fn topics(self) -> Vec<Topic> {
        match self {
            Self::Conversation {
                tenant_id,
                session_id,
            } => vec![
                Topic::Session(session_id.to_string()),
                Topic::Tenant(tenant_id.to_string()),
            ],
            Self::Visitor { session_id } => vec![Topic::Session(session_id.to_string())],
            Self::Agents { tenant_id } => vec![Topic::Tenant(tenant_id.to_string())],
        }
    }
}

pub struct Timeline {
    store: DynStore,
    broker: DynBroker,
    session_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Tenants whose queue or agents' loads changed here: automatic assignment looks again.
    desk_changes: DeskChanges,
    /// Mints the addresses of the files in what is published and read.
    urls: UrlSigner,
}

/// The tenants whose desk changed since the router last looked, each once, however often.
#[derive(Default)]
pub struct DeskChanges {
    tenants: Mutex<HashSet<String>>,
    changed: tokio::sync::Notify,
}

impl DeskChanges {
    pub fn note(&self, tenant_id: &str) {
        self.tenants
            .lock()
            .expect("desk changes")
            .insert(tenant_id.to_string());
        self.changed.notify_one();
    }

    /// Waits for changes, then takes every tenant noted so far.
    pub async fn next(&self) -> HashSet<String> {
        loop {
            let noted = std::mem::take(&mut *self.tenants.lock().expect("desk changes"));
            if !noted.is_empty() {
                return noted;
            }
            self.changed.notified().await;
        }
    }
}

impl Timeline {
    pub fn new(store: DynStore, broker: DynBroker, urls: UrlSigner) -> Self {
        Self {
            store,
            broker,
            session_locks: Mutex::new(HashMap::new()),
            desk_changes: DeskChanges::default(),
            urls,
        }
    }

    /// For the files in what the hub reads from the store and gives out: every message and
    /// session it hands to a client has its files' addresses filled in here.
    pub fn urls(&self) -> &UrlSigner {
        &self.urls
    }

    /// For reads. Every write goes through the methods below.
    pub fn store(&self) -> &DynStore {
        &self.store
    }

    /// Tenants whose queue or agents' loads changed: every change of where a session stands
    /// (and a conversation that starts waiting) notes its tenant here.
    pub fn desk_changes(&self) -> &DeskChanges {
        &self.desk_changes
    }

    /// For subscriptions and the answers in flight. Every publication goes through the methods
    /// below.
    pub fn broker(&self) -> &DynBroker {
        &self.broker
    }

    /// Publishes what is not stored: typing, the AI's streamed tokens, notices.
    pub fn publish(&self, audience: Audience<'_>, event: Event) {
        self.broker.publish(&audience.topics(), event);
    }

    pub fn announce(&self, audience: Audience<'_>, event: ServerEvent) {
        self.publish(audience, Event::new(event));
    }

    /// The lock that keeps one session's changes and publications in `seq` order.
    fn session_lock(&self, session_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.session_locks.lock().expect("session locks");
        // Forget locks nobody holds, so the map stays as small as the set of busy sessions.
        if locks.len() > 1024 {
            locks.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        locks.entry(session_id.to_string()).or_default().clone()
    }

    /// Stores a new conversation and tells the tenant's agents (of a test conversation, nobody).
    pub async fn start_session(&self, new: NewSession) -> StoreResult<Session> {
        let tenant_id = new.tenant_id.clone();
        let session = self.store.create_session(new).await?;
        if session.test {
            return Ok(session);
        }
        self.announce(
            Audience::Agents {
                tenant_id: &tenant_id,
            },
            ServerEvent::SessionStarted {
                session: session.clone(),
            },
        );
        // After the announcement: an assignment's events must follow `chat.session.started`.
        if session.status == SessionStatus::Pending {
            self.desk_changes.note(&tenant_id);
        }
        Ok(session)
    }

    /// Stores how far `reader` (the visitor, or an agent) has seen a session and, when their
    /// mark moved, tells `audience` with `chat.read`: the other side's "Seen" follows it.
    pub async fn mark_read(
        &self,
        audience: Audience<'_>,
        session_id: &str,
        reader: Sender,
        seq: u64,
    ) -> StoreResult<Option<u64>> {
        let as_stored = match (&reader.kind, &reader.id) {
            (SenderKind::Agent, Some(id)) => Reader::Agent { id },
            _ => Reader::Visitor,
        };
        if seq == 0 {
            return Ok(None);
        }
        let moved = self.store.mark_read(session_id, as_stored, seq).await?;
        if let Some(seq) = moved {
            let session_id = session_id.to_string();
            self.announce(
                audience,
                ServerEvent::Read {
                    session_id,
                    reader,
                    seq,
                },
            );
        }
        Ok(moved)
    }

    /// Stores what is known of a session's visitor and where they are, then tells the
    /// tenant's agents with `visitor.visit` (of a test conversation, nobody).
    pub async fn record_visit(
        &self,
        tenant_id: &str,
        session_id: &str,
        test: bool,
        visit: Visit,
    ) -> StoreResult<()> {
        self.store.set_visit(session_id, &visit).await?;
        if !test {
            let session_id = session_id.to_string();
            let event = ServerEvent::VisitorVisit { session_id, visit };
            self.announce(Audience::Agents { tenant_id }, event);
        }
        Ok(())
    }

    /// Stores a message and publishes it to the conversation's audience
    /// ([`Audience::of_session`]). A repeated `clientMessageId` stores and publishes nothing and
    /// returns the message stored the first time.
    pub async fn append(&self, audience: Audience<'_>, new: NewMessage) -> StoreResult<Appended> {
        let lock = self.session_lock(&new.session_id);
        let _ordered = lock.lock().await;
        self.append_in_order(audience, new).await
    }

    /// [`Timeline::append`], for a caller that holds the session's lock.
    async fn append_in_order(
        &self,
        audience: Audience<'_>,
        new: NewMessage,
    ) -> StoreResult<Appended> {
        let mut appended = self.store.append(new).await?;
        // Minted once, before the event is encoded once for everyone who hears it.
        self.urls.sign_message(&mut appended.message);
        if appended.created {
            self.announce(
                audience,
                ServerEvent::MessageNew {
                    message: appended.message.clone(),
                },
            );
        }
        Ok(appended)
    }

    /// Sets a session's status and tells its visitor and the tenant's agents.
    pub async fn set_status(
        &self,
        tenant_id: &str,
        session_id: &str,
        status: SessionStatus,
    ) -> StoreResult<Option<Session>> {
        let change = Change {
            state: SessionChange::Status(status),
            line: None,
            holder: None,
        };
        self.change(tenant_id, session_id, change).await
    }

    /// An agent takes the session: it becomes `active` and theirs, the thread says so (`line`,
    /// "Alice Martin joined the conversation" unless given), and the visitor and every agent of
    /// the tenant hear who holds it. False: no such session.
    pub async fn assign(
        &self,
        tenant_id: &str,
        session_id: &str,
        agent: AgentRef,
        line: Option<String>,
    ) -> StoreResult<bool> {
        let change = Change {
            state: SessionChange::Assign {
                agent_id: agent.id.clone(),
            },
            line: Some(line.unwrap_or_else(|| format!("{} joined the conversation", agent.name))),
            holder: Some(agent),
        };
        Ok(self.change(tenant_id, session_id, change).await?.is_some())
    }

    /// Changes where a session stands (docs/design.md, "A conversation's life"): stores the
    /// change and the thread's line for it, then tells the visitor and the tenant's agents
    /// (`chat.session.updated`; for an assignment also `chat.session.assigned` and
    /// `chat.agent.joined`). `None`: no such session (or no such agent to hold it).
    pub async fn change(
        &self,
        tenant_id: &str,
        session_id: &str,
        change: Change,
    ) -> StoreResult<Option<Session>> {
        let lock = self.session_lock(session_id);
        let _ordered = lock.lock().await;
        let Some(mut session) = self
            .store
            .update_session(tenant_id, session_id, change.state)
            .await?
        else {
            return Ok(None);
        };
        let audience = Audience::of_session(tenant_id, session_id, session.test);
        self.urls.sign_session(&mut session);
        if let Some(line) = change.line {
            let line = NewMessage::system(session_id, line);
            session.last_message = Some(self.append_in_order(audience, line).await?.message);
        }
        self.desk_changes.note(tenant_id);
        // Events to many agents carry no one's unread count (docs/protocol.md).
        session.unread_count = 0;
        self.announce(
            audience,
            ServerEvent::SessionUpdated {
                session: session.clone(),
            },
        );
        if let Some(agent) = change.holder {
            self.announce(
                audience,
                ServerEvent::SessionAssigned {
                    session_id: session_id.to_string(),
                    agent: agent.clone(),
                },
            );
            self.announce(
                audience,
                ServerEvent::AgentJoined {
                    session_id: session_id.to_string(),
                    agent,
                },
            );
        }
        Ok(Some(session))
    }
}

/// A change of where a session stands, with the line the thread shows for it.
#[derive(Debug, Clone)]
pub struct Change {
    pub state: SessionChange,
    /// The system line ("Closed by Alice Martin"), if the change has one.
    pub line: Option<String>,
    /// The agent who holds the session after an assignment.
    pub holder: Option<AgentRef>,
}
