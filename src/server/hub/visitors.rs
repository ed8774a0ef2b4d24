//! What visitors do: start a conversation from a tenant's widget, write, read their history,
//! and ask for a human.

use super::{check_seq, Draft, Hub, HubError, HubResult, VisitorActor};
use crate::protocol::{
    is_email, Sender, SenderKind, ServerEvent, Session, SessionHistory, SessionStatus, Visitor,
    VisitorCredentials, WidgetConfig,
};
use crate::server::{
    ai::{
        handover::{self, Why},
        intent,
    },
    auth::{self, Claims},
    store::{Appended, NewMessage, NewSession, SessionChange, Tenant},
    timeline::{Audience, Change},
};

use super::{appearance::widget_look, HistoryPage};
use crate::app::messenger::EmailLink;

/// What `public/start` hands a new visitor.
#[derive(Debug, Clone)]
pub struct StartedSession {
    pub session: Session,
    pub session_key: String,
    pub token: String,
    /// The anonymous visitor's key, for their next conversation.
    pub visitor_key: Option<String>,
    /// The shop's identity of the visitor checked out.
    pub verified: bool,
}

/// A tenant's widget: what the messenger shows, and which sites may embed it.
#[derive(Debug, Clone)]
pub struct Widget {
    pub config: WidgetConfig,
    pub allowed_origins: Vec<String>,
}

impl Hub {
    pub(super) async fn tenant_by_widget_key(&self, widget_key: &str) -> HubResult<Tenant> {
        self.timeline
            .store()
            .tenant_by_widget_key(widget_key)
            .await?
            .ok_or(HubError::NotFound("widget key"))
    }

    /// The widget of the tenant whose widget key this is.
    pub async fn widget(&self, widget_key: &str) -> HubResult<Widget> {
        let tenant = self.tenant_by_widget_key(widget_key).await?;
        let team = self.team_state(&tenant.id).await;
        Ok(Widget {
            config: WidgetConfig {
                tenant_name: tenant.name.clone(),
                ai_enabled: tenant.ai.enabled && self.assistant.is_some(),
                greeting: tenant.ai.greeting.clone(),
                look: widget_look(&tenant),
                team_available: team.available,
                back_at: team.back_at,
                replies_by_email: self.follow_up_batch.get().is_some(),
                attachments: self.attachment_policy(&tenant.attachments),
            },
            allowed_origins: tenant.allowed_origins,
        })
    }

    /// The origins a tenant allows to embed its widget and open visitor sockets.
    pub async fn allowed_origins(&self, tenant_id: &str) -> HubResult<Vec<String>> {
        Ok(self
            .timeline
            .store()
            .tenant(tenant_id)
            .await?
            .map(|tenant| tenant.allowed_origins)
            .unwrap_or_default())
    }

    /// Starts a conversation for a visitor of the tenant whose widget key is given: the same
    /// visitor as their earlier conversations, or the shop's verified customer. A `test`
    /// conversation (the diagnostics page's) reaches no agent.
    pub async fn start_session(
        &self,
        widget_key: &str,
        visitor: Visitor,
        test: bool,
        credentials: &VisitorCredentials,
    ) -> HubResult<StartedSession> {
        let visitor = visitor.checked().map_err(HubError::InvalidVisitor)?;
        let tenant = self.tenant_by_widget_key(widget_key).await?;
        let known = self.visitor_to_start(&tenant, credentials).await?;
        // A verified customer is who the shop says, unless they said otherwise here.
        let visitor = match &known.verified {
            Some(verified) => Visitor {
                name: visitor.name.or(verified.visitor.name.clone()),
                email: visitor.email.or(verified.visitor.email.clone()),
            },
            None => visitor,
        };
        let session_key = auth::random_key(24);
        let status = if self.assistant.is_some() && tenant.ai.enabled {
            SessionStatus::Bot
        } else {
            SessionStatus::Pending
        };
        let new = NewSession {
            tenant_id: tenant.id.clone(),
            key_hash: auth::key_hash(&session_key),
            visitor,
            status,
            test,
            visitor_id: known.record.map(|r| r.id),
        };
        let session = self.timeline.start_session(new).await?;
        let token = self.signer.issue_visitor(&session.id, &tenant.id);
        Ok(StartedSession {
            session,
            session_key,
            token,
            visitor_key: known.key,
            verified: known.verified.is_some(),
        })
    }

