//! What agents do: sign in, read their tenant's inbox and conversations, reply, and mark what
//! they have read. Who holds a conversation is [`super::holding`]'s.

use super::{
    check_seq, AgentActor, Draft, HistoryFrom, HistoryPage, Hub, HubError, HubResult, HISTORY_PAGE,
};
use crate::protocol::{
    AgentProfile, LoginResponse, MeResponse, Message, Session, SessionStatus, TenantRef,
};
use crate::server::{
    auth::{Claims, Role, TokenError},
    store::{Appended, NewMessage, SessionPage},
    timeline::Audience,
};

impl Hub {
    /// Checks an email and password from `ip`; a token and the agent's profile if they match.
    /// Refused unchecked while the address or the account is over its limit.
    pub async fn login(
        &self,
        email: &str,
        password: String,
        ip: std::net::IpAddr,
    ) -> HubResult<LoginResponse> {
        self.limits.login(ip, email)?;
        let agent = self.timeline.store().agent_by_email(email.trim()).await?;
        let stored = agent.as_ref().map(|a| a.password_hash.clone());
        let matches = self.password_checks.verify(password, stored).await;
        let agent = match (matches, agent) {
            (true, Some(agent)) if agent.disabled => {
                return Err(HubError::Forbidden(
                    "this account is disabled; ask an admin",
                ))
            }
            (true, Some(agent)) => agent,
            _ => {
                // The address as typed (bounded), never the password.
                let email: String = email.trim().chars().take(254).collect();
                tracing::warn!(%email, %ip, "failed sign-in");
                self.limits.login_failed(&email);
                return Err(HubError::InvalidCredentials);
            }
        };
        tracing::info!(agent = %agent.id, tenant = %agent.tenant_id, "agent signed in");
        Ok(LoginResponse {
            token: self
                .signer
                .issue_agent(&agent.id, &agent.tenant_id, agent.token_version),
            agent: AgentProfile {
                id: agent.id,
                name: agent.name,
                email: agent.email,
                role: agent.role,
            },
        })
    }

    /// The claims of a token this server signed, still valid.
    pub fn verify_token(&self, token: &str) -> Result<Claims, TokenError> {
        self.signer.verify(token)
    }

    /// The agent an agent token names, while the sign-in stands: the agent exists and is
    /// enabled, the token's version is current and it was not signed out.
    pub async fn agent_by_claims(&self, claims: &Claims) -> HubResult<AgentActor> {
        if claims.role != Role::Agent {
            return Err(HubError::SignedOut("this needs an agent's token"));
        }
        let agent = self.stored_agent(&claims.tid, &claims.sub).await?;
        let actor = AgentActor::signed_in(&agent, claims);
        self.check_sign_in(&agent, &actor).await?;
        Ok(actor)
    }

    /// The signed-in agent's own profile and tenant.
    pub async fn profile(&self, agent: &AgentActor) -> HubResult<MeResponse> {
        let record = self.stored_agent(&agent.tenant_id, &agent.agent_id).await?;
        let tenant = self
            .timeline
            .store()
            .tenant(&agent.tenant_id)
            .await?
            .ok_or(HubError::SignedOut("this tenant no longer exists"))?;
        Ok(MeResponse {
            agent: AgentProfile {
                id: record.id,
                name: record.name,
                email: record.email,
                role: record.role,
            },
            tenant: TenantRef {
                id: tenant.id,
                name: tenant.name,
                widget_key: tenant.widget_key,
            },
            attachments: self.attachment_policy(&tenant.attachments),
        })
    }

    /// A session of the agent's tenant. A test conversation is no agent's (`Session::test`).
    pub async fn session_for(&self, agent: &AgentActor, session_id: &str) -> HubResult<Session> {
        let mut session = self
            .timeline
            .store()
            .session(&agent.tenant_id, session_id, Some(&agent.agent_id))
            .await?
            .filter(|session| !session.test)
            .ok_or(HubError::NotFound("session"))?;
        self.timeline.urls().sign_session(&mut session);
        Ok(session)
    }

    /// A page of the tenant's sessions in a view, newest activity first.
    pub async fn sessions_for(
        &self,
        agent: &AgentActor,
        page: &SessionPage,
    ) -> HubResult<Vec<Session>> {
        let mut sessions = self
            .timeline
            .store()
            .sessions(&agent.tenant_id, &agent.agent_id, page)
            .await?;
        let urls = self.timeline.urls();
        sessions.iter_mut().for_each(|s| urls.sign_session(s));
        Ok(sessions)
    }

    pub async fn messages_for(
        &self,
        agent: &AgentActor,
        session_id: &str,
        page: HistoryPage,
    ) -> HubResult<Vec<Message>> {
        self.session_for(agent, session_id).await?;
        self.history(session_id, page).await
    }

    /// An agent's reply. Replying to a conversation nobody holds takes it, as in Intercom.
    pub async fn agent_message(
        &self,
        agent: &AgentActor,
        session_id: &str,
        draft: Draft,
    ) -> HubResult<Appended> {
        let content = draft.checked_content()?;
        let session = self.session_for(agent, session_id).await?;
        if session.status == SessionStatus::Closed {
            return Err(HubError::SessionClosed);
        }
        let attachments = self
            .message_files(&agent.tenant_id, session_id, draft.attachments)
            .await?;
        if session.assigned_agent.is_none() {
            self.assign(agent, session_id).await?;
        }
        let new = NewMessage {
            id: None,
            session_id: session_id.to_string(),
            sender: agent.as_sender(),
            content,
            client_message_id: draft.client_message_id,
            offers_human: false,
            source: None,
            attachments,
        };
        let audience = Audience::of_session(&agent.tenant_id, session_id, session.test);
        let appended = self.timeline.append(audience, new).await?;
        if appended.created {
            self.plan_follow_up(&session, appended.message.seq).await;
        }
        Ok(appended)
    }

    pub async fn mark_read(
        &self,
        agent: &AgentActor,
        session_id: &str,
        seq: u64,
    ) -> HubResult<Session> {
        check_seq(seq)?;
        let session = self.session_for(agent, session_id).await?;
        let audience = Audience::of_session(&agent.tenant_id, session_id, session.test);
        let moved = self
            .timeline
            .mark_read(audience, session_id, agent.as_sender(), seq)
            .await?;
        match moved {
            Some(_) => self.session_for(agent, session_id).await,
            None => Ok(session),
        }
    }

    /// A page of a session's stored messages after `after_seq`, in order. The caller has
    /// checked that the session is the asker's.
    pub async fn messages_after(
        &self,
        session_id: &str,
        after_seq: u64,
    ) -> HubResult<Vec<Message>> {
        let page = HistoryPage {
            from: HistoryFrom::After(after_seq),
            limit: HISTORY_PAGE,
        };
        self.history(session_id, page).await
    }

    /// A page of a session's stored messages. The caller has checked that the session is the
    /// asker's.
    pub(super) async fn history(
        &self,
        session_id: &str,
        page: HistoryPage,
    ) -> HubResult<Vec<Message>> {
        let store = self.timeline.store();
        let mut messages = match page.from {
            HistoryFrom::After(seq) => store.messages_after(session_id, seq, page.limit).await?,
            HistoryFrom::Before(seq) => store.messages_before(session_id, seq, page.limit).await?,
        };
        self.timeline.urls().sign_messages(&mut messages);
        Ok(messages)
    }
}
