//! Runs the AI's answers: one at a time per session, streamed to the session's sockets and the
//! tenant's agents (`stream-start`, `stream-token`…, `stream-end`), then stored as one message
//! with sender `ai`. An answer stops the moment a human takes over or is asked for; what was
//! shown is stored as it stands, so the history matches what people saw.
//!
//! The answer in flight is kept here, so that a socket that (re)connects mid-answer is sent the
//! answer so far and then the rest, whole.

use crate::protocol::{Sender, SenderKind, ServerEvent, SessionStatus};
use crate::server::{
    ai::{DynAnswerer, Question, Turn},
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

/// The answer being streamed in a session: its id, the text so far and how many tokens made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InFlight {
    pub message_id: String,
    pub text: String,
    pub tokens: usize,
}

#[derive(Default)]
struct SessionAnswers {
    tenant_id: String,
    running: bool,
    /// A question arrived while answering: answer again afterwards, with it in view.
    again: bool,
    /// A human took over: answer nothing more in this session.
    stopped: bool,
    stop: Option<watch::Sender<bool>>,
    in_flight: Option<InFlight>,
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

    /// The answer being streamed in the session now, if any.
    pub fn in_flight(&self, session_id: &str) -> Option<InFlight> {
        let sessions = self.sessions.lock().expect("assistant lock");
        sessions.get(session_id).and_then(|a| a.in_flight.clone())
    }

    /// Every answer being streamed in the tenant's sessions, for an agent socket that connects.
    pub fn in_flight_for_tenant(&self, tenant_id: &str) -> Vec<(String, InFlight)> {
        let sessions = self.sessions.lock().expect("assistant lock");
        sessions
            .iter()
            .filter(|(_, a)| a.tenant_id == tenant_id)
            .filter_map(|(id, a)| a.in_flight.clone().map(|f| (id.clone(), f)))
            .collect()
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
            answers.in_flight = Some(InFlight {
                message_id: message_id.clone(),
                text: String::new(),
                tokens: 0,
            });
            self.timeline.publish_event(
                session_id,
                tenant_id,
                ServerEvent::StreamStart {
                    message_id: message_id.clone(),
                    session_id: session_id.to_string(),
                },
            );
        }

        let mut tokens = answerer.answer(question);
        let mut stopped = false;
        let mut failure = None;
        loop {
            tokio::select! {
                next = tokens.next() => match next {
                    Some(Ok(token)) => self.stream_token(tenant_id, session_id, &message_id, token),
                    Some(Err(error)) => {
                        failure = Some(error);
                        break;
                    }
                    None => break,
                },
                _ = stop_rx.wait_for(|stop| *stop) => {
                    stopped = true;
                    break;
                }
            }
        }
        drop(tokens);

        let shown = {
            let mut sessions = self.sessions.lock().expect("assistant lock");
            let answers = sessions.entry(session_id.to_string()).or_default();
            answers.stop = None;
            let shown = answers.in_flight.take().map(|f| f.text).unwrap_or_default();
            self.timeline.publish_event(
                session_id,
                tenant_id,
                ServerEvent::StreamEnd {
                    message_id: message_id.clone(),
                    session_id: session_id.to_string(),
                },
            );
            shown
        };
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

    /// Records a token and publishes it, under the lock that [`Assistant::in_flight`] reads
    /// with, so a snapshot and the live tokens after it never overlap or leave a gap.
    fn stream_token(&self, tenant_id: &str, session_id: &str, message_id: &str, token: String) {
        let mut sessions = self.sessions.lock().expect("assistant lock");
        let Some(in_flight) = sessions
            .get_mut(session_id)
            .and_then(|a| a.in_flight.as_mut())
        else {
            return;
        };
        in_flight.text.push_str(&token);
        let index = in_flight.tokens;
        in_flight.tokens += 1;
        let mut event = frame_event(ServerEvent::StreamToken {
            message_id: message_id.to_string(),
            session_id: session_id.to_string(),
            token,
        });
        event.token = Some((message_id.to_string(), index));
        self.timeline.publish(session_id, tenant_id, event);
    }
}
