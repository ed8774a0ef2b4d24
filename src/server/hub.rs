//! The hub: every change to a conversation goes through here, whether it came over REST or a
//! socket, from a visitor or an agent. Each one is **stored first, then published**, so nothing
//! is ever sent that a reconnecting client could not fetch again from the store.
//!
//! Within a session, appends and their publications happen under one lock, so that on a node
//! events leave in `seq` order.

use crate::protocol::{
    AgentRef, ContentError, Message, MessageContent, Sender, SenderKind, ServerEvent, Session,
    SessionStatus, Visitor, MAX_CLIENT_MESSAGE_ID_CHARS,
};
use crate::server::{
    ai::{intent, knowledge_offer_human},
    assistant::Assistant,
    auth::{self, Tokens},
    broker::DynBroker,
    store::{Agent, Appended, DynStore, NewMessage, NewSession, SessionChange, StoreError},
    timeline::Timeline,
};
use std::sync::Arc;

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
    timeline: Arc<Timeline>,
    /// `None` when the AI is off: conversations start `pending`, for the agents.
    assistant: Option<Arc<Assistant>>,
    tokens: Tokens,
}

/// What the visitor is told after asking for a human.
pub const ESCALATION_REPLY: &str =
    "Thanks, we've let the team know. A human agent will join this conversation shortly.";

fn check_client_message_id(id: &Option<String>) -> HubResult<()> {
    match id {
        Some(id) if id.is_empty() || id.chars().count() > MAX_CLIENT_MESSAGE_ID_CHARS => {
            Err(HubError::InvalidClientMessageId)
        }
        _ => Ok(()),
    }
}

impl Hub {
    pub fn new(timeline: Arc<Timeline>, assistant: Option<Arc<Assistant>>, tokens: Tokens) -> Self {
        Self {
            timeline,
            assistant,
            tokens,
        }
    }

    pub fn store(&self) -> &DynStore {
        self.timeline.store()
    }

    pub fn broker(&self) -> &DynBroker {
        self.timeline.broker()
    }

    pub fn tokens(&self) -> &Tokens {
        &self.tokens
    }

    pub fn assistant(&self) -> Option<&Arc<Assistant>> {
        self.assistant.as_ref()
    }

    fn stop_assistant(&self, session_id: &str) {
        if let Some(assistant) = &self.assistant {
            assistant.stop(session_id);
        }
    }

    fn publish(&self, session_id: &str, tenant_id: &str, event: ServerEvent) {
        self.timeline.publish_event(session_id, tenant_id, event);
    }

    async fn append_and_publish(&self, tenant_id: &str, new: NewMessage) -> HubResult<Appended> {
        Ok(self.timeline.append(tenant_id, new).await?)
    }

    // ---- visitors -------------------------------------------------------------------------

