//! [`Broker`] across nodes, over Redis.
//!
//! Every node publishes each event once, on one channel, and subscribes to that channel: each
//! node delivers what it receives to its own sockets of the event's topics (and skips its own
//! events, which it delivered already when they were published). One channel, rather than one
//! per topic, means a node's subscription is in place before any socket subscribes, so a socket
//! never misses an event from another node for want of a `SUBSCRIBE` in flight.
//!
//! Nothing here is trusted to arrive: events from each node carry a running number, and a gap in
//! it, or a lost connection to Redis, tells every local subscriber [`Missed::Interrupted`], upon
//! which sockets resume from the store. An idle node publishes a heartbeat with the number of its
//! last event every second, so a lost last event is noticed too. While Redis is away each node keeps serving its own
//! sockets; the tasks below reconnect by themselves.
//!
//! The answers being streamed live in one Redis hash per tenant (`session id → answer`), written
//! on the same connection and in the same order as the events, so a reader on any node sees an
//! answer at least as far as the tokens it was sent.

use super::{
    answers::LocalAnswers, fanout::Fanout, Broker, BusHealth, Event, InFlight, Route,
    SocketPresence, Subscription, Topic,
};
use async_trait::async_trait;
use futures::StreamExt;
use redis::{aio::ConnectionManager, AsyncCommands};
use serde::{Deserialize, Serialize};
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use tokio::sync::{mpsc, watch};

/// Events and answer records waiting for the connection. A node that cannot reach Redis drops
/// the overflow: the gap in its running number makes the other nodes resync from the store.
const OUTBOX: usize = 65_536;
/// At most this many commands go to Redis in one pipeline.
const PIPELINE: usize = 512;
/// An answer record not updated for this long belongs to a node that died mid-answer.
const ANSWER_STALE: Duration = Duration::from_secs(120);
/// How long Redis keeps a tenant's answers hash after its last write.
const ANSWERS_TTL: Duration = Duration::from_secs(600);
/// A tenant's presence hash outlives its last write by this much (its records lapse sooner,
/// each by its own `lapsesAtMs`): a cluster that stops leaves nothing behind for long.
const PRESENCE_TTL: Duration = Duration::from_secs(3600);
/// Waits between attempts to re-subscribe: from the first to the last, doubling.
const RESUBSCRIBE_FIRST: Duration = Duration::from_millis(100);
const RESUBSCRIBE_LAST: Duration = Duration::from_secs(5);
/// How often an idle publisher says how far it got (and so checks that Redis answers).
const HEARTBEAT: Duration = Duration::from_secs(1);

/// An event as it travels between nodes.
#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    /// The publishing process (node id and a per-start nonce).
    origin: String,
    /// The origin's running number: 1, 2, 3… without gaps unless something was lost.
    n: u64,
    topics: Vec<String>,
    frame: String,
    #[serde(default)]
    route: Route,
}

impl Envelope {
    fn into_event(self) -> (Vec<String>, Event) {
        let event = Event {
            frame: self.frame.into(),
            route: self.route,
        };
        (self.topics, event)
    }
}

/// An answer as it is stored in Redis: the answer, who runs it and when they last wrote.
#[derive(Debug, Serialize, Deserialize)]
struct StoredAnswer {
    #[serde(flatten)]
    answer: InFlight,
    origin: String,
    at_ms: u64,
}

struct Outbox {
    queue: mpsc::Sender<Outgoing>,
    published: u64,
}

enum Outgoing {
    Publish(String),
    /// Sets (or, `None`, removes) one field of a hash that lapses `ttl` after its last write.
    Field {
        key: String,
        field: String,
        value: Option<String>,
        ttl: Duration,
    },
}

pub struct RedisBroker {
    node_id: String,
    origin: String,
    channel: String,
    namespace: String,
    location: String,
    fanout: Fanout,
    /// This node's own answers: read from memory, so its sockets never wait for Redis to
    /// catch up with a token they were already sent.
    own_answers: LocalAnswers,
    /// The queue to the publisher task, behind the running number's lock: numbers must reach
    /// Redis in the order they were given.
    outbox: Mutex<Outbox>,
    dropped: Arc<AtomicU64>,
    /// The running number of the last event queued, for the publisher's heartbeats.
    numbered: Arc<AtomicU64>,
    link: Arc<watch::Sender<Link>>,
    commands: ConnectionManager,
}

/// The two connections to Redis: the subscription, and the one that publishes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Link {
    pub subscribed: bool,
    pub publishing: bool,
}

