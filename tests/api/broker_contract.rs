//! The `Broker` contract: every check runs against the in-process `LocalBroker` and against two
//! `RedisBroker` nodes sharing a real Redis (events published on one node, received on the
//! other). Then what only a cluster has: Redis going away and coming back, and a lost event.

use crate::common;

use common::services::Redis;
use std::{sync::Arc, time::Duration};
use switchboard::protocol::SessionStatus;
use switchboard::server::broker::{
    Broker, BusHealth, DynBroker, Event, InFlight, LocalBroker, Missed, RedisBroker, Route,
    SocketPresence, Subscription, Topic, Typist,
};

/// How long a test waits for something that should happen at once before failing.
const LIMIT: Duration = Duration::from_secs(20);

fn event(text: &str) -> Event {
    Event {
        frame: text.to_string().into(),
        ..Event::default()
    }
}

fn tenant(id: &str) -> Topic {
    Topic::Tenant(id.into())
}

async fn next(subscription: &mut Subscription) -> Result<Arc<Event>, Missed> {
    tokio::time::timeout(LIMIT, subscription.recv())
        .await
        .expect("an event arrives in time")
        .expect("the broker is alive")
}

/// The next event, skipping resync notices (a Redis node's first subscription sends one).
async fn next_event(subscription: &mut Subscription) -> Arc<Event> {
    loop {
        if let Ok(event) = next(subscription).await {
            return event;
        }
    }
}

/// Two nodes: `a` publishes, `b` receives. For the local broker they are the same one.
struct Nodes {
    a: DynBroker,
    b: DynBroker,
    _redis: Option<Redis>,
}

async fn local() -> Nodes {
    let broker: DynBroker = Arc::new(LocalBroker::new());
    Nodes {
        a: broker.clone(),
        b: broker,
        _redis: None,
    }
}

async fn redis_node(redis: &Redis, name: &str) -> Arc<RedisBroker> {
    let node = RedisBroker::start(&redis.url(), name, "test").expect("a valid URL");
    assert!(node.wait_connected(LIMIT).await, "{name} reaches Redis");
    Arc::new(node)
}

async fn redis() -> Nodes {
    let redis = Redis::start().await;
    Nodes {
        a: redis_node(&redis, "a").await,
        b: redis_node(&redis, "b").await,
        _redis: Some(redis),
    }
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod local_broker {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(super::local().await).await;
                }
            )*
        }
        mod redis_broker {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(super::redis().await).await;
                }
            )*
        }
    };
}

contract!(
    delivers_to_every_subscriber_of_a_topic_once_and_in_order,
    a_slow_subscriber_is_told_it_lagged_and_never_blocks_the_publisher,
    answers_in_flight_are_readable_on_every_node_and_scoped_by_tenant,
    routing_facts_travel_with_the_event,
    presence_records_are_read_on_every_node_and_forgotten_once,
);

async fn delivers_to_every_subscriber_of_a_topic_once_and_in_order(nodes: Nodes) {
    let mut b1 = nodes.b.subscribe(&tenant("t1"));
    let mut b2 = nodes.b.subscribe(&tenant("t1"));
    let mut own = nodes.a.subscribe(&tenant("t1"));
    let mut session = nodes.b.subscribe(&Topic::Session("s1".into()));
    let mut other = nodes.b.subscribe(&tenant("t2"));
    for i in 0..50 {
        nodes.a.publish(&[tenant("t1")], event(&format!("e{i}")));
    }
    nodes
        .a
        .publish(&[Topic::Session("s1".into()), tenant("t2")], event("both"));
    for subscriber in [&mut b1, &mut b2, &mut own] {
        for i in 0..50 {
            assert_eq!(&*next_event(subscriber).await.frame, format!("e{i}"));
        }
    }
    assert_eq!(&*next_event(&mut session).await.frame, "both");
    // `other` follows t2 only: the first event it sees is the one sent to t2.
    assert_eq!(&*next_event(&mut other).await.frame, "both");
    // Nothing was delivered twice: a marker published now is the next event everywhere.
    nodes.a.publish(&[tenant("t1")], event("marker"));
    for subscriber in [&mut b1, &mut b2, &mut own] {
        assert_eq!(&*next_event(subscriber).await.frame, "marker");
    }
}

