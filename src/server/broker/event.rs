//! What travels on the broker: a server frame, serialised once for every recipient, and what
//! it is about ([`Route`]), so that sockets and the assistant can route it without parsing it.

use crate::protocol::{Sender, SenderKind, ServerEvent, ServerFrame, SessionStatus, Timestamp};
use axum::extract::ws::Utf8Bytes;
use serde::{Deserialize, Serialize};

/// One event, serialised once as the JSON frame every recipient receives.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Event {
    /// The `ServerFrame` as JSON text, shared by every socket that sends it.
    pub frame: Utf8Bytes,
    pub route: Route,
}

/// What an event is about, as far as delivering it goes. It travels between nodes with the
/// frame (in the Redis envelope), so every node routes an event the same way.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Route {
    /// `chat.message.new`: a socket that replays history skips what it already sent by `seq`,
    /// and fills the gap from the store when a later one comes first.
    Message { session_id: String, seq: u64 },
    /// `chat.typing`: the typist's own sockets are not told about themselves.
    Typing { typist: Typist },
    /// `stream-start`: a socket sent the answer as a snapshot does not start it twice.
    StreamStart { message_id: String },
    /// `stream-token` number `index` of an answer: a socket sent the answer so far skips the
    /// tokens it already has.
    StreamToken { message_id: String, index: usize },
    /// A session was assigned or changed status; the assistant stops answering one that left
    /// `bot`.
    SessionChange { status: SessionStatus },
    /// An agent was signed out (one token, or every one): their sockets close with 4401. Its
    /// frame is never sent.
    SignedOut {
        agent_id: String,
        token_id: Option<String>,
    },
    /// Anything else: delivered as it is.
    #[default]
    Other,
}

/// Who is typing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Typist {
    Visitor,
    Agent(String),
}

impl Typist {
    /// The typist a sender is; `None` for senders that never type (the AI, the system).
    pub fn of(sender: &Sender) -> Option<Self> {
        match (sender.kind, &sender.id) {
            (SenderKind::Customer, _) => Some(Self::Visitor),
            (SenderKind::Agent, Some(id)) => Some(Self::Agent(id.clone())),
            _ => None,
        }
    }
}

/// The JSON text of a server frame stamped now: the one serialiser of frames, for the broker
/// and for the frames a socket sends to its own peer alone.
pub fn encode(event: ServerEvent) -> Utf8Bytes {
    let frame = ServerFrame {
        event,
        timestamp: Timestamp::now(),
    };
    serde_json::to_string(&frame)
        .expect("frames serialise")
        .into()
}

impl Event {
    /// The event for a frame, routed by what the frame says.
    pub fn new(event: ServerEvent) -> Self {
        let route = Route::of(&event);
        Self {
            frame: encode(event),
            route,
        }
    }

    /// Token number `index` of an answer being streamed.
    pub fn stream_token(
        message_id: String,
        session_id: String,
        token: String,
        index: usize,
    ) -> Self {
        Self {
            route: Route::StreamToken {
                message_id: message_id.clone(),
                index,
            },
            frame: encode(ServerEvent::StreamToken {
                message_id,
                session_id,
                token,
            }),
        }
    }
}

impl Route {
    fn of(event: &ServerEvent) -> Self {
        match event {
            ServerEvent::MessageNew { message } => Self::Message {
                session_id: message.session_id.clone(),
                seq: message.seq,
            },
            ServerEvent::Typing { sender, .. } => match Typist::of(sender) {
                Some(typist) => Self::Typing { typist },
                None => Self::Other,
            },
            ServerEvent::StreamStart { message_id, .. } => Self::StreamStart {
                message_id: message_id.clone(),
            },
            ServerEvent::SessionAssigned { .. } => Self::SessionChange {
                status: SessionStatus::Active,
            },
            ServerEvent::SessionUpdated { session } => Self::SessionChange {
                status: session.status,
            },
            _ => Self::Other,
        }
    }

    /// True when the event takes the session away from the AI: an agent took it, or it left
    /// `bot` (the visitor asked for a human, or it was closed).
    pub fn hands_over(&self) -> bool {
        matches!(self, Self::SessionChange { status } if *status != SessionStatus::Bot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{AgentRef, Session, Visitor};

    fn session(status: SessionStatus) -> Session {
        Session {
            id: "s1".into(),
            status,
            assigned_agent: None,
            visitor: Visitor::default(),
            last_message: None,
            unread_count: 0,
            visitor_read_seq: 0,
            team_read_seq: 0,
            visit: None,
            created_at: Timestamp::now(),
            updated_at: Timestamp::now(),
            test: false,
            visitor_id: None,
            verified_user_id: None,
        }
    }

    #[test]
    fn a_session_leaving_the_bot_hands_over() {
        let updated = |status| {
            Event::new(ServerEvent::SessionUpdated {
                session: session(status),
            })
            .route
        };
        assert!(updated(SessionStatus::Active).hands_over());
        assert!(updated(SessionStatus::Pending).hands_over());
        assert!(!updated(SessionStatus::Bot).hands_over());
        assert!(!Event::new(ServerEvent::Pong).route.hands_over());
        assert!(Event::new(ServerEvent::SessionAssigned {
            session_id: "s1".into(),
            agent: AgentRef {
                id: "a1".into(),
                name: "Al".into(),
            },
        })
        .route
        .hands_over());
    }

    #[test]
    fn typing_is_routed_by_typist() {
        let typing = |kind, id: Option<&str>| {
            Event::new(ServerEvent::Typing {
                session_id: "s1".into(),
                sender: Sender {
                    kind,
                    id: id.map(String::from),
                    name: None,
                },
                is_typing: true,
            })
            .route
        };
        assert_eq!(
            typing(SenderKind::Agent, Some("a1")),
            Route::Typing {
                typist: Typist::Agent("a1".into())
            }
        );
        assert_eq!(
            typing(SenderKind::Customer, None),
            Route::Typing {
                typist: Typist::Visitor
            }
        );
    }
}
