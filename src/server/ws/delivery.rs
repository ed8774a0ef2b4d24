//! What a socket is sent: on connect the history it asked for and the answers being streamed,
//! then the broker's events, each session's messages strictly in `seq` order and each once. It
//! skips what the live stream repeats and fetches from the store what it skipped (two nodes
//! appending to one session may publish out of order).

use super::connection::{frame, Connection};
use super::handshake::Peer;
use crate::protocol::ServerEvent;
use crate::server::broker::{Event, InFlight, Route, Typist};
use axum::extract::ws::Message;
use std::sync::Arc;

impl Connection {
    /// The `connection` frame; for an agent the answers being streamed in their tenant, for a
    /// visitor the history after `last_seq` and the answer being streamed in their session.
    pub async fn open(&mut self, last_seq: Option<u64>) -> Result<(), String> {
        let greeting = match &self.peer {
            Peer::Agent(agent) => format!("Connected to Switchboard as {}", agent.name),
            Peer::Visitor { .. } => "Connected to Switchboard".to_string(),
        };
        self.send(frame(ServerEvent::Connection { message: greeting }))
            .await?;
        let visitor = match &self.peer {
            Peer::Visitor { visitor, .. } => visitor.clone(),
            Peer::Agent(agent) => {
                // Answers being streamed in the tenant's conversations, so far, then live.
                let answers = self.hub.answers_in_flight(agent).await;
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
                    .hub
                    .visitor_session(&visitor)
                    .await
                    .map_err(|e| e.to_string())?;
                let last = session.last_message.map(|m| m.seq).unwrap_or(0);
                self.delivered.insert(visitor.session_id.clone(), last);
            }
        }
        // An answer being streamed right now: what was said so far, then the rest live.
        if let Some(answer) = self.hub.answer_in_flight(&visitor).await {
            self.send_snapshot(visitor.session_id.clone(), answer)
                .await?;
        }
        Ok(())
    }

    /// `stream-start` and one `stream-token` with the answer so far; the live tokens it already
    /// holds are skipped later.
    async fn send_snapshot(&mut self, session_id: String, answer: InFlight) -> Result<(), String> {
        self.send(frame(ServerEvent::StreamStart {
            message_id: answer.message_id.clone(),
            session_id: session_id.clone(),
        }))
        .await?;
        if !answer.text.is_empty() {
            self.send(frame(ServerEvent::StreamToken {
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
                .hub
                .messages_after(session_id, after)
                .await
                .map_err(|e| e.to_string())?;
            let full = page.len() as u32 == crate::server::hub::HISTORY_PAGE;
            for message in page {
                if message.seq >= until {
                    return Ok(());
                }
                self.delivered.insert(session_id.to_string(), message.seq);
                self.send(frame(ServerEvent::MessageNew { message }))
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
    pub async fn resync(&mut self) -> Result<bool, String> {
        match &self.peer {
            Peer::Visitor { visitor, .. } => {
                let session_id = visitor.session_id.clone();
                self.catch_up(&session_id, u64::MAX).await?;
                Ok(true)
            }
            Peer::Agent(_) => Ok(false),
        }
    }

    /// Forwards one broker event, keeping each session's messages in order and once each.
    pub async fn deliver(&mut self, event: Arc<Event>) -> Result<(), String> {
        if !self.wants(&event.route).await? {
            return Ok(());
        }
        self.send(Message::Text(event.frame.clone())).await
    }

    /// Whether this socket sends an event with this route (a message's gap is filled first).
    async fn wants(&mut self, route: &Route) -> Result<bool, String> {
        Ok(match route {
            Route::Typing { typist } => !self.is_own(typist),
            Route::StreamToken { message_id, index } => self
                .streamed
                .get(message_id)
                .is_none_or(|sent| index >= sent),
            Route::StreamStart { message_id } => !self.streamed.contains_key(message_id),
            Route::Message { session_id, seq } => self.admit(session_id, *seq).await?,
            Route::SessionChange { .. } | Route::Other => true,
            Route::SignedOut { .. } => false,
        })
    }

    /// Whether an event signs this socket's agent out.
    pub fn signs_out(&self, route: &Route) -> bool {
        match (route, &self.peer) {
            (Route::SignedOut { agent_id, token_id }, Peer::Agent(agent)) => {
                *agent_id == agent.agent_id
                    && token_id.as_ref().is_none_or(|id| *id == agent.token.id)
            }
            _ => false,
        }
    }

    fn is_own(&self, typist: &Typist) -> bool {
        *typist == self.typist
    }

    /// Whether message `seq` of a session is the next to send: false if it was sent already;
    /// if messages before it were not, they are sent from the store first.
    pub async fn admit(&mut self, session_id: &str, seq: u64) -> Result<bool, String> {
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
}