    /// The visitor whose session key this is.
    pub async fn visitor_by_key(&self, session_key: &str) -> HubResult<(VisitorActor, Session)> {
        let keyed = self
            .timeline
            .store()
            .session_by_key_hash(&auth::key_hash(session_key))
            .await?
            .ok_or(HubError::NotFound("session"))?;
        let mut session = keyed.session;
        self.timeline.urls().sign_session(&mut session);
        let visitor = VisitorActor::of(keyed.tenant_id, &session);
        Ok((visitor, session))
    }

    /// What a follow-up email's link opens on the widget's messenger: its conversation, while
    /// the key is good and belongs to this widget's tenant.
    pub async fn email_link(&self, widget_key: &str, key: &str) -> EmailLink {
        let tenant = self.tenant_by_widget_key(widget_key).await;
        match (tenant, self.visitor_by_key(key).await) {
            (Ok(tenant), Ok((visitor, session))) if visitor.tenant_id == tenant.id => {
                EmailLink::Opens {
                    session_key: key.to_string(),
                    session_id: session.id,
                }
            }
            _ => EmailLink::Expired,
        }
    }

    /// The visitor a verified visitor token names, with their session as stored now.
    pub async fn visitor_by_token(&self, claims: &Claims) -> HubResult<(VisitorActor, Session)> {
        let session = self
            .timeline
            .store()
            .session(&claims.tid, &claims.sub, None)
            .await?
            .ok_or(HubError::NotFound("session"))?;
        Ok((VisitorActor::of(claims.tid.clone(), &session), session))
    }

    pub async fn visitor_session(&self, visitor: &VisitorActor) -> HubResult<Session> {
        let mut session = self
            .timeline
            .store()
            .session(&visitor.tenant_id, &visitor.session_id, None)
            .await?
            .ok_or(HubError::NotFound("session"))?;
        self.timeline.urls().sign_session(&mut session);
        Ok(session)
    }

    /// The conversation of the visitor whose session key this is, and a page of its messages.
    pub async fn visitor_history(
        &self,
        session_key: &str,
        page: HistoryPage,
    ) -> HubResult<SessionHistory> {
        let (_, session) = self.visitor_by_key(session_key).await?;
        let messages = self.history(&session.id, page).await?;
        Ok(SessionHistory { session, messages })
    }

    /// A visitor's message. In a closed session it reopens the conversation for the agents.
    pub async fn visitor_message(
        &self,
        visitor: &VisitorActor,
        draft: Draft,
    ) -> HubResult<Appended> {
        let content = draft.checked_content()?;
        self.limits.chat(&visitor.session_id)?;
        let session = self.visitor_session(visitor).await?;
        let attachments = self
            .message_files(&visitor.tenant_id, &session.id, draft.attachments)
            .await?;
        // The assistant cannot look at a file: one sent alone is for a person.
        let only_files = content.is_empty() && !attachments.is_empty();
        let wants_human = only_files || wants_human(&session, &content);
        let new = NewMessage {
            id: None,
            session_id: session.id.clone(),
            sender: Sender::visitor(session.visitor.name.clone()),
            content,
            client_message_id: draft.client_message_id,
            offers_human: false,
            source: None,
            attachments,
        };
        let appended = self.timeline.append(visitor.audience(), new).await?;
        if appended.created {
            self.after_visitor_message(visitor, &session, wants_human)
                .await?;
        }
        Ok(appended)
    }

    /// Who answers a visitor's new message: the AI, or the agents (a closed conversation
    /// reopens for them).
    async fn after_visitor_message(
        &self,
        visitor: &VisitorActor,
        session: &Session,
        wants_human: bool,
    ) -> HubResult<()> {
        match (session.status, &self.assistant) {
            (SessionStatus::Bot, _) if wants_human => {
                self.escalate(visitor).await?;
            }
            (SessionStatus::Bot, Some(assistant)) => {
                assistant.ask(&visitor.tenant_id, &visitor.session_id)
            }
            (SessionStatus::Bot, None) => {
                self.change_status(visitor, SessionStatus::Pending).await?;
            }
            (SessionStatus::Closed, _) => self.reopen(&visitor.tenant_id, session).await?,
            (SessionStatus::Pending | SessionStatus::Active, _) => {}
        }
        Ok(())
    }

