//! The broker carries events from whoever caused them to every socket that should see them,
//! on this node or (with Redis) on any node. It never blocks a publisher: each subscription
//! has a bounded buffer, and a subscriber that may have missed events is told so ([`Missed`])
//! and resumes from the store.
//!
//! It also keeps the AI answers being streamed (`{messageId, text so far}`), because it carries
//! their tokens: a socket that connects mid-answer, on any node, reads the answer so far and
//! then gets the rest live, with nothing missing or repeated.

mod answers;
mod event;
mod fanout;
mod local;
mod presence;
mod redis;

pub use answers::InFlight;
pub use event::{encode, Event, Route, Typist};
pub use local::LocalBroker;
pub use presence::{visitors_roster, SocketPresence};
pub use redis::{Link, RedisBroker};

use async_trait::async_trait;
use std::sync::Arc;
use tokio::sync::broadcast;

/// Where an event goes: every agent socket of a tenant, or every visitor socket of a session.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Topic {
    Tenant(String),
    Session(String),
}

impl Topic {
    pub fn key(&self) -> String {
        match self {
            Self::Tenant(id) => format!("tenant:{id}"),
            Self::Session(id) => format!("session:{id}"),
        }
    }
}

/// Why a subscriber may have missed events, and must resume from the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missed {
    /// It fell this many events behind its buffer.
    Lagged(u64),
    /// The bus between nodes was interrupted (Redis went away, or events were lost on the
    /// way): events from other nodes may not have arrived.
    Interrupted,
}

/// What travels on a topic's channel within a node. Each subscriber's receive clones the
/// item, so the event is behind an `Arc`: one increment per delivery, not an allocation.
#[derive(Debug, Clone)]
enum Item {
    Event(Arc<Event>),
    Interrupted,
}

/// Events on one topic, from the moment of subscribing.
pub struct Subscription {
    receiver: broadcast::Receiver<Item>,
    // Keeps the topic registered while this subscription lives. Declared after `receiver` so
    // that it is dropped after it.
    _guard: Box<dyn Send + Sync>,
}

impl Subscription {
    fn new(receiver: broadcast::Receiver<Item>, guard: Box<dyn Send + Sync>) -> Self {
        Self {
            receiver,
            _guard: guard,
        }
    }

    /// The next event; `None` once the broker is gone.
    pub async fn recv(&mut self) -> Option<Result<Arc<Event>, Missed>> {
        match self.receiver.recv().await {
            Ok(Item::Event(event)) => Some(Ok(event)),
            Ok(Item::Interrupted) => Some(Err(Missed::Interrupted)),
            Err(broadcast::error::RecvError::Lagged(n)) => Some(Err(Missed::Lagged(n))),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

/// Whether the bus between nodes works, for `/readyz` and the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusHealth {
    /// One node: there is no bus to lose.
    SingleNode,
    Connected,
    /// Redis is away: this node serves its own sockets and catches up when it is back.
    Disconnected,
}

#[async_trait]
pub trait Broker: Send + Sync + 'static {
    /// Sends `event` to every current subscriber of each topic, on every node. Never waits.
    fn publish(&self, topics: &[Topic], event: Event);
    /// Starts receiving the topic's events. Events published after this returns are received
    /// (or, if the bus between nodes fails, [`Missed::Interrupted`] is).
    fn subscribe(&self, topic: &Topic) -> Subscription;
    /// Records the answer being streamed in a session (`None` once it ended), readable from
    /// every node. Ordered with [`Broker::publish`]: whoever receives an event published after
    /// this call and then reads the answer reads this record or a later one.
    fn record_answer(&self, tenant_id: &str, session_id: &str, answer: Option<InFlight>);
    /// The answer being streamed in a session now, if any.
    async fn answer(&self, tenant_id: &str, session_id: &str) -> Option<InFlight>;
    /// Every answer being streamed in the tenant's sessions, by session id.
    async fn answers(&self, tenant_id: &str) -> Vec<(String, InFlight)>;
    /// Records a socket's presence in a roster (a tenant's id for its agents,
    /// [`visitors_roster`] for its visitors; `None`: it closed), readable from every node.
    /// Ordered with [`Broker::publish`], as answers are.
    fn record_presence(&self, roster: &str, socket_id: &str, presence: Option<SocketPresence>);
    /// Every socket's record in the roster, lapsed ones included: by socket id.
    async fn presence(&self, roster: &str) -> Vec<(String, SocketPresence)>;
    /// Removes a lapsed record; true for the one caller, on any node, that removed it.
    async fn forget_presence(&self, roster: &str, socket_id: &str) -> bool;
    /// Delivers an event to this node's subscribers only (what each node works out for
    /// itself, as presence, is told by each node to its own sockets).
    fn publish_here(&self, topics: &[Topic], event: Event);
    /// One line for the start-up log: how events travel.
    fn describe(&self) -> String;
    fn health(&self) -> BusHealth;
}

pub type DynBroker = Arc<dyn Broker>;