async fn a_slow_subscriber_is_told_it_lagged_and_never_blocks_the_publisher(nodes: Nodes) {
    // On the publishing node, so that nothing drains the subscriber while it fills.
    let topic = tenant("t1");
    let mut slow = nodes.a.subscribe(&topic);
    for i in 0..1024 + 10 {
        nodes
            .a
            .publish(std::slice::from_ref(&topic), event(&i.to_string()));
    }
    assert_eq!(next(&mut slow).await, Err(Missed::Lagged(10)));
    assert_eq!(&*next(&mut slow).await.unwrap().frame, "10");
}

async fn answers_in_flight_are_readable_on_every_node_and_scoped_by_tenant(nodes: Nodes) {
    let mut b = nodes.b.subscribe(&tenant("t1"));
    let answer = InFlight {
        message_id: "m1".into(),
        text: "Hello, wor".into(),
        tokens: 3,
        test: false,
    };
    nodes.a.record_answer("t1", "s1", Some(answer.clone()));
    // The record is ordered before events published after it, on every node.
    nodes.a.publish(&[tenant("t1")], event("token"));
    assert_eq!(&*next_event(&mut b).await.frame, "token");
    assert_eq!(nodes.b.answer("t1", "s1").await, Some(answer.clone()));
    assert_eq!(
        nodes.b.answers("t1").await,
        vec![("s1".to_string(), answer.clone())]
    );
    assert_eq!(nodes.b.answer("t2", "s1").await, None, "another tenant's");
    assert!(nodes.b.answers("t2").await.is_empty());

    nodes.a.record_answer("t1", "s1", None);
    nodes.a.publish(&[tenant("t1")], event("end"));
    assert_eq!(&*next_event(&mut b).await.frame, "end");
    assert_eq!(nodes.b.answer("t1", "s1").await, None);
    assert!(nodes.b.answers("t1").await.is_empty());
}

async fn presence_records_are_read_on_every_node_and_forgotten_once(nodes: Nodes) {
    let mut b = nodes.b.subscribe(&tenant("t1"));
    let record = SocketPresence {
        party_id: "a1".into(),
        active_at_ms: 1_000,
        lapses_at_ms: 46_000,
    };
    nodes
        .a
        .record_presence("t1", "socket-1", Some(record.clone()));
    // Ordered before what is published after it, as answers are.
    nodes.a.publish(&[tenant("t1")], event("joined"));
    assert_eq!(&*next_event(&mut b).await.frame, "joined");
    assert_eq!(
        nodes.b.presence("t1").await,
        vec![("socket-1".to_string(), record)]
    );
    assert!(nodes.b.presence("t2").await.is_empty(), "another tenant's");
    // Two nodes forget a lapsed record at once: one of them did it.
    let (first, second) = tokio::join!(
        nodes.a.forget_presence("t1", "socket-1"),
        nodes.b.forget_presence("t1", "socket-1")
    );
    assert!(first ^ second, "exactly one forgot it: {first} {second}");
    assert!(nodes.b.presence("t1").await.is_empty());
    // What one node works out for itself stays on it (one process has one node).
    if !Arc::ptr_eq(&nodes.a, &nodes.b) {
        let mut a = nodes.a.subscribe(&tenant("t1"));
        nodes.b.publish_here(&[tenant("t1")], event("here"));
        nodes.b.publish(&[tenant("t1")], event("everywhere"));
        assert_eq!(&*next_event(&mut a).await.frame, "everywhere");
        assert_eq!(&*next_event(&mut b).await.frame, "here");
    }
}

