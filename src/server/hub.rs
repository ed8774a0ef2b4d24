//! The hub: every change to a conversation goes through here, whether it came over REST or a
//! socket, from a visitor or an agent. Each one is **stored first, then published**, so nothing
//! is ever sent that a reconnecting client could not fetch again from the store.
//!
//! Within a session, appends and their publications happen under one lock, so that on a node
//! events leave in `seq` order.

use crate::protocol::{
    AgentRef, ContentError, Message, MessageContent, Sender, SenderKind, ServerEvent, ServerFrame,
    Session, SessionStatus, Timestamp, Visitor, MAX_CLIENT_MESSAGE_ID_CHARS,
};
use crate::server::{
    auth::{self, Tokens},
    broker::{DynBroker, Event, Topic},
    store::{Agent, Appended, DynStore, NewMessage, NewSession, SessionChange, StoreError},
};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

/// How many messages one history request returns at most.
pub const HISTORY_PAGE: u32 = 500;

/// Why the hub refused something. Each maps to an error code of the contract.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    InvalidContent(ContentError),
    #[error("clientMessageId must be 1 to {MAX_CLIENT_MESSAGE_ID_CHARS} characters")]
    InvalidClientMessageId,
    #[error("this conversation is closed")]
    SessionClosed,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl HubError {
    /// The stable, machine-readable code clients switch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "not_found",
            Self::InvalidContent(ContentError::Empty) => "content_empty",
            Self::InvalidContent(ContentError::TooLong) => "content_too_long",
            Self::InvalidClientMessageId => "invalid_client_message_id",
            Self::SessionClosed => "session_closed",
            Self::Store(_) => "internal",
        }
    }
}

pub type HubResult<T> = Result<T, HubError>;

/// An agent acting within their tenant, as their token and the store say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentActor {
    pub tenant_id: String,
    pub agent_id: String,
    pub name: String,
}

impl From<&Agent> for AgentActor {
    fn from(agent: &Agent) -> Self {
        Self {
            tenant_id: agent.tenant_id.clone(),
            agent_id: agent.id.clone(),
            name: agent.name.clone(),
        }
    }
}

impl AgentActor {
    fn as_ref(&self) -> AgentRef {
        AgentRef {
            id: self.agent_id.clone(),
            name: self.name.clone(),
        }
    }

    fn as_sender(&self) -> Sender {
        Sender {
            kind: SenderKind::Agent,
            id: Some(self.agent_id.clone()),
            name: Some(self.name.clone()),
        }
    }
}

/// A visitor, who can act in their own session only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorActor {
    pub tenant_id: String,
    pub session_id: String,
}

/// What `public/start` hands a new visitor.
#[derive(Debug, Clone)]
pub struct StartedSession {
    pub session: Session,
    pub session_key: String,
    pub token: String,
}

pub struct Hub {
    store: DynStore,
    broker: DynBroker,
    tokens: Tokens,
    session_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// Serialises a server frame once, for every recipient.
pub fn frame_event(event: ServerEvent) -> Event {
    let message = match &event {
        ServerEvent::MessageNew { message } => Some((message.session_id.clone(), message.seq)),
        _ => None,
    };
    let typist = match &event {
        ServerEvent::Typing { sender, .. } => Some(typist(sender)),
        _ => None,
    };
    let frame = ServerFrame {
        event,
        timestamp: Timestamp::now(),
    };
    Event {
        frame: Arc::from(serde_json::to_string(&frame).expect("frames serialise")),
        message,
        typist,
    }
}

/// Who a typing indicator is about, as [`Event::typist`] names them.
pub fn typist(sender: &Sender) -> String {
    match (sender.kind, &sender.id) {
        (SenderKind::Agent, Some(id)) => format!("agent:{id}"),
        (SenderKind::Customer, _) => "customer".into(),
        (kind, _) => format!("{kind:?}").to_lowercase(),
    }
}

fn check_client_message_id(id: &Option<String>) -> HubResult<()> {
    match id {
        Some(id) if id.is_empty() || id.chars().count() > MAX_CLIENT_MESSAGE_ID_CHARS => {
            Err(HubError::InvalidClientMessageId)
        }
        _ => Ok(()),
    }
}

impl Hub {
    pub fn new(store: DynStore, broker: DynBroker, tokens: Tokens) -> Self {
        Self {
            store,
            broker,
            tokens,
            session_locks: Mutex::new(HashMap::new()),
        }
    }

    pub fn store(&self) -> &DynStore {
        &self.store
    }

    pub fn broker(&self) -> &DynBroker {
        &self.broker
    }

    pub fn tokens(&self) -> &Tokens {
        &self.tokens
    }

    fn publish(&self, session_id: &str, tenant_id: &str, event: ServerEvent) {
        self.broker.publish(
            &[
                Topic::Session(session_id.to_string()),
                Topic::Tenant(tenant_id.to_string()),
            ],
            frame_event(event),
        );
    }

