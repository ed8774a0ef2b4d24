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

use crate::protocol::{ArticleLink, Sender, ServerEvent, SessionStatus};
use crate::server::{
    ai::{
        handover::{self, Why},
        AiError, AnswerStream, DynAnswerer, Piece, Question, Source, Turn,
    },
    broker::{Event, InFlight, Topic},
    config::AnswerLimits,
    store::{new_id, NewMessage, Tenant},
    timeline::{Audience, Timeline},
};
use futures::StreamExt;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};

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
    /// Answers running at once: in all, and per tenant (`--max-answers…`); the rest queue.
    limits: AnswerLimits,
    slots: Arc<Semaphore>,
    tenant_slots: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// An answer's place among those running; given back when dropped.
type Slot = (OwnedSemaphorePermit, OwnedSemaphorePermit);

impl Assistant {
    pub fn new(timeline: Arc<Timeline>, answerers: Answerers, limits: AnswerLimits) -> Self {
        Self {
            timeline,
            answerers,
            sessions: Mutex::new(HashMap::new()),
            slots: Arc::new(Semaphore::new(limits.total.max(1))),
            tenant_slots: Mutex::new(HashMap::new()),
            limits,
        }
    }

    /// Waits, in turn, for a slot of the tenant's and one of the server's; `None` when none
    /// came within the queue wait.
    async fn slot(&self, tenant_id: &str) -> Option<Slot> {
        let tenant = self
            .tenant_slots
            .lock()
            .expect("assistant slots lock")
            .entry(tenant_id.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(self.limits.per_tenant.max(1))))
            .clone();
        let wait = async {
            let tenant = tenant.acquire_owned().await.ok()?;
            let total = self.slots.clone().acquire_owned().await.ok()?;
            Some((tenant, total))
        };
        tokio::time::timeout(self.limits.queue_wait, wait)
            .await
            .ok()
            .flatten()
    }

    /// The answerers this server can use, sorted, and its default.
    pub fn answerer_names(&self) -> (Vec<String>, String) {
        let mut names: Vec<String> = self
            .answerers
            .available
            .keys()
            .map(|n| n.to_string())
            .collect();
        names.sort();
        (names, self.answerers.default.to_string())
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
            let answered = match self.slot(&tenant_id).await {
                Some(_slot) => self.answer_once(&tenant_id, &session_id).await,
                None => self.too_busy(&tenant_id, &session_id).await,
            };
            if let Err(error) = answered {
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

    /// One answer to the conversation as it stands: prepared, streamed, then stored.
    async fn answer_once(&self, tenant_id: &str, session_id: &str) -> anyhow::Result<()> {
        let Some(Prepared {
            answerer,
            question,
            tenant,
            test,
        }) = self.prepare(tenant_id, session_id).await?
        else {
            return Ok(());
        };
        let (stop, stop_requested) = watch::channel(false);
        {
            let mut sessions = self.sessions.lock().expect("assistant lock");
            let answers = sessions.entry(session_id.to_string()).or_default();
            if answers.stopped {
                return Ok(());
            }
            answers.stop = Some(stop);
        }
        let answer = InFlight {
            message_id: new_id(),
            text: String::new(),
            tokens: 0,
            test,
        };
        let at = Answering {
            tenant_id,
            session_id,
            test,
        };
        let streamed = self
            .stream(at, answer, answerer.answer(question), stop_requested)
            .await;
        self.sessions
            .lock()
            .expect("assistant lock")
            .entry(session_id.to_string())
            .or_default()
            .stop = None;
        self.finish(at, &tenant, streamed).await
    }

    /// The answerer and the question for a `bot` session; `None` when there is nothing to
    /// answer (the session left `bot`, or the tenant switched its assistant off).
    async fn prepare(&self, tenant_id: &str, session_id: &str) -> anyhow::Result<Option<Prepared>> {
        let store = self.timeline.store();
        let Some(session) = store.session(tenant_id, session_id, None).await? else {
            return Ok(None);
        };
        if session.status != SessionStatus::Bot {
            return Ok(None);
        }
        let Some(tenant) = store.tenant(tenant_id).await? else {
            return Ok(None);
        };
        let answerer = match self.answerers.for_tenant(tenant.ai.answerer.as_deref()) {
            Some(answerer) if tenant.ai.enabled => answerer.clone(),
            // The tenant switched the assistant off since this conversation began.
            _ => {
                self.timeline
                    .set_status(tenant_id, session_id, SessionStatus::Pending)
                    .await?;
                return Ok(None);
            }
        };
        let last_seq = session.last_message.as_ref().map(|m| m.seq).unwrap_or(0);
        let from = last_seq.saturating_sub(CONTEXT_MESSAGES as u64);
        let history = store
            .messages_after(session_id, from, CONTEXT_MESSAGES as u32)
            .await?;
        let conversation = history
            .into_iter()
            .map(|m| Turn {
                speaker: m.sender.kind,
                content: m.content,
            })
            .collect();
        let question = Question {
            tenant_id: tenant_id.to_string(),
            conversation,
        };
        Ok(Some(Prepared {
            answerer,
            question,
            tenant,
            test: session.test,
        }))
    }

    /// Streams the answer to the session's sockets until it ends, fails, or a human takes over
    /// (on this node, or on another: its event reaches this node on the session's topic).
    async fn stream(
        &self,
        at: Answering<'_>,
        mut answer: InFlight,
        mut pieces: AnswerStream,
        mut stop_requested: watch::Receiver<bool>,
    ) -> Streamed {
        // Subscribed before the answer starts, so that no hand-over is missed.
        let mut updates = self
            .timeline
            .broker()
            .subscribe(&Topic::Session(at.session_id.to_string()));
        self.timeline
            .broker()
            .record_answer(at.tenant_id, at.session_id, Some(answer.clone()));
        self.timeline.announce(
            at.audience(),
            ServerEvent::StreamStart {
                message_id: answer.message_id.clone(),
                session_id: at.session_id.to_string(),
            },
        );
        let mut ending = Ending::Done;
        let (mut offers_human, mut source) = (false, None);
        loop {
            tokio::select! {
                next = pieces.next() => match next {
                    Some(Ok(Piece::Token(token))) => self.stream_token(at, &mut answer, token),
                    Some(Ok(Piece::OffersHuman)) => offers_human = true,
                    Some(Ok(Piece::Source(from))) => source = Some(from),
                    Some(Err(error)) => {
                        ending = Ending::Failed(error);
                        break;
                    }
                    None => break,
                },
                () = stop(&mut stop_requested) => {
                    ending = Ending::Stopped;
                    break;
                }
                update = updates.recv() => match update {
                    Some(Ok(event)) if event.route.hands_over() => {
                        ending = Ending::Stopped;
                        break;
                    }
                    // Events may have been missed: ask the store where the session stands.
                    Some(Err(_)) if self.no_longer_bot(at).await => {
                        ending = Ending::Stopped;
                        break;
                    }
                    _ => {}
                },
            }
        }
        Streamed {
            answer,
            offers_human,
            source,
            ending,
        }
    }

    /// Ends the stream for every socket and stores what was shown, as it stands; a failed
    /// answer hands the visitor to a person.
    async fn finish(
        &self,
        at: Answering<'_>,
        tenant: &Tenant,
        streamed: Streamed,
    ) -> anyhow::Result<()> {
        let Streamed {
            answer,
            offers_human,
            source,
            ending,
        } = streamed;
        self.timeline
            .broker()
            .record_answer(at.tenant_id, at.session_id, None);
        self.timeline.announce(
            at.audience(),
            ServerEvent::StreamEnd {
                message_id: answer.message_id.clone(),
                session_id: at.session_id.to_string(),
            },
        );
        if !answer.text.trim().is_empty() {
            let said = Said {
                text: answer.text,
                offers_human,
                source: source.map(|s| help_center_link(tenant, s)),
            };
            self.say(at, Some(answer.message_id), said).await?;
        }
        match ending {
            Ending::Done => {}
            Ending::Stopped => {
                tracing::info!(session = %at.session_id, "answer stopped: a human took over");
            }
            Ending::Failed(error) => {
                // The visitor is not left waiting on a broken model: a person takes over.
                tracing::warn!(session = %at.session_id, %error, "the AI could not answer; handing over to the team");
                let words = handover::words(Why::Failed, &tenant.ai);
                self.say(at, None, Said::plain(words)).await?;
                self.timeline
                    .set_status(at.tenant_id, at.session_id, SessionStatus::Pending)
                    .await?;
            }
        }
        Ok(())
    }

    /// No answer slot came free in time: a person takes over, unless one already has.
    async fn too_busy(&self, tenant_id: &str, session_id: &str) -> anyhow::Result<()> {
        let store = self.timeline.store();
        let Some(session) = store.session(tenant_id, session_id, None).await? else {
            return Ok(());
        };
        if session.status != SessionStatus::Bot {
            return Ok(());
        }
        let at = Answering {
            tenant_id,
            session_id,
            test: session.test,
        };
        tracing::warn!(session = %session_id, "every answer slot stayed busy; handing over to the team");
        let settings = match store.tenant(tenant_id).await? {
            Some(tenant) => tenant.ai,
            None => Default::default(),
        };
        let words = handover::words(Why::Busy, &settings);
        self.say(at, None, Said::plain(words)).await?;
        self.timeline
            .set_status(tenant_id, session_id, SessionStatus::Pending)
            .await?;
        Ok(())
    }

    async fn no_longer_bot(&self, at: Answering<'_>) -> bool {
        match self
            .timeline
            .store()
            .session(at.tenant_id, at.session_id, None)
            .await
        {
            Ok(Some(session)) => session.status != SessionStatus::Bot,
            Ok(None) => true,
            Err(_) => false,
        }
    }

    /// Stores (and so publishes) a message from the assistant.
    async fn say(&self, at: Answering<'_>, id: Option<String>, said: Said) -> anyhow::Result<()> {
        let message = NewMessage {
            id,
            session_id: at.session_id.to_string(),
            sender: Sender::ai(),
            content: said.text,
            client_message_id: None,
            offers_human: said.offers_human,
            source: said.source,
            attachments: Vec::new(),
        };
        self.timeline.append(at.audience(), message).await?;
        Ok(())
    }

    /// Records a token with the broker, then publishes it: a socket that reads the answer after
    /// receiving this token finds the token in it, and skips its live copy by index.
    fn stream_token(&self, at: Answering<'_>, answer: &mut InFlight, token: String) {
        answer.text.push_str(&token);
        let index = answer.tokens;
        answer.tokens += 1;
        self.timeline
            .broker()
            .record_answer(at.tenant_id, at.session_id, Some(answer.clone()));
        let event = Event::stream_token(
            answer.message_id.clone(),
            at.session_id.to_string(),
            token,
            index,
        );
        self.timeline.publish(at.audience(), event);
    }
}

/// What an answer needs: who answers, what, and the tenant's settings.
struct Prepared {
    answerer: DynAnswerer,
    question: Question,
    tenant: Tenant,
    test: bool,
}

/// A message from the assistant, with the facts stored beside its text.
struct Said {
    text: String,
    offers_human: bool,
    source: Option<ArticleLink>,
}

impl Said {
    fn plain(text: String) -> Self {
        Self {
            text,
            offers_human: false,
            source: None,
        }
    }
}

/// The article's page in the tenant's help center.
fn help_center_link(tenant: &Tenant, source: Source) -> ArticleLink {
    ArticleLink {
        url: format!("/help/{}/{}", tenant.widget_key, source.slug),
        title: source.title,
    }
}

/// The session an answer is for.
#[derive(Clone, Copy)]
struct Answering<'a> {
    tenant_id: &'a str,
    session_id: &'a str,
    /// A test conversation: its visitor alone hears the answer.
    test: bool,
}

impl Answering<'_> {
    fn audience(&self) -> Audience<'_> {
        Audience::of_session(self.tenant_id, self.session_id, self.test)
    }
}

/// How a stream ended.
enum Ending {
    /// The answerer said all it had.
    Done,
    /// A human took over, or was asked for.
    Stopped,
    Failed(AiError),
}

/// What a stream showed, and how it ended.
struct Streamed {
    answer: InFlight,
    offers_human: bool,
    source: Option<Source>,
    ending: Ending,
}

/// Resolves once a local [`Assistant::stop`] asks the answer to stop.
async fn stop(stop: &mut watch::Receiver<bool>) {
    // An error means the sender is gone, which only happens after the answer ended.
    let _ = stop.wait_for(|stop| *stop).await;
}