    /// The visitor leaves an email address for a reply while nobody can join: it is stored on
    /// the conversation, the thread says so, and the agents see it.
    pub async fn leave_contact(&self, session_key: &str, email: &str) -> HubResult<Session> {
        let email = email.trim();
        if !is_email(email) {
            return Err(HubError::InvalidVisitor(
                "the email must be an address such as dana@example.com, at most 254 characters",
            ));
        }
        let (visitor, _) = self.visitor_by_key(session_key).await?;
        self.limits.chat(&visitor.session_id)?;
        let change = Change {
            state: SessionChange::Contact {
                email: email.to_string(),
            },
            line: Some(format!(
                "The visitor left an email address for a reply: {email}"
            )),
            holder: None,
        };
        self.timeline
            .change(&visitor.tenant_id, &visitor.session_id, change)
            .await?
            .ok_or(HubError::NotFound("session"))
    }

    /// The visitor has seen their conversation up to `seq`: the agents' "Seen" follows.
    pub async fn visitor_read(&self, visitor: &VisitorActor, seq: u64) -> HubResult<()> {
        check_seq(seq)?;
        let reader = Sender::visitor(None);
        self.timeline
            .mark_read(visitor.audience(), &visitor.session_id, reader, seq)
            .await?;
        Ok(())
    }

    /// The visitor asks for a human: the AI stops, the session waits for an agent (a closed
    /// one reopens), the agents are told, and the visitor's sockets get
    /// `human-escalation-response`. The hand-over words are also stored as the assistant's
    /// message, so that they are still there after a reload.
    pub async fn escalate(&self, visitor: &VisitorActor) -> HubResult<Session> {
        self.stop_assistant(&visitor.session_id);
        let session = self.visitor_session(visitor).await?;
        let tenant = self.timeline.store().tenant(&visitor.tenant_id).await?;
        let ai = tenant.map(|t| t.ai).unwrap_or_default();
        let mut words = if self.team_state(&visitor.tenant_id).await.available {
            handover::words(Why::Asked, &ai)
        } else {
            handover::words_while_away(Why::Asked, &ai)
        };
        if session.test {
            words = format!(
                "This is a test conversation, so no agent sees it. A visitor would read: “{words}”"
            );
        }
        // Already waiting for, or talking to, a human: nothing to hand over.
        let handed_over = matches!(session.status, SessionStatus::Bot | SessionStatus::Closed);
        if handed_over {
            // Said before the hand-over: an agent given the conversation at once (automatic
            // assignment) joins after these words, not before them.
            let said = NewMessage {
                sender: Sender::ai(),
                ..NewMessage::system(&session.id, words.clone())
            };
            self.timeline.append(visitor.audience(), said).await?;
        }
        match session.status {
            SessionStatus::Bot => {
                self.change_status(visitor, SessionStatus::Pending).await?;
            }
            SessionStatus::Closed => self.reopen(&visitor.tenant_id, &session).await?,
            SessionStatus::Pending | SessionStatus::Active => {}
        }
        self.timeline.announce(
            Audience::Visitor {
                session_id: &session.id,
            },
            ServerEvent::HumanEscalationResponse { message: words },
        );
        self.visitor_session(visitor).await
    }

    async fn change_status(
        &self,
        visitor: &VisitorActor,
        status: SessionStatus,
    ) -> HubResult<Session> {
        self.timeline
            .set_status(&visitor.tenant_id, &visitor.session_id, status)
            .await?
            .ok_or(HubError::NotFound("session"))
    }
}

/// True when the visitor asks for a person in words, or says yes to the AI's offer of one.
fn wants_human(session: &Session, content: &str) -> bool {
    let accepts_offer = || {
        intent::accepts_offer(content)
            && session
                .last_message
                .as_ref()
                .is_some_and(|m| m.sender.kind == SenderKind::Ai && m.offers_human)
    };
    intent::asks_for_human(content) || accepts_offer()
}