async fn routing_facts_travel_with_the_event(nodes: Nodes) {
    let mut b = nodes.b.subscribe(&tenant("t1"));
    let routes = [
        Route::Message {
            session_id: "s1".into(),
            seq: 7,
        },
        Route::Typing {
            typist: Typist::Agent("a1".into()),
        },
        Route::StreamStart {
            message_id: "m1".into(),
        },
        Route::StreamToken {
            message_id: "m1".into(),
            index: 4,
        },
        Route::SessionChange {
            status: SessionStatus::Active,
        },
    ];
    for route in routes {
        let full = Event {
            frame: "{\"type\":\"x\"}".to_string().into(),
            route,
        };
        nodes.a.publish(&[tenant("t1")], full.clone());
        assert_eq!(*next_event(&mut b).await, full);
    }
}

#[tokio::test]
async fn a_node_without_redis_serves_its_own_sockets_and_resyncs_when_it_is_back() {
    let mut redis = Redis::start().await;
    let a = redis_node(&redis, "a").await;
    let b = redis_node(&redis, "b").await;
    assert_eq!(a.health(), BusHealth::Connected);
    let mut on_a = a.subscribe(&tenant("t1"));
    let mut on_b = b.subscribe(&tenant("t1"));

    redis.kill().await;
    assert!(b.wait_link(LIMIT, |link| !link.subscribed).await);
    assert_eq!(b.health(), BusHealth::Disconnected);
    // Node a still delivers to its own subscribers; the copy for Redis is lost.
    a.publish(&[tenant("t1")], event("while away"));
    assert_eq!(&*next_event(&mut on_a).await.frame, "while away");
    assert!(a.wait_link(LIMIT, |link| !link.publishing).await);

    redis.restart().await;
    assert!(a.wait_connected(LIMIT).await, "a reconnects by itself");
    assert!(b.wait_connected(LIMIT).await, "b reconnects by itself");
    // b may have missed events: it is told so, and its sockets resume from the store.
    assert_eq!(next(&mut on_b).await, Err(Missed::Interrupted));
    a.publish(&[tenant("t1")], event("after"));
    assert_eq!(&*next_event(&mut on_b).await.frame, "after");
}

#[tokio::test]
async fn a_gap_in_another_nodes_events_or_a_malformed_one_is_noticed_not_trusted() {
    use redis::AsyncCommands;
    let redis = Redis::start().await;
    let b = redis_node(&redis, "b").await;
    let mut on_b = b.subscribe(&tenant("t1"));
    let raw = redis::Client::open(redis.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let envelope = |n: u64, frame: &str| {
        serde_json::json!({"origin": "x/1", "n": n, "topics": ["tenant:t1"], "frame": frame})
            .to_string()
    };
    let publish = |payload: String| {
        let mut raw = raw.clone();
        async move {
            let _: () = raw.publish("test:events", payload).await.unwrap();
        }
    };
    publish(envelope(1, "one")).await;
    assert_eq!(&*next_event(&mut on_b).await.frame, "one");
    publish("not json".into()).await;
    publish(envelope(2, "two")).await;
    assert_eq!(next(&mut on_b).await.unwrap().frame.as_str(), "two");
    // Event 3 never arrives: 4 says so.
    publish(envelope(4, "four")).await;
    assert_eq!(next(&mut on_b).await, Err(Missed::Interrupted));
    assert_eq!(next(&mut on_b).await.unwrap().frame.as_str(), "four");
    // A heartbeat saying 5 was sent, when 4 is the last that arrived.
    let beat = serde_json::json!({"origin": "x/1", "n": 5, "topics": [], "frame": ""});
    publish(beat.to_string()).await;
    assert_eq!(next(&mut on_b).await, Err(Missed::Interrupted));
    publish(envelope(6, "six")).await;
    assert_eq!(next(&mut on_b).await.unwrap().frame.as_str(), "six");
}
