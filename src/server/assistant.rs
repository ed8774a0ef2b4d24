//! Runs the AI's answers: one at a time per session, streamed to the session's sockets and the
//! tenant's agents (`stream-start`, `stream-token`…, `stream-end`), then stored as one message
//! with sender `ai`. An answer stops the moment a human takes over or is asked for; what was
//! shown is stored as it stands, so the history matches what people saw.
//!
//! The answer in flight is recorded with the broker before each of its events is published, so
//! that a socket that (re)connects mid-answer, to any node, is sent the answer so far and then
//! the rest, whole. The node that stored the visitor's message runs the answer, so each message
//! is answered once in a cluster; an agent taking the session on another node stops it through
//! the session's `session.updated` event.

use crate::protocol::{Sender, SenderKind, ServerEvent, ServerFrame, SessionStatus};
use crate::server::{
    ai::{DynAnswerer, Question, Turn},
    broker::{Event, InFlight, Topic},
    store::{new_id, NewMessage},
    timeline::{frame_event, Timeline},
};
use futures::StreamExt;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};
use tokio::sync::watch;

/// What the visitor reads when the AI provider fails.
pub const HANDOVER: &str =
    "Sorry, I'm having trouble answering right now. A person from our team will help you shortly.";

/// How many earlier messages the answerer sees.
const CONTEXT_MESSAGES: usize = 20;

#[derive(Default)]
struct SessionAnswers {
    tenant_id: String,
    running: bool,
    /// A question arrived while answering: answer again afterwards, with it in view.
    again: bool,
    /// A human took over: answer nothing more in this session.
    stopped: bool,
    stop: Option<watch::Sender<bool>>,
}

/// The answerers this server can use, and the one tenants get unless they chose another.
pub struct Answerers {
    pub default: &'static str,
    pub available: HashMap<&'static str, DynAnswerer>,
}

impl Answerers {
    /// The tenant's choice if this server has it, else the default.
    fn for_tenant(&self, choice: Option<&str>) -> Option<&DynAnswerer> {
        choice
            .and_then(|c| self.available.get(c))
            .or_else(|| self.available.get(self.default))
    }
}

pub struct Assistant {
    timeline: Arc<Timeline>,
    answerers: Answerers,
    sessions: Mutex<HashMap<String, SessionAnswers>>,
}

impl Assistant {
    pub fn new(timeline: Arc<Timeline>, answerers: Answerers) -> Self {
        Self {
            timeline,
            answerers,
            sessions: Mutex::new(HashMap::new()),
        }
    }

    /// A visitor wrote in a `bot` session: answer now, or right after the answer in progress.
    pub fn ask(self: &Arc<Self>, tenant_id: &str, session_id: &str) {
        {
            let mut sessions = self.sessions.lock().expect("assistant lock");
            let answers = sessions.entry(session_id.to_string()).or_default();
            answers.tenant_id = tenant_id.to_string();
            if answers.running {
                answers.again = true;
                return;
            }
            answers.running = true;
        }
        let this = self.clone();
        let (tenant_id, session_id) = (tenant_id.to_string(), session_id.to_string());
        tokio::spawn(async move { this.work(tenant_id, session_id).await });
    }

    /// A human took over or was asked for: stop the answer in flight, answer nothing more.
    pub fn stop(&self, session_id: &str) {
        let mut sessions = self.sessions.lock().expect("assistant lock");
        if let Some(answers) = sessions.get_mut(session_id) {
            answers.again = false;
            answers.stopped = true;
            if let Some(stop) = &answers.stop {
                let _ = stop.send(true);
            }
        }
    }

    async fn work(self: Arc<Self>, tenant_id: String, session_id: String) {
        loop {
            if let Err(error) = self.answer_once(&tenant_id, &session_id).await {
                tracing::error!(session = %session_id, %error, "the assistant could not answer");
            }
            let mut sessions = self.sessions.lock().expect("assistant lock");
            let answers = sessions.entry(session_id.clone()).or_default();
            if answers.again && !answers.stopped {
                answers.again = false;
                continue;
            }
            sessions.remove(&session_id);
            return;
        }
    }

