//! [`Broker`] within one process: a tokio broadcast channel per topic that has subscribers.

use super::{Broker, Event, Subscription, Topic};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};
use tokio::sync::broadcast;

/// How many events a subscriber may fall behind before it is told to resume from the store.
pub const SUBSCRIBER_BUFFER: usize = 1024;

type Channels = Arc<Mutex<HashMap<String, broadcast::Sender<Event>>>>;

#[derive(Default, Clone)]
pub struct LocalBroker {
    channels: Channels,
}

impl LocalBroker {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many topics have subscribers now (for tests and metrics).
    pub fn topic_count(&self) -> usize {
        self.channels.lock().expect("broker lock").len()
    }
}

/// Removes a topic's channel when its last subscription goes away, so that topics of finished
/// sessions do not accumulate.
struct Unsubscribe {
    channels: Channels,
    key: String,
}

impl Drop for Unsubscribe {
    fn drop(&mut self) {
        let mut channels = self.channels.lock().expect("broker lock");
        // The subscription's receiver field is dropped before this guard (declaration order).
        if channels
            .get(&self.key)
            .is_some_and(|sender| sender.receiver_count() == 0)
        {
            channels.remove(&self.key);
        }
    }
}

impl Broker for LocalBroker {
    fn publish(&self, topics: &[Topic], event: Event) {
        let channels = self.channels.lock().expect("broker lock");
        for topic in topics {
            if let Some(sender) = channels.get(&topic.key()) {
                // An error only means nobody listens right now.
                let _ = sender.send(event.clone());
            }
        }
    }

    fn subscribe(&self, topic: &Topic) -> Subscription {
        let key = topic.key();
        let receiver = {
            let mut channels = self.channels.lock().expect("broker lock");
            channels
                .entry(key.clone())
                .or_insert_with(|| broadcast::channel(SUBSCRIBER_BUFFER).0)
                .subscribe()
        };
        Subscription::new(
            receiver,
            Box::new(Unsubscribe {
                channels: self.channels.clone(),
                key,
            }),
        )
    }

    fn describe(&self) -> String {
        "single-node (in-process broker)".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(text: &str) -> Event {
        Event {
            frame: Arc::from(text),
            message: None,
            typist: None,
            token: None,
        }
    }

    #[tokio::test]
    async fn delivers_to_every_subscriber_of_a_topic_only() {
        let broker = LocalBroker::new();
        let tenant = Topic::Tenant("t1".into());
        let mut a = broker.subscribe(&tenant);
        let mut b = broker.subscribe(&tenant);
        let mut other = broker.subscribe(&Topic::Session("s1".into()));
        broker.publish(std::slice::from_ref(&tenant), event("hello"));
        assert_eq!(a.recv().await.unwrap().unwrap(), event("hello"));
        assert_eq!(b.recv().await.unwrap().unwrap(), event("hello"));
        broker.publish(&[Topic::Session("s1".into())], event("mine"));
        assert_eq!(other.recv().await.unwrap().unwrap(), event("mine"));
    }

    #[tokio::test]
    async fn a_slow_subscriber_is_told_it_lagged_and_never_blocks_the_publisher() {
        let broker = LocalBroker::new();
        let topic = Topic::Tenant("t1".into());
        let mut slow = broker.subscribe(&topic);
        for i in 0..SUBSCRIBER_BUFFER + 10 {
            broker.publish(std::slice::from_ref(&topic), event(&i.to_string()));
        }
        assert!(matches!(
            slow.recv().await,
            Some(Err(super::super::Lagged(10)))
        ));
    }

    #[tokio::test]
    async fn topics_without_subscribers_are_forgotten() {
        let broker = LocalBroker::new();
        let topic = Topic::Session("s1".into());
        let first = broker.subscribe(&topic);
        let second = broker.subscribe(&topic);
        assert_eq!(broker.topic_count(), 1);
        drop(first);
        assert_eq!(broker.topic_count(), 1);
        drop(second);
        assert_eq!(broker.topic_count(), 0);
    }
}
