//! A visitor's conversations over time (docs/design.md, "History and data rights"): who a
//! visitor is across conversations (an anonymous visitor's key, or a shop's verified
//! customer), their earlier conversations, transcripts, search, and the admins' export and
//! erasure.

use super::{AgentActor, Hub, HubError, HubResult, StartedSession};
use crate::protocol::{
    ErasureReport, SearchResults, SenderKind, Session, Transcript, VisitorConversations,
    VisitorCredentials, VisitorExport, VisitorRecord, VisitorRequest, MAX_SEARCH_CHARS,
    MAX_SEARCH_HITS,
};
use crate::server::{
    auth,
    history::{
        identity::{self, Verified},
        rights,
        transcript::TranscriptReader,
    },
    shutdown::ShutdownListener,
    store::{NewVisitor, SearchTerms, Tenant, VisitorLookup},
};
use std::sync::Arc;

/// How many messages before a closing line a conversation's summary looks back for words.
const LAST_WORDS_LOOK_BACK: u32 = 5;

/// How long a key that opens an earlier conversation is good for.
const OPENED_KEY_DAYS: i64 = 365;

/// Whom a visitor-level call is about, as far as the store knows them.
#[derive(Debug, Clone, Default)]
pub(super) struct KnownVisitor {
    pub record: Option<VisitorRecord>,
    /// The anonymous visitor's key to hand back (the one sent, or a new one).
    pub key: Option<String>,
    /// The shop vouched for them.
    pub verified: Option<Verified>,
}

impl Hub {
    /// Whom `credentials` name in the tenant: a verified customer (whose record takes the
    /// conversations of the anonymous key sent with it), or the anonymous visitor whose key it
    /// is. A wrong hash is anonymous; an unknown key is nobody yet.
    pub(super) async fn known_visitor(
        &self,
        tenant: &Tenant,
        credentials: &VisitorCredentials,
    ) -> HubResult<KnownVisitor> {
        let secret = tenant.history.identity_secret.as_deref();
        let verified = match &credentials.identity {
            Some(given) => identity::verify(secret, given).map_err(HubError::InvalidVisitor)?,
            None => None,
        };
        let store = self.timeline.store();
        let anonymous = match &credentials.visitor_key {
            Some(key) => {
                let hash = auth::key_hash(key);
                store
                    .visitor(&tenant.id, VisitorLookup::Key { hash: &hash })
                    .await?
            }
            None => None,
        };
        let Some(verified) = verified else {
            return Ok(KnownVisitor {
                key: anonymous.as_ref().and(credentials.visitor_key.clone()),
                record: anonymous,
                verified: None,
            });
        };
        let lookup = VisitorLookup::User {
            id: &verified.user_id,
        };
        let mut record = store.visitor(&tenant.id, lookup).await?;
        if let Some(anonymous) = anonymous {
            // Identified: what they wrote before signing in is theirs now.
            let customer = self.save_customer(tenant, &verified).await?;
            store
                .merge_visitor(&tenant.id, &anonymous.id, &customer.id)
                .await?;
            record = Some(customer);
        }
        Ok(KnownVisitor {
            record,
            key: None,
            verified: Some(verified),
        })
    }

    /// The verified customer's record, created or brought up to date with what the shop said.
    async fn save_customer(
        &self,
        tenant: &Tenant,
        verified: &Verified,
    ) -> HubResult<VisitorRecord> {
        let new = NewVisitor {
            tenant_id: tenant.id.clone(),
            user_id: Some(verified.user_id.clone()),
            key_hash: None,
            name: verified.visitor.name.clone(),
            email: verified.visitor.email.clone(),
        };
        Ok(self.timeline.store().save_visitor(&new).await?)
    }

    /// The visitor a new conversation belongs to: as [`Self::known_visitor`], stored if they
    /// are new (an anonymous visitor gets a new key).
    pub(super) async fn visitor_to_start(
        &self,
        tenant: &Tenant,
        credentials: &VisitorCredentials,
    ) -> HubResult<KnownVisitor> {
        let mut known = self.known_visitor(tenant, credentials).await?;
        if let Some(verified) = &known.verified {
            known.record = Some(self.save_customer(tenant, verified).await?);
        } else if known.record.is_none() {
            let key = auth::random_key(24);
            let new = NewVisitor {
                tenant_id: tenant.id.clone(),
                user_id: None,
                key_hash: Some(auth::key_hash(&key)),
                name: None,
                email: None,
            };
            known.record = Some(self.timeline.store().save_visitor(&new).await?);
            known.key = Some(key);
        }
        Ok(known)
    }

