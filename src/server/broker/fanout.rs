//! Delivery within one node: a tokio broadcast channel per topic that has subscribers here.

use super::{Event, Item, Subscription, Topic};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};
use tokio::sync::broadcast;

/// How many events a subscriber may fall behind before it is told to resume from the store.
/// A tenant's agents follow every conversation at once; a session's visitor follows one. The
/// buffer is allocated in full when the topic gets its first subscriber (40 bytes an event),
/// so a session's is kept small: an idle visitor socket costs the server little memory.
fn buffer(topic: &Topic) -> usize {
    match topic {
        Topic::Tenant(_) => 1024,
        Topic::Session(_) => 128,
    }
}

type Channels = Arc<Mutex<HashMap<String, broadcast::Sender<Item>>>>;

#[derive(Default, Clone)]
pub(super) struct Fanout {
    channels: Channels,
}

/// Removes a topic's channel when its last subscription goes away, so that topics of finished
/// sessions do not accumulate.
struct Unsubscribe {
    channels: Channels,
    key: String,
}

impl Drop for Unsubscribe {
    fn drop(&mut self) {
        let mut channels = self.channels.lock().expect("fanout lock");
        // The subscription's receiver field is dropped before this guard (declaration order).
        if channels
            .get(&self.key)
            .is_some_and(|sender| sender.receiver_count() == 0)
        {
            channels.remove(&self.key);
        }
    }
}

impl Fanout {
    /// To the subscribers of each topic on this node; topics nobody here follows are skipped.
    pub fn deliver<K: AsRef<str>>(&self, topic_keys: &[K], event: Event) {
        let event = Arc::new(event);
        let channels = self.channels.lock().expect("fanout lock");
        for key in topic_keys {
            if let Some(sender) = channels.get(key.as_ref()) {
                // An error only means nobody listens right now.
                let _ = sender.send(Item::Event(event.clone()));
            }
        }
    }

    /// Tells every subscriber on this node that events may have been missed.
    pub fn interrupt_all(&self) {
        let channels = self.channels.lock().expect("fanout lock");
        for sender in channels.values() {
            let _ = sender.send(Item::Interrupted);
        }
    }

    pub fn subscribe(&self, topic: &Topic) -> Subscription {
        let key = topic.key();
        let receiver = {
            let mut channels = self.channels.lock().expect("fanout lock");
            channels
                .entry(key.clone())
                .or_insert_with(|| broadcast::channel(buffer(topic)).0)
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

    /// How many topics have subscribers here now.
    pub fn topic_count(&self) -> usize {
        self.channels.lock().expect("fanout lock").len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn topics_without_subscribers_are_forgotten() {
        let fanout = Fanout::default();
        let topic = Topic::Session("s1".into());
        let first = fanout.subscribe(&topic);
        let second = fanout.subscribe(&topic);
        assert_eq!(fanout.topic_count(), 1);
        drop(first);
        assert_eq!(fanout.topic_count(), 1);
        drop(second);
        assert_eq!(fanout.topic_count(), 0);
    }
}
