//! A socket's frames, carried out through the hub: a bad frame or a refused command is answered
//! with an `error` frame on this socket, and the socket stays open.

use super::connection::{error_frame, frame, Connection};
use super::{frames, handshake::Peer};
use crate::protocol::{ClientCommand, PageVisit, ServerEvent};
use crate::server::{
    hub::{Draft, HubError},
    store::Appended,
};
use axum::extract::ws::Message;

/// The longest reason a visitor may give for asking for a human, and how much of it is logged.
const MAX_REASON_CHARS: usize = 500;
const LOGGED_REASON_CHARS: usize = 120;

/// What a command sends back to its own socket alone.
enum Reply {
    Frame(Message),
    /// A message stored earlier, acknowledging a resend of its `clientMessageId`.
    Stored(Box<crate::protocol::Message>),
}

/// A new message reaches its sender through the broker like everyone else; a resend of a
/// `clientMessageId` published nothing, so the stored message goes back to the sender alone.
fn resend_reply(appended: Appended) -> Option<Reply> {
    (!appended.created).then_some(Reply::Stored(Box::new(appended.message)))
}

/// The refusal of a frame an agent must name a session in.
fn needs_session(kind: &str) -> Option<Reply> {
    Some(Reply::Frame(error_frame(
        "invalid_frame",
        format!("an agent's `{kind}` frame needs `sessionId`"),
    )))
}

impl Connection {
    pub async fn on_text(&mut self, text: &str) -> Result<(), String> {
        // Counted before anything else: a flood of bad frames is a flood too.
        if let Err(limited) = self.rate.check() {
            let refusal = HubError::RateLimited(limited);
            return self
                .send(error_frame(refusal.code(), refusal.to_string()))
                .await;
        }
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
                self.send(frame(ServerEvent::MessageNew { message: *message }))
                    .await
            }
            Ok(None) => Ok(()),
            Err(e) => self.send(error_frame(e.code(), e.to_string())).await,
        }
    }

    /// Carries out one client command; returns what only this socket should receive.
    async fn act(&mut self, command: ClientCommand) -> Result<Option<Reply>, HubError> {
        match command {
            ClientCommand::Ping => Ok(Some(Reply::Frame(frame(ServerEvent::Pong)))),
            ClientCommand::Chat {
                session_id,
                content,
                client_message_id,
                attachments,
            } => {
                let draft = Draft {
                    content,
                    client_message_id,
                    attachments,
                };
                self.chat(session_id, draft).await
            }
            ClientCommand::HumanEscalation { reason } => self.escalate(reason).await,
            ClientCommand::Typing {
                session_id,
                is_typing,
            } => self.typing(session_id, is_typing).await,
            ClientCommand::Read { session_id, seq } => self.read(session_id, seq).await,
            ClientCommand::Visit(page) => self.visit(page).await,
            ClientCommand::Activity => {
                self.active().await;
                Ok(None)
            }
        }
    }

    async fn chat(
        &mut self,
        session_id: Option<String>,
        draft: Draft,
    ) -> Result<Option<Reply>, HubError> {
        let appended = match (&self.peer, session_id) {
            (Peer::Visitor { visitor, .. }, _) => self.hub.visitor_message(visitor, draft).await?,
            (Peer::Agent(agent), Some(session_id)) => {
                self.hub.agent_message(agent, &session_id, draft).await?
            }
            (Peer::Agent(_), None) => return Ok(needs_session("chat")),
        };
        // The message ends its writer's typing: everyone who sees it clears the indicator.
        if self
            .typing
            .as_ref()
            .is_some_and(|(s, _)| *s == appended.message.session_id)
        {
            self.typing = None;
        }
        Ok(resend_reply(appended))
    }

    async fn read(
        &mut self,
        session_id: Option<String>,
        seq: u64,
    ) -> Result<Option<Reply>, HubError> {
        match (&self.peer, session_id) {
            (Peer::Visitor { visitor, .. }, _) => self.hub.visitor_read(visitor, seq).await?,
            (Peer::Agent(agent), Some(session_id)) => {
                self.hub.mark_read(agent, &session_id, seq).await?;
            }
            (Peer::Agent(_), None) => return Ok(needs_session("read")),
        }
        Ok(None)
    }

    /// The agent or visitor is using their dashboard or page.
    async fn active(&mut self) {
        if let Some(socket_id) = self.presence_id.clone() {
            self.hub.socket_active(&socket_id).await;
        }
    }

    /// The visitor's widget is on a page: where they are now, and a sign of life.
    async fn visit(&mut self, page: PageVisit) -> Result<Option<Reply>, HubError> {
        let Peer::Visitor {
            visitor, device, ..
        } = &self.peer
        else {
            return Ok(Some(Reply::Frame(error_frame(
                "not_allowed",
                "only a visitor's widget reports the page it is on",
            ))));
        };
        let (visitor, device) = (visitor.clone(), device.clone());
        self.hub.visitor_visit(&visitor, &device, page).await?;
        self.active().await;
        Ok(None)
    }

    async fn escalate(&mut self, reason: Option<String>) -> Result<Option<Reply>, HubError> {
        let Peer::Visitor { visitor, .. } = &self.peer else {
            return Ok(Some(Reply::Frame(error_frame(
                "not_allowed",
                "only visitors ask for a human",
            ))));
        };
        if reason
            .as_ref()
            .is_some_and(|r| r.chars().count() > MAX_REASON_CHARS)
        {
            return Ok(Some(Reply::Frame(error_frame(
                "invalid_reason",
                format!("the reason must be at most {MAX_REASON_CHARS} characters"),
            ))));
        }
        self.hub.limits().escalation(&visitor.session_id)?;
        // Logged shortened: the log is for people, not a place to store what a visitor wrote.
        let reason: Option<String> = reason.map(|r| r.chars().take(LOGGED_REASON_CHARS).collect());
        tracing::info!(session = %visitor.session_id, reason = ?reason, "visitor asked for a human");
        self.hub.escalate(visitor).await?;
        Ok(None)
    }

    async fn typing(
        &mut self,
        session_id: Option<String>,
        is_typing: bool,
    ) -> Result<Option<Reply>, HubError> {
        let session_id = match (&self.peer, session_id) {
            (Peer::Visitor { visitor, .. }, _) => {
                self.hub.limits().typing(&visitor.session_id)?;
                let sender = self.peer.as_sender();
                self.hub.visitor_typing(visitor, sender, is_typing);
                visitor.session_id.clone()
            }
            (Peer::Agent(agent), Some(session_id)) => {
                self.hub.session_for(agent, &session_id).await?;
                self.hub.limits().typing(&session_id)?;
                self.hub.agent_typing(agent, &session_id, is_typing);
                session_id
            }
            (Peer::Agent(_), None) => return Ok(needs_session("typing")),
        };
        // An agent typing in another conversation has stopped in the one before.
        if self.typing.as_ref().is_some_and(|(s, _)| *s != session_id) {
            self.stop_typing();
        }
        self.typing = is_typing.then(|| (session_id, tokio::time::Instant::now()));
        Ok(None)
    }
}
