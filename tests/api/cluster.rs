//! Several nodes on one PostgreSQL database and one Redis, as docs/operations.md runs them: each
//! node is the real binary on its own port. Sockets are spread across the nodes on purpose, and
//! one node is killed mid-conversation.

use crate::common;
use crate::routing;

use common::{
    chat::{agent_socket, history, login, start_visitor, visitor_socket, Visitor},
    get_json, post,
    services::{Postgres, Redis},
    ws::Client,
    TestServer,
};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

const SECRET: &str = "a-cluster-secret-that-is-long-enough-for-hs256";

struct Cluster {
    nodes: Vec<Option<TestServer>>,
    database: String,
    redis: Redis,
}

impl Cluster {
    /// `count` nodes named a, b, c… sharing a new database and a new Redis.
    async fn start(count: usize, extra: &[&str]) -> Self {
        let database = Postgres::shared().fresh_database().await;
        let redis = Redis::start().await;
        let mut cluster = Self {
            nodes: Vec::new(),
            database,
            redis,
        };
        for i in 0..count {
            let name = ((b'a' + i as u8) as char).to_string();
            let node = cluster.start_node(&name, extra).await;
            cluster.nodes.push(Some(node));
        }
        cluster
    }

    async fn start_node(&self, name: &str, extra: &[&str]) -> TestServer {
        let redis = self.redis.url();
        let mut args = vec!["--demo", "--redis-url", &redis, "--node-id", name];
        args.extend_from_slice(extra);
        TestServer::start_node(&self.database, &args, &[("SWITCHBOARD_JWT_SECRET", SECRET)]).await
    }

    fn node(&self, i: usize) -> &TestServer {
        self.nodes[i].as_ref().expect("a running node")
    }

    async fn kill(&mut self, i: usize) {
        self.nodes[i].take().expect("a running node").kill().await;
    }
}

fn frame_seq(frame: &Value) -> u64 {
    frame["message"]["seq"].as_u64().expect("a seq")
}

#[tokio::test]
async fn the_start_up_log_names_the_mode_and_the_node() {
    let cluster = Cluster::start(1, &["--ai", "off"]).await;
    let node = cluster.node(0);
    let ready = get_json(&node.http("/readyz"), None).await;
    assert_eq!(ready.status, 200);
    assert_eq!(ready.body["checks"]["bus"], "ok", "{}", ready.body);
    let single = TestServer::start_with(&["--demo", "--ai", "off"]).await;
    let ready = get_json(&single.http("/readyz"), None).await;
    assert_eq!(ready.body["checks"]["bus"], "single-node");
    let (_, clustered) = cluster
        .nodes
        .into_iter()
        .next()
        .unwrap()
        .unwrap()
        .terminate()
        .await;
    let (_, alone) = single.terminate().await;
    let mode = |log: &[String]| {
        log.iter()
            .find(|line| line.contains("hub started"))
            .cloned()
            .unwrap_or_default()
    };
    let clustered = mode(&clustered);
    assert!(
        clustered.contains("cluster over Redis") && clustered.contains("as node a"),
        "{clustered}"
    );
    assert!(!clustered.contains(SECRET));
    assert!(mode(&alone).contains("single-node"), "{}", mode(&alone));
}

