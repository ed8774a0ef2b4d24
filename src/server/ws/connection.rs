//! One connected agent or visitor: who they are, what this socket has sent them so far, and
//! the two ways to write to it. [`super::socket`] runs its loop, [`super::delivery`] sends it
//! the broker's events, [`super::commands`] carries out its frames.

use super::handshake::Peer;
use crate::protocol::{Sender, ServerEvent};
use crate::server::{
    broker::{encode, Topic, Typist},
    hub::Hub,
    limits::SocketRate,
};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use std::{collections::HashMap, sync::Arc};

pub(super) struct Connection {
    pub socket: WebSocket,
    pub hub: Arc<Hub>,
    pub peer: Peer,
    /// The highest `seq` delivered so far, by session (a visitor socket's one session is known
    /// from the start; an agent socket learns its sessions as their messages arrive).
    pub delivered: HashMap<String, u64>,
    /// Who this peer is when they type, to keep their own typing indicators from echoing back.
    pub typist: Typist,
    /// AI answers sent as a snapshot on connect: message id → how many tokens the snapshot held.
    pub streamed: HashMap<String, usize>,
    /// How fast this socket may send frames (`--rate-socket-frames`).
    pub rate: SocketRate,
    /// The session this peer is typing in, since their last typing frame.
    pub typing: Option<(String, tokio::time::Instant)>,
    /// The socket's presence record (an agent's, or a visitor's), once it has one.
    pub presence_id: Option<String>,
    /// A visitor socket's view of whether a person can join now.
    pub team: Option<tokio::sync::watch::Receiver<crate::protocol::TeamState>>,
}

/// A frame for this socket alone.
pub(super) fn frame(event: ServerEvent) -> Message {
    Message::Text(encode(event))
}

pub(super) fn error_frame(code: &str, message: impl Into<String>) -> Message {
    frame(ServerEvent::Error {
        code: code.into(),
        message: message.into(),
    })
}

impl Peer {
    /// For the log.
    pub fn describe(&self) -> String {
        match self {
            Peer::Agent(agent) => format!("agent {}", agent.agent_id),
            Peer::Visitor { visitor, .. } => format!("visitor of session {}", visitor.session_id),
        }
    }

    /// What the socket follows: the agent's whole tenant, or the visitor's one session.
    pub fn topic(&self) -> Topic {
        match self {
            Peer::Agent(agent) => Topic::Tenant(agent.tenant_id.clone()),
            Peer::Visitor { visitor, .. } => Topic::Session(visitor.session_id.clone()),
        }
    }

    /// How the peer appears when they write or type.
    pub fn as_sender(&self) -> Sender {
        match self {
            Peer::Agent(agent) => agent.as_sender(),
            Peer::Visitor { name, .. } => Sender::visitor(name.clone()),
        }
    }

    fn typist(&self) -> Typist {
        match self {
            Peer::Agent(agent) => Typist::Agent(agent.agent_id.clone()),
            Peer::Visitor { .. } => Typist::Visitor,
        }
    }
}

impl Connection {
    pub fn new(socket: WebSocket, hub: Arc<Hub>, peer: Peer) -> Self {
        Self {
            socket,
            rate: hub.limits().socket(),
            hub,
            typist: peer.typist(),
            peer,
            delivered: HashMap::new(),
            streamed: HashMap::new(),
            typing: None,
            presence_id: None,
            team: None,
        }
    }

    /// The socket counts for its agent's or visitor's presence; a visitor's is also told
    /// whether a person can join now, and each change after.
    pub async fn join_presence(&mut self) -> Result<(), String> {
        match &self.peer {
            Peer::Agent(agent) => {
                self.presence_id = Some(self.hub.agent_connected(agent).await);
                Ok(())
            }
            Peer::Visitor { visitor, .. } => {
                self.presence_id = self.hub.visitor_connected(visitor).await;
                let mut team = self.hub.team_watch(&visitor.tenant_id).await;
                let now = team.borrow_and_update().clone();
                self.team = Some(team);
                self.send(frame(ServerEvent::TeamAvailability {
                    available: now.available,
                    back_at: now.back_at,
                }))
                .await
            }
        }
    }

    pub async fn leave_presence(&mut self) {
        if let Some(socket_id) = self.presence_id.take() {
            self.hub.socket_left(&socket_id).await;
        }
    }

    /// Ends this peer's "is typing" for whoever sees it (their time ran out, or they left).
    pub fn stop_typing(&mut self) {
        let Some((session_id, _)) = self.typing.take() else {
            return;
        };
        match &self.peer {
            Peer::Agent(agent) => self.hub.agent_typing(agent, &session_id, false),
            Peer::Visitor { visitor, .. } => {
                self.hub
                    .visitor_typing(visitor, self.peer.as_sender(), false)
            }
        }
    }

    pub async fn send(&mut self, message: Message) -> Result<(), String> {
        self.socket.send(message).await.map_err(|e| e.to_string())
    }

    pub async fn close(&mut self, code: u16, reason: &'static str) {
        let _ = self
            .socket
            .send(Message::Close(Some(CloseFrame {
                code,
                reason: Utf8Bytes::from_static(reason),
            })))
            .await;
    }
}
