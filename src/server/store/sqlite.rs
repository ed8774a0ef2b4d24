//! [`Store`] on one SQLite file: write-ahead logging, one writer connection (SQLite serialises
//! writers anyway; one connection means no lock contention and no `SQLITE_BUSY`), and a pool of
//! readers that never wait for it.

use super::{
    attachments,
    changes::{given_to, session_change_sql},
    conflict_or, follow_ups,
    group_commit::GroupCommit,
    history::{self, SearchTerms},
    migrations, new_id, now,
    rows::{
        agent_from, article_from, history_rules_from, hours_from, kind_str, look_from,
        message_from, routing_from, session_from, status_str, version_from,
    },
    Agent, AgentChange, Appended, Article, ArticleContent, Avatar, DueFollowUp, Erasure,
    FinishedUpload, FollowUpOutcome, Footprint, HistoryRules, KeyedSession, KnowledgeVersion,
    NewAgent, NewAttachment, NewMessage, NewSession, NewTenant, NewVisitor, Reader, SessionChange,
    SessionPage, Store, StoreError, StoreResult, StoredAttachment, Tenant, TenantAi, TenantLook,
    VisitorLookup,
};
use crate::protocol::{
    Availability, ErasureReport, Message, OfficeHoursSettings, RoutingSettings, SearchHit, Session,
    SessionStatus, Visit, VisitorRecord,
};
use crate::server::attachments::kinds::Accepted;
use async_trait::async_trait;
use sqlx::{
    sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
        SqliteSynchronous,
    },
    Row,
};
use std::{collections::HashMap, str::FromStr, time::Duration};

pub struct SqliteStore {
    writer: SqlitePool,
    readers: SqlitePool,
    /// Messages go through group commit; other writes use `writer` directly.
    appends: GroupCommit,
}