/// A visitor on node a, Alice on b and Bob on c: messages, typing, the AI's stream, assignment
/// and status changes reach everyone, and the AI answers each question once in the cluster.
#[tokio::test]
async fn everything_crosses_nodes_and_the_ai_answers_once() {
    let cluster = Cluster::start(3, &["--ai-token-delay-ms", "5"]).await;
    let (a, b, c) = (cluster.node(0), cluster.node(1), cluster.node(2));
    let (alice_token, alice) = login(b, "agent1@callcenter.com").await;
    let (bob_token, _) = login(c, "agent2@callcenter.com").await;
    let mut alice_ws = agent_socket(b, &alice_token).await;
    let mut bob_ws = agent_socket(c, &bob_token).await;
    let visitor = start_visitor(a, Some("Vera")).await;
    let mut visitor_ws = visitor_socket(a, &visitor.key).await;

    visitor_ws
        .send(json!({"type": "chat", "content": "How much does shipping cost?"}))
        .await;
    for agent in [&mut alice_ws, &mut bob_ws] {
        let question = agent.until_message_from("customer").await;
        assert_eq!(question["sessionId"], visitor.session_id.as_str());
        // The answer streams to both agents' nodes: one stream, then one stored message.
        let (start, _) = agent.until_with("stream-start").await;
        let (end, between) = agent.until_with("stream-end").await;
        assert_eq!(start["messageId"], end["messageId"]);
        let streamed: String = between
            .iter()
            .filter(|f| f["type"] == "stream-token")
            .map(|f| f["token"].as_str().unwrap())
            .collect();
        let answer = agent.until_message_from("ai").await;
        assert_eq!(answer["content"].as_str().unwrap(), streamed);
        assert_eq!(answer["id"], start["messageId"]);
    }
    visitor_ws.until_message_from("ai").await;
    // One answer in the whole cluster: the history holds the question and one answer.
    let history = history(c, &bob_token, &visitor.session_id).await;
    let kinds: Vec<_> = history
        .iter()
        .map(|m| m["sender"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["customer", "ai"], "{history:?}");

    // Typing, both ways.
    visitor_ws
        .send(json!({"type": "typing", "isTyping": true}))
        .await;
    for agent in [&mut alice_ws, &mut bob_ws] {
        let typing = agent.until("chat.typing").await;
        assert_eq!(typing["sender"]["kind"], "customer");
    }
    alice_ws
        .send(json!({"type": "typing", "sessionId": visitor.session_id, "isTyping": true}))
        .await;
    assert_eq!(
        visitor_ws.until("chat.typing").await["sender"]["kind"],
        "agent"
    );
    assert_eq!(bob_ws.until("chat.typing").await["sender"]["kind"], "agent");

    // Alice (on b) takes the session: the visitor (on a) and Bob (on c) see it.
    let assigned = post(
        &b.http(&format!(
            "/api/v1/chat/sessions/{}/assign",
            visitor.session_id
        )),
        Some(&alice_token),
        json!({}),
    )
    .await;
    assert_eq!(assigned.status, 200, "{}", assigned.body);
    for socket in [&mut visitor_ws, &mut bob_ws] {
        let assigned = socket.until("chat.session.assigned").await;
        assert_eq!(assigned["agent"]["id"], alice["id"]);
    }
    alice_ws
        .send(json!({"type": "chat", "sessionId": visitor.session_id, "content": "Hi Vera, Alice here"}))
        .await;
    assert_eq!(
        visitor_ws.until_message_from("agent").await["content"],
        "Hi Vera, Alice here"
    );
    assert_eq!(
        bob_ws.until_message_from("agent").await["content"],
        "Hi Vera, Alice here"
    );
    // The AI stays silent now that a human has the session, on every node.
    visitor_ws.assert_no_answer("Thanks!").await;
    let closed = post(
        &c.http(&format!(
            "/api/v1/chat/sessions/{}/close",
            visitor.session_id
        )),
        Some(&bob_token),
        json!({}),
    )
    .await;
    assert_eq!(closed.status, 200, "{}", closed.body);
    // Each socket reads on to the close (the assignment's update came before it).
    for socket in [&mut visitor_ws, &mut alice_ws] {
        while socket.until("chat.session.updated").await["session"]["status"] != "closed" {}
    }
}

/// The answer's text as a client pieces it together: the snapshot's token, then live tokens.
fn streamed_text(frames: &[Value]) -> String {
    frames
        .iter()
        .filter(|f| f["type"] == "stream-token")
        .map(|f| f["token"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_socket_that_moves_to_another_node_mid_answer_gets_the_answer_whole() {
    // Slow tokens, so that the answer is still streaming when the visitor moves.
    let cluster = Cluster::start(2, &["--ai-token-delay-ms", "60"]).await;
    let (a, b) = (cluster.node(0), cluster.node(1));
    let visitor = start_visitor(a, None).await;
    let mut on_a = visitor_socket(a, &visitor.key).await;
    on_a.send(json!({"type": "chat", "content": "How do I pause my subscription?"}))
        .await;
    let question = on_a.until_message_from("customer").await;
    let (start, _) = on_a.until_with("stream-start").await;
    on_a.until("stream-token").await;
    on_a.until("stream-token").await;
    drop(on_a);

    // The visitor comes back on node b, resuming after its question.
    let mut on_b = Client::connect(&b.ws(&format!(
        "/ws/public/{}?lastSeq={}",
        visitor.key, question["seq"]
    )))
    .await;
    let (again, _) = on_b.until_with("stream-start").await;
    assert_eq!(again["messageId"], start["messageId"]);
    // An agent who signs in on node b now sees the same answer so far, then the rest.
    let (token, _) = login(b, "agent1@callcenter.com").await;
    let mut agent = agent_socket(b, &token).await;
    let (_, agent_frames) = agent.until_with("stream-end").await;
    let (_, visitor_frames) = on_b.until_with("stream-end").await;
    let answer = on_b.until_message_from("ai").await;
    assert_eq!(answer["id"], start["messageId"]);
    let whole = answer["content"].as_str().unwrap();
    assert_eq!(
        streamed_text(&visitor_frames),
        whole,
        "nothing missing, nothing twice"
    );
    assert_eq!(streamed_text(&agent_frames), whole);
    assert!(
        agent_frames
            .iter()
            .filter(|f| f["type"] == "stream-start")
            .count()
            == 1
    );
}

#[tokio::test]
async fn an_agent_on_another_node_stops_the_answer_the_moment_they_take_over() {
    let cluster = Cluster::start(2, &["--ai-token-delay-ms", "60"]).await;
    let (a, b) = (cluster.node(0), cluster.node(1));
    let (token, _) = login(b, "agent1@callcenter.com").await;
    const QUESTION: &str = "How do I pause my subscription?";

    // The whole answer, for comparison.
    let full = start_visitor(a, None).await;
    let mut full_ws = visitor_socket(a, &full.key).await;
    full_ws
        .send(json!({"type": "chat", "content": QUESTION}))
        .await;
    let whole = full_ws.until_message_from("ai").await;
    let whole = whole["content"].as_str().unwrap().to_string();

    let visitor = start_visitor(a, None).await;
    let mut visitor_ws = visitor_socket(a, &visitor.key).await;
    visitor_ws
        .send(json!({"type": "chat", "content": QUESTION}))
        .await;
    visitor_ws.until("stream-token").await;
    let assigned = post(
        &b.http(&format!(
            "/api/v1/chat/sessions/{}/assign",
            visitor.session_id
        )),
        Some(&token),
        json!({}),
    )
    .await;
    assert_eq!(assigned.status, 200);
    visitor_ws.until("stream-end").await;
    let cut = visitor_ws.until_message_from("ai").await;
    let cut = cut["content"].as_str().unwrap();
    assert!(
        cut.len() < whole.len() && whole.starts_with(cut),
        "the answer stopped where it was: {cut:?} of {whole:?}"
    );
}

/// A visitor's client as the widget behaves: it keeps what it sent until the server confirms
/// it, and on a lost connection resumes on another node after the last `seq` it saw and sends
/// the unconfirmed messages again (same `clientMessageId`, so they are stored once).
struct Resuming {
    visitor: Visitor,
    socket: Client,
    seen: Vec<Value>,
    unconfirmed: BTreeMap<String, String>,
    /// The `clientMessageId`s sent again after a reconnect.
    resent: std::collections::HashSet<String>,
    sent: usize,
}

impl Resuming {
    async fn open(server: &TestServer) -> Self {
        let visitor = start_visitor(server, None).await;
        let socket = visitor_socket(server, &visitor.key).await;
        Self {
            visitor,
            socket,
            seen: Vec::new(),
            unconfirmed: BTreeMap::new(),
            resent: Default::default(),
            sent: 0,
        }
    }

    /// Whether a message with this `clientMessageId` has arrived.
    fn saw(&self, client_message_id: &str) -> bool {
        self.seen
            .iter()
            .any(|f| f["message"]["clientMessageId"] == client_message_id)
    }

    fn last_seq(&self) -> u64 {
        self.seen.last().map(frame_seq).unwrap_or(0)
    }

    async fn say(&mut self) {
        self.sent += 1;
        let id = format!("{}-{}", self.visitor.session_id, self.sent);
        let content = format!("message {}", self.sent);
        self.unconfirmed.insert(id.clone(), content.clone());
        self.socket
            .send(json!({"type": "chat", "content": content, "clientMessageId": id}))
            .await;
    }

    /// Reads until `until` holds, checking every message on the way: the next `seq`, once.
    /// Returns false if the connection was lost first.
    async fn read_until(&mut self, until: impl Fn(&Self) -> bool) -> bool {
        while !until(self) {
            let Some(frame) = self.socket.next_frame().await else {
                return false;
            };
            if frame["type"] != "chat.message.new" {
                continue;
            }
            let seq = frame_seq(&frame);
            if seq <= self.last_seq() {
                // The contract acknowledges a resend with the stored message: the one already
                // seen at that seq, and only for a message this client sent again.
                let earlier = &self.seen[seq as usize - 1]["message"];
                assert_eq!(earlier["id"], frame["message"]["id"], "{frame}");
                let id = frame["message"]["clientMessageId"].as_str();
                assert!(
                    id.is_some_and(|id| self.resent.contains(id)),
                    "a message seen twice that was not resent: {frame}"
                );
                continue;
            }
            assert_eq!(
                seq,
                self.last_seq() + 1,
                "each message once, in order: {frame}"
            );
            if let Some(id) = frame["message"]["clientMessageId"].as_str() {
                self.unconfirmed.remove(id);
            }
            self.seen.push(frame);
        }
        true
    }

    async fn resume_on(&mut self, server: &TestServer) {
        let url = server.ws(&format!(
            "/ws/public/{}?lastSeq={}",
            self.visitor.key,
            self.last_seq()
        ));
        self.socket = Client::connect(&url).await;
        assert_eq!(
            self.socket.next_frame().await.unwrap()["type"],
            "connection"
        );
        for (id, content) in self.unconfirmed.clone() {
            self.resent.insert(id.clone());
            self.socket
                .send(json!({"type": "chat", "content": content, "clientMessageId": id}))
                .await;
        }
    }
}

/// An agent's socket, checking that each session's messages arrive once and in order.
struct Watching {
    socket: Client,
    seen: HashMap<String, Vec<u64>>,
}

impl Watching {
    async fn open(server: &TestServer, token: &str) -> Self {
        Self {
            socket: agent_socket(server, token).await,
            seen: HashMap::new(),
        }
    }

    /// Reads until it has seen `seq` of every session in `targets`; false if the connection
    /// was lost first.
    async fn read_until(&mut self, targets: &HashMap<String, u64>) -> bool {
        let done = |seen: &HashMap<String, Vec<u64>>| {
            targets
                .iter()
                .all(|(session, seq)| seen.get(session).and_then(|s| s.last()) >= Some(seq))
        };
        while !done(&self.seen) {
            let Some(frame) = self.socket.next_frame().await else {
                return false;
            };
            if frame["type"] != "chat.message.new" {
                continue;
            }
            let session = frame["message"]["sessionId"].as_str().unwrap().to_string();
            let seqs = self.seen.entry(session).or_default();
            let seq = frame_seq(&frame);
            if let Some(last) = seqs.last() {
                assert_eq!(seq, last + 1, "an agent sees each message once, in order");
            }
            seqs.push(seq);
        }
        true
    }
}

#[tokio::test]
async fn a_node_killed_mid_conversation_loses_and_doubles_nothing() {
    let mut cluster = Cluster::start(3, &["--ai", "off"]).await;
    const A: usize = 0;
    const B: usize = 1;
    const C: usize = 2;
    let (alice_token, _) = login(cluster.node(B), "agent1@callcenter.com").await;
    let (bob_token, _) = login(cluster.node(A), "agent2@callcenter.com").await;
    let mut alice = Watching::open(cluster.node(B), &alice_token).await;
    let mut bob = Watching::open(cluster.node(A), &bob_token).await;
    // Two visitors on the node that will die, one on each of the others.
    let homes = [A, B, C, A];
    let mut visitors = Vec::new();
    for home in homes {
        visitors.push(Resuming::open(cluster.node(home)).await);
    }

    // Round one: everyone says something, Alice takes every session and answers.
    for visitor in &mut visitors {
        visitor.say().await;
        assert!(visitor.read_until(|v| v.unconfirmed.is_empty()).await);
        let session = &visitor.visitor.session_id;
        let assigned = post(
            &cluster
                .node(B)
                .http(&format!("/api/v1/chat/sessions/{session}/assign")),
            Some(&alice_token),
            json!({}),
        )
        .await;
        assert_eq!(assigned.status, 200);
        alice
            .socket
            .send(json!({"type": "chat", "sessionId": session, "content": "Alice here", "clientMessageId": format!("alice-{session}-1")}))
            .await;
    }
    for visitor in &mut visitors {
        let reply = format!("alice-{}-1", visitor.visitor.session_id);
        assert!(visitor.read_until(|v| v.saw(&reply)).await);
    }

    // Visitors on node a write, and node a dies before they hear back.
    for i in [0, 3] {
        visitors[i].say().await;
    }
    cluster.kill(A).await;
    // Their sockets, and Bob's, find out; they resume on nodes b and c.
    for (i, next_home) in [(0, B), (3, C)] {
        assert!(!visitors[i].read_until(|_| false).await);
        visitors[i].resume_on(cluster.node(next_home)).await;
    }
    assert!(!bob.read_until(&HashMap::from([("never".into(), 1)])).await);
    let mut bob = Watching::open(cluster.node(C), &bob_token).await;

    // Round two, with node a gone: every visitor and Alice write again.
    for visitor in &mut visitors {
        visitor.say().await;
        let session = visitor.visitor.session_id.clone();
        alice
            .socket
            .send(json!({"type": "chat", "sessionId": session, "content": "Still here", "clientMessageId": format!("alice-{session}-2")}))
            .await;
    }
    let mut targets = HashMap::new();
    for visitor in &mut visitors {
        let reply = format!("alice-{}-2", visitor.visitor.session_id);
        assert!(
            visitor
                .read_until(|v| v.unconfirmed.is_empty() && v.saw(&reply))
                .await
        );
        targets.insert(visitor.visitor.session_id.clone(), visitor.last_seq());
    }
    assert!(alice.read_until(&targets).await);
    assert!(bob.read_until(&targets).await);

    // Every client saw exactly what the store holds: each message once, in order.
    for visitor in &visitors {
        let history = history(cluster.node(B), &alice_token, &visitor.visitor.session_id).await;
        let ids = |messages: &[Value]| -> Vec<String> {
            messages
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_string())
                .collect()
        };
        let seen: Vec<Value> = visitor.seen.iter().map(|f| f["message"].clone()).collect();
        assert_eq!(ids(&seen), ids(&history));
        // Each message the visitor wrote is stored once, resent or not.
        let contents: Vec<_> = history
            .iter()
            .filter(|m| m["sender"]["kind"] == "customer")
            .map(|m| m["content"].as_str().unwrap())
            .collect();
        let distinct: std::collections::HashSet<_> = contents.iter().collect();
        assert_eq!(
            (contents.len(), distinct.len()),
            (visitor.sent, visitor.sent),
            "{history:?}"
        );
        // And besides them: Alice joining, and her two replies.
        assert_eq!(history.len(), visitor.sent + 3, "{history:?}");
        // Alice saw every message of the session from the first on, Bob (on node c since the
        // kill) every message from the first he saw live on.
        let alice_seen = &alice.seen[&visitor.visitor.session_id];
        assert_eq!(*alice_seen, (1..=history.len() as u64).collect::<Vec<_>>());
        assert_eq!(
            bob.seen[&visitor.visitor.session_id].last(),
            Some(&(history.len() as u64))
        );
    }
}

/// Redis goes away mid-conversation: each node keeps serving its own sockets, and when Redis is
/// back the sockets of the other node catch up from the store, missing nothing.
#[tokio::test]
async fn while_redis_is_away_nodes_serve_their_own_and_catch_up_after() {
    let mut cluster = Cluster::start(2, &["--ai", "off"]).await;
    let (token, _) = login(cluster.node(0), "agent1@callcenter.com").await;
    let mut alice = agent_socket(cluster.node(0), &token).await;
    let visitor = start_visitor(cluster.node(1), None).await;
    let mut visitor_ws = visitor_socket(cluster.node(1), &visitor.key).await;
    visitor_ws
        .send(json!({"type": "chat", "content": "before"}))
        .await;
    assert_eq!(visitor_ws.until_message_from("customer").await["seq"], 1);
    assert_eq!(
        alice.until_message_from("customer").await["content"],
        "before"
    );

    cluster.redis.kill().await;
    // Alice (node a) answers while Redis is away: stored, and shown to her by her own node.
    alice
        .send(json!({"type": "chat", "sessionId": visitor.session_id, "content": "during", "clientMessageId": "during-1"}))
        .await;
    assert_eq!(alice.until_message_from("agent").await["content"], "during");
    // The visitor (node b) keeps talking to its own node.
    visitor_ws.send(json!({"type": "ping"})).await;
    visitor_ws.until("pong").await;

    cluster.redis.restart().await;
    // Node b's visitor socket gets what happened on node a from the store, once, in order
    // (replying assigned Alice: her "joined" message comes first); node a closes Alice's socket
    // with 4000 so that her dashboard catches up.
    let mut caught_up: Vec<Value> = Vec::new();
    while caught_up.last().is_none_or(|m| m["content"] != "during") {
        caught_up.push(visitor_ws.until("chat.message.new").await["message"].clone());
    }
    let seqs: Vec<_> = caught_up
        .iter()
        .map(|m| m["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, [2, 3], "{caught_up:?}");
    assert_eq!(alice.close_code().await, Some(4000));

    let mut alice = agent_socket(cluster.node(1), &token).await;
    visitor_ws
        .send(json!({"type": "chat", "content": "after"}))
        .await;
    assert_eq!(
        alice.until_message_from("customer").await["content"],
        "after"
    );
    assert_eq!(
        visitor_ws.until("chat.message.new").await["message"]["seq"],
        4
    );
    let history = history(cluster.node(0), &token, &visitor.session_id).await;
    let contents: Vec<_> = history
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        contents,
        [
            "before",
            "Alice Martin joined the conversation",
            "during",
            "after"
        ]
    );
}

#[tokio::test]
async fn a_sign_out_or_a_disable_on_one_node_ends_sockets_on_every_node() {
    let cluster = Cluster::start(2, &["--ai", "off"]).await;
    let (a, b) = (cluster.node(0), cluster.node(1));
    // Signed in on node a, connected to node b.
    let (token, _) = login(a, "agent2@callcenter.com").await;
    let mut socket = agent_socket(b, &token).await;
    let out = post(&a.http("/api/v1/auth/logout"), Some(&token), json!({})).await;
    assert_eq!(out.status, 204);
    assert_eq!(socket.close_code().await, Some(4401));
    let me = get_json(&b.http("/api/v1/auth/me"), Some(&token)).await;
    assert_eq!(me.status, 401);

    // An admin on node b disables the agent, whose socket is on node a.
    let (token, profile) = login(b, "agent2@callcenter.com").await;
    let mut socket = agent_socket(a, &token).await;
    let (admin, _) = login(b, "agent1@callcenter.com").await;
    let path = format!("/api/v1/agents/{}/disable", profile["id"].as_str().unwrap());
    assert_eq!(
        post(&b.http(&path), Some(&admin), json!({})).await.status,
        200
    );
    assert_eq!(socket.close_code().await, Some(4401));
    let me = get_json(&a.http("/api/v1/auth/me"), Some(&token)).await;
    assert_eq!(me.status, 401);
}

#[tokio::test]
async fn an_article_written_on_one_node_answers_on_every_node() {
    let cluster = Cluster::start(2, &["--ai-token-delay-ms", "0"]).await;
    let (a, b) = (cluster.node(0), cluster.node(1));
    let question = json!({"type": "chat", "content": "Is there parking near the roastery?"});
    // Node b answers from the demo's articles first (and keeps them): none is about parking.
    let visitor = start_visitor(b, None).await;
    let mut socket = visitor_socket(b, &visitor.key).await;
    socket.send(question.clone()).await;
    let before = socket.until_message_from("ai").await;
    assert!(
        !before["content"].as_str().unwrap().contains("garage"),
        "{before}"
    );

    let (admin, _) = login(a, "agent1@callcenter.com").await;
    let article = json!({"title": "Parking", "body": "## Parking near the roastery\nPark for free in the Katendrecht garage."});
    let created = post(&a.http("/api/v1/knowledge/articles"), Some(&admin), article).await;
    assert_eq!(created.status, 201, "{}", created.body);

    // The next question on node b uses the article written on node a.
    let visitor = start_visitor(b, None).await;
    let mut socket = visitor_socket(b, &visitor.key).await;
    socket.send(question).await;
    let after = socket.until_message_from("ai").await;
    assert!(
        after["content"]
            .as_str()
            .unwrap()
            .contains("Katendrecht garage"),
        "{after}"
    );
}

/// Presence that lapses two seconds after a node stops refreshing it.
const QUICK_LAPSE: &[&str] = &[
    "--ai",
    "off",
    "--presence-lapse-secs",
    "2",
    "--presence-sweep-ms",
    "200",
];

/// Presence is true on every node: a colleague on another node shows online, and offline once
/// their node dies (their record lapses; nobody is there to say goodbye).
#[tokio::test]
async fn an_agent_whose_node_dies_goes_offline_on_every_other_node() {
    let mut cluster = Cluster::start(2, QUICK_LAPSE).await;
    let (alice, _) = login(cluster.node(0), "agent1@callcenter.com").await;
    let (bob, _) = login(cluster.node(1), "agent2@callcenter.com").await;
    let mut desk = agent_socket(cluster.node(0), &alice).await;
    let _bob_desk = agent_socket(cluster.node(1), &bob).await;
    until_presence(&mut desk, "Bob Chen", "online").await;
    let bob_row = team_member(cluster.node(0), &alice, "Bob Chen").await;
    assert_eq!(
        bob_row["status"], "online",
        "read from the other node's record"
    );
    cluster.kill(1).await;
    until_presence(&mut desk, "Bob Chen", "offline").await;
    let bob_row = team_member(cluster.node(0), &alice, "Bob Chen").await;
    assert_eq!(bob_row["status"], "offline");
}

/// A visitor's presence is as true as an agent's: on the site while their page's socket is on
/// another node, gone once that node dies.
#[tokio::test]
async fn a_visitor_whose_node_dies_leaves_the_site_on_every_other_node() {
    let mut cluster = Cluster::start(2, QUICK_LAPSE).await;
    let (alice, _) = login(cluster.node(0), "agent1@callcenter.com").await;
    let mut desk = agent_socket(cluster.node(0), &alice).await;
    let visitor = start_visitor(cluster.node(1), None).await;
    let _page = visitor_socket(cluster.node(1), &visitor.key).await;
    crate::visitors::until_visitor(&mut desk, &visitor.session_id, "online").await;
    let present = get_json(&cluster.node(0).http("/api/v1/visitors"), Some(&alice)).await;
    assert_eq!(
        present.body[0]["sessionId"],
        visitor.session_id.as_str(),
        "read from the other node's record"
    );
    cluster.kill(1).await;
    crate::visitors::until_visitor(&mut desk, &visitor.session_id, "offline").await;
    let present = get_json(&cluster.node(0).http("/api/v1/visitors"), Some(&alice)).await;
    assert_eq!(present.body, json!([]));
}

/// Reads an agent socket until `name` is `status`.
async fn until_presence(desk: &mut Client, name: &str, status: &str) {
    loop {
        let event = desk.until("agent.presence").await;
        if event["agent"]["name"] == name && event["status"] == status {
            return;
        }
    }
}

/// `name` as `GET /api/v1/agents` on `node` shows them.
async fn team_member(node: &TestServer, token: &str, name: &str) -> Value {
    let team = get_json(&node.http("/api/v1/agents"), Some(token)).await;
    team.body
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .unwrap()
        .clone()
}

/// Two nodes hand out one queue at the same moment (each hears Alice and Bob become available):
/// every conversation goes to exactly one agent, and nobody past the capacity.
#[tokio::test]
async fn two_nodes_routing_at_once_give_each_conversation_to_exactly_one_agent() {
    let cluster = Cluster::start(2, &["--ai", "off", "--presence-sweep-ms", "200"]).await;
    let (a, b) = (cluster.node(0), cluster.node(1));
    let (alice, _) = login(a, "agent1@callcenter.com").await;
    let (bob, _) = login(b, "agent2@callcenter.com").await;
    let mut alice_desk = agent_socket(a, &alice).await;
    let mut bob_desk = agent_socket(b, &bob).await;
    for (node, token) in [(a, &alice), (b, &bob)] {
        routing::set_presence(node, token, json!({"availability": "busy"})).await;
    }
    for desk in [&mut alice_desk, &mut bob_desk] {
        routing::until_presence(desk, "Alice Martin", "online", "busy").await;
        routing::until_presence(desk, "Bob Chen", "online", "busy").await;
    }
    let saved = routing::set_routing(a, &alice, json!({"assignment": "auto", "capacity": 3})).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let mut visitors = Vec::new();
    for i in 0..7 {
        let node = cluster.node(i % 2);
        let visitor = start_visitor(node, None).await;
        let socket = visitor_socket(node, &visitor.key).await;
        visitors.push((visitor, socket));
    }
    // Both at once: each node hears both changes and routes.
    tokio::join!(
        routing::set_presence(a, &alice, json!({"availability": "available"})),
        routing::set_presence(b, &bob, json!({"availability": "available"})),
    );
    let mut given: BTreeMap<String, usize> = BTreeMap::new();
    for (_, socket) in visitors.iter_mut().take(6) {
        let event = socket.until("chat.session.assigned").await;
        *given
            .entry(event["agent"]["name"].as_str().unwrap().into())
            .or_default() += 1;
    }
    assert_eq!(
        given,
        BTreeMap::from([("Alice Martin".into(), 3), ("Bob Chen".into(), 3)])
    );
    // The seventh waits (both are full); each of the six was given once.
    let queue = get_json(
        &a.http("/api/v1/chat/sessions?view=unassigned"),
        Some(&alice),
    )
    .await;
    let queued: Vec<&Value> = queue.body.as_array().unwrap().iter().collect();
    assert_eq!(queued.len(), 1, "{}", queue.body);
    assert_eq!(queued[0]["id"], json!(visitors[6].0.session_id));
    for (visitor, _) in &visitors[..6] {
        let lines = history(b, &bob, &visitor.session_id).await;
        let joined = lines
            .iter()
            .filter(|m| {
                m["content"]
                    .as_str()
                    .is_some_and(|c| c.ends_with("joined the conversation"))
            })
            .count();
        assert_eq!(joined, 1, "{lines:?}");
    }
}

#[tokio::test]
async fn a_file_uploaded_on_one_node_is_sent_and_served_from_another() {
    use common::upload::{download, png, visitor_upload};
    let cluster = Cluster::start(2, &["--ai", "off"]).await;
    let (a, b) = (cluster.node(0), cluster.node(1));
    let visitor = start_visitor(a, None).await;
    let (token, _) = login(b, "agent1@callcenter.com").await;
    let mut agents = agent_socket(b, &token).await;
    let mut visitors = visitor_socket(a, &visitor.key).await;
    let shot = png(300, 300);
    let up = visitor_upload(a, &visitor.key, "shot.png", "image/png", &shot).await;
    assert_eq!(up.status, 200, "{}", up.body);
    visitors
        .send(json!({"type": "chat", "content": "this error", "attachments": [up.body["id"]]}))
        .await;
    let heard = agents.until("chat.message.new").await;
    let url = heard["message"]["attachments"][0]["url"].as_str().unwrap();
    let (status, bytes, _) = download(b, url).await;
    assert!(
        status == 200 && bytes == shot,
        "node b serves node a's upload, every piece of it"
    );
    let (status, _, _) = download(a, url).await;
    assert_eq!(status, 200, "and node a serves node b's address");
}