    fn publish_to_agents(&self, tenant_id: &str, event: ServerEvent) {
        self.broker
            .publish(&[Topic::Tenant(tenant_id.to_string())], frame_event(event));
    }

    /// The lock that keeps one session's appends and publications in `seq` order.
    fn session_lock(&self, session_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.session_locks.lock().expect("session locks");
        // Forget locks nobody holds, so the map stays as small as the set of busy sessions.
        if locks.len() > 1024 {
            locks.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        locks.entry(session_id.to_string()).or_default().clone()
    }

    /// Stores a message and publishes it. A repeated `clientMessageId` stores and publishes
    /// nothing and returns the message stored the first time.
    async fn append_and_publish(&self, tenant_id: &str, new: NewMessage) -> HubResult<Appended> {
        let lock = self.session_lock(&new.session_id);
        let _ordered = lock.lock().await;
        let appended = self.store.append(new).await?;
        if appended.created {
            self.publish(
                &appended.message.session_id,
                tenant_id,
                ServerEvent::MessageNew {
                    message: appended.message.clone(),
                },
            );
        }
        Ok(appended)
    }

    // ---- visitors -------------------------------------------------------------------------

    /// Starts a conversation for a visitor of the tenant whose widget key is given.
    pub async fn start_session(
        &self,
        widget_key: &str,
        visitor: Visitor,
    ) -> HubResult<StartedSession> {
        let tenant = self
            .store
            .tenant_by_widget_key(widget_key)
            .await?
            .ok_or(HubError::NotFound("widget key"))?;
        let session_key = auth::random_key(24);
        let session = self
            .store
            .create_session(NewSession {
                tenant_id: tenant.id.clone(),
                key_hash: auth::key_hash(&session_key),
                visitor,
                status: SessionStatus::Bot,
            })
            .await?;
        let token = self.tokens.issue_visitor(&session.id, &tenant.id);
        self.publish_to_agents(
            &tenant.id,
            ServerEvent::SessionStarted {
                session: session.clone(),
            },
        );
        Ok(StartedSession {
            session,
            session_key,
            token,
        })
    }

    /// The visitor whose session key this is.
    pub async fn visitor_by_key(&self, session_key: &str) -> HubResult<(VisitorActor, Session)> {
        let keyed = self
            .store
            .session_by_key_hash(&auth::key_hash(session_key))
            .await?
            .ok_or(HubError::NotFound("session"))?;
        Ok((
            VisitorActor {
                tenant_id: keyed.tenant_id,
                session_id: keyed.session.id.clone(),
            },
            keyed.session,
        ))
    }

    pub async fn visitor_session(&self, visitor: &VisitorActor) -> HubResult<Session> {
        self.store
            .session(&visitor.tenant_id, &visitor.session_id, None)
            .await?
            .ok_or(HubError::NotFound("session"))
    }

    /// A visitor's message. In a closed session it reopens the conversation for the agents.
    pub async fn visitor_message(
        &self,
        visitor: &VisitorActor,
        content: String,
        client_message_id: Option<String>,
    ) -> HubResult<Appended> {
        let content = MessageContent::parse(content).map_err(HubError::InvalidContent)?;
        check_client_message_id(&client_message_id)?;
        let session = self.visitor_session(visitor).await?;
        let appended = self
            .append_and_publish(
                &visitor.tenant_id,
                NewMessage {
                    session_id: session.id.clone(),
                    sender: Sender {
                        kind: SenderKind::Customer,
                        id: None,
                        name: session.visitor.name.clone(),
                    },
                    content: content.into_inner(),
                    client_message_id,
                },
            )
            .await?;
        if appended.created && session.status == SessionStatus::Closed {
            self.change_status(&visitor.tenant_id, &session.id, SessionStatus::Pending)
                .await?;
        }
        Ok(appended)
    }

    /// The visitor asks for a human: the session waits for an agent, and the agents are told.
    pub async fn escalate(&self, visitor: &VisitorActor) -> HubResult<Session> {
        let session = self.visitor_session(visitor).await?;
        match session.status {
            SessionStatus::Bot | SessionStatus::Closed => {
                self.change_status(&visitor.tenant_id, &session.id, SessionStatus::Pending)
                    .await
            }
            // Already waiting for, or talking to, a human.
            SessionStatus::Pending | SessionStatus::Active => Ok(session),
        }
    }

    async fn change_status(
        &self,
        tenant_id: &str,
        session_id: &str,
        status: SessionStatus,
    ) -> HubResult<Session> {
        let session = self
            .store
            .update_session(tenant_id, session_id, SessionChange::Status(status))
            .await?
            .ok_or(HubError::NotFound("session"))?;
        self.publish(
            session_id,
            tenant_id,
            ServerEvent::SessionUpdated {
                session: session.clone(),
            },
        );
        Ok(session)
    }

    /// Tells the other side that someone is (or stopped) typing. Not stored.
    pub fn typing(&self, tenant_id: &str, session_id: &str, sender: Sender, is_typing: bool) {
        self.publish(
            session_id,
            tenant_id,
            ServerEvent::Typing {
                session_id: session_id.to_string(),
                sender,
                is_typing,
            },
        );
    }

    // ---- agents ---------------------------------------------------------------------------

    /// The agent a valid agent token names, if they still exist.
    pub async fn agent(&self, tenant_id: &str, agent_id: &str) -> HubResult<AgentActor> {
        let agent = self
            .store
            .agent(tenant_id, agent_id)
            .await?
            .ok_or(HubError::NotFound("agent"))?;
        Ok(AgentActor::from(&agent))
    }

    pub async fn session_for(&self, agent: &AgentActor, session_id: &str) -> HubResult<Session> {
        self.store
            .session(&agent.tenant_id, session_id, Some(&agent.agent_id))
            .await?
            .ok_or(HubError::NotFound("session"))
    }

    pub async fn sessions_for(&self, agent: &AgentActor) -> HubResult<Vec<Session>> {
        Ok(self
            .store
            .sessions(&agent.tenant_id, &agent.agent_id)
            .await?)
    }

    pub async fn messages_for(
        &self,
        agent: &AgentActor,
        session_id: &str,
        after_seq: u64,
    ) -> HubResult<Vec<Message>> {
        self.session_for(agent, session_id).await?;
        Ok(self
            .store
            .messages_after(session_id, after_seq, HISTORY_PAGE)
            .await?)
    }

    /// An agent's reply. Replying to a conversation nobody holds takes it, as in Intercom.
    pub async fn agent_message(
        &self,
        agent: &AgentActor,
        session_id: &str,
        content: String,
        client_message_id: Option<String>,
    ) -> HubResult<Appended> {
        let content = MessageContent::parse(content).map_err(HubError::InvalidContent)?;
        check_client_message_id(&client_message_id)?;
        let session = self.session_for(agent, session_id).await?;
        if session.status == SessionStatus::Closed {
            return Err(HubError::SessionClosed);
        }
        if session.assigned_agent.is_none() {
            self.assign(agent, session_id).await?;
        }
        let appended = self
            .append_and_publish(
                &agent.tenant_id,
                NewMessage {
                    session_id: session_id.to_string(),
                    sender: agent.as_sender(),
                    content: content.into_inner(),
                    client_message_id,
                },
            )
            .await?;
        Ok(appended)
    }

    /// The agent takes the session: it becomes `active`, the AI falls silent, the visitor sees
    /// who joined, and every agent of the tenant sees who holds it.
    pub async fn assign(&self, agent: &AgentActor, session_id: &str) -> HubResult<Session> {
        let before = self.session_for(agent, session_id).await?;
        let already_mine = before.status == SessionStatus::Active
            && before
                .assigned_agent
                .as_ref()
                .is_some_and(|a| a.id == agent.agent_id);
        if already_mine {
            return Ok(before);
        }
        let session = self
            .store
            .update_session(
                &agent.tenant_id,
                session_id,
                SessionChange::Assign {
                    agent_id: agent.agent_id.clone(),
                },
            )
            .await?
            .ok_or(HubError::NotFound("session"))?;
        self.append_and_publish(
            &agent.tenant_id,
            NewMessage {
                session_id: session_id.to_string(),
                sender: Sender {
                    kind: SenderKind::System,
                    id: None,
                    name: None,
                },
                content: format!("{} joined the conversation", agent.name),
                client_message_id: None,
            },
        )
        .await?;
        self.publish(
            session_id,
            &agent.tenant_id,
            ServerEvent::SessionAssigned {
                session_id: session_id.to_string(),
                agent: agent.as_ref(),
            },
        );
        self.publish(
            session_id,
            &agent.tenant_id,
            ServerEvent::AgentJoined {
                session_id: session_id.to_string(),
                agent: agent.as_ref(),
            },
        );
        // The stored system message moved the session's activity; read it back once more.
        self.session_for(agent, session_id).await.or(Ok(session))
    }

    pub async fn close(&self, agent: &AgentActor, session_id: &str) -> HubResult<Session> {
        self.session_for(agent, session_id).await?;
        self.change_status(&agent.tenant_id, session_id, SessionStatus::Closed)
            .await?;
        self.session_for(agent, session_id).await
    }

    pub async fn mark_read(
        &self,
        agent: &AgentActor,
        session_id: &str,
        seq: u64,
    ) -> HubResult<Session> {
        self.session_for(agent, session_id).await?;
        self.store
            .mark_read(&agent.agent_id, session_id, seq)
            .await?;
        self.session_for(agent, session_id).await
    }
}
