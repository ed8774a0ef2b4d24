//! What is live rather than stored: typing, the subscriptions sockets follow, the AI answers
//! being streamed, and whether this node can serve.

use super::{AgentActor, Hub, VisitorActor};
use crate::protocol::{Sender, SenderKind, ServerEvent};
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
    /// Tells the other side that someone is (or stopped) typing. Not stored.
    pub fn typing(&self, tenant_id: &str, session_id: &str, sender: Sender, is_typing: bool) {
        let from_visitor = sender.kind == SenderKind::Customer;
        let event = ServerEvent::Typing {
            session_id: session_id.to_string(),
            sender,
            is_typing,
        };
        // A visitor's typing goes to the agents only: the visitor's own sockets never need it,
        // and a visitor typing fast must not fill their own sockets' queues.
        let audience = if from_visitor {
            Audience::Agents { tenant_id }
        } else {
            Audience::Conversation {
                tenant_id,
                session_id,
            }
        };
        self.timeline.announce(audience, event);
    }

    /// Events on a topic from now on: a visitor's session, or an agent's whole tenant.
    pub fn subscribe(&self, topic: &Topic) -> Subscription {
        self.timeline.broker().subscribe(topic)
    }

    /// Every answer being streamed in the agent's tenant, by session id.
    pub async fn answers_in_flight(&self, agent: &AgentActor) -> Vec<(String, InFlight)> {
        self.timeline.broker().answers(&agent.tenant_id).await
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
