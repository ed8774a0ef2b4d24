//! [`Store`] on PostgreSQL, for several nodes sharing one database. Each append takes the next
//! `seq` by updating its session's row, whose lock orders concurrent appends to one session from
//! any node; appends to different sessions never wait for each other.

use super::{
    attachments,
    changes::{given_to, numbered_for_postgres, session_change_sql},
    conflict_or, follow_ups,
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
use crate::server::{attachments::kinds::Accepted, config::redacted};
use async_trait::async_trait;
use sqlx::{
    postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow},
    Row,
};
use std::{collections::HashMap, str::FromStr, time::Duration};

/// Connections per node. Each request holds one for a query or a short transaction, so this
/// bounds a node's share of the server's `max_connections` (100 by default) rather than its
/// throughput.
const POOL_SIZE: u32 = 16;

pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects and runs the migrations (once, whichever node gets there first).
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        use anyhow::Context;
        let options = PgConnectOptions::from_str(url)
            .with_context(|| format!("invalid database URL {}", redacted(url)))?
            .application_name("switchboard");
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .with_context(|| format!("cannot connect to {}", redacted(url)))?;
        let migrator = migrations::migrator(migrations::POSTGRES)
            .await
            .context("cannot read the migrations")?;
        migrator
            .run(&pool)
            .await
            .with_context(|| format!("cannot migrate the database {}", redacted(url)))?;
        Ok(Self { pool })
    }
}

