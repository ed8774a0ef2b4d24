//! [`Broker`] within one process: the embedded default.

use super::{
    answers::LocalAnswers, fanout::Fanout, Broker, BusHealth, Event, InFlight, Subscription, Topic,
};
use async_trait::async_trait;

#[derive(Default)]
pub struct LocalBroker {
    fanout: Fanout,
    answers: LocalAnswers,
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

    fn describe(&self) -> String {
        "single-node (in-process broker)".into()
    }

    fn health(&self) -> BusHealth {
        BusHealth::SingleNode
    }
}