    /// The conversations of the visitor a widget names, newest first.
    pub async fn visitor_conversations(
        &self,
        request: &VisitorRequest,
    ) -> HubResult<VisitorConversations> {
        let tenant = self.tenant_by_widget_key(&request.widget_key).await?;
        let known = self.known_visitor(&tenant, &request.credentials).await?;
        let mut sessions = match &known.record {
            Some(record) => self.signed_sessions(&tenant.id, &record.id, None).await?,
            None => Vec::new(),
        };
        for session in &mut sessions {
            self.last_words(session).await?;
        }
        Ok(VisitorConversations {
            visitor_key: known.key,
            verified: known.verified.is_some(),
            conversations: sessions.into_iter().map(Into::into).collect(),
        })
    }

    /// A new session key for one of the visitor's conversations, which their widget then holds
    /// as its current one.
    pub async fn open_conversation(
        &self,
        session_id: &str,
        request: &VisitorRequest,
    ) -> HubResult<StartedSession> {
        let tenant = self.tenant_by_widget_key(&request.widget_key).await?;
        let known = self.known_visitor(&tenant, &request.credentials).await?;
        let store = self.timeline.store();
        let session = store
            .session(&tenant.id, session_id, None)
            .await?
            .filter(|s| !s.test && s.visitor_id.is_some())
            .filter(|s| s.visitor_id == known.record.as_ref().map(|r| r.id.clone()))
            .ok_or(HubError::NotFound("conversation"))?;
        let session_key = auth::random_key(24);
        let expires = chrono::Utc::now() + chrono::Duration::days(OPENED_KEY_DAYS);
        let expires = expires.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        store
            .add_session_link(&session.id, &auth::key_hash(&session_key), &expires)
            .await?;
        let token = self.signer.issue_visitor(&session.id, &tenant.id);
        let mut session = session;
        self.timeline.urls().sign_session(&mut session);
        Ok(StartedSession {
            session,
            session_key,
            token,
            visitor_key: known.key,
            verified: known.verified.is_some(),
        })
    }

    /// Shows a conversation by the last thing a person wrote in it ("Closed by Alice" says less
    /// in a list than the question it was about), when one of its last few messages is.
    async fn last_words(&self, session: &mut Session) -> HubResult<()> {
        let Some(last) = &session.last_message else {
            return Ok(());
        };
        if last.sender.kind != SenderKind::System {
            return Ok(());
        }
        let recent = self
            .timeline
            .store()
            .messages_before(&session.id, last.seq, LAST_WORDS_LOOK_BACK)
            .await?;
        if let Some(mut said) = recent
            .into_iter()
            .rev()
            .find(|m| m.sender.kind != SenderKind::System)
        {
            self.timeline.urls().sign_message(&mut said);
            session.last_message = Some(said);
        }
        Ok(())
    }

    /// A visitor's conversations as agents list them, the files' addresses signed.
    async fn signed_sessions(
        &self,
        tenant_id: &str,
        visitor_id: &str,
        viewer: Option<&str>,
    ) -> HubResult<Vec<Session>> {
        let store = self.timeline.store();
        let mut sessions = store
            .visitor_sessions(tenant_id, visitor_id, viewer)
            .await?;
        for session in &mut sessions {
            self.timeline.urls().sign_session(session);
        }
        Ok(sessions)
    }

    /// A visitor's conversations, for the agent's side panel.
    pub async fn conversations_of(
        &self,
        agent: &AgentActor,
        visitor_id: &str,
    ) -> HubResult<Vec<Session>> {
        let sessions = self
            .signed_sessions(&agent.tenant_id, visitor_id, Some(&agent.agent_id))
            .await?;
        if sessions.is_empty() {
            return Err(HubError::NotFound("visitor"));
        }
        Ok(sessions)
    }