fn tenant_from(row: &PgRow) -> Result<Tenant, sqlx::Error> {
    Ok(Tenant {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        widget_key: row.try_get("widget_key")?,
        allowed_origins: row.try_get("allowed_origins")?,
        ai: TenantAi {
            enabled: row.try_get("ai_enabled")?,
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

/// How `ts_headline` marks a snippet: with [`history::HIT_START`] and [`history::HIT_END`], a
/// few words either side of the best match.
const HEADLINE_OPTIONS: &str =
    "StartSel=\u{E000}, StopSel=\u{E001}, MaxWords=24, MinWords=12, ShortWord=0";

/// The columns `session_from` reads. `$1` is the viewing agent's id (or NULL), for the unread
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
       CASE WHEN $1::text IS NULL THEN 0 ELSE (
           SELECT COUNT(*) FROM messages u
           WHERE u.session_id = s.id AND u.sender_kind = 'customer'
             AND u.seq > COALESCE((SELECT r.seq FROM read_marks r
                                   WHERE r.agent_id = $1 AND r.session_id = s.id), 0)
       ) END AS unread
FROM sessions s
LEFT JOIN agents a ON a.id = s.assigned_agent_id
LEFT JOIN visitors v ON v.id = s.visitor_id
LEFT JOIN messages m ON m.session_id = s.id AND m.seq = s.last_seq";

impl PgStore {
    /// Applies a session change and, for an assignment, notes when the agent was given it;
    /// false when nothing matched (no such session or agent, or a route that lost). The
    /// agent's row stays locked until the commit: two nodes routing to one agent at once take
    /// turns, and the second counts what the first gave them.
    async fn change_session(
        &self,
        tenant_id: &str,
        id: &str,
        change: &SessionChange,
    ) -> StoreResult<bool> {
        let at = now();
        let mut tx = self.pool.begin().await?;
        if let Some((agent_id, sql)) = given_to(change) {
            let given = sqlx::query(&numbered_for_postgres(sql))
                .bind(&at)
                .bind(agent_id)
                .bind(tenant_id)
                .execute(&mut *tx)
                .await?;
            if given.rows_affected() == 0 {
                return Ok(false);
            }
        }
        let sql = numbered_for_postgres(session_change_sql(change));
        let query = sqlx::query(&sql).bind(&at).bind(id).bind(tenant_id);
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
        let sql = format!("{SESSION_SELECT} WHERE s.id = $2 AND s.tenant_id = $3");
        let row = sqlx::query(&sql)
            .bind(viewer)
            .bind(id)
            .bind(tenant_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(session_from).transpose()?)
    }
}

/// Removes a visitor of the tenant whom no conversation refers to any more, with their keys:
/// 1 when it did.
async fn erase_visitor(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    tenant_id: &str,
    visitor_id: &str,
) -> StoreResult<u64> {
    let [keys, record] = history::ERASE_VISITOR;
    sqlx::query(&numbered_for_postgres(keys))
        .bind(visitor_id)
        .execute(&mut **tx)
        .await?;
    let done = sqlx::query(&numbered_for_postgres(record))
        .bind(visitor_id)
        .bind(tenant_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

#[async_trait]
impl Store for PgStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
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
        sqlx::query("INSERT INTO tenants (id, name, widget_key, allowed_origins, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&tenant.id)
            .bind(&tenant.name)
            .bind(&tenant.widget_key)
            .bind(&tenant.allowed_origins)
            .bind(&tenant.created_at)
            .execute(&self.pool)
            .await
            .map_err(|e| conflict_or(e, "a tenant with this widget key"))?;
        Ok(tenant)
    }

    async fn tenant(&self, id: &str) -> StoreResult<Option<Tenant>> {
        let row = sqlx::query("SELECT * FROM tenants WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(tenant_from).transpose()?)
    }

    async fn tenant_by_widget_key(&self, widget_key: &str) -> StoreResult<Option<Tenant>> {
        let row = sqlx::query("SELECT * FROM tenants WHERE widget_key = $1")
            .bind(widget_key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(tenant_from).transpose()?)
    }

    async fn set_look(&self, id: &str, look: &TenantLook) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE tenants SET widget_title = $1, widget_colour = $2, launcher_side = $3 WHERE id = $4")
            .bind(&look.title)
            .bind(&look.colour)
            .bind(look.launcher.as_str())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_routing(&self, id: &str, routing: &RoutingSettings) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE tenants SET assignment = $1, capacity = $2 WHERE id = $3")
            .bind(routing.assignment.as_str())
            .bind(routing.capacity as i64)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_attachment_types(&self, id: &str, accepted: &Accepted) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE tenants SET attachment_types = $1 WHERE id = $2")
            .bind(accepted.to_stored())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn create_attachment(&self, new: &NewAttachment) -> StoreResult<()> {
        sqlx::query(&numbered_for_postgres(attachments::CREATE))
            .bind(&new.id)
            .bind(&new.tenant_id)
            .bind(&new.session_id)
            .bind(kind_str(new.uploader.kind))
            .bind(&new.uploader.id)
            .bind(&new.name)
            .bind(&new.content_type)
            .bind(now())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn add_attachment_chunk(&self, id: &str, index: u32, bytes: &[u8]) -> StoreResult<()> {
        sqlx::query(&numbered_for_postgres(attachments::ADD_CHUNK))
            .bind(id)
            .bind(i64::from(index))
            .bind(bytes)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn finish_attachment(&self, id: &str, done: &FinishedUpload) -> StoreResult<()> {
        sqlx::query(&numbered_for_postgres(attachments::FINISH))
            .bind(id)
            .bind(done.size.min(i64::MAX as u64) as i64)
            .bind(i64::from(done.chunks))
            .bind(done.width.map(i64::from))
            .bind(done.height.map(i64::from))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_attachment(&self, id: &str) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(&numbered_for_postgres(attachments::DELETE_CHUNKS))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(&numbered_for_postgres(attachments::DELETE))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn attachment(&self, id: &str) -> StoreResult<Option<StoredAttachment>> {
        let row = sqlx::query(&numbered_for_postgres(attachments::READ))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .as_ref()
            .map(attachments::stored_attachment_from)
            .transpose()?)
    }

    async fn attachment_chunk(&self, id: &str, index: u32) -> StoreResult<Option<Vec<u8>>> {
        Ok(
            sqlx::query_scalar(&numbered_for_postgres(attachments::READ_CHUNK))
                .bind(id)
                .bind(i64::from(index))
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn remove_unattached(&self, before: &str) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(&numbered_for_postgres(attachments::STALE_CHUNKS))
            .bind(before)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query(&numbered_for_postgres(attachments::STALE))
            .bind(before)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    async fn set_email_from(&self, id: &str, from: Option<&str>) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE tenants SET email_from = $1 WHERE id = $2")
            .bind(from)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_hours(&self, id: &str, hours: &OfficeHoursSettings) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE tenants SET office_hours = $1, timezone = $2 WHERE id = $3")
            .bind(&hours.hours)
            .bind(&hours.timezone)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_avatar(&self, id: &str, avatar: Option<&Avatar>) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let version = avatar.map(|_| new_id());
        let done = sqlx::query("UPDATE tenants SET avatar_version = $1 WHERE id = $2")
            .bind(&version)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        match avatar {
            Some(avatar) => sqlx::query(
                "INSERT INTO tenant_avatars (tenant_id, content_type, bytes) VALUES ($1, $2, $3) ON CONFLICT (tenant_id) DO UPDATE SET content_type = excluded.content_type, bytes = excluded.bytes",
            )
            .bind(id)
            .bind(&avatar.content_type)
            .bind(&avatar.bytes),
            None => sqlx::query("DELETE FROM tenant_avatars WHERE tenant_id = $1").bind(id),
        }
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn avatar(&self, id: &str) -> StoreResult<Option<Avatar>> {
        let row =
            sqlx::query("SELECT content_type, bytes FROM tenant_avatars WHERE tenant_id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
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
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(tenant_from).collect::<Result<_, _>>()?)
    }

    async fn update_tenant(
        &self,
        id: &str,
        origins: &[String],
        ai: &TenantAi,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE tenants SET allowed_origins = $1, ai_enabled = $2, answerer = $3, greeting = $4, handover = $5 WHERE id = $6",
        )
        .bind(origins)
        .bind(ai.enabled)
        .bind(&ai.answerer)
        .bind(&ai.greeting)
        .bind(&ai.handover)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
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
        sqlx::query("INSERT INTO agents (id, tenant_id, email, name, password_hash, created_at, role) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&agent.id)
            .bind(&agent.tenant_id)
            .bind(&agent.email)
            .bind(&agent.name)
            .bind(&agent.password_hash)
            .bind(&agent.created_at)
            .bind(agent.role.as_str())
            .execute(&self.pool)
            .await
            .map_err(|e| conflict_or(e, "an agent with this email"))?;
        Ok(agent)
    }

    async fn agent(&self, tenant_id: &str, id: &str) -> StoreResult<Option<Agent>> {
        let row = sqlx::query("SELECT * FROM agents WHERE id = $1 AND tenant_id = $2")
            .bind(id)
            .bind(tenant_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(agent_from).transpose()?)
    }

    async fn agent_by_email(&self, email: &str) -> StoreResult<Option<Agent>> {
        let row = sqlx::query("SELECT * FROM agents WHERE lower(email) = lower($1)")
            .bind(email)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(agent_from).transpose()?)
    }

    async fn agents(&self, tenant_id: &str) -> StoreResult<Vec<Agent>> {
        let rows = sqlx::query("SELECT * FROM agents WHERE tenant_id = $1 ORDER BY email")
            .bind(tenant_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(agent_from).collect::<Result<_, _>>()?)
    }

    async fn set_password_hash(&self, agent_id: &str, password_hash: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE agents SET password_hash = $1, token_version = token_version + 1 WHERE id = $2",
        )
        .bind(password_hash)
        .bind(agent_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn update_agent(&self, agent_id: &str, change: AgentChange) -> StoreResult<bool> {
        let query = match change {
            AgentChange::Disable => sqlx::query(
                "UPDATE agents SET disabled = TRUE, token_version = token_version + 1 WHERE id = $1",
            ),
            AgentChange::Enable => sqlx::query("UPDATE agents SET disabled = FALSE WHERE id = $1"),
            AgentChange::Role(role) => {
                sqlx::query("UPDATE agents SET role = $1 WHERE id = $2").bind(role.as_str())
            }
            AgentChange::Away(away) => {
                sqlx::query("UPDATE agents SET away = $1 WHERE id = $2").bind(away)
            }
            AgentChange::Availability(availability) => {
                sqlx::query("UPDATE agents SET availability = $1 WHERE id = $2")
                    .bind(availability.as_str())
            }
        };
        let done = query.bind(agent_id).execute(&self.pool).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn revoke_token(&self, token_id: &str, expires_at: u64) -> StoreResult<()> {
        // Tokens past their expiry are refused anyway: forget them while here.
        sqlx::query("DELETE FROM revoked_tokens WHERE expires_at < $1")
            .bind(crate::server::auth::unix_now() as i64)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO revoked_tokens (token_id, expires_at) VALUES ($1, $2) ON CONFLICT (token_id) DO NOTHING",
        )
        .bind(token_id)
        .bind(expires_at as i64)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn token_revoked(&self, token_id: &str) -> StoreResult<bool> {
        let row = sqlx::query("SELECT 1 FROM revoked_tokens WHERE token_id = $1")
            .bind(token_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    async fn create_session(&self, new: NewSession) -> StoreResult<Session> {
        let id = new_id();
        let at = now();
        sqlx::query(
            "INSERT INTO sessions (id, tenant_id, key_hash, status, visitor_name, visitor_email, created_at, updated_at, is_test, queued_at, visitor_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
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
        .execute(&self.pool)
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
            "{SESSION_SELECT} WHERE s.key_hash = $2 OR s.id = (
                 SELECT l.session_id FROM session_links l
                 WHERE l.key_hash = $2 AND l.expires_at > $3)"
        );
        let row = sqlx::query(&sql)
            .bind(None::<String>)
            .bind(key_hash)
            .bind(now())
            .fetch_optional(&self.pool)
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
            "{SESSION_SELECT} WHERE s.tenant_id = $2 AND {}
               AND ($3::text IS NULL OR s.updated_at < $3 OR (s.updated_at = $3 AND s.id < $4))
             ORDER BY s.updated_at DESC, s.id DESC LIMIT $5",
            page.condition("$1")
        );
        let (at, id) = page.before.clone().unzip();
        let rows = sqlx::query(&sql)
            .bind(viewer)
            .bind(tenant_id)
            .bind(at)
            .bind(id)
            .bind(i64::from(page.limit))
            .fetch_all(&self.pool)
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
        let id = new.id.clone().unwrap_or_else(new_id);
        let at = now();
        let mut tx = self.pool.begin().await?;
        // Taking the seq locks the session's row until commit: a concurrent append to the same
        // session, on any node, waits here and then reads the seq this one took.
        let seq: Option<i64> = sqlx::query_scalar(
            "UPDATE sessions SET last_seq = last_seq + 1, updated_at = $1 WHERE id = $2 RETURNING last_seq",
        )
        .bind(&at)
        .bind(&new.session_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(seq) = seq else {
            return Err(StoreError::NotFound("session"));
        };
        let inserted = sqlx::query(
            "INSERT INTO messages (id, session_id, seq, client_message_id, sender_kind, sender_id, sender_name, content, created_at, offers_human, source_title, source_url, attachments)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             ON CONFLICT (session_id, client_message_id) DO NOTHING",
        )
        .bind(&id)
        .bind(&new.session_id)
        .bind(seq)
        .bind(&new.client_message_id)
        .bind(kind_str(new.sender.kind))
        .bind(&new.sender.id)
        .bind(&new.sender.name)
        .bind(&new.content)
        .bind(&at)
        .bind(new.offers_human)
        .bind(new.source.as_ref().map(|s| &s.title))
        .bind(new.source.as_ref().map(|s| &s.url))
        .bind(attachments::to_column(&new.attachments))
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            // A repeat of a clientMessageId: give the seq back and return the first message.
            tx.rollback().await?;
            let existing = sqlx::query(
                "SELECT * FROM messages WHERE session_id = $1 AND client_message_id = $2",
            )
            .bind(&new.session_id)
            .bind(&new.client_message_id)
            .fetch_one(&self.pool)
            .await?;
            return Ok(Appended {
                message: message_from(&existing, "")?,
                created: false,
            });
        }
        if !new.attachments.is_empty() {
            // As SQLite's trigger does: only files of this session that no message has taken.
            sqlx::query(
                "UPDATE attachments SET message_id = $1
                 WHERE session_id = $2 AND message_id IS NULL AND id = ANY($3)",
            )
            .bind(&id)
            .bind(&new.session_id)
            .bind(attachments::ids(&new.attachments))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Appended {
            message: new.stored(id, seq as u64, at),
            created: true,
        })
    }

    async fn messages_after(
        &self,
        session_id: &str,
        after_seq: u64,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        let rows = sqlx::query(
            "SELECT * FROM messages WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(session_id)
        .bind(after_seq as i64)
        .bind(limit as i64)
        .fetch_all(&self.pool)
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
            "SELECT * FROM (SELECT * FROM messages WHERE session_id = $1 AND seq < $2
                            ORDER BY seq DESC LIMIT $3) newest ORDER BY seq",
        )
        .bind(session_id)
        .bind(before_seq.min(i64::MAX as u64) as i64)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| message_from(r, ""))
            .collect::<Result<_, _>>()?)
    }

    async fn queue(&self, tenant_id: &str, limit: u32) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM sessions
             WHERE tenant_id = $1 AND status = 'pending' AND assigned_agent_id IS NULL AND NOT is_test
             ORDER BY COALESCE(queued_at, updated_at), id LIMIT $2",
        )
        .bind(tenant_id)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn workloads(&self, tenant_id: &str) -> StoreResult<HashMap<String, u32>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT assigned_agent_id, COUNT(*) FROM sessions
             WHERE tenant_id = $1 AND status = 'active' AND assigned_agent_id IS NOT NULL
             GROUP BY assigned_agent_id",
        )
        .bind(tenant_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id, n)| (id, n as u32)).collect())
    }

    async fn plan_follow_up(&self, session_id: &str, seq: u64, due_at: &str) -> StoreResult<()> {
        sqlx::query(&numbered_for_postgres(follow_ups::PLAN))
            .bind(session_id)
            .bind(due_at)
            .bind(seq.min(i64::MAX as u64) as i64)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn forget_expired_links(&self, now: &str) -> StoreResult<u64> {
        let done = sqlx::query(&numbered_for_postgres(follow_ups::FORGET_LINKS))
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn due_follow_ups(&self, now: &str, limit: u32) -> StoreResult<Vec<DueFollowUp>> {
        let rows = sqlx::query(&numbered_for_postgres(follow_ups::DUE))
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        let due = |row: &PgRow| -> Result<DueFollowUp, sqlx::Error> {
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
        let done = sqlx::query(&numbered_for_postgres(follow_ups::CLAIM))
            .bind(&due.session_id)
            .bind(&due.due_at)
            .bind(until)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_history_rules(&self, id: &str, rules: &HistoryRules) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE tenants SET identity_secret = $1, retention_days = $2 WHERE id = $3",
        )
        .bind(&rules.identity_secret)
        .bind(rules.retention_days.map(i64::from))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn save_visitor(&self, new: &NewVisitor) -> StoreResult<VisitorRecord> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(&numbered_for_postgres(history::SAVE_VISITOR))
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
            sqlx::query(&numbered_for_postgres(history::ADD_VISITOR_KEY))
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
        let mut tx = self.pool.begin().await?;
        sqlx::query(&numbered_for_postgres(history::MOVE_SESSIONS))
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
        let visitors = sqlx::query(&numbered_for_postgres(history::VISITORS_BY_EMAIL))
            .bind(tenant_id)
            .bind(email)
            .fetch_all(&self.pool)
            .await?;
        let sessions = sqlx::query_scalar(&numbered_for_postgres(history::SESSIONS_BY_EMAIL))
            .bind(tenant_id)
            .bind(email)
            .fetch_all(&self.pool)
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
        let mut tx = self.pool.begin().await?;
        for session_id in &erasure.sessions {
            let ours: i64 = sqlx::query_scalar(&numbered_for_postgres(history::SESSION_OF_TENANT))
                .bind(session_id)
                .bind(tenant_id)
                .fetch_one(&mut *tx)
                .await?;
            if ours == 0 {
                continue;
            }
            let mut rows = Vec::with_capacity(history::ERASE_SESSION.len());
            for step in history::ERASE_SESSION {
                let done = sqlx::query(&numbered_for_postgres(step))
                    .bind(session_id)
                    .execute(&mut *tx)
                    .await?;
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
        let row = sqlx::query(&numbered_for_postgres(sql))
            .bind(tenant_id)
            .bind(value)
            .fetch_optional(&self.pool)
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
            "{SESSION_SELECT} WHERE s.tenant_id = $2 AND s.visitor_id = $3 AND NOT s.is_test
             ORDER BY s.updated_at DESC, s.id DESC LIMIT 100"
        );
        let rows = sqlx::query(&sql)
            .bind(viewer)
            .bind(tenant_id)
            .bind(visitor_id)
            .fetch_all(&self.pool)
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
                    ts_headline('simple', m.content, to_tsquery('simple', $1), $4) AS snippet
             FROM messages m JOIN sessions s ON s.id = m.session_id
             WHERE to_tsvector('simple', m.content) @@ to_tsquery('simple', $1)
               AND s.tenant_id = $2 AND {searchable}
             ORDER BY ts_rank(to_tsvector('simple', m.content), to_tsquery('simple', $1)) DESC,
                      m.created_at DESC
             LIMIT $3",
            columns = history::HIT_COLUMNS,
            searchable = history::SEARCHABLE,
        );
        let rows = sqlx::query(&sql)
            .bind(terms.tsquery())
            .bind(tenant_id)
            .bind(i64::from(limit))
            .bind(HEADLINE_OPTIONS)
            .fetch_all(&self.pool)
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
        Ok(
            sqlx::query_scalar(&numbered_for_postgres(history::CLOSED_BEFORE))
                .bind(tenant_id)
                .bind(before)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?,
        )
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
                sqlx::query(&numbered_for_postgres(follow_ups::DONE))
                    .bind(session_id)
                    .bind(*through_seq as i64)
                    .bind(next_due)
                    .execute(&self.pool)
                    .await?;
            }
            FollowUpOutcome::Retry { at, failed } => {
                sqlx::query(&numbered_for_postgres(follow_ups::RETRY))
                    .bind(session_id)
                    .bind(at)
                    .bind(i32::from(*failed))
                    .execute(&self.pool)
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
        sqlx::query(&numbered_for_postgres(follow_ups::LINK))
            .bind(key_hash)
            .bind(session_id)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn set_visit(&self, session_id: &str, visit: &Visit) -> StoreResult<()> {
        let seen_at = visit.seen_at.as_ref().map(|at| at.0.clone());
        let visit = Visit {
            seen_at: None,
            ..visit.clone()
        };
        sqlx::query("UPDATE sessions SET visit = $1, visit_seen_at = COALESCE($2, visit_seen_at) WHERE id = $3")
            .bind(serde_json::to_string(&visit).expect("a visit serialises"))
            .bind(seen_at)
            .bind(session_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn set_visitor_seen(&self, session_id: &str, at: &str) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET visit_seen_at = $1 WHERE id = $2")
            .bind(at)
            .bind(session_id)
            .execute(&self.pool)
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
        let moved: Option<i64> = match reader {
            Reader::Visitor => sqlx::query_scalar(
                "UPDATE sessions SET visitor_read_seq = LEAST($2, last_seq)
                 WHERE id = $1 AND visitor_read_seq < LEAST($2, last_seq)
                 RETURNING visitor_read_seq",
            )
            .bind(session_id)
            .bind(seq),
            // One statement: the agent's mark and, when it moved, the team's.
            Reader::Agent { id } => sqlx::query_scalar(
                "WITH mark AS (
                     INSERT INTO read_marks (agent_id, session_id, seq)
                     SELECT $3, id, LEAST($2, last_seq) FROM sessions WHERE id = $1
                     ON CONFLICT (agent_id, session_id) DO UPDATE SET seq = excluded.seq
                     WHERE excluded.seq > read_marks.seq
                     RETURNING seq
                 ), team AS (
                     UPDATE sessions SET team_read_seq = GREATEST(team_read_seq, mark.seq)
                     FROM mark WHERE sessions.id = $1
                 )
                 SELECT seq FROM mark",
            )
            .bind(session_id)
            .bind(seq)
            .bind(id),
        }
        .fetch_optional(&self.pool)
        .await?;
        Ok(moved.map(|s| s as u64))
    }

    async fn articles(&self, tenant_id: &str) -> StoreResult<Vec<Article>> {
        let rows = sqlx::query("SELECT * FROM articles WHERE tenant_id = $1 ORDER BY title, slug")
            .bind(tenant_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(article_from).collect::<Result<_, _>>()?)
    }

    async fn article(&self, tenant_id: &str, id: &str) -> StoreResult<Option<Article>> {
        let row = sqlx::query("SELECT * FROM articles WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(article_from).transpose()?)
    }

    async fn article_by_slug(&self, tenant_id: &str, slug: &str) -> StoreResult<Option<Article>> {
        let row = sqlx::query("SELECT * FROM articles WHERE tenant_id = $1 AND slug = $2")
            .bind(tenant_id)
            .bind(slug)
            .fetch_optional(&self.pool)
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
            "INSERT INTO articles (id, tenant_id, slug, title, body, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&article.id)
        .bind(&article.tenant_id)
        .bind(&article.slug)
        .bind(&article.title)
        .bind(&article.body)
        .bind(&article.updated_at)
        .execute(&self.pool)
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
            "UPDATE articles SET slug = $1, title = $2, body = $3, updated_at = $4, revision = revision + 1 WHERE tenant_id = $5 AND id = $6",
        )
        .bind(&content.slug)
        .bind(&content.title)
        .bind(&content.body)
        .bind(now())
        .bind(tenant_id)
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(|e| conflict_or(e, "an article with this slug"))?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        self.article(tenant_id, id).await
    }

    async fn delete_article(&self, tenant_id: &str, id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM articles WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn knowledge_version(&self, tenant_id: &str) -> StoreResult<KnowledgeVersion> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, COALESCE(SUM(revision), 0)::BIGINT AS revisions, MAX(id) AS newest FROM articles WHERE tenant_id = $1",
        )
        .bind(tenant_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(version_from(&row)?)
    }

    async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        let value = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(value)
    }

    async fn setting_or_insert(&self, key: &str, value: &str) -> StoreResult<String> {
        // Nodes starting together race here: the first insert wins and everyone reads it.
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        let stored = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_one(&self.pool)
            .await?;
        Ok(stored)
    }
}
