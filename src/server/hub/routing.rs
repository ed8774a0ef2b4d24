//! Automatic assignment (docs/design.md, "Routing"). With a tenant's `assignment` set to
//! `auto`, a conversation that needs a person goes at once to the available online agent with
//! the fewest active conversations under the tenant's capacity (a tie goes to whoever waited
//! longest since their last one); when nobody can take it, it waits in the queue, and the next
//! agent who becomes available or frees a slot gets the oldest first.
//!
//! The router looks again whenever the timeline notes a change of where a session stands or
//! presence changes. Each assignment is a conditional write ([`SessionChange::Route`]): when
//! two nodes decide at once, one wins and the other looks again with what the store says now.

use super::{presence::Told, Hub, HubResult};
use crate::protocol::{AgentRef, AssignmentMode, Availability, PresenceStatus, SessionStatus};
use crate::server::{
    shutdown::ShutdownListener,
    store::{Agent, SessionChange},
    timeline::Change,
};
use std::collections::HashMap;
use std::sync::Arc;

/// The most queued conversations one look hands out; the assignments it makes bring another.
const QUEUE_PAGE: u32 = 100;

/// The agents who can be given a conversation now, and what they hold.
struct FreeAgents<'a> {
    agents: Vec<&'a Agent>,
    loads: HashMap<String, u32>,
    /// When each agent was last given one during this look (a turn number): they waited
    /// the least.
    given: HashMap<String, usize>,
    turn: usize,
    capacity: u32,
}

impl<'a> FreeAgents<'a> {
    fn new(agents: &'a [Agent], presence: &HashMap<String, Told>, capacity: u32) -> Self {
        let takes_conversations = |agent: &&Agent| {
            !agent.disabled
                && presence.get(&agent.id)
                    == Some(&(PresenceStatus::Online, Availability::Available))
        };
        Self {
            agents: agents.iter().filter(takes_conversations).collect(),
            loads: HashMap::new(),
            given: HashMap::new(),
            turn: 0,
            capacity,
        }
    }

    /// The agent with the fewest active conversations under the capacity; of equals, the one
    /// whose last conversation came longest ago (never: first).
    fn next(&self) -> Option<&'a Agent> {
        let load = |a: &Agent| self.loads.get(&a.id).copied().unwrap_or(0);
        self.agents
            .iter()
            .copied()
            .filter(|a| load(a) < self.capacity)
            .min_by(|a, b| {
                let waited =
                    |a: &Agent| (self.given.get(&a.id).copied(), a.last_assigned_at.clone());
                load(a)
                    .cmp(&load(b))
                    .then_with(|| waited(a).cmp(&waited(b)))
                    .then_with(|| a.id.cmp(&b.id))
            })
    }

    fn gave(&mut self, agent_id: &str) {
        *self.loads.entry(agent_id.to_string()).or_default() += 1;
        self.turn += 1;
        self.given.insert(agent_id.to_string(), self.turn);
    }
}

impl Hub {
    /// Hands the tenant's queue to its free agents, oldest conversation first, if the tenant
    /// routes automatically.
    pub async fn route(&self, tenant_id: &str) -> HubResult<()> {
        let store = self.timeline.store();
        let Some(tenant) = store.tenant(tenant_id).await? else {
            return Ok(());
        };
        if tenant.routing.assignment != AssignmentMode::Auto {
            return Ok(());
        }
        let queue = store.queue(tenant_id, QUEUE_PAGE).await?;
        if queue.is_empty() {
            return Ok(());
        }
        let agents = store.agents(tenant_id).await?;
        let presence = self.presence_of(tenant_id, &agents).await;
        let mut free = FreeAgents::new(&agents, &presence, tenant.routing.capacity);
        free.loads = store.workloads(tenant_id).await?;
        let capacity = tenant.routing.capacity;
        for session_id in queue {
            // Until the session is given, or nobody is left to give it to. A write that lost
            // means another node took the session, or filled the agent first: with the loads
            // as they are now, the same session goes to the next agent, if any.
            for _attempt in 0..free.agents.len() + 1 {
                let Some(agent) = free.next() else {
                    return Ok(());
                };
                if self
                    .route_to(tenant_id, &session_id, agent, capacity)
                    .await?
                {
                    free.gave(&agent.id);
                    break;
                }
                free.loads = store.workloads(tenant_id).await?;
                let waits = store
                    .session(tenant_id, &session_id, None)
                    .await?
                    .is_some_and(|s| {
                        s.status == SessionStatus::Pending && s.assigned_agent.is_none()
                    });
                if !waits {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Gives the session to the agent if it still waits and they are still under the
    /// capacity; false when it does not, or they are not.
    async fn route_to(
        &self,
        tenant_id: &str,
        session_id: &str,
        agent: &Agent,
        capacity: u32,
    ) -> HubResult<bool> {
        let change = Change {
            state: SessionChange::Route {
                agent_id: agent.id.clone(),
                capacity,
            },
            line: Some(format!("{} joined the conversation", agent.name)),
            holder: Some(AgentRef {
                id: agent.id.clone(),
                name: agent.name.clone(),
            }),
        };
        Ok(self
            .timeline
            .change(tenant_id, session_id, change)
            .await?
            .is_some())
    }

    /// Routes each tenant whose desk changed, one look at a time, until the server stops.
    pub fn keep_routing(self: Arc<Self>, mut stop: ShutdownListener) {
        tokio::spawn(async move {
            loop {
                // Stops with the server, before the store it writes to is closed.
                let tenants = tokio::select! {
                    tenants = self.timeline.desk_changes().next() => tenants,
                    () = stop.stopping() => return,
                };
                for tenant_id in tenants {
                    if let Err(error) = self.route(&tenant_id).await {
                        tracing::warn!(tenant = %tenant_id, %error, "automatic assignment failed; it runs again with the next change");
                    }
                }
            }
        });
    }
}