    /// A conversation and every message its reader sees, to download.
    pub(super) async fn transcript_of(
        &self,
        tenant_id: &str,
        session: Session,
    ) -> HubResult<Transcript> {
        let store = self.timeline.store();
        let tenant_name = store
            .tenant(tenant_id)
            .await?
            .map(|t| t.name)
            .unwrap_or_default();
        let messages = rights::all_messages(store, &session.id).await?;
        Ok(Transcript {
            tenant_name,
            session,
            messages,
            exported_at: crate::protocol::Timestamp(crate::server::store::now()),
        })
    }

    /// The transcript of one of the agent's tenant's conversations.
    pub async fn agent_transcript(
        &self,
        agent: &AgentActor,
        session_id: &str,
    ) -> HubResult<(Transcript, TranscriptReader)> {
        let session = self.session_for(agent, session_id).await?;
        let transcript = self.transcript_of(&agent.tenant_id, session).await?;
        Ok((transcript, TranscriptReader::Agent))
    }

    /// The transcript of the visitor's own conversation.
    pub async fn visitor_transcript(
        &self,
        session_key: &str,
    ) -> HubResult<(Transcript, TranscriptReader)> {
        let (visitor, session) = self.visitor_by_key(session_key).await?;
        let transcript = self.transcript_of(&visitor.tenant_id, session).await?;
        Ok((transcript, TranscriptReader::Visitor))
    }

    /// The tenant's messages that match `query`, best first.
    pub async fn search(
        &self,
        agent: &AgentActor,
        query: &str,
        limit: u32,
    ) -> HubResult<SearchResults> {
        if query.chars().count() > MAX_SEARCH_CHARS {
            return Err(HubError::InvalidQuery("a search is at most 200 characters"));
        }
        if !(1..=MAX_SEARCH_HITS).contains(&limit) {
            return Err(HubError::InvalidQuery("limit must be 1 to 50"));
        }
        let terms =
            SearchTerms::parse(query).ok_or(HubError::InvalidQuery("type a word to search for"))?;
        let hits = self
            .timeline
            .store()
            .search(&agent.tenant_id, &terms, limit)
            .await?;
        Ok(SearchResults {
            query: query.trim().to_string(),
            hits,
        })
    }

    /// Everything stored about whoever gave `email`, for the tenant's admins.
    pub async fn export_visitor(
        &self,
        agent: &AgentActor,
        email: &str,
    ) -> HubResult<VisitorExport> {
        let (tenant, email) = self.visitor_rights(agent, email).await?;
        Ok(rights::export(self.timeline.store(), &tenant, email).await?)
    }

    /// Erases whoever gave `email`, for the tenant's admins: what was deleted.
    pub async fn erase_visitor(&self, agent: &AgentActor, email: &str) -> HubResult<ErasureReport> {
        let (tenant, email) = self.visitor_rights(agent, email).await?;
        let report = rights::erase(self.timeline.store(), &tenant.id, email).await?;
        tracing::info!(tenant = %tenant.id, ?report, "erased a visitor's data");
        Ok(report)
    }

    /// The admin's tenant and the address checked, for an export or an erasure.
    async fn visitor_rights<'a>(
        &self,
        agent: &AgentActor,
        email: &'a str,
    ) -> HubResult<(Tenant, &'a str)> {
        Self::require_admin(agent)?;
        let email = rights::checked_email(email).ok_or(HubError::InvalidVisitor(
            "the email must be an address such as dana@example.com",
        ))?;
        let tenant = self
            .timeline
            .store()
            .tenant(&agent.tenant_id)
            .await?
            .ok_or(HubError::NotFound("tenant"))?;
        Ok((tenant, email))
    }

    /// Erases, every hour, each tenant's closed conversations older than its retention.
    pub fn keep_applying_retention(self: Arc<Self>, mut stop: ShutdownListener) {
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                tokio::select! {
                    _ = every.tick() => {},
                    () = stop.stopping() => return,
                }
                if let Err(error) = self.apply_retention(chrono::Utc::now()).await {
                    tracing::warn!(%error, "could not apply retention; trying again in an hour");
                }
            }
        });
    }

    async fn apply_retention(&self, now: chrono::DateTime<chrono::Utc>) -> HubResult<()> {
        let store = self.timeline.store();
        for tenant in store.tenants().await? {
            let report = rights::apply_retention(store, &tenant, now).await?;
            if report.conversations > 0 {
                tracing::info!(tenant = %tenant.id, ?report, "retention erased old conversations");
            }
        }
        Ok(())
    }
}