impl Link {
    pub fn up(&self) -> bool {
        self.subscribed && self.publishing
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

/// The URL without its password, for the log.
fn location(url: &str) -> String {
    crate::server::config::redacted(url)
}

impl RedisBroker {
    /// Starts the node's publisher and subscriber. Redis need not be up: until it is, this node
    /// serves its own sockets, and [`Broker::health`] says so. An invalid URL is an error.
    pub fn start(url: &str, node_id: &str, namespace: &str) -> anyhow::Result<Self> {
        use anyhow::Context;
        let client = redis::Client::open(url)
            .with_context(|| format!("invalid Redis URL {}", location(url)))?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            // Fail a command fast while Redis is away; the next one tries to connect again.
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let commands = ConnectionManager::new_lazy_with_config(client.clone(), config)
            .context("cannot set up the Redis connection")?;
        let nonce: u64 = rand::random();
        let origin = format!("{node_id}/{nonce:016x}");
        let channel = format!("{namespace}:events");
        let fanout = Fanout::default();
        let link = Arc::new(watch::Sender::new(Link::default()));
        let dropped = Arc::new(AtomicU64::new(0));
        let numbered = Arc::new(AtomicU64::new(0));
        let (outbox, queue) = mpsc::channel(OUTBOX);

        tokio::spawn(publish_loop(
            Publisher {
                commands: commands.clone(),
                channel: channel.clone(),
                origin: origin.clone(),
                dropped: dropped.clone(),
                numbered: numbered.clone(),
                link: link.clone(),
            },
            queue,
        ));
        tokio::spawn(subscribe_loop(
            client,
            channel.clone(),
            origin.clone(),
            fanout.clone(),
            link.clone(),
            location(url),
        ));
        Ok(Self {
            node_id: node_id.to_string(),
            origin,
            channel,
            namespace: namespace.to_string(),
            location: location(url),
            fanout,
            own_answers: LocalAnswers::default(),
            outbox: Mutex::new(Outbox {
                queue: outbox,
                published: 0,
            }),
            dropped,
            numbered,
            link,
            commands,
        })
    }

    /// Waits until both connections work, up to `limit`; true if they do.
    pub async fn wait_connected(&self, limit: Duration) -> bool {
        self.wait_link(limit, Link::up).await
    }

    /// Waits until the link to Redis satisfies `condition`, up to `limit`; true if it does.
    pub async fn wait_link(&self, limit: Duration, condition: impl Fn(&Link) -> bool) -> bool {
        let mut link = self.link.subscribe();
        tokio::time::timeout(limit, link.wait_for(|link| condition(link)))
            .await
            .is_ok_and(|done| done.is_ok())
    }

    /// How many topics have subscribers on this node now.
    pub fn topic_count(&self) -> usize {
        self.fanout.topic_count()
    }

    /// Events this node could not hand to Redis (its outbox was full).
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    fn answers_key(&self, tenant_id: &str) -> String {
        format!("{}:answers:{tenant_id}", self.namespace)
    }

    fn presence_key(&self, tenant_id: &str) -> String {
        format!("{}:presence:{tenant_id}", self.namespace)
    }

    /// Queues a command for Redis. An event (`numbered`) gets the next running number.
    fn send(&self, numbered: bool, outgoing: impl FnOnce(u64) -> Outgoing) {
        let mut outbox = self.outbox.lock().expect("outbox lock");
        if numbered {
            outbox.published += 1;
        }
        if outbox.queue.try_send(outgoing(outbox.published)).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        // After the event is queued (or dropped), so that a heartbeat never runs ahead of it.
        self.numbered.store(outbox.published, Ordering::Release);
    }

    /// Reads a tenant's answers of other nodes from Redis: fresh ones only, and none of ours.
    async fn remote_answers(&self, tenant_id: &str) -> Vec<(String, InFlight)> {
        let mut commands = self.commands.clone();
        let stored: HashMap<String, String> =
            match commands.hgetall(self.answers_key(tenant_id)).await {
                Ok(stored) => stored,
                Err(error) => {
                    tracing::debug!(%error, "cannot read the answers in flight from Redis");
                    return Vec::new();
                }
            };
        stored
            .into_iter()
            .filter_map(|(session, value)| self.fresh(&value).map(|answer| (session, answer)))
            .collect()
    }

    fn fresh(&self, value: &str) -> Option<InFlight> {
        let stored: StoredAnswer = serde_json::from_str(value).ok()?;
        let age = Duration::from_millis(now_ms().saturating_sub(stored.at_ms));
        (stored.origin != self.origin && age < ANSWER_STALE).then_some(stored.answer)
    }
}

#[async_trait]
impl Broker for RedisBroker {
    fn publish(&self, topics: &[Topic], event: Event) {
        let keys: Vec<String> = topics.iter().map(Topic::key).collect();
        let mut envelope = Envelope {
            origin: self.origin.clone(),
            n: 0,
            topics: keys.clone(),
            frame: event.frame.as_str().to_string(),
            route: event.route.clone(),
        };
        self.fanout.deliver(&keys, event);
        self.send(true, |n| {
            envelope.n = n;
            Outgoing::Publish(serde_json::to_string(&envelope).expect("envelopes serialise"))
        });
    }

    fn subscribe(&self, topic: &Topic) -> Subscription {
        self.fanout.subscribe(topic)
    }

    fn record_answer(&self, tenant_id: &str, session_id: &str, answer: Option<InFlight>) {
        let value = answer.as_ref().map(|answer| {
            serde_json::to_string(&StoredAnswer {
                answer: answer.clone(),
                origin: self.origin.clone(),
                at_ms: now_ms(),
            })
            .expect("answers serialise")
        });
        self.own_answers.record(tenant_id, session_id, answer);
        let key = self.answers_key(tenant_id);
        self.send(false, |_| Outgoing::Field {
            key,
            field: session_id.to_string(),
            value,
            ttl: ANSWERS_TTL,
        });
    }

    async fn answer(&self, tenant_id: &str, session_id: &str) -> Option<InFlight> {
        if let Some(own) = self.own_answers.get(tenant_id, session_id) {
            return Some(own);
        }
        let mut commands = self.commands.clone();
        let value: Option<String> = commands
            .hget(self.answers_key(tenant_id), session_id)
            .await
            .ok()
            .flatten();
        value.and_then(|value| self.fresh(&value))
    }

    async fn answers(&self, tenant_id: &str) -> Vec<(String, InFlight)> {
        let mut answers = self.own_answers.for_tenant(tenant_id);
        for (session, answer) in self.remote_answers(tenant_id).await {
            if !answers.iter().any(|(own, _)| *own == session) {
                answers.push((session, answer));
            }
        }
        answers
    }

    fn record_presence(&self, tenant_id: &str, socket_id: &str, presence: Option<SocketPresence>) {
        let value = presence.map(|p| serde_json::to_string(&p).expect("presence serialises"));
        let key = self.presence_key(tenant_id);
        self.send(false, |_| Outgoing::Field {
            key,
            field: socket_id.to_string(),
            value,
            ttl: PRESENCE_TTL,
        });
    }

    async fn presence(&self, tenant_id: &str) -> Vec<(String, SocketPresence)> {
        let mut commands = self.commands.clone();
        let stored: HashMap<String, String> =
            match commands.hgetall(self.presence_key(tenant_id)).await {
                Ok(stored) => stored,
                Err(error) => {
                    tracing::debug!(%error, "cannot read presence from Redis");
                    return Vec::new();
                }
            };
        stored
            .into_iter()
            .filter_map(|(socket, value)| Some((socket, serde_json::from_str(&value).ok()?)))
            .collect()
    }

    async fn forget_presence(&self, tenant_id: &str, socket_id: &str) -> bool {
        let mut commands = self.commands.clone();
        let removed: Result<u64, _> = commands.hdel(self.presence_key(tenant_id), socket_id).await;
        removed.is_ok_and(|n| n == 1)
    }

    fn publish_here(&self, topics: &[Topic], event: Event) {
        let keys: Vec<String> = topics.iter().map(Topic::key).collect();
        self.fanout.deliver(&keys, event);
    }

    fn describe(&self) -> String {
        format!(
            "cluster over Redis ({}, channel {}) as node {}",
            self.location, self.channel, self.node_id
        )
    }

    fn health(&self) -> BusHealth {
        if self.link.borrow().up() {
            BusHealth::Connected
        } else {
            BusHealth::Disconnected
        }
    }
}

/// What the publisher task works with.
struct Publisher {
    commands: ConnectionManager,
    channel: String,
    origin: String,
    dropped: Arc<AtomicU64>,
    numbered: Arc<AtomicU64>,
    link: Arc<watch::Sender<Link>>,
}

impl Publisher {
    fn set_publishing(&self, ok: bool) {
        self.link
            .send_if_modified(|link| std::mem::replace(&mut link.publishing, ok) != ok);
    }

    /// The number of this node's last event, once every event up to it has been sent: other
    /// nodes that have not seen it know they missed something, even if this node goes quiet.
    fn heartbeat(&self, queue: &mpsc::Receiver<Outgoing>) -> Option<String> {
        let n = self.numbered.load(Ordering::Acquire);
        // Queued after `n` was read means it is not sent yet: beat next time.
        if !queue.is_empty() {
            return None;
        }
        let beat = Envelope {
            origin: self.origin.clone(),
            n,
            topics: Vec::new(),
            frame: String::new(),
            route: Route::Other,
        };
        Some(serde_json::to_string(&beat).expect("envelopes serialise"))
    }
}

/// Sends queued events and answer records to Redis in order, a pipeline at a time. A pipeline
/// that fails is dropped with whatever queued behind it: other nodes see the gap and resync.
/// When idle it publishes a heartbeat, which also notices Redis leave and come back before the
/// next event does.
async fn publish_loop(mut publisher: Publisher, mut queue: mpsc::Receiver<Outgoing>) {
    let mut batch = Vec::with_capacity(PIPELINE);
    let mut failing = false;
    // The first beat goes at once: it tells the node whether it can publish.
    let mut idle = Duration::ZERO;
    loop {
        let busy = tokio::select! {
            received = queue.recv_many(&mut batch, PIPELINE) => {
                if received == 0 {
                    return;
                }
                true
            }
            () = tokio::time::sleep(idle) => false,
        };
        idle = HEARTBEAT;
        let mut pipe = redis::pipe();
        if !busy {
            let Some(beat) = publisher.heartbeat(&queue) else {
                continue;
            };
            pipe.publish(&publisher.channel, beat).ignore();
        }
        for outgoing in &batch {
            match outgoing {
                Outgoing::Publish(payload) => {
                    pipe.publish(&publisher.channel, payload).ignore();
                }
                Outgoing::Field {
                    key,
                    field,
                    value: Some(value),
                    ttl,
                } => {
                    pipe.hset(key, field, value)
                        .ignore()
                        .pexpire(key, ttl.as_millis() as i64)
                        .ignore();
                }
                Outgoing::Field {
                    key,
                    field,
                    value: None,
                    ..
                } => {
                    pipe.hdel(key, field).ignore();
                }
            }
        }
        let result = pipe.query_async::<()>(&mut publisher.commands).await;
        publisher.set_publishing(result.is_ok());
        match result {
            Ok(()) => {
                if failing {
                    tracing::info!("publishing to Redis again");
                    failing = false;
                }
            }
            Err(error) => {
                let mut lost = batch.len() as u64;
                while queue.try_recv().is_ok() {
                    lost += 1;
                }
                publisher.dropped.fetch_add(lost, Ordering::Relaxed);
                if !failing {
                    tracing::warn!(%error, lost, "cannot publish to Redis; other nodes will resync from the store");
                    failing = true;
                }
            }
        }
        batch.clear();
    }
}

/// Keeps this node subscribed to the cluster's channel, delivering other nodes' events to the
/// local subscribers, and tells them to resync whenever events may have been missed.
async fn subscribe_loop(
    client: redis::Client,
    channel: String,
    origin: String,
    fanout: Fanout,
    link: Arc<watch::Sender<Link>>,
    location: String,
) {
    let mut wait = RESUBSCRIBE_FIRST;
    let mut ever_connected = false;
    loop {
        let pubsub = match client.get_async_pubsub().await {
            Ok(mut pubsub) => match pubsub.subscribe(&channel).await {
                Ok(()) => Some(pubsub),
                Err(error) => {
                    tracing::debug!(%error, "cannot subscribe on Redis");
                    None
                }
            },
            Err(error) => {
                tracing::debug!(%error, "cannot connect to Redis");
                None
            }
        };
        let Some(pubsub) = pubsub else {
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(RESUBSCRIBE_LAST);
            continue;
        };
        wait = RESUBSCRIBE_FIRST;
        link.send_modify(|link| link.subscribed = true);
        if ever_connected {
            tracing::info!(redis = %location, "Redis is back: sockets resync from the store");
        } else {
            tracing::info!(redis = %location, "subscribed to the cluster's events");
        }
        // Whatever other nodes published while this node was not listening is in the store.
        fanout.interrupt_all();
        ever_connected = true;

        let mut last_seen: HashMap<String, u64> = HashMap::new();
        let mut messages = pubsub.into_on_message();
        while let Some(message) = messages.next().await {
            let envelope: Envelope = match serde_json::from_slice(message.get_payload_bytes()) {
                Ok(envelope) => envelope,
                Err(error) => {
                    tracing::warn!(%error, "ignoring a malformed event on the Redis channel");
                    continue;
                }
            };
            if envelope.origin == origin {
                continue;
            }
            if envelope.topics.is_empty() {
                // A heartbeat: `n` is the origin's last event.
                let seen = last_seen
                    .entry(envelope.origin.clone())
                    .or_insert(envelope.n);
                if envelope.n > *seen {
                    tracing::warn!(from = %envelope.origin, "events from another node were lost; sockets resync");
                    fanout.interrupt_all();
                    *seen = envelope.n;
                }
                continue;
            }
            let previous = last_seen.insert(envelope.origin.clone(), envelope.n);
            if previous.is_some_and(|previous| envelope.n != previous + 1) {
                tracing::warn!(from = %envelope.origin, "events from another node were lost; sockets resync");
                fanout.interrupt_all();
            }
            let (topics, event) = envelope.into_event();
            fanout.deliver(&topics, event);
        }
        link.send_modify(|link| link.subscribed = false);
        tracing::warn!(redis = %location, "lost the connection to Redis; serving this node's sockets and reconnecting");
    }
}
