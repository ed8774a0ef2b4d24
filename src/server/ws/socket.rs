//! One connected agent or visitor: reads their frames and acts on them through the hub, and
//! forwards the broker's events to them.
//!
//! Every socket delivers each session's messages strictly in `seq` order, each once: it skips
//! what the live stream repeats and fetches from the store what it skipped (two nodes appending
//! to one session may publish out of order). A visitor socket resumes after `lastSeq`: it
//! subscribes first, then replays from the store. An agent socket starts each session at the
//! first message it sees live; the dashboard catches up with `GET …/messages?afterSeq=N`.

use super::{close_code, frames, handshake::Peer};
use crate::protocol::{ClientCommand, Sender, SenderKind, ServerEvent, ServerFrame, Timestamp};
use crate::server::{
    broker::{Event, InFlight, Missed, Topic},
    hub::{HubError, HISTORY_PAGE},
    state::AppState,
    store::Appended,
    timeline::typist,
};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use std::{collections::HashMap, sync::Arc, time::Duration};
use tokio::time::{interval_at, sleep, Instant, MissedTickBehavior};

/// Why the loop ended, for the log.
enum Ending {
    Client(String),
    Closed(u16, &'static str),
    Dropped(String),
}

struct Connection {
    socket: WebSocket,
    state: AppState,
    peer: Peer,
    /// The highest `seq` delivered so far, by session (a visitor socket's one session is known
    /// from the start; an agent socket learns its sessions as their messages arrive).
    delivered: HashMap<String, u64>,
    /// How this peer's own typing indicators are named, to keep them from echoing back.
    typist: Option<String>,
    /// AI answers sent as a snapshot on connect: message id → how many tokens the snapshot held.
    streamed: HashMap<String, usize>,
}

fn send_frame(event: ServerEvent) -> Message {
    let frame = ServerFrame {
        event,
        timestamp: Timestamp::now(),
    };
    Message::Text(
        serde_json::to_string(&frame)
            .expect("frames serialise")
            .into(),
    )
}

fn error_frame(code: &str, message: impl Into<String>) -> Message {
    send_frame(ServerEvent::Error {
        code: code.into(),
        message: message.into(),
    })
}

pub async fn run(
    socket: WebSocket,
    state: AppState,
    peer: Peer,
    expires_in: Option<Duration>,
    last_seq: Option<u64>,
) {
    let mut shutdown = state.shutdown.clone();
    let keep_alive = state.keep_alive;
    let (who, topic) = match &peer {
        Peer::Agent(agent) => (
            format!("agent {}", agent.agent_id),
            Topic::Tenant(agent.tenant_id.clone()),
        ),
        Peer::Visitor { visitor, .. } => (
            format!("visitor of session {}", visitor.session_id),
            Topic::Session(visitor.session_id.clone()),
        ),
    };
    // Subscribe before reading history, so that nothing published in between is missed.
    let mut events = state.hub.broker().subscribe(&topic);
    let typist = Some(typist(&match &peer {
        Peer::Agent(agent) => Sender {
            kind: SenderKind::Agent,
            id: Some(agent.agent_id.clone()),
            name: None,
        },
        Peer::Visitor { .. } => Sender {
            kind: SenderKind::Customer,
            id: None,
            name: None,
        },
    }));
    let mut conn = Connection {
        socket,
        state,
        peer,
        delivered: HashMap::new(),
        typist,
        streamed: HashMap::new(),
    };
    tracing::info!(peer = %who, resume_after = ?last_seq, "socket connected");

    // The rare, deep futures (opening, commands, catching up) are boxed, so that the state the
    // task keeps while it waits (every idle socket's) holds only the loop's own.
    let ending = match Box::pin(conn.open(last_seq)).await {
        Err(e) => Ending::Dropped(e),
        Ok(()) => {
            let never = Duration::from_secs(100 * 365 * 24 * 3600);
            let expiry = sleep(expires_in.unwrap_or(never));
            tokio::pin!(expiry);
            let mut pings = interval_at(
                Instant::now() + keep_alive.ping_every,
                keep_alive.ping_every,
            );
            pings.set_missed_tick_behavior(MissedTickBehavior::Delay);
            let mut last_heard = Instant::now();
            loop {
                tokio::select! {
                    incoming = conn.socket.recv() => {
                        last_heard = Instant::now();
                        match incoming {
                            Some(Ok(Message::Text(text))) => {
                                if let Err(e) = Box::pin(conn.on_text(text.as_str())).await {
                                    break Ending::Dropped(e);
                                }
                            }
                            Some(Ok(Message::Binary(_))) => {
                                if let Err(e) = conn.send(error_frame("unsupported_frame", "binary frames are not supported; send JSON text")).await {
                                    break Ending::Dropped(e);
                                }
                            }
                            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                            Some(Ok(Message::Close(frame))) => {
                                break Ending::Client(frame.map(|f| format!("code {}", f.code)).unwrap_or_default());
                            }
                            Some(Err(e)) => {
                                if is_capacity_error(&e) {
                                    conn.close(1009, "message too big").await;
                                    break Ending::Closed(1009, "message too big");
                                }
                                break Ending::Dropped(e.to_string());
                            }
                            None => break Ending::Dropped("connection lost".into()),
                        }
                    }
                    event = events.recv() => match event {
                        Some(Ok(event)) => {
                            if let Err(e) = conn.deliver(event).await {
                                break Ending::Dropped(e);
                            }
                        }
                        Some(Err(Missed::Lagged(missed))) => {
                            tracing::warn!(peer = %who, missed, "socket too slow, closing so that it resumes");
                            conn.close(close_code::TOO_SLOW, "too slow: reconnect and resume").await;
                            break Ending::Closed(close_code::TOO_SLOW, "too slow");
                        }
                        Some(Err(Missed::Interrupted)) => match Box::pin(conn.resync()).await {
                            Ok(true) => {}
                            Ok(false) => {
                                conn.close(close_code::TOO_SLOW, "events may have been missed: reconnect and resume").await;
                                break Ending::Closed(close_code::TOO_SLOW, "bus interrupted");
                            }
                            Err(e) => break Ending::Dropped(e),
                        },
                        None => {
                            conn.close(close_code::GOING_AWAY, "server shutting down").await;
                            break Ending::Closed(close_code::GOING_AWAY, "broker gone");
                        }
                    },
                    _ = pings.tick() => {
                        if last_heard.elapsed() >= keep_alive.dead_after {
                            break Ending::Dropped("no answer to pings".into());
                        }
                        if let Err(e) = conn.send(Message::Ping(Default::default())).await {
                            break Ending::Dropped(e);
                        }
                    }
                    () = &mut expiry => {
                        conn.close(close_code::TOKEN_EXPIRED, "token expired: sign in again").await;
                        break Ending::Closed(close_code::TOKEN_EXPIRED, "token expired");
                    }
                    () = shutdown.stopping() => {
                        conn.close(close_code::GOING_AWAY, "server shutting down").await;
                        break Ending::Closed(close_code::GOING_AWAY, "server shutting down");
                    }
                }
            }
        }
    };
    match ending {
        Ending::Client(detail) => tracing::info!(peer = %who, %detail, "socket closed by client"),
        Ending::Closed(code, why) => {
            tracing::info!(peer = %who, code, why, "socket closed by server")
        }
        Ending::Dropped(why) => tracing::info!(peer = %who, %why, "socket dropped"),
    }
}

/// What a command sends back to its own socket alone.
enum Reply {
    Frame(Message),
    /// A message stored earlier, acknowledging a resend of its `clientMessageId`.
    Stored(crate::protocol::Message),
}

/// A new message reaches its sender through the broker like everyone else; a resend of a
/// `clientMessageId` published nothing, so the stored message goes back to the sender alone.
fn resend_reply(appended: Appended) -> Option<Reply> {
    (!appended.created).then_some(Reply::Stored(appended.message))
}

/// True when the peer sent a frame or message over the size limit.
fn is_capacity_error(error: &axum::Error) -> bool {
    std::error::Error::source(error)
        .and_then(|source| source.downcast_ref::<tungstenite::Error>())
        .is_some_and(|e| matches!(e, tungstenite::Error::Capacity(_)))
}

impl Connection {
    async fn send(&mut self, message: Message) -> Result<(), String> {
        self.socket.send(message).await.map_err(|e| e.to_string())
    }

