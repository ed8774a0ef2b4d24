//! The broker carries events from whoever caused them to every socket that should see them,
//! on this node or (with Redis) on any node. It never blocks a publisher: each subscription
//! has a bounded buffer, and a subscriber that falls behind is told so ([`Lagged`]) and must
//! resume from the store.

mod local;

pub use local::LocalBroker;

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

/// One event, serialised once as the JSON frame every recipient receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The `ServerFrame` as JSON text.
    pub frame: Arc<str>,
    /// For `chat.message.new`: the message's session and `seq`, so that a socket that replays
    /// history can skip what it already sent without parsing the frame.
    pub message: Option<(String, u64)>,
    /// For `chat.typing`: who is typing (`customer`, or `agent:ID`), so that their own
    /// sockets are not told about themselves.
    pub typist: Option<String>,
    /// For `stream-token`: the answer's message id and the token's index in it, so that a socket
    /// that was sent the answer so far skips the tokens it already has.
    pub token: Option<(String, usize)>,
}

/// A subscriber fell so far behind that events were dropped for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lagged(pub u64);

/// Events on one topic, from the moment of subscribing.
pub struct Subscription {
    receiver: broadcast::Receiver<Event>,
    // Keeps the topic registered while this subscription lives. Declared after `receiver` so
    // that it is dropped after it.
    _guard: Box<dyn Send + Sync>,
}

impl Subscription {
    pub fn new(receiver: broadcast::Receiver<Event>, guard: Box<dyn Send + Sync>) -> Self {
        Self {
            receiver,
            _guard: guard,
        }
    }

    /// The next event; `None` once the broker is gone.
    pub async fn recv(&mut self) -> Option<Result<Event, Lagged>> {
        match self.receiver.recv().await {
            Ok(event) => Some(Ok(event)),
            Err(broadcast::error::RecvError::Lagged(n)) => Some(Err(Lagged(n))),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

pub trait Broker: Send + Sync + 'static {
    /// Sends `event` to every current subscriber of each topic. Never waits for subscribers.
    fn publish(&self, topics: &[Topic], event: Event);
    /// Starts receiving the topic's events. Events published after this returns are received.
    fn subscribe(&self, topic: &Topic) -> Subscription;
    /// One line for the start-up log: how events travel.
    fn describe(&self) -> String;
}

pub type DynBroker = Arc<dyn Broker>;
