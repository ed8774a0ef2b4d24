//! Who may act, and for how long: whether a sign-in still stands (the agent exists and is
//! enabled, the token's version is current, it was not signed out), signing out, the team list,
//! and the admin's calls on colleagues (add, disable, enable).
//!
//! A sign-out or a disable through the API also closes the agent's open sockets at once, on
//! every node, through an event on the tenant's topic. Changes made from the command line reach
//! open sockets on their next check (`--auth-recheck-secs`).

use super::{AgentActor, Hub, HubError, HubResult};
use crate::protocol::{AgentRole, NewAgentRequest, PresenceStatus, ServerEvent, TeamMember};
use crate::server::{
    auth::{self, MIN_PASSWORD_CHARS},
    broker::{Event, Route},
    store::{Agent, AgentChange, NewAgent, StoreError},
    timeline::Audience,
};

/// An agent as their colleagues see them; `status` as presence says (offline for one just
/// added or changed, until presence is read).
fn team_member(agent: Agent) -> TeamMember {
    TeamMember {
        id: agent.id,
        name: agent.name,
        email: agent.email,
        role: agent.role,
        disabled: agent.disabled,
        status: PresenceStatus::Offline,
        availability: agent.availability,
        away: agent.away,
    }
}

impl Hub {
    /// Whether `actor`'s sign-in still stands, `agent` being the stored record.
    pub(super) async fn check_sign_in(&self, agent: &Agent, actor: &AgentActor) -> HubResult<()> {
        if agent.disabled {
            return Err(HubError::SignedOut("this account is disabled"));
        }
        if actor.token.version != agent.token_version {
            return Err(HubError::SignedOut(
                "signed out: the password was changed; sign in again",
            ));
        }
        if self.timeline.store().token_revoked(&actor.token.id).await? {
            return Err(HubError::SignedOut("signed out; sign in again"));
        }
        Ok(())
    }

    /// The check an open socket repeats: the agent's sign-in, as the store has it now.
    pub async fn recheck(&self, actor: &AgentActor) -> HubResult<()> {
        let agent = self.stored_agent(&actor.tenant_id, &actor.agent_id).await?;
        self.check_sign_in(&agent, actor).await
    }

    /// The agent's record, while it exists.
    pub(super) async fn stored_agent(&self, tenant_id: &str, agent_id: &str) -> HubResult<Agent> {
        self.timeline
            .store()
            .agent(tenant_id, agent_id)
            .await?
            .ok_or(HubError::SignedOut("this agent no longer exists"))
    }

    /// Ends this sign-in: its token is refused from now on, and its sockets close.
    pub async fn logout(&self, actor: &AgentActor) -> HubResult<()> {
        self.timeline
            .store()
            .revoke_token(&actor.token.id, actor.token.expires_at)
            .await?;
        self.sign_out_sockets(actor, Some(actor.token.id.clone()));
        tracing::info!(agent = %actor.agent_id, "agent signed out");
        Ok(())
    }

    /// Closes the sockets of `agent_id` (of one token, or all) on every node.
    fn sign_out_sockets(&self, actor: &AgentActor, token_id: Option<String>) {
        let event = Event {
            route: Route::SignedOut {
                agent_id: actor.agent_id.clone(),
                token_id,
            },
            ..Event::new(ServerEvent::Pong)
        };
        self.timeline.publish(
            Audience::Agents {
                tenant_id: &actor.tenant_id,
            },
            event,
        );
    }

    /// The tenant's agents with their presence, for anyone of the tenant.
    pub async fn team(&self, actor: &AgentActor) -> HubResult<Vec<TeamMember>> {
        let agents = self.timeline.store().agents(&actor.tenant_id).await?;
        let presence = self.presence_of(&actor.tenant_id, &agents).await;
        Ok(agents
            .into_iter()
            .map(|agent| {
                let status = presence.get(&agent.id).map(|(s, _)| *s).unwrap_or_default();
                TeamMember {
                    status,
                    ..team_member(agent)
                }
            })
            .collect())
    }

    pub(super) fn require_admin(actor: &AgentActor) -> HubResult<()> {
        match actor.role {
            AgentRole::Admin => Ok(()),
            AgentRole::Agent => Err(HubError::Forbidden("only an admin may do this")),
        }
    }

    /// An admin adds a colleague to the tenant.
    pub async fn add_agent(
        &self,
        actor: &AgentActor,
        request: NewAgentRequest,
    ) -> HubResult<TeamMember> {
        Self::require_admin(actor)?;
        let email = request.email.trim().to_string();
        if email.chars().count() > 254 || !crate::protocol::is_email(&email) {
            return Err(HubError::InvalidAgent("email must be a valid address"));
        }
        let name = request.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(HubError::InvalidAgent("name must be 1 to 100 characters"));
        }
        let password_chars = request.password.chars().count();
        if !(MIN_PASSWORD_CHARS..=256).contains(&password_chars) {
            return Err(HubError::InvalidAgent(
                "password must be 8 to 256 characters",
            ));
        }
        let password = request.password;
        let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
            .await
            .map_err(|_| HubError::InvalidAgent("the password could not be hashed"))?;
        let new = NewAgent {
            tenant_id: actor.tenant_id.clone(),
            email,
            name,
            password_hash: hash,
            role: request.role,
        };
        match self.timeline.store().create_agent(new).await {
            Ok(agent) => Ok(team_member(agent)),
            Err(StoreError::Conflict(_)) => Err(HubError::Conflict("an agent with this email")),
            Err(e) => Err(e.into()),
        }
    }

    /// An admin disables (or enables again) a colleague: a disabled agent's tokens are refused
    /// and their sockets close at once.
    pub async fn set_agent_enabled(
        &self,
        actor: &AgentActor,
        agent_id: &str,
        enabled: bool,
    ) -> HubResult<TeamMember> {
        Self::require_admin(actor)?;
        if agent_id == actor.agent_id && !enabled {
            return Err(HubError::Forbidden("you cannot disable yourself"));
        }
        let store = self.timeline.store();
        let target = store
            .agent(&actor.tenant_id, agent_id)
            .await?
            .ok_or(HubError::NotFound("agent"))?;
        let change = if enabled {
            AgentChange::Enable
        } else {
            AgentChange::Disable
        };
        store.update_agent(&target.id, change).await?;
        if !enabled {
            let target_actor = AgentActor {
                agent_id: target.id.clone(),
                ..actor.clone()
            };
            self.sign_out_sockets(&target_actor, None);
            tracing::info!(agent = %target.id, by = %actor.agent_id, "agent disabled");
        }
        let updated = store
            .agent(&actor.tenant_id, agent_id)
            .await?
            .ok_or(HubError::NotFound("agent"))?;
        Ok(team_member(updated))
    }
}