    async fn close(&mut self, code: u16, reason: &'static str) {
        let _ = self
            .socket
            .send(Message::Close(Some(CloseFrame {
                code,
                reason: Utf8Bytes::from_static(reason),
            })))
            .await;
    }

    /// The `connection` frame, then for a visitor the history it asked for.
    async fn open(&mut self, last_seq: Option<u64>) -> Result<(), String> {
        let greeting = match &self.peer {
            Peer::Agent(agent) => format!("Connected to Switchboard as {}", agent.name),
            Peer::Visitor { .. } => "Connected to Switchboard".to_string(),
        };
        self.send(send_frame(ServerEvent::Connection { message: greeting }))
            .await?;
        let visitor = match &self.peer {
            Peer::Visitor { visitor, .. } => visitor.clone(),
            Peer::Agent(agent) => {
                // Answers being streamed in the tenant's conversations, so far, then live.
                let answers = self.state.hub.broker().answers(&agent.tenant_id).await;
                for (session_id, answer) in answers {
                    self.send_snapshot(session_id, answer).await?;
                }
                return Ok(());
            }
        };
        match last_seq {
            Some(after) => {
                self.delivered.insert(visitor.session_id.clone(), after);
                self.catch_up(&visitor.session_id, u64::MAX).await?;
            }
            None => {
                // Live only: start from where the session stands now.
                let session = self
                    .state
                    .hub
                    .visitor_session(&visitor)
                    .await
                    .map_err(|e| e.to_string())?;
                let last = session.last_message.map(|m| m.seq).unwrap_or(0);
                self.delivered.insert(visitor.session_id.clone(), last);
            }
        }
        // An answer being streamed right now: what was said so far, then the rest live.
        let in_flight = self
            .state
            .hub
            .broker()
            .answer(&visitor.tenant_id, &visitor.session_id)
            .await;
        if let Some(answer) = in_flight {
            self.send_snapshot(visitor.session_id.clone(), answer)
                .await?;
        }
        Ok(())
    }

