//! What is live rather than stored: typing, the subscriptions sockets follow, the AI answers
//! being streamed, and whether this node can serve.

use super::{AgentActor, Hub, VisitorActor};
use crate::protocol::{Sender, ServerEvent};
use crate::server::{
    broker::{BusHealth, InFlight, Subscription, Topic},
    timeline::Audience,
};

/// Whether this node can serve: the database answers (or why not), and the bus between nodes.
#[derive(Debug)]
pub struct Readiness {
    pub database: Result<(), String>,
    pub bus: BusHealth,
}

impl Hub {
    /// Tells the agents that a visitor is (or stopped) typing. Not stored. The visitor's own
    /// sockets never need it, and a visitor typing fast must not fill their queues; in a test
    /// conversation nobody hears it.
    pub fn visitor_typing(&self, visitor: &VisitorActor, sender: Sender, is_typing: bool) {
        if visitor.test {
            return;
        }
        let audience = Audience::Agents {
            tenant_id: &visitor.tenant_id,
        };
        self.timeline
            .announce(audience, typing(&visitor.session_id, sender, is_typing));
    }

    /// Tells a session's visitor and the tenant's agents that an agent is (or stopped) typing.
    pub fn agent_typing(&self, agent: &AgentActor, session_id: &str, is_typing: bool) {
        let audience = Audience::Conversation {
            tenant_id: &agent.tenant_id,
            session_id,
        };
        let event = typing(session_id, agent.as_sender(), is_typing);
        self.timeline.announce(audience, event);
    }

    /// Events on a topic from now on: a visitor's session, or an agent's whole tenant.
    pub fn subscribe(&self, topic: &Topic) -> Subscription {
        self.timeline.broker().subscribe(topic)
    }

    /// Every answer being streamed in the agent's tenant, by session id (a test
    /// conversation's is no agent's).
    pub async fn answers_in_flight(&self, agent: &AgentActor) -> Vec<(String, InFlight)> {
        let mut answers = self.timeline.broker().answers(&agent.tenant_id).await;
        answers.retain(|(_, answer)| !answer.test);
        answers
    }

    /// The answer being streamed in the visitor's session, if any.
    pub async fn answer_in_flight(&self, visitor: &VisitorActor) -> Option<InFlight> {
        self.timeline
            .broker()
            .answer(&visitor.tenant_id, &visitor.session_id)
            .await
    }

    pub async fn readiness(&self) -> Readiness {
        Readiness {
            database: self
                .timeline
                .store()
                .ping()
                .await
                .map_err(|e| e.to_string()),
            bus: self.timeline.broker().health(),
        }
    }

    /// Closes the store once the sockets are gone: everything acknowledged is on disk.
    pub async fn shut_down(&self) {
        self.timeline.store().close().await;
    }
}

fn typing(session_id: &str, sender: Sender, is_typing: bool) -> ServerEvent {
    ServerEvent::Typing {
        session_id: session_id.to_string(),
        sender,
        is_typing,
    }
}