    async fn answer_once(&self, tenant_id: &str, session_id: &str) -> anyhow::Result<()> {
        let store = self.timeline.store();
        let Some(session) = store.session(tenant_id, session_id, None).await? else {
            return Ok(());
        };
        if session.status != SessionStatus::Bot {
            return Ok(());
        }
        let Some(tenant) = store.tenant(tenant_id).await? else {
            return Ok(());
        };
        let answerer = match self.answerers.for_tenant(tenant.ai.answerer.as_deref()) {
            Some(answerer) if tenant.ai.enabled => answerer.clone(),
            // The tenant switched the assistant off since this conversation began.
            _ => {
                self.timeline
                    .set_status(tenant_id, session_id, SessionStatus::Pending)
                    .await?;
                return Ok(());
            }
        };
        let last_seq = session.last_message.as_ref().map(|m| m.seq).unwrap_or(0);
        let from = last_seq.saturating_sub(CONTEXT_MESSAGES as u64);
        let history = store
            .messages_after(session_id, from, CONTEXT_MESSAGES as u32)
            .await?;
        let question = Question {
            tenant_id: tenant_id.to_string(),
            conversation: history
                .into_iter()
                .map(|m| Turn {
                    speaker: m.sender.kind,
                    content: m.content,
                })
                .collect(),
        };

        let message_id = new_id();
        let (stop_tx, mut stop_rx) = watch::channel(false);
        {
            let mut sessions = self.sessions.lock().expect("assistant lock");
            let answers = sessions.entry(session_id.to_string()).or_default();
            if answers.stopped {
                return Ok(());
            }
            answers.stop = Some(stop_tx);
        }
        // A human may take the session on another node: its `session.updated` reaches this
        // node on the session's topic. Subscribed before the answer starts, so none is missed.
        let mut updates = self
            .timeline
            .broker()
            .subscribe(&Topic::Session(session_id.to_string()));
        let mut answer = InFlight {
            message_id: message_id.clone(),
            text: String::new(),
            tokens: 0,
        };
        let broker = self.timeline.broker();
        broker.record_answer(tenant_id, session_id, Some(answer.clone()));
        self.timeline.publish_event(
            session_id,
            tenant_id,
            ServerEvent::StreamStart {
                message_id: message_id.clone(),
                session_id: session_id.to_string(),
            },
        );

        let mut tokens = answerer.answer(question);
        let mut stopped = false;
        let mut failure = None;
        loop {
            tokio::select! {
                next = tokens.next() => match next {
                    Some(Ok(token)) => self.stream_token(tenant_id, session_id, &mut answer, token),
                    Some(Err(error)) => {
                        failure = Some(error);
                        break;
                    }
                    None => break,
                },
                () = stop_requested(&mut stop_rx) => {
                    stopped = true;
                    break;
                }
                update = updates.recv() => match update {
                    Some(Ok(event)) if hands_over(&event) => {
                        stopped = true;
                        break;
                    }
                    // Events may have been missed: ask the store where the session stands.
                    Some(Err(_)) if self.no_longer_bot(tenant_id, session_id).await => {
                        stopped = true;
                        break;
                    }
                    _ => {}
                },
            }
        }
        drop(tokens);
        drop(updates);

        self.sessions
            .lock()
            .expect("assistant lock")
            .entry(session_id.to_string())
            .or_default()
            .stop = None;
        broker.record_answer(tenant_id, session_id, None);
        self.timeline.publish_event(
            session_id,
            tenant_id,
            ServerEvent::StreamEnd {
                message_id: message_id.clone(),
                session_id: session_id.to_string(),
            },
        );
        let shown = answer.text;
        if stopped {
            tracing::info!(session = %session_id, "answer stopped: a human took over");
        }
        if !shown.trim().is_empty() {
            self.say(tenant_id, session_id, Some(message_id), shown)
                .await?;
        }
        if let Some(error) = failure {
            // The visitor is not left waiting on a broken model: a person takes over.
            tracing::warn!(session = %session_id, %error, "the AI could not answer; handing over to the team");
            self.say(tenant_id, session_id, None, HANDOVER.to_string())
                .await?;
            self.timeline
                .set_status(tenant_id, session_id, SessionStatus::Pending)
                .await?;
        }
        Ok(())
    }