    /// `stream-start` and one `stream-token` with the answer so far; the live tokens it already
    /// holds are skipped later.
    async fn send_snapshot(&mut self, session_id: String, answer: InFlight) -> Result<(), String> {
        self.send(send_frame(ServerEvent::StreamStart {
            message_id: answer.message_id.clone(),
            session_id: session_id.clone(),
        }))
        .await?;
        if !answer.text.is_empty() {
            self.send(send_frame(ServerEvent::StreamToken {
                message_id: answer.message_id.clone(),
                session_id,
                token: answer.text,
            }))
            .await?;
        }
        self.streamed.insert(answer.message_id, answer.tokens);
        Ok(())
    }

    /// Sends the session's stored messages after the last one delivered and before `until`, in
    /// order.
    async fn catch_up(&mut self, session_id: &str, until: u64) -> Result<(), String> {
        loop {
            let after = self.delivered.get(session_id).copied().unwrap_or(0);
            let page = self
                .state
                .hub
                .store()
                .messages_after(session_id, after, HISTORY_PAGE)
                .await
                .map_err(|e| e.to_string())?;
            let full = page.len() as u32 == HISTORY_PAGE;
            for message in page {
                if message.seq >= until {
                    return Ok(());
                }
                self.delivered.insert(session_id.to_string(), message.seq);
                self.send(send_frame(ServerEvent::MessageNew { message }))
                    .await?;
            }
            if !full {
                return Ok(());
            }
        }
    }

    /// After events may have been missed between nodes: a visitor socket fetches the messages
    /// it lacks from the store and goes on (true); an agent socket cannot know what its
    /// dashboard lacks, so it is closed and the dashboard resumes (false).
    async fn resync(&mut self) -> Result<bool, String> {
        match &self.peer {
            Peer::Visitor { visitor, .. } => {
                let session_id = visitor.session_id.clone();
                self.catch_up(&session_id, u64::MAX).await?;
                Ok(true)
            }
            Peer::Agent(_) => Ok(false),
        }
    }

    /// Forwards one broker event, keeping a visitor's messages in order and once each.
    async fn deliver(&mut self, event: Arc<Event>) -> Result<(), String> {
        if event.typist.is_some() && event.typist == self.typist {
            return Ok(());
        }
        if let Some((id, index)) = &event.token {
            if self.streamed.get(id).is_some_and(|sent| index < sent) {
                return Ok(());
            }
        }
        if let Some(id) = &event.stream_start {
            if self.streamed.contains_key(id) {
                return Ok(());
            }
        }
        if let Some((session_id, seq)) = &event.message {
            if !self.admit(session_id, *seq).await? {
                return Ok(());
            }
        }
        self.send(Message::Text(event.frame.clone())).await
    }

