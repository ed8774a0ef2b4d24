//! [`Broker`] within one process: the embedded default.

use super::{
    answers::LocalAnswers, fanout::Fanout, presence::LocalPresence, Broker, BusHealth, Event,
    InFlight, SocketPresence, Subscription, Topic,
};
use async_trait::async_trait;

#[derive(Default)]
pub struct LocalBroker {
    fanout: Fanout,
    answers: LocalAnswers,
    presence: LocalPresence,
}

impl LocalBroker {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many topics have subscribers now (for tests and metrics).
    pub fn topic_count(&self) -> usize {
        self.fanout.topic_count()
    }
}

#[async_trait]
impl Broker for LocalBroker {
    fn publish(&self, topics: &[Topic], event: Event) {
        let keys: Vec<String> = topics.iter().map(Topic::key).collect();
        self.fanout.deliver(&keys, event);
    }

    fn subscribe(&self, topic: &Topic) -> Subscription {
        self.fanout.subscribe(topic)
    }

    fn record_answer(&self, tenant_id: &str, session_id: &str, answer: Option<InFlight>) {
        self.answers.record(tenant_id, session_id, answer);
    }

    async fn answer(&self, tenant_id: &str, session_id: &str) -> Option<InFlight> {
        self.answers.get(tenant_id, session_id)
    }

    async fn answers(&self, tenant_id: &str) -> Vec<(String, InFlight)> {
        self.answers.for_tenant(tenant_id)
    }

    fn record_presence(&self, tenant_id: &str, socket_id: &str, presence: Option<SocketPresence>) {
        self.presence.record(tenant_id, socket_id, presence);
    }

    async fn presence(&self, tenant_id: &str) -> Vec<(String, SocketPresence)> {
        self.presence.all(tenant_id)
    }

    async fn forget_presence(&self, tenant_id: &str, socket_id: &str) -> bool {
        self.presence.forget(tenant_id, socket_id)
    }

    fn publish_here(&self, topics: &[Topic], event: Event) {
        self.publish(topics, event);
    }

    fn describe(&self) -> String {
        "single-node (in-process broker)".into()
    }

    fn health(&self) -> BusHealth {
        BusHealth::SingleNode
    }
}