    async fn no_longer_bot(&self, tenant_id: &str, session_id: &str) -> bool {
        match self
            .timeline
            .store()
            .session(tenant_id, session_id, None)
            .await
        {
            Ok(Some(session)) => session.status != SessionStatus::Bot,
            Ok(None) => true,
            Err(_) => false,
        }
    }

    /// Stores (and so publishes) a message from the assistant.
    async fn say(
        &self,
        tenant_id: &str,
        session_id: &str,
        id: Option<String>,
        content: String,
    ) -> anyhow::Result<()> {
        self.timeline
            .append(
                tenant_id,
                NewMessage {
                    id,
                    session_id: session_id.to_string(),
                    sender: Sender {
                        kind: SenderKind::Ai,
                        id: None,
                        name: Some("Assistant".into()),
                    },
                    content,
                    client_message_id: None,
                },
            )
            .await?;
        Ok(())
    }

    /// Records a token with the broker, then publishes it: a socket that reads the answer after
    /// receiving this token finds the token in it, and skips its live copy by index.
    fn stream_token(
        &self,
        tenant_id: &str,
        session_id: &str,
        answer: &mut InFlight,
        token: String,
    ) {
        answer.text.push_str(&token);
        let index = answer.tokens;
        answer.tokens += 1;
        self.timeline
            .broker()
            .record_answer(tenant_id, session_id, Some(answer.clone()));
        let mut event = frame_event(ServerEvent::StreamToken {
            message_id: answer.message_id.clone(),
            session_id: session_id.to_string(),
            token,
        });
        event.token = Some((answer.message_id.clone(), index));
        self.timeline.publish(session_id, tenant_id, event);
    }
}

/// Resolves once a local [`Assistant::stop`] asks the answer to stop.
async fn stop_requested(stop: &mut watch::Receiver<bool>) {
    // An error means the sender is gone, which only happens after the answer ended.
    let _ = stop.wait_for(|stop| *stop).await;
}

/// True for an event that takes the session away from the AI: an agent took it, or it left
/// `bot` (the visitor asked for a human, or it was closed). Only frames that are
/// not messages, tokens or typing are parsed: this runs for every event of the session.
fn hands_over(event: &Event) -> bool {
    if event.message.is_some() || event.token.is_some() || event.typist.is_some() {
        return false;
    }
    match serde_json::from_str::<ServerFrame>(event.frame.as_str()).map(|frame| frame.event) {
        Ok(ServerEvent::SessionAssigned { .. }) => true,
        Ok(ServerEvent::SessionUpdated { session }) => session.status != SessionStatus::Bot,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Session, Timestamp, Visitor};

    fn session(status: SessionStatus) -> Session {
        Session {
            id: "s1".into(),
            status,
            assigned_agent: None,
            visitor: Visitor::default(),
            last_message: None,
            unread_count: 0,
            created_at: Timestamp::now(),
            updated_at: Timestamp::now(),
        }
    }

    #[test]
    fn a_session_leaving_the_bot_hands_over() {
        let updated = |status| {
            frame_event(ServerEvent::SessionUpdated {
                session: session(status),
            })
        };
        assert!(hands_over(&updated(SessionStatus::Active)));
        assert!(hands_over(&updated(SessionStatus::Pending)));
        assert!(!hands_over(&updated(SessionStatus::Bot)));
        assert!(!hands_over(&frame_event(ServerEvent::Pong)));
        assert!(hands_over(&frame_event(ServerEvent::SessionAssigned {
            session_id: "s1".into(),
            agent: crate::protocol::AgentRef {
                id: "a1".into(),
                name: "Al".into(),
            },
        })));
    }
}