    /// Whether message `seq` of a session is the next to send: false if it was sent already;
    /// if messages before it were not, they are sent from the store first.
    async fn admit(&mut self, session_id: &str, seq: u64) -> Result<bool, String> {
        match self.delivered.get(session_id).copied() {
            Some(last) if seq <= last => return Ok(false),
            // Another node published a later message first: fetch the gap from the store.
            Some(last) if seq > last + 1 => Box::pin(self.catch_up(session_id, seq)).await?,
            _ => {}
        }
        // Every message of an agent's busy sessions passes here: no new key when one exists.
        match self.delivered.get_mut(session_id) {
            Some(last) => *last = seq,
            None => {
                self.delivered.insert(session_id.to_string(), seq);
            }
        }
        Ok(true)
    }

    async fn on_text(&mut self, text: &str) -> Result<(), String> {
        let command = match frames::parse(text) {
            Ok(command) => command,
            Err(e) => return self.send(error_frame(e.code, e.message)).await,
        };
        match self.act(command).await {
            Ok(Some(Reply::Frame(reply))) => self.send(reply).await,
            Ok(Some(Reply::Stored(message))) => {
                // The contract acknowledges every resend with the stored message, even one this
                // socket delivered already; one it has not delivered yet is sent in its place.
                self.admit(&message.session_id, message.seq).await?;
                self.send(send_frame(ServerEvent::MessageNew { message }))
                    .await
            }
            Ok(None) => Ok(()),
            Err(e) => {
                if let HubError::Store(store) = &e {
                    tracing::error!(error = %store, "store failure on a socket");
                }
                let message = match &e {
                    HubError::Store(_) => "something went wrong on the server".to_string(),
                    other => other.to_string(),
                };
                self.send(error_frame(e.code(), message)).await
            }
        }
    }

    /// Carries out one client command; returns what only this socket should receive.
    async fn act(&mut self, command: ClientCommand) -> Result<Option<Reply>, HubError> {
        let hub = self.state.hub.clone();
        match (&self.peer, command) {
            (_, ClientCommand::Ping) => Ok(Some(Reply::Frame(send_frame(ServerEvent::Pong)))),

            (
                Peer::Visitor { visitor, .. },
                ClientCommand::Chat {
                    content,
                    client_message_id,
                    ..
                },
            ) => {
                let appended = hub
                    .visitor_message(visitor, content, client_message_id)
                    .await?;
                Ok(resend_reply(appended))
            }
            (
                Peer::Agent(agent),
                ClientCommand::Chat {
                    session_id,
                    content,
                    client_message_id,
                },
            ) => {
                let Some(session_id) = session_id else {
                    return Ok(Some(Reply::Frame(error_frame(
                        "invalid_frame",
                        "an agent's `chat` frame needs `sessionId`",
                    ))));
                };
                let appended = hub
                    .agent_message(agent, &session_id, content, client_message_id)
                    .await?;
                Ok(resend_reply(appended))
            }

            (Peer::Visitor { visitor, .. }, ClientCommand::HumanEscalation { reason }) => {
                tracing::info!(session = %visitor.session_id, reason = ?reason, "visitor asked for a human");
                hub.escalate(visitor).await?;
                Ok(None)
            }
            (Peer::Agent(_), ClientCommand::HumanEscalation { .. }) => Ok(Some(Reply::Frame(
                error_frame("not_allowed", "only visitors ask for a human"),
            ))),

            (Peer::Visitor { visitor, name }, ClientCommand::Typing { is_typing, .. }) => {
                let sender = Sender {
                    kind: SenderKind::Customer,
                    id: None,
                    name: name.clone(),
                };
                hub.typing(&visitor.tenant_id, &visitor.session_id, sender, is_typing);
                Ok(None)
            }
            (
                Peer::Agent(agent),
                ClientCommand::Typing {
                    session_id,
                    is_typing,
                },
            ) => {
                let Some(session_id) = session_id else {
                    return Ok(Some(Reply::Frame(error_frame(
                        "invalid_frame",
                        "an agent's `typing` frame needs `sessionId`",
                    ))));
                };
                hub.session_for(agent, &session_id).await?;
                let sender = Sender {
                    kind: SenderKind::Agent,
                    id: Some(agent.agent_id.clone()),
                    name: Some(agent.name.clone()),
                };
                hub.typing(&agent.tenant_id, &session_id, sender, is_typing);
                Ok(None)
            }
        }
    }
}