impl SqliteStore {
    /// Opens (creating if missing) the file and runs the migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        use anyhow::Context;
        let options = SqliteConnectOptions::from_str(url)
            .with_context(|| format!("invalid database URL {url}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a transaction is on disk (the write-ahead log is fsynced) when COMMIT
            // returns, so an acknowledged message survives a power cut too. Group commit
            // (group_commit.rs) spreads that fsync over every message of a group.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        // A file on this machine cannot have dropped the connection: no ping before each use
        // (one more round trip to the connection's thread per query).
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await
            .with_context(|| format!("cannot open the database {url}"))?;
        let migrator = migrations::migrator(migrations::SQLITE)
            .await
            .context("cannot read the migrations")?;
        migrator
            .run(&writer)
            .await
            .with_context(|| format!("cannot migrate the database {url}"))?;
        let readers = SqlitePoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            .connect_with(options.read_only(true))
            .await
            .with_context(|| format!("cannot open the database {url} for reading"))?;
        let appends = GroupCommit::start(writer.clone());
        Ok(Self {
            writer,
            readers,
            appends,
        })
    }
}

fn tenant_from(row: &SqliteRow) -> Result<Tenant, sqlx::Error> {
    let origins: String = row.try_get("allowed_origins")?;
    Ok(Tenant {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        widget_key: row.try_get("widget_key")?,
        allowed_origins: serde_json::from_str(&origins).unwrap_or_default(),
        ai: TenantAi {
            enabled: row.try_get::<i64, _>("ai_enabled")? != 0,
            answerer: row.try_get("answerer")?,
            greeting: row.try_get("greeting")?,
            handover: row.try_get("handover")?,
        },
        look: look_from(row)?,
        routing: routing_from(row)?,
        hours: hours_from(row)?,
        email_from: row.try_get("email_from")?,
        attachments: Accepted::from_stored(
            row.try_get::<Option<String>, _>("attachment_types")?
                .as_deref(),
        ),
        history: history_rules_from(row)?,
        created_at: row.try_get("created_at")?,
    })
}

/// The columns [`session_from`] reads. `?1` is the viewing agent's id (or NULL), for the unread
/// count: the visitor's messages after the agent's read mark.
const SESSION_SELECT: &str = "
SELECT s.id, s.tenant_id, s.status, s.assigned_agent_id, a.name AS agent_name,
       s.visitor_name, s.visitor_email, s.created_at, s.updated_at, s.is_test,
       s.visitor_read_seq, s.team_read_seq, s.visit, s.visit_seen_at,
       s.visitor_id, v.user_id AS verified_user_id,
       m.id AS m_id, m.session_id AS m_session_id, m.seq AS m_seq,
       m.client_message_id AS m_client_message_id, m.sender_kind AS m_sender_kind,
       m.sender_id AS m_sender_id, m.sender_name AS m_sender_name, m.content AS m_content,
       m.created_at AS m_created_at, m.offers_human AS m_offers_human,
       m.source_title AS m_source_title, m.source_url AS m_source_url,
       m.attachments AS m_attachments,
       CASE WHEN ?1 IS NULL THEN 0 ELSE (
           SELECT COUNT(*) FROM messages u
           WHERE u.session_id = s.id AND u.sender_kind = 'customer'
             AND u.seq > COALESCE((SELECT r.seq FROM read_marks r
                                   WHERE r.agent_id = ?1 AND r.session_id = s.id), 0)
       ) END AS unread
FROM sessions s
LEFT JOIN agents a ON a.id = s.assigned_agent_id
LEFT JOIN visitors v ON v.id = s.visitor_id
LEFT JOIN messages m ON m.session_id = s.id AND m.seq = s.last_seq";

impl SqliteStore {
    /// Applies a session change and, for an assignment, notes when the agent was given it;
    /// false when nothing matched (no such session or agent, or a route that lost).
    async fn change_session(
        &self,
        tenant_id: &str,
        id: &str,
        change: &SessionChange,
    ) -> StoreResult<bool> {
        let at = now();
        let mut tx = self.writer.begin().await?;
        if let Some((agent_id, sql)) = given_to(change) {
            let given = sqlx::query(sql)
                .bind(&at)
                .bind(agent_id)
                .bind(tenant_id)
                .execute(&mut *tx)
                .await?;
            if given.rows_affected() == 0 {
                return Ok(false);
            }
        }
        let query = sqlx::query(session_change_sql(change))
            .bind(&at)
            .bind(id)
            .bind(tenant_id);
        let query = match change {
            SessionChange::Assign { agent_id } => query.bind(agent_id),
            SessionChange::Route { agent_id, capacity } => {
                query.bind(agent_id).bind(*capacity as i64)
            }
            SessionChange::Status(status) => query.bind(status_str(*status)),
            SessionChange::Contact { email } => query.bind(email),
            SessionChange::Unassign => query,
        };
        if query.execute(&mut *tx).await?.rows_affected() == 0 {
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn fetch_session(
        &self,
        tenant_id: &str,
        id: &str,
        viewer: Option<&str>,
    ) -> StoreResult<Option<Session>> {
        let sql = format!("{SESSION_SELECT} WHERE s.id = ?2 AND s.tenant_id = ?3");
        let row = sqlx::query(&sql)
            .bind(viewer)
            .bind(id)
            .bind(tenant_id)
            .fetch_optional(&self.readers)
            .await?;
        Ok(row.as_ref().map(session_from).transpose()?)
    }
}

/// Removes a visitor of the tenant whom no conversation refers to any more, with their keys:
/// 1 when it did.
async fn erase_visitor(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    tenant_id: &str,
    visitor_id: &str,
) -> StoreResult<u64> {
    let [keys, record] = history::ERASE_VISITOR;
    sqlx::query(keys)
        .bind(visitor_id)
        .execute(&mut **tx)
        .await?;
    let done = sqlx::query(record)
        .bind(visitor_id)
        .bind(tenant_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.readers).await?;
        Ok(())
    }

    async fn close(&self) {
        self.readers.close().await;
        self.writer.close().await;
    }

    async fn create_tenant(&self, new: NewTenant) -> StoreResult<Tenant> {
        let tenant = Tenant {
            id: new_id(),
            name: new.name,
            widget_key: new.widget_key,
            allowed_origins: new.allowed_origins,
            ai: TenantAi::default(),
            routing: RoutingSettings::default(),
            hours: OfficeHoursSettings::default(),
            look: TenantLook::default(),
            email_from: None,
            attachments: Accepted::default(),
            history: HistoryRules::default(),
            created_at: now(),
        };
        let origins = serde_json::to_string(&tenant.allowed_origins).expect("strings serialise");
        sqlx::query("INSERT INTO tenants (id, name, widget_key, allowed_origins, created_at) VALUES (?, ?, ?, ?, ?)")
            .bind(&tenant.id)
            .bind(&tenant.name)
            .bind(&tenant.widget_key)
            .bind(origins)
            .bind(&tenant.created_at)
            .execute(&self.writer)
            .await
            .map_err(|e| conflict_or(e, "a tenant with this widget key"))?;
        Ok(tenant)
    }

    async fn tenant(&self, id: &str) -> StoreResult<Option<Tenant>> {
        let row = sqlx::query("SELECT * FROM tenants WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.readers)
            .await?;
        Ok(row.as_ref().map(tenant_from).transpose()?)
    }

    async fn tenant_by_widget_key(&self, widget_key: &str) -> StoreResult<Option<Tenant>> {
        let row = sqlx::query("SELECT * FROM tenants WHERE widget_key = ?")
            .bind(widget_key)
            .fetch_optional(&self.readers)
            .await?;
        Ok(row.as_ref().map(tenant_from).transpose()?)
    }

    async fn update_tenant(
        &self,
        id: &str,
        origins: &[String],
        ai: &TenantAi,
    ) -> StoreResult<bool> {
        let origins = serde_json::to_string(origins).expect("strings serialise");
        let done = sqlx::query(
            "UPDATE tenants SET allowed_origins = ?, ai_enabled = ?, answerer = ?, greeting = ?, handover = ? WHERE id = ?",
        )
        .bind(origins)
        .bind(ai.enabled as i64)
        .bind(&ai.answerer)
        .bind(&ai.greeting)
        .bind(&ai.handover)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_look(&self, id: &str, look: &TenantLook) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE tenants SET widget_title = ?, widget_colour = ?, launcher_side = ? WHERE id = ?")
            .bind(&look.title)
            .bind(&look.colour)
            .bind(look.launcher.as_str())
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_routing(&self, id: &str, routing: &RoutingSettings) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE tenants SET assignment = ?, capacity = ? WHERE id = ?")
            .bind(routing.assignment.as_str())
            .bind(routing.capacity as i64)
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_attachment_types(&self, id: &str, accepted: &Accepted) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE tenants SET attachment_types = ?1 WHERE id = ?2")
            .bind(accepted.to_stored())
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn create_attachment(&self, new: &NewAttachment) -> StoreResult<()> {
        sqlx::query(attachments::CREATE)
            .bind(&new.id)
            .bind(&new.tenant_id)
            .bind(&new.session_id)
            .bind(kind_str(new.uploader.kind))
            .bind(&new.uploader.id)
            .bind(&new.name)
            .bind(&new.content_type)
            .bind(now())
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn add_attachment_chunk(&self, id: &str, index: u32, bytes: &[u8]) -> StoreResult<()> {
        sqlx::query(attachments::ADD_CHUNK)
            .bind(id)
            .bind(i64::from(index))
            .bind(bytes)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn finish_attachment(&self, id: &str, done: &FinishedUpload) -> StoreResult<()> {
        sqlx::query(attachments::FINISH)
            .bind(id)
            .bind(done.size.min(i64::MAX as u64) as i64)
            .bind(i64::from(done.chunks))
            .bind(done.width.map(i64::from))
            .bind(done.height.map(i64::from))
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn delete_attachment(&self, id: &str) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(attachments::DELETE_CHUNKS)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(attachments::DELETE)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn attachment(&self, id: &str) -> StoreResult<Option<StoredAttachment>> {
        let row = sqlx::query(attachments::READ)
            .bind(id)
            .fetch_optional(&self.readers)
            .await?;
        Ok(row
            .as_ref()
            .map(attachments::stored_attachment_from)
            .transpose()?)
    }

    async fn attachment_chunk(&self, id: &str, index: u32) -> StoreResult<Option<Vec<u8>>> {
        Ok(sqlx::query_scalar(attachments::READ_CHUNK)
            .bind(id)
            .bind(i64::from(index))
            .fetch_optional(&self.readers)
            .await?)
    }

    async fn remove_unattached(&self, before: &str) -> StoreResult<u64> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(attachments::STALE_CHUNKS)
            .bind(before)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query(attachments::STALE)
            .bind(before)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    async fn set_email_from(&self, id: &str, from: Option<&str>) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE tenants SET email_from = ?1 WHERE id = ?2")
            .bind(from)
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_hours(&self, id: &str, hours: &OfficeHoursSettings) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE tenants SET office_hours = ?, timezone = ? WHERE id = ?")
            .bind(&hours.hours)
            .bind(&hours.timezone)
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_avatar(&self, id: &str, avatar: Option<&Avatar>) -> StoreResult<bool> {
        let mut tx = self.writer.begin().await?;
        let version = avatar.map(|_| new_id());
        let done = sqlx::query("UPDATE tenants SET avatar_version = ? WHERE id = ?")
            .bind(&version)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        match avatar {
            Some(avatar) => sqlx::query(
                "INSERT INTO tenant_avatars (tenant_id, content_type, bytes) VALUES (?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET content_type = excluded.content_type, bytes = excluded.bytes",
            )
            .bind(id)
            .bind(&avatar.content_type)
            .bind(&avatar.bytes),
            None => sqlx::query("DELETE FROM tenant_avatars WHERE tenant_id = ?").bind(id),
        }
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn avatar(&self, id: &str) -> StoreResult<Option<Avatar>> {
        let row = sqlx::query("SELECT content_type, bytes FROM tenant_avatars WHERE tenant_id = ?")
            .bind(id)
            .fetch_optional(&self.readers)
            .await?;
        Ok(match row {
            Some(row) => Some(Avatar {
                content_type: row.try_get("content_type")?,
                bytes: row.try_get("bytes")?,
            }),
            None => None,
        })
    }

    async fn tenants(&self) -> StoreResult<Vec<Tenant>> {
        let rows = sqlx::query("SELECT * FROM tenants ORDER BY created_at")
            .fetch_all(&self.readers)
            .await?;
        Ok(rows.iter().map(tenant_from).collect::<Result<_, _>>()?)
    }

    async fn create_agent(&self, new: NewAgent) -> StoreResult<Agent> {
        let agent = Agent {
            last_assigned_at: None,
            id: new_id(),
            tenant_id: new.tenant_id,
            email: new.email,
            name: new.name,
            password_hash: new.password_hash,
            created_at: now(),
            role: new.role,
            disabled: false,
            token_version: 0,
            away: false,
            availability: Availability::Available,
        };
        sqlx::query("INSERT INTO agents (id, tenant_id, email, name, password_hash, created_at, role) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .bind(&agent.id)
            .bind(&agent.tenant_id)
            .bind(&agent.email)
            .bind(&agent.name)
            .bind(&agent.password_hash)
            .bind(&agent.created_at)
            .bind(agent.role.as_str())
            .execute(&self.writer)
            .await
            .map_err(|e| conflict_or(e, "an agent with this email"))?;
        Ok(agent)
    }

    async fn agent(&self, tenant_id: &str, id: &str) -> StoreResult<Option<Agent>> {
        let row = sqlx::query("SELECT * FROM agents WHERE id = ? AND tenant_id = ?")
            .bind(id)
            .bind(tenant_id)
            .fetch_optional(&self.readers)
            .await?;
        Ok(row.as_ref().map(agent_from).transpose()?)
    }

    async fn agent_by_email(&self, email: &str) -> StoreResult<Option<Agent>> {
        let row = sqlx::query("SELECT * FROM agents WHERE email = ?")
            .bind(email)
            .fetch_optional(&self.readers)
            .await?;
        Ok(row.as_ref().map(agent_from).transpose()?)
    }

    async fn agents(&self, tenant_id: &str) -> StoreResult<Vec<Agent>> {
        let rows = sqlx::query("SELECT * FROM agents WHERE tenant_id = ? ORDER BY email")
            .bind(tenant_id)
            .fetch_all(&self.readers)
            .await?;
        Ok(rows.iter().map(agent_from).collect::<Result<_, _>>()?)
    }

    async fn set_password_hash(&self, agent_id: &str, password_hash: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE agents SET password_hash = ?, token_version = token_version + 1 WHERE id = ?",
        )
        .bind(password_hash)
        .bind(agent_id)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn update_agent(&self, agent_id: &str, change: AgentChange) -> StoreResult<bool> {
        let query = match change {
            AgentChange::Disable => sqlx::query(
                "UPDATE agents SET disabled = TRUE, token_version = token_version + 1 WHERE id = ?",
            ),
            AgentChange::Enable => sqlx::query("UPDATE agents SET disabled = FALSE WHERE id = ?"),
            AgentChange::Role(role) => {
                sqlx::query("UPDATE agents SET role = ? WHERE id = ?").bind(role.as_str())
            }
            AgentChange::Away(away) => {
                sqlx::query("UPDATE agents SET away = ? WHERE id = ?").bind(away)
            }
            AgentChange::Availability(availability) => {
                sqlx::query("UPDATE agents SET availability = ? WHERE id = ?")
                    .bind(availability.as_str())
            }
        };
        let done = query.bind(agent_id).execute(&self.writer).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn revoke_token(&self, token_id: &str, expires_at: u64) -> StoreResult<()> {
        // Tokens past their expiry are refused anyway: forget them while here.
        sqlx::query("DELETE FROM revoked_tokens WHERE expires_at < ?")
            .bind(crate::server::auth::unix_now() as i64)
            .execute(&self.writer)
            .await?;
        sqlx::query(
            "INSERT INTO revoked_tokens (token_id, expires_at) VALUES (?, ?) ON CONFLICT (token_id) DO NOTHING",
        )
        .bind(token_id)
        .bind(expires_at as i64)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn token_revoked(&self, token_id: &str) -> StoreResult<bool> {
        let row = sqlx::query("SELECT 1 FROM revoked_tokens WHERE token_id = ?")
            .bind(token_id)
            .fetch_optional(&self.readers)
            .await?;
        Ok(row.is_some())
    }

    async fn create_session(&self, new: NewSession) -> StoreResult<Session> {
        let id = new_id();
        let at = now();
        sqlx::query(
            "INSERT INTO sessions (id, tenant_id, key_hash, status, visitor_name, visitor_email, created_at, updated_at, is_test, queued_at, visitor_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&new.tenant_id)
        .bind(&new.key_hash)
        .bind(status_str(new.status))
        .bind(&new.visitor.name)
        .bind(&new.visitor.email)
        .bind(&at)
        .bind(&at)
        .bind(new.test)
        // A conversation that starts waiting for a person joins the queue now.
        .bind((new.status == SessionStatus::Pending).then_some(&at))
        .bind(&new.visitor_id)
        .execute(&self.writer)
        .await
        .map_err(|e| conflict_or(e, "a session with this key"))?;
        // Read back: the visitor's verified id comes from their record.
        self.fetch_session(&new.tenant_id, &id, None)
            .await?
            .ok_or(StoreError::NotFound("session"))
    }

    async fn session(
        &self,
        tenant_id: &str,
        id: &str,
        viewer: Option<&str>,
    ) -> StoreResult<Option<Session>> {
        self.fetch_session(tenant_id, id, viewer).await
    }

    async fn session_by_key_hash(&self, key_hash: &str) -> StoreResult<Option<KeyedSession>> {
        // The session's own key, or an emailed link's that has not expired.
        let sql = format!(
            "{SESSION_SELECT} WHERE s.key_hash = ?2 OR s.id = (
                 SELECT l.session_id FROM session_links l
                 WHERE l.key_hash = ?2 AND l.expires_at > ?3)"
        );
        let row = sqlx::query(&sql)
            .bind(None::<String>)
            .bind(key_hash)
            .bind(now())
            .fetch_optional(&self.readers)
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(KeyedSession {
            tenant_id: row.try_get("tenant_id")?,
            session: session_from(&row)?,
        }))
    }

    async fn sessions(
        &self,
        tenant_id: &str,
        viewer: &str,
        page: &SessionPage,
    ) -> StoreResult<Vec<Session>> {
        let sql = format!(
            "{SESSION_SELECT} WHERE s.tenant_id = ?2 AND {}
               AND (?3 IS NULL OR s.updated_at < ?3 OR (s.updated_at = ?3 AND s.id < ?4))
             ORDER BY s.updated_at DESC, s.id DESC LIMIT ?5",
            page.condition("?1")
        );
        let (at, id) = page.before.clone().unzip();
        let rows = sqlx::query(&sql)
            .bind(viewer)
            .bind(tenant_id)
            .bind(at)
            .bind(id)
            .bind(i64::from(page.limit))
            .fetch_all(&self.readers)
            .await?;
        Ok(rows.iter().map(session_from).collect::<Result<_, _>>()?)
    }

    async fn update_session(
        &self,
        tenant_id: &str,
        id: &str,
        change: SessionChange,
    ) -> StoreResult<Option<Session>> {
        if !self.change_session(tenant_id, id, &change).await? {
            return Ok(None);
        }
        let viewer = match &change {
            SessionChange::Assign { agent_id } | SessionChange::Route { agent_id, .. } => {
                Some(agent_id.as_str())
            }
            SessionChange::Status(_) | SessionChange::Unassign | SessionChange::Contact { .. } => {
                None
            }
        };
        self.fetch_session(tenant_id, id, viewer).await
    }

    async fn append(&self, new: NewMessage) -> StoreResult<Appended> {
        let (session_id, client_message_id) =
            (new.session_id.clone(), new.client_message_id.clone());
        if let Some(message) = self.appends.store(new).await? {
            return Ok(Appended {
                message,
                created: true,
            });
        }
        // Either a repeat of a clientMessageId, or no such session.
        let existing =
            sqlx::query("SELECT * FROM messages WHERE session_id = ? AND client_message_id = ?")
                .bind(&session_id)
                .bind(&client_message_id)
                .fetch_optional(&self.readers)
                .await?;
        match existing {
            Some(row) => Ok(Appended {
                message: message_from(&row, "")?,
                created: false,
            }),
            None => Err(StoreError::NotFound("session")),
        }
    }

    async fn messages_after(
        &self,
        session_id: &str,
        after_seq: u64,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        let rows = sqlx::query(
            "SELECT * FROM messages WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(session_id)
        .bind(after_seq as i64)
        .bind(limit as i64)
        .fetch_all(&self.readers)
        .await?;
        Ok(rows
            .iter()
            .map(|r| message_from(r, ""))
            .collect::<Result<_, _>>()?)
    }

    async fn messages_before(
        &self,
        session_id: &str,
        before_seq: u64,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        let rows = sqlx::query(
            "SELECT * FROM (SELECT * FROM messages WHERE session_id = ? AND seq < ?
                            ORDER BY seq DESC LIMIT ?) newest ORDER BY seq",
        )
        .bind(session_id)
        .bind(before_seq.min(i64::MAX as u64) as i64)
        .bind(limit as i64)
        .fetch_all(&self.readers)
        .await?;
        Ok(rows
            .iter()
            .map(|r| message_from(r, ""))
            .collect::<Result<_, _>>()?)
    }

    async fn queue(&self, tenant_id: &str, limit: u32) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM sessions
             WHERE tenant_id = ? AND status = 'pending' AND assigned_agent_id IS NULL AND NOT is_test
             ORDER BY COALESCE(queued_at, updated_at), id LIMIT ?",
        )
        .bind(tenant_id)
        .bind(limit as i64)
        .fetch_all(&self.readers)
        .await?)
    }

    async fn workloads(&self, tenant_id: &str) -> StoreResult<HashMap<String, u32>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT assigned_agent_id, COUNT(*) FROM sessions
             WHERE tenant_id = ? AND status = 'active' AND assigned_agent_id IS NOT NULL
             GROUP BY assigned_agent_id",
        )
        .bind(tenant_id)
        .fetch_all(&self.readers)
        .await?;
        Ok(rows.into_iter().map(|(id, n)| (id, n as u32)).collect())
    }

    async fn plan_follow_up(&self, session_id: &str, seq: u64, due_at: &str) -> StoreResult<()> {
        sqlx::query(follow_ups::PLAN)
            .bind(session_id)
            .bind(due_at)
            .bind(seq.min(i64::MAX as u64) as i64)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn forget_expired_links(&self, now: &str) -> StoreResult<u64> {
        let done = sqlx::query(follow_ups::FORGET_LINKS)
            .bind(now)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }

    async fn due_follow_ups(&self, now: &str, limit: u32) -> StoreResult<Vec<DueFollowUp>> {
        let rows = sqlx::query(follow_ups::DUE)
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(&self.writer)
            .await?;
        let due = |row: &SqliteRow| -> Result<DueFollowUp, sqlx::Error> {
            Ok(DueFollowUp {
                session_id: row.try_get("id")?,
                tenant_id: row.try_get("tenant_id")?,
                due_at: row.try_get("follow_up_due_at")?,
                attempts: row.try_get::<i32, _>("follow_up_attempts")?.max(0) as u32,
                emailed_seq: row.try_get::<i64, _>("emailed_seq")?.max(0) as u64,
            })
        };
        Ok(rows.iter().map(due).collect::<Result<_, _>>()?)
    }

    async fn claim_follow_up(&self, due: &DueFollowUp, until: &str) -> StoreResult<bool> {
        let done = sqlx::query(follow_ups::CLAIM)
            .bind(&due.session_id)
            .bind(&due.due_at)
            .bind(until)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_history_rules(&self, id: &str, rules: &HistoryRules) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE tenants SET identity_secret = ?1, retention_days = ?2 WHERE id = ?3",
        )
        .bind(&rules.identity_secret)
        .bind(rules.retention_days.map(i64::from))
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn save_visitor(&self, new: &NewVisitor) -> StoreResult<VisitorRecord> {
        let mut tx = self.writer.begin().await?;
        let row = sqlx::query(history::SAVE_VISITOR)
            .bind(new_id())
            .bind(&new.tenant_id)
            .bind(&new.user_id)
            .bind(&new.name)
            .bind(&new.email)
            .bind(now())
            .fetch_one(&mut *tx)
            .await?;
        let visitor = history::visitor_from(&row)?;
        if let Some(hash) = &new.key_hash {
            sqlx::query(history::ADD_VISITOR_KEY)
                .bind(hash)
                .bind(&visitor.id)
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_or(e, "a visitor with this key"))?;
        }
        tx.commit().await?;
        Ok(visitor)
    }

    async fn merge_visitor(&self, tenant_id: &str, from: &str, into: &str) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(history::MOVE_SESSIONS)
            .bind(from)
            .bind(into)
            .bind(tenant_id)
            .execute(&mut *tx)
            .await?;
        erase_visitor(&mut tx, tenant_id, from).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn visitor_footprint(&self, tenant_id: &str, email: &str) -> StoreResult<Footprint> {
        let visitors = sqlx::query(history::VISITORS_BY_EMAIL)
            .bind(tenant_id)
            .bind(email)
            .fetch_all(&self.readers)
            .await?;
        let sessions = sqlx::query_scalar(history::SESSIONS_BY_EMAIL)
            .bind(tenant_id)
            .bind(email)
            .fetch_all(&self.readers)
            .await?;
        Ok(Footprint {
            visitors: visitors
                .iter()
                .map(history::visitor_from)
                .collect::<Result<_, _>>()?,
            sessions,
        })
    }

    async fn erase(&self, tenant_id: &str, erasure: &Erasure) -> StoreResult<ErasureReport> {
        let mut report = ErasureReport::default();
        let mut tx = self.writer.begin().await?;
        for session_id in &erasure.sessions {
            let ours: i64 = sqlx::query_scalar(history::SESSION_OF_TENANT)
                .bind(session_id)
                .bind(tenant_id)
                .fetch_one(&mut *tx)
                .await?;
            if ours == 0 {
                continue;
            }
            let mut rows = Vec::with_capacity(history::ERASE_SESSION.len());
            for step in history::ERASE_SESSION {
                let done = sqlx::query(step).bind(session_id).execute(&mut *tx).await?;
                rows.push(done.rows_affected());
            }
            history::count_erased(&mut report, &rows);
        }
        for visitor_id in &erasure.visitors {
            report.visitors += erase_visitor(&mut tx, tenant_id, visitor_id).await?;
        }
        tx.commit().await?;
        Ok(report)
    }

    async fn visitor(
        &self,
        tenant_id: &str,
        lookup: VisitorLookup<'_>,
    ) -> StoreResult<Option<VisitorRecord>> {
        let (sql, value) = match lookup {
            VisitorLookup::Key { hash } => (history::VISITOR_BY_KEY, hash),
            VisitorLookup::User { id } => (history::VISITOR_BY_USER, id),
        };
        let row = sqlx::query(sql)
            .bind(tenant_id)
            .bind(value)
            .fetch_optional(&self.readers)
            .await?;
        Ok(row.as_ref().map(history::visitor_from).transpose()?)
    }

    async fn visitor_sessions(
        &self,
        tenant_id: &str,
        visitor_id: &str,
        viewer: Option<&str>,
    ) -> StoreResult<Vec<Session>> {
        let sql = format!(
            "{SESSION_SELECT} WHERE s.tenant_id = ?2 AND s.visitor_id = ?3 AND NOT s.is_test
             ORDER BY s.updated_at DESC, s.id DESC LIMIT 100"
        );
        let rows = sqlx::query(&sql)
            .bind(viewer)
            .bind(tenant_id)
            .bind(visitor_id)
            .fetch_all(&self.readers)
            .await?;
        Ok(rows.iter().map(session_from).collect::<Result<_, _>>()?)
    }

    async fn search(
        &self,
        tenant_id: &str,
        terms: &SearchTerms,
        limit: u32,
    ) -> StoreResult<Vec<SearchHit>> {
        let sql = format!(
            "SELECT {columns},
                    snippet(message_search, 0, char(57344), char(57345), '…', 16) AS snippet
             FROM message_search
             JOIN messages m ON m.rowid = message_search.rowid
             JOIN sessions s ON s.id = m.session_id
             WHERE message_search MATCH ?1 AND message_search.tenant_id = ?2 AND {searchable}
             ORDER BY message_search.rank, m.created_at DESC LIMIT ?3",
            columns = history::HIT_COLUMNS,
            searchable = history::SEARCHABLE,
        );
        let rows = sqlx::query(&sql)
            .bind(terms.fts5())
            .bind(tenant_id)
            .bind(i64::from(limit))
            .fetch_all(&self.readers)
            .await?;
        Ok(rows
            .iter()
            .map(history::hit_from)
            .collect::<Result<_, _>>()?)
    }

    async fn closed_before(
        &self,
        tenant_id: &str,
        before: &str,
        limit: u32,
    ) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(history::CLOSED_BEFORE)
            .bind(tenant_id)
            .bind(before)
            .bind(i64::from(limit))
            .fetch_all(&self.readers)
            .await?)
    }

    async fn settle_follow_up(
        &self,
        session_id: &str,
        outcome: &FollowUpOutcome,
    ) -> StoreResult<()> {
        match outcome {
            FollowUpOutcome::Done {
                through_seq,
                next_due,
            } => {
                sqlx::query(follow_ups::DONE)
                    .bind(session_id)
                    .bind(*through_seq as i64)
                    .bind(next_due)
                    .execute(&self.writer)
                    .await?;
            }
            FollowUpOutcome::Retry { at, failed } => {
                sqlx::query(follow_ups::RETRY)
                    .bind(session_id)
                    .bind(at)
                    .bind(i32::from(*failed))
                    .execute(&self.writer)
                    .await?;
            }
        }
        Ok(())
    }

    async fn add_session_link(
        &self,
        session_id: &str,
        key_hash: &str,
        expires_at: &str,
    ) -> StoreResult<()> {
        sqlx::query(follow_ups::LINK)
            .bind(key_hash)
            .bind(session_id)
            .bind(expires_at)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn set_visit(&self, session_id: &str, visit: &Visit) -> StoreResult<()> {
        let seen_at = visit.seen_at.as_ref().map(|at| at.0.clone());
        let visit = Visit {
            seen_at: None,
            ..visit.clone()
        };
        sqlx::query("UPDATE sessions SET visit = ?1, visit_seen_at = COALESCE(?2, visit_seen_at) WHERE id = ?3")
            .bind(serde_json::to_string(&visit).expect("a visit serialises"))
            .bind(seen_at)
            .bind(session_id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn set_visitor_seen(&self, session_id: &str, at: &str) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET visit_seen_at = ?1 WHERE id = ?2")
            .bind(at)
            .bind(session_id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn mark_read(
        &self,
        session_id: &str,
        reader: Reader<'_>,
        seq: u64,
    ) -> StoreResult<Option<u64>> {
        let seq = seq.min(i64::MAX as u64) as i64;
        let agent_id = match reader {
            Reader::Visitor => {
                let moved: Option<i64> = sqlx::query_scalar(
                    "UPDATE sessions SET visitor_read_seq = min(?2, last_seq)
                     WHERE id = ?1 AND visitor_read_seq < min(?2, last_seq)
                     RETURNING visitor_read_seq",
                )
                .bind(session_id)
                .bind(seq)
                .fetch_optional(&self.writer)
                .await?;
                return Ok(moved.map(|s| s as u64));
            }
            Reader::Agent { id } => id,
        };
        let mut tx = self.writer.begin().await?;
        // `WHERE true`: SQLite's parser needs it between a SELECT and an upsert's ON CONFLICT.
        let moved: Option<i64> = sqlx::query_scalar(
            "INSERT INTO read_marks (agent_id, session_id, seq)
             SELECT ?1, id, min(?3, last_seq) FROM sessions WHERE id = ?2 AND true
             ON CONFLICT (agent_id, session_id) DO UPDATE SET seq = excluded.seq
             WHERE excluded.seq > read_marks.seq
             RETURNING seq",
        )
        .bind(agent_id)
        .bind(session_id)
        .bind(seq)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(moved) = moved {
            sqlx::query("UPDATE sessions SET team_read_seq = max(team_read_seq, ?) WHERE id = ?")
                .bind(moved)
                .bind(session_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(moved.map(|s| s as u64))
    }

    async fn articles(&self, tenant_id: &str) -> StoreResult<Vec<Article>> {
        let rows = sqlx::query("SELECT * FROM articles WHERE tenant_id = ? ORDER BY title, slug")
            .bind(tenant_id)
            .fetch_all(&self.readers)
            .await?;
        Ok(rows.iter().map(article_from).collect::<Result<_, _>>()?)
    }

    async fn article(&self, tenant_id: &str, id: &str) -> StoreResult<Option<Article>> {
        let row = sqlx::query("SELECT * FROM articles WHERE tenant_id = ? AND id = ?")
            .bind(tenant_id)
            .bind(id)
            .fetch_optional(&self.readers)
            .await?;
        Ok(row.as_ref().map(article_from).transpose()?)
    }

    async fn article_by_slug(&self, tenant_id: &str, slug: &str) -> StoreResult<Option<Article>> {
        let row = sqlx::query("SELECT * FROM articles WHERE tenant_id = ? AND slug = ?")
            .bind(tenant_id)
            .bind(slug)
            .fetch_optional(&self.readers)
            .await?;
        Ok(row.as_ref().map(article_from).transpose()?)
    }

    async fn create_article(
        &self,
        tenant_id: &str,
        content: ArticleContent,
    ) -> StoreResult<Article> {
        let article = Article {
            id: new_id(),
            tenant_id: tenant_id.to_string(),
            slug: content.slug,
            title: content.title,
            body: content.body,
            updated_at: now(),
        };
        sqlx::query(
            "INSERT INTO articles (id, tenant_id, slug, title, body, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&article.id)
        .bind(&article.tenant_id)
        .bind(&article.slug)
        .bind(&article.title)
        .bind(&article.body)
        .bind(&article.updated_at)
        .execute(&self.writer)
        .await
        .map_err(|e| conflict_or(e, "an article with this slug"))?;
        Ok(article)
    }

    async fn update_article(
        &self,
        tenant_id: &str,
        id: &str,
        content: ArticleContent,
    ) -> StoreResult<Option<Article>> {
        let done = sqlx::query(
            "UPDATE articles SET slug = ?, title = ?, body = ?, updated_at = ?, revision = revision + 1 WHERE tenant_id = ? AND id = ?",
        )
        .bind(&content.slug)
        .bind(&content.title)
        .bind(&content.body)
        .bind(now())
        .bind(tenant_id)
        .bind(id)
        .execute(&self.writer)
        .await
        .map_err(|e| conflict_or(e, "an article with this slug"))?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        self.article(tenant_id, id).await
    }

    async fn delete_article(&self, tenant_id: &str, id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM articles WHERE tenant_id = ? AND id = ?")
            .bind(tenant_id)
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn knowledge_version(&self, tenant_id: &str) -> StoreResult<KnowledgeVersion> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, COALESCE(SUM(revision), 0) AS revisions, MAX(id) AS newest FROM articles WHERE tenant_id = ?",
        )
        .bind(tenant_id)
        .fetch_one(&self.readers)
        .await?;
        Ok(version_from(&row)?)
    }

    async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.readers)
            .await?;
        Ok(row.map(|r| r.try_get("value")).transpose()?)
    }

    async fn setting_or_insert(&self, key: &str, value: &str) -> StoreResult<String> {
        sqlx::query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(value)
            .execute(&self.writer)
            .await?;
        let row = sqlx::query("SELECT value FROM settings WHERE key = ?")
            .bind(key)
            .fetch_one(&self.writer)
            .await?;
        Ok(row.try_get("value")?)
    }
}