    /// Starts a conversation for a visitor of the tenant whose widget key is given.
    pub async fn start_session(
        &self,
        widget_key: &str,
        visitor: Visitor,
    ) -> HubResult<StartedSession> {
        let tenant = self
            .store()
            .tenant_by_widget_key(widget_key)
            .await?
            .ok_or(HubError::NotFound("widget key"))?;
        let session_key = auth::random_key(24);
        let session = self
            .store()
            .create_session(NewSession {
                tenant_id: tenant.id.clone(),
                key_hash: auth::key_hash(&session_key),
                visitor,
                status: if self.assistant.is_some() && tenant.ai.enabled {
                    SessionStatus::Bot
                } else {
                    SessionStatus::Pending
                },
            })
            .await?;
        let token = self.tokens.issue_visitor(&session.id, &tenant.id);
        self.timeline.publish_to_agents(
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
            .store()
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
        self.store()
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
        let wants_human = intent::asks_for_human(content.as_str())
            || (intent::accepts_offer(content.as_str())
                && session.last_message.as_ref().is_some_and(|m| {
                    m.sender.kind == SenderKind::Ai && m.content == knowledge_offer_human()
                }));
        let appended = self
            .append_and_publish(
                &visitor.tenant_id,
                NewMessage {
                    id: None,
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
        if !appended.created {
            return Ok(appended);
        }
        match session.status {
            SessionStatus::Bot if wants_human => {
                self.escalate(visitor).await?;
            }
            SessionStatus::Bot => match &self.assistant {
                Some(assistant) => assistant.ask(&visitor.tenant_id, &session.id),
                None => {
                    self.change_status(&visitor.tenant_id, &session.id, SessionStatus::Pending)
                        .await?;
                }
            },
            SessionStatus::Closed => {
                self.change_status(&visitor.tenant_id, &session.id, SessionStatus::Pending)
                    .await?;
            }
            SessionStatus::Pending | SessionStatus::Active => {}
        }
        Ok(appended)
    }

    /// The visitor asks for a human: the AI stops, the session waits for an agent, the agents
    /// are told, and the visitor's sockets get `human-escalation-response`.
    pub async fn escalate(&self, visitor: &VisitorActor) -> HubResult<Session> {
        self.stop_assistant(&visitor.session_id);
        let session = self.visitor_session(visitor).await?;
        let session = match session.status {
            SessionStatus::Bot | SessionStatus::Closed => {
                self.change_status(&visitor.tenant_id, &session.id, SessionStatus::Pending)
                    .await?
            }
            // Already waiting for, or talking to, a human.
            SessionStatus::Pending | SessionStatus::Active => session,
        };
        self.timeline.publish_to_visitor(
            &session.id,
            ServerEvent::HumanEscalationResponse {
                message: ESCALATION_REPLY.into(),
            },
        );
        Ok(session)
    }

    async fn change_status(
        &self,
        tenant_id: &str,
        session_id: &str,
        status: SessionStatus,
    ) -> HubResult<Session> {
        self.timeline
            .set_status(tenant_id, session_id, status)
            .await?
            .ok_or(HubError::NotFound("session"))
    }

    /// Tells the other side that someone is (or stopped) typing. Not stored.
    pub fn typing(&self, tenant_id: &str, session_id: &str, sender: Sender, is_typing: bool) {
        let from_visitor = sender.kind == SenderKind::Customer;
        let event = ServerEvent::Typing {
            session_id: session_id.to_string(),
            sender,
            is_typing,
        };
        if from_visitor {
            // Only the agents care; the visitor's own sockets never need it, and a visitor
            // typing fast must not fill their own sockets' queues.
            self.timeline.publish_to_agents(tenant_id, event);
        } else {
            self.publish(session_id, tenant_id, event);
        }
    }

    // ---- agents ---------------------------------------------------------------------------

    /// The agent a valid agent token names, if they still exist.
    pub async fn agent(&self, tenant_id: &str, agent_id: &str) -> HubResult<AgentActor> {
        let agent = self
            .store()
            .agent(tenant_id, agent_id)
            .await?
            .ok_or(HubError::NotFound("agent"))?;
        Ok(AgentActor::from(&agent))
    }

    pub async fn session_for(&self, agent: &AgentActor, session_id: &str) -> HubResult<Session> {
        self.store()
            .session(&agent.tenant_id, session_id, Some(&agent.agent_id))
            .await?
            .ok_or(HubError::NotFound("session"))
    }

    pub async fn sessions_for(&self, agent: &AgentActor) -> HubResult<Vec<Session>> {
        Ok(self
            .store()
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
            .store()
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
                    id: None,
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
        self.stop_assistant(session_id);
        let already_mine = before.status == SessionStatus::Active
            && before
                .assigned_agent
                .as_ref()
                .is_some_and(|a| a.id == agent.agent_id);
        if already_mine {
            return Ok(before);
        }
        let session = self
            .store()
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
                id: None,
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
        self.store()
            .mark_read(&agent.agent_id, session_id, seq)
            .await?;
        self.session_for(agent, session_id).await
    }
}
