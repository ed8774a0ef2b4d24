//! Who holds a conversation, and where it stands (docs/design.md, "A conversation's life"):
//! an agent takes it (from the queue, or from a colleague), gives it back to the queue, hands
//! it to a colleague, closes it; a visitor writing into a closed conversation reopens it. Each
//! change adds its line to the thread ("Closed by Alice Martin"), so both windows and the
//! history say the same.

use super::{AgentActor, Hub, HubError, HubResult};
use crate::protocol::{AgentRef, Session, SessionStatus};
use crate::server::{store::SessionChange, timeline::Change};

impl Hub {
    /// The agent takes the session: it becomes `active` and theirs and the AI falls silent. From
    /// a colleague, the thread says so ("Bob Chen took over from Alice Martin") and the
    /// colleague's dashboard hears it with everyone's.
    pub async fn assign(&self, agent: &AgentActor, session_id: &str) -> HubResult<Session> {
        let before = self.session_for(agent, session_id).await?;
        self.stop_assistant(session_id);
        let holder = before.assigned_agent.as_ref();
        if before.status == SessionStatus::Active && holder.is_some_and(|a| a.id == agent.agent_id)
        {
            return Ok(before);
        }
        let line = match (before.status, holder) {
            (SessionStatus::Closed, _) => Some(format!("Reopened by {}", agent.name)),
            (SessionStatus::Active, Some(other)) => {
                Some(format!("{} took over from {}", agent.name, other.name))
            }
            _ => None,
        };
        self.hand_to(agent, session_id, agent.as_ref(), line).await
    }

    /// Hands the session to a colleague of the same tenant who can sign in.
    pub async fn transfer(
        &self,
        agent: &AgentActor,
        session_id: &str,
        to_agent_id: &str,
    ) -> HubResult<Session> {
        let before = self.open_session_for(agent, session_id).await?;
        let colleague = self
            .timeline
            .store()
            .agent(&agent.tenant_id, to_agent_id)
            .await?
            .ok_or(HubError::NotFound("agent"))?;
        if colleague.disabled {
            return Err(HubError::InvalidAgent(
                "this agent is disabled and cannot take conversations",
            ));
        }
        let to = AgentRef {
            id: colleague.id,
            name: colleague.name,
        };
        if before.status == SessionStatus::Active
            && before
                .assigned_agent
                .as_ref()
                .is_some_and(|a| a.id == to.id)
        {
            return Ok(before);
        }
        self.stop_assistant(session_id);
        let line = format!("Transferred to {} by {}", to.name, agent.name);
        self.hand_to(agent, session_id, to, Some(line)).await
    }

    /// Gives the session back to the queue: `pending`, held by nobody.
    pub async fn unassign(&self, agent: &AgentActor, session_id: &str) -> HubResult<Session> {
        let before = self.open_session_for(agent, session_id).await?;
        if before.assigned_agent.is_none() && before.status == SessionStatus::Pending {
            return Ok(before);
        }
        self.stop_assistant(session_id);
        let change = Change {
            state: SessionChange::Unassign,
            line: Some(format!("Unassigned by {}", agent.name)),
            holder: None,
        };
        self.timeline
            .change(&agent.tenant_id, session_id, change)
            .await?
            .ok_or(HubError::NotFound("session"))?;
        self.session_for(agent, session_id).await
    }

    /// Closes the session; it remembers who had it, for a reopening.
    pub async fn close(&self, agent: &AgentActor, session_id: &str) -> HubResult<Session> {
        let before = self.session_for(agent, session_id).await?;
        if before.status == SessionStatus::Closed {
            return Ok(before);
        }
        self.stop_assistant(session_id);
        let change = Change {
            state: SessionChange::Status(SessionStatus::Closed),
            line: Some(format!("Closed by {}", agent.name)),
            holder: None,
        };
        self.timeline
            .change(&agent.tenant_id, session_id, change)
            .await?
            .ok_or(HubError::NotFound("session"))?;
        self.session_for(agent, session_id).await
    }

    /// A visitor wrote into their closed conversation: it goes back to the agent who had it
    /// while they are at their desk (a dashboard open: `online` or `away`) and enabled, as
    /// `active`; else to the queue (`pending`).
    pub(super) async fn reopen(&self, tenant_id: &str, session: &Session) -> HubResult<()> {
        let line = Some("Reopened by the visitor".to_string());
        let holder = match &session.assigned_agent {
            Some(agent) => self.at_desk(tenant_id, &agent.id).await?,
            None => None,
        };
        let change = match holder {
            Some(agent) => Change {
                state: SessionChange::Assign {
                    agent_id: agent.id.clone(),
                },
                line,
                holder: Some(agent),
            },
            None => Change {
                state: SessionChange::Unassign,
                line,
                holder: None,
            },
        };
        self.timeline.change(tenant_id, &session.id, change).await?;
        Ok(())
    }

    /// The agent, if enabled and with a dashboard open now.
    async fn at_desk(&self, tenant_id: &str, agent_id: &str) -> HubResult<Option<AgentRef>> {
        let Some(agent) = self.timeline.store().agent(tenant_id, agent_id).await? else {
            return Ok(None);
        };
        let presence = self
            .presence_of(tenant_id, std::slice::from_ref(&agent))
            .await;
        let connected = presence
            .get(&agent.id)
            .is_some_and(|(status, _)| *status != crate::protocol::PresenceStatus::Offline);
        Ok((connected && !agent.disabled).then_some(AgentRef {
            id: agent.id,
            name: agent.name,
        }))
    }

    /// Assigns the session to `to` with the thread's line for it (the default "X joined the
    /// conversation" when `None`), and returns it as the acting agent sees it.
    async fn hand_to(
        &self,
        agent: &AgentActor,
        session_id: &str,
        to: AgentRef,
        line: Option<String>,
    ) -> HubResult<Session> {
        if !self
            .timeline
            .assign(&agent.tenant_id, session_id, to, line)
            .await?
        {
            return Err(HubError::NotFound("session"));
        }
        self.session_for(agent, session_id).await
    }

    /// The session, unless it is closed (a closed conversation is reopened by taking it).
    async fn open_session_for(&self, agent: &AgentActor, session_id: &str) -> HubResult<Session> {
        let session = self.session_for(agent, session_id).await?;
        if session.status == SessionStatus::Closed {
            return Err(HubError::SessionClosed);
        }
        Ok(session)
    }
}
